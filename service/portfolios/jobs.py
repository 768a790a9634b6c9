"""Accepting a loan book as a job, and the job as the API shows it (plain functions the views call).

An upload is saved under the job's directory and checked before anything is queued: a file that cannot
be rated at all (unreadable, no column of the flat format, a misspelt ``__`` column, no rows) is refused
with 422 at once, instead of failing minutes later in a worker. Rows that are merely wrong are the job's
business: they get their own ``error`` in the results. The row is committed before the job is enqueued,
so a worker always finds it; if the queue cannot take it, the row and the files are removed again.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

import redis
from rq import Queue
from sqlalchemy import Engine

from schemas.fields import utc_iso
from service.auth import Principal
from service.config import Settings
from service.exceptions import ServiceError
from service.portfolios import storage
from service.portfolios.queue import enqueue
from service.portfolios.storage import JobFiles, UploadRefused
from service.records import portfolios as records
from service.records.portfolios import PortfolioJob

_MAX_NAME = 255


class QueueUnavailable(ServiceError):
    """Redis did not take the job; nothing was accepted (503, retryable). The text is Redis's error."""

    code = 503
    retry_after = True

    def __init__(self, detail: str) -> None:
        super().__init__(detail, message="The job queue is unreachable; the loan book was not accepted.")


class TooManyJobs(ServiceError):
    """The tenant already has ``GREENRATE_PORTFOLIO_JOBS_PER_TENANT`` jobs queued or running (429).

    One bank's books take at most its share of the workers (the per-tenant budgets' promise); the next
    upload is welcome once one has finished.
    """

    code = 429
    retry_after = True

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This tenant already has {limit} portfolio job(s) queued or running "
            "(GREENRATE_PORTFOLIO_JOBS_PER_TENANT): upload the next book when one has finished."
        )


@dataclass(frozen=True, slots=True)
class Upload:
    """The uploaded file as the view hands it over (decoupled from werkzeug's FileStorage)."""

    filename: str
    stream: IO[bytes]


def new_portfolio_id() -> str:
    return "pf_" + secrets.token_hex(16)


def clean_file_name(name: str) -> str:
    """The base name as sent, without control characters, at most 255 characters (shown back, not used)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return text[-_MAX_NAME:] or "upload"


def resolve_previous(db: Engine, tenant: str, requested: str | None) -> str | None:
    """The earlier portfolio the movers compare with: the one asked for, else the tenant's latest completed.

    Raises
    ------
    UploadRefused
        When the one asked for is not a completed portfolio of this tenant (another tenant's id is
        refused with the same words as a missing one).
    """
    if requested is None:
        latest = records.latest_completed(db, tenant)
        return None if latest is None else latest.id
    found = records.get_job(db, requested, tenant)
    if found is None or found.status != "completed":
        raise UploadRefused({"previous": ["not a completed portfolio of this tenant"]})
    return found.id


@dataclass(frozen=True, slots=True)
class Plan:
    """What the request asks for, checked before anything is stored: the file's suffix, the comparison."""

    suffix: str
    previous_id: str | None


def plan(db: Engine, tenant: str, filename: str, previous: str | None) -> Plan:
    """Check the request itself (file type by name, the earlier portfolio) before the file is stored.

    Raises
    ------
    UploadRefused
        422, keyed by form field.
    """
    suffix = storage.upload_suffix(filename)
    if suffix is None:
        raise UploadRefused(
            {
                "file": [
                    "use a CSV (.csv, .csv.gz, .csv.bz2, .csv.xz, .csv.zip) or Parquet (.parquet, .pq) file"
                ]
            }
        )
    return Plan(suffix, resolve_previous(db, tenant, previous))


def submit(
    db: Engine, queue: Queue, settings: Settings, principal: Principal, upload: Upload, checked: Plan
) -> PortfolioJob:
    """Save, check, record and enqueue a loan book; returns the queued job.

    Raises
    ------
    UploadRefused
        422: the file cannot be rated at all (``errors`` keyed by form field).
    QueueUnavailable
        503: the queue did not take the job (nothing was kept).
    TooManyJobs
        429: the tenant's jobs would be more than its share of the workers (nothing was kept). Checked
        before the upload is saved, and again once the job is recorded, so that two uploads sent at once
        cannot both slip under the limit (both may then be refused: the caller retries).
    """
    limit = settings.portfolio_jobs_per_tenant
    if records.unfinished_of(db, principal.tenant) >= limit:
        raise TooManyJobs(limit)
    job_id = new_portfolio_id()
    name = clean_file_name(upload.filename)
    if storage.upload_suffix(name) != checked.suffix:
        name = "upload" + checked.suffix
    files = JobFiles.of(settings.portfolio_dir, job_id)
    try:
        size = storage.save_upload(upload.stream, files.input(name))
        rows = storage.inspect_upload(files.input(name), settings.portfolio_max_rows)
        job = records.insert_job(
            db,
            job_id=job_id,
            tenant=principal.tenant,
            file_name=name,
            file_format=storage.file_format(checked.suffix),
            file_bytes=size,
            chunk_rows=settings.portfolio_chunk_rows,
            rows_total=rows,
            previous_id=checked.previous_id,
            requester_key_id=principal.key_id,
            requester_prefix=principal.prefix,
        )
    except BaseException:
        files.remove()  # refused, or not recorded: nothing of it is kept
        raise
    if records.unfinished_of(db, principal.tenant) > limit:
        records.delete_job(db, job_id)
        files.remove()
        raise TooManyJobs(limit)
    try:
        enqueue(queue, settings, job_id)
    except redis.RedisError as exc:
        records.delete_job(db, job_id)
        files.remove()
        raise QueueUnavailable(str(exc)) from exc
    return job


def document(job: PortfolioJob) -> dict[str, Any]:
    """The job as ``GET /v1/portfolios/{id}`` answers it (``PortfolioJobSchema``)."""
    done = job.status == "completed"
    downloadable = done and job.files_purged_at is None
    base = f"/v1/portfolios/{job.id}/results"
    return {
        "id": job.id,
        "status": job.status,
        "file": {"name": job.file_name, "format": job.file_format, "bytes": job.file_bytes},
        "progress": {
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "chunks_done": job.chunks_done,
        },
        "previous": job.previous_id,
        "model_version": job.model_version,
        "versions": job.summary.get("versions") if done and job.summary else None,
        "created_at": utc_iso(job.created_at),
        "started_at": None if job.started_at is None else utc_iso(job.started_at),
        "finished_at": None if job.finished_at is None else utc_iso(job.finished_at),
        "error": job.error,
        "summary": job.summary if done else None,
        "results": (
            {"csv": f"{base}?format=csv", "parquet": f"{base}?format=parquet"} if downloadable else None
        ),
        "files_purged_at": None if job.files_purged_at is None else utc_iso(job.files_purged_at),
    }

