"""Labels, in English and Simplified Chinese, of what the engine names by key.

Disclosure items, estimated operating-data fields and data sources are keys in a rating; the merchant page
and the printable disclosure show them as words. The engine says its IFRS S2 notes and values in Chinese
too (``note_zh``, ``value_zh``, from engine 1.9); for a rating stored before, the few fixed sentences the
disclosure quotes have their Chinese here, and other engine prose stays English and is marked so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from rating_model.factors.factor_set import COUNTRY_NAMES_ZH, REGION_NAMES_ZH
from rating_model.isic import industry_title
from rating_model.issb_basis import GWP_NOTE
from rating_model.neutrality import CREDITS_NOTE, CREDITS_NOTE_2_7
from rating_model.standard import load_standard, published_standard_path
from service.web.form.choices import INDUSTRIES, REGIONS

#: Every IFRS S2 item the disclosure lists (``rating_model.issb``), by key: (English, Chinese).
ITEM_LABELS: Mapping[str, tuple[str, str]] = {
    "oversight": ("Oversight of climate-related matters", "气候相关事务的监督"),
    "policy": ("Environmental policy", "环境政策"),
    "transition_risks": ("Transition risks", "转型风险"),
    "physical_risks": ("Physical risks", "物理风险"),
    "opportunities": ("Climate-related opportunities", "气候相关机遇"),
    "transition_plan": ("Transition plan", "转型计划"),
    "resilience": ("Climate resilience", "气候韧性"),
    "process": ("Process to identify climate-related risks", "气候相关风险的识别流程"),
    "scope1_tco2e": ("Scope 1 (t CO2e)", "范围一（吨二氧化碳当量）"),
    "scope2_location_tco2e": ("Scope 2, location-based (t CO2e)", "范围二，基于位置（吨二氧化碳当量）"),
    "scope2_market_tco2e": ("Scope 2, market-based (t CO2e)", "范围二，基于市场（吨二氧化碳当量）"),
    "scope3_tco2e": ("Scope 3 (t CO2e)", "范围三（吨二氧化碳当量）"),
    "energy_mwh": ("Energy use (MWh)", "能源消耗（兆瓦时）"),
    # one term per concept and basis (营收碳强度, as the standard names its indicator, with the basis)
    "ghg_intensity_per_cny_million": (
        "Carbon intensity of revenue, Scope 1 + Scope 2 location-based + Scope 3 (t CO2e per CNY million)",
        "营收碳强度：范围一+范围二（基于位置）+范围三（吨二氧化碳当量/百万元营业收入）",
    ),
    # where the rating discloses no Scope 3 (no category had data): "+ Scope 3" had headed a note saying
    # no category had data, under the inventory's intensity table that already said "no Scope 3"
    "ghg_intensity_per_cny_million_no_scope3": (
        "Carbon intensity of revenue, Scope 1 + Scope 2 location-based; no Scope 3 (t CO2e per CNY million)",
        "营收碳强度：范围一+范围二（基于位置），不含范围三（吨二氧化碳当量/百万元营业收入）",
    ),
    "scope12_comparative": ("Scope 1 and 2 against the previous year", "范围一和范围二与上一年比较"),
    "transition_risk_exposure": ("Assets vulnerable to transition risk", "易受转型风险影响的资产"),
    "physical_risk_exposure": ("Assets vulnerable to physical risk", "易受物理风险影响的资产"),
    "climate_opportunities": ("Share of sales from climate-related opportunities", "气候相关机遇的销售占比"),
    "capital_deployment": ("Capital deployed", "资本配置"),
    "internal_carbon_price": ("Internal carbon price", "内部碳价"),
    "remuneration": ("Climate-linked remuneration", "与气候挂钩的薪酬"),
    "targets": ("Targets", "减排目标"),
    "carbon_credits": ("Carbon credits", "碳信用"),
    "data_quality": ("Data quality", "数据质量"),
    "standard": ("Standard applied", "采用的标准"),
    "reporting_period": ("Reporting period", "报告期"),
    "entity": ("Reporting entity", "报告主体"),
    "emission_factors": ("Emission factor set", "排放因子集"),
    "estimates": ("Estimated figures", "估算数据"),
    "fallbacks": ("Emission factor fallbacks", "排放因子替代"),
    # each transition relief is stated with its condition, never claimed as applying (greenrate cannot tell
    # an entity's first reporting period): "Reliefs applied" had claimed what the item says it cannot
    "reliefs": ("Reliefs and their conditions", "豁免及其适用条件"),
    "gross_emissions": ("Gross emissions", "总排放（未抵扣碳信用）"),
    # the term the engine's text under it uses, as China's inventories and IPCC's Chinese reports do: the
    # heading had "全球变暖潜能值" above "全球增温潜势（GWP100）", two names for one thing
    "greenhouse_gases": ("Greenhouse gases and warming potentials", "温室气体种类与全球增温潜势"),
    "assumptions": ("Measurement assumptions", "计量假设"),
    "exclusions": ("Activities left out", "未纳入的活动"),
}

#: Every operating-data field the standard's estimation rules can fill (``estimated_fields``).
FIELD_LABELS: Mapping[str, tuple[str, str]] = {
    "energy.electricity_kwh": ("Electricity use (kWh)", "用电量（千瓦时）"),
    # 经营场所, as the standard names the site fuels (its knock-out and reasons) and the disclosure does
    "energy.fuels": ("Fuel burned on site (natural gas)", "经营场所燃料（天然气）"),
    # not an estimation rule's field: a fleet item counted by vehicles alone, its distance the seed's
    "transport.fleet.*.km": ("Vehicles' yearly distance (a typical distance per vehicle)",
                             "车辆全年行驶里程（按每辆车常见里程估算）"),
}

#: The inputs with emissions a rating can leave out, neither given nor estimated (``emissions.missing``),
#: as the result's data note names them: with the scope each is missing from.
UNREPORTED_LABELS: Mapping[str, tuple[str, str]] = {
    "energy.electricity_kwh": ("electricity bought (Scope 2)", "外购电力（范围二）"),
    "energy.fuels": ("fuel burned on site (Scope 1)", "经营场所燃料（范围一）"),
    "transport.fleet": ("vehicles (Scope 1, and Scope 2 for charging electric ones)",
                        "经营车辆（范围一；电动车充电为范围二）"),
    "energy.purchased_heat_gj": ("heat bought (Scope 2)", "外购热力（范围二）"),
    "resources.water_m3": ("water (Scope 3)", "用水（范围三）"),
    "resources.waste_t": ("waste (Scope 3)", "废弃物（范围三）"),
    "transport.business_travel": ("business travel (Scope 3)", "商务差旅（范围三）"),
    # not among ``emissions.missing`` (schema 1.13 keeps it as it was): the refrigerant question answered
    # "not sure" (``refrigerants`` left out), which the disclosure says Scope 1 leaves out
    "refrigerants": ("refrigerant leaks from air conditioning, fridges and cold rooms (Scope 1)",
                     "空调、冰箱和冷库的制冷剂泄漏（范围一）"),
}

#: A list index in a field path ("transport.fleet.3.km"): labels are written once per list ("*").
_LIST_INDEX = re.compile(r"\.[0-9]+(?=\.|$)")

#: The operating data's ``data_source`` values.
DATA_SOURCE_LABELS: Mapping[str, tuple[str, str]] = {
    "verified_report": ("verified report", "经核查的报告"),
    "self_reported_inventory": ("self-reported inventory", "自报排放清单"),
    "energy_bills": ("energy bills", "能源账单"),
    "estimated": ("estimated", "估算"),
}

#: Countries by ISO 3166-1 code in English, beside the engine's Chinese names (``COUNTRY_NAMES_ZH``).
COUNTRY_NAMES_EN: Mapping[str, str] = {"CN": "China"}
#: Provinces by ISO 3166-2 code in English, beside the engine's Chinese names (``REGION_NAMES_ZH``): the
#: form's 31 (:data:`~service.web.form.choices.REGIONS`, the words its province list shows) and the three
#: the API takes as well.
REGION_NAMES_EN: Mapping[str, str] = {
    **{code: english for code, english, _ in REGIONS},
    "CN-HK": "Hong Kong", "CN-MO": "Macao", "CN-TW": "Taiwan",
}
#: The form's industries in Chinese by ISIC code: the words the owner chose the class by. ISIC's titles are
#: published in English (:func:`rating_model.isic.industry_title`); a class the form does not offer has
#: none in Chinese here.
INDUSTRY_NAMES_ZH: Mapping[str, str] = {code: chinese for code, _, chinese in INDUSTRIES}


@lru_cache(maxsize=16)
def _green_uses(standard_label: str) -> Mapping[str, Mapping[str, str]]:
    """The green uses of proceeds of the standard ``standard_label`` (a rating's ``versions.standard``) as
    published here, with their Green Loan Principles names; empty when it is not published."""
    path = published_standard_path(standard_label)
    return {} if path is None else load_standard(path).green_uses


def use_of_proceeds_words(use: str, standard_label: str, lang: str) -> str:
    """A loan's use of proceeds in the words of the standard that rated it, its key in brackets for the
    bank's systems: "Clean transportation (clean_transportation)", "清洁交通（clean_transportation）".
    The disclosure had printed the key alone, in the Chinese page too; a use the standard does not name as
    a green category (or a standard not published here) is shown as its key."""
    info = _green_uses(standard_label).get(use)
    if info is None:
        return use
    if lang == "zh":
        return f"{info['glp_zh']}（{use}）"
    return f"{info['glp']} ({use})"


def place_words(country: str, region: str | None, lang: str) -> str:
    """Where the business is, in words with its codes in brackets, as a bank officer reads a credit
    file: "China, Zhejiang (CN-ZJ)", "中国浙江（CN-ZJ）"; "China (CN)" without a province. The disclosure had
    printed the codes alone ("CN，CN-ZJ"). A code with no name here is shown as it is, once: "US-CA",
    "中国（CN-99）". The country's code stands beside the province's only where the province's does not
    carry it."""
    zh = lang == "zh"
    countries, regions = (COUNTRY_NAMES_ZH, REGION_NAMES_ZH) if zh else (COUNTRY_NAMES_EN, REGION_NAMES_EN)
    words = [name for name in (countries.get(country), regions.get(region or "")) if name]
    codes = [country] if not region or not region.startswith(country + "-") else []
    codes += [region] if region else []
    code = ("，" if zh else ", ").join(codes)
    if not words:
        return code
    return ("" if zh else ", ").join(words) + (f"（{code}）" if zh else f" ({code})")


def industry_words(code: str, lang: str) -> dict[str, str | None]:
    """The business's ISIC class in words, and the words' language where it is not the page's: in English
    ISIC's own title, in Chinese the form's words for its class, or ISIC's English title marked ``lang="en"``
    for a class the form does not offer. ``None`` as the text for a code with no title (a rating stored
    under an older list): the page shows the code alone."""
    if lang == "zh" and code in INDUSTRY_NAMES_ZH:
        return {"text": INDUSTRY_NAMES_ZH[code], "lang": None}
    return {"text": industry_title(code), "lang": None if lang == "en" else "en"}


#: The fixed sentences the disclosure quotes from the engine, in Chinese (keyed by the engine's English).
ENGINE_TEXT_ZH: Mapping[str, str] = {
    "IFRS S2 Climate-related Disclosures (June 2023), proportionate to a small business": (
        "依据《国际财务报告可持续披露准则第 2 号——气候相关披露》（IFRS S2，2023 年 6 月），按小微企业适度简化"
    ),
    GWP_NOTE[0]: GWP_NOTE[1],  # the engine's own Chinese, for ratings stored before it had note_zh
    CREDITS_NOTE: (
        "碳信用单独列报，从不抵扣总排放（IFRS S2 第 29(a)(i) 段要求披露总排放；PCAF 标准 A 部分）。"
        "扣除碳信用后的净排放是另一项运营碳中和声明；IFRS S2 第 36(e) 段要求说明计划如何使用碳信用实现"
        "净排放目标。"
    ),
    CREDITS_NOTE_2_7: (
        "碳信用单独列报，从不抵扣总排放（IFRS S2 第 36(e) 段；PCAF 标准 A 部分）。扣除碳信用后的净排放"
        "是另一项运营碳中和声明。"
    ),
}


def _label(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    found = table.get(key)
    if found is None:
        return key.replace("_", " ")
    return found[1] if lang == "zh" else found[0]


def item_label(key: str, lang: str, scope3: str = "disclosed") -> str:
    """A disclosure item's label (a key no label was written for shows as words, never hidden); ``scope3``
    is the rating's Scope 3 status: an item whose label names Scope 3 has one without it where Scope 3 is
    not disclosed, as the figure then holds none."""
    if scope3 != "disclosed" and f"{key}_no_scope3" in ITEM_LABELS:
        return _label(ITEM_LABELS, f"{key}_no_scope3", lang)
    return _label(ITEM_LABELS, key, lang)


def field_labels(paths: Sequence[str], lang: str) -> list[str]:
    """The labels of operating-data field paths, such as the rating's ``estimated_fields``."""
    return [_label(FIELD_LABELS, _LIST_INDEX.sub(".*", path), lang) for path in paths]


def unreported_labels(paths: Sequence[str], lang: str) -> list[str]:
    """The labels of a rating's ``emissions.missing`` (an input no label was written for shows as words)."""
    return [_label(UNREPORTED_LABELS, path, lang) for path in paths]


def joined(labels: Sequence[str], lang: str) -> str:
    """Labels as one list in running text ("-" for none; "无" in Chinese, where a dash after "：" reads as
    a figure left blank)."""
    return ("、" if lang == "zh" else ", ").join(labels) or ("无" if lang == "zh" else "-")


def data_source_label(source: str, lang: str) -> str:
    """An operating data's ``data_source`` in words."""
    return _label(DATA_SOURCE_LABELS, source, lang)


def in_language(text: str, lang: str, text_zh: str | None = None) -> dict[str, str | None]:
    """An engine sentence in ``lang``: in Chinese its own ``text_zh`` (an IFRS S2 item's ``note_zh``) where
    the rating carries it, else the translation held here; else as is, with ``lang`` "en" for the HTML
    (the page marks it as the English original: a rating stored before the engine said it in Chinese)."""
    if lang == "zh" and text_zh:
        return {"text": text_zh, "lang": None}
    if lang == "zh" and text in ENGINE_TEXT_ZH:
        return {"text": ENGINE_TEXT_ZH[text], "lang": None}
    return {"text": text, "lang": None if lang == "en" else "en"}
