"""The operating data a rating is computed from: the marshmallow mirror of ``OperatingData``.

The service validates requests with this schema first (unknown fields, types, NaN, ranges: a 422 keyed by
field path, documented in the OpenAPI contract), then hands the loaded plain dict to ``engine.parse``,
which owns the cross-field rules of the standard. Bounds, patterns and choices are the engine's own,
imported from :mod:`rating_model.operating_data` (its ``LIMITS`` by field path, its ``*_PATTERN``s and its
lists of names), so the two layers cannot drift apart; tests/schemas/test_limits_agree.py probes both at
each bound.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from rating_model.currencies import CURRENCY_CODES, currency_problem
from rating_model.estimation import BILLED_FIELD, bill_tariff
from rating_model.exceptions import UnknownUnitError
from rating_model.flat_columns import FUEL_UNITS
from rating_model.isic import INDUSTRY_CODES, industry_code_problem
from rating_model.operating_data import (
    BELOW_MINIMUM,
    COUNTRY_FORMAT,
    COUNTRY_PATTERN,
    DATA_SOURCES,
    FLEET_FUELS,
    GREEN_INSTRUMENTS,
    INDUSTRY_FORMAT,
    INDUSTRY_PATTERN,
    LIMITS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    PRACTICE_FLAGS,
    REFRIGERANT_GASES,
    REGION_FORMAT,
    REGION_PATTERN,
    STATIONARY_FUELS,
    TARGET_GASES,
    TARGET_KINDS,
    TARGET_VALIDATOR_MAX_LENGTH,
    TRAVEL_MODES,
    VEHICLE_TYPES,
    WholeLimit,
)
from rating_model.standard import load_standard
from rating_model.units import canonical
from schemas.fields import BoundedList, CodeOf, Flag, Number, WholeNumber, not_blank, text

#: What the engine takes for a ``data_source`` left out or null (its reader's default; a test holds the two
#: together, reading the engine's answer rather than its compiled dataclass).
DEFAULT_DATA_SOURCE = "estimated"
_PCAF_BY_SOURCE = load_standard().pcaf_by_data_source
#: the packaged standard's tariff a bill is converted at, and the most kWh it may convert into
_TARIFF = bill_tariff(load_standard())
_MOST_KWH = LIMITS[BILLED_FIELD].maximum


def _bill_description() -> str:
    """What ``energy.electricity_spend`` is and the bound its conversion is held to.

    The maximum published beside it bounds the figure in any currency; the engine also refuses a bill
    whose kWh at the standard's tariff pass the most ``electricity_kwh`` takes (a 422 naming this field,
    :func:`rating_model.estimation.bill_above_bound`). That bound is in CNY after ``fx_to_cny`` and at a
    tariff of the standard, so no static maximum can publish it: a client that validated against the
    document sent CNY bills from 6.5e11 to 1e13 and met a 422 it was told it would not get.
    """
    text = ("The yearly electricity bill, in the company's currency, read only when `electricity_kwh` is "
            "left out: converted to CNY at `company.fx_to_cny` and into kWh at the standard's assumed tariff "
            "(its `estimation` rules, `GET /v1/standard`), and flagged as an estimate.")
    if _TARIFF is None:
        return text
    return (f"{text} A bill that converts to more than {_MOST_KWH:g} kWh, the most `electricity_kwh` takes, "
            "is refused with a 422 naming this field, though within this field's maximum (which bounds the "
            f"figure in any currency): under the packaged standard's {_TARIFF:g} CNY per kWh, a bill of more "
            f"than {_MOST_KWH * _TARIFF:g} CNY.")


def _limit(path: str) -> dict[str, Any]:
    """The engine's bounds of the number at ``path`` (a key of its ``LIMITS``), as keyword arguments of
    :class:`Number` or :class:`WholeNumber`, with the engine's words for a number below the minimum where
    it has some (its ``BELOW_MINIMUM``: a batch row and the API refuse a balance sheet of 0 alike)."""
    bounds = LIMITS[path]
    if isinstance(bounds, WholeLimit):
        return {"minimum": bounds.minimum, "maximum": bounds.maximum}
    return {"minimum": bounds.minimum, "maximum": bounds.maximum,
            "exclusive_minimum": bounds.exclusive_minimum, "below_minimum": BELOW_MINIMUM.get(path)}


#: the engine's list of currency codes and its words for a code not on it (rating_model.currencies)
_ISO_4217 = CodeOf(CURRENCY_CODES, currency_problem)
#: the engine's ISIC Rev. 4 codes and its words for one of 2-4 digits not among them (rating_model.isic);
#: the pattern stays, for text that is not 2-4 digits
_ISIC_REV_4 = CodeOf(INDUSTRY_CODES, industry_code_problem)


def _known_unit(unit: str) -> None:
    """A unit the engine knows at all, checked here so that a typo (``"parsecs"``) is reported with the
    request's other field errors in one 422; whether it fits the fuel (litres of coal) needs the factor set
    and stays the engine's check."""
    try:
        canonical(unit, field="unit")
    except UnknownUnitError as exc:
        raise ValidationError(exc.message) from None


