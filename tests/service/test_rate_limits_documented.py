"""A client learns the rate limits from the contract, not at its first 429, and a 429 names its budget.

A bank integrator's review: the budgets were only in README's operator table. ``info.description`` now
lists this deployment's budgets, read from the settings the service counts with (not the defaults written
out), and the shared 429 answer says where they are. A later review asked to see the budget in the
answers: a 429 of a budget now carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``
(the IETF draft's fields), on the in-process counters and on Redis; other answers carry none (their cost
on every answer is measured in ``service.limits``), and the document says both.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from service.config import load_settings
from service.keys import routes as key_routes
from tests.conftest import AppFactory, bearer, create_key

RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def rate_limit_headers(answer: TestResponse) -> dict[str, str]:
    """The answer's rate-limit headers, of either family (``RateLimit-*``, ``X-RateLimit-*``)."""
    return {name: value for name, value in answer.headers.items() if "ratelimit" in name.lower()}


def assert_names_its_budget(answer: TestResponse, amount: int, window_seconds: int) -> None:
    """A 429 with the refused budget's fields: its amount, nothing left, reset as ``Retry-After`` says."""
    assert answer.status_code == 429
    retry_after = int(answer.headers["Retry-After"])
    assert 1 <= retry_after <= window_seconds
    assert rate_limit_headers(answer) == {
        "RateLimit-Limit": str(amount), "RateLimit-Remaining": "0", "RateLimit-Reset": str(retry_after)}


def _rate_limits(app: Flask) -> str:
    description: str = app.test_client().get("/openapi.json").get_json()["info"]["description"]
    return " ".join(description.split("## Rate limits", 1)[1].split())


def test_the_document_lists_the_budgets_the_deployment_counts_with(make_app: AppFactory) -> None:
    default = _rate_limits(make_app())
    for budget in ("1200 requests per minute per API key", "6000 items per minute per tenant",
                   "60 PDFs per minute per tenant", "60 new keys per hour per tenant", "at most 2 jobs"):
        assert budget in default
    configured = _rate_limits(make_app(RATE_LIMIT="50/second;1000/hour", BATCH_ITEM_RATE_LIMIT="300 per hour",
                                       PDF_RATE_LIMIT="3 per minute", PORTFOLIO_JOBS_PER_TENANT=4))
    for budget in ("50 requests per second and 1000 requests per hour per API key",
                   "300 items per hour per tenant", "3 PDFs per minute per tenant", "at most 4 jobs"):
        assert budget in configured
    for said in (
        "The 429 of a budget also carries the IETF draft's fields for it",
        "`RateLimit-Remaining` (0)",
        "Other answers carry no `RateLimit-*` (nor `X-RateLimit-*`) headers",
    ):
        assert said in configured


@pytest.mark.parametrize("store", ["in-process", "redis"])
def test_a_429_is_as_the_document_says(
    make_app: AppFactory, store: str, request: pytest.FixtureRequest
) -> None:
    """The budget the document names is the one met, named by the 429's headers (the in-process counters
    and Redis alike), as long as it is spent; the answers before it carry none, as the document says."""
    redis = {"REDIS_URL": request.getfixturevalue("redis_url")} if store == "redis" else {}
    app = make_app(RATE_LIMIT="2 per minute", **redis)
    assert "2 requests per minute per API key" in _rate_limits(app)
    client, key = app.test_client(), create_key(app)
    answers = [client.get("/v1/ratings", headers=bearer(key)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    assert [rate_limit_headers(a) for a in answers[:2]] == [{}, {}]
    for refused in answers[2:]:
        assert_names_its_budget(refused, 2, 60)
    first, second = (int(a.headers["RateLimit-Reset"]) for a in answers[2:])
    assert 55 <= second <= first  # the same window, running out
    # another key has its own budget, whole; a path outside /v1 is not limited and says nothing of it
    assert client.get("/v1/ratings", headers=bearer(create_key(app))).status_code == 200
    assert rate_limit_headers(client.get("/healthz")) == {}


@pytest.mark.parametrize("store", ["in-process", "redis"])
def test_a_tenants_budget_names_itself_not_the_keys(
    make_app: AppFactory, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 of a tenant's budget (new keys) carries that budget's fields, not the per-key limit's."""
    monkeypatch.setattr(key_routes, "CREATE_BUDGET", "2 per hour")
    redis = {"REDIS_URL": request.getfixturevalue("redis_url")} if store == "redis" else {}
    app = make_app(**redis)
    client, admin = app.test_client(), create_key(app, "bank-a", "admin")
    answers = [client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "new keys" in answers[-1].get_json()["message"]
    assert_names_its_budget(answers[-1], 2, 3600)
    assert int(answers[-1].headers["Retry-After"]) > 3500  # the hour's window, not the key's minute


def test_the_shared_429_answer_says_where_the_budgets_are(app: Flask) -> None:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    too_many = spec["components"]["responses"]["TOO_MANY_REQUESTS"]
    description = too_many["description"]
    assert "Rate limits" in description and "Only 429s carry `RateLimit-*` headers" in description
    assert set(RATE_LIMIT_HEADERS) <= set(too_many["headers"])
    assert {"Retry-After", "X-Request-ID"} <= set(too_many["headers"])  # as before
    assert "RateLimit-Limit" not in spec["components"]["responses"]["SERVICE_UNAVAILABLE"]["headers"]
    assert spec["paths"]["/v1/ratings"]["post"]["responses"]["429"] == {
        "$ref": "#/components/responses/TOO_MANY_REQUESTS"}


def test_how_the_budgets_are_counted_follows_the_redis_setting() -> None:
    from service.openapi import rate_limits

    alone = " ".join(rate_limits(load_settings({}), "60 per hour").split())
    with_redis = load_settings({"REDIS_URL": "redis://127.0.0.1:6379/11"})
    shared = " ".join(rate_limits(with_redis, "60 per hour").split())
    assert "each of its worker processes counts alone" in alone
    assert "counted in Redis" in shared and "while Redis is down" in shared
