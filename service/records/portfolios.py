"""Storing portfolio jobs and moving them through their states; reads are scoped by tenant.

Every change a run makes is guarded by the ``attempt`` it claimed (a fencing token): a run whose token is
no longer current changes nothing and learns that it was superseded (:class:`Superseded`), so two runs
of one job, however they came about, never both record progress.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.records.database import as_utc
from service.records.portfolio_tables import FINISHED, UNFINISHED, portfolio_jobs

_T = portfolio_jobs.c


class Superseded(Exception):
    """This run's claim is no longer current: another run took the job over (or it was finished)."""


@dataclass(frozen=True, slots=True)
class PortfolioJob:
    """One job row as the API and the workers read it."""

    id: str
    tenant: str
    status: str
    file_name: str
    file_format: str
    file_bytes: int
    chunk_rows: int
    rows_total: int | None
    rows_done: int
    chunks_done: int
    previous_id: str | None
    model_version: str | None
    summary: dict[str, Any] | None
    error: str | None
    attempt: int
    recoveries: int
    worker: str | None
    worker_host: str | None
    worker_pid: int | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    files_purged_at: datetime | None = None
    upload_sha256: str | None = None
    request_sha256: str | None = None
    idempotency_key: str | None = None
    requester_key_id: int | None = None  # the (bank) key whose upload created the job
    requester_prefix: str | None = None
    as_of: date | None = None  # the reporting date (migration 0032); None: uploaded before
    as_of_given: bool | None = None  # whether the upload named it (False: the UTC date of the upload)


@dataclass(frozen=True, slots=True)
class Worker:
    """Who runs a claim: the RQ worker's name, and the host and process doing the work."""

    name: str
    host: str
    pid: int


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _now() -> datetime:
    return datetime.now(UTC)


def _job(row: Any) -> PortfolioJob:
    created = _utc(row.created_at)
    assert created is not None
    return PortfolioJob(
        id=row.id,
        tenant=row.tenant,
        status=row.status,
        file_name=row.file_name,
        file_format=row.file_format,
        file_bytes=row.file_bytes,
        chunk_rows=row.chunk_rows,
        rows_total=row.rows_total,
        rows_done=row.rows_done,
        chunks_done=row.chunks_done,
        previous_id=row.previous_id,
        model_version=row.model_version,
        summary=None if row.summary_json is None else json.loads(row.summary_json),
        error=row.error,
        attempt=row.attempt,
        recoveries=row.recoveries,
        worker=row.worker,
        worker_host=row.worker_host,
        worker_pid=row.worker_pid,
        created_at=created,
        started_at=_utc(row.started_at),
        heartbeat_at=_utc(row.heartbeat_at),
        finished_at=_utc(row.finished_at),
        files_purged_at=_utc(row.files_purged_at),
        upload_sha256=row.upload_sha256,
        request_sha256=row.request_sha256,
        idempotency_key=row.idempotency_key,
        requester_key_id=row.requester_key_id,
        requester_prefix=row.requester_prefix,
        as_of=row.as_of,
        as_of_given=row.as_of_given,
    )


@dataclass(frozen=True, slots=True)
class UploadIdentity:
    """What makes two uploads of a tenant the same: the bytes with the options (``request_sha256``), or the
    client's ``Idempotency-Key``."""

    upload_sha256: str
    request_sha256: str
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The job an upload is recorded as: a new one, or (``new`` false) the one recorded for it before."""

    job: PortfolioJob
    new: bool


def insert_job(
    db: Engine,
    *,
    job_id: str,
    tenant: str,
    file_name: str,
    file_format: str,
    file_bytes: int,
    chunk_rows: int,
    rows_total: int | None,
    previous_id: str | None,
    requester_key_id: int | None,
    requester_prefix: str | None,
    identity: UploadIdentity | None = None,
    as_of: date | None = None,
    as_of_given: bool | None = None,
) -> Recorded:
    """Record a new queued job (before it is enqueued, so a worker always finds its row).

    Not when the upload is one recorded already (:func:`same_upload` finds it): the same request while an
    earlier job of it is queued or running, or the same ``Idempotency-Key``; that job is returned, not
    ``new``. The unique indexes of migration 0014 decide, so of two identical uploads sent at once exactly
    one is recorded, and the other is answered with it.
    """
    row = {
        "id": job_id,
        "tenant": tenant,
        "status": "queued",
        "file_name": file_name,
        "file_format": file_format,
        "file_bytes": file_bytes,
        "chunk_rows": chunk_rows,
        "rows_total": rows_total,
        "rows_done": 0,
        "chunks_done": 0,
        "previous_id": previous_id,
        "attempt": 0,
        "recoveries": 0,
        "requester_key_id": requester_key_id,
        "requester_prefix": requester_prefix,
        "created_at": _now(),
        "upload_sha256": None if identity is None else identity.upload_sha256,
        "request_sha256": None if identity is None else identity.request_sha256,
        "idempotency_key": None if identity is None else identity.idempotency_key,
        "as_of": as_of,
        "as_of_given": as_of_given,
    }
    for last in (False, True):
        try:
            with db.begin() as conn:
                # the job as stored, from the insert itself: a read after the commit could fail (its
                # connection terminated) and leave the job recorded for an upload answered as refused
                stored = conn.execute(insert(portfolio_jobs).values(**row).returning(*portfolio_jobs.c)).one()
            return Recorded(_job(stored), new=True)
        except IntegrityError:
            earlier = None if identity is None else same_upload(db, tenant, identity)
            if earlier is not None:
                return Recorded(earlier, new=False)
            if last or identity is None:
                raise  # not a repeat of an upload: another constraint, which is a bug
            # the job it collided with is gone already (its enqueue failed, or it finished): once more
    raise AssertionError("unreachable: the second try returns or raises")  # pragma: no cover


def _keyed(conn: Connection, tenant: str, key: str) -> PortfolioJob | None:
    """The tenant's job created (or adopted) under the ``Idempotency-Key`` ``key``, if any."""
    row = conn.execute(select(portfolio_jobs).where(_T.tenant == tenant, _T.idempotency_key == key)).first()
    return None if row is None else _job(row)


