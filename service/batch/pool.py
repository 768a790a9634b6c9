"""The batch's worker pool: a loan book's chunks rated on every core, results in input order.

At most a few chunks are in flight in worker processes, and each result chunk is handed on (appended to
the output by :func:`rate_file`) as soon as it is its turn, so peak memory is a handful of chunks whatever
the file size. Workers start as :mod:`service.batch.workers` says (forked from a fork server with
:mod:`rating_model.book_chunks` loaded, which holds what they run, and without this process's main
module, so that they import the engine and neither this package nor Flask) and build their engine once
from the model document (plain JSON, verified again in the worker: nothing pickled but data, as frames or
Arrow). The output is the same whatever the number of workers (the tests check it).
"""

from __future__ import annotations

import functools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd
import pyarrow as pa

from rating_model import book_chunks
from rating_model.book_checks import BookChecks
from rating_model.book_chunks import (
    Chunk,
    chunk_length,
    in_worker,
    load_worker_engine,
    rated_frame,
    rated_table,
)
from rating_model.engine import Engine
from service.batch.files import DEFAULT_CHUNK_ROWS, check_book, read_raw_chunks, scan_file
from service.batch.workers import default_workers, worker_pool
from service.batch.writer import ResultWriter
from service.issue_year import year_of_issue

__all__ = [
    "BatchReport", "batch_pool", "rate_chunks", "rate_chunks_as_tables", "rate_file", "rate_placed_chunks",
]

_IN_FLIGHT_PER_WORKER = 2  # one chunk being rated, one waiting: workers never idle, memory stays bounded
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _ChunkJob(Protocol[T_co]):
    """What rates one chunk: :func:`rating_model.book_chunks.rated_frame` or ``rated_table``."""

    def __call__(self, engine: Engine, chunk: Chunk, first_row: int, checks: BookChecks | None = None,
                 issue_year: int | None = None, as_of: date | None = None) -> T_co: ...


def rate_chunks(
    chunks: Iterable[Chunk],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
    issue_year: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Rated chunks in input order, rated by ``workers`` processes (the packaged model unless given).

    At most ``2 × workers`` chunks are in flight, so a slow consumer (a disk, a network) holds the
    reading back instead of letting results pile up in memory. With one worker, everything runs in this
    process (no start-up cost: the right choice for small files and for tests). ``checks``: the whole
    book's cross-row checks (:func:`service.batch.files.scan_file`); ``None`` checks each chunk on its own.
    ``issue_year``: a row of a later reporting year is refused (its ``error``), as ``POST /v1/ratings``
    refuses it; ``None`` is the year of issue now (:func:`service.issue_year.year_of_issue`), read once.
    """
    return _rate_chunks(rated_frame, _placed(chunks), model_document, workers, checks, issue_year)


def rate_placed_chunks(
    chunks: Iterable[tuple[Chunk, int]],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
    issue_year: int | None = None,
    as_of: date | None = None,
) -> Iterator[pd.DataFrame]:
    """:func:`rate_chunks` for ``(chunk, first_row)`` pairs: chunks that say where they start in the file,
    so that a resumed portfolio job rates only the chunks it has not done yet. ``as_of``: the book's
    reporting date (:func:`rating_model.batch.rate_frame`), a portfolio job's."""
    return _rate_chunks(rated_frame, chunks, model_document, workers, checks, issue_year, as_of)


def rate_chunks_as_tables(
    chunks: Iterable[Chunk],
    *,
    model_document: Mapping[str, Any] | None = None,
    workers: int | None = None,
    checks: BookChecks | None = None,
    issue_year: int | None = None,
) -> Iterator[pa.Table]:
    """:func:`rate_chunks` with each result as an Arrow table: what a file writer wants, made cheaply."""
    return _rate_chunks(rated_table, _placed(chunks), model_document, workers, checks, issue_year)


def _placed(chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, int]]:
    """Each chunk with the position of its first row, for chunks that follow each other from row 0."""
    first_row = 0
    for chunk in chunks:
        yield chunk, first_row
        first_row += chunk_length(chunk)


def _rate_chunks(job: _ChunkJob[T],
                 chunks: Iterable[tuple[Chunk, int]], model_document: Mapping[str, Any] | None,
                 workers: int | None, checks: BookChecks | None, issue_year: int | None,
                 as_of: date | None = None) -> Iterator[T]:
    """``job`` on each chunk, in this process or in ``workers`` processes.

    Every chunk is judged by one year of issue: ``issue_year``, or the year now, read here once (never by
    a worker), so that a book rated across New Year refuses the same rows from its first chunk to its last.

    A worker's chunk is sent with the checks of its own rows only (:meth:`BookChecks.for_rows`): the
    whole book's, pickled with every chunk, would cost a book of repeated rows (every one of which is
    flagged) its size in memory and in pickling for each chunk.
    """
    year = year_of_issue() if issue_year is None else issue_year
    n_workers = default_workers() if workers is None else workers
    if n_workers <= 1:
        engine = Engine.load(model_document)
        for chunk, first_row in chunks:
            yield job(engine, chunk, first_row, checks, year, as_of)
        return
    pending: deque[Future[T]] = deque()
    pool = batch_pool(n_workers, model_document)
    try:
        for chunk, first_row in chunks:
            own = None if checks is None else checks.for_rows(first_row, chunk_length(chunk))
            pending.append(pool.submit(in_worker,
                                       functools.partial(job, checks=own, issue_year=year, as_of=as_of),
                                       chunk, first_row))
            if len(pending) >= n_workers * _IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        # abandoned (an error, a job timeout, a consumer that stopped): wait only for the chunks being
        # rated, not for the ones still queued
        pool.shutdown(wait=True, cancel_futures=True)


def batch_pool(workers: int, model_document: Mapping[str, Any] | None = None) -> ProcessPoolExecutor:
    """The batch's ``workers`` processes, each with its engine built from ``model_document`` (the packaged
    model if ``None``) for :func:`rating_model.book_chunks.in_worker`.

    What a worker runs lives in :mod:`rating_model.book_chunks`: preloaded by the fork server, it is all a
    worker imports (tests/service/test_batch_workers.py checks that no Flask comes with it).
    """
    model_json = None if model_document is None else json.dumps(model_document)
    return worker_pool(workers, [book_chunks.__name__], load_worker_engine, model_json)


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
    issue_year: int | None = None,
) -> BatchReport:
    """Rate a CSV/Parquet loan book into a CSV/Parquet result file (formats by extension, independently).

    A row whose reporting year is after ``issue_year`` (``None``: the year of issue now) is refused in its
    ``error`` column and counted in :attr:`BatchReport.errors`, the rest of the book rated.

    Raises
    ------
    InvalidInputError
        When the file's columns cannot be rated at all (:func:`service.batch.files.check_book`): nothing
        is written.
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
                                            checks=checks, issue_year=issue_year):
            writer.write(result)
            rows += result.num_rows
            errors += result.num_rows - result.column("error").null_count
            if progress is not None:
                progress(result.num_rows)
    return BatchReport(rows, rows - errors, errors, time.perf_counter() - started)
