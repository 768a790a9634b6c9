"""Undeclared query arguments are refused on every API operation (a bank integrator's review).

`POST /v1/ratings?dry_run=true` issued and recorded a rating: webargs ignores the query string of an
operation that reads none, though the contract says unknown fields are rejected (422), never silently
dropped. Only `GET /v1/ratings` and the other operations with a query schema refused them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.hardening import API_PREFIX, declared_query_args
from service.records.tables import ratings
from tests.conftest import bearer, create_key, payload, services_of

_SAMPLE = {"key_id": "1", "rating_id": "rt_" + "0" * 32}  # path values the converters accept
UNKNOWN = {"code": 422, "status": "Unprocessable Entity", "message": "Some fields are invalid."}


def _refused(answer: Any, *names: str) -> bool:
    body = answer.get_json()
    return bool(
        answer.status_code == 422
        and {k: body[k] for k in UNKNOWN} == UNKNOWN
        and body["errors"] == {name: ["Unknown field."] for name in names}
        and body["request_id"] == answer.headers["X-Request-ID"]
    )


def _count(app: Flask) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ratings)).scalar_one())


def _operations(app: Flask) -> list[tuple[str, str, str]]:
    """Every API operation: (OpenAPI path, method, Flask endpoint)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
            found += [(path, method, rule.endpoint) for method in methods]
    return found


def test_a_rating_asked_for_with_an_unknown_argument_is_refused_and_not_recorded(
    app: Flask, client: FlaskClient
) -> None:
    bank = create_key(app, "bank-a", "bank")
    refused = client.post("/v1/ratings?dry_run=true", json=payload(), headers=bearer(bank))
    assert _refused(refused, "dry_run") and _count(app) == 0
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert issued.status_code == 201 and _count(app) == 1
    # an exact repeat is served before its body is read again: still refused with the argument
    repeat = client.post("/v1/ratings?dry_run=true&a=1", json=payload(), headers=bearer(bank))
    assert _refused(repeat, "a", "dry_run")


def test_the_reviews_operations_refuse_them_with_a_key_that_may_call_them(
    app: Flask, client: FlaskClient
) -> None:
    bank = bearer(create_key(app, "bank-a", "bank"))
    merchant = bearer(create_key(app, "bank-a", "merchant", merchant_id="m-1"))
    admin = bearer(create_key(app, "bank-a", "admin"))
    rating = client.post("/v1/ratings", json=payload(), headers=bank).get_json()["id"]
    assert client.put("/v1/merchants/m-1/profile", json=payload(), headers=merchant).status_code == 200
    engine = services_of(app).engines.current()
    key_id = client.get("/v1/keys", headers=admin).get_json()["items"][0]["id"]
    before = _count(app)
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("get", f"/v1/ratings/{rating}", bank),
        ("post", "/v1/ratings/batch", bank | {"json": {"items": [payload()]}}),
        ("get", f"/v1/models/{engine.versions['model']}", bank),
        ("get", "/v1/merchants/m-1/profile", merchant),
        ("put", "/v1/merchants/m-1/profile", merchant | {"json": payload()}),
        ("post", "/v1/merchants/m-1/rating", merchant),
        ("get", "/v1/portfolios/pf_0123", bank),
        ("get", f"/v1/keys/{key_id}", admin),
        ("delete", f"/v1/keys/{key_id}", admin),
    ]
    for method, path, extra in calls:
        sent = {k: v for k, v in extra.items() if k != "json"}
        answer = getattr(client, method)(f"{path}?x=1", headers=sent, json=extra.get("json"))
        assert _refused(answer, "x"), (method, path, answer.get_json())
    assert _count(app) == before
    assert client.get(f"/v1/keys/{key_id}", headers=admin).get_json()["status"] == "active"  # not revoked


def test_every_api_operation_refuses_an_undeclared_argument(app: Flask, client: FlaskClient) -> None:
    """Swept over the routing table, so an operation added later is covered; before authentication,
    like a query value that cannot be stored (the contract is public: a 422 tells nothing)."""
    operations = _operations(app)
    assert len(operations) >= 20
    for path, method, _endpoint in operations:
        url = re.sub(r"\{([^}]+)\}", lambda m: _SAMPLE.get(m[1], "x1"), path)
        answer = client.open(f"{url}?not_declared=1", method=method)
        assert _refused(answer, "not_declared"), (method, path, answer.status_code)


def test_what_is_accepted_is_what_the_contract_publishes(app: Flask, client: FlaskClient) -> None:
    """The hook reads each operation's query schema: its names are the OpenAPI query parameters."""
    spec = client.get("/openapi.json").get_json()["paths"]
    for path, method, endpoint in _operations(app):
        published = {
            p["name"] for p in spec[path][method.lower()].get("parameters", []) if p.get("in") == "query"
        }
        assert declared_query_args(app.view_functions[endpoint], method) == published, (method, path)
    for path, operations in spec.items():  # the ratings' operations say they can answer it
        if path.startswith("/v1/ratings"):
            assert all("422" in op["responses"] for op in operations.values() if "responses" in op), path
    assert declared_query_args(app.view_functions["ratings.Ratings"], "HEAD") == {
        "limit", "cursor", "external_id", "issued_by", "merchant_id"
    }


