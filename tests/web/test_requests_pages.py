"""Requests for details through the pages: ask from a screening, the holder answers once, inbox with due and
overdue, withdraw, bad input with field errors and nothing written, and no one else sees the request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from openmash.register import requests
from openmash.register.models import DetailsRequest, Notice
from openmash.register.workdays import add_working_days, uk_today
from tests.conftest import count_rows
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import make_licensed_driver, principal_for
from tests.support.web import csrf_from, post_form, sign_in


@dataclass
class Pair:
    person_id: uuid.UUID
    licence_id: uuid.UUID
    own_licence_id: uuid.UUID
    asker: UserLogin
    holder: UserLogin
    third: UserLogin


@pytest.fixture
def pair(sessions: sessionmaker[Session], settings: Settings) -> Pair:
    with transaction(sessions) as session:
        asker = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Asking test council")
        holder = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Holding test council")
        third = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Third test council")
        licence = make_licensed_driver(
            session,
            holder,
            ref="H-1",
            surname="Kowalski",
            forenames="Piotr",
            events=[("granted", date(2020, 1, 6), None), ("revoked", date(2025, 6, 2), "violence")],
        )
        own = make_licensed_driver(
            session, asker, ref="A-7", person=licence.person, events=[("applied", date(2026, 11, 2), None)]
        )
        ids = (licence.person_id, licence.id, own.id, asker.id, holder.id, third.id)
    return Pair(
        ids[0],
        ids[1],
        ids[2],
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[3]),
        make_user(sessions, settings, [Role.LICENSING_MANAGER], agency_id=ids[4]),
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[5]),
    )


def test_ask_answer_once_and_read_the_answer(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, pair: Pair, browsers: object
) -> None:
    sign_in(client, sessions, pair.asker)
    form = f"/register/licences/{pair.licence_id}/requests/new?purpose=PH/2026/0412"
    page = client.get(form)
    assert page.status_code == 200
    assert "Request details from Holding test council" in page.text
    assert 'value="PH/2026/0412"' in page.text  # the screening purpose, prefilled
    assert "within 20 working days" in page.text
    sent = post_form(
        client,
        form,
        f"/register/licences/{pair.licence_id}/requests/new",
        {"application_reference": "PH/2026/0412", "question": "What lay behind the revocation?"},
    )
    assert sent.status_code == 303  # type: ignore[attr-defined]
    location = sent.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/register/requests/")
    assert location.endswith("?done=sent")
    request_page = client.get(location)
    due = add_working_days(uk_today(), settings.details_request_working_days)
    assert "Request sent" in request_page.text
    assert f"{due.day} {due:%B %Y}" in request_page.text
    assert "Withdraw the request" in request_page.text
    assert "Send the answer" not in request_page.text
    request_path = location.split("?")[0]

    holder = browsers(pair.holder)  # type: ignore[operator]
    inbox = holder.get("/register/requests")
    assert "Asking test council" in inbox.text
    assert "Piotr Kowalski, licence H-1" in inbox.text
    assert "Notices (1<span" in inbox.text
    shown = holder.get(request_path)
    assert "What lay behind the revocation?" in shown.text
    assert "Withdraw the request" not in shown.text
    empty = holder.post(
        f"{request_path}/answer",
        data={"csrf_token": csrf_from(shown.text), "answer": " "},
        follow_redirects=False,
    )
    assert empty.status_code == 400
    assert 'href="#answer"' in empty.text
    answered = holder.post(
        f"{request_path}/answer",
        data={"csrf_token": csrf_from(shown.text), "answer": "Assault on a passenger, conviction 2025"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    again = holder.post(
        f"{request_path}/answer",
        data={"csrf_token": csrf_from(shown.text), "answer": "twice"},
        follow_redirects=False,
    )
    assert again.status_code == 409
    assert "already been answered" in again.text

    final = client.get(request_path)
    assert "Assault on a passenger, conviction 2025" in final.text
    assert "for application PH/2026/0412 only" in final.text
    assert "twice" not in final.text
    assert "Notices (1<span" in client.get("/register/requests").text  # the answer is noticed
    third = browsers(pair.third)  # type: ignore[operator]
    assert third.get(request_path).status_code == 403
    with transaction(sessions) as session:
        actions = set(session.scalars(select(AuditRecord.action)))
        assert {"register.request.create", "register.request.view", "register.request.answer"} <= actions


def test_bad_input_shows_field_errors_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session], pair: Pair
) -> None:
    sign_in(client, sessions, pair.asker)
    form = f"/register/licences/{pair.licence_id}/requests/new"
    response = post_form(client, form, form, {"application_reference": "", "question": ""})
    assert response.status_code == 400  # type: ignore[attr-defined]
    for anchor in ("#application_reference", "#question"):
        assert f'href="{anchor}"' in response.text, anchor  # type: ignore[attr-defined]
    assert count_rows(sessions, DetailsRequest) == 0
    assert count_rows(sessions, Notice) == 0
    own = client.get(f"/register/licences/{pair.own_licence_id}/requests/new")
    assert own.status_code == 422
    assert "your own authority" in own.text
    assert client.get(f"/register/licences/{uuid.uuid4()}/requests/new").status_code == 404


def test_the_inbox_highlights_overdue_requests_and_the_asker_withdraws(
    client: TestClient, sessions: sessionmaker[Session], pair: Pair, browsers: object
) -> None:
    with transaction(sessions) as session:
        late = requests.request_details(
            session,
            principal_for(session, pair.asker),
            pair.licence_id,
            application_reference="PH/2026/0001",
            question="Reasons?",
            working_days=20,
            context=NO_CONTEXT,
            today=date(2026, 1, 5),
        ).id
    sign_in(client, sessions, pair.holder)
    inbox = client.get("/register/requests")
    assert "Overdue" in inbox.text
    assert "1 request to your authority is overdue." in inbox.text
    assert "2 February 2026" in inbox.text
    asker = browsers(pair.asker)  # type: ignore[operator]
    page = asker.get(f"/register/requests/{late}")
    withdrawn = asker.post(
        f"/register/requests/{late}/withdraw",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    assert "Request withdrawn" in asker.get(withdrawn.headers["location"]).text
    again = asker.post(
        f"/register/requests/{late}/withdraw",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert again.status_code == 409
    after = client.get("/register/requests")
    assert "Overdue" not in after.text
    assert "Withdrawn" in after.text
    # The holder cannot withdraw the asker's request.
    holder_page = client.get(f"/register/requests/{late}")
    assert (
        client.post(
            f"/register/requests/{late}/withdraw",
            data={"csrf_token": csrf_from(holder_page.text)},
            follow_redirects=False,
        ).status_code
        == 403
    )
