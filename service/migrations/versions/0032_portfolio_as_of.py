"""Portfolio reporting date: ``portfolio_jobs.as_of`` and ``as_of_given``.

PCAF reports financed emissions as of a reporting date (the outstanding amounts then, each borrower's
emissions and balance sheet of its latest year ended by then), and a portfolio job had none: its summary
said neither the date its figures are as of nor whether the book's years fit it (a PCAF analyst's
review). From this revision an upload may name it (``as_of``, a date); without one it is the UTC date of
the upload, recorded with ``as_of_given`` false. Rows of the jobs uploaded before stay null: their
figures were never stated as of a date, and none is invented for them.

Two nullable columns: the code before inserts rows without them and never reads them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Nullable columns the code before leaves unset and never reads.
compatible_with_previous_code: bool = True

AS_OF_COMMENT = "The reporting date the job's figures are as of; null: uploaded before migration 0032"
GIVEN_COMMENT = "Whether the upload named as_of (false: the UTC date of the upload); null before 0032"


def upgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:  # SQLite: table copy; PostgreSQL: ALTER TABLE
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True, comment=AS_OF_COMMENT))
        batch.add_column(sa.Column("as_of_given", sa.Boolean(), nullable=True, comment=GIVEN_COMMENT))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_jobs") as batch:
        batch.drop_column("as_of_given")
        batch.drop_column("as_of")
