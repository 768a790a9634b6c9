"""``greenrate worker``: an RQ worker that runs portfolio jobs with the API's rating engine.

It is an :class:`rq.SimpleWorker`: jobs run in the worker process itself, so the engine is loaded once
(the registry's active model, followed like the API workers follow it) and a kill of the worker is the
end of its job, not of a parent that leaves a forked horse writing on alone. Run as many as the cores
allow, on any machine that shares the database, the Redis and ``GREENRATE_PORTFOLIO_DIR``.
"""

from __future__ import annotations

import functools
import os
import socket
from typing import Any

import click
from redis.exceptions import RedisError
from rq import SimpleWorker

from service import logging as json_logging
from service.config import load_settings
from service.config.values import ConfigError
from service.portfolios.queue import JSON_SERIALIZER, QueueNotConfigured, connect, portfolio_queue
from service.portfolios.recovery import NameTaken, free_name, recover_safely
from service.portfolios.retention import purge_expired, purge_safely
from service.portfolios.runner import RunContext, install
from service.records import portfolios as records
from service.records.database import create_db_engine

#: how often an idle worker sweeps for jobs whose worker died (RQ's maintenance interval)
SWEEP_SECONDS = 60
#: the longest the worker's pubsub thread waits for a command before it looks whether it should stop: RQ's
#: 60 s, and redis-py 8's PubSubWorkerThread.stop() waits for the thread, made an idle worker take a minute to
#: stop on SIGTERM, past compose's and Kubernetes' 30 s grace, so every stop ended in SIGKILL
PUBSUB_WAIT_SECONDS = 1.0


class PortfolioWorker(SimpleWorker):
    """RQ's in-process worker plus the recovery sweep and the retention purge, run with RQ's own
    maintenance: at start-up (before the first job is taken) and then every :data:`SWEEP_SECONDS` while
    idle. It reads jobs as JSON whatever it is given: RQ's worker deserializes with its own serializer,
    not its queues' (:mod:`service.portfolios.queue`)."""

    def __init__(
        self,
        *args: Any,
        sweep: functools.partial[list[str]] | None = None,
        purge: functools.partial[list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **{**kwargs, "serializer": JSON_SERIALIZER})
        self.sweep = sweep
        self.purge = purge

    def subscribe(self) -> None:
        """RQ's subscription to this worker's command channel (``rq`` commands such as ``kill-horse``), with a
        thread that waits :data:`PUBSUB_WAIT_SECONDS` at a time instead of RQ's 60, so that a warm shutdown
        of an idle worker (SIGTERM) ends within about a second: the wait costs no Redis command.

        RQ passes no way to set the wait, so this is a copy of its method; an RQ whose ``subscribe`` differs
        from the copy apart from the wait fails tests/service/test_portfolio_worker_subscribe.py, which says
        what to re-check."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        # RQ's __init__ declares the attribute by assigning None, which mypy takes for its type
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_WAIT_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        if self.sweep is not None:
            requeued = self.sweep()
            if requeued:
                self.log.warning(
                    "Worker %s: re-queued portfolio job(s) of dead workers: %s",
                    self.name,
                    ", ".join(requeued),
                )
        if self.purge is not None:
            purged = self.purge()
            if purged:
                self.log.info(
                    "Worker %s: deleted the files of %d expired portfolio job(s)", self.name, len(purged)
                )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty (scripts and tests).")
@click.option("--name", default=None, help="Worker name (default: RQ's random one).")
def worker(burst: bool, name: str | None) -> None:
    """Run portfolio jobs from the queue on GREENRATE_REDIS_URL (the Redis the API enqueues on)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        connection = connect(settings, timeout_seconds=None)
    except QueueNotConfigured:
        raise click.ClickException(
            "greenrate worker needs GREENRATE_REDIS_URL: portfolio jobs are queued on the Redis the API uses"
        ) from None
    try:
        connection.ping()
    except RedisError as exc:
        raise click.ClickException(
            f"cannot reach the Redis of GREENRATE_REDIS_URL ({type(exc).__name__})"
        ) from None
    json_logging.configure(settings.log_level)  # the API's JSON lines, RQ's own messages included
    context = install(RunContext.create(settings))
    model = context.engine(None).versions["model"]  # load the model now, not with the first job
    queue = portfolio_queue(settings, connection)
    host = socket.gethostname()
    sweep = functools.partial(recover_safely, context.db, queue, settings, host=host, pid=os.getpid())
    if name is not None:
        try:
            free_name(name, connection, host=host)
        except NameTaken as exc:
            raise click.ClickException(f"{exc}: choose another --name, or stop that worker first") from None
    rq_worker = PortfolioWorker(
        [queue],
        connection=connection,
        name=name,
        maintenance_interval=SWEEP_SECONDS,
        sweep=sweep,
        purge=functools.partial(purge_safely, context.db, settings),
    )
    click.echo(f"greenrate worker {rq_worker.name}: queue {queue.name}, model {model}", err=True)
    try:
        rq_worker.work(burst=burst, logging_level=settings.log_level, with_scheduler=False)
    except RedisError as exc:
        # RQ quits when Redis fails under a job's bookkeeping (its line says so, with the frames), then fails
        # again recording its own death: that had ended the process in a plain traceback whose message names
        # the Redis server (docs/operations.md: class and frames, never the message). The job's progress is
        # in the database: the restarted worker's sweep resumes or re-queues it.
        raise click.ClickException(
            f"lost the Redis of GREENRATE_REDIS_URL ({type(exc).__name__}): the worker stops; restart it "
            "once Redis is back (jobs resume from the database)"
        ) from None


@click.group("portfolios")
def portfolios() -> None:
    """Portfolio jobs' files (uploaded loan books and their results)."""


@portfolios.command("purge")
def purge() -> None:
    """Delete the files of jobs finished more than GREENRATE_PORTFOLIO_RETENTION_DAYS ago, once.

    ``greenrate worker`` does this every minute while idle; this is for a cron job where no worker runs.
    First, whatever the retention, the borrower ids left in the top movers of jobs whose files an earlier
    release deleted are removed (a deletion now removes them with the files): run it once after upgrading.
    At 0 (the default) every job's files are kept, and only uploads no job was recorded for are deleted,
    once a day old; it says so and succeeds (it had exited 1, "nothing to purge", which a cron job reports
    as a failure every day).
    """
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    db = create_db_engine(settings, application_name="greenrate-cli")
    try:
        cleared = records.clear_left_borrowers(db)
        if cleared:
            click.echo(f"removed the borrower ids from the top movers of {len(cleared)} portfolio job(s) "
                       f"whose files were deleted before: {', '.join(cleared)}")
        purged = purge_expired(db, settings)
    finally:
        db.dispose()
    listed = f": {', '.join(purged)}" if purged else ""
    if settings.portfolio_retention_days <= 0:
        click.echo("GREENRATE_PORTFOLIO_RETENTION_DAYS is 0 (keep files): no job's files were deleted; "
                   f"deleted {len(purged)} upload(s) older than a day that no job was recorded for{listed}")
        return
    click.echo(f"deleted the files of {len(purged)} portfolio job(s){listed}")
