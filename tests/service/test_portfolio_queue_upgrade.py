"""Portfolio jobs across the upgrade that moved the queue from pickle to JSON, with both releases running.

The release before wrote and read its jobs with RQ's default pickle on ``<namespace>-portfolios``; this one
writes and reads JSON (:mod:`service.portfolios.queue`). During a rolling deploy the workers of both take
jobs at once. On one queue, a worker of the release before took this release's JSON jobs and failed each
(``DeserializationError``, in RQ before the job ran), its sweep queued it again as pickle, which this
release's workers failed in turn: every pass counted as a dead worker's, and the fourth failed the bank's
book, "its worker died 4 times". Each release now has a queue of its own, and this release's sweep takes over
the jobs the one before left in its queue once no worker of it listens there.

The release before is simulated as it ran: RQ's worker and queue with their default serializer, on the queue
name it used. Its sweep was this module's :func:`~service.portfolios.recovery.recover` on that queue.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus

from service.portfolios.queue import JOB_FUNCTION, legacy_queue_name, portfolio_queue, queue_name
from service.portfolios.recovery import recover
from service.records import portfolios as records
from tests.conftest import create_key, services_of
from tests.service.test_portfolios import as_file, book, portfolio_app, upload, work  # noqa: F401 - a fixture

pytestmark = pytest.mark.integration


@pytest.fixture
def connection(portfolio_app: Flask) -> Iterator[Redis]:  # noqa: F811 - the fixture imported above
    found = Redis.from_url(services_of(portfolio_app).settings.redis_url)
    yield found
    found.close()


def test_each_release_has_a_queue_of_its_own(portfolio_app: Flask) -> None:  # noqa: F811 - imported above
    settings = services_of(portfolio_app).settings
    assert queue_name(settings) != legacy_queue_name(settings) == f"{settings.redis_namespace}-portfolios"


def test_a_worker_of_the_release_before_leaves_this_releases_jobs_alone(
    portfolio_app: Flask, connection: Redis, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    client = portfolio_app.test_client()
    job_id = upload(client, create_key(portfolio_app), as_file(book(120), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    before = Queue(legacy_queue_name(s.settings), connection=connection)  # pickle, as it ran
    SimpleWorker([before], connection=connection).work(burst=True, logging_level="CRITICAL")
    assert Job.fetch(job_id, connection=connection).get_status() == JobStatus.QUEUED  # not taken, not failed
    later = datetime.now(UTC) + timedelta(minutes=2)  # its sweep finds nothing to send again either
    assert recover(s.db, before, s.settings, host="old", pid=1, now=later) == []
    assert work(portfolio_app)
    done = records.get_job(s.db, job_id)
    assert done is not None and (done.status, done.recoveries) == ("completed", 0)


def test_a_pickled_job_left_by_the_release_before_runs_once_none_of_its_workers_listens(
    portfolio_app: Flask, connection: Redis, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    client = portfolio_app.test_client()
    job_id = upload(client, create_key(portfolio_app), as_file(book(120), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    queue = portfolio_queue(s.settings, connection)
    queue.remove(job_id)  # as if the release before had taken the upload: its pickled job in its queue
    before = Queue(legacy_queue_name(s.settings), connection=connection)
    before.enqueue(JOB_FUNCTION, job_id, job_id=job_id, description=f"portfolio {job_id}")
    old_worker = SimpleWorker([before], connection=connection)
    old_worker.register_birth()  # a worker of the release before still runs: the job is its own
    later = datetime.now(UTC) + timedelta(minutes=2)
    try:
        assert recover(s.db, queue, s.settings, host="new", pid=os.getpid(), now=later) == []
        assert not work(portfolio_app)  # nothing for this release's worker: it never reads that queue
        assert Job.fetch(job_id, connection=connection).get_status() == JobStatus.QUEUED
    finally:
        old_worker.register_death()
    # the last of them stopped: sent again, as JSON, on this release's queue, and gone from the old one
    assert recover(s.db, queue, s.settings, host="new", pid=os.getpid(), now=later) == [job_id]
    assert job_id not in before.get_job_ids()
    assert work(portfolio_app)
    done = records.get_job(s.db, job_id)
    assert done is not None and done.status == "completed" and done.rows_done == 120


def test_a_pickled_job_a_worker_of_this_release_failed_is_sent_again_as_json(
    portfolio_app: Flask, connection: Redis, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    """A job the release before queued where this release's workers listen (a queue shared before the split)
    fails in RQ before it runs; its row stays queued, and the sweep sends it again, as JSON."""
    client = portfolio_app.test_client()
    job_id = upload(client, create_key(portfolio_app), as_file(book(120), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    queue = portfolio_queue(s.settings, connection)
    queue.remove(job_id)
    Queue(queue.name, connection=connection).enqueue(JOB_FUNCTION, job_id, job_id=job_id)  # pickled
    assert work(portfolio_app)
    assert Job.fetch(job_id, connection=connection).get_status() == JobStatus.FAILED
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert recover(s.db, queue, s.settings, host="new", pid=os.getpid(), now=later) == [job_id]
    assert work(portfolio_app)
    done = records.get_job(s.db, job_id)
    assert done is not None and done.status == "completed"
