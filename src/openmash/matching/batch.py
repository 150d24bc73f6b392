"""Batch linkage and deduplication with Splink: a whole register, or two agencies' lists, at once.

The index (``engine.py``) finds one record's matches in milliseconds; a batch (people held twice, the same
child in two agencies' records) is better done by Splink, which blocks, compares and scores every candidate
pair in one SQL engine: DuckDB in this process, Spark at national scale. Splink only nominates pairs: each is
scored again by OUR model (``model.score``), so an officer sees our explanation and band, and only certain
and probable pairs are kept. Every normalised form is computed here in Python, one row per record, so the
SQL is plain and the settings (a plain dict) run on Spark with two function names changed:
``dedupe(records, backend=SparkAPI(spark_session=spark))``. docs/operations/linkage.md tells how; only
DuckDB is tested.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import pyarrow as pa  # type: ignore[import-untyped]

from openmash.matching.index import MIN_RECORDS_FOR_FREQUENCIES
from openmash.matching.keys import swapped_day_and_month, terms_of
from openmash.matching.model import Frequency, Model, Scored, load_model, score
from openmash.matching.normalise import forename_key, joined, joined_token, phonetic_codes, tokens
from openmash.matching.proposals import PROPOSABLE_BANDS
from openmash.matching.record import MatchRecord

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPI
    from splink.internals.linker import Linker

__all__ = [
    "DEFAULT_SEED",
    "LinkedPair",
    "dedupe",
    "duckdb_api",
    "identifier_kinds",
    "link",
    "rows",
    "splink_settings",
    "train",
]

Dialect = Literal["duckdb", "spark"]
DEFAULT_SEED: Final = 42
DEFAULT_THRESHOLD: Final = 0.9
# The only functions whose names differ between the backends (Spark's jaro_winkler is Splink's UDF).
_FUNCTIONS: Final[Mapping[str, Mapping[str, str]]] = {
    "duckdb": {"jaro_winkler": "jaro_winkler_similarity", "overlap": "list_has_any"},
    "spark": {"jaro_winkler": "jaro_winkler", "overlap": "arrays_overlap"},
}
_ID: Final = "id_"  # the column of an identifier kind is id_<kind>
_NUMBERS: Final = ("birth_year", "birth_month", "birth_day")
_LISTS: Final = ("postcodes", "districts")
# Pairs that are surely matches, to estimate how many pairs of the batch match (Splink's prior), and the
# share of all matches they are thought to find.
_SURE: Final = (("surname", "forenames", "dob"),)
_SURE_RECALL: Final = 0.8


@dataclass(frozen=True)
class LinkedPair:
    """Two records Splink put together, with its probability and levels, and our model's score of them."""

    left_id: str
    right_id: str
    match_probability: float  # Splink's
    levels: Mapping[str, str]  # Splink's level of each comparison, by comparison name
    scored: Scored  # ours: the band, the weight and the explanation an officer reads

    @property
    def band(self) -> str | None:
        return self.scored.band


# ---------------------------------------------------------------------------------------------- rows


