"""``POST /v1/ratings`` with an ``Idempotency-Key``: the rating a key was answered with, for its retries.

Without a key, a retry is recognised by its input: the same input in the tenant, under the same versions
and within validity, is answered the rating already issued. A retry that reached a worker of the next
release during a rolling deploy, or came after a model's promotion, was rated again, and the bank's
origination system got a second rating of one borrower's request (a bank integrator's review). With a key
(:mod:`service.idempotency`), the first answer's rating is recorded under it (``rating_requests``,
migration 0025) and every retry with it is answered that rating (``Idempotent-Replayed: true``), whenever it
comes, as the rating is recorded (its signature checked). A key whose rating was erased keeps naming it,
without the hashes of its request and input, and is answered 410, nothing rated (migration 0027).

A retry is the same request when its body is the same bytes or the same input as the service reads it (its
canonical input's hash, under the engine answering the retry); the same key with another request is refused
(422), nothing rated. Keys are the tenant's: two systems of one bank must not share them.

The key is recorded in the transaction that writes its rating (:class:`KeyClaim`). Recorded after it, two
requests sent at once under one key with other bodies both found the key free, and both ratings were
committed before the second was refused: a rating no one was answered with, in the bank's list (a bank
integrator's review). Now the second's transaction fails on the key and rolls back with its rating.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from service.records.rating_request_tables import rating_requests

#: Why a key already used is refused with another request (``errors["Idempotency-Key"]``).
OTHER_REQUEST = (
    "already used for another rating request (another body and input) by this tenant: a retry must send the "
    "same request; send a new key with a new one"
)


#: Why a key whose rating was erased is refused (``errors["Idempotency-Key"]``).
ERASED = "names a rating erased from the records since: send a new key to have the company rated again"


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """What a key names: the rating its first request was answered with, and how that request is known
    (``None``: no longer, the rating was erased)."""

    rating_id: str
    body_sha256: str | None
    input_hash: str | None

    @property
    def erased(self) -> bool:
        """Whether the rating was erased (its erasure cleared the hashes, migration 0027)."""
        return self.body_sha256 is None or self.input_hash is None


def find_request(db: Engine, tenant: str, key: str) -> RatingRequest | None:
    """The rating request ``tenant`` sent under ``key``, if one was recorded."""
    c = rating_requests.c
    query = select(c.rating_id, c.body_sha256, c.input_hash).where(
        c.tenant == tenant, c.idempotency_key == key
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else RatingRequest(row.rating_id, row.body_sha256, row.input_hash)


def _row(tenant: str, key: str, request: RatingRequest) -> dict[str, Any]:
    return {"tenant": tenant, "idempotency_key": key, "body_sha256": request.body_sha256,
            "input_hash": request.input_hash, "rating_id": request.rating_id,
            "requested_at": datetime.now(UTC)}


class KeyTaken(Exception):
    """Another request recorded the key while this one was rated: this one's transaction, and the rating it
    wrote, are rolled back; find what the key names (:func:`find_request`) and answer that."""


@dataclass(slots=True)
class KeyClaim:
    """Records a keyed request's rating in the transaction that writes it (a
    :data:`~service.records.ratings.Recording`); :attr:`recorded` says what it recorded, if it was called.

    Raises :class:`KeyTaken` when another request holds the key (on PostgreSQL, one still writing is waited
    for), which rolls the transaction back.
    """

    tenant: str
    key: str
    body_sha256: str
    recorded: RatingRequest | None = field(default=None, init=False)

    def __call__(self, conn: Connection, answered: Mapping[str, str]) -> None:
        if len(answered) != 1:  # one request, one input: nothing to record when its rating was refused
            return
        ((input_hash, rating_id),) = answered.items()
        request = RatingRequest(rating_id, self.body_sha256, input_hash)
        try:
            conn.execute(insert(rating_requests).values(**_row(self.tenant, self.key, request)))
        except IntegrityError as taken:
            raise KeyTaken(self.key) from taken
        self.recorded = request


def record_request(db: Engine, tenant: str, key: str, request: RatingRequest) -> RatingRequest:
    """Record ``request`` (answered a rating found, none written) under ``key``; what is recorded is
    returned: ``request``, or the one a retry sent at the same moment recorded first (whose rating it is
    then answered)."""
    try:
        with db.begin() as conn:
            conn.execute(insert(rating_requests).values(**_row(tenant, key, request)))
    except IntegrityError:
        earlier = find_request(db, tenant, key)
        if earlier is None:  # deleted since (by a downgrade below 0027 meanwhile): not this request's to fix
            raise
        return earlier
    return request


def same_request(recorded: RatingRequest, body_sha256: str, input_hash: str | None) -> bool:
    """Whether a retry (its body's sha256, and its canonical input's hash when it had to be read) is the
    request ``recorded``."""
    return recorded.body_sha256 == body_sha256 or recorded.input_hash == input_hash
