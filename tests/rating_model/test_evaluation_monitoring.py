"""Evaluation, comparison, drift and the HTML report: pure functions on small synthetic populations."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rating_model.artifact import MISSING_BIN, ScorecardArtifact
from rating_model.evaluation import binary_metrics, calibration, direction_checks, evaluate, score_frame
from rating_model.indicator_batch import frame_indicators
from rating_model.monitoring import (
    NO_BIN,
    bootstrap_deltas,
    compare_models,
    drift,
    indicator_psi,
    label_bins,
    migration_matrix,
    overrides,
    psi,
    recorded_bin_psi,
)
from rating_model.report import render_report, roc_curve
from rating_model.standard import DEFAULT_STANDARD, GRADES, load_standard
from rating_model.synthetic import generate_frame
from rating_model.train import train
from rating_model.validation import validate_frame
from tests.service.model_fixtures import default_document, rehash

STANDARD = load_standard(DEFAULT_STANDARD)


@pytest.fixture(scope="module")
def population() -> dict[str, Any]:
    frame = generate_frame(1500, 11)
    X, bad = frame_indicators(frame, STANDARD)
    champion = ScorecardArtifact.from_dict(default_document())
    challenger = ScorecardArtifact.from_dict(train(generate_frame(1500, 12), seed=12).artifact)
    return {"frame": frame, "X": X, "y": frame["label"].to_numpy(dtype=int), "bad": bad,
            "champion": champion, "challenger": challenger}


def test_psi_is_zero_for_equal_shares_and_grows_with_the_shift() -> None:
    assert psi([10, 20, 30], [1, 2, 3]) == pytest.approx(0.0)
    small, large = psi([50, 50], [55, 45]), psi([50, 50], [90, 10])
    assert 0 < small < 0.1 < 0.25 < large
    assert np.isfinite(psi([10, 0], [5, 5]))  # an empty bin is floored, not infinite
    with pytest.raises(ValueError):
        psi([1, 2], [1, 2, 3])


def test_migration_matrix_counts_moves_in_both_directions() -> None:
    m = migration_matrix(np.array(["green", "green", "not_green"]),
                         np.array(["green", "not_green", "light_green"]))
    assert m["counts"][1][1] == 1 and m["counts"][1][3] == 1 and m["counts"][3][2] == 1
    assert (m["upgrades"], m["downgrades"]) == (1, 1) and m["moved_share"] == pytest.approx(2 / 3)


def test_evaluate_reports_every_section(population: dict[str, Any]) -> None:
    report = evaluate(population["champion"], population["X"], population["y"], STANDARD)
    assert 0.5 < report["metrics"]["auc"] <= 1 and report["metrics"]["gini"] == pytest.approx(
        2 * report["metrics"]["auc"] - 1)
    assert sum(b["n"] for b in report["calibration"]["bins"]) == report["rows"] == 1500
    assert sum(g["n"] for g in report["grades"]) == 1500
    assert report["directions_ok"] and len(report["directions"]) == len(STANDARD.indicators)


def test_direction_check_names_an_indicator_against_its_declared_direction() -> None:
    doc = default_document()
    feature = next(f for f in doc["features"] if f["direction"] == "increasing" and len(set(f["points"])) > 1)
    feature["direction"] = "decreasing"
    feature["points"] = list(reversed(feature["points"]))
    checks = {c["indicator"]: c for c in direction_checks(ScorecardArtifact.from_dict(rehash(doc)), STANDARD)}
    assert not checks[feature["name"]]["ok"]
    assert any("declares 'increasing'" in p for p in checks[feature["name"]]["problems"])
    assert all(c["ok"] for name, c in checks.items() if name != feature["name"])


def test_direction_check_names_a_missing_bin_above_the_worst_value() -> None:
    """An artifact can no longer break the missing-data rule (it is refused at load), but evaluate's check
    is still there for one that names no standard; it reads the same rule."""
    doc = default_document()
    feature = next(f for f in doc["features"] if f["name"] == "green_operations")
    feature["missing_points"] = max(feature["points"])
    del doc["metadata"]["standard"]
    checks = {c["indicator"]: c for c in direction_checks(ScorecardArtifact.from_dict(rehash(doc)), STANDARD)}
    assert any("more than the worst value" in p for p in checks["green_operations"]["problems"])


@pytest.mark.parametrize(("y", "reason"), [([0, 2, 2, 0], "must be 0 or 1"), ([1, 1, 1, 1], "both classes"),
                                           ([0, 1, float("nan"), 1], "must be 0 or 1")])
def test_metrics_refuse_labels_other_than_zero_and_one(y: list[float], reason: str) -> None:
    """Labels {0, 2} used to give auc=nan and ks=inf, written into the evaluation's JSON."""
    with pytest.raises(ValueError, match=reason):
        binary_metrics(np.asarray(y), np.array([0.1, 0.4, 0.6, 0.9]))


