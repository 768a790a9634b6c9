"""The basis of preparation of the IFRS S2-shaped summary (:mod:`rating_model.issb`).

The standard, the period and the entity; the estimates and the measurement assumptions; what the inventory
leaves out; the factor fallbacks; the reliefs the summary may rest on; the greenhouse gases its figures
cover. Said so that no reader takes what is missing for a zero: the inputs the business did not report,
those no factor prices and the sources greenrate never asks about are each listed as an exclusion, and a
transition relief is stated with its condition, never claimed as applying. The metrics' notes
(:mod:`rating_model.issb_metrics`) name their gaps in the words defined here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rating_model.data_quality import DataQuality
from rating_model.estimation import Estimate
from rating_model.inventory import Inventory
from rating_model.issb_items import Item, Said, disclosed, listed, not_applicable, sentences, stated
from rating_model.operating_data import OperatingData

#: What the inventory never covers, because greenrate asks for no data on it: said in every summary, so
#: that no reader takes the absence of a figure for a zero (a GHG-accounting review found "Nothing reported
#: was left out" beside a restaurant whose refrigerant leaks and purchased food were never asked for).
#: Refrigerant leaks are asked since schema 1.13 (``refrigerants``), so they are said as unreported where
#: the business left them out (:data:`REFRIGERANTS_UNREPORTED`), no longer as never collected.
NOT_COLLECTED: Said = (
    "not collected by greenrate, so not in the inventory: process emissions (Scope 1); Scope 3 purchased "
    "goods and services other than water (category 1 covers purchased water only) and categories 2-4 and "
    "7-15",
    "greenrate 未收集、因而未纳入排放清单的排放源：工艺排放（范围一）；除水以外的范围三外购商品和服务"
    "（类别 1 仅涵盖外购水）以及类别 2-4 和 7-15",
)
#: Refrigerant leaks left out by a business that did not say what it recharged (``refrigerants`` not given;
#: ``[]`` says none): every business with air conditioning or a fridge leaks some, so it is said for all.
REFRIGERANTS_UNREPORTED: Said = (
    "Scope 1 leaves out fugitive emissions (refrigerant leaks from air conditioning and refrigeration): the "
    "business did not report the refrigerant recharged in the year (refrigerants, by gas in kg; "
    "\"refrigerants\": [] would say none).",
    "范围一未包含逸散排放（空调和制冷设备的制冷剂泄漏）：企业未报告本年度补充的制冷剂（按种类填报千克数；"
    "API 中的 \"refrigerants\": [] 表示没有补充）。",
)


#: The Scope 1 inputs a business can leave unreported, in the words the scope notes (IFRS S2 in
#: :mod:`rating_model.issb_metrics`, VSME B3 in :mod:`rating_model.vsme`) name what Scope 1 then leaves out.
SCOPE1_GAPS: dict[str, Said] = {
    "energy.fuels": ("fuels burned on the premises", "经营场所燃烧的燃料"),
    "transport.fleet": ("company vehicles", "企业车辆"),
}
#: :data:`SCOPE1_GAPS` in English, as the VSME export (English only) words them.
SCOPE1_GAP_WORDS = {path: en for path, (en, _) in SCOPE1_GAPS.items()}
#: Purchased electricity, as the exclusions and the Scope 2 note name it when none was reported.
ELECTRICITY: Said = ("purchased electricity", "外购电力")
#: Purchased heat, as the Scope 2 note names it when the standard asked for it and none was reported.
HEAT: Said = ("purchased heat", "外购热力")
#: Where a Chinese note sends the reader: the item as the disclosure titles it (编制基础, then the item),
#: not its JSON path (``basis_of_preparation.exclusions``), which read as code in a Chinese credit memo.
SEE_EXCLUSIONS_ZH = "见“编制基础—未纳入的活动”"
SEE_ESTIMATES_ZH = "见“编制基础—估算数据”"

#: The Scope 1 and 2 inputs a business can leave unanswered, as the exclusions name them. A fleet left out
#: is the common one (the one-click form never asks it), so it is said for every business: greenrate cannot
#: tell from a sector which businesses run no vehicle (a shop's delivery van, a restaurant's), and a default
#: fleet would be invented. Only an answer, ``"fleet": []``, says there are none.
_FUELS, _FLEET = SCOPE1_GAPS["energy.fuels"], SCOPE1_GAPS["transport.fleet"]
_UNREPORTED: dict[str, Said] = {
    "energy.electricity_kwh": (f"Scope 2 leaves out {ELECTRICITY[0]}: none was reported.",
                               f"范围二未包含{ELECTRICITY[1]}：未报告任何用电量。"),
    "energy.fuels": (
        f"Scope 1 leaves out {_FUELS[0]}: the business did not say whether it burns any (the fuels question "
        "was not answered; \"fuels\": [] would say none).",
        f"范围一未包含{_FUELS[1]}：企业未说明是否燃烧燃料（燃料问题未作答；回答“不使用燃料”，即 API 中的"
        "\"fuels\": []，表示没有）。",
    ),
    "transport.fleet": (
        f"Scope 1 leaves out {_FLEET[0]}: the business did not say whether it runs any (the fleet question "
        "was not answered; \"fleet\": [] would say none). Their fuel would be Scope 1, an electric vehicle's "
        "charging Scope 2.",
        f"范围一未包含{_FLEET[1]}：企业未说明是否使用车辆（车辆问题未作答；回答“没有车辆”，即 API 中的"
        "\"fleet\": []，表示没有）。"
        "车辆燃料属于范围一，电动汽车充电属于范围二。",
    ),
    # where the rating standard asks for it (1.9.0: where heat is sold, or no province named); elsewhere
    # heat left out is read as none bought and never listed
    "energy.purchased_heat_gj": (
        f"Scope 2 may leave out {HEAT[0]}: the business gave no amount (it did not say whether it buys "
        "any, or buys it without a metered amount: heating in the rent, or charged by floor area), and the "
        "rating standard asks it of manufacturers, where district heat is sold, or where no province is "
        "named (an answer of none, 0 in the API, would say none is bought).",
        f"范围二可能未包含{HEAT[1]}：企业未填报用量（未说明是否购买，或购买了但没有计量用量，如暖气费含在房租里"
        "或按面积收费）；评级标准要求制造业企业、有集中供热出售的省份以及未注明省份的企业填报"
        "（回答“没有”，即 API 中填 0，表示未购买）。",
    ),
}
#: The Scope 3 inputs greenrate asks for that a business can leave unreported (``inventory.missing``): the
#: categories they price are then partial or absent, which the Scope 3 note sends the reader here for (the
#: exclusions had named only what greenrate never collects, so a business that gave no water figure read
#: as one whose category 1 was complete; an IFRS S2 assurance review).
_UNREPORTED_SCOPE3: dict[str, Said] = {
    "resources.water_m3": (
        "Scope 3 leaves out purchased water (category 1) and the wastewater it becomes (category 5): the "
        "business reported no water use.",
        "范围三未包含外购水（类别 1）及其产生的污水（类别 5）：企业未报告用水量。",
    ),
    "resources.waste_t": (
        "Scope 3 leaves out waste (category 5): the business reported no amount of waste.",
        "范围三未包含废弃物（类别 5）：企业未报告废弃物数量。",
    ),
    # left out only: "business_travel": [] says the business had none, a reported zero for category 6
    # (schema 1.14; the two had read alike, and both were said as not reported)
    "transport.business_travel": (
        "Scope 3 leaves out business travel (category 6): the business did not report whether it had any.",
        "范围三未包含商务差旅（类别 6）：企业未报告是否有商务差旅。",
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
    out += [_UNREPORTED_SCOPE3[path] for path in inv.missing if path in _UNREPORTED_SCOPE3]
    if "transport.fleet" in inv.missing and data.company.isic_division in _TRANSPORT_DIVISIONS:
        code = data.company.industry_code
        out.append((
            f"The business's industry (ISIC {code}) is transport or logistics (ISIC divisions 49-53), whose "
            "activity is running vehicles: its Scope 1 without them is unlikely to be complete.",
            f"企业所属行业（ISIC {code}）为运输或物流业（ISIC 行业大类 49-53），其经营活动就是运营车辆："
            "缺少车辆的范围一不太可能完整。",
        ))
    return out


def first_period_only(relief: Said) -> Said:
    """The condition of a transition relief: IFRS S2's (Appendix C; domain.md section 3 cites C3, no
    comparatives, and C4(b), no Scope 3) are for the first annual reporting period in which an entity applies
    the standard, which greenrate cannot know (every summary had claimed them, even beside a previous year's
    figures)."""
    return (
        f"{relief[0]} is available under IFRS S2 only if this is the entity's first annual reporting period "
        "under the standard; greenrate cannot tell whether it is.",
        f"仅当本期是主体首次适用 IFRS S2 的年度报告期时，方可{relief[1]}；greenrate 无法判断是否如此。",
    )


#: The reporting entity and its organisational boundary, as greenrate assumes them: the business is never
#: asked for its consolidation approach or its investees, so the basis says the approach is assumed, not
#: stated (it had read "Single entity, operational control.", a claim the data cannot support). Counting
#: every activity it reports in full in its own Scope 1 and 2 is what the operational control approach
#: would count, and what the inventory does.
ENTITY: tuple[Said, Said] = (
    ("Assumed by greenrate: the business alone (no subsidiary, joint venture or other investee), every "
     "activity it reported counted in full in its Scope 1 and 2, as the operational control approach "
     "would count it.",
     "greenrate 的假设：仅包括企业本身（不含子公司、合营企业或其他被投资方），其报告的各项活动全部计入"
     "其范围一和范围二，与运营控制权法的计算方式相同。"),
    ("Not stated by the business (greenrate does not ask for it): its organisational boundary, i.e. which "
     "consolidation approach of the GHG Protocol Corporate Standard (2004, chapter 3) applies (equity "
     "share, financial control or operational control) and whether it has subsidiaries or other investees. "
     "IFRS S2 para 29(a)(iii) asks for the approach used to measure greenhouse gas emissions, the "
     "consolidation approach included.",
     "企业未说明、greenrate 也未询问其组织边界，即适用《温室气体核算体系：企业核算与报告标准》（2004）"
     "第 3 章的哪种合并方法（股权比例法、财务控制权法或运营控制权法），以及企业是否有子公司或其他被投资方。"
     "IFRS S2 第 29(a)(iii) 段要求披露计量温室气体排放所用的方法，包括所采用的合并方法。"),
)


#: What the reporting period is, and what greenrate does not know of it.
REPORTING_PERIOD: Said = (
    "The year the business gave its figures for (company.reporting_year). Not stated by the business "
    "(greenrate does not ask for it): whether it is the calendar year or a financial year ending on another "
    "date, and whether it is the period of its financial statements, which IFRS S1 para 64 asks the "
    "disclosures to cover.",
    "企业填报数据所属的年度。企业未说明、greenrate 也未询问：该年度是公历年度还是在其他日期结束的财务年度，"
    "以及是否与其财务报表的报告期间一致（IFRS S1 第 64 段要求可持续相关披露涵盖与财务报表相同的报告期间）。",
)


#: The relief for Scope 3 (C4(b)), as the reliefs and the Scope 3 note state it with its condition.
OMIT_SCOPE3: Said = ("Omitting Scope 3 (relief C4(b))", "不披露范围三（豁免 C4(b)）")


def _reliefs(inv: Inventory) -> list[Said]:
    """The reliefs the summary may rest on, each with its condition: a transition relief is never claimed
    as applying, and never for a metric whose comparative is disclosed."""
    reliefs: list[Said] = [(
        "Proportionality: reasonable and supportable information available without undue cost or effort.",
        "相称性：采用无需付出过度成本或努力即可获得的合理且有依据的信息。",
    )]
    if inv.neutrality.compared_previous_tco2e is None:
        reliefs.append(sentences(
            ("No comparative information.", "无比较信息。"),
            first_period_only(("Omitting comparatives (relief C3)", "不提供比较信息（豁免 C3）")),
        ))
    else:
        reliefs.append(sentences(
            ("Comparative information is disclosed for Scope 1 and 2 (location-based) only "
             "(metrics_and_targets.scope12_comparative), so no relief is claimed for it; none for the other "
             "metrics.",
             "仅披露范围一和范围二（基于位置）的比较信息（见“指标和目标”中与上一年的比较），"
             "因此不就其适用豁免；其他指标未提供比较信息。"),
            first_period_only(("Omitting them (relief C3)", "不提供这些比较信息（豁免 C3）")),
        ))
    if not inv.scope3_categories_included:
        reliefs.append(
            sentences(("Scope 3 not disclosed.", "未披露范围三。"), first_period_only(OMIT_SCOPE3))
        )
    return reliefs


#: The inputs the standard's estimation rules fill, in words (the note is printed on the owner's page;
#: ``data_quality`` names the fields).
_ESTIMATE_WORDS: dict[str, Said] = {
    "energy.electricity_kwh": ("electricity", "电力"),
    "energy.fuels": SCOPE1_GAPS["energy.fuels"],
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
        "每项均列于本项。",
    )


def basis_of_preparation(
    data: OperatingData, inv: Inventory, dq: DataQuality, estimates: Sequence[Estimate]
) -> dict[str, Item]:
    """The summary's basis of preparation: how its figures were made, and what they leave out."""
    not_estimated: Said = ("No figure was estimated.", "没有估算数据。")
    return {
        "standard": stated(("GHG Protocol Corporate Standard (2004); Scope 3 Standard (2011) categories.",
                            "《温室气体核算体系：企业核算与报告标准》（2004）；《企业价值链（范围三）核算与报告标准》"
                            "（2011）的类别。")),
        # the year alone: greenrate asks no dates, so neither a financial year nor the financial statements'
        # period (IFRS S1 para 64) is claimed (an IFRS S2 assurance review found the bare year unexplained)
        "reporting_period": disclosed(data.company.reporting_year, REPORTING_PERIOD),
        "entity": stated(*ENTITY),
        "emission_factors": disclosed(
            inv.factor_set, ("Factor set version; each factor is cited in emissions.factors.",
                             "排放因子集版本；每个因子的出处见“排放因子及来源”。")
        ),
        "estimates": disclosed(
            [*dq.estimated_fields, *_beyond(inv.estimated, dq.estimated_fields)],
            _estimates_note(estimates),
        )
        if dq.estimated_fields or inv.estimated
        else not_applicable(
            sentences(not_estimated, ("Inputs not reported are not estimated either: see exclusions.",
                                      f"未报告的输入数据也未作估算：{SEE_EXCLUSIONS_ZH}。"))
            if inv.missing else not_estimated
        ),
        "assumptions": listed(
            tuple(zip(inv.assumptions, inv.assumptions_zh, strict=True)),
            ("Measurement assumptions (para 29(a)(iii)).", "计量假设（第 29(a)(iii) 段）。"),
        )
        if inv.assumptions
        else not_applicable(("No measurement assumption was needed.", "无需计量假设。")),
        "exclusions": listed(
            [*_unreported(data, inv), *zip(inv.not_available, inv.not_available_zh, strict=True),
             *((REFRIGERANTS_UNREPORTED,) if data.refrigerants is None else ()), NOT_COLLECTED],
            ("Activities left out of the inventory: sources of Scopes 1, 2 and 3 that greenrate asks for and "
             "the business did not report, reported ones no known factor prices, and the sources greenrate "
             "does not collect.",
             "未纳入排放清单的活动：greenrate 询问但企业未报告的范围一、范围二和范围三排放源、"
             "已报告但没有已知排放因子可以计算的排放源，以及 greenrate 不收集的排放源。"),
        ),
        # in the factor selection's own words, and in Chinese item for item (engine 2.2; English only before)
        "fallbacks": (
            listed(tuple(zip(inv.fallbacks, inv.fallbacks_zh, strict=True))) if inv.fallbacks
            else not_applicable(("No factor fallback.", "没有排放因子替代。"))
        ),
        "reliefs": listed(_reliefs(inv)),
        "gross_emissions": stated(("All emissions are gross; carbon credits are not deducted.",
                                   "所有排放均为总排放；未抵扣碳信用。")),
        "greenhouse_gases": _greenhouse_gases(inv),
    }


