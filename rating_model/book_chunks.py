"""A chunk of a loan book between a file and the engine: typed to the flat format, rated where the engine is.

Pure computation on frames and Arrow batches in memory, no I/O: the files are read and written, and the
worker processes started, by :mod:`service.batch`. What a batch worker runs lives here, so that a worker
imports the engine's modules and this one, never the service's (Flask, SQLAlchemy: 0.5 s and 45 MB more in
each process): the chunk's columns in the flat format's dtypes (:func:`as_frame`), and the chunk rated into
a frame or an Arrow table (:func:`rated_frame`, :func:`rated_table`) with the engine the worker holds
(:func:`load_worker_engine`, :func:`in_worker`).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeAlias, TypeVar

import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

from rating_model.batch import rate_frame
from rating_model.book_checks import BookChecks
from rating_model.engine import Engine
from rating_model.flat import FLAT_DTYPES
from rating_model.flat_columns import DECIMAL

__all__ = ["Chunk", "as_frame", "chunk_length", "in_worker", "load_worker_engine", "rated_frame",
           "rated_table", "typed_frame"]

#: a chunk of a book as read: a frame (CSV) or an Arrow record batch (Parquet, converted where it is rated)
Chunk: TypeAlias = pd.DataFrame | pa.RecordBatch
T = TypeVar("T")


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every known flat column in its documented dtype where all its cells convert; other columns as read.

    A column is converted in one vectorised step. When one of its cells does not convert (``many`` or
    ``1,000`` where a number belongs, ``x`` in a Parquet text column), the column stays as read instead:
    :func:`rating_model.flat.payloads_from_frame` then converts it cell by cell and passes the cell that
    does not convert to the parser, which names it in that row's ``error`` exactly as ``POST /v1/ratings``
    names it (``company.employees: must be a number``) while the chunk's other rows are rated.
    """
    converted = {}
    for name in frame.columns:
        dtype = FLAT_DTYPES.get(name)
        if dtype is not None and str(frame[name].dtype) != dtype:
            column = _converted_column(frame[name], dtype)
            if column is not None:
                converted[name] = column
    if not converted:
        return frame
    out = frame.copy(deep=False)
    for name, column in converted.items():
        out[name] = column
    return out


#: boolean cells as text, as :func:`rating_model.flat_columns.cell_value` reads them
_BOOLEAN_TEXT = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _converted_column(series: pd.Series, dtype: str) -> pd.Series | None:
    """``series`` in ``dtype``; ``None`` when a cell does not convert (the column is then rated as read).

    Text becomes numbers through Python's own float parsing (``astype``), the one JSON numbers of the API
    go through, so a figure read from a CSV is the figure the API would rate. Cells that are not text (a
    Parquet column of numbers or booleans) are converted only where each cell would become the same
    value cell by cell (:func:`rating_model.flat_columns.cell_value`, what Spark's batches go through):
    numbers for number fields, booleans or 0/1 for flags. Anything else, such as numbers in a text field
    (``47`` for ``company__industry_code``), ``2`` for a flag or booleans for a number, stays as read, so
    that the parser refuses that cell in its row's ``error`` as ``POST /v1/ratings`` refuses it.
    """
    kind = infer_dtype(series, skipna=True)  # from the dtype alone, except for object columns
    try:
        if kind in ("string", "empty"):
            return _from_text(series, dtype)
        if dtype == "boolean":
            return _flags(series, kind)
        if kind not in _NUMBERS or dtype == "string":
            return None
        if dtype == "Int64" and kind != "integer":
            return _whole(series.astype("float64"))
        if dtype == "Int64" and str(series.dtype).lower() == "uint64" and (series >= 2**63).any():
            return None  # astype would wrap it round to a negative number
        return series.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return None


#: what :func:`pandas.api.types.infer_dtype` says of a column of real numbers (never of booleans)
_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float"})


def _from_text(series: pd.Series, dtype: str) -> pd.Series | None:
    """A text column (CSV cells, Parquet strings) in ``dtype``; ``None`` when a cell does not convert."""
    if dtype == "string":
        return series.astype(dtype)
    if dtype == "boolean":
        flags = series.str.strip().str.lower().map(_BOOLEAN_TEXT)
        return None if (series.notna() & flags.isna()).any() else flags.astype("boolean")
    cells = series.dropna().str.strip()
    if not cells.str.fullmatch(DECIMAL.pattern).all():
        return None  # "nan", "42_000", other scripts' digits: refused cell by cell, as the API refuses them
    numbers = series.astype("float64")
    return _whole(numbers) if dtype == "Int64" else numbers.astype(dtype)


