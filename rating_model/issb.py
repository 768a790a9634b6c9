"""An IFRS S2-shaped climate summary of one rating: governance, strategy, risk management, metrics and
targets, basis of preparation.

A small business cannot write an ISSB report, but a bank that lends to it must disclose under IFRS S2 and
PCAF. This summary reads only what the rating already decided (inventory, data quality, practices) and says
for every item whether it is disclosed, not applicable or not available, so nothing is implied that the
data does not show. Paragraph numbers refer to IFRS S2 (June 2023).

Every sentence is written in English and in Simplified Chinese side by side (:data:`Said`), as the
green-loan rationale is: an item's ``note`` has its ``note_zh`` and a value in words its ``value_zh``,
sentence for sentence and with the same figures, so a Chinese bank's credit memo and the Chinese disclosure
carry no English sentence (a Chinese-speaking relationship manager's review), and the two languages cannot
drift apart. What the summary quotes from the inventory (its assumptions, what no factor prices, the
comparison's basis, the estimation methods) comes in both languages from where it is worded; only the factor
fallbacks, in the factor selection's words and the factor sets' names of grids and regions, are English.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rating_model.data_quality import DataQuality
from rating_model.estimation import Estimate
from rating_model.inventory import Inventory
from rating_model.line_items import ESTIMATED
from rating_model.operating_data import OperatingData
from rating_model.rounding import round_float, round_tco2e

Item = dict[str, Any]
#: A sentence (or the words of one) in English and in Simplified Chinese, in that order.
Said = tuple[str, str]
# VSME names NACE sections A-H and L as high climate impact; ISIC Rev.4 divisions of those sections:
_HIGH_IMPACT_DIVISIONS = frozenset(f"{d:02d}" for d in (*range(1, 54), 68))


def _noted(item: Item, note: Said | None) -> Item:
    if note is not None:
        item["note"], item["note_zh"] = note
    return item


def _disclosed(value: Any, note: Said | None = None) -> Item:
    """A figure or record disclosed (numbers and keys need no translation)."""
    return _noted({"status": "disclosed", "value": value}, note)


def _stated(value: Said, note: Said | None = None) -> Item:
    """A sentence disclosed as the item's value: ``value`` in English, ``value_zh`` in Chinese."""
    return _noted({"status": "disclosed", "value": value[0], "value_zh": value[1]}, note)


def _listed(values: Sequence[Said], note: Said | None = None) -> Item:
    """Sentences disclosed as the item's value, ``value_zh`` saying each one in Chinese in the same order."""
    return _noted(
        {"status": "disclosed", "value": [en for en, _ in values], "value_zh": [zh for _, zh in values]}, note
    )


def _not_available(note: Said) -> Item:
    return _noted({"status": "not_available"}, note)


def _not_applicable(note: Said) -> Item:
    return _noted({"status": "not_applicable"}, note)


def _sentences(*parts: Said) -> Said:
    """Sentences one after another: spaced in English, run on in Chinese (each ends in its own full stop);
    an empty part is left out."""
    return " ".join(en for en, _ in parts if en), "".join(zh for _, zh in parts if zh)


def _flag(value: bool | None, yes: Said, no: Said, missing: Said) -> Item:
    """A yes/no practice as an item: a "no" the business gave is disclosed as no; only a question it left
    unanswered is ``not_available`` (an explicit no had read "No ... was reported", as if never asked)."""
    if value is None:
        return _not_available(missing)
    return _stated(yes if value else no)


def _governance(data: OperatingData) -> dict[str, Item]:
    p = data.practices
    return {
        "oversight": _flag(
            p.climate_responsible_person,
            ("A named person is responsible for climate and energy.", "已指定专人负责气候与能源事务。"),
            ("No: the business reported that no named person is responsible for climate-related matters "
             "(para 6).", "否：企业报告未指定专人负责气候相关事务（第 6 段）。"),
            ("Not reported whether a person is responsible for climate-related matters (para 6).",
             "未报告是否有专人负责气候相关事务（第 6 段）。"),
        ),
        "policy": _flag(
            p.environmental_policy,
            ("The business has an environmental policy.", "企业已制定环境政策。"),
            ("No: the business reported that it has no environmental policy.",
             "否：企业报告未制定环境政策。"),
            ("Not reported whether the business has an environmental policy.",
             "未报告企业是否已制定环境政策。"),
        ),
    }


