"""The two languages of the merchant page and the printable disclosure: English and Simplified Chinese.

The owner's language is taken from ``?lang=`` (the switch on the page) and otherwise from
``Accept-Language``; everything else falls back to English. Indicator, pillar and action names come from the
standard itself (``name_zh``, ``description_zh``), so only the page's own words live here, with the labels
of what the engine names by key (disclosure items, estimated fields) and the Chinese of the few fixed
sentences the disclosure quotes from the engine. Other engine prose stays English and is marked so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from flask import request

from rating_model.neutrality import CREDITS_NOTE
from schemas.merchant import DISCLOSURE_LANGUAGES

LANGUAGES = DISCLOSURE_LANGUAGES

_EN: dict[str, str] = {
    "title": "Your green rating",
    "intro": "Answer a few questions about your business and get a green rating, the reasons for it, a plan "
    "to improve it and a disclosure you can hand to any bank.",
    "company_name": "Business name",
    "industry": "Industry",
    "region": "Region (province)",
    "employees": "Employees",
    "revenue": "Annual revenue (CNY)",
    "electricity": "Electricity use per year",
    "electricity_unit": "Unit",
    "unit_kwh": "kWh",
    "unit_bill": "CNY (yearly bill)",
    "practices": "What you already do",
    "submit": "Rate my business",
    "grade": "Grade",
    "score": "Score",
    "pillars": "Scores by pillar",
    "emissions": "Emissions by scope (t CO2e per year)",
    "reasons": "Why this grade",
    "plan": "Your improvement plan",
    "points": "points",
    "reaches": "reaches",
    "saves": "saves {t} t CO2e a year",
    "estimated": "Estimated from sector defaults: {fields}. Data quality (PCAF, 1 best to 5): {pcaf}.",
    "nothing_estimated": "Nothing was estimated. Data quality (PCAF, 1 best to 5): {pcaf}.",
    "disclosure": "Disclosure for your bank",
    "download_pdf": "Download PDF",
    "open_html": "Printable page",
    "open_json": "JSON",
    "open_vsme": "VSME export",
    "errors": "Please check these fields",
    "scope1": "Scope 1",
    "scope2": "Scope 2 (location)",
    "scope2m": "Scope 2 (market)",
    "scope3": "Scope 3",
    "total": "Total",
    "switch": "中文",
    "yes": "yes",
    "disclosure_title": "Climate-related disclosure",
    "company": "Company",
    "governance": "Governance",
    "strategy": "Strategy",
    "risk_management": "Risk management",
    "metrics_and_targets": "Metrics and targets",
    "basis_of_preparation": "Basis of preparation",
    "inventory": "Greenhouse-gas inventory",
    "factor_sources": "Emission factors and sources",
    "data_quality": "Data quality",
    "status_disclosed": "disclosed",
    "status_not_applicable": "not applicable",
    "status_not_available": "not available",
    "energy_mwh": "Energy use (MWh)",
    "renewable_share": "Renewable share",
    "rating_id": "Rating",
    "issued": "Issued",
    "versions": "Versions",
    "grade_dark_green": "Dark green",
    "grade_green": "Green",
    "grade_light_green": "Light green",
    "grade_not_green": "Not green",
    "too_many": "Too many ratings from your address; please wait a minute.",
    "csrf": "The form expired or was not sent from this page; please submit it again.",
    "choose": "Choose…",
    "optional": "optional",
    "rate_again": "Rate again",
    "language": "Language",
    "invalid": "Please enter a valid value.",
    "positive": "positive",
    "next_together": "Starting with the cheapest actions, these together raise your score to {score} "
    "({grade}):",
    "next_one": "Starting with the cheapest actions, this one raises your score to {score} ({grade}):",
    "next_alone": "Alternatively, “{action}” alone reaches {grade}.",
    "negative": "negative",
    "out_of_range": "Enter a number from {min} to {max}.",
    "unstorable": "This contains a character that cannot be stored; please type it again.",
    "too_long": "Use at most {max} characters.",
    "not_rated": "These answers cannot be rated as given; please check them.",
    "tco2e": "t CO2e",
    "total_line": "Total: {total} t CO2e.",
    "factor_id": "Factor",
    "factor_value": "Value",
    "factor_unit": "Unit",
    "factor_source": "Source",
    "factor_year": "Year",
    "version_model": "model",
    "version_standard": "standard",
    "version_factor_set": "factor set",
    "version_schema": "schema",
    "dq_estimated": "{n} input figure(s) were estimated from the standard's sector defaults ({fields}); "
    "PCAF data-quality score {pcaf} of 5 (1 is best), completeness {completeness}.",
    "dq_measured": "No input figure was estimated; PCAF data-quality score {pcaf} of 5 (1 is best), "
    "completeness {completeness}.",
    "dq_item": "PCAF score {pcaf}; completeness {completeness}; estimated: {fields}; data source: {source}.",
}

_ZH: dict[str, str] = {
    "title": "您的绿色评级",
    "intro": "回答几个关于您店铺的问题，即可获得绿色评级、评级理由、改进计划，以及可交给任何银行的披露报告。",
    "company_name": "店铺名称",
    "industry": "行业",
    "region": "地区（省份）",
    "employees": "员工人数",
    "revenue": "年营业收入（元）",
    "electricity": "年用电量",
    "electricity_unit": "单位",
    "unit_kwh": "千瓦时",
    "unit_bill": "元（全年电费）",
    "practices": "您已经在做的",
    "submit": "一键评级",
    "grade": "等级",
    "score": "得分",
    "pillars": "各维度得分",
    "emissions": "各范围排放（吨二氧化碳当量/年）",
    "reasons": "评级理由",
    "plan": "改进计划",
    "points": "分",
    "reaches": "可达",
    "saves": "每年减排 {t} 吨二氧化碳当量",
    "estimated": "以下数据按行业默认值估算：{fields}。数据质量（PCAF，1 最好，5 最差）：{pcaf}。",
    "nothing_estimated": "没有估算数据。数据质量（PCAF，1 最好，5 最差）：{pcaf}。",
    "disclosure": "提交给银行的披露报告",
    "download_pdf": "下载 PDF",
    "open_html": "打印版",
    "open_json": "JSON",
    "open_vsme": "VSME 导出",
    "errors": "请检查以下字段",
    "scope1": "范围一",
    "scope2": "范围二（基于地点）",
    "scope2m": "范围二（基于市场）",
    "scope3": "范围三",
    "total": "合计",
    "switch": "English",
    "yes": "是",
    "disclosure_title": "气候相关信息披露",
    "company": "企业",
    "governance": "治理",
    "strategy": "战略",
    "risk_management": "风险管理",
    "metrics_and_targets": "指标和目标",
    "basis_of_preparation": "编制基础",
    "inventory": "温室气体排放清单",
    "factor_sources": "排放因子及来源",
    "data_quality": "数据质量",
    "status_disclosed": "已披露",
    "status_not_applicable": "不适用",
    "status_not_available": "暂无数据",
    "energy_mwh": "能源消耗（兆瓦时）",
    "renewable_share": "可再生能源占比",
    "rating_id": "评级编号",
    "issued": "出具日期",
    "versions": "版本",
    "grade_dark_green": "深绿",
    "grade_green": "绿色",
    "grade_light_green": "浅绿",
    "grade_not_green": "非绿",
    "too_many": "评级请求过于频繁，请一分钟后再试。",
    "csrf": "表单已过期或并非从本页提交，请重新提交。",
    "choose": "请选择…",
    "optional": "选填",
    "rate_again": "重新评级",
    "language": "语言",
    "invalid": "请输入有效的数值。",
    "positive": "加分",
    "next_together": "从成本最低的措施做起，同时完成以下各项，得分可升至 {score}（{grade}）：",
    "next_one": "从成本最低的措施做起，完成以下一项，得分可升至 {score}（{grade}）：",
    "next_alone": "或者，仅完成“{action}”一项即可达到{grade}。",
    "negative": "减分",
    "out_of_range": "请输入 {min} 到 {max} 之间的数值。",
    "unstorable": "含有无法保存的字符，请重新输入。",
    "too_long": "最多 {max} 个字符。",
    "not_rated": "无法按这些答案评级，请检查后重新提交。",
    "tco2e": "吨二氧化碳当量",
    "total_line": "合计：{total} 吨二氧化碳当量。",
    "factor_id": "因子",
    "factor_value": "数值",
    "factor_unit": "单位",
    "factor_source": "来源",
    "factor_year": "年份",
    "version_model": "模型",
    "version_standard": "标准",
    "version_factor_set": "排放因子集",
    "version_schema": "数据格式",
    "dq_estimated": "{n} 项输入数据按标准的行业默认值估算（{fields}）；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_measured": "没有估算的输入数据；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_item": "PCAF 评分 {pcaf}；数据完整度 {completeness}；估算数据：{fields}；数据来源：{source}。",
}

_TEXTS: Mapping[str, Mapping[str, str]] = {"en": _EN, "zh": _ZH}

#: Every IFRS S2 item the disclosure lists (``rating_model.issb``), by key: (English, Chinese).
ITEM_LABELS: Mapping[str, tuple[str, str]] = {
    "oversight": ("Oversight of climate-related matters", "气候相关事务的监督"),
    "policy": ("Environmental policy", "环境政策"),
    "transition_risks": ("Transition risks", "转型风险"),
    "physical_risks": ("Physical risks", "实体风险"),
    "opportunities": ("Climate-related opportunities", "气候相关机遇"),
    "transition_plan": ("Transition plan", "转型计划"),
    "resilience": ("Climate resilience", "气候韧性"),
    "process": ("Process to identify climate-related risks", "气候相关风险的识别流程"),
    "scope1_tco2e": ("Scope 1 (t CO2e)", "范围一（吨二氧化碳当量）"),
    "scope2_location_tco2e": ("Scope 2, location-based (t CO2e)", "范围二，基于地点（吨二氧化碳当量）"),
    "scope2_market_tco2e": ("Scope 2, market-based (t CO2e)", "范围二，基于市场（吨二氧化碳当量）"),
    "scope3_tco2e": ("Scope 3 (t CO2e)", "范围三（吨二氧化碳当量）"),
    "energy_mwh": ("Energy use (MWh)", "能源消耗（兆瓦时）"),
    "ghg_intensity_per_cny_million": (
        "GHG intensity (t CO2e per CNY million of revenue)",
        "温室气体排放强度（吨二氧化碳当量/百万元营业收入）",
    ),
    "transition_risk_exposure": ("Assets vulnerable to transition risk", "易受转型风险影响的资产"),
    "physical_risk_exposure": ("Assets vulnerable to physical risk", "易受实体风险影响的资产"),
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
    "reliefs": ("Reliefs applied", "适用的豁免"),
    "gross_emissions": ("Gross emissions", "总排放（未抵扣碳信用）"),
}

#: Every operating-data field the standard's estimation rules can fill (``estimated_fields``).
FIELD_LABELS: Mapping[str, tuple[str, str]] = {
    "energy.electricity_kwh": ("Electricity use (kWh)", "用电量（千瓦时）"),
    "energy.fuels": ("Fuel burned on site (natural gas)", "现场燃料消耗（天然气）"),
}

#: The operating data's ``data_source`` values.
DATA_SOURCE_LABELS: Mapping[str, tuple[str, str]] = {
    "verified_report": ("verified report", "经核查的报告"),
    "self_reported_inventory": ("self-reported inventory", "自报排放清单"),
    "energy_bills": ("energy bills", "能源账单"),
    "estimated": ("estimated", "估算"),
}

#: The fixed sentences the disclosure quotes from the engine, in Chinese (keyed by the engine's English).
ENGINE_TEXT_ZH: Mapping[str, str] = {
    "IFRS S2 Climate-related Disclosures (June 2023), proportionate to a small business": (
        "依据《国际财务报告可持续披露准则第 2 号——气候相关披露》（IFRS S2，2023 年 6 月），按小微企业适度简化"
    ),
    CREDITS_NOTE: (
        "碳信用单独列报，从不抵扣总排放（IFRS S2 第 36(e) 段；PCAF 标准 A 部分）。扣除碳信用后的净排放"
        "是另一项运营碳中和声明。"
    ),
}

_SUBTAG = re.compile(r"[-_]")


def negotiate(accepted: Iterable[tuple[str, float]]) -> str:
    """The first of our languages the browser accepts, in its order of preference; else English.

    Each tag counts for its primary language (``en-US`` is English, ``zh-TW`` Chinese), and tags are taken
    by quality, so ``en-US,zh;q=0.9`` is English. ``q=0`` means "not this one"; ``*`` means any language,
    which is English unless English was refused.
    """
    ranked = [(_primary(tag), quality) for tag, quality in accepted]
    refused = {primary for primary, quality in ranked if quality <= 0}
    for primary, quality in sorted(ranked, key=lambda item: -item[1]):  # stable: equal q keep their order
        if quality <= 0:
            break
        if primary in LANGUAGES:
            return primary
        if primary == "*":
            return next((lang for lang in LANGUAGES if lang not in refused), LANGUAGES[0])
    return LANGUAGES[0]


def _primary(tag: str) -> str:
    return _SUBTAG.split(tag.strip(), maxsplit=1)[0].lower()


def choose_language() -> str:
    """``?lang=`` wins (the page's switch), then the browser's ``Accept-Language``, then English."""
    asked = request.values.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return negotiate(request.accept_languages)


def _label(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    found = table.get(key)
    if found is None:
        return key.replace("_", " ")
    return found[1] if lang == "zh" else found[0]


def item_label(key: str, lang: str) -> str:
    """A disclosure item's label (a key no label was written for shows as words, never hidden)."""
    return _label(ITEM_LABELS, key, lang)


def field_labels(paths: Sequence[str], lang: str) -> list[str]:
    """The labels of operating-data field paths, such as the rating's ``estimated_fields``."""
    return [_label(FIELD_LABELS, path, lang) for path in paths]


def joined(labels: Sequence[str], lang: str) -> str:
    """Labels as one list in running text ("-" for none)."""
    return ("、" if lang == "zh" else ", ").join(labels) or "-"


def data_source_label(source: str, lang: str) -> str:
    """An operating data's ``data_source`` in words."""
    return _label(DATA_SOURCE_LABELS, source, lang)


def in_language(text: str, lang: str) -> dict[str, str | None]:
    """An engine sentence in ``lang`` when it is translated here; else as is, with ``lang`` "en" for HTML."""
    if lang == "zh" and text in ENGINE_TEXT_ZH:
        return {"text": ENGINE_TEXT_ZH[text], "lang": None}
    return {"text": text, "lang": None if lang == "en" else "en"}


def texts(lang: str) -> Mapping[str, str]:
    """The page's words in ``lang`` (English for anything unknown)."""
    return _TEXTS.get(lang, _EN)
