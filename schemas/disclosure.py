"""The disclosure of an issued rating as JSON: the IFRS S2-shaped document and the VSME-keyed export.

``GET /v1/ratings/{rating_id}/disclosure`` documented both as a free-form object, so a client generated
from ``/openapi.json`` saw an untyped dictionary (client review: "disclosure JSON free-form"). These
schemas publish what :func:`rating_model.disclosure.build_disclosure` and
:func:`rating_model.vsme.vsme_export` build, and nothing else (``unknown = RAISE``, so the contract tests
notice the day the engine and the contract drift apart). The five IFRS S2 sections are the rating's own
``issb_summary`` sections copied as issued, so they are typed by the same schema (:class:`IssbSummarySchema`,
inherited) rather than a second description of one thing; a VSME datapoint is an item as an IFRS one is
(without its Chinese: the VSME export is English) with a unit.
"""

from __future__ import annotations

from marshmallow import fields, validate

from rating_model.disclosure_reported import REPORTED_STATUSES
from rating_model.green_loan import EMISSIONS_SOURCES
from rating_model.standard import GRADES
from schemas.rating import (
    DISCLOSURE_STATUSES,
    ContractSchema,
    DataQualitySchema,
    DisclosureItemSchema,
    IntensitiesSchema,
    IssbSummarySchema,
    LineItemSchema,
    PillarSchema,
    VersionsSchema,
    _num,
    _one_of,
    _str,
    _strings,
)


class DisclosedKnockOutSchema(ContractSchema):
    """A knock-out rule that applies to the rating, as the disclosure states it beside the grade (from
    disclosure 1.1): read from the stored rating, never re-rated."""

    id = _str("The rule's id in the standard the rating names.")
    name = _str()
    name_zh = _str("The rule's name in Chinese; null for a rating issued before schema 1.7.", nullable=True)
    cap_grade = fields.String(
        required=True, validate=validate.OneOf(GRADES), metadata={"description": "The best grade it allows."}
    )
    blocks_green_loan = fields.Boolean(
        required=True, metadata={"description": "Whether it also denies green-loan treatment."}
    )
    trigger = _str(
        "What set it off, as the rating's green-loan rationale names it (the energy ratio, the penalties, "
        "the fuel burned...); null where the rationale names nothing.",
        nullable=True,
    )
    trigger_zh = _str("`trigger` in Chinese; null where the rating has no Chinese rationale.", nullable=True)
    remedy = _str(
        "What lifts it: the rating's own words where the cap holds the next grade back "
        "(`path_to_next_grade.held_back_by`), else the remedy of the standard the rating names.",
        nullable=True,
    )
    remedy_zh = _str("`remedy` in Chinese.", nullable=True)


class DisclosedRatingSchema(ContractSchema):
    """The rating a disclosure cites: its id and dates, and the figures a reader checks first."""

    id = _str("Rating id, scoped to the tenant.")
    issued_at = fields.DateTime(required=True, format="iso")
    valid_until = fields.DateTime(required=True, format="iso")
    score = fields.Float(required=True, validate=validate.Range(0, 100), metadata={"description": "0-100."})
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    score_grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "The grade the score alone earns: worse than `grade` only where a knock-out "
                  "caps it (from disclosure 1.1)."},
    )
    knock_outs = fields.List(
        fields.Nested(DisclosedKnockOutSchema),
        required=True,
        allow_none=True,
        metadata={"description": "Every knock-out that applies, in the standard's order (empty: none; from "
                  "disclosure 1.1); null for a rating issued before schema 1.4, which did not record them."},
    )
    pillars = fields.List(fields.Nested(PillarSchema), required=True)
    versions = fields.Nested(VersionsSchema, required=True)


class DisclosureCompanySchema(ContractSchema):
    """The company as the rated operating data gave it; a figure it did not report is null."""

    name = _str("As the rated input gave it (a pseudonym, perhaps); null when it gave none.", nullable=True)
    country = _str("ISO 3166-1 alpha-2.")
    region = _str("ISO 3166-2 subdivision; null when not reported.", nullable=True)
    industry_code = _str("ISIC Rev.4 code.")
    employees = fields.Integer(required=True)
    annual_revenue = _num("In `currency`.")
    currency = _str("ISO 4217.")
    reporting_year = fields.Integer(required=True)
    floor_area_m2 = _num("Null when not reported.", nullable=True)


class ScopeStatusesSchema(ContractSchema):
    """Each scope's status, as the rating's IFRS S2 metrics state it."""

    scope1 = _one_of(DISCLOSURE_STATUSES)
    scope2_location = _one_of(DISCLOSURE_STATUSES)
    scope2_market = _one_of(DISCLOSURE_STATUSES)
    scope3 = _one_of(DISCLOSURE_STATUSES)


