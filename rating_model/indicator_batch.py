"""Indicator values for a whole flat training frame, in parallel chunks when it is large.

Deriving indicators runs the service's own measuring pipeline row by row (parse, estimate, inventory,
benchmark, indicators), about half a millisecond a row: 200,000 rows are 100 s on one core. Rows are
independent, so the frame is cut into contiguous chunks, each chunk is measured in a worker process, and the
chunks are put back in their original order. The result is identical to the serial computation, whatever
the number of workers (tests check it), so an artifact never depends on the machine that trained it.
The worker processes are the caller's (:func:`service.batch.workers.training_workers`), handed in as a
:class:`Parallel`; without one, every chunk is measured in this process. Training only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rating_model.exceptions import RatingModelError
from rating_model.flat import EXTRA_COLUMNS, checked, payloads_from_frame
from rating_model.grading import applicable_knock_outs
from rating_model.indicators import IndicatorSet
from rating_model.operating_data_reader import parse_operating_data
from rating_model.pipeline import measure_data
from rating_model.standard import ENERGY_RATIO_INDICATOR, Standard

_CHUNKS_PER_WORKER = 4  # smaller chunks even out workers slowed by other load on the machine
_SERIAL_CHUNK_ROWS = 5_000  # in one process, chunks only pace the progress callback


#: a chunk's indicator matrix, the cells scored at the standard's ``when_none`` (answered "none"), the
#: positions of the rows the engine refuses and each row's knock-out ids (none for a refused row)
Chunk = tuple[NDArray[np.float64], NDArray[np.bool_], list[int], list[tuple[str, ...]]]
#: a contiguous slice of the frame with the standard to measure it under: what a worker is handed
Part = tuple[pd.DataFrame, Standard]

A = TypeVar("A")
R = TypeVar("R")


class Parallel(Protocol):
    """Worker processes that measure parts: how many there are, and ``map`` with results in input order.

    Started and stopped by the caller (:func:`service.batch.workers.training_workers`): processes are the
    service's to manage, the measuring is this module's. ``fn`` is :func:`measure_part`, sent by name.
    """

    @property
    def workers(self) -> int: ...

    def map(self, fn: Callable[[A], R], items: Iterable[A]) -> Iterator[R]: ...


def measure_chunk(frame: pd.DataFrame, standard: Standard) -> Chunk:
    """Indicator matrix (rows x the standard's indicators, NaN = missing) as the service derives it, the
    cells whose value is the standard's ``when_none`` for an answer of "none", the rows that cannot be
    rated, and the ids of the knock-outs each row triggers.

    The knock-outs are the engine's own (:func:`~rating_model.grading.applicable_knock_outs`, read as
    :meth:`Engine.evaluate <rating_model.engine.Engine.evaluate>` reads them): they depend on the data and
    the standard, never on the model, so ``compare`` caps each model's score grades with them to count
    the overrides (a few microseconds a row beside the half millisecond of measuring).

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
    knocked: list[tuple[str, ...]] = []
    payloads = payloads_from_frame(frame.drop(columns=list(EXTRA_COLUMNS), errors="ignore"))
    for index, payload in enumerate(payloads):
        try:
            data = parse_operating_data(checked(payload), use_of_proceeds=uses)
            m = measure_data(data, standard, indicators)
        except RatingModelError:
            bad.append(index)
            knocked.append(())
            continue
        values = m.values
        knocked.append(tuple(k.id for k in applicable_knock_outs(
            m.filled, m.quality.completeness, standard, energy_ratio=values.get(ENERGY_RATIO_INDICATOR),
            energy_use_ratio=m.benchmark.use_ratio)))
        out[index] = [math.nan if values[i] is None else values[i] for i in ids]
        for name in indicators.answered_none(data):
            none[index, column[name]] = True
    return out, none, bad, knocked


def measure_part(part: Part) -> Chunk:
    """:func:`measure_chunk` of one part: the task a worker runs."""
    return measure_chunk(*part)


def frame_indicators(
    frame: pd.DataFrame,
    standard: Standard,
    *,
    parallel: Parallel | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[int]]:
    """Indicator values of every row of a flat frame as the service derives them (columns in the
    standard's order) and unratable rows: :func:`frame_indicators_answered` without the answers of none."""
    values, _, bad = frame_indicators_answered(frame, standard, parallel=parallel, progress=progress)
    return values, bad


def frame_indicators_knocked(
    frame: pd.DataFrame,
    standard: Standard,
    *,
    parallel: Parallel | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, ...]], list[int]]:
    """:func:`frame_indicators` with the ids of the knock-outs each row triggers (in the standard's
    order; none for an unratable row), measured in the same pass: what ``compare`` counts overrides with."""
    results, starts = _measured_chunks(frame, standard, parallel, progress)
    values, _, bad = _joined(results, starts, standard)
    return values, [k for *_, knocked in results for k in knocked], bad


def frame_indicators_answered(
    frame: pd.DataFrame,
    standard: Standard,
    *,
    parallel: Parallel | None = None,
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
    parallel:
        Worker processes to measure the chunks in (:func:`service.batch.workers.training_workers`);
        ``None``: in this process.
    progress:
        Called with the number of rows just finished, chunk by chunk (for a progress bar).
    """
    return _joined(*_measured_chunks(frame, standard, parallel, progress), standard)


def _measured_chunks(
    frame: pd.DataFrame, standard: Standard, parallel: Parallel | None,
    progress: Callable[[int], None] | None,
) -> tuple[list[Chunk], list[int]]:
    """Every chunk of ``frame`` measured (in worker processes when given), in order, and their first rows."""
    n = len(frame)
    pool = None if parallel is None or parallel.workers <= 1 or n < 2 else parallel
    if pool is None:
        n_chunks = max(1, -(-n // _SERIAL_CHUNK_ROWS))
    else:
        n_chunks = min(n, pool.workers * _CHUNKS_PER_WORKER)
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    spans = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    parts = [(frame.iloc[a:b], standard) for a, b in spans]
    results: list[Chunk] = []
    measured = map(measure_part, parts) if pool is None else pool.map(measure_part, parts)
    for result, (a, b) in zip(measured, spans, strict=True):  # in order
        results.append(result)
        if progress is not None:
            progress(b - a)
    return results, [a for a, _ in spans]


def _joined(
    results: list[Chunk], starts: list[int], standard: Standard
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """The chunks' indicator values, answers of none and unratable rows (positions in the frame)."""
    ids = list(IndicatorSet(standard).ids)
    if not results:
        empty = pd.DataFrame(np.zeros((0, len(ids))), columns=ids)
        return empty, empty.astype(bool), []
    bad = [int(start + i) for start, (_, _, part_bad, _) in zip(starts, results, strict=True)
           for i in part_bad]
    values = pd.DataFrame(np.vstack([m for m, *_ in results]), columns=ids)
    return values, pd.DataFrame(np.vstack([n for _, n, *_ in results]), columns=ids), bad
