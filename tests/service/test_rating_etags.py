"""``GET /v1/ratings/{id}``: a strong ``ETag``, the stored sha256 of the body served, and the conditional
reads it allows (RFC 9110: ``If-None-Match`` answers 304, ``If-Match`` 412), after the same checks as a 200.

A bank's auditor re-reading ratings a year on had nothing but the whole body to tell a rating unchanged from
the copy it kept (audit review).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors, undeclared_headers
from tests.service.tampering import guard_lifted

PATH = "/v1/ratings/{rating_id}"


def _stored_sha256(app: Flask, rating_id: str) -> str:
    with services_of(app).db.connect() as conn:
        query = select(ratings.c.result_sha256).where(ratings.c.id == rating_id)
        stored: str = conn.execute(query).scalar_one()
    return stored


def _issue(client: FlaskClient, key: str, **company: object) -> str:
    issued = client.post("/v1/ratings", json=payload(**company), headers=bearer(key))
    assert issued.status_code == 201, issued.json
    rating_id: str = issued.json["id"]
    return rating_id


def _get(client: FlaskClient, rating_id: str, key: str, **headers: str) -> TestResponse:
    return client.get(f"/v1/ratings/{rating_id}", headers={**bearer(key), **headers})


def test_a_rating_read_by_id_carries_its_stored_body_hash_as_a_strong_etag(app: Flask) -> None:
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    read = _get(client, rating_id, key)
    assert read.status_code == 200
    stored = _stored_sha256(app, rating_id)
    assert read.headers["ETag"] == f'"{stored}"'  # strong: no W/
    assert stored == hashlib.sha256(read.data).hexdigest()  # the bytes served, as the auditor kept them
    spec = client.get("/openapi.json").get_json()
    assert contract_errors(spec, PATH, "get", read) == []
    # another rating, another tag; the same rating, the same tag, whichever key of the tenant reads it
    other = _get(client, _issue(client, key, name="Other shop"), key)
    assert other.headers["ETag"] != read.headers["ETag"]
    assert _get(client, rating_id, create_key(app)).headers["ETag"] == read.headers["ETag"]


@pytest.mark.parametrize("condition", [
    "{tag}", "W/{tag}", '"0000", {tag}', '"0000",W/{tag}', "*",
], ids=["exact", "weak", "list", "weak in a list", "star"])
def test_if_none_match_answers_304_without_a_body_and_with_the_same_etag(app: Flask, condition: str) -> None:
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    full = _get(client, rating_id, key)
    tag = full.headers["ETag"]
    not_modified = _get(client, rating_id, key, **{"If-None-Match": condition.format(tag=tag)})
    assert not_modified.status_code == 304
    assert not_modified.data == b"" and "Content-Type" not in not_modified.headers
    assert not_modified.headers["ETag"] == tag
    assert not_modified.headers["Cache-Control"] == full.headers["Cache-Control"] == "no-store"
    assert not_modified.headers["X-Request-ID"]
    spec = client.get("/openapi.json").get_json()
    assert undeclared_headers(spec, PATH, "get", not_modified) == []
    head = client.head(f"/v1/ratings/{rating_id}", headers={**bearer(key), "If-None-Match": tag})
    assert head.status_code == 304 and head.headers["ETag"] == tag


@pytest.mark.parametrize("condition", ['"0000"', 'W/"0000", "1111"'], ids=["other", "list"])
def test_a_tag_that_does_not_match_is_answered_the_rating(app: Flask, condition: str) -> None:
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    tag = _get(client, rating_id, key).headers["ETag"]
    read = _get(client, rating_id, key, **{"If-None-Match": condition})
    assert read.status_code == 200 and read.headers["ETag"] == tag
    assert json.loads(read.data)["id"] == rating_id


def test_if_match_answers_412_unless_the_rating_is_that_tag(app: Flask) -> None:
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    tag = _get(client, rating_id, key).headers["ETag"]
    spec = client.get("/openapi.json").get_json()
    for matching in (tag, "*", f'"0000", {tag}'):
        assert _get(client, rating_id, key, **{"If-Match": matching}).status_code == 200, matching
    for failing in ('"0000"', f"W/{tag}"):  # If-Match compares strongly: a weak tag never matches
        refused = _get(client, rating_id, key, **{"If-Match": failing})
        assert refused.status_code == 412, failing
        assert refused.json["code"] == 412 and "If-Match" in refused.json["message"]
        assert contract_errors(spec, PATH, "get", refused) == []
    # If-Match first, then If-None-Match (RFC 9110, 13.2.2)
    both = _get(client, rating_id, key, **{"If-Match": tag, "If-None-Match": tag})
    assert both.status_code == 304


def test_a_304_is_as_authenticated_and_tenant_scoped_as_the_rating(make_app: AppFactory, capsys) -> None:
    """A matching tag is no key: without one 401, another tenant's or another merchant's key 404, and the
    access line names the key and the rating as for a 200."""
    app = make_app(ACCESS_LOG=True)
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    tag = _get(client, rating_id, key).headers["ETag"]
    condition = {"If-None-Match": tag}
    assert client.get(f"/v1/ratings/{rating_id}", headers=condition).status_code == 401
    assert _get(client, rating_id, "gr_no-such-key", **condition).status_code == 401
    assert _get(client, rating_id, create_key(app, "bank-b"), **condition).status_code == 404
    merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-7")
    assert _get(client, rating_id, merchant, **condition).status_code == 404
    assert _get(client, rating_id, key, **condition).status_code == 304
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (access,) = [line for line in lines if line.get("event") == "request" and line["status"] == 304]
    assert access["rating_id"] == rating_id and access["tenant"] == "bank-a" and access["key_id"] is not None


def test_a_record_whose_stored_body_hash_is_not_its_body_is_refused_not_tagged(app: Flask) -> None:
    """The ETag is the stored hash, so a read by id now refuses a record whose stored hash was changed (as
    the list, which checks the signature against it, always did) instead of tagging the body with it."""
    client, key = app.test_client(), create_key(app)
    rating_id = _issue(client, key)
    tag = _get(client, rating_id, key).headers["ETag"]
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings", ("UPDATE",)):
        conn.execute(update(ratings).where(ratings.c.id == rating_id).values(result_sha256="0" * 64))
    for condition in ({}, {"If-None-Match": tag}, {"If-None-Match": f'"{"0" * 64}"'}):
        refused = _get(client, rating_id, key, **condition)
        assert refused.status_code == 500 and "ETag" not in refused.headers, condition