def _strategy(data: OperatingData) -> dict[str, Item]:
    high = data.company.isic_division in _HIGH_IMPACT_DIVISIONS
    targets = _target_rows(data)
    share = data.practices.green_products_share
    return {
        "transition_risks": _stated(
            ("The business operates in a high-climate-impact sector (VSME: NACE A-H, L): exposed to "
             "energy-price and carbon-policy changes.",
             "企业属于气候高影响行业（VSME：NACE A-H、L 门类）：面临能源价格和碳政策变化的风险。")
            if high else
            ("The business operates outside the high-climate-impact sectors; its main transition exposure is "
             "the cost of purchased energy.",
             "企业不属于气候高影响行业；其主要的转型风险敞口是外购能源的成本。"),
            ("Derived by greenrate from the industry code and the inventory (para 10).",
             "由 greenrate 根据行业代码和排放清单得出（第 10 段）。"),
        ),
        "physical_risks": _not_available(
            ("No site-level hazard data is held (para 10).", "未掌握经营场所层面的灾害数据（第 10 段）。")
        ),
        # 0 is a reported share (no green products), not a missing answer: only None is "not reported".
        "opportunities": _stated((f"{share:.0%} of sales from green products.",
                                  f"绿色产品销售额占比 {share:.0%}。")) if share is not None
        else _not_available(("No share of sales from green products was reported (para 10).",
                             "未报告绿色产品的销售额占比（第 10 段）。")),
        "transition_plan": _disclosed(
            targets, ("Reduction targets set by the business, not a full transition plan (para 14(a)(iv)).",
                      "企业自行设定的减排目标，并非完整的转型计划（第 14(a)(iv) 段）。")
        )
        if targets
        else _not_available(("No transition plan or reduction target was reported (para 14).",
                             "未报告转型计划或减排目标（第 14 段）。")),
        "resilience": _not_available(
            ("No climate scenario analysis; proportionate to a small business (para 22).",
             "未开展气候情景分析；与小微企业的规模相称（第 22 段）。")
        ),
    }


def _risk_management(data: OperatingData) -> dict[str, Item]:
    """The risk process (para 25) from the two practices greenrate asks that would be one: either "yes" is
    disclosed; two answered "no" are disclosed as such (the business said it has neither, which is not the
    same as not saying); otherwise it is not available."""
    p = data.practices
    asked: Said = ("the processes greenrate asks about (para 25).",
                   "即 greenrate 询问的两项流程（第 25 段）。")
    if p.iso14001:
        process = _stated(("Environmental risks are managed in an ISO 14001 certified management system.",
                           "环境风险在经 ISO 14001 认证的管理体系中管理。"))
    elif p.energy_audit:
        process = _stated(("An energy audit identifies energy and emissions risks.",
                           "通过能源审计识别能源和排放风险。"))
    elif p.iso14001 is False and p.energy_audit is False:
        process = _stated((
            "No: the business reported neither an ISO 14001 management system nor an energy audit, "
            + asked[0],
            "否：企业报告既没有 ISO 14001 管理体系，也没有开展能源审计，" + asked[1],
        ))
    else:
        process = _not_available((
            "Not reported whether the business has an ISO 14001 management system or an energy audit, "
            + asked[0],
            "未报告企业是否有 ISO 14001 管理体系或是否开展能源审计，" + asked[1],
        ))
    return {"process": process}


def _capital_deployment(data: OperatingData, green_uses: Collection[str]) -> Item:
    """IFRS S2 29(e): only a loan whose proceeds finance a green category is climate capital deployment.

    A general-purpose loan funds whatever the business needs; counting it would report capital deployed
    towards climate-related opportunities that nothing shows was deployed so. Which uses are green is the
    standard's decision (its Green Loan Principles categories), as for green-loan eligibility.
    """
    loan = data.loan
    if loan is None:
        return _not_available(("No capital deployment was reported (29(e)).",
                               "未报告资本配置（第 29(e) 段）。"))
    use = loan.use_of_proceeds
    if use not in green_uses:
        return _not_available((
            f"The loan's use of proceeds '{use}' is not a green category of the standard, so it is not "
            "counted as capital deployed towards climate-related risks and opportunities; no other climate "
            "capital deployment was reported (29(e)).",
            f"该笔贷款的资金用途“{use}”不属于评级标准的绿色类别，因此不计为投向气候相关风险和机遇的资本；"
            "未报告其他气候相关资本配置（第 29(e) 段）。",
        ))
    return _disclosed(
        {"amount": loan.amount, "currency": loan.currency, "use_of_proceeds": use},
        ("This loan, whose use of proceeds is a green category (Green Loan Principles) (29(e)).",
         "本笔贷款：其资金用途属于绿色类别（《绿色贷款原则》）（第 29(e) 段）。"),
    )


