"""Green-loan eligibility and PCAF financed emissions: what a bank needs from a rating at origination.

Eligibility is checked apart from the grade (Green Loan Principles: a loan is green by its use of proceeds),
and financed emissions follow PCAF Part A for business loans: attribution = outstanding / (equity + debt),
with total assets as the documented fallback, and emissions never netted with credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from rating_model.exceptions import InvalidInputError
from rating_model.operating_data import Loan, OperatingData, fuel_name, to_cny
from rating_model.rounding import round_float, round_tco2e
from rating_model.standard import KnockOut, Standard
from rating_model.values import fast_init

#: What ``green_loan.basis`` can say eligibility was judged on (``None``: not eligible): the loan's use of
#: proceeds, or the borrower alone when no loan was given. ``green_rated_borrower`` is what engines before
#: 1.6 said of a green-rated borrower's general-purpose loan; it is kept so that their ratings still read.
GREEN_LOAN_BASES = ("use_of_proceeds", "green_rated_borrower", "borrower")


@dataclass(frozen=True, slots=True, init=False)
class GreenLoan:
    eligible: bool
    basis: str | None
    category: str | None
    pricing_tier: str | None
    rationale: tuple[str, ...]
    knock_outs: tuple[str, ...]
    #: preferential terms on a general-purpose loan for a borrower rated green or better: never a green loan
    green_rated_borrower: bool
    #: ``rationale`` in Chinese, sentence for sentence (engine 1.8): a Chinese bank's credit memo had only
    #: the English (a Chinese-speaking relationship manager's review)
    rationale_zh: tuple[str, ...] = ()

    def __init__(
        self, eligible: bool, basis: str | None, category: str | None, pricing_tier: str | None,
        rationale: tuple[str, ...], knock_outs: tuple[str, ...], green_rated_borrower: bool,
        rationale_zh: tuple[str, ...] = (),
    ) -> None:
        object.__setattr__(self, "eligible", eligible)
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "pricing_tier", pricing_tier)
        object.__setattr__(self, "rationale", rationale)
        object.__setattr__(self, "knock_outs", knock_outs)
        object.__setattr__(self, "green_rated_borrower", green_rated_borrower)
        object.__setattr__(self, "rationale_zh", rationale_zh)

    def to_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "basis": self.basis,
            "category": self.category,
            "pricing_tier": self.pricing_tier,
            "green_rated_borrower": self.green_rated_borrower,
            "rationale": list(self.rationale),
            "rationale_zh": list(self.rationale_zh),
            "knock_outs": list(self.knock_outs),
        }


#: What a loan's PCAF attribution factor is computed on (``FinancedEmissions.attribution_basis``): the
#: borrower's equity + debt, its total assets (PCAF's fallback), or nothing (no balance sheet: the whole
#: borrower's emissions are attributed, factor set to 1)
ATTRIBUTION_BASES = ("equity_plus_debt", "total_assets", "none")
#: What a loan's ``outstanding_cny`` was read from (``FinancedEmissions.outstanding_basis``): the
#: outstanding given, or the amount of a new loan that gives none
OUTSTANDING_BASES = ("outstanding", "amount")
#: Whose emissions a loan's financed emissions attribute (``FinancedEmissions.emissions_source``, engine
#: 2.8): the inventory greenrate computes from the activity data (PCAF option 2a, or 3 and 4 where figures
#: are estimated), or the borrower's own reported inventory, verified (option 1a) or not (1b)
EMISSIONS_SOURCES = ("computed", "reported_verified", "reported_unverified")
#: PCAF Part A's data-quality score of a loan by its emissions' source, with the balance sheet known:
#: reported and verified 1 (option 1a), reported unverified 2 (1b); computed from primary energy data is
#: option 2a, 2 at best (the borrower's own score, ``data_quality.pcaf_score``, when that is worse)
REPORTED_PCAF_SCORE: dict[str, int] = {"reported_verified": 1, "reported_unverified": 2}
COMPUTED_BEST_PCAF_SCORE = 2
#: PCAF Part A's score of a financed Scope 3 that greenrate computed (engine 2.12): business travel in
#: passenger-km, water in m3 and waste in tonnes are the borrower's physical activity data other than energy,
#: priced at average factors (UK DESNZ proxies, rating_model.scope3), option 2b, score 3 at best (option 2a
#: is primary energy data, Scopes 1 and 2 only). PCAF reports Scope 3 and its score apart from Scopes 1 + 2;
#: the loan's ``pcaf_score`` had been the only one, so a verified inventory without Scope 3 lent its score 1
#: to greenrate's computed Scope 3 (a PCAF analyst's review)
COMPUTED_SCOPE3_BEST_PCAF_SCORE = 3


@dataclass(frozen=True, slots=True, init=False)
class FinancedEmissions:
    attribution_factor: float
    scope12_tco2e: float
    #: ``None`` when the borrower's inventory has no Scope 3 category: not measured, which is not zero
    scope3_tco2e: float | None
    pcaf_score: int
    basis: str
    outstanding_cny: float
    tco2e_per_cny_million_lent: float | None
    #: one of :data:`ATTRIBUTION_BASES`, by which the portfolio summary splits the book. It, the loan's
    #: ``loan_fx_to_cny``, ``outstanding_basis`` and the ``sheet_cny`` divided by (as
    #: ``attribution_denominator_cny``) are in the rating from schema 1.14, as in the batch's columns of those
    #: names; ``capped``, the scopes apart and ``exact_factor`` are the batch's alone
    attribution_basis: str = "equity_plus_debt"
    #: outstanding (in CNY) above the balance sheet (in CNY): the factor was capped at 1
    capped: bool = False
    #: financed Scope 1 and Scope 2 apart (IFRS S2 B62 asks for each scope); ``None`` unless the scopes
    #: were given
    scope1_tco2e: float | None = None
    scope2_location_tco2e: float | None = None
    scope2_market_tco2e: float | None = None
    #: what reproduces the factor (the batch's columns; an auditor's review found the results could not):
    #: the factor before rounding, CNY per unit of the loan's currency, and the balance sheet the factor
    #: divides by in CNY (``None`` for attribution basis ``none``)
    exact_factor: float = 0.0
    loan_fx_to_cny: float = 1.0
    sheet_cny: float | None = None
    #: one of :data:`EMISSIONS_SOURCES`: the inventory attributed (engine 2.8)
    emissions_source: str = "computed"
    #: the PCAF score of the financed Scope 3 on its own (:func:`scope3_pcaf_score`; ``None`` without a
    #: Scope 3), which ``basis`` states too; ``financed_emissions.scope3_pcaf_score`` from schema 1.13
    scope3_pcaf_score: int | None = None
    #: what ``outstanding_cny`` was read from: ``outstanding``, or ``amount`` (a new loan's amount stands in
    #: for an outstanding not given); the batch's ``outstanding_basis`` column
    outstanding_basis: str = "outstanding"

    def __init__(
        self, attribution_factor: float, scope12_tco2e: float, scope3_tco2e: float | None, pcaf_score: int,
        basis: str, outstanding_cny: float, tco2e_per_cny_million_lent: float | None,
        attribution_basis: str = "equity_plus_debt", capped: bool = False, scope1_tco2e: float | None = None,
        scope2_location_tco2e: float | None = None, scope2_market_tco2e: float | None = None,
        exact_factor: float = 0.0, loan_fx_to_cny: float = 1.0, sheet_cny: float | None = None,
        emissions_source: str = "computed", scope3_pcaf_score: int | None = None,
        outstanding_basis: str = "outstanding",
    ) -> None:
        object.__setattr__(self, "attribution_factor", attribution_factor)
        object.__setattr__(self, "scope12_tco2e", scope12_tco2e)
        object.__setattr__(self, "scope3_tco2e", scope3_tco2e)
        object.__setattr__(self, "pcaf_score", pcaf_score)
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "outstanding_cny", outstanding_cny)
        object.__setattr__(self, "tco2e_per_cny_million_lent", tco2e_per_cny_million_lent)
        object.__setattr__(self, "attribution_basis", attribution_basis)
        object.__setattr__(self, "capped", capped)
        object.__setattr__(self, "scope1_tco2e", scope1_tco2e)
        object.__setattr__(self, "scope2_location_tco2e", scope2_location_tco2e)
        object.__setattr__(self, "scope2_market_tco2e", scope2_market_tco2e)
        object.__setattr__(self, "exact_factor", exact_factor)
        object.__setattr__(self, "loan_fx_to_cny", loan_fx_to_cny)
        object.__setattr__(self, "sheet_cny", sheet_cny)
        object.__setattr__(self, "emissions_source", emissions_source)
        object.__setattr__(self, "scope3_pcaf_score", scope3_pcaf_score)
        object.__setattr__(self, "outstanding_basis", outstanding_basis)

    @property
    def attribution_denominator_cny(self) -> float | None:
        """The balance sheet the factor divides by, in CNY to the fen; ``None`` for attribution basis
        ``none`` (the rating's key and the batch's column of that name)."""
        return None if self.sheet_cny is None else round_float(self.sheet_cny, 2)

    def to_dict(self) -> dict[str, object]:
        return {
            "attribution_factor": self.attribution_factor,
            "scope12_tco2e": self.scope12_tco2e,
            "scope3_tco2e": self.scope3_tco2e,
            "pcaf_score": self.pcaf_score,
            "basis": self.basis,
            "outstanding_cny": self.outstanding_cny,
            "tco2e_per_cny_million_lent": self.tco2e_per_cny_million_lent,
            "emissions_source": self.emissions_source,
            "scope3_pcaf_score": self.scope3_pcaf_score,
            # engine 2.13, schema 1.14 (a PCAF analyst's review): what recomputes the factor from the
            # stored rating, as the batch's columns of these names do
            "attribution_basis": self.attribution_basis,
            "attribution_denominator_cny": self.attribution_denominator_cny,
            "loan_fx_to_cny": self.loan_fx_to_cny,
            "outstanding_basis": self.outstanding_basis,
        }


def _facts(
    knock_out: KnockOut, data: OperatingData, energy_ratio: float | None = None,
    energy_use_ratio: float | None = None,
) -> tuple[str, str]:
    """What in the data set off ``knock_out``, for a credit memo (the rule's text alone does not say), in
    English and in Chinese. ``energy_ratio`` is the energy ratio indicator's value, which a
    ``min_energy_ratio`` rule reads, and ``energy_use_ratio`` the same with on-site generation added back,
    which a ``max_energy_ratio`` rule reads (a green-loan officer's review: 3.1 and 50 times the sector's
    energy had read alike)."""
    penalties = data.compliance.environmental_penalties_3y
    if knock_out.min_penalties is not None and penalties is not None:
        counted = "1 environmental penalty" if penalties == 1 else f"{penalties} environmental penalties"
        return (f" ({counted} in the last three years; it applies from {knock_out.min_penalties})",
                f"（近三年环境处罚 {penalties} 次；{knock_out.min_penalties} 次起适用）")
    if knock_out.isic_codes:
        division = data.company.isic_division
        if division in knock_out.isic_divisions:
            return f" (ISIC division {division})", f"（ISIC 行业大类 {division}）"
        # a class of 1.12.0's, or the group that holds it alone: the code as the business gave it
        code = data.company.industry_code
        level, level_zh = ("group", "中类") if len(code) == 3 else ("class", "小类")
        return f" (ISIC {level} {code})", f"（ISIC 行业{level_zh} {code}）"
    if knock_out.fuels:
        burnt = sorted({f.fuel for f in data.energy.fuels or () if f.fuel in knock_out.fuels and f.quantity})
        if not burnt:
            return "", ""
        return (f" ({', '.join(fuel_name(f) for f in burnt)} burned on the premises)",
                f"（在经营场所燃烧{'、'.join(fuel_name(f, 'zh') for f in burnt)}）")
    if knock_out.min_energy_ratio is not None and energy_ratio is not None:
        limit = knock_out.min_energy_ratio
        return (f" (the premises use {energy_ratio:.1f} times the energy their sector is expected to use for "
                f"their size; it applies from {limit:g} times)",
                f"（经营场所用能为同业同等规模预期用能的 {energy_ratio:.1f} 倍；{limit:g} 倍起适用）")
    if knock_out.max_energy_ratio is not None and energy_use_ratio is not None:
        limit = knock_out.max_energy_ratio
        # cut, not rounded: 0.0951 rounded read "0.10 times ...; it applies below 0.1 times"
        said = Decimal(repr(energy_use_ratio)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        return (f" (the premises use {said} times the energy their sector is expected to use for "
                f"their size, on-site generation included; it applies below {limit:g} times)",
                f"（经营场所用能（含自发电）为同业同等规模预期用能的 {said} 倍；低于 {limit:g} 倍时适用）")
    if knock_out.max_completeness is not None:
        limit = knock_out.max_completeness
        return f" (data completeness below {limit:g})", f"（数据完整度低于 {limit:g}）"
    return "", ""


def _knock_out_sentences(
    k: KnockOut, data: OperatingData, labels: dict[str, tuple[str, str]], energy_ratio: float | None = None,
    energy_use_ratio: float | None = None,
) -> tuple[str, str]:
    """The rationale's sentence on one knock-out, in English and in Chinese.

    In Chinese a rule that blocks green-loan treatment is a 否决项 and one that only caps the grade a 限级条款
    (a bank's inclusive-finance officer read 否决项 beside "does not block" as a contradiction), each named
    by its Chinese name: the rule's id is the API's key, not words of a Chinese credit memo. In English a
    rule that only caps is named beside its id, and its grade in words, as a denying one is (a green-loan
    officer's review read "caps the grade at light_green" as an API key, not a sentence). ``labels`` are
    each grade's label in English and in Chinese.
    """
    facts, facts_zh = _facts(k, data, energy_ratio, energy_use_ratio)
    if k.blocks_green_loan:
        return (f"Knock-out {k.id} ({k.name}) applies{facts}: no green-loan treatment is available.",
                f"否决项“{k.name_zh}”适用{facts_zh}：不能获得绿色贷款待遇。")
    cap = labels[k.cap_grade][0].lower()
    return (f"Knock-out {k.id} ({k.name}) applies{facts}: it caps the grade at {cap} but does not block "
            "green-loan treatment.",
            f"限级条款“{k.name_zh}”适用{facts_zh}：评级最高为{labels[k.cap_grade][1]}，"
            "但不妨碍绿色贷款待遇。")


#: What an eligible loan's rationale says of the rest of the Green Loan Principles: greenrate takes the use of
#: proceeds as declared and checks its category (part of component 1) alone. It had asked for components 3
#: and 4 and never named component 2, and "Eligible as a green loan" read as all four met (a bank's
#: green-finance review); "greenrate checks the use of proceeds" read as the project checked, though component
#: 1 also asks for its environmental benefits to be assessed and, where feasible, quantified, which greenrate
#: does not do (a green-loan officer's review).
_OTHER_GLP_COMPONENTS = (
    "greenrate takes the use of proceeds as declared and checks only that its category is green; the rest is "
    "for the loan's documentation to show: the project's environmental benefits, assessed and where feasible "
    "quantified (component 1); the borrower's process for project evaluation and selection, with its "
    "environmental and social risks (component 2); the proceeds tracked separately (component 3); reporting "
    "at least annually on their use and expected environmental impact (component 4).",
    "greenrate 以申报的资金用途为准，仅核对其类别是否属于绿色类别；其余内容须由贷款文件体现：项目的环境效益，"
    "须经评估并在可行时量化（第一项）；借款人的项目评估与遴选流程及其环境和社会风险（第二项）；贷款资金单独"
    "管理和追踪（第三项）；至少每年报告一次资金使用情况和预期环境效益（第四项）。",
)


def assess_green_loan(
    data: OperatingData, grade: str, knock_outs: tuple[KnockOut, ...], standard: Standard,
    energy_ratio: float | None = None, energy_use_ratio: float | None = None,
) -> GreenLoan:
    """Eligibility as a green loan by the use of proceeds (GLP), and green-rated-borrower terms apart.

    Under a standard without ``min_grade`` (1.3.0 on) the grade does not decide whether a loan is green,
    only its pricing tier: a transition loan to a borrower not yet rated green is what green loans are for.
    A green-rated borrower's general-purpose loan may get preferential terms (``green_rated_borrower``),
    but it is not a green loan, so a bank's green-loan figures count use of proceeds only.
    ``energy_ratio`` (the energy ratio indicator's value) is what the rationale says set off a
    ``min_energy_ratio`` knock-out, and ``energy_use_ratio`` (with on-site generation added back) a
    ``max_energy_ratio`` one.
    """
    # ``knock_outs`` of the answer are those that deny green-loan treatment; one that only caps the grade
    # (the standard says which) is in the rationale, and the grade already carries it.
    blocking = tuple(f"{k.id}: {k.description}" for k in knock_outs if k.blocks_green_loan)
    loan = data.loan
    use = loan.use_of_proceeds if loan else None
    zh = {c.grade: c.label_zh for c in standard.cutoffs}
    # each sentence in English and in Chinese, side by side, so the two never drift apart
    labels = {c.grade: (c.label, c.label_zh) for c in standard.cutoffs}
    said = [_knock_out_sentences(k, data, labels, energy_ratio, energy_use_ratio) for k in knock_outs]
    if blocking:
        return GreenLoan(False, None, use, None, tuple(en for en, _ in said), blocking, False,
                         tuple(cn for _, cn in said))
    gate = standard.min_loan_grade
    meets_grade = gate is None or standard.rank(grade) <= standard.rank(gate)
    tier = standard.pricing_tiers.get(grade)
    # grades and tiers in words (a credit officer's reading, engine 2.13: "grade light_green sets pricing
    # tier green_tier_3" read as API keys); their ids are the answer's own fields (pricing_tier)
    en = {g: label.lower() for g, (label, _) in labels.items()}
    rank, rank_zh = _tier_words(standard, tier)
    if gate is None:
        on_grade = (
            f"eligibility rests on the use of proceeds, not on the grade; grade {en[grade]} sets pricing "
            f"tier {rank}",
            f"能否作为绿色贷款取决于资金用途而非评级；评级{zh[grade]}对应{rank_zh}",
        )
    else:
        on_grade = (f"grade {en[grade]} meets the minimum {en[gate]}; pricing tier {rank}",
                    f"评级{zh[grade]}达到最低要求{zh[gate]}；{rank_zh}")
    if loan is None:
        if meets_grade:
            said.append((
                f"No loan was given. A loan whose proceeds finance a green category would be eligible as a "
                f"green loan: {on_grade[0]}.",
                f"未提供贷款信息。资金用于绿色类别的贷款可作为绿色贷款：{on_grade[1]}。",
            ))
        else:
            said.append((
                f"No loan was given. With grade {en[grade]} the borrower does not qualify for green loans "
                f"(minimum grade {en.get(gate or '', gate)}).",
                f"未提供贷款信息。评级为{zh[grade]}，借款人不符合绿色贷款条件"
                f"（最低评级{zh.get(gate or '', gate)}）。",
            ))
    elif use is not None and use in standard.green_uses:
        info = standard.green_uses[use]
        # the catalogue decides eligibility item by item, with technical criteria; the standard maps a GLP
        # category to a top-level name only (its catalogue_note: names not verified against the text), and
        # "China catalogue: X" had read as the project checked against the catalogue
        said.append((
            f"Use of proceeds '{use}' is a Green Loan Principles category ({info['glp']}); it maps to "
            f"top-level category {info['cn_catalogue']} of China's Green and Low-carbon Transition Industry "
            "Guidance Catalogue (2024) (a mapping of the category, not a check of the project against the "
            "catalogue's items).",
            f"资金用途“{use}”属于《绿色贷款原则》的“{info['glp_zh']}”类别；"
            f"对应《绿色低碳转型产业指导目录（2024年版）》一级类别“{info['cn_catalogue']}”"
            "（按类别对应，未逐项核对项目是否符合目录条目）。",
        ))
        if meets_grade:
            said.append((f"Eligible as a green loan by its declared use of proceeds (its category, under GLP "
                          f"component 1): {on_grade[0]}.",
                         f"按申报的资金用途可作为绿色贷款（《绿色贷款原则》第一项核心要素中的用途类别）："
                         f"{on_grade[1]}。"))
            said.append(_OTHER_GLP_COMPONENTS)
        else:
            said.append((f"Grade {en[grade]} is below the minimum {en.get(gate or '', gate)}.",
                         f"评级{zh[grade]}低于最低要求{zh.get(gate or '', gate)}。"))
    else:
        said.append((f"Use of proceeds '{use}' is not a green category, so this is not a green loan.",
                     f"资金用途“{use}”不属于绿色类别，因此不是绿色贷款。"))
    rated_green = standard.rank(grade) <= standard.rank(standard.green_rated_borrower_grade)
    if rated_green:
        within, within_zh = _tier_words(standard, tier, within=True)
        said.append((
            f"Rated {en[grade]}: the borrower qualifies for green-rated-borrower terms on a general-purpose "
            f"loan (pricing tier {within}); such terms are not a green loan.",
            f"评级为{zh[grade]}：借款人的一般用途贷款可享受绿色评级借款人待遇（{within_zh}）；该待遇不属于绿色贷款。",
        ))
    else:
        needed = standard.green_rated_borrower_grade
        said.append((
            f"Green-rated-borrower terms on a general-purpose loan need grade {en[needed]} or better.",
            f"一般用途贷款享受绿色评级借款人待遇，需评级达到{zh[needed]}或以上。",
        ))
    eligible = meets_grade and (loan is None or use in standard.green_uses)
    basis = None if not eligible else ("borrower" if loan is None else "use_of_proceeds")
    priced = eligible or (rated_green and loan is not None)
    return GreenLoan(eligible, basis, use, tier if priced else None, tuple(en for en, _ in said), (),
                     rated_green, tuple(cn for _, cn in said))


def _tier_words(standard: Standard, tier: str | None, *, within: bool = False) -> tuple[str, str]:
    """A pricing tier by its rank among the standard's tiers, in English and Chinese: "3 of 4 (tier 1 the
    most favourable)", "第 3 档定价（共 4 档，第 1 档最优惠）"; ``within`` brackets, "3 of 4, tier 1 the most
    favourable", "第 3 档定价，共 4 档，第 1 档最优惠". The standard lists its tiers from the most favourable
    (its ``pricing_note``: tiers are ordinal, each bank maps them to its own rates); a tier it does not list
    is said by its id."""
    tiers = list(dict.fromkeys(standard.pricing_tiers.values()))
    if tier not in tiers:
        return str(tier), f"定价档位 {tier}"
    rank, total = tiers.index(tier) + 1, len(tiers)
    if within:
        return (f"{rank} of {total}, tier 1 the most favourable",
                f"第 {rank} 档定价，共 {total} 档，第 1 档最优惠")
    return (f"{rank} of {total} (tier 1 the most favourable)",
            f"第 {rank} 档定价（共 {total} 档，第 1 档最优惠）")


def loan_to_cny(loan: Loan, company_currency: str, company_fx: float | None) -> float:
    """CNY per unit of the loan's currency: 1 for CNY, ``loan.fx_to_cny``, else the company's rate for a
    loan in its currency.

    Raises
    ------
    InvalidInputError
        No rate for the loan's currency (the parser refuses this first; data built in Python reaches here).
    """
    if loan.currency == "CNY":
        return 1.0
    if loan.fx_to_cny is not None:
        return loan.fx_to_cny
    if loan.currency == company_currency and company_fx:
        return company_fx
    raise InvalidInputError(
        "loan.fx_to_cny", "required when the loan's currency is neither CNY nor the company's"
    )


def outstanding_above_amount(loan: Loan) -> bool:
    """Whether the outstanding amount is above the loan amount: disbursed minus repaid cannot be, so one of
    the two figures is likely wrong (or interest was capitalised). Neither the API nor the batch refuses
    the loan, which is attributed on the outstanding as given; the API's ``financed_emissions.basis`` says
    so and the batch flags the row (``outstanding_above_amount``), both by this test."""
    return loan.outstanding is not None and loan.outstanding > loan.amount


def equity_debt_above_assets(loan: Loan) -> bool | None:
    """Whether the borrower's equity + debt is above its total assets (``None`` unless both are given).

    Debt is part of the liabilities and liabilities + equity = total assets, so equity + debt can only be
    above the total assets under a negative book equity, which PCAF counts as 0: the bank then sends the
    debt alone (``BELOW_MINIMUM`` says so), and a debt above the assets is an insolvent borrower's true
    balance sheet. Otherwise one of the two figures is wrong (another unit, date or borrower). Which one
    cannot be told from the row, so neither the API nor the batch refuses the loan: equity + debt is divided
    by, as PCAF asks, and the loan is flagged (the API's ``financed_emissions.basis``, the batch's
    ``equity_debt_above_assets``) for the bank to check. Both figures are in ``company.currency``.
    """
    equity_debt, assets = loan.borrower_equity_plus_debt, loan.borrower_total_assets
    if equity_debt is None or assets is None:
        return None
    return equity_debt > assets


def outstanding_of(loan: Loan) -> float:
    """The outstanding amount in the loan's currency: the amount for a new loan that gives none."""
    return loan.outstanding if loan.outstanding is not None else loan.amount


def _round_opt(value: float | None, factor: float) -> float | None:
    return None if value is None else round_float(factor * value, 4)


def financed_emissions(
    data: OperatingData,
    scope12_tco2e: float,
    scope3_tco2e: float | None,
    pcaf_score: int,
    scopes: tuple[float, float, float | None] | None = None,
) -> FinancedEmissions | None:
    """PCAF attribution of the borrower's gross emissions to this loan; ``None`` without loan data.

    The outstanding amount is in the loan's currency, converted to CNY at ``loan.fx_to_cny`` (or at the
    company's rate for a loan in its currency); the balance sheet (equity + debt, total assets) is the
    borrower's, in its reporting currency ``company.currency`` like its revenue, converted at
    ``company.fx_to_cny`` (engine 1.9: it had been read in the loan's currency, so a USD loan to a CNY
    company was divided by CNY equity + debt as if in dollars). Both sides are in CNY before they are divided.
    Outstanding defaults to the amount for a new loan.
    ``pcaf_score`` is the borrower's (from its emissions data); the loan's is that score when a balance sheet
    is given (equity + debt, or total assets, which PCAF accepts in their place), and 5 when only the
    outstanding amount is known. ``scopes`` (Scope 1, Scope 2 location-based, Scope 2 market-based) are
    attributed by the same factor when given.

    With ``data.reported_emissions`` (engine 2.8) the borrower's own inventory is attributed instead of
    the computed one passed in (:func:`emissions_attributed`), and the loan scores PCAF 1 or 2 by whether it
    was verified; computed emissions score 2 at best (option 2a), whatever the borrower's data source.
    """
    loan = data.loan
    if loan is None:
        return None
    borrower_score = pcaf_score
    scope12_tco2e, scope3_tco2e, pcaf_score, scopes, source, emissions_note = emissions_attributed(
        data, scope12_tco2e, scope3_tco2e, pcaf_score, scopes)
    company = data.company
    loan_fx = loan_to_cny(loan, company.currency, company.fx_to_cny)
    outstanding = outstanding_of(loan)
    outstanding_cny = outstanding * loan_fx
    basis = "outstanding / (equity + debt) (PCAF Part A, business loans)"
    attribution_basis = "equity_plus_debt"
    sheet = loan.borrower_equity_plus_debt
    if sheet is None:
        sheet = loan.borrower_total_assets
        attribution_basis = "total_assets"
        basis = "outstanding / total assets (PCAF fallback when equity and debt are unknown)"
    if sheet is None:
        # PCAF options 3b/3c would use sector asset or asset-turnover factors, which greenrate does not
        # hold, and a factor is never invented: the whole borrower's emissions are attributed (factor 1).
        # Scores 1 to 4 need the balance sheet known (PCAF Part A, Table 5-4; total assets stand in for
        # equity + debt): with only the outstanding amount the loan's score is 5, however good the
        # borrower's emissions data.
        attribution_basis = "none"
        pcaf_score = 5
        basis = (
            "no balance sheet given (neither equity + debt nor total assets): the borrower's whole "
            "emissions are attributed to this loan (attribution factor set to 1, not an outstanding / "
            "balance-sheet ratio capped at 1; PCAF options 3b/3c need sector asset or asset-turnover "
            "factors, which greenrate does not hold); PCAF score 5 (only the outstanding amount is known)"
        )
        sheet_cny = outstanding_cny
    else:
        sheet_cny = to_cny(company, sheet)
        if not sheet_cny > 0:  # never divided by, never read as "attribute nothing"
            raise InvalidInputError(
                f"loan.borrower_{attribution_basis}",
                "must be greater than 0 in CNY: the attribution factor divides by it (the parser refuses "
                "this first; data built in Python reaches here)",
            )
        if loan.currency != company.currency:
            basis += (
                f"; the balance sheet is in the company's currency ({company.currency}) and the "
                f"outstanding amount in the loan's ({loan.currency}): both converted to CNY before dividing"
            )
    if emissions_note and (sheet is not None or source != "computed"):  # no sheet: score 5 whatever the data
        basis += f"; {emissions_note}"
    if loan.outstanding is None:
        basis += "; outstanding not given, loan amount used"
    capped = False
    if outstanding <= 0:  # a repaid or undrawn loan finances nothing, whatever the balance sheet says
        basis = "nothing outstanding: no emissions are attributed to this loan"
    elif sheet is not None and outstanding_cny > sheet_cny > 0:
        # PCAF caps attribution at 1 (a lender cannot finance more than the whole company); say so, since a
        # loan above the balance sheet is also something a credit officer wants to see questioned.
        capped = True
        if loan.currency == company.currency:
            basis += (
                f"; capped at 1: outstanding {outstanding:,.0f} exceeds the balance sheet {sheet:,.0f} "
                f"({loan.currency})"
            )
        else:
            basis += (
                f"; capped at 1: outstanding CNY {outstanding_cny:,.0f} exceeds the balance sheet "
                f"CNY {sheet_cny:,.0f}"
            )
    if outstanding_above_amount(loan):
        # the batch flags the row (outstanding_above_amount); the API's reader has only these words
        assert loan.outstanding is not None
        basis += (
            f"; outstanding {loan.outstanding:,.0f} is above the loan amount {loan.amount:,.0f} "
            f"({loan.currency}): an outstanding amount is disbursed minus repaid, so check both (unless "
            "interest was capitalised); the outstanding amount is divided as given"
        )
    if equity_debt_above_assets(loan):
        basis += (
            f"; equity + debt {loan.borrower_equity_plus_debt:,.0f} is above total assets "
            f"{loan.borrower_total_assets:,.0f} ({company.currency}), which a balance sheet allows only "
            "under a negative book equity (counted as 0: the debt alone); otherwise one of the two figures "
            "is wrong, check both"
        )
    scope3_score = scope3_pcaf_score(data, scope3_tco2e, borrower_score, sheet is not None)
    if scope3_score is not None and outstanding > 0:  # nothing outstanding: the basis says only that
        basis += f"; {scope3_score_note(data, scope3_score, sheet is not None)}"
    if sheet is None:
        ratio = 1.0
    elif loan.currency == company.currency:  # one currency: as given (converting could move the last bit)
        ratio = outstanding / sheet
    else:
        ratio = outstanding_cny / sheet_cny
    factor = min(1.0, ratio) if outstanding > 0 else 0.0
    financed12 = factor * scope12_tco2e
    # Below one yuan outstanding an intensity per million lent is meaningless (and overflows).
    per_million = round_float(financed12 / (outstanding_cny / 1e6), 4) if outstanding_cny >= 1.0 else None
    return FinancedEmissions(
        attribution_factor=round_float(factor, 6),
        scope12_tco2e=round_float(financed12, 4),
        scope3_tco2e=_round_opt(scope3_tco2e, factor),
        pcaf_score=pcaf_score,
        basis=basis,
        outstanding_cny=round_float(outstanding_cny, 2),
        tco2e_per_cny_million_lent=per_million,
        attribution_basis=attribution_basis,
        capped=capped,
        scope1_tco2e=None if scopes is None else round_float(factor * scopes[0], 4),
        scope2_location_tco2e=None if scopes is None else round_float(factor * scopes[1], 4),
        scope2_market_tco2e=None if scopes is None else _round_opt(scopes[2], factor),
        exact_factor=factor,
        loan_fx_to_cny=loan_fx,
        sheet_cny=None if sheet is None else sheet_cny,
        emissions_source=source,
        scope3_pcaf_score=scope3_score,
        outstanding_basis="amount" if loan.outstanding is None else "outstanding",
    )


def _scope3_reported(data: OperatingData) -> bool:
    reported = data.reported_emissions
    return reported is not None and reported.scope3_tco2e is not None


def scope3_pcaf_score(
    data: OperatingData, scope3_tco2e: float | None, borrower_score: int, balance_sheet: bool,
) -> int | None:
    """The PCAF score of a loan's financed Scope 3 on its own; ``None`` when no Scope 3 is attributed.

    PCAF Part A reports the borrower's Scope 3 and its data quality apart from Scopes 1 + 2. Without a
    balance sheet it is 5, as Scopes 1 + 2 are; a reported Scope 3 scores as the reported inventory does
    (1 verified, option 1a; 2 unverified, 1b); a computed Scope 3 (also the one attributed beside a reported
    inventory without Scope 3) is option 2b, :data:`COMPUTED_SCOPE3_BEST_PCAF_SCORE` at best and no better
    than ``borrower_score``, the borrower's own data score (``data_quality.pcaf_score``).
    """
    if scope3_tco2e is None:
        return None
    if not balance_sheet:
        return 5
    reported = data.reported_emissions
    if reported is not None and reported.scope3_tco2e is not None:
        return REPORTED_PCAF_SCORE["reported_verified" if reported.verified else "reported_unverified"]
    return max(COMPUTED_SCOPE3_BEST_PCAF_SCORE, borrower_score)


def scope3_score_note(data: OperatingData, score: int, balance_sheet: bool) -> str:
    """What ``financed_emissions.basis`` says of the financed Scope 3's own PCAF score."""
    head = ("the loan's PCAF score is of Scopes 1 + 2; the financed Scope 3, reported apart as PCAF asks, "
            f"scores {score}")
    if not balance_sheet:
        return head + " too (only the outstanding amount is known)"
    if _scope3_reported(data):
        return head + ", the borrower's reported Scope 3 (as its Scopes 1 + 2)"
    why = ("greenrate's Scope 3 from the borrower's activity data other than energy (business travel, water, "
           "waste) at average factors: PCAF option 2b, score 3 at best")
    if score > COMPUTED_SCOPE3_BEST_PCAF_SCORE:
        why += f", and no better than the borrower's data score {score}"
    return f"{head} ({why})"


def emissions_attributed(
    data: OperatingData,
    scope12_tco2e: float,
    scope3_tco2e: float | None,
    pcaf_score: int,
    scopes: tuple[float, float, float | None] | None,
) -> tuple[float, float | None, int, tuple[float, float, float | None] | None, str, str]:
    """The emissions a loan attributes, the loan's PCAF score with a balance sheet, the scopes apart, their
    source (one of :data:`EMISSIONS_SOURCES`) and what the basis says of them ("" when nothing needs saying).

    PCAF Part A ranks the borrower's own reported emissions first: verified, option 1a (score 1);
    unverified, 1b (score 2). Emissions computed from primary energy data are option 2a, score 2, however
    well those data were checked: a ``data_source`` of ``verified_report`` (score 1 in the standard's
    ``data_quality.pcaf_by_data_source``) had made the loans on greenrate's own figures score 1, which
    PCAF reserves for reported emissions. A reported inventory without Scope 3 keeps the computed Scope 3
    (the categories greenrate could compute), and the basis says so.
    """
    reported = data.reported_emissions
    if reported is None:
        if pcaf_score >= COMPUTED_BEST_PCAF_SCORE:
            return scope12_tco2e, scope3_tco2e, pcaf_score, scopes, "computed", ""
        return (scope12_tco2e, scope3_tco2e, COMPUTED_BEST_PCAF_SCORE, scopes, "computed",
                "emissions computed by greenrate from the activity data: PCAF option 2a, score 2 at best (a "
                "verified report's score 1 is option 1a, the borrower's own verified emissions: send them as "
                "reported_emissions)")
    source = "reported_verified" if reported.verified else "reported_unverified"
    own12 = reported.scope1_tco2e + reported.scope2_location_tco2e
    if reported.verified:
        note = (f"the borrower's reported emissions, verified by {reported.verifier} (PCAF option 1a), "
                "Scope 1 + Scope 2 location-based")
    else:
        note = ("the borrower's reported emissions, unverified (PCAF option 1b), Scope 1 + Scope 2 "
                "location-based")
    if own12 == 0 and scope12_tco2e > 0:
        # no threshold is published for a gap, but nothing emits nothing where its activity data show
        # emissions: attributed as reported (PCAF's option is the figure's), and said (a PCAF analyst)
        # rounded as the rating's figures are (4 decimals): ".2f" had said "computes 0.00 tCO2e"
        note += (f"; the reported Scope 1 + 2 is 0 while greenrate computes {round_tco2e(scope12_tco2e)!r} "
                 "tCO2e from the activity data: check the inventory before relying on it")
    own3 = reported.scope3_tco2e
    if own3 is None and scope3_tco2e is not None:
        own3 = scope3_tco2e
        note += "; Scope 3 not reported: greenrate's computed Scope 3 is attributed"
    own_scopes = (reported.scope1_tco2e, reported.scope2_location_tco2e, reported.scope2_market_tco2e)
    return own12, own3, REPORTED_PCAF_SCORE[source], own_scopes, source, note


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (GreenLoan, FinancedEmissions):
    fast_init(_value_class)
