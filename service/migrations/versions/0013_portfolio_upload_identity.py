"""Portfolio uploads are recorded once: the sha256 of an upload, of its request, and its Idempotency-Key.

A bank that retried ``POST /v1/portfolios`` after a client timeout got a second job for the same book, and
a third attempt was refused with 429: its own duplicates held the tenant's share of the workers (a bank
integrator's review). The job now records what identifies its upload: ``upload_sha256`` (the bytes),
``request_sha256`` (the bytes and the options: the file's type by name and ``previous``) and the
``Idempotency-Key`` the client sent, if any. Migration 0014 makes them unique where they must be.

Three nullable columns, no default, no backfill: jobs uploaded before keep nulls and are never taken for
the same upload as a new one. Downgrading drops the columns (and with them the ability to recognise a
retry of an upload made before the downgrade).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Nullable columns the code before neither reads nor writes: its inserts leave them null, which the new
#: code reads as "an upload of unknown identity" (never the same as another).
compatible_with_previous_code: bool = True


def upgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.add_column(
            sa.Column(
                "upload_sha256",
                sa.String(64),
                nullable=True,
                comment="sha256 (hex) of the uploaded bytes; null: uploaded before migration 0013",
            )
        )
        batch.add_column(
            sa.Column(
                "request_sha256",
                sa.String(64),
                nullable=True,
                comment="sha256 of the upload's bytes and options: what makes two uploads the same (0013)",
            )
        )
        batch.add_column(
            sa.Column(
                "idempotency_key",
                sa.String(255),
                nullable=True,
                comment="The Idempotency-Key header of the upload that created the job, if any (0013)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:
        batch.drop_column("idempotency_key")
        batch.drop_column("request_sha256")
        batch.drop_column("upload_sha256")
