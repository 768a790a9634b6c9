"""API keys record the Idempotency-Key of the request that created them through ``/v1/keys``.

A bank integrator found key creation unsafe to retry: a client whose connection dropped after the service
had created a key could not tell whether it existed, and a retry made a second live key. ``POST /v1/keys``
now accepts an ``Idempotency-Key`` (as portfolio uploads do) and records it with the key it created, so
that a retry by the same admin key is answered with that key (without its secret, which is kept nowhere)
instead of creating another. Migration 0017 makes it unique per admin key.

One nullable column, no default, no backfill: keys created before (and by the operator's command) have
none. Downgrading drops it (and with it the answer to a retry of a creation made before the downgrade).
A plain ``ADD``/``DROP COLUMN`` (SQLite 3.35+), not a batch table copy: copying ``api_keys`` means dropping
it, which the ratings' and portfolio jobs' foreign keys to it refuse (see 0007).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A nullable column the code before neither reads nor writes: its inserts leave it null, which the new
#: code reads as "created without an Idempotency-Key" (never the answer to a retry). A retry that the code
#: before serves during the rollout creates a second key, as that code always did.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    op.add_column(
        "api_keys",
        sa.Column(
            "idempotency_key",
            sa.String(255),
            nullable=True,
            comment="The Idempotency-Key of the /v1/keys request that created it, if any (0016)",
        ),
    )


def downgrade() -> None:
    op.drop_column("api_keys", "idempotency_key")
