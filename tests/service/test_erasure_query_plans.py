"""The plan PostgreSQL chooses for a rating's latest erasure (migration 0023).

Every ``GET /v1/ratings/{id}`` of a bank key for an id its tenant does not hold looks for an erasure of that
id, to answer 410 instead of 404, and so does an erasure run twice. A DBA review with 3,000 erasures recorded:
each lookup read them all (a sequential scan and a sort). Read here with EXPLAIN ANALYZE on 20,000 erasures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from service.records.erasures import find_erasure
from tests.service.filled_ratings import Plan, filled_database, plan_nodes, plan_of

pytestmark = pytest.mark.integration

#: 20,000 erasures of 100 tenants, the rating rt_7 erased twice (after a restore from a backup)
_FILL = """
INSERT INTO rating_erasures (rating_id, tenant, issued_by, issued_at, erased_at, reason_sha256, reason_length,
    actor)
SELECT 'rt_' || CASE WHEN n = 20000 THEN 7 ELSE n END,
    'bank-' || mod(CASE WHEN n = 20000 THEN 7 ELSE n END, 100), 'bank',
    timestamptz '2025-01-01' + n * interval '1 minute', timestamptz '2026-01-01' + n * interval '1 minute',
    substr(md5(n::text), 1, 16), 20, 'ops'
FROM generate_series(1, 20000) AS n
"""


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL, "rating_erasures")


def _plan(db: Engine, rating_id: str, tenant: str | None) -> Plan:
    """EXPLAIN ANALYZE of the one statement :func:`find_erasure` runs."""
    return plan_of(db, lambda: find_erasure(db, rating_id, tenant))



@pytest.mark.parametrize(("rating_id", "tenant"), [
    ("rt_unknown", "bank-3"),  # a 404: no erasure of it
    ("rt_7", "bank-7"),  # a 410: its latest erasure
    ("rt_7", None),  # `greenrate ratings erase` run again
])
def test_a_ratings_erasure_is_found_without_reading_the_others(
    db: Engine, rating_id: str, tenant: str | None
) -> None:
    plan = _plan(db, rating_id, tenant)
    assert {node.get("Index Name") for node in plan_nodes(plan)} >= {"ix_rating_erasures_rating_id_seq"}, plan
    read = max(int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
               for node in plan_nodes(plan) if "Scan" in node["Node Type"])
    assert read <= 2, plan  # rt_7's two erasures at most, never the table


def test_the_latest_of_two_erasures_is_the_one_found(db: Engine) -> None:
    found = find_erasure(db, "rt_7", "bank-7")
    assert found is not None and found.erased_at.year == 2026 and found.erased_at.month == 1
    assert found.erased_at.day == 14  # the second one: 20,000 minutes after 2026-01-01
    assert find_erasure(db, "rt_7", "bank-8") is None and find_erasure(db, "rt_unknown") is None