def _whole(numbers: pd.Series) -> pd.Series | None:
    """Floats as ``Int64`` when every one is whole and exact; ``None`` otherwise."""
    whole = numbers.isna() | ((numbers % 1 == 0) & (numbers.abs() < 2.0**53))
    return numbers.astype("Int64") if whole.all() else None


def _flags(series: pd.Series, kind: str) -> pd.Series | None:
    """Booleans as they are, numbers as flags when every one is 0 or 1; ``None`` otherwise."""
    if kind == "boolean":
        return series.astype("boolean")
    if kind not in _NUMBERS:
        return None
    numbers = series.astype("float64")
    if not (numbers.isna() | numbers.isin((0.0, 1.0))).all():
        return None
    return numbers.eq(1.0).astype("boolean").mask(numbers.isna())


def chunk_length(chunk: Chunk) -> int:
    """Rows in a chunk, whichever form it has."""
    return chunk.num_rows if isinstance(chunk, pa.RecordBatch) else len(chunk)


def as_frame(chunk: Chunk) -> pd.DataFrame:
    """A chunk as the frame :func:`rating_model.batch.rate_frame` takes (Arrow in the flat dtypes)."""
    if isinstance(chunk, pd.DataFrame):
        return chunk
    return typed_frame(chunk.to_pandas(types_mapper=_arrow_to_pandas, use_threads=False))


def _arrow_to_pandas(kind: pa.DataType) -> Any:
    """Strings to pandas' ``string`` dtype and nullable ints/bools to their NA-aware dtypes.

    ``uint64`` becomes ``UInt64``: its values above 2**63 fit no ``Int64``.
    """
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype()
    if pa.types.is_uint64(kind):
        return pd.UInt64Dtype()
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    return None


# -- in a batch worker process ---------------------------------------------------------------------------

_WORKER_ENGINE: Engine | None = None


def load_worker_engine(model_json: str | None) -> None:
    """Build this worker's engine once, from the model document as JSON text (the packaged one if ``None``).

    Run in each worker as the pool starts it (with :func:`rating_model.worker_exit.start_worker`).
    """
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine.load(None if model_json is None else json.loads(model_json))


def in_worker(job: Callable[[Engine, Chunk, int], T], chunk: Chunk, first_row: int) -> T:
    """``job`` on a chunk with this worker's engine (:func:`load_worker_engine`)."""
    assert _WORKER_ENGINE is not None, "worker not initialised"
    return job(_WORKER_ENGINE, chunk, first_row)


def rated_frame(engine: Engine, chunk: Chunk, first_row: int, checks: BookChecks | None = None,
                issue_year: int | None = None, as_of: date | None = None) -> pd.DataFrame:
    """Rate a chunk with the cyclic garbage collector paused: about 10% faster, no more memory.

    Rating allocates many small acyclic objects (payload dicts, frozen dataclasses), all freed by
    reference counting; the collector's generation-0 passes over them find nothing to free. Enabled
    again after the chunk, it picks up anything cyclic. Only in batch processes, never in a server
    thread, because pausing the collector is process-wide. ``issue_year`` and ``as_of``: as
    :func:`~rating_model.batch.rate_frame` takes them (the parent's year, never a worker's clock).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return rate_frame(as_frame(chunk), engine, first_row=first_row, checks=checks, issue_year=issue_year,
                          as_of=as_of)
    finally:
        if enabled:
            gc.enable()


def rated_table(engine: Engine, chunk: Chunk, first_row: int, checks: BookChecks | None = None,
                issue_year: int | None = None, as_of: date | None = None) -> pa.Table:
    """The rated chunk as Arrow, converted in the process that rated it.

    Between processes a table travels as a few column buffers, while a frame of strings pickles and
    unpickles every cell as a Python object: that was a quarter of the parent's CPU, on a machine
    whose every core is rating.
    """
    rated = rated_frame(engine, chunk, first_row, checks, issue_year, as_of)
    table = pa.Table.from_pandas(rated, preserve_index=False)
    return _with_input_columns(table, chunk) if isinstance(chunk, pa.RecordBatch) else table


def _with_input_columns(table: pa.Table, batch: pa.RecordBatch) -> pa.Table:
    """``table`` with its pass-through columns as ``batch`` holds them: the Parquet file's own types.

    Through pandas they would be typed again by each chunk's cells (``decimal128(3, 2)`` for a chunk of
    ``1.50``, ``null`` for a column empty in the chunk), and the next chunk would not fit the first's
    type. Rows are the same, in the same order (:func:`rating_model.batch.rate_frame` keeps them).
    """
    for name in batch.schema.names:
        index = table.schema.get_field_index(name)
        if index >= 0 and name not in FLAT_DTYPES:
            table = table.set_column(index, batch.schema.field(name), batch.column(name))
    return table
