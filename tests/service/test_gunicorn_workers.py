"""The real server: gunicorn with gunicorn.conf.py and two workers, metrics merged across them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from service.auth import generate_key
from service.records import api_keys, migrate
from tests.conftest import BASE_PAYLOAD
from tests.live_services import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def fetch(url: str, body: bytes | None = None, key: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    database = f"sqlite:///{tmp_path}/server.sqlite3"
    db = create_engine(database)
    migrate.upgrade(db)
    new = generate_key()
    api_keys.insert_key(db, prefix=new.prefix, key_hash=new.key_hash, tenant="bank-a", role="bank")
    db.dispose()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.update(
        GREENRATE_DATABASE_URL=database,
        GREENRATE_BIND=f"127.0.0.1:{port}",
        GREENRATE_WORKERS="2",
        GREENRATE_ACCESS_LOG="false",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(base + "/readyz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not become ready: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.1)
    try:
        yield base, new.key, metrics_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def test_gunicorn_serves_and_metrics_add_up_across_workers(server: tuple[str, str, Path]) -> None:
    base, key, metrics_dir = server
    bodies = [
        json.dumps({**BASE_PAYLOAD, "company": {**BASE_PAYLOAD["company"], "employees": 10 + i % 4}}).encode()
        for i in range(24)
    ]
    first = [fetch(base + "/v1/ratings", body, key) for body in bodies[:4]]  # one per distinct input
    issued = {json.loads(body)["id"] for _, _, body in first}
    assert [status for status, _, _ in first] == [201] * 4 and len(issued) == 4
    sent = 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        # Concurrent rounds until both workers have served (bounded: the OS may favour one worker).
        for _ in range(20):
            results = list(pool.map(lambda b: fetch(base + "/v1/ratings", b, key), bodies))
            sent += len(results)
            assert [status for status, _, _ in results] == [201] * len(bodies)
            # Whichever worker answers, a repeat is the rating already issued (a worker whose own cache
            # misses finds it in the records).
            assert {json.loads(body)["id"] for _, _, body in results} == issued
            assert {headers["X-Cache"] for _, headers, _ in results} == {"hit"}
            if len(list(metrics_dir.glob("counter_*.db"))) >= 2:
                break
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 2  # both workers served and wrote samples
    status, headers, text = fetch(base + "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    line = r'greenrate_http_requests_total\{method="POST",route="/v1/ratings",status="201"\} (\S+)'
    match = re.search(line, text.decode())
    assert match and float(match.group(1)) == sent  # the sum over workers, not one worker's share
    status, headers, _ = fetch(base + "/healthz")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
