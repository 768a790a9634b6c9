"""Real Redis and PostgreSQL for the integration tests (imported by conftest.py).

Use the servers on 127.0.0.1:6379 and 127.0.0.1:5432 when they run (PostgreSQL: trust auth, user
postgres); otherwise start throwaway ones from the installed binaries in a temporary directory; otherwise
fail with a message that says what is missing. ``TEST_REDIS_URL`` / ``TEST_DATABASE_URL`` (a server URL,
e.g. ``postgresql://postgres@host:5432/postgres``) point the tests elsewhere. Nothing here ever stops the
machine's own servers: only processes this module started are stopped.

A Redis test database belongs to one test session at a time (:func:`claim_redis_database`): the tests
flush it before and after each test, so a second session on the same database (a run of one file while
``make test`` runs, both on the default database 15) emptied the first one's queue and jobs under it, and
its burst workers ran the first one's portfolio jobs against their own records: tests failed far from the
cause, as if a job had vanished or been left queued.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
import redis

from benchmarks.harness import free_port, port_open

REDIS_TEST_DB = 15
_HOST = "127.0.0.1"


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15.0, step: float = 0.02) -> None:
    """Poll ``check`` with short sleeps; fail with ``what`` once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(step)


@dataclass
class RedisServer:
    """A redis-server this test session started; ``stop`` shuts it down (never the machine's own)."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://{_HOST}:{self.port}/{REDIS_TEST_DB}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_redis() -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "no Redis on 127.0.0.1:6379 and no redis-server binary to start one "
            "(apt-get install redis-server)"
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", _HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(port, process)
    wait_until(lambda: port_open(port), f"throwaway redis-server on port {port}", timeout=20.0)
    return server


def redis_db_index(url: str) -> int:
    """The database index ``url`` names (its path, or ``?db=``); fail when it names none.

    Any index will do (``TEST_REDIS_URL`` picks one): the tests flush it, and a URL without one means
    database 0, where a machine's own Redis keeps its data.
    """
    db = redis.Redis.from_url(url).connection_pool.connection_kwargs.get("db")
    if db is None:
        pytest.fail(f"the test Redis URL {url!r} names no database index (e.g. redis://host:6379/{REDIS_TEST_DB})")
    return int(db)


#: the name of the connection through which a test session holds its Redis database
_SESSION_CLIENT = "greenrate-tests"


def claim_redis_database(url: str) -> redis.Redis:
    """Hold the database ``url`` names for this test session; stop the session if another one holds it.

    The hold is a connection kept open for the session, named after it and on that database: Redis lists
    it (``CLIENT LIST``) until the session ends, however it ends, so no claim is ever left behind by a
    session that was killed, and a session on another machine is seen as well. Each session names its
    connection before it looks for another's, so of two starting together at least one stops. Close the
    returned client to let the database go.
    """
    index = redis_db_index(url)
    me = f"{_SESSION_CLIENT}:{socket.gethostname()}:{os.getpid()}"
    holder = redis.Redis.from_url(url, client_name=me, socket_timeout=5)
    holder.ping()  # connected, and named, before the others are looked at
    others = [
        client["name"] for client in holder.client_list()
        if client.get("name", "").startswith(f"{_SESSION_CLIENT}:") and client["name"] != me
        and int(client.get("db", -1)) == index
    ]
    if others:
        holder.close()
        pytest.exit(  # the URL is not quoted: it may hold a password
            f"the test Redis database {index} is in use by another test session ({', '.join(others)}: "
            "its host and process id): each would flush it under the other's queued jobs. Wait for that "
            f"session to end, or give this one another database (TEST_REDIS_URL=redis://{_HOST}:6379/<index>)"
        )
    return holder


def xdist_worker(config: pytest.Config) -> int:
    """This session's number among ``pytest -n``'s workers (``gw1`` is 1); 0 in a run without workers.

    Read from the session's own config, not ``PYTEST_XDIST_WORKER``: a test session a test starts in a
    subprocess inherits that variable without being a worker (it would have moved to another database).
    """
    workerinput: dict[str, str] = getattr(config, "workerinput", {})
    return int(workerinput.get("workerid", "gw0").removeprefix("gw"))


def worker_database(url: str, worker: int) -> str:
    """``url`` with the database ``worker`` below its own: each of ``make test``'s workers (``pytest -n``)
    is a test session of its own and must hold a database of its own (:func:`claim_redis_database`), so
    with the default 15 worker 0 takes 15 and worker 1 takes 14; ``TEST_REDIS_URL`` names worker 0's."""
    index = redis_db_index(url)
    if worker == 0:
        return url
    if worker > index:
        pytest.exit(f"{worker + 1} test workers need Redis databases {index} down to {index - worker}: "
                    "give TEST_REDIS_URL a higher database index, or run fewer workers (pytest -n)")
    parts = urlsplit(url)
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query) if key != "db"])
    return urlunsplit(parts._replace(path=f"/{index - worker}", query=query))


