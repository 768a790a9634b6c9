"""Scorecard: monotone WOE binning + non-negative logistic regression, published as a rounded points table.

A scikit-learn classifier for any tabular data whose fitted state *is* a points table: score =
``base_points_ + Σ points``, every point traceable to a bin. It scores through the same
:class:`~rating_model.artifact.ScorecardArtifact` code the service uses, so estimator and artifact give
identical scores and probabilities. Training-side only: imports scikit-learn (and pandas for tables);
``import rating_model`` does not import this module.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from rating_model.artifact import ScorecardArtifact
from rating_model.artifact_format import build_document
from rating_model.binning import BINNER_PARAMETERS, MonotoneBinner, capped_missing
from rating_model.estimator_input import (
    NUMERIC,
    Column,
    Constraint,
    integer,
    options,
    read_columns,
    real,
    validate_params,
)
from rating_model.scaling import scale_points
from rating_model.woe import FeatureBins

if TYPE_CHECKING:
    import pandas as pd

_BINNER_PARAMS = tuple(BINNER_PARAMETERS)


def _is_score_range(value: Any) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in value)
        and value[0] < value[1]
    )


SCORECARD_PARAMETERS = {
    **BINNER_PARAMETERS,
    "C": [real(0.0, math.inf, closed_low=False)],
    "score_range": [Constraint("a pair (low, high) of finite numbers with low < high", _is_score_range)],
    "decimals": [integer(0, 4)],
    "random_state": [
        options(None),
        integer(0, 2**32 - 1),
        Constraint("a numpy RandomState", lambda v: isinstance(v, np.random.RandomState)),
    ],
}


def _fit_nonnegative(
    woe: NDArray[np.float64],
    y: NDArray[np.float64],
    C: float,
    random_state: int | np.random.RandomState | None,
) -> tuple[NDArray[np.float64], float, list[int]]:
    """Logistic regression on WOE with every coefficient >= 0, by dropping the most negative and refitting.

    A negative coefficient on a WOE column reverses that feature's bins (usually collinearity), which
    would break the declared monotone direction. Dropping and refitting, rather than fitting with bound
    constraints, keeps the plain, well-tested scikit-learn solver and a model an analyst can re-derive;
    the dropped features stay in the card with 0 points and are listed in the artifact.
    """
    # A column with one WOE value (a feature binned into a single bin) carries no information: it
    # gets no coefficient rather than an arbitrary one that only the regularisation pins down.
    informative = np.ptp(woe, axis=0) > 0 if woe.size else np.zeros(woe.shape[1], dtype=bool)
    active = [j for j in range(woe.shape[1]) if informative[j]]
    dropped: list[int] = []
    coef = np.zeros(woe.shape[1])
    while active:
        # tol: converged to the optimum, not to lbfgs's default 1e-4, which stopped 1e-3 short of it (six bins
        # of the packaged model 0.1 point off a re-derivation): the card must be the estimator's, re-derivable
        # with any solver
        model = LogisticRegression(C=C, solver="lbfgs", max_iter=10_000, tol=1e-10, random_state=random_state)
        model.fit(woe[:, active], y)
        fitted = model.coef_[0]
        if (fitted >= 0).all():
            coef[active] = fitted
            return coef, float(model.intercept_[0]), dropped
        dropped.append(active.pop(int(np.argmin(fitted))))
    rate = (y.sum() + 0.5) / (y.size + 1.0)
    return coef, math.log(rate / (1 - rate)), dropped


def _feature_document(bins: FeatureBins, units: NDArray[np.int64], unit: int) -> dict[str, Any]:
    """One feature of the artifact: bins, rounded points and the training statistics behind them.

    ``bins`` are the bins as served; their ``missing_uncapped_woe`` is the missing bin's WOE the regression
    was fitted on, recorded as ``stats.missing.fitted_woe``.
    """
    k = len(bins.counts)
    points = [int(u) / unit for u in units[:k]]
    doc: dict[str, Any] = {
        "name": bins.name,
        "type": bins.kind,
        "direction": bins.direction,
        "labels": list(bins.labels),
        "points": points,
        "missing_points": int(units[k]) / unit,
    }
    rates = [e / c if c else None for e, c in zip(bins.events, bins.counts, strict=True)]
    stats: dict[str, Any] = {
        "count": list(bins.counts),
        "event_rate": rates,
        "woe": list(bins.woe),
        # "woe" is what the points were scaled from (capped where "rule" is "capped"), "fitted_woe" what
        # the coefficient was fitted on: a capped WOE alone, beside the bin's event rate, read as its own
        "missing": {
            "count": bins.missing_count,
            "woe": bins.missing_woe,
            "fitted_woe": bins.missing_uncapped_woe,
            "rule": bins.missing_rule,
            "event_rate": bins.missing_events / bins.missing_count if bins.missing_count else None,
        },
    }
    if bins.kind == NUMERIC:
        doc["edges"] = list(bins.edges)
    else:
        doc["categories"] = dict(sorted(bins.categories.items()))
        doc["unseen_points"] = int(units[k + 1]) / unit
        stats["unseen"] = {"woe": bins.unseen_woe}
    doc["stats"] = stats
    return doc


def _metrics(y: NDArray[np.float64], p: NDArray[np.float64]) -> dict[str, float]:
    """AUC, Gini, KS and Brier of the probabilities ``p`` for the 0/1 target ``y``, to 6 decimals."""
    fpr, tpr, _ = roc_curve(y, p)
    auc = float(roc_auc_score(y, p))
    metrics = {
        "auc": auc,
        "gini": 2 * auc - 1,
        "ks": float(np.max(tpr - fpr)),
        "brier": float(brier_score_loss(y, p)),
    }
    return {k: round(v, 6) for k, v in metrics.items()}


class Scorecard(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn ships no stubs
    """Transparent points scorecard: monotone binning → WOE → non-negative logistic regression → points.

    Parameters
    ----------
    directions, default_direction, categorical_features, max_bins, min_bin_share, unseen_category, \