def same_upload(db: Engine, tenant: str, identity: UploadIdentity) -> PortfolioJob | None:
    """The tenant's job this upload is a repeat of, if any.

    With an ``Idempotency-Key``, the job created under that key, whatever its state (the caller compares
    its ``request_sha256``: the key may have been used for another upload). Otherwise, or when the key is
    new, the job queued or running for the same request (bytes and options); a finished job is not
    returned for the bytes alone, since uploading a book again is how a bank has it rated again.
    """
    with db.connect() as conn:
        if identity.idempotency_key is not None:
            keyed = _keyed(conn, tenant, identity.idempotency_key)
            if keyed is not None:
                return keyed
        row = conn.execute(
            select(portfolio_jobs)
            .where(
                _T.tenant == tenant, _T.request_sha256 == identity.request_sha256, _T.status.in_(UNFINISHED)
            )
            .limit(1)
        ).first()
    return None if row is None else _job(row)


def adopt_key(db: Engine, job: PortfolioJob, key: str) -> PortfolioJob:
    """``job`` named by the ``Idempotency-Key`` ``key`` from now on, when it has none yet; the job the key
    names (this one, or the one a concurrent upload bound it to first), as it is now.

    An upload under a new key that :func:`same_upload` matched by its bytes (a job queued without a key)
    is answered with that job; unless the key is recorded with it, the key names nothing: the same key
    then took another book as a new job, and the keyed upload retried after its job finished was rated
    again. A job keeps the key it was created with: one column, one key.
    """
    try:
        with db.begin() as conn:
            conn.execute(
                update(portfolio_jobs)
                .where(_T.id == job.id, _T.idempotency_key.is_(None))
                .values(idempotency_key=key)
            )
    except IntegrityError:  # a concurrent upload bound the key to another job of the tenant first
        pass
    with db.connect() as conn:
        keyed = _keyed(conn, job.tenant, key)
    return job if keyed is None else keyed


def delete_job(db: Engine, job_id: str) -> None:
    """Forget a job that could not be enqueued (the caller was told nothing was accepted)."""
    with db.begin() as conn:
        conn.execute(delete(portfolio_jobs).where(_T.id == job_id))


def get_job(db: Engine, job_id: str, tenant: str | None = None) -> PortfolioJob | None:
    """One job; with ``tenant``, another tenant's job is ``None`` exactly like a missing one."""
    query = select(portfolio_jobs).where(_T.id == job_id)
    if tenant is not None:
        query = query.where(_T.tenant == tenant)
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _job(row)


def recorded_ids(db: Engine, job_ids: list[str]) -> set[str]:
    """Which of ``job_ids`` name a job row (of any tenant), asked a few hundred at a time."""
    found: set[str] = set()
    with db.connect() as conn:
        for start in range(0, len(job_ids), 500):
            batch = job_ids[start : start + 500]
            found.update(conn.execute(select(_T.id).where(_T.id.in_(batch))).scalars())
    return found