def test_calibration_keeps_ties_in_one_bin() -> None:
    p = np.array([0.2] * 50 + [0.8] * 50)
    y = np.array([0] * 40 + [1] * 10 + [1] * 45 + [0] * 5)
    bins = calibration(y, p)["bins"]
    assert [(b["n"], b["observed"]) for b in bins] == [(50, 0.2), (50, 0.9)]


def test_compare_is_deterministic_and_intervals_bracket_the_delta(population: dict[str, Any]) -> None:
    args = (population["champion"], population["challenger"], population["X"], population["y"], STANDARD)
    first, second = compare_models(*args, samples=40), compare_models(*args, samples=40)
    assert first == second
    for m in first["metrics"].values():
        assert m["ci_low"] <= m["delta"] <= m["ci_high"]
    assert first["score_psi"]["psi"] >= 0 and set(first["indicator_psi"]) <= set(STANDARD.indicators)
    assert sum(map(sum, first["migration"]["counts"])) == 1500
    # the same population the champion was trained on (same generator): indicators are stable
    assert all(v["psi"] < 0.1 for v in first["indicator_psi"].values())


def test_compare_shows_each_models_calibration_and_green_rate_by_grade(population: dict[str, Any]) -> None:
    """compare gave Brier alone on calibration, and no grade's observed green rate: a validator could not
    see whether the challenger's probabilities still match the observed rate, nor whether a grade means
    what it meant, from the record a promotion rests on (model-risk review). Each model's calibration
    (mean predicted against observed, ECE) and each grade's rows and observed rate, with a 95 % Wilson
    interval so a grade of a few businesses reads as uncertain, are now in the comparison."""
    args = (population["champion"], population["challenger"], population["X"], population["y"], STANDARD)
    result = compare_models(*args, samples=20)
    y = population["y"]
    for role, model in (("champion", population["champion"]), ("challenger", population["challenger"])):
        scored = score_frame(model, population["X"], STANDARD)
        cal = result["calibration"][role]
        assert cal["rows"] == 1500 and cal["observed"] == pytest.approx(y.mean())
        assert cal["predicted"] == pytest.approx(scored.probabilities.mean())
        assert cal["ece"] == pytest.approx(calibration(y, scored.probabilities)["ece"])
        grades = result["grades"][role]
        assert [g["grade"] for g in grades] == list(GRADES)
        assert sum(g["n"] for g in grades) == 1500
        for g in grades:
            mask = scored.grades == g["grade"]
            assert g["n"] == int(mask.sum())
            if g["n"]:
                assert g["observed_rate"] == pytest.approx(y[mask].mean())
                assert g["ci_low"] <= g["observed_rate"] <= g["ci_high"]
            else:
                assert g["observed_rate"] is g["ci_low"] is g["ci_high"] is None
    # fewer businesses, a wider interval: the sample size is read off the interval, not only the count
    wide = {g["grade"]: g["ci_high"] - g["ci_low"] for g in result["grades"]["champion"] if g["n"]}
    counts = {g["grade"]: g["n"] for g in result["grades"]["champion"] if g["n"]}
    fewest, most = min(counts, key=counts.__getitem__), max(counts, key=counts.__getitem__)
    assert wide[fewest] > wide[most]


def test_bootstrap_of_a_model_against_itself_is_zero(population: dict[str, Any]) -> None:
    p = score_frame(population["champion"], population["X"], STANDARD).probabilities
    deltas = bootstrap_deltas(population["y"], p, p, samples=20)
    assert all(d["delta"] == d["ci_low"] == d["ci_high"] == 0 for d in deltas.values())


