"""The merchant page says what the owner answered: findings of a review in Chinese on a phone (a
small-business owner in Chengdu and a rural bank's relationship manager)."""

from __future__ import annotations

import html
import re
from typing import Any

from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.web.form.choices import PRACTICES
from service.web.view.plan import held_back
from service.web.view.reasons import reasons
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _stored_rating

EVERY_PRACTICE = {key: "yes" for key, _, _ in PRACTICES}


def _text(page: str) -> str:
    """The page's visible words, tags dropped (as a reader sees them)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_no_vehicles_is_shown_as_the_owners_answer_never_as_not_reported(make_app: AppFactory) -> None:
    """"没有" vehicles was shown as "没有可计分的信息" and, in the held-back list, among the figures "未填报":
    the owner answered. Under standard 1.5.0 it is scored, and the page says how; a standard that leaves it
    in the missing bin is told apart by the rating (next test)."""
    app = _app(make_app)
    client = app.test_client()
    # no practices and no green power: the fleet's points are among the reasons the page shows
    answers = {"industry": "5610", "region": "CN-SC", "employees": "5", "revenue": "80万",
               "electricity": "15000", "green_share": "0", "fuel": "none", "vehicle_fuel": "none"}
    location = _post(client, "zh", **answers).headers["Location"]
    rating = _stored_rating(app, location)
    assert any(r["indicator"] == "low_carbon_fleet_share" for r in rating["reason_codes"])
    fleet = {c["indicator"]: c for c in rating["contributions"]}["low_carbon_fleet_share"]
    held = rating["path_to_next_grade"]["held_back_by"]
    # standard 1.5.0 scores "no vehicles" as a fleet with no combustion vehicle: full points, and never
    # among the figures not reported (the 1.4.0 wording is checked on a made-up rating below)
    assert fleet["value"] == 1 and fleet["points"] == fleet["max_points"] > 0
    assert not any("low_carbon_fleet_share" in h.get("indicators", ()) for h in held)
    zh = _text(client.get(location.replace("lang=en", "lang=zh")).get_data(as_text=True))
    assert "低碳车辆占比：没有车辆，按没有燃油车的车队计分" in zh
    assert "低碳车辆占比：没有可计分的信息" not in zh
    assert re.search(r"最多还能带来[^。]*低碳车辆占比", zh) is None
    en = _text(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    assert "vehicle fleet: no vehicles, scored as a fleet with no combustion vehicle" in en

    # left unanswered, the fleet is still "nothing to score it on"
    unanswered = {**answers, "vehicle_fuel": ""}
    page = client.get(_post(client, "zh", **unanswered).headers["Location"]).get_data(as_text=True)
    assert "没有车辆" not in _text(page)


def test_no_vehicles_scored_by_the_standard_says_how_it_was_scored() -> None:
    """A standard that scores "fleet": [] (as a fleet with no combustion vehicle, value 1) is told apart by
    the rating's contribution, not by its version: the same page code shows either rating."""
    standard = load_standard(DEFAULT_STANDARD)
    operating: dict[str, Any] = {"transport": {"fleet": []}}
    code = {"indicator": "low_carbon_fleet_share", "effect": "positive", "message": "engine",
            "message_zh": "引擎"}
    scored = {"versions": {"standard": "greenrate-sme@9.9.9"}, "reason_codes": [code],
              "contributions": [{"indicator": "low_carbon_fleet_share", "value": 1.0, "unit": "share 0-1",
                                 "points": 10.1, "max_points": 10.1}]}
    assert [r["text"] for r in reasons(scored, standard, "zh", operating)] == [
        "低碳车辆占比：没有车辆，按没有燃油车的车队计分，得 10.1 / 10.1 分。"]
    assert [r["text"] for r in reasons(scored, standard, "en", operating)] == [
        "Low-carbon share of the vehicle fleet: no vehicles, scored as a fleet with no combustion vehicle: "
        "10.1 of 10.1 points."]
    unscored = {**scored, "contributions": [{**scored["contributions"][0], "value": None, "points": 0.0}]}
    (text,) = [r["text"] for r in reasons(unscored, standard, "zh", operating)]
    assert "（greenrate-sme@9.9.9）尚不为“没有车辆”计分" in text and text.endswith("得 0 / 10.1 分。")
    # the fleet alone was missing: its line replaces the engine's, with nothing "not reported" left
    path = {"target_grade": "green", "reachable": False, "held_back_by": [
        {"reason": "missing_data", "indicators": ["low_carbon_fleet_share"], "points": 10.1,
         "message": "Up to 10.1 more points wait", "message_zh": "最多还能带来 10.1 分"}]}
    lines = held_back({**unscored, "path_to_next_grade": path}, "zh", operating, standard)
    assert len(lines) == 1 and "没有车辆" in lines[0] and "未填报" not in lines[0]
    # no answer: the engine's sentence as it was
    assert held_back({**unscored, "path_to_next_grade": path}, "zh", {}, standard) == ["最多还能带来 10.1 分"]