class StrictSchema(Schema):
    """Unknown fields are refused, never dropped (api-v1.md)."""

    class Meta:
        unknown = RAISE


def _list(schema: type[Schema], max_items: int, description: str) -> BoundedList:
    return BoundedList(
        fields.Nested(schema),
        max_items=max_items,
        allow_none=True,
        metadata={"description": description},
    )


class CompanySchema(StrictSchema):
    name = text(
        description="Legal or trading name, or a pseudonym of the bank's choosing, or left out: nothing is "
        "computed from it, it is only printed in the disclosures (a disclosure of a rating without one "
        "says the name was not given). Never logged. A sole proprietor's business name is personal "
        "information: send one only where the disclosure must carry it. A blank one is refused: leave it "
        "out instead.",
        also=(not_blank,),
    )
    country = text(
        required=True,
        pattern=COUNTRY_PATTERN.pattern,
        pattern_error=COUNTRY_FORMAT,
        description="ISO 3166-1 alpha-2.",
    )
    region = text(
        pattern=REGION_PATTERN.pattern,
        pattern_error=REGION_FORMAT,
        description="ISO 3166-2 subdivision, e.g. CN-ZJ.",
    )
    industry_code = text(
        required=True,
        pattern=INDUSTRY_PATTERN.pattern,
        pattern_error=INDUSTRY_FORMAT,
        also=(_ISIC_REV_4,),
        description="ISIC Rev.4 code: a division (2 digits), group (3) or class (4) of the UN Statistics "
        "Division's structure (a section's letter is not taken). Its first two digits, the division, pick "
        "the benchmark sector.",
    )
    employees = WholeNumber(required=True, **_limit("company.employees"))
    annual_revenue = Number(required=True, **_limit("company.annual_revenue"))
    currency = text(
        required=True,
        also=(_ISO_4217,),
        description="ISO 4217 code of all money fields (List One, and the few codes withdrawn from it "
        "lately; `RMB` is not a code, nor `CNH`, the offshore market's name for it: the renminbi's is `CNY`, "
        "offshore yuan counted at par).",
    )
    reporting_year = WholeNumber(
        required=True,
        **_limit("company.reporting_year"),
        metadata={
            "description": "The year the figures are of. A rating or a stored profile of a year after the "
            "year of issue (UTC) is refused (422): a year not yet begun has no figures to rate."
        },
    )
    floor_area_m2 = Number(**_limit("company.floor_area_m2"))
    external_id = text(
        max_length=120,
        description="The bank's own reference; ratings can be listed by it. Stored without leading and "
        "trailing spaces (a listing by it is trimmed alike); a blank one is refused, as it could never be "
        "listed: leave it out instead.",
        also=(not_blank,),
    )
    operating_hours_per_week = Number(**_limit("company.operating_hours_per_week"))
    fx_to_cny = Number(
        **_limit("company.fx_to_cny"),
        metadata={
            "description": "CNY per unit of currency; required when currency is not CNY, and with CNY "
            "either absent or 1 (another rate would give the revenue two values)."
        },
    )


class FuelUseSchema(StrictSchema):
    fuel = text(required=True, choices=STATIONARY_FUELS)
    quantity = Number(required=True, **_limit("energy.fuels.*.quantity"))
    unit = text(
        required=True,
        max_length=20,
        description="Unit of the quantity; by fuel, with the default factor set: "
        + "; ".join(f"{fuel}: {units}" for fuel, units in FUEL_UNITS.items())
        + ". A unit the fuel cannot be converted from is a 422 naming this field.",
        also=(_known_unit,),
    )


