"""The model card: what a trained scorecard is for, what it was trained on, and what it cannot do.

Written by :func:`rating_model.train.train` into ``metadata.card``; the registry, ``GET /v1/models/{version}``
and ``greenrate model report`` show it. Its ``limitations`` are in plain words for whoever approves the model:
the indicators that score no points, and the segments whose probabilities the one score-to-probability
line misses (the holdout's calibration by segment, also kept as a table). Training only.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rating_model.evaluation import SEGMENT_GAP_LIMIT, segment_gaps
from rating_model.evidence import HOLDOUT_MIN_ROWS
from rating_model.standard import Standard, load_standard, published_standard_path

if TYPE_CHECKING:
    from rating_model.scorecard import Scorecard


#: Why a feature scores no points, by the cause :func:`no_point_features` finds; each reads after
#: "X scores no points in this model:" ({it} is "it", or "each" after several names).
NO_POINTS_REASONS = {
    "dropped": (
        "the logistic regression gave {it} a negative coefficient beside the other indicators, a weight "
        "that would reverse the declared direction, so {it} was dropped (coefficient 0) and the value "
        "moves no score"
    ),
    "one_bin": "every training row fell in one bin, so {it} carries nothing to weigh (coefficient 0)",
    "capped": (
        "every reported value of {it} fell in one bin, so only its blank bin told businesses apart, and the "
        "standard's missing-data rule caps a blank at the worst reported bin's points: a blank and a value "
        "earn the same"
    ),
    "rounded": "the weight of {it} rounds to 0 points at the card's decimals",
}


def no_point_features(model: Scorecard) -> dict[str, str]:
    """Each feature of a fitted card that scores no points in any bin, with why (a key of
    :data:`NO_POINTS_REASONS`): dropped for a negative coefficient, one WOE value in training, one WOE value
    as served (the missing-data cap lowered the blank bin, the only one apart, to the value bin's), or
    rounding.

    The cap's case had read as rounding: a feature fitted with a coefficient of 1.15, all of it on its
    blank bin, was said to have a weight that "rounds to 0 points".
    """
    out: dict[str, str] = {}
    for feature, coef in zip(model.features_, model.coef_, strict=True):
        every = [*feature["points"], feature["missing_points"], feature.get("unseen_points", 0.0)]
        if any(every):
            continue
        name = feature["name"]
        bins = model.binner_.bins_[name]
        served = [*bins.woe, bins.missing_woe, *([] if bins.unseen_woe is None else [bins.unseen_woe])]
        if name in model.dropped_features_:
            out[name] = "dropped"
        elif coef == 0:
            out[name] = "one_bin"
        else:
            out[name] = "capped" if max(served) == min(served) else "rounded"
    return out


def holdout_limitations(holdout_rows: int | None, holdout_green: int | None,
                        holdout_repeats: int) -> list[str]:
    """What the card's holdout metrics cannot back: too few rows to read them from, and holdout rows that
    repeat a row trained on (a file holding duplicated rows), which flatter them."""
    lines = []
    rows, green = holdout_rows, holdout_green
    if rows is not None and green is not None and rows < HOLDOUT_MIN_ROWS:
        lines.append(
            f"metrics_holdout were measured on {rows} holdout rows ({green} green, {rows - green} not), "
            f"fewer than the {HOLDOUT_MIN_ROWS} a comparison must rest on: too few for AUC, KS or Brier to "
            "be relied on; judge the model with greenrate model evaluate on a larger labelled file."
        )
    if holdout_repeats:
        lines.append(
            f"{holdout_repeats} holdout row(s) repeat in every cell a row the model was trained on (the "
            "training file holds duplicated rows): metrics_holdout partly measure the model on its own "
            "training rows and flatter it."
        )
    return lines


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _who(segment: str, names: Sequence[str]) -> str:
    return f"leaving {_names(names)} blank" if segment == "blank" else f"reporting {_names(names)}"


def _limitations(no_points: Mapping[str, str], segments: Sequence[Mapping[str, Any]]) -> list[str]:
    """The card's limitations beyond the two every card has: features that score nothing, and segments
    whose probabilities the overall calibration misses by more than :data:`SEGMENT_GAP_LIMIT`."""
    lines = []
    for reason, text in NO_POINTS_REASONS.items():
        names = [n for n, r in no_points.items() if r == reason]
        if names:
            verb, it = ("scores", "it") if len(names) == 1 else ("score", "each")
            lines.append(f"{_names(names)} {verb} no points in this model: {text.format(it=it)}.")
    # indicators blank on the very same rows (hazardous waste wherever waste is) make one segment
    same: dict[tuple[Any, ...], list[str]] = {}
    for s in segment_gaps(segments):
        same.setdefault((s["segment"], s["rows"], s["predicted"], s["observed"]), []).append(s["indicator"])
    if same:
        parts = [
            f"businesses {_who(segment, names)}: predicted {predicted:.3f}, observed {observed:.3f} "
            f"({100 * (predicted - observed):+.1f} pp, {rows} rows)"
            for (segment, rows, predicted, observed), names in same.items()
        ]
        lines.append(
            "probability_green is calibrated overall, not by segment: on the holdout, "
            + "; ".join(parts)
            + f" (gaps over {100 * SEGMENT_GAP_LIMIT:.0f} pp; calibration_by_segment_holdout lists every "
            "segment). One score-to-probability mapping serves every business: a blank earns the worst "
            "reported bin's points whatever the green rate of those who leave it blank, and a mapping per "
            "segment would let withholding data pay."
        )
    return lines


#: where the card's retraining command writes the artifact
RETRAIN_OUT = "model.json"
_FORMAT = ("a CSV or Parquet file in the flat operating-data format plus a 'label' column "
           "(docs/synthetic-population.md, 'Bringing real labels'); see docs/rating-engine.md.")


#: where the card's retraining command reads a standard given in code, not from a file (as labelled.parquet)
RETRAIN_STANDARD = "standard.yaml"


def retrain_standard(standard: Standard, file: str | None = None) -> str:
    """What the retraining command's ``--standard`` is to say for a model trained under ``standard``: the
    label of a published version (``greenrate-sme@1.8.0``, which the option reads from the package wherever
    it is installed), the packaged default's included, else the standard's file by name (``file``, as a
    training file is named; :data:`RETRAIN_STANDARD` when it was given in code). A model trained under
    another standard had been cited without the option, so the command rebuilt it under the default:
    another model, or a refusal. So had a model of the packaged default, whose command stopped rebuilding
    it once a release packaged the next version (sc-247a60d1373a, trained for 1.10.0, cites a command that
    trains for 1.11.0: a newcomer's review).
    """
    path = published_standard_path(standard.label)
    if path is not None and load_standard(path).sha256 == standard.sha256:
        return standard.label
    return file if file is not None else RETRAIN_STANDARD


def how_to_retrain(source: Mapping[str, Any], seed: int | None, standard: str | None = None) -> str:
    """The card's ``how_to_retrain``: the command that rebuilds this model, then what it needs.

    The command carries the seed, which draws the holdout and seeds the fit: cited without it (as it had
    been), it trained with the default seed and gave another model and version. It names the model's
    training file (``source["file"]``, by name), or the rows and seed of the synthetic population
    ``python -m rating_model.train`` draws without ``--data``; a model trained on a frame given in code is
    cited with ``labelled.parquet``, where those rows are to be written. ``standard`` (from
    :func:`retrain_standard`) is its ``--standard``, the packaged default's included, so the command
    rebuilds the very artifact (the same bytes on the same machine and library versions) under any
    standard, and in a release that packages another.
    """
    option = "" if seed is None else f" --seed {seed}"
    if standard is not None:
        option += f" --standard {shlex.quote(standard)}"
    # a standard given in code has no file to name: its document is to be written where the command reads it
    under = f" under its standard, written to {RETRAIN_STANDARD}" if standard == RETRAIN_STANDARD else ""
    rows, file = source.get("rows"), source.get("file")
    if (file is None and source.get("generator") == "rating_model.synthetic" and isinstance(rows, int)
            and source.get("seed") == seed):
        return (f"python -m rating_model.train --rows {rows}{option} --out {RETRAIN_OUT}: rebuilds this "
                f"model from the synthetic population it was trained on{under}. To train on real labels: "
                f"python -m rating_model.train --data labelled.parquet{option} --out {RETRAIN_OUT}, with "
                + _FORMAT)
    data = shlex.quote(str(file)) if file is not None else "labelled.parquet"
    rebuilds = ("rebuilds this model from its training file" if file is not None
                else "rebuilds this model from its training rows written to that file")
    rebuilds += under
    return f"python -m rating_model.train --data {data}{option} --out {RETRAIN_OUT}: {rebuilds}, " + _FORMAT


def model_card(standard: Standard, source: Mapping[str, Any], metrics: Mapping[str, float], *,
               no_points: Mapping[str, str] | None = None,
               segments: Sequence[Mapping[str, Any]] = (),
               holdout_rows: int | None = None, holdout_green: int | None = None,
               holdout_repeats: int = 0, seed: int | None = None,
               standard_file: str | None = None) -> dict[str, Any]:
    """What the model is for, what it was trained on and how to replace it, in plain words.

    ``no_points`` (from :func:`no_point_features`) and ``segments`` (the holdout's
    :func:`~rating_model.evaluation.calibration_by_segment`) add their limitations; ``segments`` is kept
    as ``calibration_by_segment_holdout``. ``holdout_rows`` and ``holdout_green`` (the rows the metrics
    were measured on, and the green ones among them) add one when there are fewer than
    :data:`HOLDOUT_MIN_ROWS`, and ``holdout_repeats`` (holdout rows equal to a row trained on) one when
    there are any: a card of a larger holdout of distinct rows reads as it always did. ``seed`` (the one
    training drew the holdout and fitted with) is part of the command ``how_to_retrain`` cites, and so is
    the standard it was trained under (:func:`retrain_standard`; ``standard_file``: the
    name of the file it was read from).
    """
    synthetic = bool(source.get("synthetic"))
    return {
        "model_type": "Transparent points scorecard: monotone binning + logistic regression, scaled to 0-100",
        "trained_on": source,
        "synthetic_data": synthetic,
        "warning": (
            "Trained on a SYNTHETIC population of small businesses (docs/synthetic-population.md), not on "
            "real outcomes. Its points express the standard's declared directions and the generator's "
            "assumptions; retrain on real labelled assessments before relying on the probabilities."
            if synthetic else "Trained on labelled data supplied by the operator."
        ),
        "label": (
            "1 = assessed green by an auditor-style assessment (synthetic generator) or the operator's label"
        ),
        "standard": standard.label,
        "intended_use": (
            "Green rating of small and micro businesses for green-loan origination and merchant advice."
        ),
        "limitations": [
            "The grade cut-offs are the standard's; the model only sets points per indicator bin.",
            "Probabilities are calibrated to the training population only.",
            *_limitations(no_points or {}, segments),
            *holdout_limitations(holdout_rows, holdout_green, holdout_repeats),
        ],
        "how_to_retrain": how_to_retrain(source, seed, retrain_standard(standard, standard_file)),
        "metrics_holdout": dict(metrics),
        "calibration_by_segment_holdout": [dict(s) for s in segments],
    }
