"""The multiprocess metric files: the start's checks and each worker's files allocated before it serves."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.metrics import MetricWrapperBase

from service import metrics
from service.metrics_files import (
    KINDS,
    LOCK_NAME,
    RESERVED_BYTES,
    MetricsDirError,
    merge_dead,
    prepare_directory,
    reserve,
    scrape_lock,
)
from tests.conftest import AppFactory

ROOT = Path(__file__).resolve().parents[2]


def test_the_reserved_kinds_are_every_kind_of_metric_the_service_has() -> None:
    """A gauge or summary added to service.metrics would write a file no worker allocated (sparse again)."""
    kinds = {
        family.type
        for value in vars(metrics).values()
        if isinstance(value, MetricWrapperBase)
        for family in value.describe()
    }
    assert kinds == set(KINDS)


def test_reserve_allocates_every_block_and_prometheus_keeps_the_file(tmp_path: Path) -> None:
    """The files are allocated, not sparse; prometheus_client then writes into them without resizing."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from service.metrics_files import reserve\n"
        "reserve(Path(sys.argv[1]), os.getpid())\n"
        "from service import metrics\n"
        "metrics.REQUESTS.labels('GET', '/healthz', '200').inc(3)\n"
        "metrics.LATENCY.labels('GET', '/healthz', '200').observe(0.002)\n"
        "print(os.getpid())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    pid = int(done.stdout)
    for kind in KINDS:
        stat = (tmp_path / f"{kind}_{pid}.db").stat()
        assert stat.st_size == RESERVED_BYTES[kind]  # not truncated back to prometheus_client's 64 KiB
        assert stat.st_blocks * 512 >= RESERVED_BYTES[kind]  # every block on disk: no sparse holes
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))  # type: ignore[no-untyped-call]
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert registry.get_sample_value("greenrate_http_requests_total", labels) == 3.0


def test_reserve_keeps_a_larger_file_whole(tmp_path: Path) -> None:
    """A file already larger (the same pid's, grown) is allocated at its size, never cut down."""
    big = tmp_path / "histogram_7.db"
    big.write_bytes(b"\0" * (RESERVED_BYTES["histogram"] + 4096))
    reserve(tmp_path, 7)
    assert big.stat().st_size == RESERVED_BYTES["histogram"] + 4096
    assert (tmp_path / "counter_7.db").stat().st_size == RESERVED_BYTES["counter"]


def test_prepare_directory_removes_the_previous_runs_samples_only(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_123.db").write_bytes(b"old")
    (metrics_dir / "notes.txt").write_text("kept")
    prepare_directory(metrics_dir, workers=2)
    assert sorted(p.name for p in metrics_dir.iterdir()) == [LOCK_NAME, "notes.txt"]
    prepare_directory(tmp_path / "made" / "here", workers=1)  # created when missing
    assert (tmp_path / "made" / "here").is_dir()


def test_prepare_directory_refuses_a_filesystem_without_room_for_the_workers(tmp_path: Path) -> None:
    workers = 10**7  # ~100 TB of metric files: no test machine has them free
    with pytest.raises(MetricsDirError) as refused:
        prepare_directory(tmp_path, workers)
    message = str(refused.value)
    assert message.startswith(f"PROMETHEUS_MULTIPROC_DIR {tmp_path} has ") and "\n" not in message
    assert f"{workers} workers need {2 * workers * sum(RESERVED_BYTES.values()) // 1024} KiB" in message


# One worker's life: its files reserved as gunicorn's post_worker_init does, then the service's own
# metrics written, as requests would (argv: the number of requests), then its pid.
WORKER = """
import os, sys
from pathlib import Path
from service.metrics_files import reserve
reserve(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]), os.getpid())
from service import metrics
n = int(sys.argv[1])
for i in range(n):
    status = "201" if i % 3 else "422"
    metrics.REQUESTS.labels("POST", "/v1/ratings", status).inc()
    metrics.LATENCY.labels("POST", "/v1/ratings", status).observe(0.001 * (i % 40))
    metrics.CACHE_LOOKUPS.labels("hit" if i % 2 else "miss").inc()
metrics.RATINGS_ISSUED.labels(f"grade-{n}").inc(n)  # a series only this worker has
print(os.getpid())
"""


def run_worker(metrics_dir: Path, requests: int) -> int:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WORKER, str(requests)], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    return int(done.stdout)


