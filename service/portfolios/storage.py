"""A portfolio job's files under ``GREENRATE_PORTFOLIO_DIR``, written so a crash never leaves half a file.

Layout, one directory per job: ``input.<csv|parquet...>`` (the upload as sent), ``parts/part-NNNNNN.parquet``
(the results of chunk N, while the job runs) and ``results.parquet`` (all parts in order, once complete).
Every file appears under its final name only whole: it is written to a temporary name in the same
directory, flushed to disk and renamed with :func:`os.replace`, which is atomic. A killed worker can
therefore leave a stray temporary file, never a truncated part, and the next run simply writes the part
again under the same name: one part per chunk index, so no row can be counted twice.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rating_model.exceptions import InvalidInputError
from rating_model.flat import CSV_ENCODING, FLAT_DTYPES
from service.exceptions import ServiceError
from service.logging import redacted

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

# pandas and pyarrow are imported inside the functions that read or write files: web workers load this
# module for every request's routing but touch a loan book only on an upload or a download, and importing
# the two costs each worker about 80 MB of resident memory (benchmarks: worker RSS after 100,000 requests).

#: accepted upload names, longest first (``.csv.gz`` before ``.csv``): the formats service.batch.files reads
#: the results' column saying the reporting date of the job's book (``as_of``), on every row; a book's own
#: column of that name is refused at upload, so that it cannot be overwritten
AS_OF_COLUMN = "portfolio_as_of"
SUFFIXES = (".csv.bz2", ".csv.zip", ".csv.gz", ".csv.xz", ".parquet", ".csv", ".pq")
_COPY_BLOCK = 1024 * 1024


def unreadable_errors() -> tuple[type[BaseException], ...]:
    """What reading a file that is not what its name says can raise (pandas, pyarrow, the decompressors):
    the one list POST /v1/portfolios (422) and ``greenrate batch rate`` (exit 1) refuse a book on.

    It holds :func:`malformed_errors`: lzma.LZMAError and zlib.error are no OSError or ValueError, and an
    upload named .csv.xz that was not xz had been answered 500 while the CLI refused it. What zipfile raises
    as RuntimeError or NotImplementedError (a password, Deflate64, AES) is said in words by
    :func:`~service.batch.files.check_book` (BookUnreadable, a ValueError) rather than caught here: those
    two classes are raised by bugs as much as by files.
    """
    import pyarrow as pa

    return (*malformed_errors(), ValueError, OSError, EOFError, pa.ArrowException)


def malformed_errors() -> tuple[type[BaseException], ...]:
    """What a file readable at upload can still raise further in (a bad line, text that is not UTF-8,
    compressed data that does not decompress): the upload checks a CSV's opening megabyte only."""
    import gzip
    import lzma
    import zlib

    import pandas as pd
    import pyarrow as pa

    return (pd.errors.ParserError, pa.ArrowInvalid, UnicodeDecodeError, gzip.BadGzipFile, zlib.error,
            lzma.LZMAError, zipfile.BadZipFile)


#: what Python's gzip, bz2 and lzma readers raise (as an EOFError) for a file cut short
_CUT_SHORT = "Compressed file ended before the end-of-stream marker was reached"
#: what Python's bz2 reader raises (as a plain OSError) for data that does not decompress
_BZ2_CORRUPT = "Invalid data stream"


def malformed(exc: BaseException) -> bool:
    """Whether ``exc`` is the book's own fault, met further into it than the upload's check reads.

    A compressed book cut short is whole for its opening megabyte and ends early: an EOFError, which only
    its words tell from another cause's (a job had failed with "internal error (EOFError)"). A bz2 book
    corrupt further on raises a plain OSError, told likewise by its words from a disk's.
    """
    return (isinstance(exc, malformed_errors())
            or (isinstance(exc, EOFError) and _CUT_SHORT in str(exc))
            or (type(exc) is OSError and str(exc) == _BZ2_CORRUPT))


class UploadRefused(ServiceError):
    """The uploaded loan book cannot be rated at all (422); ``errors`` are keyed by form field (``file``)."""

    code = 422

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
                         message="The loan book cannot be rated as uploaded.", errors=errors)


def upload_suffix(name: str) -> str | None:
    """The accepted suffix the file name ends with (``.csv``, ``.csv.gz``, ``.parquet``...), if any."""
    lower = name.lower()
    return next((s for s in SUFFIXES if lower.endswith(s)), None)


def file_format(suffix: str) -> str:
    return "parquet" if suffix in (".parquet", ".pq") else "csv"


@dataclass(frozen=True, slots=True)
class JobFiles:
    """The paths of one job's files."""

    root: Path

    @classmethod
    def of(cls, portfolio_dir: str, job_id: str) -> JobFiles:
        return cls(Path(portfolio_dir) / job_id)

    def input(self, file_name: str) -> Path:
        suffix = upload_suffix(file_name)
        if suffix is None:
            raise ValueError(f"not an accepted loan-book name: {file_name!r}")
        return self.root / f"input{suffix}"

    @property
    def parts(self) -> Path:
        return self.root / "parts"

    def part(self, index: int) -> Path:
        return self.parts / f"part-{index:06d}.parquet"

    @property
    def results(self) -> Path:
        return self.root / "results.parquet"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def remove_parts(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)


