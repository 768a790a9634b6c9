"""The merchant page's note on electricity converted from the bill shows what the engine decided.

A code review found the page finding the standard's bill tariff a third way (besides the estimate and the
disclosure's ``bill_conversions``) and dividing the bill by it again, without the engine's conversion to CNY.
The tariff is now :func:`rating_model.estimation.bill_tariff` everywhere, and the kWh is the rating's own
(its inventory's electricity line): for a CNY business the page says what it said before, for a business
in another currency it says what the rating counted.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any

import pytest

from rating_model.disclosure import assumed_tariff
from rating_model.engine import Engine
from rating_model.estimation import bill_rule, bill_tariff, fill_missing
from rating_model.standard import STANDARD_DIR, Standard, load_standard
from service.web.i18n import amount, texts
from service.web.view import notes as page_notes
from tests.conftest import AppFactory, session_engine
from tests.service.test_merchant_page import _app, _post, _stored_input, _stored_rating

Stored = dict[str, Any]


def _rated(spend: float, currency: str = "CNY", fx: float | None = None) -> tuple[Stored, Stored]:
    """A business that gave only its electricity bill: the rating and its stored input, as the page reads
    them (JSON)."""
    engine: Engine = session_engine()
    company: dict[str, Any] = {"name": "Chengdu Tea House", "country": "CN", "region": "CN-SC",
                               "industry_code": "5610", "employees": 5, "annual_revenue": 800_000,
                               "currency": currency, "reporting_year": 2024}
    if fx is not None:
        company["fx_to_cny"] = fx
    data = engine.parse({"company": company, "energy": {"electricity_spend": spend, "fuels": []}})
    rating = json.loads(json.dumps(engine.rate(data).to_dict()))
    return rating, json.loads(data.canonical_json())


def _bill_note(notes: list[str]) -> str:
    (note,) = [n for n in notes if "0.65" in n]
    return note


def _kwh_said(note: str, lang: str) -> str:
    found = re.search(r"about (\S+) kWh" if lang == "en" else r"约 (\S+) 千瓦时", note)
    assert found, note
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("spend", [0.65, 1, 7, 2_400, 24_000, 12_345.67, 58_500, 999_999, 3.3e9, 6.4e11])
def test_a_cny_bill_is_shown_as_before(spend: float, lang: str) -> None:
    """For a CNY business the note is the one the page wrote before: the bill divided by the standard's
    tariff and rounded (the engine divided the same amount by the same tariff), the whole note unchanged."""
    rating, operating = _rated(spend)
    standard = session_engine().standard
    tariff = bill_tariff(standard)
    assert tariff == 0.65
    notes = page_notes.data_notes(rating, operating, standard, lang)
    kwh = round(float(spend) / tariff)  # the page's own division, before
    before = texts(lang)["from_bill"].format(
        spend=amount(float(spend), lang), tariff=f"{tariff:g}", kwh=amount(kwh, lang),
        standard=rating["versions"]["standard"],
    )
    assert before in notes
    assert _kwh_said(_bill_note(notes), lang) == amount(kwh, lang)


def test_the_page_of_a_bill_shows_the_kwh_of_the_rating(make_app: AppFactory) -> None:
    """Through the form (CNY): the kWh on the page is the rating's electricity line, and the old division."""
    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", electricity="2.4万", electricity_unit="bill", fuel="none",
                     vehicle_fuel="none").headers["Location"]
    rating = _stored_rating(app, location)
    counted = page_notes.electricity_counted(rating)
    assert counted is not None and round(counted) == round(24_000 / 0.65) == 36_923
    zh = client.get(location).get_data(as_text=True)
    assert "约 36,923 千瓦时" in html.unescape(zh)
    en = client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True)
    assert "about 36,923 kWh" in html.unescape(en)


def test_a_bill_in_another_currency_shows_the_kwh_the_engine_converted() -> None:
    """The page divided the bill's amount by the tariff in CNY without converting it: a USD 3,000 bill was
    "about 4,615 kWh" beside a rating that had counted 7.1 times as much."""
    rating, operating = _rated(3_000, "USD", fx=7.1)
    counted = page_notes.electricity_counted(rating)
    assert counted == pytest.approx(3_000 * 7.1 / 0.65)
    note = _bill_note(page_notes.data_notes(rating, operating, session_engine().standard, "en"))
    assert _kwh_said(note, "en") == amount(round(3_000 * 7.1 / 0.65), "en") == "32,769"
    assert _kwh_said(note, "en") != amount(round(3_000 / 0.65), "en")


def test_without_the_ratings_electricity_line_the_bill_is_not_restated() -> None:
    """The page no longer works the kWh out itself: a rating without the line (none is made so) keeps
    electricity among the estimated figures instead of a number the rating does not hold."""
    rating, operating = _rated(24_000)
    rating["emissions"]["line_items"] = [
        line for line in rating["emissions"]["line_items"] if line["path"] != "energy.electricity_kwh"
    ]
    notes = page_notes.data_notes(rating, operating, session_engine().standard, "en")
    assert not any("converted from your bill" in n for n in notes)


