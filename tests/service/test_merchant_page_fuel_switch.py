"""Last year's fuel chosen apart from this year's on the merchant page.

A business that switched fuel (a restaurant from bottled gas to piped gas, a workshop from a coal boiler
to gas, or to electricity) could give last year's amount of this year's fuel only: the switch, which the
standard compares as a whole (rating_model/neutrality.py), could not be reported, so its change on last
year and its reduction could not show it, and "none" this year refused last year's coal.

Assertions are on the operating data the page sends, the change being assessed and the reduction's sign,
never on scores or grades: the default model and standard move on their own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape

from service.web.form import parse_form
from service.web.fuels import PREVIOUS_FUEL_CHOICES
from service.web.i18n import texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import FORM, _app, _post, _stored_input
from tests.service.test_merchant_page_answers import _errors
from tests.service.test_merchant_page_previous_year import _change

#: a restaurant in Sichuan with no vehicles, its electricity from the bills
BASE = {"industry": "5610", "region": "CN-SC", "employees": "5", "revenue": "80万", "electricity": "15000",
        "electricity_unit": "kwh", "vehicle_fuel": "none", "heat": "none"}
GAS = {"fuel": "natural_gas", "fuel_amount": "3000方"}
GAS_USE = [{"fuel": "natural_gas", "quantity": 3000, "unit": "m3"}]


def _fuels(**answers: str) -> tuple[Any, Any]:
    """This year's and last year's ``energy.fuels`` the page sends for ``answers`` (absent: ``None``)."""
    parsed = parse_form({**BASE, **answers})
    assert parsed.payload is not None, parsed.errors
    previous = parsed.payload.get("previous_year", {}).get("energy", {})
    return parsed.payload["energy"].get("fuels"), previous.get("fuels")


@pytest.mark.parametrize(("answers", "this_year", "last_year"), [
    # the same fuel, left at the default: as before the choice existed, and chosen explicitly alike
    ({**GAS, "previous_fuel": "3,200 m³"}, GAS_USE,
     [{"fuel": "natural_gas", "quantity": 3200, "unit": "m3"}]),
    ({**GAS, "previous_fuel_type": "natural_gas", "previous_fuel": "3200"}, GAS_USE,
     [{"fuel": "natural_gas", "quantity": 3200, "unit": "m3"}]),
    # bottled gas last year, piped gas this year: in bottles of the size chosen, or in kg
    ({**GAS, "previous_fuel_type": "lpg", "previous_fuel": "30瓶", "lpg_bottle_kg": "15"}, GAS_USE,
     [{"fuel": "lpg", "quantity": 450, "unit": "kg"}]),
    ({**GAS, "previous_fuel_type": "lpg", "previous_fuel": "450公斤"}, GAS_USE,
     [{"fuel": "lpg", "quantity": 450, "unit": "kg"}]),
    # a coal boiler replaced by gas: coal in t or kg, a bare number in kg (coal's first unit)
    ({**GAS, "previous_fuel_type": "coal", "previous_fuel": "12吨"}, GAS_USE,
     [{"fuel": "coal", "quantity": 12, "unit": "t"}]),
    ({**GAS, "previous_fuel_type": "coal", "previous_fuel": "11,000"}, GAS_USE,
     [{"fuel": "coal", "quantity": 11000, "unit": "kg"}]),
    # coal replaced by electricity: "none" this year beside last year's coal
    ({"fuel": "none", "previous_fuel_type": "coal", "previous_fuel": "12 t"}, [],
     [{"fuel": "coal", "quantity": 12, "unit": "t"}]),
    # none in either year: chosen, or given as 0 beside "none" as before
    ({"fuel": "none", "previous_fuel_type": "none"}, [], []),
    ({"fuel": "none", "previous_fuel_type": "none", "previous_fuel": "0"}, [], []),
    ({"fuel": "none", "previous_fuel": "0"}, [], []),
    # gas this year, none burned last year (an electric kitchen replaced by a gas one)
    ({**GAS, "previous_fuel_type": "none"}, GAS_USE, []),
    # not given: nothing for last year
    ({**GAS}, GAS_USE, None),
    ({"fuel": "none"}, [], None),
])
def test_the_operating_data_of_last_years_fuel(
    answers: dict[str, str], this_year: Any, last_year: Any
) -> None:
    assert _fuels(**answers) == (this_year, last_year)


def test_the_default_keeps_a_form_without_the_choice_as_it_was() -> None:
    """A form posted without the new field (a page opened before it) sends what it sent before."""
    answers = {**BASE, **GAS, "previous_fuel": "3200"}
    assert parse_form(answers).payload == parse_form({**answers, "previous_fuel_type": ""}).payload


def test_last_years_amount_is_read_in_last_years_fuels_units() -> None:
    """Last year's amount takes the units of the fuel chosen for last year, not this year's."""
    for typed, choice, size, key in (
        ("3000方", "coal", "", "fuel_forms_coal"),  # this year's gas units beside last year's coal
        ("12吨", "lpg", "", "fuel_forms_lpg"),
        ("450公斤", "natural_gas", "", "fuel_forms_natural_gas"),
        ("28瓶", "lpg", "", "bottle_size_needed"),  # bottles of no size: the size is asked
        ("420", "lpg", "15", "bottles_or_kg"),  # bottles or kg? asked, as for this year's
        ("1万2", "coal", "", "wan_and_digits"),
    ):
        parsed = parse_form({**BASE, **GAS, "previous_fuel_type": choice, "previous_fuel": typed,
                             "lpg_bottle_kg": size})
        assert parsed.payload is None, typed
        assert key in {e.key for e in parsed.errors.values()}, (typed, parsed.errors)


def _select(page: str) -> str:
    found = re.search(r'<select id="previous_fuel_type".*?</select>', page, re.S)
    assert found, page[:2000]
    return found.group(0)


def test_the_page_asks_last_years_fuel_in_both_languages(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        said = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<label for="previous_fuel_type">{escape(said["previous_fuel_type"])}</label>' in page
        hint = escape(said["previous_fuel_type_hint"])
        assert f'<p class="hint" id="previous_fuel_type-hint">{hint}</p>' in page
        select = _select(page)
        assert 'aria-describedby="previous_fuel_type-hint"' in select
        options = re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)</option>', select)
        assert [(v, s) for v, s, _ in options] == [("", "selected"), ("natural_gas", ""), ("lpg", ""),
                                                  ("coal", ""), ("diesel", ""), ("none", "")]
        labels = [str(escape(said[key])) for key in PREVIOUS_FUEL_CHOICES.values()]
        assert [text for _, _, text in options] == labels
        # after the choice, before the heat
        assert page.index('id="previous_fuel_type"') < page.index('id="previous_fuel"') < page.index(
            'id="previous_heat"')
    assert texts("en")["previous_fuel_type_same"] == "The same fuel as this year"
    assert texts("zh")["previous_fuel_type_same"] == "与本年相同"


REFUSED = (
    # "none" this year, an amount left at "the same fuel": which fuel was it? chosen explicitly now
    ({"fuel": "none", "fuel_amount": "", "previous_fuel": "12吨"}, "previous_fuel", "previous_fuel_none"),
    ({"fuel": "none", "fuel_amount": "", "previous_fuel_type": "none", "previous_fuel": "5"}, "previous_fuel",
     "previous_fuel_amount_beside_none"),
    ({**GAS, "previous_fuel_type": "coal", "previous_fuel": ""}, "previous_fuel",
     "previous_fuel_amount_needed"),
    ({"fuel": "", "fuel_amount": "", "previous_fuel_type": "coal", "previous_fuel": "12吨"}, "previous_fuel",
     "previous_fuel_needs_this_year"),
    ({"fuel": "natural_gas", "fuel_amount": "", "previous_fuel_type": "none"}, "previous_fuel",
     "previous_fuel_needs_this_year"),
    ({**GAS, "previous_fuel_type": "coal", "previous_fuel": "3000方"}, "previous_fuel", "fuel_forms_coal"),
    ({**GAS, "previous_fuel_type": "oil", "previous_fuel": "12"}, "previous_fuel_type", "invalid_choice"),
)


@pytest.mark.parametrize(("answers", "field", "key"), REFUSED)
def test_last_years_fuel_is_refused_beside_its_field_in_both_languages(
    make_app: AppFactory, answers: dict[str, str], field: str, key: str
) -> None:
    """In the page's own error style, in both languages, the "more details" part open, the answers kept."""
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        said = texts(lang)
        refused = _post(client, lang, **{**FORM, "vehicle_fuel": "none", **answers})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, (answers, lang)
        assert f"{said[field]}{said['colon']}{said[key]}" in _errors(page), (answers, lang)
        assert f'<p class="error" id="{field}-error">{escape(said[key])}</p>' in page
        assert re.search(rf'id="{field}" name="{field}"[^>]* aria-describedby="{field}-hint {field}-error" '
                         r'aria-invalid="true"', page), (answers, lang)
        assert '<details id="more-details" open>' in page
        choice = answers.get("previous_fuel_type", "")
        if choice in PREVIOUS_FUEL_CHOICES:
            assert f'<option value="{choice}" selected>' in _select(page)
        if answers.get("previous_fuel"):
            assert f'name="previous_fuel" inputmode="decimal" autocomplete="off" ' \
                   f'value="{answers["previous_fuel"]}"' in page


