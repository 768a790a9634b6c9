"""Signatures of issued ratings at rest: a rating changed in the database after it was issued is refused.

Issued ratings are append-only by a trigger (migration 0009), which the database's owner can lift. Redis
entries were signed (:mod:`service.cache`), but the rows they are refilled from were not, and nothing
checked a stored rating when it was read: a reproducibility audit changed the score in a stored body, the
issue date, validity and external id in body and columns, only the list's score and grade columns, and
forged a consistent rating with its input hash recomputed; all four were served, and passed ``greenrate
ratings verify``.

Every rating issued from migration 0018 on carries in ``signature`` an HMAC-SHA256
(:func:`service.secret.mac`), under a key derived from the service's secret, of every column a bank relies
on (:data:`SIGNED_COLUMNS`) and of ``result_sha256``, the sha256 of the stored body: one signature binds
body and columns, and the list, which serves columns only, checks it without reading the 18 KB bodies.
The canonical input is bound through ``input_hash``, which the reads that serve the input check it
against. The value is ``v1:<key id>:<hex>``: the key id tells a signature made with another key (the
secret changed, another machine's ``instance/secret_key``) from a record changed after it was signed.
Both are refused: anyone who writes to the database can write a key id. A signature made with a secret
listed in ``GREENRATE_PREVIOUS_SECRET_KEYS`` (rotated out) is checked with that secret and, if it matches,
served (``previous_key``, counted in ``greenrate_previous_key_signatures_total``); new ratings are always
signed with the current secret.

From migration 0019 a rating also records the build that issued it (``code_revision``, see
:mod:`service.revision`), signed in a second layout, ``v2``: the columns ``v1`` signs, the revision and the
body's hash, kept in ``signature_v2``. ``signature`` goes on holding the ``v1`` signature of the same row:
the code of 0018 checks it on every read and refuses any other layout, so a ``v2`` in its place would have
been refused by the previous release's workers during a rolling deploy (and by that release after a
rollback). A read checks ``v2`` where there is one (it covers all that ``v1`` does) and ``v1`` where there is
not; a row with a revision and no ``v2`` has had the revision added since (the code before 0019 writes none)
and is tampered. ``greenrate ratings verify`` checks both.

A rating recorded without a signature is refused like a tampered one (reason ``unsigned``): the service's
own database role may INSERT rows (the append-only trigger refuses UPDATE and DELETE only), and a security
review inserted a consistent rating with its signature null for a real borrower, which was served and
passed ``greenrate ratings verify``. A database holding ratings issued before migration 0018 (or by the
release before during the rolling upgrade that brought it) sets ``GREENRATE_UNSIGNED_RATINGS=serve`` for as
long as those must be served: each unsigned rating read is then served, logged at WARNING
(``rating_unsigned_served``) and counted in ``greenrate_rating_unsigned_served_total``, and a forged
unsigned row is served with them. The policy travels with the keys (:class:`RatingKey`), so that the
service and the ``greenrate`` commands apply the one the settings give.

What a valid signature proves: the row is what a service holding this secret recorded. What it does not:
whoever holds both the database and the secret can sign anything.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
import structlog
from sqlalchemy import Engine

from service.cache import input_hash
from service.config.settings import Settings, UnsignedRatings
from service.exceptions import ServiceError
from service.logging import PAGE_TENANT
from service.metrics import previous_key_used, rating_refused, unsigned_served
from service.records.database import as_utc, count_ratings_where
from service.records.tables import ratings
from service.secret import RATING_RECORD, SigningKeys, mac_matches, service_secret, signing_keys

_log = structlog.get_logger("greenrate.ratings")

#: The layout of what is signed, first in the stored value: what is signed can change only under a new
#: name, and the ratings signed under this one must go on verifying.
FORMAT = "v1"
#: The layout that adds the build that issued the rating (migration 0019), in ``signature_v2``.
FORMAT_V2 = "v2"

#: The columns a signature covers, in the order they are signed: all that a rating's answers and list
#: items carry or are found by, so everything but the sequence (the database's, unknown when signing),
#: the canonical input (bound by its hash) and the body (bound by ``result_sha256``).
SIGNED_COLUMNS = (
    "id", "tenant", "merchant_id", "external_id", "input_hash",
    "model_version", "standard_version", "factor_set_version", "schema_version", "engine_version",
    "score", "grade", "requester_key_id", "requester_prefix", "issued_at", "valid_until",
)
#: What ``v2`` covers: ``v1``'s columns and the build's revision.
SIGNED_COLUMNS_V2 = (*SIGNED_COLUMNS, "code_revision")
#: The columns a read selects to check a rating's signature (the body, or its stored hash, besides).
CHECKED_COLUMNS = (*SIGNED_COLUMNS_V2, "signature", "signature_v2")
_LAYOUTS = {FORMAT: SIGNED_COLUMNS, FORMAT_V2: SIGNED_COLUMNS_V2}

#: What a caller reads when a stored rating is refused (the log and the metric say which and why).
REFUSED_MESSAGE = (
    "This rating's record does not match the signature it was issued with, so it is not served. "
    "The operator has been alerted; quote the request id."
)
#: What a caller reads when a stored rating is refused for carrying no signature at all: nothing was found
#: changed, so the message for a changed record would misstate it (integrator review).
UNSIGNED_MESSAGE = (
    "This rating's record carries no signature (a rating issued before ratings were signed, or a record "
    "added without one), so it is not served. The operator has been alerted; quote the request id."
)

#: What a caller reads when a stored rating names a signing key this service does not hold: the record may
#: be as issued (the secret changed, or differs between the service's machines) or changed, key id and all
#: (anyone can write one), so saying that it does not match its signature would misstate it.
OTHER_KEY_MESSAGE = (
    "This rating's record names a signing key this service does not hold, so it cannot be checked and is "
    "not served. The operator has been alerted; quote the request id."
)

Status = Literal["valid", "previous_key", "unsigned", "tampered", "other_key"]

#: The statuses of a record that is what was signed: with the current key, or with a previous one.
SIGNED_AS_ISSUED: frozenset[Status] = frozenset({"valid", "previous_key"})

@dataclass(frozen=True, slots=True)
class RatingKey(SigningKeys):
    """The ratings' keys (the current one, which signs, and the previous ones, still accepted) and what is
    done with a rating recorded without a signature (``GREENRATE_UNSIGNED_RATINGS``): everything a stored
    rating is checked with, passed as one value wherever ratings are read."""

    unsigned: UnsignedRatings = "refuse"


@functools.cache
def rating_key(
    secret: str, previous: tuple[str, ...] = (), unsigned: UnsignedRatings = "refuse"
) -> RatingKey:
    """The ratings' keys derived from the service's secret (``GREENRATE_SECRET_KEY`` or the machine's) and
    the ``previous`` secrets it replaced (``GREENRATE_PREVIOUS_SECRET_KEYS``), with the ``unsigned``
    ratings' policy."""
    keys = signing_keys(RATING_RECORD, secret, previous)
    return RatingKey(keys.current, keys.previous, unsigned)


def service_rating_key(settings: Settings) -> RatingKey:
    """The ratings' keys and policy of ``settings``: what the service and the ``greenrate`` commands sign
    and check with, one way for both."""
    return rating_key(service_secret(settings.secret_key, settings.instance_dir),
                      settings.previous_secret_keys, settings.unsigned_ratings)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What a stored rating's signature says: ``valid``, ``previous_key`` (valid, made with the previous
    key ``key_id``), ``unsigned`` (null), ``tampered`` (the record is not what was signed, or the value is
    malformed) or ``other_key`` (signed with ``key_id``, not held)."""

    status: Status
    key_id: str | None = None


class RatingRecordRefused(ServiceError):
    """A stored rating that does not verify against its signature: never served, never cached.

    500: the service's own record is broken, which no retry (503) and nothing the caller changes (409) mends;
    the operator restores the row from a backup or erases it (docs/operations.md).
    """

    code = 500

    def __init__(
        self, rating_id: str, reason: str, *, unsigned: bool = False, other_key: bool = False
    ) -> None:
        message = UNSIGNED_MESSAGE if unsigned else OTHER_KEY_MESSAGE if other_key else REFUSED_MESSAGE
        super().__init__(f"rating {rating_id} refused: {reason}", message=message)


def body_sha256(result_json: str) -> str:
    """The hex sha256 of a stored body's UTF-8 bytes (the bytes served)."""
    return hashlib.sha256(result_json.encode()).hexdigest()