def _recorded_labels(model: ScorecardArtifact, X: pd.DataFrame) -> dict[str, list[str]]:
    """The bin label a rating records for each indicator value (what the engine writes as ``bin``)."""
    out = {}
    for name in model.feature_names:
        label = {b.bin: b.label for b in model.bins(name)}
        out[name] = [label[int(b)] for b in model.column_bins(name, X[name].to_numpy(dtype=float))]
    return out


def test_drift_compares_live_bins_with_the_training_population(population: dict[str, Any]) -> None:
    model = population["challenger"]
    assert sum(model.metadata["score_bands"]["counts"]) > 0  # the trainer kept the score distribution
    X = population["X"]
    scores = score_frame(model, X, STANDARD).scores
    bands = model.metadata["score_bands"]
    same = drift(model, None, scores, _recorded_labels(model, X), training_bands=bands)
    assert same["score_psi"]["psi"] < 0.1
    assert all(v["psi"] < 0.1 and "unmatched" not in v for v in same["indicator_psi"].values())
    shifted = drift(model, None, scores + 20, _recorded_labels(model, X * 5),
                    training_bands=model.metadata["score_bands"])
    assert shifted["score_psi"]["reading"] == "shift"
    assert max(v["psi"] for v in shifted["indicator_psi"].values()) > 0.25


def test_drift_of_a_handful_of_ratings_says_it_cannot_be_read(population: dict[str, Any]) -> None:
    """One rating fills one band: its PSI is large and means nothing, so no reading claims a shift."""
    from rating_model.monitoring import MIN_DRIFT_ROWS, TOO_FEW

    model, X = population["challenger"], population["X"]
    bands = model.metadata["score_bands"]
    for rows in (1, MIN_DRIFT_ROWS - 1):
        few = X.iloc[:rows]
        result = drift(model, None, score_frame(model, few, STANDARD).scores, _recorded_labels(model, few),
                       training_bands=bands)
        assert not result["enough_rows"] and result["score_psi"]["reading"] == TOO_FEW
        assert {v["reading"] for v in result["indicator_psi"].values()} == {TOO_FEW}
    enough = X.iloc[:MIN_DRIFT_ROWS]
    result = drift(model, None, score_frame(model, enough, STANDARD).scores, _recorded_labels(model, enough),
                   training_bands=bands)
    assert result["enough_rows"] and result["score_psi"]["reading"] != TOO_FEW


def test_drift_counts_recorded_bins_not_rounded_values(population: dict[str, Any]) -> None:
    """Values on an edge (2/7 for green_operations) are recorded as 0.285714, just below it: re-binning
    them would move every such business one bin down and report a shift of a population that did not move.
    """
    model, X = population["champion"], population["X"]
    edges = next(f.edges for f in model.features if f.name == "green_operations")
    assert any(round(e, 6) < e for e in edges)  # the premise: rounding moves an edge value below its edge
    on_edge = X["green_operations"].isin(edges).mean()
    assert on_edge > 0.1  # many businesses sit exactly on an edge
    scores = score_frame(model, X, STANDARD).scores
    result = drift(model, None, scores, _recorded_labels(model, X))
    assert result["indicator_psi"]["green_operations"]["psi"] < 0.1
    rounded = indicator_psi(model, {"green_operations": X["green_operations"].round(6).to_numpy()})
    assert rounded["green_operations"]["psi"] > 0.25  # what re-binning the recorded values reported


def test_recorded_labels_map_to_bins_and_unknown_labels_are_counted(population: dict[str, Any]) -> None:
    model = population["champion"]
    bins = model.bins("green_operations")
    labels = [b.label for b in bins] + ["no such bin", None]
    assert label_bins(model, "green_operations", labels).tolist() == [b.bin for b in bins] + [NO_BIN, NO_BIN]
    assert [b.bin for b in bins][-1] == MISSING_BIN and bins[-1].label == "missing"
    result = recorded_bin_psi(model, {"green_operations": labels})
    assert result["green_operations"]["unmatched"] == 2


