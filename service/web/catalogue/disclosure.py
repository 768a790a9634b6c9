"""The printable disclosure (HTML and PDF): its IFRS S2-style sections, the inventory and emission-factor
tables, the business's own reported inventory beside greenrate's, data quality, intensities, the comparison
with last year and the versions a rating was made with.

A bank files it beside a loan, so its words follow the standard's terms rather than the result page's
plainer ones (:mod:`service.web.catalogue.result`).
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # the sum the inventory's total is (rating_model.inventory): a bare "Total" under a market-based Scope 2
    # row read as either sum, and as one with a Scope 3 that may not be disclosed (an IFRS S2 reviewer)
    "total": "Total: Scopes 1, 2 (location) and 3",
    "total_no_scope3": "Total: Scopes 1 and 2 (location); no Scope 3",
    "disclosure_title": "Climate-related disclosure",
    "company": "Company",
    "location": "Location",
    "reporting_year": "Reporting year",
    "governance": "Governance",
    "strategy": "Strategy",
    "risk_management": "Risk management",
    "metrics_and_targets": "Metrics and targets",
    "basis_of_preparation": "Basis of preparation",
    "inventory": "Greenhouse-gas inventory",
    "factor_sources": "Emission factors and sources",
    "data_quality": "Data quality",
    "energy_mwh": "Energy use (MWh)",
    "renewable_share": "Renewable share",
    "versions": "Versions",
    "name_not_given": "Name not given",
    "factor_id": "Factor",
    "factor_value": "Value",
    "factor_unit": "Unit",
    "factor_source": "Source",
    "factor_year": "Year",
    "version_model": "model",
    "version_standard": "standard",
    "version_factor_set": "factor set",
    "version_schema": "schema",
    "version_engine": "engine",
    # the figures listed rather than counted: "1 input figure(s) were" read as a form letter ({n} is the
    # Chinese sentence's count, which needs no plural)
    "dq_estimated": "Input figures estimated from the standard's sector defaults: {fields}. PCAF "
    "data-quality score {pcaf} of 5 (1 is best), completeness {completeness}.",
    "dq_measured": "No input figure was estimated; PCAF data-quality score {pcaf} of 5 (1 is best), "
    "completeness {completeness}.",
    "dq_converted": "{field} was converted from the electricity bill's amount at the standard's assumed "
    "tariff of {tariff} CNY/kWh ({standard}, estimation rules), not taken from a sector default.",
    "dq_scores": "PCAF data-quality score {pcaf} of 5 (1 is best), completeness {completeness}.",
    "dq_item": "PCAF score {pcaf}; completeness {completeness}; estimated: {fields}; data source: {source}.",
    # a score better than PCAF's option 2a (a verified report's 1) beside greenrate's computed inventory
    "dq_source_score": "That score is the one the standard gives the data source; the inventory disclosed "
    "here is greenrate's computation from the activity data, which PCAF scores 2 at best (option 2a): "
    "score 1 is for a business's own verified reported emissions (option 1a).",
    "dq_item_source": " (the data source's score under the standard; PCAF scores the emissions greenrate "
    "computes 2 at best, option 2a)",
    "dq_assumed": "Inventory figures that rest on greenrate's assumptions rather than reported data: "
    "{fields}.",
    "annual_revenue": "Annual revenue",
    "valid_until": "Valid until",
    "electricity_mwh": "Electricity consumed (MWh)",
    "renewable_electricity_share": "Renewable share of electricity",
    "scope3_cat1_water_supply": "of which category 1, purchased goods (water supply)",
    "scope3_cat5_waste": "of which category 5, waste and wastewater",
    "scope3_cat6_business_travel": "of which category 6, business travel",
    "intensities": "Carbon intensities",
    "not_computed": "not computed",
    # after engine prose left in English on a page in another language (never shown on the English page)
    "english_original": " (English original)",
    "comparative_item": "previous year {previous} t CO2e, reporting year {current} t CO2e, change {change}",
    # the records among the IFRS S2 items, in words with their units (the page had printed the JSON's keys:
    # "scopes 1; 2, base year 2023, target year 2030, reduction pct 40.0000", marked English in Chinese)
    "target_item": "{scopes}: {reduction} reduction from base year {base_year} by {target_year}",
    "target_scope": "Scope {n}",
    "target_scopes_and": " and ",
    # what a target states of itself (schema 1.14), in brackets after it (targets are joined by "; "):
    # "... by 2030 (intensity target; gases CO2, CH4; gross of carbon credits; validated by SBTi)"
    "target_absolute": "absolute target",
    "target_intensity": "intensity target",
    "target_gases": "gases {gases}",
    "target_net": "net of carbon credits",
    "target_gross": "gross of carbon credits",
    "target_validated_by": "validated by {validator}",
    "target_stated": " ({parts})",
    "credit_item": "{standard}, {tco2e} t CO2e, {kind}",
    "credit_vintage": ", vintage {vintage}",
    "credit_avoidance": "avoidance",
    "credit_removal": "removal",
    "capital_item": "{amount}, use of proceeds: {use}",
    "intensity_per_cny_million_revenue": "Scopes 1, 2 (location) and 3 per CNY million of revenue",
    "intensity_scope12_market_per_cny_million_revenue": "Scopes 1 and 2 (market) per CNY million of revenue",
    "intensity_per_employee": "Scopes 1, 2 (location) and 3 per employee",
    "intensity_per_m2": "Scopes 1, 2 (location) and 3 per m² of floor area",
    # the same figures where the rating discloses no Scope 3 (no category had data): "and 3" had promised a
    # Scope 3 that the inventory above says is not available
    "intensity_per_cny_million_revenue_no_scope3": "Scopes 1 and 2 (location) per CNY million of revenue; "
    "no Scope 3",
    "intensity_per_employee_no_scope3": "Scopes 1 and 2 (location) per employee; no Scope 3",
    "intensity_per_m2_no_scope3": "Scopes 1 and 2 (location) per m² of floor area; no Scope 3",
    "column_value": "Value",
    "column_unit": "Unit",
    "intensity_unit_per_cny_million_revenue": "t CO2e per CNY million",
    "intensity_unit_scope12_market_per_cny_million_revenue": "t CO2e per CNY million",
    "intensity_unit_per_employee": "t CO2e per employee",
    "intensity_unit_per_m2": "t CO2e per m²",
    # the knock-outs that cap the grade, beside it (rating_model.disclosure.grade_caps): a loan officer read
    # "light green 63.3" and could not tell that a cap had lowered a green score, by what, or why
    "score_grade": "Grade the score alone earns",
    "score_grade_capped": "{grade}: capped by the knock-out rules below",
    # a rating issued before schema 1.4 did not record which rules applied: there is no list below to point to
    "score_grade_capped_unrecorded": "{grade}: capped by a knock-out rule, which ratings issued before "
    "schema 1.4 did not record",
    "caps_title": "Knock-out rules that cap the grade",
    "caps_lowered": "The score of {score} alone earns {own}; the grade is {grade} because of the rules "
    "below.",
    "caps_not_lowered": "These rules apply to the business; the score alone earns no better grade than they "
    "allow, so they do not lower this grade.",
    "cap_grade": "Best grade allowed",
    "cap_green_loan": "Green-loan treatment",
    "cap_denies": "Denied by this rule",
    "cap_does_not_deny": "Not denied by this rule (it caps the grade only)",
    "cap_trigger": "What set it off",
    "cap_remedy": "What lifts it",
    # the business's own reported inventory beside greenrate's (disclosure 1.2): a loan's financed emissions
    # attribute it since engine 2.8, and the page had shown only greenrate's figures
    "reported_title": "The business's own reported inventory",
    "reported_column": "Reported by the business",
    "computed_column": "Computed by greenrate",
    "reported_not_given": "not reported",
    "reported_scope12": "Scopes 1 and 2 (location)",
    "reported_difference": "Difference, Scopes 1 and 2 (location): (reported − computed) / computed",
    "reported_difference_none": "not computed: greenrate computed 0 for Scopes 1 and 2 from the activity "
    "data",
    "reported_verification": "Verification",
    "reported_verified_by": "Verified by {verifier} (PCAF option 1a)",
    "reported_unverified": "Not verified (PCAF option 1b)",
    "reported_attributed": "Financed emissions attribute",
    "reported_attributes_reported": "The business's reported figures; the loan's PCAF data-quality score is "
    "{pcaf} of 5 (1 is best)",
    "reported_attributes_computed": "greenrate's computed inventory; the loan's PCAF data-quality score is "
    "{pcaf} of 5 (1 is best)",
    "reported_no_loan": "No loan was rated with this request: no financed emissions are attributed",
    "reported_never_scored": "The score and the grade are computed from the activity data, never from the "
    "reported figures.",
    "reported_none": "The business reported no inventory of its own with this rating: every emissions figure "
    "in this disclosure is greenrate's computation from the activity data.",
    # a rating made on the public page: where its figures came from, for the bank it is handed to
    "provenance_public_page": "Made on greenrate's public page from the business's own answers, which no "
    "bank has checked. Anyone can rate other answers there, as often as they like, and no bank can see those "
    "ratings. Before relying on this rating, check its figures against the bills and its practices against "
    "evidence.",
}

ZH: Mapping[str, str] = {
    "score_grade": "按得分本身的评级",
    "score_grade_capped": "{grade}（受下列条款限制）",
    "score_grade_capped_unrecorded": "{grade}（受条款限制；本评级签发于 1.4 版数据格式之前，"
    "未记录是哪些条款）",
    "caps_title": "限制评级的条款",
    "caps_lowered": "按得分 {score} 本可评为{own}；因下列条款，评级为{grade}。",
    "caps_not_lowered": "下列条款适用于本企业；按得分本身的评级未超过其上限，因此未降低本评级。",
    "cap_grade": "评级上限",
    "cap_green_loan": "绿色贷款待遇",
    "cap_denies": "因本条款不能获得",
    "cap_does_not_deny": "不受本条款影响（仅限制评级）",
    "cap_trigger": "适用原因",
    "cap_remedy": "解除办法",
    "total": "合计：范围一+范围二（基于位置）+范围三",
    "total_no_scope3": "合计：范围一+范围二（基于位置）；不含范围三",
    "disclosure_title": "气候相关信息披露",
    "company": "企业",
    "location": "所在地区",
    "reporting_year": "报告年度",
    "governance": "治理",
    "strategy": "战略",
    "risk_management": "风险管理",
    "metrics_and_targets": "指标和目标",
    "basis_of_preparation": "编制基础",
    "inventory": "温室气体排放清单",
    "factor_sources": "排放因子及来源",
    "data_quality": "数据质量",
    "energy_mwh": "能源消耗（兆瓦时）",
    "renewable_share": "可再生能源占比",
    "versions": "版本",
    "name_not_given": "未提供名称",
    "factor_id": "因子",
    "factor_value": "数值",
    "factor_unit": "单位",
    "factor_source": "来源",
    "factor_year": "年份",
    "version_model": "模型",
    "version_standard": "标准",
    "version_factor_set": "排放因子集",
    "version_schema": "数据格式",
    "version_engine": "计算引擎",
    "dq_estimated": "{n} 项输入数据按标准的行业默认值估算：{fields}；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_measured": "没有估算的输入数据；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_converted": "{field}由电费金额按标准假定的电价 {tariff} 元/千瓦时换算（{standard}，估算规则），"
    "并非行业默认值。",
    "dq_scores": "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_item": "PCAF 评分 {pcaf}；数据完整度 {completeness}；估算数据：{fields}；数据来源：{source}。",
    "dq_source_score": "该评分是评级标准按数据来源给出的评分；本披露的排放清单由 greenrate 根据活动数据计算，"
    "PCAF 对此类排放最高评为 2 分（选项 2a）：1 分仅适用于企业自行报告并经核查的排放（选项 1a）。",
    "dq_item_source": "（评级标准按数据来源给出的评分；PCAF 对 greenrate 计算的排放最高评为 2 分，选项 2a）",
    "dq_assumed": "{n} 项排放数据基于 greenrate 的假设而非所报数据：{fields}。",
    "annual_revenue": "年营业收入",
    "valid_until": "有效期至",
    "electricity_mwh": "用电量（兆瓦时）",
    "renewable_electricity_share": "可再生电力占比",
    "scope3_cat1_water_supply": "其中类别 1：外购商品（供水）",
    "scope3_cat5_waste": "其中类别 5：废弃物与污水处理",
    "scope3_cat6_business_travel": "其中类别 6：商务差旅",
    "intensities": "碳强度",
    "not_computed": "无法计算",
    # a rating stored before engine 1.9 has its notes in English only: shown as they are, and said to be
    "english_original": "（英文原文）",
    "comparative_item": "上一年 {previous} 吨二氧化碳当量，报告年 {current} 吨二氧化碳当量，变化 {change}",
    "target_item": "{scopes}：到 {target_year} 年较基准年 {base_year} 年减排 {reduction}",
    "target_scope": "范围{n}",
    "target_scopes_and": "和",
    "target_absolute": "绝对量目标",
    "target_intensity": "强度目标",
    "target_gases": "涵盖 {gases}",
    "target_net": "扣除碳信用后的净目标",
    "target_gross": "总量目标（不扣除碳信用）",
    "target_validated_by": "经 {validator} 验证",
    "target_stated": "（{parts}）",
    "credit_item": "{standard}，{tco2e} 吨二氧化碳当量，{kind}",
    "credit_vintage": "，产生年份 {vintage}",
    "credit_avoidance": "避免排放类",
    "credit_removal": "清除类",
    "capital_item": "{amount}，资金用途：{use}",
    "intensity_per_cny_million_revenue": "营收碳强度：范围一+范围二（基于位置）+范围三，每百万元营业收入",
    "intensity_scope12_market_per_cny_million_revenue": (
        "营收碳强度：范围一+范围二（基于市场），每百万元营业收入"
    ),
    "intensity_per_employee": "人均碳强度：范围一+范围二（基于位置）+范围三，每名员工",
    "intensity_per_m2": "单位面积碳强度：范围一+范围二（基于位置）+范围三，每平方米经营面积",
    "intensity_per_cny_million_revenue_no_scope3": "营收碳强度：范围一+范围二（基于位置），每百万元营业收入；"
    "不含范围三",
    "intensity_per_employee_no_scope3": "人均碳强度：范围一+范围二（基于位置），每名员工；不含范围三",
    "intensity_per_m2_no_scope3": "单位面积碳强度：范围一+范围二（基于位置），每平方米经营面积；不含范围三",
    "column_value": "数值",
    "column_unit": "单位",
    "intensity_unit_per_cny_million_revenue": "吨二氧化碳当量/百万元营业收入",
    "intensity_unit_scope12_market_per_cny_million_revenue": "吨二氧化碳当量/百万元营业收入",
    "intensity_unit_per_employee": "吨二氧化碳当量/人",
    "intensity_unit_per_m2": "吨二氧化碳当量/平方米",
    "reported_title": "企业自报的温室气体排放清单",
    "reported_column": "企业自报",
    "computed_column": "greenrate 计算",
    "reported_not_given": "未报告",
    "reported_scope12": "范围一+范围二（基于位置）",
    "reported_difference": "差异，范围一+范围二（基于位置）：（自报 − 计算）/ 计算",
    "reported_difference_none": "无法计算：greenrate 根据活动数据算得的范围一和范围二排放为 0",
    "reported_verification": "核查",
    "reported_verified_by": "经{verifier}核查（PCAF 选项 1a）",
    "reported_unverified": "未经核查（PCAF 选项 1b）",
    "reported_attributed": "融资排放的归因依据",
    "reported_attributes_reported": "企业自报的数据；该笔贷款的 PCAF 数据质量评分为 {pcaf}"
    "（共 5 级，1 最好）",
    "reported_attributes_computed": "greenrate 计算的排放清单；该笔贷款的 PCAF 数据质量评分为 {pcaf}"
    "（共 5 级，1 最好）",
    "reported_no_loan": "本次评级未包含贷款，未归因融资排放",
    "reported_never_scored": "得分和评级均根据活动数据计算，从不采用企业自报的数据。",
    "reported_none": "企业未随本次评级报告自身的排放清单：本披露中的排放数据均为 greenrate "
    "根据活动数据计算的结果。",
    "provenance_public_page": "本评级由企业在 greenrate 公开页面上自行填写的答案生成，未经任何银行核实。"
    "任何人都可以在该页面用其他答案多次评级，银行看不到这些评级：据此授信前，请按账单核对数据，"
    "并核实所填绿色经营行为的证明材料。",
}
