"""The match index on a real database: records found through their blocking keys whatever single error the
query holds, kept in step when records change or go, name counts for term frequencies, batched lookups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.db.session import transaction
from openmash.matching import engine, index, pipeline
from openmash.matching.models import MatchEntry, MatchKey
from openmash.matching.record import MatchRecord

DOMAIN = "test.person"


def _record(
    record_id: str,
    surname: str = "Khan",
    forenames: str = "Mohammed",
    born: date | None = date(1984, 7, 3),
    **identifiers: str,
) -> MatchRecord:
    return MatchRecord(
        record_id=record_id, names=((surname, forenames),), date_of_birth=born, identifiers=identifiers
    )


REGISTERED = [
    _record("khan", driving_licence_number="KHAN9807034MA9AB"),
    _record("oyelaran", "Oyelaran", "Adebayo", date(1975, 2, 14), ni_number="AB123456C"),
    _record("smith", "Smith", "William", date(1990, 11, 30)),
    _record("kowalski", "Kowalski", "Piotr", date(1979, 11, 4)),
]


@pytest.fixture
def indexed(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        assert index.index_records(session, DOMAIN, REGISTERED) == len(REGISTERED)
    return sessions


def _found(session: Session, query: MatchRecord) -> list[str]:
    return [m.record_id for m in engine.find(session, DOMAIN, query)]


@pytest.mark.parametrize(
    ("query", "expected", "error"),
    [
        (_record("q", "Kahn", "Muhammad"), "khan", "respelt names"),
        (_record("q", "Jhan", "Mohammed"), "khan", "typo in the first letter of the surname"),
        (_record("q", "Khan", "Nohammed"), "khan", "typo in the first letter of the forename"),
        (_record("q", "Khan", "Mohammed", date(1984, 3, 7)), "khan", "day and month swapped"),
        (_record("q", "Khan", "Mohammed", date(1948, 7, 3)), "khan", "year mistyped"),
        (_record("q", "Khan", "Mohammed", date(1984, 7, 4)), "khan", "day one out"),
        (_record("q", "Mohammed", "Khan"), "khan", "forename written as surname"),
        (_record("q", "Khan", "Mohammed", None), "khan", "no date of birth"),
        (_record("q", "Smyth", "Bill", date(1990, 11, 30)), "smith", "nickname and respelt surname"),
        (_record("q", "Kowalska", "Peter", date(1979, 11, 4)), "kowalski", "Piotr written Peter"),
        (
            _record("q", "Other", "Name", date(2000, 1, 1), ni_number="AB123456C"),
            "oyelaran",
            "only the NI number right",
        ),
    ],
)
def test_a_single_error_never_loses_the_record(
    indexed: sessionmaker[Session], query: MatchRecord, expected: str, error: str
) -> None:
    with transaction(indexed) as session:
        found = [record.record_id for record in engine.candidates(session, DOMAIN, query)]
    assert expected in found, error


def test_a_stranger_shares_no_block_with_the_register(indexed: sessionmaker[Session]) -> None:
    with transaction(indexed) as session:
        assert engine.candidates(session, DOMAIN, _record("q", "Jones", "Rhiannon", date(2001, 5, 5))) == []


def test_find_ranks_the_true_record_first_and_explains_it(indexed: sessionmaker[Session]) -> None:
    with transaction(indexed) as session:
        matches = engine.find(session, DOMAIN, _record("q", "Kahn", "Muhammad", date(1984, 3, 7)))
    assert matches[0].record_id == "khan"
    fields = {part.field for part in matches[0].scored.explanation}
    assert {"surname", "forenames", "date_of_birth"} <= fields
    assert matches[0].scored.band != "certain"  # name and date of birth alone


def test_an_agreeing_identifier_makes_a_match_certain(indexed: sessionmaker[Session]) -> None:
    with transaction(indexed) as session:
        matches = engine.find(session, DOMAIN, _record("q", driving_licence_number="KHAN9807034MA9AB"))
    assert (matches[0].record_id, matches[0].scored.band) == ("khan", "certain")


def test_a_changed_record_is_found_under_its_new_name_only(indexed: sessionmaker[Session]) -> None:
    with transaction(indexed) as session:
        assert (
            index.index_records(session, DOMAIN, [_record("smith", "Brown", "Wilma", date(1991, 1, 15))]) == 1
        )
        assert (
            index.index_records(session, DOMAIN, [_record("smith", "Brown", "Wilma", date(1991, 1, 15))]) == 0
        )
    with transaction(indexed) as session:
        assert "smith" in _found(session, _record("q", "Brown", "Wilma", date(1991, 1, 15)))
        assert "smith" not in [r.record_id for r in engine.candidates(session, DOMAIN, REGISTERED[2])]


def test_removing_a_record_takes_its_keys_and_counts(indexed: sessionmaker[Session]) -> None:
    with transaction(indexed) as session:
        index.remove_records(session, DOMAIN, ["khan"])
    with transaction(indexed) as session:
        assert _found(session, REGISTERED[0]) == []
        assert session.scalar(select(func.count()).select_from(MatchEntry)) == len(REGISTERED) - 1
        orphans = (
            select(func.count()).select_from(MatchKey).where(~MatchKey.entry_id.in_(select(MatchEntry.id)))
        )
        assert session.scalar(orphans) == 0
        assert index.frequencies(session, DOMAIN, [("surname", "khan")]) == {}


def test_term_frequencies_are_shares_of_the_records(sessions: sessionmaker[Session]) -> None:
    people = [_record(f"k{i}", "Khan", "Ali", date(1980, 1, 1) + timedelta(days=i)) for i in range(750)]
    people += [_record(f"o{i}", "Oyelaran", "Ali", date(1980, 1, 1) + timedelta(days=i)) for i in range(250)]
    with transaction(sessions) as session:
        index.index_records(session, DOMAIN, people[:999])
        assert index.frequencies(session, DOMAIN, [("surname", "khan")]) == {}  # too few to say
        index.index_records(session, DOMAIN, people[999:])
        shares = index.frequencies(
            session, DOMAIN, [("surname", "khan"), ("surname", "oyelaran"), ("surname", "x")]
        )
    assert shares == {("surname", "khan"): 0.75, ("surname", "oyelaran"): 0.25}


def test_find_many_matches_each_record_against_the_others(indexed: sessionmaker[Session]) -> None:
    newcomers = [
        _record("new-khan", "Kahn", "Mohammed", driving_licence_number="KHAN9807034MA9AB"),
        _record("new-stranger", "Jones", "Rhiannon", date(2001, 5, 5)),
    ]
    with transaction(indexed) as session:
        index.index_records(session, DOMAIN, newcomers)
        found = engine.find_many(session, DOMAIN, newcomers)
    assert [m.record_id for m in found["new-khan"]][:1] == ["khan"]
    assert found["new-stranger"] == []
    assert all(m.record_id != "new-khan" for m in found["new-khan"])  # never itself


def test_an_indexed_record_with_day_and_month_swapped_meets_its_twin_in_the_batch(
    indexed: sessionmaker[Session],
) -> None:
    """An import's proposals join stored keys only: the swapped date must still meet."""
    query = _record("new", "Khan", "Mohammed", date(1984, 3, 7))
    with transaction(indexed) as session:
        index.index_records(session, DOMAIN, [query])
        one = [(m.record_id, m.scored.weight) for m in engine.find(session, DOMAIN, query, exclude={"new"})]
        many = [(m.record_id, m.scored.weight) for m in engine.find_many(session, DOMAIN, [query])["new"]]
    assert many == one
    assert many[0][0] == "khan"


