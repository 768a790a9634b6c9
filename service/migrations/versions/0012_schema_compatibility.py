"""Record in the database which releases' code can serve its schema, for rolling deploys.

Until now a worker served only a database at exactly its own revision, so the moment a new release ran
``greenrate db upgrade`` every worker of the release before it went unready, before the new release's
workers were up: an outage on every release that added a migration. From this revision the migration
runner keeps one row in ``schema_compatibility`` (written in the same transaction as each migration, up
or down, by :func:`service.records.migrate.record_compatibility`): the revision the database is at, the
oldest revision whose code can still serve it (each migration declares whether the code before it keeps
working, ``compatible_with_previous_code``) and the history that leads to it. A worker that finds a newer
revision it does not know serves if its own revision is at or after that oldest one (readiness says so).

Code of 0011 and before does not read this table: the protection starts with the releases after it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table no earlier code reads or writes.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.create_table(
        "schema_compatibility",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False, comment="Always 1: a single row"),
        sa.Column(
            "revision", sa.String(32), nullable=False, comment="The Alembic revision this row describes"
        ),
        sa.Column(
            "oldest_compatible",
            sa.String(32),
            nullable=False,
            comment="The oldest revision whose code can serve this schema (expand/contract)",
        ),
        sa.Column(
            "history",
            sa.Text(),
            nullable=False,
            comment="Every revision from the first to this one, oldest first, space-separated",
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schema_compatibility"),
        sa.CheckConstraint("id = 1", name="ck_schema_compatibility_single_row"),
    )


def downgrade() -> None:
    op.drop_table("schema_compatibility")
