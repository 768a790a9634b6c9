"""What a pool worker runs first: its exit when the process that started it dies, then its own setup.

The pools themselves (how many workers, how they start, without the parent's main module) are
:mod:`service.batch.workers`. This part runs inside each worker, so it lives where a worker may import it:
every module of ``service`` brings Flask with it (``service/__init__``), and a worker imports only the
engine's modules. Standard library only.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable

__all__ = ["exit_with_owner", "start_worker"]


def exit_with_owner() -> None:
    """Make this worker exit when the process that asked for it dies, however it died.

    A pool's workers wait for tasks on a queue whose other end they hold themselves, so a parent that is
    SIGKILLed (a portfolio worker stopped by the OOM killer, a batch killed by its scheduler) would leave
    them waiting forever, each holding a loaded engine, and the fork server with them. A daemon thread
    waits on the parent's sentinel (readable once the parent is gone) and ends the process.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only ever called in a pool worker
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="greenrate-owner-watch", daemon=True).start()


def start_worker(setup: Callable[..., object] | None, *args: object) -> None:
    """A pool's initializer: :func:`exit_with_owner`, then ``setup(*args)`` (the worker's own state) if any.

    ``setup`` travels to the worker by name: a function of a module the fork server preloads, so that
    the worker imports nothing more (:func:`rating_model.book_chunks.load_worker_engine` for the batch's
    workers; training's need none).
    """
    exit_with_owner()
    if setup is not None:
        setup(*args)