def test_points_beside_no_vehicles_say_figures_to_report_apart_from_practices_to_answer() -> None:
    """Where the page takes the fleet out of the engine's "points not given" (an older standard leaving
    "no vehicles" in the missing bin), the rest is said as the engine says it: an energy-efficiency
    advisor's review found practices and policies among the "figures not reported ... from the bills"."""
    standard = load_standard(DEFAULT_STANDARD)
    operating: dict[str, Any] = {"transport": {"fleet": []}}
    blank = {"value": None, "unit": "share 0-1", "points": 0.0}
    contributions = [{**blank, "indicator": "low_carbon_fleet_share", "max_points": 10.1},
                     {**blank, "indicator": "waste_recycling_rate", "max_points": 18.8},
                     {**blank, "indicator": "green_operations", "max_points": 17.4}]
    path = {"target_grade": "light_green", "reachable": False, "held_back_by": [
        {"reason": "missing_data", "indicators": [c["indicator"] for c in contributions], "points": 46.3,
         "message": "engine", "message_zh": "引擎"}]}
    rating = {"versions": {"standard": "greenrate-sme@1.4.0"}, "contributions": contributions,
              "path_to_next_grade": path}
    zh = held_back(rating, "zh", operating, standard)
    assert len(zh) == 2 and "没有车辆" in zh[1]
    figures, answers = zh[0].split("未作答的绿色经营做法和管理制度")
    assert zh[0].startswith("未填报的数据和未作答的问题最多还能带来 36.2 分。")
    assert "数据最多 18.8 分：废弃物回收利用率。" in figures and "绿色经营行为" not in figures
    assert answers.startswith("最多 17.4 分：绿色经营行为。") and "低碳车辆占比" not in zh[0]
    (en, _) = held_back(rating, "en", operating, standard)
    assert "Figures not reported (or only estimated from the sector), up to 18.8 points: Waste recycled" in en
    assert "Practices and policies not answered, up to 17.4 points: Green operating practices adopted" in en


def _errors(page: str) -> str:
    found = re.search(r'<div class="alert" role="alert" id="error-summary".*?</div>', page, re.S)
    assert found, page[:2000]
    return _text(found.group(0))


