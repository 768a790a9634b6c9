"""Initial schema: API keys (hashed) and issued ratings.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The first schema: there is no earlier code to serve it.
compatible_with_previous_code: bool = False


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "prefix", sa.String(16), nullable=False, comment="Non-secret start of the key, for listing"
        ),
        sa.Column("key_hash", sa.String(64), nullable=False, comment="sha256 hex of the whole key"),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_table(
        "ratings",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
            comment="Insertion order; page cursors",
        ),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("external_id", sa.String(120), nullable=True),
        sa.Column("input_hash", sa.String(64), nullable=False, comment="sha256 of input_json"),
        sa.Column("input_json", sa.Text(), nullable=False, comment="OperatingData.canonical_json()"),
        sa.Column(
            "result_json", sa.Text(), nullable=False, comment="The exact response body, served back as is"
        ),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.Column("standard_version", sa.String(80), nullable=False),
        sa.Column("factor_set_version", sa.String(80), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("requester_key_id", sa.Integer(), nullable=True),
        sa.Column("requester_prefix", sa.String(16), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_key_id"], ["api_keys.id"], name="fk_ratings_requester_key_id_api_keys"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_ratings"),
        sa.UniqueConstraint("id", name="uq_ratings_id"),
    )
    op.create_index("ix_ratings_tenant_seq", "ratings", ["tenant", "seq"])
    op.create_index("ix_ratings_tenant_external_id_seq", "ratings", ["tenant", "external_id", "seq"])
    op.create_index("ix_ratings_tenant_input_hash", "ratings", ["tenant", "input_hash"])


def downgrade() -> None:
    op.drop_index("ix_ratings_tenant_input_hash", table_name="ratings")
    op.drop_index("ix_ratings_tenant_external_id_seq", table_name="ratings")
    op.drop_index("ix_ratings_tenant_seq", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_api_keys_prefix", table_name="api_keys")
    op.drop_table("api_keys")