def test_the_choice_survives_a_refusal_elsewhere_and_the_language_switch(make_app: AppFactory) -> None:
    """Last year's fuel chosen alone (none, so no amount) opens the "more details" part when the form comes
    back, so the answer is not hidden; the language switch keeps it."""
    client = _app(make_app).test_client()
    answers = {**GAS, "previous_fuel_type": "none", "revenue": "lots"}
    refused = _post(client, "en", **answers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "previous_fuel" not in _errors(page)
    assert '<details id="more-details" open>' in page
    assert '<option value="none" selected>' in _select(page)
    switched = client.post("/?lang=zh", data={**FORM, **answers, "previous_fuel_type": "lpg",
                                              "previous_fuel": "30瓶", "switch_language": "1"})
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200 and '<html lang="zh-CN">' in html
    assert f'<option value="lpg" selected>{texts("zh")["fuel_lpg"]}</option>' in _select(html)
    assert 'value="30瓶"' in html and '<details id="more-details" open>' in html


def _neutrality(app: Flask, lang: str, **answers: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    client = app.test_client()
    value, rating = _change(app, client, lang, **answers)
    return value, rating["neutrality"], _stored_input(app, rating["id"])


def test_a_switch_from_coal_is_compared_as_the_reduction_it_is(make_app: AppFactory) -> None:
    """A workshop in Guangdong (outside the provinces asked about bought heat, which answers "none" anyway)
    that replaced its coal boiler with gas: its change on last year is assessed and its reduction is
    positive. So is one that replaced it with electricity ("none" this year), on the Chinese page."""
    app = _app(make_app)
    switch = {"region": "CN-GD", "heat": "none", "vehicle_fuel": "none", **GAS,
              "previous_electricity": "30000度", "previous_fuel_type": "coal", "previous_fuel": "12吨"}
    value, neutrality, sent = _neutrality(app, "en", **switch)
    assert value is not None
    assert neutrality["reduction"] is not None and neutrality["reduction"] > 0, neutrality
    assert sent["energy"]["fuels"] == GAS_USE
    assert sent["previous_year"]["energy"] == {"electricity_kwh": 30000,
                                               "fuels": [{"fuel": "coal", "quantity": 12, "unit": "t"}]}
    electric = {**switch, "fuel": "none", "fuel_amount": ""}
    value, neutrality, sent = _neutrality(app, "zh", **electric)
    assert value is not None and neutrality["reduction"] > 0, neutrality
    assert sent["energy"]["fuels"] == [] and sent["previous_year"]["energy"]["fuels"][0]["fuel"] == "coal"
    # the same business left at "the same fuel as this year" cannot report the coal: its gas compared
    # with last year's gas (none given) leaves the change unassessed
    value, _, _ = _neutrality(app, "en", **{**switch, "previous_fuel_type": "", "previous_fuel": ""})
    assert value is None
