"""The real server: gunicorn with gunicorn.conf.py and two workers, metrics merged across them."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import create_engine

from service.auth import generate_key
from service.records import api_keys, migrate
from tests.conftest import BASE_PAYLOAD
from tests.live_services import gunicorn_server

pytestmark = pytest.mark.slow


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
    with gunicorn_server({"GREENRATE_DATABASE_URL": database}, tmp_path) as (base, _):
        yield base, new.key, tmp_path / "gunicorn-metrics"


def test_gunicorn_serves_and_metrics_add_up_across_workers(server: tuple[str, str, Path]) -> None:
    base, key, metrics_dir = server
    # two workers without Redis: the operator is told that each counts rate limits on its own
    started = (metrics_dir.parent / "gunicorn.stderr").read_text(errors="replace")
    assert "rate limits are counted per worker without GREENRATE_REDIS_URL" in started
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


def test_the_images_healthcheck_probes_the_port_greenrate_bind_names(server: tuple[str, str, Path]) -> None:
    """The Dockerfile's HEALTHCHECK command, run as Docker runs it: it had probed port 8000 whatever the
    bind (operator review)."""
    import os
    import subprocess
    import sys

    dockerfile = (Path(__file__).parents[2] / "Dockerfile").read_text()
    found = re.search(r"^\s+CMD (\[.*\])$", dockerfile.split("HEALTHCHECK", 1)[1], re.M)
    assert found is not None
    command = json.loads(found.group(1))
    assert command[0] == "python"
    port = server[0].rpartition(":")[2]
    for bind in (f"0.0.0.0:{port}", f" 127.0.0.1:{port} ", f"[::]:{port}"):  # wildcard, explicit, v6 wildcard
        env = {**os.environ, "GREENRATE_BIND": bind}
        assert subprocess.run([sys.executable, *command[1:]], env=env, timeout=30).returncode == 0, bind
    closed = {**os.environ, "GREENRATE_BIND": "0.0.0.0:9"}  # nothing serves the discard port
    refused = subprocess.run([sys.executable, *command[1:]], env=closed, capture_output=True, timeout=30)
    assert refused.returncode != 0


def test_a_bad_setting_stops_gunicorn_with_one_line_naming_it() -> None:
    """A typo in a setting's name had stopped the start with gunicorn's 24-line traceback of its config
    file (operator review): one line that names the variable instead."""
    import os
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).parents[2]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    scratch = Path(tempfile.mkdtemp())
    env["TMPDIR"] = str(scratch)  # where the metrics directory of each refused start would be left
    for name, value, said in (
        ("GREENRATE_REDIS_ULR", "redis://x", "unknown setting(s) GREENRATE_REDIS_ULR"),
        ("GREENRATE_SECRET_KEY", "a" * 40, "GREENRATE_SECRET_KEY is too repetitive"),
    ):
        run = subprocess.run([str(gunicorn), "-c", "gunicorn.conf.py", "--check-config"], cwd=root,
                             env={**env, name: value}, capture_output=True, text=True, timeout=60)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        assert run.stderr.strip().splitlines() == [run.stderr.strip()] and said in run.stderr
    assert list(scratch.iterdir()) == []  # a refused start left its metrics directory (operations review)
    scratch.rmdir()


def test_recycled_workers_metrics_are_merged_and_every_request_still_counted(tmp_path: Path) -> None:
    """Workers recycled by max_requests had each left their files behind (hundreds a day; 12,000 made a
    scrape take 0.5 s and 50 MB): the master folds them into the archives, and no count is lost."""
    import os

    from tests.faults.servers import wait_until
    from tests.faults.test_worker_killed import workers_of

    database = f"sqlite:///{tmp_path}/server.sqlite3"
    db = create_engine(database)
    migrate.upgrade(db)
    db.dispose()
    settings = {"GREENRATE_DATABASE_URL": database, "GREENRATE_MAX_REQUESTS": "3",
                "GREENRATE_MAX_REQUESTS_JITTER": "0"}
    metrics_dir = tmp_path / "gunicorn-metrics"
    with gunicorn_server(settings, tmp_path, ready=lambda p: len(workers_of(p.pid)) == 2) as (base, process):
        sent = 0
        for _ in range(30):  # ten recycled workers' worth
            assert fetch(base + "/healthz")[0] == 200
            sent += 1

        def only_live_workers_files() -> bool:
            live = workers_of(process.pid)
            pids = {p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("*.db")} - {"archive"}
            return len(live) == 2 and pids <= {str(pid) for pid in live}

        wait_until(only_live_workers_files, "the dead workers' files merged")
        assert {"counter_archive.db", "histogram_archive.db"} <= {p.name for p in metrics_dir.glob("*.db")}
        # read in this process, with no worker that could serve the scrape recycled in between
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(metrics_dir))  # type: ignore[no-untyped-call]
        labels = {"method": "GET", "route": "/healthz", "status": "200"}
        assert registry.get_sample_value("greenrate_http_requests_total", labels) == sent
        count = registry.get_sample_value("greenrate_http_request_duration_seconds_count", labels)
        assert count == sent
        assert not [p for p in os.listdir(metrics_dir) if p.endswith(".tmp")]
    assert "not merged" not in (tmp_path / "gunicorn.stderr").read_text()


@pytest.mark.skipif(not Path("/dev/shm").is_dir() or not Path("/proc/self/fd").is_dir(), reason="Linux only")
def test_the_workers_heartbeat_files_are_in_memory(tmp_path: Path) -> None:
    """gunicorn's master tells a live worker by a file the worker touches every few seconds, in the
    temporary directory unless told otherwise: in a container that is the overlay disk, where the touch can
    wait behind other writes long enough for a healthy worker to be timed out and killed (gunicorn's FAQ
    on blocking in the heartbeat). gunicorn.conf.py puts the files in /dev/shm, which is memory."""
    import os

    database = f"sqlite:///{tmp_path}/server.sqlite3"
    db = create_engine(database)
    migrate.upgrade(db)
    db.dispose()
    with gunicorn_server({"GREENRATE_DATABASE_URL": database}, tmp_path) as (_base, process):
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        heartbeats = []
        for pid in children:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:  # closed meanwhile
                    continue
                if "wgunicorn-" in target:
                    heartbeats.append(target)
    assert len(heartbeats) >= len(children) >= 2, heartbeats
    assert all(target.startswith("/dev/shm/") for target in heartbeats), heartbeats
