"""The metrics and targets of the IFRS S2-shaped summary (:mod:`rating_model.issb`), paras 29-36.

The scopes, the energy and the intensity as the inventory gives them, the Scope 1 and 2 comparative, the
contractual instruments behind market-based Scope 2, the business's targets and carbon credits, and its
capital deployment. Every figure is rounded as the rating's emissions section rounds it, and a scope that
an unreported input leaves partial, or that rests on estimated inputs, says so in its own note, as do the
energy total and the intensity that such inputs feed: what is
left out, and the reliefs the summary rests on, are stated in the basis of preparation
(:mod:`rating_model.issb_basis`), which these notes point to.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rating_model.data_quality import DataQuality
from rating_model.inventory import Inventory
from rating_model.issb_basis import (
    ELECTRICITY,
    HEAT,
    OMIT_SCOPE3,
    SCOPE1_GAPS,
    SEE_ESTIMATES_ZH,
    SEE_EXCLUSIONS_ZH,
    first_period_only,
)
from rating_model.issb_items import Item, Said, disclosed, not_available, sentences
from rating_model.line_items import ESTIMATED
from rating_model.operating_data import OperatingData, vintage_counts
from rating_model.rounding import round_float, round_tco2e
from rating_model.scope3 import CATEGORY_EN, CATEGORY_ZH


def _capital_deployment(data: OperatingData, green_uses: Collection[str]) -> Item:
    """IFRS S2 29(e): only a loan whose proceeds finance a green category is climate capital deployment.

    A general-purpose loan funds whatever the business needs; counting it would report capital deployed
    towards climate-related opportunities that nothing shows was deployed so. Which uses are green is the
    standard's decision (its Green Loan Principles categories), as for green-loan eligibility.
    """
    loan = data.loan
    if loan is None:
        return not_available(("No capital deployment was reported (29(e)).",
                              "未报告资本配置（第 29(e) 段）。"))
    use = loan.use_of_proceeds
    if use not in green_uses:
        return not_available((
            f"The loan's use of proceeds '{use}' is not a green category of the standard, so it is not "
            "counted as capital deployed towards climate-related risks and opportunities; no other climate "
            "capital deployment was reported (29(e)).",
            f"该笔贷款的资金用途“{use}”不属于评级标准的绿色类别，因此不计为投向气候相关风险和机遇的资本；"
            "未报告其他气候相关资本配置（第 29(e) 段）。",
        ))
    # the loan asked for, not capital shown to be deployed: nothing tells whether it was drawn or spent
    return disclosed(
        {"amount": loan.amount, "currency": loan.currency, "use_of_proceeds": use},
        ("The loan this rating was asked for, whose use of proceeds is a green category (Green Loan "
         "Principles); greenrate does not know whether it has been drawn or spent (29(e)).",
         "本评级所针对的贷款，其资金用途属于绿色类别（《绿色贷款原则》）；greenrate 不知道该贷款是否已"
         "提取或使用（第 29(e) 段）。"),
    )


def _excludes(*words: Said) -> Said:
    """The sentence of a scope's note naming the unreported inputs it leaves out."""
    return (
        f"Excludes {' and '.join(en for en, _ in words)}, not reported (basis_of_preparation.exclusions).",
        f"未包含{'和'.join(zh for _, zh in words)}（未报告；{SEE_EXCLUSIONS_ZH}）。",
    )


#: The Scope 1 and 2 inputs a business can leave unreported, each with its scope and its words, in the order
#: the notes name them
_GAPS: tuple[tuple[int, str, Said], ...] = (
    *((1, path, words) for path, words in SCOPE1_GAPS.items()),
    (2, "energy.electricity_kwh", ELECTRICITY),
    (2, "energy.purchased_heat_gj", HEAT),
)


def _scope_gaps(inv: Inventory) -> dict[int, Said]:
    """A note for each scope an unreported input leaves partial."""
    notes: dict[int, Said] = {}
    for scope in (1, 2):
        words = [said for s, path, said in _GAPS if s == scope and path in inv.missing]
        if words:
            notes[scope] = _excludes(*words)
    return notes


