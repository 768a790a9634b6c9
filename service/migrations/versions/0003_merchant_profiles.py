"""Merchant profiles: the operating data a merchant (or its bank) keeps for one-click ratings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table only: earlier code neither reads nor writes it.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.create_table(
        "merchant_profiles",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column(
            "profile_json", sa.Text(), nullable=False, comment="The operating data, validated, as JSON"
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_by_prefix", sa.String(16), nullable=True, comment="Prefix of the key that stored it"
        ),
        sa.PrimaryKeyConstraint("tenant", "merchant_id", name="pk_merchant_profiles"),
    )


def downgrade() -> None:
    op.drop_table("merchant_profiles")