def identifier_kinds(*batches: Sequence[MatchRecord]) -> tuple[str, ...]:
    """The identifier kinds any record holds, sorted: each becomes a column and a comparison."""
    return tuple(sorted({k for batch in batches for r in batch for k, v in r.identifiers.items() if v}))


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _row(record: MatchRecord, kinds: Sequence[str]) -> dict[str, Any]:
    surname, forenames = record.names[0] if record.names else ("", "")
    words = tokens(forenames)
    first = joined_token(words[0]) if words else ""
    born = record.date_of_birth
    swapped = swapped_day_and_month(born) if born is not None else None
    postcodes = sorted({p for p in (_compact(v) for v in record.postcodes) if p})
    sex = (record.sex or "").strip().upper()[:1]
    row: dict[str, Any] = {
        "unique_id": record.record_id,
        "surname": joined(surname),
        "surname_dm1": phonetic_codes(surname)[0],
        "surname_dm2": phonetic_codes(surname)[1],
        "forenames": joined(forenames),
        "forenames_sound": phonetic_codes(forenames)[0],
        "forename1": first,
        "forename_dm1": phonetic_codes(first)[0],
        "forename_dm2": phonetic_codes(first)[1],
        "forename_key": forename_key(first),
        "dob": born.isoformat() if born else None,
        "dob_swapped": swapped.isoformat() if swapped else None,
        "birth_year": born.year if born else None,
        "birth_month": born.month if born else None,
        "birth_day": born.day if born else None,
        "birth_year_month": f"{born.year}-{born.month:02d}" if born else None,
        "birth_year_day": f"{born.year}-{born.day:02d}" if born else None,
        "birth_day_month": f"{born.month:02d}-{born.day:02d}" if born else None,
        "surname_initial": joined(surname)[:1],
        "forename_initial": words[0][:1] if words else "",
        "postcodes": postcodes or None,
        "districts": sorted({p[:-3] for p in postcodes if len(p) >= 5}) or None,
        "sex": sex if sex in ("M", "F") else None,
    }
    for kind in kinds:
        row[_ID + kind] = _compact(record.identifiers.get(kind) or "")
    return {key: None if value == "" else value for key, value in row.items()}


def rows(records: Sequence[MatchRecord], kinds: Sequence[str]) -> list[dict[str, Any]]:
    """One row per record, every normalised form precomputed so that the SQL stays plain and portable.

    Splink compares the main name only; our model, which rescores every pair Splink nominates, also weighs
    previous names and aliases.
    """
    return [_row(record, kinds) for record in records]


def _table(table: list[dict[str, Any]], kinds: Sequence[str]) -> Any:
    """The rows as an Arrow table with every column's type stated (a column empty in this batch has none to
    infer, and Splink's SQL would not bind); both DuckDB and Spark read it."""
    columns = _row(MatchRecord("", ()), kinds)  # every column, whatever these records hold
    number, text, texts = pa.int32(), pa.string(), pa.list_(pa.string())
    schema = [(c, number if c in _NUMBERS else texts if c in _LISTS else text) for c in columns]
    return pa.Table.from_pylist(table, schema=pa.schema(schema))


# ---------------------------------------------------------------------------------------------- settings

Level = tuple[str, str, str]  # (SQL condition, label, the level of our model whose m and u start it)


def _comparison(model: Model, field: str, null: str, levels: Sequence[Level]) -> dict[str, Any]:
    """A Splink comparison whose levels start from our model's m and u, so a batch too small to train on
    still scores sensibly. The m of a level counting against a match ("different") is kept: EM on a batch
    whose matches never disagree on a field drives it to 0 (Splink 5 then refuses to go on), yet a true
    match can disagree on anything."""
    built: list[dict[str, Any]] = [
        {"sql_condition": f"{null}_l IS NULL OR {null}_r IS NULL", "label_for_charts": "missing"}
    ]
    built[0]["is_null_level"] = True
    for sql, label, ours in levels:
        params = model.params(field)[ours]
        level = {"sql_condition": sql, "label_for_charts": label, "m_probability": params.m}
        level["u_probability"] = params.u
        if ours == "different":
            level["fix_m_probability"] = True
        built.append(level)
    return {"output_column_name": field, "comparison_levels": built}


def _either(column: str) -> str:
    """Either Double Metaphone code of one side equals either of the other's."""
    codes = (f"{column}_dm1", f"{column}_dm2")
    return " OR ".join(f"{x}_l = {y}_r" for x in codes for y in codes)


