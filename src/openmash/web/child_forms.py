"""What the safeguarding hub's pages share: reading the purpose of access (GOV.UK radios with "another
reason"), a date and a time of day, and asking for a purpose when the service says one is needed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from openmash.errors import PurposeRequired
from openmash.register.workdays import UK
from openmash.web.templating import render

SHORT = 300
LONG = 20000  # the services give the real limits, with a message
OTHER = "other"
PURPOSES: dict[str, str] = {
    "contact": "Deciding on a contact or referral about this child",
    "enquiry": "A strategy discussion or child protection enquiry",
    "assessment": "An assessment, or a review of the child's plan",
    "missing": "The child is missing or has just come back",
    "risk": "Screening the child for risk of exploitation",
    OTHER: "Another reason",
}
_TIME = re.compile(r"\s*([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)\s*")

T = TypeVar("T")


def read_date(day: str, month: str, year: str, label: str) -> tuple[date | None, str | None]:
    """A date from GOV.UK's three boxes: (the date, None), (None, None) if all empty, or (None, a message)."""
    parts = [day.strip(), month.strip(), year.strip()]
    if not any(parts):
        return None, None
    try:
        found = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None, f"{label} must be a real date, like 27 3 2025"
    if found.year < 1900:
        return None, f"{label} must be a real date, like 27 3 2025"
    return found, None


def read_time(text: str) -> time | None:
    """A time of day on the 24-hour clock, "14:30" or "9.05"; None if it is not one."""
    match = _TIME.fullmatch(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def uk_moment(day: date, at: time) -> datetime:
    """A day and time as read on a clock in England (the services store UTC)."""
    return datetime.combine(day, at, tzinfo=UK)


def read_purpose(purpose: str | None, choice: str, other: str) -> tuple[str | None, dict[str, str]]:
    """The purpose given: typed directly (carried from page to page), or picked on the purpose form."""
    if purpose is not None and purpose.strip():
        return purpose.strip()[:SHORT], {}
    if not choice and not other:
        return None, {}
    if choice not in PURPOSES:
        return None, {"purpose_choice": "Select why you need to see this child's record"}
    if choice == OTHER:
        if not other.strip():
            return None, {"purpose_other": "Enter why you need to see this child's record"}
        return other.strip()[:SHORT], {}
    return PURPOSES[choice], {}


def with_purpose(path: str, purpose: str | None, **extra: Any) -> str:
    """A link that carries the purpose already given (and any filters) to the next page."""
    pairs: list[tuple[str, str]] = []
    if purpose:
        pairs.append(("purpose", purpose))
    for key, value in extra.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(v)) for v in values if v]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def ask_purpose(
    request: Request,
    action: str,
    carry: list[tuple[str, str]],
    message: str,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    items = [
        {"value": key, "text": text, "checked": values.get("purpose_choice") == key}
        for key, text in PURPOSES.items()
        if key != OTHER
    ]
    context = {
        "action": action,
        "carry": carry,
        "message": message,
        "errors": errors,
        "values": values,
        "items": items,
    }
    return render(request, "children/purpose.html", context, 400 if errors else 200)


def opened_or_asked(
    request: Request,
    action: str,
    carry: list[tuple[str, str]],
    purpose: str | None,
    choice: str,
    other: str,
    load: Callable[[str | None], T],
) -> T | Response:
    """Run ``load`` with the purpose given; if the service needs one and none was given, the purpose form."""
    stated, errors = read_purpose(purpose, choice[:40], other[:SHORT])
    values = {"purpose_choice": choice[:40], "purpose_other": other[:SHORT]}
    if errors:
        return ask_purpose(request, action, carry, "Say why you need to see this record", errors, values)
    try:
        return load(stated)
    except PurposeRequired as exc:
        if stated is not None:
            raise
        return ask_purpose(request, action, carry, str(exc), {}, values)
