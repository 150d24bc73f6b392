"""Importing an authority's file: all or nothing, re-import changes nothing, export reads back the same."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.cli import app as cli
from openmash.config import get_settings
from openmash.db.session import transaction
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import exports, imports
from openmash.register.licence_csv import read_licence_csv
from openmash.register.models import Licence, LicenceEvent, Person, Vehicle, VehicleLicence
from tests.support.factories import make_agency

HEADER = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration,previous_names,authority_plate_number\n"
)
GOOD = HEADER + (
    "PH-1,private_hire_driver,applied,2023-01-04,,Hollis,Dean,1981-06-02,HOLLI806021D99AB,AB123456C,hp19 8ff,"
    '"1 Test Row, Aylesbury",,Dean Smith,\n'
    "PH-1,private_hire_driver,granted,2023-02-01,,Hollis,Dean,1981-06-02,,,,,ab12 cde,,P-441\n"
    "PH-1,private_hire_driver,revoked,2025-03-03,sexual_offence_or_safeguarding,Hollis,Dean,1981-06-02,,,,,,,\n"
    "HC-7,hackney_carriage_driver,granted,2024-05-05,,Nwosu,Ada,1990-12-30,,,,,AB12CDE,,H-9\n"
)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _import(session: Session, authority: Agency, text: str) -> imports.ImportSummary:
    result = read_licence_csv(io.StringIO(text), today=date(2026, 11, 24))
    assert result.valid, result.errors
    return imports.import_licences(session, authority, result.rows, SYSTEM, NO_CONTEXT, file_name="test.csv")


def test_a_file_becomes_people_licences_decisions_and_vehicles(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        summary = _import(session, authority, GOOD)
        assert (summary.rows, summary.events_added, summary.licences_created) == (4, 4, 2)
    with transaction(sessions) as session:
        hollis = session.scalars(select(Licence).where(Licence.authority_licence_ref == "PH-1")).one()
        assert (hollis.status, hollis.status_since) == ("revoked", date(2025, 3, 3))
        assert hollis.person.ni_number == "AB123456C"
        assert hollis.person.addresses[0].postcode == "HP19 8FF"
        assert [(n.forenames, n.surname) for n in hollis.person.names] == [("Dean", "Smith")]
        car = session.scalars(select(Vehicle)).one()
        assert car.registration == "AB12CDE"
        assert _count(session, VehicleLicence) == 2  # one car, licensed to both drivers
        assert session.scalars(select(AuditRecord).where(AuditRecord.action == "register.import")).one()


def test_importing_the_same_file_again_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        _import(session, authority, GOOD)
    with transaction(sessions) as session:
        again = _import(session, session.merge(authority), GOOD)
        assert (again.events_added, again.events_already_recorded, again.licences_created) == (0, 4, 0)
        assert (_count(session, Person), _count(session, LicenceEvent), _count(session, VehicleLicence)) == (
            2,
            4,
            2,
        )


def test_a_file_naming_a_different_holder_for_a_licence_writes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        _import(session, authority, GOOD)
    clash = HEADER + "PH-1,private_hire_driver,renewed,2026-01-01,,Someone,Else,1970-01-01,,,,,,,\n"
    with pytest.raises(imports.ImportRefused) as caught, transaction(sessions) as session:
        _import(session, session.merge(authority), clash)
    assert caught.value.problems[0].line == 2
    with transaction(sessions) as session:
        assert _count(session, LicenceEvent) == 4


def test_export_reads_back_as_the_same_records(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        _import(session, authority, GOOD)
        exported = "".join(exports.export_licences(session, authority, SYSTEM, NO_CONTEXT))
    reread = read_licence_csv(io.StringIO(exported), today=date(2026, 11, 24))
    assert reread.valid, reread.errors
    assert len(reread.rows) == 4
    with transaction(sessions) as session:
        again = _import(session, session.merge(authority), exported)
        assert again.events_added == 0


@pytest.fixture
def cli_env(engine: Engine) -> dict[str, str]:
    get_settings.cache_clear()
    yield {
        "OPENMASH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "OPENMASH_ENVIRONMENT": "test",
    }  # type: ignore[misc]
    get_settings.cache_clear()


def test_the_command_rejects_a_bad_file_by_line_and_column_and_writes_nothing(
    sessions: sessionmaker[Session], cli_env: dict[str, str], tmp_path: Path
) -> None:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        code = authority.code
    bad = tmp_path / "bad.csv"
    bad.write_text(
        GOOD + "PH-2,private_hire_driver,revoked,2024-13-01,,Smith,Jo,1990-01-01,,ZZ123456A,,,,,\n"
    )
    result = CliRunner().invoke(cli, ["import", "licences", str(bad), "--authority", code], env=cli_env)
    assert result.exit_code == 1
    assert "line 6, column event_date" in result.output
    assert "line 6, column ni_number" in result.output
    assert "Nothing was imported" in result.output
    with transaction(sessions) as session:
        assert _count(session, LicenceEvent) == 0
    skipped = CliRunner().invoke(
        cli, ["import", "licences", str(bad), "--authority", code, "--skip-invalid"], env=cli_env
    )
    assert skipped.exit_code == 0, skipped.output
    rejects = (tmp_path / "bad.csv.rejects.csv").read_text()
    assert rejects.splitlines()[1].startswith("6,")
    with transaction(sessions) as session:
        assert _count(session, LicenceEvent) == 4


def test_the_command_exports_what_it_imported(
    sessions: sessionmaker[Session], cli_env: dict[str, str], tmp_path: Path
) -> None:
    with transaction(sessions) as session:
        code = make_agency(session, AgencyType.LICENSING_AUTHORITY).code
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    imported = CliRunner().invoke(cli, ["import", "licences", str(good), "--authority", code], env=cli_env)
    assert imported.exit_code == 0, imported.output
    assert "4 decisions added" in imported.output
    out = tmp_path / "out.csv"
    exported = CliRunner().invoke(
        cli, ["export", "licences", "--authority", code, "--output", str(out)], env=cli_env
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_text().count("\n") == 5
    assert "sexual_offence_or_safeguarding" in out.read_text()
