"""Accepting a loan book as a job, and the job as the API shows it (plain functions the views call).

An upload is saved under the job's directory and checked before anything is queued: a file that cannot
be rated at all (unreadable, no column of the flat format, a misspelt ``__`` column, no rows) is refused
with 422 at once, instead of failing minutes later in a worker. Rows that are merely wrong are the job's
business: they get their own ``error`` in the results. The row is committed before the job is enqueued,
so a worker always finds it; if the queue cannot take it, the row and the files are removed again.

An upload is safe to retry. A client that retried after a timeout got a second job for the same book, and
its third attempt a 429, its own duplicates holding the tenant's share of the workers (a bank integrator's
review). Now the same bytes with the same options (the file's type by name, ``previous`` as sent), while
a job of them is queued or running, are answered with that job; and an ``Idempotency-Key`` names one job
for good, whatever became of it (the same key with another upload is refused; the header is read by
:mod:`service.idempotency`, as ``POST /v1/keys`` reads it). The database records one
job per such upload (:func:`service.records.portfolios.insert_job`), also when identical uploads arrive
at the same moment. A finished job is not matched by bytes alone: uploading a book again rates it again.

A job can be cancelled (:func:`cancel`, ``DELETE /v1/portfolios/{id}``), which there had been no way to
do (the same review): a queued one at once, a running one at its next chunk, and the tenant's place is
free at once. Its files go with it; a finished job keeps its status and summary and loses its files, as
under the retention, and its summary's top movers lose the borrower ids they named
(:func:`service.records.portfolios.without_borrowers`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import redis
import structlog
from rq import Queue
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from schemas.fields import utc_iso
from service.auth import Principal
from service.config.settings import Settings
from service.exceptions import ServiceError
from service.idempotency import IDEMPOTENCY_KEY as IDEMPOTENCY_KEY
from service.idempotency import IdempotencyKeyRefused as IdempotencyKeyRefused
from service.idempotency import idempotency_key as idempotency_key
from service.logging import exception_summary
from service.portfolios import storage
from service.portfolios.queue import enqueue, holds
from service.portfolios.recovery import ENQUEUE_GRACE_SECONDS
from service.portfolios.retention import delete_files
from service.portfolios.storage import JobFiles, UploadRefused
from service.records import portfolios as records
from service.records.portfolios import PortfolioJob, Recorded, UploadIdentity

_log = structlog.get_logger("greenrate.portfolios")
_MAX_NAME = 255


class QueueUnavailable(ServiceError):
    """Redis did not take the job; nothing was accepted (503, retryable). The text is the class and code
    of Redis's error (:func:`~service.logging.exception_summary`), never its words, which name the server
    and may quote a command."""

    code = 503
    retry_after = True

    def __init__(self, detail: str) -> None:
        super().__init__(detail, message="The job queue is unreachable; the loan book was not accepted.")


class StorageUnavailable(ServiceError):
    """The upload could not be saved: the portfolio directory is full or read-only (503, retryable).

    Nothing was accepted (the partial file is removed). It had been answered as a bug (500, "internal
    error", a traceback in the log): a full disk is the service's dependency failing, which the client may
    retry once an operator has made room, as it retries a database or queue outage (fault-injection review).
    """

    code = 503
    retry_after = True

    def __init__(self, detail: str) -> None:
        super().__init__(detail, message="The loan book cannot be stored now; it was not accepted.")




def _save(stream: IO[bytes], target: Path) -> storage.SavedUpload:
    """:func:`storage.save_upload`, its storage's refusal said as :class:`StorageUnavailable`."""
    try:
        return storage.save_upload(stream, target)
    except OSError as exc:
        if exc.errno not in storage.STORAGE_ERRNOS:
            raise
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "OSError")
        _log.error("portfolio_storage_unavailable", error=reason)  # the path is not logged: it names the job
        raise StorageUnavailable(reason) from None


class NotQueued(ServiceError):
    """A retry of an upload whose job is recorded but not queued, and did not come to be while the retry
    waited: that upload was refused (its queue unreachable, or the tenant at its job limit) and its job
    removed, or it is still waiting for the queue (503, retryable: this request accepted nothing)."""

    code = 503
    retry_after = True

    def __init__(self, job_id: str) -> None:
        super().__init__(
            f"portfolio {job_id}, recorded by an earlier upload of the same book, is not queued",
            message="The earlier upload of this loan book was not queued (refused, or still waiting for the "
            "job queue); nothing was accepted by this request: send it again.",
        )


