"""The file-side ``greenrate model`` commands: generate-data, validate-data, train, evaluate, compare, report.

They read and write files (and read the registry when a model is named by version), with rich progress
bars for the long steps. The numbers come from ``rating_model`` (train, evaluation, monitoring, report);
nothing is computed here. A file, a registry or data that cannot be used ends the command with a one-line
reason (a ClickException), never a traceback: analysts run these, not developers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError, InvalidInputError
from rating_model.standard import DEFAULT_STANDARD, Standard, load_standard
from service.commands import database_failure

if TYPE_CHECKING:
    import pandas as pd

_console = Console(stderr=True)
DATA_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: rating_model.train.MAX_SEED (not imported: that module loads scikit-learn, and this one is imported by
#: every ``greenrate`` command); numpy takes any seed >= 0, scikit-learn's random_state only 32 bits
SEED = click.IntRange(0, 2**32 - 1)


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(rows)``."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=_console, transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def names_a_file(ref: str) -> bool:
    """Whether a model reference names a file (``.json``, or a path that exists), not a registry version."""
    path = Path(ref)
    return path.suffix == ".json" or path.exists()


def load_model(ref: str) -> ScorecardArtifact:
    """An artifact from a JSON file, or from the registry by version (``active`` = the active one)."""
    from sqlalchemy.exc import SQLAlchemyError

    path = Path(ref)
    try:
        if names_a_file(ref):
            return ScorecardArtifact.from_json(path.read_bytes())
        from service.commands import database
        from service.records import registry

        with database() as db:
            version = registry.active_version(db) if ref == "active" else ref
            artifact = registry.load_artifact(db, version) if version else None
    except OSError as exc:
        raise click.ClickException(f"cannot read {ref}: {exc}") from None
    except ArtifactError as exc:
        raise click.ClickException(f"artifact {ref} refused: {exc}") from None
    except SQLAlchemyError as exc:  # an unmigrated, unreachable or slow database
        raise click.ClickException(f"cannot read the model registry: {database_failure(exc)}") from None
    if artifact is None:
        raise click.ClickException(f"no model file or registered version {ref!r}")
    return artifact


def _standard(path: Path | None) -> Standard:
    return load_standard(path or DEFAULT_STANDARD)


def _standard_of(artifact: ScorecardArtifact, path: Path | None) -> Standard:
    """The standard to judge ``artifact`` under: ``--standard`` when given, else the one it rates under in
    the service (:func:`rating_model.standard.standard_for_model`): a bank's model approved under 1.2.0
    keeps rating under 1.2.0 after the 1.3.0 upgrade, and judging it on 1.3.0's indicators changed 57 of
    3,000 scores and 2 grades of the evidence its replacement's promotion rests on."""
    from rating_model.standard import standard_for_model

    release = _standard(path)
    if path is not None:
        return release
    return standard_for_model(artifact.metadata.get("standard"), release) or release


def read_data_file(data: Path, reader: Callable[[Path], pd.DataFrame] | None = None) -> pd.DataFrame:
    """A flat CSV or Parquet file as a frame, or a ClickException saying why it cannot be read.

    Unknown file types, empty files, damaged Parquet, undecodable text and a cell that does not fit its
    column's type all end here with the reader's own reason. ``reader`` defaults to
    :func:`service.batch.flat_files.read_frame` (typed columns); validate-data reads every cell as text.
    """
    import pyarrow

    from rating_model.flat import file_kind
    from service.batch.flat_files import read_frame

    try:
        file_kind(data)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        return (reader or read_frame)(data)
    except (OSError, ValueError, TypeError, pyarrow.ArrowException) as exc:
        # a typed read stops at the first CSV cell that does not fit its column's type (a plain ValueError,
        # not pandas' or pyarrow's own errors); validate-data reads cells as text and lists them all
        typed_cell = reader is None and file_kind(data) == "csv" and type(exc) in (ValueError, TypeError)
        hint = " (`greenrate model validate-data` lists every problem by row)" if typed_cell else ""
        raise click.ClickException(f"cannot read {data.name}: {exc}{hint}") from None


