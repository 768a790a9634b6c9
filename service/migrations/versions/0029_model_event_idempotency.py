"""Audit events record the ``Idempotency-Key`` of the request that wrote them (``/v1/models`` writes).

A bank integrator's and a model-risk review: ``POST /v1/models``, ``/activate`` and ``/rollback`` did not
read ``Idempotency-Key``, although ``POST /v1/ratings``, ``/v1/portfolios`` and ``/v1/keys`` do. They
recognised a retry by its content only while nothing had been promoted or rolled back since, so a rollback
whose answer was lost, retried after a colleague promoted the same version again, rolled it back a second
time. With a key, the event a request wrote is recorded with it (and the sha256 of the request) and a retry
with the key is answered with that event whenever it comes; the same key with another request is refused
(422). Migration 0030 makes a key unique per actor.

Two nullable columns, no default, no backfill: events written before (and by the CLI) have none. A plain
``ADD``/``DROP COLUMN``, not a batch table copy, which would drop the append-only triggers of migration
0009 on SQLite.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Nullable columns the code before neither reads nor writes: its events leave them null, read as "written
#: without an Idempotency-Key" (never the answer to a retry).
compatible_with_previous_code: bool = True

KEY_COMMENT = "The Idempotency-Key of the /v1/models request that wrote the event, if any (0029)"
REQUEST_COMMENT = "sha256 hex of that request (path and body), to refuse the key with another (0029)"


def upgrade() -> None:
    op.add_column("model_events", sa.Column("idempotency_key", sa.String(255), nullable=True,
                                            comment=KEY_COMMENT))
    op.add_column("model_events", sa.Column("request_sha256", sa.String(64), nullable=True,
                                            comment=REQUEST_COMMENT))


def downgrade() -> None:
    op.drop_column("model_events", "request_sha256")
    op.drop_column("model_events", "idempotency_key")
