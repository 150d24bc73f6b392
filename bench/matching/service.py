"""A full screening through the service (``screening.screen_for``: the engine, loading the people shown with
their licences, and the audit record), on a register held in the register's own tables.

The register is written straight into ``people``, ``person_names``, ``person_addresses``, ``licences`` and
``licence_events`` with SQLAlchemy Core (one licence granted by one authority per record), from the same
generated people as the engine's index, then indexed by ``person_index.rebuild`` as after an upgrade. This is
far quicker than the register benchmark's import (about a minute per 200,000 people) and keeps the ground
truth: every ``people`` row is a record of the generated register.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bench.matching import system
from bench.matching.data import Workload, person_of, service_applicant
from bench.matching.metrics import Latency, Ranked
from openmash.audit.service import NO_CONTEXT, SYSTEM, Actor
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.demo.population import SyntheticApplicant
from openmash.demo.register import AUTHORITIES
from openmash.identity import agencies
from openmash.identity.permissions import AgencyType
from openmash.register import person_index, screening
from openmash.register.models import Licence, LicenceEvent, Person, PersonAddress, PersonName

Echo = Callable[[str], None]
BATCH = 10_000
GRANTED = date(2024, 4, 1)


@dataclass
class ServiceRun:
    database: str
    write_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    latency: Latency = field(default_factory=Latency)
    ranked: list[Ranked] = field(default_factory=list)
    applicants: list[SyntheticApplicant] = field(default_factory=list)
    refused_fields: int = 0  # applicants with a mistyped identifier the form refused (left out)


def _rows(
    workload: Workload, authority: uuid.UUID, truth: dict[uuid.UUID, str]
) -> Any:  # yields dicts of rows per table, a batch at a time
    now = utcnow()
    batch: dict[type, list[dict[str, Any]]] = {Person: [], PersonName: [], PersonAddress: [], Licence: []}
    events: list[dict[str, Any]] = []
    for n, (record_id, p) in enumerate(workload.register(), start=1):
        person_id = uuid.uuid4()
        truth[person_id] = person_of(record_id)
        batch[Person].append(
            {
                "id": person_id,
                "created_at": now,
                "updated_at": now,
                "surname": p.names[0][0],
                "forenames": p.names[0][1],
                "date_of_birth": p.date_of_birth,
                "sex": p.sex,
                "driving_licence_number": p.driving_licence_number,
                "ni_number": p.ni_number,
                "phone": p.phone,
            }
        )
        batch[PersonName] += [
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "person_id": person_id,
                "kind": "previous",
                "surname": surname,
                "forenames": forenames,
            }
            for surname, forenames in dict.fromkeys(p.names[1:])
        ]
        batch[PersonAddress].append(
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "person_id": person_id,
                "address": p.address,
                "postcode": p.postcode,
                "first_seen_on": GRANTED,
                "recorded_by_agency_id": authority,
            }
        )
        licence_id = uuid.uuid4()
        batch[Licence].append(
            {
                "id": licence_id,
                "created_at": now,
                "updated_at": now,
                "authority_id": authority,
                "authority_licence_ref": f"PH/{n:08d}",
                "licence_type": "private_hire_driver",
                "person_id": person_id,
                "status": "licensed",
                "status_since": GRANTED,
                "expires_on": None,
            }
        )
        events.append(
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "licence_id": licence_id,
                "kind": "granted",
                "event_date": GRANTED,
                "reason_category": None,
                "note": None,
                "supersedes_id": None,
                "recorded_at": now,
                "recorded_by": "matching benchmark",
                "source": "import",
                "dedupe_key": f"granted|{GRANTED.isoformat()}|",
            }
        )
        if len(events) >= BATCH:
            yield batch, events
            batch = {table: [] for table in batch}
            events = []
    if events:
        yield batch, events


def build_register(
    sessions: sessionmaker[Session], workload: Workload, echo: Echo
) -> tuple[ServiceRun, dict[uuid.UUID, str], Actor]:
    result = ServiceRun(sessions.kw["bind"].dialect.name)
    code, name, _ = AUTHORITIES[0]
    with transaction(sessions) as session:
        authority = agencies.create_agency(session, SYSTEM, AgencyType.LICENSING_AUTHORITY.value, code, name)
        officer = Actor(label="benchmark officer", agency_id=authority.id, agency_code=code)
    truth: dict[uuid.UUID, str] = {}
    started = time.perf_counter()
    for tables, events in _rows(workload, authority.id, truth):
        with transaction(sessions) as session:
            for table, rows in tables.items():
                if rows:
                    session.execute(insert(table), rows)
            session.execute(insert(LicenceEvent), events)
    result.write_seconds = time.perf_counter() - started
    echo(
        f"  {result.database}: register tables written in {result.write_seconds:.0f} s; rebuilding its index"
    )
    started = time.perf_counter()
    with transaction(sessions) as session:
        person_index.rebuild(session)
    result.rebuild_seconds = time.perf_counter() - started
    system.vacuum_analyse(sessions)
    return result, truth, officer


def run(
    sessions: sessionmaker[Session], workload: Workload, count: int, echo: Echo, seed: int = 11
) -> ServiceRun:
    """Screen ``count`` of the applicants (a random sample, the same on every database) through the
    service."""
    result, truth, officer = build_register(sessions, workload, echo)
    chosen: Sequence[SyntheticApplicant] = random.Random(seed).sample(  # noqa: S311 - a benchmark sample
        workload.applicants, min(count, len(workload.applicants))
    )
    echo(f"  {result.database}: screening {len(chosen):,} applicants through screening.screen_for")
    forms = [service_applicant(applicant) for applicant in chosen]
    for form, _ in forms[:50]:  # warm-up, not counted
        with transaction(sessions) as session:
            screening.screen_for(session, officer, form, "benchmark warm-up", NO_CONTEXT)
    for applicant, (form, refused) in zip(chosen, forms, strict=True):
        started = time.perf_counter()
        with transaction(sessions) as session:
            candidates, _ = screening.screen_for(session, officer, form, "benchmark", NO_CONTEXT)
            people = tuple(truth[c.person.id] for c in candidates)
            bands = tuple(c.band for c in candidates)
        result.latency.add((time.perf_counter() - started) * 1000)
        result.ranked.append(Ranked(people, bands))
        result.applicants.append(applicant)
        result.refused_fields += refused
    return result
