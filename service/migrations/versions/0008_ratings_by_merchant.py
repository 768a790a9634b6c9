"""An index for listing a tenant's ratings by merchant (``GET /v1/ratings?merchant_id=`` and ``issued_by``).

Without it a page of one merchant's ratings scans the tenant's whole history, newest first, until it has
found a page's worth. Nothing else changes; downgrading drops the index and loses nothing.

On PostgreSQL the index is built ``CONCURRENTLY`` (service.records.online_index): a plain CREATE INDEX held
every new rating back for the whole build. Databases already past this revision are unaffected.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from service.records import online_index

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index only.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    online_index.create_index(
        "ix_ratings_tenant_merchant_id_seq", "ratings", ["tenant", "merchant_id", "seq"]
    )


def downgrade() -> None:
    online_index.drop_index("ix_ratings_tenant_merchant_id_seq", "ratings")
