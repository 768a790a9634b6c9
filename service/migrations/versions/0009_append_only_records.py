"""Issued ratings, registered model artifacts and the model audit trail become append-only in the database.

A rating a bank lent on must read back exactly as issued, an artifact is named by its own hash, and the audit
trail says who promoted which model and why. Until now only the code kept these rows unchanged: a stray
``UPDATE`` from a console, a script run against the wrong database or a future bug could rewrite a rating
or an audit event and nothing would refuse it. From this revision the database refuses every ``UPDATE`` and
``DELETE`` on ``ratings``, ``models`` and ``model_events`` (and, on PostgreSQL, ``TRUNCATE``), with a message
naming the table. ``active_model``, ``api_keys``, merchant profiles and portfolio jobs change by design and
are not guarded.

Lifting the guard is a deliberate act of the database's owner (PostgreSQL: ``ALTER TABLE ... DISABLE
TRIGGER``; SQLite: ``DROP TRIGGER``), described in docs/operations.md ("Records that never change").

SQLite rebuilds a table when a later migration alters it in batch mode, which drops its triggers: a test
holds every guard present at the head revision, so such a migration has to re-create them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The triggers refuse UPDATE and DELETE on ratings, models and model_events,
#: which the code of 0008 never issues (it only inserts them; read at a8719a0^).
compatible_with_previous_code: bool = True

#: The guarded tables and what each keeps, for the refusal's message.
GUARDED = {
    "ratings": "a rating is kept exactly as issued",
    "models": "an artifact is immutable: a changed model is a new version",
    "model_events": "the audit trail is only ever appended to",
}

_PG_FUNCTION = """
CREATE FUNCTION greenrate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'greenrate: % is append-only (% refused): %', TG_TABLE_NAME, TG_OP, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'see docs/operations.md, "Records that never change"';
END
$$
"""


def _message(table: str, operation: str) -> str:
    return f"greenrate: {table} is append-only ({operation} refused): {GUARDED[table]}"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table, why in GUARDED.items():
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION greenrate_append_only('{why}')"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION greenrate_append_only('{why}')"
            )
        return
    for table in GUARDED:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{_message(table, operation)}'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS greenrate_append_only()")
        return
    for table in GUARDED:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{operation}")
