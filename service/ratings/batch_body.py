"""The batch response, assembled as text so each stored rating is embedded byte for byte."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from service.errors import error_json
from service.ratings.issuing import Issued, ItemFailure

#: the code of the warning an item sharing its ``company.external_id`` with another item carries
DUPLICATE_EXTERNAL_ID = "duplicate_external_id"


def _external_id(item: Any) -> str | None:
    """An item's ``company.external_id`` as it is stored (trimmed), whether or not the item rates; ``None``
    where it gives none (or the item is not operating data at all)."""
    company = item.get("company") if isinstance(item, Mapping) else None
    value = company.get("external_id") if isinstance(company, Mapping) else None
    return (value.strip() or None) if isinstance(value, str) else None


def batch_warnings(items: Sequence[Any]) -> dict[int, list[dict[str, Any]]]:
    """The warnings of each item of a batch request that has any, by index: an item whose
    ``company.external_id`` another item gives too (trimmed, as stored; case counts).

    Each item is still rated on its own data: two items of one id may be the same loan given twice
    (identical items get one rating) or one business with two sets of figures (two ratings, both listed
    under that id). A client that matches results by external_id rather than by index kept one of them
    and lost the other without a word; the warning names the other items, rated or failed alike.
    """
    by_id: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        external_id = _external_id(item)
        if external_id is not None:
            by_id.setdefault(external_id, []).append(index)
    warnings: dict[int, list[dict[str, Any]]] = {}
    for external_id, indices in by_id.items():
        if len(indices) < 2:
            continue
        for index in indices:
            others = [i for i in indices if i != index]
            message = (
                f"external_id {external_id!r} is also given to item(s) {', '.join(map(str, others))} of this "
                "request: each item is rated on its own data (identical items get one rating), and "
                "GET /v1/ratings?external_id= lists every rating issued under it"
            )
            warnings[index] = [{"code": DUPLICATE_EXTERNAL_ID, "message": message, "indices": others}]
    return warnings


def batch_body(results: Sequence[Issued | ItemFailure],
               warnings: Mapping[int, list[dict[str, Any]]] | None = None) -> str:
    """``{"results": [...], "rated": n, "failed": m}`` in request order; a failed item's ``error`` is the
    body its own request would have been answered with (:func:`service.errors.error_json`), a rated item
    carries its input's hash as recorded (``input_sha256``: the ``X-Input-SHA256`` of a single rating).
    An item with ``warnings`` (:func:`batch_warnings`) carries them last, rated or failed; the others, as
    before, carry none."""
    parts: list[str] = []
    rated = 0
    for index, result in enumerate(results):
        said = (warnings or {}).get(index)
        # UTF-8 text: the message quotes the id by repr, which escapes a lone surrogate (no valid UTF-8)
        extra = f',"warnings":{json.dumps(said, ensure_ascii=False)}' if said else ""
        if isinstance(result, Issued):
            rated += 1
            cache = "hit" if result.cache_hit else "miss"
            parts.append(
                f'{{"index":{index},"status":201,"id":{json.dumps(result.id)},'
                f'"cache":"{cache}","input_sha256":"{result.input_sha256}","rating":{result.body.decode()}'
                f'{extra}}}'
            )
            continue
        error = error_json(result.code, result.message, result.errors)
        parts.append(f'{{"index": {index}, "status": {result.code}, "error": {error}{extra}}}')
    return f'{{"results":[{",".join(parts)}],"rated":{rated},"failed":{len(results) - rated}}}'
