"""Worker processes of the batch rater and of training: how many, and how they are started.

Both cut a table into chunks and rate or measure each in a process of its own, one per core. Workers are
forked from a fork server: a fresh, single-threaded process, started by the first pool, which imports
the engine's modules (pandas and pyarrow with them) before forking. So a worker starts in milliseconds with
everything loaded, it inherits none of the parent's threads (Arrow's, a progress bar's) the way a plain
``fork`` of the parent would, and it does not run the parent's main module again the way ``spawn`` does:
under the ``greenrate`` console script that was an import of the whole CLI, Flask included, in every
worker before it rated a row. Where there is no fork server (Windows), workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from multiprocessing.context import BaseContext

__all__ = ["default_workers", "exit_with_owner", "start_worker", "worker_context"]


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
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


def exit_with_owner() -> None:
    """Make this worker exit when the process that asked for it dies, however it died.

    A pool's workers wait for tasks on a queue whose other end they hold themselves, so a parent that is
    SIGKILLed (a portfolio worker stopped by the OOM killer, a batch killed by its scheduler) would leave
    them waiting forever, each holding a loaded engine, and the fork server with them. A daemon thread
    waits on the parent's sentinel (readable once the parent is gone) and ends the process. Run it as the
    pool's initializer.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only ever called in a pool worker
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="greenrate-owner-watch", daemon=True).start()


def start_worker(setup: Callable[..., object], *args: object) -> None:
    """A pool's initializer: :func:`exit_with_owner`, then ``setup(*args)`` (the worker's own state).

    ``setup`` travels to the worker by name: a function of a module the fork server preloads, so that
    the worker imports nothing more (:mod:`rating_model.book_chunks` for the batch's workers).
    """
    exit_with_owner()
    setup(*args)