#: what a write to the portfolio directory can meet that is the storage's state, not a bug nor the book's:
#: a full disk, a quota, a filesystem remounted read-only; an operator can make it pass
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def _replace_durably(temporary: Path, target: Path) -> None:
    with temporary.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)


@dataclass(frozen=True, slots=True)
class SavedUpload:
    """What was saved of an upload: its size and the sha256 of its bytes (hex), computed while copying."""

    bytes: int
    sha256: str


def save_upload(stream: IO[bytes], target: Path) -> SavedUpload:
    """Copy the uploaded stream to ``target`` (whole or not at all); returns its size and sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.upload")
    written = 0
    digest = hashlib.sha256()
    with temporary.open("wb") as out:
        while block := stream.read(_COPY_BLOCK):
            out.write(block)
            digest.update(block)
            written += len(block)
    _replace_durably(temporary, target)
    return SavedUpload(written, digest.hexdigest())


def inspect_upload(path: Path, max_rows: int) -> int | None:
    """Check that the saved loan book can be rated at all; returns its rows when cheap to know (Parquet).

    Raises
    ------
    UploadRefused
        Unreadable as its declared format (an empty file, binary data, text that is not UTF-8 or not
        comma-separated, a bad line within the opening megabyte a CSV is checked on), no column of the flat
        format, a column the batch refuses (a repeated name, an unknown ``__`` name, nested or binary
        Parquet values: :func:`~service.batch.files.check_book`), or no rows. A bad *row* is not refused
        here: it gets its own ``error`` in the results.
    """
    import pandas as pd

    from service.batch.files import BookTooWide, BookUnreadable, check_book

    try:
        columns = check_book(path)
        if file_format(upload_suffix(path.name) or ".csv") == "parquet":
            rows: int | None = count_rows(path, max_rows)  # the footer says: refused before it is queued
        else:
            rows = None
            if pd.read_csv(path, nrows=1, dtype=str, keep_default_na=False, index_col=False,
                           encoding=CSV_ENCODING).empty:
                rows = 0
    except InvalidInputError as exc:  # before unreadable_errors(): it is a ValueError too
        raise UploadRefused({"file": [f"column {exc.field!r}: {exc.message}"]}) from None
    except (BookTooWide, BookTooLong, BookUnreadable) as exc:  # ValueErrors too
        raise UploadRefused({"file": [str(exc)]}) from None
    except pd.errors.ParserError as exc:  # a ValueError too: its message names the line (a path taken out)
        unread = f"the loan book could not be read: {redacted(str(exc))[:300]}"
        raise UploadRefused({"file": [unread]}) from None
    except unreadable_errors() as exc:  # the reader's words too, as greenrate batch rate says them
        kind = file_format(upload_suffix(path.name) or ".csv")
        said = redacted(str(exc))[:200]
        raise UploadRefused(
            {"file": [f"not a readable {kind.upper()} file ({type(exc).__name__}{': ' * bool(said)}{said})"]}
        ) from None
    if not any(c in FLAT_DTYPES for c in columns):
        raise UploadRefused(
            {
                "file": [
                    "no column of the flat operating-data format (company__name, energy__electricity_kwh, "
                    "...; see docs/synthetic-population.md), so no row could be rated"
                ]
            }
        )
    if rows == 0:
        raise UploadRefused({"file": ["the file has a header but no rows"]})
    if AS_OF_COLUMN in columns:
        raise UploadRefused({"file": [
            f"column {AS_OF_COLUMN!r}: clashes with the results' column of the same name (the book's "
            "reporting date, the upload's as_of); rename it"
        ]})
    return rows


class BookTooLong(ValueError):
    """A loan book with more rows than ``GREENRATE_PORTFOLIO_MAX_ROWS``: its owner is told to split it."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the loan book has more than {limit:,} rows (GREENRATE_PORTFOLIO_MAX_ROWS): split it into "
            "several uploads"
        )


def count_rows(path: Path, limit: int) -> int:
    """Rows of a CSV or Parquet loan book (a streaming pass over one column for CSV), stopping as soon as
    there are more than ``limit``: a compressed book is small for its rows (94 KB of xz held 2,000,000,
    and a 1 GB one would have been read until the job's timeout; security review).

    Raises
    ------
    BookTooLong
        More than ``limit`` rows.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    if file_format(upload_suffix(path.name) or ".csv") == "parquet":
        rows = int(pq.ParquetFile(path).metadata.num_rows)
        if rows > limit:
            raise BookTooLong(limit)
        return rows
    rows = 0
    # index_col=False: with an extra cell on the first data row, pandas took the first column for an index
    # and this read of one column raised ValueError (the job failed with "internal error")
    for chunk in pd.read_csv(path, usecols=[0], dtype=str, keep_default_na=False, chunksize=200_000,
                             index_col=False, encoding=CSV_ENCODING):
        rows += len(chunk)
        if rows > limit:
            raise BookTooLong(limit)
    return rows


#: key of a result part's Parquet metadata holding the versions (JSON) of the engine that rated it
_RATED_BY = b"greenrate.versions"


def write_part(
    files: JobFiles, index: int, frame: pd.DataFrame, tag: str, versions: Mapping[str, str]
) -> None:
    """Write chunk ``index``'s results atomically (``tag`` keeps concurrent runs' temporaries apart).

    The part records the ``versions`` of the engine that rated it (Parquet metadata, so a chunk whose
    every row was refused still says it), for :func:`rated_by`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files.parts.mkdir(parents=True, exist_ok=True)
    target = files.part(index)
    temporary = target.with_name(f".{target.name}.{tag}.tmp")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    stamp = {_RATED_BY: json.dumps(dict(versions), sort_keys=True).encode()}
    try:
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **stamp}), temporary)
        _replace_durably(temporary, target)
    except BaseException:  # as merge_parts: a refused write leaves no temporary taking the disk's room
        temporary.unlink(missing_ok=True)
        raise