#: What the inventory never covers, because greenrate asks for no data on it: said in every summary, so
#: that no reader takes the absence of a figure for a zero (a GHG-accounting review found "Nothing reported
#: was left out" beside a restaurant whose refrigerant leaks and purchased food were never asked for).
NOT_COLLECTED: Said = (
    "not collected by greenrate, so not in the inventory: fugitive emissions (refrigerant leaks from air "
    "conditioning and refrigeration, Scope 1) and process emissions; Scope 3 purchased goods and services "
    "other than water (category 1 covers purchased water only) and categories 2-4 and 7-15",
    "greenrate 未收集、因而未纳入排放清单的排放源：逸散排放（空调和制冷设备的制冷剂泄漏，范围一）和工艺排放；"
    "除水以外的范围三外购商品和服务（类别 1 仅涵盖外购水）以及类别 2-4 和 7-15",
)


#: The Scope 1 inputs a business can leave unreported, in the words the scope notes (IFRS S2 here, VSME B3
#: in :mod:`rating_model.vsme`) name what Scope 1 then leaves out.
_SCOPE1_GAPS: dict[str, Said] = {
    "energy.fuels": ("fuels burnt on the premises", "经营场所燃烧的燃料"),
    "transport.fleet": ("company vehicles", "企业车辆"),
}
#: :data:`_SCOPE1_GAPS` in English, as the VSME export (English only) words them.
SCOPE1_GAP_WORDS = {path: en for path, (en, _) in _SCOPE1_GAPS.items()}
_ELECTRICITY: Said = ("purchased electricity", "外购电力")

#: The Scope 1 and 2 inputs a business can leave unanswered, as the exclusions name them. A fleet left out
#: is the common one (the one-click form never asks it), so it is said for every business: greenrate cannot
#: tell from a sector which businesses run no vehicle (a shop's delivery van, a restaurant's), and a default
#: fleet would be invented. Only an answer, ``"fleet": []``, says there are none.
_FUELS, _FLEET = _SCOPE1_GAPS["energy.fuels"], _SCOPE1_GAPS["transport.fleet"]
_UNREPORTED: dict[str, Said] = {
    "energy.electricity_kwh": (f"Scope 2 leaves out {_ELECTRICITY[0]}: none was reported.",
                               f"范围二未包含{_ELECTRICITY[1]}：未报告任何用电量。"),
    "energy.fuels": (
        f"Scope 1 leaves out {_FUELS[0]}: the business did not say whether it burns any (the fuels question "
        "was not answered; \"fuels\": [] would say none).",
        f"范围一未包含{_FUELS[1]}：企业未说明是否燃烧燃料（燃料问题未作答；\"fuels\": [] 即表示没有）。",
    ),
    "transport.fleet": (
        f"Scope 1 leaves out {_FLEET[0]}: the business did not say whether it runs any (the fleet question "
        "was not answered; \"fleet\": [] would say none). Their fuel would be Scope 1, an electric vehicle's "
        "charging Scope 2.",
        f"范围一未包含{_FLEET[1]}：企业未说明是否使用车辆（车辆问题未作答；\"fleet\": [] 即表示没有）。"
        "车辆燃料属于范围一，电动汽车充电属于范围二。",
    ),
}
#: ISIC divisions whose business is moving goods or people (land, water and air transport, warehousing,
#: postal and courier): vehicles are then the activity itself, not a side line
_TRANSPORT_DIVISIONS = frozenset({"49", "50", "51", "52", "53"})


