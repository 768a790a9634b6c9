"""Last year's fuel and vehicles on the merchant page: a review of standard 1.8.0, which assesses the change
on the previous year (emissions_change) only when every Scope 1/2 input with emissions this year was also
given for last year. The page asked last year's electricity alone, so a restaurant burning gas could never
have its change scored from the page, and its reason asked for last year's fuels, which the page had no
field for.

Assertions are on the change being assessed (its value present), never on scores or grades: the default
model and standard move on their own.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.web.form import parse_form
from service.web.form.fields import LIMITS
from service.web.i18n import texts
from service.web.view.reasons import reasons
from tests.conftest import AppFactory
from tests.service.test_merchant_page import FORM, _app, _post, _stored_input, _stored_rating
from tests.service.test_merchant_page_answers import _errors

#: a restaurant burning piped gas, from its bills both years, with no vehicles (a fleet left out is not
#: an answer, and may itself leave the change unassessed)
GAS_BOTH_YEARS = {"industry": "5610", "fuel": "natural_gas", "fuel_amount": "3000方", "vehicle_fuel": "none",
                  "previous_electricity": "32000度", "previous_fuel": "3,200 m³"}


def _change(app: Flask, client: FlaskClient, lang: str = "en", **answers: str) -> tuple[Any, dict[str, Any]]:
    """The emissions_change value of the rating the page makes of ``answers``, and that rating."""
    response = _post(client, lang, **answers)
    assert response.status_code == 303, _errors(response.get_data(as_text=True))
    rating = _stored_rating(app, response.headers["Location"])
    return {c["indicator"]: c for c in rating["contributions"]}["emissions_change"]["value"], rating


def test_last_years_gas_lets_the_change_on_last_year_be_scored(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    value, rating = _change(app, client, **GAS_BOTH_YEARS)
    assert value is not None, rating["reason_codes"]
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<label for="previous_fuel">Amount of last year&#39;s fuel (optional)</label>' in page
    assert '<option value="" selected>The same fuel as this year</option>' in page  # the default
    stored = _stored_input(app, rating["id"])["previous_year"]["energy"]
    assert stored == {"electricity_kwh": 32000,
                      "fuels": [{"fuel": "natural_gas", "quantity": 3200, "unit": "m3"}]}
    # last year's electricity alone, beside this year's gas: the comparison would leave the gas out
    alone, _ = _change(app, client, **{**GAS_BOTH_YEARS, "previous_fuel": ""})
    assert alone is None
    # "none" this year needs no figure for last year (standard 1.8.0 compares a 0 given in one year as 0);
    # a 0 for last year says none then too, as a 0 beside "none" does this year (another fuel last year is
    # chosen for it: test_merchant_page_fuel_switch.py)
    none = {**GAS_BOTH_YEARS, "fuel": "none", "fuel_amount": ""}
    blank = parse_form({**FORM, **none, "previous_fuel": ""}).payload
    assert blank is not None and "fuels" not in blank["previous_year"]["energy"]
    zero, rating = _change(app, client, **{**none, "previous_fuel": "0"})
    assert zero is not None and _stored_input(app, rating["id"])["previous_year"]["energy"]["fuels"] == []


def test_last_years_fuel_is_read_in_this_years_units_and_bottles(make_app: AppFactory) -> None:
    """The same units as this year's amount, by the fuel chosen (a unit of another fuel is refused), and
    bottled gas in bottles of the size chosen for this year's."""
    base = {"industry": "5610", "region": "CN-SC", "employees": "5", "revenue": "80万",
            "electricity": "15000", "electricity_unit": "kwh", "vehicle_fuel": "none"}

    def previous(**answers: str) -> Any:
        parsed = parse_form({**base, **answers})
        assert parsed.payload is not None, parsed.errors
        return parsed.payload["previous_year"]["energy"]["fuels"]

    assert previous(fuel="coal", fuel_amount="12吨", previous_fuel="11,000公斤") == [
        {"fuel": "coal", "quantity": 11000, "unit": "kg"}]
    assert previous(fuel="coal", fuel_amount="12吨", previous_fuel="11吨") == [
        {"fuel": "coal", "quantity": 11, "unit": "t"}]
    assert previous(fuel="lpg", fuel_amount="30瓶", lpg_bottle_kg="15", previous_fuel="28瓶") == [
        {"fuel": "lpg", "quantity": 420, "unit": "kg"}]
    assert previous(fuel="lpg", fuel_amount="450公斤", previous_fuel="４２０ｋｇ") == [
        {"fuel": "lpg", "quantity": 420, "unit": "kg"}]
    refused = {
        "300kg": ("natural_gas", "3000", "", "fuel_forms_natural_gas"),  # kg of piped gas
        "300立方米": ("lpg", "450", "", "fuel_forms_lpg"),
        "28瓶": ("lpg", "450公斤", "", "bottle_size_needed"),  # bottles of no size: the size is asked
        "420": ("lpg", "30瓶", "15", "bottles_or_kg"),  # bottles or kg? asked, as for this year's
        "1.5瓶": ("lpg", "30瓶", "15", "fuel_forms_lpg"),
        "1,5": ("natural_gas", "3000", "", "decimal_comma"),
    }
    for typed, (fuel, amount, size, key) in refused.items():
        parsed = parse_form({**base, "fuel": fuel, "fuel_amount": amount, "lpg_bottle_kg": size,
                             "previous_fuel": typed})
        keys = {e.key for e in parsed.errors.values()}
        assert parsed.payload is None and key in keys, (typed, parsed.errors)
    # the fuel quantity's own range (the schema's), as this year's amount
    top = LIMITS["fuel_amount"].maximum
    over = parse_form({**base, "fuel": "natural_gas", "fuel_amount": "3000", "previous_fuel": repr(top * 2)})
    assert over.errors["previous_fuel"].key == "too_large"
    assert parse_form({**base, "fuel": "natural_gas", "fuel_amount": "3000",
                       "previous_fuel": f"{top:.0f}"}).payload is not None


