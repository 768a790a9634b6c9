"""An in-process fixed-window counter store for Flask-Limiter, used when no Redis is configured.

The ``memory://`` storage that ships with ``limits`` expires keys from a timer thread that it restarts
every 10 ms while counters exist, so under load almost every request starts a thread. This store expires
lazily instead (a window that has ended simply starts again) and sweeps ended windows only when it grows,
which makes a rate-limit check a dictionary update under one lock.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import Storage

SCHEME = "greenrate-memory"


class LocalWindowStorage(Storage):
    """Per-process counters keyed like the Redis ones; each worker limits on its own."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, window end)
        self._sweep_at = 10_000
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            count, ends = self._windows.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + expiry
            count += amount
            self._windows[key] = (count, ends)
            if len(self._windows) > self._sweep_at:
                self._sweep(now)
        return count

    def _sweep(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        self._sweep_at = max(10_000, 2 * len(self._windows))

    def get(self, key: str) -> int:
        count, ends = self._windows.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        count, ends = self._windows.get(key, (0, 0.0))
        return ends if ends > time.time() else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            removed = len(self._windows)
            self._windows = {}
        return removed

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)