def rated_by(files: JobFiles, count: int) -> list[dict[str, str] | None]:
    """The versions each of parts 0..count-1 was rated under (``None``: written before parts said so).

    A job resumed after an upgrade must not join parts of two engines in one result: the runner rates it
    again from the first chunk when these differ from its engine's versions.
    """
    import pyarrow.parquet as pq

    found: list[dict[str, str] | None] = []
    for index in range(count):
        metadata = pq.read_schema(files.part(index)).metadata or {}
        stamp = metadata.get(_RATED_BY)
        found.append(None if stamp is None else json.loads(stamp))
    return found


def part_columns(files: JobFiles, count: int) -> list[frozenset[str]]:
    """The column names of parts 0..count-1: a part written by code with other result columns (a column
    added by an upgrade that kept every version) cannot be joined with this code's parts."""
    import pyarrow.parquet as pq

    return [frozenset(pq.read_schema(files.part(index)).names) for index in range(count)]


def read_parts(files: JobFiles, count: int) -> Iterator[pd.DataFrame]:
    """The result parts 0..count-1 in order, one at a time."""
    import pyarrow.parquet as pq

    for index in range(count):
        yield pq.read_table(files.part(index)).to_pandas()


def merge_parts(files: JobFiles, count: int, tag: str, as_of: date | None = None) -> int:
    """Join parts 0..count-1 into ``results.parquet`` (one row group per part); returns the rows.

    ``tag`` keeps this run's temporary file apart from that of a run wrongly judged dead and still
    merging: each replaces ``results.parquet`` whole, from the same recorded parts. ``as_of``, the job's
    reporting date, is added as the last column (:data:`AS_OF_COLUMN`, an Arrow date) of every row: the
    export says the date its figures are as of, however its rows are read apart from the summary.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if count < 1:
        raise ValueError("a portfolio job with no chunks has no results")
    # A pass-through column empty in one chunk comes out as Arrow's null type there: unify, then cast.
    schema = pa.unify_schemas(
        [pq.read_schema(files.part(i)) for i in range(count)], promote_options="permissive"
    )
    dated = None if as_of is None else schema.append(pa.field(AS_OF_COLUMN, pa.date32()))
    temporary = files.root / f".results.parquet.{tag}.tmp"
    rows = 0
    try:
        with pq.ParquetWriter(temporary, schema if dated is None else dated) as writer:
            for index in range(count):
                table = pq.read_table(files.part(index)).cast(schema)
                if dated is not None:
                    table = table.append_column(dated.field(AS_OF_COLUMN),
                                                pa.array([as_of] * table.num_rows, pa.date32()))
                writer.write_table(table)
                rows += table.num_rows
        _replace_durably(temporary, files.results)
    except BaseException:
        # a join refused mid-way (a full disk) had left its temporary, as large as all it had written:
        # the room the next job needed stayed taken until the retention deleted the job's directory
        temporary.unlink(missing_ok=True)
        raise
    return rows


def stream_csv(results: Path) -> Iterator[bytes]:
    """The results as CSV, one row group at a time (header first; empty cells for missing values).

    Text a spreadsheet would run as a formula is quoted (:func:`~service.batch.writer.csv_safe`).
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from service.batch.writer import csv_safe

    with pq.ParquetFile(results) as parquet:
        for group in range(parquet.num_row_groups):
            buffer = pa.BufferOutputStream()
            options = pa_csv.WriteOptions(include_header=group == 0)
            pa_csv.write_csv(csv_safe(parquet.read_row_group(group)), buffer, write_options=options)
            yield buffer.getvalue().to_pybytes()


def previous_scores(results: Path) -> pd.DataFrame | None:
    """A finished job's ``borrower_id``, ``score`` and ``grade`` (``None`` without a borrower_id column)."""
    import pyarrow.parquet as pq

    from rating_model.portfolio_movers import MOVER_COLUMNS

    names = pq.ParquetFile(results).schema_arrow.names
    if not set(MOVER_COLUMNS) <= set(names):
        return None
    return pq.read_table(results, columns=list(MOVER_COLUMNS)).to_pandas()