def test_bottled_gas_and_coal_need_their_amount_and_bottles_count_by_their_size(make_app: AppFactory) -> None:
    """Bottled gas with its amount left empty was rated as piped natural gas (the standard's sector-default
    estimate): the owner's answer was lost. Now the amount is asked for, in kg or as bottles of a chosen size
    (the owner's own figures multiplied: 30 bottles of 15 kg are 450 kg, no factor of ours)."""
    app = _app(make_app)
    client = app.test_client()
    empty = _post(client, "zh", fuel="lpg")
    assert empty.status_code == 422
    said = _errors(empty.get_data(as_text=True))
    assert "请填写全年液化气用量：千克数（如 450 或 450公斤），或瓶数（如 30瓶）" in said
    no_size = _post(client, "zh", fuel="lpg", fuel_amount="30瓶")
    assert no_size.status_code == 422 and "请选择每瓶规格" in _errors(no_size.get_data(as_text=True))
    bottles = _post(client, "zh", fuel="lpg", fuel_amount="30瓶", lpg_bottle_kg="15")
    kilos = _post(client, "zh", fuel="lpg", fuel_amount="450公斤")
    by_bottle, by_kg = (_stored_rating(app, r.headers["Location"]) for r in (bottles, kilos))
    assert by_bottle["emissions"]["scope1"] == by_kg["emissions"]["scope1"] > 0
    assert "energy.fuels" not in by_bottle["data_quality"]["estimated_fields"]
    lpg = [f for f in by_bottle["emissions"]["factors"] if f["id"].startswith("cn.fuel.lpg")]
    assert lpg and not [f for f in by_bottle["emissions"]["factors"] if "natural_gas" in f["id"]]
    assert _post(client, fuel="lpg", fuel_amount="1.5瓶", lpg_bottle_kg="15").status_code == 422
    # coal: offered, its amount asked (kg by default, tonnes when said), and capped by the standard
    page = client.get("/?lang=zh").get_data(as_text=True)
    assert '<option value="coal"' in page and "燃煤" in page
    assert _post(client, "zh", fuel="coal").status_code == 422
    tonnes = _stored_rating(app, _post(client, fuel="coal", fuel_amount="12吨").headers["Location"])
    kg = _stored_rating(app, _post(client, fuel="coal", fuel_amount="12,000kg").headers["Location"])
    assert tonnes["emissions"]["scope1"] == kg["emissions"]["scope1"] > 20
    assert "coal_burned_on_site" in [k["id"] for k in tonnes["knock_outs"]]


def test_a_bare_number_beside_a_bottle_size_is_asked_about_never_guessed(make_app: AppFactory) -> None:
    """Bottled gas of 15 kg a bottle and "30": the rating recorded 30 kg and dropped the size, where "30瓶"
    gives 450 kg (review). Bottles or kg? The page asks, in either language, and keeps every answer; a unit
    said, or no size chosen, is read as before."""
    app = _app(make_app)
    client = app.test_client()
    for lang, asked in (("zh", "已选择每瓶规格：30 是瓶数还是千克数？请写 30瓶 或 30公斤。"),
                        ("en", "A bottle size is chosen: is 30 the number of bottles or kg? Write 30 bottles "
                               "or 30 kg.")):
        bare = _post(client, lang, company_name="老王烧烤", fuel="lpg", fuel_amount="30", lpg_bottle_kg="15")
        assert bare.status_code == 422, lang
        page = bare.get_data(as_text=True)
        assert asked in _errors(page) and asked in _text(page), lang
        assert 'name="fuel_amount" inputmode="decimal" autocomplete="off" value="30"' in page
        assert '<option value="15" selected>' in page and '<option value="lpg" selected>' in page
        assert 'value="老王烧烤"' in page
    as_said = {typed: _stored_rating(app, _post(client, fuel="lpg", fuel_amount=typed, lpg_bottle_kg="15")
                                     .headers["Location"])["emissions"]["scope1"]
               for typed in ("30瓶", "30 bottles", "450kg", "450 公斤")}
    assert len(set(as_said.values())) == 1  # 30 bottles of 15 kg are the 450 kg said
    no_size = _post(client, fuel="lpg", fuel_amount="450")  # no size chosen: kg, as the hint says
    assert _stored_rating(app, no_size.headers["Location"])["emissions"]["scope1"] == as_said["450kg"]


def test_units_owners_write_are_read_and_others_say_what_the_field_takes(make_app: AppFactory) -> None:
    """方 / 立方 / 立方米 are m³ of piped gas; "10罐" of piped gas, and "1万2" or "12000元" typed as kWh, had
    the generic "请输入数字"."""
    app = _app(make_app)
    client = app.test_client()
    rated = [_stored_rating(app, _post(client, fuel="natural_gas", fuel_amount=typed).headers["Location"])
             for typed in ("3000", "3000方", "3000立方", "3000立方米", "3000 m3")]
    assert len({r["emissions"]["scope1"] for r in rated}) == 1 and rated[0]["emissions"]["scope1"] > 0
    gas = _post(client, "zh", fuel="natural_gas", fuel_amount="10罐")
    assert gas.status_code == 422 and "请填写立方米数，例如 3000、3000方 或 3000立方米。" in _errors(
        gas.get_data(as_text=True))
    for typed in ("1万2", "12000元", "¥12000"):
        money = _post(client, "zh", electricity=typed)
        assert money.status_code == 422, typed
        # the unit's own name: on a phone the unit is below the amount, not to its right (右侧)
        assert "请把“单位”改为“元（全年电费）”" in _errors(money.get_data(as_text=True)), typed
        assert "右侧" not in money.get_data(as_text=True)
    english = _post(client, "en", electricity="12000元")
    assert "choose “CNY (yearly bill)” under “Unit”" in english.get_data(as_text=True)
    assert _post(client, electricity="12000元", electricity_unit="bill").status_code == 303
    assert "请写成 1.2万 或 12000。" in _errors(_post(client, "zh", revenue="150万2").get_data(as_text=True))


