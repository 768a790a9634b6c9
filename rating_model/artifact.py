"""The serving-path scorer: a verified scorecard artifact that scores one row or a million with numpy.

This is the only code that turns values into points. The training estimator
(:class:`rating_model.scorecard.Scorecard`) scores through it too, which is why estimator and artifact
agree bit for bit. Points are held as integers in units of ``10**-decimals``, so the total is exact and
independent of the order of summation: ``base_points + sum(points)`` equals the displayed score, always.
Imports numpy and the standard library only.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rating_model.artifact_format import canonical_json, parse_json, verify_document
from rating_model.exceptions import InvalidInputError
from rating_model.scoring_table import (
    MISSING_BIN,
    UNSEEN_BIN,
    FeatureTable,
    category_key,
    sigmoid,
)

__all__ = [
    "MISSING_BIN",
    "UNSEEN_BIN",
    "BinInfo",
    "FeatureInfo",
    "FeaturePoints",
    "RowScore",
    "ScorecardArtifact",
    "category_key",
    "sigmoid",
]
_PROBABILITY_TABLE_LIMIT = 200_001


class FeaturePoints(NamedTuple):
    """One feature's contribution to a row's score."""

    name: str
    points: float
    bin: int
    bin_label: str
    max_points: float


class RowScore(NamedTuple):
    """A scored row: total score, event probability and each feature's contribution (artifact order)."""

    score: float
    probability: float
    features: tuple[FeaturePoints, ...]


class FeatureInfo(NamedTuple):
    """A feature as the artifact declares it (points per bin in bin order)."""

    name: str
    type: str
    direction: str | None
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    points: tuple[float, ...]
    missing_points: float
    unseen_points: float | None
    max_points: float


class BinInfo(NamedTuple):
    """One bin of a feature as shown to people: numeric bounds are ``lower <= x < upper`` (None = open)."""

    bin: int
    label: str
    lower: float | None
    upper: float | None
    points: float


