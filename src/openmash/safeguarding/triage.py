"""MASH triage: each contact about a child (a concern an agency sends to the MASH, or a referral the MASH
takes) is graded Red, Amber or Green with a response due time, regraded as information arrives, and closed by
one decision with its next step; the MASH works a queue ordered by due time, overdue ones marked.

Why it is built this way (docs/decisions/0005-safeguarding-hub.md):
- What each grade allows in working time, and how an ungraded contact is queued, is ``triage_timescales``.
- The clock starts when the contact was received, for every grade: a regrade changes how long the child may
  wait, it does not restart the wait. A contact regraded Red after its Red time has passed goes to the top of
  the queue as overdue, which is what it is.
- Only the MASH the contact was sent to triages it, and grades and decisions are made by a named user (never
  an API token). Contacts, grades and decisions are evidence, append-only (migration 0007): the grade history
  is the rows, and a contact has one decision.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import MashContact, TriageDecision, TriageGrade
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.triage_timescales import DEFAULT_CONFIG, Grade, TriageConfig
from openmash.safeguarding.visibility import (
    Sight,
    agency_scope,
    concern_sight,
    get_child,
    visible_concern_ids,
)

# The queue is the MASH's own work list: it is read for one purpose.
QUEUE_PURPOSE = "triage contacts received by the MASH"


class NextStep(StrEnum):
    NO_FURTHER_ACTION = "no_further_action"
    EARLY_HELP = "early_help"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"


def _mash_user(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission) or principal.agency_type is not AgencyType.CHILDRENS_SOCIAL_CARE:
        raise PermissionDenied("Only the MASH triages contacts")


def _named(principal: Principal) -> None:
    if principal.kind != "user":
        raise PermissionDenied("A named MASH user grades and decides, not a system")


def _new_contact(principal: Principal, child_id: uuid.UUID, mash_id: uuid.UUID, now: datetime) -> MashContact:
    return MashContact(
        id=uuid.uuid4(),
        child_id=child_id,
        mash_agency_id=mash_id,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        received_at=now,
    )


def _audit_contact(session: Session, principal: Principal, contact: MashContact, context: Context) -> None:
    audit.record(
        session,
        "safeguarding.triage.contact",
        principal.actor,
        object_type="mash_contact",
        object_id=contact.id,
        context=context,
        details={
            "child_id": str(contact.child_id),
            "source": contact.source,
            "mash": str(contact.mash_agency_id),
        },
    )


def refer_concern(
    session: Session,
    principal: Principal,
    concern_id: uuid.UUID,
    mash_agency_id: uuid.UUID,
    context: Context,
    *,
    now: datetime | None = None,
) -> MashContact:
    """Send a concern to a MASH as a contact (the recording agency's own concern, or the MASH's own choice of
    a concern it sees); a concern is sent once. Received now."""
    if not principal.can(Permission.CONTACTS_REFER):
        raise PermissionDenied("You do not have permission to send concerns to the MASH")
    concern = session.get(Concern, concern_id)
    # A concern in a restricted category (now or after a correction) the caller's roles may not see.
    if concern is None or concern_sight(session, principal, agency_scope(principal), concern) is Sight.HIDDEN:
        raise NotFoundError("Concern not found")
    mash_self = (
        principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE and principal.agency_id == mash_agency_id
    )
    if concern.agency_id != principal.agency_id and not mash_self:
        raise PermissionDenied("Only the agency that recorded a concern sends it to the MASH")
    form = Form()
    mash = form.mash(session, "mash_agency_id", mash_agency_id)
    form.check()
    if session.scalar(select(MashContact.id).where(MashContact.concern_id == concern.id)) is not None:
        raise Conflict("This concern has already been sent to the MASH")
    contact = _new_contact(principal, concern.child_id, mash, now or utcnow())
    contact.source, contact.concern_id = "concern", concern.id
    session.add(contact)
    session.flush()
    _audit_contact(session, principal, contact, context)
    return contact


@dataclass(frozen=True)
class Referral:
    referrer: str  # who made contact: "mother, by telephone", "GP surgery by letter"
    summary: str
    received_at: datetime | None = None  # when it came in, if not now (a message left overnight)


def record_referral(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: Referral,
    context: Context,
    *,
    now: datetime | None = None,
) -> MashContact:
    """A contact the MASH took itself (a call, a letter), received by the caller's MASH."""
    _mash_user(principal, Permission.TRIAGE_DECIDE)
    child = get_child(session, child_id)
    now = now or utcnow()
    form = Form()
    referrer = form.text(
        "referrer", data.referrer, required="Say who made contact", max_length=LINE_MAX_LENGTH
    )
    summary = form.text("summary", data.summary, required="Describe what they said")
    received = form.moment("received_at", data.received_at or now, now)
    form.check()
    contact = _new_contact(principal, child.id, principal.agency_id, received)
    contact.source, contact.referrer, contact.summary = "referral", referrer, summary
    session.add(contact)
    session.flush()
    _audit_contact(session, principal, contact, context)
    return contact


