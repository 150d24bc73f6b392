"""The matching benchmark still runs, and on a small register the engine keeps its promises: the true person
among the first five, and never a stranger shown as "certain"."""

from __future__ import annotations

from datetime import date

from bench.matching import report
from bench.matching.bench_matching import quick


def test_a_small_benchmark_runs_and_brands_no_stranger_certain() -> None:
    results = quick(2000)
    engine = results.engine_quality[(2000, "sqlite")]
    assert engine.false_certain() == 0
    assert results.rows[0].quality.top_recall(5) > 0.95
    table = report.render(results, date(2026, 12, 1), [2000])
    assert "openmash engine" in table
    assert "brute-force RapidFuzz" in table
