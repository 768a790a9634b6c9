"""The registry records who trained each model version (``models.trained_by``), not only who registered it.

A model-risk review: four eyes compared the promoter with whoever *registered* a version, and an artifact
names no trainer (its bytes depend only on its data, seed, standard and environment, so that it can be
rebuilt byte for byte), so an analyst who trained a challenger and had a colleague register it could approve
it themselves. Independent validation (SR 11-7, PRA SS1/23) keeps a model's developer from approving it:
registration now records the trainer its registrant declares (the registrant, unless they name another
analyst key or account), and a promotion under four eyes refuses the trainer as it refuses the registrant.

One nullable column, no default, no backfill: a version registered before has no recorded trainer, which
the code reads as "not recorded" (four eyes is then checked against its registrant only, and the
promotion's audit event says so). A plain ``ADD``/``DROP COLUMN``, not a batch table copy, which would drop
the append-only triggers of migration 0009 on SQLite.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A nullable column the code before neither reads nor writes: its registrations leave it null, which the
#: new code reads as a version registered before trainers were recorded.
compatible_with_previous_code: bool = True

COMMENT = "Who trained it, as its registrant declared (0028); null: registered before trainers were recorded"


def upgrade() -> None:
    op.add_column("models", sa.Column("trained_by", sa.String(120), nullable=True, comment=COMMENT))


def downgrade() -> None:
    op.drop_column("models", "trained_by")
