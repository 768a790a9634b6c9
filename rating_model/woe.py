"""Weight-of-evidence bins for one feature: monotone numeric bins and pooled categorical bins.

Pure numpy, no estimator state: :class:`rating_model.binning.MonotoneBinner` calls these per column.
Keeping the algorithms apart from the transformer lets them be tested on plain arrays, and keeps the
scikit-learn plumbing out of the arithmetic.

Conventions (written into every artifact as well): numeric edges are inner cut points, ascending and
lower-inclusive, so bin ``i`` holds ``edges[i-1] <= x < edges[i]`` (``np.searchsorted(edges, x,
side="right")``). The target is binary with ``1`` = event ("good" / "assessed green"); a positive WOE
means more events than average, so higher WOE always means more points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rating_model.scoring_table import format_edge

#: Additive (Laplace) smoothing of the event and non-event counts of every bin. Without it a bin with
#: no events has WOE = -inf; with it small bins are shrunk towards the average, which is what a
#: scorecard built from a few hundred rows needs.
SMOOTHING = 1.0

MISSING_OWN = "own"
MISSING_LOWEST = "lowest"
#: The missing bin had its own WOE, above the lowest value bin's, and the standard's cap
#: (``missing_cap="lowest"``) lowered it to that: its own WOE is kept in ``missing_uncapped_woe``.
MISSING_CAPPED = "capped"
MISSING_RULES = (MISSING_OWN, MISSING_LOWEST, MISSING_CAPPED)
OTHER_LABEL = "other"


@dataclass(frozen=True)
class FeatureBins:
    """The fitted bins of one feature, with the training counts behind each WOE.

    Attributes
    ----------
    name, kind, direction
        Feature name, ``"numeric"`` or ``"categorical"``, and the declared direction (numeric only).
    edges
        Inner cut points (numeric), ascending, lower-inclusive; empty for categorical features.
    labels, counts, events, woe
        One entry per bin, in bin order (numeric: by value; categorical: by WOE ascending).
    missing_count, missing_events, missing_woe, missing_rule, missing_uncapped_woe
        The missing bin. ``missing_woe`` is the WOE it is scored with. ``missing_rule`` is ``"own"`` when
        enough missing rows were seen to estimate its WOE, ``"lowest"`` when not (the lowest WOE of the
        feature, so that withholding a value never scores better than the worst value observed), and
        ``"capped"`` when its own WOE was above the lowest value bin's and ``missing_cap="lowest"``
        lowered it to that. ``missing_uncapped_woe`` is the WOE before any cap: the own WOE under
        ``"own"`` and ``"capped"``, the lowest under ``"lowest"``; it differs from ``missing_woe`` exactly
        when the rule is ``"capped"``. :class:`~rating_model.scorecard.Scorecard` fits its logistic
        regression on it, and serves ``missing_woe``.
    categories
        Categorical only: category key (:func:`~rating_model.scoring_table.category_key`) → bin index;
        rare categories point at the ``"other"`` bin.
    unseen_woe
        Categorical only: WOE given to a category never seen in training.
    """

    name: str
    kind: str
    direction: str | None
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    events: tuple[int, ...]
    woe: tuple[float, ...]
    missing_count: int
    missing_events: int
    missing_woe: float
    missing_rule: str
    missing_uncapped_woe: float
    categories: dict[str, int] = field(default_factory=dict)
    unseen_woe: float | None = None


def numeric_labels(edges: tuple[float, ...]) -> tuple[str, ...]:
    """Interval labels matching the lower-inclusive convention: ``< a``, ``[a, b)``, ``>= b``."""
    if not edges:
        return ("all values",)
    text = [format_edge(e) for e in edges]
    inner = [f"[{lo}, {hi})" for lo, hi in zip(text[:-1], text[1:], strict=True)]
    return (f"< {text[0]}", *inner, f">= {text[-1]}")


def woe_of(
    events: NDArray[np.float64], counts: NDArray[np.float64], total_events: float, total: float, n_bins: int
) -> NDArray[np.float64]:
    """WOE = ln(share of events in the bin / share of non-events in the bin), smoothed."""
    good = (events + SMOOTHING) / (total_events + SMOOTHING * n_bins)
    bad = (counts - events + SMOOTHING) / (total - total_events + SMOOTHING * n_bins)
    return np.log(good / bad)


class _Bins:
    """Adjacent numeric bins as parallel arrays; merging bin j with j+1 drops edge j."""

    def __init__(
        self, edges: NDArray[np.float64], counts: NDArray[np.float64], events: NDArray[np.float64]
    ) -> None:
        self.edges = list(edges)
        self.counts = list(counts)
        self.events = list(events)

    def __len__(self) -> int:
        return len(self.counts)

    def merge(self, j: int) -> None:
        self.counts[j] += self.counts.pop(j + 1)
        self.events[j] += self.events.pop(j + 1)
        del self.edges[j]

    def key(self, j: int, sign: float) -> float:
        return sign * math.log((self.events[j] + SMOOTHING) / (self.counts[j] - self.events[j] + SMOOTHING))


def _merge_small(bins: _Bins, min_count: float) -> None:
    """Merge the smallest bin under ``min_count`` into its smaller neighbour until none is left."""
    while len(bins) > 1:
        j = int(np.argmin(bins.counts))
        if bins.counts[j] >= min_count:
            return
        if j == 0 or (j < len(bins) - 1 and bins.counts[j + 1] < bins.counts[j - 1]):
            bins.merge(j)
        else:
            bins.merge(j - 1)


def _pool_adjacent_violators(bins: _Bins, sign: float) -> None:
    """Merge adjacent bins until the raw event rate and the smoothed log odds both rise along ``sign``.

    A stack pass: each new bin is merged into its left neighbour while the pair violates the order.
    Pairs below the top of the stack are never touched again, so the result is ordered whatever the
    smoothing does to a merged bin's value. Both orders are required: the raw rate is what a reader
    of the table checks, the smoothed WOE is what gets points. Ties are merged too: two bins with the
    same rate carry no information apart.
    """
    j = 1
    while j < len(bins):
        raw_up = sign * (bins.events[j] * bins.counts[j - 1] - bins.events[j - 1] * bins.counts[j]) > 0
        if not raw_up or bins.key(j, sign) <= bins.key(j - 1, sign):
            bins.merge(j - 1)
            j = max(j - 1, 1)
        else:
            j += 1


def numeric_bins(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    direction: str,
    max_bins: int,
    min_count: float,
    n_prebins: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Monotone bins of the observed (non-missing) values: ``(edges, counts, events)``.

    Quantile pre-bins at observed values, small ones merged, then pool-adjacent-violators in the declared
    direction, then the closest neighbours (by log odds) merged until at most ``max_bins`` remain. The
    direction is declared, never detected: automatic trend detection is the failure users of other
    scorecard tools report, and a wrong declared direction shows up as one flat bin instead of a
    plausible-looking reversed score.
    """
    sign = 1.0 if direction == "increasing" else -1.0
    if x.size == 0:
        return np.empty(0), np.zeros(1), np.zeros(1)
    levels = np.linspace(0.0, 1.0, n_prebins + 1)[1:-1]
    cuts = np.unique(np.quantile(x, levels, method="inverted_cdf"))
    cuts = cuts[cuts > x.min()]
    idx = np.searchsorted(cuts, x, side="right")
    counts = np.bincount(idx, minlength=cuts.size + 1).astype(np.float64)
    events = np.bincount(idx, weights=y, minlength=cuts.size + 1).astype(np.float64)
    bins = _Bins(cuts.astype(np.float64), counts, events)
    _merge_small(bins, min_count)
    _pool_adjacent_violators(bins, sign)
    while len(bins) > max_bins:
        gaps = [abs(bins.key(j + 1, sign) - bins.key(j, sign)) for j in range(len(bins) - 1)]
        bins.merge(int(np.argmin(gaps)))
        _pool_adjacent_violators(bins, sign)
    return np.asarray(bins.edges, dtype=np.float64), np.asarray(bins.counts), np.asarray(bins.events)


