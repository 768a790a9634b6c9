"""Portfolio jobs: uploaded loan books rated in the background, their progress and summary.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table only: earlier code neither reads nor writes it.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.create_table(
        "portfolio_jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="queued | running | completed | failed"),
        sa.Column("file_name", sa.String(255), nullable=False, comment="Name of the uploaded file, as sent"),
        sa.Column("file_format", sa.String(16), nullable=False, comment="csv | parquet"),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column(
            "chunk_rows", sa.Integer(), nullable=False, comment="Rows per chunk, fixed for the job's life"
        ),
        sa.Column("rows_total", sa.BigInteger(), nullable=True, comment="Null until counted"),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column(
            "chunks_done", sa.Integer(), nullable=False, comment="Chunks 0..n-1 have their result part"
        ),
        sa.Column(
            "previous_id", sa.String(40), nullable=True, comment="Portfolio the top movers compare with"
        ),
        sa.Column("model_version", sa.String(80), nullable=True, comment="Fixed by the first run"),
        sa.Column("summary_json", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "attempt", sa.Integer(), nullable=False, comment="Fencing token: incremented by every claim"
        ),
        sa.Column(
            "recoveries", sa.Integer(), nullable=False, comment="Times re-queued after its worker died"
        ),
        sa.Column("worker", sa.String(200), nullable=True, comment="RQ worker name of the current run"),
        sa.Column("worker_host", sa.String(255), nullable=True),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("requester_key_id", sa.Integer(), nullable=True),
        sa.Column("requester_prefix", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "heartbeat_at", sa.DateTime(timezone=True), nullable=True, comment="Last progress of a run"
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portfolio_jobs"),
        sa.ForeignKeyConstraint(
            ["requester_key_id"], ["api_keys.id"], name="fk_portfolio_jobs_requester_key_id_api_keys"
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed')", name="ck_portfolio_jobs_status"
        ),
    )
    op.create_index("ix_portfolio_jobs_tenant_created_at", "portfolio_jobs", ["tenant", "created_at"])
    op.create_index("ix_portfolio_jobs_status", "portfolio_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_portfolio_jobs_status", table_name="portfolio_jobs")
    op.drop_index("ix_portfolio_jobs_tenant_created_at", table_name="portfolio_jobs")
    op.drop_table("portfolio_jobs")