def _unreported(data: OperatingData, inv: Inventory) -> list[Said]:
    """The Scope 1 and 2 inputs not reported (neither given nor estimated), in words: the scopes are
    disclosed as partial, never as a measured zero (a road-freight firm without its fleet had disclosed
    Scope 1 0.0 with "no figure was estimated" and nothing excluded)."""
    out = [_UNREPORTED[path] for path in inv.missing if path in _UNREPORTED]
    if "transport.fleet" in inv.missing and data.company.isic_division in _TRANSPORT_DIVISIONS:
        code = data.company.industry_code
        out.append((
            f"The business's industry (ISIC {code}) is transport or logistics (ISIC divisions 49-53), whose "
            "activity is running vehicles: its Scope 1 without them is unlikely to be complete.",
            f"企业所属行业（ISIC {code}）为运输或物流业（ISIC 行业大类 49-53），其经营活动就是运营车辆："
            "缺少车辆的范围一不太可能完整。",
        ))
    return out


def _excludes(*words: Said) -> Said:
    """The sentence of a scope's note naming the unreported inputs it leaves out."""
    return (
        f"Excludes {' and '.join(en for en, _ in words)}, not reported (basis_of_preparation.exclusions).",
        f"未包含{'和'.join(zh for _, zh in words)}（未报告；见 basis_of_preparation.exclusions）。",
    )


def _scope_gaps(inv: Inventory) -> dict[int, Said]:
    """A note for each scope an unreported input leaves partial."""
    notes: dict[int, Said] = {}
    fleet_or_fuels = [words for path, words in _SCOPE1_GAPS.items() if path in inv.missing]
    if fleet_or_fuels:
        notes[1] = _excludes(*fleet_or_fuels)
    if "energy.electricity_kwh" in inv.missing:
        notes[2] = _excludes(_ELECTRICITY)
    return notes


def _scope3_included(inv: Inventory) -> Said:
    """The Scope 3 categories with data, listed as the inventory keys them (both languages)."""
    return ", ".join(inv.scope3_categories_included), "、".join(inv.scope3_categories_included)


