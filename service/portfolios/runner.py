"""Running one portfolio job: claim it, rate the loan book chunk by chunk, summarise it, complete it.

A run may die anywhere (SIGKILL, out of memory, a machine gone), so progress is made of idempotent steps:
chunk ``i`` is rated, its results written whole as part ``i`` (:mod:`service.portfolios.storage`), and
only then recorded as done in the job row. A later run of the same job skips the chunks recorded done and
rates the first one that is not, overwriting whatever part a dead run may have left for it: each chunk
index has one part, so the results hold every row exactly once. Every write to the row is guarded by the
run's claim (:mod:`service.records.portfolios`), so a run that has been superseded stops at its next step.
A job cancelled while it runs (``DELETE /v1/portfolios/{id}``) is no longer ``running``, so its run stops
the same way, at the end of the chunk it is rating, and deletes what it wrote since the API deleted the
job's files (reading the deleted book instead ends the run the same way, not as a failure).

The rating engine is the API's: the registry's active model (followed as the API workers follow it),
fixed for the job at its first run, so a job resumed after a promotion still rates every row with one
model, and results equal what ``POST /v1/ratings`` gave under that model.
"""

from __future__ import annotations

import errno
import os
import socket
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from rq import get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from rating_model.batch import rate_frame, result_schema
from rating_model.book_checks import scan_book
from rating_model.book_chunks import Chunk, as_frame, chunk_length
from rating_model.exceptions import ArtifactError, RatingModelError
from rating_model.portfolio import PortfolioAccumulator
from rating_model.portfolio_movers import PreviousRun
from schemas.portfolio import AS_OF_DEFAULT
from service.batch.files import read_raw_chunks
from service.batch.pool import rate_placed_chunks
from service.config import load_settings
from service.config.settings import Settings
from service.engine_slot import EngineSlot
from service.issue_year import year_of_issue
from service.logging import exception_summary, redacted
from service.model_watch import ModelWatcher, engine_for
from service.portfolios import storage
from service.portfolios.recovery import MAX_RECOVERIES, resume_delay
from service.portfolios.storage import JobFiles
from service.records import portfolios as records
from service.records.database import create_db_engine
from service.records.portfolios import PortfolioJob, Superseded, Worker
from service.records.registry import load_artifact

if TYPE_CHECKING:
    import pandas as pd

    from rating_model.engine import Engine

_log = structlog.get_logger("greenrate.portfolios")


@dataclass(slots=True)
class RunContext:
    """What a worker process keeps between jobs: settings, the database pool and the loaded engines."""

    settings: Settings
    db: DbEngine
    engines: EngineSlot = field(default_factory=EngineSlot)
    # no erasures followed: a portfolio worker caches no rating
    watcher: ModelWatcher = field(default_factory=lambda: ModelWatcher(0.0, erased=None))
    _pinned: dict[str, Engine] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> RunContext:
        db = create_db_engine(settings, application_name="greenrate-worker")
        return cls(settings, db, watcher=ModelWatcher(settings.model_poll_seconds, erased=None))

    def engine(self, version: str | None) -> Engine:
        """The active model's engine for a new job (``None``); the job's own model when it has one."""
        if version is None:
            self.watcher.check(self.db, self.engines, force=True)
            return self.engines.current().engine
        loaded = self.engines.current()
        if loaded.versions["model"] == version:
            return loaded.engine
        if version not in self._pinned:
            artifact = load_artifact(self.db, version)
            if artifact is None:
                raise ArtifactError(f"model version {version!r} of this job is no longer in the registry")
            self._pinned.clear()  # one resumed job at a time needs its old model
            self._pinned[version] = engine_for(loaded.engine.standard, artifact, earlier=True)
        return self._pinned[version]


_CONTEXT: list[RunContext] = []


def install(context: RunContext) -> RunContext:
    """Make ``context`` the one this process's jobs use (``greenrate worker`` does it at start-up)."""
    _CONTEXT[:] = [context]
    return context


class JobFailed(Exception):
    """A run's failure as RQ is given it: the class and code of what failed (its frames kept), never its
    text."""


