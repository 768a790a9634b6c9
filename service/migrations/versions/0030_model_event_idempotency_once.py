"""One audit event per actor and Idempotency-Key.

A unique partial index on ``model_events (actor, idempotency_key)`` where a key was sent (the column of
migration 0029): two retries of one promotion sent at the same moment to two web workers both found no
event to answer with; the database now records one of them, and the other is answered with that event.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: every worker
polls the registry meanwhile. Only rows written by code of 0029 and later have the column set, so the build
finds nothing to refuse. Downgrading drops the index and loses nothing.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from service.records import online_index

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index over a column the code before leaves null: none of its inserts can conflict.
compatible_with_previous_code: bool = True

_KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    online_index.create_index(
        "ix_model_events_actor_idempotency_key", "model_events", ["actor", "idempotency_key"],
        unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED,
    )


def downgrade() -> None:
    online_index.drop_index("ix_model_events_actor_idempotency_key", "model_events")
