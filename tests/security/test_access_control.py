"""Access control over every ``/v1`` operation, enumerated from the app's own url_map (not a hand list).

The roles an operation accepts are read from the ``requires`` decorator that enforces them, so a new
operation is covered the day it is added: no key and a bad key answer 401, every other role 403, and a
resource of another tenant 404 exactly like a missing one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.auth import ROLES
from tests.conftest import AppFactory, bearer, create_key, payload

ERROR_KEYS = {"code", "status", "message", "request_id"}
SAMPLE_VALUES = {
    "rating_id": "rt_00000000000000000000000000000000",
    "merchant_id": "m-1",
    "version": "active",
    "key_id": "999999",  # no such key: an admin's DELETE must not revoke a key the other checks still use
}


def _allowed_roles(func: Callable[..., Any]) -> frozenset[str] | None:
    """The role set captured by ``requires`` somewhere in the view's decorator chain, if any."""
    seen: set[int] = set()
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, frozenset) and value and value <= set(ROLES):
                return value
        func = getattr(func, "__wrapped__", None)
    return None


_PARAMETER = re.compile(r"<(?:[^<>]*:)?(\w+)>")  # <name> or <converter(args):name> in a Flask rule


def v1_operations(app: Flask) -> Iterator[tuple[str, str, str, frozenset[str] | None]]:
    """(method, rule, concrete path, allowed roles) for every /v1 rule and method of the app."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            view_class = getattr(view, "view_class", None)
            func = getattr(view_class, method.lower()) if view_class is not None else view
            path = _PARAMETER.sub(lambda m: SAMPLE_VALUES.get(m.group(1), "x"), rule.rule)
            assert "<" not in path, f"no sample value for {rule.rule}"
            yield method, rule.rule, path, _allowed_roles(func)


def call(client: FlaskClient, method: str, path: str, key: str | None) -> Any:
    headers = bearer(key) if key else {}
    body = json.dumps(payload()) if method in ("POST", "PUT", "PATCH") else None
    return client.open(path, method=method, data=body, headers=headers, content_type="application/json")


def assert_error(response: Any, code: int, what: str) -> None:
    assert response.status_code == code, (what, response.status_code, response.data[:200])
    body = response.json
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"errors"} and body["code"] == code, what


@pytest.fixture
def keyed_app(make_app: AppFactory) -> tuple[Flask, dict[str, str]]:
    app = make_app(RATE_LIMIT="100000 per minute", FAILED_AUTH_RATE_LIMIT="100000 per minute")
    keys = {
        role: create_key(app, "bank-a", role, merchant_id="m-1" if role == "merchant" else None)
        for role in ROLES
    }
    return app, keys


def test_every_v1_operation_is_enumerated_and_guarded(keyed_app: tuple[Flask, dict[str, str]]) -> None:
    app, _ = keyed_app
    operations = list(v1_operations(app))
    assert len(operations) >= 7
    unguarded = [(m, r) for m, r, _, roles in operations if roles is None]
    assert unguarded == [], f"/v1 operations without a role check: {unguarded}"
    # and the OpenAPI document marks every one of them as needing the bearer key
    spec = app.test_client().get("/openapi.json").json
    for method, rule, _, _ in operations:
        documented_path = _PARAMETER.sub(r"{\1}", rule)
        operation = spec["paths"][documented_path][method.lower()]
        assert operation.get("security") == [{"bearerAuth": []}], (method, rule)
        assert {"401"} <= set(operation["responses"]), (method, rule)


def test_no_key_or_a_bad_key_is_401_everywhere(keyed_app: tuple[Flask, dict[str, str]]) -> None:
    app, _ = keyed_app
    client = app.test_client()
    for method, rule, path, _ in v1_operations(app):
        for key in (None, "gr_" + "A" * 43, "not-even-a-key"):
            response = call(client, method, path, key)
            assert_error(response, 401, f"{method} {rule} key={key}")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "bearer\tgr_x", "Token gr_x"):
            response = client.open(path, method=method, headers={"Authorization": header})
            assert_error(response, 401, f"{method} {rule} Authorization={header!r}")


def test_every_other_role_is_403(keyed_app: tuple[Flask, dict[str, str]]) -> None:
    app, keys = keyed_app
    client = app.test_client()
    refused = 0
    for method, rule, path, allowed in v1_operations(app):
        assert allowed is not None
        for role in set(ROLES) - allowed:
            assert_error(call(client, method, path, keys[role]), 403, f"{role} on {method} {rule}")
            refused += 1
        for role in allowed:
            status = call(client, method, path, keys[role]).status_code
            assert status not in (401, 403), f"{role} refused on {method} {rule}: {status}"
    assert refused > 0


def test_a_foreign_tenants_rating_is_404_on_every_path_that_takes_its_id(make_app: AppFactory) -> None:
    app = make_app(RATE_LIMIT="100000 per minute")
    client = app.test_client()
    owner, stranger = create_key(app, "bank-a", "bank"), create_key(app, "bank-b", "bank")
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(owner))
    assert rating.status_code == 201
    rating_id = rating.json["id"]
    checked = 0
    for method, rule, path, allowed in v1_operations(app):
        if "rating_id" not in rule or method != "GET" or allowed is None or "bank" not in allowed:
            continue
        concrete = path.replace(SAMPLE_VALUES["rating_id"], rating_id)
        assert client.get(concrete, headers=bearer(owner)).status_code == 200, concrete
        foreign = client.get(concrete, headers=bearer(stranger))
        missing = client.get(path, headers=bearer(stranger))
        assert_error(foreign, 404, f"foreign {concrete}")
        assert_error(missing, 404, f"missing {path}")
        assert foreign.json["message"] == missing.json["message"]  # indistinguishable from a missing one
        checked += 1
    assert checked >= 1
    listing = client.get("/v1/ratings", headers=bearer(stranger))
    assert listing.status_code == 200 and listing.json["items"] == []
    by_external = client.get("/v1/ratings?external_id=loan-0001", headers=bearer(stranger))
    assert by_external.json["items"] == []