@pytest.fixture(scope="session")
def live_redis_url(pytestconfig: pytest.Config) -> Iterator[str]:
    """A Redis URL on a test database held by this session (:func:`claim_redis_database`):
    ``TEST_REDIS_URL``, else database 15 of the machine's server if it runs (each lowered by the
    ``pytest -n`` worker's number: :func:`worker_database`), else of a throwaway server of this session's."""
    configured = os.environ.get("TEST_REDIS_URL")
    server = None
    if configured:
        url = worker_database(configured, xdist_worker(pytestconfig))
    elif port_open(6379):
        url = worker_database(f"redis://{_HOST}:6379/{REDIS_TEST_DB}", xdist_worker(pytestconfig))
    else:
        server = start_redis()
        url = server.url
    try:
        holder = claim_redis_database(url)
        try:
            yield url
        finally:
            holder.close()
    finally:
        if server is not None:
            server.stop()


# -- PostgreSQL ---------------------------------------------------------------------------------------


def _pg_binaries() -> tuple[str, str] | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True) + ["/usr/local/bin", "/usr/bin"]
    for directory in candidates:
        initdb, pg_ctl = Path(directory, "initdb"), Path(directory, "pg_ctl")
        if initdb.exists() and pg_ctl.exists():
            return str(initdb), str(pg_ctl)
    return None


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root; run as the ``postgres`` system user then."""
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root and there is no 'postgres' user to run a throwaway PostgreSQL as")
    return ["runuser", "-u", "postgres", "--", *cmd]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster this session created in a temporary directory."""

    port: int
    data_dir: Path
    pg_ctl: str

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{_HOST}:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user([self.pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_postgres() -> PostgresServer:
    binaries = _pg_binaries()
    if binaries is None:
        pytest.fail(
            "no PostgreSQL on 127.0.0.1:5432 and no initdb/pg_ctl (looked in /usr/lib/postgresql/*/bin, "
            "/usr/local/bin, /usr/bin) to start one (apt-get install postgresql)"
        )
    initdb, pg_ctl = binaries
    root = Path(tempfile.mkdtemp(prefix="greenrate-pg-"))
    data_dir = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    subprocess.run(
        _as_postgres_user([initdb, "-D", str(data_dir), "-U", "postgres", "--auth=trust", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    options = f"-p {port} -k {root} -c listen_addresses={_HOST} -c fsync=off"
    subprocess.run(
        _as_postgres_user(
            [pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(root / "log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return PostgresServer(port, data_dir, pg_ctl)


def _pg_server_url() -> tuple[str, PostgresServer | None]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured, None
    if port_open(5432):
        return f"postgresql://postgres@{_HOST}:5432/postgres", None
    server = start_postgres()
    return server.url, server


def _drop_stale_databases(conn: psycopg.Connection) -> None:
    """Drop test databases left by sessions that died (their pid no longer runs)."""
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE 'greenrate\\_test\\_%'"
    ).fetchall()
    for (name,) in rows:
        pid = name.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live_postgres_url() -> Iterator[str]:
    """A database of this test session's own (``greenrate_test_<pid>``), dropped at the end."""
    server_url, server = _pg_server_url()
    name = f"greenrate_test_{os.getpid()}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
            _drop_stale_databases(conn)
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        base = server_url.rsplit("/", 1)[0]
        yield f"{base}/{name}"
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if server is not None:
            server.stop()


_ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def gunicorn_server(
    settings: Mapping[str, str],
    workdir: Path,
    *,
    ready: Callable[[subprocess.Popen[bytes]], bool] | None = None,
    timeout: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real gunicorn (``gunicorn.conf.py``, two workers) on a free loopback port, stopped afterwards.

    ``settings`` are ``GREENRATE_`` variables on top of a clean environment; ``ready`` is an extra
    start-up condition beyond ``/readyz`` answering 200. Its stderr goes to a file in ``workdir`` (a pipe
    nobody reads would block the master once a killed worker makes it talk) and is shown on failure.
    """
    port = free_port()
    metrics = workdir / "gunicorn-metrics"
    metrics.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.update(GREENRATE_BIND=f"127.0.0.1:{port}", GREENRATE_WORKERS="2", GREENRATE_ACCESS_LOG="false",
               PROMETHEUS_MULTIPROC_DIR=str(metrics))
    env.update(settings)
    log = workdir / "gunicorn.stderr"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=_ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                        if response.status == 200 and (ready is None or ready(process)):
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not become ready: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
