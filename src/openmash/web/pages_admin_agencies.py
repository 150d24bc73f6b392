"""National administrators: the list of agencies and adding one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import Conflict, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity import agencies
from openmash.identity.permissions import AGENCY_TYPE_LABELS, Permission
from openmash.identity.principal import Principal
from openmash.web.templating import render

router = APIRouter(prefix="/admin/agencies")
Admin = Annotated[Principal, Depends(require(Permission.AGENCIES_MANAGE))]


def _type_items(selected: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = [{"value": "", "text": "Select a type"}]
    items += [
        {"value": t.value, "text": label, "selected": t.value == selected}
        for t, label in AGENCY_TYPE_LABELS.items()
    ]
    return items


@router.get("")
def list_page(request: Request, principal: Admin) -> Response:
    ctx = app_context(request)
    with ctx.transaction() as session:
        rows = [
            {"id": a.id, "type": a.type, "code": a.code, "name": a.name, "active": a.active}
            for a in agencies.list_agencies(session)
        ]
    return render(
        request,
        "admin/agencies.html",
        {"agencies": rows, "created": request.query_params.get("created"), "column": "full"},
    )


@router.get("/new")
def new_page(request: Request, principal: Admin) -> Response:
    return render(request, "admin/agency_new.html", {"type_items": _type_items("")})


@router.post("/new")
def create(
    request: Request,
    principal: Admin,
    type: Annotated[str, Form(max_length=1000)] = "",
    code: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ctx = app_context(request)
    values = {"type": type, "code": code, "name": name}
    try:
        with ctx.transaction() as session:
            agency = agencies.create_agency(
                session, principal.actor, type, code, name, audit_context(request)
            )
            created = agency.code
    except ValidationFailed as exc:
        return render(
            request,
            "admin/agency_new.html",
            {"errors": exc.fields, "values": values, "type_items": _type_items(type)},
            400,
        )
    except Conflict as exc:
        return render(
            request,
            "admin/agency_new.html",
            {"errors": {"code": str(exc)}, "values": values, "type_items": _type_items(type)},
            409,
        )
    return RedirectResponse(f"/admin/agencies?created={created}", status_code=303)
