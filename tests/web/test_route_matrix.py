"""Every route of the app, for every role: allowed or denied exactly as this table says.

The table is written by hand, apart from the code: a new route fails here until someone decides who may use
it, and a route whose dependency does not enforce its rule fails when the requests are made.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.http.auth import AccessRule
from openmash.identity.permissions import AgencyType, Permission, Role
from tests.support.factories import make_user
from tests.support.web import csrf_from, sign_in

# Who may use each page: a set of "role@where" (where: national or local agency), or a special rule.
EVERYONE = "everyone signed in"
PUBLIC = "public"
SIGNING_IN = "part-way through sign-in"
ADMINS = {"admin@national", "admin@local"}
AUDITORS = {"auditor@national", "auditor@local"}
LICENSING = {"licensing_officer@local", "licensing_manager@local"}
REGISTER_USERS = LICENSING | {"police_analyst@local"}
MASH = {"mash_practitioner@local", "mash_manager@local"}
# Every agency that records about children (safeguarding.visibility narrows what each sees).
CHILD_USERS = MASH | {
    "police_analyst@local",
    "school_dsl@local",
    "home_manager@local",
    "health_practitioner@local",
}
GATE_USERS = {"school_dsl@local", "home_manager@local"}

WEB_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/sign-in/two-factor"): SIGNING_IN,
    ("POST", "/sign-in/two-factor"): SIGNING_IN,
    ("GET", "/sign-in/set-up-two-factor"): SIGNING_IN,
    ("POST", "/sign-in/set-up-two-factor"): SIGNING_IN,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/"): EVERYONE,
    ("GET", "/account"): EVERYONE,
    ("GET", "/account/password"): EVERYONE,
    ("POST", "/account/password"): EVERYONE,
    ("GET", "/admin/agencies"): {"admin@national"},
    ("GET", "/admin/agencies/new"): {"admin@national"},
    ("POST", "/admin/agencies/new"): {"admin@national"},
    ("GET", "/admin/users"): ADMINS,
    ("GET", "/admin/users/new"): ADMINS,
    ("POST", "/admin/users/new"): ADMINS,
    ("GET", "/admin/users/{user_id}"): ADMINS,
    ("POST", "/admin/users/{user_id}/roles"): ADMINS,
    ("POST", "/admin/users/{user_id}/reset-two-factor"): ADMINS,
    ("POST", "/admin/users/{user_id}/deactivate"): ADMINS,
    ("POST", "/admin/users/{user_id}/reactivate"): ADMINS,
    ("GET", "/admin/tokens"): ADMINS,
    ("GET", "/admin/tokens/new"): ADMINS,
    ("POST", "/admin/tokens/new"): ADMINS,
    ("POST", "/admin/tokens/{token_id}/revoke"): ADMINS,
    ("GET", "/register/vehicles"): {
        "licensing_officer@local",
        "licensing_manager@local",
        "mash_practitioner@local",
        "mash_manager@local",
        "police_analyst@local",
    },
    ("GET", "/register/screen"): {
        "licensing_officer@local",
        "licensing_manager@local",
        "police_analyst@local",
    },
    ("GET", "/register/import"): {"licensing_officer@local", "licensing_manager@local"},
    ("POST", "/register/import"): {"licensing_officer@local", "licensing_manager@local"},
    ("GET", "/register/export.csv"): {"licensing_officer@local", "licensing_manager@local"},
    # The person page, and recording a concern: licensing officers and police analysts (REGISTER_SEARCH;
    # the concern service also checks the agency is a licensing authority or a police force).
    ("GET", "/register/people/{person_id}"): REGISTER_USERS,
    ("GET", "/register/people/{person_id}/concerns/new"): REGISTER_USERS,
    ("POST", "/register/people/{person_id}/concerns/new"): REGISTER_USERS,
    # Decisions, requests for details and notices: licensing officers (REGISTER_RECORD).
    ("GET", "/register/licences/{licence_id}/decisions/new"): LICENSING,
    ("POST", "/register/licences/{licence_id}/decisions/new"): LICENSING,
    ("GET", "/register/licences/{licence_id}/requests/new"): LICENSING,
    ("POST", "/register/licences/{licence_id}/requests/new"): LICENSING,
    ("GET", "/register/requests"): LICENSING,
    ("GET", "/register/requests/{request_id}"): LICENSING,
    ("POST", "/register/requests/{request_id}/answer"): LICENSING,
    ("POST", "/register/requests/{request_id}/withdraw"): LICENSING,
    ("GET", "/register/notices"): LICENSING,
    ("POST", "/register/notices/{notice_id}/read"): LICENSING,
    ("GET", "/register/matches"): LICENSING,
    ("POST", "/register/matches/{proposal_id}/decision"): LICENSING,
    # The safeguarding hub: find or add a child, their record, concerns (never edited: corrections are new
    # entries), the chronology and risk screening (reading it: the services allow the MASH and the lead
    # professional only; screening: the MASH).
    ("GET", "/children"): CHILD_USERS,
    ("GET", "/children/new"): CHILD_USERS,
    ("POST", "/children/new"): CHILD_USERS,
    ("GET", "/children/{child_id}"): CHILD_USERS,
    ("GET", "/children/{child_id}/identifiers/new"): CHILD_USERS,
    ("POST", "/children/{child_id}/identifiers/new"): CHILD_USERS,
    ("GET", "/children/{child_id}/status"): MASH,
    ("POST", "/children/{child_id}/status"): MASH,
    ("GET", "/children/{child_id}/concerns/new"): CHILD_USERS,
    ("POST", "/children/{child_id}/concerns/new"): CHILD_USERS,
    ("GET", "/children/{child_id}/concerns/{concern_id}/correct"): CHILD_USERS,
    ("POST", "/children/{child_id}/concerns/{concern_id}/correct"): CHILD_USERS,
    # What a concern mentions: read by whoever may see the concern (CHRONOLOGY_READ), added by the recording
    # agency (CONCERNS_RECORD; the service narrows it to the agency and the latest version).
    ("GET", "/children/{child_id}/concerns/{concern_id}/mentions"): CHILD_USERS,
    ("POST", "/children/{child_id}/concerns/{concern_id}/mentions"): CHILD_USERS,
    ("GET", "/children/{child_id}/chronology"): CHILD_USERS,
    ("GET", "/children/{child_id}/chronology/print"): CHILD_USERS,
    ("GET", "/children/{child_id}/chronology.pdf"): CHILD_USERS,
    ("GET", "/children/{child_id}/risk"): CHILD_USERS,
    ("POST", "/children/{child_id}/risk"): MASH,
    # Missing episodes: any agency that records about children reports a child missing and records the
    # return (MISSING_RECORD); the MASH records the return home interview (INTERVIEWS_RECORD); the due list is
    # for the MASH and the reporting agency (the service narrows it).
    ("GET", "/children/{child_id}/missing/new"): CHILD_USERS,
    ("POST", "/children/{child_id}/missing/new"): CHILD_USERS,
    ("GET", "/children/{child_id}/missing/{episode_id}"): CHILD_USERS,
    ("GET", "/children/{child_id}/missing/{episode_id}/return"): CHILD_USERS,
    ("POST", "/children/{child_id}/missing/{episode_id}/return"): CHILD_USERS,
    ("GET", "/children/{child_id}/missing/{episode_id}/interview"): MASH,
    ("POST", "/children/{child_id}/missing/{episode_id}/interview"): MASH,
    ("GET", "/return-interviews"): CHILD_USERS,
    # Philomena profiles: kept by the MASH and children's homes (PHILOMENA_KEEP; the service narrows it to the
    # child's current home); what was shared with police: readers of the chronology (police among them).
    ("GET", "/children/{child_id}/philomena"): MASH | {"home_manager@local"},
    ("POST", "/children/{child_id}/philomena"): MASH | {"home_manager@local"},
    ("GET", "/children/{child_id}/police-shares"): CHILD_USERS,
    # MASH triage: the queue, grading and deciding, and referrals the MASH takes itself: the MASH only; any
    # agency sends its own concern to the MASH (CONTACTS_REFER).
    ("GET", "/triage"): MASH,
    ("GET", "/triage/{contact_id}"): MASH,
    ("POST", "/triage/{contact_id}/grade"): MASH,
    ("POST", "/triage/{contact_id}/decision"): MASH,
    ("GET", "/children/{child_id}/referral"): MASH,
    ("POST", "/children/{child_id}/referral"): MASH,
    ("GET", "/children/{child_id}/concerns/{concern_id}/refer"): CHILD_USERS,
    ("POST", "/children/{child_id}/concerns/{concern_id}/refer"): CHILD_USERS,
    # Requests for help: any agency records and acts on them; MASH managers see the escalated ones.
    ("GET", "/children/{child_id}/help/new"): CHILD_USERS,
    ("POST", "/children/{child_id}/help/new"): CHILD_USERS,
    ("GET", "/help"): CHILD_USERS,
    ("GET", "/help/escalated"): {"mash_manager@local"},
    ("GET", "/help/{request_id}"): CHILD_USERS,
    ("POST", "/help/{request_id}/acknowledge"): CHILD_USERS,
    ("POST", "/help/{request_id}/answer"): CHILD_USERS,
    ("POST", "/help/{request_id}/close"): CHILD_USERS,
    ("GET", "/children/{child_id}/support"): CHILD_USERS,
    ("POST", "/children/{child_id}/support/items"): CHILD_USERS,
    ("POST", "/children/{child_id}/support/court-dates"): CHILD_USERS,
    ("POST", "/support/items/{item_id}/status"): CHILD_USERS,
    ("POST", "/support/items/{item_id}/request-review"): CHILD_USERS,
    ("POST", "/support/items/{item_id}/review"): {"mash_manager@local"},
    # The practitioner's dashboard.
    ("GET", "/hub"): CHILD_USERS,
    ("GET", "/audit"): AUDITORS,
    ("GET", "/audit/export.csv"): AUDITORS,
    ("GET", "/gate"): GATE_USERS,
    ("POST", "/gate"): GATE_USERS,
    ("GET", "/children/{child_id}/transport"): MASH | GATE_USERS,
    ("POST", "/children/{child_id}/transport"): MASH | GATE_USERS,
    ("POST", "/children/{child_id}/transport/{arrangement_id}/end"): MASH | GATE_USERS,
    ("GET", "/network"): MASH | {"police_analyst@local"},
    ("GET", "/network/children/{child_id}"): MASH | {"police_analyst@local"},
    ("GET", "/network/vehicles/{registration}"): MASH | {"police_analyst@local"},
    ("GET", "/alerts"): CHILD_USERS,
    ("GET", "/alerts/{alert_id}"): CHILD_USERS,
    ("POST", "/alerts/{alert_id}/seen"): CHILD_USERS,
    ("POST", "/alerts/{alert_id}/close"): CHILD_USERS,
}

# API routes: the permission a token needs (None: any valid token).
API_ROUTES: dict[tuple[str, str], Permission | None] = {
    ("GET", "/api/v1/whoami"): None,
    ("GET", "/api/v1/agencies"): Permission.AGENCIES_READ,
    ("GET", "/api/v1/agencies/{agency_id}"): Permission.AGENCIES_READ,
    ("POST", "/api/v1/agencies"): Permission.AGENCIES_MANAGE,
    ("GET", "/api/v1/audit/records"): Permission.AUDIT_READ,
    ("POST", "/api/v1/register/screenings"): Permission.REGISTER_SEARCH,
    ("GET", "/api/v1/register/vehicles/{registration}"): Permission.VEHICLE_LOOKUP,
    ("POST", "/api/v1/register/imports"): Permission.REGISTER_RECORD,
    ("GET", "/api/v1/register/exports"): Permission.REGISTER_RECORD,
    ("GET", "/api/v1/register/matches"): Permission.REGISTER_RECORD,
    ("POST", "/api/v1/register/matches/{proposal_id}/decision"): Permission.REGISTER_RECORD,
    ("POST", "/api/v1/children/searches"): Permission.CHILDREN_SEARCH,
    ("POST", "/api/v1/children"): Permission.CHILDREN_RECORD,
    ("GET", "/api/v1/children/{child_id}"): Permission.CHRONOLOGY_READ,
    ("POST", "/api/v1/children/{child_id}/concerns"): Permission.CONCERNS_RECORD,
    ("POST", "/api/v1/concerns/{concern_id}/corrections"): Permission.CONCERNS_RECORD,
    ("GET", "/api/v1/concerns/{concern_id}/mentions"): Permission.CHRONOLOGY_READ,
    ("POST", "/api/v1/concerns/{concern_id}/mentions"): Permission.CONCERNS_RECORD,
    ("GET", "/api/v1/children/{child_id}/chronology"): Permission.CHRONOLOGY_READ,
    ("GET", "/api/v1/children/{child_id}/risk-screenings"): Permission.CHRONOLOGY_READ,
    ("POST", "/api/v1/children/{child_id}/risk-screenings"): Permission.RISK_SCREEN,
    ("POST", "/api/v1/children/{child_id}/missing-episodes"): Permission.MISSING_RECORD,
    ("POST", "/api/v1/missing-episodes/{episode_id}/return"): Permission.MISSING_RECORD,
    ("POST", "/api/v1/missing-episodes/{episode_id}/interviews"): Permission.INTERVIEWS_RECORD,
    ("GET", "/api/v1/return-interviews"): Permission.MISSING_RECORD,
    ("GET", "/api/v1/children/{child_id}/philomena-profiles"): Permission.PHILOMENA_KEEP,
    ("POST", "/api/v1/children/{child_id}/philomena-profiles"): Permission.PHILOMENA_KEEP,
    ("GET", "/api/v1/children/{child_id}/police-shares"): Permission.CHRONOLOGY_READ,
    ("POST", "/api/v1/concerns/{concern_id}/mash-contacts"): Permission.CONTACTS_REFER,
    ("GET", "/api/v1/triage/contacts"): Permission.TRIAGE_READ,
    ("POST", "/api/v1/children/{child_id}/help-requests"): Permission.HELP_RECORD,
    ("GET", "/api/v1/help-requests"): Permission.HELP_ANSWER,
    ("GET", "/api/v1/help-requests/escalated"): Permission.HELP_ESCALATIONS,
    ("GET", "/api/v1/children/{child_id}/support"): Permission.CHRONOLOGY_READ,
    ("POST", "/api/v1/children/{child_id}/support-items"): Permission.SUPPORT_KEEP,
    ("POST", "/api/v1/children/{child_id}/court-dates"): Permission.SUPPORT_KEEP,
    ("POST", "/api/v1/gate-checks"): Permission.GATE_CHECK,
    ("GET", "/api/v1/network/children/{child_id}"): Permission.NETWORK_READ,
    ("GET", "/api/v1/network/vehicles/{registration}"): Permission.NETWORK_READ,
    ("GET", "/api/v1/alerts"): Permission.ALERTS_READ,
    ("GET", "/api/v1/alerts/{alert_id}"): Permission.ALERTS_READ,
    ("POST", "/api/v1/alerts/{alert_id}/seen"): Permission.ALERTS_READ,
}

PRINCIPALS: dict[str, tuple[Role, AgencyType | None]] = {
    **{f"{r.value}@local": (r, None) for r in Role if r not in (Role.ADMIN, Role.AUDITOR)},
    "admin@local": (Role.ADMIN, AgencyType.LICENSING_AUTHORITY),
    "admin@national": (Role.ADMIN, AgencyType.NATIONAL_ADMIN),
    "auditor@local": (Role.AUDITOR, AgencyType.POLICE_FORCE),
    "auditor@national": (Role.AUDITOR, AgencyType.NATIONAL_ADMIN),
}


def access_rule(route: APIRoute) -> AccessRule | None:
    """The rule declared by the route's dependencies (searched through the whole dependency tree)."""
    rules = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        rule = getattr(dependant.call, "access_rule", None)
        if rule is not None:
            rules.append(rule)
        pending.extend(dependant.dependencies)
    assert len(rules) <= 1, f"{route.path} declares more than one access rule"
    return rules[0] if rules else None


def routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """Every (method, full path, route) the app serves, through included routers."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            assert context.path
            assert context.methods
            for method in sorted(context.methods - {"HEAD"}):
                found.append((method, context.path, route))
    return found


def test_every_route_declares_an_access_rule_and_is_in_the_table(app: FastAPI) -> None:
    seen = set()
    for method, path, route in routes(app):
        rule = access_rule(route)
        assert rule is not None, f"{method} {path} declares no access rule"
        key = (method, path)
        seen.add(key)
        if path.startswith("/api/v1/"):
            assert key in API_ROUTES, f"{method} {path} is not in the API table of this test"
            expected = API_ROUTES[key]
            assert (rule.kind, rule.permission) == (
                ("authenticated", None) if expected is None else ("permission", expected)
            )
        else:
            assert key in WEB_ROUTES, f"{method} {path} is not in the route table of this test"
            expected_web = WEB_ROUTES[key]
            kind = {PUBLIC: "public", SIGNING_IN: "signing_in", EVERYONE: "authenticated"}.get(
                expected_web if isinstance(expected_web, str) else "", "permission"
            )
            if rule.kind == "permission" and kind == "authenticated":
                assert rule.permission is Permission.ACCOUNT_SELF  # every role holds it
            else:
                assert rule.kind == kind, f"{method} {path}: declared {rule.kind}, table says {kind}"
    assert seen == set(WEB_ROUTES) | set(API_ROUTES), "the table names routes the app does not have"


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def _denials(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).where(AuditRecord.action == "access.denied")) or 0


def _request(client: TestClient, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(_fill(path), follow_redirects=False)
    token = csrf_from(client.get("/account").text)
    return client.post(_fill(path), data={"csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_each_role_reaches_exactly_its_pages(
    who: str, client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    role, agency_type = PRINCIPALS[who]
    user = make_user(sessions, settings, [role], agency_type=agency_type)
    sign_in(client, sessions, user)
    for (method, path), allowed in WEB_ROUTES.items():
        if allowed in (PUBLIC, SIGNING_IN):
            continue
        expected_allowed = allowed == EVERYONE or who in allowed
        before = _denials(sessions)
        response = _request(client, method, path)
        if expected_allowed:
            assert response.status_code != 403, f"{who} was refused {method} {path}"
            assert not response.headers.get("location", "").startswith("/sign-in"), f"{who} {method} {path}"
        else:
            assert response.status_code == 403, f"{who} reached {method} {path} ({response.status_code})"
            assert _denials(sessions) == before + 1, f"denial of {method} {path} to {who} was not audited"


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for (method, path), allowed in WEB_ROUTES.items():
        if allowed == PUBLIC:
            continue
        if method == "GET":
            response = client.get(_fill(path), follow_redirects=False)
        else:
            token = csrf_from(client.get("/sign-in").text)
            response = client.post(_fill(path), data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, f"{method} {path}"
        assert response.headers["location"].startswith("/sign-in"), f"{method} {path}"


def test_public_pages_need_no_sign_in(client: TestClient) -> None:
    for (method, path), allowed in WEB_ROUTES.items():
        if allowed == PUBLIC and method == "GET":
            assert client.get(path).status_code == 200, path
