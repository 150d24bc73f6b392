"""The alerts API as a MASH's case system uses it with a real token: the alerts addressed to its MASH (by
status, a page at a time), one alert with the records that fired it (no driver: a token does not read the
network), marking it seen with the token named in the history; another MASH's system sees none of them (404,
as the web inbox answers); every list and read is audited with the inbox's purpose; a token without the
permission, or of an agency that may not give it, is refused; there is no route to close an alert.

A token reads exactly its MASH's alerts, never one addressed to a person (a lead professional), even when
the lead is one of its own MASH's users; a list names in its audit only the alerts of the page returned
(docs/decisions/0009).
"""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.inbox import PURPOSE
from openmash.alerts.models import Alert, AlertChild, AlertEvent, AlertRecipient
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, ValidationFailed
from openmash.identity import tokens
from openmash.identity.models import ApiToken
from openmash.identity.permissions import Permission, Role
from openmash.identity.principal import principal_for_token
from openmash.safeguarding import status
from openmash.safeguarding.status import ChildStatus
from tests.api.test_api import error_of
from tests.support.factories import make_user
from tests.support.gate import DRIVER_SURNAME, three_children_one_car
from tests.support.safeguarding import NOW, Cast, make_cast, who

ROUTES = [("GET", "/api/v1/alerts"), ("GET", "/api/v1/alerts/{id}"), ("POST", "/api/v1/alerts/{id}/seen")]


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def alert_id(sessions: sessionmaker[Session], cast: Cast) -> uuid.UUID:
    """The network alert of three children picked up by one car, addressed to the cast's MASH."""
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        for child_id in children:
            alerts.evaluate_child(session, child_id, NOW)
        alert = session.scalars(select(Alert).where(Alert.rule_code == "shared_entity")).one()
        return alert.id


def _key(
    sessions: sessionmaker[Session], settings: Settings, agency_id: object, granted: list[Permission]
) -> dict[str, str]:
    with transaction(sessions) as session:
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency_id,  # type: ignore[arg-type]
            name="MASH case system",
            permissions=[p.value for p in granted],
            days=30,
            context=NO_CONTEXT,
        )
    return {"Authorization": f"Bearer {made.plaintext}"}


def _mashs_alerts(sessions: sessionmaker[Session], agency_id: object) -> set[str]:
    with transaction(sessions) as session:
        return {
            str(a)
            for a in session.scalars(
                select(AlertRecipient.alert_id).where(AlertRecipient.agency_id == agency_id)
            )
        }


def _call(client: TestClient, method: str, path: str, alert_id: object, headers: dict[str, str]) -> object:
    url = path.replace("{id}", str(alert_id))
    return client.get(url, headers=headers) if method == "GET" else client.post(url, headers=headers)


def _audited(sessions: sessionmaker[Session], action: str) -> list[AuditRecord]:
    with transaction(sessions) as session:
        return list(
            session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq))
        )


def test_a_mashs_system_lists_its_alerts_by_status_a_page_at_a_time_and_the_list_is_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])
    addressed = _mashs_alerts(sessions, cast.mash.agency_id)
    assert str(alert_id) in addressed
    listed = client.get("/api/v1/alerts", headers=key)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == len(addressed)
    assert {a["id"] for a in body["alerts"]} == addressed
    mine = next(a for a in body["alerts"] if a["id"] == str(alert_id))
    assert mine["status"] == "new"
    assert len(mine["children"]) + mine["other_children"] == 3
    assert client.get("/api/v1/alerts", headers=key, params={"status": "closed"}).json() == {
        "total": 0,
        "alerts": [],
    }
    paged = client.get("/api/v1/alerts", headers=key, params={"limit": 1, "offset": len(addressed)}).json()
    assert paged == {"total": len(addressed), "alerts": []}
    first = client.get("/api/v1/alerts", headers=key, params={"limit": 1}).json()
    assert len(first["alerts"]) == 1
    error_of(client.get("/api/v1/alerts", headers=key, params={"status": "open"}), 422, "validation_failed")
    audited = _audited(sessions, "alerts.list")
    assert audited
    assert {r.purpose for r in audited} == {PURPOSE}
    assert all(r.actor_label == "token:MASH case system" for r in audited)
    assert str(alert_id) in json.loads(audited[0].details)["alerts"]


def test_a_mashs_system_reads_an_alert_with_its_records_but_never_the_driver_and_the_read_is_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])
    read = client.get(f"/api/v1/alerts/{alert_id}", headers=key)
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["alert"]["id"] == str(alert_id)
    assert {r["record_kind"] for r in body["records"]} >= {"concern", "gate_sighting"}
    assert body["may_change_status"] is True
    # The drivers behind the car are for those who read the network, which no token does.
    assert body["drivers"] == []
    assert "drivers" not in body["details"]
    assert DRIVER_SURNAME not in read.text
    (audited,) = _audited(sessions, "alerts.alert.read")
    assert audited.purpose == PURPOSE
    assert audited.object_id == str(alert_id)
    assert audited.actor_label == "token:MASH case system"
    assert len(json.loads(audited.details)["records"]) == len(body["records"])


def test_a_mashs_system_marks_an_alert_seen_and_the_history_names_the_system(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])
    seen = client.post(f"/api/v1/alerts/{alert_id}/seen", headers=key)
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "seen"
    assert seen.json()["status_by"] == "token:MASH case system"
    again = client.post(f"/api/v1/alerts/{alert_id}/seen", headers=key)
    assert again.json()["status_at"] == seen.json()["status_at"]  # not new any more: nothing changes
    with transaction(sessions) as session:
        (event,) = session.scalars(
            select(AlertEvent).where(AlertEvent.alert_id == alert_id, AlertEvent.kind == "seen")
        )
        assert (event.by, event.by_user_id) == ("token:MASH case system", None)
    assert len(_audited(sessions, "alerts.alert.seen")) == 1


