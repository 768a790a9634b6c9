"""The plans PostgreSQL chooses for the model registry's listings (migration 0024).

A DBA's scale review: ``GET /v1/model-events`` and ``GET /v1/models/{version}/comparisons`` returned every row
ever recorded, and ``GET /v1/models`` read every recorded comparison to build its list. Read here with EXPLAIN
ANALYZE on 20,000 events and 20,000 comparisons of 400 versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from service.records import comparisons, registry
from tests.service.filled_ratings import Plan, explain, filled_database, plan_nodes, statements_of

pytestmark = pytest.mark.integration

#: 400 versions (v1 active since 2026-01-01), an event a version in turn every 30 minutes from 2025-01-01, and
#: a comparison every 30 minutes: v2..v400 in turn as challenger, against v1 one time in four, else another;
#: each with a kilobyte of data, as a recorded comparison's file, metrics, PSI and migration take
_FILL = """
INSERT INTO models (version, sha256, artifact_json, metrics_json, card_json, standard, source, created_at,
    created_by)
SELECT 'v' || n, md5(n::text) || md5(n::text), '{}', '{}', '{}', 'greenrate-sme-1.9.0', 'cli',
    timestamptz '2024-12-01' + n * interval '1 hour', 'cli/ann'
FROM generate_series(1, 400) AS n;
INSERT INTO active_model (id, version, activated_at) VALUES (1, 'v1', timestamptz '2026-01-01');
INSERT INTO model_events (version, action, previous_version, reason, actor, at)
SELECT 'v' || (1 + mod(n, 400)), 'register', NULL, 'registered ' || n, 'cli/ann',
    timestamptz '2025-01-01' + n * interval '30 minutes'
FROM generate_series(1, 20000) AS n;
INSERT INTO model_comparisons (challenger, champion, data_json, summary_json, recorded_by, at)
SELECT 'v' || (2 + mod(n, 399)), CASE WHEN mod(n, 4) = 0 THEN 'v1' ELSE 'v' || (2 + mod(n + 7, 399)) END,
    '{"file": "' || repeat(md5(n::text), 30) || '"}', '{"rows": 5000}', 'cli/ann',
    timestamptz '2025-01-01' + n * interval '30 minutes'
FROM generate_series(1, 20000) AS n;
ANALYZE models; ANALYZE model_events
"""
#: 20,000 half-hours after 2025-01-01: the last comparison's day, and the validity period's first
_NOW = datetime(2026, 2, 21, tzinfo=UTC)
#: the comparisons against v1 in the 30 days before _NOW: a quarter of 1,440
_IN_WINDOW = 360


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL, "model_comparisons")


def _plans(db: Engine, run: object, table: str) -> list[tuple[str, Plan]]:
    """EXPLAIN ANALYZE of each statement ``run()`` issues on ``table``."""
    assert callable(run)
    return [(statement, explain(db, statement, parameters))
            for statement, parameters, _ in statements_of(db, run) if table in statement]


def _indexes(plan: Plan) -> set[str]:
    return {node["Index Name"] for node in plan_nodes(plan) if "Index Name" in node}


def _most_rows_read(plan: Plan) -> int:
    """The most rows one scan of the plan read (each time it ran): those it returned and those its filter
    removed."""
    return max(int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
               for node in plan_nodes(plan) if "Scan" in node["Node Type"])


def _no_sequential_scan(plan: Plan) -> bool:
    return all(node["Node Type"] != "Seq Scan" or node.get("Relation Name") == "models"
               for node in plan_nodes(plan))


def test_a_page_of_the_trail_reads_the_page_only(db: Engine) -> None:
    (_, plan), = _plans(db, lambda: registry.events_page(db, limit=50, after=10_000), "model_events")
    assert _no_sequential_scan(plan) and _most_rows_read(plan) <= 51, plan
    page, more = registry.events_page(db, "v7", limit=20, after=5_000)
    assert more and len(page) == 20 and all(e.version == "v7" and e.id > 5_000 for e in page)
    (_, plan), = _plans(db, lambda: registry.events_page(db, "v7", limit=20, after=5_000), "model_events")
    assert "ix_model_events_version_id" in _indexes(plan), plan
    assert _most_rows_read(plan) <= 50, plan  # v7's events at most, never the 20,000


def test_a_page_of_a_versions_comparisons_reads_the_page_only(db: Engine) -> None:
    page, more = comparisons.of_model(db, "v7", limit=20, after=5_000)
    assert more and len(page) == 20 and [c.id for c in page] == sorted(c.id for c in page)
    assert all("v7" in (c.challenger, c.champion) and c.id > 5_000 for c in page)
    (_, plan), = _plans(db, lambda: comparisons.of_model(db, "v7", limit=20, after=5_000),
                        "model_comparisons")
    assert {"ix_model_comparisons_challenger_id", "ix_model_comparisons_champion_id"} <= _indexes(plan), plan
    assert _no_sequential_scan(plan) and _most_rows_read(plan) <= 50, plan  # v7's at most, of either role


def test_the_model_list_reads_each_versions_newest_and_the_window_only(db: Engine) -> None:
    """Every version's newest comparison is set aside here (as one on its training file would be), so the
    list also reads what the gate may count: the comparisons against v1 within the validity period."""
    state = comparisons.Standing("v1", datetime(2026, 1, 1, tzinfo=UTC), _NOW, 30)
    judged: list[int] = []

    def not_counted(found: comparisons.Comparison) -> str | None:
        judged.append(found.id)
        return None if found.champion == "v1" and found.id % 8 == 0 else "set aside"

    shown = comparisons.newest_measured(db, not_counted, state)
    assert len(shown) == 400 and shown["v1"]["counted"] and shown["v1"]["comparison"] == 20_000
    assert len(judged) <= 2 * 400 + _IN_WINDOW, len(judged)
    plans = _plans(db, lambda: comparisons.newest_measured(db, not_counted, state), "model_comparisons")
    assert len(plans) == 3, plans
    (_, newest), (_, rows), (_, window) = plans
    assert {"ix_model_comparisons_challenger_id", "ix_model_comparisons_champion_id"} <= _indexes(newest)
    assert _no_sequential_scan(newest) and _most_rows_read(newest) <= 400, newest  # each probe: one row
    assert _no_sequential_scan(rows) and _most_rows_read(rows) <= 2 * 400, rows  # those ids only
    assert "ix_model_comparisons_champion_at" in _indexes(window), window
    assert _most_rows_read(window) <= _IN_WINDOW + 10, window  # not the 5,000 against v1, nor the 20,000