def _gaps(inv: Inventory) -> Said:
    """The note of a figure every Scope 1 and 2 input feeds (the energy total, the intensity): the inputs
    left unreported, as the scopes' notes name them (``("", "")`` when none); those figures had been
    disclosed with no word of what the scopes beside them excluded."""
    words = [said for _, path, said in _GAPS if path in inv.missing]
    return _excludes(*words) if words else ("", "")


def _scope3_included(inv: Inventory) -> Said:
    """The Scope 3 categories with data, by the GHG Protocol's numbers and names as 29(a)(vi) asks (类别 1
    （外购商品：供水）; a key such as ``cat1_water_supply`` reads as code; engine 2.8 in English too)."""
    keys = inv.scope3_categories_included
    return (", ".join(CATEGORY_EN.get(key, key) for key in keys),
            "、".join(CATEGORY_ZH.get(key, key) for key in keys))


def metrics_and_targets(
    data: OperatingData, inv: Inventory, dq: DataQuality, green_uses: Collection[str]
) -> dict[str, Item]:
    """The summary's metrics and targets (paras 29-36), each item disclosed or said to be not available."""
    offsets = [{"standard": o.standard, "tco2e": o.tco2e, "type": o.type, "vintage": o.vintage}
               for o in data.offsets]
    included = _scope3_included(inv)
    scope3 = (
        disclosed(
            round_tco2e(inv.scope3_tco2e),
            sentences(
                (f"Categories included (para 29(a)(vi)): {included[0]} (partial: see "
                 "basis_of_preparation.exclusions for what is not collected).",
                 f"纳入的类别（第 29(a)(vi) 段）：{included[1]}。不完整：未收集的部分{SEE_EXCLUSIONS_ZH}。"),
                _own_inventory(data, 3),
            ),
        )
        if inv.scope3_categories_included
        else not_available(sentences(("No Scope 3 activity data.", "没有范围三活动数据。"),
                                     first_period_only(OMIT_SCOPE3), _own_inventory(data, 3, computed=False)))
    )
    # Every figure is rounded as the rating's emissions section rounds it (tCO2e and MWh to 4 decimals,
    # intensities to 6), so the summary and the inventory beside it never show two numbers for one quantity.
    estimated = _estimated_scopes(inv)
    gaps = _scope_gaps(inv)
    none: Said = ("", "")
    scope2_notes = (estimated.get(2, none), gaps.get(2, none))
    scope3_words: Said = (
        # no brackets round the categories in Chinese: each category's own name is in brackets
        (f"Scope 3 [{included[0]}]", f"范围三{included[1]}") if inv.scope3_categories_included
        else ("no Scope 3 (no category had data)", "范围三（无：没有任何类别有数据）")
    )
    return {
        "scope1_tco2e": disclosed(
            round_tco2e(inv.scope1_tco2e),
            sentences(
                # gross is para 29(a)(i), the GHG Protocol 29(a)(ii) (the note had cited (i) for both)
                ("Gross (para 29(a)(i)), measured under the GHG Protocol (para 29(a)(ii)).",
                 "总排放（第 29(a)(i) 段），按温室气体核算体系计算（第 29(a)(ii) 段）。"),
                estimated.get(1, none), gaps.get(1, none), _own_inventory(data, 1),
            ),
        ),
        "scope2_location_tco2e": disclosed(
            round_tco2e(inv.scope2_location_tco2e),
            sentences(("Location-based (para 29(a)(v)).", "基于位置（第 29(a)(v) 段）。"), *scope2_notes,
                      _own_inventory(data, 2)),
        ),
        "scope2_market_tco2e": disclosed(
            round_tco2e(inv.scope2_market_tco2e), sentences(_instruments(data, inv), *scope2_notes)
        ),
        "scope3_tco2e": scope3,
        "energy_mwh": disclosed(
            round_float(inv.energy_mwh, 4),
            sentences(
                (f"Renewable share {_share(inv.renewable_share)} (VSME B3). Electricity, fuels burned on "
                 "site, purchased heat and vehicle fuel given as a quantity; vehicles given as km or a count "
                 "(their energy is not known) and EV charging off the premises are in Scope 1 and 2 but not "
                 "in this total.",
                 f"可再生能源占比 {_share(inv.renewable_share, zh=True)}（VSME B3）。"
                 "本合计包括电力、经营场所燃烧的燃料、外购热力和以数量填报的车辆燃料；以里程或车辆数填报的车辆（其能耗未知）和在经营场所以外的"
                 "电动汽车充电计入范围一和范围二，但不计入本合计。"),
                _ESTIMATED if _energy_estimated(inv) else none, _gaps(inv),
            ),
        ),
        "ghg_intensity_per_cny_million": disclosed(
            round_float(inv.intensities.per_cny_million_revenue, 6),
            sentences(
                (f"Gross Scope 1 + Scope 2 (location-based) + {scope3_words[0]}, in tCO2e per CNY million "
                 "of revenue.",
                 f"总排放：范围一 + 范围二（基于位置）+ {scope3_words[1]}，"
                 "单位为吨二氧化碳当量/百万元营业收入。"),
                _converted(data), _ESTIMATED if estimated else none, _gaps(inv),
            ),
        ),
        "scope12_comparative": _comparatives(data, inv),
        "transition_risk_exposure": not_available(
            ("Assets vulnerable to transition risk are not assessed (29(b)).",
             "未评估易受转型风险影响的资产（第 29(b) 段）。")
        ),
        "physical_risk_exposure": not_available(
            ("Assets vulnerable to physical risk are not assessed (29(c)).",
             "未评估易受物理风险影响的资产（第 29(c) 段）。")
        ),
        "climate_opportunities": disclosed(data.practices.green_products_share,
                                           ("Share of sales (29(d)).", "销售额占比（第 29(d) 段）。"))
        if data.practices.green_products_share is not None
        else not_available(("Not reported (29(d)).", "未报告（第 29(d) 段）。")),
        "capital_deployment": _capital_deployment(data, green_uses),
        "internal_carbon_price": _not_asked("29(f)"),
        "remuneration": _not_asked("29(g)"),
        "targets": _targets(data),
        "carbon_credits": disclosed(
            offsets,
            ("Credits the business reports, listed apart and never netted from gross emissions; IFRS S2 "
             "36(e) asks how credits are planned to be used toward a net target. Not reported: whether any "
             "target is net and how far it relies on credits (36(c), 36(e)(i)), and whether the credits "
             "are nature-based or technological (36(e)(iii)).",
             "企业报告的碳信用，单独列示，从不抵扣总排放；IFRS S2 第 36(e) 段要求说明计划如何使用碳信用"
             "实现净排放目标。未报告：目标是否为净排放目标及其对碳信用的依赖程度（第 36(c)、36(e)(i) 段），"
             "以及碳信用是基于自然还是基于技术（第 36(e)(iii) 段）。"),
        )
        if offsets
        # The operating data keeps no difference between "offsets" left out and "offsets": [] (both parse to
        # no credits, and the canonical input drops the empty list), so neither says "none were used".
        else not_available(
            ("No carbon credits were reported (the operating data does not tell \"none\" from a list left "
             "out; IFRS S2 36(e) asks about credits planned toward a net target).",
             "未报告碳信用（经营数据无法区分“没有”与未填写；IFRS S2 第 36(e) 段要求披露计划用于实现"
             "净排放目标的碳信用）。")
        ),
        "data_quality": disclosed(dq.to_dict()),
    }


