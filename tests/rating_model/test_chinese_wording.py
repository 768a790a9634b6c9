"""The rating's Chinese as a Chinese reader meets it: places by name, terms as the rest of the rating says
them.

A review read as a Hangzhou restaurant owner and a city commercial bank's green-finance officer found the
Chinese fallbacks naming provinces by ISO code ("CN-BJ 没有发布省级排放因子") and the country as "CN", one
sentence calling the rating standard 评价标准 where every other says 评级标准, Scope 3 category 6 called
公务出行 in one place and 商务差旅 elsewhere, the classical "从保守计", and the GWP note citing "B21 段"
where every other citation says "第 … 段".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from rating_model.amounts import amount
from rating_model.factors.factor_set import REGION_NAMES_ZH, UNITS_ZH, place_zh
from service.web.form.choices import REGIONS
from service.web.i18n import money
from tests.conftest import BASE_PAYLOAD, session_engine
from tests.rating_model.rating_texts import keyed_strings

FACTORS = Path(__file__).parents[2] / "rating_model" / "data" / "factors"


def _zh(body: dict[str, Any]) -> str:
    """Every Chinese string of the rating of ``body``, joined."""
    engine = session_engine()
    rating = json.loads(json.dumps(engine.rate(engine.parse(body)).to_dict(), ensure_ascii=False))
    return "\n".join(text for _, text in keyed_strings(rating, lambda key: key.endswith("_zh")))


def _with(company: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_PAYLOAD)
    body["company"] = {**body["company"], **(company or {})}
    body.update(copy.deepcopy(parts))
    return body


def test_a_grid_fallback_names_the_province_in_chinese() -> None:
    text = _zh(_with({"region": "CN-BJ", "reporting_year": 2021}))
    assert "北京（CN-BJ）" in text
    assert "CN-BJ 没有发布" not in text and "排放因子集 cn-2024.6 未收录北京（CN-BJ）的省级排放因子" in text
    # the full-width bracket sets the year apart: no half-width space after it
    assert "所需为北京（CN-BJ）2021 年的排放因子" in text and "） 2021" not in text


def test_a_provincial_fallback_and_the_uncertain_grid_name_the_province() -> None:
    sichuan_2021 = _with({"region": "CN-SC", "reporting_year": 2021})
    assert "采用 2022 年四川（CN-SC）的省级排放因子" in _zh(sichuan_2021)
    assert "重庆（CN-CQ）所属区域电网：" in _zh(_with({"region": "CN-CQ"}))


def test_a_proxy_factor_says_china_not_cn() -> None:
    text = _zh(_with(transport={"business_travel": [{"mode": "car", "passenger_km": 2500}]}))
    assert "这些活动没有中国的排放因子" in text and "没有 CN 的" not in text


def test_business_travel_and_the_standard_are_named_as_everywhere_else() -> None:
    travel = {"business_travel": [{"mode": "car", "passenger_km": 2500}]}
    body = _with({"industry_code": "1071"}, transport=travel,
                 resources={"waste_t": 8, "waste_recycled_t": 2})
    body["energy"].pop("purchased_heat_gj", None)
    text = _zh(body)
    assert "商务差旅（乘车）：DEFRA 排放因子按车公里计" in text
    assert "公务出行" not in text and "从保守计" not in text and "评价标准" not in text
    assert "IFRS S2 第 B21 段" in text and "S2 B21 段" not in text


def test_the_region_names_are_the_ones_the_form_shows() -> None:
    """The rating and the merchant form's region choice name each province alike."""
    for code, _english, chinese in REGIONS:
        assert REGION_NAMES_ZH[code] == chinese, code
    assert place_zh("CN-ZJ") == "浙江（CN-ZJ）" and place_zh("CN-99") == "CN-99"


def test_the_residual_factors_year_fallback_names_the_country() -> None:
    """The latest residual factor is 2023's: a 2025 rating says so of 中国, not of "CN" (a review of the
    disclosures read "没有 CN 2025 年的该因子")."""
    text = _zh(_with({"reporting_year": 2025}))
    assert "没有中国 2025 年的该因子" in text and "没有 CN" not in text


def test_a_bills_amount_is_written_as_the_merchant_page_writes_it() -> None:
    """The estimate said "全年电费 24000 元" where the merchant page shows the same bill as 2.4万元 (a Chinese
    owner's reading, engine 2.12); both write amounts by one rule now."""
    body = _with(energy={"electricity_spend": 24_000, "fuels": []})
    text = _zh(body)
    assert f"全年电费 {money(24_000, 'CNY', 'zh')} ÷" in text and "全年电费 2.4万元 ÷" in text
    assert "24000 元" not in text
    assert "全年电费 8,350元 ÷" in _zh(_with(energy={"electricity_spend": 8_350, "fuels": []}))