def test_report_is_one_self_contained_html_file(population: dict[str, Any]) -> None:
    page = render_report(population["challenger"], population["X"], population["y"], STANDARD,
                         champion=population["champion"])
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 5
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)  # nothing fetched from anywhere
    for heading in ("ROC", "Calibration", "Score distribution by grade", "Points per indicator",
                    "Grade migration", "Model card"):
        assert heading in page
    # the numbers behind the calibration plot and the migration heat map, not only their pictures
    ev = evaluate(population["challenger"], population["X"], population["y"], STANDARD)
    assert "<th>observed - predicted</th>" in page
    assert page.count("<tr><td>") >= len(ev["calibration"]["bins"])
    assert "<td>champion: not_green</td>" in page and "<th>this model: dark_green</th>" in page


def test_roc_curve_runs_from_origin_to_one() -> None:
    fpr, tpr = roc_curve(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1]))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)


def test_the_report_says_what_the_model_was_built_from(population: dict[str, Any]) -> None:
    """The approval ticket's report named the model's version, sha256 and standard, but not what it was
    built from: its training rows' fingerprint, seed, training method, factor set and the libraries it was
    fitted with, which a validator rebuilding it needs (model-risk review). A provenance table gives
    each, as the artifact's metadata records it."""
    import html

    challenger = population["challenger"]
    page = render_report(challenger, population["X"], population["y"], STANDARD)
    assert "<h2>Provenance</h2>" in page
    meta = challenger.metadata
    for key in ("data_sha256", "seed", "code_version", "standard_sha256", "factor_set", "rows"):
        assert f"<tr><td>{key}</td><td>{html.escape(str(meta[key]))}</td></tr>" in page, key
    for name, version in meta["environment"].items():
        assert f"<tr><td>environment: {name}</td><td>{html.escape(version)}</td></tr>" in page, name
    # the packaged default predates the environment: said, not left out silently
    older = render_report(population["champion"], population["X"], population["y"], STANDARD)
    said = "not recorded (trained before artifacts recorded it)"
    assert f"<tr><td>environment</td><td>{said}</td></tr>" in older


def test_validation_reports_each_problem_by_row_and_column(population: dict[str, Any]) -> None:
    frame = population["frame"].iloc[:20].astype(object).copy()
    frame["colour"] = "green"
    frame.loc[3, "label"] = "maybe"
    frame.loc[5, "company__employees"] = "many"
    frame.loc[7, "energy__fuels_none"] = None  # had it answered none, the gas would contradict that first
    frame.loc[7, "energy__fuel__natural_gas__quantity"] = 10.0
    frame.loc[7, "energy__fuel__natural_gas__unit"] = "gallon"  # a list item: reported by its own column
    problems = validate_frame(frame, STANDARD)
    where = {(p.row, p.column) for p in problems}
    assert (None, "colour") in where and (4, "label") in where and (6, "company__employees") in where
    assert (8, "energy__fuel__natural_gas__unit") in where
    assert len(problems) == 4


def test_overrides_count_only_the_caps_that_lower_the_score_grade() -> None:
    """A knock-out overrides a score grade better than its cap, never one at or below it; a row lowered by
    two knock-outs is one override, counted under each (a validator reads both the rate and its causes)."""
    grades = np.array(["dark_green", "green", "light_green", "not_green", "dark_green"])
    knock_outs = [("insufficient_data",), ("insufficient_data",), ("environmental_penalty",),
                  ("excluded_activity",), ("environmental_penalty", "insufficient_data")]
    found = overrides(grades, knock_outs, STANDARD)
    assert (found["rows"], found["overridden"], found["share"]) == (5, 2, pytest.approx(0.4))
    rules = {k["id"]: (k["applies"], k["overrides"]) for k in found["knock_outs"]}
    assert rules["insufficient_data"] == (3, 2)  # dark_green -> green twice; green is its cap
    assert rules["environmental_penalty"] == (2, 1)  # light_green is its cap; dark_green is lowered
    assert rules["excluded_activity"] == (1, 0)  # not_green already
    assert [k["id"] for k in found["knock_outs"]] == [k.id for k in STANDARD.knock_outs]
