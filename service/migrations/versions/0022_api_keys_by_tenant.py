"""An index of each tenant's keys: ``ix_api_keys_tenant_id`` on ``api_keys (tenant, id)``.

Every key-management request read every key of every tenant: ``GET /v1/keys`` (a tenant's keys, newest
first), and ``POST /v1/keys``'s lock of the tenant's admin keys and count of its active ones. ``api_keys`` had
indexes of the prefix, the hash and the id only, and keeps every key ever issued (revoked and expired ones
stay, for the ratings that name them). A DBA review on 20,000 keys (a bank issuing its borrowers merchant
keys from the CLI): the list of a tenant holding one key removed 20,007 rows by filter, the creation's lock
and count read the table twice (5 and 6 ms). The index reads the tenant's keys only, newest first.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: every
request's key lookup reads ``api_keys`` meanwhile. Downgrading drops the index and loses nothing.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from service.records import online_index

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index only.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    online_index.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant", "id"])


def downgrade() -> None:
    online_index.drop_index("ix_api_keys_tenant_id", "api_keys")
