"""A migrated PostgreSQL database filled by one SQL statement, analysed, for tests that read query plans, and
the plans themselves: the statements a call issues, each explained as it ran."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event

from service.records import migrate
from service.records.database import database_url

#: A plan node as EXPLAIN (FORMAT JSON) gives it: "Node Type", "Index Name", "Actual Rows", "Plans", ...
Plan = dict[str, Any]


def filled_database(postgres_url: str, fill_sql: str, table: str = "ratings") -> Iterator[Engine]:
    """Migrate, run ``fill_sql``, ANALYZE ``table`` (the planner's statistics), yield the engine, then dispose
    of it."""
    engine = create_engine(database_url(postgres_url))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(fill_sql)
        conn.exec_driver_sql(f"ANALYZE {table}")
    yield engine
    engine.dispose()


def statements_of(db: Engine, run: Callable[[], object]) -> list[tuple[str, Any, Any]]:
    """The statements ``run()`` issues on ``db``, in order, each with its parameters and the DB-API cursor
    it ran on: what the service sends, not what a test would write by hand."""
    seen: list[tuple[str, Any, Any]] = []

    def record(_conn: Any, cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters, cursor))

    event.listen(db, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db, "before_cursor_execute", record)
    return seen


def explain(db: Engine, statement: str, parameters: Any) -> Plan:
    """EXPLAIN ANALYZE of one statement, in a transaction rolled back (an INSERT explained is an INSERT
    made)."""
    with db.connect() as conn, conn.begin() as transaction:
        raw = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar()
        transaction.rollback()
    plan: Plan = (raw if isinstance(raw, list) else json.loads(str(raw)))[0]["Plan"]
    return plan


def plan_of(db: Engine, run: Callable[[], object]) -> Plan:
    """The plan of the one statement ``run()`` issues on ``db``."""
    (statement, parameters, _), = statements_of(db, run)
    return explain(db, statement, parameters)


def plan_nodes(plan: Plan) -> Iterator[Plan]:
    """Every node of ``plan``, the root first."""
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)
