"""``greenrate model report`` (one self-contained HTML file) and ``greenrate model drift --since DATE``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from rating_model.artifact import ScorecardArtifact
from service.commands import database_failure
from service.model_data_cli import (
    DATA_FILE,
    _console,
    _standard_of,
    _standard_opt,
    _workers,
    _write_json,
    labelled_indicators,
    load_model,
)

if TYPE_CHECKING:
    import pandas as pd

#: the exit status of ``greenrate model drift --fail-on-shift`` when something shifted (1 is an error, 2 a
#: usage mistake; ``greenrate batch rate`` uses 3 for its refused rows alike)
SHIFT_EXIT = 3


@click.command("report")
@click.argument("model")
@click.option("--data", type=DATA_FILE, required=True, help="Labelled flat file to evaluate on.")
@click.option("--champion", default=None, help="Compare against this model (file or version; e.g. active).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file.")
@_standard_opt
@_workers
def report_command(model: str, data: Path, champion: str | None, out: Path, standard_path: Path | None,
                   workers: int | None) -> None:
    """One self-contained HTML report of MODEL: ROC, calibration, scores by grade, points per indicator,
    migration heat map (with --champion), knock-out overrides and the model card."""
    from rating_model.report import render_report

    artifact = load_model(model)
    against = load_model(champion) if champion else None
    # each model on the indicators of the standard it rates under in the service: a bank's champion for
    # 1.3.0 keeps rating under 1.4.0, and judged on 1.5.0's it had 1,164 of 3,000 scores changed
    standard = _standard_of(artifact, standard_path)
    info: dict[str, Any] = {}
    knock_outs: list[tuple[str, ...]] = []
    X, y = labelled_indicators(data, standard, workers, models=(artifact, *([against] if against else [])),
                               info=info, knock_outs=knock_outs)
    champion_view = None
    champion_knock_outs: list[tuple[str, ...]] | None = None
    if against is not None:
        champion_standard = _standard_of(against, standard_path)
        X_champion = X
        if champion_standard is not standard:
            champion_knock_outs = []
            X_champion, y_champion = labelled_indicators(data, champion_standard, workers,
                                                         knock_outs=champion_knock_outs)
            if len(y_champion) != len(y) or not np.array_equal(np.asarray(y_champion), np.asarray(y)):
                raise click.ClickException(
                    f"{data.name}: {standard.label} and {champion_standard.label} leave out different rows; "
                    "report the two models with --standard"
                )
        champion_view = (X_champion, champion_standard)
    page = render_report(artifact, X, y, standard, champion=against, data=info, champion_view=champion_view,
                         knock_outs=knock_outs, champion_knock_outs=champion_knock_outs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    click.echo(f"wrote {out} ({len(page) // 1024} KiB, self-contained)")


@click.command("drift")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Ratings issued from this date (UTC) on.")
@click.option("--model", "model_ref", default="active", show_default=True,
              help="Registered version to check.")
@click.option("--training-data", type=DATA_FILE, default=None,
              help="The model's training file, when its artifact carries no score distribution "
                   "(its holdout left out when the split can be drawn again; the output says which rows).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--fail-on-shift", is_flag=True, default=False,
              help=f"Exit {SHIFT_EXIT} when the score or an indicator shifted (PSI above 0.25, on enough "
                   "ratings to read): for a scheduled check.")
@_workers
def drift_command(since: datetime, model_ref: str, training_data: Path | None, json_out: Path | None,
                  fail_on_shift: bool, workers: int | None) -> None:
    """PSI of live scores and indicators (recorded ratings) against the model's training population.

    With --fail-on-shift, exit status 3 when anything shifted (1 is an error, 2 a usage mistake), so a
    scheduled check (cron, CI) raises the alarm without reading the output; the JSON's ``shifts`` lists
    what shifted either way.

    The report names its window (``window``: ``since`` as given, read as UTC, and ``until``, when the
    ratings were read), in its JSON and its first line: a drift JSON had not said which ratings it was
    computed over, so a validator holding one could not tell the window it covers.

    It also says how often the standard's knock-outs overrode the grade the model's score earned in those
    ratings (``overrides``, as recorded: their score grade and knock-outs; as ``compare`` counts them), in
    total and by knock-out: the PSI reads the score, and a model whose live scores grade penalised
    businesses above their cap drifts in grades no business receives.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from rating_model.evaluation import score_frame
    from rating_model.monitoring import MIN_DRIFT_ROWS, drift, overrides
    from service.commands import database
    from service.records.monitoring import live_distribution

    artifact = load_model(model_ref)
    start = since.replace(tzinfo=UTC)
    # a rating issued while the command reads is left out: the window said is the window counted
    until = datetime.now(UTC)
    window = f"from {start:%Y-%m-%d %H:%M:%S} to {until:%Y-%m-%d %H:%M:%S} UTC"
    gradings: list[tuple[str, tuple[str, ...]]] = []
    try:
        with database() as db:
            scores, bins = live_distribution(db, artifact.version, start, until, gradings=gradings)
    except SQLAlchemyError as exc:  # an unmigrated, unreachable or slow database
        raise click.ClickException(f"cannot read the recorded ratings: {database_failure(exc)}") from None
    if len(scores) == 0:
        raise click.ClickException(f"no ratings by {artifact.version} issued {window}")
    training_scores = None
    bands = artifact.metadata.get("score_bands")
    training_rows: dict[str, Any] | None = None
    said = ""
    if training_data is not None:
        standard = _standard_of(artifact, None)  # the standard the model rates under, as its ratings were
        info: dict[str, Any] = {}
        X, _ = labelled_indicators(training_data, standard, workers, info=info)
        X, training_rows, said = _fitted_population(artifact, X, info["rows_sha256"], training_data.name)
        training_scores = score_frame(artifact, X, standard).scores
    result = drift(artifact, training_scores, scores, bins, training_bands=bands)
    result["window"] = {"since": start.isoformat(), "until": until.isoformat()}
    click.echo(f"drift of {artifact.version}: {result['live_rows']} ratings issued {window}")
    if training_rows is not None:
        result["training_rows"] = training_rows
        click.echo(f"  training scores: {said}")
    if not result["enough_rows"]:
        _console.print(f"[yellow]warning: fewer than {MIN_DRIFT_ROWS} ratings: the PSI values below are "
                       "sampling noise more than drift; widen --since or wait for more ratings[/]")
    if "score_psi" in result:
        s = result["score_psi"]
        click.echo(f"  score PSI {s['psi']:.4f} ({s['reading']})")
    else:
        click.echo("  score PSI: not available "
                   "(the artifact has no score distribution; pass --training-data)")
    for name, p in result["indicator_psi"].items():
        left_out = f"; {p['unmatched']} rating(s) in no training bin" if "unmatched" in p else ""
        click.echo(f"  PSI {name:<28} {p['psi']:.4f} ({p['reading']}){left_out}")
    standard = _standard_of(artifact, None)
    known = {rule.id for rule in standard.knock_outs}
    if gradings:
        grades = np.array([g for g, _ in gradings], dtype=np.str_)
        seen = overrides(grades, [tuple(i for i in ids if i in known) for _, ids in gradings], standard)
        result["overrides"] = {**seen, "unrecorded": len(scores) - len(gradings)}
        click.echo(f"  knock-out overrides (score grade capped): {seen['overridden']} "
                   f"({seen['share']:.1%}) of {seen['rows']} ratings")
        for k in seen["knock_outs"]:
            if k["applies"]:
                click.echo(f"    {k['id']:<32} cap {k['cap_grade']:<10} applies {k['applies']:>6}, overrides "
                           f"{k['overrides']:>6} ({k['share']:.1%})")
    else:
        click.echo("  knock-out overrides: not available (the ratings recorded no score grade)")
    result["shifts"] = shifts = _shifts(result)
    _write_json(json_out, result)
    if shifts:
        # one line however many shifted (never wrapped at the terminal's width): a log scraper reads it whole
        _console.print(f"[red]drift alarm: {len(shifts)} shift(s) (PSI above 0.25): {', '.join(shifts)}; "
                       "collect fresh labels and retrain (docs/analyst-guide.md, step 8)[/]", soft_wrap=True)
        if fail_on_shift:
            raise SystemExit(SHIFT_EXIT)


