"""Indicator values for a whole flat training frame, in parallel chunks when it is large.

Deriving indicators runs the service's own measuring pipeline row by row (parse, estimate, inventory,
benchmark, indicators), about half a millisecond a row: 200,000 rows are 100 s on one core. Rows are
independent, so the frame is cut into contiguous chunks, each chunk is measured in a worker process, and the
chunks are put back in their original order. The result is identical to the serial computation, whatever
the number of workers (tests check it), so an artifact never depends on the machine that trained it.
Workers start as :mod:`rating_model.workers` says (forked from a fork server). Training only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rating_model.exceptions import RatingModelError
from rating_model.flat import EXTRA_COLUMNS, checked, payloads_from_frame
from rating_model.indicators import IndicatorSet
from rating_model.operating_data_reader import parse_operating_data
from rating_model.pipeline import measure_data
from rating_model.standard import Standard
from rating_model.workers import default_workers, exit_with_owner, worker_context

#: below this many rows starting processes costs more than it saves
PARALLEL_MIN_ROWS = 20_000
_CHUNKS_PER_WORKER = 4  # smaller chunks even out workers slowed by other load on the machine
_SERIAL_CHUNK_ROWS = 5_000  # in one process, chunks only pace the progress callback


#: a chunk's indicator matrix, the cells scored at the standard's ``when_none`` (answered "none") and the
#: positions of the rows the engine refuses
Chunk = tuple[NDArray[np.float64], NDArray[np.bool_], list[int]]


def measure_chunk(frame: pd.DataFrame, standard: Standard) -> Chunk:
    """Indicator matrix (rows x the standard's indicators, NaN = missing) as the service derives it, the
    cells whose value is the standard's ``when_none`` for an answer of "none", and the rows that cannot be
    rated.

    A row the engine refuses (an unknown unit, an impossible value) is reported by its position in
    ``frame`` and given NaN everywhere, so the caller can drop it and say how many were skipped.
    """
    indicators = IndicatorSet(standard)
    ids = indicators.ids
    column = {name: j for j, name in enumerate(ids)}
    uses = standard.use_of_proceeds
    out = np.full((len(frame), len(ids)), np.nan)
    none = np.zeros((len(frame), len(ids)), dtype=bool)
    bad: list[int] = []
    payloads = payloads_from_frame(frame.drop(columns=list(EXTRA_COLUMNS), errors="ignore"))
    for index, payload in enumerate(payloads):
        try:
            data = parse_operating_data(checked(payload), use_of_proceeds=uses)
            values = measure_data(data, standard, indicators).values
        except RatingModelError:
            bad.append(index)
            continue
        out[index] = [math.nan if values[i] is None else values[i] for i in ids]
        for name in indicators.answered_none(data):
            none[index, column[name]] = True
    return out, none, bad


def _measure_part(args: tuple[pd.DataFrame, Standard]) -> Chunk:
    return measure_chunk(*args)


def frame_indicators(
    frame: pd.DataFrame,
    standard: Standard,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[int]]:
    """Indicator values of every row of a flat frame as the service derives them (columns in the
    standard's order) and unratable rows: :func:`frame_indicators_answered` without the answers of none."""
    values, _, bad = frame_indicators_answered(frame, standard, workers=workers, progress=progress)
    return values, bad


def frame_indicators_answered(
    frame: pd.DataFrame,
    standard: Standard,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """Indicator values of every row of a flat frame (columns in the standard's order), the cells scored
    at the standard's ``when_none`` because the business answered "none" (training fits the bins without
    them), and the unratable rows.

    Parameters
    ----------
    frame:
        A flat operating-data frame; ``label`` and ``latent_greenness`` are ignored.
    standard:
        The standard whose indicators are derived.
    workers:
        Processes to use; ``None`` means one per core for frames of at least
        :data:`PARALLEL_MIN_ROWS` rows, and 1 (in this process) below that.
    progress:
        Called with the number of rows just finished, chunk by chunk (for a progress bar).
    """
    ids = list(IndicatorSet(standard).ids)
    n = len(frame)
    if workers is None:
        workers = default_workers() if n >= PARALLEL_MIN_ROWS else 1
    serial = workers <= 1 or n < 2
    n_chunks = max(1, -(-n // _SERIAL_CHUNK_ROWS)) if serial else min(n, workers * _CHUNKS_PER_WORKER)
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    spans = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    parts = [(frame.iloc[a:b], standard) for a, b in spans]
    results: list[Chunk] = []
    if serial:
        for part, (a, b) in zip(parts, spans, strict=True):
            results.append(_measure_part(part))
            if progress is not None:
                progress(b - a)
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context([__name__]),
                                 initializer=exit_with_owner) as pool:
            for result, (a, b) in zip(pool.map(_measure_part, parts), spans, strict=True):  # in order
                results.append(result)
                if progress is not None:
                    progress(b - a)
    if not results:
        empty = pd.DataFrame(np.zeros((0, len(ids))), columns=ids)
        return empty, empty.astype(bool), []
    starts = [a for a, _ in spans]
    bad = [int(start + i) for start, (_, _, part_bad) in zip(starts, results, strict=True) for i in part_bad]
    values = pd.DataFrame(np.vstack([m for m, _, _ in results]), columns=ids)
    return values, pd.DataFrame(np.vstack([n for _, n, _ in results]), columns=ids), bad
