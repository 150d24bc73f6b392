"""A child's chronology: every agency's concerns that the viewer may see, in the order they happened (a
back-dated entry falls into its place), filterable by agency type, category and dates.

What may be seen is decided by safeguarding.visibility alone; this module only reads, orders and filters.
A correction is shown with its reason beside the concern it corrects, which is marked as corrected (an
original is shown only if every later entry of its chain may be seen too: ``visibility.concern_clause``).
Missing episodes, return home interviews and requests for help (``timeline``) are merged in as entries whose
``kind`` says what they are (their ``category_code`` is the kind too, so the category filter selects them).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.service import Context
from openmash.identity.models import Agency
from openmash.identity.principal import Principal
from openmash.register.workdays import UK
from openmash.safeguarding import timeline
from openmash.safeguarding.models import Concern, ConcernCategory
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import Scope, concern_clause, open_child, visible_concern_ids

# An entry written more than this long after it happened is shown as back-dated.
BACKDATED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class ChronologyFilter:
    """Empty sets mean "all"; dates are days in England (from and to both included)."""

    agency_types: Collection[str] = ()
    categories: Collection[str] = ()
    occurred_from: date | None = None
    occurred_to: date | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "agency_types": sorted(self.agency_types),
            "categories": sorted(self.categories),
            "from": self.occurred_from.isoformat() if self.occurred_from else None,
            "to": self.occurred_to.isoformat() if self.occurred_to else None,
        }


@dataclass(frozen=True)
class Entry:
    id: uuid.UUID
    occurred_at: datetime
    recorded_at: datetime
    backdated: bool
    agency_name: str
    agency_type: str
    own_agency: bool
    recorded_by: str
    category_code: str
    category_label: str
    indicator_kind: str
    summary: str
    childs_words: str | None
    vehicle_registration: str | None
    vehicle_description: str | None
    shared_with_police: bool
    corrects_id: uuid.UUID | None
    correction_reason: str | None
    corrected_by_id: uuid.UUID | None  # the correction that replaces this entry, if any
    kind: str = "concern"  # or a kind of ``timeline.Item``: missing_report, help_request...

    @property
    def corrected(self) -> bool:
        return self.corrected_by_id is not None

    @property
    def is_correction(self) -> bool:
        """A correction always gives its reason; ``corrects_id`` is empty when the viewer may not see the
        entry it corrects."""
        return self.correction_reason is not None


@dataclass(frozen=True)
class Chronology:
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[Badge]
    scope: Scope
    entries: list[Entry]


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK)


def chronology(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    *,
    purpose: str | None,
    context: Context,
    filters: ChronologyFilter | None = None,
    action: str = "safeguarding.chronology.view",
) -> Chronology:
    """Open a child's chronology (a purpose is needed outside one's own agency; always audited, under
    ``action``: an export names itself, e.g. ``safeguarding.chronology.export_pdf``)."""
    filters = filters or ChronologyFilter()
    opened = open_child(
        session,
        principal,
        child_id,
        purpose,
        context,
        action=action,
        details={"filters": filters.as_dict()},
    )
    child = opened.child
    query = (
        select(Concern, Agency)
        .join(Agency, Concern.agency_id == Agency.id)
        .join(ConcernCategory, Concern.category_id == ConcernCategory.id)
        .where(
            Concern.child_id == child.id,
            concern_clause(session, principal, opened.scope, child_id=child.id),
        )
        .order_by(Concern.occurred_at, Concern.recorded_at, Concern.id)
    )
    if filters.agency_types:
        query = query.where(Agency.type.in_(list(filters.agency_types)))
    if filters.categories:
        query = query.where(ConcernCategory.code.in_(list(filters.categories)))
    if filters.occurred_from:
        query = query.where(Concern.occurred_at >= _uk_midnight(filters.occurred_from))
    if filters.occurred_to:
        query = query.where(Concern.occurred_at < _uk_midnight(filters.occurred_to + timedelta(days=1)))
    rows = session.execute(query).all()
    corrected_by = dict(
        session.execute(
            select(Concern.corrects_id, Concern.id).where(
                Concern.child_id == child.id, Concern.corrects_id.is_not(None)
            )
        ).all()
    )
    # A correction names the entry it corrects only when the viewer may see that entry: a correction that
    # widened sharing must not hand police the id of an original never shared with them.
    shown_originals = visible_concern_ids(
        session,
        principal,
        opened.scope,
        [c.corrects_id for c, _ in rows if c.corrects_id is not None],
        child_ids=[child.id],
    )
    entries = [
        Entry(
            id=c.id,
            occurred_at=c.occurred_at,
            recorded_at=c.recorded_at,
            backdated=c.recorded_at - c.occurred_at > BACKDATED_AFTER,
            agency_name=agency.name,
            agency_type=agency.type,
            own_agency=c.agency_id == principal.agency_id,
            recorded_by=c.recorded_by,
            category_code=c.category.code,
            category_label=c.category.label,
            indicator_kind=c.category.indicator_kind,
            summary=c.summary,
            childs_words=c.childs_words,
            vehicle_registration=c.vehicle_registration,
            vehicle_description=c.vehicle_description,
            shared_with_police=c.shared_with_police,
            corrects_id=c.corrects_id if c.corrects_id in shown_originals else None,
            correction_reason=c.correction_reason,
            corrected_by_id=corrected_by.get(c.id),
        )
        for c, agency in rows
    ]
    entries.extend(
        _from_timeline(item, principal)
        for item in timeline.items(session, principal, opened.scope, child.id)
        if _wanted(item, filters)
    )
    entries.sort(key=lambda e: (e.occurred_at, e.recorded_at, str(e.id)))
    return Chronology(
        child_id=child.id,
        surname=child.surname,
        forenames=child.forenames,
        date_of_birth=child.date_of_birth,
        badges=badges(child),
        scope=opened.scope,
        entries=entries,
    )


def _wanted(item: timeline.Item, filters: ChronologyFilter) -> bool:
    return (
        (not filters.agency_types or item.agency_type in filters.agency_types)
        and (not filters.categories or item.kind in filters.categories)
        and (filters.occurred_from is None or item.occurred_at >= _uk_midnight(filters.occurred_from))
        and (
            filters.occurred_to is None
            or item.occurred_at < _uk_midnight(filters.occurred_to + timedelta(days=1))
        )
    )


def _from_timeline(item: timeline.Item, principal: Principal) -> Entry:
    return Entry(
        id=item.id,
        occurred_at=item.occurred_at,
        recorded_at=item.recorded_at,
        backdated=item.recorded_at - item.occurred_at > BACKDATED_AFTER,
        agency_name=item.agency_name,
        agency_type=item.agency_type,
        own_agency=item.agency_id == principal.agency_id,
        recorded_by=item.recorded_by,
        category_code=item.kind,
        category_label=item.label,
        indicator_kind="other",
        summary=item.summary,
        childs_words=item.childs_words,
        vehicle_registration=item.vehicle_registration,
        vehicle_description=item.vehicle_description,
        shared_with_police=item.shared_with_police,
        corrects_id=None,
        correction_reason=None,
        corrected_by_id=None,
        kind=item.kind,
    )
