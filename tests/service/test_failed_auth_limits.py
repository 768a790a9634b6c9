"""Failed authentications share one budget per client address; a valid key keeps its own, unchanged.

The ``/v1`` limit is counted per key presented, before the key is checked, so each made-up key had a
budget of its own: a client sending a new random key with every request was never limited (security
review). Every ``/v1`` answer 401 (a missing, unknown, revoked or expired key) now also spends its
address's ``GREENRATE_FAILED_AUTH_RATE_LIMIT`` (where authentication fails), and once that is spent the
address's requests without a valid key are 429s. A valid key is exempt from it: it neither spends
nor meets that budget, so one client with a stale key (or an attacker behind the same proxy address)
cannot lock a bank's valid keys out.
"""

from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.limits import share_among_workers
from tests.conftest import AppFactory, bearer, create_key
from tests.service.test_limits_redis_down import dead_redis  # noqa: F401 - a fixture
from tests.service.test_rate_limits_documented import _rate_limits, assert_names_its_budget

ADDRESS = "203.0.113.7"


def _client(app: Flask, address: str = ADDRESS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def made_up() -> dict[str, str]:
    return bearer("gr_" + secrets.token_urlsafe(32))


@pytest.fixture(params=["in-process", "redis"])
def store(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


def test_made_up_keys_share_their_addresss_budget(make_app: AppFactory, store: dict[str, str]) -> None:
    app = make_app(FAILED_AUTH_RATE_LIMIT="3 per minute", **store)
    client = _client(app)
    answers = [client.get("/v1/ratings", headers=made_up()) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    refused = client.get("/v1/ratings", headers=made_up())
    assert_names_its_budget(refused, 3, 60)
    assert "invalid API key" in refused.get_json()["message"] and "address" in refused.get_json()["message"]
    # so is a request with no key at all, and one to another path: one budget per address across /v1
    assert client.get("/v1/models").status_code == 429
    # another address has its own
    assert _client(app, "198.51.100.9").get("/v1/ratings", headers=made_up()).status_code == 401


def test_a_missing_key_spends_the_same_budget(make_app: AppFactory) -> None:
    client = _client(make_app(FAILED_AUTH_RATE_LIMIT="2 per minute"))
    assert client.get("/v1/ratings").status_code == 401
    assert client.get("/v1/ratings", headers=made_up()).status_code == 401
    assert client.get("/v1/ratings", headers=made_up()).status_code == 429


def test_a_valid_keys_budget_is_unchanged(make_app: AppFactory, store: dict[str, str]) -> None:
    """From an address whose failures are spent, a valid key is answered as before, up to its own budget,
    and its requests (a 403 of its role too) spend nothing of the address's."""
    app = make_app(FAILED_AUTH_RATE_LIMIT="2 per minute", RATE_LIMIT="4 per minute", **store)
    client, key = _client(app), create_key(app)
    assert client.get("/v1/keys", headers=bearer(key)).status_code == 403  # a valid key; not a failure
    assert [client.get("/v1/ratings", headers=made_up()).status_code for _ in range(3)] == [401, 401, 429]
    answers = [client.get("/v1/ratings", headers=bearer(key)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert_names_its_budget(answers[-1], 4, 60)  # its own budget, 4, not the address's 2
    assert "for this key" in answers[-1].get_json()["message"]


def test_a_valid_key_spends_nothing_of_the_addresss_budget(make_app: AppFactory) -> None:
    app = make_app(FAILED_AUTH_RATE_LIMIT="2 per minute")
    client, key = _client(app), create_key(app)
    for _ in range(5):
        assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    assert [client.get("/v1/ratings", headers=made_up()).status_code for _ in range(3)] == [401, 401, 429]


def test_paths_outside_v1_neither_spend_nor_meet_it(make_app: AppFactory) -> None:
    client = _client(make_app(FAILED_AUTH_RATE_LIMIT="1 per minute"))
    assert client.get("/v1/ratings").status_code == 401
    assert client.get("/v1/ratings").status_code == 429
    for path in ("/healthz", "/openapi.json", "/"):
        assert client.get(path).status_code == 200, path


def test_while_redis_is_down_each_worker_grants_its_share(
    make_app: AppFactory, dead_redis: str  # noqa: F811 - the fixture
) -> None:
    app = make_app(REDIS_URL=dead_redis, REDIS_TIMEOUT_MS=50, FAILED_AUTH_RATE_LIMIT="4 per minute")
    share_among_workers(app, 2)
    client = _client(app)
    assert [client.get("/v1/ratings", headers=made_up()).status_code for _ in range(3)] == [401, 401, 429]
    assert_names_its_budget(client.get("/v1/ratings", headers=made_up()), 2, 60)


def test_the_document_lists_the_budget(make_app: AppFactory) -> None:
    assert "60 requests per minute per client address" in _rate_limits(make_app())
    configured = _rate_limits(make_app(FAILED_AUTH_RATE_LIMIT="10 per hour"))
    assert "10 requests per hour per client address" in configured
    assert "GREENRATE_FAILED_AUTH_RATE_LIMIT" in configured


def test_a_key_the_database_cannot_look_up_is_its_503_not_a_limiter_failure(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that fails the key's lookup is authentication's 503, as before: no failure is spent, and
    Flask-Limiter does not take it for its own storage failing (which would count every key in this
    worker's memory until it found that storage back)."""
    from sqlalchemy.exc import OperationalError

    from service import auth

    app = make_app(FAILED_AUTH_RATE_LIMIT="1 per minute")
    client, key = _client(app), create_key(app)

    def down(*_: object) -> None:
        raise OperationalError("SELECT ...", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(auth, "find_active_key", down)
    for _ in range(3):  # no 401 is spent: each is the database's 503
        assert client.get("/v1/ratings", headers=bearer(key)).status_code == 503
    limiter = app.extensions["limiter.greenrate"]
    assert limiter.limiter is app.extensions["limiter.greenrate-strategy"]  # its storage, not the fallback
    monkeypatch.undo()
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200


def test_a_valid_key_does_no_work_for_the_budget(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spent where authentication fails, not checked on every request: as a second Flask-Limiter limit that
    a valid key was found exempt from, it had cost every cached rating about 7.6 % more instructions."""
    from service import limits

    app = make_app(FAILED_AUTH_RATE_LIMIT="2 per minute")
    client, key = _client(app), create_key(app)
    spent: list[str] = []
    spend = limits.spend_budget
    monkeypatch.setattr(limits, "spend_budget", lambda limit, *keys, **kw: spent.append(keys[0]) or spend(
        limit, *keys, **kw))
    for _ in range(3):
        assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    assert "failed-authentication" not in spent
    assert client.get("/v1/ratings", headers=made_up()).status_code == 401
    assert spent.count("failed-authentication") == 1
