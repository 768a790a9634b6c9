"""The metrics directory on a full or read-only filesystem: a clear refusal, never a worker killed by SIGBUS.

prometheus_client grows its files sparse, so a full disk under ``PROMETHEUS_MULTIPROC_DIR`` had killed each
worker at its first metric write (SIGBUS: 62 worker deaths in 20 s, ratings committed and the client's
connection dropped; fault-injection review). Each test runs its process on a tmpfs of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.metrics_files import RESERVED_BYTES
from tests.faults.filesystems import on_small_filesystem
from tests.live_services import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SIGBUS_EXIT = -7  # a process killed by SIGBUS, as subprocess reports it

# Writes every metric the service has, with many label values, then says so. Run as a fresh process,
# so that prometheus_client picks multiprocess mode from PROMETHEUS_MULTIPROC_DIR.
WRITE_METRICS = """
import os, sys
from pathlib import Path
from service import metrics_files
if sys.argv[1] == "reserve":
    metrics_files.reserve(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]), os.getpid())
fd = os.open(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "filler"), os.O_WRONLY | os.O_CREAT)
try:  # the rest of the disk fills up, as another process's files might
    while os.write(fd, bytes(1 << 16)):
        pass
except OSError:
    pass
os.close(fd)
from service import metrics
for i in range(200):
    metrics.REQUESTS.labels("POST", f"/route/{i}", "201").inc()
    metrics.LATENCY.labels("POST", f"/route/{i}", "201").observe(0.01)
print("written")
"""


def _env(metrics_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    env.update(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), PYTHONPATH=str(ROOT), **extra)
    return env


@pytest.mark.parametrize("mode", ["reserve", "no-reserve"])
def test_metric_writes_on_a_full_disk_survive_once_the_files_are_reserved(tmp_path: Path, mode: str) -> None:
    """The mechanism: unreserved, the first write on a full disk is a SIGBUS; reserved, 200 series fit."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    command = on_small_filesystem(metrics_dir, 8192, [sys.executable, "-c", WRITE_METRICS, mode])
    run = subprocess.run(command, env=_env(metrics_dir), capture_output=True, text=True, timeout=120)
    if mode == "reserve":
        assert run.returncode == 0 and run.stdout.strip() == "written", run.stderr
    else:  # what the service did before: the process dies, no exception, no log line
        assert run.returncode == SIGBUS_EXIT and not run.stdout


def _gunicorn(config: str = "gunicorn.conf.py") -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", config]


def _run_gunicorn(command: list[str], env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """Its exit status and stderr; a gunicorn still serving after ``timeout`` seconds is stopped (SIGTERM,
    so its workers go too) and reported with status ``None``."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
        return process.returncode, stderr
    except subprocess.TimeoutExpired:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
        return None, stderr


def _server_env(tmp_path: Path, metrics_dir: Path) -> dict[str, str]:
    return _env(
        metrics_dir,
        GREENRATE_BIND=f"127.0.0.1:{free_port()}",
        GREENRATE_WORKERS="2",
        GREENRATE_DATABASE_URL=f"sqlite:///{tmp_path}/server.sqlite3",
    )


def test_a_full_metrics_disk_stops_gunicorns_start_with_one_line(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    command = on_small_filesystem(metrics_dir, 256, _gunicorn(), full=True)
    status, stderr = _run_gunicorn(command, _server_env(tmp_path, metrics_dir), timeout=30)
    assert status == 1 and "Traceback" not in stderr, stderr  # (it had booted workers that died at once)
    (line,) = [line for line in stderr.splitlines() if "greenrate:" in line]
    assert line.startswith(f"greenrate: PROMETHEUS_MULTIPROC_DIR {metrics_dir} has ")
    assert f"2 workers need {2 * 2 * sum(RESERVED_BYTES.values()) // 1024} KiB" in line
    assert "Booting worker" not in stderr


def test_a_read_only_metrics_directory_stops_gunicorns_start_with_one_line(tmp_path: Path) -> None:
    """It had stopped with gunicorn's traceback of the cleanup's unlink (fault-injection review)."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    command = on_small_filesystem(metrics_dir, 8192, _gunicorn(), stale_file="counter_1.db",
                                  read_only=True)
    status, stderr = _run_gunicorn(command, _server_env(tmp_path, metrics_dir), timeout=30)
    assert status == 1 and "Traceback" not in stderr, stderr
    (line,) = [line for line in stderr.splitlines() if "greenrate:" in line]
    said = f"greenrate: PROMETHEUS_MULTIPROC_DIR {metrics_dir} is not writable (Read-only file system)"
    assert line == said