_UNDISCLOSED_IS_NULL = "tCO2e; null when `status` says the scope is not disclosed (unknown, never 0)."


class DisclosureInventorySchema(ContractSchema):
    """The GHG inventory of the rating, gross: carbon credits are never deducted."""

    unit = fields.String(required=True, validate=validate.Equal("tCO2e"))
    scope1 = _num(_UNDISCLOSED_IS_NULL, nullable=True)
    scope2_location = _num(_UNDISCLOSED_IS_NULL, nullable=True)
    scope2_market = _num(_UNDISCLOSED_IS_NULL, nullable=True)
    scope3 = _num(_UNDISCLOSED_IS_NULL, nullable=True)
    status = fields.Nested(ScopeStatusesSchema, required=True)
    scope3_categories = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_nan=False), required=True,
        metadata={"description": "tCO2e by GHG Protocol Scope 3 category."},
    )
    scope3_categories_included = _strings("GHG Protocol Scope 3 categories included.")
    total = _num("Scope 1 + location-based Scope 2 + Scope 3, tCO2e.")
    energy_mwh = _num()
    electricity_mwh = _num()
    renewable_share = _num("0-1; null when no energy is reported.", nullable=True)
    renewable_electricity_share = _num("0-1; null when no electricity is reported.", nullable=True)
    intensities = fields.Nested(IntensitiesSchema, required=True)
    estimated = _strings("Inventory figures that were estimated.")
    line_items = fields.List(
        fields.Nested(LineItemSchema),
        required=True,
        metadata={"description": "Every line of the inventory as the rating issued it "
                  "(`emissions.line_items`): the input it comes from, the activity, quantity and unit, the "
                  "factor (in `factor_sources`), tCO2e, its quality and, in Scope 2, the basis whose total "
                  "it counts in (from disclosure 1.3)."},
    )
    missing = _strings(
        "The inputs neither given nor estimated, as the rating lists them (`emissions.missing`): counted as "
        "nothing, so the scopes, the energy and the intensities they feed are partial, not a measured zero "
        "(from disclosure 1.3)."
    )


_NOT_REPORTED_IS_NULL = "null when `status` is `not_reported`."


class DisclosureReportedEmissionsSchema(ContractSchema):
    """The business's own reported inventory beside greenrate's computed one, and which of the two the
    loan's financed emissions attribute (from disclosure 1.2): read from the rating's `reported_emissions`
    and `financed_emissions`, never re-rated. Never scored."""

    status = _one_of(REPORTED_STATUSES, "`not_reported`: the rating request carried no `reported_emissions` "
                     "(nor could one before schema 1.11); every figure of the business's is then null.")
    unit = fields.String(required=True, validate=validate.Equal("tCO2e"))
    scope1_tco2e = _num("As reported; " + _NOT_REPORTED_IS_NULL, nullable=True)
    scope2_location_tco2e = _num("As reported; " + _NOT_REPORTED_IS_NULL, nullable=True)
    scope2_market_tco2e = _num("As reported; null when not reported.", nullable=True)
    scope3_tco2e = _num("As reported; null when not reported.", nullable=True)
    scope12_location_tco2e = _num(
        "The reported Scope 1 + Scope 2 location-based, the figure compared; " + _NOT_REPORTED_IS_NULL,
        nullable=True,
    )
    verified = fields.Boolean(required=True, allow_none=True, metadata={
        "description": "Whether a verification body verified the figures; " + _NOT_REPORTED_IS_NULL})
    verifier = _str("The verification body; null when unverified or not reported.", nullable=True)
    pcaf_option = _one_of(("1a", "1b"), "PCAF Part A's option for the reported figures: 1a verified, 1b not; "
                          + _NOT_REPORTED_IS_NULL, nullable=True)
    computed_scope12_tco2e = _num(
        "greenrate's Scope 1 + Scope 2 location-based, as the rating compared it; " + _NOT_REPORTED_IS_NULL,
        nullable=True,
    )
    difference_scope12_pct = _num(
        "(reported − computed) / computed Scope 1 + 2 location-based, in percent to 0.1, as the rating "
        "gives it; null when not reported or when greenrate computed none. No threshold is set.",
        nullable=True,
    )
    financed_emissions_source = _one_of(
        EMISSIONS_SOURCES,
        "Whose emissions the loan's financed emissions attribute (the rating's "
        "`financed_emissions.emissions_source`; `computed` for a rating before schema 1.11); null when the "
        "rating has no loan.",
        nullable=True,
    )
    financed_pcaf_score = fields.Integer(required=True, allow_none=True, validate=validate.Range(1, 5),
                                         metadata={"description": "The loan's PCAF data-quality score "
                                                   "(`financed_emissions.pcaf_score`); null without a loan."})
    statement = _str("The comparison and the attribution in words, to quote.")


