"""A MatchRecord as the compact JSON kept in ``match_entries.data``: one read gives all a comparison needs."""

from __future__ import annotations

import json
from datetime import date
from types import MappingProxyType

from openmash.matching.prepared import Prepared, prepared
from openmash.matching.record import MatchRecord


def dumps(record: MatchRecord) -> str:
    data: dict[str, object] = {"n": [list(name) for name in record.names]}
    if record.date_of_birth is not None:
        data["d"] = record.date_of_birth.isoformat()
    if record.identifiers:
        data["i"] = dict(sorted(record.identifiers.items()))
    if record.postcodes:
        data["p"] = sorted(record.postcodes)
    if record.sex:
        data["x"] = record.sex
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def loads(record_id: str, text: str) -> MatchRecord:
    data = json.loads(text)
    born = data.get("d")
    return MatchRecord(
        record_id=record_id,
        names=tuple((surname, forenames) for surname, forenames in data["n"]),
        date_of_birth=date.fromisoformat(born) if born else None,
        identifiers=MappingProxyType(data.get("i", {})),
        postcodes=frozenset(data.get("p", ())),
        sex=data.get("x"),
    )


def loads_prepared(record_id: str, text: str) -> Prepared:
    """An entry straight into the form a comparison needs (what ``prepare(loads(...))`` gives, for less)."""
    data = json.loads(text)
    born = data.get("d")
    return prepared(
        record_id,
        data["n"],
        date.fromisoformat(born) if born else None,
        data.get("i", {}),
        data.get("p", ()),
        data.get("x"),
    )
