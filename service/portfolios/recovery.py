"""Re-queuing portfolio jobs whose worker died: the sweep ``greenrate worker`` runs at start and every minute.

Why our own sweep rather than RQ's abandoned-job handling (RQ 2.12): a job counts as abandoned in RQ only
once its started-registry entry expires, and for the in-process :class:`rq.SimpleWorker` we run (see
:mod:`service.portfolios.worker_cli`) that entry lives for the whole job timeout plus 60 s, hours for a
large book; RQ's forking ``Worker`` shortens it to about 90 s but runs each job in a horse process of its
own process group, which survives a SIGKILL of the worker and keeps writing. And RQ's retry would only
start the job again, with no idea of its progress. The job row knows more: which worker, host and
process run it, and when it last made progress. A run is gone when

- its RQ worker no longer exists or is no longer busy with this job (it died and its key expired, or it
  went on to other work after failing to record the outcome), or
- it ran on this host and its process is no longer alive (found at once after a kill or a reboot), or
- it ran on another host and has made no progress for :data:`STALE_AFTER_SECONDS`.

A gone run's job is put back to ``queued`` with a compare-and-set on its claim (so of several sweeping
workers exactly one re-enqueues it) and enqueued again under the same RQ id; the next run resumes at its
first unfinished chunk. A queued job whose queue entry is lost (a Redis restarted without persistence)
is enqueued again too, and so is one a release before JSON left in its own queue
(:func:`~service.portfolios.queue.legacy_queue_name`) once no worker of that release listens there: this
release's workers never read that queue, nor the pickle it holds (a job pickled where they listen fails in
RQ unread and is sent again as a lost entry). A job whose runs died :data:`MAX_RECOVERIES` times is marked
failed instead: a book that kills every worker that touches it must not take the whole fleet down in turn.

A run interrupted by a passing fault (a database error, a full portfolio directory: see
:func:`service.portfolios.runner.run_portfolio`) puts its job back to ``queued`` itself, saying why in
``error``; the sweep re-enqueues it like a job whose queue entry was lost (counted in ``recoveries``, so
the same bound holds), but only :data:`RESUME_DELAYS_SECONDS` after the interruption: a database that is
restarting, or a disk an operator is clearing, would fail a run started at once as well.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import redis
import structlog
from rq import Queue, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import SQLAlchemyError

from service.config.settings import Settings
from service.logging import exception_summary
from service.portfolios.queue import enqueue, legacy_queue_name, reraise_stop_request
from service.records import portfolios as records
from service.records.portfolios import PortfolioJob

_log = structlog.get_logger("greenrate.portfolios")

MAX_RECOVERIES = 3
#: a run on another host with no progress (one chunk) for this long is presumed dead
STALE_AFTER_SECONDS = 15 * 60
#: a queued job younger than this may be between its row's insert and its enqueue: left alone
ENQUEUE_GRACE_SECONDS = 60
#: how long after an interrupted run its job is resumed, by the number of retries before it (the last for
#: any later one): about 21 minutes from the first interruption to the last run a job is given
RESUME_DELAYS_SECONDS = (60, 5 * 60, 15 * 60)
_LOST = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED})


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def run_is_gone(job: PortfolioJob, connection: redis.Redis, *, host: str, pid: int, now: datetime) -> bool:
    """Whether the run recorded in a ``running`` job row can no longer finish it (see the module doc)."""
    if job.worker is None:
        return True
    worker = SimpleWorker.find_by_key(SimpleWorker.redis_worker_namespace_prefix + job.worker, connection)
    if worker is None or worker.get_current_job_id() != job.id:
        return True
    if job.worker_host == host:
        # Our own pid can only be a predecessor's (a restarted container reuses pid 1): not this process.
        return job.worker_pid is None or job.worker_pid == pid or not _pid_alive(job.worker_pid)
    return job.heartbeat_at is None or (now - job.heartbeat_at).total_seconds() > STALE_AFTER_SECONDS


def resume_delay(recoveries: int) -> int:
    """Seconds between a run's interruption and the re-enqueue of its job (see the module doc)."""
    return RESUME_DELAYS_SECONDS[min(recoveries, len(RESUME_DELAYS_SECONDS) - 1)]


def _resting(job: PortfolioJob, now: datetime) -> bool:
    """Whether ``job`` was put back by an interrupted run (its ``error`` says why) too recently to resume."""
    if job.error is None or job.heartbeat_at is None:
        return False
    return (now - job.heartbeat_at).total_seconds() < resume_delay(job.recoveries)


