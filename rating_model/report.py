"""A self-contained HTML model report: plots as embedded PNGs, the model card, and the numbers behind them.

One file an analyst can attach to a model-approval ticket or open offline: no script, no stylesheet or image
is fetched from anywhere (every plot is a ``data:image/png;base64`` URI). Plots use matplotlib's Agg
backend, so no display is needed. Training and monitoring only: imports matplotlib and pandas.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: render to memory, never to a display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from numpy.typing import NDArray

from rating_model.artifact import ScorecardArtifact
from rating_model.evaluation import (
    SEGMENT_GAP_LIMIT,
    SEGMENT_MIN_BLANK_SHARE,
    Scored,
    evaluate,
    score_frame,
)
from rating_model.monitoring import compare_models, overrides
from rating_model.standard import GRADES, Standard

_GRADE_COLOURS = {"dark_green": "#1b5e20", "green": "#43a047", "light_green": "#aed581",
                  "not_green": "#9e9e9e"}


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    # no timestamp or software tag in the PNG: the same report data gives the same bytes
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def roc_curve(y: NDArray[Any], p: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """False- and true-positive rates at every distinct threshold, from the highest down."""
    order = np.argsort(-p, kind="mergesort")
    y_sorted, p_sorted = np.asarray(y)[order], p[order]
    last = np.r_[np.flatnonzero(np.diff(p_sorted)), len(p_sorted) - 1]
    tp = np.cumsum(y_sorted)[last]
    fp = (last + 1) - tp
    return np.r_[0, fp / max(1, fp[-1])], np.r_[0, tp / max(1, tp[-1])]


def _roc_plot(y: NDArray[Any], p: NDArray[np.float64], auc: float) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    fpr, tpr = roc_curve(y, p)
    ax.plot(fpr, tpr, color="#2e7d32", label=f"AUC {auc:.3f}")
    ax.plot([0, 1], [0, 1], color="#bbbbbb", linestyle="--")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    return _png(fig)


def _calibration_plot(bins: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot([0, 1], [0, 1], color="#bbbbbb", linestyle="--")
    ax.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], marker="o", color="#2e7d32")
    ax.set(xlabel="predicted probability of green", ylabel="observed green rate", title="Calibration")
    return _png(fig)


def _score_plot(scored: Scored) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    edges = [float(x) for x in np.linspace(0, 100, 41)]
    data = [scored.scores[scored.grades == g] for g in GRADES]
    ax.hist(data, bins=edges, stacked=True, color=[_GRADE_COLOURS[g] for g in GRADES], label=list(GRADES))
    ax.set(xlabel="score", ylabel="businesses", title="Score distribution by grade")
    ax.legend(fontsize=8)
    return _png(fig)


def _points_plot(artifact: ScorecardArtifact) -> str:
    features = artifact.features
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(features) + 1))
    names = [f.name for f in features]
    ax.barh(names, [f.max_points for f in features], color="#a5d6a7", label="maximum")
    ax.barh(names, [min(f.points) for f in features], color="#2e7d32", label="minimum")
    ax.invert_yaxis()
    ax.set(xlabel="points", title="Points per indicator (best and worst bin)")
    ax.legend(fontsize=8)
    return _png(fig)


def _migration_plot(migration: dict[str, Any], champion: str, challenger: str) -> str:
    counts = np.asarray(migration["counts"])
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.imshow(counts, cmap="Greens")
    ticks = range(len(migration["grades"]))
    ax.set_xticks(list(ticks), migration["grades"], rotation=30)
    ax.set_yticks(list(ticks), migration["grades"])
    for i in ticks:
        for j in ticks:
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8)
    ax.set(xlabel=f"challenger {challenger}", ylabel=f"champion {champion}", title="Grade migration")
    return _png(fig)


def _data_section(data: Mapping[str, Any] | None) -> list[str]:
    if not data:
        return []
    # the file's sha256 as sha256sum prints it (the key labelled_indicators fills: the report had read
    # a 'sha256' nothing writes and printed "sha256 None"), so a validator can match the file
    repeated = data.get("rows_repeated")
    parts = [f"<p>Data: <code>{html.escape(str(data.get('file')))}</code>, sha256 "
             f"<code>{html.escape(str(data.get('file_sha256')))}</code>; {data.get('rows_read')} rows read, "
             f"{data.get('rows_left_out')} left out (the engine cannot rate them)"
             + (f", {repeated} repeating another row in every cell (each copy counted as a business)"
                if repeated else "") + ".</p>"]
    if data.get("trained_on_it"):
        versions = ", ".join(html.escape(str(v)) for v in data["trained_on_it"])
        parts.append(f'<p class="warning"><strong>Warning: {versions} was trained on this very file; its '
                     "metrics here are optimistic. Judge it on data it has not seen.</strong></p>")
    return parts


def _migration_table(migration: dict[str, Any]) -> str:
    """The heat map's counts: the champion's grade by row, this model's by column."""
    grades = migration["grades"]
    rows = [[f"champion: {g}", *counts] for g, counts in zip(grades, migration["counts"], strict=True)]
    return _table(rows, ["", *(f"this model: {g}" for g in grades)])