#: How long a retry waits for the upload that recorded its job to queue it or give it up: one Redis round
#: trip, or the queue's timeout (``service.portfolios.queue``) when Redis is failing, then a removal.
_CONFIRM_SECONDS = 3.0
_POLL_SECONDS = 0.01
#: A queued job recorded longer ago than this is past the request of the upload that recorded it: it was
#: queued, and if its queue entry was lost since (a Redis restarted without persistence) the workers' sweep
#: queues it again (:mod:`service.portfolios.recovery`, which leaves younger ones to their upload).
_IN_FLIGHT_SECONDS = ENQUEUE_GRACE_SECONDS


def _pause() -> None:
    time.sleep(_POLL_SECONDS)


def _queued(db: Engine, queue: Queue, job: PortfolioJob) -> PortfolioJob:
    """``job`` as a retry of the upload that recorded it is answered: once the queue holds it.

    That upload queues the job after recording it, and removes it again if the queue refuses it or the
    tenant's job limit, checked once more in between, is passed. A retry answered with the job before that
    named a job that then did not exist (concurrency review, H4: 4 of 6 identical uploads sent during a
    Redis outage got an id that answered 404). A job a worker has taken, or recorded before any upload
    still running, was queued; for a younger one the retry looks at the queue until it holds the job, or
    the job is gone, for up to :data:`_CONFIRM_SECONDS`.

    Raises
    ------
    QueueUnavailable
        The queue cannot be asked.
    NotQueued
        The job was removed, or is still not queued.
    """
    deadline = time.monotonic() + _CONFIRM_SECONDS

    def in_flight(job: PortfolioJob) -> bool:
        return (datetime.now(UTC) - job.created_at).total_seconds() < _IN_FLIGHT_SECONDS

    while job.status == "queued" and in_flight(job):
        try:
            held = holds(queue, job.id)
        except redis.RedisError as exc:
            raise QueueUnavailable(exception_summary(exc)) from exc
        current = records.get_job(db, job.id)
        if current is None:
            raise NotQueued(job.id)
        if held:
            return current
        if time.monotonic() >= deadline:
            raise NotQueued(job.id)
        _pause()
        job = current
    return job


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


def stored_name(filename: str, suffix: str) -> str:
    """The name a job records its upload under: the base name as sent, ``upload`` with the suffix it was
    read by when the cleaned name lost it."""
    name = clean_file_name(filename)
    return name if storage.upload_suffix(name) == suffix else "upload" + suffix


def resolve_previous(
    db: Engine, tenant: str, requested: str | None, file_name: str | None = None, as_of: date | None = None
) -> str | None:
    """The earlier portfolio the movers compare with: the one asked for, else the tenant's latest completed
    one uploaded under the same ``file_name``, else its latest completed one; with ``as_of`` (the book's
    reporting date), one as of that date or earlier (the latest reporting date first).

    A tenant that uploads several books (a branch's, a product's) had each compared with whichever was
    completed last, so movers matched unrelated borrowers (a PCAF auditor's review); the same name is the
    same book, where the tenant keeps names. A book renamed every year (``2024.parquet``, then
    ``2025.parquet``) is still compared with the latest, and the movers name the book compared with
    (``compared_with_file``), so that a wrong comparison shows.

    Raises
    ------
    UploadRefused
        When the one asked for is not a completed portfolio of this tenant (another tenant's id is
        refused with the same words as a missing one), or is as of a later date than ``as_of``.
    """
    if requested is None:
        latest = None if file_name is None else records.latest_completed(db, tenant, file_name, as_of)
        latest = latest or records.latest_completed(db, tenant, as_of=as_of)
        return None if latest is None else latest.id
    found = records.get_job(db, requested, tenant)
    if found is None or found.status != "completed":
        raise UploadRefused({"previous": ["not a completed portfolio of this tenant"]})
    if as_of is not None and found.as_of is not None and found.as_of > as_of:
        raise UploadRefused({"previous": [
            f"as of {found.as_of.isoformat()}, after this book's as_of {as_of.isoformat()}: the movers "
            "compare with an earlier reporting date"
        ]})
    return found.id


def resolve_as_of(requested: date | None, today: date | None = None) -> tuple[date, bool]:
    """The reporting date of a book and whether the upload named it: ``requested``, else the UTC date
    today (:data:`schemas.portfolio.AS_OF_DEFAULT`).

    Raises
    ------
    UploadRefused
        When ``requested`` is after today (UTC): a reporting date not yet reached has no outstanding
        amounts to report.
    """
    now = today or datetime.now(UTC).date()
    if requested is None:
        return now, False
    if requested > now:
        raise UploadRefused({"as_of": [
            f"must not be after today ({now.isoformat()}, UTC): a reporting date not yet reached has no "
            "outstanding amounts"
        ]})
    return requested, True


