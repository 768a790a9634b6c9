"""Ratings record the engine version that computed them (``versions.engine``).

A rating is reused for an identical input only under the same versions; until now the engine's own code was
not one of them, so a fix to the computation could still hand out ratings the old code had issued. Ratings
issued before this migration get ``'unrecorded'``: no engine reports that version, so none of them is reused
for a new request, while every one of them stays readable exactly as issued.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Not compatible: ``ratings.engine_version`` is NOT NULL without a default, so every
#: rating the code of 0005 inserts (it does not name the column) is refused.
compatible_with_previous_code: bool = False

_COMMENT = "rating_model.engine.ENGINE_VERSION; 'unrecorded' for ratings issued before migration 0006"


def upgrade() -> None:
    # Added with a server default so existing rows are filled in the same statement, then the default is
    # dropped: every new rating must name its engine version (the table definition has no default).
    with op.batch_alter_table("ratings") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.add_column(
            sa.Column(
                "engine_version",
                sa.String(16),
                nullable=False,
                server_default="unrecorded",
                comment=_COMMENT,
            )
        )
    with op.batch_alter_table("ratings") as batch:
        batch.alter_column(
            "engine_version",
            existing_type=sa.String(16),
            existing_nullable=False,
            existing_comment=_COMMENT,
            server_default=None,
        )


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("engine_version")
