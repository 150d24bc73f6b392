"""What the pages for missing episodes, triage and requests for help share: a moment from GOV.UK's date boxes
and a time box, the MASH to choose, yes/no radios, and the service's field errors under the form's ids."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from openmash.identity import agencies
from openmash.identity.permissions import AgencyType
from openmash.identity.principal import Principal
from openmash.register.workdays import UK
from openmash.web.child_forms import LONG, read_date, read_time, uk_moment


def form_values(form: FormData, fields: tuple[str, ...], *, limit: int = LONG) -> dict[str, str]:
    """The posted fields as text (missing ones empty), each cut to ``limit``: the services give the limits."""
    return {k: str(form.get(k, ""))[:limit] for k in fields}


def date_fields(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}_on-day", f"{prefix}_on-month", f"{prefix}_on-year", f"{prefix}_time")


def read_moment(values: dict[str, str], prefix: str, what: str, errors: dict[str, str]) -> datetime | None:
    """A moment from ``{prefix}_on-day/-month/-year`` and ``{prefix}_time`` as a clock in England shows it;
    a problem is added to ``errors`` against the date boxes or the time box."""
    day, problem = read_date(
        values[f"{prefix}_on-day"], values[f"{prefix}_on-month"], values[f"{prefix}_on-year"], "The date"
    )
    at = read_time(values[f"{prefix}_time"])
    if problem:
        errors[f"{prefix}_on-day"] = problem
    elif day is None:
        errors[f"{prefix}_on-day"] = f"Enter the date {what}"
    if at is None:
        errors[f"{prefix}_time"] = f"Enter the time {what} on the 24-hour clock, like 14:30"
    return uk_moment(day, at) if day is not None and at is not None else None


def moment_values(prefix: str, moment: datetime | None) -> dict[str, str]:
    """The boxes filled from a moment (``now`` for a new form), as a clock in England shows it."""
    if moment is None:
        return dict.fromkeys(date_fields(prefix), "")
    local = moment.astimezone(UK)
    return {
        f"{prefix}_on-day": str(local.day),
        f"{prefix}_on-month": str(local.month),
        f"{prefix}_on-year": str(local.year),
        f"{prefix}_time": local.strftime("%H:%M"),
    }


def mash_items(session: Session, principal: Principal, chosen: str) -> list[dict[str, Any]]:
    """The MASHs (children's social care) to choose from; the user's own preselected when it is one."""
    if not chosen and principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE:
        chosen = str(principal.agency_id)
    found = [
        a
        for a in agencies.list_agencies(session)
        if a.type == AgencyType.CHILDRENS_SOCIAL_CARE.value and a.active
    ]
    return [{"value": "", "text": "Select the MASH"}] + [
        {"value": str(a.id), "text": a.name, "selected": chosen == str(a.id)} for a in found
    ]


def read_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def yes_no(values: dict[str, str], field: str) -> list[dict[str, Any]]:
    return [
        {"value": "yes", "text": "Yes", "checked": values.get(field) == "yes"},
        {"value": "no", "text": "No", "checked": values.get(field) == "no"},
    ]


def field_errors(
    own: dict[str, str], service: dict[str, str], names: dict[str, str] | None = None
) -> dict[str, str]:
    """The form's own problems first, then the service's under the form's ids (a moment under its date)."""
    moved = {(names or {}).get(k, k): v for k, v in service.items()}
    return own | {k: v for k, v in moved.items() if k not in own}
