"""The hub's demo of missing episodes, triage and requests for help, written through the real services as the
demo users, with times back-dated through the services' ``now`` so that the work lists have something due and
something overdue:

- the looked-after child (``demo.children``) has a Philomena profile kept by her home, went missing six days
  ago (the profile was shared with police), came back, and her return home interview is overdue (offered,
  not held);
- a contact in the MASH's triage queue: the school's first concern (absences), sent a week ago and graded
  Amber (overdue), and a referral the MASH took an hour ago, not yet graded;
- the planted case of issue 8: a child's request for help, told to her form tutor ten days ago, never
  acknowledged nor answered, and escalated to the MASH's managers (``help_requests.escalate_overdue``).

Loading again changes nothing: each part is skipped when its record is already there.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.service import NO_CONTEXT
from openmash.demo.seed import demo_email
from openmash.identity import agencies, users
from openmash.identity.principal import Principal, principal_for_user
from openmash.safeguarding import children, help_requests, missing, philomena, return_interviews, triage
from openmash.safeguarding.help_requests import HelpInput
from openmash.safeguarding.missing import MissingReport, ReturnDetails
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import HelpRequest, MashContact, MissingEpisode, PhilomenaProfile
from openmash.safeguarding.philomena import ProfileInput
from openmash.safeguarding.return_interviews import InterviewInput
from openmash.safeguarding.triage import Referral

SEED = 20260309
MASH = "BUCKS-MASH"
TOLD_TO = "Her form tutor"
CHILDS_WORDS = "can i talk to someone. not at home. its about the man who drives me places"


def _who(session: Session, local: str) -> Principal:
    user = users.find_by_email(session, demo_email(local))
    assert user is not None, f"demo user {local} missing: load the demo users first"
    return principal_for_user(user)


def _missing_and_interview(session: Session, child: Child, now: datetime) -> None:
    """The looked-after child's profile, missing episode (shared with police) and overdue interview."""
    if session.scalar(select(MissingEpisode.id).where(MissingEpisode.child_id == child.id)) is not None:
        return
    home, mash = _who(session, "home.manager"), _who(session, "mash.practitioner")
    if session.scalar(select(PhilomenaProfile.id).where(PhilomenaProfile.child_id == child.id)) is None:
        profile = ProfileInput(
            description="Slight build, about 5ft 3, dyed red hair in a ponytail, a small scar on one eyebrow",
            vulnerabilities="Goes with older men who offer lifts and vapes; has gone missing twice before",
            associates="An older man known as 'Jay', about 25, drives a silver car",
            places="The retail park and the bus station in town; a flat above the shops on Mill Street",
            phone="07700 900461",
            social_media="Snapchat, under a nickname the home knows",
            transport="Buses into town; lifts from older men",
            photo_reference="A photograph taken last month, in the home's office safe",
        )
        philomena.keep_profile(session, home, child.id, profile, NO_CONTEXT, now=now - timedelta(days=30))
    mash_id = _mash_id(session)
    since = now - timedelta(days=6, hours=3)
    report = MissingReport(
        missing_since=since,
        last_seen_where="The children's home, leaving by the back gate",
        circumstances="Did not return after school; her phone went straight to voicemail",
        clothing="Black puffer jacket, grey joggers, white trainers",
        police_reference="TVP-2026-0412",
        mash_agency_id=mash_id,
    )
    episode = missing.report_missing(
        session, home, child.id, report, NO_CONTEXT, now=since + timedelta(hours=1)
    )
    back = ReturnDetails(
        returned_at=now - timedelta(days=5, hours=20),
        how="found",
        found_where="A flat above the shops on Mill Street",
        found_with="Two adult men, not known to the home",
        transport="Brought back by police",
    )
    missing.record_return(session, home, episode.id, back, NO_CONTEXT, now=now - timedelta(days=5, hours=19))
    offer = InterviewInput(
        outcome="offered",
        interviewer="An independent advocate from the MASH",
        held_at=now - timedelta(days=4),
        summary="Offered at the home; she said she would think about it",
    )
    return_interviews.record_interview(
        session, mash, episode.id, offer, NO_CONTEXT, now=now - timedelta(days=4)
    )