def _moment(value: datetime) -> str:
    return as_utc(value).isoformat()


def _message(row: Mapping[Any, Any], digest: str, layout: str = FORMAT) -> bytes:
    """The signed bytes: a JSON array of the layout, its columns (:data:`SIGNED_COLUMNS`, or
    :data:`SIGNED_COLUMNS_V2`) and the body's hash.

    Values are normalised as both backends read them back: moments as UTC ISO text (SQLite returns naive
    ones), the score as a float (a float column's value round-trips exactly in both).
    """
    values: list[Any] = [layout]
    for name in _LAYOUTS[layout]:
        value = row[name]
        if name in ("issued_at", "valid_until"):
            value = _moment(value)
        elif name == "score":
            value = float(value)
        values.append(value)
    values.append(digest)
    return orjson.dumps(values)


def signed(key: RatingKey, row: Mapping[Any, Any], digest: str | None = None) -> dict[str, str]:
    """The ``result_sha256``, ``signature`` (``v1``) and ``signature_v2`` columns of a new rating's ``row``
    (its other columns, ``code_revision`` included); ``digest``: the body's :func:`body_sha256`, when the
    caller has it (else computed here)."""
    digest = body_sha256(row["result_json"]) if digest is None else digest
    return {
        "result_sha256": digest,
        "signature": _signature(key, row, digest, FORMAT),
        "signature_v2": _signature(key, row, digest, FORMAT_V2),
    }


