"""The batch response, assembled as text so each stored rating is embedded byte for byte."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus

from service.hardening import request_id
from service.ratings.issuing import Issued, ItemFailure


def batch_body(results: Sequence[Issued | ItemFailure]) -> str:
    """``{"results": [...], "rated": n, "failed": m}`` in request order."""
    rid = request_id()
    parts: list[str] = []
    rated = 0
    for index, result in enumerate(results):
        if isinstance(result, Issued):
            rated += 1
            cache = "hit" if result.cache_hit else "miss"
            parts.append(
                f'{{"index":{index},"status":201,"id":{json.dumps(result.id)},'
                f'"cache":"{cache}","rating":{result.body.decode()}}}'
            )
            continue
        error = {
            "code": result.code,
            "status": HTTPStatus(result.code).phrase,
            "message": result.message,
            "errors": result.errors,
            "request_id": rid,
        }
        parts.append(_error_json({"index": index, "status": result.code, "error": error}))
    return f'{{"results":[{",".join(parts)}],"rated":{rated},"failed":{len(results) - rated}}}'


def _error_json(item: dict[str, object]) -> str:
    """An item's error as JSON; ``\\u`` escapes when it echoes a lone surrogate (an unknown field's name)."""
    text = json.dumps(item, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        return json.dumps(item)
    return text
