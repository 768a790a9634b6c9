"""A key whose rating was erased stays recorded: ``rating_requests``' two hashes may be null.

An erasure deleted the ``rating_requests`` rows naming its rating (they hold its input's hash, which an
erasure keeps nowhere), so the key named nothing any more and a retry with it was rated like a new
request: a second rating of one loan's request under one key, answered ``Idempotent-Replayed: false``,
and the same key with another body, refused before the erasure, was rated too (a bank integrator's
review). From this revision the erasure keeps the row and clears its ``body_sha256`` and ``input_hash``
(null: the rating it names was erased), and a request with the key is answered 410, as a read of the
rating is. What is kept is the bank's own id for the request, the rating's id and when it was requested,
which ``rating_erasures`` keeps of the rating too.

Dropping NOT NULL is a catalog change on PostgreSQL and a table copy on SQLite (the table has no
triggers). The code before reads a row without hashes as a key used for another request (422, nothing
rated) and its erasures delete rows, as before. Downgrading deletes the rows of erased ratings (what the
erasures of the code before did), then makes the columns NOT NULL again.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The code before never writes a null, and reads one as another request's key (422, nothing rated).
compatible_with_previous_code: bool = True

BODY_COMMENT = "sha256 hex of the first request's body; null: its rating was erased (0027)"
INPUT_COMMENT = "The rating's ratings.input_hash; null: the rating was erased (0027)"


def upgrade() -> None:
    with op.batch_alter_table("rating_requests") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.alter_column("body_sha256", existing_type=sa.String(64), nullable=True, comment=BODY_COMMENT,
                           existing_comment="sha256 hex of the first request's body")
        batch.alter_column("input_hash", existing_type=sa.String(64), nullable=True, comment=INPUT_COMMENT,
                           existing_comment="The rating's ratings.input_hash")


def downgrade() -> None:
    op.execute("DELETE FROM rating_requests WHERE body_sha256 IS NULL OR input_hash IS NULL")
    with op.batch_alter_table("rating_requests") as batch:
        batch.alter_column("body_sha256", existing_type=sa.String(64), nullable=False,
                           comment="sha256 hex of the first request's body", existing_comment=BODY_COMMENT)
        batch.alter_column("input_hash", existing_type=sa.String(64), nullable=False,
                           comment="The rating's ratings.input_hash", existing_comment=INPUT_COMMENT)
