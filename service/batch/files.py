"""Loan-book files read for the batch rater: checked before they are read, then streamed in chunks.

A bank's book can be millions of rows; memory must not grow with it. Chunks are read one at a time
(Parquet record batches, CSV ``chunksize``) and typed as :mod:`rating_model.book_chunks` types them; a
header too wide to read safely, a column that cannot be rated and a CSV line with too many cells refuse the
whole file before anything is rated. :mod:`service.batch.pool` rates the chunks on every core,
:mod:`service.batch.writer` writes the results.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rating_model.batch import passthrough_columns
from rating_model.book_checks import BookChecks, scan_book
from rating_model.book_chunks import Chunk, as_frame, typed_frame
from rating_model.flat import CSV_ENCODING, FLAT_DTYPES, csv_compression, file_kind
from service.batch.flat_files import other_separator, refuse_long_first_row, refuse_nested_columns

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "BookTooWide",
    "BookUnreadable",
    "check_book",
    "count_rows",
    "read_chunks",
    "read_raw_chunks",
    "scan_file",
]

#: rows per chunk: large enough that per-chunk overhead vanishes, small enough to keep memory flat
DEFAULT_CHUNK_ROWS = 25_000


def read_chunks(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a CSV or Parquet loan book, ``chunk_rows`` at a time, with the flat format's dtypes.

    CSV follows :func:`service.batch.flat_files.read_frame`: only an empty cell is missing (``"NA"`` is text).
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
    # the reader is a context manager: closed when the consumer stops early too (a superseded or cancelled
    # portfolio run), where it had been left open (a ResourceWarning)
    with pd.read_csv(source, dtype=dtypes, keep_default_na=False, na_values=[""], index_col=False,
                     chunksize=chunk_rows, encoding=CSV_ENCODING) as chunks:
        try:
            for chunk in chunks:
                yield typed_frame(chunk)
        except pd.errors.ParserError as exc:
            raise pd.errors.ParserError(_ragged_line(str(exc), len(header))) from None


def _refuse_long_first_row(source: Path, columns: int) -> None:
    """:func:`service.batch.flat_files.refuse_long_first_row`, said as :func:`_ragged_line` says a later
    line."""
    try:
        refuse_long_first_row(source)
    except pd.errors.ParserError as exc:
        raise pd.errors.ParserError(_ragged_line(str(exc), columns)) from None


_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED = re.compile(r"EOF inside string starting at row (\d+)")


def _ragged_line(message: str, columns: int) -> str:
    """pandas' message for a line with more cells than the header, or for a quote never closed, said in
    the results' row numbers.

    Such a line is refused with the whole file, not made that row's error: its cells are most likely
    shifted (a comma in an unquoted name), so every cell after it would be read into the wrong column; after
    an unclosed quote every later line would be read into one cell.
    """
    unclosed = _UNCLOSED.search(message)
    if unclosed is not None:
        line = int(unclosed.group(1)) + 1
        where = "the header line" if line == 1 else (
            f"line {line} (row {line - 2} of the results, counting from 0 after the header, if no blank line "
            "or cell with a line break comes before it)")
        return (f"{where} opens a quoted cell that is never closed: every line after it would be read into "
                "that cell, so the file was not rated; close the quote, or double a quote inside a quoted "
                "cell (\"\")")
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


#: The opening bytes of a CSV book (once decompressed) read whole by :func:`check_book`, as the batch reads
#: them: a file that is not CSV at all shows in them, and a bad line there refuses the file before anything
#: is queued or rated instead of failing a job later (a PCAF audit: a malformed book was accepted at upload
#: and failed in the worker). Most books are smaller than this, and are read whole; a bad line further into
#: a larger one still fails its job, naming the line. Bounded, so that a check never costs a web worker
#: more than a few tens of megabytes, whatever the upload (a compressed book is small for its rows).
SAMPLE_BYTES = 1024 * 1024


class BookTooWide(ValueError):
    """A loan book whose header is too large to read safely; the message says the limit."""


class BookUnreadable(ValueError):
    """A loan book that cannot be read as the format its name declares (empty, binary, not UTF-8, not
    comma-separated); the message says what is wrong and what to do."""


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
        return _open_zip_member(source)
    return open(source, "rb")  # closed by the caller's with-block


#: A zip's end-of-central-directory record, and zip64's record and the locator just before it (APPNOTE 4.3)
_EOCD, _EOCD64, _EOCD64_LOCATOR = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_EOCD_BYTES, _EOCD64_BYTES, _EOCD64_LOCATOR_BYTES = 22, 56, 20
#: The largest central directory of a zip holding one file: a 46-byte entry, its name, extra field and
#: comment (each at most 65,535 bytes). zipfile reads and parses as many bytes as the end record says the
#: directory has, whatever number of files that record claims.
_ONE_MEMBER_DIRECTORY = 46 + 3 * 0xFFFF
#: what the zip's file may be compressed with: what zipfile (and so pandas, in the worker) decompresses
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_ZIP_METHOD_NAMES = {9: "Deflate64", 93: "Zstandard", 95: "XZ", 96: "JPEG", 97: "WavPack", 98: "PPMd"}
#: the general-purpose flag bits of a file encrypted (traditional PKWARE, strong) and the method number of
#: WinZip's AES encryption, which zipfile cannot decrypt
_ZIP_ENCRYPTED_FLAGS, _ZIP_AES = 0x1 | 0x40, 99
_ZIP_ENCRYPTED = "the zip is encrypted: upload it without a password"
_ZIP_REZIP = "zip the CSV again with the usual Deflate method, or upload it as .csv.gz or uncompressed"
_ZIP_ONE = "zip the CSV alone, or upload it as .csv.gz or uncompressed"


def _zip_directory(source: Path) -> tuple[int, int] | None:
    """The number of files and the bytes of the central directory a zip's end record declares, found as
    :mod:`zipfile` finds it (a record without comment at the very end, else the last signature in the
    final 64 KiB; the zip64 record just before it when its locator is there); ``None`` without one.

    Read before :class:`zipfile.ZipFile` is, which parses the whole directory first: 34 MB of 400,000
    empty files took 208 MB and 2.5 s of a web worker to be refused for holding more than one (diff
    review).
    """
    with open(source, "rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        if size < _EOCD_BYTES:
            return None
        start = max(size - 0xFFFF - _EOCD_BYTES, 0)
        stream.seek(start)
        tail = stream.read()
        if tail.startswith(_EOCD, len(tail) - _EOCD_BYTES) and tail.endswith(b"\0\0"):
            at = len(tail) - _EOCD_BYTES
        else:
            at = tail.rfind(_EOCD)
            if at < 0 or len(tail) - at < _EOCD_BYTES:
                return None
        members, directory = struct.unpack_from("<HI", tail, at + 10)
        record = start + at
        if record < _EOCD64_LOCATOR_BYTES + _EOCD64_BYTES:
            return members, directory
        stream.seek(record - _EOCD64_LOCATOR_BYTES - _EOCD64_BYTES)
        zip64 = stream.read(_EOCD64_BYTES + _EOCD64_LOCATOR_BYTES)
    if zip64[_EOCD64_BYTES:].startswith(_EOCD64_LOCATOR) and zip64.startswith(_EOCD64):
        members, directory = struct.unpack_from("<QQ", zip64, 32)
    return members, directory


def _open_zip_member(source: Path) -> Any:
    """The only file of a zipped book, opened for reading; refused before :mod:`zipfile` parses a
    directory of many files, and in words for what zipfile cannot read (a password, Deflate64, AES), which
    it raises as RuntimeError and NotImplementedError: an upload had been answered 500."""
    declared = _zip_directory(source)
    if declared is not None:  # without an end record, zipfile says "File is not a zip file"
        members, directory = declared
        if members != 1:
            raise BookUnreadable(f"a zipped loan book holds one file, this zip holds {members:,}: {_ZIP_ONE}")
        if directory > _ONE_MEMBER_DIRECTORY:
            raise BookUnreadable(f"the zip's directory is {directory:,} bytes, more than a zip of one file "
                                 f"has: {_ZIP_ONE}")
    try:
        archive = zipfile.ZipFile(source)
    except NotImplementedError as exc:  # a zip format version past what zipfile reads
        raise BookUnreadable(f"the zip cannot be read ({exc}): {_ZIP_REZIP}") from None
    try:
        members = len(archive.infolist())
        if members != 1:  # more entries than the end record said
            raise BookUnreadable(f"a zipped loan book holds one file, this zip holds {members:,}: {_ZIP_ONE}")
        [info] = archive.infolist()
        if info.flag_bits & _ZIP_ENCRYPTED_FLAGS or info.compress_type == _ZIP_AES:
            raise BookUnreadable(_ZIP_ENCRYPTED)
        if info.compress_type not in _ZIP_METHODS:
            method = _ZIP_METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise BookUnreadable(f"the zip's file is compressed with {method}, which cannot be read: "
                                 f"{_ZIP_REZIP}")
        try:
            return archive.open(info)
        except NotImplementedError as exc:  # compressed patched data (flag bit 5)
            raise BookUnreadable(f"the zip cannot be read ({exc}): {_ZIP_REZIP}") from None
    except BaseException:
        archive.close()
        raise


def _check_width(source: Path, head: bytes = b"") -> None:
    """Refuse a header too large to read (:data:`MAX_HEADER_BYTES`, :data:`MAX_PARQUET_FOOTER_BYTES`),
    reading at most that much: before pandas or pyarrow parse it whole. ``head`` is a CSV's opening
    bytes, decompressed (:func:`_csv_head`)."""
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


def _csv_head(source: Path) -> bytes:
    """The CSV's first :data:`SAMPLE_BYTES` + 1 bytes, decompressed: one more than is sampled, to tell a
    book read whole from one cut short."""
    with _open_csv_bytes(source) as stream:
        head: bytes = stream.read(SAMPLE_BYTES + 1)
    return head


def _check_text(head: bytes) -> None:
    """Refuse opening bytes that are no CSV text at all: nothing, binary data, or not UTF-8.

    Raises
    ------
    BookUnreadable
        Saying where, and how to save the book instead.
    """
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        raise BookUnreadable("the file is empty: a loan book is a CSV file whose first line names its "
                             "columns (company__name, energy__electricity_kwh, ...), then one loan a line")
    nul = head.find(b"\x00")
    if nul >= 0:
        raise BookUnreadable(
            f"binary data, not CSV text (a NUL byte at byte {nul:,}; a spreadsheet file renamed .csv, or "
            "text saved as UTF-16 'Unicode text', has them): save the loan book as CSV UTF-8")
    try:
        _complete_lines(head).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BookUnreadable(
            f"not UTF-8 text (byte {exc.start:,} is 0x{head[exc.start]:02x}, {exc.reason}): save the loan "
            "book as CSV UTF-8 (a spreadsheet's 'CSV UTF-8' type; GBK or Latin-1 text is refused)") from None


def _complete_lines(head: bytes) -> bytes:
    """``head`` without the line it cuts short: all of it when it is the whole file, else up to its last
    line break (never inside a character: no byte of a multi-byte UTF-8 character is a line break)."""
    if len(head) <= SAMPLE_BYTES:
        return head
    head = head[:SAMPLE_BYTES]
    end = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    return head[:end] if end > 0 else head


def _check_sample(head: bytes) -> list[str]:
    """Read the book's opening lines as the batch reads them; returns the header's names as written.

    Read without a header, every line (the first data row too) is held to the header's width: a line with
    more cells refuses the file, as it would while rated (:func:`read_raw_chunks`). A quote still open where
    a sample cut short ends may close further on: only one open at the end of the file is refused.

    Raises
    ------
    pandas.errors.ParserError
        A line with more cells than the header, or a quote never closed, named by its line.
    BookUnreadable
        Such a line under a header of one column separated otherwise (:func:`_refuse_other_delimiters`).
    """
    sample = _complete_lines(head)
    read = functools.partial(pd.read_csv, header=None, dtype=str, keep_default_na=False, index_col=False,
                             encoding=CSV_ENCODING)
    try:
        lines = read(io.BytesIO(sample))
    except pd.errors.ParserError as exc:
        message = str(exc)
        if not (len(head) > SAMPLE_BYTES and _UNCLOSED.search(message)):
            # a semicolon-separated book's first decimal comma makes a line "longer" than its one-column
            # header: said as the separator it is, not as that line (it had been, for any such book)
            _refuse_other_delimiters([str(name) for name in read(io.BytesIO(sample), nrows=1).iloc[0]])
            expected = _RAGGED.search(message)
            raise pd.errors.ParserError(
                _ragged_line(message, int(expected.group(1)) if expected else 0)) from None
        # the lines before the open quote were read (pandas stops at the first bad line): the header stands
        lines = read(io.BytesIO(sample), nrows=1)
    return [str(name) for name in lines.iloc[0]] if len(lines) else []


def _refuse_other_delimiters(names: list[str]) -> None:
    """A header read as one column holding semicolons (tabs, bars) is a CSV of another convention."""
    shown = other_separator(names)
    if shown is not None:
        raise BookUnreadable(
            f"the header reads as a single column: this file's cells are separated by {shown}, not by commas "
            "as a loan book's are; save it as comma-separated CSV UTF-8")


def check_book(path: str | Path) -> list[str]:
    """The columns of a loan book that can be rated at all; raises naming the first column that cannot.

    Refused, for the whole file: a column name given twice (which of the two is the borrower's?), a ``__``
    column the flat format does not know or a clash with a result column (:func:`passthrough_columns`), and
    in Parquet a column of lists, structs, maps or bytes, which no flat field holds and no CSV can show. A
    CSV's first :data:`SAMPLE_BYTES` are read as the batch will read them: an empty file, binary data, text
    that is not UTF-8, cells separated by something else than commas, and a line with more cells than the
    header or a quote never closed in them, refuse the file. Reading the header raises what pandas or
    pyarrow raise for a file that is not what its name says (a compressed file that does not decompress).

    Raises
    ------
    InvalidInputError
        ``field`` is the column's name, ``message`` says why and what to do.
    BookTooWide
        A header past :data:`MAX_BOOK_COLUMNS` columns or :data:`MAX_HEADER_BYTES`, checked before it is
        parsed.
    BookUnreadable
        A CSV that is not CSV text, or not comma-separated.
    pandas.errors.ParserError
        A CSV line within the sample with more cells than the header or a quote never closed, named as such
        a line further on is named while the book is read (:func:`read_raw_chunks`).
    """
    source = Path(path)
    if file_kind(source) == "parquet":
        _check_width(source)
        schema = pq.ParquetFile(source).schema_arrow
        names = list(schema.names)
    else:
        schema = None
        head = _csv_head(source)
        _check_text(head)
        _check_width(source, head)
        # the header as written (pandas renames a repeated name, ``a.1``, which would hide it), and every
        # line of the sample held to its width
        names = _check_sample(head)
        _refuse_other_delimiters(names)
    if len(names) > MAX_BOOK_COLUMNS:
        raise BookTooWide(
            f"the file has {len(names):,} columns; a loan book has at most {MAX_BOOK_COLUMNS:,}"
        )
    passthrough_columns(names)  # a repeated name first, then unknown and clashing names
    if schema is not None:
        refuse_nested_columns(schema)
    return names


def count_rows(path: str | Path) -> int | None:
    """Rows in the file when cheap to know (Parquet metadata); ``None`` for CSV (that needs a full read)."""
    source = Path(path)
    if file_kind(source) == "parquet":
        return int(pq.ParquetFile(source).metadata.num_rows)
    return None


def scan_file(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> BookChecks:
    """The cross-row checks of a whole book file (:mod:`rating_model.book_checks`): a first pass over it,
    reading and typing each chunk (a few percent of the time rating it takes), and a second only when a
    borrower id repeats."""
    return scan_book(lambda: read_chunks(path, chunk_rows))
