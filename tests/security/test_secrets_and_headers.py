"""Keys never reach a log line or a table in plain text; every response carries the security headers."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from flask import Flask

from service.auth import PREFIX_LENGTH, ROLES
from service.config import load_settings
from service.config.values import ConfigError
from service.records.tables import api_keys, ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.security.test_access_control import v1_operations

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def secret_parts(key: str) -> list[str]:
    """What must never be written: the key, its secret part, and the hash that authenticates it."""
    return [
        key,
        key[PREFIX_LENGTH:],
        key[PREFIX_LENGTH : PREFIX_LENGTH + 16],
        hashlib.sha256(key.encode()).hexdigest(),
    ]


def test_keys_never_appear_in_the_logs(
    make_app: AppFactory, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(ACCESS_LOG=True, LOG_LEVEL="DEBUG", PROPAGATE_EXCEPTIONS=False, RATE_LIMIT="6 per minute")
    client = app.test_client()
    keys = {
        role: create_key(app, "bank-a", role, merchant_id="m-1" if role == "merchant" else None)
        for role in ROLES
    }
    wrong = "gr_" + "Z" * 43

    @app.get("/v1/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    caplog.set_level(logging.DEBUG)
    capfd.readouterr()
    bank = bearer(keys["bank"])
    client.post("/v1/ratings", json=payload(), headers=bank)  # 201
    client.post("/v1/ratings", json=payload(), headers=bank)  # 201, cache hit
    client.post("/v1/ratings", data="{", headers={**bank, "Content-Type": "application/json"})  # 400
    client.post("/v1/ratings", json={"company": 1}, headers=bank)  # 422
    client.get("/v1/ratings/rt_missing", headers=bank)  # 404
    client.get("/v1/boom", headers=bank)  # 500 with a traceback in the log
    for key in keys.values():
        for method, _, path, _ in v1_operations(app):
            client.open(path, method=method, headers=bearer(key))  # 2xx/403/404/422 and, soon, 429
    client.get("/v1/ratings", headers=bearer(wrong))  # 401
    client.get("/v1/ratings", headers={"Authorization": wrong})  # 401, no scheme
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert len(lines) >= 10 and all(json.loads(line)["request_id"] for line in lines if '"request"' in line)
    statuses = {json.loads(line).get("status") for line in lines}
    assert {201, 400, 401, 403, 404, 422, 429, 500} <= statuses, statuses
    for key in [*keys.values(), wrong]:
        for part in secret_parts(key):
            assert part not in logged, "key material in the logs"
    assert "Hangzhou Green Noodle House" not in logged  # nor the company's confidential data


def test_keys_are_stored_only_as_hashes(make_app: AppFactory) -> None:
    app = make_app()
    keys = [
        create_key(app, "bank-a", role, merchant_id="m-1" if role == "merchant" else None) for role in ROLES
    ]
    client = app.test_client()
    assert client.post("/v1/ratings", json=payload(), headers=bearer(keys[0])).status_code == 201
    with services_of(app).db.connect() as conn:
        key_rows = [dict(row._mapping) for row in conn.execute(api_keys.select())]
        rating_rows = [dict(row._mapping) for row in conn.execute(ratings.select())]
    assert len(key_rows) == len(keys) and len(rating_rows) == 1
    dumped = json.dumps([*key_rows, *rating_rows], default=str)
    for key in keys:
        for part in (key, key[PREFIX_LENGTH:], key[PREFIX_LENGTH : PREFIX_LENGTH + 12]):
            assert part not in dumped
    by_hash = {row["key_hash"]: row for row in key_rows}
    for key in keys:
        row = by_hash[hashlib.sha256(key.encode()).hexdigest()]
        assert row["prefix"] == key[:PREFIX_LENGTH] and len(row["prefix"]) <= 11


def _assert_secure(response, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (what, name, response.status_code)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], what
    assert response.headers["X-Request-ID"], what
    documentation = what.rsplit(" ", 1)[-1].startswith(("/docs", "/openapi"))
    if response.status_code >= 400 or not documentation:
        assert response.headers["Cache-Control"] == "no-store", what  # the result pages had none


def test_security_headers_on_every_route_and_every_error(app: Flask) -> None:
    client = app.test_client()
    key = create_key(app, "bank-a", "bank")
    seen: set[int] = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            path = (
                path.split("<", 1)[0]
                + ("swagger-ui.css" if name == "filename" else "rt_x")
                + path.split(">", 1)[1]
            )
        for method in sorted((rule.methods or set()) - {"HEAD"}):
            for headers in ({}, bearer(key)):
                response = client.open(path, method=method, headers=headers)
                _assert_secure(response, f"{method} {path}")
                seen.add(response.status_code)
    for method, path, kwargs in [
        ("GET", "/nowhere", {}),
        ("DELETE", "/v1/ratings", {"headers": bearer(key)}),
        ("POST", "/v1/ratings", {"headers": bearer(key), "data": "{", "content_type": "application/json"}),
        ("POST", "/v1/ratings", {"headers": bearer(key), "data": "x", "content_type": "text/plain"}),
        ("POST", "/v1/ratings", {"headers": bearer(key), "json": {"company": 1}}),
        (
            "POST",
            "/v1/ratings",
            {"headers": bearer(key), "data": "x" * (3 * 1024 * 1024), "content_type": "application/json"},
        ),
    ]:
        response = client.open(path, method=method, **kwargs)
        _assert_secure(response, f"{method} {path}")
        seen.add(response.status_code)
    for path in ("/docs", "/openapi.json", "/healthz", "/readyz", "/metrics"):
        _assert_secure(client.get(path), path)
    assert {200, 400, 401, 404, 405, 413, 415, 422} <= seen, seen


# --- HSTS and the cross-origin isolation headers ------------------------------------------------------------

#: What every answer says besides :data:`SECURITY_HEADERS`: no other site may load it as a resource (an
#: ``<img>`` or ``<script>`` of another origin, Spectre's way in) nor keep a window handle on our pages.
CROSS_ORIGIN_HEADERS = {
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "Strict-Transport-Security"


def test_cross_origin_headers_on_the_api_the_pages_the_docs_and_errors(app: Flask) -> None:
    client = app.test_client()
    for path in ("/v1/ratings", "/", "/docs", "/openapi.json", "/healthz", "/nowhere"):
        response = client.get(path)
        for name, value in CROSS_ORIGIN_HEADERS.items():
            assert response.headers.get(name) == value, (path, name, response.status_code)
            assert len(response.headers.getlist(name)) == 1, (path, name)


def test_hsts_only_over_https(make_app: AppFactory) -> None:
    """A browser ignores HSTS received over plain HTTP (RFC 6797, 8.1), and sending it there would say the
    service thinks it is behind TLS when it is not: it goes with the requests that came over HTTPS."""
    client = make_app().test_client()
    for path in ("/v1/ratings", "/", "/docs", "/nowhere"):
        secure = client.get(path, base_url="https://greenrate.example")
        assert secure.headers.getlist(HSTS) == ["max-age=31536000"], path
        assert HSTS not in client.get(path).headers, path


def test_hsts_behind_a_proxy_follows_the_trusted_proxy_only(make_app: AppFactory) -> None:
    """The scheme the proxy saw (``X-Forwarded-Proto``) counts only from as many proxies as
    ``GREENRATE_PROXY_HOPS`` trusts, as for the client's address: a client cannot forge it."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert HSTS not in make_app().test_client().get("/healthz", headers=forwarded).headers
    proxied = make_app(PROXY_HOPS=1).test_client()
    assert proxied.get("/healthz", headers=forwarded).headers[HSTS] == "max-age=31536000"
    assert HSTS not in proxied.get("/healthz", headers={"X-Forwarded-Proto": "http"}).headers


def test_hsts_max_age_is_configurable_and_0_sends_none(make_app: AppFactory) -> None:
    https = {"base_url": "https://greenrate.example"}
    day = make_app(HSTS_MAX_AGE_SECONDS=86_400).test_client()
    assert day.get("/healthz", **https).headers[HSTS] == "max-age=86400"
    assert HSTS not in make_app(HSTS_MAX_AGE_SECONDS=0).test_client().get("/healthz", **https).headers
    assert load_settings({}, environ={"GREENRATE_HSTS_MAX_AGE_SECONDS": "600"}).hsts_max_age_seconds == 600
    with pytest.raises(ConfigError):
        load_settings({}, environ={"GREENRATE_HSTS_MAX_AGE_SECONDS": "-1"})