def _comparisons(model: Model, kinds: Sequence[str], dialect: Dialect) -> list[dict[str, Any]]:
    """Our levels (``compare.py``) in SQL, best first: a pair takes the first level whose condition holds."""
    jw, overlap = _FUNCTIONS[dialect]["jaro_winkler"], _FUNCTIONS[dialect]["overlap"]
    swapped = "surname_dm1_l = forenames_sound_r AND forenames_sound_l = surname_dm1_r"
    initial = "(length(forename1_l) = 1 OR length(forename1_r) = 1)"
    two_parts = " OR ".join(
        f"({a}_l = {a}_r AND {b}_l = {b}_r)" for a, b in itertools.combinations(_NUMBERS, 2)
    )
    different = ("ELSE", "different", "different")
    surname = [
        ("surname_l = surname_r", "exact", "exact"),
        (swapped, "swapped_with_forenames", "phonetic"),
        (_either("surname"), "phonetic", "phonetic"),
        (f"{jw}(surname_l, surname_r) >= 0.92", "jaro_winkler_92", "jaro_winkler_92"),
        (f"{jw}(surname_l, surname_r) >= 0.85", "jaro_winkler_85", "jaro_winkler_85"),
        different,
    ]
    forenames = [
        ("forenames_l = forenames_r", "exact", "exact"),
        (swapped, "swapped_with_surname", "phonetic"),
        ("forename1_l = forename1_r", "first_forename", "first_forename"),
        (f"{initial} AND substr(forename1_l, 1, 1) = substr(forename1_r, 1, 1)", "initial", "initial"),
        (initial, "initial_differs", "different"),
        ("forename_key_l = forename_key_r", "variant", "variant"),
        (_either("forename"), "phonetic", "phonetic"),
        (f"{jw}(forename1_l, forename1_r) >= 0.92", "jaro_winkler_92", "jaro_winkler_92"),
        (f"{jw}(forename1_l, forename1_r) >= 0.85", "jaro_winkler_85", "jaro_winkler_85"),
        different,
    ]
    date_of_birth = [
        ("dob_l = dob_r", "exact", "exact"),
        ("dob_l = dob_swapped_r", "day_month_swapped", "day_month_swapped"),
        ("levenshtein(dob_l, dob_r) <= 1", "one_digit", "one_digit"),
        (two_parts, "one_part_differs", "one_part_differs"),
        different,
    ]
    postcode = [
        (f"{overlap}(postcodes_l, postcodes_r)", "exact", "exact"),
        (f"{overlap}(districts_l, districts_r)", "same_district", "same_district"),
        different,
    ]
    comparisons = [
        _comparison(model, "surname", "surname", surname),
        _comparison(model, "forenames", "forenames", forenames),
        _comparison(model, "date_of_birth", "dob", date_of_birth),
    ]
    for kind in kinds:
        column = _ID + kind
        identifier = [
            (f"{column}_l = {column}_r", "exact", "exact"),
            (f"damerau_levenshtein({column}_l, {column}_r) <= 1", "keying_error", "keying_error"),
            different,
        ]
        comparisons.append(_comparison(model, kind, column, identifier))
    comparisons.append(_comparison(model, "postcode", "postcodes", postcode))
    comparisons.append(_comparison(model, "sex", "sex", [("sex_l = sex_r", "exact", "exact"), different]))
    return comparisons


def _blocking_rules(kinds: Sequence[str]) -> list[str]:
    """Our index's keys (``keys.py``) as Splink blocking rules, each a name part with date parts: a pair is
    found with any error in one name and one part of the date wrong, or with both names mistyped."""
    sound, group = "l.surname_dm1 = r.surname_dm1", "l.forename_key = r.forename_key"
    parts = ("birth_year_month", "birth_year_day", "birth_day_month")
    return [
        *(f"{name} AND l.{part} = r.{part}" for name in (sound, group) for part in parts),
        f"{sound} AND {group} AND l.birth_year = r.birth_year",  # both day and month wrong
        "l.dob = r.dob AND l.surname_initial = r.surname_initial",  # both names mistyped
        "l.dob = r.dob AND l.forename_initial = r.forename_initial",
        f"{sound} AND l.dob = r.dob_swapped",  # day and month swapped, and a forename error besides
        # the forenames written as the surname and the surname as the forenames
        "l.surname_dm1 = r.forenames_sound AND l.forenames_sound = r.surname_dm1 AND l.dob = r.dob",
        f"{sound} AND {group} AND (l.dob IS NULL OR r.dob IS NULL)",  # the name alone, with no date
        # each identifier exactly: a mistyped identifier is an error the name keys survive
        *(f"l.{_ID}{kind} = r.{_ID}{kind}" for kind in kinds),
    ]


