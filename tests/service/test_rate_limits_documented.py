"""A client learns the rate limits from the contract, not at its first 429.

A bank integrator's review: the budgets were only in README's operator table. ``info.description`` now
lists this deployment's budgets, read from the settings the service counts with (not the defaults written
out), the shared 429 answer says where they are, and both say that no ``RateLimit-*`` headers are sent,
which is what a 429 shows.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.config import load_settings
from tests.conftest import AppFactory, bearer, create_key


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
    assert "No `RateLimit-*` or `X-RateLimit-*` headers are sent" in configured


def test_a_429_is_as_the_document_says(make_app: AppFactory) -> None:
    """The budget the document names is the one met, with Retry-After and without rate-limit headers."""
    app = make_app(RATE_LIMIT="2 per minute")
    assert "2 requests per minute per API key" in _rate_limits(app)
    client, key = app.test_client(), create_key(app)
    answers = [client.get("/v1/ratings", headers=bearer(key)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert [h for h in answers[-1].headers.keys() if "ratelimit" in h.lower()] == []


def test_the_shared_429_answer_says_where_the_budgets_are(app: Flask) -> None:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    description = spec["components"]["responses"]["TOO_MANY_REQUESTS"]["description"]
    assert "Rate limits" in description and "No `RateLimit-*` headers" in description
    assert spec["paths"]["/v1/ratings"]["post"]["responses"]["429"] == {
        "$ref": "#/components/responses/TOO_MANY_REQUESTS"}


def test_how_the_budgets_are_counted_follows_the_redis_setting() -> None:
    from service.openapi import rate_limits

    alone = " ".join(rate_limits(load_settings({}), "60 per hour").split())
    with_redis = load_settings({"REDIS_URL": "redis://127.0.0.1:6379/11"})
    shared = " ".join(rate_limits(with_redis, "60 per hour").split())
    assert "each of its worker processes counts alone" in alone
    assert "counted in Redis" in shared and "while Redis is down" in shared