def _converted(data: OperatingData) -> Said:
    """The rate a revenue in another currency was converted to CNY at, for the intensity per CNY million:
    the figure rests on it, and it was said nowhere in the rating (engine 2.8, an IFRS S2 reviewer)."""
    company = data.company
    if company.currency == "CNY" or company.fx_to_cny is None:
        return "", ""
    cur, fx, amount = company.currency, company.fx_to_cny, company.annual_revenue
    # the rate as given (its shortest exact form): ``:g`` had cut 7.1234567 to 7.12346, "the rate given"
    return (f"Revenue of {amount:,.0f} {cur} converted at {fx!r} CNY per {cur}, the rate given "
            "(company.fx_to_cny).",
            f"营业收入 {amount:,.0f} {cur} 按所填汇率 {fx!r} 元/{cur} 折算。")


def _own_inventory(data: OperatingData, scope: int, computed: bool = True) -> Said:
    """The business's own figure for a scope beside greenrate's (engine 2.9, a PCAF analyst's review): its
    loans attribute the reported figure, so a reader of the summary's computed one must be told it exists."""
    reported = data.reported_emissions
    if reported is None:
        return "", ""
    value = {1: reported.scope1_tco2e, 2: reported.scope2_location_tco2e, 3: reported.scope3_tco2e}[scope]
    if value is None:
        return "", ""
    who, who_zh = ((f"verified by {reported.verifier}", f"经{reported.verifier}核查") if reported.verified
                   else ("unverified", "未经核查"))
    # the figure as reported (its shortest exact form, as the VSME export says it): ``:g`` had printed
    # 1234567 tCO2e as 1.23457e+06
    if not computed:  # Scope 3 without activity data: the business's figure is still what a loan attributes
        return (f"The business's own inventory reports {value!r} tCO2e ({who}), which a loan's financed "
                "emissions attribute; greenrate computed none from the activity data.",
                f"企业自身的排放清单报告为 {value!r} 吨二氧化碳当量（{who_zh}），贷款的融资排放按此归因；"
                "greenrate 未能根据活动数据计算该数据。")
    return (f"The business's own inventory reports {value!r} tCO2e ({who}); the figure here is greenrate's "
            "computation from the activity data (reported_emissions compares the two).",
            f"企业自身的排放清单报告为 {value!r} 吨二氧化碳当量（{who_zh}）；"
            "此处数据为 greenrate 根据活动数据计算的结果，评级另列企业自报的排放清单并与之比较。")


