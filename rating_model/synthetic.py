"""The documented SYNTHETIC population of small businesses that greenrate's default scorecard is trained on.

No real business data: every row is drawn from the generating process in ``docs/synthetic-population.md``
(latent greenness -> behaviours -> what is reported -> an auditor-style "assessed green" label). Frames come
in the flat training-file format of :mod:`rating_model.flat` plus ``label`` and ``latent_greenness``, the
latter kept for analysis only and never a model input.

Rows are generated in fixed blocks of :data:`BLOCK_ROWS`, each from its own child of
``numpy.random.SeedSequence(seed)``, so the same ``(n_rows, seed)`` gives the same frame however it is
chunked, and a larger population starts with the rows of a smaller one. Training only: imports pandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from rating_model.flat import FLAT_DTYPES
from rating_model.synthetic_business import generate_block

__all__ = ["BLOCK_ROWS", "FRAME_COLUMNS", "generate_frame", "iter_frames"]

#: rows drawn from one child seed; chunk boundaries never change the draws
BLOCK_ROWS = 10_000
#: columns of a generated frame, in order: the flat operating data, then ``label`` and ``latent_greenness``
FRAME_COLUMNS: tuple[str, ...] = tuple(FLAT_DTYPES)


def generate_frame(n_rows: int, seed: int) -> pd.DataFrame:
    """A synthetic population of ``n_rows`` businesses; same arguments, same frame (and same CSV bytes).

    Parameters
    ----------
    n_rows:
        Number of businesses (rows).
    seed:
        Non-negative integer seed of the population.

    Returns
    -------
    pandas.DataFrame
        :data:`FRAME_COLUMNS` with their documented dtypes and a ``RangeIndex`` from 0.

    Examples
    --------
    >>> frame = generate_frame(1_000, seed=7)
    >>> frame.shape[0], sorted(frame["label"].unique().tolist())
    (1000, [0, 1])
    """
    frames = list(iter_frames(n_rows, seed, chunk_rows=max(n_rows, 1)))
    return frames[0] if frames else _frame({}, 0, 0)


def iter_frames(n_rows: int, seed: int, chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """The population of :func:`generate_frame` in chunks of ``chunk_rows`` rows, with bounded memory.

    Concatenating the chunks gives exactly ``generate_frame(n_rows, seed)``; each chunk keeps its global
    row numbers as index. Only one block of draws is held beyond the chunk being built.
    """
    _check("n_rows", n_rows, 0)
    _check("seed", seed, 0)
    _check("chunk_rows", chunk_rows, 1)
    children = np.random.SeedSequence(seed).spawn(-(-n_rows // BLOCK_ROWS))
    held: tuple[int, dict[str, NDArray[Any]]] | None = None
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        parts: list[dict[str, NDArray[Any]]] = []
        for index in range(start // BLOCK_ROWS, (stop - 1) // BLOCK_ROWS + 1):
            if held is None or held[0] != index:
                # always a full block, truncated, so a row's draws never depend on n_rows
                held = (index, generate_block(children[index], index * BLOCK_ROWS, BLOCK_ROWS))
            low = max(start, index * BLOCK_ROWS) - index * BLOCK_ROWS
            high = min(stop, (index + 1) * BLOCK_ROWS) - index * BLOCK_ROWS
            parts.append({name: values[low:high] for name, values in held[1].items()})
        columns = parts[0] if len(parts) == 1 else {
            name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        yield _frame(columns, start, stop)


def _check(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _frame(columns: dict[str, NDArray[Any]], start: int, stop: int) -> pd.DataFrame:
    """Typed frame of generated columns; a column the generator never fills is all missing."""
    n = stop - start
    data: dict[str, Any] = {}
    for name, dtype in FLAT_DTYPES.items():
        values = columns.get(name)
        if dtype == "float64":
            data[name] = np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)
        elif dtype == "string":
            # straight to Arrow: the pandas "string" dtype (pyarrow storage) without per-cell validation
            strings = pa.nulls(n, pa.large_string()) if values is None else pa.array(
                values, type=pa.large_string(), from_pandas=True)
            data[name] = pd.arrays.ArrowStringArray(strings)
        else:
            numeric = np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)
            missing = np.isnan(numeric)
            filled = np.where(missing, 0, numeric)
            data[name] = (pd.arrays.BooleanArray(filled == 1, missing) if dtype == "boolean"
                          else pd.arrays.IntegerArray(filled.astype(np.int64), missing))
    return pd.DataFrame(data, index=pd.RangeIndex(start, stop), copy=False)
