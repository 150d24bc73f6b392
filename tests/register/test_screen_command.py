"""`openmash screen`: one applicant, or a whole file as one JSON line per row in input order."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.cli import app as cli
from openmash.config import get_settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType
from openmash.register import imports
from openmash.register.licence_csv import read_licence_csv
from tests.support.factories import make_agency

REGISTER = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
    "R-1,private_hire_driver,granted,2020-01-01,,Kowalski,Piotr,1979-11-04,,,,,\n"
    "R-1,private_hire_driver,revoked,2024-05-05,sexual_offence_or_safeguarding,Kowalski,Piotr,1979-11-04,,,,,\n"
)
APPLICANTS = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
    "A-1,private_hire_driver,applied,2026-11-01,,Kowalsky,Piotr,1979-04-11,,,,,\n"
    "A-2,,,,,,,,,,,,\n"
    "A-3,private_hire_driver,applied,2026-11-01,,Oyelaran,Grace,1992-02-02,,not-an-ni,,,\n"
    "A-4,private_hire_driver,applied,,,,,1980-01-01,,,,,\n"
)


@pytest.fixture
def env(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[dict[str, str]]:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        rows = read_licence_csv(io.StringIO(REGISTER), today=date(2026, 11, 24)).rows
        imports.import_licences(session, authority, rows, SYSTEM, NO_CONTEXT)
    get_settings.cache_clear()
    yield {
        "OPENMASH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "OPENMASH_ENVIRONMENT": "test",
    }
    get_settings.cache_clear()


def test_batch_screening_writes_one_line_per_row_in_order(
    env: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "applicants.csv"
    source.write_text(APPLICANTS)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        ["screen", "--batch", str(source), "--purpose", "Annual re-check 2026", "--output", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["row"] for x in lines] == [1, 2, 3, 4]
    first = lines[0]["candidates"][0]
    assert first["band"] == "probable"
    assert first["licences"] == [
        {
            "authority": first["licences"][0]["authority"],
            "authority_licence_ref": "R-1",
            "licence_type": "private_hire_driver",
            "status": "revoked",
            "reason_category": "sexual_offence_or_safeguarding",
        }
    ]
    swapped = [e for e in first["explanation"] if e["field"] == "date_of_birth"]
    assert [(e["level"], e["weight"] > 0) for e in swapped] == [("day_month_swapped", True)]
    assert "error" in lines[1]  # no name and no identifier: reported, and the run went on
    assert lines[2]["candidates"] == []  # a bad NI number is ignored, not a reason to skip the applicant
    assert "error" in lines[3]
    with transaction(sessions) as session:
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.screen.batch")
        ).one()
    assert entry.purpose == "Annual re-check 2026"


def test_one_applicant_as_json(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "screen",
            "--surname",
            "Kowalski",
            "--forenames",
            "Piotr",
            "--dob",
            "1979-11-04",
            "--purpose",
            "PH/1",
            "--json",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["candidates"][0]["licences"][0]["status"] == "revoked"


def test_screening_needs_a_purpose(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["screen", "--surname", "Kowalski", "--purpose", " "], env=env)
    assert result.exit_code == 2
    assert "purpose" in result.output
