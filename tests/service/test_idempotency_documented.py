"""Every operation that reads ``Idempotency-Key`` documents it with one parameter (service.idempotency).

The header's parameter was written out three times (ratings, portfolios, keys), each a near-copy of the
others: a change to what a key may be (its length, say) made in one would have left the others stale.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.idempotency import IDEMPOTENCY_KEY, idempotency_parameter

#: the operations whose views read the header (service.idempotency.idempotency_key)
READERS = {"create_rating", "create_portfolio", "create_key"}


def test_every_reader_documents_the_key_alike(app: Flask) -> None:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    documented = {
        op["operationId"]: parameter
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for parameter in op.get("parameters", [])
        if isinstance(parameter, dict) and parameter.get("name") == IDEMPOTENCY_KEY
    }
    assert set(documented) == READERS
    for operation, parameter in documented.items():
        assert parameter == idempotency_parameter(parameter["description"]), operation
        assert parameter["description"].startswith("Your id for this "), operation
