"""Missing episodes: reported and returned by any agency, a return home interview due 72 hours after the
return and recorded by the MASH, each episode in the chronology, a Philomena profile kept in versions that
moves with the child and is shared with police (audited) when a looked-after child goes missing; all
court-safe."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity.permissions import Role
from openmash.safeguarding import missing, philomena, return_interviews, status
from openmash.safeguarding.chronology import ChronologyFilter, chronology
from openmash.safeguarding.missing import MissingConfig
from openmash.safeguarding.models_care import MissingEpisode, PhilomenaProfile, PhilomenaShare
from openmash.safeguarding.philomena import ProfileInput
from openmash.safeguarding.return_interviews import InterviewInput
from openmash.safeguarding.status import ChildStatus
from openmash.safeguarding.worktime import Timescale, Unit
from tests.support.care import audits, bring_back, details, place, refused, report
from tests.support.factories import make_user
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

ACCOUNT = "  he said he'd  pick me up\nfrom the home — I didn't want to go back  "
PURPOSE = "Missing episode review"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _episode(
    sessions: sessionmaker[Session], cast: Cast, *, returned: datetime | None = None
) -> MissingEpisode:
    """A looked-after child placed in the cast's home, reported missing by the home on 6 March."""
    with transaction(sessions) as session:
        home, mash = who(session, cast.home), who(session, cast.mash)
        child = place(session, mash, make_child(session, home), cast.home.agency_id)
        episode = report(
            session, home, child.id, cast.mash.agency_id, at(2026, 3, 6, 19), now=at(2026, 3, 6, 22)
        )
        if returned is not None:
            bring_back(session, home, episode.id, returned, now=NOW)
        return episode


def _interview(outcome: str, held_at: datetime, **kw: object) -> InterviewInput:
    values: dict[str, object] = {
        "outcome": outcome,
        "interviewer": "Independent RHI worker",
        "held_at": held_at,
    }
    values.update(kw)
    return InterviewInput(**values)  # type: ignore[arg-type]


# --- reports and returns ------------------------------------------------------------------------------------