def _not_asked(paragraph: str) -> Item:
    """A metric greenrate has no question for."""
    return not_available((f"Not collected: greenrate does not ask for it ({paragraph}).",
                          f"未收集：greenrate 不询问此项（第 {paragraph} 段）。"))


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
        return not_available(("No previous_year data was reported.", "未报告上一年度数据。"))
    if n.compared_previous_tco2e is None or n.compared_current_tco2e is None:
        return not_available(("previous_year has no Scope 1/2 activity in common with this year.",
                              "上一年度与本年度没有共同的范围一/范围二活动。"))
    value = {
        "previous_year_tco2e": round_tco2e(n.compared_previous_tco2e),
        "reporting_year_tco2e": round_tco2e(n.compared_current_tco2e),
        "change_pct": None if n.change_pct is None else round_float(n.change_pct, 2) + 0.0,  # no "-0.0"
    }
    return disclosed(
        value,
        ("Scope 1 and 2 (location-based) only, the previous year restated rather than as it was reported: "
         f"{n.reduction_basis}.",
         f"仅含范围一和范围二（基于位置），上一年度为重述数据而非原报告数据：{n.reduction_basis_zh}。"),
    )


#: What IFRS S2 paras 33-36 ask of a target beyond its scopes, years and cut, by the target's field (schema
#: 1.14): the words the targets note uses for it, in the order the note says them
_TARGET_ASKED: tuple[tuple[str, Said], ...] = (
    ("kind", ("whether each is an absolute or an intensity target (33(g))",
              "各目标是绝对量目标还是强度目标（第 33(g) 段）")),
    ("gases", ("which greenhouse gases it covers (36(a))", "涵盖哪些温室气体（第 36(a) 段）")),
    ("net_of_credits", ("whether it is gross or net of credits (36(c))",
                        "是总量目标还是扣除碳信用后的净目标（第 36(c) 段）")),
    ("validated_by", ("whether a third party validated it (34(a))", "是否经第三方验证（第 34(a) 段）")),
)
#: What the business states of its targets, in the first sentence of the note, by field
_TARGET_STATED: dict[str, Said] = {
    "kind": ("absolute or intensity", "绝对量或强度目标"),
    "gases": ("gases covered", "涵盖的温室气体"),
    "net_of_credits": ("gross or net of credits", "总量或净目标"),
    "validated_by": ("third-party validation", "第三方验证"),
}


