"""Model registry: scorecard artifacts, their metrics and cards, the active version and the audit trail.

Revision ID: 0002
Revises: 0001_initial
Create Date: 2026-11-25

One active version at a time is guaranteed by the schema, not by code: ``active_model`` has a single row
whose primary key is fixed to 1 (a CHECK constraint), and its ``version`` references ``models``. Promotion
is an UPDATE of that row plus an INSERT into ``model_events``, in one transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: New tables only (the registry): code of 0001 neither reads nor writes them.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, comment="The artifact's own content hash"),
        sa.Column("artifact_json", sa.Text(), nullable=False, comment="Canonical artifact JSON, verified"),
        sa.Column("metrics_json", sa.Text(), nullable=False, comment="Holdout metrics (JSON object)"),
        sa.Column("card_json", sa.Text(), nullable=False, comment="Model card (JSON object)"),
        sa.Column("standard", sa.String(80), nullable=False, comment="Standard label it was trained for"),
        sa.Column("source", sa.String(16), nullable=False, comment="packaged | cli | upload"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_models"),
        sa.UniqueConstraint("sha256", name="uq_models_sha256"),
    )
    op.create_table(
        "active_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_active_model"),
        sa.CheckConstraint("id = 1", name="ck_active_model_single_row"),
        sa.ForeignKeyConstraint(["version"], ["models.version"], name="fk_active_model_version_models"),
    )
    op.create_table(
        "model_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("action", sa.String(16), nullable=False, comment="register | upload | promote | rollback"),
        sa.Column("previous_version", sa.String(80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_events"),
        sa.ForeignKeyConstraint(["version"], ["models.version"], name="fk_model_events_version_models"),
        sa.CheckConstraint(
            "action IN ('register', 'upload', 'promote', 'rollback')", name="ck_model_events_action"
        ),
    )
    op.create_index("ix_model_events_at", "model_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_model_events_at", table_name="model_events")
    op.drop_table("model_events")
    op.drop_table("active_model")
    op.drop_table("models")
