"""Finding a child, adding one only after the search, the child's page, identifiers and the MASH's status form
(the rules live in safeguarding.children, .status, .visibility and .child_record)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import Conflict, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register.workdays import uk_today
from openmash.safeguarding import child_record, children, status
from openmash.safeguarding.children import ChildDetails, LikelyMatches
from openmash.safeguarding.identifiers import IdentifierKind, identifier_label
from openmash.web.child_forms import SHORT, opened_or_asked, read_date, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/children")
Searcher = Annotated[Principal, Depends(require(Permission.CHILDREN_SEARCH))]
Recorder = Annotated[Principal, Depends(require(Permission.CHILDREN_RECORD))]
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]
Manager = Annotated[Principal, Depends(require(Permission.CHILDREN_MANAGE))]

IDENTIFIER_FIELDS = tuple(str(kind) for kind in IdentifierKind)
SEARCH_FIELDS = ("surname", "forenames", "dob-day", "dob-month", "dob-year", *IDENTIFIER_FIELDS)
EQUALITY_FIELDS = ("sex", "ethnicity", "religion", "first_language", "disability")


def identifier_items(values: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": str(kind), "label": identifier_label(kind), "value": values.get(str(kind), "")}
        for kind in IdentifierKind
    ]


def _details(values: dict[str, str], learning_disability: bool = False) -> ChildDetails:
    born, date_error = read_date(values["dob-day"], values["dob-month"], values["dob-year"], "Date of birth")
    try:
        details = children.read_child_details(
            surname=values["surname"],
            forenames=values["forenames"],
            date_of_birth=born,
            today=uk_today(),
            sex=values.get("sex", ""),
            ethnicity=values.get("ethnicity", ""),
            religion=values.get("religion", ""),
            first_language=values.get("first_language", ""),
            disability=values.get("disability", ""),
            learning_disability=learning_disability,
            identifiers={k: values[k] for k in IDENTIFIER_FIELDS},
        )
    except ValidationFailed as exc:
        errors = {("dob-day" if k == "date_of_birth" else k): v for k, v in exc.fields.items()}
        raise ValidationFailed(errors | ({"dob-day": date_error} if date_error else {})) from None
    if date_error:
        raise ValidationFailed({"dob-day": date_error})
    return details


@router.get("")
def search(request: Request, principal: Searcher) -> Response:
    values = {k: request.query_params.get(k, "")[:100] for k in SEARCH_FIELDS}
    context: dict[str, Any] = {
        "values": values,
        "identifiers": identifier_items(values),
        "candidates": None,
        "column": "full",
        "may_add": principal.can(Permission.CHILDREN_RECORD),
    }
    if not any(values.values()):
        return render(request, "children/search.html", context)
    try:
        details = _details(values)
        with app_context(request).transaction() as session:
            context["candidates"] = children.find_children(
                session, principal, details, audit_context(request)
            )
    except ValidationFailed as exc:
        context["errors"] = exc.fields
        return render(request, "children/search.html", context, 400)
    shown = len(context["candidates"])
    context["add_link"] = "/children/new?" + urlencode({**values, "shown": str(shown)})
    return render(request, "children/search.html", context)


def _new_context(values: dict[str, str], shown: int, candidates: list[Any] | None = None) -> dict[str, Any]:
    return {
        "values": values,
        "identifiers": identifier_items(values),
        "shown": shown,
        "candidates": candidates,
        "search_link": "/children?" + urlencode({k: values.get(k, "") for k in SEARCH_FIELDS}),
        "column": "full" if candidates else "two-thirds",
    }


@router.get("/new")
def new_child_form(request: Request, principal: Recorder) -> Response:
    values = {k: request.query_params.get(k, "")[:100] for k in (*SEARCH_FIELDS, *EQUALITY_FIELDS)}
    if not values["surname"].strip() and not values["forenames"].strip():
        # Search first: a child is added only after the search has shown who is already known.
        return RedirectResponse("/children", status_code=303)
    shown = request.query_params.get("shown", "")
    return render(request, "children/new.html", _new_context(values, int(shown) if shown.isdigit() else 0))


@router.post("/new")
async def new_child(request: Request, principal: Recorder) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, ""))[:SHORT] for k in (*SEARCH_FIELDS, *EQUALITY_FIELDS)}
    learning_disability = form.get("learning_disability") == "yes"
    none_of_these = form.get("none_of_these") == "yes"
    values["learning_disability"] = "yes" if learning_disability else ""
    shown_text = str(form.get("shown", ""))
    shown = int(shown_text) if shown_text.isdigit() else 0
    try:
        details = _details(values, learning_disability)
        with app_context(request).transaction() as session:
            child = children.create_child(
                session, principal, details, none_of_these=none_of_these, context=audit_context(request)
            )
            child_id = child.id
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _new_context(values, shown)
        context["errors"] = exc.fields
        return render(request, "children/new.html", context, 400)
    except LikelyMatches as exc:
        context = _new_context(values, len(exc.candidates), exc.candidates)
        context["errors"] = {
            "none_of_these": "Children already known may be this child: open the one it is, or confirm "
            "that none of them is"
        }
        return render(request, "children/new.html", context, 409)
    except Conflict as exc:
        context = _new_context(values, shown)
        context["errors"] = {"identifiers": str(exc)}
        return render(request, "children/new.html", context, 409)
    return RedirectResponse(f"/children/{child_id}?done=created", status_code=303)


@router.get("/{child_id}")
def child_page(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    def load(stated: str | None) -> child_record.ChildView:
        with app_context(request).transaction() as session:
            return child_record.view_child(session, principal, child_id, stated, audit_context(request))

    found = opened_or_asked(
        request, f"/children/{child_id}", [], purpose, purpose_choice, purpose_other, load
    )
    if isinstance(found, Response):
        return found
    context = {
        "child": found,
        "c": found.summary,
        "purpose": found.purpose,
        "link": lambda path: with_purpose(path, found.purpose),
        "done": request.query_params.get("done"),
        "may_manage": principal.can(Permission.CHILDREN_MANAGE),
        "may_record": principal.can(Permission.CONCERNS_RECORD),
        "may_add_identifier": principal.can(Permission.CHILDREN_RECORD),
        "whole": str(found.scope) == "whole",
        "may_report_missing": principal.can(Permission.MISSING_RECORD),
        "may_keep_profile": principal.can(Permission.PHILOMENA_KEEP) and found.looked_after,
        "may_record_help": principal.can(Permission.HELP_RECORD),
        "may_take_referral": principal.can(Permission.TRIAGE_DECIDE),
        "may_see_network": principal.can(Permission.NETWORK_READ),
        "may_arrange_transport": principal.can(Permission.TRANSPORT_ARRANGE),
        "may_check_gate": principal.can(Permission.GATE_CHECK),
        # Police, whole-record viewers and the child's home (safeguarding.philomena.police_shares decides).
        "may_see_shares": found.looked_after
        and (
            str(found.scope) != "own_agency"
            or principal.can(Permission.PHILOMENA_KEEP)
            or principal.agency_type is AgencyType.POLICE_FORCE
        ),
    }
    return render(request, "children/child.html", context)


# Identifiers an agency holds for the child.


@router.get("/{child_id}/identifiers/new")
def identifier_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(
            session, principal, child_id, audit_context(request), purpose=purpose
        )
    return render(request, "children/identifier.html", _identifier_context(summary, {"purpose": purpose}))


def _identifier_context(summary: child_record.ChildSummary, values: dict[str, str]) -> dict[str, Any]:
    return {
        "c": summary,
        "values": values,
        "kinds": [
            {"value": str(k), "text": identifier_label(k), "checked": values.get("kind") == k}
            for k in IdentifierKind
        ],
        "back": with_purpose(f"/children/{summary.id}", values.get("purpose")),
    }


@router.post("/{child_id}/identifiers/new")
def identifier_add(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    kind: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=SHORT)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    values = {"kind": kind, "value": value, "purpose": purpose}
    errors: dict[str, str] = {}
    if kind not in IDENTIFIER_FIELDS:
        errors = {"kind": "Select the kind of identifier"}
    else:
        try:
            with app_context(request).transaction() as session:
                child_record.child_summary(session, principal, child_id, audit_context(request))
                children.add_identifier(session, principal, child_id, kind, value, audit_context(request))
                child_recorded(session, child_id)
        except ValidationFailed as exc:
            errors = {"value": next(iter(exc.fields.values()), "Enter the identifier")}
        except Conflict as exc:
            errors = {"value": str(exc)}
    if errors:
        with app_context(request).transaction() as session:
            summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        context = _identifier_context(summary, values)
        context["errors"] = errors
        return render(request, "children/identifier.html", context, 400)
    return RedirectResponse(
        with_purpose(f"/children/{child_id}", purpose, done="identifier"), status_code=303
    )


# The MASH's status form: looked after and placement, lead professional, protection plan, CSE risk.


def _status_context(
    choices: child_record.StatusChoices, values: dict[str, str], purpose: str
) -> dict[str, Any]:
    homes = [{"value": "", "text": "No placement recorded"}] + [
        {"value": str(home_id), "text": name, "selected": values.get("placement") == str(home_id)}
        for home_id, name in choices.homes
    ]
    flags = [
        ("looked_after", "Looked after by the local authority"),
        ("child_protection_plan", "On a child protection plan"),
        ("cse_risk", "At risk of child sexual exploitation"),
    ]
    return {
        "c": choices.child,
        "values": values,
        "homes": homes,
        "flags": [{"value": k, "text": t, "checked": values.get(k) == "yes"} for k, t in flags],
        "purpose": purpose,
        "back": with_purpose(f"/children/{choices.child.id}", purpose),
    }


@router.get("/{child_id}/status")
def status_form(
    request: Request,
    principal: Manager,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    with app_context(request).transaction() as session:
        choices = child_record.status_choices(
            session, principal, child_id, audit_context(request), purpose=purpose
        )
    values = {
        "looked_after": "yes" if choices.looked_after else "",
        "child_protection_plan": "yes" if choices.child_protection_plan else "",
        "cse_risk": "yes" if choices.cse_risk else "",
        "placement": str(choices.placement_agency_id or ""),
        "lead_professional": choices.lead_professional_email,
    }
    return render(request, "children/status.html", _status_context(choices, values, purpose))


@router.post("/{child_id}/status")
async def status_save(request: Request, principal: Manager, child_id: uuid.UUID) -> Response:
    form = await request.form()
    flags = {str(v) for v in form.getlist("flags")}
    values = {k: "yes" if k in flags else "" for k in ("looked_after", "child_protection_plan", "cse_risk")}
    values["placement"] = str(form.get("placement", ""))[:40]
    values["lead_professional"] = str(form.get("lead_professional", ""))[:SHORT].strip()
    purpose = str(form.get("purpose", ""))[:SHORT]
    errors: dict[str, str] = {}
    placement: uuid.UUID | None = None
    if values["placement"]:
        try:
            placement = uuid.UUID(values["placement"])
        except ValueError:
            errors["placement"] = "Select a children's home"
    try:
        with app_context(request).transaction() as session:
            lead = None
            if values["lead_professional"]:
                lead = child_record.lead_professional_id(session, principal, values["lead_professional"])
                if lead is None:
                    errors["lead_professional"] = "No active user has this email address"
            if errors:
                raise ValidationFailed(errors)
            status.set_status(
                session,
                principal,
                child_id,
                status.ChildStatus(
                    looked_after=values["looked_after"] == "yes",
                    placement_agency_id=placement,
                    lead_professional_user_id=lead,
                    child_protection_plan=values["child_protection_plan"] == "yes",
                    cse_risk=values["cse_risk"] == "yes",
                ),
                audit_context(request),
            )
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        names = {"placement_agency_id": "placement", "lead_professional_user_id": "lead_professional"}
        with app_context(request).transaction() as session:
            choices = child_record.status_choices(
                session, principal, child_id, audit_context(request), purpose=purpose
            )
        context = _status_context(choices, values, purpose)
        context["errors"] = {names.get(k, k): v for k, v in exc.fields.items()}
        return render(request, "children/status.html", context, 400)
    return RedirectResponse(with_purpose(f"/children/{child_id}", purpose, done="status"), status_code=303)
