"""What the portfolio queue carries is read as data: a job planted in Redis runs nothing it brings along.

RQ stores each job's call (function name and arguments) with pickle unless told otherwise, and a worker
unpickles it: whoever can write to the Redis (another deployment sharing it, as namespaces allow, or any
client of a Redis without a password) ran code in ``greenrate worker``, which holds the database's
credentials and the service's secret. The cache never trusted Redis that far (its entries are signed); the
queue now carries JSON, which names a call but cannot make one.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job

from service.portfolios.queue import JSON_SERIALIZER, enqueue, portfolio_queue
from service.portfolios.worker_cli import PortfolioWorker
from tests.conftest import AppFactory, services_of

pytestmark = pytest.mark.integration


class _Touch:
    """Creates ``path`` when unpickled: what a planted payload could do instead."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.path,))


@pytest.fixture
def queue_app(make_app: AppFactory, redis_url: str, tmp_path: Path) -> Flask:
    return make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"))


def test_a_pickled_job_planted_in_the_queue_is_not_unpickled(queue_app: Flask, tmp_path: Path) -> None:
    settings = services_of(queue_app).settings
    connection = Redis.from_url(settings.redis_url)
    ran = tmp_path / "ran"
    try:
        queue = portfolio_queue(settings, connection)
        # written as RQ writes a job by default (pickle), straight into the portfolio queue
        planted = Job.create("os.getpid", args=(_Touch(ran),), connection=connection, id="pf_" + "e" * 32,
                             serializer=pickle)
        queue.enqueue_job(planted)
        PortfolioWorker([queue], connection=connection).work(burst=True, logging_level="CRITICAL")
        assert not ran.exists(), "the worker unpickled a job from Redis"
    finally:
        connection.close()


def test_the_queue_writes_a_job_as_json(queue_app: Flask) -> None:
    settings = services_of(queue_app).settings
    connection = Redis.from_url(settings.redis_url)
    try:
        enqueue(portfolio_queue(settings, connection), settings, "pf_" + "f" * 32)
        stored = Job.fetch("pf_" + "f" * 32, connection=connection, serializer=JSON_SERIALIZER)
        assert stored.func_name == "service.portfolios.runner.run_portfolio_job"
        assert stored.args == ["pf_" + "f" * 32]
    finally:
        connection.close()
