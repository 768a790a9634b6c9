"""Issued ratings are signed at rest: ``ratings.result_sha256`` and ``ratings.signature``.

A reproducibility audit lifted the append-only guard of 0009 as the database's owner and changed stored
ratings (a body's score; issue date, validity and external id in body and columns; the list's score and
grade columns only; a consistent forgery with its input hash recomputed): all were served as issued. From
this revision every new rating records the sha256 of its body and an HMAC of its columns and that hash
under a key derived from the service's secret (service.records.rating_signatures); a row that does not
match is refused wherever it is read. Ratings recorded before keep both columns null and are served as
before (``greenrate ratings verify`` calls them unsigned).

Two nullable columns, added without a default: a catalog change on PostgreSQL and SQLite alike (no table
copy, so the append-only triggers of 0009 stay). Downgrading drops them, and with them the signatures of
the ratings issued since: upgraded again, those ratings are unsigned.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Nullable columns the code before neither reads nor writes: the ratings it inserts (a rolling deploy's
#: old workers) have none, and this code serves them as it serves the ratings issued before signing.
compatible_with_previous_code: bool = True

SHA_COMMENT = "sha256 hex of result_json, covered by signature; null: issued before signing (0018)"
SIGNATURE_COMMENT = (
    "v1:<key id>:<HMAC-SHA256 of the signed columns and result_sha256>, under the service's secret; "
    "null: issued before signing (0018)"
)


def upgrade() -> None:
    op.add_column("ratings", sa.Column("result_sha256", sa.String(64), nullable=True, comment=SHA_COMMENT))
    op.add_column("ratings", sa.Column("signature", sa.String(96), nullable=True, comment=SIGNATURE_COMMENT))


def downgrade() -> None:
    op.drop_column("ratings", "signature")
    op.drop_column("ratings", "result_sha256")
