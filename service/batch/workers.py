"""Worker processes of the batch rater and of training: how many, how they are started, and their pool.

Both cut a table into chunks and rate or measure each in a process of its own, one per core. Workers are
forked from a fork server: a fresh, single-threaded process, started by the first pool, which imports the
modules that hold the workers' tasks (the engine's, with pandas and pyarrow) before forking. So a worker
starts in milliseconds with everything loaded, and it inherits none of the parent's threads (Arrow's, a
progress bar's) the way a plain ``fork`` of the parent would. Where there is no fork server (Windows),
workers are spawned.

The part that runs inside a worker (its exit when the parent dies, :mod:`rating_model.worker_exit`) cannot
live here: importing any module of ``service`` runs ``service/__init__``, which imports Flask.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any, TypeVar

from rating_model import worker_exit

if TYPE_CHECKING:
    from rating_model.indicator_batch import Parallel

__all__ = ["PoolMap", "default_workers", "training_workers", "worker_context", "worker_pool"]

A = TypeVar("A")
R = TypeVar("R")


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def worker_context(preload: Sequence[str]) -> BaseContext:
    """The start method for a pool whose tasks live in the modules ``preload`` names.

    The fork server is one per process and starts with the first pool; its preload list is the one set
    then (a later pool with other modules still works, importing them in each worker instead).
    :mod:`rating_model.worker_exit` is always preloaded: every pool's initializer is there.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(dict.fromkeys([*preload, worker_exit.__name__])))
    return context


def worker_pool(workers: int, preload: Sequence[str], setup: Callable[..., object] | None = None,
                *args: object) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started by :func:`worker_context`, each running
    :func:`rating_model.worker_exit.start_worker` first (its exit with this process, then ``setup(*args)``).

    ``setup`` travels by name: a function of a module in ``preload``, so that a worker imports nothing more.
    """
    initializer: Callable[..., object] = worker_exit.start_worker
    initargs: tuple[Any, ...] = (setup, *args)
    return ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(preload),
                               initializer=initializer, initargs=initargs)


@dataclass(frozen=True, slots=True)
class PoolMap:
    """A started pool as :class:`rating_model.indicator_batch.Parallel`: its size and its ordered map."""

    pool: ProcessPoolExecutor
    workers: int

    def map(self, fn: Callable[[A], R], items: Iterable[A]) -> Iterator[R]:
        return self.pool.map(fn, items)


#: below this many rows starting processes for training costs more than it saves
PARALLEL_MIN_ROWS = 20_000


@contextmanager
def training_workers(rows: int, workers: int | None = None) -> Iterator[Parallel | None]:
    """Worker processes to derive the indicators of a training frame of ``rows`` rows, or ``None`` (in this
    process) for one worker.

    ``workers=None`` is one per core from :data:`PARALLEL_MIN_ROWS` rows, and one below. The indicators are
    the same whatever the number (:func:`rating_model.indicator_batch.frame_indicators_answered`).
    """
    if workers is None:
        workers = default_workers() if rows >= PARALLEL_MIN_ROWS else 1
    if workers <= 1 or rows < 2:
        yield None
        return
    with worker_pool(workers, ["rating_model.indicator_batch"]) as pool:
        yield PoolMap(pool, workers)
