"""The portfolio jobs table (migrations 0004, 0005): one row per uploaded loan book, progress, summary.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
The row is the durable truth about a job; Redis (RQ) only carries the "run this id" message, so a lost
queue entry or a killed worker can always be recovered from here. ``attempt`` is a fencing token: every
run that claims the job increments it, and a run may record progress only while the token is still its
own, so a worker presumed dead that wakes up again cannot write over its successor.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
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

#: The statuses as SQL literals: migration 0004 created the check constraint with this very text.
_STATUS_LIST = ", ".join(f"'{status}'" for status in STATUSES)

portfolio_jobs = Table(
    "portfolio_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("status", String(16), nullable=False, comment="queued | running | completed | failed"),
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
    CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_portfolio_jobs_status"),
)

Index("ix_portfolio_jobs_tenant_created_at", portfolio_jobs.c.tenant, portfolio_jobs.c.created_at)
Index("ix_portfolio_jobs_status", portfolio_jobs.c.status)