def _mash_id(session: Session) -> uuid.UUID:
    found = agencies.find_by_code(session, MASH)
    assert found is not None, "the demo MASH is missing: load the demo agencies first"
    return found.id


def _triage(session: Session, spread: Child, looked_after: Child, now: datetime) -> None:
    """A concern sent to the MASH a week ago and graded Amber, and a referral not yet graded."""
    school, mash = _who(session, "school.dsl"), _who(session, "mash.practitioner")
    concern = session.scalars(
        select(Concern)
        .where(Concern.child_id == spread.id, Concern.agency_id == school.agency_id)
        .order_by(Concern.occurred_at)
    ).first()
    sent = now - timedelta(days=7)  # a week: overdue whatever the day of the week, bank holidays too
    if (
        concern is not None
        and session.scalar(select(MashContact.id).where(MashContact.concern_id == concern.id)) is None
    ):
        contact = triage.refer_concern(session, school, concern.id, mash.agency_id, NO_CONTEXT, now=sent)
        triage.grade_contact(
            session,
            mash,
            contact.id,
            "amber",
            "Repeated absence; police and health have recorded about her too: possible exploitation",
            NO_CONTEXT,
            now=sent + timedelta(hours=1),
        )
    taken = select(MashContact.id).where(
        MashContact.child_id == looked_after.id, MashContact.source == "referral"
    )
    if session.scalar(taken) is None:
        referral = Referral(
            referrer="Her social worker, by telephone",
            summary="Says she has a new phone and a boyfriend 'much older'; asks for a strategy discussion",
            received_at=now - timedelta(hours=1),
        )
        triage.record_referral(session, mash, looked_after.id, referral, NO_CONTEXT, now=now)


def _unanswered_request(session: Session, now: datetime) -> str:
    """The planted case: a child's request for help nobody answered, escalated to the MASH's managers."""
    faker = Faker("en_GB")
    faker.seed_instance(SEED)
    surname, forenames, born = faker.last_name_female(), faker.first_name_female(), date(2011, 9, 23)
    child = session.scalars(
        select(Child).where(
            Child.surname == surname, Child.forenames == forenames, Child.date_of_birth == born
        )
    ).first()
    school = _who(session, "school.dsl")
    if child is None:
        details = children.read_child_details(
            surname=surname, forenames=forenames, date_of_birth=born, today=now.date(), identifiers={}
        )
        child = children.create_child(session, school, details, none_of_these=True, context=NO_CONTEXT)
    asked = now - timedelta(days=10)
    recorded = select(HelpRequest.id).where(HelpRequest.child_id == child.id, HelpRequest.told_to == TOLD_TO)
    if session.scalar(recorded) is None:
        data = HelpInput(
            asked_at=asked,
            told_to=TOLD_TO,
            childs_words=CHILDS_WORDS,
            mash_agency_id=_mash_id(session),
            summary="Asked at the end of a lesson; the tutor wrote it down and passed it to the office",
        )
        help_requests.record_request(
            session, school, child.id, data, NO_CONTEXT, now=asked + timedelta(hours=2)
        )
    help_requests.escalate_overdue(session, now)
    return f"{forenames} {surname}"


def load(session: Session, spread: Child, looked_after: Child, now: datetime) -> str:
    """Add the missing episode, triage contacts and the escalated request (once); a note on what to see."""
    _missing_and_interview(session, looked_after, now)
    _triage(session, spread, looked_after, now)
    asked = _unanswered_request(session, now)
    return (
        "Missing episodes, triage and requests for help (open Your work after signing in):\n"
        f"  - {looked_after.forenames} {looked_after.surname}: went missing, came back, return home "
        "interview overdue\n"
        "    (mash.practitioner: Return interviews; police.analyst: what was shared with police)\n"
        f"  - {spread.forenames} {spread.surname}: the school's concern in the MASH's triage queue, "
        "Amber, overdue\n"
        f"  - {asked}: asked her form tutor for help ten days ago; unanswered and escalated (mash.manager)\n"
    )