def test_declared_arguments_still_work_and_pages_outside_the_api_keep_theirs(
    app: Flask, client: FlaskClient
) -> None:
    bank = bearer(create_key(app, "bank-a", "bank"))
    rating = client.post("/v1/ratings", json=payload(), headers=bank).get_json()["id"]
    assert client.get("/v1/ratings?limit=1&issued_by=any", headers=bank).status_code == 200
    assert client.head("/v1/ratings?limit=1", headers=bank).status_code == 200
    assert client.head("/v1/ratings?limits=1", headers=bank).status_code == 422  # HEAD: no body
    vsme = client.get(f"/v1/ratings/{rating}/disclosure?format=vsme", headers=bank)
    assert vsme.status_code == 200
    page = client.get(f"/v1/ratings/{rating}/disclosure?lang=zh", headers=bank | {"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get("/v1/standard?version=1.1.0", headers=bank).status_code == 200
    assert client.get("/?lang=zh").status_code == 200  # the merchant page's own switch
    assert client.get("/healthz?probe=1").status_code == 200  # not an API operation
    assert client.get("/openapi.json?v=1").status_code == 200
    assert client.delete("/v1/ratings?x=1", headers=bank).status_code == 405  # no operation: as before
    assert client.get("/v1/nothing?x=1", headers=bank).status_code == 404


@pytest.mark.parametrize("query", ["a=1&a=2", "a=", "a", "%61=1"])
def test_every_spelling_of_an_argument_counts(app: Flask, client: FlaskClient, query: str) -> None:
    bank = bearer(create_key(app, "bank-a", "bank"))
    assert _refused(client.get(f"/v1/ratings/rt_{'0' * 32}?{query}", headers=bank), "a")


def test_a_declared_argument_given_twice_is_refused_not_read_once(app: Flask, client: FlaskClient) -> None:
    """`?limit=10&limit=20` answered a page of 10: webargs reads the first value of an argument that is
    not a list, so which of the two the caller meant was decided silently (a bank integrator's review)."""
    bank = bearer(create_key(app, "bank-a", "bank"))
    client.post("/v1/ratings", json=payload(), headers=bank)
    for query, names in [("limit=10&limit=20", ["limit"]), ("limit=10&limit=10", ["limit"]),
                         ("external_id=a&issued_by=any&external_id=b", ["external_id"]),
                         ("limit=1&limit=2&nope=1&nope=2", ["limit", "nope"])]:
        answer = client.get(f"/v1/ratings?{query}", headers=bank)
        body = answer.get_json()
        assert answer.status_code == 422 and set(body["errors"]) == set(names), (query, body)
        assert body["errors"].get("limit", ["Given more than once; give it once."]) == [
            "Given more than once; give it once."]
    rating = client.get("/v1/ratings?issued_by=any", headers=bank).get_json()["items"][0]["id"]
    twice = client.get(f"/v1/ratings/{rating}/disclosure?format=vsme&format=vsme", headers=bank)
    assert twice.status_code == 422 and twice.get_json()["errors"] == {
        "format": ["Given more than once; give it once."]}
    assert client.get("/v1/ratings?limit=10&external_id=a", headers=bank).status_code == 200
    assert client.get("/?lang=zh&lang=en").status_code == 200  # outside the API: the page reads its own


def test_no_declared_query_argument_is_a_list(app: Flask) -> None:
    """The refusal of a repeated argument holds for every declared one: an operation that takes a list
    in the query must let its repeats through first."""
    from marshmallow import fields

    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}):
            handler = getattr(getattr(view, "view_class", None), method.lower(), view)
            for parameter in getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", []):
                if parameter.get("in") not in ("query", "querystring"):
                    continue
                schema = parameter["schema"]
                declared = (schema() if isinstance(schema, type) else schema).fields.values()
                assert not any(isinstance(f, fields.List) for f in declared), (rule.rule, method)


def test_no_query_parameter_is_published_as_nullable_or_empty(app: Flask, client: FlaskClient) -> None:
    """A query string has no null, and an empty filter names nothing: ``GET /v1/model-events``'s ``version``
    was published ``nullable: true, minLength: 0`` (the body-field helper's), so a generated client typed it
    ``str | None`` and ``?version=`` answered an empty trail as if a version named "" had no events. It is a
    422 now, as an empty ``external_id`` of ``GET /v1/ratings`` is, and no query parameter is published
    nullable or with room for an empty string."""
    spec = client.get("/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if method != "parameters" else ():
                if isinstance(parameter, dict) and parameter.get("in") == "query":
                    schema = parameter["schema"]
                    found.append((path, parameter["name"]))
                    assert not schema.get("nullable"), (path, parameter["name"])
                    if schema.get("type") == "string" and not {"enum", "pattern"} & set(schema):
                        if parameter["name"] != "cursor":  # opaque: any text, refused when not one
                            assert schema.get("minLength", 0) >= 1, (path, parameter["name"], schema)
    assert ("/v1/model-events", "version") in found
    analyst = bearer(create_key(app, role="analyst"))
    answer = client.get("/v1/model-events?version=", headers=analyst)
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["version"]
    assert client.get("/v1/model-events?version=sc-1", headers=analyst).status_code == 200