@pytest.mark.parametrize("name", sorted(p.name for p in STANDARD_DIR.glob("*.yaml")))
def test_one_tariff_for_the_estimate_the_disclosure_and_the_page(name: str) -> None:
    """Every published standard's bill tariff, as the engine reads it, is the disclosure's and the page's
    (for a rating made under it, whichever standard the service holds)."""
    standard = load_standard(STANDARD_DIR / name)
    rating = {"versions": {"standard": standard.label}}
    held = session_engine().standard
    assert bill_tariff(standard) is not None
    assert assumed_tariff(standard.label)[0] == bill_tariff(standard) == page_notes.bill_tariff(rating, held)


def test_the_estimate_and_the_page_follow_the_standards_rule_together() -> None:
    """A standard assuming another tariff changes the engine's estimate and the page's note alike: both
    read :func:`bill_rule`."""
    held = session_engine().standard
    rule = bill_rule(held)
    assert rule is not None
    dearer = dataclasses.replace(rule, tariff_cny_per_kwh=0.8)
    changed: Standard = dataclasses.replace(
        held, estimation=tuple(dearer if r is rule else r for r in held.estimation)
    )
    assert bill_tariff(changed) == 0.8
    engine = session_engine()
    data = engine.parse({**_rated(24_000)[1]})
    (estimate,) = fill_missing(data, changed).estimates
    assert estimate.value == pytest.approx(24_000 / 0.8)
    assert page_notes.bill_tariff({"versions": {"standard": changed.label}}, changed) == 0.8


def test_a_bill_converting_above_the_kwh_range_is_refused_as_a_typed_kwh_is(make_app: AppFactory) -> None:
    """10 trillion yuan of electricity against 1.5 million of revenue was rated: about 1.5e13 kWh at the
    standard's tariff, above the 1e12 the same kWh typed is refused at (a browser review)."""
    from service.web.form import parse_form
    from service.web.form.fields import LIMITS
    from tests.service.test_merchant_page import FORM

    tariff = bill_tariff(load_standard())
    assert tariff is not None
    top = LIMITS["electricity_kwh"].maximum
    huge = {**FORM, "electricity": "10万亿", "electricity_unit": "bill", "bill_confirmed": "yes"}
    assert parse_form(huge, tariff).errors["electricity"].key == "bill_too_large"
    assert parse_form({**FORM, "electricity": "1.5e13"}, tariff).errors["electricity"].key == "too_large"
    # the largest bill taken converts to the largest kWh taken, not above it (a revenue to match)
    largest = f"{top * tariff:.0f}"
    assert parse_form({**huge, "electricity": largest, "revenue": "1万亿"}, tariff).payload is not None
    above = f"{top * tariff + 1:.0f}"
    assert parse_form({**huge, "electricity": above, "revenue": "1万亿"}, tariff).errors
    client = _app(make_app).test_client()
    for lang, said in (
        ("en", f"At the standard's assumed tariff of {tariff:g} yuan per kWh, that is more than 1 trillion "
               "kWh; please check the figure."),
        ("zh", f"按评级标准假定的电价 {tariff:g} 元/千瓦时换算，超过了 1万亿 千瓦时，请核对数值。"),
    ):
        refused = _post(client, lang, electricity="10万亿", electricity_unit="bill", bill_confirmed="yes")
        page = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 422 and f'id="electricity-error">{said}</p>' in page
        assert 'value="10万亿"' in page  # what was typed is kept


def test_a_bill_above_the_revenue_is_confirmed_before_it_is_rated(make_app: AppFactory) -> None:
    """A yearly bill above the year's revenue is most likely 万 typed twice or kWh under the bill's unit:
    asked, as the revenue per employee is, and rated once the owner ticks that it is right."""
    app = _app(make_app)
    client = app.test_client()
    doubled = {"electricity": "12000万", "electricity_unit": "bill"}  # 1.2亿 yuan against 150万 of revenue
    for lang, said in (
        ("en", "A yearly electricity bill of 120 million yuan is more than the year's revenue (1.5 million "
               'yuan): is <span lang="zh-CN">万</span> typed twice'),
        ("zh", "全年电费 1.2亿元 超过了全年营业收入（150万元）：是否多写了一个“万”"),
    ):
        asked = _post(client, lang, **doubled)
        page = html.unescape(asked.get_data(as_text=True))
        assert asked.status_code == 422 and said in page
        assert 'id="bill_confirmed" name="bill_confirmed" value="yes" >' in page  # offered, not ticked
    confirmed = _post(client, **doubled, bill_confirmed="yes")
    assert confirmed.status_code == 303
    assert _stored_input(app, confirmed.headers["Location"])["energy"]["electricity_spend"] == 1.2e8
    # a bill within the revenue, and kWh above it (not yuan), are not asked about
    assert _post(client, electricity="150万", electricity_unit="bill").status_code == 303
    assert _post(client, electricity="200万", electricity_unit="kwh").status_code == 303
