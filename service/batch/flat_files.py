"""Flat operating-data files read and written whole: training data, generated populations, small books.

The format (columns, dtypes, what a file's name says) is :mod:`rating_model.flat`'s; reading and writing
the files is here, with the service's other file I/O, so that the engine stays pure computation. A loan
book too large for memory is streamed a chunk at a time by :mod:`service.batch.files` instead, with the
same reading rules: only an empty CSV cell is missing, a UTF-8 byte-order mark is not part of the first
column's name, a first data row longer than the header is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rating_model.exceptions import InvalidInputError
from rating_model.flat import (
    CSV_ENCODING,
    LABEL_COLUMN,
    csv_compression,
    csv_dtypes,
    file_kind,
    typed_labels,
    with_flat_dtypes,
)

__all__ = ["OtherSeparator", "other_separator", "read_as_text", "read_frame", "refuse_long_first_row",
           "refuse_nested_columns", "write_frame"]

#: the separators a spreadsheet's "CSV" may use instead of the comma, and how a refusal names each
_OTHER_SEPARATORS = {
    ";": "semicolons (as spreadsheet programs save CSV where the decimal mark is a comma)",
    "\t": "tabs (a tab-separated export)",
    "|": "vertical bars",
}


class OtherSeparator(ValueError):
    """A flat CSV whose cells are separated by another character than the comma."""


def other_separator(header: Sequence[str]) -> str | None:
    """How the separator of a CSV read as one column is named (the commonest of semicolon, tab and
    vertical bar in that column's name), or None when the header is not one such column.

    Read with commas, a semicolon-separated header is one column, and the first line holding a comma
    anywhere (a name, a decimal comma) is refused as "Expected 1 fields in line 17, saw 2", which names
    neither the separator nor the fix. Such a file is refused, not read with its own separator: its numbers
    would carry decimal commas (``1,5``), which the flat format does not read as numbers.
    """
    if len(header) != 1:
        return None
    counts = {mark: str(header[0]).count(mark) for mark in _OTHER_SEPARATORS}
    mark, times = max(counts.items(), key=lambda item: item[1])
    return _OTHER_SEPARATORS[mark] if times else None


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a flat CSV or Parquet file with every known column in its documented dtype.

    Only empty CSV cells are missing (``"NA"`` stays text); pandas parses the written floats back exactly
    (the tests check it). Columns outside the format are kept as read;
    :func:`rating_model.flat.payloads_from_frame` decides what to do with them.
    """
    source = Path(path)
    if file_kind(source) == "csv":
        header = pd.read_csv(source, nrows=0, index_col=False, encoding=CSV_ENCODING).columns
        refuse_long_first_row(source)
        frame = pd.read_csv(source, dtype=csv_dtypes(header), keep_default_na=False, na_values=[""],
                            index_col=False, encoding=CSV_ENCODING)
        if LABEL_COLUMN in frame.columns:
            frame[LABEL_COLUMN] = typed_labels(frame[LABEL_COLUMN])
        return frame
    refuse_nested_columns(pq.read_schema(source))
    return with_flat_dtypes(pd.read_parquet(source, engine="pyarrow"))


def refuse_nested_columns(schema: pa.Schema) -> None:
    """Raise :class:`~rating_model.exceptions.InvalidInputError` naming the first Parquet column whose
    cells are not plain values (lists, structs, maps, raw bytes).

    The flat format holds one number or text per cell. A list column outside the format crashed the
    commands that hash a file's rows (evaluate, compare, report: "unhashable type"), and one in a text
    column of the format was read as its repr (``"['a' 'b']"``) and trained on; a loan book's such column
    was already refused so (:func:`service.batch.files.check_book`), in these words.
    """
    for field in schema:
        if not plain_type(field.type):
            raise InvalidInputError(
                field.name, f"holds {field.type} values, which no flat field takes and no CSV can hold; "
                "store the column as text or numbers, or leave it out")


def plain_type(kind: pa.DataType) -> bool:
    """A cell type a CSV can hold as text and a row can be rated from (no nesting, no raw bytes)."""
    if pa.types.is_dictionary(kind):
        return plain_type(kind.value_type)
    binary = (pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
              or pa.types.is_fixed_size_binary(kind) or pa.types.is_binary_view(kind))
    return not (pa.types.is_nested(kind) or binary)


def read_as_text(path: str | Path) -> pd.DataFrame:
    """The file with every cell as text (CSV) or as stored (Parquet): nothing coerced, nothing lost.

    What ``greenrate model validate-data`` checks (:func:`rating_model.validation.validate_frame`), so
    that every cell that would not convert is reported by its row instead of stopping the read.
    """
    source = Path(path)
    if file_kind(source) == "parquet":
        return read_frame(source)
    refuse_long_first_row(source)
    return pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""], index_col=False,
                       encoding=CSV_ENCODING)


def write_frame(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a flat frame as CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``, ``.pq``), by extension.

    CSV is written with ``\\n`` line ends and Python's shortest round-trip float text, so the same frame
    always gives the same bytes and :func:`read_frame` gives the same numbers back.
    """
    target = Path(path)
    if file_kind(target) == "csv":
        frame.to_csv(target, index=False, lineterminator="\n", compression=csv_compression(target))
    else:
        frame.to_parquet(target, index=False, engine="pyarrow")


def refuse_long_first_row(path: str | Path) -> None:
    """Raise pandas' own ``ParserError`` when a CSV's first data row has more cells than its header (and
    :class:`OtherSeparator` when the header is one column separated otherwise: :func:`other_separator`).

    pandas refuses such a line anywhere else in a file, but on the first data row it takes the extra cell
    to mean that the first column is the frame's index and reads every row one column off (with
    ``index_col=False``, which every read here passes, it drops the row's last cell instead, with only a
    warning). Read without a header, the header line sets the width and that row is refused like any
    other long line ("Expected N fields in line 2, saw N+1").
    """
    header = pd.read_csv(path, nrows=0, index_col=False, encoding=CSV_ENCODING).columns
    separator = other_separator([str(name) for name in header])
    if separator is not None:
        raise OtherSeparator(f"the header reads as a single column: this file's cells are separated by "
                             f"{separator}, not by commas as the flat format's are; save it as "
                             "comma-separated CSV UTF-8")
    pd.read_csv(path, header=None, nrows=2, dtype=str, keep_default_na=False, index_col=False,
                encoding=CSV_ENCODING)
