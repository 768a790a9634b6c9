"""Per-feature lookup tables of a scorecard: value → bin → integer points, for one row or a column.

Shared by :class:`rating_model.artifact.ScorecardArtifact` and, through it, by the training estimator,
so there is exactly one definition of which bin a value falls in. Points are integers in units of
``10**-decimals``: sums are exact whatever the order, so the row path and the column path agree bit for
bit. Imports numpy and the standard library only.
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right
from collections.abc import Mapping
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rating_model.exceptions import InvalidInputError

MISSING_BIN = -1  #: bin index reported for a missing value
UNSEEN_BIN = -2  #: bin index reported for a category never seen in training
_SLOW_PATH = -3


def category_key(value: Any) -> str | None:
    """The key a categorical value is matched by; ``None`` for missing.

    Integral numbers lose their decimal point (``3``, ``3.0`` and ``np.int64(3)`` are all ``"3"``) because a
    category read from a CSV as float and one sent as an int in JSON must land in the same bin.
    """
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    try:
        if value != value:  # pandas.NA-like sentinels
            return None
    except TypeError:
        return None
    return str(value)


def sigmoid(logit: float) -> float:
    """Logistic function without overflow; the one implementation both scoring paths use."""
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    e = math.exp(logit)
    return e / (1.0 + e)


def format_edge(value: float) -> str:
    """Edge text for labels and hints: integers without ``.0``, other floats with round-trip precision."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


#: up to this many edges, a column is binned by comparisons instead of a binary search per value
_COMPARE_EDGES = 8


def float_column(values: Any, name: str) -> NDArray[np.float64]:
    """A numeric column as float64 (NaN/None = missing, booleans = 0/1); text is refused, not parsed.

    ``np.asarray(["3"]).astype(float)`` happily parses text, while the row path refuses it; refusing
    here too keeps both paths in agreement. Conversion errors of other objects propagate as numpy
    raises them (TypeError/ValueError).
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "UST" or (arr.dtype == object and any(isinstance(v, str) for v in arr.ravel())):
        raise InvalidInputError(name, "must be numbers or null, got text")
    return arr.astype(np.float64, copy=False)  # read only by the callers: no copy of a float column


class FeatureTable:
    """One feature's lookup tables, precomputed once at load for both the row and the column path.

    The ``*_ext`` lists append the unseen and the missing bin to the value bins, so that indexing with
    :data:`MISSING_BIN` (-1) or :data:`UNSEEN_BIN` (-2) needs no branch.
    """

    __slots__ = (
        "name",
        "numeric",
        "direction",
        "edges",
        "edges_arr",
        "units",
        "units_ext",
        "units_arr",
        "points_ext",
        "labels",
        "labels_ext",
        "missing_units",
        "unseen_units",
        "categories",
        "max_units",
        "max_points",
    )

    def __init__(self, spec: Mapping[str, Any], scale: int) -> None:
        self.name: str = spec["name"]
        self.numeric = spec["type"] == "numeric"
        self.direction: str | None = spec["direction"]
        self.edges: list[float] = [float(e) for e in spec.get("edges", [])]
        self.edges_arr = np.asarray(self.edges, dtype=np.float64)
        self.units: list[int] = [round(p * scale) for p in spec["points"]]
        self.missing_units: int = round(spec["missing_points"] * scale)
        self.unseen_units: int = self.missing_units if self.numeric else round(spec["unseen_points"] * scale)
        self.units_ext = [*self.units, self.unseen_units, self.missing_units]
        self.units_arr = np.asarray(self.units_ext, dtype=np.int64)
        self.points_ext = [u / scale for u in self.units_ext]
        self.labels: list[str] = list(spec["labels"])
        self.labels_ext = [*self.labels, "unseen", "missing"]
        self.categories: dict[str, int] = dict(spec.get("categories", {}))
        self.max_units: int = max(self.units_ext)
        self.max_points = self.max_units / scale

    def bin_of(self, value: Any) -> int:
        """Bin of one value (the row path); raises InvalidInputError for text in a numeric feature."""
        kind = type(value)
        if self.numeric:
            if kind is float or kind is int:
                return bisect_right(self.edges, value) if value == value else MISSING_BIN
            if value is None:
                return MISSING_BIN
            if isinstance(value, str) or not isinstance(value, numbers.Real | np.bool_):
                raise InvalidInputError(self.name, f"must be a number or null, got {kind.__name__}")
            number = float(value)
            return bisect_right(self.edges, number) if number == number else MISSING_BIN
        key = value if kind is str else category_key(value)
        return MISSING_BIN if key is None else self.categories.get(key, UNSEEN_BIN)

    def column_bins(self, column: Any) -> NDArray[np.intp]:
        """Bins of a whole column (the vectorised path): searchsorted or one dict lookup per value."""
        if self.numeric:
            try:
                values = float_column(column, self.name)
            except (TypeError, ValueError) as exc:
                if isinstance(exc, InvalidInputError):
                    raise
                raise InvalidInputError(self.name, f"must be numbers or null: {exc}") from exc
            edges = self.edges_arr
            if len(edges) <= _COMPARE_EDGES:
                # The count of edges <= value is searchsorted(side="right"); a few whole-column
                # comparisons beat its binary search per value (NaN compares False: fixed below).
                bins = np.zeros(len(values), dtype=np.intp)
                for edge in edges.tolist():
                    bins += values >= edge
            else:
                bins = np.searchsorted(edges, values, side="right")
            bins[np.isnan(values)] = MISSING_BIN
            return bins
        items = np.asarray(column).ravel().tolist()
        slow = _SLOW_PATH
        try:
            # map(dict.get) runs in C: one lookup per value covers text categories; everything else
            # (None, NaN, numbers) is marked and resolved through category_key below.
            bins = np.fromiter(map(self.categories.get, items, repeat(slow)), np.intp, len(items))
        except TypeError:  # an unhashable value: resolve every value the slow way
            bins = np.full(len(items), slow, dtype=np.intp)
        for i in np.flatnonzero(bins == slow).tolist():
            key = category_key(items[i])
            bins[i] = MISSING_BIN if key is None else self.categories.get(key, UNSEEN_BIN)
        return bins