class GridFactorSchema(StrictSchema):
    kgco2e_per_kwh = Number(required=True, **_limit("energy.grid_factor.kgco2e_per_kwh"))
    source = text(required=True, max_length=500)
    year = WholeNumber(**_limit("energy.grid_factor.year"))


class EnergySchema(StrictSchema):
    electricity_kwh = Number(
        **_limit("energy.electricity_kwh"),
        metadata={"description": "Purchased grid electricity, green part included."},
    )
    green_electricity_kwh = Number(**_limit("energy.green_electricity_kwh"))
    green_electricity_instrument = text(choices=GREEN_INSTRUMENTS)
    green_electricity_vintage = WholeNumber(
        **_limit("energy.green_electricity_vintage"),
        metadata={
            "description": "The year the green instruments' electricity was generated (schema 1.13), of "
            "green_electricity_kwh (without it, it changes nothing). The GHG Protocol's Scope 2 Quality "
            "Criteria count an instrument for the period it covers: instruments of another year than the "
            "electricity's "
            "(company.reporting_year; in previous_year, the year before) are not counted (that electricity "
            "is priced at the residual factor, and not in the renewable share), and the disclosure says so. "
            "Left out, the instruments are counted and the disclosure says their vintage was not stated."
        },
    )
    onsite_renewable_kwh = Number(**_limit("energy.onsite_renewable_kwh"))
    fuels = _list(
        FuelUseSchema,
        50,
        "Stationary fuel use. [] says no fuel is burned on site; leaving it out (or null) says it was not "
        "answered, and the standard may estimate it from the sector's default.",
    )
    purchased_heat_gj = Number(
        **_limit("energy.purchased_heat_gj"),
        metadata={"description": (
            "GJ of heat bought from a heating network or an industrial park's steam, from the heat bill; 0 "
            "means none is bought. Left out where the standard asks for it (1.9.0 on: the 20 provinces of "
            "its list, a business in China naming no province, manufacturers in every province), carbon "
            "intensity, the energy ratio and the change on the previous year stay in their missing bins "
            "(`emissions.missing` names it); elsewhere it counts as none."
        )},
    )
    electricity_spend = Number(
        **_limit("energy.electricity_spend"), metadata={"description": _bill_description()}
    )
    grid_factor = fields.Nested(GridFactorSchema, allow_none=True)


class FleetItemSchema(StrictSchema):
    fuel = text(required=True, choices=FLEET_FUELS)
    vehicles = WholeNumber(**_limit("transport.fleet.*.vehicles"))
    km = Number(**_limit("transport.fleet.*.km"))
    fuel_quantity = Number(**_limit("transport.fleet.*.fuel_quantity"))
    unit = text(max_length=20, also=(_known_unit,))
    vehicle_type = text(
        choices=VEHICLE_TYPES,
        default="car",
        description="The vehicles' class, which prices km and vehicles (a fuel_quantity is priced by the "
        "fuel whatever the vehicle): car (average car), van (up to 3.5 t) or hgv (heavy goods vehicle, "
        "lorry), at the DESNZ 2025 per-km factor of the class and fuel (factor set cn-2024.5 on). An hgv "
        "given as km or vehicles must be diesel (DESNZ has no other lorry factor) and give km (no typical "
        "yearly distance of a lorry); a hybrid van needs fuel_quantity; an electric van is priced at its own "
        "kWh/km x the company's grid factor. Vans counted by vehicles alone are estimated at a car's 12,000 "
        "km a year. Left out: car.",
    )


class TravelItemSchema(StrictSchema):
    mode = text(required=True, choices=TRAVEL_MODES)
    passenger_km = Number(required=True, **_limit("transport.business_travel.*.passenger_km"))


class TransportSchema(StrictSchema):
    fleet = _list(
        FleetItemSchema,
        100,
        "Company vehicles. [] says the business runs no vehicles (an answer: compared with the previous "
        "year, so selling the vans is a reduction); leaving it out (or null) says it was not answered.",
    )
    business_travel = _list(
        TravelItemSchema,
        50,
        "Business travel by mode. [] says the business had none (Scope 3 category 6 reported as zero; schema "
        "1.14); leaving it out (or null) says it was not reported, and the rating lists it in "
        "emissions.missing and the IFRS S2 exclusions.",
    )


