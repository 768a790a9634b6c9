"""The portfolio jobs table (migrations 0004, 0005, 0013-0015, 0032): one row per uploaded loan book,
progress, summary.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
The row is the durable truth about a job; Redis (RQ) only carries the "run this id" message, so a lost
queue entry or a killed worker can always be recovered from here. ``attempt`` is a fencing token: every
run that claims the job increments it, and a run may record progress only while the token is still its
own, so a worker presumed dead that wakes up again cannot write over its successor.

An upload is recorded once (migrations 0013, 0014): while a job is queued or running, no second job of its
tenant may have the same ``request_sha256`` (the bytes and the options of the upload), and a tenant's
``Idempotency-Key`` names one job for good. Unique partial indexes say so, so two identical uploads sent at
once cannot both be recorded, whichever web worker takes each.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from schemas.portfolio import STATUSES
from service.records.tables import metadata

#: The statuses as SQL literals: migration 0015 wrote the check constraint with this very text (0004 had
#: it without ``cancelled``).
_STATUS_LIST = ", ".join(f"'{status}'" for status in STATUSES)

portfolio_jobs = Table(
    "portfolio_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("status", String(16), nullable=False, comment="queued | running | completed | failed | cancelled"),
    Column("file_name", String(255), nullable=False, comment="Name of the uploaded file, as sent"),
    Column("file_format", String(16), nullable=False, comment="csv | parquet"),
    Column("file_bytes", BigInteger, nullable=False),
    Column("chunk_rows", Integer, nullable=False, comment="Rows per chunk, fixed for the job's life"),
    Column("rows_total", BigInteger, nullable=True, comment="Null until counted"),
    Column("rows_done", BigInteger, nullable=False),
    Column("chunks_done", Integer, nullable=False, comment="Chunks 0..n-1 have their result part"),
    Column("previous_id", String(40), nullable=True, comment="Portfolio the top movers compare with"),
    Column("model_version", String(80), nullable=True, comment="Fixed by the first run"),
    Column("summary_json", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempt", Integer, nullable=False, comment="Fencing token: incremented by every claim"),
    Column("recoveries", Integer, nullable=False, comment="Times re-queued after its worker died"),
    Column("worker", String(200), nullable=True, comment="RQ worker name of the current run"),
    Column("worker_host", String(255), nullable=True),
    Column("worker_pid", Integer, nullable=True),
    Column("requester_key_id", Integer, ForeignKey("api_keys.id"), nullable=True),
    Column("requester_prefix", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True, comment="Last progress of a run"),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column(
        "files_purged_at",
        DateTime(timezone=True),
        nullable=True,
        comment="When the upload and results were deleted under the retention setting "
        "(migration 0005)",
    ),
    Column(
        "upload_sha256",
        String(64),
        nullable=True,
        comment="sha256 (hex) of the uploaded bytes; null: uploaded before migration 0013",
    ),
    Column(
        "request_sha256",
        String(64),
        nullable=True,
        comment="sha256 of the upload's bytes and options: what makes two uploads the same (0013)",
    ),
    Column(
        "idempotency_key",
        String(255),
        nullable=True,
        comment="The Idempotency-Key header of the upload that created the job, if any (0013)",
    ),
    Column(
        "as_of",
        Date,
        nullable=True,
        comment="The reporting date the job's figures are as of; null: uploaded before migration 0032",
    ),
    Column(
        "as_of_given",
        Boolean,
        nullable=True,
        comment="Whether the upload named as_of (false: the UTC date of the upload); null before 0032",
    ),
    CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_portfolio_jobs_status"),
)

#: the statuses of a job that still takes a worker and a place in its tenant's share
UNFINISHED = ("queued", "running")
#: the statuses of a job that will not change again (its files may be deleted under the retention)
FINISHED = ("completed", "failed", "cancelled")

Index("ix_portfolio_jobs_tenant_created_at", portfolio_jobs.c.tenant, portfolio_jobs.c.created_at)
Index("ix_portfolio_jobs_status", portfolio_jobs.c.status)
# One unfinished job per tenant and request, one job per tenant and Idempotency-Key (migration 0014).
_UNFINISHED_REQUEST = portfolio_jobs.c.status.in_(UNFINISHED) & portfolio_jobs.c.request_sha256.is_not(None)
_KEYED = portfolio_jobs.c.idempotency_key.is_not(None)
Index(
    "ix_portfolio_jobs_tenant_request_sha256_unfinished", portfolio_jobs.c.tenant,
    portfolio_jobs.c.request_sha256, unique=True,
    postgresql_where=_UNFINISHED_REQUEST, sqlite_where=_UNFINISHED_REQUEST,
)
Index(
    "ix_portfolio_jobs_tenant_idempotency_key", portfolio_jobs.c.tenant, portfolio_jobs.c.idempotency_key,
    unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED,
)