def test_workshops_can_choose_their_industry_and_every_choice_is_rated() -> None:
    """A garment workshop burning coal had only shops to choose from; every industry offered is one the
    engine rates (a sector of its benchmarks) and none is an activity the standard excludes."""
    from rating_model.sector_benchmarks import sector_of
    from service.web.form.choices import INDUSTRIES

    standard = load_standard(DEFAULT_STANDARD)
    excluded = {code for k in standard.knock_outs for code in k.isic_codes}
    codes = {code for code, _, _ in INDUSTRIES}
    assert {"1410", "1079", "1811"} <= codes
    for code in codes:
        assert sector_of(code) and code not in excluded, code
    assert sector_of("1410") == "manufacturing"


def test_the_completeness_items_the_standard_reads_can_be_given_in_more_details(make_app: AppFactory) -> None:
    """A shop doing everything the form allowed reached 70.8 (green) under the completeness cap, whose advice
    named floor area, water, waste and last year's figures: the form had no field for them. They are in a
    collapsed "more details" part now, each optional, and the advice says where they are."""
    from rating_model.operating_data_reader import parse_operating_data
    from service.web.form import parse_form

    standard = load_standard(DEFAULT_STANDARD)
    app = _app(make_app)
    client = app.test_client()
    form = client.get("/?lang=zh").get_data(as_text=True)
    assert '<details id="more-details">' in form  # collapsed: the form stays one click
    for field in ("floor_area", "water", "waste", "waste_recycled", "previous_electricity"):
        assert f'<label for="{field}">' in form, field
    best = {"industry": "5610", "region": "CN-SC", "employees": "5", "revenue": "80万",
            "electricity": "15000", "green_share": "100", "fuel": "none", "vehicle_fuel": "none",
            **EVERY_PRACTICE}
    short = _post(client, "zh", **best).headers["Location"]
    capped = _stored_rating(app, short)
    assert [k["id"] for k in capped["knock_outs"]] == ["insufficient_data"]
    page = _text(client.get(short).get_data(as_text=True))
    assert "可在评级表单的“更多信息（选填）”中填写" in page

    details = {"floor_area": "60平米", "water": "300吨", "waste": "1.2吨", "waste_recycled": "800公斤",
               "previous_electricity": "16000度"}
    parsed = parse_form({**best, **details, "electricity_unit": "kwh"})
    assert parsed.payload is not None, parsed.errors
    data = parse_operating_data(parsed.payload)
    assert data.company.floor_area_m2 == 60 and data.resources.water_m3 == 300
    assert data.resources.waste_t == 1.2 and data.resources.waste_recycled_t == 0.8  # kg, converted
    assert data.previous_year is not None and data.previous_year.energy.electricity_kwh == 16000
    assert {"company.floor_area_m2", "resources.water_m3", "resources.waste_t",
            "previous_year"} <= set(standard.completeness_fields)
    complete = _stored_rating(app, _post(client, "zh", **best, **details).headers["Location"])
    assert complete["knock_outs"] == [] and complete["data_quality"]["completeness"] > 0.9
    assert complete["score"] > capped["score"]
    # recycled waste is part of the waste: refused without it, and the part opens to show the error
    refused = _post(client, "zh", **best, waste_recycled="1")
    html_page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and '<details id="more-details" open>' in html_page
    assert "请先填写全年产生的废弃物。" in _errors(html_page)


