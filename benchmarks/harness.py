"""Processes for the service benchmark: gunicorn servers on loopback ports, wrk runs, worker memory.

Kept apart from :mod:`benchmarks.service` (which decides what to measure) because it is the part that
touches processes: every server is started here, in its own session, and stopped here by the pid it was
given, so the benchmark never signals a process it did not start.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
LUA = "benchmarks/wrk/ratings.lua"  # relative to ROOT, where wrk runs, so logged commands can be re-run
KEY_VARIABLE = "BENCH_API_KEY"  # read by ratings.lua; deliberately not GREENRATE_ (the service refuses those)


class BenchmarkError(RuntimeError):
    """The benchmark cannot run or produced an unusable measurement; the message says why."""


def parse_no_options(doc: str | None) -> None:
    """The command line of a benchmark that takes no options: ``--help`` prints what it does and exits.

    Without it, ``python -m benchmarks.engine --help`` ran the whole benchmark (and the report rewrote
    ``results.md``).
    """
    argparse.ArgumentParser(description=(doc or "").split("\n\n")[0]).parse_args()


def free_port() -> int:
    """A loopback port free right now (the OS picks it; gunicorn binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return sorted(int(p) for p in text.split())


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident peak) of one process, in kB, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


@dataclass
class Server:
    """One gunicorn master (and its workers) serving ``app`` with config file ``config`` on ``port``."""

    name: str
    config: Path
    env: dict[str, str]
    workers: int
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        env = {**self.env, "GREENRATE_BIND": f"{HOST}:{self.port}"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-c", str(self.config)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return _children(self.process.pid)

    def wait_ready(self, probe: str, timeout: float = 180.0) -> None:
        """Wait until ``probe`` answers and every worker is booted and idle (engine loaded, in accept).

        gunicorn forks workers before they run ``post_worker_init``, so a live port proves one worker is
        up, not all; a worker whose CPU time stops moving has finished loading and waits for requests.
        """
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            pids = self.worker_pids()
            if len(pids) == self.workers and port_open(self.port) and self._probe(probe):
                try:
                    before = [_cpu_ticks(p) for p in pids]
                    time.sleep(0.5)
                    after = [_cpu_ticks(p) for p in pids]
                except OSError:
                    continue  # a worker was replaced while we looked
                if all(b - a <= 2 for a, b in zip(before, after, strict=True)):
                    return
            time.sleep(0.2)
        raise BenchmarkError(f"{self.name} not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def _probe(self, probe: str) -> bool:
        method, _, path = probe.partition(" ")
        data = b"{}" if method == "POST" else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                status: int = resp.status
                return 200 <= status < 300
        except OSError:
            return False

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            body: bytes = resp.read()
            return body.decode()

    def memory(self) -> dict[str, Any]:
        """Every worker's VmRSS and VmHWM in MB, plus the master's (which serves no request)."""
        assert self.process is not None
        workers = {str(pid): {k: v / 1024 for k, v in memory_kb(pid).items()} for pid in self.worker_pids()}
        return {
            "workers": workers,
            "max_worker_rss_mb": max((w["VmRSS"] for w in workers.values()), default=0.0),
            "max_worker_hwm_mb": max((w["VmHWM"] for w in workers.values()), default=0.0),
            "master_rss_mb": memory_kb(self.process.pid)["VmRSS"] / 1024,
        }

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the master we started (it stops its own workers); SIGKILL its group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session we created for this master
            self.process.wait(timeout=10)


def wrk_command(url: str, mode: str, offset: int, pool: int, seconds: float, connections: int) -> list[str]:
    """One wrk thread (wrk shares the 2 cores with the server), fixed connections and duration."""
    return [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", LUA, url, "--", mode, str(offset), str(pool),
    ]


def run_wrk(url: str, mode: str, offset: int, pool: int, seconds: float, connections: int,
            api_key: str) -> dict[str, Any]:
    """Run wrk once and return the JSON line printed by ratings.lua's ``done`` plus derived figures."""
    cmd = wrk_command(url, mode, offset, pool, seconds, connections)
    env = {**os.environ, KEY_VARIABLE: api_key}
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkError(
            f"wrk failed ({done.returncode}): {shlex.join(cmd)}\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = result["duration_us"] / 1e6
    ok = sum(n for code, n in result["statuses"].items() if code.startswith("2"))
    result.update(
        requests_per_s=result["requests"] / seconds_run,
        ok_per_s=ok / seconds_run,
        ok=ok,
        p50_ms=result["latency_us"]["p50"] / 1000,
        p99_ms=result["latency_us"]["p99"] / 1000,
        mean_response_bytes=result["bytes"] / max(1, result["requests"]),
        command=" ".join(shlex.quote(c) for c in cmd),
    )
    return result


def served_ratings(metrics_text: str) -> int:
    """``POST /v1/ratings`` requests the service answered (any status), from its Prometheus counter."""
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("greenrate_http_requests_total{") and 'route="/v1/ratings"' in line \
                and 'method="POST"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any GREENRATE_ setting or metrics directory of the caller's
    shell (the benchmark chooses every setting itself), plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GREENRATE_") and k != "PROMETHEUS_MULTIPROC_DIR" and k != KEY_VARIABLE}
    env.update(extra)
    return env


def greenrate_cli(env: Mapping[str, str], *args: str) -> str:
    """Run the ``greenrate`` command of this virtualenv with ``env``; its output, or why it failed."""
    cmd = [str(Path(sys.executable).parent / "greenrate"), *args]
    done = subprocess.run(cmd, env=dict(env), cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise BenchmarkError(f"{' '.join(cmd)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def prepare_database(env: Mapping[str, str]) -> str:
    """Migrate the database ``env`` names and create a bank key for it (printed alone on the last line)."""
    greenrate_cli(env, "db", "upgrade")
    created = greenrate_cli(env, "keys", "create", "--tenant", "bench", "--role", "bank")
    return created.strip().splitlines()[-1]
