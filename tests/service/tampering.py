"""Changing rows the database keeps append-only (migration 0009), as a test that simulates tampering or the
passing of time must: by lifting the guard for one statement, the way the database's owner would
(:func:`service.records.append_only.guard_lifted`, which ``greenrate ratings erase`` uses too); and the key
an app signs its ratings with, which reading them back needs (:mod:`service.records.rating_signatures`)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Connection, select, update

from service.records.append_only import guard_lifted
from service.records.rating_signatures import RatingKey, rating_key, service_rating_key, signed
from service.records.tables import ratings

__all__ = ["SERVING_UNSIGNED", "TEST_KEY", "app_key", "guard_lifted", "re_sign"]

#: A ratings key for the records functions of tests without an app (what they read is theirs), refusing
#: unsigned ratings as the service does by default.
TEST_KEY = rating_key("tests-ratings-secret-0123456789abcdefghijkl")
#: The same key serving unsigned ratings (GREENRATE_UNSIGNED_RATINGS=serve), for the tests that read rows
#: as a release before signing stored them (migrations, seeded tables).
SERVING_UNSIGNED = rating_key("tests-ratings-secret-0123456789abcdefghijkl", unsigned="serve")


def app_key(app: Flask) -> RatingKey:
    """The keys ``app`` signs and checks ratings with (its GREENRATE_SECRET_KEY, else the machine's, and
    its GREENRATE_PREVIOUS_SECRET_KEYS)."""
    return service_rating_key(app.extensions["greenrate"].settings)


def re_sign(conn: Connection, key: RatingKey) -> None:
    """Sign every rating again, as changed (inside :func:`guard_lifted`): what a test that simulates the
    passing of time must do after moving a rating's dates, which the signature covers, and what the
    database's owner who also holds the service's secret could do to forge one."""
    for row in conn.execute(select(ratings)).mappings().all():
        conn.execute(update(ratings).where(ratings.c.seq == row["seq"]).values(**signed(key, row)))
