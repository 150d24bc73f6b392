"""API v1 for agencies' case systems: find or create a child, their record, concerns and corrections, the
chronology and risk screening. Thin over the safeguarding services, which apply need-to-know and audit.

The purpose of access is the ``purpose`` query parameter, as elsewhere in this API (audit, vehicle lookup):
a read outside the token's own agency without one is refused with 422 ``purpose_required``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse, Response

from openmash.api.children_schemas import (
    BadgeOut,
    CandidateOut,
    ChildIn,
    ChildOut,
    ChildSearchIn,
    ChildSummaryOut,
    ChronologyOut,
    ComparisonOut,
    ConcernIn,
    ConcernOut,
    CorrectionIn,
    EntryOut,
    IdentifierOut,
    IndicatorOut,
    LeadProfessionalOut,
    MentionsIn,
    ScreeningIn,
    ScreeningOut,
    SearchOut,
)
from openmash.api.schemas import ErrorBody
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.network import mentions
from openmash.network.mentions import MentionsInput
from openmash.register.workdays import uk_today
from openmash.safeguarding import child_record, children, chronology, concerns, risk
from openmash.safeguarding.children import LikelyMatches
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern, RiskScreening
from openmash.safeguarding.status import Badge

router = APIRouter(prefix="/children", tags=["safeguarding"])
corrections = APIRouter(prefix="/concerns", tags=["safeguarding"])
Purpose = Annotated[
    str, Query(max_length=300, description="Why you need this record; recorded with the view in the audit")
]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The request clashes with what is recorded"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such child or concern"}
}


def _badges(found: list[Badge]) -> list[BadgeOut]:
    return [BadgeOut(code=b.code, label=b.label) for b in found]


def _details(body: ChildSearchIn, **extra: object) -> children.ChildDetails:
    return children.read_child_details(
        surname=body.surname,
        forenames=body.forenames,
        date_of_birth=body.date_of_birth,
        today=uk_today(),
        identifiers=body.identifiers.as_dict(),
        **extra,  # type: ignore[arg-type]
    )


def _candidate(c: children.Candidate) -> CandidateOut:
    return CandidateOut(
        child_id=c.child_id,
        surname=c.surname,
        forenames=c.forenames,
        date_of_birth=c.date_of_birth,
        badges=_badges(c.badges),
        band=c.band,
        score=c.score,
        explanation=[
            ComparisonOut(field=e.field, level=e.level, weight=round(e.weight, 2), detail=e.detail)
            for e in c.explanation
        ],
    )


@router.post(
    "/searches", response_model=SearchOut, summary="Find the children already known who may be this one"
)
def search_children(
    request: Request,
    body: ChildSearchIn,
    principal: Annotated[Principal, Depends(require(Permission.CHILDREN_SEARCH))],
) -> SearchOut:
    details = _details(body)
    with app_context(request).transaction() as session:
        found = children.find_children(session, principal, details, audit_context(request))
    return SearchOut(engine=children.engine_name(), candidates=[_candidate(c) for c in found])


@router.post(
    "",
    response_model=ChildSummaryOut,
    status_code=201,
    responses=CONFLICT,
    summary="Add a child after searching (none_of_these when any child was proposed)",
)
def create_child(
    request: Request,
    body: ChildIn,
    principal: Annotated[Principal, Depends(require(Permission.CHILDREN_RECORD))],
) -> ChildSummaryOut | Response:
    details = _details(
        body,
        sex=body.sex,
        ethnicity=body.ethnicity,
        religion=body.religion,
        first_language=body.first_language,
        disability=body.disability,
        learning_disability=body.learning_disability,
    )
    try:
        with app_context(request).transaction() as session:
            child = children.create_child(
                session, principal, details, none_of_these=body.none_of_these, context=audit_context(request)
            )
            child_recorded(session, child.id)
            summary = child_record.summary_of(child)
    except LikelyMatches as exc:
        fields = {
            "none_of_these": "Children already known may be this child: search to see them, then record "
            "about the one it is, or send none_of_these: true",
            "candidates": " ".join(str(c.child_id) for c in exc.candidates),
        }
        body_out = {"error": {"code": "likely_matches", "message": str(exc), "fields": fields}}
        return JSONResponse(body_out, status_code=409)
    return ChildSummaryOut(
        id=summary.id,
        surname=summary.surname,
        forenames=summary.forenames,
        date_of_birth=summary.date_of_birth,
        badges=_badges(summary.badges),
    )


@router.get("/{child_id}", response_model=ChildOut, responses=NOT_FOUND, summary="A child's record")
def get_child(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))],
    purpose: Purpose = "",
) -> ChildOut:
    with app_context(request).transaction() as session:
        view = child_record.view_child(session, principal, child_id, purpose, audit_context(request))
    s = view.summary
    lead = view.lead_professional
    return ChildOut(
        id=s.id,
        surname=s.surname,
        forenames=s.forenames,
        date_of_birth=s.date_of_birth,
        badges=_badges(s.badges),
        sex=view.sex,
        ethnicity=view.ethnicity,
        religion=view.religion,
        first_language=view.first_language,
        disability=view.disability,
        learning_disability=view.learning_disability,
        looked_after=view.looked_after,
        placement=view.placement,
        lead_professional=LeadProfessionalOut(name=lead.name, agency=lead.agency_name, email=lead.email)
        if lead
        else None,
        identifiers=[
            IdentifierOut(kind=i.kind, value=i.value, agency=i.agency_name, own=i.own)
            for i in view.identifiers
        ],
        scope=str(view.scope),
    )


def _input(body: ConcernIn) -> ConcernInput:
    return ConcernInput(
        category_code=body.category,
        occurred_at=body.occurred_at,
        summary=body.summary,
        childs_words=body.childs_words,
        vehicle_registration=body.vehicle_registration,
        vehicle_description=body.vehicle_description,
        shared_with_police=body.shared_with_police,
    )


def _concern(c: Concern) -> ConcernOut:
    return ConcernOut(
        id=c.id,
        child_id=c.child_id,
        category=c.category.code,
        occurred_at=c.occurred_at,
        recorded_at=c.recorded_at,
        corrects_id=c.corrects_id,
    )


@router.post(
    "/{child_id}/concerns",
    response_model=ConcernOut,
    status_code=201,
    responses=NOT_FOUND,
    summary="Record a concern about a child",
)
def record_concern(
    request: Request,
    child_id: uuid.UUID,
    body: ConcernIn,
    principal: Annotated[Principal, Depends(require(Permission.CONCERNS_RECORD))],
) -> ConcernOut:
    with app_context(request).transaction() as session:
        concern = concerns.record_concern(session, principal, child_id, _input(body), audit_context(request))
        child_recorded(session, child_id, concern.recorded_at)
        return _concern(concern)


def mentions_input(body: MentionsIn) -> MentionsInput:
    return MentionsInput(adults=body.adults, phones=body.phones, addresses=body.addresses)


@corrections.post(
    "/{concern_id}/corrections",
    response_model=ConcernOut,
    status_code=201,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Correct a concern your agency recorded: a new entry with the reason (never an edit); what the "
    "concern mentions is carried over unless the correction gives its own, which it must when it widens who "
    "may see the concern",
)
def correct_concern(
    request: Request,
    concern_id: uuid.UUID,
    body: CorrectionIn,
    principal: Annotated[Principal, Depends(require(Permission.CONCERNS_RECORD))],
) -> ConcernOut:
    with app_context(request).transaction() as session:
        correction = mentions.correct_with_mentions(
            session,
            principal,
            concern_id,
            _input(body),
            body.reason,
            audit_context(request),
            mentions=mentions_input(body.mentions) if body.mentions is not None else None,
        )
        child_recorded(session, correction.child_id, correction.recorded_at)
        return _concern(correction)


@router.get(
    "/{child_id}/chronology",
    response_model=ChronologyOut,
    responses=NOT_FOUND,
    summary="A child's chronology: the entries your agency may see, in the order they happened",
)
def get_chronology(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))],
    purpose: Purpose = "",
    agency_type: Annotated[list[AgencyType] | None, Query(max_length=10)] = None,
    category: Annotated[list[str] | None, Query(max_length=100)] = None,
    occurred_from: Annotated[date | None, Query(alias="from")] = None,
    occurred_to: Annotated[date | None, Query(alias="to")] = None,
) -> ChronologyOut:
    filters = chronology.ChronologyFilter(
        agency_types=[str(t) for t in agency_type or []],
        categories=[c[:60] for c in category or []],
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    with app_context(request).transaction() as session:
        found = chronology.chronology(
            session, principal, child_id, purpose=purpose, context=audit_context(request), filters=filters
        )
    return ChronologyOut(
        child_id=found.child_id,
        surname=found.surname,
        forenames=found.forenames,
        date_of_birth=found.date_of_birth,
        badges=_badges(found.badges),
        scope=str(found.scope),
        entries=[
            EntryOut(
                id=e.id,
                kind=e.kind,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
                backdated=e.backdated,
                agency_name=e.agency_name,
                agency_type=e.agency_type,
                own_agency=e.own_agency,
                recorded_by=e.recorded_by,
                category=e.category_code,
                category_label=e.category_label,
                indicator_kind=e.indicator_kind,
                summary=e.summary,
                childs_words=e.childs_words,
                vehicle_registration=e.vehicle_registration,
                vehicle_description=e.vehicle_description,
                shared_with_police=e.shared_with_police,
                corrects_id=e.corrects_id,
                correction_reason=e.correction_reason,
                corrected_by_id=e.corrected_by_id,
            )
            for e in found.entries
        ],
    )


def _screening(s: RiskScreening) -> ScreeningOut:
    return ScreeningOut(
        id=s.id,
        screened_at=s.screened_at,
        screened_by=s.screened_by,
        score=s.score,
        scored_band=s.scored_band,
        computed_band=s.computed_band,
        judgement_band=s.judgement_band,
        judgement_reasons=s.judgement_reasons,
        final_band=s.final_band,
        indicators=[IndicatorOut.model_validate(i) for i in s.indicators],
        overrides=list(s.overrides),
    )


@router.get(
    "/{child_id}/risk-screenings",
    response_model=list[ScreeningOut],
    responses=NOT_FOUND,
    summary="A child's risk screenings, newest first (the MASH and the lead professional)",
)
def risk_history(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))],
    purpose: Purpose = "",
) -> list[ScreeningOut]:
    with app_context(request).transaction() as session:
        found = risk.screening_history(
            session, principal, child_id, purpose=purpose, context=audit_context(request)
        )
        return [_screening(s) for s in found]


@router.post(
    "/{child_id}/risk-screenings",
    response_model=ScreeningOut,
    status_code=201,
    responses=NOT_FOUND,
    summary="Screen a child for risk now (the MASH), optionally raising the grade with reasons",
)
def screen_child(
    request: Request,
    child_id: uuid.UUID,
    body: ScreeningIn,
    principal: Annotated[Principal, Depends(require(Permission.RISK_SCREEN))],
    purpose: Purpose = "",
) -> ScreeningOut:
    with app_context(request).transaction() as session:
        screening = risk.screen_child(
            session,
            principal,
            child_id,
            purpose=purpose,
            context=audit_context(request),
            judgement_band=body.judgement_band,
            judgement_reasons=body.judgement_reasons,
        )
        child_recorded(session, child_id)
        return _screening(screening)