def _shifts(result: dict[str, Any]) -> list[str]:
    """What read as a shift, the score first (``score``), then each indicator by name.

    A reading of too few ratings is never a shift: its PSI is sampling noise (``drift`` relabels it), and an
    alarm woken by a handful of ratings is one people learn to ignore.
    """
    readings = {"score": result["score_psi"]} if "score_psi" in result else {}
    readings.update(result["indicator_psi"])
    return [name for name, p in readings.items() if p["reading"] == "shift"]


def _fitted_population(artifact: ScorecardArtifact, X: pd.DataFrame, digest: str,
                       name: str) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """The rows of a ``--training-data`` file to score as the training population, what the JSON records of
    them (``training_rows``) and the line that says which they are.

    The score bands ``train`` stores count the rows the model was fit on, not its holdout; scoring the
    whole file mixed the holdout in, so drift read against the file and against the bands differed. When
    the file is the model's own training file and the artifact records its seed, the split is drawn again
    (:func:`rating_model.train.fitted_rows`) and the holdout left out; otherwise every rated row is scored,
    and the output and the JSON say so."""
    from rating_model.train import fitted_rows

    fitted = fitted_rows(artifact.metadata, len(X), digest)
    if fitted is None:
        record = {"file": name, "rows": len(X), "split": "all rated rows"}
        return X, record, (
            f"all {len(X)} rated rows of {name}, holdout included: it is not the file {artifact.version} was "
            "trained on with a recorded seed, so its split cannot be drawn again (stored score bands count "
            "the rows trained on only)"
        )
    rows, held = int(fitted.sum()), int((~fitted).sum())
    record = {"file": name, "rows": rows, "split": "training rows", "holdout_left_out": held}
    return X[fitted].reset_index(drop=True), record, (
        f"the {rows} rows of {name} {artifact.version} was fit on (its holdout of {held} rows, drawn again "
        f"with seed {artifact.metadata['seed']}, left out, as the stored score bands do)"
    )
