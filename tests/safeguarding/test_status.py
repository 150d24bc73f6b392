"""A child's status and flags: kept by the MASH, audited, and shown as badges wherever the child appears."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, ValidationFailed
from openmash.safeguarding import children, status
from openmash.safeguarding.chronology import chronology
from openmash.safeguarding.status import ChildStatus
from tests.support.safeguarding import TODAY, Cast, make_cast, make_child, who


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def test_a_looked_after_child_on_a_plan_shows_both_badges_in_search_results(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school), surname="Whitfield", forenames="Kayleigh")
        status.set_status(
            session,
            who(session, cast.mash),
            child.id,
            ChildStatus(
                looked_after=True,
                placement_agency_id=cast.home.agency_id,  # type: ignore[arg-type]
                child_protection_plan=True,
                cse_risk=True,
            ),
            NO_CONTEXT,
        )
    with transaction(sessions) as session:
        details = children.read_child_details(
            surname="Whitfield", forenames="Kayleigh", date_of_birth=date(2011, 5, 14), today=TODAY
        )
        (found,) = children.find_children(session, who(session, cast.police), details, NO_CONTEXT)
        assert [b.code for b in found.badges] == ["child_protection_plan", "looked_after", "cse_risk"]


def test_badges_show_on_the_chronology_too(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school))
        status.set_status(session, who(session, cast.mash), child.id, ChildStatus(cse_risk=True), NO_CONTEXT)
    with transaction(sessions) as session:
        found = chronology(session, who(session, cast.school), child.id, purpose=None, context=NO_CONTEXT)
        assert [b.label for b in found.badges] == ["Risk of child sexual exploitation"]


def test_only_the_mash_sets_a_childs_status(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        with pytest.raises(PermissionDenied):
            status.set_status(session, school, child.id, ChildStatus(cse_risk=True), NO_CONTEXT)


def test_a_placement_is_a_childrens_home_and_only_for_a_looked_after_child(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, who(session, cast.school))
        with pytest.raises(ValidationFailed) as not_a_home:
            status.set_status(
                session,
                mash,
                child.id,
                ChildStatus(looked_after=True, placement_agency_id=cast.school.agency_id),  # type: ignore[arg-type]
                NO_CONTEXT,
            )
        assert "children's home" in not_a_home.value.fields["placement_agency_id"]
        with pytest.raises(ValidationFailed) as not_looked_after:
            status.set_status(
                session,
                mash,
                child.id,
                ChildStatus(placement_agency_id=cast.home.agency_id),  # type: ignore[arg-type]
                NO_CONTEXT,
            )
        assert "looked-after" in not_looked_after.value.fields["placement_agency_id"]


def test_a_lead_professional_must_be_able_to_read_a_chronology(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school))
        with pytest.raises(ValidationFailed) as failed:
            status.set_status(
                session,
                who(session, cast.mash),
                child.id,
                ChildStatus(lead_professional_user_id=cast.licensing.id),  # type: ignore[arg-type]
                NO_CONTEXT,
            )
        assert "lead_professional_user_id" in failed.value.fields


def test_the_childs_home_sees_its_record_without_a_purpose(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school))
        status.set_status(
            session,
            who(session, cast.mash),
            child.id,
            ChildStatus(looked_after=True, placement_agency_id=cast.home.agency_id),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
    with transaction(sessions) as session:
        assert chronology(session, who(session, cast.home), child.id, purpose=None, context=NO_CONTEXT)


def test_each_change_is_audited_with_what_it_was_and_no_change_writes_nothing(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, who(session, cast.school))
        status.set_status(session, mash, child.id, ChildStatus(child_protection_plan=True), NO_CONTEXT)
        status.set_status(session, mash, child.id, ChildStatus(child_protection_plan=True), NO_CONTEXT)
    with transaction(sessions) as session:
        (entry,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.child.status")
        )
        assert json.loads(entry.details)["changed"] == {"child_protection_plan": {"from": False, "to": True}}