def read_labelled(data: Path) -> tuple[pd.DataFrame, Any]:
    """The one read-and-check step of labelled data: train, evaluate, compare, report and drift use it.

    The file must be readable, of a known type, have rows, a 0/1 label on every row and both classes
    (:func:`rating_model.labels.labels_of`); otherwise the command stops with the reason instead of
    training or evaluating on nonsense (NaN metrics, a crash deep inside scikit-learn).
    """
    from rating_model.labels import labels_of

    frame = read_data_file(data)
    try:
        return frame, labels_of(frame)
    except InvalidInputError as exc:
        raise click.ClickException(f"{data.name}, {exc.field}: {exc.message}") from None


def labelled_indicators(
    data: Path, standard: Standard, workers: int | None, models: Sequence[ScorecardArtifact] = (),
    info: dict[str, Any] | None = None, knock_outs: list[tuple[str, ...]] | None = None,
) -> tuple[Any, Any]:
    """Indicator frame and labels of a labelled flat file (rows the engine refuses are dropped).

    ``models`` are the models about to be judged on it: a warning names any that was trained on this very
    data, whose metrics here would be flattered by the rows it was fit on. ``info``, when given, receives
    what identifies the data for a record of the judgement: ``file``, ``file_sha256`` (of its bytes, as
    ``sha256sum`` gives it), ``rows_sha256`` (of its rows as read: what a model's ``data_sha256`` is),
    ``rows_read``, ``rows_left_out``, ``rows_repeated`` (rated rows equal in every cell to another rated row,
    label included) and ``trained_on_it`` (the versions fit on this very file). ``knock_outs``, when given,
    receives the ids of the knock-outs each kept row triggers under ``standard`` (measured in the same pass).
    """
    import numpy as np

    from rating_model.indicator_batch import frame_indicators_knocked
    from rating_model.labels import class_problem
    from rating_model.train import row_hashes, rows_digest, trained_share
    from service.batch.workers import training_workers

    frame, y = read_labelled(data)
    hashes = row_hashes(frame)  # once, for the file's fingerprint and every model's sketch
    fingerprint = rows_digest(hashes)
    trained_on_it = []
    for model in models:
        if model.metadata.get("data_sha256") == fingerprint:
            trained_on_it.append(model.version)
            _console.print(
                f"[yellow]warning: {data.name} is the data {model.version} was trained on: it was fit on "
                "most of these rows, so its metrics here are optimistic; judge it on data it has not seen[/]"
            )
            continue
        # a copy reordered, sampled or with rows dropped: the sketch of its training rows tells
        sketch = model.metadata.get("row_sketch")
        trained_rows = int(model.metadata.get("rows", 0)) + int(model.metadata.get("skipped_rows", 0))
        share = trained_share(sketch, trained_rows, hashes) if isinstance(sketch, list) else 0.0
        if share >= IN_SAMPLE_SHARE:
            trained_on_it.append(model.version)
            _console.print(
                f"[yellow]warning: about {share:.0%} of the rows of {data.name} are rows {model.version} was "
                "trained on, so its metrics here are optimistic; judge it on data it has not seen[/]"
            )
    with progress_bar("deriving indicators", len(frame)) as advance, \
            training_workers(len(frame), workers) as parallel:
        X, knocked, bad = frame_indicators_knocked(frame, standard, parallel=parallel, progress=advance)
    keep = np.ones(len(frame), dtype=bool)
    keep[bad] = False
    if bad:
        _console.print(f"[yellow]{len(bad)} row(s) the engine cannot rate were left out[/]")
    repeated = int(keep.sum()) - len(np.unique(hashes[keep]))
    warn_repeated_rows(data, repeated, "rated row(s)")
    if info is not None:
        info.update(file=data.name, file_sha256=_file_sha256(data), rows_sha256=fingerprint,
                    rows_read=len(frame), rows_left_out=len(bad), rows_repeated=repeated,
                    trained_on_it=trained_on_it)
    problem = class_problem(y[keep])
    if problem is not None:
        raise click.ClickException(
            f"{data.name}: after leaving out the {len(bad)} row(s) the engine cannot rate, {problem}"
        )
    if knock_outs is not None:
        knock_outs.extend(k for k, kept in zip(knocked, keep, strict=True) if kept)
    return X[keep].reset_index(drop=True), y[keep]


