"""Choices offered on admin forms."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openmash.http.context import app_context
from openmash.identity import agencies
from openmash.identity.principal import Principal


def agency_select(
    request: Request, principal: Principal, selected: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Items for an agency select (preselected when there is only one), and the selected agency's type."""
    with app_context(request).transaction() as session:
        found = [
            (str(a.id), f"{a.name} ({a.code})", a.type) for a in agencies.manageable_by(session, principal)
        ]
    if not selected and len(found) == 1:
        selected = found[0][0]
    items: list[dict[str, Any]] = [{"value": "", "text": "Select an agency"}] if len(found) > 1 else []
    items += [{"value": value, "text": text, "selected": value == selected} for value, text, _ in found]
    return items, next((kind for value, _, kind in found if value == selected), None)
