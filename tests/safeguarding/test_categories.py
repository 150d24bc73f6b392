"""The taxonomy of concerns: seeded with the published CSE indicators, kept by the national administrator, and
never overwritten by a later seed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, PermissionDenied, ValidationFailed
from openmash.identity.permissions import AgencyType, Role
from openmash.safeguarding import categories
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import who


@pytest.fixture
def national_admin(sessions: sessionmaker[Session], settings: Settings) -> UserLogin:
    return make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)


def test_the_seed_holds_every_published_indicator_with_its_kind_and_points(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        assert categories.seed_default_categories(session) == len(categories.DEFAULT_CATEGORIES)
        found = {c.code: c for c in categories.list_categories(session)}
    kinds = {
        kind: sorted(c.code for c in found.values() if c.indicator_kind == kind)
        for kind in categories.IndicatorKind
    }
    assert len(kinds["vulnerability"]) == 8
    assert len(kinds["moderate"]) == 11
    assert len(kinds["significant"]) == 7
    assert {c.weight for c in found.values() if c.indicator_kind == "significant"} == {5}
    assert {c.weight for c in found.values() if c.indicator_kind in ("vulnerability", "moderate")} == {1}
    assert found["picked_up_by_taxi_or_car"].asks_for_vehicle
    assert found["police_intelligence"].restricted_roles == {
        "police_analyst",
        "mash_practitioner",
        "mash_manager",
    }


def test_seeding_again_adds_nothing_and_keeps_the_administrators_changes(
    sessions: sessionmaker[Session], national_admin: UserLogin
) -> None:
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
        categories.save_category(
            session,
            who(session, national_admin),
            code="going_missing",
            label="Missing from home or care",
            indicator_kind="moderate",
            weight=2,
            create=False,
            context=NO_CONTEXT,
        )
    with transaction(sessions) as session:
        assert categories.seed_default_categories(session) == 0
        kept = categories.get_category(session, "going_missing")
        assert (kept.label, kept.weight) == ("Missing from home or care", 2)


def test_an_administrator_adds_a_restricted_category(
    sessions: sessionmaker[Session], national_admin: UserLogin
) -> None:
    with transaction(sessions) as session:
        admin = who(session, national_admin)
        added = categories.save_category(
            session,
            admin,
            code="sexual_health_clinic",
            label="Sexual health clinic attendance",
            indicator_kind="other",
            restricted_to_roles=["health_practitioner", "mash_manager"],
            create=True,
            context=NO_CONTEXT,
        )
        assert added.restricted_roles == {"health_practitioner", "mash_manager"}
        assert added.weight == 0
        with pytest.raises(Conflict):
            categories.save_category(
                session,
                admin,
                code="sexual_health_clinic",
                label="Again",
                indicator_kind="other",
                create=True,
                context=NO_CONTEXT,
            )
        with pytest.raises(ValidationFailed) as failed:
            categories.save_category(
                session,
                admin,
                code="x",
                label="X",
                indicator_kind="serious",
                restricted_to_roles=["wizard"],
                create=True,
                context=NO_CONTEXT,
            )
        assert "indicator_kind" in failed.value.fields


def test_only_the_national_administrator_changes_the_taxonomy(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    local_admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    manager = make_user(sessions, settings, [Role.MASH_MANAGER])
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
        for login in (local_admin, manager):
            with pytest.raises(PermissionDenied):
                categories.save_category(
                    session,
                    who(session, login),
                    code="going_missing",
                    label="Missing",
                    indicator_kind="moderate",
                    create=False,
                    context=NO_CONTEXT,
                )
