"""Green-loan eligibility and PCAF financed emissions: what a bank needs from a rating at origination.

Eligibility is checked apart from the grade (Green Loan Principles: a loan is green by its use of proceeds),
and financed emissions follow PCAF Part A for business loans: attribution = outstanding / (equity + debt),
with total assets as the documented fallback, and emissions never netted with credits.
"""

from __future__ import annotations

from dataclasses import dataclass

from rating_model.exceptions import InvalidInputError
from rating_model.operating_data import OperatingData
from rating_model.rounding import round_float
from rating_model.standard import KnockOut, Standard
from rating_model.values import fast_init

#: What ``green_loan.basis`` can say eligibility was judged on (``None``: not eligible): the loan's use of
#: proceeds, a green-rated borrower's general loan, or the borrower alone when no loan was given.
GREEN_LOAN_BASES = ("use_of_proceeds", "green_rated_borrower", "borrower")


@dataclass(frozen=True, slots=True)
class GreenLoan:
    eligible: bool
    basis: str | None
    category: str | None
    pricing_tier: str | None
    rationale: tuple[str, ...]
    knock_outs: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "basis": self.basis,
            "category": self.category,
            "pricing_tier": self.pricing_tier,
            "rationale": list(self.rationale),
            "knock_outs": list(self.knock_outs),
        }


@dataclass(frozen=True, slots=True)
class FinancedEmissions:
    attribution_factor: float
    scope12_tco2e: float
    scope3_tco2e: float
    pcaf_score: int
    basis: str
    outstanding_cny: float
    tco2e_per_cny_million_lent: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "attribution_factor": self.attribution_factor,
            "scope12_tco2e": self.scope12_tco2e,
            "scope3_tco2e": self.scope3_tco2e,
            "pcaf_score": self.pcaf_score,
            "basis": self.basis,
            "outstanding_cny": self.outstanding_cny,
            "tco2e_per_cny_million_lent": self.tco2e_per_cny_million_lent,
        }


def assess_green_loan(
    data: OperatingData, grade: str, knock_outs: tuple[KnockOut, ...], standard: Standard
) -> GreenLoan:
    """Eligibility by use of proceeds (GLP) or, for general-purpose loans, as a green-rated borrower."""
    # ``knock_outs`` of the answer are those that deny green-loan treatment; one that only caps the grade
    # (the standard says which) is in the rationale, and the grade already carries it.
    blocking = tuple(f"{k.id}: {k.description}" for k in knock_outs if k.blocks_green_loan)
    meets_grade = standard.rank(grade) <= standard.rank(standard.min_loan_grade)
    tier = standard.pricing_tiers.get(grade)
    rationale: list[str] = []
    loan = data.loan
    if blocking:
        rationale.append("A knock-out rule applies, so no green-loan treatment is available.")
        use = loan.use_of_proceeds if loan else None
        return GreenLoan(False, None, use, None, tuple(rationale), blocking)
    rationale.extend(
        f"Knock-out {k.id} applies: it caps the grade at {k.cap_grade} but does not block green-loan "
        "treatment."
        for k in knock_outs
    )
    if loan is None:
        rationale.append(
            f"No loan was given. With grade {grade} the borrower "
            + ("qualifies" if meets_grade else "does not qualify")
            + " for green loans whose proceeds finance a green category"
            + f" (minimum grade {standard.min_loan_grade})."
        )
        return GreenLoan(meets_grade, "borrower" if meets_grade else None, None,
                         tier if meets_grade else None, tuple(rationale), ())
    use = loan.use_of_proceeds
    if use in standard.green_uses:
        info = standard.green_uses[use]
        rationale.append(f"Use of proceeds '{use}' is a Green Loan Principles category ({info['glp']}); "
                         f"China catalogue: {info['cn_catalogue']}.")
        if meets_grade:
            rationale.append(
                f"Grade {grade} meets the minimum {standard.min_loan_grade}; pricing tier {tier}."
            )
            rationale.append(
                "Track the proceeds separately and report at least annually (GLP components 3 and 4)."
            )
            return GreenLoan(True, "use_of_proceeds", use, tier, tuple(rationale), ())
        rationale.append(f"Grade {grade} is below the minimum {standard.min_loan_grade}.")
        return GreenLoan(False, None, use, None, tuple(rationale), ())
    rationale.append(f"Use of proceeds '{use}' is not a green category, so this is not a green loan.")
    if standard.rank(grade) <= standard.rank("green"):
        rationale.append(f"The borrower is rated {grade}: eligible for green-rated-borrower terms ({tier}).")
        return GreenLoan(True, "green_rated_borrower", None, tier, tuple(rationale), ())
    rationale.append("Green-rated-borrower terms need grade green or better.")
    return GreenLoan(False, None, None, None, tuple(rationale), ())


