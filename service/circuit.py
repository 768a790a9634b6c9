"""A small circuit breaker: stop calling a failing dependency for a while, then try it once.

The cache is an accelerator, so when Redis is down each request must not pay a connect timeout: after
``failures`` consecutive errors the breaker opens and calls are skipped outright; after ``reset_seconds``
one trial call is let through (half-open), and its outcome closes or re-opens the breaker.

Each outage is logged in three lines per process: when the breaker opens, when it first lets a trial
through, and when it closes (how long it was open, how many trials failed). A Redis outage had left almost
no trace in the log, the skipped calls being silent by design (fault-injection review).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

_log = structlog.get_logger("greenrate.circuit")


class CircuitBreaker:
    """Thread-safe; one per dependency per process. ``name`` is what the log lines call the dependency."""

    def __init__(
        self,
        failures: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        name: str = "redis",
    ) -> None:
        self.failures = failures
        self.reset_seconds = reset_seconds
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._outage_since: float | None = None  # when it opened from closed (``_opened_at`` moves on)
        self._failed_trials = 0

    @property
    def state(self) -> str:
        """``closed`` (calls go through), ``open`` (calls skipped) or ``half_open`` (a trial is due)."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._clock() - self._opened_at >= self.reset_seconds:
                return "half_open"
            return "open"

    def allow(self) -> bool:
        """Whether to call the dependency now; in half-open state only one caller gets the trial."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.reset_seconds or self._trial_in_flight:
                return False
            self._trial_in_flight = True
            first_trial = self._failed_trials == 0
        if first_trial:  # later trials of the same outage are counted in the closing line
            _log.info("circuit_half_open", dependency=self.name, trial="one call let through")
        return True

    def success(self) -> None:
        with self._lock:
            since, trials = self._outage_since, self._failed_trials
            self._consecutive = 0
            self._opened_at = None
            self._trial_in_flight = False
            if since is None:  # the usual case: nothing to log
                return
            self._outage_since = None
            self._failed_trials = 0
            now = self._clock()
        _log.info("circuit_closed", dependency=self.name, open_seconds=round(now - since, 1),
                  failed_trials=trials)

    def failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            trial, self._trial_in_flight = self._trial_in_flight, False
            opening = self._opened_at is None and self._consecutive >= self.failures
            if self._opened_at is not None or opening:
                self._opened_at = self._clock()
            if opening:
                self._outage_since = self._opened_at
            elif trial:
                self._failed_trials += 1
        if opening:
            _log.warning("circuit_open", dependency=self.name, consecutive_failures=self.failures,
                         skipping_seconds=self.reset_seconds)
