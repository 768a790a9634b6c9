"""The merchant page as a small restaurant's owner fills it in Chinese on a phone: a gas stove in 方, a
delivery van, the waste in 吨 or 公斤, the floor area in 平方: each refusal says what the field takes, in
the field's own units and magnitudes, and the disclosure names a term one way."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post

#: a small restaurant's answers, as its owner types them
RESTAURANT = {
    "company_name": "老王家常菜",
    "revenue": "85万",
    "electricity": "2.4万",
    "electricity_unit": "bill",
    "fuel": "natural_gas",
    "fuel_amount": "3600方",
    "vehicle_fuel": "gasoline",
    "vehicle_kind": "van",
    "vehicles": "1",
    "waste": "6吨",
    "waste_recycled": "1吨",
    "floor_area": "120平米",
    "waste_sorting": "yes",
}


def _refusal(client: FlaskClient, lang: str, field: str, **answers: str) -> str:
    """The error shown at ``field`` when the restaurant's answers, with ``answers``, are posted."""
    page = _post(client, lang, **{**RESTAURANT, **answers}).get_data(as_text=True)
    assert f'id="{field}-error"' in page, page
    return page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


def test_more_waste_recycled_than_thrown_away_is_said_so_not_just_invalid(make_app: AppFactory) -> None:
    """10 t recycled of 6 t thrown away was refused by the engine, and the page said "请输入有效的数值",
    beside a figure that is a valid number: it says now that the recycled part is more than the waste."""
    client = _app(make_app).test_client()
    assert _refusal(client, "zh", "waste_recycled", waste_recycled="10") == (
        "多于全年产生的废弃物（6吨）：回收利用的部分包含在全年废弃物之中，请核对这两个数值。")
    assert _refusal(client, "en", "waste_recycled", waste="800 kg", waste_recycled="1") == (
        "That is more than the year&#39;s waste (0.8 t): the waste recycled is part of it. Please check both "
        "figures.")
    all_recycled = {**RESTAURANT, "waste": "0.8", "waste_recycled": "800公斤"}
    assert _post(client, "zh", **all_recycled).status_code == 303


def test_a_vehicle_count_and_the_waste_are_refused_with_examples_of_their_size(make_app: AppFactory) -> None:
    """"一辆" in the vehicles and "800斤" in the waste were told "请输入数字，例如 12000 或 1.2万": an
    example of money, twelve thousand vans, twelve thousand tonnes of a restaurant's waste. Each says what
    it counts now."""
    client = _app(make_app).test_client()
    assert _refusal(client, "zh", "vehicles", vehicles="一辆") == "请输入车辆数，例如 1 或 2。"
    assert _refusal(client, "en", "vehicles", vehicles="one") == (
        "Enter the number of vehicles, such as 1 or 2.")
    waste = "请填写吨数（如 6 或 6吨）或千克数（如 800公斤）；按斤计的请换算成公斤（1斤 = 0.5公斤）。"
    assert _refusal(client, "zh", "waste", waste="800斤") == waste
    assert _refusal(client, "zh", "waste_recycled", waste_recycled="半吨") == waste
    assert _refusal(client, "en", "waste", waste="half a tonne") == (
        'Enter the tonnes (such as 6 or 6 t), or the kg (such as 800 kg). If you weigh it in <span '
        'lang="zh-CN">斤</span> (jin), halve the figure for kg: <span lang="zh-CN">800斤</span> is 400 kg.')
    assert _post(client, "zh", **{**RESTAURANT, "vehicles": "1辆", "waste": "800公斤", "waste_recycled": ""}
                 ).status_code == 303


def test_a_floor_area_in_ping_fang_is_read_as_square_metres(make_app: AppFactory) -> None:
    """"120平方" is how an owner says 120 m² as often as "120平米"; it was refused with "enter a number"."""
    from tests.service.test_merchant_page import _stored

    app = _app(make_app)
    client = app.test_client()
    posted = _post(client, "zh", **{**RESTAURANT, "floor_area": "120平方"})
    assert posted.status_code == 303, posted.get_data(as_text=True)
    stored = json.loads(_stored(app, posted.headers["Location"]).input_json)
    assert stored["company"]["floor_area_m2"] == 120


