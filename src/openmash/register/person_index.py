"""The register's people in the matching engine: what of a person the engine compares, kept in step with
every import, and rebuilt from the register when asked.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.matching import index
from openmash.matching.models import MatchEntry
from openmash.matching.record import MatchRecord, known
from openmash.register.models import Person, PersonAddress, PersonName

DOMAIN = "register.person"
CHUNK = 500


def records_for(session: Session, ids: Iterable[uuid.UUID]) -> list[MatchRecord]:
    """People as the engine sees them, read as plain columns in a few queries per 500 people."""
    wanted = sorted(set(ids), key=str)
    records: list[MatchRecord] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        names: dict[uuid.UUID, list[tuple[str, str]]] = defaultdict(list)
        for person_id, surname, forenames in session.execute(
            select(PersonName.person_id, PersonName.surname, PersonName.forenames)
            .where(PersonName.person_id.in_(chunk))
            .order_by(PersonName.person_id, PersonName.kind, PersonName.surname, PersonName.forenames)
        ):
            names[person_id].append((surname, forenames))
        postcodes: dict[uuid.UUID, set[str]] = defaultdict(set)
        for person_id, postcode in session.execute(
            select(PersonAddress.person_id, PersonAddress.postcode).where(PersonAddress.person_id.in_(chunk))
        ):
            if postcode:
                postcodes[person_id].add(postcode)
        p = Person
        for person_id, surname, forenames, born, sex, dln, ni in session.execute(
            select(
                p.id, p.surname, p.forenames, p.date_of_birth, p.sex, p.driving_licence_number, p.ni_number
            )
            .where(p.id.in_(chunk))
            .order_by(p.id)
        ):
            identifiers = {"driving_licence_number": dln, "ni_number": ni}
            records.append(
                MatchRecord(
                    record_id=str(person_id),
                    names=tuple(dict.fromkeys([(surname, forenames), *names[person_id]])),
                    date_of_birth=born,
                    identifiers=known(identifiers),
                    postcodes=frozenset(postcodes[person_id]),
                    sex=_sex(sex),
                )
            )
    return records


def _sex(written: str | None) -> str | None:
    """Sex is free text in the licence file; only a clear F or M is compared."""
    folded = (written or "").strip().lower()
    return {"f": "F", "female": "F", "m": "M", "male": "M"}.get(folded)


def reindex(session: Session, ids: Iterable[uuid.UUID]) -> int:
    """Bring these people's index entries up to date (new, or changed by an import)."""
    return index.index_records(session, DOMAIN, records_for(session, ids))


def rebuild(session: Session, progress: Callable[[int], None] | None = None, batch: int = 10_000) -> int:
    """Index every person afresh (after an upgrade, or if the index is ever in doubt), in one build."""

    def people() -> Iterator[list[MatchRecord]]:
        after: uuid.UUID | None = None
        while True:
            query = select(Person.id).order_by(Person.id).limit(batch)
            if after is not None:
                query = query.where(Person.id > after)
            ids: Sequence[uuid.UUID] = list(session.scalars(query))
            if not ids:
                return
            yield records_for(session, ids)
            after = ids[-1]

    return index.build(session, DOMAIN, people(), progress)


def missing_from_index(session: Session) -> int:
    """How many more people the register holds than the index (after an upgrade from before the index)."""
    people = session.scalar(select(func.count()).select_from(Person)) or 0
    entries = (
        session.scalar(select(func.count()).select_from(MatchEntry).where(MatchEntry.domain == DOMAIN)) or 0
    )
    return max(people - entries, 0)
