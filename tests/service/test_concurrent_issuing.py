"""Identical requests at the same moment get one rating, on SQLite and on PostgreSQL.

Each request looks for a reusable rating, rates, then writes. A bank retrying after a client timeout while
its first request was still being written (or two workers while Redis is down) found nothing to reuse in
both, and two ratings were stored for one input: the list then showed the bank an id it had never been
given (client review: duplicates in 3 of 5 rounds of six parallel POSTs). The tests hold every request at
a barrier between its lookup and its write, so all of them race for the write every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.ratings import issuing
from service.records import migrate
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

REQUESTS = 4


def _race(app: Flask, monkeypatch: pytest.MonkeyPatch, send: Callable[[Any], Any]) -> list[Any]:
    """``send`` from REQUESTS threads at once, each held after its lookup until all have looked."""
    barrier = threading.Barrier(REQUESTS, timeout=30)
    rate = issuing._rate

    def rate_then_wait(*args: Any, **kwargs: Any) -> Any:
        rated = rate(*args, **kwargs)
        barrier.wait()  # every request has looked and found nothing to reuse
        return rated

    monkeypatch.setattr(issuing, "_rate", rate_then_wait)
    with ThreadPoolExecutor(REQUESTS) as pool:
        return list(pool.map(lambda _: send(app.test_client()), range(REQUESTS)))


def _stored(app: Flask) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ratings)).scalar_one())


def _check_one_rating(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    key = create_key(app)
    answers = _race(app, monkeypatch, lambda c: c.post("/v1/ratings", json=payload(), headers=bearer(key)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert len({a.data for a in answers}) == 1  # the winner's exact bytes, for every caller
    assert sorted(a.headers["X-Cache"] for a in answers) == ["hit"] * (REQUESTS - 1) + ["miss"]
    assert _stored(app) == 1
    # a batch of the same inputs converges on the same ids
    items = [payload(), payload(name="Other Cafe")]
    batches = _race(
        app, monkeypatch, lambda c: c.post("/v1/ratings/batch", json={"items": items}, headers=bearer(key))
    )
    ids = {tuple(item["id"] for item in b.get_json()["results"]) for b in batches}
    assert len(ids) == 1 and next(iter(ids))[0] == answers[0].get_json()["id"]
    assert _stored(app) == 2


def test_identical_requests_at_once_get_one_rating_on_sqlite(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check_one_rating(make_app(), monkeypatch)


@pytest.mark.integration
def test_identical_requests_at_once_get_one_rating_on_postgres(
    make_app: AppFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a connection per request at once, as a worker of REQUESTS threads gets (GREENRATE_THREADS): with
    # one, the pool would serialise the requests before the database's lock is reached
    app = make_app(DATABASE_URL=postgres_url, DATABASE_POOL_SIZE=REQUESTS)
    migrate.upgrade(services_of(app).db)
    _check_one_rating(app, monkeypatch)
