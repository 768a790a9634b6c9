"""The batch benchmark's targets from its runs, and the report's verdicts on them (fake timings)."""

from __future__ import annotations

import os

import pytest

from benchmarks.batch import _tree_rss_kb, summarise
from benchmarks.report import rows_for

RUNS = [
    {"rows": 100_000, "seconds": 9.0, "peak_rss_mb": 1200.0, "copy_seconds": 0.5, "us_per_row": 90.0},
    {"rows": 300_000, "seconds": 24.0, "peak_rss_mb": 1300.0, "copy_seconds": 1.2, "us_per_row": 80.0},
    {"rows": 1_000_000, "seconds": 70.0, "peak_rss_mb": 1450.0, "copy_seconds": 3.9, "us_per_row": 70.0},
]


def test_targets_come_from_the_largest_and_smallest_books() -> None:
    targets = {t["id"]: t for t in summarise(RUNS, workers=2)["targets"]}
    assert targets["batch.1m_seconds"]["measured"] == 70.0 and targets["batch.1m_seconds"]["baseline"] == 3.9
    assert targets["batch.peak_memory"]["measured"] == 1450.0
    assert targets["batch.linearity"]["ratio"] == pytest.approx(70.0 / 90.0)


def test_the_report_judges_each_target_by_its_threshold() -> None:
    met = {r["id"]: r["met"] for r in rows_for("batch", summarise(RUNS, workers=2))}
    assert met == {"batch.1m_seconds": False, "batch.peak_memory": True, "batch.linearity": True}
    fast = [dict(r, seconds=55.0) if r["rows"] == 1_000_000 else r for r in RUNS]
    assert {r["id"]: r["met"] for r in rows_for("batch", summarise(fast, workers=2))}["batch.1m_seconds"]


def test_tree_memory_counts_this_process() -> None:
    assert _tree_rss_kb(os.getpid()) > 10_000  # a Python with pytest loaded holds well over 10 MB
    assert _tree_rss_kb(2**22 + 12345) == 0  # no such process: nothing, not an error
