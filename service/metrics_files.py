"""prometheus_client's multiprocess files on disk: checked at start, allocated per worker.

In multiprocess mode every worker maps one file per metric type (``counter_<pid>.db``,
``histogram_<pid>.db``) and writes its samples through the map. prometheus_client makes and grows those
files sparse (``truncate``): on a full filesystem the first write to a page with no block behind it is a
SIGBUS, not an error, and the worker dies mid-request (fault-injection review: 62 worker deaths in 20 s,
ratings committed and their connections dropped). So each worker's files are allocated for real before it
serves (:func:`reserve`), and a disk that cannot hold them stops the worker's boot with one line instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The metric types :mod:`service.metrics` has (one file each per worker; a test keeps them in step) and
#: what each file is allocated to. prometheus_client starts a file at 64 KiB and doubles it when full (and
#: the doubled part is sparse again); an entry takes about 240 bytes, and a histogram series 14 entries, so
#: these hold some 300 histogram series (30-odd route and method pairs, each with several statuses) and
#: 4,000 counter series.
RESERVED_BYTES = {"counter": 1 << 20, "histogram": 4 << 20}
KINDS = tuple(RESERVED_BYTES)


class MetricsDirError(Exception):
    """The metrics directory cannot be used: the message says why, in one line."""


def prepare_directory(path: Path, workers: int) -> None:
    """Make ``path`` ready for a new run of ``workers`` workers, or raise :class:`MetricsDirError`.

    Samples of a previous run are stale and go. The directory must be writable and have room for every
    worker's files twice over (recycled workers are replaced while the service runs).
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        for entry in path.iterdir():
            if entry.is_file() and entry.suffix == ".db":
                entry.unlink()
        probe = path / ".greenrate-write-probe"
        probe.touch()
        probe.unlink()
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
