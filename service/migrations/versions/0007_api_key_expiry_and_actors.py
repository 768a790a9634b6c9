"""API keys may expire, and record which admin key created and revoked them.

A bank rotates its credentials on a schedule: a key issued for an integration test, a contractor or a
quarter should stop working on its own, not when somebody remembers to revoke it. ``expires_at`` (null:
never) is checked on every lookup. ``created_by`` and ``revoked_by`` name the admin key that acted through
``/v1/keys`` (null: the operator's ``greenrate keys`` command, or a key created before this migration), so
that who did what to a tenant's keys is in the records, not only in the logs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Not compatible, though the columns are nullable: the code of 0006 ignores
#: ``expires_at``, so a key the new release issued with an expiry would keep working on it after that expiry
#: (the reason the downgrade revokes such keys).
compatible_with_previous_code: bool = False


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.add_column(
            sa.Column(
                "expires_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="The key stops working at this moment; null: never",
            )
        )
        batch.add_column(
            sa.Column(
                "created_by",
                sa.Integer(),
                nullable=True,
                comment="Id of the admin key that created it through /v1/keys; null: the operator's CLI",
            )
        )
        batch.add_column(
            sa.Column(
                "revoked_by",
                sa.Integer(),
                nullable=True,
                comment="Id of the admin key that revoked it through /v1/keys; null: the CLI, or active",
            )
        )


def downgrade() -> None:
    # Without expires_at the older code would accept every expired key again, and keep the others forever:
    # revoke every key that has an expiry, as of that expiry when it has passed, else now (a key meant to
    # stop on its own must not become permanent; `greenrate db downgrade` says how many it revoked).
    api_keys = sa.table(
        "api_keys",
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    passed = api_keys.c.expires_at <= now
    op.execute(
        api_keys.update()
        .where(api_keys.c.revoked_at.is_(None), api_keys.c.expires_at.is_not(None))
        .values(
            revoked_at=sa.case(
                (passed, api_keys.c.expires_at), else_=sa.literal(now, sa.DateTime(timezone=True))
            )
        )
    )
    # Plain DROP COLUMN (SQLite 3.35+), not a batch table copy: copying api_keys means dropping it, which
    # the ratings' and portfolio jobs' foreign keys to it refuse.
    for column in ("revoked_by", "created_by", "expires_at"):
        op.drop_column("api_keys", column)