@dataclass(frozen=True, slots=True)
class Plan:
    """What the request asks for, checked before anything is stored: the file's suffix, the comparison
    (``previous_id``, resolved; ``previous``, as sent), the reporting date (``as_of``, resolved;
    ``as_of_given``, whether the upload named it)."""

    suffix: str
    previous_id: str | None
    previous: str | None = None
    as_of: date | None = None
    as_of_given: bool = False

    def identity(self, upload_sha256: str, key: str | None) -> UploadIdentity:
        """What makes another upload the same as this one: its bytes and these options, or ``key``.

        A reporting date the upload named is an option; the default one is not (a retry sent after
        midnight is the same upload)."""
        given = [self.as_of.isoformat()] if self.as_of_given and self.as_of is not None else []
        options = json.dumps(["portfolio-upload/1", upload_sha256, self.suffix, self.previous, *given])
        return UploadIdentity(upload_sha256, hashlib.sha256(options.encode()).hexdigest(), key)


@dataclass(frozen=True, slots=True)
class Submitted:
    """The answer to an upload: its job, and whether that job is one an earlier upload created."""

    job: PortfolioJob
    existing: bool


def plan(db: Engine, tenant: str, filename: str, previous: str | None, as_of: date | None = None) -> Plan:
    """Check the request itself (file type by name, the reporting date, the earlier portfolio) before the
    file is stored.

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
    when, given = resolve_as_of(as_of)
    return Plan(suffix, resolve_previous(db, tenant, previous, stored_name(filename, suffix), when), previous,
                when, given)


def submit(
    db: Engine,
    queue: Queue,
    settings: Settings,
    principal: Principal,
    upload: Upload,
    checked: Plan,
    key: str | None = None,
) -> Submitted:
    """Save, check, record and enqueue a loan book; returns its job, or the job of the same upload.

    The same upload (:meth:`Plan.identity`) is answered with its earlier job (``existing``), neither
    checked nor counted again: a retry is never refused for the jobs its first attempt queued.

    Raises
    ------
    UploadRefused
        422: the file cannot be rated at all (``errors`` keyed by form field).
    IdempotencyKeyRefused
        422: ``key`` was sent before with another upload (nothing was kept).
    QueueUnavailable
        503: the queue did not take the job (nothing was kept).
    NotQueued
        503: the same upload's job is recorded, but its upload did not queue it (:func:`_queued`).
    StorageUnavailable
        503: the portfolio directory is full or read-only (nothing was kept).
    TooManyJobs
        429: the tenant's jobs would be more than its share of the workers (nothing was kept). Checked
        once the upload is saved (its bytes say whether it is a retry), and again once the job is
        recorded, so that two uploads sent at once cannot both slip under the limit (both may then be
        refused: the caller retries).
    """
    limit = settings.portfolio_jobs_per_tenant
    job_id = new_portfolio_id()
    name = stored_name(upload.filename, checked.suffix)
    files = JobFiles.of(settings.portfolio_dir, job_id)
    source = files.input(name)
    inserting = False
    try:
        saved = _save(upload.stream, source)
        identity = checked.identity(saved.sha256, key)
        earlier = records.same_upload(db, principal.tenant, identity)
        if earlier is not None:
            recorded = Recorded(earlier, new=False)  # a retry: not checked, nor counted, again
        else:
            if records.unfinished_of(db, principal.tenant) >= limit:
                raise TooManyJobs(limit)
            rows_total = storage.inspect_upload(source, settings.portfolio_max_rows)
            inserting = True
            recorded = records.insert_job(
                db,
                job_id=job_id,
                tenant=principal.tenant,
                file_name=name,
                file_format=storage.file_format(checked.suffix),
                file_bytes=saved.bytes,
                chunk_rows=settings.portfolio_chunk_rows,
                rows_total=rows_total,
                previous_id=checked.previous_id,
                requester_key_id=principal.key_id,
                requester_prefix=principal.prefix,
                identity=identity,
                as_of=checked.as_of,
                as_of_given=checked.as_of_given,
            )  # not new when an identical upload was recorded meanwhile
    except BaseException:
        if inserting:  # a commit cut off may have recorded the job all the same
            _withdraw(db, files, job_id)
        else:
            files.remove()  # refused, or not recorded: nothing of it is kept
        raise
    job = recorded.job
    if not recorded.new:
        files.remove()  # the earlier job has these bytes already
        if key is not None and job.idempotency_key is None:  # matched by its bytes: the key names it now
            job = records.adopt_key(db, job, key)
        if key is not None and job.idempotency_key == key and job.request_sha256 != identity.request_sha256:
            raise IdempotencyKeyRefused(
                f"already used for portfolio {job.id}, whose file or options differ from this upload's: "
                "send a new key for a new upload"
            )
        return Submitted(_queued(db, queue, job), existing=True)
    try:
        if records.unfinished_of(db, principal.tenant) > limit:
            raise TooManyJobs(limit)
        enqueue(queue, settings, job_id)
    except BaseException as exc:
        _withdraw(db, files, job_id)
        if isinstance(exc, redis.RedisError):
            raise QueueUnavailable(exception_summary(exc)) from exc
        raise
    return Submitted(job, existing=False)


def _withdraw(db: Engine, files: JobFiles, job_id: str) -> None:
    """Remove a job its upload recorded but did not queue, and then its book: the upload is refused.

    Whatever failed once the job was recorded (its queue, the tenant's limit, the database itself: a
    terminated connection left the job recorded without its book, counted against the tenant until the
    workers' sweep queued it to fail; concurrency review, H4). When the job cannot be removed either, it
    stays whole, book and all: the workers' sweep queues it after its grace, and a retry of the upload is
    answered with it.
    """
    try:
        records.delete_job(db, job_id)
    except SQLAlchemyError as exc:
        _log.warning("portfolio_not_withdrawn", portfolio=job_id, error=type(exc).__name__,
                     detail=exception_summary(exc), consequence="queued by the workers' sweep instead")
        return
    files.remove()


def cancel(db: Engine, settings: Settings, job: PortfolioJob) -> PortfolioJob | None:
    """Cancel a job that is queued or running, and delete its files; returns the job as it is now (``None``
    for one its upload removed again: the queue refused it).

    A queued job is never claimed (a worker that takes its queue entry finds nothing to do); a running one
    stops at its next chunk, and its worker deletes whatever it wrote meanwhile. A finished job (completed,
    failed, cancelled) keeps its status and summary and loses its files: the upload and the results,
    which then answer 410, as under ``GREENRATE_PORTFOLIO_RETENTION_DAYS``, and the borrower ids of the
    summary's top movers. Again on the same job: the same answer.
    """
    if records.cancel(db, job.id):
        _log.info("portfolio_cancelled", portfolio=job.id, tenant=job.tenant, was=job.status)
    current = records.get_job(db, job.id)
    if current is not None and current.files_purged_at is None:
        delete_files(db, settings, job.id, datetime.now(UTC))
        current = records.get_job(db, job.id)
    return current


def document(job: PortfolioJob) -> dict[str, Any]:
    """The job as ``GET /v1/portfolios/{id}`` answers it (``PortfolioJobSchema``)."""
    done = job.status == "completed"
    downloadable = done and job.files_purged_at is None
    base = f"/v1/portfolios/{job.id}/results"
    summary = job.summary
    if summary is not None and job.files_purged_at is not None:
        # cleared when the files went; a job an earlier release purged keeps its ids in the database until
        # `greenrate portfolios purge` clears them, and is answered without them meanwhile
        summary = records.without_borrowers(summary)
    return {
        "id": job.id,
        "status": job.status,
        "file": {
            "name": job.file_name,
            "format": job.file_format,
            "bytes": job.file_bytes,
            "sha256": job.upload_sha256,
        },
        "progress": {
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "chunks_done": job.chunks_done,
        },
        "previous": job.previous_id,
        # only bank keys upload books (POST /v1/portfolios), and a key's role never changes
        "requested_by": {"key_id": job.requester_key_id, "prefix": job.requester_prefix, "role": "bank"},
        "model_version": job.model_version,
        "versions": summary.get("versions") if done and summary else None,
        "created_at": utc_iso(job.created_at),
        "started_at": None if job.started_at is None else utc_iso(job.started_at),
        "finished_at": None if job.finished_at is None else utc_iso(job.finished_at),
        "error": job.error,
        "summary": summary if done else None,
        "results": (
            {"csv": f"{base}?format=csv", "parquet": f"{base}?format=parquet"} if downloadable else None
        ),
        "files_purged_at": None if job.files_purged_at is None else utc_iso(job.files_purged_at),
        "as_of": None if job.as_of is None else job.as_of.isoformat(),
        "as_of_given": job.as_of_given,
    }

