"""Evaluating a scorecard on labelled indicator data: discrimination, calibration, grades, directions.

Everything here is a pure function of an artifact, the standard and an indicator frame (see
:func:`rating_model.indicator_batch.frame_indicators`), so ``greenrate model evaluate``, ``compare`` and
``report`` all compute the same numbers the same way. Training only: imports pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rating_model.artifact import MISSING_BIN, ScorecardArtifact
from rating_model.standard import GRADES, Standard

CALIBRATION_BINS = 10
#: An indicator gets its blank and reported segments in :func:`calibration_by_segment` when at least this
#: share of the rows leave it blank: rarer blanks make segments too small to read a gap from.
SEGMENT_MIN_BLANK_SHARE = 0.05
#: A segment whose mean predicted probability is further than this from its observed rate (5 percentage
#: points) is named in the model card's limitations (:func:`segment_gaps`).
SEGMENT_GAP_LIMIT = 0.05


@dataclass(frozen=True)
class Scored:
    """An artifact applied to an indicator frame: score, probability, points and score grade per row."""

    scores: NDArray[np.float64]
    probabilities: NDArray[np.float64]
    points: pd.DataFrame
    grades: NDArray[np.str_]


def score_frame(artifact: ScorecardArtifact, indicators: pd.DataFrame, standard: Standard) -> Scored:
    """Score every row with the artifact's own vectorised scorer (bit-identical to the service's)."""
    names = list(artifact.feature_names)
    columns = {n: indicators[n].to_numpy(dtype=float) for n in names if n in indicators.columns}
    scores, points = artifact.score_columns(columns, n_rows=len(indicators))
    cutoffs = [(c.min_score, c.grade) for c in standard.cutoffs]  # best first
    grades = np.full(len(scores), standard.cutoffs[-1].grade, dtype=object)
    assigned = np.zeros(len(scores), dtype=bool)
    for floor, grade in cutoffs:
        hit = ~assigned & (scores >= floor)
        grades[hit] = grade
        assigned |= hit
    return Scored(scores, artifact.probabilities(scores), pd.DataFrame(points, columns=names),
                  grades.astype(str))


def binary_metrics(y: NDArray[Any], p: NDArray[np.float64]) -> dict[str, float]:
    """AUC (ties averaged), Gini, KS and Brier: the same formula training reports on its holdout."""
    from rating_model.train import binary_metrics as _metrics

    labels = np.asarray(y)
    # the formula counts y == 1 as the event and everything else as the other class: labels {0, 2} would
    # give AUC = nan and KS = inf instead of an error
    other = ~np.isin(labels, (0, 1))
    if other.any():
        raise ValueError(f"labels must be 0 or 1, got {np.unique(labels[other].astype(str))[:5].tolist()}")
    y = labels.astype(int)
    if y.min(initial=1) == y.max(initial=0):
        raise ValueError("metrics need both classes in the labels")
    return _metrics(y, np.asarray(p, dtype=float))


def calibration(y: NDArray[Any], p: NDArray[np.float64], bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Predicted vs observed rate in equal-count bins of the predicted probability, and their gap.

    Ties are kept in one bin (bins are cut on distinct values), so a scorecard's discrete probabilities
    never split a score between two bins. ``ece`` is the row-weighted mean absolute gap.
    """
    order = np.argsort(p, kind="mergesort")
    p_sorted, y_sorted = p[order], np.asarray(y, dtype=float)[order]
    cuts = np.unique(np.quantile(p_sorted, np.linspace(0, 1, bins + 1)[1:-1]))
    which = np.searchsorted(cuts, p_sorted, side="right")
    rows = []
    for b in range(len(cuts) + 1):
        mask = which == b
        n = int(mask.sum())
        if n:
            rows.append({"n": n, "predicted": float(p_sorted[mask].mean()),
                         "observed": float(y_sorted[mask].mean())})
    ece = math.fsum([r["n"] * abs(r["predicted"] - r["observed"]) for r in rows]) / max(1, len(p))
    return {"bins": rows, "ece": float(ece)}


