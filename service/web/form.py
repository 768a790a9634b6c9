"""The merchant page's short form: its choices and its translation into the contract's operating data.

Only the minimal fields (industry, region, employees, revenue, electricity in kWh or as the yearly bill)
and a few yes/no practices; the engine's estimation fills the rest from the standard's sector defaults and
flags every filled figure. The data source is ``estimated`` because nothing here is backed by documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# ISIC Rev.4 classes a small shop owner recognises; each maps to a sector of the standard's benchmarks.
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("5610", "Restaurant or cafe", "餐馆、咖啡店"),
    ("5621", "Catering", "餐饮配送"),
    ("4711", "Grocery or convenience store", "便利店、杂货店"),
    ("4771", "Clothing or shoe shop", "服装鞋帽店"),
    ("4721", "Food shop", "食品店"),
    ("1071", "Bakery (own production)", "烘焙坊（自产）"),
    ("9602", "Hairdresser or beauty salon", "美发美容"),
    ("9601", "Laundry", "洗衣店"),
    ("5510", "Hotel or guesthouse", "酒店、民宿"),
    ("4520", "Car repair", "汽车维修"),
    ("8510", "Training or tutoring", "培训、教育"),
    ("6810", "Office or real-estate services", "办公、房产服务"),
)

# ISO 3166-2:CN provinces, municipalities and autonomous regions (the grid factor follows the region).
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("CN-BJ", "Beijing", "北京"),
    ("CN-TJ", "Tianjin", "天津"),
    ("CN-HE", "Hebei", "河北"),
    ("CN-SX", "Shanxi", "山西"),
    ("CN-NM", "Inner Mongolia", "内蒙古"),
    ("CN-LN", "Liaoning", "辽宁"),
    ("CN-JL", "Jilin", "吉林"),
    ("CN-HL", "Heilongjiang", "黑龙江"),
    ("CN-SH", "Shanghai", "上海"),
    ("CN-JS", "Jiangsu", "江苏"),
    ("CN-ZJ", "Zhejiang", "浙江"),
    ("CN-AH", "Anhui", "安徽"),
    ("CN-FJ", "Fujian", "福建"),
    ("CN-JX", "Jiangxi", "江西"),
    ("CN-SD", "Shandong", "山东"),
    ("CN-HA", "Henan", "河南"),
    ("CN-HB", "Hubei", "湖北"),
    ("CN-HN", "Hunan", "湖南"),
    ("CN-GD", "Guangdong", "广东"),
    ("CN-GX", "Guangxi", "广西"),
    ("CN-HI", "Hainan", "海南"),
    ("CN-CQ", "Chongqing", "重庆"),
    ("CN-SC", "Sichuan", "四川"),
    ("CN-GZ", "Guizhou", "贵州"),
    ("CN-YN", "Yunnan", "云南"),
    ("CN-XZ", "Tibet", "西藏"),
    ("CN-SN", "Shaanxi", "陕西"),
    ("CN-GS", "Gansu", "甘肃"),
    ("CN-QH", "Qinghai", "青海"),
    ("CN-NX", "Ningxia", "宁夏"),
    ("CN-XJ", "Xinjiang", "新疆"),
)

PRACTICES: tuple[tuple[str, str, str], ...] = (
    ("led_lighting", "LED lighting everywhere", "全部使用 LED 照明"),
    ("energy_efficient_equipment", "Energy-efficient (grade 1) appliances", "使用一级能效设备"),
    ("e_invoicing", "Electronic invoices", "使用电子发票"),
    ("digital_ordering", "QR-code or app ordering", "扫码或线上点单"),
    ("waste_sorting", "Waste sorted at the source", "垃圾分类"),
    ("green_packaging", "Recyclable or reduced packaging", "可回收或减量包装"),
    ("environmental_policy", "A written environmental policy", "有书面环境政策"),
)

_INDUSTRY_CODES = frozenset(code for code, _, _ in INDUSTRIES)
_REGION_CODES = frozenset(code for code, _, _ in REGIONS)
_MAX_NAME = 120


@dataclass
class ParsedForm:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] | None = None


def _number(raw: str, *, integer: bool) -> float | int | None:
    text = raw.strip().replace(",", "")
    try:
        value = int(text, 10) if integer else float(text)
    except ValueError:
        return None
    return value if value > 0 and value < 1e13 else None


def parse_form(form: Mapping[str, str]) -> ParsedForm:
    """Check the form and build the operating data; errors name the form field, never echo code."""
    values: dict[str, Any] = {
        k: form.get(k, "")
        for k in (
            "company_name",
            "industry",
            "region",
            "employees",
            "revenue",
            "electricity",
            "electricity_unit",
        )
    }
    values["practices"] = {k for k, _, _ in PRACTICES if form.get(k) == "yes"}
    parsed = ParsedForm(values)
    name = str(values["company_name"]).strip()[:_MAX_NAME] or "My business"
    if values["industry"] not in _INDUSTRY_CODES:
        parsed.errors["industry"] = "industry"
    if values["region"] not in _REGION_CODES:
        parsed.errors["region"] = "region"
    employees = _number(str(values["employees"]), integer=True)
    if employees is None or employees > 1_000_000:
        parsed.errors["employees"] = "employees"
    revenue = _number(str(values["revenue"]), integer=False)
    if revenue is None:
        parsed.errors["revenue"] = "revenue"
    electricity = _number(str(values["electricity"]), integer=False)
    if electricity is None:
        parsed.errors["electricity"] = "electricity"
    if values["electricity_unit"] not in ("kwh", "bill"):
        parsed.errors["electricity_unit"] = "electricity_unit"
    if parsed.errors:
        return parsed
    energy_key = "electricity_kwh" if values["electricity_unit"] == "kwh" else "electricity_spend"
    parsed.payload = {
        "company": {
            "name": name,
            "country": "CN",
            "region": values["region"],
            "industry_code": values["industry"],
            "employees": employees,
            "annual_revenue": revenue,
            "currency": "CNY",
            "reporting_year": datetime.now(UTC).year - 1,
        },
        "energy": {energy_key: electricity},
        "practices": {k: k in values["practices"] for k, _, _ in PRACTICES},
        "data_source": "estimated",
    }
    return parsed