def _metrics(
    data: OperatingData, inv: Inventory, dq: DataQuality, green_uses: Collection[str]
) -> dict[str, Item]:
    offsets = [{"standard": o.standard, "tco2e": o.tco2e, "type": o.type, "vintage": o.vintage}
               for o in data.offsets]
    included = _scope3_included(inv)
    scope3 = (
        _disclosed(
            round_tco2e(inv.scope3_tco2e),
            (f"Categories included: {included[0]} (partial: see basis_of_preparation.exclusions for what is "
             "not collected).",
             f"纳入的类别：{included[1]}（不完整：未收集的部分见 basis_of_preparation.exclusions）。"),
        )
        if inv.scope3_categories_included
        else _not_available(_sentences(("No Scope 3 activity data.", "没有范围三活动数据。"),
                                       _first_period_only(_OMIT_SCOPE3)))
    )
    # Every figure is rounded as the rating's emissions section rounds it (tCO2e and MWh to 4 decimals,
    # intensities to 6), so the summary and the inventory beside it never show two numbers for one quantity.
    estimated = _estimated_scopes(inv)
    gaps = _scope_gaps(inv)
    none: Said = ("", "")
    scope2_notes = (estimated.get(2, none), gaps.get(2, none))
    scope3_words: Said = (
        (f"Scope 3 ({included[0]})", f"范围三（{included[1]}）") if inv.scope3_categories_included
        else ("no Scope 3 (no category had data)", "范围三（无：没有任何类别有数据）")
    )
    return {
        "scope1_tco2e": _disclosed(
            round_tco2e(inv.scope1_tco2e),
            _sentences(
                ("Gross, GHG Protocol (para 29(a)(i)).",
                 "总排放，按温室气体核算体系计算（第 29(a)(i) 段）。"),
                estimated.get(1, none), gaps.get(1, none),
            ),
        ),
        "scope2_location_tco2e": _disclosed(
            round_tco2e(inv.scope2_location_tco2e),
            _sentences(("Location-based (para 29(a)(v)).", "基于位置（第 29(a)(v) 段）。"), *scope2_notes),
        ),
        "scope2_market_tco2e": _disclosed(
            round_tco2e(inv.scope2_market_tco2e), _sentences(_instruments(data), *scope2_notes)
        ),
        "scope3_tco2e": scope3,
        "energy_mwh": _disclosed(
            round_float(inv.energy_mwh, 4),
            (f"Renewable share {inv.renewable_share:.1%} (VSME B3). Electricity, fuels burnt on site, "
             "purchased heat and vehicle fuel given as a quantity; vehicles given as km or a count (their "
             "energy is not known) and EV charging off the premises are in Scope 1 and 2 but not in this "
             "total.",
             f"可再生能源占比 {inv.renewable_share:.1%}（VSME B3）。本合计包括电力、经营场所燃烧的燃料、"
             "外购热力和以数量填报的车辆燃料；以里程或车辆数填报的车辆（其能耗未知）和在经营场所以外的"
             "电动汽车充电计入范围一和范围二，但不计入本合计。"),
        ),
        "ghg_intensity_per_cny_million": _disclosed(
            round_float(inv.intensities.per_cny_million_revenue, 6),
            (f"Gross Scope 1 + Scope 2 (location-based) + {scope3_words[0]}, in tCO2e per CNY million of "
             "revenue.",
             f"总排放：范围一 + 范围二（基于位置）+ {scope3_words[1]}，单位为 tCO2e/百万元营业收入。"),
        ),
        "scope12_comparative": _comparatives(data, inv),
        "transition_risk_exposure": _not_available(
            ("Assets vulnerable to transition risk are not assessed (29(b)).",
             "未评估易受转型风险影响的资产（第 29(b) 段）。")
        ),
        "physical_risk_exposure": _not_available(
            ("Assets vulnerable to physical risk are not assessed (29(c)).",
             "未评估易受实体风险影响的资产（第 29(c) 段）。")
        ),
        "climate_opportunities": _disclosed(data.practices.green_products_share,
                                            ("Share of sales (29(d)).", "销售额占比（第 29(d) 段）。"))
        if data.practices.green_products_share is not None
        else _not_available(("Not reported (29(d)).", "未报告（第 29(d) 段）。")),
        "capital_deployment": _capital_deployment(data, green_uses),
        "internal_carbon_price": _not_asked("29(f)"),
        "remuneration": _not_asked("29(g)"),
        "targets": _targets(data),
        "carbon_credits": _disclosed(
            offsets,
            ("Credits the business reports, listed apart and never netted from gross emissions; IFRS S2 "
             "36(e) asks how credits are planned to be used toward a net target.",
             "企业报告的碳信用，单独列示，从不抵扣总排放；IFRS S2 第 36(e) 段要求说明计划如何使用碳信用"
             "实现净排放目标。"),
        )
        if offsets
        # The operating data keeps no difference between "offsets" left out and "offsets": [] (both parse to
        # no credits, and the canonical input drops the empty list), so neither says "none were used".
        else _not_available(
            ("No carbon credits were reported (the operating data does not tell \"none\" from a list left "
             "out; IFRS S2 36(e) asks about credits planned toward a net target).",
             "未报告碳信用（经营数据无法区分“没有”与未填写；IFRS S2 第 36(e) 段询问计划用于实现净排放目标的"
             "碳信用）。")
        ),
        "data_quality": _disclosed(dq.to_dict()),
    }


def _not_asked(paragraph: str) -> Item:
    """A metric greenrate has no question for."""
    return _not_available((f"Not collected: greenrate does not ask for it ({paragraph}).",
                           f"未收集：greenrate 不询问此项（第 {paragraph} 段）。"))


def _first_period_only(relief: Said) -> Said:
    """The condition of a transition relief: IFRS S2's (Appendix C; domain.md section 3 cites C3, no
    comparatives, and C4(b), no Scope 3) are for the first annual reporting period in which an entity applies
    the standard, which greenrate cannot know (every summary had claimed them, even beside a previous year's
    figures)."""
    return (
        f"{relief[0]} is available under IFRS S2 only if this is the entity's first annual reporting period "
        "under the standard; greenrate cannot tell whether it is.",
        f"仅当本期是主体首次适用 IFRS S2 的年度报告期时，方可{relief[1]}；greenrate 无法判断是否如此。",
    )


_OMIT_SCOPE3: Said = ("Omitting Scope 3 (relief C4(b))", "不披露范围三（豁免 C4(b)）")