missing_min_share, n_prebins, missing_cap
        Binning parameters, see :class:`~rating_model.binning.MonotoneBinner`. ``missing_cap`` caps the
        points served: the logistic regression is fitted on each missing bin's own WOE, and the capped
        table's probabilities are the exact inverse of its scaling only for rows without a capped blank
        (call :meth:`recalibrate` on the training rows for the probabilities as served). The artifact
        records both WOE of each missing bin (``stats.missing``: ``woe`` served, ``fitted_woe`` fitted,
        ``rule`` ``"capped"`` where they differ).
    C : float, default=1.0
        Inverse L2 regularisation strength of the logistic regression.
    score_range : (float, float), default=(0, 100)
        Lowest and highest possible total score.
    decimals : int, default=1
        Points are rounded to this many decimals; the rounded table is the model.
    random_state : int, RandomState or None, default=None
        Passed to the logistic regression. The binning and the solver used are deterministic, so the same
        data always gives the same card; the parameter exists so pipelines can set it uniformly.

    Attributes
    ----------
    binner_ : MonotoneBinner
        The binning as served, with the ``missing_cap`` given. Each of its ``bins_`` holds the missing
        bin's WOE twice: ``missing_woe``, the WOE the points are scaled from (and what
        ``binner_.transform`` gives a missing value), and ``missing_uncapped_woe``, the WOE ``coef_`` was
        fitted on. They differ exactly where ``missing_rule`` is ``"capped"``.
    classes_ : ndarray of shape (2,)
        ``classes_[1]`` is the event ("good" / green).
    coef_ : ndarray of shape (n_features,)
        Logistic coefficients on WOE, all >= 0 (0 for dropped features and for features whose WOE takes
        one value on the training rows). Fitted with every missing bin at its ``missing_uncapped_woe``,
        not on ``binner_.transform``, which gives capped missing bins their served WOE.
    intercept_ : float
    dropped_features_ : list of str
        Features dropped because their coefficient came out negative.
    base_points_ : float
    points_ : dict of str to ndarray
        Points of each value bin per feature.
    probability_ : dict
        ``{"intercept", "slope"}`` with ``logit = intercept + slope * score``, applied to the rounded score:
        after ``fit`` the exact inverse of the points scaling; after :meth:`recalibrate` the mapping fitted
        there (slope >= 0).
    table_ : ScorecardArtifact
        The fitted card as the serving scorer; every prediction goes through it.
    features_ : list of dict
        Each feature's bins and points as the artifact documents them (``to_artifact``'s ``features``).
        Its ``stats.missing`` records ``woe`` (served), ``fitted_woe`` (fitted) and ``rule`` (``"own"``,
        ``"lowest"`` or ``"capped"``).
    training_ : dict
        The card on its training data, as ``to_artifact`` records it: rows, event rate and label, metrics
        (AUC, Gini, KS, Brier), coefficients, intercept, dropped features and the parameters. The metrics
        are those of the probabilities the card gives: after :meth:`recalibrate` they are recomputed on
        the rows it was given, which ``recalibration`` records (rows, event rate and the fitted slope).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(
        self,
        directions: Mapping[Any, str] | None = None,
        default_direction: str | None = None,
        categorical_features: Sequence[str | int] | None = None,
        max_bins: int = 6,
        min_bin_share: float = 0.05,
        unseen_category: str = "missing",
        missing_min_share: float = 0.05,
        n_prebins: int = 20,
        missing_cap: str | None = None,
        C: float = 1.0,
        score_range: tuple[float, float] = (0, 100),
        decimals: int = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.directions = directions
        self.default_direction = default_direction
        self.categorical_features = categorical_features
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.unseen_category = unseen_category
        self.missing_min_share = missing_min_share
        self.n_prebins = n_prebins
        self.missing_cap = missing_cap
        self.C = C
        self.score_range = score_range
        self.decimals = decimals
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.classifier_tags.multi_class = False
        # Directions are declared, not learned: on synthetic data whose trend runs against the declared
        # direction the card is rightly flat, so the common checks' accuracy floor does not apply.
        tags.classifier_tags.poor_score = True
        return tags

    def fit(self, X: Any, y: Any) -> Scorecard:
        """Bin, fit the non-negative logistic regression and build the rounded points table.

        A fit starts from nothing: whatever an earlier fit learned (``feature_names_in_`` of a DataFrame
        when this ``X`` is an array, a recalibrated mapping) is discarded first, as scikit-learn requires.
        """
        for name in [n for n in vars(self) if n.endswith("_") and not n.startswith("_")]:
            delattr(self, name)
        validate_params(self, SCORECARD_PARAMETERS)
        params = self.get_params(deep=False)
        # The coefficients are fitted on each missing bin's own WOE; the cap applies to the points served.
        # Fitted on the capped WOE, a feature that many businesses leave blank (standard 1.8.0 leaves
        # carbon intensity missing for the 40 % of synthetic businesses that leave their fuels out, whose
        # green rate is near the average) put those rows in its worst bin and lost most of its weight: the
        # whole measured energy section fell from 23 to 4 points.
        binner = MonotoneBinner(**{k: params[k] for k in _BINNER_PARAMS} | {"missing_cap": None})
        columns = binner.fit_columns(X, y)  # X validated once, by the binner's fit
        self.binner_ = binner
        self.n_features_in_ = binner.n_features_in_
        if hasattr(binner, "feature_names_in_"):
            self.feature_names_in_ = binner.feature_names_in_
        self.classes_ = binner.classes_
        target = (np.asarray(y).ravel() == self.classes_[1]).astype(np.float64)
        coef, intercept, dropped = _fit_nonnegative(
            binner.woe_matrix(columns), target, self.C, self.random_state
        )
        if self.missing_cap is not None:
            # from here on binner_ is the binning as served: capped_missing marks each bin it lowers as
            # "capped" and keeps the WOE just fitted on in missing_uncapped_woe
            binner.set_params(missing_cap=self.missing_cap)
            binner.bins_ = {name: capped_missing(b, self.unseen_category) for name, b in binner.bins_.items()}
        bins = list(binner.bins_.values())
        raw = [
            c * np.asarray([*b.woe, b.missing_woe] + ([] if b.kind == NUMERIC else [b.unseen_woe]))
            for c, b in zip(coef, bins, strict=True)
        ]
        low, high = (float(v) for v in self.score_range)
        scaled = scale_points(raw, intercept, (low, high), self.decimals)
        unit = 10**self.decimals
        self.coef_, self.intercept_ = coef, intercept
        self.dropped_features_ = [bins[j].name for j in sorted(dropped)]
        self.base_points_ = scaled.base_units / unit
        self.points_ = {b.name: u[: len(b.counts)] / unit for b, u in zip(bins, scaled.units, strict=True)}
        self.probability_ = {"intercept": scaled.intercept, "slope": scaled.slope}
        self.features_ = [_feature_document(b, u, unit) for b, u in zip(bins, scaled.units, strict=True)]
        self.table_ = ScorecardArtifact.from_dict(self._document({}, training={}))
        scores, _ = self.table_.score_columns(self._mapping(columns), n_rows=target.size)
        self.training_ = self._training_summary(target, self.table_.probabilities(scores))
        return self

    def recalibrate(self, X: Any, y: Any) -> Scorecard:
        """Refit only the score-to-probability mapping (``logit = intercept + slope * score``) on the scores
        of ``X`` and the labels ``y``; the points table is unchanged.

        The fitted mapping is the exact inverse of the points scaling, which holds for the rows as fitted.
        Where the rows are served otherwise (a standard scoring an answer the fit treats as missing:
        standard 1.5.0's "no vehicles" earns the fleet's full points), the inverse overstated their
        probability (on synthetic data, 0.488 against 0.363 observed): the mapping is refitted on the scores
        as served instead, so ``probability_green`` stays calibrated. Ranking (AUC, KS) is unchanged.

        Should the scores rank ``y`` the wrong way round (the fitted slope is negative), the mapping falls
        back to slope 0 and the base rate of ``y``: every probability is then the observed event rate (and
        no longer ranks the rows).

        ``training_["metrics"]`` (and so the artifact's ``training.metrics``) become those of the new
        mapping on ``X`` and ``y``, and ``training_["recalibration"]`` records those rows: their number,
        event rate and the slope as fitted (negative when the base rate was used).
        """
        check_is_fitted(self)
        scores = self.score_points(X).reshape(-1, 1)
        target = (np.asarray(y).ravel() == self.classes_[1]).astype(np.float64)
        fitted = LogisticRegression(C=1e6, max_iter=1000).fit(scores, target)
        slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
        if slope < 0:
            # A higher score may never mean a lower probability, and the intercept fitted together with
            # the negative slope means nothing without it (it can put every row at 1.0): with no usable
            # slope the best constant is the base rate, so every probability is the observed event rate.
            # The fit succeeded, so both classes are present and the rate is strictly inside (0, 1).
            rate = float(target.mean())
            slope, intercept = 0.0, math.log(rate / (1.0 - rate))
        self.probability_ = {"intercept": intercept, "slope": slope}
        self.table_ = ScorecardArtifact.from_dict(self._document({}, training={}))
        self.training_ = {
            **self.training_,
            "metrics": _metrics(target, self.table_.probabilities(scores.ravel())),
            "recalibration": {
                "n_rows": int(target.size),
                "event_rate": float(target.mean()),
                "fitted_slope": float(fitted.coef_[0, 0]),
            },
        }
        return self

    def _document(
        self, metadata: Mapping[str, Any], training: Mapping[str, Any], version: str | None = None
    ) -> dict[str, Any]:
        unit = 10**self.decimals
        low, high = (round(float(v) * unit) / unit for v in self.score_range)
        return build_document(
            features=copy.deepcopy(self.features_),
            base_points=self.base_points_,
            score_range=(low, high),
            decimals=self.decimals,
            intercept=self.probability_["intercept"],
            slope=self.probability_["slope"],
            training=training,
            metadata=metadata,
            version=version,
        )

    def _training_summary(self, y: NDArray[np.float64], p: NDArray[np.float64]) -> dict[str, Any]:
        random_state = (
            int(self.random_state)
            if isinstance(self.random_state, numbers.Integral)
            else (None if self.random_state is None else "RandomState")
        )
        return {
            "n_rows": int(y.size),
            "event_rate": float(y.mean()),
            "event_label": str(self.classes_[1]),
            "metrics": _metrics(y, p),
            "coefficients": {b: float(c) for b, c in zip(self.binner_.bins_, self.coef_, strict=True)},
            "intercept": self.intercept_,
            "dropped_features": list(self.dropped_features_),
            "params": {
                "max_bins": int(self.max_bins),
                "min_bin_share": float(self.min_bin_share),
                "unseen_category": str(self.unseen_category),
                "missing_min_share": float(self.missing_min_share),
                "n_prebins": int(self.n_prebins),
                "missing_cap": self.missing_cap,
                "C": float(self.C),
                "random_state": random_state,
            },
        }

    def _mapping(self, columns: list[Column]) -> dict[str, Column]:
        return dict(zip(self.binner_.bins_, columns, strict=True))

    def _score(self, X: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        check_is_fitted(self)
        kinds = [b.kind for b in self.binner_.bins_.values()]
        columns = read_columns(self, X, reset=False, kinds=kinds)[0]
        n_rows = columns[0].shape[0] if columns else 0
        return self.table_.score_columns(self._mapping(columns), n_rows=n_rows)

    def score_points(self, X: Any) -> NDArray[np.float64]:
        """Total score of each row (``base_points_ + Σ points``), exactly as the artifact scores it."""
        return self._score(X)[0]

    def points(self, X: Any) -> pd.DataFrame | NDArray[np.float64]:
        """Points of each feature for each row; a DataFrame (same index) when ``X`` is one."""
        matrix = self._score(X)[1]
        if hasattr(X, "iloc"):
            import pandas as pd

            return pd.DataFrame(matrix, columns=list(self.binner_.bins_), index=X.index)
        return matrix

    def decision_function(self, X: Any) -> NDArray[np.float64]:
        """The logit ``intercept + slope * score``: positive means the event class, as scikit-learn expects.

        A monotone function of the score, so it ranks exactly like :meth:`score_points`; it is the logit
        rather than the 0-100 score because scikit-learn's contract is "decision > 0 ⇔ classes_[1]".
        """
        scores = self.score_points(X)
        return self.probability_["intercept"] + self.probability_["slope"] * scores

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """``[P(classes_[0]), P(classes_[1])]`` from the rounded score, identical to the artifact's."""
        scores = self.score_points(X)
        p = self.table_.probabilities(scores)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> NDArray[Any]:
        """``classes_[1]`` where its probability exceeds 0.5."""
        positive = self.predict_proba(X)[:, 1] > 0.5
        return np.asarray(self.classes_[positive.astype(int)])

    def points_table(self) -> pd.DataFrame:
        """The card as a DataFrame: feature, bin, label, lower, upper, count, event_rate, woe, points."""
        import pandas as pd

        check_is_fitted(self)
        columns = ["feature", "bin", "label", "lower", "upper", "count", "event_rate", "woe", "points"]
        return pd.DataFrame(self.table_.points_table(), columns=columns)

    def to_artifact(self, metadata: Mapping[str, Any], version: str | None = None) -> dict[str, Any]:
        """The versioned, hashed JSON document of this card (see :mod:`rating_model.artifact`).

        ``metadata`` is the caller's provenance (data version, code version, standard, factor set); it
        must be plain JSON. ``version`` defaults to one derived from the content.
        """
        check_is_fitted(self)
        return self._document(dict(metadata), self.training_, version)