def warn_repeated_rows(data: Path, repeated: int, rows: str) -> None:
    """Warn that ``repeated`` ``rows`` of ``data`` are equal in every cell, label included, to another row.

    A row given twice is weighed twice by every metric and drawn as two rows by the bootstrap: a 400-row
    holdout written out three times had passed as 1,200 rows of evidence, with intervals too narrow. One
    wording for every command that reads such a file: validate-data, which had passed it silently, says it
    as evaluate, compare, report and drift ``--training-data`` do (``rows`` says which rows were counted:
    all of them, or the rated ones).
    """
    if repeated:
        _console.print(f"[yellow]warning: {repeated} {rows} of {data.name} repeat another row in every "
                       "cell: each copy counts as a business of its own in the metrics and their intervals, "
                       "which are narrower than the distinct rows support[/]")


def _file_sha256(path: Path) -> str:
    """The file's sha256, read in blocks (what ``sha256sum`` prints, so a validator can match the file)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


#: The share of a file's rows a model may have been trained on before the file counts as its training data
#: (estimated from the artifact's row sketch; a model without one is told only by the whole file's hash).
IN_SAMPLE_SHARE = 0.02


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinity as null: JSON has neither, and other tools refuse them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _write_json(path: Path | None, document: Any) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(_finite(document), indent=2, sort_keys=True, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {path}")


def _metrics_line(metrics: dict[str, float]) -> str:
    return "  ".join(f"{k}={metrics[k]:.4f}" for k in ("auc", "gini", "ks", "brier") if k in metrics)


_workers = click.option("--workers", type=click.IntRange(1, 64), default=None,
                        help="Processes for indicator derivation (default: one per core on large files).")
_standard_opt = click.option("--standard", "standard_path", type=DATA_FILE, default=None,
                             help="Standard YAML (default: the packaged one).")


def register_data_commands(group: click.Group) -> None:
    """Attach the data and training commands to ``greenrate model``."""
    for command in (generate_data, validate_data, train_model, evaluate_model, compare_models):
        group.add_command(command)
    from service.model_report_cli import drift_command, report_command

    group.add_command(report_command)
    group.add_command(drift_command)


@click.command("generate-data")
@click.option("--rows", type=click.IntRange(1, 10_000_000), default=60_000, show_default=True)
@click.option("--seed", type=SEED, default=20261125, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .csv or .parquet (by extension).")
def generate_data(rows: int, seed: int, out: Path) -> None:
    """Write a synthetic labelled population in the flat training format (same rows+seed, same file)."""
    import pandas as pd

    from rating_model.synthetic import iter_frames
    from service.batch.flat_files import write_frame

    chunks = []
    with progress_bar("generating", rows) as advance:
        for chunk in iter_frames(rows, seed, chunk_rows=20_000):
            chunks.append(chunk)
            advance(len(chunk))
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_frame(pd.concat(chunks, ignore_index=True), out)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    click.echo(f"wrote {out} ({rows} rows, seed {seed})")


@click.command("validate-data")
@click.argument("data", type=DATA_FILE)
@_standard_opt
@click.option("--max-problems", type=int, default=50, show_default=True, help="How many problems to list.")
def validate_data(data: Path, standard_path: Path | None, max_problems: int) -> None:
    """Check a training file against the documented format; list each problem by row and column."""
    from rating_model.labels import labels_of
    from rating_model.validation import Problem, validate_frame
    from service.batch.flat_files import read_as_text

    frame = read_data_file(data, read_as_text)
    with progress_bar("validating", len(frame)) as advance:
        problems = validate_frame(frame, _standard(standard_path), progress=advance)
    if not any(p.column == "label" for p in problems):
        # what no single row shows: no rows at all, or one class only (training's own label check)
        try:
            labels_of(frame)
        except InvalidInputError as exc:
            problems.append(Problem(None, exc.field, exc.message))
    for problem in problems[:max_problems]:
        click.echo(str(problem))
    if len(problems) > max_problems:
        click.echo(f"... and {len(problems) - max_problems} more")
    # cells as read (text, or Parquet's types: a nested column, which could not be compared, is refused
    # by the read)
    repeated = int(frame.duplicated().sum())
    warn_repeated_rows(data, repeated, "row(s)")
    rows = len({p.row for p in problems if p.row is not None})
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {rows} row(s) of {len(frame)}")
    click.echo(f"{data.name}: {len(frame)} rows, no problems")


@click.command("train")
@click.option("--data", type=DATA_FILE, required=True, help="Labelled flat file (.csv or .parquet).")
@_standard_opt
@click.option("--seed", type=SEED, default=20261125, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Artifact JSON.")
@_workers
def train_model(data: Path, standard_path: Path | None, seed: int, out: Path, workers: int | None) -> None:
    """Train a scorecard; the artifact is content-addressed (same data and seed: the same bytes)."""
    from rating_model.train import train
    from service.batch.train import training_source
    from service.batch.workers import training_workers

    standard = _standard(standard_path)
    frame, _ = read_labelled(data)
    # synthetic labels said so, as the command the card cites says them (python -m rating_model.train)
    source = training_source(frame, data.name)
    # the card's retraining command names the standard's file by name, as it names the data file
    standard_file = None if standard_path is None else standard_path.name
    try:
        with progress_bar("deriving indicators", len(frame)) as advance, \
                training_workers(len(frame), workers) as parallel:
            result = train(frame, standard=standard, seed=seed, source=source, parallel=parallel,
                           progress=advance, standard_file=standard_file)
    except InvalidInputError as exc:
        raise click.ClickException(f"{data.name}, {exc.field}: {exc.message}") from None
    artifact = ScorecardArtifact.from_dict(result.artifact)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(artifact.to_json() + "\n", encoding="utf-8")
    click.echo(f"wrote {out}: version {artifact.version}, sha256 {artifact.sha256}")
    click.echo(f"holdout {_metrics_line(result.metrics)}; skipped {result.skipped_rows} row(s)")
    for line in result.holdout_warnings:  # what the card says the metrics above cannot back
        _console.print(f"[yellow]warning: {line}[/]")


@click.command("evaluate")
@click.argument("model")
@click.option("--data", type=DATA_FILE, required=True, help="Labelled flat file to evaluate on.")
@_standard_opt
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@_workers
def evaluate_model(model: str, data: Path, standard_path: Path | None, json_out: Path | None,
                   workers: int | None) -> None:
    """AUC, KS, Gini, Brier, calibration, grade distribution and the direction check of MODEL (file or
    registered version)."""
    from rating_model.evaluation import evaluate

    artifact = load_model(model)
    standard = _standard_of(artifact, standard_path)
    info: dict[str, Any] = {}
    X, y = labelled_indicators(data, standard, workers, models=(artifact,), info=info)
    report = evaluate(artifact, X, y, standard)
    report["data"] = info
    click.echo(f"{artifact.version} on {report['rows']} rows: {_metrics_line(report['metrics'])}")
    click.echo(f"calibration error (ECE) {report['calibration']['ece']:.4f}")
    for b in report["calibration"]["bins"]:
        click.echo(f"  calibration bin of {b['n']:>7} rows: predicted {b['predicted']:.3f}, observed "
                   f"{b['observed']:.3f}")
    _echo_segments(report["calibration_by_segment"])
    for g in report["grades"]:
        rate = "-" if g["observed_rate"] is None else f"{g['observed_rate']:.3f}"
        click.echo(f"  {g['grade']:<12} {g['n']:>8} {g['share']:>7.1%}  observed green rate {rate}")
    for d in report["directions"]:
        click.echo(f"  {'ok ' if d['ok'] else 'BAD'} {d['indicator']:<28} {d['direction']:<10} "
                   f"{'; '.join(d['problems'])}")
    _write_json(json_out, report)
    if not report["directions_ok"]:
        raise click.ClickException("some indicators' points contradict their declared direction")


def _echo_segments(segments: Sequence[dict[str, Any]]) -> None:
    """Calibration by segment, widest gap first, each gap past the model card's limit marked.

    It had been only in the ``--json`` file, so an analyst reading the terminal saw a calibrated model
    (a low ECE) and no sign that the businesses leaving an indicator blank are predicted several points
    below their observed green rate (the packaged model's card: up to 9.5 pp).
    """
    from rating_model.evaluation import SEGMENT_GAP_LIMIT, SEGMENT_MIN_BLANK_SHARE

    limit_pp = 100 * SEGMENT_GAP_LIMIT
    if not segments:
        click.echo(f"calibration by segment: no indicator is blank on {SEGMENT_MIN_BLANK_SHARE:.0%} or more "
                   "of the rows")
        return
    click.echo(f"calibration by segment (gap = predicted - observed, widest first; "
               f">{limit_pp:.0f}pp = a gap over {limit_pp:.0f} percentage points):")
    for s in sorted(segments, key=lambda s: -abs(s["gap"])):
        mark = f">{limit_pp:.0f}pp" if abs(s["gap"]) > SEGMENT_GAP_LIMIT else ""
        click.echo(f"  {mark:<5} {s['indicator']:<28} {s['segment']:<8} {s['rows']:>7} rows: predicted "
                   f"{s['predicted']:.3f}, observed {s['observed']:.3f}, gap {100 * s['gap']:+5.1f} pp")


@click.command("compare")
@click.argument("champion")
@click.argument("challenger")
@click.option("--data", type=DATA_FILE, required=True, help="Labelled flat file both are scored on.")
@_standard_opt
@click.option("--samples", type=click.IntRange(20, 10_000), default=200, show_default=True,
              help="Bootstrap resamples for the confidence intervals (fixed seed).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--record/--no-record", default=None,
              help="Keep the result in the registry (both models must be registered): the evidence a "
                   "promotion of CHALLENGER replacing CHAMPION needs. Default: recorded when either model "
                   "is named by its registered version (or active), and said when it cannot be.")
@_workers
def compare_models(champion: str, challenger: str, data: Path, standard_path: Path | None, samples: int,
                   json_out: Path | None, record: bool | None, workers: int | None) -> None:
    """CHAMPION vs CHALLENGER: metric deltas with 95 % CIs, score and indicator PSI, grade migration.

    A comparison that reads the registry (a model named by version, or active) is recorded unless
    --no-record says not to: one computed and never recorded is in nobody's trail, and a promotion cannot
    count what it does not see (a model-risk validator's review). Where it cannot be recorded (a model not
    registered, too few rows, a model's own training file...), the command says why and still succeeds;
    with --record it fails instead.
    """
    import numpy as np

    from rating_model.monitoring import compare_models as compare

    a, b = load_model(champion), load_model(challenger)
    standard, challenger_standard = _standard_of(a, standard_path), _standard_of(b, standard_path)
    info: dict[str, Any] = {}
    knock_outs: list[tuple[str, ...]] = []
    X, y = labelled_indicators(data, standard, workers, models=(a, b), info=info, knock_outs=knock_outs)
    X_b, knock_outs_b = X, knock_outs
    if challenger_standard is not standard:  # each model on the indicators of the standard it rates under
        knock_outs_b = []
        X_b, y_b = labelled_indicators(data, challenger_standard, workers, knock_outs=knock_outs_b)
        if len(y_b) != len(y) or not np.array_equal(np.asarray(y_b), np.asarray(y)):
            raise click.ClickException(
                f"{data.name}: {standard.label} and {challenger_standard.label} leave out different rows; "
                "compare the two models with --standard"
            )
    result = compare(a, b, X, y, standard, samples=samples, challenger_indicators=X_b,
                     challenger_standard=challenger_standard, knock_outs=knock_outs,
                     challenger_knock_outs=knock_outs_b)
    # which file, by content, what was left out and how it was measured: the JSON says what it rests on
    # each standard by label and by its document's sha256: a promotion counts the comparison only when
    # both are the published standards the models rate under in this release (an edited copy keeps the label)
    result["data"] = {**info, "standard": standard.label, "standard_sha256": standard.sha256,
                      "challenger_standard": challenger_standard.label,
                      "challenger_standard_sha256": challenger_standard.sha256, "samples": samples}
    if challenger_standard is not standard:
        click.echo(f"champion under {standard.label}, challenger under {challenger_standard.label}")
    click.echo(f"champion {a.version} vs challenger {b.version} on {result['rows']} rows")
    for name, m in result["metrics"].items():
        click.echo(f"  {name:<6} {m['champion']:.4f} -> {m['challenger']:.4f}  delta {m['delta']:+.4f} "
                   f"[{m['ci_low']:+.4f}, {m['ci_high']:+.4f}]")
    s = result["score_psi"]
    click.echo(f"  score PSI {s['psi']:.4f} ({s['reading']})")
    for name, p in result["indicator_psi"].items():
        click.echo(f"  PSI {name:<28} {p['psi']:.4f} ({p['reading']})")
    mig = result["migration"]
    click.echo(f"  grade migration: {mig['moved_share']:.1%} moved "
               f"({mig['upgrades']} up, {mig['downgrades']} down)")
    click.echo(f"    {'':<12} " + " ".join(f"{g[:8]:>8}" for g in mig["grades"]) + "   (challenger)")
    for grade, row in zip(mig["grades"], mig["counts"], strict=True):
        click.echo(f"    {grade:<12} " + " ".join(f"{c:>8}" for c in row))
    for line in [*calibration_lines(result), *override_lines(result)]:
        click.echo(f"  {line}")
    if info["trained_on_it"]:
        click.echo(f"  warning: trained on this very file: {', '.join(info['trained_on_it'])}")
    _write_json(json_out, result)
    unseen = (f"a promotion of {b.version} replacing {a.version} does not see this comparison (it counts "
              "only recorded ones)")
    if record is None and all(names_a_file(ref) for ref in (champion, challenger)):
        click.echo(f"not recorded: both models were given as files; {unseen}: --record keeps it")
    elif record is False:
        click.echo(f"not recorded (--no-record): {unseen}")
    else:
        _record_comparison(b, a, result["data"], result, required=bool(record), unseen=unseen)


def calibration_lines(summary: Mapping[str, Any]) -> list[str]:
    """Both models' calibration and each grade's observed green rate, with its 95 % interval (a grade of a
    handful of businesses shows as the wide interval it is), as lines to indent: what ``compare`` prints
    and ``greenrate model comparisons`` shows the approver under each record (none for a record made before
    ``compare_models`` gave ``calibration`` and ``grades``)."""
    if "calibration" not in summary or "grades" not in summary:
        return []
    lines = []
    for role in ("champion", "challenger"):
        c = summary["calibration"][role]
        lines.append(f"calibration: {role} predicted {c['predicted']:.3f} vs observed {c['observed']:.3f}, "
                     f"ECE {c['ece']:.4f}")
    lines.append("observed green rate by grade (rows, rate [95 % interval]), champion | challenger:")

    def cell(g: Mapping[str, Any]) -> str:
        if not g["n"]:
            return f"{0:>6} {'-':>5} {'':<16}"
        return f"{g['n']:>6} {g['observed_rate']:.3f} [{g['ci_low']:.3f}, {g['ci_high']:.3f}]"

    grades = summary["grades"]
    lines.extend(f"  {a['grade']:<12} {cell(a)} | {cell(b)}"
                 for a, b in zip(grades["champion"], grades["challenger"], strict=True))
    return lines


def override_lines(summary: Mapping[str, Any]) -> list[str]:
    """How often each model's score grade is overridden by a knock-out, in total and by knock-out (those
    that apply to a row at least), as lines to indent: what ``compare`` prints and ``greenrate model
    comparisons`` shows under each record (none for a record made before ``compare`` counted overrides)."""
    if "overrides" not in summary:
        return []
    a, b = summary["overrides"]["champion"], summary["overrides"]["challenger"]
    lines = [f"knock-out overrides (score grade capped), champion | challenger: {a['overridden']} "
             f"({a['share']:.1%}) | {b['overridden']} ({b['share']:.1%}) of {a['rows']} rows"]
    challenger = {k["id"]: k for k in b["knock_outs"]}
    for k in a["knock_outs"]:
        c = challenger.pop(k["id"], {"applies": 0, "overrides": 0, "share": 0.0})
        if k["applies"] or c["applies"]:
            lines.append(f"  {k['id']:<32} cap {k['cap_grade']:<10} applies {k['applies']:>6} | "
                         f"{c['applies']:>6}, overrides {k['overrides']:>6} ({k['share']:.1%}) | "
                         f"{c['overrides']:>6} ({c['share']:.1%})")
    for c in challenger.values():  # a knock-out only the challenger's standard has
        if c["applies"]:
            lines.append(f"  {c['id']:<32} cap {c['cap_grade']:<10} applies {'-':>6} | {c['applies']:>6}, "
                         f"overrides {'-':>6} {'':>8} | {c['overrides']:>6} ({c['share']:.1%})")
    return lines


def _record_comparison(challenger: ScorecardArtifact, champion: ScorecardArtifact, data: dict[str, Any],
                       result: dict[str, Any], *, required: bool, unseen: str) -> None:
    """Keep the comparison in the registry, as the evidence a promotion of ``challenger`` rests on.

    :param required: ``--record`` was given: what stops the record fails the command; otherwise (the
        default of a comparison that reads the registry) it is said, with ``unseen``, and the command
        succeeds on the comparison it printed.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from service.commands import command_settings, database
    from service.model_cli import registry_actor
    from service.records import comparisons, registry

    summary = {k: v for k, v in _finite(result).items() if k != "data"}
    try:
        with database() as db:
            recorded = comparisons.record(db, challenger, champion, data=data, summary=summary,
                                          actor=registry_actor(db),
                                          valid_days=command_settings().model_comparison_valid_days)
    except registry.RegistryError as exc:
        why = f"not recorded: {exc}"
    except SQLAlchemyError as exc:
        # its COMMIT may have been applied all the same: the same command run again says so, once recorded
        why = (f"cannot record: {database_failure(exc)}; it may have been recorded all the same: the same "
               "command run again records it once")
    except click.ClickException as exc:  # GREENRATE_ANALYST_KEY refused, or a setting
        if required:
            raise
        why = f"not recorded: {exc.message}"
    else:
        kept = recorded.comparison
        if recorded.replayed:
            click.echo(f"this very comparison was recorded already, by you ({kept.at:%Y-%m-%d %H:%M} UTC): "
                       "nothing was recorded again")
        click.echo(f"recorded {kept.evidence()}; `greenrate model promote {challenger.version} --replacing "
                   f"{champion.version} --reason ...` may rest on it")
        return
    if required:
        raise click.ClickException(why)
    click.echo(f"{why}; {unseen}")