def _own_contact(session: Session, principal: Principal, contact_id: uuid.UUID) -> MashContact:
    contact = session.get(MashContact, contact_id)
    if contact is None or contact.mash_agency_id != principal.agency_id:
        raise NotFoundError("Contact not found")
    return contact


def _decided(session: Session, contact_id: uuid.UUID) -> TriageDecision | None:
    return session.scalars(select(TriageDecision).where(TriageDecision.contact_id == contact_id)).first()


def grades_of(session: Session, contact_id: uuid.UUID) -> list[TriageGrade]:
    """The contact's grades, oldest first (the last is the current one)."""
    return list(
        session.scalars(
            select(TriageGrade)
            .where(TriageGrade.contact_id == contact_id)
            .order_by(TriageGrade.graded_at, TriageGrade.created_at)
        )
    )


def grade_contact(
    session: Session,
    principal: Principal,
    contact_id: uuid.UUID,
    grade: str,
    reasons: str,
    context: Context,
    *,
    now: datetime | None = None,
    config: TriageConfig = DEFAULT_CONFIG,
) -> TriageGrade:
    """Grade a contact, or regrade it (a new row; the history is kept). Due from when it was received."""
    _mash_user(principal, Permission.TRIAGE_DECIDE)
    _named(principal)
    contact = _own_contact(session, principal, contact_id)
    if _decided(session, contact.id) is not None:
        raise Conflict("A decision has been made on this contact: it is no longer graded")
    form = Form()
    chosen = form.choice("grade", grade, {str(g) for g in Grade}, "Select Red, Amber or Green")
    why = form.text("reasons", reasons, required="Give the reasons for the grade")
    form.check()
    history = grades_of(session, contact.id)
    if history and history[-1].grade == chosen:
        raise Conflict(f"This contact is already graded {chosen.capitalize()}")
    timescale = config.timescales[Grade(chosen)]
    graded = TriageGrade(
        id=uuid.uuid4(),
        contact_id=contact.id,
        grade=chosen,
        reasons=why or "",
        graded_by_user_id=principal.id,
        graded_by=principal.label,
        graded_at=now or utcnow(),
        due_at=config.due(Grade(chosen), contact.received_at),
        timescale=timescale.label,
    )
    session.add(graded)
    session.flush()
    audit.record(
        session,
        "safeguarding.triage.grade",
        principal.actor,
        object_type="mash_contact",
        object_id=contact.id,
        context=context,
        details={
            "grade": chosen,
            "previous": history[-1].grade if history else None,
            "due_at": graded.due_at.isoformat(),
            "timescale": timescale.label,
        },
    )
    return graded


