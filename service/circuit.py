"""A small circuit breaker: stop calling a failing dependency for a while, then try it once.

The cache is an accelerator, so when Redis is down each request must not pay a connect timeout: after
``failures`` consecutive errors the breaker opens and calls are skipped outright; after ``reset_seconds``
one trial call is let through (half-open), and its outcome closes or re-opens the breaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Thread-safe; one per dependency per process."""

    def __init__(
        self, failures: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

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
            return True

    def success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_in_flight = False

    def failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            self._trial_in_flight = False
            if self._opened_at is not None or self._consecutive >= self.failures:
                self._opened_at = self._clock()