class ResourcesSchema(StrictSchema):
    water_m3 = Number(**_limit("resources.water_m3"))
    waste_t = Number(**_limit("resources.waste_t"))
    waste_recycled_t = Number(**_limit("resources.waste_recycled_t"))
    hazardous_waste_t = Number(**_limit("resources.hazardous_waste_t"))
    food_waste_t = Number(
        **_limit("resources.food_waste_t"),
        metadata={
            "description": "Of waste_t, food and drink waste sent to landfill, in t (food waste composted or "
            "digested belongs in waste_recycled_t); priced at the food-waste landfill factor instead of the "
            "mixed commercial one."
        },
    )


class RefrigerantUseSchema(StrictSchema):
    gas = text(
        required=True,
        choices=REFRIGERANT_GASES,
        description="The refrigerant, by its ASHRAE 34 name (on the unit's nameplate or the service "
        "invoice). Priced at its GWP100 from the factor set (IPCC AR5 Table 8.A.1; blends from their "
        "ASHRAE 34 mass fractions; cn-2024.6 on). R-22 (HCFC-22) is reported beside the inventory, not "
        "in Scope 1 (not a gas the GHG Protocol counts in the scopes). R-290 and R-600a are refused with a "
        "422 on this field: the factor set has no cited GWP100 for them.",
    )
    recharged_kg = Number(
        required=True,
        **_limit("refrigerants.*.recharged_kg"),
        metadata={"description": "kg of this refrigerant charged into the business's own air conditioning, "
                  "refrigeration or heat pumps during the reporting year to top up what leaked (from the "
                  "service invoices); the charge of newly installed equipment is not a leak and is left "
                  "out."},
    )


#: Green-behaviour flags (``null`` or absent: not answered, which is not "no"); the list is the engine's.
PracticesSchema = StrictSchema.from_dict(
    {
        **{flag: Flag() for flag in PRACTICE_FLAGS},
        "green_products_share": Number(
            **_limit("practices.green_products_share"), metadata={"description": "Share of revenue, 0-1."}
        ),
    },
    name="PracticesSchema",
)


class ComplianceSchema(StrictSchema):
    environmental_penalties_3y = WholeNumber(**_limit("compliance.environmental_penalties_3y"))


class OffsetSchema(StrictSchema):
    standard = text(required=True, choices=OFFSET_STANDARDS)
    tco2e = Number(required=True, **_limit("offsets.*.tco2e"))
    type = text(required=True, choices=OFFSET_TYPES)
    vintage = WholeNumber(
        **_limit("offsets.*.vintage"),
        metadata={
            "description": "The year the credit's reduction or removal took place. A vintage after the year "
            "of issue (UTC) is refused (422): no credit is issued for a year not yet begun; one after the "
            "reporting year is taken (credits are often retired after the year they offset)."
        },
    )


