"""Portfolio jobs can be cancelled: the status ``cancelled`` (``DELETE /v1/portfolios/{id}``).

A bank integrator's review found no way to stop a job: a book uploaded by mistake, or twice, took the
tenant's share of the workers until it finished. ``DELETE`` now marks a queued or running job
``cancelled`` (a running one stops at its next chunk). The check constraint of ``status`` takes the new
value; nothing else changes.

On PostgreSQL the constraint is replaced ``NOT VALID`` (a catalog change, no scan under the ACCESS
EXCLUSIVE lock of ``ALTER TABLE``), then validated after that lock is released (``VALIDATE CONSTRAINT``
lets reads and writes go on). SQLite copies the table (batch mode; ``portfolio_jobs`` has no append-only
trigger of 0009 to re-create).

Downgrading turns every cancelled job into a failed one whose ``error`` says it was cancelled (the
schema before has no such status), then restores the constraint of 0004.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A wider constraint, and a value only the new code writes. The code before reads a cancelled job as a
#: finished one that is not completed: it is not counted in the tenant's jobs, no worker claims it and no
#: sweep re-queues it (they select queued and running jobs), every write of a run still running it fails
#: as a superseded claim (they require ``running``), so the run stops, and its results answer 409.
compatible_with_previous_code: bool = True

_NAME = "ck_portfolio_jobs_status"
_CANCELLED = sa.CheckConstraint(
    "status IN ('queued', 'running', 'completed', 'failed', 'cancelled')", name="ck_portfolio_jobs_status"
)
_BEFORE = "status IN ('queued', 'running', 'completed', 'failed')"
_COMMENT = "queued | running | completed | failed | cancelled"
_COMMENT_BEFORE = "queued | running | completed | failed"


def upgrade() -> None:
    _replace_check(str(_CANCELLED.sqltext), _COMMENT, _COMMENT_BEFORE)


def downgrade() -> None:
    op.execute(
        "UPDATE portfolio_jobs SET status = 'failed', "
        "error = 'cancelled (DELETE /v1/portfolios/{id}); shown as failed after a downgrade' "
        "WHERE status = 'cancelled'"
    )
    _replace_check(_BEFORE, _COMMENT_BEFORE, _COMMENT)


def _replace_check(condition: str, comment: str, existing_comment: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        with op.batch_alter_table("portfolio_jobs") as batch:  # SQLite: table copy
            batch.drop_constraint(_NAME, type_="check")
            batch.create_check_constraint(_NAME, sa.text(condition))
            batch.alter_column(
                "status", comment=comment, existing_type=sa.String(16), existing_nullable=False,
                existing_comment=existing_comment,
            )
        return
    op.execute(
        f"ALTER TABLE portfolio_jobs DROP CONSTRAINT {_NAME}, "
        f"ADD CONSTRAINT {_NAME} CHECK ({condition}) NOT VALID"
    )
    op.alter_column(
        "portfolio_jobs", "status", comment=comment, existing_type=sa.String(16), existing_nullable=False,
        existing_comment=existing_comment,
    )
    with op.get_context().autocommit_block():  # commits the above: the scan runs without its lock
        op.execute(f"ALTER TABLE portfolio_jobs VALIDATE CONSTRAINT {_NAME}")
