"""Indexes for listing ratings by issuer (``issued_by=bank|merchant``) and for the drift monitor's reads.

``GET /v1/ratings?issued_by=merchant`` (``merchant_id IS NOT NULL``) and ``issued_by=bank`` (``IS NULL``)
walked ``ix_ratings_tenant_seq`` newest first and dropped row by row what the filter refused: for a tenant
with no merchant ratings the whole of its history for an empty page (80,000 rows removed by the filter, 85
ms; about a second a million rows, and a bank key can ask again and again; DBA review). A partial index of
``(tenant, seq)`` for each side reads only the rows the page can hold. ``greenrate model drift`` reads the
ratings of one model version issued since a date: ``(model_version, issued_at)`` finds them without
scanning the table.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index): new ratings are written meanwhile.
Downgrading drops the three indexes and loses nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa

from service.records import online_index

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Indexes only.
compatible_with_previous_code: bool = True

_BY_MERCHANT = sa.text("merchant_id IS NOT NULL")
_BY_BANK = sa.text("merchant_id IS NULL")


def upgrade() -> None:
    online_index.create_index(
        "ix_ratings_tenant_seq_by_merchant", "ratings", ["tenant", "seq"],
        postgresql_where=_BY_MERCHANT, sqlite_where=_BY_MERCHANT,
    )
    online_index.create_index(
        "ix_ratings_tenant_seq_by_bank", "ratings", ["tenant", "seq"],
        postgresql_where=_BY_BANK, sqlite_where=_BY_BANK,
    )
    online_index.create_index("ix_ratings_model_version_issued_at", "ratings", ["model_version", "issued_at"])


def downgrade() -> None:
    online_index.drop_index("ix_ratings_model_version_issued_at", "ratings")
    online_index.drop_index("ix_ratings_tenant_seq_by_bank", "ratings")
    online_index.drop_index("ix_ratings_tenant_seq_by_merchant", "ratings")