_GWP_WORDS: dict[str, Said] = {
    "CO2 only": ("CO2 only (CH4 and N2O of combustion not included)",
                 "仅 CO2（未包括燃烧产生的 CH4 和 N2O）"),
    "AR5": ("CO2e on IPCC AR5 GWP100 values", "按 IPCC AR5 GWP100 值折算的 CO2e"),
    "AR6": ("CO2e on IPCC AR6 GWP100 values", "按 IPCC AR6 GWP100 值折算的 CO2e"),
    # engine 2.9: the seed estimate, whose source states no basis, is among them (it had been called AR5)
    "n/a": ("not stated by the source (caller-supplied factors, physical parameters, estimates)",
            "来源未说明（评级请求中提供的排放因子、物理参数和估算值）"),
}
GWP_NOTE: Said = (
    "Each factor covers the gases its publisher states (emissions.factors[].gwp_basis), summed as tCO2e "
    "without restatement; IFRS S2 B21 asks for CO2e on the latest IPCC GWP100 values (AR6).",
    "每个排放因子覆盖其发布方所述的温室气体（各因子的口径分列于本项），按吨二氧化碳当量直接加总、"
    "未作换算；IFRS S2 第 B21 段要求按 IPCC 最新的第六次评估报告（AR6）所列全球增温潜势（GWP100）"
    "折算为二氧化碳当量。",
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
    return listed(said, GWP_NOTE)


def _beyond(paths: Iterable[str], fields: Sequence[str]) -> list[str]:
    """``paths`` not already said by ``fields`` (``energy.fuels.0`` is part of a filled ``energy.fuels``)."""
    return [p for p in dict.fromkeys(paths) if not any(p == f or p.startswith(f + ".") for f in fields)]