def splink_settings(
    kinds: Sequence[str],
    *,
    dialect: Dialect = "duckdb",
    link_type: Literal["dedupe_only", "link_only"] = "dedupe_only",
    model: Model | None = None,
    prior: float = 0.0001,
) -> dict[str, Any]:
    """The Splink settings for the rows ``rows`` makes, with these identifier kinds: a plain,
    JSON-serialisable dict, the same for every backend but for the dialect's Jaro-Winkler and array-overlap
    function names ("spark": Splink's UDFs, registered by ``SparkAPI``). ``prior`` is Splink's
    probability that two records picked at random match (``dedupe`` estimates it from the batch)."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "comparisons": _comparisons(model or load_model(), kinds, dialect),
        "blocking_rules_to_generate_predictions": _blocking_rules(kinds),
        "retain_matching_columns": True,  # Splink keeps each comparison's level (gamma_) only with them
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 25,
    }


# ---------------------------------------------------------------------------------------------- running


def duckdb_api() -> DatabaseAPI[Any]:
    """An in-memory DuckDB for Splink that never downloads an extension (there is no network at run time)."""
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(
        ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    return DuckDBAPI(connection=connection)


def train(linker: Linker, *, seed: int = DEFAULT_SEED, max_pairs: float = 1e6) -> None:
    """u by random sampling with a fixed seed (a run can be repeated exactly), then m by EM on two blocking
    rules, each estimating the fields it does not block on: the names and identifiers of people born the
    same day, and the date of birth of people with the same surname sound and forename group."""
    # one pass over a sample that fits in memory; Splink's chunks (stopping early) for a national one
    chunks = 1 if max_pairs <= 1e7 else 10
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed, num_chunks=chunks)
    for rule in ("l.dob = r.dob", "l.surname_dm1 = r.surname_dm1 AND l.forename_key = r.forename_key"):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )


def _prior(tables: Sequence[Sequence[Mapping[str, Any]]], kinds: Sequence[str]) -> float:
    """Splink's prior as Splink advises estimating it: the pairs that are surely matches (the same name and
    date of birth, or the same identifier and date of birth), over the share of matches they find, over
    all pairs. Never 0 (Splink cannot weigh that), however few sure pairs a small batch holds."""
    keys = [*_SURE, *((_ID + kind, "dob") for kind in kinds)]
    sure: set[tuple[str, str]] = set()
    for key in keys:
        groups: dict[tuple[Any, ...], list[list[str]]] = defaultdict(lambda: [[] for _ in tables])
        for side, table in enumerate(tables):
            for row in table:
                value = tuple(row[column] for column in key)
                if None not in value:
                    groups[value][side].append(row["unique_id"])
        for ids in groups.values():
            if len(ids) == 1:
                sure.update(itertools.combinations(sorted(ids[0]), 2))
            else:
                sure.update((a, b) for a in ids[0] for b in ids[1])
    sizes = [len(table) for table in tables]
    total = sizes[0] * (sizes[0] - 1) / 2 if len(sizes) == 1 else sizes[0] * sizes[1]
    return min(0.5, max(len(sure) / _SURE_RECALL, 1.0) / max(total, 1.0))


def _labels(settings: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    """Each comparison's level labels by the number Splink gives them: -1 for missing, then n-1 for the
    first other level down to 0 for the last."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in settings["comparisons"]:
        counted = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        named = {-1: "missing"} | {
            len(counted) - 1 - i: lv["label_for_charts"] for i, lv in enumerate(counted)
        }
        labels[comparison["output_column_name"]] = named
    return labels


def _frequency_of(records: Sequence[MatchRecord]) -> Frequency | None:
    """Term frequencies from the batch itself (counted as the index counts them), once it is large enough."""
    if len(records) < MIN_RECORDS_FOR_FREQUENCIES:
        return None
    counts = Counter(term for record in records for term in terms_of(record))

    def frequency(field: str, value: str) -> float | None:
        count = counts.get((field, value), 0)
        return count / len(records) if count else None

    return frequency


