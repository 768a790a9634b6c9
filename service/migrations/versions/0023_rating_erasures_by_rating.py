"""An index of the erasures by rating: ``ix_rating_erasures_rating_id_seq`` (``rating_id``, ``seq``).

Every ``GET /v1/ratings/{id}`` a bank key sends for an id its tenant does not hold (a mistyped id, another
tenant's, an erased one) looks for the rating's latest erasure, to answer 410 rather than 404; so does every
``greenrate ratings erase`` of an id already erased. The table had its ``seq`` indexed only: the lookup read
every erasure ever recorded (3,000 on a DBA review's database, 0.19 ms; a row per court order, never
deleted), for each such request, from any bank key. The index finds the id's erasures and the latest first.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: the web
workers poll the table meanwhile. Downgrading drops the index and loses nothing.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from service.records import online_index

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index only.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    online_index.create_index("ix_rating_erasures_rating_id_seq", "rating_erasures", ["rating_id", "seq"])


def downgrade() -> None:
    online_index.drop_index("ix_rating_erasures_rating_id_seq", "rating_erasures")