def target_rows(data: OperatingData) -> list[dict[str, Any]]:
    """The business's reduction targets as records: the metric (paras 33-36) and the strategy's plan.

    The fields of schema 1.14 (``kind``, ``gases``, ``net_of_credits``, ``validated_by``) are in a record
    only where the business stated them: the note says which were not stated."""
    rows = []
    for t in data.targets:
        row: dict[str, Any] = {"scopes": list(t.scopes), "base_year": t.base_year,
                               "target_year": t.target_year, "reduction_pct": t.reduction_pct}
        if t.kind is not None:
            row["kind"] = t.kind
        if t.gases is not None:
            row["gases"] = list(t.gases)
        if t.net_of_credits is not None:
            row["net_of_credits"] = t.net_of_credits
        if t.validated_by is not None:
            row["validated_by"] = t.validated_by
        rows.append(row)
    return rows


def _targets(data: OperatingData) -> Item:
    """GHG targets as paras 33-36 ask for them: what the business gives, and what it does not.

    Each of the four things paras 33-36 ask beyond scopes, years and cut is said as not reported unless
    every target states it ("for some targets" when only some do); a net target adds the planned use of
    credits (36(e)), which greenrate does not collect."""
    if not data.targets:
        return not_available(("No greenhouse gas target was reported (paras 33-36).",
                              "未报告温室气体减排目标（第 33-36 段）。"))
    stated_by = {
        name: len([t for t in data.targets if getattr(t, name) is not None]) for name, _ in _TARGET_ASKED
    }
    count = len(data.targets)
    stated = [_TARGET_STATED[name] for name, _ in _TARGET_ASKED if stated_by[name]]
    missing: list[Said] = []
    for name, (en, zh) in _TARGET_ASKED:
        if stated_by[name] == count:
            continue
        if stated_by[name]:
            en, zh = en[:-1] + "; not stated for every target)", zh[:-1] + "；并非每个目标均已说明）"
        missing.append((en, zh))
    missing.append(("its base-year emissions and progress against it (35)",
                    "其基准年排放量和目标进展（第 35 段）"))
    if any(t.net_of_credits for t in data.targets):
        missing.append(("the planned use of carbon credits to meet a net target (36(e))",
                        "净目标计划使用碳信用的情况（第 36(e) 段）"))
    head_en = "Greenhouse gas targets set by the business: scopes, base and target years, reduction"
    head_zh = "企业设定的温室气体减排目标：范围、基准年和目标年、减排幅度"
    if stated:
        head_en += ", and (as stated) " + ", ".join(en for en, _ in stated)
        head_zh += "，以及所说明的" + "、".join(zh for _, zh in stated)
    zh_missing = [zh for _, zh in missing]
    zh_list = "，".join(zh_missing[:-1]) + "，及" + zh_missing[-1] if len(zh_missing) > 1 else zh_missing[0]
    en_list = ", ".join(en for en, _ in missing)
    return disclosed(
        target_rows(data),
        (f"{head_en} (paras 33-36). Not reported: {en_list}.",
         f"{head_zh}（第 33-36 段）。未报告：{zh_list}。"),
    )


#: The sentence of a figure's note that says it rests on estimated inputs: "disclosed" is not "measured"
_ESTIMATED: Said = ("Includes estimated figures (emissions.estimated).",
                    f"含估算数据（{SEE_ESTIMATES_ZH}）。")


