"""``POST /v1/ratings`` with the green instruments' vintage (tests/rating_model/test_green_vintage.py has
the rule): instruments of the reporting year and of another year are both rated, the latter not counted;
a year out of the published bounds is a 422 on its field."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import bearer, payload


def _green(vintage: int, external_id: str) -> dict[str, Any]:
    body = payload(external_id=external_id)
    year = body["company"]["reporting_year"]
    body["energy"].update(green_electricity_kwh=min(10_000, body["energy"]["electricity_kwh"]),
                          green_electricity_instrument="green_power_trade",
                          green_electricity_vintage=year + vintage)
    return body


def test_instruments_of_another_year_are_rated_and_not_counted(client: FlaskClient, bank_key: str) -> None:
    this_year = client.post("/v1/ratings", json=_green(0, "v-0"), headers=bearer(bank_key))
    older = client.post("/v1/ratings", json=_green(-2, "v-2"), headers=bearer(bank_key))
    none = client.post("/v1/ratings", json=payload(external_id="v-none"), headers=bearer(bank_key))
    assert (this_year.status_code, older.status_code, none.status_code) == (201, 201, 201), older.json
    assert this_year.json["emissions"]["scope2_market"] < older.json["emissions"]["scope2_market"]
    assert older.json["emissions"]["scope2_market"] == none.json["emissions"]["scope2_market"]


def test_a_vintage_out_of_bounds_is_refused_on_its_field(client: FlaskClient, bank_key: str) -> None:
    body = _green(0, "v-bad")
    body["energy"]["green_electricity_vintage"] = 1800
    refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == ["energy.green_electricity_vintage"]