def _reliefs(inv: Inventory) -> list[Said]:
    """The reliefs the summary may rest on, each with its condition: a transition relief is never claimed
    as applying, and never for a metric whose comparative is disclosed."""
    reliefs: list[Said] = [(
        "Proportionality: reasonable and supportable information available without undue cost or effort.",
        "相称性：采用无需付出过度成本或努力即可获得的合理且有依据的信息。",
    )]
    if inv.neutrality.compared_previous_tco2e is None:
        reliefs.append(_sentences(
            ("No comparative information.", "无比较信息。"),
            _first_period_only(("Omitting comparatives (relief C3)", "不提供比较信息（豁免 C3）")),
        ))
    else:
        reliefs.append(_sentences(
            ("Comparative information is disclosed for Scope 1 and 2 (location-based) only "
             "(metrics_and_targets.scope12_comparative), so no relief is claimed for it; none for the other "
             "metrics.",
             "仅披露范围一和范围二（基于位置）的比较信息（metrics_and_targets.scope12_comparative），因此不就其"
             "适用豁免；其他指标未提供比较信息。"),
            _first_period_only(("Omitting them (relief C3)", "不提供这些比较信息（豁免 C3）")),
        ))
    if not inv.scope3_categories_included:
        reliefs.append(
            _sentences(("Scope 3 not disclosed.", "未披露范围三。"), _first_period_only(_OMIT_SCOPE3))
        )
    return reliefs


#: The inputs the standard's estimation rules fill, in words (the note is printed on the owner's page;
#: ``data_quality`` names the fields).
_ESTIMATE_WORDS: dict[str, Said] = {
    "energy.electricity_kwh": ("electricity", "电力"),
    "energy.fuels": _SCOPE1_GAPS["energy.fuels"],
}


def _estimates_note(estimates: Sequence[Estimate]) -> Said:
    """How each input was estimated, in the standard's own terms: electricity converted from the bill at
    the standard's assumed tariff is not a sector default (the note had called every estimate one)."""
    words = [_ESTIMATE_WORDS.get(e.field, (e.field, e.field)) for e in estimates]
    methods = "; ".join(f"{en}: {e.method}" for (en, _), e in zip(words, estimates, strict=True))
    methods_zh = "；".join(f"{zh}：{e.method_zh}" for (_, zh), e in zip(words, estimates, strict=True))
    filled: Said = ("Inventory", "")
    if methods:
        filled = (f"Inputs filled by the standard's estimation rules ({methods}), and inventory",
                  f"依评级标准的估算规则填补的输入数据（{methods_zh}），以及")
    return (
        f"{filled[0]} figures resting on greenrate's assumptions (such as a vehicle without km at 12,000 km "
        "a year); each is flagged in emissions.estimated or data_quality.estimated_fields.",
        f"{filled[1]}依据 greenrate 假设得出的排放清单数据（例如未填报里程的车辆按每年 12,000 公里计）；"
        "每项均在 emissions.estimated 或 data_quality.estimated_fields 中标明。",
    )


def _basis(
    data: OperatingData, inv: Inventory, dq: DataQuality, estimates: Sequence[Estimate]
) -> dict[str, Item]:
    not_estimated: Said = ("No figure was estimated.", "没有估算数据。")
    return {
        "standard": _stated(("GHG Protocol Corporate Standard (2004); Scope 3 Standard (2011) categories.",
                             "《温室气体核算体系：企业核算与报告标准》（2004）；《企业价值链（范围三）核算与报告标准》"
                             "（2011）的类别。")),
        "reporting_period": _disclosed(data.company.reporting_year),
        "entity": _stated(("Single entity, operational control.", "单一主体，运营控制权法。")),
        "emission_factors": _disclosed(
            inv.factor_set, ("Factor set version; each factor is cited in emissions.factors.",
                             "排放因子集版本；每个因子的出处见 emissions.factors。")
        ),
        "estimates": _disclosed(
            [*dq.estimated_fields, *_beyond(inv.estimated, dq.estimated_fields)],
            _estimates_note(estimates),
        )
        if dq.estimated_fields or inv.estimated
        else _not_applicable(
            _sentences(not_estimated, ("Inputs not reported are not estimated either: see exclusions.",
                                       "未报告的输入数据也未作估算：见 exclusions。"))
            if inv.missing else not_estimated
        ),
        "assumptions": _listed(
            tuple(zip(inv.assumptions, inv.assumptions_zh, strict=True)),
            ("Measurement assumptions (para 29(a)(iii)).", "计量假设（第 29(a)(iii) 段）。"),
        )
        if inv.assumptions
        else _not_applicable(("No measurement assumption was needed.", "无需计量假设。")),
        "exclusions": _listed(
            [*_unreported(data, inv), *zip(inv.not_available, inv.not_available_zh, strict=True),
             NOT_COLLECTED],
            ("Activities left out of the inventory: Scope 1 and 2 sources the business did not report, "
             "reported ones no known factor prices, and the sources greenrate does not collect.",
             "未纳入排放清单的活动：企业未报告的范围一和范围二排放源、已报告但没有已知排放因子可以计算的排放源，"
             "以及 greenrate 不收集的排放源。"),
        ),
        # in the factor selection's own words (with the factor sets' names of grids and regions): English
        "fallbacks": (
            _disclosed(list(inv.fallbacks)) if inv.fallbacks
            else _not_applicable(("No factor fallback.", "没有排放因子替代。"))
        ),
        "reliefs": _listed(_reliefs(inv)),
        "gross_emissions": _stated(("All emissions are gross; carbon credits are not deducted.",
                                    "所有排放均为总排放；未抵扣碳信用。")),
        "greenhouse_gases": _greenhouse_gases(inv),
    }