def test_the_return_home_interview_is_due_72_hours_after_the_return_weekend_or_not(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session:
        police = who(session, cast.police)  # the report was shared with police: police may record the return
        back = bring_back(
            session, police, episode.id, at(2026, 3, 6, 23), now=NOW, vehicle_registration=" ab12 cde "
        )
    assert back.interview_due_at == at(2026, 3, 9, 23)  # Friday 23:00 + 72 hours, through the weekend
    assert back.vehicle_registration == "AB12CDE"  # the register's form, for the plate lookup
    assert (back.how, back.agency_id) == ("found", cast.police.agency_id)


def test_the_interview_time_is_configurable(sessions: sessionmaker[Session], cast: Cast) -> None:
    episode = _episode(sessions, cast)
    config = MissingConfig(interview_within=Timescale(3, Unit.WORKING_DAYS))
    with transaction(sessions) as session:
        back = missing.record_return(
            session,
            who(session, cast.home),
            episode.id,
            missing.ReturnDetails(returned_at=at(2026, 3, 6, 23), how="returned", found_where="The home"),
            NO_CONTEXT,
            now=NOW,
            config=config,
        )
    assert back.interview_due_at == datetime(2026, 3, 12, 9, tzinfo=UTC)  # from Monday 09:00, 3 working days


def test_a_child_already_missing_is_not_reported_twice(sessions: sessionmaker[Session], cast: Cast) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session:
        home = who(session, cast.home)
        with pytest.raises(Conflict):
            report(session, home, episode.child_id, cast.mash.agency_id, at(2026, 3, 7), now=NOW)
        bring_back(session, home, episode.id, at(2026, 3, 7, 10), now=NOW)
        with pytest.raises(Conflict):
            bring_back(session, home, episode.id, at(2026, 3, 7, 11), now=NOW)
        again = report(session, home, episode.child_id, cast.mash.agency_id, at(2026, 3, 8), now=NOW)
    assert again.id != episode.id


def test_a_report_and_a_return_are_checked(sessions: sessionmaker[Session], cast: Cast) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session:
        home = who(session, cast.home)
        with pytest.raises(ValidationFailed) as failed:
            report(
                session,
                home,
                episode.child_id,
                cast.school.agency_id,
                NOW + timedelta(hours=2),
                now=NOW,
                last_seen_where="  ",
            )
        assert set(failed.value.fields) == {"missing_since", "last_seen_where", "mash_agency_id"}
        with pytest.raises(ValidationFailed) as failed:
            bring_back(
                session,
                home,
                episode.id,
                at(2026, 3, 6, 18),
                now=NOW,
                how="escaped",
                vehicle_registration="!",
            )
        assert set(failed.value.fields) == {"returned_at", "how", "vehicle_registration"}


def test_an_agency_that_may_not_see_an_episode_cannot_record_its_return(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session, pytest.raises(NotFoundError):
        bring_back(session, who(session, cast.school), episode.id, at(2026, 3, 7), now=NOW)
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        bring_back(session, who(session, cast.licensing), episode.id, at(2026, 3, 7), now=NOW)


# --- return home interviews ---------------------------------------------------------------------------------


def test_an_interview_offered_then_completed_keeps_the_childs_account_exactly(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast, returned=at(2026, 3, 7, 10))
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        return_interviews.record_interview(
            session, mash, episode.id, _interview("offered", at(2026, 3, 8)), NO_CONTEXT, now=NOW
        )
        done = return_interviews.record_interview(
            session,
            mash,
            episode.id,
            _interview("completed", at(2026, 3, 9), childs_account=ACCOUNT),
            NO_CONTEXT,
            now=NOW,
        )
        with pytest.raises(Conflict):
            return_interviews.record_interview(
                session, mash, episode.id, _interview("declined", at(2026, 3, 9)), NO_CONTEXT, now=NOW
            )
        found = return_interviews.interviews_of(session, episode.id)
        back = missing.return_of(session, episode.id)
        assert return_interviews.status(back, found, NOW) == "completed"
        assert details(audits(session, "safeguarding.interview.record")[-1])["in_time"] is True
    assert done.childs_account == ACCOUNT
    assert [i.outcome for i in found] == ["offered", "completed"]


def test_an_interview_is_checked_against_the_return(sessions: sessionmaker[Session], cast: Cast) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        with pytest.raises(Conflict):
            return_interviews.record_interview(
                session, mash, episode.id, _interview("offered", NOW), NO_CONTEXT, now=NOW
            )
        bring_back(session, who(session, cast.home), episode.id, at(2026, 3, 7, 10), now=NOW)
        with pytest.raises(ValidationFailed) as failed:
            return_interviews.record_interview(
                session,
                mash,
                episode.id,
                _interview("completed", at(2026, 3, 7, 9), childs_account=" "),
                NO_CONTEXT,
                now=NOW,
            )
        assert set(failed.value.fields) == {"held_at", "childs_account"}


def test_a_late_interview_says_so(sessions: sessionmaker[Session], cast: Cast) -> None:
    episode = _episode(sessions, cast, returned=at(2026, 3, 7, 10))
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        assert (
            return_interviews.status(missing.return_of(session, episode.id), [], at(2026, 3, 10, 11))
            == "overdue"
        )
        return_interviews.record_interview(
            session, mash, episode.id, _interview("declined", at(2026, 3, 10, 11)), NO_CONTEXT, now=NOW
        )
        found = return_interviews.interviews_of(session, episode.id)
        assert return_interviews.status(missing.return_of(session, episode.id), found, NOW) == "declined_late"


def test_only_the_mash_arranging_the_interview_records_it(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    other_mash = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    episode = _episode(sessions, cast, returned=at(2026, 3, 7, 10))
    for login in (cast.home, cast.school, other_mash):
        with transaction(sessions) as session, pytest.raises((PermissionDenied, NotFoundError)):
            return_interviews.record_interview(
                session,
                who(session, login),
                episode.id,
                _interview("offered", at(2026, 3, 8)),
                NO_CONTEXT,
                now=NOW,
            )


def test_interviews_due_soonest_first_overdue_marked_done_ones_gone(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    late = _episode(sessions, cast, returned=at(2026, 3, 6, 22))
    soon = _episode(sessions, cast, returned=at(2026, 3, 9, 8))
    done = _episode(sessions, cast, returned=at(2026, 3, 8, 8))
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        return_interviews.record_interview(
            session, mash, late.id, _interview("offered", at(2026, 3, 7)), NO_CONTEXT, now=NOW
        )
        return_interviews.record_interview(
            session,
            mash,
            done.id,
            _interview("completed", at(2026, 3, 9), childs_account="I'm fine"),
            NO_CONTEXT,
            now=NOW,
        )
    with transaction(sessions) as session:
        due = return_interviews.interviews_due(session, who(session, cast.mash), now=NOW)
        assert [(d.episode_id, d.overdue) for d in due] == [(late.id, True), (soon.id, False)]
        assert due[0].offered_at == at(2026, 3, 7)
        (listed,) = audits(session, "safeguarding.interview.due_list")
        assert listed.purpose == return_interviews.DUE_PURPOSE
    with transaction(sessions) as session:  # the home that reported them sees them too; a school none
        assert len(return_interviews.interviews_due(session, who(session, cast.home), now=NOW)) == 2
        assert return_interviews.interviews_due(session, who(session, cast.school), now=NOW) == []


# --- the chronology -----------------------------------------------------------------------------------------


def test_each_episode_falls_into_the_chronology_with_the_concerns(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast, returned=at(2026, 3, 7, 10))
    with transaction(sessions) as session:
        record(session, who(session, cast.home), episode.child_id, "staying_out_late", at(2026, 3, 6, 12))
        return_interviews.record_interview(
            session,
            who(session, cast.mash),
            episode.id,
            _interview("completed", at(2026, 3, 8), childs_account=ACCOUNT),
            NO_CONTEXT,
            now=NOW,
        )
    with transaction(sessions) as session:
        found = chronology(
            session, who(session, cast.mash), episode.child_id, purpose=PURPOSE, context=NO_CONTEXT
        )
        assert [e.kind for e in found.entries] == [
            "concern",
            "missing_report",
            "missing_return",
            "return_interview",
        ]
        assert found.entries[3].childs_words == ACCOUNT
        assert "Two adult men" in found.entries[2].summary
        only = ChronologyFilter(categories={"missing_report", "missing_return"})
        found = chronology(
            session,
            who(session, cast.mash),
            episode.child_id,
            purpose=PURPOSE,
            context=NO_CONTEXT,
            filters=only,
        )
        assert [e.kind for e in found.entries] == ["missing_report", "missing_return"]


def test_the_chronology_shows_episodes_by_the_agency_rule_and_asks_a_purpose_for_others(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast)  # the home's report, shared with police
    with transaction(sessions) as session:
        school, police = who(session, cast.school), who(session, cast.police)
        record(session, school, episode.child_id)
        record(session, police, episode.child_id)
    with transaction(sessions) as session:  # the school sees its own concern only, without a purpose
        found = chronology(
            session, who(session, cast.school), episode.child_id, purpose=None, context=NO_CONTEXT
        )
        assert [e.kind for e in found.entries] == ["concern"]
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        chronology(session, who(session, cast.police), episode.child_id, purpose=None, context=NO_CONTEXT)
    with transaction(sessions) as session:
        found = chronology(
            session, who(session, cast.police), episode.child_id, purpose=PURPOSE, context=NO_CONTEXT
        )
        assert sorted(e.kind for e in found.entries) == ["concern", "missing_report"]


def test_an_episode_not_shared_with_police_is_not_shown_to_police(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        report(
            session, school, child.id, cast.mash.agency_id, at(2026, 3, 9), now=NOW, shared_with_police=False
        )
    with transaction(sessions) as session:
        found = chronology(session, who(session, cast.police), child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert found.entries == []
        assert session.scalars(select(PhilomenaShare)).all() == []


# --- Philomena profiles -------------------------------------------------------------------------------------


def _profile(**kw: object) -> ProfileInput:
    values: dict[str, object] = {
        "description": "White female, 5'3\", slim, long dyed red hair, pierced nose",
        "associates": "Older males known as 'Kaz' and 'T'",
        "places": "Retail park car park; flats on the ring road",
        "phone": "07700 900123",
        "social_media": "Snapchat: synthetic_user_01",
        "transport": "Private-hire cars, often silver saloons",
        "photo_reference": "Home file, photo taken 1 March",
    }
    values.update(kw)
    return ProfileInput(**values)  # type: ignore[arg-type]


def test_a_profile_is_kept_in_versions_never_overwritten(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        home, mash = who(session, cast.home), who(session, cast.mash)
        child = place(session, mash, make_child(session, home), cast.home.agency_id)
        first = philomena.keep_profile(session, home, child.id, _profile(), NO_CONTEXT, now=NOW)
        same = philomena.keep_profile(session, home, child.id, _profile(), NO_CONTEXT, now=NOW)
        second = philomena.keep_profile(
            session, home, child.id, _profile(phone="07700 900456"), NO_CONTEXT, now=NOW
        )
        kept = details(audits(session, "safeguarding.philomena.keep")[-1])
    assert same.id == first.id
    assert (first.version, second.version, kept["changed"]) == (1, 2, ["phone"])
    with transaction(sessions) as session:
        history = philomena.profile_history(
            session, who(session, cast.home), child.id, purpose=None, context=NO_CONTEXT
        )
        assert [(p.version, p.phone) for p in history] == [(2, "07700 900456"), (1, "07700 900123")]
        assert audits(session, "safeguarding.philomena.view")


def test_a_profile_is_kept_for_looked_after_children_by_their_home_and_the_mash_only(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    other_home = make_user(sessions, settings, [Role.HOME_MANAGER])
    with transaction(sessions) as session:
        home, mash = who(session, cast.home), who(session, cast.mash)
        child = make_child(session, home)
        with pytest.raises(Conflict):
            philomena.keep_profile(session, mash, child.id, _profile(), NO_CONTEXT, now=NOW)
        place(session, mash, child, cast.home.agency_id)
        for login in (cast.school, cast.police, other_home):
            with pytest.raises(PermissionDenied):
                philomena.keep_profile(
                    session, who(session, login), child.id, _profile(), NO_CONTEXT, now=NOW
                )
            with pytest.raises(PermissionDenied):
                philomena.profile_history(
                    session, who(session, login), child.id, purpose=PURPOSE, context=NO_CONTEXT
                )
        assert philomena.keep_profile(session, mash, child.id, _profile(), NO_CONTEXT, now=NOW).version == 1


def test_the_profile_moves_with_the_child_to_a_new_home(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    new_home = make_user(sessions, settings, [Role.HOME_MANAGER])
    with transaction(sessions) as session:
        home, mash = who(session, cast.home), who(session, cast.mash)
        child = place(session, mash, make_child(session, home), cast.home.agency_id)
        philomena.keep_profile(session, home, child.id, _profile(), NO_CONTEXT, now=NOW)
        place(session, mash, child, new_home.agency_id)
    with transaction(sessions) as session, pytest.raises(PermissionDenied):  # the old home no longer keeps it
        philomena.profile_history(
            session, who(session, cast.home), child.id, purpose=PURPOSE, context=NO_CONTEXT
        )
    with transaction(sessions) as session, pytest.raises(PurposeRequired):  # written by another home
        philomena.profile_history(session, who(session, new_home), child.id, purpose=None, context=NO_CONTEXT)
    with transaction(sessions) as session:
        latest = philomena.current_profile(
            session, who(session, new_home), child.id, purpose="New placement", context=NO_CONTEXT
        )
        assert latest is not None
        assert latest.phone == "07700 900123"
        assert audits(session, "safeguarding.philomena.view")[-1].purpose == "New placement"
        updated = philomena.keep_profile(
            session, who(session, new_home), child.id, _profile(places="New town centre"), NO_CONTEXT, now=NOW
        )
        assert (updated.version, updated.agency_id) == (2, new_home.agency_id)


def test_a_missing_report_shares_the_profile_and_the_days_details_with_police_audited(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home, mash = who(session, cast.home), who(session, cast.mash)
        child = place(session, mash, make_child(session, home), cast.home.agency_id)
        philomena.keep_profile(session, home, child.id, _profile(), NO_CONTEXT, now=at(2026, 3, 1))
        philomena.keep_profile(
            session, home, child.id, _profile(phone="07700 900789"), NO_CONTEXT, now=at(2026, 3, 2)
        )
        episode = report(
            session, home, child.id, cast.mash.agency_id, at(2026, 3, 9, 18), now=NOW, clothing="Red coat"
        )
        (shared,) = audits(session, "safeguarding.philomena.share")
        assert details(shared)["profile_version"] == 2
        assert details(shared)["episode_id"] == str(episode.id)
        philomena.keep_profile(session, home, child.id, _profile(phone="07700 900000"), NO_CONTEXT, now=NOW)
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        philomena.police_shares(
            session, who(session, cast.police), child.id, purpose=None, context=NO_CONTEXT
        )
    with transaction(sessions) as session:
        (share,) = philomena.police_shares(
            session, who(session, cast.police), child.id, purpose="Missing person search", context=NO_CONTEXT
        )
        assert share.profile_version == 2
        assert share.snapshot["profile"]["phone"] == "07700 900789"  # as it stood, not as changed since
        assert share.snapshot["missing"]["clothing"] == "Red coat"
        assert share.snapshot["child"]["surname"] == child.surname
        assert audits(session, "safeguarding.philomena.shares")[-1].purpose == "Missing person search"
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        philomena.police_shares(
            session, who(session, cast.school), child.id, purpose=PURPOSE, context=NO_CONTEXT
        )


def test_with_no_profile_kept_the_days_details_are_still_shared(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    episode = _episode(sessions, cast)
    with transaction(sessions) as session:
        share = session.scalars(select(PhilomenaShare).where(PhilomenaShare.episode_id == episode.id)).one()
        assert share.profile_id is None
        assert share.snapshot["profile"] is None
        assert share.snapshot["missing"]["last_seen_where"] == episode.last_seen_where


def test_a_child_not_looked_after_has_no_philomena_share(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        status.set_status(session, who(session, cast.mash), child.id, ChildStatus(cse_risk=True), NO_CONTEXT)
        report(session, school, child.id, cast.mash.agency_id, at(2026, 3, 9), now=NOW)
        assert session.scalars(select(PhilomenaShare)).all() == []


# --- court-safe ---------------------------------------------------------------------------------------------


def test_the_services_offer_no_way_to_edit_or_delete() -> None:
    for module in (missing, return_interviews, philomena):
        public = [n for n, _ in inspect.getmembers(module, inspect.isfunction) if not n.startswith("_")]
        for word in ("update", "edit", "delete", "remove", "change", "amend", "withdraw"):
            assert not [n for n in public if word in n], (module.__name__, word)


@pytest.mark.parametrize(
    "table",
    ["missing_episodes", "missing_returns", "return_interviews", "philomena_profiles", "philomena_shares"],
)
def test_the_database_refuses_to_edit_or_delete_missing_records(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine, table: str
) -> None:
    episode = _episode(sessions, cast, returned=at(2026, 3, 7, 10))
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        philomena.keep_profile(session, mash, episode.child_id, _profile(), NO_CONTEXT, now=NOW)
        return_interviews.record_interview(
            session, mash, episode.id, _interview("offered", at(2026, 3, 8)), NO_CONTEXT, now=NOW
        )
    refused(engine, table)
    with transaction(sessions) as session:
        assert session.scalars(select(PhilomenaProfile)).all()
