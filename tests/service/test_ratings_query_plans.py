"""The plans PostgreSQL chooses for the ratings queries that scan by tenant or by model (migration 0011).

A DBA review on 1.31M ratings: ``issued_by=merchant`` for a tenant without merchant ratings walked the
tenant's whole history on ``ix_ratings_tenant_seq`` and removed every row by filter (80,000 rows, 85 ms) for
an empty page. The plans here are read with EXPLAIN ANALYZE on a table of 60,000 ratings of 301 tenants.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from service.records import migrate
from service.records.monitoring import live_distribution
from service.records.ratings import list_ratings
from tests.service.filled_ratings import filled_database, plan_nodes, plan_of
from tests.service.tampering import SERVING_UNSIGNED

pytestmark = pytest.mark.integration

_SINCE = datetime(2026, 11, 1, tzinfo=UTC)
#: The seeded rows are unsigned, as a release before signing stored them: read as under serve.
_UNSIGNED = SERVING_UNSIGNED

#: bank-0 has 3,750 ratings (a sixteenth of the table; the review's tenant had 80,000 of 1.31M), all issued by
#: its bank keys; 300 other tenants about 190 each, a third of them merchants'; the newest 300 by model
#: sc-new, the rest by sc-old; one rating a minute back from 2026-12-01
_FILL = """
INSERT INTO ratings (id, tenant, merchant_id, input_hash, input_json, result_json, model_version,
    standard_version, factor_set_version, schema_version, engine_version, score, grade, issued_at,
    valid_until)
SELECT 'rt_' || n, CASE WHEN mod(n, 16) = 0 THEN 'bank-0' ELSE 'bank-' || (1 + mod(n / 16, 300)) END,
    CASE WHEN mod(n, 16) <> 0 AND mod(n, 4) = 1 THEN 'm-' || mod(n / 2, 50) END,
    md5(n::text) || md5(n::text), '{}', '{"contributions": []}',
    CASE WHEN n > 59700 THEN 'sc-new' ELSE 'sc-old' END, 'std', 'fs', '1.6', '1.7', 50, 'green',
    timestamptz '2026-12-01' - (60000 - n) * interval '1 minute', timestamptz '2027-12-01'
FROM generate_series(1, 60000) AS n
"""


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL)




def _indexes(plan: dict[str, Any]) -> set[str]:
    return {node["Index Name"] for node in plan_nodes(plan) if "Index Name" in node}


def _removed(plan: dict[str, Any]) -> int:
    return sum(int(node.get("Rows Removed by Filter", 0)) for node in plan_nodes(plan))


def test_merchant_ratings_of_a_tenant_without_any_are_found_without_reading_its_history(db: Engine) -> None:
    plan = plan_of(db, lambda: list_ratings(db, "bank-0", limit=50, issued_by="merchant", key=_UNSIGNED))
    assert _indexes(plan) == {"ix_ratings_tenant_seq_by_merchant"}, plan
    assert _removed(plan) == 0, plan


def test_a_page_of_merchant_ratings_reads_only_merchant_ratings(db: Engine) -> None:
    items, more = list_ratings(db, "bank-1", limit=20, issued_by="merchant", key=_UNSIGNED)
    assert len(items) == 20 and more and all(item.merchant_id for item in items)
    plan = plan_of(db, lambda: list_ratings(db, "bank-1", limit=20, issued_by="merchant", key=_UNSIGNED))
    assert _indexes(plan) == {"ix_ratings_tenant_seq_by_merchant"}, plan
    assert _removed(plan) == 0, plan


def test_a_page_of_bank_ratings_reads_only_bank_ratings(db: Engine) -> None:
    items, _ = list_ratings(db, "bank-1", limit=20, issued_by="bank", key=_UNSIGNED)
    assert len(items) == 20 and not any(item.merchant_id for item in items)
    plan = plan_of(db, lambda: list_ratings(db, "bank-1", limit=20, issued_by="bank", key=_UNSIGNED))
    assert _indexes(plan) == {"ix_ratings_tenant_seq_by_bank"}, plan
    assert _removed(plan) == 0, plan


def test_the_drift_monitor_reads_one_models_ratings_by_index(db: Engine) -> None:
    since = datetime(2026, 12, 1, tzinfo=UTC) - timedelta(hours=2)
    scores, _ = live_distribution(db, "sc-new", since)
    assert len(scores) == 121  # one a minute over the last two hours, both ends included
    plan = plan_of(db, lambda: live_distribution(db, "sc-new", since))
    assert _indexes(plan) == {"ix_ratings_model_version_issued_at"}, plan
    assert _removed(plan) == 0, plan
    # the window's end, as `greenrate model drift` bounds it, is read from the same index
    until = since + timedelta(hours=1)
    assert len(live_distribution(db, "sc-new", since, until)[0]) == 61
    plan = plan_of(db, lambda: live_distribution(db, "sc-new", since, until))
    assert _indexes(plan) == {"ix_ratings_model_version_issued_at"}, plan
    assert _removed(plan) == 0, plan


def test_the_lookup_of_an_identical_rating_reads_the_inputs_index(db: Engine) -> None:
    """Every miss looks for an identical rating first: by the tenant and the input's hash, whatever other
    index could match its version and issuer terms (PostgreSQL, with statistics)."""
    from service.records.ratings import find_reusable

    versions = {"model": "sc-old", "standard": "std", "factor_set": "fs", "schema": "1.6", "engine": "1.7"}
    now = datetime(2026, 11, 30, tzinfo=UTC)
    plan = plan_of(db, lambda: find_reusable(db, "bank-0", ["0" * 64], versions, now, None,
                                              timedelta(days=365), key=_UNSIGNED))
    assert _indexes(plan) == {"ix_ratings_tenant_input_hash"}, plan


@pytest.mark.parametrize("by_merchant", [False, True])
def test_sqlite_finds_an_identical_rating_by_the_inputs_index(tmp_path: Any, by_merchant: bool) -> None:
    """SQLite has no statistics: it took the lookup through migration 0011's index of model version and
    issue time (or the tenant's merchant ids) and read every rating of the model on each miss; the
    embedded service's misses fell from 658 to 304 a second under make bench. The terms that only confirm
    a match are kept from every index (``_unindexed``)."""
    from service.records.ratings import _insert_unless_reusable, _reusable_query

    engine = create_engine(f"sqlite:///{tmp_path}/plans.sqlite3")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        for statement in (_reusable_query(False, by_merchant), _insert_unless_reusable(by_merchant)):
            sql = str(statement.compile(dialect=engine.dialect))
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, tuple([None] * sql.count("?"))).all())
            assert "USING INDEX ix_ratings_tenant_input_hash" in plan and "model_version" not in plan, plan
    engine.dispose()
