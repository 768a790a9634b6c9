"""Files the batch writes: result files (CSV or Parquet, compressed as named, formulas quoted) and books.

A result file appears under its name only when it is complete (:class:`ResultWriter`); CSV output quotes
text that a spreadsheet would run as a formula (:func:`csv_safe`, the portfolio download's too). A SYNTHETIC
loan book to try the batch on is written the same way (:func:`write_loan_book`).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import zipfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from rating_model.flat import csv_compression, file_kind
from rating_model.loan_book import iter_loan_book

__all__ = ["ResultWriter", "csv_safe", "write_loan_book"]

#: text a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @, a tab or a CR first, and a
#: NUL, which OWASP ASVS 5.0 (V1.2.10) names too: a reader that drops it sees the formula behind it
_FORMULA_START = r"^[=+\-@\t\r\x00]"
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
    and :mod:`service.batch.files` read it back. The file appears under its name only when closed without
    error (written to a temporary name, then renamed), so a crashed batch never leaves a plausible half file.
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


def write_loan_book(path: str | Path, n_rows: int, seed: int, chunk_rows: int = 100_000) -> int:
    """Write a SYNTHETIC book of ``n_rows`` borrowers (:func:`rating_model.loan_book.iter_loan_book`) to CSV
    or Parquet (by extension), streaming; returns the rows."""
    with ResultWriter(path) as writer:
        for chunk in iter_loan_book(n_rows, seed, chunk_rows):
            writer.write(chunk)
    return writer.rows
