"""A bank's loan-origination client, end to end, as its integrator writes it against ``/openapi.json``.

The bank's operator creates the tenant's admin key with ``greenrate keys create`` (its last line is the
key); the origination system's own bank key is created with ``POST /v1/keys``; the system rates a
borrower with its loan, reads the rating back by its ``Location``, retries a call that timed out, lists
the loan's ratings by ``external_id``, fetches the disclosure for the credit file, and the bank's auditor
re-derives the rating with ``greenrate ratings verify``. Every answer is read as a client generated from
the document reads it: a strict OpenAPI 3.0 validator over its body and every header it sends
(:func:`tests.service.contract.contract_errors`).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.cli import main
from tests.conftest import bearer, payload, services_of
from tests.service.contract import contract_errors, undeclared_headers

LOAN_REFERENCE = "LN-2026-000417"


def _borrower() -> dict[str, Any]:
    body = payload(external_id=LOAN_REFERENCE, name="Ningbo Bright Print Co.")
    body["loan"] = {"amount": 800_000, "currency": "CNY", "outstanding": 800_000,
                    "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 2_400_000}
    return body


class _Client:
    """The bank's HTTP layer: every answer checked against the operation the document declares."""

    def __init__(self, client: FlaskClient, key: str | None = None) -> None:
        self.client = client
        self.headers = bearer(key) if key else {}
        self.spec: dict[str, Any] = client.get("/openapi.json").get_json()

    def call(self, method: str, template: str, url: str | None = None, **kwargs: Any) -> TestResponse:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        answer = self.client.open(url or template, method=method.upper(), headers=headers, **kwargs)
        if answer.status_code == 304:  # no body: its headers only
            assert undeclared_headers(self.spec, template, method, answer) == [], (method, url or template)
        else:
            assert contract_errors(self.spec, template, method, answer) == [], (method, url or template)
        assert answer.headers["X-Request-ID"]
        return answer


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_a_loan_is_originated_on_a_rating_the_bank_can_read_again_list_and_prove(
    app: Flask, client: FlaskClient
) -> None:
    code, output = _cli(app, "keys", "create", "--tenant", "ningbo-bank", "--role", "admin")
    assert code == 0, output
    admin = _Client(client, output.strip().splitlines()[-1])

    creation = str(uuid.uuid4())
    created = admin.call("post", "/v1/keys", json={"role": "bank", "label": "loan-origination"},
                         headers={"Idempotency-Key": creation})
    assert created.status_code == 201
    again = admin.call("post", "/v1/keys", json={"role": "bank", "label": "loan-origination"},
                       headers={"Idempotency-Key": creation})  # the first answer was lost
    assert again.status_code == 409 and again.headers["Location"] == created.headers["Location"]
    bank = _Client(client, created.get_json()["key"])

    origination = {"Idempotency-Key": str(uuid.uuid4())}  # one per origination call, kept for its retries
    issued = bank.call("post", "/v1/ratings", json=_borrower(), headers=origination)
    assert issued.status_code == 201 and issued.headers["X-Cache"] == "miss"
    assert issued.headers["Idempotent-Replayed"] == "false"
    rating = issued.get_json()
    assert issued.headers["Location"] == f"/v1/ratings/{rating['id']}"
    assert rating["external_id"] == LOAN_REFERENCE and rating["financed_emissions"] is not None
    assert issued.headers["X-Issued-By"] == "bank"

    # the origination call timed out on the bank's side: sent again, it is the same rating
    retried = bank.call("post", "/v1/ratings", json=_borrower(), headers=origination)
    assert retried.status_code == 201 and retried.headers["X-Cache"] == "hit"
    assert retried.get_data() == issued.get_data() and retried.headers["Idempotent-Replayed"] == "true"
    unkeyed = bank.call("post", "/v1/ratings", json=_borrower())  # a system that sends no key: by input
    assert unkeyed.get_data() == issued.get_data() and "Idempotent-Replayed" not in unkeyed.headers

    # the credit file keeps the rating as issued, and re-reads it by its Location
    fetched = bank.call("get", "/v1/ratings/{rating_id}", issued.headers["Location"])
    assert fetched.status_code == 200 and fetched.get_data() == issued.get_data()
    assert fetched.headers["ETag"] == f'"{hashlib.sha256(issued.get_data()).hexdigest()}"'
    assert fetched.headers["X-Input-SHA256"] == issued.headers["X-Input-SHA256"]
    unchanged = bank.call("get", "/v1/ratings/{rating_id}", issued.headers["Location"],
                          headers={"If-None-Match": fetched.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    listed = bank.call("get", "/v1/ratings", f"/v1/ratings?external_id={LOAN_REFERENCE}&limit=5")
    page = listed.get_json()
    assert [item["id"] for item in page["items"]] == [rating["id"]] and page["next_cursor"] is None
    item = page["items"][0]
    assert item["input_sha256"] == issued.headers["X-Input-SHA256"] and item["issued_by"] == "bank"
    assert (item["score"], item["grade"]) == (rating["score"], rating["grade"])

    disclosure_path = "/v1/ratings/{rating_id}/disclosure"
    disclosure = bank.call("get", disclosure_path, f"/v1/ratings/{rating['id']}/disclosure",
                           headers={"Accept": "application/json"})
    assert disclosure.status_code == 200 and disclosure.get_json()["rating"]["id"] == rating["id"]
    vsme = bank.call("get", disclosure_path, f"/v1/ratings/{rating['id']}/disclosure?format=vsme")
    assert vsme.status_code == 200
    page_html = bank.call("get", disclosure_path, f"/v1/ratings/{rating['id']}/disclosure",
                          headers={"Accept": "text/html"})
    assert page_html.status_code == 200 and rating["id"].encode() in page_html.get_data()

    code, output = _cli(app, "ratings", "verify", rating["id"])
    assert code == 0, output
    assert "re-derived byte for byte" in output and "signature valid" in output

    # another tenant's origination system cannot see the loan's rating
    code, output = _cli(app, "keys", "create", "--tenant", "other-bank", "--role", "bank")
    stranger = _Client(client, output.strip().splitlines()[-1])
    assert stranger.call("get", "/v1/ratings/{rating_id}", issued.headers["Location"]).status_code == 404
    other = stranger.call("get", "/v1/ratings", f"/v1/ratings?external_id={LOAN_REFERENCE}")
    assert other.get_json()["items"] == []
