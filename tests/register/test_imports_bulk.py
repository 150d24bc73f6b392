"""A large import, written in bulk, keeps the register's rules: the statuses that recording each decision
one at a time gives, nothing changed by a re-import, later files filling gaps, the caller's session current.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.db.session import transaction
from openmash.demo import register as demo
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import imports, licences
from openmash.register.licence_csv import EventKind, LicenceRow, LicenceType, ReasonCategory
from openmash.register.models import (
    Licence,
    LicenceEvent,
    Person,
    PersonAddress,
    PersonName,
    Vehicle,
    VehicleLicence,
)
from tests.support.factories import make_agency

TABLES = (Person, PersonName, PersonAddress, Licence, LicenceEvent, Vehicle, VehicleLicence)


@pytest.fixture(scope="module")
def rows() -> list[LicenceRow]:
    """A few thousand generated decisions as one authority's file, in a shuffled order, with some licences
    given a suspension and its lifting on the same day (the order recorded then decides the status)."""
    every = [row for file in demo.generate(1000).values() for row in file]
    rng = random.Random(7)
    extra = []
    for row in rng.sample(every, 150):
        extra.append(
            dataclasses.replace(row, event=EventKind.SUSPENDED, reason_category=ReasonCategory.DRUGS)
        )
        extra.append(dataclasses.replace(row, event=EventKind.SUSPENSION_LIFTED, reason_category=None))
        if rng.random() < 0.5:  # the same day, entered the other way round
            extra[-2:] = [extra[-1], extra[-2]]
    every += extra
    rng.shuffle(every)
    return [dataclasses.replace(row, line=line) for line, row in enumerate(every, start=2)]


def _counts(session: Session) -> dict[str, int]:
    return {t.__name__: session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def _statuses(session: Session, authority: Agency) -> dict[str, tuple[str, date, int]]:
    events = dict(
        session.execute(
            select(Licence.authority_licence_ref, func.count(LicenceEvent.id))
            .join(LicenceEvent, LicenceEvent.licence_id == Licence.id)
            .where(Licence.authority_id == authority.id)
            .group_by(Licence.authority_licence_ref)
        ).all()
    )
    return {
        lic.authority_licence_ref: (lic.status, lic.status_since, events[lic.authority_licence_ref])
        for lic in session.scalars(select(Licence).where(Licence.authority_id == authority.id))
    }


def _one_at_a_time(session: Session, authority: Agency, rows: list[LicenceRow]) -> None:
    """The reference: every decision through licences.record_event, in the order an import applies them."""
    held: dict[str, Licence] = {}
    for row in sorted(rows, key=lambda r: (r.event_date or date.min, r.line)):
        assert row.event is not None
        assert row.event_date is not None
        assert row.date_of_birth is not None
        licence = held.get(row.authority_licence_ref)
        if licence is None:
            person = Person(surname=row.surname, forenames=row.forenames, date_of_birth=row.date_of_birth)
            session.add(person)
            session.flush()
            licence = held[row.authority_licence_ref] = Licence(
                authority_id=authority.id,
                authority_licence_ref=row.authority_licence_ref,
                licence_type=(row.licence_type or LicenceType.PRIVATE_HIRE_DRIVER).value,
                person_id=person.id,
                status="applied",
                status_since=row.event_date,
            )
            licence.events = []
            session.add(licence)
        licences.record_event(
            session,
            licence,
            kind=row.event.value,
            event_date=row.event_date,
            reason_category=row.reason_category.value if row.reason_category else None,
            recorded_by="test",
            source="web",
        )
    session.flush()


def test_a_large_import_gives_the_statuses_of_recording_each_decision_one_at_a_time(
    sessions: sessionmaker[Session], rows: list[LicenceRow]
) -> None:
    with transaction(sessions) as session:
        bulk = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Bulk")
        summary = imports.import_licences(session, bulk, rows, SYSTEM, NO_CONTEXT)
        reference = make_agency(session, AgencyType.LICENSING_AUTHORITY, "One at a time")
        _one_at_a_time(session, reference, rows)
    refs = {row.authority_licence_ref for row in rows}
    assert (summary.rows, summary.events_added, summary.licences_created) == (len(rows), len(rows), len(refs))
    with transaction(sessions) as session:
        imported, expected = _statuses(session, bulk), _statuses(session, reference)
    assert imported == expected
    assert {status for status, _, _ in imported.values()} >= {"licensed", "suspended", "revoked", "refused"}


def test_importing_a_large_file_again_changes_nothing(
    sessions: sessionmaker[Session], rows: list[LicenceRow]
) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        imports.import_licences(session, authority, rows, SYSTEM, NO_CONTEXT)
    with transaction(sessions) as session:
        before, statuses = _counts(session), _statuses(session, session.merge(authority))
        stamps = set(session.scalars(select(Licence.updated_at)))
    with transaction(sessions) as session:
        again = imports.import_licences(session, session.merge(authority), rows, SYSTEM, NO_CONTEXT)
    assert (again.events_added, again.events_already_recorded) == (0, len(rows))
    assert (again.licences_created, again.people_created, again.vehicles_created) == (0, 0, 0)
    with transaction(sessions) as session:
        assert _counts(session) == before
        assert _statuses(session, session.merge(authority)) == statuses
        assert set(session.scalars(select(Licence.updated_at))) == stamps  # not even rewritten
        assert (
            session.scalar(
                select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "register.import")
            )
            == 2
        )


def test_a_failure_after_the_bulk_writes_leaves_nothing(
    sessions: sessionmaker[Session], rows: list[LicenceRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit trail unavailable")

    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
    monkeypatch.setattr(imports.audit, "record", refuse)  # the last step, after every row is written
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        imports.import_licences(session, session.merge(authority), rows, SYSTEM, NO_CONTEXT)
    with transaction(sessions) as session:
        assert set(_counts(session).values()) == {0}


def _row(line: int, event: EventKind, day: date, **extra: object) -> LicenceRow:
    values: dict[str, object] = {
        "line": line,
        "authority_licence_ref": "PH-9",
        "licence_type": LicenceType.PRIVATE_HIRE_DRIVER,
        "event": event,
        "event_date": day,
        "reason_category": None,
        "surname": "Okafor",
        "forenames": "Chinedu",
        "date_of_birth": date(1977, 8, 9),
    }
    return LicenceRow(**(values | extra))  # type: ignore[arg-type]


def test_a_later_file_fills_what_the_register_lacks_and_keeps_what_it_has(
    sessions: sessionmaker[Session],
) -> None:
    first = [
        _row(2, EventKind.GRANTED, date(2022, 1, 3), ni_number="AB123456C", vehicle_registration="KX19TXA"),
    ]
    later = [
        _row(
            2,
            EventKind.RENEWED,
            date(2025, 1, 2),
            ni_number="CE654321A",  # differs: left for a person to resolve, not overwritten
            phone="07700900123",
            sex="M",
            postcode="WV1 1AA",
            address="1 Test Street",
            licence_expiry_date=date(2028, 1, 1),
            vehicle_registration="KX19TXA",
            vehicle_make="Toyota",
            vehicle_colour="Silver",
            authority_plate_number="P-1",
        )
    ]
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        imports.import_licences(session, authority, first, SYSTEM, NO_CONTEXT)
    with transaction(sessions) as session:
        summary = imports.import_licences(session, session.merge(authority), later, SYSTEM, NO_CONTEXT)
        assert (summary.events_added, summary.licences_created, summary.vehicles_created) == (1, 0, 0)
    with transaction(sessions) as session:
        licence = session.scalars(select(Licence)).one()
        assert (licence.status, licence.status_since, licence.expires_on) == (
            "licensed",
            date(2025, 1, 2),
            date(2028, 1, 1),
        )
        person = licence.person
        assert (person.ni_number, person.phone, person.sex) == ("AB123456C", "07700900123", "M")
        assert [(a.postcode, a.first_seen_on) for a in person.addresses] == [("WV1 1AA", date(2025, 1, 2))]
        vehicle = session.scalars(select(Vehicle)).one()
        assert (vehicle.make, vehicle.model, vehicle.colour) == ("Toyota", None, "Silver")
        link = session.scalars(select(VehicleLicence)).one()
        assert (link.from_date, link.authority_plate_number) == (date(2022, 1, 3), None)


def test_the_callers_session_sees_what_the_import_wrote(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        granted = _row(2, EventKind.GRANTED, date(2022, 1, 3))
        imports.import_licences(session, authority, [granted], SYSTEM, NO_CONTEXT)
    with transaction(sessions) as session:
        licence = session.scalars(select(Licence)).one()
        assert (licence.status, len(licence.events), licence.person.addresses) == ("licensed", 1, [])
        revoked = _row(
            3,
            EventKind.REVOKED,
            date(2024, 5, 6),
            reason_category=ReasonCategory.SEXUAL_OFFENCE_OR_SAFEGUARDING,
            postcode="HP19 8FF",
        )
        imports.import_licences(session, session.merge(authority), [revoked], SYSTEM, NO_CONTEXT)
        assert (licence.status, licence.status_since) == ("revoked", date(2024, 5, 6))
        assert [e.kind for e in licence.events] == ["granted", "revoked"]
        assert [a.postcode for a in licence.person.addresses] == ["HP19 8FF"]


def test_progress_adds_up_to_every_row(sessions: sessionmaker[Session], rows: list[LicenceRow]) -> None:
    reported: list[int] = []
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        imports.import_licences(session, authority, rows, SYSTEM, NO_CONTEXT, progress=reported.append)
    assert sum(reported) == len(rows)
    assert len(reported) > 5
    assert all(n > 0 for n in reported)


def test_the_demo_generator_in_batches_gives_the_same_rows() -> None:
    whole = demo.generate(300)
    batched: dict[str, list[LicenceRow]] = defaultdict(list)
    for batch in demo.generate_batches(300, batch=70):
        for code, part in batch.items():
            batched[code] += part
    planted = {"WV-PLANT-1", "BM-PLANT-2", "BK-PLANT-3", "WV-PLANT-4"}
    for code, file in whole.items():
        assert [row for row in file if row.authority_licence_ref not in planted] == batched[code]
