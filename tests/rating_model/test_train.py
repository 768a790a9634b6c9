"""Training: labelled flat data → a verified, reproducible artifact the engine accepts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rating_model.artifact import ScorecardArtifact
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.labels import labels_of
from rating_model.sector_benchmarks import sector_of
from rating_model.train import MAX_SEED, binary_metrics, row_hashes, train
from tests.rating_model.trained import SEED, trained, training_frame

FRAME = training_frame()


def test_same_data_and_seed_give_a_byte_identical_artifact_the_engine_loads() -> None:
    first = trained(synthetic=True)  # the session's (test_train_card.py reads it too)
    second = train(FRAME.copy(), seed=SEED, source={"synthetic": True})
    one, two = ScorecardArtifact.from_dict(first.artifact), ScorecardArtifact.from_dict(second.artifact)
    assert one.to_json() == two.to_json()
    engine = Engine.load(first.artifact)
    assert engine.versions["model"] == one.version
    card = one.card
    assert card["synthetic_data"] is True and "SYNTHETIC" in card["warning"]
    assert 0.5 < first.metrics["auc"] <= 1.0


def test_missing_bins_never_beat_the_worst_reported_bin() -> None:
    artifact = ScorecardArtifact.from_dict(trained(synthetic=False).artifact)
    for feature in artifact.features:
        assert feature.missing_points <= min(feature.points) + 1e-9, feature.name


def test_a_file_without_labels_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="label"):
        train(FRAME.drop(columns=["label"]))


def test_binary_metrics_on_known_values() -> None:
    y = np.array([0, 0, 1, 1])
    perfect = binary_metrics(y, np.array([0.1, 0.2, 0.8, 0.9]))
    assert perfect["auc"] == 1.0 and perfect["gini"] == 1.0 and perfect["ks"] == 1.0
    tied = binary_metrics(y, np.array([0.5, 0.5, 0.5, 0.5]))
    assert tied["auc"] == 0.5 and tied["brier"] == pytest.approx(0.25) and tied["ks"] == 0.0


def test_ks_is_the_two_sample_statistic_whatever_the_order_of_tied_rows() -> None:
    """KS reads the classes' score distributions at distinct scores only (scipy's two-sample KS)."""
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(7)
    p = rng.integers(0, 12, 3_000) / 11.0  # a points table: few distinct scores, many ties
    y = (rng.random(3_000) < 0.2 + 0.5 * p).astype(int)
    expected = ks_2samp(p[y == 1], p[y == 0]).statistic
    for seed in range(3):
        rows = np.random.default_rng(seed).permutation(len(p))
        assert binary_metrics(y[rows], p[rows])["ks"] == pytest.approx(expected, abs=1e-12)
    two_scores = binary_metrics(np.array([1, 0, 1, 0]), np.array([0.2, 0.2, 0.8, 0.8]))
    assert two_scores["ks"] == 0.0  # each score holds one row of each class: the classes do not separate


def _labels(values: list[Any], dtype: str | None = None) -> pd.DataFrame:
    return pd.DataFrame({"label": pd.Series(values, dtype=dtype)})


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (_labels([0, 1, "yes"], "object"), "row 3 has 'yes'"),
        (_labels([0, 1, None, 1], "Int64"), "row 3 is blank"),
        (_labels([0.0, 1.0, float("nan")]), "row 3 is blank"),
        (_labels([0, 2, 2, 0]), r"row 2 has '2' \(and 1 more row"),
        (_labels([0, 1, 0.5]), "row 3 has '0.5'"),
        (_labels(["1", " 0", ""], "object"), "row 3 is blank"),
        (_labels([1, 1, 1], "Int64"), "every row is labelled 1: both classes"),
        (_labels([], "Int64"), "no data rows"),
        (pd.DataFrame({"x": [1, 2]}), "needs a label column"),
    ],
    ids=["text", "blank", "nan", "two", "half", "blank-text", "one-class", "no-rows", "no-column"],
)
def test_labels_must_be_zero_or_one_with_both_classes(frame: pd.DataFrame, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        labels_of(frame)


def test_labels_as_numbers_or_text_read_the_same() -> None:
    expected = [0, 1, 1, 0]
    for frame in (_labels([0, 1, 1, 0], "Int64"), _labels([0.0, 1.0, 1.0, 0.0]),
                  _labels(["0", "1", "1.0", " 0 "], "object"), _labels([False, True, True, False])):
        assert labels_of(frame).tolist() == expected


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda f: f.assign(label=1), "every row is labelled 1"),
        (lambda f: f.assign(label=f["label"] * 2), "must be 0 or 1"),
        (lambda f: f.iloc[:0], "no data rows"),
        (lambda f: pd.concat([f[f["label"] == 0].iloc[:2], f[f["label"] == 1].iloc[:2]]), "too few"),
    ],
    ids=["one-class", "labels-0-2", "no-rows", "four-rows"],
)
def test_training_refuses_data_it_cannot_learn_from(change: Any, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        train(change(FRAME.iloc[:300].copy()), seed=5)


@pytest.mark.parametrize("cell", [["a", "b"], np.array(["a"]), {"k": 1}], ids=["list", "array", "dict"])
def test_a_column_of_nested_cells_is_refused_by_name_not_a_type_error(cell: Any) -> None:
    """A frame built in memory can hold what no flat file does: a list or a dict in a cell. On a few rows
    of a text column the engine refused those rows and training went on, to crash hashing the rows."""
    frame = FRAME.iloc[:300].copy()
    frame["company__name"] = frame["company__name"].astype(object)
    frame.loc[frame.index[:3], "company__name"] = pd.Series([cell] * 3, index=frame.index[:3], dtype=object)
    with pytest.raises(InvalidInputError, match="holds nested values") as refused:
        train(frame, seed=5)
    assert refused.value.field == "company__name"
    with pytest.raises(InvalidInputError, match="company__name: holds nested values"):
        row_hashes(frame)


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 1.5, True])
def test_training_refuses_a_seed_scikit_learn_cannot_take(seed: Any) -> None:
    with pytest.raises(InvalidInputError, match="seed"):
        train(FRAME.iloc[:300], seed=seed)


def test_the_bins_are_fitted_without_the_businesses_answering_none() -> None:
    """Standard 1.5.0 scores "no vehicles" as a fleet with no combustion vehicle (share 1). Fitted at 1, the
    businesses without vehicles pooled with all-electric fleets in the top bin and the monotone binning
    merged half-electric fleets into the bottom one; fitted as missing, the bins are exactly those of the
    same data with the answer left out, while the holdout metrics and drift counts are as the service
    scores."""
    said_none = FRAME["transport__fleet_none"].fillna(False).astype(bool)
    assert said_none.sum() > 200
    left_out = FRAME.copy()
    # a transport business's fleet left out also leaves its carbon intensity missing (standard 1.6.0), and
    # anyone's leaves the change on the previous year missing (1.8.0), so only the answers of the other
    # sectors' businesses without a previous year are taken out for the comparison
    transport = FRAME["company__industry_code"].astype(str).str[:2].map(sector_of) == "transport_logistics"
    previous = FRAME[[c for c in FRAME.columns if c.startswith("previous_year__")]].notna().any(axis=1)
    kept_as_said = transport | previous
    left_out["transport__fleet_none"] = FRAME["transport__fleet_none"].astype("boolean").where(kept_as_said)
    assert (said_none & ~kept_as_said).sum() > 200
    answered, blank = trained(synthetic=False), train(left_out, seed=SEED)
    features = {f["name"]: f for f in answered.artifact["features"]}
    assert answered.artifact["features"] == blank.artifact["features"]
    fleet = features["low_carbon_fleet_share"]
    assert fleet["points"][-1] == max(fleet["points"]) > fleet["missing_points"]
    served = answered.artifact["metadata"]["answered_none"]["low_carbon_fleet_share"]
    assert served["bin"] == len(fleet["points"]) - 1 and 0 < served["rows"] <= said_none.sum()
    kept = blank.artifact["metadata"]["answered_none"]["low_carbon_fleet_share"]["rows"]
    assert kept < served["rows"]


def test_the_artifact_records_the_libraries_and_engine_it_was_trained_with() -> None:
    """An artifact is "byte-identical on the same machine and library versions" and named none of them: a
    validator rebuilding a model could not tell which numpy, scikit-learn or SciPy to install, nor tell a
    changed library from a changed file when the bytes differed (model-risk review). ``metadata.environment``
    records them, the engine version and the machine's architecture (its floating-point paths)."""
    import platform
    from importlib import metadata

    from rating_model.engine import ENGINE_VERSION

    environment = trained(synthetic=True).artifact["metadata"]["environment"]
    assert environment == {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "engine": ENGINE_VERSION,
        **{name: metadata.version(name) for name in ("numpy", "pandas", "scikit-learn", "scipy")},
    }
