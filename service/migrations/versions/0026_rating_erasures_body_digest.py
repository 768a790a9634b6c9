"""An erasure keeps the erased rating's body digest: ``rating_erasures.result_sha256``.

A bank that lent on a rating must still show, years on, what the rating said; a court or a borrower may
have had it erased from the service since (data-protection review). Erasing deleted the record whole, and
the erasure kept its id, tenant and dates but nothing that ties a copy the bank kept to the rating as
issued: the bank's copy of the answer could no longer be told from an edited one. From this revision the
erasure records the sha256 of the body's bytes as the record held them (the ``ETag`` the rating was served
with), a digest of text that holds a random 128-bit id, so it says nothing of the borrower to anyone
without the body, and the ``410`` and ``greenrate ratings verify`` name it.

A nullable column, added without a default: a catalog change on PostgreSQL and SQLite alike (no table
copy, so the append-only triggers of 0020 stay). Erasures recorded before keep null: "not recorded".
Downgrading drops it, and with it the digests of the erasures recorded since (the ``rating_erased`` log
lines still carry them).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A nullable column the code before neither reads nor writes (it selects the columns it names): the
#: erasures its command records during a rolling deploy have none, as erasures recorded before this one.
compatible_with_previous_code: bool = True

DIGEST_COMMENT = (
    "sha256 (hex) of the erased rating's body as the record held it (its ETag); null: erased before 0026"
)


def upgrade() -> None:
    op.add_column(
        "rating_erasures", sa.Column("result_sha256", sa.String(64), nullable=True, comment=DIGEST_COMMENT)
    )


def downgrade() -> None:
    op.drop_column("rating_erasures", "result_sha256")
