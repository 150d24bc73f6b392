"""The Jinja environment: our templates first, then govuk-frontend-jinja's macros under their prefix."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from openmash.db.session import transaction
from openmash.http import navigation as navigation_reads
from openmash.http.context import app_context
from openmash.identity.permissions import AGENCY_TYPE_LABELS, ROLE_LABELS, AgencyType, Permission, Role
from openmash.identity.principal import Principal
from openmash.register import labels

TEMPLATES = Path(__file__).parent / "templates"
UK = ZoneInfo("Europe/London")

# Navigation by role: an item shows only to those holding its permission.
NAVIGATION: list[tuple[str, str, Permission]] = [
    ("Home", "/", Permission.ACCOUNT_SELF),
    ("Your work", "/hub", Permission.CHRONOLOGY_READ),
    ("Alerts", "/alerts", Permission.ALERTS_READ),
    ("Gate check", "/gate", Permission.GATE_CHECK),
    ("Network", "/network", Permission.NETWORK_READ),
    ("Children", "/children", Permission.CHILDREN_SEARCH),
    ("Triage", "/triage", Permission.TRIAGE_READ),
    ("Requests for help", "/help", Permission.HELP_ANSWER),
    ("Return interviews", "/return-interviews", Permission.MISSING_RECORD),
    ("Screen an applicant", "/register/screen", Permission.REGISTER_SEARCH),
    ("Vehicle lookup", "/register/vehicles", Permission.VEHICLE_LOOKUP),
    ("Requests", "/register/requests", Permission.REGISTER_RECORD),
    ("Notices", "/register/notices", Permission.REGISTER_RECORD),
    ("Proposed matches", "/register/matches", Permission.REGISTER_RECORD),
    ("Users", "/admin/users", Permission.USERS_MANAGE),
    ("Agencies", "/admin/agencies", Permission.AGENCIES_MANAGE),
    ("API tokens", "/admin/tokens", Permission.TOKENS_MANAGE),
    ("Audit trail", "/audit", Permission.AUDIT_READ),
    ("Your account", "/account", Permission.ACCOUNT_SELF),
]


COMPONENTS = {
    "back-link": "govukBackLink",
    "button": "govukButton",
    "checkboxes": "govukCheckboxes",
    "date-input": "govukDateInput",
    "error-summary": "govukErrorSummary",
    "input": "govukInput",
    "inset-text": "govukInsetText",
    "notification-banner": "govukNotificationBanner",
    "radios": "govukRadios",
    "select": "govukSelect",
    "summary-list": "govukSummaryList",
    "tag": "govukTag",
    "textarea": "govukTextarea",
    "warning-text": "govukWarningText",
}


def uk_time(value: datetime | None) -> str:
    """Times are stored in UTC and shown in UK local time."""
    if value is None:
        return ""
    return value.astimezone(UK).strftime("%-d %b %Y %H:%M")


MATCH_FIELDS = {"ni_number": "National Insurance number", "nhs_number": "NHS number", "upn": "UPN"}


def match_field_label(field: str) -> str:
    """A compared field as users say it ("date_of_birth": "Date of birth")."""
    return MATCH_FIELDS.get(field, field.replace("_", " ").capitalize())


def identifier_value(value: str, kind: str) -> str:
    """An identifier as people read it: an NHS number in its 3-3-4 groups ("943 476 5919")."""
    if kind == "nhs_number" and len(value) == 10 and value.isdigit():
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    return value


def long_date(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def role_label(value: str) -> str:
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


def agency_type_label(value: str) -> str:
    try:
        return AGENCY_TYPE_LABELS[AgencyType(value)]
    except ValueError:
        return value


def make_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(TEMPLATES)),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    )
    # GOV.UK Frontend macros as globals, so every template can call them without importing.
    for component, macro in COMPONENTS.items():
        env.globals[macro] = getattr(
            env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module, macro
        )
    env.filters["uk_time"] = uk_time
    env.filters["role_label"] = role_label
    env.filters["agency_type_label"] = agency_type_label
    env.filters["long_date"] = long_date
    env.filters["identifier_value"] = identifier_value
    env.filters["match_field_label"] = match_field_label
    env.filters["licence_type_label"] = labels.licence_type
    env.filters["reason_label"] = labels.reason
    env.filters["decision_label"] = lambda code: labels.DECISIONS.get(code, code.replace("_", " "))
    env.filters["concern_kind_label"] = lambda code: labels.CONCERN_KINDS.get(code, code)
    return env


templates = Jinja2Templates(env=make_environment())


def navigation(
    principal: Principal | None, path: str, unread: int | None = None, alerts: int | None = None
) -> list[dict[str, Any]]:
    if principal is None:
        return []
    items = []
    for text, href, permission in NAVIGATION:
        if principal.can(permission):
            current = path == href if href == "/" else path.startswith(href)
            count = unread if href == "/register/notices" else alerts if href == "/alerts" else None
            items.append({"text": text, "href": href, "active": current, "count": count})
    return items


def navigation_counts(request: Request, principal: Principal | None) -> navigation_reads.Counts:
    """The counts the page's transaction read (``http.navigation``); a page that committed none (an error
    page, a form refused before any transaction) reads them in one transaction of its own, and never fails
    for them: an error page must render even when the database does not answer."""
    counts = navigation_reads.remembered(request)
    if counts is not None or not navigation_reads.shown_to(principal):
        return counts or navigation_reads.NONE
    try:
        with transaction(app_context(request).sessions) as session:
            return navigation_reads.read(session, principal)
    except SQLAlchemyError:
        return navigation_reads.NONE


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    principal: Principal | None = getattr(request.state, "principal", None)
    counts = navigation_counts(request, principal)
    full: dict[str, Any] = {
        "principal": principal,
        "navigation": navigation(principal, request.url.path, counts.unread_notices, counts.new_alerts),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "errors": {},
        "values": {},
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's list: each message links to its field."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


templates.env.globals["error_list"] = error_list
