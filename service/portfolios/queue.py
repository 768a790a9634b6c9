"""The portfolio job queue: RQ on the Redis of ``GREENRATE_REDIS_URL``.

The queue only carries "run portfolio <id>"; everything durable (status, progress, summary) is in the
database row, so the queue entry is cheap to lose and to send again. RQ's job id is the portfolio id, so a
job is in the queue at most once under its name, whichever process enqueued it.

Jobs are written and read as JSON (:data:`JSON_SERIALIZER`), never RQ's default pickle: a worker unpickles
what it dequeues, so whoever could write to the Redis (another deployment sharing it, a client of a Redis
without a password) ran code in the worker, which holds the database's credentials and the service's
secret (security review). JSON names the function to call (it must be one RQ can import, as
:data:`JOB_FUNCTION`) and its arguments, but runs nothing as it is read.
"""

from __future__ import annotations

from typing import cast

import redis
from flask import Flask
from rq import Queue
from rq.exceptions import StopRequested
from rq.job import Job
from rq.serializers import JSONSerializer

from service.config.settings import Settings

#: what a worker runs: imported by name, so the web process never imports the rating loop
JOB_FUNCTION = "service.portfolios.runner.run_portfolio_job"
_WEB_QUEUE = "greenrate.portfolio_queue"
#: how every process here writes and reads the queue's jobs (RQ's workers, queues and fetches each take it)
JSON_SERIALIZER = JSONSerializer
#: web-side Redis timeout floor: the enqueue is a handful of commands, but a 100 ms cache timeout is tight
_MIN_TIMEOUT_SECONDS = 1.0


class QueueNotConfigured(Exception):
    """No ``GREENRATE_REDIS_URL``: portfolio jobs have no queue to run on."""


def queue_name(settings: Settings) -> str:
    """One queue per namespace, so two deployments can share a Redis (like the cache's keys).

    Not the name of the release before (:func:`legacy_queue_name`), which pickled its jobs: during a rolling
    deploy both releases' workers run, and on one queue each failed the other's jobs unread (RQ's
    ``DeserializationError``) and its sweep queued them again in its own format, each pass counted as a
    dead worker's, until the fourth failed the job (an SRE's review, H3). On queues of their own, each
    release's workers take only its own jobs; the sweep takes over what the release before left in its queue
    (:mod:`service.portfolios.recovery`).
    """
    return f"{settings.redis_namespace}-portfolios-json"


def legacy_queue_name(settings: Settings) -> str:
    """The queue of the releases before JSON, whose workers read pickle and listen there only."""
    return f"{settings.redis_namespace}-portfolios"


def connect(settings: Settings, *, timeout_seconds: float | None) -> redis.Redis:
    """A Redis client for RQ (bytes, not decoded strings; RQ needs them raw)."""
    if not settings.redis_url:
        raise QueueNotConfigured("GREENRATE_REDIS_URL is not set")
    return redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
    )


def portfolio_queue(settings: Settings, connection: redis.Redis) -> Queue:
    return Queue(queue_name(settings), connection=connection, serializer=JSON_SERIALIZER)


def enqueue(queue: Queue, settings: Settings, job_id: str) -> None:
    """Queue a run of ``job_id`` (again, after a recovery: the same RQ id, replaced)."""
    queue.enqueue(
        JOB_FUNCTION,
        job_id,
        job_id=job_id,
        job_timeout=settings.portfolio_job_timeout_seconds,
        result_ttl=24 * 3600,
        failure_ttl=7 * 24 * 3600,
        description=f"portfolio {job_id}",
    )


def holds(queue: Queue, job_id: str) -> bool:
    """Whether RQ holds a job of this id (waiting, running, or kept after it ran): it was enqueued."""
    return bool(Job.exists(job_id, connection=queue.connection))


def web_queue(app: Flask, settings: Settings) -> Queue:
    """This app's queue handle (one Redis connection pool per app), made on first use."""
    found = app.extensions.get(_WEB_QUEUE)
    if found is None:
        timeout = max(_MIN_TIMEOUT_SECONDS, settings.redis_timeout_ms / 1000)
        found = app.extensions[_WEB_QUEUE] = portfolio_queue(
            settings, connect(settings, timeout_seconds=timeout)
        )
    return cast(Queue, found)


def reraise_stop_request(exc: BaseException) -> None:
    """Raise the worker's warm-shutdown request if it is in ``exc``'s chain; return otherwise.

    RQ answers SIGTERM on an idle worker by raising :class:`~rq.exceptions.StopRequested` from its signal
    handler, wherever the worker is. Arriving during a sweep's database query it interrupts the driver,
    whose rollback then fails, and it reached the sweep's handler as the ``__context__`` of a
    SQLAlchemy ``OperationalError``, logged as a failed sweep and swallowed: the worker went on waiting
    for jobs, and its stop ran out the grace period into SIGKILL (about one stop in ten in
    tests/faults/test_portfolio_worker_killed.py). A handler that keeps a worker alive past a failure
    calls this first.
    """
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, StopRequested):
            raise current
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