def run_portfolio_job(job_id: str) -> str:
    """The RQ entry point: run ``job_id`` with this process's context (made from the environment if none).

    RQ logs the traceback of what a job raises as the line's text, message included, and keeps that text
    with the job in Redis for its ``failure_ttl`` (a week): a run failed by a message naming a borrower's
    file put the name in both (privacy review). It is given :class:`JobFailed` instead, whose text is
    :func:`~service.logging.exception_summary` and whose traceback is the failure's own, so RQ's line and
    record still say where it failed; the job's row says why, in its owner's words (:func:`_reason`). A
    context that cannot be made fails as it is (a setting's error names the variable, never its value).
    """
    context = _CONTEXT[0] if _CONTEXT else install(RunContext.create(load_settings()))
    current = get_current_job()
    name = current.worker_name if current is not None and current.worker_name else f"inline-{os.getpid()}"
    try:
        return run_portfolio(context, job_id, Worker(name, socket.gethostname(), os.getpid()))
    except Exception as exc:  # noqa: BLE001 - raised again, as its class and code
        raise JobFailed(exception_summary(exc)).with_traceback(exc.__traceback__) from None


def run_portfolio(context: RunContext, job_id: str, worker: Worker) -> str:
    """Run (or resume) one job to completion; returns what happened (``completed``, ``superseded``...).

    A failure of the job itself is recorded in its row (``failed`` with the reason) and raised again, so
    RQ keeps it in its failed registry too.
    """
    job = records.claim(context.db, job_id, worker)
    if job is None:
        _log.info("portfolio_nothing_to_do", portfolio=job_id)
        return "nothing to do"
    files = JobFiles.of(context.settings.portfolio_dir, job_id)
    _log.info("portfolio_started", portfolio=job_id, attempt=job.attempt, chunks_done=job.chunks_done)
    try:
        engine = context.engine(job.model_version)
        if job.model_version is None:
            records.set_model_version(context.db, job_id, job.attempt, engine.versions["model"])
        job = _resumable(context.db, job, files, engine)
        source = files.input(job.file_name)
        if job.rows_total is None:
            rows_total = storage.count_rows(source, context.settings.portfolio_max_rows)
            records.set_rows_total(context.db, job_id, job.attempt, rows_total)
        tag = f"{job.attempt}-{os.getpid()}"  # this run's temporaries, apart from a run judged dead
        chunks = _rate(context.db, job, engine, files, source, tag=tag,
                       processes=context.settings.portfolio_processes)
        summary = _summarize(context, job, files, chunks)
        rows = storage.merge_parts(files, chunks, tag, as_of=job.as_of)
        records.complete(context.db, job_id, job.attempt, rows, summary)
    except Superseded:
        if _cancelled(context.db, job, files):
            return "cancelled"
        _log.warning("portfolio_superseded", portfolio=job_id, attempt=job.attempt)
        return "superseded"
    except Exception as exc:
        cause = _passing_fault(exc)
        if cause is not None:
            return _interrupted(context.db, job, files, exc, cause)
        try:
            records.fail(context.db, job_id, job.attempt, _reason(exc, context.settings))
        except Superseded:
            if _cancelled(context.db, job, files):  # its book was deleted under it: not a failure
                return "cancelled"
        except SQLAlchemyError:
            pass  # the database is down: a recovery sweep will see the run gone
        _log.error("portfolio_failed", portfolio=job_id, attempt=job.attempt, exc_info=exc)
        raise
    files.remove_parts()
    _log.info("portfolio_completed", portfolio=job_id, rows=rows)
    return "completed"


def _passing_fault(exc: Exception) -> str | None:
    """What interrupted a run, said for the job's owner, when it is a fault that passes; else ``None``.

    The database unreachable or its connection lost (a terminated backend, a failover, the pool's wait
    run out) and the portfolio directory full or read-only: the job itself is sound, and a later run
    resumes it from its last finished chunk. A constraint violation or a value the database refuses is no
    such fault (a run again would meet it again): the job fails, as for any other error. Never the
    error's text: a driver's names the server, an OSError's the job's path.
    """
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return f"a database error ({type(exc).__name__})"
    if isinstance(exc, OSError) and exc.errno in storage.STORAGE_ERRNOS:
        return (
            "a full or read-only portfolio directory "
            f"({errno.errorcode.get(exc.errno, 'OSError')}: {os.strerror(exc.errno)})"
        )
    return None


