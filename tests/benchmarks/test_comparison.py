"""The comparison's cross-validation is leak-free: fresh models, fitted on training folds only, same folds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmarks.compare import render_table
from benchmarks.comparison import (
    Dataset,
    breast_cancer,
    cross_validate,
    greenrate_scorecard,
    ks_statistic,
    summarise,
)


class _Spy:
    """Records which rows it was fitted on and asked to score; predicts the training event rate + noise."""

    log: list[tuple[str, int, frozenset[int], frozenset[int]]] = []
    made = 0

    def __init__(self, name: str) -> None:
        self.name = name
        self.fitted: frozenset[int] | None = None
        _Spy.made += 1
        self.serial = _Spy.made

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _Spy:
        assert self.fitted is None, "a model must never be refitted across folds"
        self.fitted = frozenset(X.index)
        self.rate = float(np.mean(y))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        assert self.fitted is not None
        _Spy.log.append((self.name, self.serial, self.fitted, frozenset(X.index)))
        p = np.clip(self.rate + 0.01 * X["a"].to_numpy(), 0.01, 0.99)
        return np.column_stack([1 - p, p])


def _tiny() -> Dataset:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=40)}, index=np.arange(100, 140))
    return Dataset("tiny", X, (rng.random(40) < 0.4).astype(np.int64), "test", {"a": "increasing"})


def test_every_fold_fits_fresh_models_on_training_rows_only() -> None:
    _Spy.log.clear()
    _Spy.made = 0
    data = _tiny()
    models = {"one": lambda d, s: _Spy("one"), "two": lambda d, s: _Spy("two")}
    results = cross_validate(models, data, n_splits=4, seed=3)
    assert len(results) == 8 and _Spy.made == 8
    assert len({entry[1] for entry in _Spy.log}) == 8  # one instance per model and fold
    folds: dict[str, list[tuple[frozenset[int], frozenset[int]]]] = {"one": [], "two": []}
    for name, _, fitted, scored in _Spy.log:
        assert not fitted & scored, "a test row was used for fitting"
        assert fitted | scored == set(data.X.index)
        folds[name].append((fitted, scored))
    assert folds["one"] == folds["two"]  # all models see the same folds
    assert set().union(*(s for _, s in folds["one"])) == set(data.X.index)
    again = cross_validate(models, data, n_splits=4, seed=3)
    assert [r.auc for r in again] == [r.auc for r in results]  # fixed seed, same folds


def test_summary_and_table_on_our_scorecard() -> None:
    data = _tiny()
    name = "greenrate Scorecard (test)"
    results = cross_validate({name: greenrate_scorecard(min_bin_share=0.1)}, data, n_splits=2, seed=0)
    (summary,) = summarise(results)
    assert summary.model == name and 0.0 <= summary.auc_mean <= 1.0
    assert summary.gini == 2 * summary.auc_mean - 1
    lines = render_table([summary])
    assert lines[2].startswith(f"| {name} | ") and lines[2].endswith("| yes |")


def test_ks_statistic() -> None:
    assert ks_statistic(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert ks_statistic(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.0


def test_cross_validation_smoke_on_real_public_data() -> None:
    data: Any = breast_cancer()
    assert data.X.shape == (569, 30)
    (summary,) = summarise(cross_validate({"ours": greenrate_scorecard()}, data, n_splits=3, seed=0))
    assert summary.auc_mean > 0.97
