"""The ratings named by a bank's ``Idempotency-Key`` (migration 0025): one row per key of a tenant.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
``POST /v1/ratings`` recognises a retry by its input, but only under the same versions: a bank whose
origination call timed out, and whose retry reached a worker of the next release or came after a model's
promotion, was rated again and handed a second rating of the same input. With an ``Idempotency-Key``, the
rating the first request was answered with is recorded here under the key, and a retry with it is answered
that rating whenever it comes (:mod:`service.ratings.requests`).

A row names the rating and how its request is recognised (the request body's sha256, and the canonical
input's, which the rating's own record holds too); it holds no operating data. Erasing the rating deletes its
rows (:mod:`service.ratings.erasure`): what remains of an erased rating is what ``rating_erasures`` keeps.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, PrimaryKeyConstraint, String, Table

from service.records.tables import metadata

rating_requests = Table(
    "rating_requests",
    metadata,
    Column("tenant", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=False, comment="The bank's Idempotency-Key, as sent"),
    Column("body_sha256", String(64), nullable=False, comment="sha256 hex of the first request's body"),
    Column("input_hash", String(64), nullable=False, comment="The rating's ratings.input_hash"),
    Column("rating_id", String(40), nullable=False, comment="The rating the first request was answered"),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant", "idempotency_key", name="pk_rating_requests"),
)
# a rating's rows, deleted with it by its erasure
Index("ix_rating_requests_rating_id", rating_requests.c.rating_id)
