"""``greenrate model``: refusals and messages of the commands (the happy path is the e2e test)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from service.cli import main
from tests.service.model_fixtures import default_document, variant_document


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_validate_data_lists_problems_by_row_and_column(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    generated = run(env, "model", "generate-data", "--rows", "30", "--seed", "3", "--out", str(good))
    assert generated.exit_code == 0
    lines = good.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[2].split(",")
    row[header.index("label")] = "yes"
    row[header.index("company__country")] = ""
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0] + ",shoe_size", *[line + ",1" for line in (lines[1], ",".join(row))]])
                   + "\n")
    result = run(env, "model", "validate-data", str(bad))
    assert result.exit_code == 1
    assert "file, shoe_size: unknown column" in result.output
    assert "row 2, label: must be 0 or 1, got 'yes'" in result.output
    assert "row 2, company__country:" in result.output
    assert "3 problem(s) in 1 row(s) of 2" in result.output


def test_train_refuses_data_without_labels(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    run(env, "model", "generate-data", "--rows", "30", "--seed", "3", "--out", str(data))
    text = data.read_text().splitlines()
    label = text[0].split(",").index("label")
    data.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != label)
                              for line in text) + "\n")
    result = run(env, "model", "train", "--data", str(data), "--out", str(tmp_path / "m.json"))
    assert result.exit_code == 1 and "label" in result.output


def test_registry_commands_refuse_with_reasons(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade").exit_code == 0
    tampered = variant_document("t")
    tampered["base_points"] = 1.0
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tampered))
    result = run(env, "model", "register", str(path))
    assert result.exit_code == 1 and "sha256" in result.output
    assert "nothing to roll back to" in run(env, "model", "rollback", "--reason", "just checking",
                                              "--undoing", default_document()["version"]).output
    assert "not registered" in run(env, "model", "promote", "sc-nope", "--reason", "no such one",
                                      "--replacing", default_document()["version"]).output
    good = tmp_path / "g.json"
    good.write_text(json.dumps(variant_document("g")))
    assert run(env, "model", "register", str(good)).exit_code == 0
    listing = run(env, "model", "list").output
    assert f"* {default_document()['version']}" in listing and variant_document("g")["version"] in listing


def test_evaluate_names_a_missing_model(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    run(env, "model", "generate-data", "--rows", "30", "--seed", "3", "--out", str(data))
    result = run(env, "model", "evaluate", str(tmp_path / "nope.json"), "--data", str(data))
    assert result.exit_code == 1 and "cannot read" in result.output


def test_a_model_trained_on_generated_data_says_so_in_its_card(env: dict[str, str], tmp_path: Path) -> None:
    """A file from `generate-data` gave a card saying "Trained on labelled data supplied by the operator"."""
    data, out = tmp_path / "gen.parquet", tmp_path / "m.json"
    generated = run(env, "model", "generate-data", "--rows", "3000", "--seed", "3", "--out", str(data))
    assert generated.exit_code == 0
    assert run(env, "model", "train", "--data", str(data), "--out", str(out), "--workers", "1").exit_code == 0
    card = json.loads(out.read_text())["metadata"]["card"]
    assert card["synthetic_data"] is True and "SYNTHETIC" in card["warning"]
    assert card["trained_on"]["file"] == "gen.parquet"
    operator = tmp_path / "labels.parquet"
    pd.read_parquet(data).drop(columns=["latent_greenness"]).to_parquet(operator)
    trained = run(env, "model", "train", "--data", str(operator), "--out", str(out), "--workers", "1")
    assert trained.exit_code == 0
    assert json.loads(out.read_text())["metadata"]["card"]["synthetic_data"] is False


def test_evaluate_prints_calibration_by_segment_widest_gap_first(env: dict[str, str], tmp_path: Path) -> None:
    """The blank-vs-reported table was only in the --json file: the terminal showed a calibrated model."""
    from rating_model.engine import DEFAULT_MODEL
    from rating_model.evaluation import SEGMENT_GAP_LIMIT

    data, report = tmp_path / "d.parquet", tmp_path / "eval.json"
    generated = run(env, "model", "generate-data", "--rows", "1500", "--seed", "4", "--out", str(data))
    assert generated.exit_code == 0
    result = run(env, "model", "evaluate", str(DEFAULT_MODEL), "--data", str(data), "--json", str(report),
                 "--workers", "1")
    assert result.exit_code == 0, result.output
    segments = json.loads(report.read_text())["calibration_by_segment"]
    assert segments and any(abs(s["gap"]) > SEGMENT_GAP_LIMIT for s in segments)
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("calibration by segment ("))
    shown = [line.split() for line in lines[start + 1:start + 1 + len(segments)]]
    widest_first = sorted(segments, key=lambda s: -abs(s["gap"]))
    for words, s in zip(shown, widest_first, strict=True):
        marked = words[0] == ">5pp"
        assert marked == (abs(s["gap"]) > SEGMENT_GAP_LIMIT), words
        assert words[int(marked):int(marked) + 3] == [s["indicator"], s["segment"], str(s["rows"])]
        assert words[-3:] == ["gap", f"{100 * s['gap']:+.1f}", "pp"], words
