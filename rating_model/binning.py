"""MonotoneBinner: a scikit-learn transformer from raw features to monotone, smoothed WOE values.

Each numeric feature gets bins whose event rate is monotone in a *declared* direction and an explicit
missing bin; each categorical feature gets one bin per frequent category, a pooled ``other`` bin and a
declared rule for categories never seen in training. These are the two places where other scorecard
tools most often surprise their users (see ``shared/docs/peers.md`` §4), so both are decided here, once,
by parameters a reviewer can read. Training-side only (imports scikit-learn).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import ClassifierTags
from sklearn.utils.validation import check_is_fitted

from rating_model.estimator_input import (
    CATEGORICAL,
    DIRECTIONS,
    NUMERIC,
    Column,
    binary_target,
    instance_of,
    integer,
    options,
    read_columns,
    real,
    validate_params,
)
from rating_model.woe import (
    MISSING_CAPPED,
    MISSING_LOWEST,
    MISSING_OWN,
    FeatureBins,
    categorical_bins,
    numeric_bins,
    numeric_labels,
    woe_of,
)

BINNER_PARAMETERS = {
    "directions": [instance_of(Mapping, "a mapping feature -> 'increasing'|'decreasing'"), options(None)],
    "default_direction": [options("increasing", "decreasing", None)],
    "categorical_features": [
        instance_of((list, tuple, np.ndarray), "a list of column names or indices"),
        options(None),
    ],
    "max_bins": [integer(2, 50)],
    "min_bin_share": [real(0.0, 0.5, closed_low=False)],
    "unseen_category": [options("missing", "lowest")],
    "missing_min_share": [real(0.0, 1.0)],
    "missing_cap": [options("lowest", None)],
    "n_prebins": [integer(2, 200)],
}


def resolve_directions(
    names: Sequence[str], kinds: Sequence[str], directions: Mapping[Any, Any] | None, default: str | None
) -> list[str | None]:
    """The declared direction of every column; every numeric column must have one, categorical none.

    Keys may be column names or indices. Unknown keys are an error, because a misspelt feature name
    would otherwise silently fall back to the default direction; so is a column declared by its name and
    by its index with two different directions, whose index had been dropped in silence.
    """
    given = dict(directions or {})
    out: list[str | None] = []
    for j, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        by_index, by_name = given.pop(j, None), given.pop(name, None)
        if by_index is not None and by_name is not None and by_index != by_name:
            raise ValueError(
                f"feature {name!r} is declared twice with different directions: {by_name!r} by its name, "
                f"{by_index!r} by its index {j}"
            )
        value = by_name if by_name is not None else by_index
        if kind == CATEGORICAL:
            if value is not None:
                raise ValueError(f"feature {name!r} is categorical: it takes no direction (got {value!r})")
            out.append(None)
            continue
        value = value if value is not None else default
        if value not in DIRECTIONS:
            raise ValueError(
                f"numeric feature {name!r} needs a declared direction ('increasing' or "
                f"'decreasing'), got {value!r}; set directions[{name!r}] or default_direction"
            )
        out.append(value)
    if given:
        raise ValueError(
            f"directions given for unknown feature(s) {sorted(map(str, given))}; columns are {list(names)}"
        )
    return out


class MonotoneBinner(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # sklearn ships no stubs
    """Monotone WOE binning with an explicit missing bin and a declared unseen-category rule.

    Parameters
    ----------
    directions : mapping of str or int to {"increasing", "decreasing"}, default=None
        Declared direction per numeric feature (by column name or index): "increasing" means a higher
        value never lowers the event rate (y=1, "good"). Directions are never detected from the data.
    default_direction : {"increasing", "decreasing"} or None, default=None
        Direction of numeric features missing from ``directions``. With None, every numeric feature must
        be declared.
    categorical_features : list of str or int, default=None
        Categorical columns; None means non-numeric dtypes (object, pandas string, category) and
        columns holding strings.
    max_bins : int, default=6
        Most value bins per numeric feature (the missing bin comes on top).
    min_bin_share : float, default=0.05
        Least share of training rows in a numeric bin or a category of its own; rarer categories are
        pooled into "other".
    unseen_category : {"missing", "lowest"}, default="missing"
        A category never seen in training scores like the missing bin, or like the feature's lowest bin.
    missing_cap : {"lowest", None}, default=None
        With "lowest", the missing bin's WOE is capped at the lowest value bin's, so that not reporting
        never earns more points than reporting the worst value (the missing bin keeps its own counts).
        A missing bin the cap lowers has ``missing_rule`` "capped" and keeps its own WOE in
        ``missing_uncapped_woe`` (see :class:`~rating_model.woe.FeatureBins`).
    missing_min_share : float, default=0.05
        Share of missing rows needed for the missing bin to get its own WOE. Below it (including no
        missing rows at all) the missing bin gets the feature's lowest WOE: withholding a value then
        never scores better than the worst value observed.
    n_prebins : int, default=20
        Quantile pre-bins before merging.

    Attributes
    ----------
    bins_ : dict of str to FeatureBins
        Fitted bins per feature, in column order. ``missing_woe`` is what :meth:`transform` gives a
        missing value (capped with ``missing_cap``); ``missing_uncapped_woe`` the WOE before the cap.
    woe_ : dict of str to ndarray
        WOE of each value bin per feature (missing and unseen WOE are in ``bins_``).
    classes_ : ndarray of shape (2,)
        Target labels; ``classes_[1]`` is the event.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(40, dtype=float).reshape(-1, 1)
    >>> y = (np.arange(40) > 15).astype(int)
    >>> MonotoneBinner(default_direction="increasing", min_bin_share=0.1).fit(X, y).bins_["x0"].edges
    (16.0,)
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

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.target_tags.required = True
        # WOE is defined for a binary target only; declaring it lets the common checks send binary y.
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags

    def fit(self, X: Any, y: Any) -> MonotoneBinner:
        """Learn the bins and their WOE from ``X`` and a binary ``y`` (event = the larger label)."""
        self.fit_columns(X, y)
        return self

    def fit_columns(self, X: Any, y: Any) -> list[Column]:
        """:meth:`fit`, returning ``X``'s typed columns as read for it.

        A caller that needs both the fit and the columns (``Scorecard.fit``) validates ``X`` once instead of
        again through :meth:`typed_columns`.
        """
        validate_params(self, BINNER_PARAMETERS)
        columns, kinds, y_raw = read_columns(
            self, X, y, reset=True, categorical_features=self.categorical_features
        )
        self.classes_, target = binary_target(np.asarray(y_raw))
        names = self._names()
        directions = resolve_directions(names, kinds, self.directions, self.default_direction)
        self.bins_ = {
            name: self._fit_feature(name, kind, direction, column, target)
            for name, kind, direction, column in zip(names, kinds, directions, columns, strict=True)
        }
        self.woe_ = {name: np.asarray(b.woe) for name, b in self.bins_.items()}
        return columns

    def _names(self) -> list[str]:
        if hasattr(self, "feature_names_in_"):
            return [str(n) for n in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _fit_feature(
        self, name: str, kind: str, direction: str | None, column: Column, y: NDArray[np.float64]
    ) -> FeatureBins:
        n = float(y.size)
        min_count = max(1.0, math.ceil(self.min_bin_share * n))
        if kind == NUMERIC:
            missing = np.isnan(column)
            edges, counts, events = numeric_bins(
                column[~missing],
                y[~missing],
                direction=str(direction),
                max_bins=self.max_bins,
                min_count=min_count,
                n_prebins=self.n_prebins,
            )
            labels, categories = numeric_labels(tuple(edges.tolist())), {}
        else:
            missing = np.array([v is None for v in column], dtype=bool)
            keys = np.asarray(column[~missing].astype(str), dtype=str)
            labels_list, members, counts, events = categorical_bins(keys, y[~missing], min_count=min_count)
            order = np.argsort(woe_of(events, counts, y.sum(), n, len(counts) + 1), kind="stable")
            counts, events = counts[order], events[order]
            labels = tuple(labels_list[i] for i in order)
            categories = {c: new for new, old in enumerate(order) for c in members[old]}
            edges = np.empty(0)
        n_missing, missing_events = float(missing.sum()), float(y[missing].sum())
        woe = woe_of(events, counts, y.sum(), n, len(counts) + 1)
        own = n_missing > 0 and n_missing >= self.missing_min_share * n
        missing_woe = (
            float(woe_of(np.array([missing_events]), np.array([n_missing]), y.sum(), n, len(counts) + 1)[0])
            if own
            else float(woe.min())
        )
        lowest = min(float(woe.min()), missing_woe)
        unseen = None if kind == NUMERIC else (missing_woe if self.unseen_category == "missing" else lowest)
        bins = FeatureBins(
            name=name,
            kind=kind,
            direction=direction,
            edges=tuple(edges.tolist()),
            labels=labels,
            counts=tuple(int(c) for c in counts),
            events=tuple(int(e) for e in events),
            woe=tuple(woe.tolist()),
            missing_count=int(n_missing),
            missing_events=int(missing_events),
            missing_woe=missing_woe,
            missing_rule=MISSING_OWN if own else MISSING_LOWEST,
            missing_uncapped_woe=missing_woe,
            categories=categories,
            unseen_woe=unseen,
        )
        # Withholding a value must never score better than the worst value reported: otherwise a business
        # could raise its grade by leaving a field blank.
        return capped_missing(bins, self.unseen_category) if self.missing_cap == "lowest" else bins

    def transform(self, X: Any) -> NDArray[np.float64]:
        """WOE of every value: one column per feature, in input order."""
        return self.woe_matrix(self.typed_columns(X))

    def typed_columns(self, X: Any) -> list[Column]:
        """Validate ``X`` against the fit (feature names, count, kinds) and return its typed columns."""
        check_is_fitted(self)
        kinds = [b.kind for b in self.bins_.values()]
        return read_columns(self, X, reset=False, kinds=kinds)[0]

    def woe_matrix(self, columns: list[Column]) -> NDArray[np.float64]:
        """WOE of already typed columns (from :meth:`typed_columns`), shape (rows, features)."""
        check_is_fitted(self)
        pairs = zip(self.bins_.values(), columns, strict=True)
        return np.column_stack([self._woe_column(b, c) for b, c in pairs])

    @staticmethod
    def _woe_column(bins: FeatureBins, column: Column) -> NDArray[np.float64]:
        woe = np.asarray([*bins.woe, bins.missing_woe], dtype=np.float64)
        if bins.kind == NUMERIC:
            idx = np.searchsorted(np.asarray(bins.edges, dtype=np.float64), column, side="right")
            idx[np.isnan(column)] = -1
            return woe[idx]
        unseen = len(bins.woe)
        woe = np.append(woe[:-1], [bins.unseen_woe, bins.missing_woe])
        idx = np.fromiter(
            (-1 if v is None else bins.categories.get(v, unseen) for v in column), np.intp, len(column)
        )
        return woe[idx]

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> NDArray[np.object_]:
        """One WOE column per input feature, under the input feature's name."""
        check_is_fitted(self)
        if input_features is not None:
            names = [str(n) for n in input_features]
            if len(names) != self.n_features_in_ or (
                hasattr(self, "feature_names_in_") and names != list(self.feature_names_in_)
            ):
                raise ValueError("input_features is not equal to feature_names_in_")
            return np.asarray(names, dtype=object)
        return np.asarray(self._names(), dtype=object)


def capped_missing(bins: FeatureBins, unseen_category: str = "missing") -> FeatureBins:
    """``bins`` with the missing bin's WOE capped at the lowest value bin's (``missing_cap="lowest"``), and an
    unseen category's WOE with it where it follows the missing bin: what a fit on the missing bin's own
    WOE serves, so that withholding a value never scores better than the worst value reported.

    Where the cap lowers the WOE, the rule becomes ``"capped"`` and ``missing_uncapped_woe`` keeps the WOE
    it had (the one :class:`~rating_model.scorecard.Scorecard` fits its regression on): a reader of the
    artifact sees both, instead of a capped WOE beside an event rate it does not follow from.
    """
    lowest = float(min(bins.woe))
    missing = min(bins.missing_woe, lowest)
    unseen = bins.unseen_woe
    if bins.kind != NUMERIC:
        unseen = missing if unseen_category == "missing" else min(missing, lowest)
    rule = MISSING_CAPPED if missing < bins.missing_woe else bins.missing_rule
    return replace(bins, missing_woe=missing, missing_rule=rule, unseen_woe=unseen)
