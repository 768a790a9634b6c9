"""What the records hold about one borrower or merchant, for a subject-access request (PIPL Art. 45, GDPR
Art. 15): its ratings with the inputs they were computed from, its merchant profile, its keys, and the
erasures of the ratings asked for by id.

A bank answering a sole proprietor's request could list a tenant's ratings by ``external_id`` or
``merchant_id`` and fetch each, but no answer of the API carries the input a rating was computed from as
recorded (the disclosure shows some of its fields), and the list shows a merchant's ratings only when
asked (``issued_by``): the copy owed had to be pieced together by hand (data-protection review). One
tenant at a time, as every read of the service: the tenant is the bank answering the request.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Engine, or_, select

from schemas.fields import utc_iso
from service.records.database import as_utc
from service.records.erasure_tables import rating_erasures
from service.records.profile_tables import merchant_profiles
from service.records.ratings import row_versions
from service.records.tables import api_keys, ratings


@dataclass(frozen=True, slots=True)
class SubjectRecords:
    """The records of one subject in one tenant, as JSON-ready documents (times in ISO 8601, UTC)."""

    ratings: list[dict[str, Any]] = field(default_factory=list)
    merchant_profiles: list[dict[str, Any]] = field(default_factory=list)
    api_keys: list[dict[str, Any]] = field(default_factory=list)
    erased_ratings: list[dict[str, Any]] = field(default_factory=list)
    #: the ids asked for that this tenant neither holds nor erased
    not_found: list[str] = field(default_factory=list)


def _moment(value: Any) -> str | None:
    return None if value is None else utc_iso(as_utc(value))


def _asked_for(row: Any, external_ids: Collection[str], merchant_ids: Collection[str],
               rating_ids: Collection[str], company_names: Collection[str]) -> bool:
    """Whether a rating the query found names what was asked for (a name: as its input's company name)."""
    if row.external_id in external_ids or row.merchant_id in merchant_ids or row.id in rating_ids:
        return True
    return json.loads(row.input_json).get("company", {}).get("name") in company_names


def subject_records(
    db: Engine,
    tenant: str,
    *,
    external_ids: Collection[str] = (),
    merchant_ids: Collection[str] = (),
    rating_ids: Collection[str] = (),
    company_names: Collection[str] = (),
) -> SubjectRecords:
    """Every record of ``tenant`` that names one of ``external_ids`` or ``merchant_ids``, and the ratings
    ``rating_ids`` (a merchant page's result link names one: the page's tenant is ``_public``), and the
    ratings whose recorded input gives one of ``company_names`` as ``company.name``, exactly (a shop owner
    who used the merchant page and kept no link: the page's records hold no other reference).

    A rating comes with its input and its body exactly as recorded (parsed), whoever it was issued for;
    erasures keep no ``external_id``, merchant id nor name, so only those of the ids asked for are found.
    A name is looked for in the text of every input of the tenant (one scan; an operator's command).
    """
    if not (external_ids or merchant_ids or rating_ids or company_names):
        raise ValueError("name at least one external id, merchant id, rating id or company name")
    c = ratings.c
    named: list[ColumnElement[bool]] = [
        c.external_id.in_(sorted(external_ids)), c.merchant_id.in_(sorted(merchant_ids)),
        c.id.in_(sorted(rating_ids)),
    ]
    # the canonical input's compact JSON (OperatingData.canonical_json) holds the name as "name":"...";
    # the match is confirmed on the parsed input below (another object of it may have a "name" too)
    named += [c.input_json.contains(f'"name":{json.dumps(name, ensure_ascii=False)}', autoescape=True)
              for name in company_names]
    query = (
        select(c.id, c.merchant_id, c.external_id, c.issued_at, c.valid_until, c.model_version,
               c.standard_version, c.factor_set_version, c.schema_version, c.engine_version,
               c.code_revision, c.input_hash, c.input_json, c.result_json)
        .where(c.tenant == tenant, or_(*named))
        .order_by(c.seq)
    )
    p, k, e = merchant_profiles.c, api_keys.c, rating_erasures.c
    with db.connect() as conn:
        rows = conn.execute(query).all()
        profiles = conn.execute(
            select(p.merchant_id, p.updated_at, p.profile_json)
            .where(p.tenant == tenant, p.merchant_id.in_(sorted(merchant_ids))).order_by(p.merchant_id)
        ).all()
        keys = conn.execute(
            select(k.id, k.role, k.merchant_id, k.label, k.created_at, k.expires_at, k.revoked_at)
            .where(k.tenant == tenant, k.merchant_id.in_(sorted(merchant_ids))).order_by(k.id)
        ).all()
        erasures = conn.execute(
            select(e.rating_id, e.issued_by, e.issued_at, e.erased_at, e.result_sha256)
            .where(e.tenant == tenant, e.rating_id.in_(sorted(rating_ids))).order_by(e.seq)
        ).all()
    found = {row.id for row in rows} | {row.rating_id for row in erasures}
    rows = [row for row in rows if _asked_for(row, external_ids, merchant_ids, rating_ids, company_names)]
    return SubjectRecords(
        ratings=[
            {
                "id": row.id,
                "issued_by": "bank" if row.merchant_id is None else "merchant",
                "merchant_id": row.merchant_id,
                "external_id": row.external_id,
                "issued_at": _moment(row.issued_at),
                "valid_until": _moment(row.valid_until),
                "versions": row_versions(row),
                "code_revision": row.code_revision,
                "input_sha256": row.input_hash,
                "input": json.loads(row.input_json),
                "rating": json.loads(row.result_json),
            }
            for row in rows
        ],
        merchant_profiles=[
            {"merchant_id": row.merchant_id, "updated_at": _moment(row.updated_at),
             "profile": json.loads(row.profile_json)}
            for row in profiles
        ],
        api_keys=[
            {"id": row.id, "role": row.role, "merchant_id": row.merchant_id, "label": row.label,
             "created_at": _moment(row.created_at), "expires_at": _moment(row.expires_at),
             "revoked_at": _moment(row.revoked_at)}
            for row in keys
        ],
        erased_ratings=[
            {"id": row.rating_id, "issued_by": row.issued_by, "issued_at": _moment(row.issued_at),
             "erased_at": _moment(row.erased_at), "result_sha256": row.result_sha256}
            for row in erasures
        ],
        not_found=sorted(set(rating_ids) - found),
    )
