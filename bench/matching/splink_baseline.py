"""Splink 5 (DuckDB, in memory) scoring one applicant at a time against the register with
``linker.inference.predict_between``, the closest Splink 5 API to a screening.

Rows: one per name a record holds (main and previous names), so an alias is found as the engine finds it;
names folded to lower-case ASCII the same way on both sides; date of birth as ISO text; licence and NI numbers
and postcode. Comparisons: first forename and surname (``NameComparison``, term frequencies on both), date of
birth (``DateOfBirthComparison``), licence number and NI number (``ExactMatch``), postcode
(``PostcodeComparison``). Prediction blocked on date of birth, on first forename and surname, on each
identifier: any single error in a name or a date still finds the record.

Training: u by ``estimate_u_using_random_sampling`` on the register; m by EM. EM on the register alone (its
only matches are the ~2% duplicate records, which carry the same date of birth and identifiers) learns that
a true match never disagrees on either, and then scores an applicant with one mistyped digit 20-60 bits
down; so EM runs on the register linked to the benchmark's applicants, unlabelled (link_only, blocked on date
of birth, then on first forename and surname), and scoring uses that model between the register and each
query (``link_type="dedupe_only"`` for the pair of tables). DuckDB may not download extensions
(``autoinstall_known_extensions=false``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bench.matching.baselines import BaselineRun
from bench.matching.data import Workload, person_of, typed_identifiers
from bench.matching.metrics import Ranked
from openmash.demo.population import SyntheticApplicant
from openmash.matching.normalise import fold

Echo = Callable[[str], None]
TOP = 10


def duckdb_api() -> Any:
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(
        config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    )
    return DuckDBAPI(connection)


def _row(
    uid: str,
    surname: str,
    forenames: str,
    born: date | None,
    dln: str | None,
    ni: str | None,
    postcode: str | None,
) -> dict[str, Any]:
    words = fold(forenames).split()
    return {
        "unique_id": uid,
        "first_name": words[0] if words else None,
        "surname": fold(surname) or None,
        "dob": born.isoformat() if born else None,
        "dln": dln or None,
        "ni": ni or None,
        "postcode": (postcode or "").upper() or None,
    }


def _applicant_rows(prefix: str, applicant: SyntheticApplicant) -> list[dict[str, Any]]:
    identifiers = typed_identifiers(applicant)
    return [
        _row(
            f"{prefix}#{k}",
            surname,
            forenames,
            applicant.date_of_birth,
            identifiers.get("driving_licence_number"),
            identifiers.get("ni_number"),
            applicant.postcode,
        )
        for k, (surname, forenames) in enumerate(applicant.names)
    ]


def _record_of(uid: str) -> str:
    return uid.rsplit("#", 1)[0]


def splink(
    workload: Workload, applicants: Sequence[SyntheticApplicant], echo: Echo, seed: int = 1
) -> BaselineRun:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    result = BaselineRun("Splink 5 predict_between")
    started = time.perf_counter()
    rows = [
        _row(f"{record_id}#{k}", s, f, p.date_of_birth, p.driving_licence_number, p.ni_number, p.postcode)
        for record_id, p in workload.register()
        for k, (s, f) in enumerate(p.names)
    ]
    training_rows = [row for i, a in enumerate(workload.applicants) for row in _applicant_rows(f"t{i}", a)]
    db = duckdb_api()
    register = db.register(pd.DataFrame(rows), table_name="register")
    training = db.register(pd.DataFrame(training_rows), table_name="training_applicants")
    del rows, training_rows
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("dln"),
            cl.ExactMatch("ni"),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("first_name", "surname"),
            block_on("dln"),
            block_on("ni"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([register, training], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.table_management.compute_tf_table("first_name")
    linker.table_management.compute_tf_table("surname")
    train_seconds = time.perf_counter() - started
    result.note = f"loaded and trained in {train_seconds:.0f} s"
    echo(f"  Splink: {result.note}; predict_between for {len(applicants):,} applicants")
    for i, applicant in enumerate(applicants):
        query_rows = _applicant_rows(f"q{i}", applicant)
        started = time.perf_counter()
        query = db.register(pd.DataFrame(query_rows), table_name=f"query_{i}")
        predictions = linker.inference.predict_between(
            register, query, link_type="dedupe_only", warning_mode="never"
        )
        pairs = predictions.as_record_list()
        best: dict[str, float] = {}
        for pair in pairs:
            left, right = str(pair["unique_id_l"]), str(pair["unique_id_r"])
            record = _record_of(right if left.startswith("q") else left)
            best[record] = max(best.get(record, float("-inf")), float(pair["match_weight"]))
        top = sorted(best, key=lambda r: (-best[r], r))[:TOP]
        result.latency.add((time.perf_counter() - started) * 1000)
        predictions.drop_table_from_database_and_remove_from_cache()
        query.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        result.ranked.append(Ranked(tuple(person_of(r) for r in top), (None,) * len(top)))
        result.applicants.append(applicant)
    return result
