"""An IFRS S2-shaped climate summary of one rating: governance, strategy, risk management, metrics and
targets, basis of preparation.

A small business cannot write an ISSB report, but a bank that lends to it must disclose under IFRS S2 and
PCAF. This summary reads only what the rating already decided (inventory, data quality, practices) and says
for every item whether it is disclosed, not applicable or not available, so nothing is implied that the
data does not show. Paragraph numbers refer to IFRS S2 (June 2023). Governance, strategy and risk management
are worded here; the metrics and targets in :mod:`rating_model.issb_metrics`, the basis of preparation in
:mod:`rating_model.issb_basis`, every item of the five with :mod:`rating_model.issb_items`.

Every sentence is written in English and in Simplified Chinese side by side
(:data:`rating_model.issb_items.Said`), as the green-loan rationale is: an item's ``note`` has its
``note_zh`` and a value in words its ``value_zh``, sentence for sentence and with the same figures, so a
Chinese bank's credit memo and the Chinese disclosure carry no English sentence (a Chinese-speaking
relationship manager's review), and the two languages cannot drift apart. What the summary quotes from the
inventory (its assumptions, what no factor prices, the comparison's basis, the estimation methods, the
factor fallbacks) comes in both languages from where it is worded. The Chinese names the disclosure's items
(见“编制基础—未纳入的活动”), never a JSON path or key, and says 上一年度 for ``previous_year`` (a Chinese
bank officer's review read them as code).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rating_model.data_quality import DataQuality
from rating_model.estimation import Estimate
from rating_model.inventory import Inventory
from rating_model.issb_basis import basis_of_preparation
from rating_model.issb_items import Item, Said, disclosed, flag, not_available, stated
from rating_model.issb_metrics import metrics_and_targets, target_rows
from rating_model.operating_data import OperatingData

# VSME names NACE sections A-H and L as high climate impact; ISIC Rev.4 divisions of those sections:
_HIGH_IMPACT_DIVISIONS = frozenset(f"{d:02d}" for d in (*range(1, 54), 68))


def _governance(data: OperatingData) -> dict[str, Item]:
    p = data.practices
    return {
        "oversight": flag(
            p.climate_responsible_person,
            ("A named person is responsible for climate and energy.", "已指定专人负责气候与能源事务。"),
            ("No: the business reported that no named person is responsible for climate-related matters "
             "(para 6).", "否。企业报告未指定专人负责气候相关事务（第 6 段）。"),
            ("Not reported whether a person is responsible for climate-related matters (para 6).",
             "未报告是否有专人负责气候相关事务（第 6 段）。"),
        ),
        "policy": flag(
            p.environmental_policy,
            ("The business has an environmental policy.", "企业已制定环境政策。"),
            ("No: the business reported that it has no environmental policy.",
             "否。企业报告未制定环境政策。"),
            ("Not reported whether the business has an environmental policy.",
             "未报告企业是否已制定环境政策。"),
        ),
    }


def _strategy(data: OperatingData) -> dict[str, Item]:
    high = data.company.isic_division in _HIGH_IMPACT_DIVISIONS
    targets = target_rows(data)
    share = data.practices.green_products_share
    return {
        "transition_risks": stated(
            ("The business operates in a high-climate-impact sector (VSME: NACE A-H, L): exposed to "
             "energy-price and carbon-policy changes.",
             "企业属于气候高影响行业（VSME：NACE A-H、L 门类）：面临能源价格和碳政策变化的风险。")
            if high else
            ("The business operates outside the high-climate-impact sectors; its main transition exposure is "
             "the cost of purchased energy.",
             "企业不属于气候高影响行业；其主要的转型风险敞口是外购能源的成本。"),
            # from the industry code alone: "and the inventory" had promised a reading of the emissions
            # that the code never made (engine 2.8, an IFRS S2 reviewer)
            ("Derived by greenrate from the industry code alone (VSME high-climate-impact sections), not "
             "the business's own assessment (para 10).",
             "由 greenrate 仅根据行业代码（VSME 气候高影响门类）得出，并非企业自身的评估（第 10 段）。"),
        ),
        "physical_risks": not_available(
            ("No site-level hazard data is held (para 10).", "未掌握经营场所层面的灾害数据（第 10 段）。")
        ),
        # 0 is a reported share (no green products), not a missing answer: only None is "not reported".
        "opportunities": stated((f"{share:.0%} of sales from green products.",
                                 f"绿色产品销售额占比 {share:.0%}。")) if share is not None
        else not_available(("No share of sales from green products was reported (para 10).",
                            "未报告绿色产品的销售额占比（第 10 段）。")),
        "transition_plan": disclosed(
            targets, ("Reduction targets set by the business, not a full transition plan (para 14(a)(iv)).",
                      "企业自行设定的减排目标，并非完整的转型计划（第 14(a)(iv) 段）。")
        )
        if targets
        else not_available(("No transition plan or reduction target was reported (para 14).",
                            "未报告转型计划或减排目标（第 14 段）。")),
        # greenrate never asks, so it cannot say none was made; and proportionality sets how it is done
        # (qualitative scenario analysis is allowed, paras B1-B18), not whether (an IFRS S2 assurance review
        # read "No climate scenario analysis; proportionate to a small business" as both)
        "resilience": not_available(
            ("Not collected: greenrate does not ask whether the business has assessed the resilience of its "
             "strategy to climate change (para 22). IFRS S2 asks every entity for that assessment, using "
             "climate-related scenario analysis by an approach commensurate with its circumstances, which "
             "may be qualitative (paras B1-B18); it exempts no entity by size.",
             "未收集：greenrate 不询问企业是否评估过其战略应对气候变化的韧性（第 22 段）。IFRS S2 要求每个"
             "主体都作此评估，以与自身情况相称的方法开展气候相关情景分析，可以是定性分析（第 B1-B18 段）；"
             "并不因规模而豁免任何主体。")
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
        process = stated(("Environmental risks are managed in an ISO 14001 certified management system.",
                          "环境风险在经 ISO 14001 认证的管理体系中管理。"))
    elif p.energy_audit:
        process = stated(("An energy audit identifies energy and emissions risks.",
                          "通过能源审计识别能源和排放风险。"))
    elif p.iso14001 is False and p.energy_audit is False:
        process = stated((
            "No: the business reported neither an ISO 14001 management system nor an energy audit, "
            + asked[0],
            "否。企业报告既没有 ISO 14001 管理体系，也没有开展能源审计，" + asked[1],
        ))
    else:
        process = not_available((
            "Not reported whether the business has an ISO 14001 management system or an energy audit, "
            + asked[0],
            "未报告企业是否有 ISO 14001 管理体系或是否开展能源审计，" + asked[1],
        ))
    return {"process": process}


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
        "metrics_and_targets": metrics_and_targets(data, inventory, quality, green_uses),
        "basis_of_preparation": basis_of_preparation(data, inventory, quality, estimates),
    }
