"""The children API's limits on what an agency's system may say: a MASH's token may screen a child for risk
(``RISK_SCREEN`` is grantable), but professional judgement is a named person's and is refused from a token,
with nothing stored (docs/decisions/0009)."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity import tokens
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import principal_for_token
from openmash.safeguarding import risk
from openmash.safeguarding.models import RiskScreening
from tests.api.test_api import error_of
from tests.api.test_safeguarding_api import _child, _key, _recent
from tests.conftest import count_rows

PURPOSE = {"purpose": "Screening after a strategy discussion"}


@pytest.fixture
def school(sessions: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    return _key(sessions, settings, AgencyType.SCHOOL)


@pytest.fixture
def mash(sessions: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    return _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, [Permission.RISK_SCREEN])


def test_a_token_screens_a_child_but_may_not_give_professional_judgement(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str], mash: dict[str, str]
) -> None:
    child_id = _child(client, school)
    client.post(
        f"/api/v1/children/{child_id}/concerns",
        headers=school,
        json={"category": "going_missing", "occurred_at": _recent(), "summary": "Synthetic"},
    )
    url = f"/api/v1/children/{child_id}/risk-screenings"
    for judgement in (
        {"judgement_band": "significant", "judgement_reasons": "I know this family"},
        {"judgement_band": "significant"},
        {"judgement_reasons": "Reasons without a grade"},
    ):
        refused = error_of(
            client.post(url, headers=mash, params=PURPOSE, json=judgement), 422, "validation_failed"
        )
        assert "named person" in refused["fields"]["judgement_band"]
    assert count_rows(sessions, RiskScreening) == 0
    screened = client.post(url, headers=mash, params=PURPOSE, json={})
    assert screened.status_code == 201, screened.text
    assert screened.json()["judgement_band"] is None


def test_the_service_refuses_judgement_from_a_token(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str], mash: dict[str, str]
) -> None:
    child_id = _child(client, school)
    with transaction(sessions) as session:
        found = tokens.authenticate(session, mash["Authorization"].removeprefix("Bearer "))
        assert found is not None
        system = principal_for_token(found)
        with pytest.raises(ValidationFailed) as refused:
            risk.screen_child(
                session,
                system,
                uuid.UUID(child_id),
                purpose=PURPOSE["purpose"],
                context=NO_CONTEXT,
                judgement_band="significant",
                judgement_reasons="Worried",
            )
        assert set(refused.value.fields) == {"judgement_band"}