def _index_rows(session: Session, domain: str) -> set[tuple[str, int]]:
    rows = session.execute(
        select(MatchEntry.record_id, MatchKey.key)
        .join(MatchKey, MatchKey.entry_id == MatchEntry.id)
        .where(MatchEntry.domain == domain)
    )
    return {(record_id, key) for record_id, key in rows}


@pytest.mark.parametrize("workers", [0, 1], ids=["keyed here", "keyed in a worker process"])
def test_a_whole_build_writes_the_same_index_as_record_by_record(
    sessions: sessionmaker[Session], workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "POOL_FROM_BATCH", 100)  # these batches of 500 and 700 go to the worker
    people = [
        _record(f"p{i}", surname, "Ali", date(1980, 1, 1) + timedelta(days=i))
        for i, surname in enumerate(["Khan", "Oyelaran", "Smith", "Kowalski"] * 300)
    ]
    with transaction(sessions) as session:
        index.index_records(session, DOMAIN, people)
        index.index_records(session, "other.domain", REGISTERED)
    with transaction(sessions) as session:
        one_by_one = _index_rows(session, DOMAIN)
        shares = index.frequencies(session, DOMAIN, [("surname", "khan"), ("forenames", "ali")])
    with transaction(sessions) as session:
        built = index.build(session, DOMAIN, [people[:500], [], people[500:]], workers=workers)
    assert built == len(people)
    with transaction(sessions) as session:
        assert _index_rows(session, DOMAIN) == one_by_one
        assert index.frequencies(session, DOMAIN, [("surname", "khan"), ("forenames", "ali")]) == shares
        assert shares == {("surname", "khan"): 0.25, ("forenames", "ali"): 1.0}
        # Another domain's entries are untouched, and records added afterwards are found as before.
        assert _found(session, REGISTERED[1]) == []
        assert len(_index_rows(session, "other.domain")) > 0
        index.index_records(session, DOMAIN, [REGISTERED[1]])
        assert _found(session, _record("q", "Oyelaran", "Adebayo", date(1975, 2, 14)))[:1] == ["oyelaran"]


def test_a_rebuild_replaces_what_was_there(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        index.build(session, DOMAIN, [REGISTERED])
    with transaction(sessions) as session:
        index.build(session, DOMAIN, [REGISTERED[1:]])
    with transaction(sessions) as session:
        assert _found(session, REGISTERED[0]) == []
        assert _found(session, REGISTERED[1])[:1] == ["oyelaran"]
        assert session.scalar(select(func.count()).select_from(MatchEntry)) == len(REGISTERED) - 1


def test_records_sharing_far_fewer_keys_than_the_best_are_not_scored(sessions: sessionmaker[Session]) -> None:
    """The true record shares every key; the namesakes born in the same month share a few. Only the
    SCORED_LEAST sharing most are scored, with any others within SCORED_SPREAD keys of the best."""
    truth = _record("truth", "Oyelaran", "Adebayo", date(1975, 2, 14))
    namesakes = [
        _record(f"n{day}", "Oyelaran", "Adebayo", date(1975, 2, day)) for day in range(1, 29) if day != 14
    ]
    with transaction(sessions) as session:
        index.index_records(session, DOMAIN, [truth, *namesakes])
        scored = [r.record_id for r in engine.candidates(session, DOMAIN, truth)]
    assert "truth" in scored
    assert len(scored) == engine.SCORED_LEAST  # 27 namesakes share keys, but far fewer than the truth