def _comparatives(data: OperatingData, inv: Inventory) -> Item:
    """The previous year's Scope 1+2 beside this year's, as the reduction compares them: the comparative
    information a first-year reporter may omit (relief C3) and greenrate has for these figures only.

    Only what ``previous_year`` reports can be compared (its energy and fleet), and only like for like:
    the activities reported in both years, both at this year's factors, so a cleaner grid or a line left
    out of one year does not pass for the business's own change. The note says all of that, since the
    figures are a restated subset, not the previous year's inventory.
    """
    n = inv.neutrality
    if data.previous_year is None:
        return _not_available(("No previous_year data was reported.", "未报告 previous_year 数据。"))
    if n.compared_previous_tco2e is None or n.compared_current_tco2e is None:
        return _not_available(("previous_year has no Scope 1/2 activity in common with this year.",
                               "previous_year 与本年度没有共同的范围一/范围二活动。"))
    value = {
        "previous_year_tco2e": round_tco2e(n.compared_previous_tco2e),
        "reporting_year_tco2e": round_tco2e(n.compared_current_tco2e),
        "change_pct": None if n.change_pct is None else round_float(n.change_pct, 2),
    }
    return _disclosed(
        value,
        ("Scope 1 and 2 (location-based) only, the previous year restated rather than as it was reported: "
         f"{n.reduction_basis}.",
         f"仅含范围一和范围二（基于位置），上一年度为重述数据而非原报告数据：{n.reduction_basis_zh}。"),
    )


_GWP_WORDS: dict[str, Said] = {
    "CO2 only": ("CO2 only (CH4 and N2O of combustion not included)",
                 "仅 CO2（未包括燃烧产生的 CH4 和 N2O）"),
    "AR5": ("CO2e on IPCC AR5 GWP100 values", "按 IPCC AR5 GWP100 值折算的 CO2e"),
    "AR6": ("CO2e on IPCC AR6 GWP100 values", "按 IPCC AR6 GWP100 值折算的 CO2e"),
    "n/a": ("not stated (caller-supplied factors and physical parameters)",
            "未说明（调用方提供的排放因子和物理参数）"),
}
GWP_NOTE: Said = (
    "Each factor covers the gases its publisher states (emissions.factors[].gwp_basis), summed as tCO2e "
    "without restatement; IFRS S2 B21 asks for CO2e on the latest IPCC GWP100 values (AR6).",
    "每个排放因子覆盖其发布方所述的温室气体（emissions.factors[].gwp_basis），按吨二氧化碳当量直接加总、"
    "未作换算；IFRS S2 B21 段要求按 IPCC 最新（AR6）的 GWP100 值折算为二氧化碳当量。",
)


def _greenhouse_gases(inv: Inventory) -> Item:
    """Which gases, on which warming potentials, the figures stand on: the factor sets mix CO2-only national
    factors with CO2e proxies, and a reader of the totals must be told (IFRS S2 B21-B22)."""
    groups: dict[str, list[str]] = {}
    for ref in inv.factors:
        groups.setdefault(ref.gwp_basis, []).append(ref.id)
    said = []
    for basis, ids in groups.items():
        en, zh = _GWP_WORDS.get(basis, (basis, basis))
        said.append((f"{en}: {', '.join(ids)}", f"{zh}：{'、'.join(ids)}"))
    return _listed(said, GWP_NOTE)


