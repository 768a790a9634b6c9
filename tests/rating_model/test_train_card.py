"""The model card says what the model cannot do: features that score nothing, segments it miscalibrates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rating_model.artifact import ScorecardArtifact
from rating_model.evaluation import SEGMENT_GAP_LIMIT, calibration_by_segment, score_frame
from rating_model.indicator_batch import frame_indicators_answered
from rating_model.labels import labels_of
from rating_model.model_card import model_card, no_point_features
from rating_model.standard import DEFAULT_STANDARD, load_standard
from rating_model.synthetic import generate_frame
from rating_model.train import HOLDOUT_SHARE, train
from tests.rating_model.trained import SEED, trained, training_frame


def _trained() -> tuple[pd.DataFrame, dict[str, Any]]:
    """The training tests' frame and its synthetic-source artifact (trained once a session, copies)."""
    return training_frame(), trained(synthetic=True).artifact


def test_calibration_by_segment_on_known_rows() -> None:
    indicators = pd.DataFrame({
        "a": [np.nan, np.nan, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],  # 20 % blank
        "b": [1.0] * 10,  # never blank: no segments
        "c": [np.nan] + [1.0] * 9,  # 10 % blank, below a 15 % floor
    })
    y = np.array([1, 1, 0, 0, 1, 0, 1, 0, 1, 0])
    p = np.array([0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    rows = calibration_by_segment(indicators, y, p, ["a", "b", "c", "absent"], min_blank_share=0.15)
    assert [(r["indicator"], r["segment"], r["rows"]) for r in rows] == [
        ("a", "blank", 2), ("a", "reported", 8), ("absent", "blank", 10)]
    blank, reported = rows[0], rows[1]
    assert blank["predicted"] == pytest.approx(0.3) and blank["observed"] == 1.0
    assert blank["gap"] == pytest.approx(-0.7)
    assert reported["predicted"] == 0.5 and reported["observed"] == 3 / 8
    assert reported["gap"] == pytest.approx(0.125)
    assert [r["indicator"] for r in calibration_by_segment(indicators, y, p, ["c"])] == ["c", "c"]  # 5 %


def test_the_card_names_the_features_that_score_no_points_and_why() -> None:
    """training.dropped_features listed the features whose coefficient was set to 0, but the card, which
    an analyst reads, did not say that they score nothing (the default model's carbon_intensity)."""
    artifact = _trained()[1]
    limitations = artifact["metadata"]["card"]["limitations"]
    zero = [f["name"] for f in artifact["features"]
            if not any([*f["points"], f["missing_points"], f.get("unseen_points", 0.0)])]
    dropped = artifact["training"]["dropped_features"]
    assert dropped and set(dropped) <= set(zero)
    lines = [line for line in limitations if "no points in this model" in line]
    for name in zero:
        assert sum(name in line.split(" score")[0] for line in lines) == 1, name
    negative = next(line for line in lines if "negative coefficient" in line)
    assert all(name in negative for name in dropped)
    scoring = [f["name"] for f in artifact["features"] if f["name"] not in zero]
    assert not any(name in line for name in scoring for line in lines)


def test_the_card_reports_calibration_by_segment_on_the_holdout() -> None:
    """probability_green is calibrated overall, not by segment (on the default model's holdout, those
    reporting a previous year are predicted 0.486 against 0.397 observed): the card carries the holdout's
    table and names in its limitations every segment off by more than 5 pp."""
    frame, doc = _trained()
    card = doc["metadata"]["card"]
    segments = card["calibration_by_segment_holdout"]
    # the holdout as training draws it, scored by the artifact as the service scores it
    standard = load_standard(DEFAULT_STANDARD)
    X, _, bad = frame_indicators_answered(frame, standard)
    keep = np.ones(len(frame), dtype=bool)
    keep[bad] = False
    X, y = X[keep].reset_index(drop=True), labels_of(frame)[keep]
    holdout = np.random.default_rng(SEED).random(len(y)) < HOLDOUT_SHARE
    X, y = X[holdout].reset_index(drop=True), y[holdout]
    p = score_frame(ScorecardArtifact.from_dict(doc), X, standard).probabilities
    assert segments
    for s in segments:
        blank = X[s["indicator"]].isna().to_numpy()
        rows = blank if s["segment"] == "blank" else ~blank
        assert blank.mean() >= 0.05
        assert s["rows"] == rows.sum()
        assert s["predicted"] == pytest.approx(p[rows].mean(), abs=1e-12)
        assert s["observed"] == pytest.approx(y[rows].mean(), abs=1e-12)
    listed = {s["indicator"] for s in segments}
    assert listed == {n for n in X.columns if X[n].isna().mean() >= 0.05}
    for name in listed:  # every holdout row in one of its two segments
        assert sum(s["rows"] for s in segments if s["indicator"] == name) == len(y)
    wide = [s for s in segments if abs(s["gap"]) > SEGMENT_GAP_LIMIT]
    line = [text for text in card["limitations"] if text.startswith("probability_green is calibrated")]
    assert wide and len(line) == 1
    for s in wide:
        assert f"({100 * s['gap']:+.1f} pp, {s['rows']} rows)" in line[0]
        assert s["indicator"] in line[0]


def test_a_feature_the_missing_cap_flattens_is_not_said_to_round_to_nothing() -> None:
    """A feature whose reported values all fall in one bin carries its weight in its blank bin alone: where
    the blanks are greener, the cap lowers their WOE to the one bin's and every business earns the same.
    Its coefficient was 1.15, and the card said its weight "rounds to 0 points at the card's decimals"."""
    from rating_model.scorecard import Scorecard

    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, 4_000)
    blank = rng.random(4_000) < 0.3
    y = (rng.random(4_000) < 1.0 / (1.0 + np.exp(-(a + blank)))).astype(int)
    X = pd.DataFrame({"a": a, "b": np.where(blank, np.nan, 1.0)})
    card = Scorecard(directions={"a": "increasing", "b": "increasing"}, missing_cap="lowest").fit(X, y)
    assert card.coef_[1] > 1.0 and card.features_[1]["stats"]["missing"]["rule"] == "capped"
    assert no_point_features(card) == {"b": "capped"}
    line = model_card(load_standard(DEFAULT_STANDARD), {}, {}, no_points={"b": "capped"})["limitations"][2]
    assert line.startswith("b scores no points in this model: ") and "blank" in line and "round" not in line


def test_a_card_without_wide_gaps_or_idle_features_adds_no_limitation() -> None:
    standard = load_standard(DEFAULT_STANDARD)
    metrics = {"auc": 0.7}
    narrow = [{"indicator": "emissions_change", "segment": "reported", "rows": 3124, "predicted": 0.42,
               "observed": 0.397, "gap": 0.023}]
    plain = model_card(standard, {"synthetic": False}, metrics, segments=narrow)
    assert len(plain["limitations"]) == 2 and plain["calibration_by_segment_holdout"] == narrow
    wide = [{**narrow[0], "predicted": 0.486, "gap": 0.089},
            {"indicator": "carbon_intensity", "segment": "blank", "rows": 4830, "predicted": 0.253,
             "observed": 0.327, "gap": -0.074}]
    card = model_card(standard, {"synthetic": False}, metrics, no_points={"carbon_intensity": "dropped"},
                      segments=wide)
    assert card["limitations"][2].startswith("carbon_intensity scores no points in this model: ")
    assert ("businesses reporting emissions_change: predicted 0.486, observed 0.397 (+8.9 pp, 3124 rows); "
            "businesses leaving carbon_intensity blank: predicted 0.253, observed 0.327 (-7.4 pp, 4830 rows)"
            ) in card["limitations"][3]


def test_the_card_says_when_its_holdout_metrics_rest_on_too_few_rows() -> None:
    """A 30-row file trained a card declaring AUC 1.0 and KS 1.0, measured on 4 holdout rows, with nothing
    in the card (nor `greenrate model list`, which shows them) saying how few."""
    frame = generate_frame(60, 3)
    result = train(frame, seed=SEED, source={"synthetic": True})
    holdout = round(len(frame) * HOLDOUT_SHARE)
    lines = [line for line in result.artifact["metadata"]["card"]["limitations"]
             if line.startswith("metrics_holdout were measured on ")]
    assert len(lines) == 1 and result.holdout_warnings == (lines[0],)
    rows = int(lines[0].split(" holdout rows")[0].rsplit(" ", 1)[1])
    assert 0 < rows < 2 * holdout  # the holdout the seed drew, about a fifth of the rows
    assert "fewer than the 1000 a comparison must rest on" in lines[0]


def test_the_card_says_when_holdout_rows_repeat_rows_trained_on() -> None:
    """A file holding each of 500 rows twice trained a model whose holdout metrics were partly measured on
    its own training rows (about four in ten holdout rows), and the card did not say so."""
    frame = _trained()[0]
    doubled = pd.concat([frame.iloc[:1500], frame.iloc[:500]], ignore_index=True)
    card = train(doubled, seed=SEED, source={"synthetic": True}).artifact["metadata"]["card"]
    repeats = [line for line in card["limitations"] if "holdout row(s) repeat in every cell" in line]
    assert len(repeats) == 1 and int(repeats[0].split(" ")[0]) > 0
    # distinct rows: no such line, whatever the holdout's size
    distinct = _trained()[1]["metadata"]["card"]["limitations"]
    assert not any("repeat in every cell" in line for line in distinct)


def test_a_holdout_of_enough_distinct_rows_adds_no_limitation() -> None:
    """The default model's card (a 60,000-row file) reads as it did: its artifact's bytes do not change."""
    standard = load_standard(DEFAULT_STANDARD)
    card = model_card(standard, {"synthetic": True}, {"auc": 0.7}, holdout_rows=12_000, holdout_green=4_000)
    assert len(card["limitations"]) == 2
    small = model_card(standard, {"synthetic": True}, {"auc": 1.0}, holdout_rows=4, holdout_green=1)
    said = "metrics_holdout were measured on 4 holdout rows (1 green, 3 not)"
    assert small["limitations"][2].startswith(said)


def test_the_card_cites_the_retraining_command_with_the_seed_it_was_trained_with() -> None:
    """Cited without ``--seed``, the command trained with the default seed: another holdout, another fit
    (tests/service/test_batch_train.py runs the cited command and compares the bytes)."""
    card = _trained()[1]["metadata"]["card"]
    label = load_standard(DEFAULT_STANDARD).label
    assert card["how_to_retrain"].startswith(
        f"python -m rating_model.train --data labelled.parquet --seed {SEED} --standard {label} "
        "--out model.json: ")
    synthetic = {"synthetic": True, "generator": "rating_model.synthetic", "rows": 600, "seed": 9}
    cited = model_card(load_standard(DEFAULT_STANDARD), synthetic, {"auc": 0.7}, seed=9)["how_to_retrain"]
    assert cited.startswith(
        f"python -m rating_model.train --rows 600 --seed 9 --standard {label} --out model.json: ")


def test_the_card_cites_the_standard_it_was_trained_under_the_default_included() -> None:
    """The cited command had no ``--standard``: a model trained under an earlier published version or a
    bank's own file was cited with a command that retrained it under the packaged default (the command
    run: tests/service/test_batch_train.py). Nor had a model of the packaged default, whose command then
    trained for the next version once a release packaged it: the shipped sc-247a60d1373a, trained for
    1.10.0, cites a command that trains for 1.11.0 (a newcomer's review)."""
    import copy

    from rating_model.standard import STANDARD_DIR, parse_standard

    synthetic = {"synthetic": True, "generator": "rating_model.synthetic", "rows": 600, "seed": 9}
    default = load_standard(DEFAULT_STANDARD)
    older = load_standard(STANDARD_DIR / "greenrate-sme-1.8.yaml")
    document = copy.deepcopy(dict(default.document))
    document["grades"]["cutoffs"][1]["min_score"] -= 5  # a bank's edit under the same label
    edited = parse_standard(document)

    def cited(standard: Any, source: dict[str, Any], file: str | None = None) -> str:
        card = model_card(standard, source, {"auc": 0.7}, seed=9, standard_file=file)
        return str(card["how_to_retrain"])

    assert cited(default, synthetic).startswith(
        f"python -m rating_model.train --rows 600 --seed 9 --standard {default.label} --out model.json: ")
    # the packaged default by its label, not by the name of a file it happened to be read from
    assert f" --standard {default.label} " in cited(default, {"synthetic": False}, "x.yaml")
    assert cited(older, synthetic).startswith(
        "python -m rating_model.train --rows 600 --seed 9 --standard greenrate-sme@1.8.0 --out model.json: ")
    # by its file's name, as the training file is; given in code, where its document is to be written
    assert cited(edited, {"file": "book.csv"}, "bank std.yaml").startswith(
        "python -m rating_model.train --data book.csv --seed 9 --standard 'bank std.yaml' --out model.json: ")
    in_code = cited(edited, {"synthetic": False})
    assert in_code.startswith(
        "python -m rating_model.train --data labelled.parquet --seed 9 --standard standard.yaml --out "
        "model.json: rebuilds this model from its training rows written to that file under its standard, "
        "written to standard.yaml, ")