def _interrupted(db: DbEngine, job: PortfolioJob, files: JobFiles, exc: Exception, cause: str) -> str:
    """Leave a job its run could not finish for a passing fault to be resumed, or fail it after as many
    interrupted runs as the recovery sweep allows a job whose worker died.

    A database blip had failed the job for good, "internal error (OperationalError)", though the pool
    recovered at once (the write of the failure succeeded) and the job could resume from its last finished
    chunk (fault-injection review). The job goes back to ``queued`` with ``error`` saying why; the sweep
    re-enqueues it after :func:`~service.portfolios.recovery.resume_delay`. When this write fails too
    (the database is still down), the job stays ``running`` under a run that is over, which the sweep
    treats as a dead worker's: resumed the same way, counted the same way.
    """
    interruptions = job.recoveries + 1
    final = job.recoveries >= MAX_RECOVERIES
    try:
        if final:
            records.fail(
                db, job.id, job.attempt,
                f"stopped by {cause} after {interruptions} interrupted runs; not retried again: "
                "upload the book again once the service has recovered",
            )
        else:
            delay = resume_delay(job.recoveries)
            records.release(
                db, job.id, job.attempt,
                f"interrupted by {cause}; resumes from its last finished chunk in about "
                f"{max(1, delay // 60)} min (retry {interruptions} of {MAX_RECOVERIES})",
            )
    except Superseded:
        if _cancelled(db, job, files):
            return "cancelled"
        return "superseded"
    except SQLAlchemyError:
        pass  # the database is still down: the sweep will see the run gone
    if final:
        _log.error("portfolio_failed", portfolio=job.id, attempt=job.attempt, interruptions=interruptions,
                   exc_info=exc)
        raise exc
    _log.warning("portfolio_interrupted", portfolio=job.id, attempt=job.attempt, cause=cause,
                 interruptions=interruptions, detail=exception_summary(exc))
    return "interrupted"


def _cancelled(db: DbEngine, job: PortfolioJob, files: JobFiles) -> bool:
    """Whether the job was cancelled under this run; if so, its files are deleted again (this run may have
    written a part, or the merged results, after the API deleted them)."""
    now = records.get_job(db, job.id)
    if now is None or now.status != "cancelled":
        return False
    files.remove()
    _log.info("portfolio_run_cancelled", portfolio=job.id, attempt=job.attempt, chunks_done=now.chunks_done)
    return True


def _resumable(db: DbEngine, job: PortfolioJob, files: JobFiles, engine: Engine) -> PortfolioJob:
    """The job to resume: as recorded, or from its first chunk when its parts were rated otherwise.

    A job interrupted by an upgrade (a new engine, standard or factor set; the model is the job's own) has
    parts whose ratings, and even columns, the new code would not write: one result must come from one
    engine, so it is rated again whole. So is a job whose parts lack a result column this code writes
    (``company__external_id`` came without a new version): the parts could not be joined into one file.
    """
    if job.chunks_done == 0:
        return job
    stamps = storage.rated_by(files, job.chunks_done)
    written = {c.name for c in result_schema(engine)}
    if all(stamp == engine.versions for stamp in stamps) and all(
        written <= names for names in storage.part_columns(files, job.chunks_done)
    ):
        return job
    records.restart_chunks(db, job.id, job.attempt)
    _log.warning(
        "portfolio_restarted",
        portfolio=job.id,
        chunks_done=job.chunks_done,
        reason="its recorded chunks were rated by another version of greenrate",
        versions=engine.versions,
    )
    return replace(job, chunks_done=0, rows_done=0)