@pytest.mark.parametrize(("value", "zh", "en"), [
    (11_000, "1.1万", "11,000"), (20_100, "2.01万", "20,100"), (24_000, "2.4万", "24,000"),
    (1.5e6, "150万", "1.5 million"), (2.5e8, "2.5亿", "250 million"), (1e15, "1000万亿", "1,000 trillion"),
    (8_350, "8,350", "8,350"), (12_345.5, "12,345.5", "12,345.5"),
])
def test_a_round_amount_is_said_in_its_scale_exactly(value: float, zh: str, en: str) -> None:
    """11,000 was "11,000" on the page, not 1.1万: 11000 / 1e4 * 100 is 110.00000000000001 in floats, and
    1,138 of the round hundreds up to a million were kept as digits."""
    assert (amount(value, "zh"), amount(value, "en")) == (zh, en)


def test_factor_units_are_said_in_chinese_words() -> None:
    """The grid-factor fallbacks printed "kgCO2/kWh" inside Chinese sentences; the merchant page says
    千克二氧化碳/千瓦时."""
    text = _zh(_with({"region": "CN-GD"}))
    assert "南方电网排放因子（" in text and "千克二氧化碳/千瓦时）" in text and "kgCO2" not in text
    shipped = {r["unit"]
               for path in FACTORS.glob("*/*.json") if path.name != "manifest.json"
               for r in json.loads(path.read_text(encoding="utf-8")).get("records", [])}
    assert shipped and not shipped - set(UNITS_ZH), shipped - set(UNITS_ZH)


def test_a_grid_factor_sent_with_the_request_is_not_the_callers() -> None:
    """"调用方" (the API's caller) is a developer's word, in a rating an owner reads: the factor is the one
    sent with the rating request, in Chinese units, and the country is named."""
    ignored = _zh(_with(energy={**BASE_PAYLOAD["energy"],
                                "grid_factor": {"kgco2e_per_kwh": 0.1, "source": "own"}}))
    assert "未采用评级请求中提供的电网排放因子（0.1 千克二氧化碳当量/千瓦时）：排放因子集" in ignored
    assert "有中国的官方电网排放因子" in ignored
    abroad = _with({"country": "SG", "region": None, "currency": "SGD", "fx_to_cny": 5.3},
                   energy={**BASE_PAYLOAD["energy"],
                           "grid_factor": {"kgco2e_per_kwh": 0.408, "source": "EMA 2023"}})
    text = _zh(abroad)
    assert "没有 SG 的电网排放因子；采用评级请求中提供的电网排放因子 0.408 千克二氧化碳当量/千瓦时" in text
    seeded = _zh(_with(transport={"fleet": [{"fuel": "gasoline", "vehicles": 1}]}))
    assert "来源未说明（评级请求中提供的排放因子、物理参数和估算值）" in seeded
    assert "调用方" not in ignored + text + seeded and "kgCO2" not in ignored + text + seeded


def test_a_practices_reason_says_how_many_of_the_practices_listed() -> None:
    """"绿色经营行为：29%" did not say of what: the reason counts the practices adopted of those listed."""
    engine = session_engine()
    rating = engine.rate(engine.parse(_with(practices={"led_lighting": True, "e_invoicing": True,
                                                       "environmental_policy": False})))
    said = {r["indicator"]: (r["message"], r["message_zh"]) for r in rating.to_dict()["reason_codes"]}
    assert said["green_operations"] == (
        "Green operating practices adopted: 2 of the 7 listed (29%) earns "
        f"{_points(rating, 'green_operations')}.",
        f"绿色经营行为：所列 7 项中已做到 2 项（29%），得 {_points(rating, 'green_operations', 'zh')}。")
    assert said["environmental_management"][1].startswith("环境管理措施：所列 5 项中已做到 0 项（0%），得 ")


def _points(rating: Any, indicator: str, lang: str = "en") -> str:
    c = next(c for c in rating.contributions if c.indicator == indicator)
    if lang == "zh":
        return f"{c.points:g} / {c.max_points:g} 分"
    return f"{c.points:g} of {c.max_points:g} points"


def test_the_plan_says_what_to_report_once_in_chinese_too() -> None:
    """The plan's held_back_by had said "无法评估：" before each input it waits on ("…无法评估：请按
    热费账单填报…。无法评估：请填报…燃料…。"), where the English says it once ("To be assessed, report …;
    also report …"): the Chinese is one sentence too, its inputs joined as the reason codes join them
    (；另外，)."""
    engine = session_engine()
    held: list[str] = []
    for line in (Path(__file__).parents[1] / "data" / "engine_corpus.jsonl").read_text("utf-8").splitlines():
        if line:
            rating = engine.rate(engine.parse(json.loads(line))).to_dict()
            held += [str(h["message_zh"]) for h in rating["path_to_next_grade"]["held_back_by"]
                     if h["reason"] == "missing_data"]
    assert held and not [m for m in held if "无法评估" in m]
    both = [m for m in held if "外购的热力" in m and "经营场所使用的燃料" in m]
    fuels = "；另外，请填报本年度和上一年度经营场所使用的燃料"
    assert both and all(m.count("如需评估这些指标，请") == 1 and fuels in m
                        and m.endswith("不使用燃料请选“不使用”。") for m in both)
