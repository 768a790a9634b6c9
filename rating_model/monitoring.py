"""Champion vs challenger, and drift: population stability, grade migration, bootstrap intervals.

PSI (population stability index) is ``sum((a - e) * ln(a / e))`` over shares of the same bins; empty bins
get a share of :data:`PSI_FLOOR` so one empty bin cannot make it infinite. The usual reading (Siddiqi,
*Credit Risk Scorecards*, 2006): below 0.1 stable, 0.1 to 0.25 worth a look, above 0.25 a real shift.
Confidence intervals are percentile intervals of a paired bootstrap with a fixed seed, so the same data
always gives the same interval. Training and monitoring only: imports pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rating_model.artifact import ScorecardArtifact
from rating_model.evaluation import (
    Scored,
    binary_metrics,
    calibration,
    grade_distribution,
    score_frame,
    training_bin_counts,
)
from rating_model.grading import cap
from rating_model.intervals import wilson_interval
from rating_model.standard import GRADES, Standard

PSI_FLOOR = 1e-4
#: score bands shared by every model (scores are 0-100 by construction): PSI needs common bins
SCORE_EDGES: tuple[float, ...] = tuple(float(x) for x in range(10, 100, 10))
BOOTSTRAP_SAMPLES = 200
BOOTSTRAP_SEED = 20261125
METRICS = ("auc", "gini", "ks", "brier")
#: bin index of a recorded label that is no bin of the model (never a real bin: those are >= UNSEEN_BIN)
NO_BIN = -9


def psi(expected: Sequence[float] | NDArray[Any], actual: Sequence[float] | NDArray[Any]) -> float:
    """PSI of two count (or share) vectors over the same bins."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.shape != a.shape or e.sum() <= 0 or a.sum() <= 0:
        raise ValueError("PSI needs two non-empty distributions over the same bins")
    e = np.maximum(e / e.sum(), PSI_FLOOR)
    a = np.maximum(a / a.sum(), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_label(value: float) -> str:
    return "stable" if value < 0.1 else "watch" if value < 0.25 else "shift"


#: fewer live ratings than this and a PSI reads sampling noise (a single rating fills one band and leaves
#: nine at the floor): the readings say so instead of "shift". greenrate's rule of thumb, not a test.
MIN_DRIFT_ROWS = 100
TOO_FEW = "too few ratings to read"


def band_counts(values: NDArray[np.float64], edges: Sequence[float] = SCORE_EDGES) -> NDArray[np.int64]:
    """Counts in the bands cut by ``edges`` (lower-inclusive, like the scorecard's bins)."""
    return np.bincount(np.searchsorted(np.asarray(edges), values, side="right"), minlength=len(edges) + 1)


def migration_matrix(from_grades: NDArray[np.str_], to_grades: NDArray[np.str_]) -> dict[str, Any]:
    """Rows by (champion grade, challenger grade), best grade first, and the share that moved."""
    index = {g: i for i, g in enumerate(GRADES)}
    matrix = np.zeros((len(GRADES), len(GRADES)), dtype=np.int64)
    np.add.at(matrix, ([index[g] for g in from_grades], [index[g] for g in to_grades]), 1)
    n = max(1, int(matrix.sum()))
    moved = n - int(np.trace(matrix))
    downgrades = int(np.triu(matrix, 1).sum())  # a worse grade has a higher index: above the diagonal
    return {"grades": list(GRADES), "counts": matrix.tolist(), "moved_share": moved / n,
            "downgrades": downgrades, "upgrades": moved - downgrades}


def bootstrap_deltas(y: NDArray[Any], p_champion: NDArray[np.float64], p_challenger: NDArray[np.float64], *,
                     samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED,
                     level: float = 0.95) -> dict[str, dict[str, float]]:
    """Each metric for both models, the challenger-minus-champion delta and its paired bootstrap interval.

    Paired: every resample draws the same rows for both models, so the interval is of the difference on
    the same population, which is far narrower than comparing two separate intervals.
    """
    y = np.asarray(y, dtype=int)
    base_a, base_b = binary_metrics(y, p_champion), binary_metrics(y, p_challenger)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {m: [] for m in METRICS}
    n = len(y)
    for _ in range(samples):
        rows = rng.integers(0, n, n)
        ys = y[rows]
        if ys.min() == ys.max():
            continue  # a resample with one class has no AUC; skip it (vanishingly rare)
        a, b = binary_metrics(ys, p_champion[rows]), binary_metrics(ys, p_challenger[rows])
        for m in METRICS:
            draws[m].append(b[m] - a[m])
    tail = (1 - level) / 2 * 100
    out = {}
    for m in METRICS:
        low, high = np.percentile(draws[m], [tail, 100 - tail]) if draws[m] else (np.nan, np.nan)
        out[m] = {"champion": base_a[m], "challenger": base_b[m], "delta": base_b[m] - base_a[m],
                  "ci_low": float(low), "ci_high": float(high)}
    return out


def _psi_over_bins(expected: Mapping[int, int], bins: NDArray[np.intp]) -> dict[str, Any]:
    """PSI of live bin indices against training counts per bin; bins the training had no count for are left
    out (and counted as ``unmatched`` when there are any)."""
    keys = sorted(expected)
    found = dict(zip(*np.unique(bins, return_counts=True), strict=True))
    value = psi([expected[k] for k in keys], [int(found.get(k, 0)) for k in keys])
    out: dict[str, Any] = {"psi": value, "reading": psi_label(value)}
    unmatched = int(len(bins) - sum(int(found.get(k, 0)) for k in keys))
    if unmatched:
        out["unmatched"] = unmatched
    return out


def indicator_psi(artifact: ScorecardArtifact, values: Mapping[str, NDArray[np.float64]]) -> dict[str, Any]:
    """Per indicator: PSI of ``values`` over the artifact's bins against its training population.

    The artifact carries how many training rows fell in each bin (missing included), so the population a
    model learned from travels with it; indicators without those counts, or without values, are skipped.
    Values are binned here, so they must be exact: this is for values read from a data file
    (:func:`compare_models`). Recorded ratings carry each indicator's value rounded to 6 decimals, which
    moves a value just below an edge such as 2/7 into the bin beneath; their drift is counted from the bin
    each rating recorded (:func:`recorded_bin_psi`).
    """
    return _per_indicator(artifact, values,
                          lambda name, column: artifact.column_bins(name, np.asarray(column, dtype=float)))


def _per_indicator(artifact: ScorecardArtifact, data: Mapping[str, Any],
                   bins_of: Callable[[str, Any], NDArray[np.intp]]) -> dict[str, Any]:
    """PSI per indicator that has training counts and live data, its bins read by ``bins_of``."""
    out: dict[str, Any] = {}
    for name in artifact.feature_names:
        expected = training_bin_counts(artifact, name)
        column = data.get(name)
        if expected is None or column is None or len(column) == 0:
            continue
        out[name] = _psi_over_bins(expected, bins_of(name, column))
    return out


def label_bins(artifact: ScorecardArtifact, name: str, labels: Sequence[str | None]) -> NDArray[np.intp]:
    """The bin index of each recorded bin label of a feature (``MISSING_BIN`` for "missing").

    A rating records the label of the bin its value fell in, so these are the bins the engine used, not
    a re-binning. A label that is no bin of this model (or ``None``) gets :data:`NO_BIN`. Numeric labels
    are interval texts and so unique; a category literally named like the missing bin counts as its value
    bin.
    """
    index: dict[str, int] = {}
    for info in artifact.bins(name):
        index.setdefault(info.label, info.bin)
    return np.fromiter((NO_BIN if label is None else index.get(label, NO_BIN) for label in labels),
                       dtype=np.intp, count=len(labels))


def recorded_bin_psi(artifact: ScorecardArtifact,
                     labels: Mapping[str, Sequence[str | None]]) -> dict[str, Any]:
    """Per indicator: PSI of the recorded bins of live ratings against the artifact's training counts.

    Like :func:`indicator_psi`, but from each rating's recorded bin label (see :func:`label_bins`);
    ratings whose label is no bin of the model, or a bin without training counts (an unseen category),
    are left out and counted as ``unmatched``.
    """
    return _per_indicator(artifact, labels, lambda name, recorded: label_bins(artifact, name, recorded))


def compare_models(champion: ScorecardArtifact, challenger: ScorecardArtifact, indicators: pd.DataFrame,
                   y: NDArray[Any], standard: Standard, *, samples: int = BOOTSTRAP_SAMPLES,
                   seed: int = BOOTSTRAP_SEED, challenger_indicators: pd.DataFrame | None = None,
                   challenger_standard: Standard | None = None,
                   knock_outs: Sequence[tuple[str, ...]] | None = None,
                   challenger_knock_outs: Sequence[tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Champion vs challenger on the same labelled population (JSON-ready).

    ``challenger_indicators`` and ``challenger_standard``, when the challenger rates under another standard
    than the champion (a model for a new standard against one approved under the last), are the same rows'
    indicators and the rulebook under the challenger's standard; by default both models share the champion's.

    - ``metrics``: each metric, the delta and its 95 % paired-bootstrap interval;
    - ``score_psi``: the challenger's score distribution against the champion's, in 10-point bands;
    - ``indicator_psi``: per indicator, the compared population against the champion's training
      population, over the champion's bins (is the new data the population the champion learned from?);
    - ``migration``: the grade migration matrix, champion grade (rows) to challenger grade (columns);
    - ``calibration`` and ``grades``: per model (``champion``, ``challenger``), see :func:`_calibration` and
      :func:`_grades`;
    - ``overrides``, when ``knock_outs`` is given (each row's knock-out ids under the champion's standard,
      ``challenger_knock_outs`` under the challenger's, by default the same): per model, see
      :func:`overrides`.
    """
    a = score_frame(champion, indicators, standard)
    b = score_frame(
        challenger,
        indicators if challenger_indicators is None else challenger_indicators,
        standard if challenger_standard is None else challenger_standard,
    )
    score_psi = psi(band_counts(a.scores), band_counts(b.scores))
    columns = {n: indicators[n].to_numpy(dtype=float) for n in champion.feature_names if n in indicators}
    out: dict[str, Any] = {
        "champion": champion.version,
        "challenger": challenger.version,
        "rows": len(y),
        "metrics": bootstrap_deltas(np.asarray(y), a.probabilities, b.probabilities,
                                    samples=samples, seed=seed),
        "score_psi": {"psi": score_psi, "reading": psi_label(score_psi),
                      "bands": SCORE_EDGES, "champion": band_counts(a.scores).tolist(),
                      "challenger": band_counts(b.scores).tolist()},
        "indicator_psi": indicator_psi(champion, columns),
        "migration": migration_matrix(a.grades, b.grades),
        "calibration": {"champion": _calibration(y, a), "challenger": _calibration(y, b)},
        "grades": {"champion": _grades(y, a), "challenger": _grades(y, b)},
    }
    if knock_outs is not None:
        b_knock_outs = knock_outs if challenger_knock_outs is None else challenger_knock_outs
        out["overrides"] = {
            "champion": overrides(a.grades, knock_outs, standard),
            "challenger": overrides(b.grades, b_knock_outs,
                                    standard if challenger_standard is None else challenger_standard),
        }
    return out


def overrides(score_grades: NDArray[np.str_], knock_outs: Sequence[tuple[str, ...]],
              standard: Standard) -> dict[str, Any]:
    """How often the standard's knock-outs override the grade one model's score earns (JSON-ready).

    The final grade is the engine's (:func:`rating_model.grading.cap`, what a rating's ``grade`` is): a
    knock-out caps the score's grade, so it overrides only a score grade better than its cap. A validator
    reads the override rate beside the model's grades (SR 11-7): the migration and the green rate by
    grade are the score's, and a challenger that lifts capped businesses' scores moves grades no business
    receives. Knock-outs depend on the data, not the model; what differs between two models is which
    capped businesses score above the cap.

    - ``rows``, ``overridden`` (rows whose final grade is worse than the score's) and ``share``;
    - ``knock_outs``: per knock-out of the standard, in its order: ``id``, ``cap_grade``, ``applies`` (rows
      that trigger it), ``overrides`` (rows whose score grade its cap alone lowers; a row lowered by two
      counts under both) and ``share`` (of ``rows``).
    """
    rules = {rule.id: rule for rule in standard.knock_outs}
    applies = dict.fromkeys(rules, 0)
    lowers = dict.fromkeys(rules, 0)
    overridden = 0
    for grade, ids in zip(score_grades, knock_outs, strict=True):
        if not ids:
            continue
        grade = str(grade)
        hit = tuple(rules[i] for i in ids)
        if cap(grade, hit, standard) != grade:
            overridden += 1
        for rule in hit:
            applies[rule.id] += 1
            if cap(grade, (rule,), standard) != grade:
                lowers[rule.id] += 1
    n = len(score_grades)
    return {"rows": n, "overridden": overridden, "share": overridden / n if n else 0.0,
            "knock_outs": [{"id": i, "cap_grade": rules[i].cap_grade, "applies": applies[i],
                            "overrides": lowers[i], "share": lowers[i] / n if n else 0.0} for i in rules]}


def _calibration(y: NDArray[Any], scored: Scored) -> dict[str, Any]:
    """One model's calibration on the compared rows: mean predicted probability against the observed green
    rate (calibration in the large) and the ECE of :func:`rating_model.evaluation.calibration`.

    Brier alone mixes ranking and calibration: a validator needs to see whether the probabilities still
    match the observed rate, for the champion as much as for the challenger.
    """
    labels = np.asarray(y, dtype=float)
    return {"rows": len(labels), "predicted": float(scored.probabilities.mean()),
            "observed": float(labels.mean()), "ece": calibration(labels, scored.probabilities)["ece"]}


def _grades(y: NDArray[Any], scored: Scored) -> list[dict[str, Any]]:
    """Rows per score grade (best first) and their observed green rate with its 95 % Wilson interval.

    What a grade means is its observed rate: a challenger that keeps the ranking can still fill a grade
    with businesses whose rate is another grade's. The interval carries the sample size; a grade with no
    rows has ``None`` for its rate and interval.
    """
    labels = np.asarray(y, dtype=int)
    out = grade_distribution(scored.grades, labels)
    for row in out:
        green = int(labels[scored.grades == row["grade"]].sum())
        row["ci_low"], row["ci_high"] = wilson_interval(green, row["n"]) if row["n"] else (None, None)
    return out


def drift(artifact: ScorecardArtifact, training_scores: NDArray[np.float64] | None,
          live_scores: NDArray[np.float64], live_bins: Mapping[str, Sequence[str | None]], *,
          training_bands: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """PSI of live ratings against the model's training population.

    Indicators are compared bin by bin against the per-bin training counts the artifact carries (missing
    values are their own bin), counting the bin label each rating recorded (``live_bins``: per indicator,
    one label per rating), not its rounded value. The score is compared with the training scores when
    given, else with the score bands the trainer stored in the artifact (``metadata.score_bands``); with
    neither it is left out.
    """
    if len(live_scores) == 0:
        raise ValueError("no recorded ratings to compare")
    indicators = recorded_bin_psi(artifact, live_bins)
    out: dict[str, Any] = {"model": artifact.version, "live_rows": int(len(live_scores)),
                           "indicator_psi": indicators}
    expected: list[int] | None = None
    if training_scores is not None:
        expected = band_counts(training_scores).tolist()
    elif training_bands is not None and list(training_bands.get("edges", [])) == list(SCORE_EDGES):
        expected = [int(c) for c in training_bands["counts"]]
    if expected is not None:
        value = psi(expected, band_counts(live_scores))
        out["score_psi"] = {"psi": value, "reading": psi_label(value), "bands": SCORE_EDGES,
                            "training": expected, "live": band_counts(live_scores).tolist()}
    out["enough_rows"] = len(live_scores) >= MIN_DRIFT_ROWS
    if not out["enough_rows"]:  # the values stay, for the record; their reading does not stand
        for entry in (*indicators.values(), *([out["score_psi"]] if "score_psi" in out else [])):
            entry["reading"] = TOO_FEW
    return out
