"""From logistic-regression contributions to a rounded points table whose totals span the score range.

Min-max scaling: every feature's lowest bin gets 0 points, the lowest possible total is
``score_range[0]`` and the highest ``score_range[1]``. Points are rounded to ``decimals`` *after*
scaling, and the rounded table then *is* the model: the probability is derived from the rounded score
(never from the unrounded logit), so what a reader adds up on paper is exactly what the service scores.
Pure numpy, shared by training only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class ScaledPoints:
    """Integer points (units of ``10**-decimals``) per feature bin, and the score → logit mapping.

    ``units[f]`` holds one entry per raw contribution of feature ``f`` (same order). The probability
    mapping is the exact inverse of the scaling: ``logit = intercept + slope * score``.
    """

    units: list[NDArray[np.int64]]
    base_units: int
    intercept: float
    slope: float


def _largest_remainder(targets: NDArray[np.float64], total: int) -> NDArray[np.int64]:
    """Round ``targets`` to integers that add up to ``total`` (Hamilton's method, ties by position).

    Used on each feature's maximum so the best possible total is exactly the top of the score range,
    which plain rounding misses by up to half a unit per feature.
    """
    floors = np.floor(targets).astype(np.int64)
    short = total - int(floors.sum())
    order = np.argsort(-(targets - floors), kind="stable")
    floors[order[: max(short, 0)]] += 1
    return floors


def scale_points(
    raw: list[NDArray[np.float64]], intercept: float, score_range: tuple[float, float], decimals: int
) -> ScaledPoints:
    """Scale per-bin logit contributions ``coef * woe`` to rounded points.

    Parameters
    ----------
    raw : list of ndarray
        For each feature, the logit contribution of every bin (value bins, missing, unseen...).
    intercept : float
        The logistic regression's intercept.
    score_range : (float, float)
        Lowest and highest possible total; rounded to ``decimals``.
    decimals : int
        Rounding of points.

    Returns
    -------
    ScaledPoints
        When no feature carries information (all contributions flat) every point is 0, the score is the
        bottom of the range and the probability is the model's constant.
    """
    unit = 10**decimals
    low, high = round(score_range[0] * unit), round(score_range[1] * unit)
    mins = [float(r.min()) if r.size else 0.0 for r in raw]
    spans = np.asarray([float(r.max()) - m if r.size else 0.0 for r, m in zip(raw, mins, strict=True)])
    total_span = float(spans.sum())
    constant = intercept + math.fsum(mins)
    if total_span <= 0.0:
        return ScaledPoints([np.zeros(r.size, dtype=np.int64) for r in raw], low, constant, 0.0)
    per_logit = (high - low) / total_span  # units of points per unit of logit
    maxima = _largest_remainder(spans * per_logit, high - low)
    units = []
    for r, m, top in zip(raw, mins, maxima, strict=True):
        scaled = (r - m) * per_logit
        u = np.minimum(np.rint(scaled), top).astype(np.int64)
        u[scaled == scaled.max()] = top  # every bin at the feature's maximum gets the same points
        units.append(np.maximum(u, 0))
    slope = unit / per_logit  # logit per point of score
    return ScaledPoints(units, low, constant - (low / unit) * slope, slope)
