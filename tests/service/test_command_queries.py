"""The audit commands' queries on a large table: a sample, not the table; a stream, not every body at once;
the commands' own statement timeout, and a message that names it.

A DBA review: ``greenrate ratings verify --sample N`` ran ``ORDER BY random()`` (a scan and a sort of the
whole table, past the 3 s statement timeout at a few million ratings); ``greenrate model drift`` fetched
every matching rating's body at once; both ran under the service's 3 s timeout and, when it cancelled them,
asked whether `greenrate db upgrade` had run.

And `greenrate db upgrade`'s count of the unsigned ratings, run on every upgrade (the image runs it as each
container starts): it read the whole table, and from migration 0021 reads a partial index of the unsigned
ratings only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, delete

from rating_model.engine import DEFAULT_MODEL
from service.cli import main
from service.commands import database
from service.config import load_settings
from service.ratings.verification import sample_ratings
from service.records import migrate
from service.records.database import create_db_engine, database_url
from service.records.monitoring import live_distribution
from service.records.rating_signatures import count_unsigned
from service.records.tables import ratings
from tests.service.filled_ratings import filled_database, statements_of
from tests.service.tampering import guard_lifted

#: 20,000 ratings with a body of about 700 bytes each: some 1,700 pages of the table
_FILL = """
INSERT INTO ratings (id, tenant, input_hash, input_json, result_json, model_version, standard_version,
    factor_set_version, schema_version, engine_version, score, grade, issued_at, valid_until)
SELECT 'rt_' || n, 'bank-a', md5(n::text) || md5(n::text), '{}',
    '{"contributions": [{"indicator": "energy_intensity", "bin": "b' || mod(n, 3) || '"}], "pad": "'
        || repeat('x', 600) || '"}',
    'sc-1', 'std', 'fs', '1.6', '1.7', mod(n, 100), 'green',
    timestamptz '2026-12-01' - n * interval '1 second', timestamptz '2027-12-01'