def test_the_disclosure_names_the_warming_potential_once_as_its_text_does(make_app: AppFactory) -> None:
    """The heading said "全球变暖潜能值" above the engine's "全球增温潜势（GWP100）": a bank officer read two
    terms for one thing. The heading takes the text's (and IPCC's Chinese reports') term."""
    client = _app(make_app).test_client()
    location = _post(client, "zh", **RESTAURANT).headers["Location"]
    page = client.get(location.split("?")[0] + "/disclosure?lang=zh").get_data(as_text=True)
    assert "温室气体种类与全球增温潜势" in page and "全球增温潜势（GWP100）" in page
    assert "全球变暖潜能值" not in page


def test_the_disclosure_links_say_what_json_and_vsme_are_for(make_app: AppFactory) -> None:
    """The result page's last links read "JSON" and "VSME 导出": words a restaurant owner has never met,
    beside "下载 PDF" and "打印版". Each says now what it is for, so it is handed on, not puzzled over."""
    client = _app(make_app).test_client()
    for lang, json_link, vsme_link in (
        ("zh", "JSON 数据（供银行系统读取）", "VSME 格式数据（欧盟中小企业报告格式）"),
        ("en", "JSON (for a bank&#39;s systems)",
         "VSME export (the EU&#39;s reporting format for small businesses)"),
    ):
        location = _post(client, lang, **RESTAURANT).headers["Location"]
        links = client.get(location).get_data(as_text=True).split('class="links"', 1)[1].split("</p>", 1)[0]
        assert f"as=json\">{json_link}</a>" in links and f"as=vsme\">{vsme_link}</a>" in links, links


def test_the_bill_converted_is_said_in_du_as_the_form_unit_says(make_app: AppFactory) -> None:
    """The form offers "千瓦时（度）"; the result converted a bill of 2.4万元 into "约 36,923 千瓦时" alone,
    where the owner's bill and talk count 度. The figure says both, once."""
    client = _app(make_app).test_client()
    location = _post(client, "zh", **RESTAURANT).headers["Location"]
    notes = client.get(location).get_data(as_text=True).split('id="data-notes">', 1)[1].split("</p>", 1)[0]
    assert "换算，约 36,923 千瓦时（度）；该电价是 greenrate 的假设" in notes, notes


def test_the_green_power_share_is_refused_as_a_percentage_not_as_money(make_app: AppFactory) -> None:
    """"百分之二十" of green power was told "请输入数字，例如 12000 或 1.2万": an example of money, for a
    percentage of at most 100."""
    client = _app(make_app).test_client()
    in_kwh = {"electricity": "3.2万度", "electricity_unit": "kwh"}
    assert _refusal(client, "zh", "green_share", green_share="百分之二十", **in_kwh) == (
        "请用数字填写百分比，例如 20 或 20%。")
    assert _refusal(client, "en", "green_share", green_share="a fifth", **in_kwh) == (
        "Enter the percentage as a number, such as 20 or 20%.")
    assert _post(client, "zh", **{**RESTAURANT, **in_kwh, "green_share": "20％"}).status_code == 303


def test_the_practices_are_asked_by_the_names_the_reasons_score_them_under(make_app: AppFactory) -> None:
    """The form asked "您已经在做的" and the result answered "绿色经营行为：43%" and "环境管理措施：0%":
    an owner could not tell those were the ticks. The question names both, as the reasons do."""
    client = _app(make_app).test_client()
    form = client.get("/?lang=zh").get_data(as_text=True)
    assert "<legend>您已经在做的（绿色经营行为和环境管理措施）</legend>" in form
    result = client.get(_post(client, "zh", **RESTAURANT).headers["Location"]).get_data(as_text=True)
    assert "绿色经营行为：" in result and "环境管理措施：" in result
    english = client.get("/?lang=en").get_data(as_text=True)
    assert ("<legend>What you already do (green operating practices and environmental management)</legend>"
            in english)


def test_scope_one_says_the_vans_fuel_is_in_it(make_app: AppFactory) -> None:
    """The form asks the fuel burned in the shop and the vehicles apart; the result's "范围一是您自己燃烧的
    燃料" left an owner with a petrol van looking for its emissions. Scope 1 says both are in it."""
    client = _app(make_app).test_client()
    for lang, said in (("zh", "范围一是您自己燃烧的燃料（店内燃料和车辆燃油）；范围二是您购买的电力"),
                       ("en", "Scope 1 is the fuel you burn yourself (on the premises and in your vehicles). "
                              "Scope 2 is the electricity you buy")):
        page = client.get(_post(client, lang, **RESTAURANT).headers["Location"]).get_data(as_text=True)
        assert said in page.split('id="scopes-note">', 1)[1].split("</p>", 1)[0], lang


