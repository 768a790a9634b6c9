"""Training: labelled flat data → a verified, reproducible artifact the engine accepts."""

from __future__ import annotations

import numpy as np
import pytest

from rating_model.artifact import ScorecardArtifact
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.synthetic import generate_frame
from rating_model.train import binary_metrics, train

FRAME = generate_frame(3_000, 11)


def test_same_data_and_seed_give_a_byte_identical_artifact_the_engine_loads() -> None:
    first = train(FRAME, seed=5, source={"synthetic": True})
    second = train(FRAME.copy(), seed=5, source={"synthetic": True})
    one, two = ScorecardArtifact.from_dict(first.artifact), ScorecardArtifact.from_dict(second.artifact)
    assert one.to_json() == two.to_json()
    engine = Engine.load(first.artifact)
    assert engine.versions["model"] == one.version
    card = one.card
    assert card["synthetic_data"] is True and "SYNTHETIC" in card["warning"]
    assert 0.5 < first.metrics["auc"] <= 1.0


def test_missing_bins_never_beat_the_worst_reported_bin() -> None:
    artifact = ScorecardArtifact.from_dict(train(FRAME, seed=5).artifact)
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
    assert tied["auc"] == 0.5 and tied["brier"] == pytest.approx(0.25)
