"""A NUL in an id, a query string or a text field never reaches PostgreSQL as a 500.

PostgreSQL refuses NUL in text (psycopg raises before the query runs); SQLite stores it. Either way a
hostile id is an id that does not exist (404), a hostile query value is a 422 naming the parameter, and
a text field with a NUL is refused field by field (422), on the real PostgreSQL server.
"""

from __future__ import annotations

import pytest
from flask import Flask

from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_app(make_app: AppFactory, postgres_url: str) -> Flask:
    app = make_app(DATABASE_URL=postgres_url)
    migrate.upgrade(services_of(app).db)
    return app


@pytest.mark.parametrize("path", [
    "/v1/ratings/rt_a%00b", "/v1/ratings/rt_a%00b/disclosure", "/v1/models/sc-%00x",
    "/v1/portfolios/pf_%00", "/v1/merchants/m%00x/profile",
])
def test_nul_in_a_path_is_not_found(pg_app: Flask, path: str) -> None:
    client, key = pg_app.test_client(), create_key(pg_app)
    response = client.get(path, headers=bearer(key))
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["code"] == 404


def test_nul_in_a_query_value_is_a_field_error(pg_app: Flask) -> None:
    client, key = pg_app.test_client(), create_key(pg_app)
    response = client.get("/v1/ratings?external_id=a%00b", headers=bearer(key))
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == ["external_id"]


@pytest.mark.parametrize("field", ["name", "external_id"])
def test_nul_in_a_text_field_is_a_field_error(pg_app: Flask, field: str) -> None:
    client, key = pg_app.test_client(), create_key(pg_app)
    response = client.post("/v1/ratings", json=payload(**{field: "Green\u0000Cafe"}), headers=bearer(key))
    assert response.status_code == 422, response.get_json()
    assert f"company.{field}" in response.get_json()["errors"]
