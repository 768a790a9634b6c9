"""Deleting the files of finished portfolio jobs after ``GREENRATE_PORTFOLIO_RETENTION_DAYS``.

An uploaded loan book names every borrower of a bank, and its results carry their emissions: data a bank
must not keep, or have kept for it, longer than it needs. With a retention of N days (0, the default,
keeps every job's files), a finished job's directory (the upload, any parts, the results) is deleted N
days after the job finished, and the job's row records when. An upload no job row names (its request
ended before recording it) is nobody's job's file: it goes once older than the retention, or than
:data:`UNRECORDED_GRACE` under a retention of 0, which had kept it for good. A purged job's row stays,
with its summary and progress, so ``GET /v1/portfolios/{id}`` still answers; ``GET .../results``
answers 410 Gone and says why. The summary's top movers lose the borrower ids they listed in the same
statement (:func:`service.records.portfolios.mark_files_purged`): the counts stay, the names of borrowers
go with the book.

The files go first and the row is marked after: a sweep interrupted in between deletes nothing twice and
marks the job on its next pass (deleting a missing directory is not an error), whereas the other order
could mark a job whose files were never deleted. ``greenrate worker`` sweeps every minute while idle,
and ``greenrate portfolios purge`` does the same once (for a cron job when no worker runs).
``DELETE /v1/portfolios/{id}`` deletes a job's files at once, the same way (:func:`delete_files`).
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import SQLAlchemyError

from service.config.settings import Settings
from service.logging import exception_summary
from service.portfolios.queue import reraise_stop_request
from service.portfolios.storage import JobFiles
from service.records import portfolios as records

_log = structlog.get_logger("greenrate.portfolios")

#: How old a job directory no job row names must be, under a retention of 0, before it is deleted: an
#: upload's request saves the book and records its job within minutes (its own timeout), so a directory a
#: day old that no row names was left by a request that ended without recording it
UNRECORDED_GRACE = timedelta(days=1)


def purge_expired(db: DbEngine, settings: Settings, now: datetime | None = None) -> list[str]:
    """Delete the files of every job finished more than the retention ago, and every job directory older
    than that which no job row names (an upload its request never recorded); returns the job ids.

    A retention of 0 keeps every job's files, and deletes only the directories no job row names, once older
    than :data:`UNRECORDED_GRACE`: such an upload belongs to no job, so neither ``DELETE`` nor a retention
    of 0 could ever reach it, and the loan book it holds was kept for good (a PCAF analyst's review: the
    documented "the retention deletes it" never happened under the default).
    """
    days = settings.portfolio_retention_days
    moment = now or datetime.now(UTC)
    purged: list[str] = []
    if days > 0:
        cutoff = moment - timedelta(days=days)
        for job in records.files_expired(db, cutoff):
            delete_files(db, settings, job.id, moment)
            purged.append(job.id)
            _log.info("portfolio_files_purged", portfolio=job.id, retention_days=days)
    unrecorded = moment - (timedelta(days=days) if days > 0 else UNRECORDED_GRACE)
    for job_id in _unrecorded_older_than(db, settings.portfolio_dir, unrecorded):
        # as delete_files: "already gone" (another worker's sweep) is no error, and any other is raised,
        # not swallowed with the directory still there and logged as purged at every sweep
        try:
            shutil.rmtree(JobFiles.of(settings.portfolio_dir, job_id).root)
        except FileNotFoundError:
            continue
        purged.append(job_id)
        _log.info("portfolio_unrecorded_files_purged", portfolio=job_id, retention_days=days)
    return purged


#: what :func:`service.portfolios.jobs.new_portfolio_id` names a job's directory
_JOB_DIRECTORY = re.compile(r"pf_[0-9a-f]{32}")


def _unrecorded_older_than(db: DbEngine, portfolio_dir: str, cutoff: datetime) -> list[str]:
    """The job directories no job row names, last changed before ``cutoff``: uploads never recorded.

    An upload is saved before its job is recorded, and a refused one is removed by the request; but a web
    worker ended mid-request (gunicorn's timeout ends it without unwinding, an OOM kill, a host that died)
    left the loan book on disk with no job, which neither ``DELETE`` nor the retention could reach, kept
    for good (data-protection review). Only directories older than the retention (or than
    :data:`UNRECORDED_GRACE` under a retention of 0) are taken: an upload in progress is minutes old, and
    its row is written before the request answers. The rows are asked for a few hundred directories at a
    time, not one query each: under a retention of 0 every kept job's directory older than the grace is
    looked at, every minute.
    """
    root = Path(portfolio_dir)
    if not root.is_dir():
        return []
    limit = cutoff.timestamp()
    candidates = sorted(
        entry.name for entry in root.iterdir()
        if _JOB_DIRECTORY.fullmatch(entry.name) and _directory_older_than(entry, limit)
    )
    known = records.recorded_ids(db, candidates) if candidates else set()
    return [job_id for job_id in candidates if job_id not in known]


def _directory_older_than(entry: Path, limit: float) -> bool:
    """Whether ``entry`` is a directory last changed before ``limit`` (a timestamp); ``False`` once gone.

    Every portfolio worker sweeps, so another may delete the directory between the listing and the look
    (as may the request of a refused upload): that had ended the sweep with FileNotFoundError.
    """
    try:
        return entry.is_dir() and entry.stat().st_mtime < limit
    except FileNotFoundError:
        return False


def delete_files(db: DbEngine, settings: Settings, job_id: str, at: datetime) -> None:
    """Delete a job's directory, then record when (``files_purged_at``).

    An error other than "already gone" is raised before the job is marked: a later call tries again.
    """
    try:
        shutil.rmtree(JobFiles.of(settings.portfolio_dir, job_id).root)
    except FileNotFoundError:
        pass
    records.mark_files_purged(db, job_id, at)


def purge_safely(db: DbEngine, settings: Settings) -> list[str]:
    """:func:`purge_expired` that logs instead of raising: a sweep must never stop a worker.

    The line says the failure's class and code (an errno), not its text: an OSError's names the file, a
    statement's error its bound values.
    """
    try:
        return purge_expired(db, settings)
    except (SQLAlchemyError, OSError) as exc:
        reraise_stop_request(exc)  # a SIGTERM that interrupted the purge's query stops the worker
        _log.warning("portfolio_purge_failed", error=type(exc).__name__, detail=exception_summary(exc))
        return []
