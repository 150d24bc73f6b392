"""The API for missing episodes, triage and requests for help as agencies' case systems use it: a missing
report and return with the interview due 72 hours later, the interview with the child's account verbatim,
what police were sent, a concern sent to the MASH and the queue, a request for help with the child's words
verbatim and the lists, need-to-know and uniform errors. The tokens are real: every permission they carry is
one their agency may give a token (``identity.permissions.TOKEN_GRANTABLE``, docs/decisions/0009); the MASH
managers' list of escalated requests is not, so no token reads it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity import tokens
from openmash.identity.models import ApiToken
from openmash.identity.permissions import AgencyType, Permission
from openmash.safeguarding import categories, help_requests
from openmash.safeguarding.models_care import HelpRequest, ReturnInterview
from tests.api.test_api import error_of
from tests.support.factories import make_agency

CARE = [
    Permission.CHILDREN_SEARCH,
    Permission.CHILDREN_RECORD,
    Permission.CONCERNS_RECORD,
    Permission.CHRONOLOGY_READ,
    Permission.MISSING_RECORD,
    Permission.CONTACTS_REFER,
    Permission.HELP_RECORD,
    Permission.HELP_ANSWER,
]
MASH_ONLY = [
    Permission.INTERVIEWS_RECORD,
    Permission.PHILOMENA_KEEP,
    Permission.TRIAGE_READ,
]
WORDS = "  i dont want to go back there.\nplease  "


class Key:
    def __init__(self, headers: dict[str, str], agency_id: uuid.UUID) -> None:
        self.headers = headers
        self.agency_id = agency_id


def _key(
    sessions: sessionmaker[Session],
    settings: Settings,
    agency_type: AgencyType,
    also: tuple[Permission, ...] = (),
    *,
    agency_id: uuid.UUID | None = None,
) -> Key:
    """A real token of a new agency of this type (or of ``agency_id``) for its case system."""
    extra = MASH_ONLY if agency_type is AgencyType.CHILDRENS_SOCIAL_CARE else []
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
        agency_id = agency_id or make_agency(session, agency_type).id
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency_id,
            name="case system",
            permissions=[p.value for p in [*CARE, *extra, *also]],
            days=30,
            context=NO_CONTEXT,
        )
        return Key({"Authorization": f"Bearer {made.plaintext}"}, agency_id)


@pytest.fixture
def school(sessions: sessionmaker[Session], settings: Settings) -> Key:
    return _key(sessions, settings, AgencyType.SCHOOL)


@pytest.fixture
def mash(sessions: sessionmaker[Session], settings: Settings) -> Key:
    return _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE)


@pytest.fixture
def health(sessions: sessionmaker[Session], settings: Settings) -> Key:
    return _key(sessions, settings, AgencyType.HEALTH)


def _ago(**kw: float) -> str:
    return (utcnow() - timedelta(**kw)).isoformat()


def _child(client: TestClient, key: Key) -> str:
    made = client.post(
        "/api/v1/children",
        headers=key.headers,
        json={"surname": "Whitfield", "forenames": "Kayleigh", "date_of_birth": "2011-04-09"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_missing_report_and_return_fix_the_interview_due_72_hours_later_on_the_mashs_list(
    client: TestClient, sessions: sessionmaker[Session], school: Key, mash: Key, health: Key
) -> None:
    child_id = _child(client, school)
    reported = client.post(
        f"/api/v1/children/{child_id}/missing-episodes",
        headers=school.headers,
        json={
            "missing_since": _ago(days=5),
            "last_seen_where": "Bus station",
            "circumstances": "Did not come home",
            "mash_agency_id": str(mash.agency_id),
        },
    )
    assert reported.status_code == 201, reported.text
    episode_id = reported.json()["id"]
    again = client.post(
        f"/api/v1/children/{child_id}/missing-episodes",
        headers=school.headers,
        json={"missing_since": _ago(days=4), "last_seen_where": "x", "circumstances": "y"},
    )
    error_of(again, 422, "validation_failed")  # a school names the MASH
    back = client.post(
        f"/api/v1/missing-episodes/{episode_id}/return",
        headers=school.headers,
        json={
            "returned_at": _ago(days=4),
            "how": "found",
            "found_where": "A flat",
            "vehicle_registration": "kx19 txa",
        },
    )
    assert back.status_code == 201, back.text
    assert back.json()["vehicle_registration"] == "KX19TXA"
    due = client.get("/api/v1/return-interviews", headers=mash.headers)
    assert due.status_code == 200, due.text
    assert [(d["episode_id"], d["overdue"]) for d in due.json()] == [(episode_id, True)]
    assert client.get("/api/v1/return-interviews", headers=health.headers).json() == []
    # The school reported it but the MASH records the interview.
    body = {
        "outcome": "completed",
        "interviewer": "Independent advocate",
        "held_at": _ago(hours=1),
        "childs_account": WORDS,
    }
    refused = client.post(
        f"/api/v1/missing-episodes/{episode_id}/interviews", headers=school.headers, json=body
    )
    error_of(refused, 403, "forbidden")
    done = client.post(f"/api/v1/missing-episodes/{episode_id}/interviews", headers=mash.headers, json=body)
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "completed_late"
    with transaction(sessions) as session:
        assert session.scalars(select(ReturnInterview.childs_account)).one() == WORDS
    assert client.get("/api/v1/return-interviews", headers=mash.headers).json() == []


def test_a_school_system_cannot_read_the_triage_queue_but_sends_its_concern_which_the_mash_sees(
    client: TestClient, school: Key, mash: Key
) -> None:
    error_of(client.get("/api/v1/triage/contacts", headers=school.headers), 403, "forbidden")
    child_id = _child(client, school)
    concern = client.post(
        f"/api/v1/children/{child_id}/concerns",
        headers=school.headers,
        json={"category": "going_missing", "occurred_at": _ago(days=1), "summary": "Out all night"},
    )
    assert concern.status_code == 201, concern.text
    path = f"/api/v1/concerns/{concern.json()['id']}/mash-contacts"
    sent = client.post(path, headers=school.headers, json={"mash_agency_id": str(mash.agency_id)})
    assert sent.status_code == 201, sent.text
    error_of(
        client.post(path, headers=school.headers, json={"mash_agency_id": str(mash.agency_id)}),
        409,
        "conflict",
    )
    queue = client.get("/api/v1/triage/contacts", headers=mash.headers).json()
    assert [(q["child_id"], q["grade"]) for q in queue] == [(child_id, None)]


def test_a_request_for_help_keeps_the_childs_words_and_the_escalated_list_is_for_mash_managers_not_tokens(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, school: Key, mash: Key
) -> None:
    child_id = _child(client, school)
    made = client.post(
        f"/api/v1/children/{child_id}/help-requests",
        headers=school.headers,
        json={
            "asked_at": _ago(days=12),
            "told_to": "The school nurse",
            "childs_words": WORDS,
            "mash_agency_id": str(mash.agency_id),
        },
    )
    assert made.status_code == 201, made.text
    with transaction(sessions) as session:
        assert session.scalars(select(HelpRequest.childs_words)).one() == WORDS
    listed = client.get("/api/v1/help-requests", headers=school.headers).json()
    assert [(r["id"], r["overdue"], r["escalated"]) for r in listed] == [(made.json()["id"], True, False)]
    with transaction(sessions) as session:
        help_requests.escalate_overdue(session)
    mine = client.get("/api/v1/help-requests", headers=mash.headers).json()
    assert [(r["id"], r["escalated"], r["childs_words"]) for r in mine] == [(made.json()["id"], True, WORDS)]
    # The escalated list puts an unanswered child in front of a MASH manager, a person: no token holds it,
    # not even one whose row was given it before it was decided.
    error_of(client.get("/api/v1/help-requests/escalated", headers=mash.headers), 403, "forbidden")
    with pytest.raises(ValidationFailed) as refused:
        _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, (Permission.HELP_ESCALATIONS,))
    assert "permissions" in refused.value.fields
    with transaction(sessions) as session:
        for row in session.scalars(select(ApiToken).where(ApiToken.agency_id == mash.agency_id)):
            row.permissions += f" {Permission.HELP_ESCALATIONS.value}"
    error_of(client.get("/api/v1/help-requests/escalated", headers=mash.headers), 403, "forbidden")


def test_bad_input_gets_the_uniform_error_and_no_record(client: TestClient, school: Key) -> None:
    child_id = _child(client, school)
    bad = client.post(
        f"/api/v1/children/{child_id}/help-requests",
        headers=school.headers,
        json={"asked_at": "yesterday", "told_to": "x", "childs_words": "y", "extra": 1},
    )
    error_of(bad, 422, "validation_failed")
    missing_child = client.post(
        f"/api/v1/children/{uuid.uuid4()}/help-requests",
        headers=school.headers,
        json={"asked_at": _ago(hours=1), "told_to": "x", "childs_words": "y"},
    )
    error_of(missing_child, 404, "not_found")
