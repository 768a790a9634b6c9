"""The multiprocess metric files: the start's checks and each worker's files allocated before it serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.metrics import MetricWrapperBase

from service import metrics
from service.metrics_files import KINDS, RESERVED_BYTES, MetricsDirError, prepare_directory, reserve

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
    assert sorted(p.name for p in metrics_dir.iterdir()) == ["notes.txt"]
    prepare_directory(tmp_path / "made" / "here", workers=1)  # created when missing
    assert (tmp_path / "made" / "here").is_dir()


def test_prepare_directory_refuses_a_filesystem_without_room_for_the_workers(tmp_path: Path) -> None:
    workers = 10**7  # ~100 TB of metric files: no test machine has them free
    with pytest.raises(MetricsDirError) as refused:
        prepare_directory(tmp_path, workers)
    message = str(refused.value)
    assert message.startswith(f"PROMETHEUS_MULTIPROC_DIR {tmp_path} has ") and "\n" not in message
    assert f"{workers} workers need {2 * workers * sum(RESERVED_BYTES.values()) // 1024} KiB" in message
