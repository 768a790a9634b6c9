"""Whether the database takes writes: the last write failure, for readiness, and the driver's name for it.

A database can answer every read and refuse every write (SQLite on a full or read-only disk, PostgreSQL
out of disk or in read-only mode). Readiness only reads, so it said ok while every rating failed
(fault-injection review: 9,322 POSTs answered 503). The error handler now records each write failure
here, issuing records each write that succeeds, and readiness reports the database unavailable while the
last write failed less than :data:`WINDOW_SECONDS` ago and none has succeeded since.

The workers of one host share that state. Kept per process, only the workers that had seen a failed write
answered 503 and the others 200, so during a disk-full or read-only incident the load balancer saw the
host's readiness flap with whichever worker answered the probe. The state is one page of a file in the
multiprocess metrics directory (:data:`SHARED_FILE` in ``PROMETHEUS_MULTIPROC_DIR``), allocated and
mapped by every worker as its app is made: a failure is written into the page, and every worker's
readiness reads it. A write that succeeds reads one byte of the mapping (no system call, no disk) and
writes only when a failure is recorded, to clear it. Allocated up front, the page needs no disk space
later, when the disk may be full: that is the incident. Where it cannot be had (no room, a read-only or
missing directory) the worker keeps its own state, as before, and says so in one log line. Without
``PROMETHEUS_MULTIPROC_DIR`` (one process: the tests, the commands) the state is the process's own.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog
from sqlalchemy.exc import DBAPIError

from service.logging import exception_summary

#: How long one failed write keeps readiness down when no write succeeds after it. Out of the load
#: balancer, a host gets no writes to succeed with: after this it says ready again and is tried anew.
WINDOW_SECONDS = 30.0
#: The file the workers of a host share their last write failure through, in ``PROMETHEUS_MULTIPROC_DIR``
#: (not ``*.db``: the metrics collector reads every such file there). gunicorn removes it at start
#: (:func:`forget`): a failure of the previous run is not this one's.
SHARED_FILE = "greenrate-write-health"

_WRITE_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE"})
#: SQLite result codes (extended ones start with these) and PostgreSQL SQLSTATEs that mean the storage
#: refuses writes, whatever the statement: disk full, read-only, I/O error.
_SQLITE_REFUSALS = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR")
_SQLSTATE_REFUSALS = frozenset({"53100", "25006", "58030"})
#: SQLite result codes and PostgreSQL SQLSTATEs of a write that waited for others, not of storage refusing
#: it: a statement cancelled at its timeout (57014, also an operator's ``pg_cancel_backend``), a lock not
#: had within ``lock_timeout`` (55P03), a deadlock or a serialization failure (40P01, 40001), SQLite's busy
#: or locked database. See :func:`is_write_failure`.
_SQLITE_WAITS = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLSTATE_WAITS = frozenset({"57014", "55P03", "40P01", "40001"})
#: The shared page: a flag byte (1: a failure is recorded, none succeeded since) first, so a success
#: reads one byte; then when the failure happened (the clock's seconds) and its reason's length and bytes.
_RECORD = struct.Struct("<B7xdH")
_REASON_BYTES = 512
_log = structlog.get_logger("greenrate.write_health")


class _HostFailure:
    """The last write failure of any worker of this host, in a page of :data:`SHARED_FILE` they all map."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            # Blocks for real: a page mapped sparse would be a SIGBUS at its first write on a full disk.
            os.posix_fallocate(fd, 0, mmap.PAGESIZE)
            self._map = mmap.mmap(fd, mmap.PAGESIZE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd  # for flock: failures are written whole and read whole, whichever worker
        self._threads = threading.Lock()  # flock does not exclude the threads sharing one descriptor

    @contextmanager
    def _locked(self, how: int) -> Iterator[None]:
        with self._threads:
            fcntl.flock(self._fd, how)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def failed(self, at: float, reason: str) -> None:
        text = reason.encode()[:_REASON_BYTES]
        with self._locked(fcntl.LOCK_EX):
            self._map[_RECORD.size:_RECORD.size + len(text)] = text
            _RECORD.pack_into(self._map, 0, 0, at, len(text))
            self._map[0] = 1  # last: a reader under the lock, or a success without it, sees it whole

    def succeeded(self) -> None:
        if self._map[0]:  # one byte of memory: nothing more while no failure is recorded
            self._map[0] = 0  # a failure recorded at this very moment may be lost either way round

    def last(self) -> tuple[float, str] | None:
        with self._locked(fcntl.LOCK_SH):
            flag, at, length = _RECORD.unpack_from(self._map, 0)
            reason = bytes(self._map[_RECORD.size:_RECORD.size + length])
        return (at, reason.decode(errors="replace")) if flag else None


class WriteHealth:
    """The last write failure on this host (or, without a shared directory, in this process) and when it
    happened; cheap enough for every write.

    :param shared_dir: the directory whose :data:`SHARED_FILE` the workers of this host share
        (``PROMETHEUS_MULTIPROC_DIR``); ``None`` keeps the state in this process.
    :param clock: seconds on a clock every process of the host reads alike (``time.monotonic`` is the
        system's ``CLOCK_MONOTONIC`` on Linux).
    """

    def __init__(
        self,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        shared_dir: str | Path | None = None,
    ) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._failure: tuple[float, str] | None = None  # replaced whole: no lock needed between threads
        self._host: _HostFailure | None = None
        if shared_dir is not None:
            try:
                self._host = _HostFailure(Path(shared_dir) / SHARED_FILE)
            except OSError as exc:  # the disk may be full or read-only: the very incident this is about
                _log.warning(  # the system's words for its errno; without one its class, never its text
                    "write_health_not_shared", directory=str(shared_dir),
                    error=os.strerror(exc.errno) if exc.errno else exception_summary(exc),
                    consequence="readiness reports the write failures this worker saw, not the host's",
                )

    @property
    def shared(self) -> bool:
        """Whether the workers of this host share the state (else it is this process's own)."""
        return self._host is not None

    def failed(self, reason: str) -> None:
        if self._host is not None:
            self._host.failed(self._clock(), reason)
        else:
            self._failure = (self._clock(), reason)

    def succeeded(self) -> None:
        if self._host is not None:
            self._host.succeeded()
        elif self._failure is not None:
            self._failure = None

    def problem(self) -> str | None:
        """Why the database is not taking writes, or ``None``."""
        failure = self._host.last() if self._host is not None else self._failure
        if failure is None:
            return None
        age = self._clock() - failure[0]
        if not 0 <= age <= self.window_seconds:  # over, or a stamp of another boot's clock
            return None
        return f"writes are failing ({failure[1]}; the last {age:.0f} s ago, none succeeded since)"


def forget(directory: str | Path) -> None:
    """Remove the shared state of a previous run from ``directory`` (gunicorn's ``on_starting``)."""
    (Path(directory) / SHARED_FILE).unlink(missing_ok=True)


def driver_error(exc: BaseException) -> tuple[str, str | None]:
    """The driver's own name for a database error and its first line, e.g. ``("SQLITE_FULL", "database or
    disk is full")`` or ``("DiskFull (SQLSTATE 53100)", ...)``; SQLAlchemy's class name says much less."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return type(exc).__name__, None
    message = (str(orig).strip().splitlines() or [""])[0][:200] or None
    sqlite_name = getattr(orig, "sqlite_errorname", None)
    if sqlite_name:
        return str(sqlite_name), message
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return f"{type(orig).__name__} (SQLSTATE {sqlstate})", message
    return type(orig).__name__, message


def is_write_failure(exc: BaseException) -> bool:
    """Whether a database error failed a write: storage refusing writes, or an INSERT, UPDATE or DELETE that
    failed on a connection still standing.

    A write whose connection was lost (its backend terminated, the server restarted or failed over, the
    network reset) says nothing about the storage: the pool replaces the connection at the next checkout.
    Counted, one terminated backend mid-INSERT took every worker's readiness down for 30 s, and a host out
    of the load balancer, or serving only cache hits, gets no write to clear it (concurrency review, H4).

    Nor does a write that waited too long for others (:data:`_SQLSTATE_WAITS`): cancelled at the statement
    timeout behind the lock of an erasure (``ALTER TABLE ratings DISABLE TRIGGER``), of an index built
    without ``CONCURRENTLY`` or of a migration, or refused its lock or a deadlock. The storage takes writes,
    and every host sharing the database waits behind the same lock: counted, one such lock held past
    ``GREENRATE_DATABASE_TIMEOUT_SECONDS`` took every host out of the load balancer at once for 30 s, a whole
    outage where the writes that waited had answered 503 (an SRE's review, H3). Such a 503 is logged
    (``dependency_unavailable``, with its SQLSTATE) and counted in the requests' metrics as any other.
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlite_name = str(getattr(orig, "sqlite_errorname", ""))
    if sqlite_name.startswith(_SQLITE_WAITS) or getattr(orig, "sqlstate", None) in _SQLSTATE_WAITS:
        return False
    if sqlite_name.startswith(_SQLITE_REFUSALS) or (
        getattr(orig, "sqlstate", None) in _SQLSTATE_REFUSALS
    ):
        return True
    if exc.connection_invalidated:
        return False
    words = (exc.statement or "").split(None, 1)
    return bool(words) and words[0].upper() in _WRITE_STATEMENTS
