"""Recorded comparisons: the evidence a promotion rests on, kept in the registry.

A promotion named the champion it replaces and a reason, but nothing tied it to a comparison anyone ran: a
50-row model was promoted with a reason of three letters (a model-risk review's reproduction). ``greenrate
model compare CHAMPION CHALLENGER --data FILE --record`` now stores what it measured (the data file's name,
sha256 and rows, the metric deltas with their confidence intervals, PSI and grade migration), and with
``GREENRATE_MODEL_REQUIRE_COMPARISON`` (on by default) a promotion needs such a record of the challenger
against the champion it replaces; its audit event names the record. Records are append-only, as the audit
trail is (migration 0009).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A new table earlier code does not read; the promotion rule that needs its records
#: is the new code's (an earlier release promotes as it always did).
compatible_with_previous_code: bool = True

_WHY = "a recorded comparison is evidence: it is kept as measured"


def upgrade() -> None:
    op.create_table(
        "model_comparisons",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("challenger", sa.String(80), sa.ForeignKey("models.version"), nullable=False),
        sa.Column("champion", sa.String(80), sa.ForeignKey("models.version"), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False,
                  comment="The labelled file: name, sha256, rows read, left out"),
        sa.Column("summary_json", sa.Text(), nullable=False,
                  comment="Metric deltas with CIs, PSI, grade migration"),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_model_comparisons_challenger_champion", "model_comparisons",
                    ["challenger", "champion"])
    if op.get_context().dialect.name == "postgresql":  # the function of migration 0009
        op.execute("CREATE TRIGGER model_comparisons_append_only BEFORE UPDATE OR DELETE ON "
                   f"model_comparisons FOR EACH ROW EXECUTE FUNCTION greenrate_append_only('{_WHY}')")
        op.execute("CREATE TRIGGER model_comparisons_no_truncate BEFORE TRUNCATE ON model_comparisons "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION greenrate_append_only('{_WHY}')")
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER model_comparisons_append_only_{operation.lower()} BEFORE {operation} ON "
            f"model_comparisons BEGIN SELECT RAISE(ABORT, 'greenrate: model_comparisons is append-only "
            f"({operation} refused): {_WHY}'); END"
        )


def downgrade() -> None:
    """Refused while a comparison is recorded: promotions' audit events name the records by number, and a
    dropped table would lose the evidence and hand the numbers out again."""
    kept = op.get_bind().exec_driver_sql("SELECT count(*) FROM model_comparisons").scalar()
    if kept:
        raise RuntimeError(
            f"model_comparisons holds {kept} recorded comparison(s) that promotions' audit events name; "
            "downgrading below 0010 would lose that evidence. Export them first; removing them is the "
            "database owner's deliberate act (docs/operations.md, 'Records that never change')."
        )
    op.drop_table("model_comparisons")  # its triggers go with it
