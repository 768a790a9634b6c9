"""Deleting the files of finished portfolio jobs after ``GREENRATE_PORTFOLIO_RETENTION_DAYS``.

An uploaded loan book names every borrower of a bank, and its results carry their emissions: data a bank
must not keep, or have kept for it, longer than it needs. With a retention of N days (0, the default,
keeps everything), a finished job's directory (the upload, any parts, the results) is deleted N days after
the job finished, and the job's row records when. The row stays, with its summary and progress, so
``GET /v1/portfolios/{id}`` still answers; ``GET .../results`` answers 410 Gone and says why. The
summary's top movers lose the borrower ids they listed in the same statement
(:func:`service.records.portfolios.mark_files_purged`): the counts stay, the names of borrowers go with
the book.

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


def purge_expired(db: DbEngine, settings: Settings, now: datetime | None = None) -> list[str]:
    """Delete the files of every job finished more than the retention ago, and every job directory older
    than that which no job row names (an upload its request never recorded); returns the job ids.

    Nothing happens when the retention is 0 (keep files).
    """
    if settings.portfolio_retention_days <= 0:
        return []
    days = settings.portfolio_retention_days
    moment = now or datetime.now(UTC)
    cutoff = moment - timedelta(days=days)
    purged: list[str] = []
    for job in records.files_expired(db, cutoff):
        delete_files(db, settings, job.id, moment)
        purged.append(job.id)
        _log.info("portfolio_files_purged", portfolio=job.id, retention_days=days)
    for job_id in _unrecorded_older_than(db, settings.portfolio_dir, cutoff):
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
    for good (data-protection review). Only directories older than the retention are taken: an upload in
    progress is minutes old, and its row is written before the request answers.
    """
    root = Path(portfolio_dir)
    if not root.is_dir():
        return []
    limit = cutoff.timestamp()
    candidates = sorted(
        entry.name for entry in root.iterdir()
        if _JOB_DIRECTORY.fullmatch(entry.name) and _directory_older_than(entry, limit)
    )
    return [job_id for job_id in candidates if records.get_job(db, job_id) is None]


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