def _queue_lost(job: PortfolioJob, queue: Queue, legacy: Queue, now: datetime) -> bool:
    if (now - job.created_at).total_seconds() < ENQUEUE_GRACE_SECONDS:
        return False
    try:
        # the job's fields only: its call, pickled or not, is read by whichever worker runs it
        entry = Job.fetch(job.id, connection=queue.connection, serializer=queue.serializer)
    except NoSuchJobError:
        return True
    status = entry.get_status()
    if status in _LOST:
        return True
    # waiting in the release before's queue, which only its workers read: theirs while one still listens
    return entry.origin == legacy.name and not SimpleWorker.all(queue=legacy)


def _forget_dead_run(job: PortfolioJob, queue: Queue, host: str) -> None:
    """Drop the dead run's RQ bookkeeping, so RQ's own cleanup never fails the job we re-enqueue."""
    try:
        started = Job.fetch(job.id, connection=queue.connection, serializer=queue.serializer)
        StartedJobRegistry(queue=queue).remove_executions(started)
    except NoSuchJobError:
        pass
    if job.worker is not None and job.worker_host == host:
        dead = SimpleWorker.find_by_key(
            SimpleWorker.redis_worker_namespace_prefix + job.worker, queue.connection
        )
        if dead is not None:
            dead.register_death()  # type: ignore[no-untyped-call]  # its process is gone: take it off RQ's list of workers now


class NameTaken(RuntimeError):
    """Another live worker already uses the name asked for."""


def free_name(name: str, connection: redis.Redis, *, host: str) -> None:
    """Take a dead namesake off RQ's list of workers, so ``greenrate worker --name`` can start again.

    A worker killed while running a job leaves its RQ key for the job timeout plus 60 s (hours), and RQ
    refuses a second worker of that name meanwhile. A namesake recorded on this host whose process is gone
    is dead; one that is alive, or on another host (its process cannot be checked from here), is not ours
    to remove: :class:`NameTaken`.
    """
    namesake = SimpleWorker.find_by_key(SimpleWorker.redis_worker_namespace_prefix + name, connection)
    if namesake is None or connection.hexists(namesake.key, "death"):
        return  # no namesake, or one whose death is recorded already: RQ lets the name be taken
    if namesake.hostname == host and namesake.pid is not None and not _pid_alive(namesake.pid):
        namesake.register_death()  # type: ignore[no-untyped-call]
        _log.warning("worker_name_freed", worker=name, dead_pid=namesake.pid)
        return
    raise NameTaken(f"a worker named {name!r} is registered on host {namesake.hostname} (pid {namesake.pid})")


def recover(
    db: DbEngine, queue: Queue, settings: Settings, *, host: str, pid: int, now: datetime | None = None
) -> list[str]:
    """Re-enqueue every unfinished job whose run is gone; returns their ids."""
    moment = now or datetime.now(UTC)
    legacy = Queue(legacy_queue_name(settings), connection=queue.connection)  # its ids and workers only
    requeued: list[str] = []
    for job in records.unfinished(db):
        if job.status == "running":
            if not run_is_gone(job, queue.connection, host=host, pid=pid, now=moment):
                continue
        elif _resting(job, moment) or not _queue_lost(job, queue, legacy, moment):
            continue
        if job.recoveries >= MAX_RECOVERIES:
            if records.give_up(
                db,
                job,
                f"its worker died {job.recoveries + 1} times while rating it "
                f"(last at chunk {job.chunks_done}); not retried again",
            ):
                _log.error("portfolio_given_up", portfolio=job.id, recoveries=job.recoveries)
            continue
        won = records.requeue_running(db, job) if job.status == "running" else records.requeue_queued(db, job)
        if not won:
            continue  # another sweep (or the run itself) moved it first
        if job.status == "running":
            _forget_dead_run(job, queue, host)
        legacy.remove(job.id)  # a worker of the release before started again (a rollback) finds it no more
        enqueue(queue, settings, job.id)
        requeued.append(job.id)
        _log.warning(
            "portfolio_requeued",
            portfolio=job.id,
            status=job.status,
            worker=job.worker,
            chunks_done=job.chunks_done,
            recoveries=job.recoveries + 1,
        )
    return requeued


def recover_safely(db: DbEngine, queue: Queue, settings: Settings, *, host: str, pid: int) -> list[str]:
    """:func:`recover` that logs instead of raising: a sweep must never stop a worker.

    The line says the failure's class and code, not its text: SQLAlchemy's quotes the statement and its
    bound values (a job's file name), a driver's may quote the database URL.
    """
    try:
        return recover(db, queue, settings, host=host, pid=pid)
    except (SQLAlchemyError, redis.RedisError) as exc:
        reraise_stop_request(exc)  # a SIGTERM that interrupted the sweep's query stops the worker
        _log.warning("portfolio_sweep_failed", error=type(exc).__name__, detail=exception_summary(exc))
        return []
