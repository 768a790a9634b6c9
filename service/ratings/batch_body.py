"""The batch response, assembled as text so each stored rating is embedded byte for byte."""

from __future__ import annotations

import json
from collections.abc import Sequence

from service.errors import error_json
from service.ratings.issuing import Issued, ItemFailure


def batch_body(results: Sequence[Issued | ItemFailure]) -> str:
    """``{"results": [...], "rated": n, "failed": m}`` in request order; a failed item's ``error`` is the
    body its own request would have been answered with (:func:`service.errors.error_json`), a rated item
    carries its input's hash as recorded (``input_sha256``: the ``X-Input-SHA256`` of a single rating)."""
    parts: list[str] = []
    rated = 0
    for index, result in enumerate(results):
        if isinstance(result, Issued):
            rated += 1
            cache = "hit" if result.cache_hit else "miss"
            parts.append(
                f'{{"index":{index},"status":201,"id":{json.dumps(result.id)},'
                f'"cache":"{cache}","input_sha256":"{result.input_sha256}","rating":{result.body.decode()}}}'
            )
            continue
        error = error_json(result.code, result.message, result.errors)
        parts.append(f'{{"index": {index}, "status": {result.code}, "error": {error}}}')
    return f'{{"results":[{",".join(parts)}],"rated":{rated},"failed":{len(results) - rated}}}'