def _segment_table(segments: list[dict[str, Any]]) -> str:
    """Calibration by segment: each indicator's blank and reported rows, predicted against observed."""
    rows = [[s["indicator"], s["segment"], s["rows"], s["predicted"], s["observed"], s["gap"],
             "yes" if abs(s["gap"]) > SEGMENT_GAP_LIMIT else ""] for s in segments]
    return _table(rows, ["indicator", "segment", "businesses", "predicted green rate", "observed green rate",
                         "predicted - observed", f"over {100 * SEGMENT_GAP_LIMIT:.0f} pp"])


def _card_section(card: dict[str, Any]) -> list[str]:
    """The model card: its fields, then its limitations one per line and its holdout's calibration by
    segment as a table (a validator reads those, not a JSON array in a cell)."""
    limitations = card.pop("limitations", None)
    segments = card.pop("calibration_by_segment_holdout", None)
    parts = ["<h2>Model card</h2>", _table([[k, v] for k, v in sorted(card.items())], ["field", "value"])]
    if isinstance(limitations, list) and limitations:
        items = "".join(f"<li>{html.escape(str(line))}</li>" for line in limitations)
        parts.append(f"<h3>Limitations</h3><ul>{items}</ul>")
    if isinstance(segments, list) and segments:
        parts += ["<h3>Calibration by segment on the training holdout</h3>", _segment_table(segments)]
    return parts


#: what an artifact's metadata says it was built from, in the order a validator rebuilding it reads them
_PROVENANCE = ("standard", "standard_sha256", "factor_set", "schema", "code_version", "seed", "data_sha256",
               "rows", "skipped_rows")


def _provenance_section(metadata: Mapping[str, Any]) -> list[str]:
    """What the model was built from (its metadata, as trained): the report for an approval ticket named
    the version and the standard but not the training rows' fingerprint, the seed, the method or the
    libraries, which whoever rebuilds it to check it needs. An artifact trained before the environment was
    recorded says so rather than leaving the row out."""
    rows: list[list[Any]] = [[key, metadata[key]] for key in _PROVENANCE if key in metadata]
    environment = metadata.get("environment")
    if isinstance(environment, Mapping):
        rows += [[f"environment: {name}", version] for name, version in environment.items()]
    else:
        rows.append(["environment", "not recorded (trained before artifacts recorded it)"])
    return ["<h2>Provenance</h2>",
            "<p>What this model was built from, as its artifact records it: the same file (by "
            "<code>data_sha256</code>), seed, standard and environment rebuild it byte for byte.</p>",
            _table(rows, ["field", "value"])]


