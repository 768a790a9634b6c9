"""Loan-book files through the batch rater: streamed in chunks, rated on every core, written in order.

A bank's book can be millions of rows; memory must not grow with it. Chunks are read one at a time
(Parquet record batches, CSV ``chunksize``), at most a few are in flight in worker processes, and each
result chunk is appended to the output as soon as it is its turn, so peak memory is a handful of chunks
whatever the file size. Workers start as :mod:`rating_model.workers` says (forked from a fork server
with :mod:`rating_model.book_chunks` loaded, which holds what they run) and build their engine once from
the model document (plain JSON, verified again in the worker: nothing pickled but data, as frames or
Arrow). The output is the same whatever the number of workers (the tests check it).
"""

from __future__ import annotations

import bz2
import functools
import gzip
import json
import lzma
import os
import re
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from rating_model import book_chunks
from rating_model.batch import passthrough_columns
from rating_model.book_checks import BookChecks, scan_book
from rating_model.book_chunks import (
    Chunk,
    as_frame,
    chunk_length,
    in_worker,
    load_worker_engine,
    rated_frame,
    rated_table,
    typed_frame,
)
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.flat import CSV_ENCODING, FLAT_DTYPES, csv_compression, file_kind, refuse_long_first_row
from rating_model.loan_book import iter_loan_book
from rating_model.workers import default_workers, start_worker, worker_context

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "BatchReport",
    "ResultWriter",
    "BookTooWide",
    "check_book",
    "csv_safe",
    "count_rows",
    "rate_chunks",
    "rate_chunks_as_tables",
    "rate_placed_chunks",
    "rate_file",
    "scan_file",
    "write_loan_book",
    "read_chunks",
    "read_raw_chunks",
]

#: rows per chunk: large enough that per-chunk overhead vanishes, small enough to keep memory flat
DEFAULT_CHUNK_ROWS = 25_000
_IN_FLIGHT_PER_WORKER = 2  # one chunk being rated, one waiting: workers never idle, memory stays bounded
T = TypeVar("T")


