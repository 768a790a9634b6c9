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
from typing import Any

from rating_model.factors.factor_set import REGION_NAMES_ZH, place_zh
from service.web.form.choices import REGIONS
from tests.conftest import BASE_PAYLOAD, session_engine


def _zh(body: dict[str, Any]) -> str:
    """Every Chinese string of the rating of ``body``, joined."""
    engine = session_engine()
    rating = json.loads(json.dumps(engine.rate(engine.parse(body)).to_dict(), ensure_ascii=False))
    out: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key.endswith("_zh"):
            out.append(node)

    walk(rating)
    return "\n".join(out)


def _with(company: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_PAYLOAD)
    body["company"] = {**body["company"], **(company or {})}
    body.update(copy.deepcopy(parts))
    return body


def test_a_grid_fallback_names_the_province_in_chinese() -> None:
    text = _zh(_with({"region": "CN-BJ", "reporting_year": 2021}))
    assert "北京（CN-BJ）" in text
    assert "CN-BJ 没有发布" not in text and "排放因子集 cn-2024.5 未收录北京（CN-BJ）的省级排放因子" in text
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
