"""The hub's records other than concerns, as entries of a child's chronology: each missing episode (reported,
then found or returned), each return home interview, each request for help.

The chronology (``chronology.chronology``) opens the child, which applies the purpose rule and audits the
view, then merges these with the concerns in the order they happened. Which of them the viewer sees is the
agency rule for concerns (``visibility.may_see_record``): whole-record viewers all, police their own and
those shared with police, other agencies their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.identity.models import Agency
from openmash.identity.principal import Principal
from openmash.safeguarding.models_care import HelpRequest, MissingEpisode, MissingReturn, ReturnInterview
from openmash.safeguarding.visibility import Scope, may_see_record

KIND_LABELS = {
    "missing_report": "Reported missing",
    "missing_return": "Found or returned after going missing",
    "return_interview": "Return home interview",
    "help_request": "Asked for help",
}


@dataclass(frozen=True)
class Item:
    id: uuid.UUID
    kind: str  # a key of KIND_LABELS
    occurred_at: datetime
    recorded_at: datetime
    agency_id: uuid.UUID
    agency_name: str
    agency_type: str
    recorded_by: str
    summary: str
    shared_with_police: bool
    childs_words: str | None = None
    vehicle_registration: str | None = None
    vehicle_description: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _report(e: MissingEpisode) -> str:
    parts = [f"Last seen at {e.last_seen_where}.", e.circumstances]
    if e.clothing:
        parts.append(f"Wearing: {e.clothing}")
    return " ".join(parts)


def _return(r: MissingReturn) -> str:
    parts = [f"{'Found' if r.how == 'found' else 'Came back'} at {r.found_where}."]
    if r.found_with:
        parts.append(f"With: {r.found_with}.")
    if r.transport:
        parts.append(f"Transport: {r.transport}.")
    return " ".join(parts)


def _records(session: Session, child_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every such record of the child, as the fields of an ``Item`` less the agency's name and type."""
    found: list[dict[str, Any]] = []
    for e in session.scalars(select(MissingEpisode).where(MissingEpisode.child_id == child_id)):
        found.append(
            {
                "id": e.id,
                "kind": "missing_report",
                "occurred_at": e.missing_since,
                "recorded_at": e.reported_at,
                "agency_id": e.agency_id,
                "recorded_by": e.reported_by,
                "summary": _report(e),
                "shared_with_police": e.shared_with_police,
            }
        )
    for r in session.scalars(select(MissingReturn).where(MissingReturn.child_id == child_id)):
        found.append(
            {
                "id": r.id,
                "kind": "missing_return",
                "occurred_at": r.returned_at,
                "recorded_at": r.recorded_at,
                "agency_id": r.agency_id,
                "recorded_by": r.recorded_by,
                "summary": _return(r),
                "shared_with_police": r.shared_with_police,
                "vehicle_registration": r.vehicle_registration,
                "vehicle_description": r.vehicle_description,
            }
        )
    for i in session.scalars(select(ReturnInterview).where(ReturnInterview.child_id == child_id)):
        found.append(
            {
                "id": i.id,
                "kind": "return_interview",
                "occurred_at": i.held_at,
                "recorded_at": i.recorded_at,
                "agency_id": i.agency_id,
                "recorded_by": i.recorded_by,
                "summary": f"Interview {i.outcome} ({i.interviewer})."
                + (f" {i.summary}" if i.summary else ""),
                "shared_with_police": i.shared_with_police,
                "childs_words": i.childs_account,
            }
        )
    for h in session.scalars(select(HelpRequest).where(HelpRequest.child_id == child_id)):
        found.append(
            {
                "id": h.id,
                "kind": "help_request",
                "occurred_at": h.asked_at,
                "recorded_at": h.recorded_at,
                "agency_id": h.agency_id,
                "recorded_by": h.recorded_by,
                "summary": f"Asked {h.told_to} for help." + (f" {h.summary}" if h.summary else ""),
                "shared_with_police": h.shared_with_police,
                "childs_words": h.childs_words,
            }
        )
    return found


def items(session: Session, principal: Principal, scope: Scope, child_id: uuid.UUID) -> list[Item]:
    """The child's episodes, interviews and requests for help the viewer may see (unordered)."""
    shown = [
        r
        for r in _records(session, child_id)
        if may_see_record(principal, scope, r["agency_id"], r["shared_with_police"])
    ]
    agencies = {
        a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_({r["agency_id"] for r in shown})))
    }
    return [
        Item(**r, agency_name=agencies[r["agency_id"]].name, agency_type=agencies[r["agency_id"]].type)
        for r in shown
    ]