class FactorSourceSchema(ContractSchema):
    """An emission factor the inventory used, once per id."""

    id = _str()
    value = _num()
    unit = _str()
    source = _str()
    year = fields.Integer(required=True, allow_none=True)
    source_url = _str(nullable=True)


class BillConversionSchema(ContractSchema):
    """An input converted from a bill's amount at the standard's assumed tariff: estimated, but from the
    business's own bill, not from a sector default."""

    field = _str("The input filled (`energy.electricity_kwh`).")
    from_field = _str("The amount it was converted from (`energy.electricity_spend`).")
    tariff_cny_per_kwh = _num(
        "The tariff the standard assumes; null when that standard is not published here.", nullable=True
    )
    standard = _str("The standard (`id@version`) whose estimation rules give the tariff.")
    tariff_source = _str("The standard's own words on the tariff's origin.", nullable=True)


class DisclosureDataQualitySchema(DataQualitySchema):
    """The rating's data quality, with what rests on assumptions and a statement a reader can quote."""

    sector_default_fields = _strings("Input fields estimated from the standard's sector defaults.")
    bill_conversions = fields.List(
        fields.Nested(BillConversionSchema),
        required=True,
        metadata={"description": "Inputs converted from a bill's amount at the standard's assumed tariff."},
    )
    assumed_figures = _strings(
        "Inventory figures resting on greenrate's own assumptions (a vehicle at the seed distance) rather "
        "than on the standard's estimation rules."
    )
    statement = _str("How much of the inventory was estimated, in words.")


class DisclosureSchema(IssbSummarySchema):
    """The IFRS S2-shaped disclosure of one rating (`?format=ifrs_s2`, the default).

    `governance`, `strategy`, `risk_management`, `metrics_and_targets` and `basis_of_preparation` are the
    rating's `issb_summary` sections as issued: each item disclosed (with its value), not_applicable or
    not_available.
    """

    disclosure_version = _str("Version of this document's shape.")
    framework = _str()
    rating = fields.Nested(DisclosedRatingSchema, required=True)
    company = fields.Nested(DisclosureCompanySchema, required=True)
    inventory = fields.Nested(DisclosureInventorySchema, required=True)
    reported_emissions = fields.Nested(DisclosureReportedEmissionsSchema, required=True)
    factor_sources = fields.List(fields.Nested(FactorSourceSchema), required=True)
    data_quality = fields.Nested(DisclosureDataQualitySchema, required=True)
    carbon_credits_note = _str("Credits are never netted from gross emissions.")


class VsmeDatapointSchema(DisclosureItemSchema):
    """One VSME datapoint: `value` (and `unit`, where it has one) only when disclosed."""

    unit = fields.String()
    estimated = fields.Boolean(
        metadata={"description": (
            "B3 figures, when disclosed: whether the figure rests on an estimated input (a sector default, "
            "a bill converted at the standard's tariff, a vehicle at the seed distance); the note names them."
        )}
    )


def _disclosure(topic: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Nested(VsmeDatapointSchema),
        required=True,
        metadata={"description": topic},
    )


class VsmeDatapointsSchema(ContractSchema):
    """The datapoints of each VSME Basic Module disclosure (EFRAG VSME, 17 December 2024), keyed by the
    datapoint's name."""

    B1 = _disclosure("Basis for preparation: reporting option, legal form, turnover, employees, country...")
    B2 = _disclosure("Practices, policies and future initiatives for the transition.")
    B3 = _disclosure("Energy and greenhouse gas emissions.")
    B4 = _disclosure("Pollution of air, water and soil.")
    B5 = _disclosure("Biodiversity.")
    B6 = _disclosure("Water.")
    B7 = _disclosure("Resource use, circular economy and waste management.")
    B8 = _disclosure("Workforce: general characteristics.")
    B9 = _disclosure("Workforce: health and safety.")
    B10 = _disclosure("Workforce: remuneration, collective bargaining and training.")
    B11 = _disclosure("Convictions and fines for corruption and bribery.")


class VsmeExportSchema(ContractSchema):
    """The VSME Basic Module export of one rating (`?format=vsme`): every datapoint B1-B11, never filled
    in where greenrate does not hold it."""

    standard = _str("The VSME edition the datapoints follow.")
    rating_id = _str()
    data_quality = fields.Nested(
        DisclosureDataQualitySchema,
        required=True,
        metadata={"description": "The PCAF data-quality score and the estimated inputs, as the IFRS S2 "
                                 "disclosure gives them."},
    )
    datapoints = fields.Nested(VsmeDatapointsSchema, required=True)
