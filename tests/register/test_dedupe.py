"""The register checked whole for people held twice (Splink on DuckDB): each likely pair is proposed to the
authority of the newer record's latest licence, audited; a pair already proposed, decided or joined by
confirmed links is never proposed again; a limit leaves the rest for the next run; the command prints how
many were proposed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from openmash import cli_support
from openmash.audit.models import AuditRecord
from openmash.audit.service import Actor
from openmash.cli import app
from openmash.config import get_settings
from openmash.db.session import make_engine, transaction
from openmash.demo.population import make_population
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.matching import proposals
from openmash.matching.models import MatchProposal
from openmash.register.dedupe import propose_duplicates
from openmash.register.models import Licence, Person
from openmash.register.person_index import DOMAIN
from tests.support.factories import make_agency

T0 = datetime(2024, 1, 1, tzinfo=UTC)
OFFICER = Actor(label="test officer")


@dataclass
class Register:
    authorities: dict[str, uuid.UUID]  # "a", "b", "c"
    expected: dict[frozenset[str], tuple[str, str, uuid.UUID]]  # pair -> (newer, older, who decides)
    triple: tuple[str, str, str]  # one person held three times, oldest first


def _person(
    session: Session,
    authorities: list[tuple[Agency, int]],
    surname: str,
    forenames: str,
    born: date,
    *,
    day: int,
    dln: str | None = None,
    ni: str | None = None,
) -> str:
    """A person first recorded on ``day``, with a licence at each (authority, day it was recorded)."""
    person = Person(
        surname=surname,
        forenames=forenames,
        date_of_birth=born,
        sex="M",
        driving_licence_number=dln,
        ni_number=ni,
        created_at=T0 + timedelta(days=day),
    )
    session.add(person)
    session.flush()
    for authority, on in authorities:
        session.add(
            Licence(
                authority_id=authority.id,
                authority_licence_ref=f"{authority.code}-{uuid.uuid4().hex[:8]}",
                licence_type="private_hire_driver",
                person_id=person.id,
                status="licensed",
                status_since=born + timedelta(days=365 * 30),
                created_at=T0 + timedelta(days=on),
            )
        )
    return str(person.id)


@pytest.fixture
def register(sessions: sessionmaker[Session]) -> Register:
    """40 drivers, and people held twice: under a name variant with day and month swapped, with a keying
    error in the licence number (the newer record also licensed later elsewhere), and one held three times."""
    with transaction(sessions) as session:
        a, b, c = (make_agency(session, AgencyType.LICENSING_AUTHORITY) for _ in range(3))
        for p in make_population(40, seed=31):
            _person(
                session, [(a, 0)], p.surname, p.forenames, p.date_of_birth,
                day=0, dln=p.driving_licence_number, ni=p.ni_number,
            )  # fmt: skip
        khan = _person(session, [(a, 1)], "Khan", "Mohammed", date(1984, 7, 3), day=1, ni="AB123456C")
        kahn = _person(session, [(b, 9)], "Kahn", "Muhammad", date(1984, 3, 7), day=9, ni="AB123456C")
        dln = "OYELA702045AB9CD"
        ade = _person(session, [(a, 2)], "Oyelaran", "Adebayo", date(1975, 2, 4), day=2, dln=dln)
        ade2 = _person(
            session, [(b, 5), (c, 7)], "Oyelaran", "Adebayo", date(1975, 2, 4), day=5, dln=dln[::-1]
        )
        born, ni = date(1990, 5, 17), "JK654321A"
        k1 = _person(session, [(a, 3)], "Smyth", "Kayleigh", born, day=3, ni=ni)
        k2 = _person(session, [(b, 4)], "Smith", "Kayleigh-Ann", born, day=4, ni=ni)
        k3 = _person(session, [(c, 6), (a, 8)], "Smith", "Kayleigh", born, day=6, ni=ni)
        expected = {
            frozenset((khan, kahn)): (kahn, khan, b.id),
            frozenset((ade, ade2)): (ade2, ade, c.id),
            frozenset((k1, k2)): (k2, k1, b.id),
            frozenset((k1, k3)): (k3, k1, a.id),
            frozenset((k2, k3)): (k3, k2, a.id),
        }
        return Register({"a": a.id, "b": b.id, "c": c.id}, expected, (k1, k2, k3))


def _proposals(session: Session) -> dict[frozenset[str], MatchProposal]:
    return {
        frozenset((p.record_id, p.candidate_id)): p
        for p in session.scalars(select(MatchProposal).where(MatchProposal.domain == DOMAIN))
    }


def test_people_held_twice_are_proposed_to_the_newer_records_latest_authority_and_audited(
    sessions: sessionmaker[Session], register: Register
) -> None:
    with transaction(sessions) as session:
        assert propose_duplicates(session, actor=OFFICER) == len(register.expected)
    with transaction(sessions) as session:
        made = _proposals(session)
        assert made.keys() == register.expected.keys()
        for pair, (newer, older, authority) in register.expected.items():
            proposal = made[pair]
            assert (proposal.record_id, proposal.candidate_id) == (newer, older)
            assert (proposal.owner_agency_id, proposal.status) == (authority, proposals.PROPOSED)
            assert proposal.band in ("certain", "probable")
            assert proposal.engine.startswith("splink ")
            assert {part["field"] for part in proposal.explanation} >= {
                "surname",
                "forenames",
                "date_of_birth",
            }
        (audited,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.matches.batch")
        )
        details = json.loads(audited.details)
        assert audited.actor_label == OFFICER.label
        assert sorted(details["proposals"]) == sorted(str(p.id) for p in made.values())
        assert (details["people"], details["likely_pairs"]) == (47, 5)


def test_no_pair_is_proposed_twice_nor_one_confirmed_links_already_join(
    sessions: sessionmaker[Session], register: Register, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    k1, k2, k3 = register.triple
    with transaction(sessions) as session:  # an officer already confirmed k1 = k2 and k2 = k3
        for new, old in ((k2, k1), (k3, k2)):
            session.add(
                MatchProposal(
                    domain=DOMAIN, record_id=new, candidate_id=old, owner_agency_id=register.authorities["a"],
                    score=30.0, band="certain", explanation=[], engine="test", status=proposals.CONFIRMED,
                )
            )  # fmt: skip
    with transaction(sessions) as session:
        assert propose_duplicates(session, limit=1) == 1
        (first,) = (p for p in _proposals(session).values() if p.status == proposals.PROPOSED)
        proposals.decide(session, first.id, confirm=False, user_id=None, decided_by="test officer")

    output = _run_command(engine, monkeypatch, "matching dedupe --threshold 0.9")

    assert output == "1 likely pair(s) proposed\n"  # not the rejected pair, nor k1 = k3, linked through k2
    with transaction(sessions) as session:
        made = _proposals(session)
        assert made.keys() == register.expected.keys() - {frozenset((k1, k3))}
        assert made[frozenset((first.record_id, first.candidate_id))].status == proposals.REJECTED


def _run_command(engine: Engine, monkeypatch: pytest.MonkeyPatch, command: str) -> str:
    """``openmash <command>`` against the test database, as an operator would run it."""
    made: list[Engine] = []

    def tracking(url: str) -> Engine:
        made.append(make_engine(url))
        return made[-1]

    monkeypatch.setattr(cli_support, "make_engine", tracking)
    env = {
        "OPENMASH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "OPENMASH_ENVIRONMENT": "test",
    }
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, command.split(), env=env, prog_name="openmash")
    finally:
        get_settings.cache_clear()
        for each in made:
            each.dispose()
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output
