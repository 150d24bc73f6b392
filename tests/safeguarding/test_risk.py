"""Risk screening: the published scheme's points, windows and bands by default, its overrides for the young
and for a learning disability, a history kept, and professional judgement that raises the grade but never
lowers it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity.permissions import AgencyType, Role
from openmash.safeguarding import categories, concerns, risk, status
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import RiskScreening
from openmash.safeguarding.risk import RiskConfig
from openmash.safeguarding.status import ChildStatus
from tests.support.factories import make_user
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PURPOSE = "Risk screening after a strategy discussion"
AGED_15 = date(2010, 6, 1)
AGED_14 = date(2012, 3, 10)
AGED_13 = date(2013, 3, 10)  # thirteen today
AGED_12 = date(2013, 3, 11)  # thirteen tomorrow


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _screen(
    sessions: sessionmaker[Session],
    cast: Cast,
    born: date | None,
    recorded: list[tuple[str, datetime]],
    *,
    learning_disability: bool = False,
    config: RiskConfig = risk.DEFAULT_CONFIG,
) -> RiskScreening:
    """A child of this age with these concerns (category, when), screened by the MASH now."""
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, date_of_birth=born, learning_disability=learning_disability)
        for code, when in recorded:
            record(session, school, child.id, code, when)
        return risk.screen_child(
            session,
            who(session, cast.mash),
            child.id,
            purpose=PURPOSE,
            context=NO_CONTEXT,
            now=NOW,
            config=config,
        )


def _points(screening: RiskScreening) -> dict[str, int]:
    return {i["category"]: i["points"] for i in screening.indicators}


def test_each_indicator_scores_once_however_many_concerns_show_it(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    found = _screen(
        sessions,
        cast,
        AGED_15,
        [
            ("going_missing", at(2026, 1, 3)),
            ("going_missing", at(2026, 2, 3)),
            ("going_missing", at(2026, 3, 3)),
        ],
    )
    assert (found.score, _points(found)) == (1, {"going_missing": 1})
    assert len(found.indicators[0]["concern_ids"]) == 3


def test_points_follow_the_windows_of_the_published_scheme(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    found = _screen(
        sessions,
        cast,
        AGED_15,
        [
            ("drugs_or_alcohol", at(2025, 9, 11)),  # moderate, within 6 months: 1
            ("self_harm", at(2025, 9, 9)),  # moderate, just over 6 months ago: 0
            ("isolation", at(2026, 1, 1)),  # vulnerability, current: 1
            ("online_grooming", at(2026, 2, 1)),  # significant, current: 5
            ("clipping", at(2025, 6, 1)),  # significant, 6 to 12 months ago: 1
            ("moved_between_towns", at(2025, 3, 1)),  # significant, over 12 months ago: 0
            ("general_welfare", at(2026, 3, 1)),  # "other": never scored
        ],
    )
    assert _points(found) == {"online_grooming": 5, "clipping": 1, "drugs_or_alcohol": 1, "isolation": 1}
    assert found.score == 8
    assert (found.scored_band, found.final_band) == ("mild", "mild")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "not_at_risk"),
        (5, "not_at_risk"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "significant"),
        (40, "significant"),
    ],
)
def test_the_default_bands_are_those_of_the_published_scheme(score: int, band: str) -> None:
    assert risk.DEFAULT_CONFIG.band_of(score) == band


def test_three_current_significant_indicators_and_one_more_are_significant(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    recent = at(2026, 2, 20)
    found = _screen(
        sessions,
        cast,
        AGED_15,
        [
            ("online_grooming", recent),
            ("clipping", recent),
            ("cars_with_unknown_adults", recent),
            ("going_missing", recent),
        ],
    )
    assert (found.score, found.scored_band, found.overrides) == (16, "significant", [])


@pytest.mark.parametrize(
    ("born", "learning_disability", "band"),
    [
        (AGED_12, False, "moderate"),
        (AGED_15, True, "moderate"),
        (AGED_15, False, "not_at_risk"),
        (AGED_13, False, "not_at_risk"),
    ],
)
def test_the_young_and_those_with_a_learning_disability_are_never_graded_below_moderate(
    sessions: sessionmaker[Session], cast: Cast, born: date, learning_disability: bool, band: str
) -> None:
    found = _screen(
        sessions, cast, born, [("going_missing", at(2026, 3, 1))], learning_disability=learning_disability
    )
    assert (found.score, found.computed_band) == (1, band)
    assert bool(found.overrides) is (band == "moderate")


def test_a_learning_disability_recorded_as_a_concern_counts_too(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    found = _screen(sessions, cast, AGED_15, [("learning_disability", at(2026, 1, 10))])
    assert found.computed_band == "moderate"


def test_no_override_without_an_indicator(sessions: sessionmaker[Session], cast: Cast) -> None:
    found = _screen(sessions, cast, AGED_12, [("general_welfare", at(2026, 3, 1))])
    assert (found.score, found.computed_band, found.overrides) == (0, "not_at_risk", [])


@pytest.mark.parametrize(
    ("born", "when", "band"),
    [
        (AGED_13, at(2026, 2, 1), "significant"),  # 13 today, current: significant
        (AGED_12, at(2026, 2, 1), "significant"),
        (AGED_14, at(2026, 2, 1), "not_at_risk"),  # 14: five points
        (AGED_12, at(2025, 7, 1), "moderate"),  # lapsed: one point, then the under-13 floor
    ],
)
def test_for_a_child_of_13_or_under_one_current_significant_indicator_means_significant(
    sessions: sessionmaker[Session], cast: Cast, born: date, when: datetime, band: str
) -> None:
    found = _screen(sessions, cast, born, [("picked_up_by_taxi_or_car", when)])
    assert found.computed_band == band


def test_an_unknown_date_of_birth_is_said_not_guessed(sessions: sessionmaker[Session], cast: Cast) -> None:
    found = _screen(sessions, cast, None, [("online_grooming", at(2026, 2, 1))])
    assert found.computed_band == "not_at_risk"
    assert any("Date of birth not known" in o for o in found.overrides)


def test_weights_windows_and_bands_are_configurable_and_kept_with_the_screening(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    with transaction(sessions) as session:
        categories.save_category(
            session,
            who(session, admin),
            code="going_missing",
            label="Going missing",
            indicator_kind="moderate",
            weight=3,
            create=False,
            context=NO_CONTEXT,
        )
    config = RiskConfig(bands=((0, "not_at_risk"), (3, "mild"), (20, "moderate"), (30, "significant")))
    found = _screen(sessions, cast, AGED_15, [("going_missing", at(2026, 3, 1))], config=config)
    assert (found.score, found.final_band) == (3, "mild")
    assert found.config["bands"][1] == [3, "mild"]


def test_a_corrected_concern_counts_only_in_its_corrected_form(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, date_of_birth=AGED_15)
        wrong = record(session, school, child.id, "online_grooming", at(2026, 2, 1))
        concerns.correct_concern(
            session,
            school,
            wrong.id,
            ConcernInput("concerning_phone_or_internet_use", at(2026, 2, 1), "Phone use"),
            "Not grooming: unknown contacts only",
            NO_CONTEXT,
            now=NOW,
        )
        found = risk.screen_child(
            session, who(session, cast.mash), child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW
        )
    assert _points(found) == {"concerning_phone_or_internet_use": 1}


def test_professional_judgement_raises_the_grade_with_reasons(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school), date_of_birth=AGED_15)
        record(session, who(session, cast.school), child.id, "going_missing", at(2026, 3, 1))
        mash = who(session, cast.mash)
        raised = risk.screen_child(
            session,
            mash,
            child.id,
            purpose=PURPOSE,
            context=NO_CONTEXT,
            now=NOW,
            judgement_band="significant",
            judgement_reasons="Seen with a known adult twice this week",
        )
        assert (raised.computed_band, raised.judgement_band, raised.final_band) == (
            "not_at_risk",
            "significant",
            "significant",
        )
        assert raised.judgement_reasons == "Seen with a known adult twice this week"
        with pytest.raises(ValidationFailed) as failed:
            risk.screen_child(
                session,
                mash,
                child.id,
                purpose=PURPOSE,
                context=NO_CONTEXT,
                now=NOW,
                judgement_band="mild",
                judgement_reasons=" ",
            )
        assert set(failed.value.fields) == {"judgement_reasons"}


def test_professional_judgement_never_lowers_the_grade(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school), date_of_birth=AGED_12)
        record(session, who(session, cast.school), child.id, "going_missing", at(2026, 3, 1))
        with pytest.raises(ValidationFailed, match="problem") as failed:
            risk.screen_child(
                session,
                who(session, cast.mash),
                child.id,
                purpose=PURPOSE,
                context=NO_CONTEXT,
                now=NOW,
                judgement_band="mild",
                judgement_reasons="She seems settled",
            )
        assert "never lower" in failed.value.fields["judgement_band"]


def test_screenings_are_kept_as_a_history_that_only_whole_record_viewers_see(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, mash = who(session, cast.school), who(session, cast.mash)
        child = make_child(session, school, date_of_birth=AGED_15)
        record(session, school, child.id, "going_missing", at(2026, 1, 1))
        first = risk.screen_child(
            session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=datetime(2026, 1, 2, tzinfo=UTC)
        )
        second = risk.screen_child(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW)
    with transaction(sessions) as session:
        history = risk.screening_history(
            session, who(session, cast.mash), child.id, purpose=PURPOSE, context=NO_CONTEXT
        )
        assert [s.id for s in history] == [second.id, first.id]
        with pytest.raises(PermissionDenied):
            risk.screening_history(
                session, who(session, cast.school), child.id, purpose=None, context=NO_CONTEXT
            )
        status.set_status(
            session,
            who(session, cast.mash),
            child.id,
            ChildStatus(lead_professional_user_id=cast.school.id),
            NO_CONTEXT,
        )  # type: ignore[arg-type]
        assert (
            len(
                risk.screening_history(
                    session, who(session, cast.school), child.id, purpose=PURPOSE, context=NO_CONTEXT
                )
            )
            == 2
        )


def test_only_the_mash_screens_and_with_a_purpose(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        record(session, school, child.id)
        with pytest.raises(PermissionDenied):
            risk.screen_child(session, school, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW)
        with pytest.raises(PurposeRequired):
            risk.screen_child(
                session, who(session, cast.mash), child.id, purpose=None, context=NO_CONTEXT, now=NOW
            )
        risk.screen_child(
            session, who(session, cast.mash), child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW
        )
    with transaction(sessions) as session:
        (entry,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.risk.screen")
        )
        assert entry.purpose == PURPOSE
        assert json.loads(entry.details)["scope"] == "whole"


@pytest.mark.parametrize(
    "statement", ["UPDATE risk_screenings SET final_band = 'mild'", "DELETE FROM risk_screenings"]
)
def test_the_database_refuses_to_rewrite_a_screening(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine, statement: str
) -> None:
    _screen(sessions, cast, AGED_15, [("going_missing", at(2026, 3, 1))])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 3, 10, tzinfo=UTC), 6, datetime(2025, 9, 10, tzinfo=UTC)),
        (datetime(2024, 8, 29, tzinfo=UTC), 6, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2025, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert risk.months_before(moment, months) == expected


def test_a_configuration_whose_bands_do_not_rise_is_refused() -> None:
    with pytest.raises(ValueError, match="bands"):
        RiskConfig(bands=((0, "not_at_risk"), (10, "mild"), (5, "moderate")))
    with pytest.raises(ValueError, match="bands"):
        RiskConfig(bands=((1, "mild"),))


def test_an_indicator_in_a_restricted_category_is_withheld_from_roles_it_does_not_name(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    with transaction(sessions) as session:
        categories.save_category(
            session,
            who(session, admin),
            code="trafficking_intelligence",
            label="Synthetic restricted trafficking intelligence",
            indicator_kind="significant",
            restricted_to_roles=[str(Role.POLICE_ANALYST)],
            create=True,
            context=NO_CONTEXT,
        )
        school, police, mash = who(session, cast.school), who(session, cast.police), who(session, cast.mash)
        child = make_child(session, school, date_of_birth=AGED_15)
        record(session, school, child.id, "going_missing", at(2026, 3, 1))
        record(session, police, child.id, "trafficking_intelligence", at(2026, 3, 2))
        screened = risk.screen_child(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW)
        assert screened.score == 6  # the hub's grade counts it
        assert [i["category"] for i in screened.indicators] == ["going_missing"]
        assert "Synthetic restricted" not in json.dumps(screened.indicators)
        assert any("1 indicator is withheld" in o for o in screened.overrides)
        status.set_status(
            session, mash, child.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        (seen,) = risk.screening_history(session, school, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert [i["category"] for i in seen.indicators] == ["going_missing"]
    with transaction(sessions) as session:
        (stored,) = session.scalars(select(RiskScreening).where(RiskScreening.child_id == child.id))
        assert {i["category"] for i in stored.indicators} == {"going_missing", "trafficking_intelligence"}


def test_a_screening_does_not_show_a_concern_a_later_correction_moved_into_a_restricted_category(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, mash = who(session, cast.school), who(session, cast.mash)
        child = make_child(session, school, date_of_birth=AGED_15)
        moved = record(session, mash, child.id, "drugs_or_alcohol", at(2026, 3, 1))
        record(session, school, child.id, "going_missing", at(2026, 3, 2))
        status.set_status(
            session, mash, child.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        risk.screen_child(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW)
        (before,) = risk.screening_history(session, school, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert {i["category"] for i in before.indicators} == {"drugs_or_alcohol", "going_missing"}
        concerns.correct_concern(
            session,
            mash,
            moved.id,
            ConcernInput(category_code="police_intelligence", occurred_at=moved.occurred_at, summary="Intel"),
            "This is police intelligence",
            NO_CONTEXT,
            now=NOW,
        )
        # The old screening is history (unchanged), but the lead professional no longer sees that indicator.
        (after,) = risk.screening_history(session, school, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert [i["category"] for i in after.indicators] == ["going_missing"]
        assert any("1 indicator is withheld" in o for o in after.overrides)
        (whole,) = risk.screening_history(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert {i["category"] for i in whole.indicators} == {"drugs_or_alcohol", "going_missing"}


def test_an_indicator_resting_partly_on_a_concern_a_correction_hid_is_withheld_whole(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    """An indicator's date, currency and points come from its latest concern: when that concern is later
    corrected into a restricted category, dropping only its id would still show its date. The whole
    indicator is withheld, with the note, and the date appears nowhere in what the lead professional sees."""
    with transaction(sessions) as session:
        school, mash = who(session, cast.school), who(session, cast.mash)
        child = make_child(session, school, date_of_birth=AGED_15)
        record(session, school, child.id, "going_missing", at(2026, 1, 5))
        later = record(session, mash, child.id, "going_missing", at(2026, 3, 8))
        status.set_status(
            session, mash, child.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        risk.screen_child(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT, now=NOW)
        concerns.correct_concern(
            session,
            mash,
            later.id,
            ConcernInput(category_code="police_intelligence", occurred_at=later.occurred_at, summary="Intel"),
            "This is police intelligence",
            NO_CONTEXT,
            now=NOW,
        )
        (seen,) = risk.screening_history(session, school, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert seen.indicators == []
        assert "2026-03-08" not in json.dumps(seen.indicators)
        assert str(later.id) not in json.dumps(seen.indicators)
        assert any("1 indicator is withheld" in o for o in seen.overrides)
        (whole,) = risk.screening_history(session, mash, child.id, purpose=PURPOSE, context=NO_CONTEXT)
        (indicator,) = whole.indicators
        assert indicator["latest"].startswith("2026-03-08")
        assert not any("withheld" in o for o in whole.overrides)
