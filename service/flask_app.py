"""The service's Flask class: Flask, with the sync check of every hook and view made once per function.

Flask asks ``ensure_sync`` about every before/after/teardown hook and the view on every request (16 calls
per ``POST /v1/ratings`` here), and each answer is an ``inspect.iscoroutinefunction`` introspection of the
same function objects. A cProfile of cache hits put those calls at about 5% of a hit. The answer for a given
function never changes, so it is kept; ``ensure_sync`` is the override point Flask documents for this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

#: more than the app's hooks and views; a per-request callable (``after_this_request``) never fills memory
REMEMBERED_MAX = 512


class GreenrateFlask(Flask):
    """Flask whose ``ensure_sync`` remembers its answer per function (hooks and views are long-lived)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ensured: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._ensured[func]
        except KeyError:
            ensured = super().ensure_sync(func)
            if len(self._ensured) < REMEMBERED_MAX:
                self._ensured[func] = ensured
            return ensured
        except TypeError:  # an unhashable callable: ask Flask every time, as before
            return super().ensure_sync(func)