def latest_completed(
    db: Engine, tenant: str, file_name: str | None = None, as_of: date | None = None
) -> PortfolioJob | None:
    """The tenant's most recently created completed job (of the book uploaded as ``file_name``, if given):
    the default comparison for the top movers.

    With ``as_of``, only a job as of that date or before (or uploaded before jobs had one), the latest
    reporting date first: a book as of 31 December 2024 uploaded after the 2025 one was compared with
    the 2025 book, its movers running backwards in time.
    """
    query = select(portfolio_jobs).where(_T.tenant == tenant, _T.status == "completed")
    if as_of is not None:
        query = query.where(or_(_T.as_of.is_(None), _T.as_of <= as_of)).order_by(
            _T.as_of.is_(None), _T.as_of.desc()
        )
    query = query.order_by(_T.created_at.desc(), _T.id.desc()).limit(1)
    if file_name is not None:
        query = query.where(_T.file_name == file_name)
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _job(row)


def unfinished_of(db: Engine, tenant: str) -> int:
    """How many of the tenant's jobs are queued or running."""
    query = select(func.count()).where(_T.tenant == tenant, _T.status.in_(UNFINISHED))
    with db.connect() as conn:
        return int(conn.execute(query).scalar_one())


def unfinished(db: Engine) -> list[PortfolioJob]:
    """Every queued or running job (what a recovery sweep looks at)."""
    query = select(portfolio_jobs).where(_T.status.in_(UNFINISHED)).order_by(_T.created_at)
    with db.connect() as conn:
        return [_job(row) for row in conn.execute(query)]


def files_expired(db: Engine, finished_before: datetime) -> list[PortfolioJob]:
    """Finished jobs (completed, failed or cancelled) older than the cut-off whose files are still kept."""
    query = (
        select(portfolio_jobs)
        .where(
            _T.status.in_(FINISHED),
            _T.finished_at < finished_before,
            _T.files_purged_at.is_(None),
        )
        .order_by(_T.finished_at)
    )
    with db.connect() as conn:
        return [_job(row) for row in conn.execute(query)]


def mark_files_purged(db: Engine, job_id: str, at: datetime) -> None:
    """Record that the job's files are gone (the row, with its summary, stays); the first time counts.

    The summary's movers lose their borrower ids in the same statement (:func:`without_borrowers`): the
    book that named those borrowers is gone, and so is the list.
    """
    with db.begin() as conn:
        summary = conn.execute(
            select(_T.summary_json).where(_T.id == job_id, _T.files_purged_at.is_(None))
        ).scalar_one_or_none()
        values: dict[str, Any] = {"files_purged_at": at}
        if summary is not None:
            values["summary_json"] = _summary_json(without_borrowers(json.loads(summary)))
        conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job_id, _T.files_purged_at.is_(None))
            .values(**values)
        )


def without_borrowers(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with its lists of movers emptied, which name borrowers by ``borrower_id``; the counts
    stay.

    A job's files (the book, the per-borrower results) are deleted on ``DELETE`` or after the retention,
    but its summary stays, and its movers (``rating_model.portfolio_movers.Movers.summary``: ``rises``,
    ``falls``, ``grade_changes.largest``) kept up to three times ``top_n`` borrower ids for good
    (data-protection review). ``movers.borrowers_removed`` says the lists were emptied, not that nobody
    moved. A summary without movers, or already cleared, comes back equal. (Here, not beside ``Movers``:
    that module loads pandas, which no web worker imports.)
    """
    out = dict(summary)
    movers = out.get("movers")
    if not isinstance(movers, Mapping) or not movers.get("available"):
        return out
    cleared = {**movers, "rises": [], "falls": [], "borrowers_removed": True}
    changes = movers.get("grade_changes")
    if isinstance(changes, Mapping):
        cleared["grade_changes"] = {**changes, "largest": []}
    out["movers"] = cleared
    return out


#: How a summary written by :func:`complete` holds a mover's id (``json.dumps``' default separators);
#: the basis texts name the column without a value after it.
_NAMED_BORROWER = '%"borrower_id": %'


def clear_left_borrowers(db: Engine) -> list[str]:
    """Empty the movers of every job whose files are gone but whose summary still names borrowers: those
    an earlier release purged or deleted, which kept them. Returns the job ids (none the next time)."""
    query = select(_T.id, _T.summary_json).where(
        _T.files_purged_at.is_not(None), _T.summary_json.like(_NAMED_BORROWER)
    )
    cleared: list[str] = []
    with db.begin() as conn:
        for row in conn.execute(query).all():
            conn.execute(
                update(portfolio_jobs)
                .where(_T.id == row.id)
                .values(summary_json=_summary_json(without_borrowers(json.loads(row.summary_json))))
            )
            cleared.append(row.id)
    return cleared


def cancel(db: Engine, job_id: str) -> bool:
    """Mark a queued or running job cancelled; False when it had finished already.

    A worker no longer claims it, and the run that holds it can record nothing more (every write of a run
    requires ``running``): it stops at its next chunk, learning it was :class:`Superseded`.
    """
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job_id, _T.status.in_(UNFINISHED))
            .values(status="cancelled", finished_at=_now())
        ).rowcount
    return changed == 1


def claim(db: Engine, job_id: str, worker: Worker) -> PortfolioJob | None:
    """Take the job for this run (queued, or running under a run presumed gone); ``None``: nothing to do.

    The returned job's ``attempt`` is this run's fencing token.
    """
    now = _now()
    with db.begin() as conn:
        row = conn.execute(
            select(_T.attempt, _T.started_at).where(_T.id == job_id, _T.status.in_(UNFINISHED))
        ).first()
        if row is None:
            return None
        done = conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job_id, _T.attempt == row.attempt, _T.status.in_(UNFINISHED))
            .values(
                status="running",
                attempt=row.attempt + 1,
                worker=worker.name,
                worker_host=worker.host,
                worker_pid=worker.pid,
                heartbeat_at=now,
                started_at=row.started_at or now,
                error=None,
            )
        ).rowcount
    return get_job(db, job_id) if done == 1 else None


def _guarded(db: Engine, job_id: str, attempt: int, **values: Any) -> None:
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job_id, _T.attempt == attempt, _T.status == "running")
            .values(**values)
        ).rowcount
    if changed != 1:
        raise Superseded(job_id)


def set_model_version(db: Engine, job_id: str, attempt: int, version: str) -> None:
    """Fix the model the whole job is rated with (a re-run after a promotion keeps it)."""
    _guarded(db, job_id, attempt, model_version=version, heartbeat_at=_now())


def set_rows_total(db: Engine, job_id: str, attempt: int, rows: int) -> None:
    _guarded(db, job_id, attempt, rows_total=rows, heartbeat_at=_now())


def restart_chunks(db: Engine, job_id: str, attempt: int) -> None:
    """Forget the recorded chunks of this run's job: it is rated again from the first chunk."""
    _guarded(db, job_id, attempt, chunks_done=0, rows_done=0, heartbeat_at=_now())


def chunk_done(db: Engine, job_id: str, attempt: int, index: int, rows_done: int) -> None:
    """Record that chunk ``index`` has its result part (chunks are recorded in order, each once)."""
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job_id, _T.attempt == attempt, _T.status == "running", _T.chunks_done == index)
            .values(chunks_done=index + 1, rows_done=rows_done, heartbeat_at=_now())
        ).rowcount
    if changed != 1:
        raise Superseded(job_id)


