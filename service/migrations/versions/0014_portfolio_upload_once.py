"""One unfinished job per tenant and upload request, one job per tenant and Idempotency-Key.

Two unique partial indexes on ``portfolio_jobs`` (the columns of migration 0013): ``(tenant,
request_sha256)`` among the jobs queued or running, and ``(tenant, idempotency_key)`` where a key was
sent. Two identical uploads sent at the same moment to two web workers both found no job to hand back;
the database now records one of them, and the other is answered with that job.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: uploads
go on meanwhile. Only rows written by code of 0013 and later have these columns set, so the build finds
nothing to refuse. Downgrading drops the two indexes and loses nothing.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa

from service.records import online_index

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Indexes over columns the code before leaves null: none of its inserts can conflict.
compatible_with_previous_code: bool = True

_UNFINISHED_REQUEST = sa.text("status IN ('queued', 'running') AND request_sha256 IS NOT NULL")
_KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    online_index.create_index(
        "ix_portfolio_jobs_tenant_request_sha256_unfinished", "portfolio_jobs", ["tenant", "request_sha256"],
        unique=True, postgresql_where=_UNFINISHED_REQUEST, sqlite_where=_UNFINISHED_REQUEST,
    )
    online_index.create_index(
        "ix_portfolio_jobs_tenant_idempotency_key", "portfolio_jobs", ["tenant", "idempotency_key"],
        unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED,
    )


def downgrade() -> None:
    online_index.drop_index("ix_portfolio_jobs_tenant_idempotency_key", "portfolio_jobs")
    online_index.drop_index("ix_portfolio_jobs_tenant_request_sha256_unfinished", "portfolio_jobs")
