"""Portfolio retention: when a finished job's files were deleted under GREENRATE_PORTFOLIO_RETENTION_DAYS.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A nullable column earlier code leaves unset (its rows insert as before); the results of a job whose files
#: were purged it answers 404, "no longer stored" (read at a2909a4^), where the new code answers 410.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.add_column(
            sa.Column(
                "files_purged_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="When the upload and results were deleted under the retention setting "
                "(migration 0005)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:
        batch.drop_column("files_purged_at")