class TargetSchema(StrictSchema):
    scopes = BoundedList(
        WholeNumber(**_limit("targets.*.scopes.*"), allow_none=False), required=True, min_items=1, max_items=3
    )
    # The engine refuses a target year that is not after the base year, so no target holds a base year at
    # the years' maximum or a target year at their minimum: the document publishes the ends a target can
    # reach (a bank integrator's review found published bounds the service refuses), the fields check the
    # years' own range and the engine the order, as before.
    base_year = WholeNumber(
        required=True,
        **_limit("targets.*.base_year"),
        metadata={
            "maximum": LIMITS["targets.*.target_year"].maximum - 1,
            "description": "The year the reduction is measured from: not after company.reporting_year (a "
            "year already measured), and before target_year.",
        },
    )
    target_year = WholeNumber(
        required=True,
        **_limit("targets.*.target_year"),
        metadata={
            "minimum": LIMITS["targets.*.base_year"].minimum + 1,
            "description": "The year the reduction is to be reached by: after base_year.",
        },
    )
    reduction_pct = Number(required=True, **_limit("targets.*.reduction_pct"))
    # What IFRS S2 paras 33-36 ask of a target beyond the four above (schema 1.14): each optional, and left
    # out (or null) the rating's IFRS S2 targets item and the VSME export say it was not stated.
    kind = text(
        choices=TARGET_KINDS,
        description="Whether reduction_pct is of the emissions themselves (`absolute`) or of an intensity, "
        "emissions per unit of revenue, output or floor area (`intensity`) (IFRS S2 para 33(g)).",
    )
    gases = BoundedList(
        text(choices=TARGET_GASES, required=True),
        min_items=1,
        max_items=len(TARGET_GASES),
        allow_none=True,
        metadata={"description": "The greenhouse gases the target covers (IFRS S2 para 36(a)), as the GHG "
                  "Protocol names its seven: " + ", ".join(TARGET_GASES) + " (a gas named twice is counted "
                  "once; the rating lists them in this order)."},
    )
    net_of_credits = Flag(
        metadata={"description": "Whether the target is met net of carbon credits (true) or on gross "
                  "emissions (false) (IFRS S2 para 36(c)). The rating's emissions stay gross either way."},
    )
    validated_by = text(
        max_length=TARGET_VALIDATOR_MAX_LENGTH,
        also=(not_blank,),
        description="The third party that validated the target, e.g. `SBTi` (IFRS S2 para 34(a)); left out "
        "when none did or it is not stated. Printed in the rating's texts, so control and "
        "bidirectional-text characters are refused.",
    )


class PreviousYearSchema(StrictSchema):
    energy = fields.Nested(EnergySchema, allow_none=True)
    transport = fields.Nested(TransportSchema, allow_none=True)


def _uses_of_proceeds() -> str:
    """The description of ``loan.use_of_proceeds``, from the standard: which values are green categories
    (with their Green Loan Principles names) and which are not. It had called every value a "green-loan
    category" and named none, general_working_capital included (a green-loan officer's review)."""
    standard = load_standard()
    green = "; ".join(f"`{key}` ({info['glp']})" for key, info in standard.green_uses.items())
    other = ", ".join(f"`{key}`" for key in standard.non_green_uses)
    return (
        "What the loan finances, one of the standard's uses of proceeds. The Green Loan Principles "
        f"categories: {green}. Not green: {other} (a general-purpose loan, not a green loan; a green-rated "
        "borrower may get preferential terms on it, `green_loan.green_rated_borrower`). The category is "
        "taken as declared: the loan's documents must show it."
    )


_USES = _uses_of_proceeds()


class LoanSchema(StrictSchema):
    amount = Number(required=True, **_limit("loan.amount"))
    currency = text(
        required=True,
        also=(_ISO_4217,),
        description="ISO 4217 code of the loan's amounts (amount, outstanding), as company.currency.",
    )
    use_of_proceeds = text(
        required=True,
        max_length=80,
        choices=load_standard().use_of_proceeds,
        description=_USES,
    )
    outstanding = Number(
        **_limit("loan.outstanding"),
        metadata={
            "description": "The amount outstanding (PCAF: disbursed minus repaid), in the loan's currency; "
            "the PCAF attribution divides it by the balance sheet. Left out or null, `amount` is taken (a "
            "new loan, fully drawn); 0 attributes nothing."
        },
    )
    borrower_equity_plus_debt = Number(
        **_limit("loan.borrower_equity_plus_debt"),
        metadata={
            "description": "The borrower's equity + debt (PCAF attribution), in the company's reporting "
            "currency (company.currency, like annual_revenue), not the loan's: outstanding and balance sheet "
            "are both converted to CNY before dividing (engine 1.9). Above 0: a negative book equity counts "
            "as 0 (PCAF Part A 5.2), so send the debt alone; 0 is refused, never read as unknown: leave it "
            "out when it is not known, and total assets are divided by instead (PCAF's fallback)."
        },
    )
    borrower_total_assets = Number(
        **_limit("loan.borrower_total_assets"),
        metadata={
            "description": "The borrower's total assets, PCAF's fallback when equity + debt is unknown; in "
            "company.currency; above 0 (leave it out when it is not known). Without either, the borrower's "
            "whole emissions are attributed (factor 1, PCAF score 5)."
        },
    )
    fx_to_cny = Number(
        **_limit("loan.fx_to_cny"),
        metadata={
            "description": "CNY per unit of the loan's currency; required when it is neither CNY nor the "
            "company's currency (a loan in the company's currency takes company.fx_to_cny)."
        },
    )