FROM generate_series(1, 20000) AS n
"""


@pytest.fixture
def filled(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL)


def _most_rows_a_node_read(db: Engine, statement: str, parameters: Any) -> int:
    with db.connect() as conn:
        raw = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar()
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]

    def rows(node: dict[str, Any]) -> Iterator[int]:
        yield int(node["Actual Rows"]) + int(node.get("Rows Removed by Filter", 0))
        for child in node.get("Plans", []):
            yield from rows(child)

    return max(rows(plan))


@pytest.mark.integration
def test_a_sample_of_ratings_reads_a_sample_of_the_table_not_all_of_it(filled: Engine) -> None:
    picked = sample_ratings(filled, 10)
    assert len({rating_id for rating_id, _ in picked}) == 10
    queries = [s for s in statements_of(filled, lambda: sample_ratings(filled, 10)) if "FROM ratings" in s[0]]
    assert queries
    for statement, parameters, _ in queries:
        assert _most_rows_a_node_read(filled, statement, parameters) < 5_000, statement


@pytest.mark.integration
def test_a_sample_larger_than_the_statistics_say_the_table_holds_is_drawn_again(filled: Engine) -> None:
    """The planner still counts 20,000 ratings where 12 are left: the first page sample holds fewer than
    asked, and the next ones are larger, up to the whole table."""
    with filled.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(delete(ratings).where(ratings.c.id.not_in([f"rt_{n}" for n in range(1, 13)])))
    assert len(sample_ratings(filled, 10)) == 10
    assert sorted(rating_id for rating_id, _ in sample_ratings(filled, 50)) == sorted(
        f"rt_{n}" for n in range(1, 13)
    )


@pytest.mark.integration
def test_drift_streams_the_recorded_bodies_in_batches(filled: Engine) -> None:
    from service.records.monitoring import RecordedLabels

    since = datetime(2026, 11, 30, tzinfo=UTC)
    seen = statements_of(filled, lambda: live_distribution(filled, "sc-1", since))
    (statement, _, cursor), = seen
    assert isinstance(cursor, psycopg.ServerCursor), "every body fetched at once by a client-side cursor"
    assert "ORDER BY" not in statement  # the database sorted every body it read
    scores, bins = live_distribution(filled, "sc-1", since)
    assert len(scores) == 20_000 and scores.sum() == 20_000 * 99 / 2
    labels = bins["energy_intensity"]
    assert isinstance(labels, RecordedLabels) and len(labels) == 20_000
    assert {label: list(labels).count(label) for label in ("b0", "b1", "b2")} == {
        "b0": 6_666, "b1": 6_667, "b2": 6_667
    }


def test_recorded_labels_read_as_the_list_they_replace() -> None:
    from service.records.monitoring import RecordedLabels

    labels = RecordedLabels()
    values = ["a", None, "b", "a", None]
    for value in values:
        labels.append(value)
    assert len(labels) == 5 and list(labels) == values
    assert labels[2] == "b" and labels[-1] is None and labels[1:4] == values[1:4]
    assert labels.count("a") == 2 and labels.index("b") == 2


@pytest.mark.integration
def test_commands_have_their_own_statement_timeout(postgres_url: str) -> None:
    settings = load_settings({"DATABASE_URL": postgres_url, "DATABASE_TIMEOUT_SECONDS": 2})
    with database(settings) as engine, engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "10min"
    service = create_db_engine(settings)
    with service.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"
    service.dispose()
    unlimited = load_settings({"DATABASE_URL": postgres_url, "DATABASE_COMMAND_TIMEOUT_SECONDS": 0})
    with database(unlimited) as engine, engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "0"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("model", "drift", "--since", "2026-01-01", "--model", str(DEFAULT_MODEL)),
         "cannot read the recorded ratings: OperationalError: a statement ran past"),
        (("ratings", "verify", "--sample", "5"), "database error: OperationalError: a statement ran past"),
    ],
    ids=["drift", "verify"],
)
def test_a_command_past_its_statement_timeout_says_so(
    postgres_url: str, args: tuple[str, ...], said: str
) -> None:
    """A report holds the ratings table (here: a lock, so the wait is certain) past the commands' timeout:
    the command names the timeout and its setting, not the migrations."""
    db = create_engine(database_url(postgres_url))
    migrate.upgrade(db)
    db.dispose()
    env = {
        "GREENRATE_DATABASE_URL": postgres_url,
        "GREENRATE_DATABASE_TIMEOUT_SECONDS": "1",
        "GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS": "2",
    }
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE ratings IN ACCESS EXCLUSIVE MODE")
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        holder.rollback()
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "(2 s, GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS); raise" in result.output
    assert "greenrate db upgrade" not in result.output


#: 20,000 ratings signed at issue (a signature's shape is enough for the plan) and 3 from before signing
_SIGNED_FILL = """
INSERT INTO ratings (id, tenant, input_hash, input_json, result_json, model_version, standard_version,
    factor_set_version, schema_version, engine_version, score, grade, issued_at, valid_until, signature)
SELECT 'rt_' || n, 'bank-a', md5(n::text) || md5(n::text), '{}', '{"pad": "' || repeat('x', 600) || '"}',
    'sc-1', 'std', 'fs', '1.6', '1.7', mod(n, 100), 'green',
    timestamptz '2026-12-01' - n * interval '1 second', timestamptz '2027-12-01',
    CASE WHEN n IN (7, 5000, 19999) THEN NULL ELSE 'v1:k:' || md5(n::text) END
FROM generate_series(1, 20000) AS n
"""


@pytest.fixture
def mostly_signed(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _SIGNED_FILL)


def _plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.integration
def test_the_upgrades_unsigned_count_reads_the_unsigned_ratings_only(mostly_signed: Engine) -> None:
    assert count_unsigned(mostly_signed) == 3
    (statement, parameters, _), = statements_of(mostly_signed, lambda: count_unsigned(mostly_signed))
    with mostly_signed.connect() as conn:
        raw = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar()
    nodes = list(_plan_nodes((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]))
    assert "ix_ratings_unsigned" in {node.get("Index Name") for node in nodes}, nodes
    assert not any(node["Node Type"] == "Seq Scan" for node in nodes), nodes
    assert _most_rows_a_node_read(mostly_signed, statement, parameters) <= 3


def test_sqlite_counts_the_unsigned_ratings_by_their_index(tmp_path: Any) -> None:
    db = create_engine(f"sqlite:///{tmp_path / 'count.sqlite3'}")
    migrate.upgrade(db)
    (statement, parameters, _), = statements_of(db, lambda: count_unsigned(db))
    with db.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                      parameters))
    db.dispose()
    # the index's entries (the unsigned ratings), not the table's rows ("SCAN ratings" alone, before 0021)
    assert re.fullmatch(r"(SCAN|SEARCH) ratings USING (COVERING )?INDEX ix_ratings_unsigned\b.*", plan), plan
