"""Diesel burned on site (a standby generator, an oil-fired boiler) on the merchant page.

The standard's reason and remedy for fuels left out tell a merchant to report "piped gas, bottled gas, coal
or diesel" (standard 1.12.0's ``energy.fuels`` reason and ``fuels_not_reported`` remedy, "煤或柴油"), and
the API's ``energy.fuels`` takes diesel, but the page offered piped gas, bottled gas and coal only: a
workshop with a diesel generator was told to report what the page could not take. Diesel is asked in
litres, the unit of its delivery notes.

Assertions are on the operating data the page sends and on the inventory being filled from it, never on
scores or grades: the default model and standard move on their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import escape

from service.web.form import parse_form
from service.web.i18n import texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _stored_input, _stored_rating
from tests.service.test_merchant_page_fuel_switch import BASE


def _diesel(**answers: str) -> Any:
    parsed = parse_form({**BASE, "fuel": "diesel", **answers})
    assert parsed.payload is not None, parsed.errors
    return parsed.payload["energy"]["fuels"]


@pytest.mark.parametrize("typed", ["600", "600升", "600 L", "600公升", "600 litres", "600l"])
def test_diesel_is_read_in_litres(typed: str) -> None:
    assert _diesel(fuel_amount=typed) == [{"fuel": "diesel", "quantity": 600, "unit": "L"}]


@pytest.mark.parametrize("typed", ["", "600公斤", "3000方"])
def test_diesel_without_an_amount_in_litres_is_asked_for_it(typed: str) -> None:
    """Left empty it is refused, not estimated: the sector-default estimate is of piped natural gas, so the
    owner's answer would be lost; another fuel's unit is refused with diesel's own message."""
    parsed = parse_form({**BASE, "fuel": "diesel", "fuel_amount": typed})
    assert parsed.payload is None
    assert parsed.errors["fuel_amount"].key == "fuel_forms_diesel"


def test_last_years_diesel_replaced_by_electricity() -> None:
    parsed = parse_form({**BASE, "fuel": "none", "previous_fuel_type": "diesel", "previous_fuel": "1,200升"})
    assert parsed.payload is not None, parsed.errors
    assert parsed.payload["energy"]["fuels"] == []
    assert parsed.payload["previous_year"]["energy"]["fuels"] == [
        {"fuel": "diesel", "quantity": 1200, "unit": "L"}]


def test_the_page_offers_diesel_in_both_languages_with_its_unit(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        said = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<option value="diesel" >{escape(said["fuel_diesel"])}</option>' in page
        assert ("diesel in litres" if lang == "en" else "柴油填升") in said["fuel_amount_hint"]
        assert said["fuel_forms_diesel"]


def test_a_rating_from_the_page_counts_the_diesel_in_scope_1(make_app: AppFactory) -> None:
    """The diesel reaches the recorded input and fills Scope 1; the fuels are reported, so the standard's
    ``fuels_not_reported`` cap (whose remedy names diesel) does not apply."""
    app: Flask = _app(make_app)
    client = app.test_client()
    response = _post(client, fuel="diesel", fuel_amount="600升")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    sent = _stored_input(app, location)["energy"]["fuels"]
    assert sent == [{"fuel": "diesel", "quantity": 600, "unit": "L"}]
    rating = _stored_rating(app, location)
    assert rating["emissions"]["scope1"] > 0
    assert "energy.fuels" not in rating["data_quality"]["estimated_fields"]
    assert "fuels_not_reported" not in [k["id"] for k in rating["knock_outs"]]