class ReportedEmissionsSchema(StrictSchema):
    """The business's own GHG inventory for the reporting year (schema 1.11)."""

    scope1_tco2e = Number(required=True, **_limit("reported_emissions.scope1_tco2e"))
    scope2_location_tco2e = Number(
        required=True,
        **_limit("reported_emissions.scope2_location_tco2e"),
        metadata={"description": "Scope 2, location-based (the grid average: what China's enterprise GHG "
                  "accounting guidelines report), tCO2e."},
    )
    scope2_market_tco2e = Number(**_limit("reported_emissions.scope2_market_tco2e"))
    scope3_tco2e = Number(
        **_limit("reported_emissions.scope3_tco2e"),
        metadata={"description": "Scope 3 as reported, tCO2e. Left out, a loan attributes greenrate's "
                  "computed Scope 3 (its basis says so)."},
    )
    verified = Flag(
        required=True,
        allow_none=False,
        metadata={"description": "Whether an independent body verified the inventory: true makes a loan's "
                  "financed emissions PCAF option 1a (score 1), false option 1b (score 2), with the "
                  "borrower's balance sheet given (`loan.borrower_equity_plus_debt` or "
                  "`loan.borrower_total_assets`); without one the loan scores 5 either way."},
    )
    verifier = text(
        also=(not_blank,),
        description="The body that verified the inventory: required with `verified: true`, refused with "
        "false. Printed in the rating's texts (`financed_emissions.basis`), so control and "
        "bidirectional-text characters are refused.",
    )


class OperatingDataSchema(StrictSchema):
    """A small business's operating data for one reporting year (request body of a rating)."""

    company = fields.Nested(CompanySchema, required=True)
    energy = fields.Nested(EnergySchema, allow_none=True)
    transport = fields.Nested(TransportSchema, allow_none=True)
    resources = fields.Nested(ResourcesSchema, allow_none=True)
    practices = fields.Nested(PracticesSchema, allow_none=True)
    compliance = fields.Nested(ComplianceSchema, allow_none=True)
    offsets = _list(
        OffsetSchema,
        50,
        "Carbon credits retired (never netted from gross emissions). Left out and `[]` are read alike, as no "
        "credits reported: the disclosures say `not_available`, never that none were used.",
    )
    targets = _list(TargetSchema, 20, "Reduction targets.")
    previous_year = fields.Nested(PreviousYearSchema, allow_none=True)
    data_source = text(
        choices=DATA_SOURCES,
        default=DEFAULT_DATA_SOURCE,
        description="How the figures were obtained. It sets the rating's PCAF data-quality score "
        "(`data_quality.pcaf_score`, which estimated inputs can only worsen); under the packaged standard "
        + ", ".join(f"{source} {score}" for source, score in _PCAF_BY_SOURCE.items())
        + f". Optional: left out or null it is taken as `{DEFAULT_DATA_SOURCE}`, the weakest source, exactly "
        f"as if `{DEFAULT_DATA_SOURCE}` had been sent (the same rating, and `data_quality.data_source` says "
        "it); send the real source, or the rating is scored as estimated.",
    )
    loan = fields.Nested(LoanSchema, allow_none=True)
    refrigerants = _list(
        RefrigerantUseSchema,
        20,
        "Refrigerant recharged (topped up) in the reporting year, by gas (schema 1.13): Scope 1 fugitive "
        "emissions, kg x GWP100 (the GHG Protocol's simplified mass balance: what is topped up replaced what "
        "leaked). [] says none was recharged; leaving it out (or null) says it was not answered, and the "
        "disclosure lists refrigerant leaks among what Scope 1 leaves out. Left out, no figure or score "
        "changes, but operational neutrality is not claimed (fugitive emissions are Scope 1; engine 2.12).",
    )
    reported_emissions = fields.Nested(
        ReportedEmissionsSchema,
        allow_none=True,
        metadata={"description": "The business's own GHG inventory for the reporting year, where it has one "
                  "(schema 1.11). Never scored: the rating is computed from the activity data. The rating's "
                  "`reported_emissions` compares the two, and a loan's `financed_emissions` attributes these "
                  "figures (PCAF option 1a when verified, 1b when not) instead of the computed ones."},
    )