def calibration_by_segment(indicators: pd.DataFrame, y: NDArray[Any], p: NDArray[np.float64],
                           names: Sequence[str],
                           min_blank_share: float = SEGMENT_MIN_BLANK_SHARE) -> list[dict[str, Any]]:
    """Mean predicted probability against observed rate, for the rows that leave each indicator blank and
    for those that report it (``gap`` = predicted - observed).

    The score-to-probability mapping is one line for every business, fitted on all of them, so it is
    calibrated overall and not within these segments: a blank earns the worst reported bin's points (the
    standard's missing-data rule), whatever the green rate of the businesses that leave it blank. A
    mapping per segment would close the gap and let withholding data pay, so the gap is reported instead.

    Blank means missing in ``indicators`` as served: an answer of "none" the standard scores (``when_none``)
    is reported. Only indicators that at least ``min_blank_share`` of the rows leave blank are listed
    (an indicator absent from ``indicators`` is blank on every row); a segment without rows is left out.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    out: list[dict[str, Any]] = []
    for name in names:
        blank = (indicators[name].isna().to_numpy() if name in indicators.columns
                 else np.ones(len(y), dtype=bool))
        if not len(y) or blank.mean() < min_blank_share:
            continue
        for segment, mask in (("blank", blank), ("reported", ~blank)):
            n = int(mask.sum())
            if n:
                predicted, observed = float(p[mask].mean()), float(y[mask].mean())
                out.append({"indicator": name, "segment": segment, "rows": n, "predicted": predicted,
                            "observed": observed, "gap": predicted - observed})
    return out


def segment_gaps(segments: Sequence[Mapping[str, Any]],
                 limit: float = SEGMENT_GAP_LIMIT) -> list[Mapping[str, Any]]:
    """The segments of :func:`calibration_by_segment` whose gap exceeds ``limit`` either way, widest first."""
    return sorted((s for s in segments if abs(s["gap"]) > limit), key=lambda s: -abs(s["gap"]))


def grade_distribution(grades: NDArray[np.str_], y: NDArray[Any] | None = None) -> list[dict[str, Any]]:
    """Rows per score grade (best first), their share and, with labels, the observed green rate."""
    out = []
    for grade in GRADES:
        mask = grades == grade
        n = int(mask.sum())
        row: dict[str, Any] = {"grade": grade, "n": n, "share": n / max(1, len(grades))}
        if y is not None:
            row["observed_rate"] = float(np.asarray(y)[mask].mean()) if n else None
        out.append(row)
    return out


def direction_checks(artifact: ScorecardArtifact, standard: Standard) -> list[dict[str, Any]]:
    """For every indicator: its declared direction and whether the points respect it, bin after bin.

    "Increasing" means a higher value never earns fewer points, "decreasing" the reverse; a missing value
    never earns more than the worst reported value (the standard's missing-data rule).
    """
    declared = {i.id: i.direction for i in standard.indicators.values()}
    out = []
    for f in artifact.features:
        points = list(f.points)
        steps = np.diff(points) if len(points) > 1 else np.zeros(0)
        want = declared.get(f.name)
        monotone = bool(np.all(steps >= 0)) if want == "increasing" else bool(np.all(steps <= 0))
        missing_ok = f.missing_points <= min(points) + 1e-9 if points else True
        problems = []
        if f.direction != want:
            problems.append(f"artifact says {f.direction!r}, the standard declares {want!r}")
        if not monotone:
            problems.append(f"points {points} are not {want} across bins")
        if not missing_ok:
            problems.append(f"missing earns {f.missing_points}, more than the worst value ({min(points)})")
        out.append({"indicator": f.name, "direction": want, "points": points,
                    "missing_points": f.missing_points, "ok": not problems, "problems": problems})
    return out


def evaluate(artifact: ScorecardArtifact, indicators: pd.DataFrame, y: NDArray[Any],
             standard: Standard) -> dict[str, Any]:
    """The evaluation report of one model on one labelled data set (JSON-ready)."""
    scored = score_frame(artifact, indicators, standard)
    directions = direction_checks(artifact, standard)
    return {
        "version": artifact.version,
        "rows": len(y),
        "event_rate": float(np.mean(y)),
        "metrics": binary_metrics(y, scored.probabilities),
        "calibration": calibration(np.asarray(y), scored.probabilities),
        "calibration_by_segment": calibration_by_segment(indicators, np.asarray(y), scored.probabilities,
                                                         artifact.feature_names),
        "grades": grade_distribution(scored.grades, y),
        "directions": directions,
        "directions_ok": all(d["ok"] for d in directions),
    }


def training_bin_counts(artifact: ScorecardArtifact, name: str) -> dict[int, int] | None:
    """Rows per bin in the artifact's training data (``MISSING_BIN`` included), when the trainer kept them."""
    feature = next((f for f in artifact.to_dict()["features"] if f["name"] == name), None)
    stats: Mapping[str, Any] | None = None if feature is None else feature.get("stats")
    if not stats or "count" not in stats:
        return None
    counts = {i: int(c) for i, c in enumerate(stats["count"])}
    counts[MISSING_BIN] = int(stats.get("missing", {}).get("count", 0))
    # rows that answered "none" were fitted as missing but are served in their when_none bin (standard
    # 1.5.0's fleet): counted where the service puts them
    served = artifact.metadata.get("answered_none", {}).get(name)
    if isinstance(served, Mapping) and served.get("bin") in counts:
        rows = min(int(served.get("rows", 0)), counts[MISSING_BIN])
        counts[MISSING_BIN] -= rows
        counts[int(served["bin"])] += rows
    return counts