def _beyond(paths: Iterable[str], fields: Sequence[str]) -> list[str]:
    """``paths`` not already said by ``fields`` (``energy.fuels.0`` is part of a filled ``energy.fuels``)."""
    return [p for p in dict.fromkeys(paths) if not any(p == f or p.startswith(f + ".") for f in fields)]


def _target_rows(data: OperatingData) -> list[dict[str, Any]]:
    return [
        {"scopes": list(t.scopes), "base_year": t.base_year, "target_year": t.target_year,
         "reduction_pct": t.reduction_pct}
        for t in data.targets
    ]


def _targets(data: OperatingData) -> Item:
    """GHG targets as paras 33-36 ask for them: what the business gives, and what it does not."""
    if not data.targets:
        return _not_available(("No greenhouse gas target was reported (paras 33-36).",
                               "未报告温室气体减排目标（第 33-36 段）。"))
    return _disclosed(
        _target_rows(data),
        ("Greenhouse gas targets set by the business: scopes, base and target years, reduction (paras "
         "33-36). Not reported: whether each is gross or net of credits (36(c)), its base-year emissions and "
         "progress against it (35).",
         "企业设定的温室气体减排目标：范围、基准年和目标年、减排幅度（第 33-36 段）。未报告：各目标是总量目标"
         "还是扣除碳信用后的净目标（第 36(c) 段），及其基准年排放量和目标进展（第 35 段）。"),
    )


def _estimated_scopes(inv: Inventory) -> dict[int, Said]:
    """A note for each scope some of whose lines rest on estimated inputs: "disclosed" is not "measured"."""
    scopes = sorted({line.scope for line in inv.line_items if line.quality == ESTIMATED})
    said: Said = ("Includes estimated figures (emissions.estimated).", "含估算数据（emissions.estimated）。")
    return {scope: said for scope in scopes}


_INSTRUMENT_WORDS: dict[str, Said] = {
    "green_certificate": ("green certificates", "绿色电力证书"),
    "green_power_trade": ("green power trading", "绿色电力交易"),
    "ppa": ("a power purchase agreement", "购电协议"),
    "mixed": ("a mix of instruments", "多种工具组合"),
}
#: the end of the market-based Scope 2 note, whatever the instruments
_RESIDUAL: Said = ("at the residual grid factor (para 29(a)(v)).",
                   "按电网剩余组合排放因子计算（第 29(a)(v) 段）。")


def _instruments(data: OperatingData) -> Said:
    """The contractual instruments behind market-based Scope 2 (para 29(a)(v)), or that there were none."""
    green = data.energy.green_electricity_kwh or 0.0
    if green <= 0:
        return (
            f"Market-based: no contractual instrument reported, so all purchased electricity {_RESIDUAL[0]}",
            f"基于市场：未报告合同工具，全部外购电力{_RESIDUAL[1]}",
        )
    named = data.energy.green_electricity_instrument or ""
    en, zh = _INSTRUMENT_WORDS.get(named, ("an unnamed instrument", "未注明的工具"))
    return (
        f"Market-based: {green / 1000:g} MWh covered by {en} at zero, the rest {_RESIDUAL[0]}",
        f"基于市场：{green / 1000:g} 兆瓦时由{zh}覆盖、按零排放计算，其余{_RESIDUAL[1]}",
    )


def issb_summary(
    data: OperatingData,
    inventory: Inventory,
    quality: DataQuality,
    green_uses: Collection[str],
    estimates: Sequence[Estimate] = (),
) -> dict[str, dict[str, Item]]:
    """The five-part IFRS S2 summary of one rating.

    Parameters
    ----------
    green_uses:
        The rating standard's green use-of-proceeds categories (``Standard.green_uses``): only a loan for
        one of them counts as climate capital deployment (29(e)). Required, so that no summary judges a
        loan by another standard than the one that rated it.
    estimates:
        The inputs the standard's rules filled (``Filled.estimates``), whose methods the basis of
        preparation states: a bill converted at the assumed tariff, or a sector default.
    """
    return {
        "governance": _governance(data),
        "strategy": _strategy(data),
        "risk_management": _risk_management(data),
        "metrics_and_targets": _metrics(data, inventory, quality, green_uses),
        "basis_of_preparation": _basis(data, inventory, quality, estimates),
    }
