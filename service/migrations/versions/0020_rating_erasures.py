"""Erasures are recorded: ``rating_erasures``, one row per rating ``greenrate ratings erase`` deleted.

A security review saved a rating's signed Redis entry, had the rating erased, and wrote the entry back: it
verified (the service signed it) and was handed out as a hit, the erased id and body, until the rating's
validity ended. Nothing in Redis can prove an erasure (a marker there is deleted as easily), and reading the
records on every hit would defeat the cache. From this revision the erasure command records the erasure in
the transaction that deletes the rating, and each web worker reads the erased ids when they change (polled
with the active model, service.model_watch): a cached entry of an erased rating is a miss.

The row keeps what the ``rating_erased`` log line keeps: id, tenant, bank or merchant (not the merchant
id), issue and erasure moments, the OS account, and the reason's digest and length (never its text). The
table is append-only, as the ratings are (0009's guard, function and messages): a deleted row would let
the replayed entry be served again.

Downgrading drops the table and its triggers; ``greenrate db downgrade`` refuses that while it holds rows
unless told ``--drop-records`` (the ``rating_erased`` log lines still name the erasures).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table the code before neither reads nor writes: its workers go on serving cached entries of erased
#: ratings as before (the replay this closes stays open in them), and its erasure command records none.
compatible_with_previous_code: bool = True

_WHY = "an erasure stays recorded: the service refuses cached copies of the ratings named here"


def upgrade() -> None:
    op.create_table(
        "rating_erasures",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False,
            comment="Order of erasure; with the row count, the change the workers poll for",
        ),
        sa.Column(
            "rating_id", sa.String(40), nullable=False, comment="The erased rating's id (its row is gone)"
        ),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column(
            "issued_by", sa.String(16), nullable=False, comment="bank | merchant (never the merchant id)"
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "reason_sha256", sa.String(16), nullable=False,
            comment="First 16 hex digits of the sha256 of the reason (stripped); never its text",
        ),
        sa.Column(
            "reason_length", sa.Integer(), nullable=False, comment="Characters of the reason (stripped)"
        ),
        sa.Column(
            "actor", sa.String(120), nullable=False, comment="The OS account that ran greenrate ratings erase"
        ),
        sa.CheckConstraint("issued_by IN ('bank', 'merchant')", name="ck_rating_erasures_issued_by"),
        sa.PrimaryKeyConstraint("seq", name="pk_rating_erasures"),
    )
    if op.get_context().dialect.name == "postgresql":  # the function of migration 0009
        op.execute("CREATE TRIGGER rating_erasures_append_only BEFORE UPDATE OR DELETE ON rating_erasures "
                   f"FOR EACH ROW EXECUTE FUNCTION greenrate_append_only('{_WHY}')")
        op.execute("CREATE TRIGGER rating_erasures_no_truncate BEFORE TRUNCATE ON rating_erasures "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION greenrate_append_only('{_WHY}')")
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER rating_erasures_append_only_{operation.lower()} BEFORE {operation} ON "
            f"rating_erasures BEGIN SELECT RAISE(ABORT, 'greenrate: rating_erasures is append-only "
            f"({operation} refused): {_WHY}'); END"
        )


def downgrade() -> None:
    op.drop_table("rating_erasures")  # its triggers go with it