def _signature(key: RatingKey, row: Mapping[Any, Any], digest: str, layout: str) -> str:
    return f"{layout}:{key.id}:{key.sign(_message(row, digest, layout)).hex()}"


def check(key: RatingKey, row: Mapping[Any, Any], digest: str | None) -> SignatureCheck:
    """``row``'s signature checked against its columns and ``digest``, the body's hash (computed from the
    body where it is read; the stored ``result_sha256`` where only columns are read): ``v2`` where the row
    has one, else ``v1``, and then a recorded revision, which only ``v2`` covers, is not as issued."""
    if row["signature_v2"] is not None:
        return check_layout(key, row, digest, FORMAT_V2)
    if row["code_revision"] is not None:
        return SignatureCheck("tampered")
    return check_layout(key, row, digest, FORMAT)


def check_layout(key: RatingKey, row: Mapping[Any, Any], digest: str | None, layout: str) -> SignatureCheck:
    """The signature of one ``layout`` (``v1`` in ``signature``, ``v2`` in ``signature_v2``) checked."""
    signature: str | None = row["signature" if layout == FORMAT else "signature_v2"]
    if signature is None:
        return SignatureCheck("unsigned")
    named, _, rest = signature.partition(":")
    signer, _, hex_mac = rest.partition(":")
    if named != layout or not signer:
        return SignatureCheck("tampered")
    held = key.named(signer)
    if held is None:
        return SignatureCheck("other_key", signer)
    try:
        given = bytes.fromhex(hex_mac)
    except ValueError:
        return SignatureCheck("tampered", signer)
    if digest is None or not mac_matches(held.secret, _message(row, digest, layout), given):
        return SignatureCheck("tampered", signer)
    return SignatureCheck("valid" if held is key.current else "previous_key", signer)


