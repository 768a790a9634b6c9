"""Batch and training worker processes import the engine, not Flask, even under the ``greenrate`` command.

multiprocessing runs the parent's main module again in every fork-served or spawned child. Under the
``greenrate`` console script that module is the script, ``from service.cli import main``: every batch
worker imported the whole CLI, Flask and SQLAlchemy with it (about a second and 45 MB each). The script
below starts the pools exactly as ``greenrate batch rate`` and ``greenrate model train`` do, from a main
module that imports ``service.cli`` as the console script does, and asks a worker what it has imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rating_model.indicator_batch import frame_indicators, frame_indicators_answered
from rating_model.standard import DEFAULT_STANDARD, load_standard
from rating_model.synthetic import generate_frame
from service.batch.workers import PoolMap, training_workers, worker_pool

ROOT = Path(__file__).parents[2]
#: what a worker must not have imported: the web stack and the service itself
SERVICE_STACK = ["flask", "service", "sqlalchemy", "werkzeug"]

CONSOLE_SCRIPT = f"""
import json, sys
from service.cli import main  # the console script's one import: the whole CLI, Flask included

QUERY = ("sorted(({{m.split('.')[0] for m in __import__('sys').modules}} & {set(SERVICE_STACK)!r})"
         " | ({{'main-module-run-again'}} if hasattr(__import__('sys').modules.get('__mp_main__'),"
         " '__file__') else set()))")

if __name__ == "__main__":
    from service.batch.pool import batch_pool
    from service.batch.workers import training_workers

    found = {{"parent": sorted({{m.split('.')[0] for m in sys.modules}} & {set(SERVICE_STACK)!r})}}
    with batch_pool(2) as pool:
        found["batch"] = pool.submit(eval, QUERY).result(timeout=120)
        found["batch_engine"] = pool.submit(
            eval, "__import__('rating_model.book_chunks').book_chunks._WORKER_ENGINE is not None").result()
    with training_workers(rows=100_000, workers=2) as parallel:
        found["training"] = parallel.pool.submit(eval, QUERY).result(timeout=120)
    print(json.dumps(found))
"""


def test_batch_and_training_workers_import_no_flask_under_the_console_script(tmp_path: Path) -> None:
    script = tmp_path / "greenrate"  # a path, not a module: how the console script is run
    script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RATING_MODEL_NO_EXTENSIONS": "1",
           "GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite3"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["parent"] == SERVICE_STACK  # the check sees the stack where it is loaded
    assert found["batch_engine"] is True  # the worker is set up: it has its engine
    assert found["batch"] == [] and found["training"] == [], found


def test_training_workers_start_only_for_a_large_frame_or_when_asked() -> None:
    with training_workers(rows=19_999) as small, training_workers(rows=5, workers=1) as one:
        assert small is None and one is None  # in this process: starting processes costs more
    with training_workers(rows=5, workers=2) as asked:
        assert isinstance(asked, PoolMap) and asked.workers == 2


def test_indicators_are_the_same_in_worker_processes_and_in_this_one() -> None:
    frame = generate_frame(600, 4)
    standard = load_standard(DEFAULT_STANDARD)
    serial = frame_indicators_answered(frame, standard)
    with training_workers(len(frame), workers=2) as parallel:
        assert parallel is not None
        values, none, bad = frame_indicators_answered(frame, standard, parallel=parallel)
    pd.testing.assert_frame_equal(values, serial[0])
    pd.testing.assert_frame_equal(none, serial[1])
    assert bad == serial[2]
    with worker_pool(2, ["rating_model.indicator_batch"]) as pool:
        assert frame_indicators(frame, standard, parallel=PoolMap(pool, 2))[1] == serial[2]


def test_a_changed_fork_server_launcher_falls_back_to_the_stock_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' launcher copies CPython's private ``Popen._launch`` (identical in 3.11 to 3.13): on this
    Python it is the one copied; should a patch release change it, pools use the stock fork server, with
    a warning, rather than a stale copy (a review of the copy)."""
    import multiprocessing.context

    from service.batch import workers

    assert workers.launcher_is_known()
    assert type(workers.worker_context(["rating_model.book_chunks"])).__name__ == "_WorkerContext"
    workers.launcher_is_known.cache_clear()
    monkeypatch.setattr(workers, "_KNOWN_LAUNCHERS", frozenset({"0" * 64}))
    try:
        with pytest.warns(RuntimeWarning, match="fork-server launcher"):
            context = workers.worker_context(["rating_model.book_chunks"])
        assert type(context) is multiprocessing.context.ForkServerContext
    finally:
        workers.launcher_is_known.cache_clear()
