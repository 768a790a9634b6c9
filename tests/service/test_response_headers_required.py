"""A response header the service always sends is declared ``required``; only the conditional ones are not.

A bank integrator's generated client typed ``Location`` and ``X-Cache`` of a new rating, the ``Location``
of a new key, portfolio job and model, ``Idempotent-Replayed`` and the ``Retry-After`` of a 429 as
optional (a pointer or ``Optional`` in the generators that read response headers), though every such
answer carries them and README and api-v1.md promise them ("201 + Location", "429 with Retry-After"). A
header declared required is checked on the real answers by :func:`tests.service.contract.contract_errors`
(declared required, not sent), which the tests of each operation run.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AppFactory, bearer, create_key, payload
from tests.service.contract import contract_errors

#: The headers sent on some answers of their status only, each with when.
CONDITIONAL = {
    ("/v1/ratings", "post", "201", "X-Merchant-ID"): "never: a bank's own rating",
    ("/v1/ratings/{rating_id}", "get", "200", "X-Merchant-ID"): "a merchant's rating only",
    ("/v1/merchants/{merchant_id}/rating", "post", "201", "X-Merchant-ID"): "always, but declared as the "
    "bank's POST /v1/ratings declares it (one declaration of the issuing headers)",
    ("/v1/ratings/{rating_id}/disclosure", "get", "200", "Content-Disposition"): "the PDF only",
    ("/v1/keys", "post", "409", "Location"): "a retried creation only, not a tenant's full key quota",
    ("/v1/ratings", "post", "201", "Idempotent-Replayed"): "only to a request with an Idempotency-Key",
    ("TOO_MANY_REQUESTS", "RateLimit-Limit"): "the 429 of a budget, not of the portfolio job cap",
    ("TOO_MANY_REQUESTS", "RateLimit-Remaining"): "the same",
    ("TOO_MANY_REQUESTS", "RateLimit-Reset"): "the same",
    ("SERVICE_UNAVAILABLE", "Retry-After"): "not POST /v1/portfolios without Redis",
}


def _headers(spec: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Every response header the document declares, keyed by where (an operation's own response, or a
    shared one by name), ``$ref`` headers resolved."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    named = spec["components"].get("headers", {})

    def add(where: tuple[str, ...], response: dict[str, Any]) -> None:
        for name, header in response.get("headers", {}).items():
            if "$ref" in header:
                header = named[header["$ref"].rsplit("/", 1)[-1]]
            found[(*where, name)] = header

    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":  # the path's own, beside its operations
                continue
            for status, response in operation.get("responses", {}).items():
                if "$ref" not in response:
                    add((path, method, status), response)
    for name, response in spec["components"]["responses"].items():
        add((name,), response)
    return found


def test_every_header_always_sent_is_declared_required(client: FlaskClient) -> None:
    declared = _headers(client.get("/openapi.json").get_json())
    assert set(CONDITIONAL) <= set(declared), set(CONDITIONAL) - set(declared)
    optional = {where for where, header in declared.items() if not header.get("required")}
    assert optional == set(CONDITIONAL)
    for where in [("/v1/ratings", "post", "201", "Location"), ("/v1/ratings", "post", "201", "X-Cache"),
                  ("TOO_MANY_REQUESTS", "Retry-After"), ("/v1/keys", "post", "201", "Location")]:
        assert declared[where]["required"] is True, where


def test_issuing_answers_carry_the_required_headers(app: Flask, client: FlaskClient) -> None:
    """A new rating, the same again from the cache, a merchant's one-click and a new key, each checked
    against the document (its required headers sent)."""
    spec = client.get("/openapi.json").get_json()
    bank = bearer(create_key(app))
    for expected in ("miss", "hit"):
        answer = client.post("/v1/ratings", json=payload(), headers=bank)
        assert answer.status_code == 201 and answer.headers["X-Cache"] == expected
        assert contract_errors(spec, "/v1/ratings", "post", answer) == []
    merchant = bearer(create_key(app, role="merchant", merchant_id="m-1"))
    assert client.put("/v1/merchants/m-1/profile", json=payload(), headers=merchant).status_code == 200
    one_click = client.post("/v1/merchants/m-1/rating", headers=merchant)
    assert one_click.status_code == 201
    assert contract_errors(spec, "/v1/merchants/{merchant_id}/rating", "post", one_click) == []
    new_key = client.post("/v1/keys", json={"role": "bank", "label": "origination"},
                          headers=bearer(create_key(app, role="admin")))
    assert new_key.status_code == 201
    assert contract_errors(spec, "/v1/keys", "post", new_key) == []


def test_a_429_carries_its_required_retry_after(make_app: AppFactory) -> None:
    app = make_app(RATE_LIMIT="2 per minute")
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    bank = bearer(create_key(app))
    answers = [client.get("/v1/ratings", headers=bank) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert contract_errors(spec, "/v1/ratings", "get", answers[-1]) == []


def test_a_header_value_its_schema_refuses_is_a_contract_error(make_app: AppFactory) -> None:
    """A generated client parses a response header by its declared schema (an integer ``Retry-After``,
    an ``X-Cache`` of its enum), so :func:`~tests.service.contract.contract_errors` reads the values too:
    a 429's ``Retry-After`` sent as an HTTP date (valid HTTP, not the integer declared), an ``X-Cache``
    outside its enum, a weak ``ETag`` and a missing ``X-Request-ID`` (declared required through a shared
    header) are each reported, where only undeclared names and missing ones were before."""
    app = make_app(RATE_LIMIT="2 per minute")
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    bank = bearer(create_key(app))
    created = client.post("/v1/ratings", json=payload(), headers=bank)
    read = client.get(created.headers["Location"], headers=bank)
    refused = client.get("/v1/ratings", headers=bank)
    assert (created.status_code, read.status_code, refused.status_code) == (201, 200, 429)
    for path, method, answer in (("/v1/ratings", "post", created), ("/v1/ratings/{rating_id}", "get", read),
                                 ("/v1/ratings", "get", refused)):
        assert contract_errors(spec, path, method, answer) == [], path
    refused.headers["Retry-After"] = "Wed, 21 Oct 2026 07:28:00 GMT"
    refused.headers["RateLimit-Remaining"] = "-1"
    created.headers["X-Cache"] = "HIT"
    read.headers["ETag"] = f"W/{read.headers['ETag']}"
    del read.headers["X-Request-ID"]
    def reported(path: str, method: str, answer: Any) -> list[str]:
        return [error.split(":")[0] for error in contract_errors(spec, path, method, answer)]

    assert reported("/v1/ratings", "get", refused) == ["header RateLimit-Remaining", "header Retry-After"]
    assert reported("/v1/ratings", "post", created) == ["header X-Cache"]
    assert reported("/v1/ratings/{rating_id}", "get", read) == ["header X-Request-ID", "header ETag"]


def test_answers_without_a_body_conform_to_the_document(app: Flask, client: FlaskClient) -> None:
    """A 204 (a key revoked, a profile deleted) and a 304 (a rating not modified) are checked like any
    other answer: declared without content, with their headers (the 304's ``ETag``) of the declared form.
    :func:`~tests.service.contract.contract_errors` had reported each as an undeclared media type."""
    spec = client.get("/openapi.json").get_json()
    bank, admin = bearer(create_key(app)), bearer(create_key(app, role="admin"))
    merchant = bearer(create_key(app, role="merchant", merchant_id="m-1"))
    rating = client.post("/v1/ratings", json=payload(), headers=bank)
    tag = client.get(rating.headers["Location"], headers=bank).headers["ETag"]
    not_modified = client.get(rating.headers["Location"], headers={**bank, "If-None-Match": tag})
    assert client.put("/v1/merchants/m-1/profile", json=payload(), headers=merchant).status_code == 200
    key_id = client.post("/v1/keys", json={"role": "bank"}, headers=admin).get_json()["id"]
    answers = [
        ("/v1/ratings/{rating_id}", "get", not_modified),
        ("/v1/merchants/{merchant_id}/profile", "delete", client.delete("/v1/merchants/m-1/profile",
                                                                        headers=merchant)),
        ("/v1/keys/{key_id}", "delete", client.delete(f"/v1/keys/{key_id}", headers=admin)),
    ]
    assert [answer.status_code for _, _, answer in answers] == [304, 204, 204]
    for path, method, answer in answers:
        assert contract_errors(spec, path, method, answer) == [], (path, method)
