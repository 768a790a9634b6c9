"""Signing the ratings recorded without a signature, each only once it is re-derived byte for byte.

Ratings issued before migration 0018 carry no signature, and the service refuses them by default
(``GREENRATE_UNSIGNED_RATINGS=refuse``): a deployment holding such ratings had no way back to ``refuse``
but to wait for them to expire. ``greenrate ratings sign-unsigned`` checks each unsigned rating as
``greenrate ratings verify`` does (:func:`service.ratings.verification.verify_row`: its columns against its
body and input, then a re-derivation from its recorded input under its recorded model, standard and factor
set) and signs it with the current key only when nothing is tampered and the re-derivation is the stored
answer, byte for byte. Every other one is left unsigned, with the reason: a record not consistent with
itself, a model or standard this release cannot load, an answer that differs (an earlier engine's, or a
changed one).

What signing after the fact proves, and what it does not. A re-derivation shows that the answer is what
the recorded input gives under the recorded versions, and the record checks that its columns agree with
its answer and input. Neither shows that the service issued it: a security review inserted, with the
service's own database role, a consistent rating for a real borrower from a fabricated input, which re-derives
identical. Signed by this command, such a row would be served under ``refuse`` too. So:

- a rating recorded after the first rating signed at issue (by sequence number) is left unsigned unless
  the operator asks for it (``include_after_signing``): the previous release's workers write some during
  the rolling deploy that brings migration 0018, but a plain INSERT since lands there too. Whoever inserts
  may choose the number, so this holds back the careless forgery only;
- the operator runs it as a deliberate act, once, soon after the upgrade and when the unsigned ratings are
  the ones a backup taken before signing holds (docs/operations.md, Unsigned ratings);
- each signing is logged (``rating_signed_after_issue``, WARNING) and marked in the signed record itself
  (:func:`service.records.rating_signatures.signed_after_issue`), and ``verify`` says so.

Writes are batched: each batch is re-derived outside any transaction, then signed in one short transaction
that lifts the append-only guard for its UPDATEs (:func:`service.records.append_only.guard_lifted`, as an
erasure does; on PostgreSQL it holds new ratings back while it runs, so it gives up after
:data:`LOCK_TIMEOUT`). Each UPDATE is conditional on the row still carrying no signature: two runs at
once never sign a rating twice, nor over a signature written since. An interrupted run loses its current
batch only; run again, it goes on with the ratings still unsigned.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Engine, select, update

from service.ratings.erasure import LOCK_TIMEOUT
from service.ratings.verification import Raters, verify_row
from service.records.append_only import guard_lifted
from service.records.database import as_utc
from service.records.rating_signatures import RatingKey, signed
from service.records.tables import ratings

_log = structlog.get_logger("greenrate.ratings")

#: How many unsigned ratings are read, re-derived and signed at a time (one transaction each).
DEFAULT_BATCH = 500
#: At most this many differing fields or record mismatches are named in a reason.
_NAMED = 5


@dataclass(frozen=True, slots=True)
class Judged:
    """One unsigned rating as checked: ``left_because`` says why it is left unsigned (``None``: it
    re-derives byte for byte and may be signed). ``row`` holds its columns, which its signature covers."""

    rating_id: str
    tenant: str
    seq: int
    issued_at: datetime
    left_because: str | None
    row: Mapping[str, Any] = field(repr=False)

    @property
    def signable(self) -> bool:
        return self.left_because is None


def unsigned_batches(db: Engine, size: int = DEFAULT_BATCH) -> Iterator[Sequence[Any]]:
    """The ratings without a signature, oldest first, ``size`` rows (all columns) at a time.

    Each batch is read after the previous one was handled, from the last sequence number it held: a rating
    left unsigned is not read twice, one signed meanwhile is not read at all, and one recorded meanwhile is
    read in its turn. Migration 0021's partial index of unsigned ratings finds each batch without reading
    the signed ones.
    """
    after: int | None = None
    while True:
        query = select(ratings).where(ratings.c.signature.is_(None))
        if after is not None:
            query = query.where(ratings.c.seq > after)
        with db.connect() as conn:
            rows = conn.execute(query.order_by(ratings.c.seq).limit(size)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


def judge(
    raters: Raters, row: Any, key: RatingKey, first_signed: int | None, *, include_after_signing: bool = False
) -> Judged:
    """Whether the unsigned rating ``row`` may be signed, and if not why (what ``verify`` would say).

    :param first_signed: the sequence number of the first rating signed at issue
        (:func:`service.ratings.verification.first_signed_seq`); a rating recorded after it is left
        unsigned unless ``include_after_signing``.
    """
    outcome = verify_row(raters, row, key, first_signed)
    because: str | None = None
    if outcome.tampered:
        because = f"its record is not consistent with itself: {'; '.join(outcome.tampered[:_NAMED])}"
    elif outcome.signature != "unsigned":
        because = f"its record holds a signature after all ({outcome.signature}): check it with verify"
    elif outcome.cannot_verify is not None:
        because = f"cannot be re-derived by this release: {outcome.cannot_verify}"
    elif not outcome.identical:
        earlier = "" if outcome.current_release else " (issued by an earlier engine or schema version)"
        because = f"differs from its re-derivation{earlier} at {', '.join(outcome.differences[:_NAMED])}"
    elif outcome.first_signed is not None and not include_after_signing:
        because = (
            f"recorded after the first rating signed at issue (seq {outcome.first_signed}): written by the "
            "release before signing during the upgrade, or inserted since by someone else; check it, then "
            "sign it with --include-after-signing"
        )
    return Judged(row.id, row.tenant, row.seq, as_utc(row.issued_at), because, row._mapping)


def sign(db: Engine, judged: list[Judged], key: RatingKey, *, actor: str, build: str) -> list[Judged]:
    """Sign the signable ratings of ``judged`` with ``key``'s current key, in one transaction; the ones
    signed (a rating signed meanwhile, by another run, or erased is not: it is left as it is).

    Each is signed as issuing signs (``v1`` and ``v2``) with its build left null, as recorded, and logged
    after the commit (``rating_signed_after_issue``, WARNING, as an erasure is) with ``actor`` (the OS
    account) and ``build`` (the build whose re-derivation it matched).
    """
    signable = [item for item in judged if item.signable]
    if not signable:
        return []
    c = ratings.c
    done: list[Judged] = []
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        with guard_lifted(conn, "ratings", ("UPDATE",)):
            for item in signable:
                # conditional: never a second signature, nor one over a signature written since
                statement = (
                    update(ratings)
                    .where(c.seq == item.seq, c.id == item.rating_id,
                           c.signature.is_(None), c.signature_v2.is_(None))
                    .values(**signed(key, item.row))
                )
                if conn.execute(statement).rowcount:
                    done.append(item)
    for item in done:
        # WARNING: the one trace of who signed it must survive GREENRATE_LOG_LEVEL=WARNING
        _log.warning(
            "rating_signed_after_issue", rating_id=item.rating_id, tenant=item.tenant, seq=item.seq,
            issued_by="bank" if item.row["merchant_id"] is None else "merchant",
            issued_at=item.issued_at.isoformat(), signed_with=key.id, actor=actor, re_derived_by=build,
            detail="recorded unsigned (before migration 0018 signed ratings); re-derived byte for byte from "
                   "its recorded input and versions, and signed by greenrate ratings sign-unsigned",
        )
    return done
