"""The rating as issued: the response body of ``POST /v1/ratings`` and ``GET /v1/ratings/{id}``.

Fully specified so the OpenAPI document is a real contract, and strict (unknown fields refused) so a test
that loads every rating the engine produces through :class:`RatingSchema` notices the day the engine and
the published contract drift apart.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from rating_model.green_loan import ATTRIBUTION_BASES, EMISSIONS_SOURCES, GREEN_LOAN_BASES, OUTSTANDING_BASES
from rating_model.line_items import LINE_QUALITIES, SCOPE2_BASES
from rating_model.operating_data import DATA_SOURCES
from rating_model.standard import GRADES, load_standard

#: The packaged standard, which the service rates under: its loan categories and pricing tiers.
_STANDARD = load_standard()

DISCLOSURE_STATUSES = ("disclosed", "not_applicable", "not_available")


class ContractSchema(Schema):
    class Meta:
        unknown = RAISE


def _num(description: str | None = None, *, nullable: bool = False) -> fields.Float:
    metadata = {"description": description} if description else {}
    return fields.Float(required=True, allow_none=nullable, allow_nan=False, metadata=metadata)


def _strings(description: str | None = None) -> fields.List[Any]:
    metadata = {"description": description} if description else {}
    return fields.List(fields.String(), required=True, metadata=metadata)


#: Metadata of a set the standard decides, which a new standard version may extend within ``/v1`` (the
#: versioning policy: knock-out ids, use-of-proceeds categories, pricing tiers). The document lists today's
#: values under this key instead of ``enum`` (service.openapi.extensible_enums): clients generated from an
#: ``enum`` refuse a value they do not know, so a rating under the next standard would fail to parse in a
#: client generated today (openapi-python-client's ``KnockOutId``, datamodel-code-generator's pydantic
#: enums; a bank integrator's generated client). The service still validates against today's set.
EXTENSIBLE_ENUM = "x-extensible-enum"
_EXTENSIBLE = (
    " A new standard version may add values within /v1: take one you do not know as such, not as an error "
    "(`x-extensible-enum` lists today's)."
)


def _one_of(
    choices: tuple[str, ...], description: str | None = None, *, nullable: bool = False,
    extensible: bool = False,
) -> fields.String:
    """A string of a closed set, published as the contract's ``enum`` so that a generated client can branch
    on it (these were plain strings, the set only in prose or in the standard's document: client review);
    a set the standard may extend (``extensible``) as :data:`EXTENSIBLE_ENUM` instead.
    """
    metadata: dict[str, Any] = {"description": description} if description else {}
    if extensible:
        metadata["description"] = metadata.get("description", "") + _EXTENSIBLE
        metadata[EXTENSIBLE_ENUM] = list(choices)
    return fields.String(
        required=True, allow_none=nullable, validate=validate.OneOf(choices), metadata=metadata
    )


def _str(description: str | None = None, *, nullable: bool = False) -> fields.String:
    metadata = {"description": description} if description else {}
    return fields.String(required=True, allow_none=nullable, metadata=metadata)


class PillarSchema(ContractSchema):
    pillar = _str("Pillar key.")
    name = _str("Pillar name.")
    name_zh = _str("Pillar name in Chinese.")
    score = _num("Points earned in this pillar.")
    max = _num("Points available in this pillar.")


class ContributionSchema(ContractSchema):
    indicator = _str("Indicator key of the standard.")
    pillar = _str()
    value = _num("The indicator's value (null when it could not be derived).", nullable=True)
    unit = _str()
    bin = _str("The points-table bin the value fell in.")
    points = _num("Points from this indicator; base points + the sum of points = score.")
    max_points = _num()
    estimated = fields.Boolean(required=True, metadata={"description": "True when the value was estimated."})


class ReasonCodeSchema(ContractSchema):
    code = _str()
    indicator = _str()
    effect = fields.String(required=True, validate=validate.OneOf(("positive", "negative")))
    points = _num()
    message = _str("The driver in plain words.")
    # optional: ratings are served as stored, and those of schema 1.5 and before have no Chinese
    message_zh = fields.String(metadata={"description": "The driver in Chinese (from schema 1.6)."})


_SAVED = (
    "tCO2e a year the change saves on the inventory's total (Scope 1, location-based Scope 2, Scope 3): "
    "physical emissions, so green power bought under certificates saves none; negative when the change "
    "adds emissions (an EV charged on a coal-heavy grid); null when it changes none."
)


class ImprovementSchema(ContractSchema):
    action = _str()
    indicator = _str()
    from_value = fields.Float(data_key="from", required=True, allow_none=True, allow_nan=False)
    to_value = fields.Float(data_key="to", required=True, allow_none=True, allow_nan=False)
    score_gain = _num()
    grade_after = fields.String(required=True, validate=validate.OneOf(GRADES))
    tco2e_saved = _num(_SAVED, nullable=True)
    cost = fields.String(required=True, validate=validate.OneOf(("low", "medium", "high")))
    description = _str()
    description_zh = _str("The action in Chinese.")


class HeldBackSchema(ContractSchema):
    reason = _one_of(("knock_out", "missing_data", "beyond_actions"))
    knock_out = _str("The knock-out's id (reason knock_out).", nullable=True)
    indicators = _strings(
        "Indicators scored in their missing bin (reason missing_data): figures not reported and practices "
        "not answered."
    )
    points = _num("Points the indicators not reported could earn at most (reason missing_data).",
                  nullable=True)
    message = _str("What holds the grade back and what to do about it, in plain words.")
    message_zh = _str("The message in Chinese.")


class PathToNextGradeSchema(ContractSchema):
    target_grade = fields.String(required=True, allow_none=True, validate=validate.OneOf(GRADES))
    reachable = fields.Boolean(required=True)
    actions = _strings(
        "Improvement actions that together reach the target grade, cheapest first; from engine 1.6 none of "
        "them can be left out (each was tried without, costliest first)."
    )
    score_gains = fields.List(  # optional: absent from the ratings stored before schema 1.10
        fields.Float(allow_nan=False),
        metadata={"description": (
            "The points each of `actions` adds after the ones before it, in the same order (each prefix "
            "re-rated): they add up to `score_after` minus the rating's score (from schema 1.10). An "
            "improvement's own `score_gain` is measured alone and differs where actions of the path move "
            "the same indicator: two green operations each earn the first bin's points alone, the second "
            "bin's together. Empty when the path is not reachable."
        )},
    )
    score_after = _num()
    grade_after = fields.String(required=True, allow_none=True, validate=validate.OneOf(GRADES))
    tco2e_saved = _num(_SAVED, nullable=True)
    held_back_by = fields.List(  # optional: absent from the ratings stored before schema 1.6
        fields.Nested(HeldBackSchema),
        metadata={"description": (
            "Why the target grade is out of reach, in this order (empty when it is reachable or there is no "
            "better grade; from schema 1.6): a knock-out capping the grade below it, with what lifts it; the "
            "points figures not reported and practices not answered could earn (from engine 2.3 only where "
            "they could change the grade: every action together falls short of the grade's floor and no "
            "knock-out that no data lifts caps it below); the score every modelled action reaches together, "
            "when short of the grade's floor (from engine 2.4 only where no such knock-out caps it below)."
        )},
    )


class Scope3Schema(ContractSchema):
    total = _num()
    categories = fields.Dict(keys=fields.String(), values=fields.Float(allow_nan=False), required=True)
    categories_included = _strings("GHG Protocol Scope 3 categories included.")


class IntensitiesSchema(ContractSchema):
    per_cny_million_revenue = _num(
        "emissions.total (Scopes 1 + 2 location-based and the Scope 3 categories included) per CNY "
        "million of revenue."
    )
    scope12_market_per_cny_million_revenue = _num("Scope 1 + market-based Scope 2, per CNY million.")
    per_employee = _num("tCO2e per employee.")
    per_m2 = _num("tCO2e per m² of floor area (null without floor area).", nullable=True)
    #: Not required: ratings are served as stored, and one issued before schema 1.7 (engine 1.8) lacks it.
    scope12_location_per_cny_million_revenue = fields.Float(
        allow_nan=False,
        metadata={"description": (
            "Gross Scope 1 + location-based Scope 2, per CNY million (VSME B3's intensity, which optional "
            "Scope 3 data does not move). From schema 1.7: absent from a rating issued before it."
        )},
    )


class BenchmarkSchema(ContractSchema):
    sector = _str()
    sector_name = _str()
    basis = _str()
    expected = _num(nullable=True)
    actual = _num(nullable=True)
    unit = _str()
    source = _str()
    estimated = fields.Boolean(required=True)


class FactorReferenceSchema(ContractSchema):
    id = _str()
    value = _num()
    unit = _str()
    source = _str()
    source_url = _str(nullable=True)
    year = fields.Integer(required=True, allow_none=True)
    region = _str(nullable=True)
    gwp_basis = fields.String(
        metadata={
            "description": "Gases and warming potentials of the factor: `CO2 only`, `AR5` or `AR6` (CO2e on "
            "that IPCC report's GWP100), `n/a` (a caller-supplied or parameter record). Absent from ratings "
            "issued before schema 1.2."
        }
    )


class LineItemSchema(ContractSchema):
    path = _str("Input field the line comes from.")
    activity = _str()
    scope = fields.Integer(required=True, validate=validate.OneOf((1, 2, 3)))
    category = _str(nullable=True)
    quantity = _num()
    unit = _str()
    tco2e = _num()
    factor_id = _str(nullable=True)
    quality = _one_of(LINE_QUALITIES, "measured (no factor), calculated (factor x activity) or estimated.")
    scope2_basis = _one_of(SCOPE2_BASES, "Scope 2 lines: the basis whose total it counts in.", nullable=True)


class EmissionsSchema(ContractSchema):
    scope1 = _num("tCO2e.")
    scope2_location = _num("tCO2e, location-based.")
    scope2_market = _num("tCO2e, market-based.")
    scope3 = fields.Nested(Scope3Schema, required=True)
    total = _num("Scope 1 + location-based Scope 2 + Scope 3, tCO2e.")
    unit = fields.String(required=True, validate=validate.Equal("tCO2e"))
    intensities = fields.Nested(IntensitiesSchema, required=True)
    energy_mwh = _num()
    electricity_mwh = _num()
    renewable_share = _num(
        "Renewable share of all energy, 0-1; null when no energy is reported.", nullable=True
    )
    renewable_electricity_share = _num(
        "Renewable share of electricity, 0-1; null when no electricity is reported.", nullable=True
    )
    sector_percentile = fields.Integer(required=True, allow_none=True)
    efficiency_ratio = _num(nullable=True)
    benchmark = fields.Nested(BenchmarkSchema, required=True)
    grid_factor = fields.Nested(FactorReferenceSchema, required=True, allow_none=True)
    residual_factor = fields.Nested(FactorReferenceSchema, required=True, allow_none=True)
    factors = fields.List(fields.Nested(FactorReferenceSchema), required=True)
    line_items = fields.List(fields.Nested(LineItemSchema), required=True)
    estimated = _strings("Figures that were estimated.")
    fallbacks = _strings("Factor fallbacks taken.")
    missing = _strings(
        "Inputs neither given nor estimated (counted as nothing, so the figure they feed is partial): "
        "`energy.fuels` and `transport.fleet` when left out (an empty list is an answer, none), "
        "`energy.purchased_heat_gj` when left out where the standard asks for it (1.9.0 on: the 20 "
        "provinces of its list, a business in China naming no province, manufacturers everywhere), "
        "`resources.water_m3`, `resources.waste_t`, and `transport.business_travel` when left out (engine "
        "2.13 on; `[]` is an answer, none: category 6 at zero)."
    )
    assumptions = _strings("Assumptions made in the inventory.")
    not_available = _strings("Figures that could not be computed.")


class NeutralitySchema(ContractSchema):
    reduction = _num(
        "tCO2e: the like-for-like cut of Scope 1+2 (location-based) on the previous year, at this year's "
        "factors, floored at 0; null without comparable previous-year data.",
        nullable=True,
    )
    substitution = _num("tCO2e: emissions displaced by renewable electricity, at the location grid factor.")
    offsets_tco2e = _num()
    offsets_by_type = fields.Dict(keys=fields.String(), values=fields.Float(allow_nan=False), required=True)
    offsets_by_standard = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_nan=False), required=True
    )
    net_scope12_after_credits = _num(
        "tCO2e: market-based Scope 1+2 minus the credits retired, floored at 0 from schema 1.5 (earlier "
        "ratings may show a negative figure); credits beyond it are surplus_credits_tco2e."
    )
    surplus_credits_tco2e = fields.Float(
        allow_nan=False,
        metadata={
            "description": "tCO2e of credits retired beyond market-based Scope 1+2 (0 when they do not cover "
            "it): never a negative net. Absent from ratings issued before schema 1.5."
        },
    )
    operationally_neutral = fields.Boolean(required=True)
    reduction_basis = _str("How the year-on-year reduction was computed.")
    change_pct = _num("Year-on-year change of Scope 1+2, percent.", nullable=True)
    compared_previous_tco2e = _num(
        "tCO2e: the previous year's side of that comparison (Scope 1+2 location-based of the activities "
        "reported in both years, at this year's factors); null without comparable previous-year data.",
        nullable=True,
    )
    compared_current_tco2e = _num(
        "tCO2e: this year's side of that comparison, over the same activities; null without comparable "
        "previous-year data.",
        nullable=True,
    )
    note = _str("Credits are never netted from gross emissions; this is a separate claim.")


class EquivalentsSchema(ContractSchema):
    cars_off_road_per_year = _num("Cars at 12,000 km × 0.203 kg CO2e/km a year.")
    basis = _str()


class DataQualitySchema(ContractSchema):
    pcaf_score = fields.Integer(required=True, validate=validate.Range(1, 5), metadata={
        "description": "The borrower's PCAF data-quality score, 1 (best) to 5: its `data_source`'s score "
        "under the standard (`data_quality.pcaf_by_data_source`: verified_report 1, self_reported_inventory "
        "and energy_bills 2, estimated 4), worsened by every estimated input (`estimated_fields`). It scores "
        "the data the rating was computed from: greenrate always computes the emissions itself from the "
        "activity data with the pinned factors, and PCAF counts such emissions as option 2a (score 2), "
        "whatever `data_source` says. A loan's own score, which also needs the borrower's balance sheet, is "
        "`financed_emissions.pcaf_score`, which scores 1 only on the borrower's own verified emissions "
        "(`reported_emissions`, PCAF option 1a) and 2 at best on greenrate's computed ones (option 2a)."})
    completeness = fields.Float(required=True, validate=validate.Range(0, 1))
    estimated_fields = _strings()
    data_source = _one_of(DATA_SOURCES)


#: What ``eligible`` means, said on the field itself: the warning that a borrower's eligibility is not a
#: green loan had been in docs/rating-engine.md alone, and a bank integrator's system counted it as one.
_ELIGIBLE = (
    "Whether green-loan treatment is available, judged on `basis`. With a loan (`basis: use_of_proceeds`): "
    "the loan is eligible as a green loan, its use of proceeds being a green category of the standard and "
    "no knock-out blocking it. WITHOUT a loan (`basis: borrower`) it speaks of the borrower only: a loan "
    "whose proceeds finance a green category would be eligible. That is no green loan and must never be "
    "counted as one, whatever the grade: a company with no data at all, scored 0 and graded not_green, is "
    "eligible in this sense. Count as green loans only `eligible: true` with `basis: use_of_proceeds`. "
    "False: a knock-out blocks green-loan treatment (`knock_outs`), the use of proceeds is not a green "
    "category, or (standards 1.0.0 to 1.2.0 only, which asked for a minimum grade) the grade is below it. "
    "Ratings issued before schema 1.5 also say true with `basis: green_rated_borrower` for a green-rated "
    "borrower's general-purpose loan, which is not a green loan either."
)


class GreenLoanSchema(ContractSchema):
    """Green-loan eligibility (Green Loan Principles: a loan is green by its use of proceeds), apart from
    the grade, and the green-rated-borrower terms on a general-purpose loan, which are not a green loan."""

    eligible = fields.Boolean(required=True, metadata={"description": _ELIGIBLE})
    basis = _one_of(
        GREEN_LOAN_BASES,
        "What eligibility was judged on; null when `eligible` is false. `use_of_proceeds`: the loan given, "
        "by its use of proceeds (the only basis on which `eligible` means a green loan). `borrower`: no loan "
        "was given, so `eligible` says only that a green-category loan to this borrower would be eligible, "
        "never that there is a green loan to count. `green_rated_borrower` appears only in ratings issued "
        "before schema 1.5, which reported a green-rated borrower's general-purpose loan as eligible; it is "
        "not a green loan.",
        nullable=True,
    )
    category = _one_of(
        _STANDARD.use_of_proceeds,
        "The loan's use of proceeds (`loan.use_of_proceeds`), whether or not it is a green category (from "
        "engine 1.6; earlier ratings give null for a loan that was not eligible); null: no loan given.",
        nullable=True,
        extensible=True,
    )
    green_rated_borrower = fields.Boolean(
        metadata={
            "description": "The borrower's grade (green or better, by the standard's "
            "`green_rated_borrower_min_grade`) and no blocking knock-out qualify it for the bank's "
            "green-rated-borrower terms on a general-purpose loan (MYbank-style preferential pricing). "
            "Such a loan is not a green loan and is never counted as one. Absent from ratings issued before "
            "schema 1.5."
        }
    )
    pricing_tier = _one_of(
        tuple(dict.fromkeys(_STANDARD.pricing_tiers.values())),
        "The standard's pricing tier for the borrower's grade (its `pricing_tiers`): given when `eligible` "
        "is true, and for a general-purpose loan to a borrower with `green_rated_borrower` true (its "
        "preferential terms); null otherwise. With `basis: borrower` it is the tier a green loan to this "
        "borrower would get, not the terms of any loan granted.",
        nullable=True,
        extensible=True,
    )
    rationale = _strings(
        "Why, in English sentences for a credit memo: each knock-out that applies and whether it blocks "
        "green-loan treatment, then the use of proceeds (or, without a loan, what a loan would need), then "
        "the green-rated-borrower terms. Words to read, not to parse: a program branches on the fields above."
    )
    # optional: ratings are served as stored, and those before schema 1.7 have no Chinese rationale
    rationale_zh = fields.List(fields.String(), metadata={
        "description": "The rationale in Chinese, sentence for sentence (from schema 1.7)."})
    knock_outs = _strings(
        "The knock-out rules that deny green-loan treatment ('id: description'); when any is listed, "
        "`eligible` is false. One that only caps the grade (the standard's blocks_green_loan: false) is "
        "named in the rationale instead (and in the rating's own `knock_outs`)."
    )


#: What the financed figures count, said on the fields: they had no description, so a bank could not tell
#: from the contract which Scope 2 ``scope12_tco2e`` holds, nor whose PCAF score ``pcaf_score`` is (a
#: green-loan officer's review); the batch's columns (rating_model.batch) said both.
class FinancedEmissionsSchema(ContractSchema):
    attribution_factor = _num(
        "PCAF attribution factor, rounded to 6 decimals: outstanding / (equity + debt), or / total assets "
        "(PCAF's fallback), both in CNY (`attribution_basis` and `basis` say which), capped at 1; 1 "
        "without a balance sheet (the borrower's whole emissions), 0 when nothing is outstanding. From "
        "schema 1.14 it is recomputed as min(1, `outstanding_cny` / `attribution_denominator_cny`)."
    )
    scope12_tco2e = _num(
        "Financed Scope 1 + Scope 2 location-based (the grid average, as `emissions.scope2_location`), "
        "tCO2e: `attribution_factor` × the borrower's gross Scopes 1+2. Carbon credits are never netted."
    )
    scope3_tco2e = _num(
        "Financed Scope 3 (the categories with data); null when the borrower reported no Scope 3 category: "
        "not measured, which is not zero (always a number before schema 1.5).",
        nullable=True,
    )
    pcaf_score = fields.Integer(required=True, validate=validate.Range(1, 5), metadata={
        "description": "This loan's PCAF data-quality score, 1 (best) to 5, of its financed Scopes 1+2 (the "
        "score PCAF weights by outstanding, Box 8), when a balance sheet is given (equity + debt, or total "
        "assets): on the borrower's reported emissions (`emissions_source`), 1 when verified (PCAF option "
        "1a) and 2 when not (1b); on greenrate's computed emissions, the borrower's "
        "(`data_quality.pcaf_score`) but never better than 2 (option 2a: emissions from primary energy data, "
        "however well checked; ratings before schema 1.11 gave a `verified_report` 1 here). 5 without a "
        "balance sheet (`attribution_basis` `none`: only the outstanding amount known). PCAF reports the "
        "data quality of Scope 3 apart: from engine 2.12 `basis` states the financed Scope 3's own score (a "
        "computed Scope 3 is option 2b, 3 at best and never better than the borrower's; a reported one 1 or "
        "2 as above; 5 without a balance sheet), and from schema 1.13 `scope3_pcaf_score` gives it; ratings "
        "before engine 2.12 give Scope 3 no score of its own."})
    # optional: ratings are served as stored, and those before schema 1.13 have no such key
    scope3_pcaf_score = fields.Integer(allow_none=True, validate=validate.Range(1, 5), metadata={
        "description": "The PCAF data-quality score, 1 (best) to 5, of this loan's financed Scope 3 on its "
        "own (PCAF Part A reports Scope 3 and its data quality apart from Scopes 1+2): on the borrower's "
        "reported Scope 3, 1 when verified (option 1a) and 2 when not (1b); on greenrate's computed Scope 3 "
        "(business travel, water and waste priced at average factors, option 2b) 3 at best and never better "
        "than the borrower's `data_quality.pcaf_score`; 5 without a balance sheet. Null when no Scope 3 is "
        "attributed (`scope3_tco2e` null). Absent from ratings issued before schema 1.13 (engine 2.12), "
        "whose `pcaf_score` is the loan's only one."})
    emissions_source = fields.String(  # optional: absent from the ratings stored before schema 1.11
        validate=validate.OneOf(EMISSIONS_SOURCES),
        metadata={"description": "Whose emissions are attributed: `computed` (greenrate's inventory, "
                  "`emissions`), or the borrower's own `reported_emissions`, `reported_verified` or "
                  "`reported_unverified`. Absent from ratings issued before schema 1.11 (computed)."},
    )
    # optional: ratings are served as stored, and those before schema 1.14 have none of these four keys.
    # What recomputes the factor from the stored rating (a PCAF analyst's review), named and computed as the
    # batch's result columns are (rating_model.green_loan.FinancedEmissions)
    attribution_basis = fields.String(validate=validate.OneOf(ATTRIBUTION_BASES), metadata={
        "description": "What `attribution_factor` divides by: `equity_plus_debt` (the borrower's equity + "
        "debt, PCAF Part A's business-loan attribution), `total_assets` (PCAF's fallback when equity and "
        "debt are not given), or `none` (no balance sheet: the borrower's whole emissions are attributed, "
        "factor 1, and `pcaf_score` is 5). Absent from ratings issued before schema 1.14 (engine 2.13), "
        "where `basis` says it in words."})
    attribution_denominator_cny = fields.Float(allow_none=True, allow_nan=False, metadata={
        "description": "The balance sheet `attribution_factor` divides by, in CNY to the fen: "
        "`loan.borrower_equity_plus_debt`, or `loan.borrower_total_assets` (`attribution_basis` says "
        "which), in the company's currency at `company.fx_to_cny`. The factor is min(1, `outstanding_cny` "
        "/ this), 0 when nothing is outstanding. Null for attribution basis `none`. Absent from ratings "
        "issued before schema 1.14 (engine 2.13)."})
    loan_fx_to_cny = fields.Float(allow_nan=False, metadata={
        "description": "CNY per unit of the loan's currency that `outstanding_cny` was converted at: 1 for "
        "CNY, `loan.fx_to_cny`, else `company.fx_to_cny` for a loan in the company's currency. Absent "
        "from ratings issued before schema 1.14 (engine 2.13)."})
    outstanding_basis = fields.String(validate=validate.OneOf(OUTSTANDING_BASES), metadata={
        "description": "What `outstanding_cny` was read from: `outstanding` (`loan.outstanding`), or "
        "`amount` (no outstanding given: a new loan's `loan.amount` stands in). Absent from ratings issued "
        "before schema 1.14 (engine 2.13)."})
    basis = _str("How the attribution was made, in words: the balance sheet divided by, what was "
                 "assumed or capped, and (engine 2.12 on) the financed Scope 3's own PCAF score "
                 "(`scope3_pcaf_score`).")
    tco2e_per_cny_million_lent = _num(
        "Financed Scope 1 + Scope 2 location-based per CNY million outstanding; null when nothing is "
        "outstanding (under one yuan).",
        nullable=True,
    )
    outstanding_cny = _num(
        "The outstanding amount in CNY: `loan.outstanding`, or `loan.amount` when it is not given, at the "
        "loan's rate to CNY."
    )


class ReportedEmissionsComparisonSchema(ContractSchema):
    """The business's own inventory as it reported it, beside greenrate's computed one."""

    scope1_tco2e = _num("As reported.")
    scope2_location_tco2e = _num("As reported.")
    scope2_market_tco2e = _num("As reported; null when not reported.", nullable=True)
    scope3_tco2e = _num("As reported; null when not reported.", nullable=True)
    verified = fields.Boolean(required=True)
    verifier = _str("The verification body; null when unverified.", nullable=True)
    pcaf_option = _one_of(("1a", "1b"), "PCAF Part A's option for these figures: 1a verified, 1b not.")
    computed_scope12_tco2e = _num(
        "greenrate's Scope 1 + Scope 2 location-based for the same business (`emissions`), tCO2e."
    )
    difference_scope12_pct = _num(
        "(reported − computed) / computed Scope 1 + 2 location-based, in percent to 0.1; null when "
        "greenrate computed none. No threshold is set (none is published for a small business's "
        "inventory): a wide gap is for the bank to ask about.",
        nullable=True,
    )
    note = _str()


class DisclosureItemSchema(ContractSchema):
    """One disclosed item: `value` only when disclosed, `note` where there is something to say."""

    status = fields.String(required=True, validate=validate.OneOf(DISCLOSURE_STATUSES))
    value = fields.Raw(allow_none=True)
    note = fields.String()


class IssbItemSchema(DisclosureItemSchema):
    """One IFRS S2 item, its words in English and in Chinese."""

    # optional: ratings are served as stored, and those before schema 1.8 have no Chinese notes or values
    note_zh = fields.String(metadata={
        "description": "`note` in Chinese, sentence for sentence, with the same figures (from schema 1.8)."})
    value_zh = fields.Raw(metadata={"description": (
        "`value` in Chinese where it is in words: a sentence, or a list of sentences item for item (from "
        "schema 1.8). Absent for figures and records, and for the factor fallbacks of a rating by an engine "
        "before 2.2 (the factor selection's English only)."
    )})


def _section(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Nested(IssbItemSchema), required=True,
                       metadata={"description": description})


class IssbSummarySchema(ContractSchema):
    """IFRS S2 shape; each item says disclosed, not_applicable or not_available."""

    governance = _section("Paras 5-7: `oversight` (para 6) and `policy`, the business's yes or no in words.")
    strategy = _section(
        "Paras 8-23. `transition_risks` is greenrate's reading of the industry code (VSME's high-climate-"
        "impact sectors), not the business's own assessment. `transition_plan`, when disclosed, is the "
        "business's reduction targets as records (as `metrics_and_targets.targets`), not a transition plan."
    )
    risk_management = _section("Para 25: `process`, from the ISO 14001 and energy-audit answers.")
    metrics_and_targets = _section(
        "Paras 29-36. Scope figures in tCO2e, gross: carbon credits are never deducted (29(a)(i)); "
        "`scope2_location_tco2e` is the figure 29(a)(v) requires, `scope2_market_tco2e`'s note gives the "
        "contractual instruments; `scope3_tco2e`'s note names the categories included (29(a)(vi)). "
        "`energy_mwh` in MWh; `ghg_intensity_per_cny_million` in tCO2e per CNY million of revenue (a "
        "turnover in another currency converted at `company.fx_to_cny`). `climate_opportunities` is a 0-1 "
        "share of sales (29(d)). `targets` are records `{scopes, base_year, target_year, reduction_pct}`, "
        "`reduction_pct` in percent (0-100), with `kind` (absolute or intensity, 33(g)), `gases` (36(a)), "
        "`net_of_credits` (36(c)) and `validated_by` (34(a)) where the business stated them (schema 1.14); "
        "the note says what it did not. `carbon_credits` are records `{standard, tco2e, type: avoidance or "
        "removal, vintage}` the business reports, listed apart and never netted. `capital_deployment` is "
        "`{amount, currency, use_of_proceeds}` of a loan for a green category (29(e)); "
        "`scope12_comparative` is `{previous_year_tco2e, reporting_year_tco2e, change_pct}`, the previous "
        "year restated like for like."
    )
    basis_of_preparation = _section(
        "How the figures were made and what they leave out: the standard, period and (assumed) entity, the "
        "estimates, measurement assumptions, exclusions, factor fallbacks, the reliefs (each transition "
        "relief with its condition, never claimed as applying) and the greenhouse gases covered."
    )


class VersionsSchema(ContractSchema):
    """What made the rating; an identical input is answered with an earlier rating only under all of them."""

    model = _str("Scorecard artifact version.")
    standard = _str("Green evaluation standard (label and version).")
    factor_set = _str("Default emission-factor set.")
    schema = _str("Version of the operating-data and rating documents.")
    engine = fields.String(
        metadata={
            "description": "Version of the rating computation (the engine's code). Absent from ratings "
            "issued before it was recorded (2026-12-05); listed as `unrecorded` for them."
        }
    )


class KnockOutSchema(ContractSchema):
    """A knock-out rule of the standard that applies to this business (client review: an applied cap
    that does not block green loans had been named in ``green_loan.rationale`` prose alone)."""

    id = _one_of(tuple(k.id for k in _STANDARD.knock_outs), "The rule's id in the standard.", extensible=True)
    name = _str()
    # optional: absent from the ratings stored before schema 1.7
    name_zh = fields.String(metadata={"description": "The rule's name in Chinese (from schema 1.7)."})
    cap_grade = fields.String(
        required=True, validate=validate.OneOf(GRADES), metadata={"description": "The best grade it allows."}
    )
    blocks_green_loan = fields.Boolean(
        required=True, metadata={"description": "Whether it also denies green-loan treatment."}
    )


class RatingSchema(ContractSchema):
    """One green rating, exactly as issued (fetching it back returns the same bytes)."""

    id = _str("Rating id, scoped to the tenant.")
    external_id = _str("The company's external_id, when given.", nullable=True)
    issued_at = fields.DateTime(required=True, format="iso")
    valid_until = fields.DateTime(required=True, format="iso")
    score = fields.Float(required=True, validate=validate.Range(0, 100), metadata={"description": "0-100."})
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    score_grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "The grade the score alone earns, before knock-out rules."},
    )
    knock_outs = fields.List(
        fields.Nested(KnockOutSchema),
        metadata={
            "description": "The standard's knock-out rules that apply, in its order (empty: none). Absent "
            "from ratings issued before schema 1.4, which are served exactly as issued."
        },
    )
    probability_green = fields.Float(
        required=True,
        validate=validate.Range(0, 1),
        metadata={
            "description": "The model's probability that an assessment would find the business green, "
            "calibrated to the population the model was trained on: for the packaged default a SYNTHETIC "
            "population (its model card, GET /v1/models/{version}), so it is not a calibrated probability "
            "for real businesses until a model trained on real labels is promoted. The grade comes from the "
            "score and the standard's cut-offs, not from this figure."
        },
    )
    base_points = _num()
    pillars = fields.List(fields.Nested(PillarSchema), required=True)
    contributions = fields.List(fields.Nested(ContributionSchema), required=True)
    reason_codes = fields.List(fields.Nested(ReasonCodeSchema), required=True)
    improvements = fields.List(fields.Nested(ImprovementSchema), required=True)
    path_to_next_grade = fields.Nested(PathToNextGradeSchema, required=True)
    emissions = fields.Nested(EmissionsSchema, required=True)
    neutrality = fields.Nested(NeutralitySchema, required=True)
    equivalents = fields.Nested(EquivalentsSchema, required=True)
    data_quality = fields.Nested(DataQualitySchema, required=True)
    green_loan = fields.Nested(GreenLoanSchema, required=True)
    financed_emissions = fields.Nested(FinancedEmissionsSchema, required=True, allow_none=True)
    reported_emissions = fields.Nested(  # optional: absent from the ratings stored before schema 1.11
        ReportedEmissionsComparisonSchema,
        allow_none=True,
        metadata={"description": "The business's own inventory (the request's `reported_emissions`) beside "
                  "the computed one; null when none was sent. Never scored. Absent from ratings issued "
                  "before schema 1.11."},
    )
    issb_summary = fields.Nested(IssbSummarySchema, required=True)
    versions = fields.Nested(VersionsSchema, required=True)
