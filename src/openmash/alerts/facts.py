"""What each rule kind looks for, as candidates: the subject (what the alert is about), the children, and the
exact records that make it fire. Deciding whether a candidate is a new alert, new facts for an open one, or
facts already alerted is ``alerts.engine``'s work; this module only reads.

How each kind reads the hub (docs/decisions/0007-gate-check-network-and-alerts.md):
- flagged_child_touched: a child with a flag named by the rule, and records about them made within the window
  by an agency other than the lead professional's (with no lead professional, other than a MASH).
- risk_threshold: ``safeguarding.risk.assess`` of the child's current concerns, band at or above the rule's;
  the records are the concerns behind the indicators.
- repeat_low_level: at least ``count`` current concerns that are vulnerability or moderate indicators (not
  significant ones, not "other"), occurring in the last ``window_days``, from at least ``min_agencies``
  agencies.
- shared_entity: an entity of the rule's kinds that ``min_children`` or more children are linked to
  (``network.links``); a driver only when the children reach them through more than one vehicle (otherwise
  the vehicle's alert already says it, naming the driver).
- gate_unlicensed_repeat: ``min_sightings`` or more checks of one unlicensed mark within the window.
- gate_driver_flagged: a checked mark tied in the register to a driver with a safeguarding record.

Candidates hold every record (the MASH sees them all); what each recipient is shown, and whether a lead
professional is told at all, is ``alerts.access``'s work at read and at delivery.
- return_interview_overdue / help_request_overdue: the due times the hub fixed on the records.
- support_gap: a verdict in the last ``window_weeks`` weeks and no support item open (none at all, or every
  one paused or closed: ``safeguarding.support.support_gap``); the records are the verdict and the child's
  items that are not open, so an item closed or paused later joins the alert, and the same facts never
  raise it twice. Evaluated on each write about the child and on the schedule (a verdict's window opens
  and closes with the calendar, not with a write).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.alerts.models import AlertRule
from openmash.alerts.rules import parameter
from openmash.identity.models import Agency, User
from openmash.identity.permissions import AgencyType
from openmash.network import links as network
from openmash.network.links import EntityRef, Kind, Link
from openmash.register import vehicle_drivers
from openmash.register.workdays import UK
from openmash.safeguarding import court_dates, help_requests, return_interviews, support
from openmash.safeguarding.categories import IndicatorKind
from openmash.safeguarding.concerns import current_concerns
from openmash.safeguarding.help_requests import Step
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import HelpRequest, MissingEpisode, MissingReturn
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.risk import DEFAULT_CONFIG, assess, rank


@dataclass(frozen=True, order=True)
class Fired:
    """One record behind an alert."""

    record_kind: str
    record_id: uuid.UUID
    child_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Candidate:
    rule: AlertRule
    subject_key: str
    children: frozenset[uuid.UUID]
    records: tuple[Fired, ...]
    details: dict[str, Any] = field(default_factory=dict)
    # MASHes named by the records themselves (a sighting's, an episode's, a request's).
    mash_agency_ids: frozenset[uuid.UUID] = frozenset()


# "Low-level": a vulnerability or a moderate indicator. Not a significant one (the risk rule's), and not
# "other" (a welfare note, police intelligence: not a sign of exploitation, and often restricted).
LOW_LEVEL_KINDS = frozenset({str(IndicatorKind.VULNERABILITY), str(IndicatorKind.MODERATE)})


def _child_subject(child: Child) -> str:
    return f"child:{child.id}"


def flagged_child_touched(session: Session, rule: AlertRule, child: Child, now: datetime) -> list[Candidate]:
    flags = [f for f in parameter(rule, "flags") if getattr(child, f, False)]
    if not flags:
        return []
    since = now - timedelta(days=int(parameter(rule, "window_days")))
    lead_agency = None
    if child.lead_professional_user_id is not None:
        lead = session.get(User, child.lead_professional_user_id)
        lead_agency = lead.agency_id if lead else None
    mash_agencies = set(
        session.scalars(select(Agency.id).where(Agency.type == AgencyType.CHILDRENS_SOCIAL_CARE.value))
    )

    def outsider(agency_id: uuid.UUID) -> bool:
        return agency_id != lead_agency if lead_agency is not None else agency_id not in mash_agencies

    found: list[Fired] = []
    sources: list[tuple[str, Any, Any, Any]] = [
        ("concern", Concern, Concern.recorded_at, Concern.agency_id),
        ("missing_episode", MissingEpisode, MissingEpisode.reported_at, MissingEpisode.agency_id),
        ("missing_return", MissingReturn, MissingReturn.recorded_at, MissingReturn.agency_id),
        ("help_request", HelpRequest, HelpRequest.recorded_at, HelpRequest.agency_id),
        ("gate_sighting", GateSighting, GateSighting.checked_at, GateSighting.agency_id),
    ]
    for kind, model, when, agency in sources:
        for record_id, agency_id in session.execute(
            select(model.id, agency).where(model.child_id == child.id, when >= since, when <= now)
        ):
            if outsider(agency_id):
                found.append(Fired(kind, record_id, child.id))
    if not found:
        return []
    return [
        Candidate(rule, _child_subject(child), frozenset({child.id}), tuple(sorted(found)), {"flags": flags})
    ]


def risk_threshold(session: Session, rule: AlertRule, child: Child, now: datetime) -> list[Candidate]:
    threshold = str(parameter(rule, "band"))
    assessed = assess(child, current_concerns(session, child.id), now, DEFAULT_CONFIG)
    if not assessed.indicators or rank(assessed.computed_band) < rank(threshold):
        return []
    records = sorted(
        {Fired("concern", uuid.UUID(cid), child.id) for i in assessed.indicators for cid in i.concern_ids}
    )
    details = {"band": assessed.computed_band, "score": assessed.score, "threshold": threshold}
    return [Candidate(rule, _child_subject(child), frozenset({child.id}), tuple(records), details)]


def repeat_low_level(session: Session, rule: AlertRule, child: Child, now: datetime) -> list[Candidate]:
    since = now - timedelta(days=int(parameter(rule, "window_days")))
    low = [
        c
        for c in current_concerns(session, child.id)
        if c.category.indicator_kind in LOW_LEVEL_KINDS and since <= c.occurred_at <= now
    ]
    agencies = {c.agency_id for c in low}
    if len(low) < int(parameter(rule, "count")) or len(agencies) < int(parameter(rule, "min_agencies")):
        return []
    records = tuple(sorted(Fired("concern", c.id, child.id) for c in low))
    details = {"concerns": len(low), "agencies": len(agencies)}
    return [Candidate(rule, _child_subject(child), frozenset({child.id}), records, details)]


def _fired(found: Iterable[Link]) -> tuple[Fired, ...]:
    return tuple(sorted({Fired(link.source_kind, link.source_id, link.child_id) for link in found}))


def shared_entity(session: Session, rule: AlertRule, child: Child, now: datetime) -> list[Candidate]:
    kinds = set(parameter(rule, "kinds"))
    least = int(parameter(rule, "min_children"))
    entities = sorted({link.entity for link in network.links_of_child(session, child.id)})
    candidates: list[Candidate] = []
    vehicle_records: set[tuple[Fired, ...]] = set()
    wanted = [e for e in entities if e.kind in kinds or (e.kind == Kind.DRIVER and Kind.DRIVER in kinds)]
    # Vehicles first, so a driver reached through one vehicle only is recognised as the vehicle's facts.
    for entity in sorted(wanted, key=lambda e: e.kind != Kind.VEHICLE):
        found = [link for link in network.links_to(session, entity) if link.occurred_at <= now]
        children = network.children_of(found)
        if len(children) < least:
            continue
        records = _fired(found)
        details: dict[str, Any] = {"entity": entity.ref, "entity_kind": entity.kind}
        if entity.kind == Kind.VEHICLE:
            vehicle_records.add(records)
            behind = network.drivers_on(session, found)
            details["drivers"] = sorted({str(p) for people in behind.values() for p in people})
        elif entity.kind == Kind.DRIVER:
            if records in vehicle_records:
                continue
            details["drivers"] = [entity.key]
        candidates.append(Candidate(rule, f"entity:{entity.ref}", frozenset(children), records, details))
    return candidates


def _sighting_candidate(
    rule: AlertRule, mark: str, sightings: list[GateSighting], extra: Iterable[Fired], details: dict[str, Any]
) -> Candidate:
    records = [Fired("gate_sighting", s.id, s.child_id) for s in sightings]
    return Candidate(
        rule,
        f"vehicle:{mark}",
        frozenset(s.child_id for s in sightings if s.child_id is not None),
        tuple(sorted({*records, *extra})),
        {"registration": mark, **details},
        frozenset(s.mash_agency_id for s in sightings),
    )


def gate_unlicensed_repeat(session: Session, rule: AlertRule, mark: str, now: datetime) -> list[Candidate]:
    since = now - timedelta(days=int(parameter(rule, "window_days")))
    unlicensed = list(
        session.scalars(
            select(GateSighting)
            .where(
                GateSighting.vehicle_registration == mark,
                GateSighting.licensed.is_(False),
                GateSighting.checked_at >= since,
                GateSighting.checked_at <= now,
            )
            .order_by(GateSighting.checked_at, GateSighting.id)
        )
    )
    if len(unlicensed) < int(parameter(rule, "min_sightings")):
        return []
    return [_sighting_candidate(rule, mark, unlicensed, (), {"sightings": len(unlicensed)})]


def gate_driver_flagged(session: Session, rule: AlertRule, mark: str, now: datetime) -> list[Candidate]:
    sightings = list(
        session.scalars(
            select(GateSighting)
            .where(GateSighting.vehicle_registration == mark, GateSighting.checked_at <= now)
            .order_by(GateSighting.checked_at, GateSighting.id)
        )
    )
    if not sightings:
        return []
    licensing = vehicle_drivers.licensing_of(session, mark, now.astimezone(UK).date())
    flags = vehicle_drivers.safeguarding_flags(session, licensing.person_ids)
    if not flags:
        return []
    register = [Fired(f.record_kind, f.record_id) for f in flags]
    details = {"drivers": sorted({str(f.person_id) for f in flags})}
    return [_sighting_candidate(rule, mark, sightings, register, details)]


def return_interviews_overdue(session: Session, rule: AlertRule, now: datetime) -> list[Candidate]:
    found = []
    for episode, back in session.execute(
        select(MissingEpisode, MissingReturn)
        .join(MissingReturn, MissingReturn.episode_id == MissingEpisode.id)
        .where(MissingReturn.interview_due_at < now)
        .order_by(MissingReturn.interview_due_at, MissingEpisode.id)
    ):
        interviews = return_interviews.interviews_of(session, episode.id)
        if return_interviews.status(back, interviews, now) != "overdue":
            continue
        found.append(
            Candidate(
                rule,
                f"missing_episode:{episode.id}:interview",
                frozenset({episode.child_id}),
                (Fired("missing_return", back.id, episode.child_id),),
                {"due_at": back.interview_due_at.isoformat()},
                frozenset({episode.mash_agency_id}),
            )
        )
    return found


def help_requests_overdue(session: Session, rule: AlertRule, now: datetime) -> list[Candidate]:
    found = []
    for request in session.scalars(
        select(HelpRequest).where(HelpRequest.acknowledge_due_at < now).order_by(HelpRequest.asked_at)
    ):
        steps = help_requests.steps_of(session, request.id)
        if Step.CLOSED in steps:
            continue
        for awaited, due_at, what in (
            (Step.ACKNOWLEDGED, request.acknowledge_due_at, "acknowledgement"),
            (Step.ANSWERED, request.answer_due_at, "answer"),
        ):
            if awaited in steps or now <= due_at:
                continue
            found.append(
                Candidate(
                    rule,
                    f"help_request:{request.id}:{what}",
                    frozenset({request.child_id}),
                    (Fired("help_request", request.id, request.child_id),),
                    {"awaiting": what, "due_at": due_at.isoformat()},
                    frozenset({request.mash_agency_id}),
                )
            )
    return found


def support_gap(session: Session, rule: AlertRule, child: Child, now: datetime) -> list[Candidate]:
    weeks = int(parameter(rule, "window_weeks"))
    gap = support.support_gap(session, child.id, now, weeks)
    if gap is None:
        return []
    verdict, items = gap
    records = [Fired("court_date", verdict.id, child.id)]
    records += [Fired("support_item", item.id, child.id) for item in items]
    return [
        Candidate(
            rule,
            f"{_child_subject(child)}:support",
            frozenset({child.id}),
            tuple(sorted(records)),
            {"verdict_on": verdict.held_on.isoformat(), "window_weeks": weeks},
        )
    ]


def support_gaps(session: Session, rule: AlertRule, now: datetime) -> list[Candidate]:
    weeks = int(parameter(rule, "window_weeks"))
    found = []
    for child_id in sorted(court_dates.children_with_recent_verdicts(session, now, weeks), key=str):
        child = session.get(Child, child_id)
        if child is not None:
            found += support_gap(session, rule, child, now)
    return found


def entity_of(candidate: Candidate) -> EntityRef | None:
    ref = candidate.details.get("entity")
    return EntityRef.parse(ref) if isinstance(ref, str) else None