def read_chunks(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a CSV or Parquet loan book, ``chunk_rows`` at a time, with the flat format's dtypes.

    CSV follows :func:`rating_model.flat.read_frame`: only an empty cell is missing (``"NA"`` is text).
    Pass-through columns of a CSV are read as text, so an id like ``00123`` keeps its zeros.
    """
    for chunk in read_raw_chunks(path, chunk_rows):
        yield as_frame(chunk)


def read_raw_chunks(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Chunk]:
    """The chunks of a book as read: Parquet stays Arrow (converted by :func:`as_frame` where it is
    rated, or never, for a chunk that is only counted), CSV is parsed here.

    Parquet is decoded on this thread only: while a batch rates, every core is busy in a worker process,
    and Arrow's decoding threads would compete with them, spending about twice the CPU for the same
    chunk (their waits and hand-offs) without finishing it any sooner.
    """
    source = Path(path)
    if file_kind(source) == "parquet":
        parquet = pq.ParquetFile(source)
        empty = True
        for batch in parquet.iter_batches(batch_size=chunk_rows, use_threads=False):
            empty = False
            yield batch
        if empty:  # a book with no rows is one empty chunk, so that its results still have every column
            schema = parquet.schema_arrow
            yield pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
        return
    header = pd.read_csv(source, nrows=0, index_col=False, encoding=CSV_ENCODING).columns
    _refuse_long_first_row(source, len(header))
    # numbers and flags are read as text and converted by typed_frame: one bad cell is that row's error
    dtypes = {c: "string" if FLAT_DTYPES.get(c, "string") == "string" else object for c in header}
    chunks = pd.read_csv(source, dtype=dtypes, keep_default_na=False, na_values=[""], index_col=False,
                         chunksize=chunk_rows, encoding=CSV_ENCODING)
    try:
        for chunk in chunks:
            yield typed_frame(chunk)
    except pd.errors.ParserError as exc:
        raise pd.errors.ParserError(_ragged_line(str(exc), len(header))) from None


def _refuse_long_first_row(source: Path, columns: int) -> None:
    """:func:`rating_model.flat.refuse_long_first_row`, said as :func:`_ragged_line` says a later line."""
    try:
        refuse_long_first_row(source)
    except pd.errors.ParserError as exc:
        raise pd.errors.ParserError(_ragged_line(str(exc), columns)) from None


_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _ragged_line(message: str, columns: int) -> str:
    """pandas' message for a line with more cells than the header, said in the results' row numbers.

    Such a line is refused with the whole file, not made that row's error: its cells are most likely
    shifted (a comma in an unquoted name), so every cell after it would be read into the wrong column.
    """
    found = _RAGGED.search(message)
    if found is None:
        return message
    line, saw = int(found.group(2)), int(found.group(3))
    return (f"line {line} (row {line - 2} of the results, counting from 0 after the header, if no blank "
            f"line or cell with a line break comes before it) has {saw} cells where the header has "
            f"{columns}: a comma in an unquoted cell shifts every cell after it, so the file was not rated; "
            "quote that cell or remove the extra cells")


#: The widest loan book read: the flat format's columns (169) with room for a bank's own pass-through
#: columns. A header past these is refused before pandas or pyarrow reads it: a 6.5 MB upload whose header
#: held 3 million columns took a web worker to 900 MB until gunicorn killed it (security review).
MAX_BOOK_COLUMNS = 2000
MAX_HEADER_BYTES = 256 * 1024
#: A Parquet footer (the schema and every row group's column statistics) larger than this is refused
#: before it is parsed: pyarrow parses all of it before the columns can be counted (a 28 MB footer took
#: 741 MB; diff review). 2,000 columns x 20 row groups x ~200 bytes of metadata is 8 MB; a million-row
#: book of the flat format's 169 columns in 16 row groups has well under 1 MB.
MAX_PARQUET_FOOTER_BYTES = 8 * 1024 * 1024


class BookTooWide(ValueError):
    """A loan book whose header is too large to read safely; the message says the limit."""


def _open_csv_bytes(source: Path) -> Any:
    """The CSV's bytes, decompressed as its name says (the zip archive's only member)."""
    compression = csv_compression(source)
    if compression == "gzip":
        return gzip.open(source, "rb")
    if compression == "bz2":
        return bz2.open(source, "rb")
    if compression == "xz":
        return lzma.open(source, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(source)
        members = archive.namelist()
        if len(members) != 1:
            archive.close()
            raise zipfile.BadZipFile(f"a zipped loan book holds one file, this holds {len(members)}")
        return archive.open(members[0])
    return open(source, "rb")  # closed by the caller's with-block


def _check_width(source: Path) -> None:
    """Refuse a header too large to read (:data:`MAX_HEADER_BYTES`, :data:`MAX_PARQUET_FOOTER_BYTES`),
    reading at most that much: before pandas or pyarrow parse it whole."""
    if file_kind(source) == "parquet":
        with open(source, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            if stream.tell() < 12:
                return  # too short to be Parquet: pyarrow says so
            stream.seek(-8, os.SEEK_END)
            tail = stream.read(8)
        if tail[4:] != b"PAR1":
            return  # not Parquet at all: pyarrow says so
        footer = int.from_bytes(tail[:4], "little")
        if footer > MAX_PARQUET_FOOTER_BYTES:
            raise BookTooWide(
                f"the Parquet footer (schema and statistics) is {footer:,} bytes, over the "
                f"{MAX_PARQUET_FOOTER_BYTES:,} a loan book of at most {MAX_BOOK_COLUMNS:,} columns needs"
            )
        return
    with _open_csv_bytes(source) as stream:
        head = stream.read(2 * MAX_HEADER_BYTES + 1)
    for what, ended, fields in _first_records(head, 2):
        if not ended:
            raise BookTooWide(
                f"the {what} is longer than {MAX_HEADER_BYTES:,} bytes; a loan book has at most "
                f"{MAX_BOOK_COLUMNS:,} columns"
            )
        if fields > MAX_BOOK_COLUMNS:
            raise BookTooWide(
                f"the {what} has {fields:,} columns; a loan book has at most {MAX_BOOK_COLUMNS:,}"
            )


#: What separates a CSV's cells and records (a CRLF is one record end; a bare CR, as old Mac exports
#: write, is one too).
_CSV_TOKEN = re.compile(rb'"|\r\n|\r|\n|,')


def _first_records(head: bytes, count: int) -> list[tuple[str, bool, int]]:
    """The first ``count`` records of a CSV's opening bytes: (which, whether it ends within
    :data:`MAX_HEADER_BYTES` of its start or at the end of the file, its number of cells).

    Quote-aware, as pandas reads them: a line break inside quotes is part of a cell, so a quoted break
    cannot hide a header of a million cells behind a short first line (diff review).
    """
    found: list[tuple[str, bool, int]] = []
    names = ("header line", "first row")
    start, cells, quoted = 0, 1, False
    for token in _CSV_TOKEN.finditer(head):
        if token.start() - start > MAX_HEADER_BYTES:
            break
        mark = token.group()
        if mark == b'"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
        elif quoted:
            continue
        elif mark == b",":
            cells += 1
            if cells > MAX_BOOK_COLUMNS:
                return [*found, (names[len(found)], True, cells)]
        else:
            found.append((names[len(found)], True, cells))
            if len(found) == count:
                return found
            start, cells = token.end(), 1
    at_end = len(head) <= 2 * MAX_HEADER_BYTES and len(head) - start <= MAX_HEADER_BYTES
    if len(found) < count and (start < len(head) or not at_end):
        found.append((names[len(found)], at_end, cells))
    return found


def check_book(path: str | Path) -> list[str]:
    """The columns of a loan book that can be rated at all; raises naming the first column that cannot.

    Refused, for the whole file: a column name given twice (which of the two is the borrower's?), a ``__``
    column the flat format does not know or a clash with a result column (:func:`passthrough_columns`), and
    in Parquet a column of lists, structs, maps or bytes, which no flat field holds and no CSV can show.
    Reading the header raises what pandas or pyarrow raise for a file that is not what its name says.

    Raises
    ------
    InvalidInputError
        ``field`` is the column's name, ``message`` says why and what to do.
    BookTooWide
        A header past :data:`MAX_BOOK_COLUMNS` columns or :data:`MAX_HEADER_BYTES`, checked before it is
        parsed.
    pandas.errors.ParserError
        A CSV whose first data row has more cells than the header, named as a later such line is named
        while the book is read (:func:`read_raw_chunks`).
    """
    source = Path(path)
    _check_width(source)
    if file_kind(source) == "parquet":
        schema = pq.ParquetFile(source).schema_arrow
        names = list(schema.names)
    else:
        schema = None
        # the header as written: pandas renames a repeated name (``a.1``), which would hide it
        header = pd.read_csv(source, header=None, nrows=1, dtype=str, keep_default_na=False,
                             index_col=False, encoding=CSV_ENCODING)
        names = [str(name) for name in header.iloc[0]] if len(header) else []
    if len(names) > MAX_BOOK_COLUMNS:
        raise BookTooWide(
            f"the file has {len(names):,} columns; a loan book has at most {MAX_BOOK_COLUMNS:,}"
        )
    passthrough_columns(names)  # a repeated name first, then unknown and clashing names
    if schema is None:
        _refuse_long_first_row(source, len(names))  # a later long line refuses the file as it is read
    else:
        for field in schema:
            if not _plain(field.type):
                raise InvalidInputError(
                    field.name, f"holds {field.type} values, which no flat field takes and no CSV can "
                    "hold; store the column as text or numbers, or leave it out")
    return names


def _plain(kind: pa.DataType) -> bool:
    """A cell type a CSV can hold as text and a row can be rated from (no nesting, no raw bytes)."""
    if pa.types.is_dictionary(kind):
        return _plain(kind.value_type)
    binary = (pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
              or pa.types.is_fixed_size_binary(kind) or pa.types.is_binary_view(kind))
    return not (pa.types.is_nested(kind) or binary)


def count_rows(path: str | Path) -> int | None:
    """Rows in the file when cheap to know (Parquet metadata); ``None`` for CSV (that needs a full read)."""
    source = Path(path)
    if file_kind(source) == "parquet":
        return int(pq.ParquetFile(source).metadata.num_rows)
    return None



def write_loan_book(path: str | Path, n_rows: int, seed: int, chunk_rows: int = 100_000) -> int:
    """Write a SYNTHETIC book of ``n_rows`` borrowers (:func:`rating_model.loan_book.iter_loan_book`) to CSV
    or Parquet (by extension), streaming; returns the rows."""
    with ResultWriter(path) as writer:
        for chunk in iter_loan_book(n_rows, seed, chunk_rows):
            writer.write(chunk)
    return writer.rows

#: text a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @, a tab or a CR first
_FORMULA_START = r"^[=+\-@\t\r]"
#: ... unless the whole cell is a plain number (``-12.5``), which no spreadsheet runs and which must read back
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def csv_safe(table: pa.Table) -> pa.Table:
    """``table`` with each text cell and column name a spreadsheet would run as a formula prefixed ``'``.

    Pass-through columns carry the bank's own text into a file that people open in spreadsheets, where
    ``=HYPERLINK(...)`` or ``@SUM(...)`` would run; the single quote (OWASP's advice) makes such a cell
    text. Only text columns change, only cells that start like a formula and are not a plain number, so the
    figures the engine computed and negative numbers stay as they are. For CSV output only: Parquet keeps
    the cells exactly as given.
    """
    for index, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_string_view(kind):
            kind = pa.string()  # neither Arrow's regex kernels nor its CSV writer take string views
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        column = table.column(index).cast(kind)
        risky = pc.and_(pc.match_substring_regex(column, _FORMULA_START),
                        pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)))
        if pc.any(risky).as_py():
            quoted = pc.binary_join_element_wise(pa.scalar("'", kind), column, pa.scalar("", kind))
            table = table.set_column(index, field.with_type(kind), pc.if_else(risky, quoted, column))
        elif kind != field.type:
            table = table.set_column(index, field.with_type(kind), column)
    # the header too: a pass-through column's name is the bank's text as well (security review)
    names = ["'" + name if _risky_text(name) else name for name in table.column_names]
    return table.rename_columns(names) if names != table.column_names else table


def _risky_text(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (the test :func:`csv_safe` makes per cell)."""
    return re.match(_FORMULA_START, text) is not None and re.match(_PLAIN_NUMBER, text) is None


class ResultWriter:
    """Appends result chunks to one CSV or Parquet file (by extension), with the first chunk's schema.

    Parquet: one row group per chunk through :class:`pyarrow.parquet.ParquetWriter`. CSV: a header, then
    rows, ``\\n`` line ends, text that a spreadsheet would run as a formula quoted (:func:`csv_safe`),
    compressed when the name says so (``.csv.gz``, ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``), as pandas
    and this module read it back. The file appears under its name only when closed without error (written
    to a temporary name, then renamed), so a crashed batch never leaves a plausible half file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.kind = file_kind(self.path)
        self._partial = self.path.with_name(f".{self.path.name}.partial")
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._csv: Any = None
        self._streams: list[Any] = []  # under the CSV writer: the file, then the archive or compressor
        self.rows = 0

    def __enter__(self) -> ResultWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self

    def write(self, chunk: pd.DataFrame | pa.Table) -> None:
        """Append a chunk; a table typed differently from the first chunk is cast to its schema."""
        if isinstance(chunk, pa.Table):
            table = chunk
            if self._schema is not None and not table.schema.equals(self._schema, check_metadata=False):
                table = table.cast(self._schema)
        else:
            table = pa.Table.from_pandas(chunk, preserve_index=False, schema=self._schema)
        if self._schema is None:
            self._schema = table.schema
        if self.kind == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._partial, self._schema)
            self._parquet.write_table(table)
        else:
            safe = csv_safe(table)
            if self._csv is None:
                self._csv = pa_csv.CSVWriter(self._csv_sink(), safe.schema)
            self._csv.write_table(safe)
        self.rows += len(chunk)

    def _csv_sink(self) -> Any:
        """The temporary file as a binary stream, compressed as the name says; closed by ``__exit__``.

        Compressed output is deterministic (no time stamp) and names what it holds as pandas does: the
        gzip header and the zip archive's only member carry the file name without the compression suffix.
        """
        compression = csv_compression(self.path)
        if compression is None:
            self._streams.append(pa.OSFile(str(self._partial), "wb"))
            return self._streams[-1]
        inner = self.path.name[: self.path.name.lower().rindex(".")]  # rated.csv.gz -> rated.csv
        if compression == "zip":
            archive = zipfile.ZipFile(self._partial, "w")
            member = zipfile.ZipInfo(inner, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            self._streams += [archive, archive.open(member, "w", force_zip64=True)]
        elif compression == "gzip":
            raw = open(self._partial, "wb")  # closed with the other streams by __exit__
            self._streams += [raw, gzip.GzipFile(inner, "wb", compresslevel=6, fileobj=raw, mtime=0)]
        else:
            self._streams.append(bz2.BZ2File(self._partial, "wb") if compression == "bz2"
                                 else lzma.LZMAFile(self._partial, "wb"))
        return self._streams[-1]

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None and self._schema is None:  # no chunk: a file with no columns, valid in its format
                if self.kind == "parquet":
                    pq.write_table(pa.table({}), self._partial)
                else:
                    self._csv_sink()  # empty, compressed if the name says so
            writers = [w for w in (self._parquet, self._csv) if w is not None]
            for closable in (*writers, *reversed(self._streams)):
                closable.close()
        except BaseException:
            self._partial.unlink(missing_ok=True)
            raise
        if kind is None:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)


# -- parallel rating ----------------------------------------------------------------------------------------

def rate_chunks(
    chunks: Iterable[Chunk],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
) -> Iterator[pd.DataFrame]:
    """Rated chunks in input order, rated by ``workers`` processes (the packaged model unless given).

    At most ``2 × workers`` chunks are in flight, so a slow consumer (a disk, a network) holds the
    reading back instead of letting results pile up in memory. With one worker, everything runs in this
    process (no start-up cost: the right choice for small files and for tests). ``checks``: the whole
    book's cross-row checks (:func:`scan_file`); ``None`` checks each chunk on its own.
    """
    return _rate_chunks(functools.partial(rated_frame, checks=checks), _placed(chunks), model_document,
                        workers)


def rate_placed_chunks(
    chunks: Iterable[tuple[Chunk, int]],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
) -> Iterator[pd.DataFrame]:
    """:func:`rate_chunks` for ``(chunk, first_row)`` pairs: chunks that say where they start in the file,
    so that a resumed portfolio job rates only the chunks it has not done yet."""
    return _rate_chunks(functools.partial(rated_frame, checks=checks), chunks, model_document, workers)


def rate_chunks_as_tables(
    chunks: Iterable[Chunk],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
) -> Iterator[pa.Table]:
    """:func:`rate_chunks` with each result as an Arrow table: what a file writer wants, made cheaply."""
    return _rate_chunks(functools.partial(rated_table, checks=checks), _placed(chunks), model_document,
                        workers)


def scan_file(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> BookChecks:
    """The cross-row checks of a whole book file (:mod:`rating_model.book_checks`): a first pass over it,
    reading and typing each chunk (a few percent of the time rating it takes), and a second only when a
    borrower id repeats."""
    return scan_book(lambda: read_chunks(path, chunk_rows))


def _placed(chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, int]]:
    """Each chunk with the position of its first row, for chunks that follow each other from row 0."""
    first_row = 0
    for chunk in chunks:
        yield chunk, first_row
        first_row += chunk_length(chunk)


def _rate_chunks(job: Callable[[Engine, Chunk, int], T], chunks: Iterable[tuple[Chunk, int]],
                 model_document: Mapping[str, Any] | None, workers: int | None) -> Iterator[T]:
    n_workers = default_workers() if workers is None else workers
    if n_workers <= 1:
        engine = Engine.load(model_document)
        for chunk, first_row in chunks:
            yield job(engine, chunk, first_row)
        return
    model_json = None if model_document is None else json.dumps(model_document)
    pending: deque[Future[T]] = deque()
    # what a worker runs lives in book_chunks: preloaded by the fork server, it is all a worker imports
    context = worker_context([book_chunks.__name__, start_worker.__module__])
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=start_worker,
                               initargs=(load_worker_engine, model_json))
    try:
        for chunk, first_row in chunks:
            pending.append(pool.submit(in_worker, job, chunk, first_row))
            if len(pending) >= n_workers * _IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        # abandoned (an error, a job timeout, a consumer that stopped): wait only for the chunks being
        # rated, not for the ones still queued
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What one batch did: rows read, rated and refused, and how long it took."""

    rows: int
    rated: int
    errors: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"rows": self.rows, "rated": self.rated, "errors": self.errors,
                "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows_per_second, 1)}


def rate_file(
    source: str | Path,
    target: str | Path,
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """Rate a CSV/Parquet loan book into a CSV/Parquet result file (formats by extension, independently).

    Raises
    ------
    InvalidInputError
        When the file's columns cannot be rated at all (:func:`check_book`): nothing is written.
    pyarrow.ArrowException
        For an error Arrow raises on the way (a malformed file, a type it cannot convert). Nothing is
        written.
    """
    check_book(source)  # refuse a bad header before any worker starts
    started = time.perf_counter()
    checks = scan_file(source, chunk_rows)
    rows = errors = 0
    with ResultWriter(target) as writer:
        chunks = read_raw_chunks(source, chunk_rows)
        for result in rate_chunks_as_tables(chunks, model_document=model_document, workers=workers,
                                            checks=checks):
            writer.write(result)
            rows += result.num_rows
            errors += result.num_rows - result.column("error").null_count
            if progress is not None:
                progress(result.num_rows)
    return BatchReport(rows, rows - errors, errors, time.perf_counter() - started)
