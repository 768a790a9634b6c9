"""Issued ratings record the build that issued them: ``ratings.code_revision``, signed in ``signature_v2``.

A reproducibility audit found that a rating names the model, standard, factor set, schema and engine
versions it was computed under, but not the build of the service that computed it. From this revision
every new rating records it (service.revision: ``GREENRATE_REVISION``, else the package version and git
commit of a checkout, else ``unknown``). Ratings recorded before keep null: "not recorded".

The revision is covered by a signature of its own layout, ``v2`` (the columns ``v1`` signs, the revision and
the body's hash), kept in a column of its own: ``signature`` goes on holding the ``v1`` signature of the
same row, which the code of 0018 checks on every read and refuses in any other layout. Replaced in that
column, every rating this release issues would be refused (500) by the previous release's workers during a
rolling deploy, and by the previous release after a rollback.

Two nullable columns, added without a default: a catalog change on PostgreSQL and SQLite alike (no table
copy, so the append-only triggers of 0009 stay). Downgrading drops them, and with them the revisions of the
ratings issued since; their ``v1`` signatures stay, and verify as before.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Nullable columns the code before neither reads nor writes; the ratings it inserts (a rolling deploy's
#: old workers) have neither and are served as ratings issued before 0019, and the ratings this code
#: inserts carry the ``v1`` signature the code before checks.
compatible_with_previous_code: bool = True

REVISION_COMMENT = (
    "The build of the service that issued it (GREENRATE_REVISION, else version+git commit, else 'unknown'); "
    "null: issued before 0019"
)
SIGNATURE_COMMENT = (
    "v2:<key id>:<HMAC-SHA256 of signature's columns, code_revision and result_sha256>; signature keeps v1 "
    "for the releases before 0019; null: issued before 0019"
)


def upgrade() -> None:
    op.add_column(
        "ratings", sa.Column("code_revision", sa.String(100), nullable=True, comment=REVISION_COMMENT)
    )
    op.add_column(
        "ratings", sa.Column("signature_v2", sa.String(96), nullable=True, comment=SIGNATURE_COMMENT)
    )


def downgrade() -> None:
    op.drop_column("ratings", "signature_v2")
    op.drop_column("ratings", "code_revision")
