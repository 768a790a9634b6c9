"""The recorded erasures: written by ``greenrate ratings erase``, read by each web worker as a set of ids.

A cache hit is answered without the database, and Redis is outside the service's trust: a signed entry of an
erased rating, saved before the erasure and written back after it, verifies and had been served until its
validity ended (security review). Reading the records on every hit would cost the cache its point, and a
marker in Redis can be deleted by whoever writes the entry back. So the erasures are recorded in the
database (:data:`~service.records.erasure_tables.rating_erasures`, in the transaction that deletes the
rating), and each worker keeps the erased ids in memory (:class:`ErasedRatings`), read again only when the
table changed, at the cadence it polls the active model (:mod:`service.model_watch`): a hit's check is then
one set lookup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select

from service.records.database import as_utc
from service.records.erasure_tables import rating_erasures

#: What says the table changed: its row count and its highest ``seq``. An erasure adds a row (both move); a
#: restore from a backup taken before some erasures, or rows the owner removed, lowers the count.
Marker = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Erasure:
    """One erasure as recorded (a ``rating_erasures`` row but its ``seq``): what the ``rating_erased`` log
    line says too, taken from here so that the line and the row cannot say different things."""

    rating_id: str
    tenant: str
    issued_by: str  # bank | merchant (never the merchant id)
    issued_at: datetime
    erased_at: datetime
    reason_sha256: str  # the reason's digest (service.ratings.erasure.reason_digest), never its text
    reason_length: int
    actor: str
    #: the sha256 (hex) of the erased body's bytes, as the record held them: the ``ETag`` it was served with,
    #: which a copy the bank kept is checked against once the record is gone (``None``: erased before
    #: migration 0026 recorded it)
    result_sha256: str | None = None

    def log_fields(self) -> dict[str, str | int]:
        """The fields as a JSON log line carries them (times in ISO 8601)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}


#: An erasure's columns, as :class:`Erasure` names them.
_ERASURE_FIELDS = tuple(f.name for f in fields(Erasure))


def record_erasure(conn: Connection, erasure: Erasure) -> None:
    """Record one erasure within ``conn``'s transaction: the one that deletes the rating, so that neither is
    kept without the other."""
    conn.execute(insert(rating_erasures).values(**asdict(erasure)))


def find_erasure(db: Engine, rating_id: str, tenant: str | None = None) -> Erasure | None:
    """The latest recorded erasure of ``rating_id`` (in ``tenant``, when given), or ``None``.

    What tells an erased rating from one never issued: a bank's auditor fetching, a year on, the rating a
    loan was granted on got the "not found" of a mistyped or made-up id, and ``greenrate ratings verify``
    "no rating is recorded", though this table says when and by whom it was erased (audit review).
    """
    with db.connect() as conn:
        return latest_erasure(conn, rating_id, tenant)


def latest_erasure(conn: Connection, rating_id: str, tenant: str | None = None) -> Erasure | None:
    """:func:`find_erasure` within ``conn`` (the erasure's own transaction, which finds no rating to delete
    and must say whether one was erased before)."""
    c = rating_erasures.c
    query = select(*(c[name] for name in _ERASURE_FIELDS)).where(c.rating_id == rating_id)
    if tenant is not None:
        query = query.where(c.tenant == tenant)
    row = conn.execute(query.order_by(c.seq.desc()).limit(1)).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found.update(issued_at=as_utc(row.issued_at), erased_at=as_utc(row.erased_at))
    return Erasure(**found)


def erasure_marker(conn: Connection) -> Marker:
    """The table's :data:`Marker`: one aggregate over a table of a few rows per court order."""
    count, highest = conn.execute(
        select(func.count(), func.coalesce(func.max(rating_erasures.c.seq), 0))
    ).one()
    return int(count), int(highest)


def erased_ids(conn: Connection) -> frozenset[str]:
    """Every erased rating's id."""
    return frozenset(conn.execute(select(rating_erasures.c.rating_id)).scalars())


class ErasedRatings:
    """The erased ratings' ids as this worker last read them: what a cache hit is checked against.

    :attr:`ids` is replaced whole, never changed in place, so the request threads read it without a lock; the
    one thread that polls (the model watcher's) replaces it. Until the first read it is empty: the cache
    then behaves as it did before erasures were recorded.
    """

    __slots__ = ("ids", "marker", "loads")

    def __init__(self) -> None:
        self.ids: frozenset[str] = frozenset()
        self.marker: Marker | None = None  # None: never read
        self.loads = 0  # how many times the ids were read (not the marker)

    def refresh(self, db: Engine) -> bool:
        """Read the marker, and the ids only when it moved since the last read; whether they were read.

        Database errors propagate, and the ids held stay as they are. The ids are read after the marker,
        so an erasure recorded in between is in them too (and moves the marker for the next poll).
        """
        with db.connect() as conn:
            marker = erasure_marker(conn)
            if marker == self.marker:
                return False
            ids = erased_ids(conn)
        self.ids, self.marker = ids, marker
        self.loads += 1
        return True
