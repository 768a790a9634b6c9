"""Whether the database takes writes: the last write failure, for readiness, and the driver's name for it.

A database can answer every read and refuse every write (SQLite on a full or read-only disk, PostgreSQL
out of disk or in read-only mode). Readiness only reads, so it said ok while every rating failed
(fault-injection review: 9,322 POSTs answered 503). The error handler now records each write failure
here, issuing records each write that succeeds, and readiness reports the database unavailable while the
last write failed less than :data:`WINDOW_SECONDS` ago and none has succeeded since. One per app (so one
per gunicorn worker): each worker reports what it has seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

#: How long one failed write keeps readiness down when no write succeeds after it. Out of the load
#: balancer, a worker gets no writes to succeed with: after this it says ready again and is tried anew.
WINDOW_SECONDS = 30.0

_WRITE_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE"})
#: SQLite result codes (extended ones start with these) and PostgreSQL SQLSTATEs that mean the storage
#: refuses writes, whatever the statement: disk full, read-only, I/O error.
_SQLITE_REFUSALS = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR")
_SQLSTATE_REFUSALS = frozenset({"53100", "25006", "58030"})


class WriteHealth:
    """The last write failure of this process and when it happened; cheap enough for every write."""

    def __init__(self, window_seconds: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.window_seconds = window_seconds
        self._clock = clock
        self._failure: tuple[float, str] | None = None  # replaced whole: no lock needed between threads

    def failed(self, reason: str) -> None:
        self._failure = (self._clock(), reason)

    def succeeded(self) -> None:
        if self._failure is not None:
            self._failure = None

    def problem(self) -> str | None:
        """Why the database is not taking writes, or ``None``."""
        failure = self._failure
        if failure is None:
            return None
        age = self._clock() - failure[0]
        if age > self.window_seconds:
            return None
        return f"writes are failing ({failure[1]}; the last {age:.0f} s ago, none succeeded since)"


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
    """Whether a database error failed a write: an INSERT, UPDATE or DELETE, or storage refusing writes."""
    if not isinstance(exc, DBAPIError):
        return False
    words = (exc.statement or "").split(None, 1)
    if words and words[0].upper() in _WRITE_STATEMENTS:
        return True
    orig = exc.orig
    return str(getattr(orig, "sqlite_errorname", "")).startswith(_SQLITE_REFUSALS) or (
        getattr(orig, "sqlstate", None) in _SQLSTATE_REFUSALS
    )