def scraped(metrics_dir: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics would serve, by name and labels."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))  # type: ignore[no-untyped-call]
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for m in registry.collect() for s in m.samples}


def assert_same_totals(after: dict[Any, float], before: dict[Any, float]) -> None:
    assert after.keys() == before.keys()
    for key, value in before.items():
        if key[0].endswith("_sum"):  # a float sum, added in another order
            assert after[key] == pytest.approx(value, rel=1e-12), key
        else:  # counts: exact
            assert after[key] == value, key


def test_dead_workers_files_merge_into_archives_with_every_total_kept(tmp_path: Path) -> None:
    """Recycled workers had left their files for good: 12,000 made each scrape take 0.5 s and 50 MB."""
    prepare_directory(tmp_path, workers=2)
    pids = [run_worker(tmp_path, n) for n in (7, 40, 13)]
    before = scraped(tmp_path)
    assert before[("greenrate_http_requests_total",
                   (("method", "POST"), ("route", "/v1/ratings"), ("status", "201")))] == 4 + 26 + 8
    for pid in pids:
        assert merge_dead(tmp_path, pid) == ["counter", "histogram"]
        assert_same_totals(scraped(tmp_path), before)  # after each merge, not only the last
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["counter_archive.db", "histogram_archive.db"]
    assert not list(tmp_path.glob(".*.tmp"))

    # a later worker's samples add to the archive's, once it has merged too
    later = run_worker(tmp_path, 5)
    with_later = scraped(tmp_path)
    merge_dead(tmp_path, later)
    assert_same_totals(scraped(tmp_path), with_later)
    key = ("greenrate_rating_cache_total", (("result", "hit"),))
    assert with_later[key] == before[key] + 2


def test_a_merge_touches_only_the_dead_workers_mergeable_files(tmp_path: Path) -> None:
    prepare_directory(tmp_path, workers=2)
    dead, alive = run_worker(tmp_path, 3), run_worker(tmp_path, 4)
    per_pid_gauge = tmp_path / f"gauge_all_{dead}.db"  # one series per pid: nothing to merge it into
    per_pid_gauge.write_bytes((tmp_path / f"counter_{dead}.db").read_bytes()[:8])
    empty = tmp_path / f"summary_{dead}.db"  # a worker killed between creating a file and sizing it
    empty.touch()
    assert merge_dead(tmp_path, dead) == ["counter", "histogram"]
    names = sorted(p.name for p in tmp_path.glob("*.db"))
    assert names == sorted(["counter_archive.db", "histogram_archive.db", per_pid_gauge.name,
                            f"counter_{alive}.db", f"histogram_{alive}.db"])


def test_a_merge_waits_for_scrapes_and_gives_up_with_nothing_changed(tmp_path: Path) -> None:
    """A scrape reads every file at once: it must never see a worker's samples both in its file and in
    the archive, or in neither. A merge that cannot have the lock leaves everything as it was."""
    prepare_directory(tmp_path, workers=2)
    pid = run_worker(tmp_path, 3)
    before = sorted(p.name for p in tmp_path.iterdir())
    with scrape_lock(tmp_path), pytest.raises(TimeoutError):
        merge_dead(tmp_path, pid, wait_seconds=0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no archive, no staged file
    assert merge_dead(tmp_path, pid) == ["counter", "histogram"]  # once the scrape is done


def test_metrics_endpoint_holds_the_lock_while_it_reads_the_files(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import metrics

    prepare_directory(tmp_path, workers=2)
    run_worker(tmp_path, 3)
    real = metrics.generate_latest
    seen: list[bool] = []

    def reading(registry: Any) -> bytes:
        fd = os.open(tmp_path / LOCK_NAME, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append(False)  # a merge could have swapped files under this scrape
        except BlockingIOError:
            seen.append(True)
        finally:
            os.close(fd)
        return real(registry)

    monkeypatch.setattr(metrics, "generate_latest", reading)
    app = make_app(METRICS_MULTIPROC_DIR=str(tmp_path))
    response = app.test_client().get("/metrics")
    assert response.status_code == 200 and seen == [True]
    line = 'greenrate_http_requests_total{method="POST",route="/v1/ratings",status="201"} 2.0'
    assert line in response.text