def decide(
    session: Session,
    principal: Principal,
    contact_id: uuid.UUID,
    next_step: str,
    reasons: str,
    context: Context,
    *,
    now: datetime | None = None,
) -> TriageDecision:
    """The MASH's decision on a graded contact and its next step, by a named user; one per contact."""
    _mash_user(principal, Permission.TRIAGE_DECIDE)
    _named(principal)
    contact = _own_contact(session, principal, contact_id)
    if _decided(session, contact.id) is not None:
        raise Conflict("A decision has already been made on this contact")
    history = grades_of(session, contact.id)
    if not history:
        raise Conflict("Grade the contact before deciding on it")
    now = now or utcnow()
    form = Form()
    step = form.choice("next_step", next_step, {str(s) for s in NextStep}, "Select the next step")
    why = form.text("reasons", reasons, required="Give the reasons for the decision")
    form.check()
    decision = TriageDecision(
        id=uuid.uuid4(),
        contact_id=contact.id,
        next_step=step,
        reasons=why or "",
        decided_by_user_id=principal.id,
        decided_by=principal.label,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        "safeguarding.triage.decide",
        principal.actor,
        object_type="mash_contact",
        object_id=contact.id,
        context=context,
        details={"next_step": step, "grade": history[-1].grade, "in_time": now <= history[-1].due_at},
    )
    return decision


@dataclass(frozen=True)
class QueueItem:
    contact_id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[Badge]
    source: str
    received_at: datetime
    from_agency: str
    category: str | None  # the concern's category label, for a concern sent to the MASH
    summary: str | None
    grade: str | None  # None: not yet graded (queued as ``TriageConfig.ungraded_as``)
    grades_given: int
    due_at: datetime
    overdue: bool


def queue(
    session: Session,
    principal: Principal,
    *,
    now: datetime | None = None,
    config: TriageConfig = DEFAULT_CONFIG,
) -> list[QueueItem]:
    """The caller's MASH's contacts awaiting a decision, soonest due first, overdue marked. Audited."""
    _mash_user(principal, Permission.TRIAGE_READ)
    now = now or utcnow()
    decided = select(TriageDecision.contact_id)
    rows = session.execute(
        select(MashContact, Child, Agency)
        .join(Child, Child.id == MashContact.child_id)
        .join(Agency, Agency.id == MashContact.agency_id)
        .where(MashContact.mash_agency_id == principal.agency_id, MashContact.id.not_in(decided))
    ).all()
    ids = [contact.id for contact, _, _ in rows]
    latest: dict[uuid.UUID, TriageGrade] = {}
    counts: dict[uuid.UUID, int] = {}
    for given in session.scalars(
        select(TriageGrade)
        .where(TriageGrade.contact_id.in_(ids))
        .order_by(TriageGrade.graded_at, TriageGrade.created_at)
    ):
        latest[given.contact_id] = given
        counts[given.contact_id] = counts.get(given.contact_id, 0) + 1
    concerns = {
        c.id: c
        for c in session.scalars(
            select(Concern).where(Concern.id.in_([k.concern_id for k, _, _ in rows if k.concern_id]))
        )
    }
    # The MASH sees every agency's concerns but restricted ones (now or after a correction) its roles may not.
    visible = visible_concern_ids(session, principal, agency_scope(principal), concerns)
    items = []
    for contact, child, agency in rows:
        graded = latest.get(contact.id)
        due = graded.due_at if graded else config.due(config.ungraded_as, contact.received_at)
        concern = concerns.get(contact.concern_id) if contact.concern_id else None
        shown = concern is not None and concern.id in visible
        items.append(
            QueueItem(
                contact_id=contact.id,
                child_id=child.id,
                surname=child.surname,
                forenames=child.forenames,
                badges=badges(child),
                source=contact.source,
                received_at=contact.received_at,
                from_agency=agency.name,
                category=concern.category.label if concern is not None and shown else None,
                summary=(concern.summary if shown and concern is not None else None) or contact.summary,
                grade=graded.grade if graded else None,
                grades_given=counts.get(contact.id, 0),
                due_at=due,
                overdue=now > due,
            )
        )
    items.sort(key=lambda i: (i.due_at, i.received_at, str(i.contact_id)))
    audit.record(
        session,
        "safeguarding.triage.queue",
        principal.actor,
        purpose=QUEUE_PURPOSE,
        details={"contacts": [str(i.contact_id) for i in items], "overdue": sum(i.overdue for i in items)},
    )
    return items


def grade_history(session: Session, principal: Principal, contact_id: uuid.UUID) -> list[TriageGrade]:
    """A contact's grades, oldest first, for its MASH."""
    _mash_user(principal, Permission.TRIAGE_READ)
    return grades_of(session, _own_contact(session, principal, contact_id).id)