class ScorecardArtifact:
    """A verified, immutable scorecard document and the fast scorer built from it.

    Build it with :meth:`from_dict` or :meth:`from_json` (both verify the structure and the ``sha256``);
    never unpickle one. ``to_json`` is canonical: the same content gives byte-identical output.
    """

    def __init__(self, doc: Mapping[str, Any]) -> None:
        verify_document(doc)
        self._doc: dict[str, Any] = copy.deepcopy(dict(doc))
        self._scale: int = 10 ** self._doc["decimals"]
        self._base_units: int = round(self._doc["base_points"] * self._scale)
        self._intercept = float(self._doc["probability"]["intercept"])
        self._slope = float(self._doc["probability"]["slope"])
        self._features = [FeatureTable(spec, self._scale) for spec in self._doc["features"]]
        self._by_name = {f.name: f for f in self._features}
        self._low_units = self._base_units + sum(min(f.units_ext) for f in self._features)
        self._high_units = self._base_units + sum(f.max_units for f in self._features)
        span = self._high_units - self._low_units + 1
        # Built at load (at most a fraction of a second), so the object never changes afterwards and
        # can be shared by threads without a lock.
        self._prob_table: NDArray[np.float64] | None = (
            np.fromiter(
                (self.probability_of(u / self._scale) for u in range(self._low_units, self._high_units + 1)),
                np.float64,
                span,
            )
            if span <= _PROBABILITY_TABLE_LIMIT
            else None
        )

    def __reduce__(self) -> tuple[type[ScorecardArtifact], tuple[dict[str, Any]]]:
        """Pickled as its document, verified again when loaded, exactly like :meth:`from_dict`.

        A fitted :class:`~rating_model.scorecard.Scorecard` holds an artifact, and scikit-learn's
        contract has estimators pickle (joblib, ``clone`` of fitted pipelines in model selection). The
        class is compiled (mypyc, a native class with no instance ``__dict__``), so the default
        protocol cannot rebuild it; the document is all its state anyway.
        """
        return (ScorecardArtifact, (self._doc,))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ScorecardArtifact:
        """Verify and load a parsed artifact; raises ArtifactError with the reason when it does not verify."""
        return cls(doc)

    @classmethod
    def from_json(cls, text: str | bytes) -> ScorecardArtifact:
        """Parse strictly (no duplicate keys, no NaN), then verify like :meth:`from_dict`."""
        return cls(parse_json(text))

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the document, safe to mutate."""
        return copy.deepcopy(self._doc)

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no whitespace)."""
        return canonical_json(self._doc)

    @property
    def decimals(self) -> int:
        return int(self._doc["decimals"])

    @property
    def version(self) -> str:
        return str(self._doc["version"])

    @property
    def sha256(self) -> str:
        return str(self._doc["sha256"])

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self._features)

    @property
    def base_points(self) -> float:
        return self._base_units / self._scale

    @property
    def metadata(self) -> dict[str, Any]:
        return copy.deepcopy(self._doc["metadata"])

    @property
    def training(self) -> dict[str, Any]:
        return copy.deepcopy(self._doc["training"])

    @property
    def features(self) -> tuple[FeatureInfo, ...]:
        """The features in scoring order, with their bins and points."""
        return tuple(
            FeatureInfo(
                f.name,
                "numeric" if f.numeric else "categorical",
                f.direction,
                tuple(f.edges),
                tuple(f.labels),
                tuple(f.points_ext[:-2]),
                f.missing_units / self._scale,
                None if f.numeric else f.unseen_units / self._scale,
                f.max_points,
            )
            for f in self._features
        )

    @property
    def card(self) -> dict[str, Any]:
        """The model card the trainer put in ``metadata["card"]`` (empty when there is none)."""
        card = self._doc["metadata"].get("card", {})
        return copy.deepcopy(card) if isinstance(card, dict) else {}

    def points_table(self) -> list[dict[str, Any]]:
        """Every bin of every feature as plain rows (JSON-ready), with training counts when recorded."""
        rows: list[dict[str, Any]] = []
        for spec, f in zip(self._doc["features"], self._features, strict=True):
            stats = spec.get("stats", {})
            for info in self.bins(f.name):
                key = {MISSING_BIN: "missing", UNSEEN_BIN: "unseen"}.get(info.bin)
                extra = (
                    stats.get(key, {})
                    if key
                    else {
                        k: stats[k][info.bin]
                        for k in ("count", "event_rate", "woe")
                        if isinstance(stats.get(k), list) and info.bin < len(stats[k])
                    }
                )
                rows.append(
                    {
                        "feature": f.name,
                        "bin": info.bin,
                        "label": info.label,
                        "lower": info.lower,
                        "upper": info.upper,
                        "points": info.points,
                        **{k: extra.get(k) for k in ("count", "event_rate", "woe")},
                    }
                )
        return rows

    def _feature(self, name: str) -> FeatureTable:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"the scorecard has no feature {name!r}; it has {list(self._by_name)}") from None

    def probability_of(self, score: float) -> float:
        """Event probability for a score: ``sigmoid(intercept + slope * score)``."""
        return sigmoid(self._intercept + self._slope * score)

    def score_row(self, values: Mapping[str, Any]) -> RowScore:
        """Score one row. Absent keys, ``None`` and NaN are missing; unknown keys are ignored.

        The per-request path: tuples are built with ``tuple.__new__`` because a NamedTuple's generated
        ``__new__`` costs more than the bin lookup itself.
        """
        get, new, total, parts = values.get, tuple.__new__, self._base_units, []
        for f in self._features:
            b = f.bin_of(get(f.name))
            total += f.units_ext[b]
            parts.append(new(FeaturePoints, (f.name, f.points_ext[b], b, f.labels_ext[b], f.max_points)))
        score = total / self._scale
        return new(RowScore, (score, self.probability_of(score), tuple(parts)))

    def score_after(
        self, values: Mapping[str, Any], before: Mapping[str, Any], before_score: float,
        changed: Collection[str] | None = None,
    ) -> float:
        """The score of ``values``, knowing the score of ``before``: only changed features are re-binned.

        A counterfactual changes one or two indicators of a dozen; a feature whose value is unchanged
        keeps its bin and its points. The total is counted in the same integer units as :meth:`score_row`,
        so the result is identical to its ``score``, not an approximation: ``before_score`` is
        ``total / scale`` for an integer total far below 2**52, and ``round(before_score * scale)`` gives
        that total back exactly. ``changed``, when given, names the only features whose values can differ
        (the indicators derived again: :meth:`IndicatorSet.derive_changed`), and the others are not even
        compared: most of the improvement plan's re-ratings change answers alone, four indicators of
        fourteen. Integer units add up in any order.
        """
        get, old = values.get, before.get
        total = round(before_score * self._scale)
        by_name = self._by_name
        features = self._features if changed is None else [by_name[name] for name in changed]
        for f in features:
            name = f.name
            value, previous = get(name), old(name)
            if value is previous or value == previous:
                continue
            units = f.units_ext
            total += units[f.bin_of(value)] - units[f.bin_of(previous)]
        return total / self._scale

    def score_columns(
        self, columns: Mapping[str, Any], n_rows: int | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Vectorised scoring: ``(scores, points)`` with ``points`` of shape (rows, features).

        An absent column is all missing, like an absent key in :meth:`score_row`. ``n_rows`` is only
        needed when no column is given.
        """
        given = [np.asarray(c) for c in columns.values()]
        n = n_rows if n_rows is not None else (len(given[0]) if given else 0)
        if any(len(c) != n for c in given):
            raise InvalidInputError("columns", f"all columns must have the same length ({n})")
        units = np.empty((n, len(self._features)), dtype=np.int64)
        for j, f in enumerate(self._features):
            column = columns.get(f.name)
            units[:, j] = f.units_arr[MISSING_BIN] if column is None else f.units_arr[f.column_bins(column)]
        total = units.sum(axis=1) + self._base_units
        return total / float(self._scale), units / float(self._scale)

    def scores(self, columns: Mapping[str, Any], n_rows: int | None = None) -> NDArray[np.float64]:
        """Vectorised total scores only: like :meth:`score_columns` without the points matrix.

        Bulk jobs that need the grade, not each indicator's points, accumulate one integer vector instead
        of materialising a rows x features matrix.
        """
        given = [np.asarray(c) for c in columns.values()]
        n = n_rows if n_rows is not None else (len(given[0]) if given else 0)
        if any(len(c) != n for c in given):
            raise InvalidInputError("columns", f"all columns must have the same length ({n})")
        total = np.full(n, self._base_units, dtype=np.int64)
        for f in self._features:
            column = columns.get(f.name)
            if column is None:
                total += f.units_arr[MISSING_BIN]
            else:
                total += f.units_arr[f.column_bins(column)]
        return total / float(self._scale)

    def probabilities(self, scores: NDArray[np.float64]) -> NDArray[np.float64]:
        """Event probabilities of scores from :meth:`score_columns`, identical to :meth:`probability_of`.

        Scores live on a grid of ``10**-decimals`` steps, so the probability of every reachable score is
        tabulated once at load (with the same :func:`sigmoid`) and looked up: no vectorised ``exp`` can
        then differ from the scalar path in the last bit. Scores off that grid are rounded onto it.
        """
        units = np.rint(np.asarray(scores, dtype=np.float64) * self._scale).astype(np.int64)
        table = self._prob_table
        if (
            table is not None
            and units.size
            and self._low_units <= units.min()
            and units.max() <= self._high_units
        ):
            return np.asarray(table[units - self._low_units], dtype=np.float64)
        uniq, inverse = np.unique(units, return_inverse=True)
        found = np.asarray([self.probability_of(u / self._scale) for u in uniq.tolist()], dtype=np.float64)
        return np.asarray(found[inverse.ravel()], dtype=np.float64)

    def column_bins(self, name: str, column: Any) -> NDArray[np.intp]:
        """Bin index of every value of a column (as :meth:`score_row` bins one; monitoring counts them)."""
        return self._feature(name).column_bins(column)

    def bins(self, name: str) -> tuple[BinInfo, ...]:
        """Every bin of a feature with its bounds and points, then the missing (and unseen) bin."""
        f = self._feature(name)
        out = [
            BinInfo(i, f.labels[i], *self._bounds(f, i), f.units[i] / self._scale)
            for i in range(len(f.units))
        ]
        out.append(BinInfo(MISSING_BIN, "missing", None, None, f.missing_units / self._scale))
        if not f.numeric:
            out.append(BinInfo(UNSEEN_BIN, "unseen", None, None, f.unseen_units / self._scale))
        return tuple(out)

    @staticmethod
    def _bounds(f: FeatureTable, i: int) -> tuple[float | None, float | None]:
        if not f.numeric:
            return None, None
        return (f.edges[i - 1] if i > 0 else None), (f.edges[i] if i < len(f.edges) else None)