def _table(rows: list[list[Any]], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _overrides_section(mine: Mapping[str, Any], champion: Mapping[str, Any] | None = None) -> list[str]:
    """How often the standard's knock-outs override the grade the score earns (:func:`overrides`): the
    grades, migration and metrics above are the score's, and a business a knock-out caps receives the cap.
    With ``champion``, its counts beside this model's on the same rows."""
    intro = (f"<p>The standard's knock-outs cap the grade the score earns for {mine['overridden']} of "
             f"{mine['rows']} businesses ({mine['share']:.1%}) with this model"
             + ("" if champion is None else f", {champion['overridden']} ({champion['share']:.1%}) with the "
                "champion")
             + ": the grades, migration and metrics above are the score's; these businesses receive the "
             "cap.</p>")
    theirs = {k["id"]: k for k in (champion or {}).get("knock_outs", [])}
    header = ["knock-out", "caps at", "applies to", "overrides (this model)", "share"]
    if champion is not None:
        header += ["overrides (champion)", "share (champion)"]
    rows = []
    for k in mine["knock_outs"]:
        other = theirs.get(k["id"])
        if not k["applies"] and not (other and other["applies"]):
            continue
        row = [k["id"], k["cap_grade"], k["applies"], k["overrides"], k["share"]]
        if champion is not None:
            row += ["-", "-"] if other is None else [other["overrides"], other["share"]]
        rows.append(row)
    return ["<h2>Knock-out overrides</h2>", intro, _table(rows, header)]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_report(artifact: ScorecardArtifact, indicators: pd.DataFrame, y: NDArray[Any], standard: Standard,
                  *, champion: ScorecardArtifact | None = None, title: str | None = None,
                  data: Mapping[str, Any] | None = None,
                  champion_view: tuple[pd.DataFrame, Standard] | None = None,
                  knock_outs: Sequence[tuple[str, ...]] | None = None,
                  champion_knock_outs: Sequence[tuple[str, ...]] | None = None) -> str:
    """The whole report as one HTML string (plots embedded, nothing external).

    ``champion_view`` is the same rows' indicators and the standard the champion rates under, when that is
    not the model's own (a champion approved under an earlier standard); by default it shares the model's.

    ``data`` identifies the labelled file (``file``, ``file_sha256``, ``rows_read``, ``rows_left_out``,
    ``rows_repeated``, ``trained_on_it``): a report for an approval ticket says what it was computed on,
    and says so loudly when a model was fit on that very file.

    ``knock_outs``: each row's knock-out ids under ``standard`` (``champion_knock_outs``, under the
    champion's, by default the same): the report then says how often they override the grade each model's
    score earns (:func:`rating_model.monitoring.overrides`, as ``compare`` counts them), in total and by
    knock-out, where a validator judges the model.
    """
    y = np.asarray(y, dtype=int)
    ev = evaluate(artifact, indicators, y, standard)
    scored = score_frame(artifact, indicators, standard)
    parts = [f"<h1>{html.escape(title or 'Model report: ' + artifact.version)}</h1>",
             f"<p>Model <code>{artifact.version}</code>, sha256 <code>{artifact.sha256}</code>, standard "
             f"{html.escape(standard.label)}; evaluated on {ev['rows']} labelled rows "
             f"(green rate {ev['event_rate']:.3f}).</p>",
             *_data_section(data),
             "<h2>Discrimination and calibration</h2>",
             _table([[k, v] for k, v in ev["metrics"].items()]
                    + [["calibration error (ECE)", ev["calibration"]["ece"]]], ["metric", "value"]),
             f'<img alt="ROC curve" src="{_roc_plot(y, scored.probabilities, ev["metrics"]["auc"])}">',
             f'<img alt="Calibration" src="{_calibration_plot(ev["calibration"]["bins"])}">',
             _table([[i + 1, b["n"], b["predicted"], b["observed"], b["observed"] - b["predicted"]]
                     for i, b in enumerate(ev["calibration"]["bins"])],
                    ["bin", "businesses", "predicted green rate", "observed green rate",
                     "observed - predicted"]),
             "<h3>Calibration by segment</h3>",
             f"<p>Each indicator that {100 * SEGMENT_MIN_BLANK_SHARE:.0f} % or more of these businesses "
             "leave blank: the businesses leaving it blank and those reporting it. One score-to-probability "
             "mapping serves every business, so a segment can be missed where the whole is not: a blank "
             "earns the worst reported bin's points.</p>",
             _segment_table(ev["calibration_by_segment"]),
             "<h2>Grades</h2>",
             _table([[g["grade"], g["n"], g["share"], g["observed_rate"]] for g in ev["grades"]],
                    ["grade", "businesses", "share", "observed green rate"]),
             f'<img alt="Score distribution by grade" src="{_score_plot(scored)}">',
             "<h2>Points per indicator and declared directions</h2>",
             f'<img alt="Points per indicator" src="{_points_plot(artifact)}">',
             _table([[d["indicator"], d["direction"], d["points"], d["missing_points"],
                      "ok" if d["ok"] else "; ".join(d["problems"])] for d in ev["directions"]],
                    ["indicator", "direction", "points by bin", "missing", "check"])]
    if champion is not None:
        champion_indicators, champion_standard = champion_view or (indicators, standard)
        cmp = compare_models(champion, artifact, champion_indicators, y, champion_standard,
                             challenger_indicators=indicators, challenger_standard=standard,
                             knock_outs=None if knock_outs is None else (champion_knock_outs or knock_outs),
                             challenger_knock_outs=knock_outs)
        parts += [f"<h2>Against the champion {html.escape(champion.version)}</h2>",
                  _table([[m, v["champion"], v["challenger"], v["delta"],
                           f"[{v['ci_low']:+.4f}, {v['ci_high']:+.4f}]"] for m, v in cmp["metrics"].items()],
                         ["metric", "champion", "this model", "delta", "95% CI (paired bootstrap)"]),
                  f"<p>Score PSI {cmp['score_psi']['psi']:.4f} ({cmp['score_psi']['reading']}): this "
                  "model's scores against the champion's on these rows, in 10-point bands.</p>",
                  # not a PSI of the two models' points (the column had said so): how far these rows are
                  # from the population the champion learned from, bin by bin
                  "<p>Indicator PSI: these rows against the champion's training rows, over the "
                  "champion's bins.</p>",
                  _table([[n, p["psi"], p["reading"]] for n, p in cmp["indicator_psi"].items()],
                         ["indicator", "PSI against the champion's training rows", "reading"]),
                  '<img alt="Grade migration" src="'
                  f'{_migration_plot(cmp["migration"], champion.version, artifact.version)}">',
                  _migration_table(cmp["migration"])]
        if "overrides" in cmp:
            parts += _overrides_section(cmp["overrides"]["challenger"], cmp["overrides"]["champion"])
    elif knock_outs is not None:
        parts += _overrides_section(overrides(scored.grades, knock_outs, standard))
    parts += _provenance_section(artifact.metadata)
    parts += _card_section(artifact.card)
    style = ("body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}"
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
             "font-size:.85rem;text-align:left;vertical-align:top}img{max-width:100%;margin:.5rem}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(artifact.version)}</title><style>{style}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
