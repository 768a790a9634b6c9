"""A ``greenrate worker`` SIGKILLed in the middle of a portfolio job: a new worker finishes it, no row twice.

Real processes on the session's PostgreSQL and Redis DB 15: the API (test client) accepts a loan book, a
first worker starts rating it chunk by chunk and is killed once a few chunks are recorded; the job is
left ``running`` with a dead worker. A second worker's start-up sweep finds the dead run (same host, its
process gone), re-queues the job and resumes it at the first unrecorded chunk (burst mode: it exits when
the queue is empty). The results hold every input row exactly once, in order, and the summary is there.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service.batch.writer import write_loan_book
from service.records import migrate
from service.records import portfolios as records
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.faults.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROWS = 12_000
CHUNK_ROWS = 500
KILL_AFTER_CHUNKS = 3
_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_app(make_app: AppFactory, postgres_url: str, redis_url: str, tmp_path: Path) -> Flask:
    app = make_app(
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        PORTFOLIO_DIR=str(tmp_path / "portfolios"),
        PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
    )
    migrate.upgrade(services_of(app).db)
    return app


@pytest.fixture
def start_worker(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[object]:
    """Start ``greenrate worker`` processes (stopped at the end if still running); output in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.update(
        GREENRATE_DATABASE_URL=postgres_url,
        GREENRATE_REDIS_URL=redis_url,
        GREENRATE_PORTFOLIO_DIR=str(tmp_path / "portfolios"),
        GREENRATE_PORTFOLIO_CHUNK_ROWS=str(CHUNK_ROWS),
        GREENRATE_LOG_LEVEL="INFO",
    )
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str, processes: int = 1) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from service.cli import main; main()",
                    "worker",
                    "--name",
                    name,
                    *args,
                ],
                cwd=_ROOT,
                env={**env, "GREENRATE_PORTFOLIO_PROCESSES": str(processes)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (its rating processes and their fork server)."""
    found: set[int] = set()
    stack = [pid]
    while stack:
        parent = stack.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except (FileNotFoundError, ProcessLookupError):
                continue
            stack.extend(children - found)
            found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


# 1: the worker rates in itself, and is restarted under its own name (RQ keeps a busy worker's name for
# the job timeout: the dead namesake must be taken off first); 2: it rates in two processes of its own
# (GREENRATE_PORTFOLIO_PROCESSES), which must not outlive it, and another worker takes over
@pytest.mark.parametrize(("processes", "replacement"), [(1, "first"), (2, "second")])
def test_a_killed_worker_is_replaced_and_the_job_completes_without_duplicates(
    live_app: Flask, start_worker: object, tmp_path: Path, processes: int, replacement: str
) -> None:
    book = tmp_path / "book.parquet"
    write_loan_book(book, ROWS, seed=21)
    client = live_app.test_client()
    key = create_key(live_app)
    # Encoded here, in memory: the test client spools a large multipart body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(book.read_bytes()), "book.parquet")})
    accepted = client.post(
        "/v1/portfolios",
        data=body,
        headers=bearer(key),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert accepted.status_code == 202, accepted.json
    job_id = accepted.json["id"]
    db = services_of(live_app).db

    def job() -> records.PortfolioJob:
        found = records.get_job(db, job_id)
        assert found is not None
        return found

    first, first_log = start_worker("first", processes=processes)  # type: ignore[operator]
    wait_until(
        lambda: job().chunks_done >= KILL_AFTER_CHUNKS or first.poll() is not None,
        "the first worker recording chunks",
        timeout=60,
    )
    helpers = _descendants(first.pid)
    assert len(helpers) >= (3 if processes > 1 else 0), helpers  # the fork server and its two raters
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    wait_until(lambda: not any(_alive(pid) for pid in helpers), "the killed worker's processes exiting",
               timeout=30)
    stuck = job()
    total_chunks = -(-ROWS // CHUNK_ROWS)
    assert stuck.status == "running" and KILL_AFTER_CHUNKS <= stuck.chunks_done < total_chunks, (
        stuck,
        first_log.read_text()[-2000:],
    )
    assert (stuck.worker, stuck.worker_pid) == ("first", first.pid)  # the RQ worker, its dead process

    second, second_log = start_worker(replacement, "--burst", processes=processes)  # type: ignore[operator]
    assert second.wait(timeout=90) == 0, second_log.read_text()[-3000:]
    done = job()
    output = second_log.read_text()
    assert ("worker_name_freed" in output) == (replacement == "first"), output[-3000:]
    assert done.status == "completed", (done, output[-3000:])
    assert (done.attempt, done.recoveries) == (2, 1)
    assert "portfolio_requeued" in output
    started = [line for line in _json_lines(output) if line.get("event") == "portfolio_started"]
    assert started and started[-1]["chunks_done"] >= stuck.chunks_done  # it did not start over

    results = pd.read_parquet(
        tmp_path / "portfolios" / job_id / "results.parquet", columns=["row", "borrower_id"]
    )
    assert len(results) == ROWS
    assert results["row"].is_unique and results["row"].tolist() == list(range(ROWS))
    assert (
        results["borrower_id"].tolist()
        == pd.read_parquet(book, columns=["borrower_id"])["borrower_id"].tolist()
    )
    assert not (tmp_path / "portfolios" / job_id / "parts").exists()  # the parts were merged and removed
    assert done.summary is not None and done.summary["rows"]["total"] == ROWS
    assert done.rows_done == done.rows_total == ROWS


def _json_lines(output: str) -> list[dict[str, Any]]:
    """The structured log lines of a worker's output (its other lines are not JSON)."""
    lines = []
    for text in output.splitlines():
        if text.startswith("{"):
            try:
                lines.append(json.loads(text))
            except ValueError:
                continue
    return lines


def test_an_idle_worker_stops_at_once_on_sigterm(
    live_app: Flask, start_worker: object, tmp_path: Path
) -> None:
    """SIGTERM is how compose and Kubernetes stop a worker, each after 30 s by default (compose.yaml's
    stop_grace_period), then SIGKILL. An idle worker had taken a minute to exit: RQ's pubsub thread waits up
    to 60 s for a message, and redis-py 8's PubSubWorkerThread.stop() waits for that thread, so every stop of
    an idle worker ran out the grace period and ended in SIGKILL (operations review, H2)."""
    import time

    worker, log = start_worker("idle")  # type: ignore[operator]
    wait_until(lambda: "Listening on" in log.read_text() or worker.poll() is not None, "the worker idle",
               timeout=60)
    assert worker.poll() is None, log.read_text()[-2000:]
    stopped = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, log.read_text()[-2000:]
    assert time.monotonic() - stopped < 10, log.read_text()[-2000:]
    assert "warm shut down requested" in log.read_text()