def financed_emissions(
    data: OperatingData, scope12_tco2e: float, scope3_tco2e: float, pcaf_score: int
) -> FinancedEmissions | None:
    """PCAF attribution of the borrower's gross emissions to this loan; ``None`` without loan data.

    Balance-sheet figures are in the loan's currency, converted to CNY (for the figure per CNY million lent)
    at ``loan.fx_to_cny``, or at the company's rate for a loan in its currency. Outstanding defaults to the
    amount for a new loan.
    ``pcaf_score`` is the borrower's (from its emissions data); the loan's is that score when a balance sheet
    is given (equity + debt, or total assets, which PCAF accepts in their place), and 5 when only the
    outstanding amount is known.
    """
    loan = data.loan
    if loan is None:
        return None
    company = data.company
    if loan.currency == "CNY":
        to_cny = 1.0
    elif loan.fx_to_cny is not None:
        to_cny = loan.fx_to_cny
    elif loan.currency == company.currency and company.fx_to_cny:
        to_cny = company.fx_to_cny
    else:  # the parser refuses this first; operating data built in Python reaches here
        raise InvalidInputError(
            "loan.fx_to_cny", "required when the loan's currency is neither CNY nor the company's"
        )
    outstanding = loan.outstanding if loan.outstanding is not None else loan.amount
    basis = "outstanding / (equity + debt) (PCAF Part A, business loans)"
    denominator = loan.borrower_equity_plus_debt
    if denominator is None:
        denominator = loan.borrower_total_assets
        basis = "outstanding / total assets (PCAF fallback when equity and debt are unknown)"
    if denominator is None:
        # PCAF option 3b/3c would use sector asset ratios, which greenrate does not hold: attribute all.
        # Scores 1 to 4 need the balance sheet known (PCAF Part A, Table 5-4; total assets stand in for
        # equity + debt): with only the outstanding amount the loan's score is 5, however good the
        # borrower's emissions data.
        denominator = outstanding
        pcaf_score = 5
        basis = (
            "no balance sheet given: attribution capped at 1 (conservative); PCAF score 5 (only the "
            "outstanding amount is known)"
        )
    if loan.outstanding is None:
        basis += "; outstanding not given, loan amount used"
    if outstanding <= 0:  # a repaid or undrawn loan finances nothing, whatever the balance sheet says
        basis = "nothing outstanding: no emissions are attributed to this loan"
    factor = min(1.0, outstanding / denominator) if denominator > 0 else 0.0
    outstanding_cny = outstanding * to_cny
    financed12 = factor * scope12_tco2e
    # Below one yuan outstanding an intensity per million lent is meaningless (and overflows).
    per_million = round_float(financed12 / (outstanding_cny / 1e6), 4) if outstanding_cny >= 1.0 else None
    return FinancedEmissions(
        attribution_factor=round_float(factor, 6),
        scope12_tco2e=round_float(financed12, 4),
        scope3_tco2e=round_float(factor * scope3_tco2e, 4),
        pcaf_score=pcaf_score,
        basis=basis,
        outstanding_cny=round_float(outstanding_cny, 2),
        tco2e_per_cny_million_lent=per_million,
    )


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (GreenLoan, FinancedEmissions):
    fast_init(_value_class)
