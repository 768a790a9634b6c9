"""Clients that send a request one byte at a time: they stop gunicorn alone, not gunicorn behind nginx.

gunicorn's sync workers hold a request from its first byte to its last. Two such clients (the test server
has two workers) and nobody else was answered, ``/healthz`` included, until GREENRATE_TIMEOUT_SECONDS
(security review). docs/operations.md therefore requires a proxy that reads requests whole; this runs the
shipped example, deploy/nginx.conf, in front of the same gunicorn and shows the service answering while
the slow clients are still sending.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from benchmarks.harness import free_port, port_open
from schemas.errors import ErrorSchema
from tests.live_services import gunicorn_server, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]
_CONFIG = Path(__file__).parents[2] / "deploy" / "nginx.conf"
_SLOW_HEAD = (
    b"POST / HTTP/1.1\r\nHost: greenrate\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 1000\r\n\r\ncompany_name=a"
)


@contextmanager
def slow_clients(port: int, count: int) -> Iterator[None]:
    """``count`` connections that have sent a form's headers and a few bytes of its 1,000, and wait."""
    with ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.sendall(_SLOW_HEAD)
        yield


def fetch(
    base: str, path: str, source: str = "127.0.0.1", headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, object] | None]:
    """Status, Content-Type and JSON body (``None`` when not JSON) of a GET sent from address ``source``."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body, kind = response.read(), response.headers.get("Content-Type", "")
    finally:
        conn.close()
    return response.status, kind, json.loads(body) if kind.startswith("application/json") else None


def assert_proxy_error(answer: tuple[int, str, dict[str, object] | None], code: int) -> dict[str, object]:
    """nginx's own error in the service's one error shape (every required field of ErrorSchema)."""
    status, kind, body = answer
    assert status == code and kind.startswith("application/json"), answer
    assert body is not None and body["code"] == code and "proxy" in str(body["message"])
    required = {name for name, field in ErrorSchema().fields.items() if field.required}
    assert required <= body.keys() and len(str(body["request_id"])) == 32, body
    return body


def answers(base: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def nginx_in_front_of(upstream: str, workdir: Path) -> Iterator[str]:
    """deploy/nginx.conf as shipped, with only its upstream and listen addresses replaced."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise AssertionError("nginx is not installed (make system-test-deps installs it)")
    port = free_port()
    text = _CONFIG.read_text()
    assert text.count("server 127.0.0.1:8000;") == 1 and text.count("listen 127.0.0.1:8080;") == 1
    prefix = workdir / "nginx"
    prefix.mkdir()
    prefix.chmod(0o755)  # its workers drop root for nobody and must reach their temporary files
    config = prefix / "nginx.conf"
    config.write_text(
        text.replace("server 127.0.0.1:8000;", f"server {upstream};").replace(
            "listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};"
        )
    )
    command = [binary, "-p", str(prefix), "-c", str(config)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    with (workdir / "nginx.stderr").open("wb") as log:
        process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=log)
        try:
            wait_until(lambda: port_open(port), "nginx listening")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_slow_clients_stop_gunicorn_alone_but_not_behind_the_shipped_nginx(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "g.sqlite3"
    shutil.copyfile(sqlite_template, database)
    settings = {"GREENRATE_DATABASE_URL": f"sqlite:///{database}", "GREENRATE_PROXY_HOPS": "1",
                "GREENRATE_SECRET_KEY": "a-secret-of-at-least-32-characters-0123456789"}
    with gunicorn_server(settings, tmp_path) as (base, _process), nginx_in_front_of(
        base.removeprefix("http://"), tmp_path
    ) as proxied:
        assert answers(proxied, 5) and answers(base, 5)
        with slow_clients(int(proxied.rsplit(":", 1)[1]), 6):  # more than there are workers
            assert answers(proxied, 5)  # nginx holds them; gunicorn never sees them
            assert answers(proxied, 5)
        with slow_clients(int(base.rsplit(":", 1)[1]), 2):  # one per worker, straight at gunicorn
            assert not answers(base, 2)  # the failure the proxy is there for
        assert answers(proxied, 30)  # the sockets closed: the workers are free again
        # the reference documents are compressed at the proxy, and nothing else is
        contract = urllib.request.Request(proxied + "/openapi.json", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(contract, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert "Accept-Encoding" in response.headers["Vary"]
        page = urllib.request.Request(proxied + "/", headers={"Accept-Encoding": "gzip"})  # 12 KB of HTML,
        with urllib.request.urlopen(page, timeout=10) as response:  # which nginx compresses when gzip is on
            assert response.headers.get("Content-Encoding") is None
        # /metrics and /readyz: this host (and the private ranges) only; 127.0.0.2 is on loopback, not allowed
        for path in ("/metrics", "/readyz"):
            assert fetch(proxied, path)[0] == 200
            assert_proxy_error(fetch(proxied, path, source="127.0.0.2"), 403)
        assert fetch(proxied, "/healthz", source="127.0.0.2")[0] == 200
        # the service's own errors pass through untouched (its message and the request id it echoes) ...
        for path, code in (("/v1/ratings/rt_x", 401), ("/v1/no-such-path", 404)):
            status, _kind, body = fetch(proxied, path, headers={"X-Request-ID": "passed-through-1"})
            assert status == code and body is not None and body["request_id"] == "passed-through-1", body
        # ... and a request line gunicorn would refuse with its own HTML page is refused by nginx, as JSON
        assert_proxy_error(fetch(proxied, "/" + "a" * 5000), 414)
        assert_proxy_error(fetch(proxied, "/", headers={"X-Big": "a" * 6000}), 431)


def test_the_proxy_answers_json_when_the_service_is_down(tmp_path: Path) -> None:
    """nginx's own 502 (nothing listens upstream) carries the service's error shape, not nginx's HTML."""
    with nginx_in_front_of(f"127.0.0.1:{free_port()}", tmp_path) as proxied:
        body = assert_proxy_error(fetch(proxied, "/v1/ratings"), 502)
        assert body["status"] == "Bad Gateway"
        assert_proxy_error(fetch(proxied, "/.proxy-error/502"), 404)  # the bodies are not served as pages


def test_a_request_cut_off_by_the_worker_timeout_is_logged_with_its_id(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """gunicorn's WORKER TIMEOUT names no request and a cut-off request writes no access line; the
    worker_abort hook logs which request it was (operations review)."""
    import json
    import time

    database = tmp_path / "g.sqlite3"
    shutil.copyfile(sqlite_template, database)
    settings = {"GREENRATE_DATABASE_URL": f"sqlite:///{database}", "GREENRATE_TIMEOUT_SECONDS": "2",
                "GREENRATE_SECRET_KEY": "a-secret-of-at-least-32-characters-0123456789"}
    with gunicorn_server(settings, tmp_path) as (base, _process):
        port = int(base.rsplit(":", 1)[1])
        head = _SLOW_HEAD.replace(b"\r\n\r\n", b"\r\nX-Request-ID: slow-form-1\r\n\r\n", 1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(head)
            log = tmp_path / "gunicorn.stderr"

            def logged() -> list[dict[str, object]]:
                return [json.loads(line) for line in log.read_text(errors="replace").splitlines()
                        if line.startswith("{") and "request_timeout" in line]

            deadline = time.monotonic() + 20
            while not logged() and time.monotonic() < deadline:
                time.sleep(0.2)
    found = logged()
    assert found, log.read_text(errors="replace")[-2000:]
    assert found[0]["request_id"] == "slow-form-1" and found[0]["route"] == "/"
    assert found[0]["method"] == "POST" and found[0]["timeout_seconds"] == 2


def test_a_request_cut_off_by_the_worker_timeout_gets_no_answer_of_gunicorn_s_own(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """gunicorn cuts a worker off by raising SystemExit into the request, which it then answered with a 500
    of its own HTML: not the API's error body, no request id, and the status the API keeps for a rating no
    retry mends, where this one is worth retrying; and it logged the traceback, messages and all. The
    worker now ends in the worker_abort hook, after its ``request_timeout`` line: the connection closes
    without an answer, which the proxy answers with its 502 in the service's error shape (docs/operations.md,
    When a dependency fails)."""
    database = tmp_path / "g.sqlite3"
    shutil.copyfile(sqlite_template, database)
    settings = {"GREENRATE_DATABASE_URL": f"sqlite:///{database}", "GREENRATE_TIMEOUT_SECONDS": "2",
                "GREENRATE_SECRET_KEY": "a-secret-of-at-least-32-characters-0123456789"}
    with gunicorn_server(settings, tmp_path) as (base, _process):
        head = _SLOW_HEAD.replace(b"\r\n\r\n", b"\r\nX-Request-ID: slow-form-2\r\n\r\n", 1)
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=30) as sock:
            sock.sendall(head)  # the worker waits for the rest of the body until gunicorn cuts it off
            try:
                answer = sock.recv(65536)  # blocks until the worker answers or its connection closes
            except ConnectionResetError:
                answer = b""
        assert answer == b"", answer[:200]
        assert answers(base, 10)  # a new worker serves in its place
    log = (tmp_path / "gunicorn.stderr").read_text(errors="replace")
    timeouts = [json.loads(line) for line in log.splitlines()
                if line.startswith("{") and "request_timeout" in line]
    assert [line["request_id"] for line in timeouts] == ["slow-form-2"], log[-2000:]
    assert "Error handling request" not in log and "Traceback" not in log, log[-2000:]
