"""The plans PostgreSQL chooses for the key-management queries of one tenant (migration 0022).

A DBA review on 20,000 keys (a bank issuing its borrowers merchant keys from the CLI, revoked keys kept for
the ratings that name them): ``GET /v1/keys`` of a tenant holding one key removed 20,007 rows by filter, and
``POST /v1/keys`` read the whole table twice, to lock the tenant's admin keys and to count its active keys.
The plans here are read with EXPLAIN ANALYZE on 20,000 keys of 400 tenants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from schemas.keys import ISSUABLE_ROLES
from service.records import api_keys
from tests.service.filled_ratings import Plan, explain, filled_database, plan_nodes, statements_of

pytestmark = pytest.mark.integration

#: 50 keys a tenant: the first of each its admin key (id n, tenant bank-<n mod 400>), the rest bank and
#: merchant keys, a third of them revoked
_FILL = """
INSERT INTO api_keys (prefix, key_hash, tenant, role, merchant_id, label, created_at, revoked_at)
SELECT 'gr_' || n, md5(n::text) || md5(n::text), 'bank-' || mod(n, 400),
    CASE WHEN n <= 400 THEN 'admin' WHEN mod(n, 3) = 0 THEN 'merchant' ELSE 'bank' END,
    CASE WHEN n > 400 AND mod(n, 3) = 0 THEN 'm-' || n END, 'key ' || n,
    timestamptz '2026-01-01' + n * interval '1 minute',
    CASE WHEN n > 400 AND mod(n, 3) = 1 THEN timestamptz '2026-12-01' END
FROM generate_series(1, 20000) AS n
"""
#: the keys each tenant holds
_PER_TENANT = 50


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL, "api_keys")


def _plans(
    db: Engine, run: Callable[[], object], forget: str | None = None
) -> list[tuple[str, Plan]]:
    """EXPLAIN ANALYZE of each statement ``run()`` issues on ``api_keys``; ``forget``: the hash of the key
    ``run()`` created, deleted first, so that its INSERT is explained as it ran."""
    seen = statements_of(db, run)
    if forget is not None:
        with db.begin() as conn:
            conn.exec_driver_sql("DELETE FROM api_keys WHERE key_hash = %s", (forget,))
    return [(statement, explain(db, statement, parameters))
            for statement, parameters, _ in seen if "api_keys" in statement]



def _most_rows_read(plan: dict[str, Any]) -> int:
    """The most rows one scan of the plan read: those it returned and those its filter removed."""
    return max(int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
               for node in plan_nodes(plan) if "Scan" in node["Node Type"])


def test_a_page_of_a_tenants_keys_reads_only_its_keys(db: Engine) -> None:
    def page() -> object:
        return api_keys.list_keys(db, tenant="bank-7", include_revoked=True, newest_first=True,
                                  roles=ISSUABLE_ROLES, limit=21)

    assert len(api_keys.list_keys(db, tenant="bank-7", include_revoked=True, roles=ISSUABLE_ROLES)) == 50
    (statement, plan), = _plans(db, page)
    assert {node.get("Index Name") for node in plan_nodes(plan)} >= {"ix_api_keys_tenant_id"}, plan
    assert _most_rows_read(plan) <= 21, plan
    # the active ones only: the revoked are passed over, the other tenants' never read
    (statement, plan), = _plans(db, lambda: api_keys.list_keys(
        db, tenant="bank-7", newest_first=True, roles=ISSUABLE_ROLES, limit=21))
    assert _most_rows_read(plan) <= _PER_TENANT, plan


def test_creating_a_key_locks_and_counts_the_tenants_keys_only(db: Engine) -> None:
    """The admin keys locked and the active keys counted are the tenant's: no statement of the creation
    reads another tenant's keys."""
    def create(key_hash: str) -> tuple[api_keys.Outcome, api_keys.KeyRecord | None]:
        return api_keys.insert_tenant_key(
            db, actor_id=7, max_active=500, counted_roles=ISSUABLE_ROLES, prefix="gr_new", key_hash=key_hash,
            tenant="bank-7", role="bank", merchant_id=None, label="new", expires_at=None,
        )

    outcome, record = create("f" * 64)
    assert outcome is api_keys.Outcome.DONE and record is not None and record.tenant == "bank-7"
    plans = _plans(db, lambda: create("e" * 64), forget="e" * 64)
    assert len(plans) == 2  # the lock of the admin keys, the conditional insert
    for statement, plan in plans:
        assert "Seq Scan" not in {node["Node Type"] for node in plan_nodes(plan)}, (statement, plan)
        # the tenant's keys (and the two this test created), never the 19,950 of the others
        assert _most_rows_read(plan) <= _PER_TENANT + 2, (statement, plan)
