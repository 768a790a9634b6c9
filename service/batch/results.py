"""Reading a batch's results back: a ``greenrate batch rate`` output file as typed result chunks.

The portfolio summary (:mod:`rating_model.portfolio`) needs the result columns in the dtypes
:func:`rating_model.batch.rate_frame` gave them. Parquet keeps them; a CSV holds text, where ``false`` read
as a Python string would be true, so each result column is read in its documented dtype and every other
column (the bank's own ids) as text, an id like ``00123`` keeping its zeros.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from rating_model.batch import RESULT_COLUMNS
from rating_model.book_chunks import as_frame
from rating_model.flat import CSV_ENCODING, file_kind
from service.batch.files import DEFAULT_CHUNK_ROWS

__all__ = ["read_results"]

_DTYPES = {c.name: c.dtype for c in RESULT_COLUMNS}


def read_results(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The chunks of a results file (CSV, compressed CSV or Parquet, by extension), typed.

    ``pillar_*`` columns are numbers; a column neither a result column nor a pillar is text.
    """
    source = Path(path)
    if file_kind(source) == "parquet":
        for batch in pq.ParquetFile(source).iter_batches(batch_size=chunk_rows, use_threads=False):
            yield _typed(as_frame(batch))
        return
    header = pd.read_csv(source, nrows=0, index_col=False, encoding=CSV_ENCODING).columns
    dtypes = {name: _DTYPES.get(name, "float64" if name.startswith("pillar_") else "string")
              for name in header}
    yield from pd.read_csv(source, dtype=dtypes, keep_default_na=False, na_values=[""], index_col=False,
                           chunksize=chunk_rows, encoding=CSV_ENCODING)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Result columns in their dtypes (a Parquet column of all nulls is typed null by Arrow)."""
    for name, dtype in _DTYPES.items():
        if name in frame.columns and str(frame[name].dtype) != dtype:
            frame[name] = frame[name].astype(dtype)
    return frame
