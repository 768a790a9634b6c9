"""A gunicorn worker SIGKILLed in the middle of a client load: no rating is lost or invented.

Real gunicorn (gunicorn.conf.py, two workers) on a free loopback port and the session's PostgreSQL. A
bounded load of distinct companies runs from four client threads; one worker is killed mid-way. Requests
the dead worker was serving fail at the client, which re-sends them (an identical input returns the
rating already issued, so a re-send is safe). At the end both sides are counted: every 201 the client saw
has its row, and every row was answered to the client with a 201.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from service.auth import generate_key
from service.records import api_keys, migrate
from service.records.database import database_url
from tests.conftest import payload
from tests.faults.servers import wait_until
from tests.live_services import gunicorn_server

pytestmark = [pytest.mark.slow, pytest.mark.integration]
COMPANIES = 120
KILL_AFTER = 30


def post(url: str, body: bytes, key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def stored_list(postgres_url: str) -> list[str]:
    db = create_engine(database_url(postgres_url))
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id FROM ratings").all()
    db.dispose()
    return [row[0] for row in rows]


def stored_ids(postgres_url: str) -> set[str]:
    return set(stored_list(postgres_url))


@pytest.fixture
def gunicorn(tmp_path: Path, postgres_url: str) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    db = create_engine(database_url(postgres_url))
    migrate.upgrade(db)
    new = generate_key()
    api_keys.insert_key(db, prefix=new.prefix, key_hash=new.key_hash, tenant="bank-a", role="bank")
    db.dispose()
    settings = {"GREENRATE_DATABASE_URL": postgres_url, "GREENRATE_RATE_LIMIT": "100000 per minute"}
    with gunicorn_server(settings, tmp_path, ready=lambda p: len(workers_of(p.pid)) == 2) as (base, process):
        yield base, new.key, process


def test_sigkill_of_a_worker_loses_no_rating_and_invents_none(
    gunicorn: tuple[str, str, subprocess.Popen[bytes]], postgres_url: str
) -> None:
    base, key, process = gunicorn
    bodies = [json.dumps(payload(employees=i + 1)).encode() for i in range(COMPANIES)]
    done = threading.Event()
    completed: list[int] = []
    lock = threading.Lock()

    def attempt(index: int) -> tuple[int, int, str | None]:
        try:
            status, raw = post(base + "/v1/ratings", bodies[index], key)
        # the worker died with this request in flight: before answering, or while sending the body
        # (IncompleteRead: the headers had left, not all of the rating)
        except (OSError, http.client.HTTPException):
            status, raw = -1, b""
        with lock:
            completed.append(index)
            if len(completed) == KILL_AFTER:
                done.set()
        rating_id = json.loads(raw)["id"] if status == 201 else None
        return index, status, rating_id

    victim: list[int] = []

    def killer() -> None:
        done.wait(timeout=60)
        victim.append(workers_of(process.pid)[0])
        os.kill(victim[0], signal.SIGKILL)

    thread = threading.Thread(target=killer)
    thread.start()
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = list(pool.map(attempt, range(COMPANIES)))
    thread.join(timeout=60)
    assert victim, "no worker was killed"
    statuses = [status for _, status, _ in first]
    assert all(status in (201, -1, 502, 503) for status in statuses), sorted(set(statuses))
    assert all(status != 500 for status in statuses)
    # gunicorn replaces the dead worker by itself
    wait_until(
        lambda: len(workers_of(process.pid)) == 2 and victim[0] not in workers_of(process.pid), "a new worker"
    )
    seen: dict[int, str] = {index: rating_id for index, status, rating_id in first if status == 201}
    # Before any re-send: a row without a 201 can only belong to a request that died with the worker
    # (committed, then killed before the answer left).
    unanswered = stored_ids(postgres_url) - set(seen.values())
    assert len(unanswered) <= statuses.count(-1) + statuses.count(502), unanswered
    # The client re-sends what failed; an identical input is answered with the rating already issued.
    for index in sorted(set(range(COMPANIES)) - set(seen)):
        status, raw = post(base + "/v1/ratings", bodies[index], key)
        assert status == 201, raw[:200]
        seen[index] = json.loads(raw)["id"]
    stored = stored_list(postgres_url)
    assert len(stored) == len(set(stored)) == COMPANIES  # one row per company, none twice
    assert set(stored) == set(seen.values())  # every 201 has its row; every row reached the client
    print(
        f"\n{statuses.count(201)} x 201 during the load, {statuses.count(-1)} lost with the worker, "
        f"{COMPANIES - statuses.count(201)} re-sent"
    )
