"""Link analysis for the MASH and police: a child's network (the vehicles, drivers, adults, phones and
addresses the child shares with other children, and those children), and a vehicle's (the children linked
to it and the licensed drivers behind it, with what the register holds against them for safeguarding).
Who may see it, the purpose it needs and its audit are decided by network.service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network import service as network
from openmash.network.links import Kind
from openmash.register.identifiers import normalise_registration
from openmash.safeguarding import child_record
from openmash.web.child_forms import SHORT, opened_or_asked, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/network")
Reader = Annotated[Principal, Depends(require(Permission.NETWORK_READ))]
Purpose = Annotated[str | None, Query(max_length=SHORT)]
Choice = Annotated[str, Query(max_length=40)]
Other = Annotated[str, Query(max_length=SHORT)]

SOURCE_LABELS = {
    "concern": "Concern",
    "concern_mention": "Mentioned in a concern",
    "missing_return": "Return from missing",
    "gate_sighting": "Gate check",
}
GRADE_LABELS = {"confirmed": "Confirmed", "tentative": "Tentative", "unconfirmed": "Unconfirmed"}


def _labels() -> dict[str, Any]:
    return {"source_labels": SOURCE_LABELS, "grade_labels": GRADE_LABELS}


@router.get("")
def network_start(
    request: Request,
    principal: Reader,
    registration: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Start from a vehicle's mark (a child's network is reached from the child's page)."""
    if not registration:
        return render(request, "hub/network_start.html", {"values": {}})
    mark = normalise_registration(registration)
    if mark is None:
        errors = {"registration": "Enter a registration mark of 2 to 8 letters and numbers"}
        return render(
            request,
            "hub/network_start.html",
            {"values": {"registration": registration}, "errors": errors},
            400,
        )
    return RedirectResponse(f"/network/vehicles/{mark}", status_code=303)


@router.get("/children/{child_id}")
def child_network(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Purpose = None,
    purpose_choice: Choice = "",
    purpose_other: Other = "",
) -> Response:
    def load(stated: str | None) -> tuple[Any, list[network.EntityView], str | None]:
        with app_context(request).transaction() as session:
            summary = child_record.child_summary(session, principal, child_id, audit_context(request))
            views = network.child_network(
                session, principal, child_id, purpose=stated, context=audit_context(request)
            )
            return summary, views, stated

    found = opened_or_asked(
        request, f"/network/children/{child_id}", [], purpose, purpose_choice, purpose_other, load
    )
    if isinstance(found, Response):
        return found
    summary, views, stated = found
    shared = [v for v in views if len(v.children) > 1]
    context = {
        "c": summary,
        "shared": shared,
        "alone": [v for v in views if len(v.children) <= 1],
        "purpose": stated,
        "link": lambda path: with_purpose(path, stated),
        "vehicle_kind": str(Kind.VEHICLE),
        "column": "full",
        **_labels(),
    }
    return render(request, "hub/network_child.html", context)


@router.get("/vehicles/{registration}")
def vehicle_network(
    request: Request,
    principal: Reader,
    registration: str,
    purpose: Purpose = None,
    purpose_choice: Choice = "",
    purpose_other: Other = "",
) -> Response:
    try:
        entity = network.parse_entity(f"vehicle:{registration[:40]}")
    except ValidationFailed as exc:
        values = {"registration": registration[:40]}
        return render(request, "hub/network_start.html", {"values": values, "errors": exc.fields}, 400)

    def load(stated: str | None) -> tuple[network.EntityView, list[network.DriverView], str | None]:
        with app_context(request).transaction() as session:
            view = network.children_linked_to(
                session, principal, entity, purpose=stated, context=audit_context(request)
            )
            drivers = network.drivers_behind(
                session, principal, entity.key, purpose=stated, context=audit_context(request)
            )
            return view, drivers, stated

    action = f"/network/vehicles/{entity.key}"
    found = opened_or_asked(request, action, [], purpose, purpose_choice, purpose_other, load)
    if isinstance(found, Response):
        return found
    view, drivers, stated = found
    context = {
        "v": view,
        "drivers": drivers,
        "purpose": stated,
        "link": lambda path: with_purpose(path, stated),
        "column": "full",
        **_labels(),
    }
    return render(request, "hub/network_vehicle.html", context)
