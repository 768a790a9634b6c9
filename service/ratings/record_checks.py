"""Whether a stored rating's record is the one issued: its signature, its columns against its body and input.

``greenrate ratings verify`` asks this before it re-derives anything. A re-derivation only says that the
stored body is what the stored input gives; it said nothing of the columns the list serves (a reproducibility
audit set a rating's score and grade columns to ``91.0 dark_green`` over a ``19.9 not_green`` body, and
verify passed it), nor of the four fields the service adds to the engine's answer, which it copied from the
stored body (an issue date moved, a validity extended and an external id changed in body and columns all
passed). So, on every record, signed or not:

- the signature (:mod:`service.records.rating_signatures`), and the stored hash of the body it covers;
  a rating issued from migration 0019 on carries two (``v2``, which covers the build that issued it, and
  ``v1``, which the releases before check), and both must match;
- every column the body repeats (id, external id, issue date, validity, score, grade, versions), against
  the body;
- the body's external id against the recorded input's, from which issuing took it;
- the recorded input against the recorded input hash (the ``input_sha256`` a bank keeps).

Any mismatch means the record was changed after it was issued, whatever the release that issued it: none
of these depends on the engine. What a consistent change of body, columns and input (its hash recomputed)
leaves behind is caught by the signature only: an unsigned rating (issued before signing) cannot show it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.fields import utc_iso
from service.cache import input_hash
from service.records.database import as_utc
from service.records.rating_signatures import (
    FORMAT,
    SIGNED_AS_ISSUED,
    RatingKey,
    Status,
    body_sha256,
    check,
    check_layout,
)

#: The record's input does not hash to its recorded input hash, the ``input_sha256`` (``X-Input-SHA256``)
#: a bank kept from the rating's answer.
INPUT_MISMATCH = "input_sha256 (the recorded input does not hash to the recorded input_sha256)"
#: The signature does not match the record.
SIGNATURE_MISMATCH = "signature (the record does not match it: changed in the database after it was issued)"
#: A rating with a ``v2`` signature whose ``v1`` one does not match: what the releases before 0019 check.
V1_MISMATCH = (
    "signature (v1, which the releases before 0019 check, does not match the record that v2 signs: "
    "changed in the database after it was issued)"
)
#: A recorded code revision without the ``v2`` signature that covers it.
UNSIGNED_REVISION = (
    "code_revision (recorded without the v2 signature that covers it: no release records one unsigned, so "
    "it was set, or its signature removed, after the rating was issued)"
)


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """A record's signature status (and the key id it names) and every way it is not as issued."""

    signature: Status
    signed_with: str | None = None
    tampered: list[str] = field(default_factory=list)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _same(column: Any, body: Any) -> bool:
    numbers = (int, float)
    if isinstance(column, numbers) and isinstance(body, numbers) and not isinstance(body, bool):
        return float(column) == float(body)
    return bool(column == body)


def column_mismatches(row: Mapping[Any, Any], body: Mapping[str, Any]) -> list[str]:
    """The columns whose value is not the body's, each as ``name: column …, body …``.

    A rating issued before engine versions were recorded (migration 0006) has ``unrecorded`` in its column
    and no ``versions.engine`` in its body: that is as issued.
    """
    pairs: list[tuple[str, Any, Any]] = [
        ("id", row["id"], body.get("id")),
        ("external_id", row["external_id"], body.get("external_id")),
        ("issued_at", utc_iso(as_utc(row["issued_at"])), body.get("issued_at")),
        ("valid_until", utc_iso(as_utc(row["valid_until"])), body.get("valid_until")),
        ("score", row["score"], body.get("score")),
        ("grade", row["grade"], body.get("grade")),
    ]
    versions = body.get("versions")
    versions = versions if isinstance(versions, dict) else {}
    for name in ("model", "standard", "factor_set", "schema", "engine"):
        column = row[f"{name}_version"]
        if name == "engine" and column == "unrecorded" and "engine" not in versions:
            continue
        pairs.append((f"versions.{name}", column, versions.get(name)))
    return [f"{name}: column {column!r}, body {value!r}"
            for name, column, value in pairs if not _same(column, value)]


def check_record(key: RatingKey, row: Mapping[Any, Any]) -> RecordCheck:
    """Every check of the module's docstring on ``row`` (all the columns of a ``ratings`` row)."""
    tampered: list[str] = []
    digest = body_sha256(row["result_json"])
    signature = check(key, row, digest)
    if row["code_revision"] is not None and row["signature_v2"] is None:
        tampered.append(UNSIGNED_REVISION)
    elif signature.status == "tampered":
        tampered.append(SIGNATURE_MISMATCH)
    elif signature.status in SIGNED_AS_ISSUED and row["result_sha256"] != digest:
        tampered.append(
            "result_sha256 (the stored hash of the body is not the body's: the list and a read by id "
            "refuse it)"
        )
    if row["signature_v2"] is not None and signature.status in SIGNED_AS_ISSUED:
        if check_layout(key, row, digest, FORMAT).status != signature.status:  # both are signed at once
            tampered.append(V1_MISMATCH)
    if input_hash(row["input_json"]) != row["input_hash"]:
        tampered.append(INPUT_MISMATCH)
    body = _json_object(row["result_json"])
    if body is None:
        tampered.append("the stored body is not a JSON object")
        return RecordCheck(signature.status, signature.key_id, tampered)
    tampered.extend(column_mismatches(row, body))
    recorded = _json_object(row["input_json"])
    company = recorded.get("company") if recorded is not None else None
    if isinstance(company, dict) and company.get("external_id") != body.get("external_id"):
        tampered.append(
            f"external_id: body {body.get('external_id')!r}, recorded input {company.get('external_id')!r}"
        )
    return RecordCheck(signature.status, signature.key_id, tampered)
