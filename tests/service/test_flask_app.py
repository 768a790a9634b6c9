"""GreenrateFlask remembers Flask's sync check per function, and answers exactly as Flask does."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.flask_app import REMEMBERED_MAX, GreenrateFlask


def test_a_plain_function_is_returned_as_is_and_asked_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GreenrateFlask(__name__)
    asked: list[object] = []
    original = Flask.ensure_sync

    def counting(self: Flask, func: Any) -> Any:
        asked.append(func)
        return original(self, func)

    monkeypatch.setattr(Flask, "ensure_sync", counting)

    def hook() -> None:
        return None

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook
    assert asked == [hook]


def test_a_coroutine_function_is_wrapped_as_flask_wraps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GreenrateFlask(__name__)
    wrapped: list[object] = []

    def async_to_sync(self: Flask, func: Any) -> Any:
        wrapped.append(func)
        return lambda: "ran"

    monkeypatch.setattr(Flask, "async_to_sync", async_to_sync)

    async def view() -> str:
        return "ran"

    sync = app.ensure_sync(view)
    assert sync is not view and sync() == "ran"
    assert app.ensure_sync(view) is sync  # remembered: wrapped once
    assert wrapped == [view]


def test_an_unhashable_callable_is_still_served() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self) -> str:
            return "ok"

    app = GreenrateFlask(__name__)
    handler = Unhashable()
    assert app.ensure_sync(handler) is handler


def test_per_request_callables_do_not_grow_the_memory_without_bound() -> None:
    app = GreenrateFlask(__name__)
    for _ in range(REMEMBERED_MAX + 50):

        def per_request() -> None:  # a new function object each time, as after_this_request registers
            return None

        assert app.ensure_sync(per_request) is per_request
    assert len(app._ensured) == REMEMBERED_MAX


def test_the_app_factory_builds_a_greenrate_flask(app: Flask) -> None:
    assert isinstance(app, GreenrateFlask)
    with app.test_client() as client:
        assert client.get("/healthz").status_code == 200
