"""prometheus_client's multiprocess files: checked at start, allocated per worker, merged when one dies.

In multiprocess mode every worker maps one file per metric type (``counter_<pid>.db``,
``histogram_<pid>.db``) and writes its samples through the map. prometheus_client makes and grows those
files sparse (``truncate``): on a full filesystem the first write to a page with no block behind it is a
SIGBUS, not an error, and the worker dies mid-request (fault-injection review: 62 worker deaths in 20 s,
ratings committed and their connections dropped). So each worker's files are allocated for real before it
serves (:func:`reserve`), and a disk that cannot hold them stops the worker's boot with one line instead.

A dead worker's counters and histograms are folded into one ``<type>_archive.db`` per type and its files
deleted (:func:`merge_dead`): max_requests recycling makes hundreds a day, and 12,000 had made each scrape
take 0.5 s and 50 MB.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

#: The metric types :mod:`service.metrics` has (one file each per worker; a test keeps them in step) and
#: what each file is allocated to. prometheus_client starts a file at 64 KiB and doubles it when full (and
#: the doubled part is sparse again); an entry takes about 240 bytes, and a histogram series 14 entries, so
#: these hold some 300 histogram series (30-odd route and method pairs, each with several statuses) and
#: 4,000 counter series.
RESERVED_BYTES = {"counter": 1 << 20, "histogram": 4 << 20}
KINDS = tuple(RESERVED_BYTES)
#: Kinds whose dead workers' values are summed (or, for min/max gauges, compared) across processes, so
#: they merge into one file. ``gauge_all`` is one series per pid and ``gauge_mostrecent`` needs each
#: sample's timestamp: neither merges; live gauges are deleted by ``mark_process_dead``.
_MERGEABLE = frozenset({"counter", "histogram", "summary", "gauge_min", "gauge_max", "gauge_sum"})
#: Scrapes hold it shared, a merge exclusively: a scrape never sees a dead worker's values twice (in its
#: file and in the archive) or not at all. Not ``*.db``, so the collector never reads it.
LOCK_NAME = ".greenrate-merge.lock"


class MetricsDirError(Exception):
    """The metrics directory cannot be used: the message says why, in one line."""


def prepare_directory(path: Path, workers: int) -> None:
    """Make ``path`` ready for a new run of ``workers`` workers, or raise :class:`MetricsDirError`.

    Samples of a previous run are stale and go. The directory must be writable and have room for every
    worker's files twice over (the archives, and the files of a merge that failed, need room too).
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        for entry in path.iterdir():
            if entry.is_file() and entry.suffix == ".db":
                entry.unlink()
        (path / LOCK_NAME).touch()
    except OSError as exc:
        raise MetricsDirError(
            f"PROMETHEUS_MULTIPROC_DIR {path} is not writable ({exc.strerror or exc})"
        ) from exc
    need = 2 * workers * sum(RESERVED_BYTES.values())
    free = shutil.disk_usage(path).free
    if free < need:
        raise MetricsDirError(
            f"PROMETHEUS_MULTIPROC_DIR {path} has {free // 1024} KiB free; {workers} workers need "
            f"{need // 1024} KiB for their metrics (give it a dedicated filesystem; docs/operations.md)"
        )


def reserve(path: Path, pid: int) -> None:
    """Allocate the metric files of process ``pid`` on disk before prometheus_client maps them.

    Raises ``OSError`` (``ENOSPC`` on a full disk) and then leaves no empty file behind: the collector
    cannot read a file without its header, and every scrape would fail on it.
    """
    for kind in KINDS:
        file = path / f"{kind}_{pid}.db"
        fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            os.posix_fallocate(fd, 0, max(os.fstat(fd).st_size, RESERVED_BYTES[kind]))
        except OSError:
            if os.fstat(fd).st_size == 0:
                file.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)


@contextmanager
def scrape_lock(path: str | Path) -> Iterator[None]:
    """Hold the directory's merge lock shared, for a scrape; no lock file (no gunicorn) means no merges."""
    try:
        fd = os.open(Path(path) / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # a merge holds it for a rename and an unlink
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _merge_lock(path: Path, wait_seconds: float = 2.0) -> Iterator[None]:
    """Hold the merge lock exclusively; ``TimeoutError`` after ``wait_seconds`` of scrapes holding it.

    Bounded, because the master waits here: a worker stopped in the middle of a scrape must not stop it
    from managing the others.
    """
    fd = os.open(path / LOCK_NAME, os.O_RDONLY | os.O_CREAT)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"scrapes held {LOCK_NAME} for {wait_seconds:g} s") from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)


def merge_dead(path: Path, pid: int, wait_seconds: float = 2.0) -> list[str]:
    """Fold the files of dead process ``pid`` into the archives and delete them; the kinds merged.

    Totals are unchanged: the archive holds the sum over every merged worker (per series), and each new
    archive is written whole beside the old one, then swapped in and the worker's file deleted under the
    exclusive lock. The archive is allocated before it is written (no SIGBUS in gunicorn's master); when
    it cannot be, or scrapes hold the lock past ``wait_seconds``, ``OSError`` is raised and the worker's
    files stay, still counted.
    """
    merged: list[str] = []
    for file in sorted(path.glob(f"*_{pid}.db")):
        kind = file.name[: -len(f"_{pid}.db")]
        if kind not in _MERGEABLE:
            continue
        archive = path / f"{kind}_archive.db"
        if file.stat().st_size == 0:  # died between creating and sizing it: nothing recorded
            file.unlink()
            continue
        staged = _write_archive(path / f".{kind}_archive.tmp", [archive, file])
        try:
            with _merge_lock(path, wait_seconds):
                staged.replace(archive)
                file.unlink()
        finally:
            staged.unlink(missing_ok=True)  # when the lock was not had
        merged.append(kind)
    return merged


def _write_archive(staged: Path, sources: list[Path]) -> Path:
    """Write the merged samples of ``sources`` (those that exist) to ``staged``, allocated first."""
    files = [str(s) for s in sources if s.exists()]
    metrics = MultiProcessCollector.merge(files, accumulate=False)  # type: ignore[no-untyped-call]
    entries = [
        (mmap_key(metric.name, sample.name, list(sample.labels), list(sample.labels.values()),
                  metric.documentation), sample.value)
        for metric in metrics
        for sample in metric.samples
    ]
    # header, then per entry a length, the key padded to 8 bytes and two doubles (mmap_dict's layout)
    size = 8 + sum(len(key.encode()) + 32 for key, _ in entries)
    size = max(-(-size // mmap.PAGESIZE) * mmap.PAGESIZE, mmap.PAGESIZE)
    staged.unlink(missing_ok=True)
    try:
        fd = os.open(staged, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            os.posix_fallocate(fd, 0, size)
        finally:
            os.close(fd)
        values = MmapedDict(str(staged))  # type: ignore[no-untyped-call]
        try:
            for key, value in entries:
                values.write_value(key, value, 0.0)  # type: ignore[no-untyped-call]
        finally:
            values.close()  # type: ignore[no-untyped-call]
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged
