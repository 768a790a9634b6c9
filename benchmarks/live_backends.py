"""The Redis + PostgreSQL variant of the service benchmark: the machine's servers, the benchmark's own data.

Only the servers already running on 127.0.0.1 are used (this module starts nothing): Redis database 14,
flushed before and after, and a PostgreSQL database ``greenrate_bench`` (user ``postgres``, trust auth),
created fresh for each run and dropped afterwards, so no earlier rating turns a "distinct" body into a hit.
"""

from __future__ import annotations

import psycopg
import redis
from psycopg import sql

REDIS_URL = "redis://127.0.0.1:6379/14"
SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "greenrate_bench"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
DESCRIPTION = {"redis_url": REDIS_URL, "database_url": DATABASE_URL}


def _redis() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)


def _server() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=2)


def unavailable() -> str | None:
    """Why the variant cannot run here (a reachable server refused us, or none answers), else ``None``."""
    try:
        _redis().ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} unreachable ({type(exc).__name__})"
    try:
        with _server():
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL at {SERVER_URL} unreachable ({type(exc).__name__})"
    return None


def _drop(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))


def reset() -> dict[str, str]:
    """Empty Redis DB 14 and a new, empty ``greenrate_bench``; the service settings that point at them."""
    _redis().flushdb()
    with _server() as conn:
        _drop(conn)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    return {"GREENRATE_DATABASE_URL": DATABASE_URL, "GREENRATE_REDIS_URL": REDIS_URL}


def clean_up() -> None:
    """Leave nothing of the benchmark's behind in the machine's servers."""
    _redis().flushdb()
    with _server() as conn:
        _drop(conn)
