"""A deadline on the PostgreSQL server's answers, kept by the client: a server that stops answering is a 503.

``GREENRATE_DATABASE_TIMEOUT_SECONDS`` bounds connecting (libpq's ``connect_timeout``) and each statement,
but the statement timeout is kept by the server: a server that accepts the connection and then stops
answering (its process stopped or stuck, its host's kernel still acknowledging; a pooler in front of a
server that hangs) never sends the cancellation, and psycopg waits for the answer with no end. A request on
a pooled connection then waited until gunicorn killed the worker (the client's connection closed without an
answer), or, with threads, for ever (fault review: a request of a web app whose PostgreSQL proxy stopped
forwarding was still waiting after 45 s, with ``GREENRATE_DATABASE_TIMEOUT_SECONDS=1``).

Each connection here waits at most its statement timeout plus :data:`ANSWER_MARGIN_SECONDS` for each answer
(psycopg's own ``wait`` timeout, the one it closes a connection with after a cancellation nobody answered).
A server that answers, however late, answers first: it cancels the statement at its timeout and says so
(``QueryCanceled``). Past the deadline the connection is closed and the statement fails with an
``OperationalError`` on a closed connection: SQLAlchemy discards it (and the pool's others), and the request
answers 503 with ``Retry-After``, as for any database that cannot be reached. An engine without a statement
timeout (``GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS=0``) waits as long as its server takes, and so does a
session that lifts its own (:func:`answers_unbounded`: the migrations). One deadline covers one wait of
psycopg's: a statement and its answer, or a COMMIT's; a string of several statements, or an ``executemany``
sent as a pipeline, would share one (the service sends neither).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg.abc import PQGen
from sqlalchemy import Connection

RV = TypeVar("RV")

#: How much longer than its statement timeout a session waits for an answer before it gives the server up:
#: the server's own cancellation, sent at the timeout, arrives well within it.
ANSWER_MARGIN_SECONDS = 2.0


class AnsweredConnection(psycopg.Connection[Any]):
    """A psycopg connection that waits at most :attr:`answer_within` seconds for each answer (``None``: for
    ever), then closes itself and raises ``OperationalError``."""

    answer_within: float | None = None

    def wait(self, gen: PQGen[RV], *args: Any, **kwargs: Any) -> RV:
        deadline = self.answer_within
        if deadline is None or args or kwargs:  # psycopg's own timed waits (notifies) keep theirs
            return super().wait(gen, *args, **kwargs)
        try:  # every statement, commit and rollback: psycopg passes the generator alone
            return super().wait(gen, timeout=deadline)
        except errors._WaitTimeout:  # psycopg's name for its wait's timeout
            # Mid-protocol: the connection cannot be used again. Closed, SQLAlchemy sees it as lost.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database server did not answer within {deadline:g} s; the connection was closed"
            ) from None


def answer_deadline(statement_timeout_seconds: int) -> float | None:
    """How long a session whose statements time out after ``statement_timeout_seconds`` (0: never) waits
    for an answer."""
    return statement_timeout_seconds + ANSWER_MARGIN_SECONDS if statement_timeout_seconds > 0 else None


def connector(statement_timeout_seconds: int) -> Any:
    """A SQLAlchemy ``do_connect`` hook that opens :class:`AnsweredConnection` s with their deadline."""
    deadline = answer_deadline(statement_timeout_seconds)

    def connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> AnsweredConnection:
        conn = AnsweredConnection.connect(*cargs, **cparams)
        conn.answer_within = deadline
        return conn

    return connect


@contextmanager
def answers_unbounded(conn: Connection) -> Iterator[None]:
    """Wait for the server's answers as long as it takes on ``conn`` meanwhile: for a session that lifted
    its statement timeout (``SET statement_timeout = 0``), whose statements the server no longer cancels."""
    dbapi = conn.connection.dbapi_connection
    if not isinstance(dbapi, AnsweredConnection):
        yield
        return
    saved, dbapi.answer_within = dbapi.answer_within, None
    try:
        yield
    finally:
        dbapi.answer_within = saved