def test_last_years_fuel_is_refused_with_nothing_to_compare_it_with(make_app: AppFactory) -> None:
    """This year's fuel not sure, or piped gas without its amount, is an estimate (never compared); beside
    "none", last year's fuel is chosen (left at "the same fuel as this year" there is none to give an amount
    of). Refused beside the field, in the page's own error style, in both languages, with the "more details"
    part opened to show it."""
    client = _app(make_app).test_client()
    en, zh = texts("en"), texts("zh")
    for answers, key in (
        ({"fuel": "", "fuel_amount": ""}, "previous_fuel_needs_this_year"),
        ({"fuel": "natural_gas", "fuel_amount": ""}, "previous_fuel_needs_this_year"),
        ({"fuel": "none", "fuel_amount": ""}, "previous_fuel_none"),
    ):
        for lang, said in (("en", en), ("zh", zh)):
            refused = _post(client, lang, **{**GAS_BOTH_YEARS, **answers})
            page = refused.get_data(as_text=True)
            assert refused.status_code == 422, (answers, lang)
            assert said[key] in _errors(page), (answers, lang)
            assert f'<p class="error" id="previous_fuel-error">{escape(said[key])}</p>' in page
            assert '<details id="more-details" open>' in page
            assert re.search(r'id="previous_fuel" name="previous_fuel"[^>]* '
                             r'aria-describedby="previous_fuel-hint previous_fuel-error" aria-invalid="true"',
                             page), answers
            assert 'value="3,200 m³"' in page  # what was typed stays