def test_another_mashs_system_sees_none_of_them_and_gets_404_as_the_web_does(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    other = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    key = _key(sessions, settings, other.agency_id, [Permission.ALERTS_READ])
    listed = client.get("/api/v1/alerts", headers=key, params={"status": ["new", "seen", "closed"]})
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"total": 0, "alerts": []}
    for path in ("/api/v1/alerts/{id}", "/api/v1/alerts/{id}/seen"):
        for which in (alert_id, uuid.uuid4()):
            method = "POST" if path.endswith("seen") else "GET"
            error_of(_call(client, method, path, which, key), 404, "not_found")
    with transaction(sessions) as session:
        assert session.get(Alert, alert_id).status == "new"  # type: ignore[union-attr]
    assert _audited(sessions, "alerts.alert.read") == []


def test_a_token_without_the_permission_is_refused_and_the_refusal_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.CHRONOLOGY_READ])
    for method, path in ROUTES:
        before = len(_audited(sessions, "access.denied"))
        error_of(_call(client, method, path, alert_id, key), 403, "forbidden")
        assert len(_audited(sessions, "access.denied")) == before + 1
    assert _audited(sessions, "alerts.list") == _audited(sessions, "alerts.alert.read") == []
    with transaction(sessions) as session:
        assert session.get(Alert, alert_id).status == "new"  # type: ignore[union-attr]


def test_a_schools_token_whose_row_names_alerts_is_refused(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    """A school's alerts are its lead professionals', as named people: no school token reads alerts, even
    one whose row was edited to say so."""
    key = _key(sessions, settings, cast.school.agency_id, [Permission.CHRONOLOGY_READ])
    with transaction(sessions) as session:
        for row in session.scalars(select(ApiToken).where(ApiToken.agency_id == cast.school.agency_id)):
            row.permissions += f" {Permission.ALERTS_READ.value}"
    for method, path in ROUTES:
        error_of(_call(client, method, path, alert_id, key), 403, "forbidden")


def test_only_a_mash_may_give_its_system_the_alerts(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    for login in (cast.school, cast.home, cast.police, cast.health):
        with pytest.raises(ValidationFailed):
            _key(sessions, settings, login.agency_id, [Permission.ALERTS_READ])
    assert _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])


def test_there_is_no_route_to_close_an_alert(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {p for p in paths if p.startswith("/api/v1/alerts")} == {
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}",
        "/api/v1/alerts/{alert_id}/seen",
    }
    assert set(paths["/api/v1/alerts/{alert_id}/seen"]) == {"post"}
    assert set(paths["/api/v1/alerts"]) == set(paths["/api/v1/alerts/{alert_id}"]) == {"get"}


def test_a_page_of_the_list_is_audited_with_the_alerts_of_that_page_only(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])
    addressed = _mashs_alerts(sessions, cast.mash.agency_id)
    assert len(addressed) == 2  # the network alert and the flagged driver's gate alert
    pages = [
        client.get("/api/v1/alerts", headers=key, params={"limit": 1, "offset": offset}).json()
        for offset in (0, 1)
    ]
    assert [p["total"] for p in pages] == [2, 2]
    assert {p["alerts"][0]["id"] for p in pages} == addressed
    audited = [json.loads(r.details) for r in _audited(sessions, "alerts.list")]
    assert [a["alerts"] for a in audited] == [[p["alerts"][0]["id"]] for p in pages]
    assert [(a["total"], a["limit"], a["offset"]) for a in audited] == [(2, 1, 0), (2, 1, 1)]


def test_a_mashs_system_never_reads_an_alert_addressed_to_a_lead_professional_of_its_mash(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    """A MASH's user who is a child's lead professional reads the alert addressed to them by name; their
    MASH's system, not addressed, does not: a token is nobody's lead professional."""
    lead = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    assert lead.agency_id != cast.mash.agency_id
    with transaction(sessions) as session:
        child_id = session.scalars(select(AlertChild.child_id).where(AlertChild.alert_id == alert_id)).first()
        assert child_id is not None
        status.set_status(
            session,
            who(session, cast.mash),
            child_id,
            ChildStatus(lead_professional_user_id=lead.id),
            NO_CONTEXT,
        )
        session.add(AlertRecipient(alert_id=alert_id, user_id=lead.id))  # as the engine addresses a lead
    with transaction(sessions) as session:
        assert alert_id in {a.id for a in alerts.alerts_for(session, who(session, lead))}
    key = _key(sessions, settings, lead.agency_id, [Permission.ALERTS_READ])
    listed = client.get("/api/v1/alerts", headers=key, params={"status": ["new", "seen", "closed"]})
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"total": 0, "alerts": []}
    error_of(client.get(f"/api/v1/alerts/{alert_id}", headers=key), 404, "not_found")
    error_of(client.post(f"/api/v1/alerts/{alert_id}/seen", headers=key), 404, "not_found")


def test_a_token_never_closes_an_alert_even_through_the_service(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, alert_id: uuid.UUID
) -> None:
    key = _key(sessions, settings, cast.mash.agency_id, [Permission.ALERTS_READ])
    with transaction(sessions) as session:
        found = tokens.authenticate(session, key["Authorization"].removeprefix("Bearer "))
        assert found is not None
        system = principal_for_token(found)
        with pytest.raises(PermissionDenied, match="named person"):
            alerts.close_alert(session, system, alert_id, "Done in our system", NO_CONTEXT, now=NOW)
        assert session.get(Alert, alert_id).status == "new"  # type: ignore[union-attr]
