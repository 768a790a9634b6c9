"""The ratings a bank's ``Idempotency-Key`` names: ``rating_requests``, one row per key of a tenant.

``POST /v1/ratings`` recognised a retry only by its input under the same versions: a retry that reached a
worker of the next release, or came after a promotion, was rated again (a bank integrator's review). From
this revision a request with an ``Idempotency-Key`` records the rating it was answered with under the key
(service.records.rating_requests), and a retry with it is answered that rating.

A new table the code before neither reads nor writes: its workers ignore the header, as before (a retry
they take is recognised by its input only). Downgrading drops the table: the keys sent until then are
forgotten, and ``greenrate db downgrade`` refuses that while it holds rows unless told ``--drop-records``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table the code before neither reads nor writes.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.create_table(
        "rating_requests",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column(
            "idempotency_key", sa.String(255), nullable=False, comment="The bank's Idempotency-Key, as sent"
        ),
        sa.Column(
            "body_sha256", sa.String(64), nullable=False, comment="sha256 hex of the first request's body"
        ),
        sa.Column("input_hash", sa.String(64), nullable=False, comment="The rating's ratings.input_hash"),
        sa.Column(
            "rating_id", sa.String(40), nullable=False, comment="The rating the first request was answered"
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "idempotency_key", name="pk_rating_requests"),
    )
    op.create_index("ix_rating_requests_rating_id", "rating_requests", ["rating_id"])


def downgrade() -> None:
    op.drop_table("rating_requests")
