"""Worker processes of the batch rater and of training: how many, how they are started, and their pool.

Both cut a table into chunks and rate or measure each in a process of its own, one per core. Workers are
forked from a fork server: a fresh, single-threaded process, started by the first pool, which imports the
modules that hold the workers' tasks (the engine's, with pandas and pyarrow) before forking. So a worker
starts in milliseconds with everything loaded, and it inherits none of the parent's threads (Arrow's, a
progress bar's) the way a plain ``fork`` of the parent would.

A worker also does not run the parent's main module again. multiprocessing does that in every spawned or
fork-served child so that functions defined in ``__main__`` can be unpickled there; under the ``greenrate``
console script the main module is the script, which imports the whole CLI: Flask, SQLAlchemy and the
service (about a second and 45 MB in every worker, before it rated a row). The workers' tasks and
initializers live in ``rating_model`` (:mod:`rating_model.book_chunks`, :mod:`rating_model.indicator_batch`,
:mod:`rating_model.worker_exit`) and travel by name, so nothing in ``__main__`` is needed: the children are
started without it, as Spark's executors run :mod:`rating_model.spark_tasks` without the driver's
``service.batch.spark`` (tests/service/test_batch_workers.py checks a worker's modules). Where there is no
fork server (Windows), workers are spawned as multiprocessing does.

The part that runs inside a worker (its exit when the parent dies, :mod:`rating_model.worker_exit`) cannot
live here: importing any module of ``service`` runs ``service/__init__``, which imports Flask.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any, TypeVar

from rating_model import worker_exit

if TYPE_CHECKING:
    from rating_model.indicator_batch import Parallel

__all__ = ["PoolMap", "default_workers", "training_workers", "worker_context", "worker_pool"]

A = TypeVar("A")
R = TypeVar("R")

#: what multiprocessing tells a child about the parent's main module, for the child to run it again
_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")
#: sha256 of the source of CPython's ``popen_forkserver.Popen._launch`` that :class:`_Popen` copies (the same
#: in 3.11, 3.12 and 3.13): a patch release that changes it makes the copy stale, and the pools fall back to
#: the stock fork server rather than run it (a review of the copy)
_KNOWN_LAUNCHERS = frozenset({"214844899bd3407f72082111e993b40f7c271620be27195b878ea1e44a5f3837"})


@lru_cache(maxsize=1)
def launcher_is_known() -> bool:
    """Whether this Python's fork-server launcher is the one :class:`_Popen` copies (its source's digest);
    ``False`` where the source cannot be read, and a warning says so."""
    try:
        from multiprocessing import popen_forkserver

        source = inspect.getsource(popen_forkserver.Popen._launch)  # type: ignore[attr-defined]
    except (ImportError, OSError, TypeError):
        source = ""
    known = hashlib.sha256(source.encode("utf-8")).hexdigest() in _KNOWN_LAUNCHERS
    if not known:
        warnings.warn("this Python's fork-server launcher is not the one greenrate's workers copy: they "
                      "start as multiprocessing starts them (each loads the command's modules)",
                      RuntimeWarning, stacklevel=2)
    return known


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
    # the stock fork server (workers run the main module again: slower, still right) where this Python's
    # launcher is not the one _Popen copies
    context = _WorkerContext() if launcher_is_known() else multiprocessing.get_context("forkserver")
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


# -- starting a worker without the parent's main module ------------------------------------------------------

if hasattr(multiprocessing.context, "ForkServerContext"):
    from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
    from multiprocessing.context import ForkServerContext, ForkServerProcess, set_spawning_popen

    class _Popen(popen_forkserver.Popen):
        """``popen_forkserver.Popen`` whose child is not told to run the parent's ``__main__`` again.

        The body is CPython's own ``_launch`` (the same in 3.11, 3.12 and 3.13, the versions
        ``pyproject.toml`` admits) with two changes: the main module's keys are taken out of the
        preparation data, and the process object is sent as the fork server's own class, not as
        :class:`_WorkerProcess`, whose unpickling would import this module, and ``service`` with it.
        """

        def _launch(self, process_obj: Any) -> None:
            prep_data = spawn.get_preparation_data(process_obj._name)
            for key in _MAIN_KEYS:
                prep_data.pop(key, None)
            plain = ForkServerProcess.__new__(ForkServerProcess)
            plain.__dict__.update(process_obj.__dict__)
            buf = io.BytesIO()
            set_spawning_popen(self)
            try:
                reduction.dump(prep_data, buf)
                reduction.dump(plain, buf)
            finally:
                set_spawning_popen(None)
            self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
            # a duplicate of the data pipe's write end: the child's sentinel of this process
            parent_w = os.dup(w)
            self.finalizer = util.Finalize(self, util.close_fds,  # type: ignore[attr-defined]
                                           (parent_w, self.sentinel))
            with open(w, "wb", closefd=True) as f:
                f.write(buf.getbuffer())
            self.pid = forkserver.read_signed(self.sentinel)

    class _WorkerProcess(ForkServerProcess):
        @staticmethod
        def _Popen(process_obj: Any) -> popen_forkserver.Popen:
            return _Popen(process_obj)

    class _WorkerContext(ForkServerContext):
        """The fork server's context, with children that do not run the parent's main module."""

        Process = _WorkerProcess
