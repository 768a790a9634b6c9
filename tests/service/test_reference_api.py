"""``/v1/standard``, ``/v1/models/{version}``, ``/v1/emission-factors`` for every role."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import bearer, create_key, payload, services_of


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


def test_an_earlier_published_standard_is_served_for_the_ratings_that_cite_it(
    client: FlaskClient, bank_key: str
) -> None:
    import hashlib

    from rating_model.standard import STANDARD_DIR, load_standard

    released = client.get("/v1/standard?version=1.0.0", headers=bearer(bank_key))
    assert released.status_code == 200
    body = released.json
    assert body["version"] == "1.0.0" and body["document"]["version"] == "1.0.0"
    assert body["sha256"] == load_standard(STANDARD_DIR / "greenrate-sme-1.0.yaml").sha256
    assert "blocks_green_loan" not in str(body["document"]["knock_outs"])  # verbatim, as released
    active = client.get(f"/v1/standard?version={load_standard().version}", headers=bearer(bank_key))
    assert active.json == client.get("/v1/standard", headers=bearer(bank_key)).json
    # as a rating's versions.standard names it (it was a 422: client review)
    rated = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key)).json["versions"]["standard"]
    assert client.get(f"/v1/standard?version={rated}", headers=bearer(bank_key)).json == active.json
    earlier = client.get("/v1/standard?version=greenrate-sme@1.1.0", headers=bearer(bank_key))
    assert earlier.status_code == 200 and earlier.json["version"] == "1.1.0"
    other = client.get("/v1/standard?version=other-standard@1.1.0", headers=bearer(bank_key))
    assert other.status_code == 404 and "never published" in other.json["message"]
    assert hashlib.sha256(released.data).hexdigest() != hashlib.sha256(active.data).hexdigest()
    never = client.get("/v1/standard?version=9.9.9", headers=bearer(bank_key))
    assert never.status_code == 404 and "never published" in never.json["message"]
    for bad in ("?version=latest", "?versoin=1.0.0"):
        assert client.get("/v1/standard" + bad, headers=bearer(bank_key)).status_code == 422, bad


def test_emission_factors_answer_the_set_a_rating_names(client: FlaskClient, bank_key: str) -> None:
    """``?version=`` had been ignored, and every set answered (client review)."""
    everything = client.get("/v1/emission-factors", headers=bearer(bank_key)).json
    assert len(everything["factor_sets"]) >= 2
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key)).json
    rated = rating["versions"]["factor_set"]
    one = client.get(f"/v1/emission-factors?version={rated}", headers=bearer(bank_key))
    assert one.status_code == 200 and [s["version"] for s in one.json["factor_sets"]] == [rated]
    assert one.json["factor_sets"][0] == next(s for s in everything["factor_sets"] if s["version"] == rated)
    missing = client.get("/v1/emission-factors?version=cn-1999.1", headers=bearer(bank_key))
    assert missing.status_code == 404 and "never published" in missing.json["message"]
    unknown = client.get("/v1/emission-factors?set=cn-2024.2", headers=bearer(bank_key))
    assert unknown.status_code == 422 and "set" in unknown.json["errors"]
