"""A partial index of the unsigned ratings: ``ix_ratings_unsigned`` (``seq`` where ``signature IS NULL``).

``greenrate db upgrade`` says on every run how many ratings carry no signature, and counted them by
reading the whole table, on every run: the image runs it as each container starts. An ``EXISTS`` probe
first would not have helped: it stops at the first unsigned rating, but when there is none, the state a
database reaches once the unsigned ratings are erased (and the one of every database created after 0018),
it reads the whole table to say so, on every run. An index holding only the unsigned ratings answers both
at the cost of its own size: the count reads its entries and nothing else, nothing at all when none is
left. New ratings are signed as they are recorded, so they never enter it: the service writes it only when
an unsigned row is inserted (the release before signing, during a rolling deploy, or someone else).

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index): ratings are written meanwhile, and
the build reads the table once. Partial indexes are SQLite's too (3.8.0). Downgrading drops the index and
loses nothing: the count reads the table again.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa

from service.records import online_index

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index only.
compatible_with_previous_code: bool = True

_UNSIGNED = sa.text("signature IS NULL")


def upgrade() -> None:
    online_index.create_index(
        "ix_ratings_unsigned", "ratings", ["seq"], postgresql_where=_UNSIGNED, sqlite_where=_UNSIGNED
    )


def downgrade() -> None:
    online_index.drop_index("ix_ratings_unsigned", "ratings")