def _run(
    inputs: Sequence[Sequence[MatchRecord]],
    *,
    threshold: float,
    backend: str | DatabaseAPI[Any],
    seed: int,
    model: Model | None,
    max_pairs: float,
) -> list[LinkedPair]:
    from splink import Linker

    if isinstance(backend, str) and backend != "duckdb":
        raise ValueError(f"unknown backend {backend!r}: 'duckdb', or a Splink database API such as SparkAPI")
    if not all(inputs) or (len(inputs) == 1 and len(inputs[0]) < 2):
        return []
    model = model or load_model()
    api = duckdb_api() if isinstance(backend, str) else backend
    dialect: Dialect = "spark" if api.sql_dialect.sql_dialect_str == "spark" else "duckdb"
    kinds = identifier_kinds(*inputs)
    tables = [rows(batch, kinds) for batch in inputs]
    settings = splink_settings(
        kinds,
        dialect=dialect,
        link_type="dedupe_only" if len(inputs) == 1 else "link_only",
        model=model,
        prior=_prior(tables, kinds),
    )
    names = ["records"] if len(inputs) == 1 else ["left", "right"]
    run = uuid.uuid4().hex[:8]  # a backend given again (a Spark session) refuses a table name it holds
    registered = [
        api.register(_table(table, kinds), table_name=f"openmash_{name}_{run}", dataset_display_name=name)
        for name, table in zip(names, tables, strict=True)
    ]
    quiet = logging.getLogger("splink")
    if quiet.level == logging.NOTSET:  # Splink's notes on training are not for an operator, unless asked
        quiet.setLevel(logging.ERROR)
    linker = Linker(registered if len(registered) > 1 else registered[0], settings, log_level=None)
    train(linker, seed=seed, max_pairs=max_pairs)
    found = linker.inference.predict(threshold_match_probability=threshold).as_record_list()
    labels = _labels(settings)
    by_id = [{record.record_id: record for record in batch} for batch in inputs]
    frequency = _frequency_of([record for batch in inputs for record in batch])
    pairs: list[LinkedPair] = []
    for row in found:
        left_id, right_id = str(row["unique_id_l"]), str(row["unique_id_r"])
        if len(inputs) == 2 and row.get("source_dataset_l") != "left":
            left_id, right_id = right_id, left_id
        scored = score(by_id[0][left_id], by_id[-1][right_id], model, frequency)
        if scored.band in PROPOSABLE_BANDS:
            levels = {name: named[int(row[f"gamma_{name}"])] for name, named in labels.items()}
            pairs.append(LinkedPair(left_id, right_id, float(row["match_probability"]), levels, scored))
    pairs.sort(key=lambda p: (-p.scored.weight, p.left_id, p.right_id))
    return pairs


def dedupe(
    records: Sequence[MatchRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str | DatabaseAPI[Any] = "duckdb",
    seed: int = DEFAULT_SEED,
    model: Model | None = None,
    max_pairs: float = 1e6,
) -> list[LinkedPair]:
    """Pairs of records that are likely the same person: Splink's match probability at least ``threshold``
    and our model's band certain or probable, strongest first. The same records and seed give the same
    pairs. ``backend`` is "duckdb" (in memory, in this process) or a Splink database API (``SparkAPI``);
    ``max_pairs`` is how many random pairs estimate u (Splink advises 1e7 or more for a national register).
    """
    return _run([records], threshold=threshold, backend=backend, seed=seed, model=model, max_pairs=max_pairs)


def link(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str | DatabaseAPI[Any] = "duckdb",
    seed: int = DEFAULT_SEED,
    model: Model | None = None,
    max_pairs: float = 1e6,
) -> list[LinkedPair]:
    """Pairs of a left and a right record (two agencies' lists) that are likely the same person, as in
    ``dedupe``; pairs within one list are not sought. ``left_id`` is always from ``left``."""
    return _run(
        [left, right], threshold=threshold, backend=backend, seed=seed, model=model, max_pairs=max_pairs
    )
