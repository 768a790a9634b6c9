"""Reading an issued rating together with the canonical input it was computed from.

A disclosure is built from both and never by rating again, so it shows exactly the issued figures. Scoped
like :func:`service.records.ratings.get_rating`: tenant always, merchant id for merchant keys; checked like
it against the rating's signature, and the input against the signed input hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from service.records.rating_signatures import CHECKED_COLUMNS, RatingKey, verified
from service.records.tables import ratings


@dataclass(frozen=True, slots=True)
class RatingWithInput:
    id: str
    result_json: str
    input_json: str


def get_rating_with_input(
    db: Engine, tenant: str, rating_id: str, merchant_id: str | None = None, *, key: RatingKey
) -> RatingWithInput | None:
    """The rating and its input if it exists in this tenant (and belongs to this merchant when given).

    :raises RatingRecordRefused: the record, or its input, is not what was signed under ``key``.
    """
    c = ratings.c
    signed = (c[name] for name in CHECKED_COLUMNS)
    query = select(*signed, c.result_json, c.input_json).where(c.id == rating_id, c.tenant == tenant)
    if merchant_id is not None:
        query = query.where(c.merchant_id == merchant_id)
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    verified(key, row._mapping, "with_input")
    return RatingWithInput(row.id, row.result_json, row.input_json)