def complete(db: Engine, job_id: str, attempt: int, rows: int, summary: dict[str, Any]) -> None:
    now = _now()
    _guarded(
        db,
        job_id,
        attempt,
        status="completed",
        rows_total=rows,
        rows_done=rows,
        heartbeat_at=now,
        finished_at=now,
        summary_json=_summary_json(summary),
    )


def _summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, allow_nan=False)


def fail(db: Engine, job_id: str, attempt: int, error: str) -> None:
    now = _now()
    _guarded(db, job_id, attempt, status="failed", error=error[:2000], heartbeat_at=now, finished_at=now)


def release(db: Engine, job_id: str, attempt: int, note: str) -> None:
    """Put this run's job back to ``queued``, its recorded chunks kept, saying why in ``error``.

    For a run interrupted by a passing fault (a database blip, a full disk): the recovery sweep
    re-enqueues the job once its delay has passed, counting the retry, and the next run's claim clears
    the note. ``heartbeat_at`` is when it was interrupted, which the delay counts from.
    """
    _guarded(
        db, job_id, attempt, status="queued", error=note[:2000], heartbeat_at=_now(),
        worker=None, worker_host=None, worker_pid=None,
    )


def requeue_running(db: Engine, job: PortfolioJob) -> bool:
    """Put back a running job whose run is gone; True for the one sweep that wins the race."""
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(
                _T.id == job.id,
                _T.attempt == job.attempt,
                _T.status == "running",
                _T.recoveries == job.recoveries,
            )
            .values(
                status="queued", recoveries=job.recoveries + 1, worker=None, worker_host=None, worker_pid=None
            )
        ).rowcount
    return changed == 1


def requeue_queued(db: Engine, job: PortfolioJob) -> bool:
    """Count a re-enqueue of a queued job whose queue entry was lost; True for the sweep that wins."""
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(_T.id == job.id, _T.status == "queued", _T.recoveries == job.recoveries)
            .values(recoveries=job.recoveries + 1)
        ).rowcount
    return changed == 1


def give_up(db: Engine, job: PortfolioJob, error: str) -> bool:
    """Mark an unfinished job failed from outside its run (too many recoveries, or the queue failed it)."""
    now = _now()
    with db.begin() as conn:
        changed = conn.execute(
            update(portfolio_jobs)
            .where(
                _T.id == job.id,
                _T.attempt == job.attempt,
                _T.status == job.status,
                _T.recoveries == job.recoveries,
            )
            .values(status="failed", error=error[:2000], finished_at=now)
        ).rowcount
    return changed == 1
