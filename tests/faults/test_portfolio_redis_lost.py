"""Redis killed while a ``greenrate worker`` rates a loan book, then started again (empty) on its port.

Real processes on the session's PostgreSQL and a redis-server of the test's own. The job's progress is in
the database, so the job completes all the same; RQ then fails to record the job's end in Redis, quits,
and fails again to record its own death. That had ended the worker in a plain Python traceback whose
message names the Redis server (docs/operations.md: a failure is logged as its class and frames, never
its message); it now exits 1 with one line saying what to do. Once Redis is back, the same web app (not
restarted) queues the next book, and a new worker rates it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from service.batch.writer import write_loan_book
from service.records import migrate
from service.records import portfolios as records
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.faults.servers import OwnRedis, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROWS = 12_000
CHUNK_ROWS = 500
_ROOT = Path(__file__).resolve().parents[2]


def upload(app: Flask, key: str, book: Path) -> TestResponse:
    # encoded in memory: the test client spools a large multipart body to a file it never closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(book.read_bytes()), book.name)})
    return app.test_client().post("/v1/portfolios", data=body, headers=bearer(key),
                                  content_type=f"multipart/form-data; boundary={boundary}")


def test_a_worker_that_loses_redis_mid_job_completes_it_and_stops_with_one_line(
    make_app: AppFactory, postgres_url: str, own_redis: OwnRedis, tmp_path: Path
) -> None:
    settings = {"PORTFOLIO_DIR": str(tmp_path / "portfolios"), "PORTFOLIO_CHUNK_ROWS": CHUNK_ROWS}
    app = make_app(DATABASE_URL=postgres_url, REDIS_URL=own_redis.url, **settings)
    db = services_of(app).db
    migrate.upgrade(db)
    key = create_key(app)
    book = tmp_path / "book.parquet"
    write_loan_book(book, ROWS, seed=21)
    accepted = upload(app, key, book)
    assert accepted.status_code == 202, accepted.json
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.update({f"GREENRATE_{name}": str(value) for name, value in settings.items()},
               GREENRATE_DATABASE_URL=postgres_url, GREENRATE_REDIS_URL=own_redis.url)
    workers: list[subprocess.Popen[bytes]] = []

    def start_worker(name: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            command = [sys.executable, "-c", "from service.cli import main; main()", "worker", "--name", name]
            workers.append(subprocess.Popen([*command, *args], cwd=_ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT))
        return workers[-1], log

    def job(job_id: str) -> records.PortfolioJob:
        found = records.get_job(db, job_id)
        assert found is not None
        return found

    try:
        first, first_log = start_worker("first")
        wait_until(lambda: job(accepted.json["id"]).chunks_done >= 1 or first.poll() is not None,
                   "the worker recording chunks", timeout=60)
        own_redis.kill()
        assert first.wait(timeout=120) == 1, first_log.read_text()[-3000:]
        output = first_log.read_text()
        done = job(accepted.json["id"])
        assert done.status == "completed" and done.rows_done == ROWS, (done, output[-3000:])
        last = output.splitlines()[-1]
        assert last.startswith("Error: lost the Redis of GREENRATE_REDIS_URL"), output[-3000:]
        assert "Traceback" not in output, output[-3000:]

        own_redis.start()  # empty: nothing of the queue survived
        write_loan_book(book, 200, seed=22)
        again = upload(app, key, book)  # the same app, not restarted
        assert again.status_code == 202, again.json
        second, second_log = start_worker("second", "--burst")
        assert second.wait(timeout=120) == 0, second_log.read_text()[-3000:]
        assert job(again.json["id"]).status == "completed"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