def _estimated_scopes(inv: Inventory) -> dict[int, Said]:
    """A note for each scope some of whose lines rest on estimated inputs."""
    scopes = sorted({line.scope for line in inv.line_items if line.quality == ESTIMATED})
    return dict.fromkeys(scopes, _ESTIMATED)


def _share(share: float | None, zh: bool = False) -> str:
    """A renewable share for the energy item's note; none without energy (a share of nothing is not 0%)."""
    if share is None:
        return "无（未报告能源）" if zh else "not available (no energy reported)"
    return f"{share:.1%}"


def _energy_estimated(inv: Inventory) -> bool:
    """Whether the energy total rests on an estimated input: electricity or fuels filled by the standard's
    rules (a vehicle counted at the seed distance is not in the total; its energy is not known)."""
    return any(path.startswith("energy.") for path in inv.estimated)


_INSTRUMENT_WORDS: dict[str, Said] = {
    "green_certificate": ("green certificates", "绿色电力证书"),
    "green_power_trade": ("green power trading", "绿色电力交易"),
    "ppa": ("a power purchase agreement", "购电协议"),
    "mixed": ("a mix of instruments", "多种工具组合"),
}
#: the end of the market-based Scope 2 note, whatever the instruments
#: (in Chinese by the name of the MEE/NBS release, as the merchant page names it)
_RESIDUAL: Said = ("at the residual grid factor (para 29(a)(v)).",
                   "按全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）计算"
                   "（第 29(a)(v) 段）。")


#: the end of the note where no residual factor is published for the place and the location-based factor
#: priced the rest (outside China): it had said "at the residual grid factor" there too, and in Chinese named
#: the MEE/NBS release, beside a fallback saying no residual-mix factor was used (an IFRS S2 assurance review)
_NO_RESIDUAL: Said = ("at the location-based grid factor, as no residual-mix factor is available (para "
                      "29(a)(v); basis_of_preparation.fallbacks).",
                      "按基于位置的电网排放因子计算，因为没有剩余组合排放因子（第 29(a)(v) 段；"
                      "见“编制基础—排放因子替代”）。")


def _instruments(data: OperatingData, inv: Inventory) -> Said:
    """The contractual instruments behind market-based Scope 2 (para 29(a)(v)), or that there were none, and
    the factor the rest of the electricity is priced at."""
    green = data.energy.green_electricity_kwh or 0.0
    rest = _NO_RESIDUAL if inv.residual_factor.id == inv.grid_factor.id else _RESIDUAL
    if green <= 0:
        return (
            f"Market-based: no contractual instrument reported, so all purchased electricity {rest[0]}",
            f"基于市场：未报告合同工具，全部外购电力{rest[1]}",
        )
    named = data.energy.green_electricity_instrument or ""
    en, zh = _INSTRUMENT_WORDS.get(named, ("an unnamed instrument", "未注明类型的合同工具（绿证或绿电交易）"))
    year, vintage = data.company.reporting_year, data.energy.green_electricity_vintage
    if not vintage_counts(vintage, year):
        return (
            f"Market-based: {green / 1000:g} MWh of {en} of {vintage} not counted, as instruments count for "
            f"the year their electricity was generated (GHG Protocol Scope 2 Quality Criteria), not for "
            f"{year}'s: all purchased electricity {rest[0]}",
            f"基于市场：{green / 1000:g} 兆瓦时{zh}为 {vintage} 年电量，不计入 {year} 年"
            f"（温室气体核算体系范围二质量准则：合同工具只抵扣其电量所属年份的用电），全部外购电力{rest[1]}",
        )
    when_en, when_zh = (
        (f" of {vintage}, the reporting year,", f"（{vintage}年电量，与报告年度一致）") if vintage is not None
        else (" (their vintage not stated)", "（未说明电量所属年份）")
    )
    return (
        f"Market-based: {green / 1000:g} MWh covered by {en}{when_en} at zero, the rest {rest[0]}",
        f"基于市场：{green / 1000:g} 兆瓦时由{zh}覆盖{when_zh}、按零排放计算，其余{rest[1]}",
    )
