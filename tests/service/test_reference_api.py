"""``/v1/standard``, ``/v1/models/{version}``, ``/v1/emission-factors`` for every role."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import bearer, create_key, services_of


@pytest.mark.parametrize("role", ["bank", "merchant", "analyst", "admin"])
def test_documents_for_any_role(app: Flask, client: FlaskClient, role: str) -> None:
    key = create_key(app, "t", role, merchant_id="m" if role == "merchant" else None)
    engine = services_of(app).engines.current().engine
    standard = client.get("/v1/standard", headers=bearer(key))
    assert standard.status_code == 200 and standard.json == engine.standard_document()
    model = client.get("/v1/models/active", headers=bearer(key))
    assert model.status_code == 200 and model.json == engine.model_document()
    assert {"version", "artifact", "points_table", "card"} <= set(model.json)
    by_version = client.get(f"/v1/models/{engine.versions['model']}", headers=bearer(key))
    assert by_version.data == model.data
    factors = client.get("/v1/emission-factors", headers=bearer(key))
    assert factors.status_code == 200 and factors.json["factor_sets"]


def test_other_model_versions_are_404(client: FlaskClient, bank_key: str) -> None:
    response = client.get("/v1/models/not-a-version", headers=bearer(bank_key))
    assert response.status_code == 404 and response.json["code"] == 404


def test_documents_need_a_key(client: FlaskClient) -> None:
    for path in ("/v1/standard", "/v1/models/active", "/v1/emission-factors"):
        assert client.get(path).status_code == 401


def test_swapping_the_engine_changes_what_is_served(app: Flask, client: FlaskClient, bank_key: str) -> None:
    slot = services_of(app).engines
    before = slot.current()
    slot.set_engine(before.engine)
    after = slot.current()
    assert after is not before and after.engine is before.engine
    assert client.get("/v1/models/active", headers=bearer(bank_key)).status_code == 200
