"""What the result page says of the inputs an owner left out: a review of the merchant page in Chinese.

The Harbin noodle shop left its heat at "not sure": its energy ratio scored nothing, the page listed the
three largest losses only and never said why, and its data note said "没有估算数据" as if the data were
complete. A Dongguan workshop halved its emissions on last year, but with its heat left out the change was
unscored and the page showed nothing of it. The vehicles' default ("not answered") costs the change on
last year without saying so.

Since engine 2.2 the rating's reasons list every indicator left unassessed for an input not reported,
beyond the three largest losses; the page shows them all. Assertions are on what the page says of the
rating it shows, never on scores or grades: the default model and standard move on their own.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import escape

from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.web.i18n import texts
from service.web.view.notes import data_notes
from service.web.view.reasons import change_unscored, reasons
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _stored_rating
from tests.service.test_merchant_page_answers import _errors, _text

#: a noodle shop in Heilongjiang, where district heat is sold, burning piped gas from its bills, running no
#: vehicles, with its heat in the rent: "not sure"
NOODLE_SHOP = {"company_name": "老王面馆", "industry": "5610", "region": "CN-HL", "employees": "6",
               "revenue": "80万", "electricity": "15000", "electricity_unit": "kwh", "fuel": "natural_gas",
               "fuel_amount": "3000方", "heat": "", "vehicle_fuel": "none"}
#: a garment workshop in Guangdong (a manufacturer: asked its heat in every province) that replaced its
#: coal with gas, from the bills of both years, its heat left out ("not sure")
WORKSHOP = {"company_name": "明辉制衣厂", "industry": "1410", "region": "CN-GD", "employees": "35",
            "revenue": "600万", "electricity": "12万", "electricity_unit": "kwh", "fuel": "natural_gas",
            "fuel_amount": "2.4万方", "heat": "", "vehicle_fuel": "none", "previous_electricity": "11.5万",
            "previous_fuel_type": "coal", "previous_fuel": "80吨"}


def _reasons(page: str) -> list[str]:
    """The reasons the result page lists, as a reader reads them."""
    found = re.search(r'<ul class="reasons">(.*?)</ul>', page, re.S)
    assert found is not None
    return [_text(item).strip() for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def _notes(page: str) -> str:
    found = re.search(r'<p class="note" id="data-notes">(.*?)</p>', page, re.S)
    assert found is not None
    return _text(found.group(1))


def _earned(c: dict[str, Any], lang: str) -> str:
    if lang == "zh":
        return f"得 {c['points']:g} / {c['max_points']:g} 分"
    return f"{c['points']:g} of {c['max_points']:g} points"


def test_every_indicator_waiting_on_heat_is_explained_beside_the_largest_losses(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    posted = _post(client, "zh", **NOODLE_SHOP)
    assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
    location = posted.headers["Location"]
    rating = _stored_rating(app, location)
    points = {c["indicator"]: c for c in rating["contributions"]}
    heat = next(r for r in load_standard(DEFAULT_STANDARD).missing_when_not_reported
                if r.field == "energy.purchased_heat_gj")
    waiting = [r for r in rating["reason_codes"] if heat.reason in r["message"]]
    assert "energy_efficiency_ratio" in [r["indicator"] for r in waiting], rating["reason_codes"]
    for lang in ("zh", "en"):
        shown = _reasons(client.get(location.replace("lang=zh", f"lang={lang}")).get_data(as_text=True))
        assert len(shown) == len(rating["reason_codes"])  # every one the rating gives: none cut at three
        for r in waiting:
            said = next(s for s in shown if (heat.reason_zh if lang == "zh" else heat.reason) in s)
            assert _earned(points[r["indicator"]], lang) in said, said  # with its points


def test_the_page_lists_a_waiting_reason_after_three_larger_losses() -> None:
    """A rating of engine 2.2: three larger losses, then the energy ratio left unassessed for the heat."""
    standard = load_standard(DEFAULT_STANDARD)
    heat = next(r for r in standard.missing_when_not_reported if r.field == "energy.purchased_heat_gj")
    losses = [("waste_recycling_rate", 18.8), ("green_operations", 17.4),
              ("renewable_electricity_share", 17.4)]
    rating = {
        "reason_codes": [
            *({"indicator": i, "effect": "negative", "message": f"{i}: 0% earns 0 of {m:g} points.",
               "message_zh": f"{i}：0%，得 0 / {m:g} 分。"} for i, m in losses),
            {"indicator": "energy_efficiency_ratio", "effect": "negative",
             "message": f"Energy use against sector peers: {heat.reason} (scored in the missing-data bin) "
             "earns 0 of 9 points.",
             "message_zh": f"同业用能比：{heat.reason_zh}（按缺失数据计分），得 0 / 9 分。"},
        ],
        "contributions": [
            *({"indicator": i, "value": 0.0, "unit": "share 0-1", "points": 0.0, "max_points": m}
              for i, m in losses),
            {"indicator": "energy_efficiency_ratio", "value": None, "unit": "ratio (actual / expected)",
             "points": 0.0, "max_points": 9.0},
        ],
    }
    # the engine's close ("(scored in the missing-data bin) earns") is said as the page says a figure it
    # has nothing on
    expected = {
        "en": f"Energy use against sector peers: {heat.reason}. Until then it is scored as unknown: 0 of 9 "
        "points.",
        "zh": f"同业用能比：{heat.reason_zh}。填报之前按未知计，得 0 / 9 分。",
    }
    for lang in ("en", "zh"):
        said = [r["text"] for r in reasons(rating, standard, lang)]
        assert len(said) == 4
        assert said[3] == expected[lang]
        assert "missing-data bin" not in said[3] and "缺失数据" not in said[3]


def test_the_data_note_names_the_inputs_left_out_in_both_languages(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", **NOODLE_SHOP).headers["Location"]
    rating = _stored_rating(app, location)
    assert "energy.purchased_heat_gj" in rating["emissions"]["missing"]
    assert "transport.fleet" not in rating["emissions"]["missing"]  # "none" is an answer
    zh = _notes(client.get(location).get_data(as_text=True))
    assert "以下数据未填报，也没有估算，因此未计入排放：外购热力（范围二）" in zh
    assert zh.index("外购热力（范围二）") < zh.index("没有估算数据")  # never read as complete first
    assert "经营车辆" not in zh
    en = _notes(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    assert ("Not reported, and not estimated either, so left out of your emissions: heat bought "
            "(Scope 2)") in en
    # the vehicles not answered are named too; heat answered "none" is not
    vehicles = _post(client, "zh", **{**NOODLE_SHOP, "heat": "none", "vehicle_fuel": ""}).headers["Location"]
    zh = _notes(client.get(vehicles).get_data(as_text=True))
    assert "经营车辆（范围一；电动车充电为范围二）" in zh and "外购热力" not in zh


def test_a_rating_with_nothing_left_out_says_nothing_of_it() -> None:
    standard = load_standard(DEFAULT_STANDARD)
    rating: dict[str, Any] = {"data_quality": {"pcaf_score": 2, "estimated_fields": []},
                              "emissions": {"missing": []}}
    for lang, nothing in (("en", "Nothing was estimated."), ("zh", "没有估算数据。")):
        (note,) = data_notes(rating, {"energy": {"electricity_kwh": 100.0}}, standard, lang)
        assert note.startswith(nothing)
    rating["emissions"]["missing"] = ["energy.purchased_heat_gj", "resources.water_m3"]
    first, second = data_notes(rating, {"energy": {"electricity_kwh": 100.0}}, standard, "zh")
    assert first == "以下数据未填报，也没有估算，因此未计入排放：外购热力（范围二）、用水（范围三）。"
    assert second.startswith("没有估算数据。")


def test_the_change_on_last_year_is_said_when_the_heat_leaves_it_unscored(make_app: AppFactory) -> None:
    """The workshop's change on last year is computed (electricity and fuels, given for both years) but not
    scored while its heat is left out: the page says the change, in words, beside the reason."""
    app = _app(make_app)
    client = app.test_client()
    posted = _post(client, "zh", **WORKSHOP)
    assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
    location = posted.headers["Location"]
    rating = _stored_rating(app, location)
    change = {c["indicator"]: c for c in rating["contributions"]}["emissions_change"]
    n = rating["neutrality"]
    assert change["value"] is None and n["change_pct"] is not None and n["change_pct"] < 0, n
    fell = f"{n['compared_previous_tco2e'] - n['compared_current_tco2e']:.2f}"
    pct = f"{n['change_pct']:+.1f}"
    zh = _reasons(client.get(location).get_data(as_text=True))
    (said,) = [s for s in zh if "范围一和范围二排放同比变化：" in s]
    assert (f"按两年都填报的数据计算，范围一和范围二排放与上一年相比减少 {fell} 吨二氧化碳当量（{pct}%）；"
            "因上述数据未填报，本项暂不计分。") in said
    assert said.index("无法评估") < said.index("减少") < said.index("更多信息")  # remedy, change, where
    en = _reasons(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    (said,) = [s for s in en if "Change in Scope 1+2 emissions on the previous year:" in s]
    assert (f"On the figures given for both years, Scope 1 and 2 emissions fell by {fell} t CO2e ({pct}%) "
            "on last year; the change is not scored until the figures above are reported.") in said
    # heat answered: the change is scored, and the engine's own sentence gives it
    scored = _post(client, "zh", **{**WORKSHOP, "heat": "none"}).headers["Location"]
    rating = _stored_rating(app, scored)
    assert {c["indicator"]: c for c in rating["contributions"]}["emissions_change"]["value"] is not None
    assert "本项暂不计分" not in client.get(scored).get_data(as_text=True)


def test_the_unscored_change_is_said_as_it_moved() -> None:
    def rating(before: float | None, now: float | None, pct: float | None) -> dict[str, Any]:
        return {"neutrality": {"compared_previous_tco2e": before, "compared_current_tco2e": now,
                               "change_pct": pct}}

    assert "增加 5.00 吨二氧化碳当量（+25.0%）" in str(change_unscored(rating(20.0, 25.0, 25.0), "zh"))
    rose = change_unscored(rating(20.0, 25.0, 25.0), "en")
    assert "rose by 5.00 t CO2e (+25.0%) on last year" in str(rose)
    assert "与上一年相比持平（+0.0%）；" in str(change_unscored(rating(20.0, 20.0, 0.0), "zh"))
    # a previous year of 0 has no percentage: the tonnes alone
    assert "rose by 3.00 t CO2e on last year" in str(change_unscored(rating(0.0, 3.0, None), "en"))
    assert change_unscored(rating(None, None, None), "en") is None  # nothing compared: nothing said
    assert change_unscored({}, "zh") is None


def test_the_vehicles_default_says_it_costs_the_change_on_last_year(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang, option, hint in (
        ("zh", "不填（不计入车辆；与上一年的对比将不计分）",
         "上面的经营用车选“不填”时，与上一年的对比不计分。"),
        ("en", "Not answered (no vehicles are counted, and the change on last year is not scored)",
         "If vehicles are left “Not answered” above, the change on last year is not scored."),
    ):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert option == texts(lang)["vehicle_fuel_unsure"]
        assert f'<option value="" selected>{escape(option)}</option>' in page
        assert hint in texts(lang)["more_details_hint"]
        assert str(escape(texts(lang)["more_details_hint"])) in page


#: every question of the form answered, the optional ones too (a cafe with gas, no heat, no vehicles)
EVERY_ANSWER = {
    "fuel": "natural_gas", "fuel_amount": "2000", "heat": "none", "vehicle_fuel": "none", "green_share": "0",
    "floor_area": "80", "water": "300", "waste": "2", "waste_recycled": "1", "previous_electricity": "31000",
    "previous_fuel": "2100", "previous_heat": "0",
}


def test_optional_questions_left_blank_are_said_to_score_no_better_than_the_worst_answer(
    make_app: AppFactory,
) -> None:
    """With the minimum answers a business scored 0.0 with every pillar at 0 and nothing said the blanks
    were why (a browser review). One line says what answering does, no more than is true: a blank earns
    at most its question's worst answer's points (docs/rating-engine.md), but an answer can move another
    figure (a floor area turns the energy comparison per employee into one per m²), so it is not said
    that answering can only raise the score."""
    from service.web.view.notes import left_unanswered
    from tests.service.test_merchant_page import _stored_input

    app = _app(make_app)
    client = app.test_client()
    for lang in ("en", "zh"):
        line = texts(lang)["unanswered"]
        assert ("can only add to that question's points" in line and "can still go down" in line) or (
            "只会增加该问题的得分" in line and "仍可能降低" in line)
        page = client.get(_post(client, lang).headers["Location"]).get_data(as_text=True)
        assert f'<p id="unanswered">{escape(line)}</p>' in page
        answered = _post(client, lang, **EVERY_ANSWER)
        assert answered.status_code == 303, _errors(answered.get_data(as_text=True))
        assert 'id="unanswered"' not in client.get(answered.headers["Location"]).get_data(as_text=True)
    everything = _stored_input(app, answered.headers["Location"])
    assert not left_unanswered(everything)
    assert left_unanswered({**everything, "previous_year": None})
    assert left_unanswered({**everything, "transport": {"fleet": [{"fuel": "diesel", "vehicles": 2}]}})
    assert not left_unanswered({**everything, "transport": {"fleet": [{"fuel": "diesel", "vehicles": 2,
                                                                       "km": 9000}]}})
    billed = {**everything, "energy": {**everything["energy"], "electricity_kwh": None,
                                       "green_electricity_kwh": None, "electricity_spend": 20000}}
    assert not left_unanswered(billed)  # green power is asked of kWh only