def test_the_chinese_page_asks_last_years_fuel_and_vehicles(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    page = client.get("/?lang=zh").get_data(as_text=True)
    zh = texts("zh")
    for field in ("previous_fuel", "previous_vehicle_amount"):
        # "选填" after the label, or inside the bracket it ends with
        label = zh[field][:-1] + "，选填）" if zh[field].endswith("）") else zh[field] + "（选填）"
        assert f'<label for="{field}">{label}</label>' in page
        assert f'<p class="hint" id="{field}-hint">{zh[field + "_hint"]}</p>' in page
        assert re.search(rf'id="{field}" name="{field}"[^>]* aria-describedby="{field}-hint">', page)
    assert ("<summary>更多信息（选填）：经营面积、用水、废弃物，上一年的用电、燃料、热力和车辆用量"
            "</summary>") in page
    # the page's own punctuation: full-width in Chinese, none of the English page's
    for key in ("previous_fuel_hint", "previous_fuel_none", "previous_fuel_needs_this_year",
                "previous_fuel_type", "previous_fuel_type_hint", "previous_fuel_type_same",
                "previous_fuel_type_none", "previous_fuel_amount_beside_none", "previous_fuel_amount_needed",
                "previous_vehicle_amount_hint", "previous_vehicles_none", "previous_vehicles_need_this_year"):
        assert not re.search(r'[,;:()"]', zh[key]), key
    refused = _post(client, "zh", **{**GAS_BOTH_YEARS, "fuel": "none", "fuel_amount": ""})
    said = ("上一年燃料用量：本年燃料选的是“不使用”，如要填写上一年用量，"
            "请先在“上一年店内燃料”中选择上一年的燃料，否则请留空。")
    assert said in _errors(refused.get_data(as_text=True))
    value, _ = _change(app, client, "zh", **GAS_BOTH_YEARS)
    assert value is not None


def test_last_years_vehicle_amount_compares_the_vehicles(make_app: AppFactory) -> None:
    """An owner with vehicles has the change compared only when this year's litres or km and last year's
    are both given: a count alone is priced at the seed distance, an estimate, never compared."""
    app = _app(make_app)
    client = app.test_client()
    vans = {**GAS_BOTH_YEARS, "vehicle_fuel": "diesel", "vehicles": "2", "vehicle_amount": "1,500升",
            "previous_vehicle_amount": "1400L"}
    value, rating = _change(app, client, **vans)
    assert value is not None, rating["reason_codes"]
    assert _stored_input(app, rating["id"])["previous_year"]["transport"] == {
        "fleet": [{"fuel": "diesel", "fuel_quantity": 1400, "unit": "L"}]}
    electric = {**vans, "vehicle_fuel": "electric", "vehicle_amount": "8000 km",
                "previous_vehicle_amount": "7000公里"}
    value, rating = _change(app, client, **electric)
    assert value is not None and _stored_input(app, rating["id"])["previous_year"]["transport"] == {
        "fleet": [{"fuel": "electric", "km": 7000}]}
    for answers, key in (
        ({"vehicle_amount": ""}, "previous_vehicles_need_this_year"),  # counted alone: an estimate
        ({"vehicle_fuel": "", "vehicles": "", "vehicle_amount": ""}, "previous_vehicles_need_this_year"),
        ({"vehicle_fuel": "none", "vehicles": "", "vehicle_amount": ""}, "previous_vehicles_none"),
        # a hybrid van's km: no per-km factor prices them (its litres were given this year)
        ({"vehicle_fuel": "hybrid", "vehicle_kind": "van", "previous_vehicle_amount": "300公里"},
         "hybrid_van_needs_litres"),
    ):
        refused = _post(client, "zh", **{**vans, **answers})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and texts("zh")[key] in _errors(page), answers
        assert 'aria-describedby="previous_vehicle_amount-hint previous_vehicle_amount-error"' in page
    _, rating = _change(app, client, **{**vans, "vehicle_fuel": "none", "vehicles": "", "vehicle_amount": "",
                                        "previous_vehicle_amount": "0"})
    assert _stored_input(app, rating["id"])["previous_year"]["transport"] == {"fleet": []}


def test_the_reason_for_a_change_not_compared_says_what_to_give_and_where() -> None:
    """Last year's gas given without last year's electricity: standard 1.8.0 leaves the change unassessed
    (score.year_on_year) and its reason says to give last year's figure for each input; the page showed
    "nothing to score it on" instead, and did not say where the form takes last year's figures."""
    standard = load_standard(DEFAULT_STANDARD)
    rule = standard.year_on_year
    assert rule is not None
    code = {"indicator": "emissions_change", "effect": "negative",
            "message": f"Change in Scope 1+2 emissions on the previous year: {rule.reason} (scored in the "
            "missing-data bin) earns 0 of 10.8 points.",
            "message_zh": f"范围一和范围二排放同比变化：{rule.reason_zh}（按缺失数据计分），得 0 / 10.8 分。"}
    line = {"indicator": "emissions_change", "value": None, "unit": "percent", "points": 0,
            "max_points": 10.8}
    rating = {"reason_codes": [code], "contributions": [line]}
    (en,) = [r["text"] for r in reasons(rating, standard, "en")]
    assert en == (f"Change in Scope 1+2 emissions on the previous year: {rule.reason}. Until then it is "
                  "scored as unknown: 0 of 10.8 points. " + texts("en")["previous_on_form"])
    (zh,) = [r["text"] for r in reasons(rating, standard, "zh")]
    assert zh == f"范围一和范围二排放同比变化：{rule.reason_zh}。填报之前按未知计，得 0 / 10.8 分。" + (
        "上一年的用电、燃料、热力和车辆用量可在评级表单的“更多信息（选填）”中填写。"
    )
    # an indicator that does not compare two years is not pointed at last year's figures
    fuels = next(r for r in standard.missing_when_not_reported if r.field == "energy.fuels")
    intensity = {"indicator": "carbon_intensity", "effect": "negative",
                 "message": f"Carbon intensity: {fuels.reason} earns 0 of 9 points.", "message_zh": "引擎"}
    rating = {"reason_codes": [intensity], "contributions": [
        {"indicator": "carbon_intensity", "value": None, "unit": "x", "points": 0.0, "max_points": 9.0}]}
    (said,) = [r["text"] for r in reasons(rating, standard, "en")]
    assert fuels.reason in said and "More details" not in said
