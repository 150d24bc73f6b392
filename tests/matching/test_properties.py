"""Properties that must hold for every record: a record matches itself, scores are symmetric, and a name
and a date of birth alone are never "certain"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.matching import storage
from openmash.matching.model import load_model, score
from openmash.matching.record import MatchRecord
from openmash.matching.weighing import Weighing

SETTINGS = settings(max_examples=200, deadline=None)

NAMES = [
    "Khan", "Kahn", "Mohammed", "Muhammad", "Mohd", "Smith", "Smyth", "Smith-Jones", "Kayleigh",
    "Kayleigh-Ann", "Abdul Rahman", "Abdurrahman", "McDonald", "Mac Donald", "Hüseyin", "Huseyin",
    "Yılmaz", "Piotr", "Peter", "Ali", "Hassan", "O'Brien", "Begum", "J", "John", "Oyelaran", "Nowak",
    "Александр", "Μαρία", "Lord",
]  # fmt: skip
# Letters that each fold to at least one ASCII letter (not the Cyrillic signs ъ and ь, which vanish).
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüöçşğıİłŁßæøåđþñАБВГДЖЗИЙКЛМНаеёжюяαβγδωΩ"

word = st.one_of(st.sampled_from(NAMES), st.text(alphabet=LETTERS, min_size=1, max_size=10))
name = st.lists(word, min_size=1, max_size=3).flatmap(
    lambda parts: st.sampled_from([" ", "-"]).map(lambda s: s.join(parts))
)
names = st.lists(st.tuples(name, name), min_size=1, max_size=3).map(tuple)
born = st.one_of(st.none(), st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)))
identifier = st.text(alphabet="AB12", min_size=3, max_size=6)
identifiers = st.dictionaries(
    st.sampled_from(["driving_licence_number", "ni_number", "nhs_number"]), identifier
)
postcodes = st.frozensets(st.sampled_from(["WV1 1AA", "WV1 4XY", "B1 1BB", "LS6 2AB", "E1 6AN"]), max_size=2)
sex = st.sampled_from(["M", "F", None])


@st.composite
def records(draw: st.DrawFn, with_identifiers: bool = True) -> MatchRecord:
    return MatchRecord(
        record_id=draw(st.text(alphabet="abc123", min_size=1, max_size=4)),
        names=draw(names),
        date_of_birth=draw(born),
        identifiers=MappingProxyType(draw(identifiers) if with_identifiers else {}),
        postcodes=draw(postcodes),
        sex=draw(sex),
    )


@st.composite
def near(draw: st.DrawFn, record: MatchRecord, with_identifiers: bool = True) -> MatchRecord:
    """Another record close to the given one: the differences real records of one person have."""
    surname, forenames = record.names[0]
    names_ = list(record.names)
    if draw(st.booleans()):
        names_[0] = (forenames, surname)  # swapped
    if draw(st.booleans()):
        names_[0] = (draw(st.sampled_from([surname, *NAMES])), draw(st.sampled_from([forenames, *NAMES])))
    if draw(st.booleans()):
        names_.append(draw(st.tuples(name, name)))  # an alias
    dob = record.date_of_birth
    if dob is not None and draw(st.booleans()):
        shifted = draw(st.sampled_from(["swap", "day", "year", "none"]))
        if shifted == "swap" and dob.day <= 12:
            dob = date(dob.year, dob.day, dob.month)
        elif shifted == "day":
            dob = dob + timedelta(days=1)
        elif shifted == "year":
            dob = date(dob.year + 10, dob.month, 1)
        else:
            dob = None
    held: dict[str, str] = dict(record.identifiers) if with_identifiers else {}
    mistyped = draw(st.booleans())
    if held and mistyped:
        kind = sorted(held)[0]
        held[kind] = draw(identifier)
    return MatchRecord(
        record_id=record.record_id + "'",
        names=tuple(names_),
        date_of_birth=dob,
        identifiers=MappingProxyType(held),
        postcodes=draw(st.one_of(st.just(record.postcodes), postcodes)),
        sex=draw(st.sampled_from([record.sex, None, "M", "F"])),
    )


@st.composite
def pairs(draw: st.DrawFn, with_identifiers: bool = True) -> tuple[MatchRecord, MatchRecord]:
    first = draw(records(with_identifiers))
    if draw(st.booleans()):
        return first, draw(records(with_identifiers))
    return first, draw(near(first, with_identifiers))


def frequency(field: str, value: str) -> float | None:
    """A made-up, deterministic share: short names are common."""
    return None if len(value) > 9 else 1.0 / (2 + len(value) ** 3)


@SETTINGS
@given(records())
def test_a_record_always_matches_itself(record: MatchRecord) -> None:
    model = load_model()
    copy = replace(record, record_id=record.record_id + "-copy")
    scored = score(record, copy, model)
    assert scored.band is not None
    assert {c.level for c in scored.explanation} <= {"exact", "missing"}
    assert all(c.level == "exact" for c in scored.explanation if c.field in ("surname", "forenames"))
    assert (scored.explanation[2].level == "exact") == (record.date_of_birth is not None)


@SETTINGS
@given(pairs())
def test_scores_are_symmetric(pair: tuple[MatchRecord, MatchRecord]) -> None:
    a, b = pair
    model = load_model()
    forward, backward = score(a, b, model), score(b, a, model)
    assert forward.weight == backward.weight
    assert forward.band == backward.band
    assert [(c.field, c.level) for c in forward.explanation] == [
        (c.field, c.level) for c in backward.explanation
    ]
    assert score(a, b, model, frequency).weight == score(b, a, model, frequency).weight


@SETTINGS
@given(pairs(with_identifiers=False), identifiers)
def test_name_and_date_of_birth_alone_are_never_certain(
    pair: tuple[MatchRecord, MatchRecord], one_sided: dict[str, str]
) -> None:
    a, b = pair
    a = replace(
        a, identifiers=MappingProxyType(one_sided)
    )  # identifiers on one side only corroborate nothing
    model = load_model()
    assert score(a, b, model).band != "certain"
    assert score(a, b, model, frequency).band != "certain"
    assert score(a, replace(a, record_id="twin", identifiers=MappingProxyType({})), model).band != "certain"


@SETTINGS
@given(st.lists(pairs(), min_size=1, max_size=4))
def test_the_first_pass_weighs_as_the_full_score(found: list[tuple[MatchRecord, MatchRecord]]) -> None:
    """A screening ranks and bands its candidates by ``Weighing`` and explains only those shown: it must
    give exactly the weight and band of ``score``, read back from the index, also for candidates weighed
    one after another against one query (names are remembered between them)."""
    model = load_model()
    query = found[0][0]
    weighing = Weighing(query, model, frequency)
    for _, held in found:
        stored = storage.loads_prepared(held.record_id, storage.dumps(held))
        scored = score(query, held, model, frequency)
        assert weighing.weigh(stored) == (scored.weight, scored.band)
        assert score(query, stored, model, frequency) == scored
