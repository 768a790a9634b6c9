"""The merchant page walked through as owners fill it: a courier with diesel vans, and a bakery that bought
green certificates. Each refusal says how to put the answer right, and every answer comes back.

A van count left empty beside the fuel chosen was refused with "Please fill this in.", which did not say
what was asked; last year's electricity bill in yuan with "Enter a number, such as 12000 or 1.2万.", which
did not say that only kWh can be compared; and "2025年度", as a certificate's year is often written, was no
year.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from service.web.form import parse_form
from service.web.form.fields import reporting_year
from service.web.i18n import chinese_marked, texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post
from tests.service.test_merchant_page_answers import _errors

#: a same-city courier in Shanghai: three diesel vans, electricity from the bills, nothing burned on site
COURIER = {"company_name": "Quick Van", "industry": "5320", "region": "CN-SH", "employees": "12",
           "revenue": "400万", "electricity": "1.5万", "electricity_unit": "kwh", "fuel": "none", "heat": "",
           "vehicle_fuel": "diesel", "vehicle_kind": "van", "vehicles": "3", "vehicle_amount": "4.5万升",
           "refrigerant": ""}


def test_the_courier_is_rated_as_answered() -> None:
    parsed = parse_form(COURIER)
    assert parsed.payload is not None, parsed.errors
    assert parsed.payload["transport"]["fleet"] == [
        {"fuel": "diesel", "vehicles": 3, "vehicle_type": "van", "fuel_quantity": 45000, "unit": "L"}]


@pytest.mark.parametrize(
    ("answers", "field", "key"),
    [
        ({"vehicles": ""}, "vehicles", "vehicles_needed"),
        ({"vehicles": " "}, "vehicles", "vehicles_needed"),
        ({"previous_electricity": "1.4万元"}, "previous_electricity", "previous_electricity_money"),
        ({"previous_electricity": "¥14000"}, "previous_electricity", "previous_electricity_money"),
        ({"previous_electricity": "14000 yuan"}, "previous_electricity", "previous_electricity_money"),
    ],
)
def test_a_refusal_says_what_is_asked(answers: dict[str, str], field: str, key: str) -> None:
    parsed = parse_form({**COURIER, **answers})
    assert {f: e.key for f, e in parsed.errors.items()} == {field: key}


def test_the_other_refusals_of_those_fields_stay_as_they_were() -> None:
    assert parse_form({**COURIER, "vehicles": "三辆"}).errors["vehicles"].key == "vehicles_not_a_number"
    assert parse_form({**COURIER, "previous_electricity": "x"}).errors["previous_electricity"].key == (
        "not_a_number")
    assert parse_form({**COURIER, "previous_electricity": "1.4万度"}).payload is not None
    # a later group's count left empty is asked the same way, at that group's field
    group = {"vehicle_rows": "2", "vehicle_fuel_2": "electric", "vehicle_kind_2": "car", "vehicles_2": ""}
    parsed = parse_form({**COURIER, **group})
    assert {f: e.key for f, e in parsed.errors.items()} == {"vehicles_2": "vehicles_needed"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_it_at_the_field_and_keeps_the_answers(make_app: AppFactory, lang: str) -> None:
    client = _app(make_app).test_client()
    t = texts(lang)
    answers = {**COURIER, "vehicles": "", "previous_electricity": "1.4万元"}
    refused = _post(client, lang, **answers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for field, key in (("vehicles", "vehicles_needed"),
                       ("previous_electricity", "previous_electricity_money")):
        said = chinese_marked(t[key], lang)
        assert f'<p class="error" id="{field}-error">{said}</p>' in page
        assert f"{t[field]}{t['colon']}" in _errors(page)
    assert f'value="{escape("1.4万元")}"' in page and '<option value="diesel" selected>' in page
    assert '<option value="van" selected>' in page and 'value="4.5万升"' in page
    assert re.search(r'id="vehicles" name="vehicles"[^>]* value="" aria-describedby="vehicles-hint '
                     r'vehicles-error" aria-invalid="true"', page)


def test_a_certificates_year_is_taken_as_it_is_written() -> None:
    year = reporting_year()
    for typed in (f"{year}年度", f"{year} 年度", f"{year}年"):
        parsed = parse_form({**COURIER, "green_share": "30", "green_vintage": typed})
        assert parsed.payload is not None, (typed, parsed.errors)
        assert parsed.payload["energy"]["green_electricity_vintage"] == year


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("0.3%", 0.3), ("0.5 %", 0.5), ("30", 30.0), ("1", 1.0), ("0", 0.0), ("30%", 30.0)],
)
def test_a_green_share_is_taken_as_a_percentage(typed: str, sent: float) -> None:
    parsed = parse_form({**COURIER, "green_share": typed})
    assert parsed.payload is not None, (typed, parsed.errors)
    assert parsed.payload["energy"]["green_electricity_kwh"] == pytest.approx(15000 * sent / 100)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_green_share_below_one_percent_written_as_a_fraction_is_asked_about(make_app: AppFactory,
                                                                              lang: str) -> None:
    """"0.3" for 30% (a share as a spreadsheet writes it) was rated as 0.3% of the electricity: 45 kWh of
    15,000. It is asked, never guessed; "0.3%" says it is 0.3%."""
    for typed, share, percent in (("0.3", "0.3", "30"), ("0.25", "0.25", "25"), (".5", "0.5", "50")):
        error = parse_form({**COURIER, "green_share": typed}).errors["green_share"]
        assert (error.key, dict(error.params)) == ("share_below_one", {"share": share, "percent": percent})
    page = _post(_app(make_app).test_client(), lang, **{**COURIER, "green_share": "0.3"}).get_data(
        as_text=True)
    said = {"en": "Is that 0.3% of your electricity? If you meant 30%, write 30; if it is 0.3%, write 0.3%.",
            "zh": "是用电量的 0.3% 吗？如果是 30%，请填 30；如果确实是 0.3%，请填 0.3%。"}[lang]
    assert f'<p class="error" id="green_share-error">{chinese_marked(said, lang)}</p>' in page
    assert 'name="green_share" inputmode="decimal" autocomplete="off" value="0.3"' in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_figure_every_rating_needs_left_empty_says_what_it_asks(make_app: AppFactory, lang: str) -> None:
    """"Please fill this in." beside the employees, the revenue and the electricity said nothing of what to
    give: each now says what it asks, with an example, and the electricity how a bill's yuan are given."""
    t = texts(lang)
    said = {
        "en": {"employees": "Enter the number of people who work in the business, such as 6.",
               "revenue": "Enter the year's revenue in yuan, such as 900000.",
               "electricity": "Enter the year's electricity from your bills: the kWh, or what the bills came "
                              "to in yuan with “CNY (yearly bill)” chosen under “Unit”."},
        "zh": {"employees": "请填写员工人数，例如 6。",
               "revenue": "请填写全年营业收入（元），例如 900000 或 90万。",
               "electricity": "请按电费单填写全年用电：千瓦时数，"
                              "或在“单位”中选“元（全年电费）”后填写全年电费金额。"},
    }[lang]
    empty = dict.fromkeys(said, "")
    parsed = parse_form({**COURIER, **empty})
    assert {f: e.key for f, e in parsed.errors.items()} == {f: f"{f}_required" for f in said}
    page = _post(_app(make_app).test_client(), lang, **{**COURIER, **empty}).get_data(as_text=True)
    for field, words in said.items():
        assert t[f"{field}_required"] == words
        assert f'<p class="error" id="{field}-error">{chinese_marked(words, lang)}</p>' in page
    assert t["unit_bill"] in said["electricity"] and t["electricity_unit"] in said["electricity"]