def categorical_bins(
    keys: NDArray[np.str_], y: NDArray[np.float64], *, min_count: float
) -> tuple[list[str], list[list[str]], NDArray[np.float64], NDArray[np.float64]]:
    """One bin per category with at least ``min_count`` rows, the rest pooled into one ``other`` bin.

    Returns ``(labels, members, counts, events)``; ``members[i]`` lists the categories of bin ``i``.
    Pooling rare categories keeps each WOE backed by enough rows; the pooled bin is always labelled
    ``"other"`` so a reader of the points table sees that it is a residual class.
    """
    uniq, inverse = np.unique(keys, return_inverse=True)
    counts = np.bincount(inverse, minlength=uniq.size).astype(np.float64)
    events = np.bincount(inverse, weights=y, minlength=uniq.size)
    frequent = counts >= min_count
    members = [[str(k)] for k in uniq[frequent]]
    labels = [m[0] for m in members]
    out_counts = list(counts[frequent])
    out_events = list(events[frequent])
    if (~frequent).any() or not members:
        members.append([str(k) for k in uniq[~frequent]])
        labels.append(OTHER_LABEL)
        out_counts.append(float(counts[~frequent].sum()))
        out_events.append(float(events[~frequent].sum()))
    return labels, members, np.asarray(out_counts, dtype=np.float64), np.asarray(out_events, dtype=np.float64)