# gunicorn.conf.py as it is, plus a post_fork hook that fills the metrics filesystem: the disk fills up
# after the start's check and before a worker allocates its files (as it does under a running service,
# when a recycled worker starts).
FILLING_CONFIG = """
import runpy

globals().update(runpy.run_path({config!r}))


def post_fork(server, worker):
    import os

    from tests.faults.filesystems import fill

    fill(os.environ["PROMETHEUS_MULTIPROC_DIR"], f"filler-{{os.getpid()}}")
"""


def test_a_worker_whose_metric_files_find_no_room_fails_its_boot_with_one_line(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    config = tmp_path / "filling.conf.py"
    config.write_text(FILLING_CONFIG.format(config=str(ROOT / "gunicorn.conf.py")))
    command = on_small_filesystem(metrics_dir, 24 * 1024, _gunicorn(str(config)))
    # one worker: with two failing at once, gunicorn's own halt can reap the second while stopping and
    # raise its HaltServer again (a traceback, exit status 1), a race of gunicorn's, not of this hook's
    env = {**_server_env(tmp_path, metrics_dir), "GREENRATE_WORKERS": "1"}
    status, stderr = _run_gunicorn(command, env, timeout=60)
    # gunicorn halts on a worker that cannot boot (exit status 3) instead of serving with workers that
    # die at their first request
    assert status == 3 and "Traceback" not in stderr, stderr
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    refused = [e for e in events if e.get("event") == "metrics_files_not_allocated"]
    assert refused and refused[0]["error"] == "No space left on device"
    assert refused[0]["directory"] == str(metrics_dir) and refused[0]["level"] == "error"
    assert "Worker failed to boot" in stderr


# gunicorn's master merging a dead worker's files on a full disk: it must get an error, not a SIGBUS (a
# dead master is a dead service), and leave the worker's files to be read as they are.
MERGE_ON_FULL_DISK = """
import os, subprocess, sys
from pathlib import Path
from service.metrics_files import merge_dead, prepare_directory
path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
prepare_directory(path, workers=1)
worker = (
    "import os; from pathlib import Path; from service.metrics_files import reserve;"
    "reserve(Path(os.environ['PROMETHEUS_MULTIPROC_DIR']), os.getpid());"
    "from service import metrics; metrics.REQUESTS.labels('GET', '/healthz', '200').inc(5);"
    "metrics.LATENCY.labels('GET', '/healthz', '200').observe(0.01); print(os.getpid())"
)
pid = int(subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True, check=True).stdout)
from tests.faults.filesystems import fill
fill(path)
try:
    merge_dead(path, pid)
except OSError as exc:
    print("refused:", exc.strerror)
print(" ".join(sorted(p.name for p in path.iterdir() if p.name != "filler")))
(path / "filler").unlink()
print(merge_dead(path, pid))
"""


def test_a_merge_on_a_full_disk_fails_cleanly_and_keeps_the_workers_files(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    command = on_small_filesystem(metrics_dir, 16 * 1024, [sys.executable, "-c", MERGE_ON_FULL_DISK])
    run = subprocess.run(command, env=_env(metrics_dir), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    refused, left, merged = run.stdout.splitlines()
    assert refused == "refused: No space left on device"
    pid = left.split()[-1].split("_")[-1].removesuffix(".db")
    assert left == f".greenrate-merge.lock counter_{pid}.db histogram_{pid}.db"  # as they were, no archive
    assert merged == "['counter', 'histogram']"  # with room again, the next merge goes through
