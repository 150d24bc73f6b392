"""Alert rules are data: seeded once without undoing an administrator's change, changed only by the national
administrator, with parameters checked, and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.models import AlertRule
from openmash.alerts.rules import DEFAULT_RULES, parameter
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, ValidationFailed
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import who


@pytest.fixture
def national(sessions: sessionmaker[Session], settings: Settings) -> UserLogin:
    return make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)


def test_seeding_is_idempotent_and_keeps_an_administrators_change(
    sessions: sessionmaker[Session], national: UserLogin
) -> None:
    with transaction(sessions) as session:
        assert alerts.seed_default_rules(session) == len(DEFAULT_RULES)
        admin = who(session, national)
        alerts.update_rule(
            session, admin, "repeat_low_level", enabled=True, parameters={"count": 4}, context=NO_CONTEXT
        )
        assert alerts.seed_default_rules(session) == 0
        rule = session.scalars(select(AlertRule).where(AlertRule.code == "repeat_low_level")).one()
        assert parameter(rule, "count") == 4
        assert parameter(rule, "window_days") == 30  # left out: the default
        audited = session.scalars(select(AuditRecord).where(AuditRecord.action == "alerts.rule.update")).one()
        assert '"count":4' in audited.details


def test_parameters_are_checked(sessions: sessionmaker[Session], national: UserLogin) -> None:
    with transaction(sessions) as session:
        alerts.seed_default_rules(session)
        admin = who(session, national)
        with pytest.raises(ValidationFailed) as failed:
            alerts.update_rule(
                session,
                admin,
                "shared_entity",
                enabled=True,
                parameters={"min_children": 1, "kinds": ["spaceship"], "colour": "red"},
                context=NO_CONTEXT,
            )
        assert set(failed.value.fields) == {"min_children", "kinds", "colour"}
        with pytest.raises(ValidationFailed):
            alerts.update_rule(
                session,
                admin,
                "risk_threshold",
                enabled=True,
                parameters={"band": "extreme"},
                context=NO_CONTEXT,
            )


def test_only_the_national_administrator_changes_rules(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    local = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    mash = make_user(sessions, settings, [Role.MASH_MANAGER])
    with transaction(sessions) as session:
        alerts.seed_default_rules(session)
        for login in (local, mash):
            with pytest.raises(PermissionDenied):
                alerts.update_rule(
                    session,
                    who(session, login),
                    "risk_threshold",
                    enabled=False,
                    parameters={},
                    context=NO_CONTEXT,
                )
        assert len(alerts.list_rules(session, who(session, mash))) == len(DEFAULT_RULES)
