"""One key per admin key and Idempotency-Key.

A unique partial index on ``api_keys (created_by, idempotency_key)`` where a key was sent (the column of
migration 0016): two retries of one creation sent at the same moment to two web workers both found no key
to answer with; the database now records one of them, and the other is answered with that key.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: every
request's key lookup reads ``api_keys`` meanwhile. Only rows written by code of 0016 and later have the
column set, so the build finds nothing to refuse. Downgrading drops the index and loses nothing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa

from service.records import online_index

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index over a column the code before leaves null: none of its inserts can conflict.
compatible_with_previous_code: bool = True

_KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    online_index.create_index(
        "ix_api_keys_created_by_idempotency_key", "api_keys", ["created_by", "idempotency_key"],
        unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED,
    )


def downgrade() -> None:
    online_index.drop_index("ix_api_keys_created_by_idempotency_key", "api_keys")
