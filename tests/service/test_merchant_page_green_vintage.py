"""The year of the green electricity bought, on the merchant page: a bakery with green certificates.

The engine takes ``energy.green_electricity_vintage`` (schema 1.13): green instruments of another year than
the one rated are not counted in market-based Scope 2. The page never asked it, so an owner who bought
certificates could not say for which year: the page asks it beside the share of green electricity, held to
the API's range of years, and the result says when the certificates were not counted because of their year.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from rating_model.operating_data import WHOLE_LIMITS
from schemas.operating_data import EnergySchema
from service.web.form import errors_at, parse_form
from service.web.form.fields import LIMITS, reporting_year
from service.web.i18n import chinese_marked, message, texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _range, _stored_input, _stored_rating
from tests.service.test_merchant_page_answers import _errors, _text

YEAR = reporting_year()
#: a bakery in Jiangsu with its electricity from the bills, 30% of it bought with green certificates, its
#: ovens on piped gas, no heat bought and no vehicles
BAKERY = {"company_name": "Sunrise Bakery", "industry": "1071", "region": "CN-JS", "employees": "7",
          "revenue": "180万", "electricity": "42000", "electricity_unit": "kwh", "green_share": "30",
          "fuel": "natural_gas", "fuel_amount": "2600", "heat": "none", "vehicle_fuel": "none",
          "refrigerant": "none"}
_ABSENT = object()


def _energy(**answers: str) -> Any:
    parsed = parse_form({**BAKERY, **answers})
    assert parsed.payload is not None, parsed.errors
    return parsed.payload["energy"]


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("", _ABSENT),  # not given: left out, the certificates counted and their year said as not stated
        (str(YEAR), YEAR),
        (f"{YEAR}年", YEAR),
        (f" {YEAR} ", YEAR),
        (str(YEAR).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}), YEAR),  # full-width digits
        (str(YEAR - 1), YEAR - 1),  # another year: sent as given, the engine does not count it
    ],
)
def test_the_year_typed_becomes_the_green_electricitys_vintage(typed: str, sent: Any) -> None:
    energy = _energy(green_vintage=typed)
    assert energy.get("green_electricity_vintage", _ABSENT) == sent
    assert energy["green_electricity_kwh"] == pytest.approx(42000 * 0.3)


@pytest.mark.parametrize("typed", ["25", "二〇二五", "2025.5", "1800", "2200", "2,0", "2万"])
def test_a_year_that_is_no_year_is_refused_saying_what_a_year_is(typed: str) -> None:
    parsed = parse_form({**BAKERY, "green_vintage": typed})
    assert parsed.payload is None
    assert {f: e.key for f, e in parsed.errors.items()} == {"green_vintage": "vintage_not_a_year"}
    params = parsed.errors["green_vintage"].params
    assert params == {"first_year": "1990", "last_year": "2100", "year": str(YEAR)}
    for lang in ("en", "zh"):
        said = message(lang, "vintage_not_a_year", params)
        assert "1990" in said and "2100" in said and str(YEAR) in said


def test_a_year_without_the_share_it_is_of_is_asked_about_not_dropped() -> None:
    parsed = parse_form({**BAKERY, "green_share": "", "green_vintage": str(YEAR)})
    assert parsed.payload is None
    assert {f: e.key for f, e in parsed.errors.items()} == {"green_vintage": "vintage_needs_share"}
    # the share given in yuan of a bill is refused on the share itself, the year not called wrong too
    parsed = parse_form({**BAKERY, "electricity_unit": "bill", "electricity": "3万",
                         "green_vintage": str(YEAR)})
    assert {f: e.key for f, e in parsed.errors.items()} == {"green_share": "green_needs_kwh"}


def test_the_range_is_the_apis_own() -> None:
    """The range of years is the schema's, which is the engine's: the page refuses where the API does."""
    bounds = LIMITS["green_vintage"]
    low, high = _range(EnergySchema().fields["green_electricity_vintage"])
    assert (bounds.minimum, bounds.maximum) == (low, high)
    limit = WHOLE_LIMITS["energy.green_electricity_vintage"]
    assert (bounds.minimum, bounds.maximum) == (limit.minimum, limit.maximum)
    assert _energy(green_vintage=f"{high:.0f}")["green_electricity_vintage"] == high
    assert _energy(green_vintage=f"{low:.0f}")["green_electricity_vintage"] == low
    # an error of the schema's or the engine's on the vintage lands on the field
    found = errors_at(["energy.green_electricity_vintage"], {**BAKERY, "green_vintage": "2500"})
    assert list(found) == ["green_vintage"]


def test_the_page_asks_the_year_beside_the_share_in_both_languages(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        t = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        label = t["green_vintage"]
        assert label.endswith(t["paren_close"])  # optional, said inside the label's own closing bracket
        shown = label[: -len(t["paren_close"])] + t["optional_inside"] + t["paren_close"]
        assert f'<label for="green_vintage">{escape(shown)}</label>' in page
        hint = chinese_marked(t["green_vintage_hint"].format(year=YEAR), lang)
        assert f'<p class="hint" id="green_vintage-hint">{hint}</p>' in page
        assert str(YEAR) in _text(hint)  # the year rated, which the page says nowhere else
        assert re.search(r'<input type="text" id="green_vintage" name="green_vintage" inputmode="numeric"'
                         r'[^>]* aria-describedby="green_vintage-hint">', page)
        assert page.index('id="green_share"') < page.index('id="green_vintage"') < page.index('id="fuel"')


def test_the_words_are_plain() -> None:
    """Short sentences, as the page's other words (tests/service/test_merchant_page_plain_english.py)."""
    from tests.service.test_merchant_page_plain_english import LONGEST_SENTENCE, _sentences

    en = texts("en")
    for key in ("green_vintage", "green_vintage_hint", "green_vintage_not_counted", "vintage_not_a_year",
                "vintage_needs_share"):
        for sentence in _sentences(en[key]):
            assert len(sentence.split()) <= LONGEST_SENTENCE, (key, sentence)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_year_is_said_beside_the_field_and_every_answer_kept(make_app: AppFactory,
                                                                        lang: str) -> None:
    client = _app(make_app).test_client()
    t = texts(lang)
    refused = _post(client, lang, **{**BAKERY, "green_vintage": "25"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    error = parse_form({**BAKERY, "green_vintage": "25"}).errors["green_vintage"]
    said = chinese_marked(message(lang, error.key, error.params), lang)
    assert f'<p class="error" id="green_vintage-error">{said}</p>' in page
    assert re.search(r'id="green_vintage" name="green_vintage"[^>]* value="25" '
                     r'aria-describedby="green_vintage-hint green_vintage-error" aria-invalid="true">', page)
    assert t["green_vintage"][:10] in _errors(page)
    assert 'id="green_share" name="green_share" inputmode="decimal" autocomplete="off" value="30"' in page
    # a year given, kept when another answer is refused, and through the language switch
    refused = _post(client, lang, **{**BAKERY, "green_vintage": str(YEAR), "employees": "seven"})
    assert refused.status_code == 422
    assert f'name="green_vintage" inputmode="numeric" autocomplete="off" value="{YEAR}"' in refused.get_data(
        as_text=True)
    switched = _post(client, lang, **{**BAKERY, "green_vintage": str(YEAR), "switch_language": "1"})
    assert f'value="{YEAR}"' in switched.get_data(as_text=True)


def test_certificates_of_another_year_are_sent_and_the_result_says_they_were_not_counted(
    make_app: AppFactory,
) -> None:
    app = _app(make_app)
    client = app.test_client()
    posted = {}
    for typed in (str(YEAR - 1), str(YEAR), ""):
        answer = _post(client, "en", **{**BAKERY, "green_vintage": typed})
        assert answer.status_code == 303, _errors(answer.get_data(as_text=True))
        posted[typed] = answer.headers["Location"]
    other = posted[str(YEAR - 1)]
    assert _stored_input(app, other)["energy"]["green_electricity_vintage"] == YEAR - 1
    rating = _stored_rating(app, other)
    same = _stored_rating(app, posted[str(YEAR)])
    # the engine did not count them: the market figure is above that of the year rated
    assert rating["emissions"]["scope2_market"] > same["emissions"]["scope2_market"]
    en = _text(client.get(other).get_data(as_text=True))
    said = (f"Your green electricity (12,600 kWh) is of {YEAR - 1}, not {YEAR}, the year rated: green "
            "certificates count only for the electricity of their own year, so the market figure counts it "
            "like the rest of your electricity.")
    assert said in en
    zh = _text(client.get(other.replace("lang=en", "lang=zh")).get_data(as_text=True))
    assert f"您的绿电（1.26万 千瓦时）是 {YEAR - 1} 年的电量，不是本次评级的 {YEAR} 年" in zh
    for typed in (str(YEAR), ""):  # the year rated, or not given: counted, and nothing said
        page = _text(client.get(posted[typed]).get_data(as_text=True))
        assert "the year rated" not in page


def test_the_result_names_the_year_it_rates_and_the_green_power_step_says_for_which_year(
    make_app: AppFactory,
) -> None:
    """The result never named the year it rates, and its plan's first step said "Buy certified green
    electricity ... for part of your use" without saying for which year, where certificates count only for
    the electricity of their own year (the form's hint says it; the result page did not)."""
    app = _app(make_app)
    client = app.test_client()
    for lang in ("en", "zh"):
        t = texts(lang)
        location = _post(client, lang, **{**BAKERY, "green_share": ""}).headers["Location"]
        year = _stored_input(app, location)["company"]["reporting_year"]
        assert year == YEAR
        page = client.get(location).get_data(as_text=True)
        said = t["rated_year"].format(year=year)
        assert str(year) in said
        assert f'<p id="rated-year">{said}</p>' in page
        assert page.index('id="score"') < page.index('id="rated-year"') < page.index('id="green-loan"')
        rating = _stored_rating(app, location)
        assert "buy_green_power" in [i["action"] for i in rating["improvements"][:4]]
        plan_list = re.search(r'<ol class="plan" id="plan">(.*?)</ol>', page, re.S)
        assert plan_list is not None
        (step,) = [s for s in plan_list.group(1).split("<li>") if "绿证" in s or "green electricity" in s]
        assert t["green_power_year"].format(year=year) in _text(step), lang
    # the year is the rating's own, not this year's: a rating of another year, viewed later, says its own
    from service.web.view.plan import next_grade, plan

    improvement = {"action": "buy_green_power", "score_gain": 17.4, "grade_after": "not_green",
                   "description": "Buy green power", "description_zh": "购买绿电"}
    rating = {"grade": "not_green", "score": 40.0, "improvements": [improvement],
              "path_to_next_grade": {"reachable": True, "target_grade": "light_green", "grade_after":
                                     "light_green", "actions": ["buy_green_power"], "score_after": 57.4}}
    for lang in ("en", "zh"):
        t = texts(lang)
        (step,) = plan(rating, lang, t, 2021)
        assert step["text"].endswith(t["green_power_year"].format(year=2021))
        path = next_grade(rating, lang, t, 2021)
        assert path is not None and path["actions"] == [step["text"]]
        assert plan(rating, lang, t)[0]["text"] in ("Buy green power", "购买绿电")  # no year known: as before
