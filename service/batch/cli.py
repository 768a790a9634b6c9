"""``greenrate batch``: rate a whole loan book from a CSV or Parquet file, on every core.

The rating is the API's: the same engine, with the model the service has active (read from the registry
named by ``GREENRATE_DATABASE_URL``), unless ``--model`` names another. Rows the engine refuses are kept
with the reason in their ``error`` column; the batch never stops on a bad row. The computation lives in
:mod:`rating_model.batch`, the files' in :mod:`service.batch`; this module only reads options, picks
the model and shows progress.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from rating_model.exceptions import ArtifactError, InvalidInputError

_console = Console(stderr=True)
_FILE_TYPES = ".csv, .csv.gz or .parquet"
#: the exit status of ``greenrate batch rate`` when rows were refused (1 is an error, 2 a usage mistake)
REFUSED_ROWS_EXIT = 3


@click.group()
def batch() -> None:
    """Rate loan books from files (CSV or Parquet in and out)."""


def _model_document(ref: str | None) -> tuple[dict[str, Any], str]:
    """The artifact to rate with and where it came from: ``--model`` (file or version) or the active one.

    With no ``--model``, the registry's active version is what ``POST /v1/ratings`` rates with; an empty
    registry means the service would register and serve the packaged default, so that is used. A registry
    that cannot be read is an error rather than a silent fallback that could disagree with the API.
    """
    from service.model_data_cli import load_model

    if ref is not None:
        return load_model(ref).to_dict(), ref
    from service.commands import database
    from service.records import registry

    try:
        with database() as db:
            version = registry.active_version(db)
            artifact = registry.load_artifact(db, version) if version else None
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the active model from the database ({type(exc).__name__}); run"
            " `greenrate db upgrade` or pass --model (a model file, a registered version)"
        ) from None
    except ArtifactError as exc:
        raise click.ClickException(f"the active model was refused: {exc}") from None
    if artifact is None:
        from rating_model.engine import DEFAULT_MODEL

        return json.loads(DEFAULT_MODEL.read_text(encoding="utf-8")), "packaged default (registry empty)"
    return artifact.to_dict(), f"active model {version}"


@batch.command("rate")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", "model_ref", default=None,
              help="Model file (.json) or registered version; default: the service's active model.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Rating processes (default: one per core).")
@click.option("--chunk-rows", type=click.IntRange(100, 1_000_000), default=None,
              help="Rows read, rated and written at a time (memory grows with it).")
@click.option("--allow-refused", is_flag=True, default=False,
              help=f"Exit 0 even when rows were refused (default: exit {REFUSED_ROWS_EXIT}).")
def rate_command(source: Path, target: Path, model_ref: str | None, workers: int | None,
                 chunk_rows: int | None, allow_refused: bool) -> None:
    """Rate every row of SOURCE into TARGET (CSV or Parquet each, by extension).

    SOURCE has the flat operating-data columns (docs/synthetic-population.md), loan columns for PCAF, and
    any id columns of your own without "__" in their names (carried through; `loan_id` is checked for
    duplicates). TARGET gets one row per input row, in order: your id columns, then the rating
    (docs/batch-and-spark.md lists the columns). Exit status 3 when rows were refused (TARGET is still
    written, with the reasons in its error column), unless --allow-refused: a script must not report a
    book as rated whole when part of its exposure was not.
    """
    import pandas as pd

    from rating_model.flat import file_kind
    from service.batch.files import DEFAULT_CHUNK_ROWS, BookTooWide, BookUnreadable, check_book, count_rows
    from service.batch.pool import rate_file
    from service.model_data_cli import progress_bar

    for path in (source, target):
        try:
            file_kind(path)
        except ValueError:
            raise click.BadParameter(f"{path.name}: use {_FILE_TYPES}") from None
    document, origin = _model_document(model_ref)
    _console.print(f"rating with {origin}")
    try:
        check_book(source)  # a file that cannot be rated at all is refused before the progress bar
        with progress_bar(f"rating {source.name}", count_rows(source)) as advance:
            report = rate_file(source, target, model_document=document, workers=workers,
                               chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS, progress=advance)
    except InvalidInputError as exc:
        raise click.ClickException(f"{source.name}: column {exc.field!r}: {exc.message}") from None
    except (BookTooWide, BookUnreadable) as exc:
        raise click.ClickException(f"{source.name}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{source.name}: not UTF-8 text (byte {exc.start} of a block: {exc.reason}); save it as UTF-8"
        ) from None
    except pd.errors.EmptyDataError:
        raise click.ClickException(f"{source.name}: the file is empty; a loan book needs a header row"
                                   ) from None
    except _unreadable() as exc:
        if isinstance(exc, OSError) and exc.errno is not None:  # the system's (no such directory)
            raise click.ClickException(str(exc)) from None
        kind = file_kind(source).upper()
        raise click.ClickException(f"{source.name}: not a readable {kind} file ({type(exc).__name__}: {exc})"
                                   ) from None
    click.echo(
        f"rated {report.rated} of {report.rows} rows into {target} in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s); {report.errors} row(s) refused, reasons in the error column"
    )
    if report.errors and not allow_refused:
        _console.print(f"{report.errors} of {report.rows} row(s) were refused: exit status "
                       f"{REFUSED_ROWS_EXIT} (--allow-refused to exit 0)")
        raise SystemExit(REFUSED_ROWS_EXIT)


@batch.command("summarize")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--previous", "previous_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An earlier `greenrate batch rate` results file to measure the top movers against.")
@click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the summary's JSON here instead of to standard output.")
@click.option("--top", "top_n", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Borrowers in each list of movers.")
def summarize_command(results: Path, previous_path: Path | None, out_path: Path | None, top_n: int) -> None:
    """The portfolio summary of RESULTS (a `greenrate batch rate` output), as the portfolio API gives it.

    Nothing leaves this machine: the book need not be uploaded to the service. The JSON is the summary of
    the API (each figure with its unit and basis); with --previous, the top movers since that run.
    """
    import pandas as pd

    from rating_model.portfolio import summarize
    from rating_model.portfolio_movers import MOVER_COLUMNS, PreviousRun
    from service.batch.results import read_results

    previous = None
    reason = "no previous results were given (--previous)"
    try:
        if previous_path is not None:
            chunks = list(read_results(previous_path))
            frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
            if not set(MOVER_COLUMNS) <= set(frame.columns):
                reason = f"{previous_path.name} has no borrower_id column, so its borrowers cannot be matched"
            else:
                previous = PreviousRun.from_frame(previous_path.name, frame[list(MOVER_COLUMNS)])
        summary = summarize(read_results(results), previous=previous, top_n=top_n, no_previous_reason=reason)
    except ValueError as exc:
        raise click.ClickException(f"{results.name}: {exc}; is it a `greenrate batch rate` results file "
                                   "of this version?") from None
    except _unreadable() as exc:
        raise click.ClickException(f"{results.name}: not readable ({type(exc).__name__}: {exc})") from None
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    if out_path is None:
        click.echo(text)
    else:
        out_path.write_text(text + "\n", encoding="utf-8")
    coverage = summary["coverage"]
    _console.print(
        f"{summary['rows']['total']} rows, {summary['rows']['errors']} refused; coverage "
        f"{coverage['ratio']['value']} of outstanding CNY {coverage['total_outstanding']['value']:,.2f}"
    )


def _unreadable() -> tuple[type[BaseException], ...]:
    """What reading a malformed book raises (a bad CSV line, a file that is not Parquet or gzip, a column
    Arrow cannot carry through...): the list the upload refuses a book on, so the two cannot differ."""
    from service.portfolios.storage import unreadable_errors

    return unreadable_errors()


@batch.command("generate-book")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rows", type=click.IntRange(1, 50_000_000), default=10_000, show_default=True)
@click.option("--seed", type=int, default=20261125, show_default=True)
def generate_book(target: Path, rows: int, seed: int) -> None:
    """Write a SYNTHETIC loan book (borrower_id, operating data, one loan each) for trials and benchmarks."""
    from service.batch.writer import write_loan_book

    written = write_loan_book(target, rows, seed)
    click.echo(f"wrote {written} synthetic borrowers to {target}")
