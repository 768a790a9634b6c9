"""JSON bodies are UTF-8, and the answers say so (a bank integrator's review of the live API).

A body declared ``Content-Type: application/json; charset=iso-8859-1`` with Latin-1 bytes was answered
400 "not valid JSON", as if its syntax were wrong; a UTF-8 byte order mark and a UTF-16 body were answered
the same. RFC 8259 makes UTF-8 the only encoding of JSON exchanged between systems, and gives the media
type no charset parameter ("no effect on compliant recipients"): what was read before still is.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.records.tables import ratings
from tests.conftest import bearer, create_key, payload, services_of


def _count(app: Flask) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ratings)).scalar_one())


def _body(**company: Any) -> dict[str, Any]:
    return payload(name="Café Hangzhou", **company)


def _post(client: FlaskClient, key: str, data: bytes, content_type: str, path: str = "/v1/ratings") -> Any:
    return client.post(path, data=data, headers={**bearer(key), "Content-Type": content_type})


def test_a_body_declared_in_another_charset_is_415_saying_json_is_utf8(
    app: Flask, client: FlaskClient
) -> None:
    bank = create_key(app)
    latin1 = json.dumps(_body(), ensure_ascii=False).encode("latin-1")
    refused = _post(client, bank, latin1, "application/json; charset=iso-8859-1")
    assert refused.status_code == 415
    assert "UTF-8" in refused.get_json()["message"] and "RFC 8259" in refused.get_json()["message"]
    assert _count(app) == 0
    for content_type in ("application/json; charset=utf-16", "application/json; charset=windows-1252"):
        assert _post(client, bank, latin1, content_type).status_code == 415


def test_a_declared_charset_is_ignored_while_the_bytes_are_utf8(app: Flask, client: FlaskClient) -> None:
    """As RFC 8259 says of the parameter, and as these bodies were read before: not a breaking change."""
    bank = create_key(app)
    ascii_only = json.dumps(_body()).encode()  # \u-escaped: the same text in ASCII, Latin-1 or UTF-8
    issued = _post(client, bank, ascii_only, "application/json; charset=ISO-8859-1")
    assert issued.status_code == 201 and issued.get_json()["external_id"] == "loan-0001"
    utf8 = json.dumps(_body(), ensure_ascii=False).encode()
    same = _post(client, bank, utf8, "application/json; charset=iso-8859-1")
    assert same.status_code == 201 and same.get_json()["id"] == issued.get_json()["id"]  # read as UTF-8


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
    'application/json; charset="utf-8"', "application/json; charset=utf8",
])
def test_utf8_however_it_is_named_is_taken(app: Flask, client: FlaskClient, content_type: str) -> None:
    data = json.dumps(_body(), ensure_ascii=False).encode()
    answer = _post(client, create_key(app), data, content_type)
    assert answer.status_code == 201 and answer.get_json()["external_id"] == "loan-0001"


def test_every_json_operation_refuses_bytes_in_another_charset(app: Flask, client: FlaskClient) -> None:
    bank, admin = create_key(app), create_key(app, "bank-a", "admin")
    latin1 = "application/json; charset=latin1"
    cases = [
        (bank, "/v1/ratings/batch", {"items": [_body()]}, "post"),
        (bank, "/v1/merchants/m-1/profile", _body(), "put"),
        (admin, "/v1/keys", {"role": "bank", "label": "Café"}, "post"),
    ]
    for key, path, body, method in cases:
        data = json.dumps(body, ensure_ascii=False).encode("latin-1")
        answer = getattr(client, method)(path, data=data, headers={**bearer(key), "Content-Type": latin1})
        assert answer.status_code == 415 and "UTF-8" in answer.get_json()["message"], path
    assert _count(app) == 0


def test_a_byte_order_mark_is_refused_saying_what_to_remove(app: Flask, client: FlaskClient) -> None:
    """RFC 8259 lets a parser ignore a BOM but forbids sending one: refused with a message naming it, so
    the bytes a bank keeps for audit are the JSON text the rating was read from, with no prefix."""
    bank = create_key(app)
    data = json.dumps(_body(), ensure_ascii=False).encode()
    refused = _post(client, bank, b"\xef\xbb\xbf" + data, "application/json")
    assert refused.status_code == 400 and "byte order mark" in refused.get_json()["message"]
    assert _count(app) == 0
    assert _post(client, bank, data, "application/json").status_code == 201


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-16-le", "utf-32"])
def test_bytes_that_are_not_utf8_are_400_saying_so(app: Flask, client: FlaskClient, encoding: str) -> None:
    data = json.dumps(_body(), ensure_ascii=False).encode(encoding)
    refused = _post(client, create_key(app), data, "application/json")  # no charset said otherwise
    assert refused.status_code == 400 and "not UTF-8" in refused.get_json()["message"]
    assert _count(app) == 0


def test_accept_is_ignored_by_json_only_operations_and_negotiated_by_the_disclosure(
    app: Flask, client: FlaskClient
) -> None:
    """The documented choice: JSON-only operations answer JSON whatever `Accept` says (RFC 9110 lets a
    server disregard it), at no cost to the rating path; the disclosure, which has several
    representations, answers 406 when none is acceptable."""
    bank = create_key(app)
    xml = {**bearer(bank), "Accept": "application/xml"}
    rated = client.post("/v1/ratings", json=_body(), headers=xml)
    assert rated.status_code == 201 and rated.mimetype == "application/json"
    assert client.get(rated.headers["Location"], headers=xml).status_code == 200
    assert client.get("/v1/ratings", headers=xml).mimetype == "application/json"
    assert client.get(rated.headers["Location"] + "/disclosure", headers=xml).status_code == 406
