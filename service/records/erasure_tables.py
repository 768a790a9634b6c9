"""The erasures table (migration 0020): one row per rating `greenrate ratings erase` deleted.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
A signed Redis entry of an erased rating, saved before the erasure and written back afterwards by someone
with write access to Redis, verifies (the service signed it) and was handed out as a hit until its rating's
validity ended (security review). Nothing in Redis can prove an erasure to the service, so the database
says it: each web worker reads the ids here (:class:`service.records.erasures.ErasedRatings`) and treats a
cached entry of one of them as a miss.

A row keeps what the ``rating_erased`` log line keeps, never more: the rating's id and tenant, which kind
of key it was issued to (never the merchant id: a sole proprietor's, perhaps), when it was issued and
erased, who erased it, the reason only as its digest and length (the reason is free text that may name
the person who asked), and the sha256 of the erased body (migration 0026: what a copy the bank kept is
checked against, once the record is gone). ``rating_id`` is not unique: after a restore from a backup,
erasing a rating again is recorded again. The table is append-only as the ratings are (migration 0009's
guard): a deleted row would let the replayed entry be served again.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Index, Integer, String, Table

from service.records.tables import metadata

#: SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence (as ratings.seq).
_SEQ = BigInteger().with_variant(Integer(), "sqlite")

#: The kinds of key a rating is issued to, as the ``rating_erased`` line's ``issued_by`` says.
ISSUED_BY = ("bank", "merchant")

rating_erasures = Table(
    "rating_erasures",
    metadata,
    Column(
        "seq", _SEQ, primary_key=True, autoincrement=True,
        comment="Order of erasure; with the row count, the change the workers poll for",
    ),
    Column("rating_id", String(40), nullable=False, comment="The erased rating's id (its row is gone)"),
    Column("tenant", String(64), nullable=False),
    Column("issued_by", String(16), nullable=False, comment="bank | merchant (never the merchant id)"),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=False),
    Column(
        "reason_sha256", String(16), nullable=False,
        comment="First 16 hex digits of the sha256 of the reason (stripped); never its text",
    ),
    Column("reason_length", Integer, nullable=False, comment="Characters of the reason (stripped)"),
    Column("actor", String(120), nullable=False, comment="The OS account that ran greenrate ratings erase"),
    Column(
        "result_sha256", String(64), nullable=True,
        comment="sha256 (hex) of the erased rating's body as the record held it (its ETag); null: erased "
        "before 0026",
    ),
    CheckConstraint("issued_by IN ('bank', 'merchant')", name="ck_rating_erasures_issued_by"),
)

# A rating's latest erasure (410 rather than 404 for a rating id a tenant does not hold; an erasure run again)
# without reading every erasure recorded (migration 0023).
Index("ix_rating_erasures_rating_id_seq", rating_erasures.c.rating_id, rating_erasures.c.seq)
