"""``greenrate model report``: the card's limitations and calibration by segment, shown as such."""

from __future__ import annotations

import html
import json
from pathlib import Path

from click.testing import CliRunner, Result

from rating_model.engine import DEFAULT_MODEL
from service.cli import main


def run(tmp_path: Path, *args: str) -> Result:
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_report_shows_calibration_by_segment_and_the_cards_limitations(tmp_path: Path) -> None:
    """The card's limitations were one JSON array in a table cell, and nothing showed how the one
    score-to-probability mapping misses the businesses that leave an indicator blank or report it."""
    data, holdout, model = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "m.json"
    assert run(tmp_path, "model", "generate-data", "--rows", "3000", "--seed", "3",
               "--out", str(data)).exit_code == 0
    assert run(tmp_path, "model", "generate-data", "--rows", "1500", "--seed", "4",
               "--out", str(holdout)).exit_code == 0
    assert run(tmp_path, "model", "train", "--data", str(data), "--out", str(model),
               "--workers", "1").exit_code == 0
    card = json.loads(model.read_text())["metadata"]["card"]
    out = tmp_path / "report.html"
    result = run(tmp_path, "model", "report", str(model), "--data", str(holdout), "--out", str(out),
                 "--champion", str(DEFAULT_MODEL), "--workers", "1")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # the indicator PSI is of these rows against the champion's training rows, not of the models' points
    assert "PSI of points" not in page and html.escape("PSI against the champion's training rows") in page
    import hashlib

    # the file it was computed on, as sha256sum names it (the page had said "sha256 None")
    assert f"sha256 <code>{hashlib.sha256(holdout.read_bytes()).hexdigest()}</code>" in page
    assert "<h3>Calibration by segment</h3>" in page  # on the data reported on
    assert "<h3>Calibration by segment on the training holdout</h3>" in page  # the card's
    holdout_table = page.split("on the training holdout</h3>")[1].split("</table>")[0]
    for s in card["calibration_by_segment_holdout"]:
        assert f"<td>{s['indicator']}</td><td>{s['segment']}</td><td>{s['rows']}</td>" in holdout_table
    assert "<h3>Limitations</h3>" in page
    for line in card["limitations"]:
        assert f"<li>{html.escape(line)}</li>" in page
    assert any("no points in this model" in line for line in card["limitations"])


def test_a_report_on_a_card_without_the_holdout_table_still_renders(tmp_path: Path) -> None:
    """Models written before the card carried calibration by segment (the registry's, the packaged one)."""
    holdout, out = tmp_path / "b.parquet", tmp_path / "report.html"
    assert run(tmp_path, "model", "generate-data", "--rows", "600", "--seed", "4",
               "--out", str(holdout)).exit_code == 0
    card = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))["metadata"]["card"]
    result = run(tmp_path, "model", "report", str(DEFAULT_MODEL), "--data", str(holdout), "--out", str(out),
                 "--workers", "1")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h3>Calibration by segment</h3>" in page and "<h3>Limitations</h3>" in page
    # a card written before greenrate-train/2 recorded segments has none; the packaged default has one
    assert ("on the training holdout</h3>" in page) == bool(card.get("calibration_by_segment_holdout"))


def test_compare_prints_each_models_calibration_and_green_rate_by_grade(tmp_path: Path) -> None:
    """compare printed Brier as the only word on calibration and no grade's observed green rate (a
    model-risk review): the terminal now shows both models' mean predicted against observed rate and ECE,
    and each grade's rows and observed rate with its 95 % interval, as the JSON records them."""
    holdout, out = tmp_path / "h.parquet", tmp_path / "compare.json"
    assert run(tmp_path, "model", "generate-data", "--rows", "1200", "--seed", "4",
               "--out", str(holdout)).exit_code == 0
    result = run(tmp_path, "model", "compare", str(DEFAULT_MODEL), str(DEFAULT_MODEL), "--data", str(holdout),
                 "--samples", "20", "--workers", "1", "--json", str(out))
    assert result.exit_code == 0, result.output
    compared = json.loads(out.read_text())
    cal = compared["calibration"]["champion"]
    assert (f"  calibration: champion predicted {cal['predicted']:.3f} vs observed {cal['observed']:.3f}, "
            f"ECE {cal['ece']:.4f}" in result.output)
    title = "observed green rate by grade (rows, rate [95 % interval]), champion | challenger:"
    assert title in result.output
    for g in compared["grades"]["champion"]:
        if g["n"]:
            shown = f"{g['n']:>6} {g['observed_rate']:.3f} [{g['ci_low']:.3f}, {g['ci_high']:.3f}]"
            assert f"    {g['grade']:<12} {shown} | {shown}" in result.output


def test_the_report_shows_the_knock_out_overrides_compare_counts(tmp_path: Path) -> None:
    """`compare` counted how often the standard's knock-outs override a model's score grade, the report did
    not: the approval ticket showed grades, migration and metrics that are the score's, and nothing of the
    businesses whose grade a knock-out caps. The report shows them, alone and beside the champion's."""
    holdout, compared = tmp_path / "b.parquet", tmp_path / "compare.json"
    assert run(tmp_path, "model", "generate-data", "--rows", "1500", "--seed", "4",
               "--out", str(holdout)).exit_code == 0
    model = str(DEFAULT_MODEL)
    assert run(tmp_path, "model", "compare", model, model, "--data", str(holdout), "--no-record",
               "--json", str(compared), "--workers", "1").exit_code == 0
    counted = json.loads(compared.read_text())["overrides"]["challenger"]
    assert counted["overridden"] > 0  # the synthetic population has penalised businesses
    for champion in ((), ("--champion", model)):
        out = tmp_path / "report.html"
        result = run(tmp_path, "model", "report", model, "--data", str(holdout), "--out", str(out),
                     "--workers", "1", *champion)
        assert result.exit_code == 0, result.output
        page = out.read_text(encoding="utf-8")
        assert "<h2>Knock-out overrides</h2>" in page, champion
        said = (f"cap the grade the score earns for {counted['overridden']} of {counted['rows']} businesses "
                f"({counted['share']:.1%}) with this model")
        assert html.escape(said) in page, champion
        for k in counted["knock_outs"]:
            if k["applies"]:
                assert f"<td>{k['id']}</td><td>{k['cap_grade']}</td><td>{k['applies']}</td>" in page
