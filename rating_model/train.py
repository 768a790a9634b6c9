"""Train a scorecard on labelled operating data: flat file (or synthetic population) → JSON artifact.

Training derives indicators with the same pipeline as the service (:mod:`rating_model.pipeline`), fits the
transparent :class:`~rating_model.scorecard.Scorecard` with the standard's declared directions, and writes a
content-addressed artifact with its model card. Same data and seed give a byte-identical artifact on the
same machine and library versions, so an artifact can always be rebuilt and checked. Imports scikit-learn
and pandas: never on the serving path.

Run ``python -m rating_model.train --rows 60000 --seed 20261125 --out rating_model/data/models/default.json``
(or ``--data labelled.parquet``, the command every model card cites). The command itself is
:mod:`service.batch.train`, which this module runs when it is run: reading the ``--data`` file, writing the
artifact and starting the worker processes are the service's, training on a frame is this module's.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rating_model.evaluation import calibration_by_segment
from rating_model.exceptions import InvalidInputError
from rating_model.factors import factor_sets_document
from rating_model.indicator_batch import frame_indicators_answered
from rating_model.labels import class_problem, labels_of
from rating_model.model_card import holdout_limitations, model_card, no_point_features
from rating_model.monitoring import SCORE_EDGES, band_counts
from rating_model.operating_data import SCHEMA_VERSION
from rating_model.scorecard import Scorecard
from rating_model.standard import DEFAULT_STANDARD, Standard, load_standard

if TYPE_CHECKING:
    from rating_model.indicator_batch import Parallel

#: the training method's version, recorded in every artifact: 3 solves the logistic regression to its
#: optimum (lbfgs ``tol=1e-10``), where 2 stopped at scikit-learn's default tolerance, up to 0.0012 off it
#: (six bins of the packaged model 0.1 point apart); 2 fits the coefficients on each missing bin's own WOE
#: and caps the points served (:meth:`rating_model.scorecard.Scorecard.fit`), 1 fitted on the capped WOE
CODE_VERSION = "greenrate-train/3"
DEFAULT_SEED = 20261125
DEFAULT_ROWS = 60_000
HOLDOUT_SHARE = 0.2
#: the largest seed: the scorecard passes it to scikit-learn, whose random_state is a 32-bit unsigned int
MAX_SEED = 2**32 - 1


#: the distributions whose versions decide a fitted artifact's bytes (binning, the solver, the frame reading)
FITTING_LIBRARIES = ("numpy", "pandas", "scikit-learn", "scipy")


def training_environment() -> dict[str, str]:
    """What a trained artifact's bytes depend on besides its data, seed and standard: the Python, the
    fitting libraries' versions, the engine version and the machine's architecture.

    Training is byte-identical on the same machine and library versions only; an artifact that named
    neither left a validator rebuilding it unable to tell which versions to install, or whether differing
    bytes came from another library or from other data. The build of the code is not recorded: it
    would change the version of every retraining from another commit that fits the same model, where
    ``code_version`` names the training method itself.
    """
    import platform
    from importlib import metadata

    from rating_model.engine import ENGINE_VERSION

    found = {"python": platform.python_version(), "machine": platform.machine(), "engine": ENGINE_VERSION}
    for name in FITTING_LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - training imports each of them
            found[name] = "unknown"
    return found


@dataclass(frozen=True)
class TrainResult:
    artifact: dict[str, Any]
    metrics: dict[str, float]
    skipped_rows: int
    #: what the holdout metrics cannot back (too few rows, rows repeating a row trained on), as the model
    #: card's limitations say it: the command warns with them beside the metrics it prints
    holdout_warnings: tuple[str, ...] = ()


def binary_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC (rank formula, ties averaged), Gini, KS and Brier: the scorecard trade's usual four."""
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    # average ranks over ties so that equal scores do not favour either class
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    positives = y == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    auc = (ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    sorted_y = y[order]
    cum_pos = np.cumsum(sorted_y) / n_pos
    cum_neg = np.cumsum(1 - sorted_y) / n_neg
    # KS compares the two classes' score distributions, which step only where the score changes: read the
    # cumulative shares at the last row of each run of equal scores, never inside one, where they would
    # depend on the rows' order (a constant score would otherwise show a KS up to 1).
    sorted_p = p[order]
    thresholds = np.append(np.flatnonzero(sorted_p[1:] != sorted_p[:-1]), len(p) - 1)
    return {
        "auc": float(auc),
        "gini": float(2 * auc - 1),
        "ks": float(np.max(np.abs(cum_pos[thresholds] - cum_neg[thresholds]))),
        "brier": float(np.mean((p - y) ** 2)),
    }


def rows_digest(hashes: NDArray[np.uint64]) -> str:
    """The fingerprint of a labelled frame's rows (hashed by :func:`row_hashes`) that an artifact records as
    ``metadata.data_sha256``: the same rows read from the same file give the same value, so a tool can tell
    a model's own training data."""
    return hashlib.sha256(hashes.tobytes()).hexdigest()


#: How many row hashes an artifact keeps of its training rows (``metadata.row_sketch``): the smallest ones,
#: a bottom-k sample, enough to estimate what share of another file's rows it was trained on to within a
#: few per cent (about 8 KB of JSON).
ROW_SKETCH_SIZE = 512


def row_hashes(frame: pd.DataFrame) -> NDArray[np.uint64]:
    """Each row's 64-bit hash (the same rows read alike give the same hashes).

    A cell holding a list, an array or a mapping (a frame built in memory; a flat file's reader refuses
    such a column, :func:`service.batch.flat_files.refuse_nested_columns`) cannot be hashed: it is refused
    as an :class:`InvalidInputError` naming its column, where pandas' "unhashable type" named none and
    ended training with a traceback after the rows holding it had been left out as unratable.
    """
    try:
        hashes: NDArray[np.uint64] = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
    except TypeError:
        column = next((c for c in frame.columns if _unhashable(frame[c])), None)
        if column is None:
            raise
        raise InvalidInputError(str(column), "holds nested values (a list, an array or a mapping in a cell), "
                                "which no flat field takes: one number or text per cell") from None
    return hashes


def _unhashable(column: pd.Series) -> bool:
    """Whether pandas cannot hash ``column`` (only an object column can hold a list or a dict)."""
    if column.dtype != object:
        return False
    try:
        pd.util.hash_pandas_object(column, index=False)
    except TypeError:
        return True
    return False


def row_sketch(hashes: NDArray[np.uint64]) -> list[str]:
    """The :data:`ROW_SKETCH_SIZE` smallest distinct row hashes, as 16 hex digits each, ascending.

    A whole-file hash told a model's own training file only when it was the very same file: a copy with
    one row dropped, shuffled or sampled passed as new data (a model-risk review's reproduction). A
    bottom-k sketch of the row hashes estimates the overlap whatever the order or the sample.
    """
    smallest = np.unique(hashes)[:ROW_SKETCH_SIZE]
    return [f"{int(h):016x}" for h in smallest]


def trained_share(sketch: list[str], trained_rows: int, hashes: NDArray[np.uint64]) -> float:
    """The estimated share of a file's rows (``hashes``, from :func:`row_hashes`) that are rows of a
    training file of ``trained_rows`` rows whose :func:`row_sketch` is ``sketch``: the share of the sketch
    found among them, times the training rows, over the file's rows (at most 1)."""
    if not sketch or not len(hashes):
        return 0.0
    present = np.isin(np.array([int(h, 16) for h in sketch], dtype=np.uint64), hashes)
    return min(1.0, float(present.mean()) * trained_rows / len(hashes))


def holdout_rows(rated_rows: int, seed: int) -> NDArray[np.bool_]:
    """Which of a file's ``rated_rows`` rows (those the engine rates, in file order) :func:`train` holds out
    for its metrics with ``seed``; the others are the rows it fits on and the rows ``score_bands`` counts.
    One function, so that a tool reproducing the split (:func:`fitted_rows`) draws exactly what train drew."""
    return np.random.default_rng(seed).random(rated_rows) < HOLDOUT_SHARE


def fitted_rows(metadata: Mapping[str, Any], rated_rows: int, digest: str) -> NDArray[np.bool_] | None:
    """The rows :func:`train` fit the model of ``metadata`` on, of a file's ``rated_rows`` rated rows, when
    that split can be reproduced: the file's rows (their :func:`rows_digest`, ``digest``) are the ones the
    artifact records (``data_sha256``), as many rows are rated as it records (``rows``: the same standard
    refused the same rows) and it records its ``seed``. Else ``None``: the holdout cannot be told apart.

    Drift monitoring compares live scores with the training population: the rows the stored score bands
    count, not the holdout too."""
    seed = metadata.get("seed")
    if (metadata.get("data_sha256") != digest or metadata.get("rows") != rated_rows
            or isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        return None
    return ~holdout_rows(rated_rows, seed)


def train(frame: pd.DataFrame, *, standard: Standard | None = None, seed: int = DEFAULT_SEED,
          source: Mapping[str, Any] | None = None, parallel: Parallel | None = None,
          progress: Callable[[int], None] | None = None, standard_file: str | None = None) -> TrainResult:
    """Fit a scorecard on a flat labelled frame and return its artifact and holdout metrics.

    ``standard_file``: the name of the file ``standard`` was read from, for the retraining command the
    model card cites when it is neither the packaged default nor a published version
    (:func:`rating_model.model_card.retrain_standard`).

    ``parallel``: worker processes to derive the indicators in
    (:func:`service.batch.workers.training_workers`; ``None``: in this process, see
    :func:`rating_model.indicator_batch.frame_indicators_answered`); the artifact does not depend on it.
    """
    standard = standard or load_standard(DEFAULT_STANDARD)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= MAX_SEED:
        raise InvalidInputError("seed", f"must be an integer from 0 to {MAX_SEED}, got {seed!r}")
    y_all = labels_of(frame)
    X_all, answered_none, bad = frame_indicators_answered(frame, standard, parallel=parallel,
                                                          progress=progress)
    keep = np.ones(len(frame), dtype=bool)
    keep[bad] = False
    X_all, y_all = X_all[keep].reset_index(drop=True), y_all[keep]
    # The bins are fitted on the businesses each indicator applies to: an answer of "none" scored at the
    # standard's when_none (no vehicles as a fleet with no combustion vehicle) would pool with the best
    # values and blur them (standard 1.5.0); it is fitted as missing, then scored, measured and banded as
    # the service scores it.
    X_fit = X_all.mask(answered_none[keep].reset_index(drop=True))
    left = class_problem(y_all)
    if left is not None:
        raise InvalidInputError(
            "label", f"after leaving out the {len(bad)} row(s) the engine cannot rate, {left}")
    holdout = holdout_rows(len(y_all), seed)
    if class_problem(y_all[holdout]) or class_problem(y_all[~holdout]):
        raise InvalidInputError(
            "label", f"{len(y_all)} rows are too few: the {HOLDOUT_SHARE:.0%} holdout drawn with seed {seed} "
            "and the rows trained on must each hold both classes (1 = green, 0 = not)")
    directions = {i.id: i.direction for i in standard.indicators.values()}
    card_source = dict(source or {"synthetic": False})
    # The standard's missing-data rule: a missing bin never earns more than the worst reported value.
    model = Scorecard(directions=directions, missing_cap="lowest", random_state=seed)
    model.fit(X_fit[~holdout], y_all[~holdout])
    # probabilities of the scores as served: answers of "none" earn their when_none bin, and blanks the
    # worst bin's points, where the fit saw them as missing with their own WOE
    model.recalibrate(X_all[~holdout], y_all[~holdout])
    p_holdout = model.predict_proba(X_all[holdout])[:, 1]
    metrics = binary_metrics(y_all[holdout], p_holdout)
    # calibrated overall by the recalibration, not by segment: the card reports the gaps (the cap's price)
    segments = calibration_by_segment(X_all[holdout], y_all[holdout], p_holdout, model.table_.feature_names)
    # The training rows that answered "none" are in each feature's missing count (fitted as missing) but
    # are served in the bin of the standard's when_none: drift monitoring moves them there
    # (evaluation.training_bin_counts), or every live rating without vehicles would read as drift.
    none_rows = answered_none[keep].reset_index(drop=True)[~holdout].sum()
    served_none = {
        name: {"rows": int(none_rows[name]), "bin": int(model.table_.column_bins(name, np.array([value]))[0])}
        for name in answered_none.columns
        if (value := standard.indicators[name].when_none) is not None and none_rows[name] > 0
    }
    hashes = row_hashes(frame)  # hashed once: the file's fingerprint and the sketch of its rows
    # a row given twice can land in the holdout and among the rows trained on: measured on itself
    kept_hashes = hashes[keep]
    holdout_facts = {"holdout_rows": int(holdout.sum()), "holdout_green": int(y_all[holdout].sum()),
                     "holdout_repeats": int(np.isin(kept_hashes[holdout], kept_hashes[~holdout]).sum())}
    metadata = {
        "standard": standard.label,
        "standard_sha256": standard.sha256,
        "factor_set": factor_sets_document()["default"],
        "schema": SCHEMA_VERSION,
        "code_version": CODE_VERSION,
        "environment": training_environment(),
        "data_sha256": rows_digest(hashes),
        "row_sketch": row_sketch(hashes),
        "seed": seed,
        "rows": int(len(y_all)),
        "skipped_rows": len(bad),
        "answered_none": served_none,
        "card": model_card(standard, card_source, metrics, no_points=no_point_features(model),
                           segments=segments, seed=seed, standard_file=standard_file, **holdout_facts),
        # the training population's score distribution, so drift monitoring can compare live scores with it
        "score_bands": {"edges": list(SCORE_EDGES),
                        "counts": band_counts(model.score_points(X_all[~holdout])).tolist()},
    }
    return TrainResult(model.to_artifact(metadata), metrics, len(bad),
                       tuple(holdout_limitations(**holdout_facts)))


if __name__ == "__main__":
    # The command every model card cites (``how_to_retrain``). Reading the file, writing the artifact and
    # the worker processes are the service's: only this script entry reaches into it, never an import.
    from service.batch.train import main

    main()