def _rate(db: DbEngine, job: PortfolioJob, engine: Engine, files: JobFiles, source: Path, tag: str,
          processes: int = 1) -> int:
    """Rate every chunk not yet recorded done; returns the number of chunks in the book.

    With ``processes`` > 1 the chunks are rated in that many processes (a few chunks ahead, results
    in order) by an engine built from this engine's model document; parts are still written and recorded
    one at a time, in order, so a run killed midway resumes exactly as a serial one would.

    A row whose reporting year is after the year of issue, read once as the run starts, is refused in its
    ``error`` (as ``POST /v1/ratings`` refuses it with 422), the rest of the book rated: a row of 2099 was
    rated into the portfolio's figures. A run resumed after New Year judges its remaining chunks by the
    new year. So is a row of a year after the job's reporting date (``as_of``).
    """
    year = year_of_issue()
    count = 0
    sent: deque[tuple[int, int]] = deque()  # (index, rows up to its end) of each chunk sent to be rated
    # a pass over the whole book first, so that each chunk's rows are checked against the others
    checks = scan_book(lambda: (as_frame(chunk) for chunk in read_raw_chunks(source, job.chunk_rows)))

    def todo() -> Iterator[tuple[Chunk, int]]:
        nonlocal count
        first_row = 0
        for index, chunk in enumerate(read_raw_chunks(source, job.chunk_rows)):
            count = index + 1
            rows = chunk_length(chunk)
            if index >= job.chunks_done:  # earlier ones were done by an earlier run: counted, not converted
                sent.append((index, first_row + rows))
                yield chunk, first_row
            first_row += rows

    results: Iterator[pd.DataFrame]
    if processes > 1:
        results = rate_placed_chunks(todo(), model_document=engine.artifact.to_dict(), workers=processes,
                                     checks=checks, issue_year=year, as_of=job.as_of)
    else:
        results = (rate_frame(as_frame(chunk), engine, first_row=first_row, checks=checks, issue_year=year,
                              as_of=job.as_of)
                   for chunk, first_row in todo())
    for result in results:
        index, rows_done = sent.popleft()
        storage.write_part(files, index, result, tag, engine.versions)
        records.chunk_done(db, job.id, job.attempt, index, rows_done)
    return count


def _summarize(context: RunContext, job: PortfolioJob, files: JobFiles, chunks: int) -> dict[str, Any]:
    previous, reason = _previous_run(context, job)
    source = None if job.as_of_given is None else (
        "given at upload" if job.as_of_given else f"not given at upload: {AS_OF_DEFAULT}"
    )
    accumulator = PortfolioAccumulator(previous=previous, no_previous_reason=reason, as_of=job.as_of,
                                       as_of_source=source)
    for part in storage.read_parts(files, chunks):
        accumulator.add(part)
    return accumulator.summary()


def _previous_run(context: RunContext, job: PortfolioJob) -> tuple[PreviousRun | None, str | None]:
    """The earlier portfolio the movers compare with, or why there is none."""
    if job.previous_id is None:
        return None, "no earlier completed portfolio of this tenant to compare with"
    earlier = records.get_job(context.db, job.previous_id, job.tenant)
    if earlier is None or earlier.status != "completed":
        return None, f"the earlier portfolio {job.previous_id} is not a completed portfolio of this tenant"
    try:
        scores = storage.previous_scores(JobFiles.of(context.settings.portfolio_dir, earlier.id).results)
    except FileNotFoundError:
        return None, f"the results of the earlier portfolio {earlier.id} are no longer stored"
    if scores is None:
        return None, (
            f"the earlier portfolio {earlier.id} has no borrower_id column, so its borrowers "
            "cannot be matched with this run"
        )
    chosen = (
        "named by `previous` at upload or, without one, the tenant's latest completed portfolio uploaded "
        "under the same file name, else its latest completed one; nothing checks that it is the same book: "
        "matched, new and not_rated_now say how far their borrowers overlap"
    )
    return PreviousRun.from_frame(earlier.id, scores, file_name=earlier.file_name, chosen=chosen), None


def _reason(exc: Exception, settings: Settings) -> str:
    """What the job's owner is told: the cause when it is theirs, never a path or a traceback.

    A cause's text is :func:`~service.logging.redacted`: pyarrow quotes the path of the file it could not
    read (a part this run wrote, as much as the upload), a model's data file unread names its path.
    """
    if isinstance(exc, JobTimeoutException):
        return (
            f"stopped after {settings.portfolio_job_timeout_seconds} s "
            "(GREENRATE_PORTFOLIO_JOB_TIMEOUT_SECONDS)"
        )
    if isinstance(exc, RatingModelError | storage.BookTooLong):
        return f"the loan book cannot be rated: {redacted(str(exc))}"
    if storage.malformed(exc):  # the line or column: the owner's own data
        return f"the loan book could not be read: {redacted(str(exc))[:300]}"
    return f"internal error ({type(exc).__name__}); quote the portfolio id when reporting it"