def test_the_gas_bills_yuan_are_refused_with_where_the_cubic_metres_are_and_what_empty_means(
    make_app: AppFactory,
) -> None:
    """A restaurant owner knows the gas bill's yuan: "1.2万元" was told "请填写立方米数", which did not say
    the m³ are on the same bill, nor that the amount may be left to the estimate (and what that costs)."""
    client = _app(make_app).test_client()
    assert _refusal(client, "zh", "fuel_amount", fuel_amount="1.2万元") == (
        "这看起来是金额：请按燃气账单填写全年用气量（立方米），例如 3000 或 3000方。"
        "只有金额时请将此项留空：将按同类店铺估算，能耗指标不计分，评级最高为浅绿。")
    assert _refusal(client, "en", "fuel_amount", fuel_amount="¥12000").startswith(
        "This looks like an amount of money: give the gas used, in m³, from the gas bills")
    # the other fuels' amounts are needed (nothing is estimated for them): their own refusal stays
    lpg = _refusal(client, "zh", "fuel_amount", fuel="lpg", fuel_amount="3000元")
    assert lpg.startswith("请填写全年液化气用量"), lpg
    assert _post(client, "zh", **{**RESTAURANT, "fuel_amount": ""}).status_code == 303


def test_a_vans_typical_distance_is_not_said_to_be_estimated_from_similar_shops(make_app: AppFactory) -> None:
    """The van counted alone was noted "以下数据表单中未提供，按同类店铺估算：车辆全年行驶里程（按每辆车
    常见里程估算）": two bases for one figure, the first untrue (it is greenrate's typical distance, as the
    disclosure says). It is among the figures taken at a typical value now."""
    client = _app(make_app).test_client()
    page = client.get(_post(client, "zh", **RESTAURANT).headers["Location"]).get_data(as_text=True)
    notes = page.split('id="data-notes">', 1)[1].split("</p>", 1)[0]
    assert "以下数据表单中未提供，按常见数值估算：车辆全年行驶里程（按每辆车常见里程估算）。" in notes, notes
    assert "按同类店铺估算" not in notes and notes.count("数据质量：") == 1 and "PCAF" not in notes, notes
    english = client.get(_post(client, "en", **RESTAURANT).headers["Location"]).get_data(as_text=True)
    en_notes = english.split('id="data-notes">', 1)[1].split("</p>", 1)[0]
    assert "Taken at a typical value" in en_notes and "businesses like yours" not in en_notes, en_notes


def test_w_for_wan_is_told_how_to_write_it(make_app: AppFactory) -> None:
    """"2.4w" (万 as owners type it in chats) was told "请输入数字，例如 12000 或 1.2万", as if it were no
    number at all; it is told to write 万, and not guessed at."""
    client = _app(make_app).test_client()
    said = "请把“w”写成“万”，或写出整数：例如 2.4w 写成 2.4万 或 24000。"
    assert _refusal(client, "zh", "electricity", electricity="2.4w") == said
    assert _refusal(client, "zh", "revenue", revenue="85W") == said
    assert _refusal(client, "en", "revenue", revenue="85w") == (  # the Chinese marked as Chinese
        'Write <span lang="zh-CN">万</span> for “w”, or the whole number: 2.4w as '
        '<span lang="zh-CN">2.4万</span> or 24000.')


def test_waste_weighed_in_jin_is_told_how_to_convert_it_in_english_too(make_app: AppFactory) -> None:
    """"800斤" was refused in English with "Enter the tonnes ..., or the kg": the Chinese message says a 斤 is
    half a kg, the English said nothing of 斤, and an owner reading the page in English weighs the waste in
    斤 as often. The page does not convert 斤 itself (rating_model.units has no 斤): the owner is told how."""
    client = _app(make_app).test_client()
    for field in ("waste", "waste_recycled"):
        said = _refusal(client, "en", field, **{field: "800斤"})
        assert '<span lang="zh-CN">斤</span> (jin)' in said and "halve the figure for kg" in said, field
        assert '<span lang="zh-CN">800斤</span> is 400 kg' in said, field
