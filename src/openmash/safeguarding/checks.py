"""Checking what a practitioner wrote, the same way in every service of the hub: a form's problems are all
collected and raised together (``ValidationFailed``), so that a page can show every one at once.

What is kept as typed: the child's own words (``words``) are never trimmed or normalised, because a court or
a review may turn on them; other text is trimmed. A registration mark is put in the register's standard form
(``register.identifiers.normalise_registration``) so that it meets the plate lookup.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openmash.errors import ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register.identifiers import normalise_registration

# A clock a few minutes fast on the recorder's device is not a time "in the future" (as concerns.py).
CLOCK_SKEW = timedelta(minutes=5)
TEXT_MAX_LENGTH = 5000
WORDS_MAX_LENGTH = 10000
LINE_MAX_LENGTH = 300


class Form:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def text(
        self, field: str, value: str | None, *, required: str | None = None, max_length: int = TEXT_MAX_LENGTH
    ) -> str | None:
        """Trimmed text, None when blank; ``required`` is the message when it must be given."""
        found = (value or "").strip() or None
        if found is None:
            if required:
                self.errors[field] = required
        elif len(found) > max_length:
            self.errors[field] = f"This must be {max_length} characters or fewer"
        return found

    def words(
        self,
        field: str,
        value: str | None,
        *,
        required: str | None = None,
        max_length: int = WORDS_MAX_LENGTH,
    ) -> str | None:
        """The child's own words exactly as typed; only a field left blank is "not given"."""
        found = value if value and value.strip() else None
        if found is None:
            if required:
                self.errors[field] = required
        elif len(found) > max_length:
            self.errors[field] = f"This must be {max_length} characters or fewer"
        return found

    def moment(
        self,
        field: str,
        value: datetime,
        now: datetime,
        *,
        not_before: datetime | None = None,
        not_before_message: str = "",
    ) -> datetime:
        """A time that has happened (not in the future), with its time zone, and not before ``not_before``."""
        if value.tzinfo is None:
            self.errors[field] = "Give the time with its time zone"
        elif value > now + CLOCK_SKEW:
            self.errors[field] = "The time must be now or in the past"
        elif not_before is not None and value < not_before:
            self.errors[field] = not_before_message
        return value

    def registration(self, field: str, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        found = normalise_registration(value)
        if found is None:
            self.errors[field] = "Enter a registration mark of 2 to 8 letters and numbers"
        return found

    def mash(self, session: Session, field: str, agency_id: uuid.UUID | None) -> uuid.UUID:
        """The MASH (an active children's social care agency) named by the form."""
        agency = session.get(Agency, agency_id) if agency_id is not None else None
        if agency is None or agency.type != AgencyType.CHILDRENS_SOCIAL_CARE.value or not agency.active:
            self.errors[field] = "Select the MASH (children's social care) responsible for the child"
            return uuid.UUID(int=0)
        return agency.id

    def choice(self, field: str, value: str, allowed: set[str], message: str) -> str:
        if value not in allowed:
            self.errors[field] = message
        return value

    def check(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
