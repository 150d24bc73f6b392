"""Driver concerns: recorded by licensing officers and police analysts only, append-only, audited, and a
safeguarding concern shared at once with every authority that currently licenses the driver."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import AgencyType, Role
from openmash.identity.principal import Principal
from openmash.register import concerns
from openmash.register.models import DriverConcern, Notice
from tests.support.factories import make_agency, make_user
from tests.support.register import make_licensed_driver, make_person, principal_for

TODAY = date(2026, 3, 10)


def _person_licensed_by(sessions: sessionmaker[Session]) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    """A person licensed by A and B, suspended by C, revoked by D."""
    with transaction(sessions) as session:
        found = {k: make_agency(session, AgencyType.LICENSING_AUTHORITY, f"{k} test council") for k in "ABCD"}
        person = make_person(session)
        granted = ("granted", date(2024, 1, 10), None)
        make_licensed_driver(session, found["A"], ref="A-1", person=person)
        make_licensed_driver(session, found["B"], ref="B-1", person=person)
        make_licensed_driver(
            session,
            found["C"],
            ref="C-1",
            person=person,
            events=[granted, ("suspended", date(2025, 1, 2), "driving")],
        )
        make_licensed_driver(
            session,
            found["D"],
            ref="D-1",
            person=person,
            events=[granted, ("revoked", date(2025, 1, 2), "other")],
        )
        return person.id, {k: a.id for k, a in found.items()}


def _concern(session: Session, principal: Principal, person_id: uuid.UUID, **kw: object) -> DriverConcern:
    values: dict[str, object] = {
        "kind": "intelligence",
        "safeguarding": True,
        "occurred_on": date(2026, 3, 1),
        "summary": "Seen collecting a child from a care home without a booking (case 12/345)",
        "context": NO_CONTEXT,
        "today": TODAY,
    }
    values.update(kw)
    return concerns.record_concern(session, principal, person_id, **values)  # type: ignore[arg-type]


def test_a_police_analysts_safeguarding_concern_reaches_every_current_licensing_authority(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    person_id, agencies = _person_licensed_by(sessions)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        concern = _concern(session, principal_for(session, analyst), person_id)
        assert concern.agency_id == analyst.agency_id
        assert concern.recorded_by == analyst.email
    with transaction(sessions) as session:
        found = list(session.scalars(select(Notice)))
        assert sorted(n.agency_id for n in found) == sorted(agencies[k] for k in "ABC")
        assert {n.kind for n in found} == {"duty_to_share_concern"}
        assert {n.driver_concern_id for n in found} == {concern.id}
        assert "care home" not in found[0].summary  # the details stay with the recorder and police
        assert "safeguarding concern (intelligence, about events on 1 March 2026)" in found[0].summary
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.concern.record")
        ).one()
        assert entry.object_id == str(concern.id)
        assert '"safeguarding":true' in entry.details


def test_a_licensing_officers_concern_does_not_notify_their_own_authority(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    person_id, agencies = _person_licensed_by(sessions)
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=agencies["A"])
    with transaction(sessions) as session:
        _concern(session, principal_for(session, officer), person_id, kind="complaint")
    with transaction(sessions) as session:
        assert sorted(n.agency_id for n in session.scalars(select(Notice))) == sorted(
            agencies[k] for k in "BC"
        )


def test_a_concern_not_about_safeguarding_notifies_no_one(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    person_id, _ = _person_licensed_by(sessions)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        _concern(
            session, principal_for(session, analyst), person_id, kind="police_information", safeguarding=False
        )
    with transaction(sessions) as session:
        assert session.scalars(select(Notice)).all() == []
        assert len(session.scalars(select(DriverConcern)).all()) == 1


@pytest.mark.parametrize(
    "role", [Role.MASH_PRACTITIONER, Role.SCHOOL_DSL, Role.HEALTH_PRACTITIONER, Role.AUDITOR, Role.ADMIN]
)
def test_other_roles_may_not_record_concerns(
    sessions: sessionmaker[Session], settings: Settings, role: Role
) -> None:
    person_id, _ = _person_licensed_by(sessions)
    user = make_user(sessions, settings, [role])
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        _concern(session, principal_for(session, user), person_id)
    with transaction(sessions) as session:
        assert session.scalars(select(DriverConcern)).all() == []


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    person_id, _ = _person_licensed_by(sessions)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        principal = principal_for(session, analyst)
        with pytest.raises(ValidationFailed) as caught:
            _concern(
                session, principal, person_id, kind="rumour", occurred_on=date(2026, 3, 11), summary="  "
            )
        assert set(caught.value.fields) == {"kind", "occurred_on", "summary"}
        with pytest.raises(ValidationFailed) as caught:
            _concern(session, principal, person_id, summary="x" * 5001)
        assert set(caught.value.fields) == {"summary"}
        with pytest.raises(NotFoundError):
            _concern(session, principal, uuid.uuid4())
    with transaction(sessions) as session:
        assert session.scalars(select(DriverConcern)).all() == []
        assert session.scalars(select(Notice)).all() == []


@pytest.mark.parametrize(
    "statement", ["UPDATE driver_concerns SET summary = 'x'", "DELETE FROM driver_concerns"]
)
def test_concerns_are_append_only(
    sessions: sessionmaker[Session], settings: Settings, engine: Engine, statement: str
) -> None:
    person_id, _ = _person_licensed_by(sessions)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        _concern(session, principal_for(session, analyst), person_id, safeguarding=False)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with transaction(sessions) as session:
        assert len(session.scalars(select(DriverConcern)).all()) == 1
