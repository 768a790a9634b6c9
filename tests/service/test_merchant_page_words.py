"""The merchant page's wording, from a review of the page in Chinese: what a manufacturer is called beside
its peers, the green-loan line of a business rated not green, one bracket in an optional field's label,
and each carbon intensity in its own unit on the disclosure."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup, escape

from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.web.form.choices import INDUSTRIES
from service.web.i18n import texts
from service.web.view import business_word
from service.web.view.loan import green_loan_line
from service.web.view.notes import data_notes
from service.web.view.reasons import reasons
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post
from tests.service.test_merchant_page_answers import _text

#: the form's industries in ISIC section C (manufacturing): the garment, printing, furniture and metal
#: workshops, food processing and a bakery making its own bread
MANUFACTURERS = {"1071", "1410", "1079", "1811", "3100", "2599"}
#: the form's transport firms (ISIC 49-53): a haulier and a courier, 企业 as a manufacturer is
HAULIERS = {"4923", "5320"}


def _of(code: str) -> dict[str, dict[str, str]]:
    return {"company": {"industry_code": code}}


def test_a_manufacturer_is_a_business_beside_its_peers_and_a_shop_is_a_shop() -> None:
    for code, _, _ in INDUSTRIES:
        firm = code in MANUFACTURERS | HAULIERS
        assert business_word(_of(code), "zh") == ("企业" if firm else "店铺"), code
        assert business_word(_of(code), "en") == "business"
    assert business_word(None, "zh") == "店铺" and business_word(_of("99x"), "zh") == "店铺"
    standard = load_standard(DEFAULT_STANDARD)
    rating = {
        "reason_codes": [{"indicator": i, "effect": "negative", "message": "engine"}
                         for i in ("energy_efficiency_ratio", "water_efficiency_ratio")],
        "contributions": [
            {"indicator": "energy_efficiency_ratio", "value": 0.8, "unit": "ratio (actual / expected)",
             "points": 10.0, "max_points": 15.0},
            {"indicator": "water_efficiency_ratio", "value": 1.0, "unit": "ratio (actual / expected)",
             "points": 3.0, "max_points": 6.0},
        ],
    }
    energy, water = (r["text"] for r in reasons(rating, standard, "zh", _of("1410")))
    assert "用能比同类企业少 20%" in energy and "与同类企业相当" in water
    energy, water = (r["text"] for r in reasons(rating, standard, "zh", _of("5610")))
    assert "用能比同类店铺少 20%" in energy and "与同类店铺相当" in water
    energy, water = (r["text"] for r in reasons(rating, standard, "en", _of("1410")))
    assert "20% less energy than similar businesses" in energy
    assert "about the same as similar businesses" in water
    # the data note of figures estimated from the sector, and the green-loan line, say it too
    estimated = {"data_quality": {"pcaf_score": 4, "estimated_fields": ["energy.fuels"]}}
    (note,) = data_notes(estimated, {**_of("1410"), "energy": {"electricity_kwh": 1.0}}, standard, "zh")
    assert note.startswith("以下数据表单中未提供，按同类企业估算：")
    loan = {"grade": "light_green", "green_loan": {"eligible": True, "knock_outs": []}}
    assert green_loan_line(loan, None, texts("zh"), business="企业")["text"].startswith("本企业评级为浅绿，")


def test_a_business_rated_not_green_is_told_the_green_loan_as_a_concession() -> None:
    """"本店铺评级为非绿。用于绿色项目……的贷款，可以申请绿色贷款" read as a contradiction; and the loan was
    the one applying ("用于绿色项目的贷款……可以申请绿色贷款"): the owner applies, for the project."""
    loan = {"eligible": True, "basis": "project", "knock_outs": []}
    not_green = {"grade": "not_green", "green_loan": loan}
    zh = green_loan_line(not_green, None, texts("zh"))
    assert zh == {"eligible": True, "text": "虽然本店铺评级为非绿，仍可以为节能、可再生能源等绿色项目"
                  "申请绿色贷款：请向您的银行出示本评级（或披露报告）。"}
    assert green_loan_line(not_green, None, texts("zh"), business="企业")["text"].startswith("虽然本企业")
    en = green_loan_line(not_green, None, texts("en"))["text"]
    assert en.startswith("Although this business is rated Not green, you can still apply for green loans")
    # a business rated light green or better is told plainly
    light = green_loan_line({"grade": "light_green", "green_loan": loan}, None, texts("zh"))["text"]
    assert light == ("本店铺评级为浅绿，可以为节能、可再生能源等绿色项目申请绿色贷款："
                     "请向您的银行出示本评级（或披露报告）。")


def test_an_optional_label_has_one_bracket(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    zh = client.get("/?lang=zh").get_data(as_text=True)
    assert '<label for="previous_electricity">上一年用电量（千瓦时，选填）</label>' in zh
    assert '<label for="water">全年用水量（立方米，选填）</label>' in zh
    assert '<label for="previous_fuel">上一年燃料用量（选填）</label>' in zh  # no bracket of its own
    assert "）（" not in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<label for="previous_electricity">Last year&#39;s electricity use (kWh, optional)</label>' in en
    assert '<label for="floor_area">Floor area (m², optional)</label>' in en
    assert ") (" not in _text(en)


def test_each_carbon_intensity_is_printed_in_its_own_unit(make_app: AppFactory) -> None:
    """One "吨二氧化碳当量" heading stood over figures per CNY million of revenue and per employee."""
    client = _app(make_app).test_client()
    location = _post(client, "zh", floor_area="120").headers["Location"]
    for lang in ("zh", "en"):
        t = texts(lang)
        page = client.get(f"{location.split('?')[0]}/disclosure?lang={lang}").get_data(as_text=True)
        table = page.split(f"<h3>{t['intensities']}</h3>", 1)[1].split("</table>", 1)[0]
        head = f'<th scope="col">{t["column_value"]}</th><th scope="col">{t["column_unit"]}</th>'
        assert head in table and t["tco2e"] not in table.split("</tr>", 1)[0]
        rows = re.findall(r'<th scope="row">([^<]*)</th><td class="num">[^<]*</td><td>([^<]*)</td>', table)
        units = {key: str(escape(t["intensity_unit_" + key])) for key in (
            "per_cny_million_revenue", "scope12_market_per_cny_million_revenue", "per_employee", "per_m2")}
        assert [unit for _, unit in rows] == list(units.values()), rows
    assert texts("zh")["intensity_unit_per_employee"] == "吨二氧化碳当量/人"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_error_naming_a_question_quotes_its_whole_label(make_app: AppFactory, lang: str) -> None:
    """Bottled gas in bottles asked for their size under “Size of a gas bottle” (“每瓶液化气规格”), the
    first words of the question “Size of a gas bottle (when counted in bottles)”: an owner looking for the
    quoted words on the page found none. A quote of a question's first words is its whole label."""
    page = _app(make_app).test_client().get(f"/?lang={lang}")
    t = texts(lang)
    labels = {t[f] for f in re.findall(r'<label for="(\w+)"', page.get_data(as_text=True)) if f in t}
    short = [(key, quoted) for key, text in t.items() for quoted in re.findall("“([^”]+)”", text)
             if any(label != quoted and label.startswith(quoted) for label in labels)]
    assert not short
    assert f"“{t['lpg_bottle_kg']}”" in t["fuel_forms_lpg"]


#: the messages that send the owner to the electricity unit's select, quoting its visible label
_TO_THE_UNIT = ("electricity_required", "green_needs_kwh", "bill_unlikely", "electricity_looks_like_money")


def test_the_electricity_unit_is_named_by_what_it_is_the_unit_of(make_app: AppFactory) -> None:
    """The select beside the electricity use was labelled "Unit" alone: a screen reader, moving to it by
    form controls, read "Unit, kWh" with nothing saying of what. Its name says it ("Unit of electricity
    use"); the label still shows the word the error messages quote, and the name holds that word (WCAG
    2.5.3, label in name: a speech user says what they see)."""
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        t = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        found = re.search(r'<label for="electricity_unit">(.*?)</label>', page, re.S)
        assert found is not None, lang
        label = found.group(1)
        # the name as a screen reader computes it: the label's text, its inline spans adding no space
        assert Markup(label).striptags() == t["electricity_unit_name"], lang
        shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", label)
        assert Markup(shown).striptags() == t["electricity_unit"], lang
        assert t["electricity_unit"] in t["electricity_unit_name"] != t["electricity_unit"]
        for key in _TO_THE_UNIT:
            assert f"“{t['electricity_unit']}”" in t[key], (lang, key)
