"""The report's table logic on fake results: who decides "met", how rows read, what gets flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.report import ReportError, build, markdown, met, rows_for, table

MACHINE = {"cpu_model": "Test CPU", "logical_cpus": 2, "physical_cores": 2, "cpus_available": 2,
           "memory_gb": 4.0, "os": "Linux-test", "python": "CPython 3.11.0",
           "date": "2025-01-01T00:00:00+00:00", "load_average": (0.5, 0.4, 0.3)}

ENGINE = {"rate_one_us": 100.0, "pipeline_one_row_us": 6000.0, "rate_one_ratio": 60.0,
          "binned_pipeline_one_row_us": 9000.0, "rate_one_binned_ratio": 90.0, "bulk_rows": 10,
          "bulk_artifact_s": 2.0, "bulk_pipeline_s": 1.0, "bulk_ratio": 0.5, "engine_rss_mb": 40.0,
          "interpreter_rss_mb": 12.0, "scores_checked": 10}


def _target(**overrides: Any) -> dict[str, Any]:
    row = {"id": "svc.miss", "target": "POST /v1/ratings, miss", "measured": 50.0, "baseline": 100.0,
           "unit": "req/s", "ratio": 0.5, "ratio_definition": "measured / baseline",
           "threshold": {"on": "ratio", "op": ">=", "value": 0.4}, "primary": True,
           "command": "wrk -t1 -c16 -d10s url -- distinct 1 32"}
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("threshold", "measured", "ratio", "expected"),
    [
        ({"on": "ratio", "op": ">=", "value": 0.4}, 1.0, 0.4, True),  # the boundary meets ">="
        ({"on": "ratio", "op": ">=", "value": 0.4}, 1.0, 0.39, False),
        ({"on": "ratio", "op": ">", "value": 1}, 1.0, 1.0, False),  # ...but not ">"
        ({"on": "measured", "op": "<", "value": 20}, 19.9, 99.0, True),  # judged on measured, not ratio
        ({"on": "measured", "op": "<", "value": 20}, 20.0, 0.1, False),
        ({"on": "ratio", "op": ">=", "value": 0.4}, 1.0, None, False),  # no ratio cannot meet a ratio
        (None, 1.0, 1.0, None),  # reported only
    ],
)
def test_met_compares_the_named_value(threshold: Any, measured: float, ratio: float | None,
                                      expected: bool | None) -> None:
    assert met(threshold, {"measured": measured, "ratio": ratio}) is expected


def test_met_is_decided_by_the_report_not_the_producer() -> None:
    rows = rows_for("service", {"targets": [_target(ratio=0.1, met=True)]})
    assert rows[0]["met"] is False
    assert rows[0]["source"] == "service"


def test_engine_layout_reads_its_three_targets_and_one_reported_row() -> None:
    rows = {r["id"]: r for r in rows_for("engine", ENGINE)}
    assert set(rows) == {"engine.rate_one", "engine.rate_one_binned", "engine.bulk", "engine.rss"}
    assert rows["engine.rate_one_binned"]["ratio"] == 90.0 and rows["engine.rate_one_binned"]["met"] is None
    assert rows["engine.rate_one"]["ratio"] == 60.0 and rows["engine.rate_one"]["met"] is True
    assert rows["engine.bulk"]["met"] is False  # 0.5 is not > 1
    assert rows["engine.rss"]["ratio"] == pytest.approx(40.0 / 12.0)  # computed: the file has no ratio key
    assert rows["engine.rss"]["met"] is True


def test_an_implausible_interpreter_baseline_makes_the_memory_row_unverified() -> None:
    broken = {**ENGINE, "engine_rss_mb": 0.0, "interpreter_rss_mb": 680.0}
    rows = {r["id"]: r for r in rows_for("engine", broken)}
    assert rows["engine.rss"]["met"] == "unverified"
    assert "ru_maxrss" in rows["engine.rss"]["doubt"]


def test_unknown_or_incomplete_files_are_refused() -> None:
    with pytest.raises(ReportError, match="no known layout"):
        rows_for("mystery", {"value": 1})
    with pytest.raises(ReportError, match="bulk_ratio"):
        rows_for("engine", {k: v for k, v in ENGINE.items() if k != "bulk_ratio"})


def test_table_has_one_row_per_target_with_every_column() -> None:
    rows = rows_for("service", {"targets": [
        _target(),
        _target(id="svc.p99", target="p99 | miss", measured=35.0, unit="ms", ratio=2.0,
                threshold={"on": "measured", "op": "<", "value": 20}),
        _target(id="svc.p50", target="p50", measured=12.0, unit="ms", ratio=1.2, threshold=None),
    ]})
    lines = table(rows).splitlines()
    assert lines[0] == "| target | measured | baseline | ratio | threshold | met | command |"
    assert len(lines) == 2 + 3
    assert "| 50.0 req/s | 100.0 req/s | 0.500 | ratio ≥ 0.4 | yes |" in lines[2]
    assert "p99 \\| miss" in lines[3] and "< 20 ms | **no** |" in lines[3]  # pipes escaped, failure plain
    assert "— (reported) | — |" in lines[4]
    assert lines[2].endswith("| `wrk -t1 -c16 -d10s url -- distinct 1 32` |")


def test_build_merges_every_file_and_markdown_says_what_failed(tmp_path: Path) -> None:
    (tmp_path / "engine.json").write_text(json.dumps(ENGINE))
    service = {"targets": [_target(), _target(id="svc.hit", ratio=0.6,
                                              threshold={"on": "ratio", "op": ">=", "value": 0.7}),
                           _target(id="live.miss", primary=False)],
               "notes": ["echo drifted"]}
    (tmp_path / "service.json").write_text(json.dumps(service))
    doc = build(tmp_path, MACHINE)
    assert [r["id"] for r in doc["targets"]] == [
        "engine.rate_one", "engine.rate_one_binned", "engine.bulk", "engine.rss", "svc.miss", "svc.hit",
        "live.miss"]
    assert doc["machine"]["cpu_model"] == "Test CPU"
    assert doc["sources"]["service"]["data"]["notes"] == ["echo drifted"]
    assert "service: echo drifted" in doc["notes"]
    text = markdown(doc)
    assert "Test CPU, 2 logical CPUs" in text and "CPython 3.11.0" in text
    assert "**Primary targets: 3 of 5 met.** Not met or unverified: engine.bulk, svc.hit." in text
    assert "**Secondary (Redis + PostgreSQL) targets: 1 of 1 met.**" in text


def test_build_without_results_says_to_run_the_benchmarks(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="make bench"):
        build(tmp_path, MACHINE)


def test_training_layout_reads_per_row_times_from_its_runs() -> None:
    training = {"train_50k_seconds": 10.0, "train_200k_seconds": 44.0, "train_linearity_ratio": 1.1,
                "runs": [{"rows": 50_000, "us_per_row": 200.0}, {"rows": 200_000, "us_per_row": 220.0}]}
    rows = {r["id"]: r for r in rows_for("training", training)}
    assert rows["training.200k"]["met"] is True  # 44 s < 60 s
    assert (rows["training.linearity"]["measured"], rows["training.linearity"]["baseline"]) == (220.0, 200.0)
    assert rows["training.linearity"]["met"] is True  # 1.1 <= 1.2
    with pytest.raises(ReportError, match="a run"):
        rows_for("training", {**training, "runs": training["runs"][:1]})
