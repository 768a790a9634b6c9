"""Heat bought from a heating network or a park's steam, on the merchant page: this year and last year.

The page never asked it, so heat left out lowered the energy ratio as if none were bought, and an owner in
Harbin could not say that the office buys district heat (standard 1.9.0 leaves the indicators that sum
energy in their missing bin where district heat is sold and heat is left out). The page asks it as it asks
the fuel burned on site: "not sure" leaves it out, "none" sends 0, and the amount from the heat bill is in
GJ, or in MWh said after it (3.6 GJ each, by the units module). Assertions are on the operating data the
page sends and on what it says, never on the engine's heat rule, which the standard owns.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from service.web.form import errors_at, parse_form
from service.web.form.fields import LIMITS
from service.web.heat import HEAT_CHOICES
from service.web.i18n import texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _stored_input, _stored_rating
from tests.service.test_merchant_page_answers import _errors, _text

#: an office in Heilongjiang, where district heat is sold, with its electricity from the bills both years
#: and no fuel burned on site or vehicles (answers of their own: nothing else is left out)
OFFICE = {"industry": "6810", "region": "CN-HL", "employees": "6", "revenue": "120万", "electricity": "18000",
          "electricity_unit": "kwh", "fuel": "none", "vehicle_fuel": "none", "previous_electricity": "19000"}
_ABSENT = object()


def _energy(**answers: str) -> tuple[Any, Any]:
    """This year's ``purchased_heat_gj`` and last year's the form makes of ``answers`` (``_ABSENT`` where
    it sends none)."""
    parsed = parse_form({**OFFICE, **answers})
    assert parsed.payload is not None, parsed.errors
    previous = (parsed.payload.get("previous_year") or {}).get("energy") or {}
    return (parsed.payload["energy"].get("purchased_heat_gj", _ABSENT),
            previous.get("purchased_heat_gj", _ABSENT))


@pytest.mark.parametrize(
    ("answers", "this_year", "last_year"),
    [
        ({}, _ABSENT, _ABSENT),  # the question not answered: left out
        ({"heat": ""}, _ABSENT, _ABSENT),  # not sure
        ({"heat": "none"}, 0, _ABSENT),  # none is an answer: 0
        ({"heat": "none", "heat_amount": "0"}, 0, _ABSENT),
        ({"heat": "none", "heat_amount": "０ GJ"}, 0, _ABSENT),
        ({"heat": "bought", "heat_amount": "1200"}, 1200, _ABSENT),  # a bare number is GJ
        ({"heat": "bought", "heat_amount": "1,200 GJ"}, 1200, _ABSENT),
        ({"heat": "bought", "heat_amount": "１２００吉焦"}, 1200, _ABSENT),  # full-width, a Chinese unit word
        ({"heat": "bought", "heat_amount": "1.2万gj"}, 12000, _ABSENT),
        ({"heat": "bought", "heat_amount": "330 MWh"}, 1188, _ABSENT),  # 3.6 GJ a MWh
        ({"heat": "bought", "heat_amount": "1.1兆瓦时"}, 3.96, _ABSENT),  # exactly, not 3.9600000000000004
        ({"heat": "bought", "heat_amount": "0"}, 0, _ABSENT),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "1,100"}, 1200, 1100),
        ({"heat": "bought", "heat_amount": "330MWh", "previous_heat": "300兆瓦时"}, 1188, 1080),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": ""}, 1200, _ABSENT),
        # none this year: last year's heat is compared with none (one input in one unit), 0 says none then
        ({"heat": "none", "previous_heat": "0"}, 0, 0),
        ({"heat": "none", "previous_heat": "900 GJ"}, 0, 900),
    ],
)
def test_each_heat_answer_becomes_the_operating_data(answers: dict[str, str], this_year: Any,
                                                      last_year: Any) -> None:
    assert _energy(**answers) == (this_year, last_year)


def test_the_heat_question_keeps_the_answers_it_has_no_part_in() -> None:
    """Heat sits beside the electricity and fuels of each year, never in place of them."""
    parsed = parse_form({**OFFICE, "heat": "bought", "heat_amount": "1200", "previous_heat": "1100"})
    assert parsed.payload is not None, parsed.errors
    assert parsed.payload["energy"] == {"electricity_kwh": 18000, "fuels": [], "purchased_heat_gj": 1200}
    previous = {"energy": {"electricity_kwh": 19000, "purchased_heat_gj": 1100}}
    assert parsed.payload["previous_year"] == previous


@pytest.mark.parametrize(
    ("answers", "field", "key"),
    [
        ({"heat": "bought"}, "heat_amount", "heat_forms"),  # bought, but how much? (area-charged: not sure)
        ({"heat": "bought", "heat_amount": "12吨"}, "heat_amount", "heat_forms"),  # steam: not converted
        ({"heat": "bought", "heat_amount": "12 t"}, "heat_amount", "heat_forms"),
        ({"heat": "bought", "heat_amount": "120万千卡"}, "heat_amount", "heat_forms"),  # kcal: not converted
        ({"heat": "bought", "heat_amount": "3000元"}, "heat_amount", "heat_money"),  # the bill's money
        ({"heat": "bought", "heat_amount": "¥3000"}, "heat_amount", "heat_money"),
        ({"heat": "bought", "heat_amount": "1200 kWh"}, "heat_amount", "heat_forms"),
        ({"heat": "bought", "heat_amount": "1,5"}, "heat_amount", "decimal_comma"),
        ({"heat": "bought", "heat_amount": "1万2"}, "heat_amount", "wan_and_digits"),
        ({"heat": "bought", "heat_amount": "-3"}, "heat_amount", "too_small"),
        # the choice says otherwise: asked, not taken
        ({"heat": "", "heat_amount": "1200"}, "heat_amount", "heat_needs_bought"),
        ({"heat": "", "heat_amount": "0"}, "heat_amount", "heat_needs_bought"),
        ({"heat": "none", "heat_amount": "1200"}, "heat_amount", "heat_needs_bought"),
        ({"heat": "steam"}, "heat", "invalid_choice"),
        ({"heat": "", "previous_heat": "1100"}, "previous_heat", "previous_heat_needs_this_year"),
        # last year has no "not sure" to send the owner to: its own refusals
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "11吨"}, "previous_heat",
         "previous_heat_forms"),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "3000元"}, "previous_heat",
         "previous_heat_money"),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "1,1"}, "previous_heat", "decimal_comma"),
    ],
)
def test_a_heat_answer_that_cannot_be_taken_is_refused_on_its_field(answers: dict[str, str], field: str,
                                                                     key: str) -> None:
    parsed = parse_form({**OFFICE, **answers})
    assert parsed.payload is None
    assert {f: e.key for f, e in parsed.errors.items()} == {field: key}


def test_heat_is_held_to_the_schemas_range_in_gj_whatever_unit_was_typed() -> None:
    top = LIMITS["heat_amount"].maximum
    assert parse_form({**OFFICE, "heat": "bought", "heat_amount": f"{top:.0f}"}).payload is not None
    # within the range in MWh, above it in GJ
    over = parse_form({**OFFICE, "heat": "bought", "heat_amount": f"{top / 2:.0f} MWh"})
    assert over.errors["heat_amount"].key == "too_large"
    last = parse_form({**OFFICE, "heat": "bought", "heat_amount": "1", "previous_heat": repr(top * 2)})
    assert last.errors["previous_heat"].key == "too_large"


def test_an_error_on_the_heat_path_is_shown_on_the_heat_field() -> None:
    """The schema's or the engine's error on a heat path lands beside the field that sent it."""
    values = {**OFFICE, "heat": "bought", "heat_amount": "1200", "previous_heat": "1100"}
    found = errors_at(["energy.purchased_heat_gj", "previous_year.energy.purchased_heat_gj"], values)
    assert set(found) == {"heat_amount", "previous_heat"}


def test_the_page_asks_heat_this_year_and_last_in_both_languages(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang, optional in (("en", " (optional)"), ("zh", "（选填）")):
        t = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<label for="heat">{escape(t["heat"])}</label>' in page
        assert f'<p class="hint" id="heat-hint">{escape(t["heat_hint"])}</p>' in page
        assert re.search(r'<select id="heat" name="heat" aria-describedby="heat-hint">', page)
        options = re.findall(r'<option value="([^"]*)" (?:selected)?>([^<]*)</option>',
                             page.split('id="heat"', 1)[1].split("</select>", 1)[0])
        assert options == [(c, str(escape(t["heat_" + (c or "unsure")]))) for c in HEAT_CHOICES]
        assert f'<label for="heat_amount">{escape(t["heat_amount"])}</label>' in page
        assert f'<p class="hint" id="heat_amount-hint">{escape(t["heat_amount_hint"])}</p>' in page
        assert f'<label for="previous_heat">{escape(t["previous_heat"])}{optional}</label>' in page
        assert f'<p class="hint" id="previous_heat-hint">{escape(t["previous_heat_hint"])}</p>' in page
        assert re.search(r'id="previous_heat" name="previous_heat"[^>]* '
                         r'aria-describedby="previous_heat-hint">', page)
        # asked after the fuel burned on site, and last year's after last year's fuel
        assert page.index('id="fuel_amount"') < page.index('id="heat"') < page.index('id="vehicle_fuel"')
        assert page.index('id="previous_fuel"') < page.index('id="previous_heat"')
    en, zh = texts("en"), texts("zh")
    assert en["heat"] == "Heat bought from a heating network or an industrial park's steam (district heating)"
    assert zh["heat"] == "外购热力（集中供暖或园区蒸汽）"
    # the units the page takes, and what it cannot convert, said where the amount is typed
    assert "GJ" in en["heat_amount_hint"] and "MWh" in en["heat_amount_hint"]
    assert "floor area" in en["heat_amount_hint"] and "“Not sure”" in en["heat_amount_hint"]
    assert "吉焦" in zh["heat_amount_hint"] and "兆瓦时" in zh["heat_amount_hint"]
    assert "按面积收费" in zh["heat_amount_hint"] and "“不确定”" in zh["heat_amount_hint"]
    heat_keys = [k for k in zh if "heat" in k]
    assert len(heat_keys) >= 12 and set(heat_keys) <= set(en)
    for key in heat_keys:  # the Chinese page's own punctuation: full-width, none of the English page's
        assert not re.search(r'[,;:()"]', zh[key]), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_heat_answers_are_said_beside_the_field_and_kept(make_app: AppFactory, lang: str) -> None:
    client = _app(make_app).test_client()
    t = texts(lang)
    for answers, field in (
        ({"heat": "bought", "heat_amount": "12吨"}, "heat_amount"),
        ({"heat": "none", "heat_amount": "1200"}, "heat_amount"),
        ({"heat": "", "previous_heat": "1100 GJ"}, "previous_heat"),
        ({"heat": "bought", "heat_amount": "3000元"}, "heat_amount"),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "140吨"}, "previous_heat"),
        ({"heat": "bought", "heat_amount": "1200", "previous_heat": "3000元"}, "previous_heat"),
    ):
        key = parse_form({**OFFICE, **answers}).errors[field].key
        refused = _post(client, lang, **{**OFFICE, **answers})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, answers
        assert f'{t[field]}{t["colon"]}{t[key]}' in _errors(page), answers
        assert f'<p class="error" id="{field}-error">{escape(t[key])}</p>' in page
        assert re.search(rf'id="{field}" name="{field}"[^>]* aria-describedby="{field}-hint {field}-error" '
                         r'aria-invalid="true"', page), answers
        typed = answers.get("heat_amount") or answers["previous_heat"]
        assert f'value="{typed}"' in page  # what was typed stays
        choice = answers["heat"]
        assert f'<option value="{choice}" selected>' in page  # and the answer chosen
        if field == "previous_heat":
            assert '<details id="more-details" open>' in page


def test_a_page_post_with_heat_is_rated_and_the_result_says_where_the_heat_went(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    answers = {**OFFICE, "heat": "bought", "heat_amount": "330 MWh", "previous_heat": "1,100吉焦"}
    posted = _post(client, "zh", **answers)
    assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
    sent = _stored_input(app, posted.headers["Location"])
    assert sent["energy"]["purchased_heat_gj"] == 1188
    assert sent["previous_year"]["energy"] == {"electricity_kwh": 19000, "purchased_heat_gj": 1100}
    rating = _stored_rating(app, posted.headers["Location"])
    heat = [line for line in rating["emissions"]["line_items"] if line["path"] == "energy.purchased_heat_gj"]
    assert [(line["scope"], line["quantity"]) for line in heat] == [(2, 1188)]
    result = client.get(posted.headers["Location"])
    assert result.status_code == 200
    zh = _text(result.get_data(as_text=True))
    tco2e = f"{heat[0]['tco2e']:.2f}"
    # the amount as the page writes every quantity (the bill's kWh): separated, no trailing ".0"
    said = f"外购热力（1,188 吉焦）同样计入范围二，基于位置和基于市场相同：{tco2e} 吨二氧化碳当量。"
    assert said in zh
    en = _text(client.get(posted.headers["Location"].replace("lang=zh", "lang=en")).get_data(as_text=True))
    assert "The heat you bought (1,188 GJ) is in Scope 2 as well" in en
    # none is sent as 0, not sure as nothing; neither says anything of heat on the result
    for choice, sent_heat in (("none", 0), ("", None)):
        posted = _post(client, "en", **{**OFFICE, "heat": choice})
        assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
        assert _stored_input(app, posted.headers["Location"])["energy"].get("purchased_heat_gj") == sent_heat
        page = _text(client.get(posted.headers["Location"]).get_data(as_text=True))
        assert "The heat you bought" not in page


def test_the_more_details_part_names_last_years_heat(make_app: AppFactory) -> None:
    """The remedies that send the owner to "More details" name heat with the other figures there."""
    page = _app(make_app).test_client().get("/?lang=zh").get_data(as_text=True)
    assert ("<summary>更多信息（选填）：经营面积、用水、废弃物，上一年的用电、燃料、热力和车辆用量"
            "</summary>") in page
    for lang, word in (("en", "heat"), ("zh", "热力")):
        t = texts(lang)
        for key in ("more_details", "more_details_hint", "completeness_on_form", "previous_on_form"):
            assert word in t[key], (lang, key)


def test_the_heat_refusals_send_the_owner_where_each_year_can_go() -> None:
    """Last year's heat reused this year's refusal, "choose “Not sure” above", a choice last year does not
    have; and money typed as heat ("3000元") was told to use GJ as if the unit were the only fault (a review
    of the page in Chinese). "Not sure" is the answer where district heat is sold, and for a manufacturer
    anywhere (standard 1.9.0 asks it of manufacturers in every province)."""
    zh, en = texts("zh"), texts("en")
    assert zh["previous_heat_forms"].endswith("按吨计费的蒸汽或按面积收费的暖气费无法换算，请将此项留空。")
    assert en["previous_heat_forms"].endswith("cannot be converted: leave this empty.")
    for t, not_sure in ((zh, "不确定"), (en, "Not sure")):
        assert not_sure in t["heat_forms"] and not_sure in t["heat_money"]
        assert not_sure not in t["previous_heat_forms"] and not_sure not in t["previous_heat_money"]
    assert zh["heat_money"].startswith("热费金额（元）无法换算为热量")
    assert zh["previous_heat_money"].endswith("只有金额时，请将此项留空。")
    assert en["heat_money"].startswith("A heat bill's amount in yuan cannot be converted into heat")
    # two conditions, each its own ("在出售集中供热的地区或制造业企业" put a manufacturer "in" somewhere)
    assert zh["heat_unsure"] == "不确定（不填报；所在地区有集中供热，或属于制造业的，能耗指标不计分）"
    assert "or for a manufacturer" in en["heat_unsure"]


def test_the_heat_amount_is_written_as_the_pages_other_quantities() -> None:
    """A heat amount converted from MWh (333 MWh is 1198.8000000000002 GJ in floating point) or a round
    one in 万 is written as the bill's kWh are (:func:`service.web.i18n.amount`), never with a float's
    tail or a fixed ".0"."""
    from service.web.view.notes import scopes_note

    def rating(quantity: float) -> dict[str, Any]:
        line = {"path": "energy.purchased_heat_gj", "quantity": quantity, "tco2e": 1.0}
        return {"emissions": {"line_items": [line]}}

    assert "(1,198.8 GJ)" in scopes_note(rating(333 * 3.6), "en")
    assert "外购热力（1,198.8 吉焦）" in scopes_note(rating(333 * 3.6), "zh")
    assert "外购热力（1.2万 吉焦）" in scopes_note(rating(12_000.0), "zh")
    assert "(12,000 GJ)" in scopes_note(rating(12_000.0), "en")
