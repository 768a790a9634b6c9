"""The ratings named by a bank's ``Idempotency-Key`` (migration 0025): one row per key of a tenant.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
``POST /v1/ratings`` recognises a retry by its input, but only under the same versions: a bank whose
origination call timed out, and whose retry reached a worker of the next release or came after a model's
promotion, was rated again and handed a second rating of the same input. With an ``Idempotency-Key``, the
rating the first request was answered with is recorded here under the key, and a retry with it is answered
that rating whenever it comes (:mod:`service.ratings.requests`).

A row names the rating and how its request is recognised (the request body's sha256, and the canonical
input's, which the rating's own record holds too); it holds no operating data. Erasing the rating clears the
two hashes of its rows (:mod:`service.ratings.erasure`, migration 0027) and keeps the rest, so that the key
still names the rating, which a retry is told was erased (410) instead of being rated again.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, PrimaryKeyConstraint, String, Table

from service.records.tables import metadata

rating_requests = Table(
    "rating_requests",
    metadata,
    Column("tenant", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=False, comment="The bank's Idempotency-Key, as sent"),
    Column("body_sha256", String(64), nullable=True,
           comment="sha256 hex of the first request's body; null: its rating was erased (0027)"),
    Column("input_hash", String(64), nullable=True,
           comment="The rating's ratings.input_hash; null: the rating was erased (0027)"),
    Column("rating_id", String(40), nullable=False, comment="The rating the first request was answered"),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant", "idempotency_key", name="pk_rating_requests"),
)
# a rating's rows, whose hashes its erasure clears
Index("ix_rating_requests_rating_id", rating_requests.c.rating_id)