def verified(key: RatingKey, row: Mapping[Any, Any], read: str, *, body: bool = True) -> Status:
    """``row``'s signature status (``valid``, ``previous_key``, or ``unsigned`` under ``key.unsigned``
    ``serve``); a rating that does not verify is logged, counted and refused, one signed with a previous
    key counted (by the secret's id: while it grows, that secret must stay listed), one unsigned refused
    (``refuse``) or served, logged at WARNING and counted (``serve``). A row that holds its input
    (``input_json``) must hash to the signed input hash.

    :param read: which read found it (``get``, ``list``, ``reuse``, ``with_input``), for the log and the
        ``greenrate_rating_integrity_failures_total`` metric.
    :param body: the row holds ``result_json`` (hashed here); else its stored ``result_sha256`` is used.
        A row that holds both must have them agree: the body's hash is what a read by id serves as its
        ``ETag`` (the stored one, not computed again), and the list checks the stored one.
    :raises RatingRecordRefused: the record is not what was signed, was signed with another key, or is
        unsigned and ``key.unsigned`` is ``refuse``.
    """
    digest = body_sha256(row["result_json"]) if body else row["result_sha256"]
    found = check(key, row, digest)
    if (found.status in SIGNED_AS_ISSUED and "input_json" in row
            and input_hash(row["input_json"]) != row["input_hash"]):
        found = SignatureCheck("tampered", found.key_id)  # the input served is not the one signed for
    if found.status in SIGNED_AS_ISSUED and body and row.get("result_sha256", digest) != digest:
        found = SignatureCheck("tampered", found.key_id)  # the stored hash is not the served body's
    if found.status in ("tampered", "other_key") or (found.status == "unsigned" and key.unsigned == "refuse"):
        raise _refusal(key, row, read, found)
    if found.status == "previous_key":
        previous_key_used(read, found.key_id or "")
    elif found.status == "unsigned":
        unsigned_served(read)
        # a merchant page rating's id opens its result without a key: never in a log (service.logging)
        _log.warning(
            "rating_unsigned_served", rating_id=None if row["tenant"] == PAGE_TENANT else row["id"],
            tenant=row["tenant"], read=read,
            detail="served without a signature: issued before migration 0018 signed ratings, or written into "
                   "the database by someone else (GREENRATE_UNSIGNED_RATINGS=serve)",
        )
    return found.status


def _refusal(key: RatingKey, row: Mapping[Any, Any], read: str, found: SignatureCheck) -> RatingRecordRefused:
    """Log and count a stored rating that failed its check; the exception to answer with."""
    rating_refused(read, found.status)
    if found.status == "other_key":
        reason = (f"signed with key {found.key_id}, and this service holds key {key.id}"
                  f"{_previous_ids(key)}: GREENRATE_SECRET_KEY changed (list the secret it replaced in "
                  "GREENRATE_PREVIOUS_SECRET_KEYS), or differs between the machines sharing this database "
                  "(or the row was changed)")
    elif found.status == "unsigned":
        reason = ("the record carries no signature: issued before migration 0018 signed ratings, or written "
                  "into the database by someone else; refused under GREENRATE_UNSIGNED_RATINGS=refuse (serve "
                  "serves ratings issued before signing)")
    else:
        reason = "the record does not match its signature: changed in the database after it was issued"
    _log.error(
        "rating_record_refused", rating_id=row["id"], tenant=row["tenant"], read=read, reason=found.status,
        signed_with=found.key_id, service_key=key.id, previous_keys=[k.id for k in key.previous],
        detail=reason,
        hint="not served; see docs/operations.md, 'Proving a rating is what was issued'",
    )
    return RatingRecordRefused(str(row["id"]), reason, unsigned=found.status == "unsigned",
                               other_key=found.status == "other_key")


def _previous_ids(key: RatingKey) -> str:
    return f" (and previous {', '.join(k.id for k in key.previous)})" if key.previous else ""


def count_unsigned(db: Engine) -> int | None:
    """How many ratings carry no signature; ``None`` before migration 0018 or without a ratings table."""
    return count_ratings_where(db, ratings.c.signature.is_(None))


def count_signed(db: Engine) -> int | None:
    """How many ratings carry a signature; ``None`` where the schema has none (before migration 0018), or
    no ratings table at all (what ``greenrate db downgrade`` says a downgrade took away)."""
    return count_ratings_where(db, ratings.c.signature.is_not(None))