def test_scope2_note_names_both_factors_and_the_intensity_its_basis(make_app: AppFactory) -> None:
    """A Chengdu noodle shop's market-based Scope 2 (7.03 t) far exceeds its location-based (1.68 t): power
    without certificates is priced at the national residual factor, not Sichuan's grid factor, and the note
    "基于市场：购买的绿色电力按零计" implied market-based could only be lower. The carbon-intensity reason
    names its basis, which is not the disclosure's intensity's."""
    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", region="CN-SC", electricity="12000", fuel="none", vehicle_fuel="",
                     led_lighting="yes", e_invoicing="yes").headers["Location"]
    rating = _stored_rating(app, location)
    grid, residual = (rating["emissions"][k]["value"] for k in ("grid_factor", "residual_factor"))
    assert rating["emissions"]["scope2_market"] > rating["emissions"]["scope2_location"] and residual > grid
    zh = _text(client.get(location).get_data(as_text=True))
    assert f"基于位置按所在电网的平均排放因子（{grid:g} 千克二氧化碳/千瓦时）" in zh
    # the residual factor by its name in the MEE/NBS notice, which a Chinese bank knows it by
    assert f"全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量，{residual:g} 千克" in zh
    assert "可能高于基于位置的数值" in zh
    en = _text(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    assert f"counts at {residual:g} kg CO2 per kWh, the national average without the non-fossil" in en
    assert "the market figure can be higher than the location figure" in en
    # the default model (greenrate-train/2) gives carbon intensity no points, so it is never among the
    # page's reasons: its basis is checked on the reasons the page builds from a rating that lists it
    line = next(c for c in rating["contributions"] if c["indicator"] == "carbon_intensity")
    listed = dict(rating, reason_codes=[{
        "indicator": "carbon_intensity", "effect": "negative",
        "message": f"Carbon intensity of revenue: {line['value']:.2f} earns 0 of 0 points.",
        "message_zh": f"营收碳强度：{line['value']:.2f}，得 0 / 0 分。",
    }])
    standard = load_standard(DEFAULT_STANDARD)
    (zh_reason,), (en_reason,) = (reasons(listed, standard, lang) for lang in ("zh", "en"))
    assert zh_reason["text"].startswith("营收碳强度（按范围一和基于市场的范围二计）：")
    assert en_reason["text"].startswith("Carbon intensity of revenue (Scope 1 + Scope 2 market figure):")


def test_electricity_from_the_bill_is_its_own_line_with_the_standards_tariff(make_app: AppFactory) -> None:
    """Electricity derived from the bill's amount was listed among the figures "not given, estimated from
    similar shops" (按同类店铺估算): it is the owner's bill, converted at the tariff the standard assumes."""
    from service.web.view.notes import bill_tariff

    standard = load_standard(DEFAULT_STANDARD)
    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", electricity="2.4万", electricity_unit="bill", fuel="none",
                     vehicle_fuel="none").headers["Location"]
    rating = _stored_rating(app, location)
    assert rating["data_quality"]["estimated_fields"] == ["energy.electricity_kwh"]
    (rule,) = [r for r in standard.estimation if r.tariff_cny_per_kwh]
    assert bill_tariff(rating, standard) == rule.tariff_cny_per_kwh
    zh = _text(client.get(location).get_data(as_text=True))
    label = rating["versions"]["standard"]
    assert (f"用电量由您填写的全年电费 2.4万元，按本评级所用标准（{label}）假设的电价 "
            f"{rule.tariff_cny_per_kwh:g} 元/千瓦时换算") in zh
    assert "按同类店铺估算" not in zh and "数据质量：" in zh and "PCAF" not in zh.split("提交给银行")[0]
    en = _text(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    tariff = rule.tariff_cny_per_kwh
    assert f"at {tariff:g} yuan per kWh, the tariff assumed by this rating's standard ({label})" in en
    assert "Estimated from businesses like yours" not in en
    # a figure the sector's defaults did fill is still said so
    unsure = _post(client, "zh", fuel="").headers["Location"]
    assert "以下数据表单中未提供，按同类店铺估算" in _text(client.get(unsure).get_data(as_text=True))


def test_an_indicator_waiting_on_the_fuels_says_to_report_them(make_app: AppFactory) -> None:
    """Standard 1.8.0: fuels left out ("Not sure") leave the energy ratio unassessed; the page had said
    "nothing to score it on, so scored as unknown", never what to report. It says: the fuels."""
    app = _app(make_app)
    client = app.test_client()
    # every practice, all power green and no vehicles: the energy ratio is among the strongest reasons
    answers = {key: "yes" for key, _, _ in PRACTICES} | {"green_share": "100", "vehicle_fuel": "none"}
    location = _post(client, "zh", fuel="", **answers).headers["Location"]
    rating = _stored_rating(app, location)
    ratio = next(r for r in rating["reason_codes"] if r["indicator"] == "energy_efficiency_ratio")
    assert ratio["effect"] == "negative"
    zh = _text(client.get(location).get_data(as_text=True))
    assert "无法评估：请填报本年度和上一年度经营场所使用的燃料" in zh
    en = _text(client.get(location.replace("lang=zh", "lang=en")).get_data(as_text=True))
    assert "not assessed: report the fuels burned on your premises" in en
    assert "Energy use against sector peers: nothing to score it on" not in en
    answered = _stored_rating(app, _post(client, "zh", fuel="none", **answers).headers["Location"])
    assert all("燃料" not in str(r.get("message_zh")) for r in answered["reason_codes"])


def test_one_chinese_term_per_concept_and_full_width_punctuation(make_app: AppFactory) -> None:
    """The completeness knock-out had two names (提供的经营数据过少, 数据不完整), intensity three; the
    Chinese page had ASCII ": " and " ，"; "比同类店铺少 21%" did not say of what; and the ordering
    practice was worded for restaurants only ("点单", shown to a hair salon)."""
    from service.web.i18n import texts
    from service.web.view.loan import green_loan_line, knock_out_names

    standard = load_standard(DEFAULT_STANDARD)
    completeness = next(k for k in standard.knock_outs if k.id == "insufficient_data")
    assert completeness.name_zh == "数据不完整"
    # a rating whose green loan this knock-out blocked (standard 1.0.0) names it as the standard does now
    old = {"grade": "green",
           "green_loan": {"eligible": False, "knock_outs": ["insufficient_data: below 0.5"]}}
    line = green_loan_line(old, None, texts("zh"), knock_out_names(standard, "zh"))
    assert line["text"] == "暂不能申请绿色贷款：数据不完整。"
    assert "提供的经营数据过少" not in "".join(texts("zh").values())
    en = green_loan_line(old, None, texts("en"), knock_out_names(standard, "en"))
    assert en["text"] == "Green loans are not available for now: incomplete data."

    app = _app(make_app)
    client = app.test_client()
    form = client.get("/?lang=zh").get_data(as_text=True)
    assert "顾客扫码或线上下单、预约" in form and "点单" not in form
    assert "（选填）" in form and "(选填)" not in form
    # the vehicles' question and their kinds (engine 2.9) name a car alike: 轿车 beside 小汽车 had read as two
    assert "经营用车（小汽车、面包车、货车）" in form and ">小汽车</option>" in form and "轿车" not in form
    location = _post(client, "zh", industry="9602", region="CN-SC", employees="3", revenue="35万",
                     electricity="3600", fuel="none", vehicle_fuel="gasoline", vehicles="1",
                     led_lighting="yes").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    text = _text(page)
    assert "用能比同类店铺少" in text or "用能比同类店铺多" in text
    # full-width punctuation in the Chinese page's own words (tags are not text: no space is added here)
    words = re.sub(r"<[^>]+>", "", page)
    assert re.search(r"[\u4e00-\u9fff）]: |: [\u4e00-\u9fff]| ，|, 可达|\([\u4e00-\u9fff]", words) is None
    assert "您的绿色评级：" in words and "减分：" in words
    disclosure = client.get(location.split("?")[0] + "/disclosure?lang=zh").get_data(as_text=True)
    assert "温室气体排放强度" not in disclosure and "排放强度" not in disclosure
    # the one-click form asks no Scope 3 input: the metric's label says so (不含范围三), in the one term
    assert "营收碳强度：范围一+范围二（基于位置），不含范围三" in disclosure


def test_the_chinese_disclosure_writes_amounts_and_times_as_a_reader_does(make_app: AppFactory) -> None:
    """The Chinese printable disclosure showed "600000 CNY", times in UTC ("2026-12-06T03:59:45Z"), and
    its PDF broke the labels two characters a line (员工人/数) next to the long rating id."""
    import io
    from datetime import datetime

    from pypdf import PdfReader

    from service.web.i18n import disclosure_time, local_time, money

    assert money(600000.0, "CNY", "zh") == "60万元" and money(600000.0, "CNY", "en") == "600000 CNY"
    assert money(1234567.0, "CNY", "zh") == "1,234,567元" and money(5000.0, "EUR", "zh") == "5000 EUR"
    assert local_time("2026-12-06T03:59:45Z", "zh") == "2026-12-06 11:59（北京时间）"
    assert local_time("2026-12-31T20:00:00Z", "zh") == "2027-01-01 04:00（北京时间）"  # the date moves too
    # Beijing time on the English pages too (a browser review): the UTC stamp had been shown as stored
    assert local_time("2026-12-06T03:59:45Z", "en") == "2026-12-06 11:59 (Beijing time)"
    assert local_time("not a time", "zh") == "not a time"
    assert disclosure_time("2026-12-06T03:59:45Z", "en") == "2026-12-06T03:59:45Z"
    assert disclosure_time("2026-12-06T03:59:45Z", "zh") == "2026-12-06 11:59（北京时间）"

    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", revenue="60万", employees="4").headers["Location"]
    rating = _stored_rating(app, location)
    issued = datetime.fromisoformat(rating["issued_at"].replace("Z", "+00:00"))
    base = location.split("?")[0] + "/disclosure"
    page = _text(client.get(base + "?lang=zh").get_data(as_text=True))
    assert "年营业收入 60万元" in page and "CNY" not in page.split("温室气体排放清单")[0]
    assert local_time(rating["issued_at"], "zh") in page and rating["issued_at"] not in page
    assert f"{(issued.hour + 8) % 24:02d}:{issued.minute:02d}（北京时间）" in page
    assert local_time(rating["issued_at"], "zh") in _text(client.get(location).get_data(as_text=True))
    pdf = PdfReader(io.BytesIO(client.get(base + "?as=pdf&lang=zh").data)).pages[0].extract_text()
    lines = pdf.splitlines()
    assert "员工人数 4" in lines and "年营业收入 60万元" in lines, lines[:12]
    english = _text(client.get(base + "?lang=en").get_data(as_text=True))
    # the English disclosure keeps the stamp as stored, read back as the JSON has it (the result page
    # says Beijing time: test_merchant_page_readability.py)
    assert "600000 CNY" in english and rating["issued_at"] in english


def test_kwh_and_yuan_as_owners_write_them_and_mwh_converted() -> None:
    """"3万度电" is how electricity is said, and a bill prints KWH or kW·h; "30 MWh" is a larger bill's
    unit; "150万块", "1500000 CNY" are the revenue: each had the generic "enter a number", which did not
    say what was wrong. MWh is converted to the kWh the field holds, also for last year's; a bill's
    yuan take no MWh."""
    from service.web.form import parse_form
    from tests.service.test_merchant_page import FORM

    def kwh(**answers: str) -> Any:
        parsed = parse_form({**FORM, **answers})
        assert parsed.payload is not None, parsed.errors
        previous = parsed.payload.get("previous_year", {}).get("energy", {}).get("electricity_kwh")
        return parsed.payload["energy"]["electricity_kwh"], previous

    for typed in ("3万度电", "30000度电", "30000 KWH", "30000 kW·h", "30 MWh", "30兆瓦时", "0.003万MWh"):
        assert kwh(electricity=typed) == (30000, None), typed
    assert kwh(electricity="1.1MWh", previous_electricity="1.2 MWh") == (1100, 1200)
    for typed in ("150万块", "150万块钱", "1500000 CNY", "150万人民币", "1,500,000 RMB"):
        parsed = parse_form({**FORM, "revenue": typed})
        assert parsed.payload is not None and parsed.payload["company"]["annual_revenue"] == 1_500_000, typed
    bill = parse_form({**FORM, "electricity": "30 MWh", "electricity_unit": "bill"})
    assert bill.errors["electricity"].key == "not_a_number"
    assert parse_form({**FORM, "electricity": "2e9 MWh"}).errors["electricity"].key == "too_large"
