"""The strict reader of the operating data: a JSON-like payload checked and built into its typed values.

:func:`parse_operating_data` gives the :class:`~rating_model.operating_data.OperatingData` the engine
rates, or raises naming every bad field; :func:`read_loan_exposure` reads the exposure of a loan whose
row is refused, and :func:`read_external_id` the borrower's own id on such a row. Every field is checked
against the limits and patterns :mod:`rating_model.operating_data` states, and each code against its list
(:mod:`rating_model.currencies`, :mod:`rating_model.isic`; the API's schema checks the same), and so are
the rules across fields: green electricity within the electricity bought, recycled, hazardous and food
waste within the waste, a target's base year already measured, a loan's money convertible to CNY. Each
error names its field's path, and one pass reports them all (:class:`rating_model.reader.Reader`). This
runs for every rating request and every loan-book row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from rating_model.currencies import currency_problem
from rating_model.isic import industry_code_problem
from rating_model.operating_data import (
    BELOW_MINIMUM,
    CNY_FX_MESSAGE,
    COUNTRY_FORMAT,
    COUNTRY_PATTERN,
    DATA_SOURCES,
    FLEET_FUELS,
    GREEN_INSTRUMENTS,
    HGV_NEEDS_KM,
    INDUSTRY_FORMAT,
    INDUSTRY_PATTERN,
    NUMBER_LIMITS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    PRACTICE_FLAGS,
    PRACTICE_SHARES,
    REFRIGERANT_GASES,
    REGION_FORMAT,
    REGION_PATTERN,
    STATIONARY_FUELS,
    TARGET_GASES,
    TARGET_KINDS,
    TARGET_VALIDATOR_MAX_LENGTH,
    TRAVEL_MODES,
    VEHICLE_TYPES,
    WHOLE_LIMITS,
    Company,
    Compliance,
    Energy,
    FleetItem,
    FuelUse,
    GridFactor,
    Limit,
    Loan,
    Offset,
    OperatingData,
    Practices,
    PreviousYear,
    RefrigerantUse,
    ReportedEmissions,
    Resources,
    Target,
    Transport,
    TravelItem,
    WholeLimit,
    plain,
    to_cny,
)
from rating_model.reader import Reader, raise_if_errors
from rating_model.units import CANONICAL_UNITS, known_unit


@functools.cache
def _names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


_PRACTICE_FIELDS = frozenset(PRACTICE_FLAGS + PRACTICE_SHARES)
_SHARE_LIMITS = tuple((name, NUMBER_LIMITS[f"practices.{name}"]) for name in PRACTICE_SHARES)
if tuple(f.name for f in fields(Practices)) != PRACTICE_FLAGS + PRACTICE_SHARES:
    raise AssertionError("Practices fields must follow PRACTICE_FLAGS + PRACTICE_SHARES (read positionally)")


#: control characters (Unicode category Cc) other than tab and line breaks, which a spreadsheet's cell may
#: hold and every format prints as white space, and bidirectional-text controls: a name holding one can
#: forge or hide text in the disclosures that print it (a terminal escape, U+202E reversing the text)
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _number(r: Reader, key: str, limit: Limit, required: bool = False) -> float | None:
    """:meth:`Reader.number` within ``limit`` (one of :data:`LIMITS`)."""
    minimum, maximum, exclusive = limit  # unpacked: faster than three attribute reads, per field per request
    return r.number(key, required=required, minimum=minimum, maximum=maximum, exclusive_minimum=exclusive)


def _currency(r: Reader, required: bool = True) -> str | None:
    """The ``currency`` of ``r``: an ISO 4217 code (:mod:`rating_model.currencies`), else its error."""
    code = r.text("currency", required=required)
    if code is None:
        return None
    problem = currency_problem(code)
    if problem is not None:
        r.fail("currency", problem)
        return None
    return code


def _whole(r: Reader, key: str, limit: WholeLimit, required: bool = False) -> int | None:
    """:meth:`Reader.integer` within ``limit`` (one of :data:`LIMITS`)."""
    minimum, maximum = limit
    return r.integer(key, required=required, minimum=minimum, maximum=maximum)


#: the longest ``company.external_id`` read (the API's schema states the same limit)
EXTERNAL_ID_MAX_LENGTH = 120


def read_external_id(value: Any) -> str | None:
    """A ``company.external_id`` as :func:`parse_operating_data` reads it, read alone; ``None`` when it is
    not given, blank, not text or longer than the limit.

    For a loan-book row the parser refuses: its result must still name the borrower, or the bank can only
    find it by its position in the file. Read by the same rule as a rated row's id (trimmed, at most
    :data:`EXTERNAL_ID_MAX_LENGTH` characters), so the two never name one borrower differently.
    """
    reader = Reader({"external_id": value}, "company", [])
    return reader.text("external_id", max_length=EXTERNAL_ID_MAX_LENGTH) or None


def _printable(r: Reader, key: str, value: str | None, printed_in: str) -> bool:
    """Whether a free text the rating prints (a company's name, a verifier's) can be printed as given,
    ``None`` (left out) included; a blank one, or one with control or bidirectional-text characters, is
    refused on ``key``."""
    if value == "":
        r.fail(key, "must not be blank: leave it out instead")
        return False
    if value and _HIDDEN.search(value):
        r.fail(key, "must not contain control characters (escapes, NUL) or bidirectional-text controls: "
               f"the {key} is printed in {printed_in}")
        return False
    return True


def _read_company(r: Reader) -> Company | None:
    r.reject_unknown(_names(Company))
    # optional: nothing is computed from the name; given, it must be printable (the disclosures print it)
    name = r.text("name")
    named = name is not None or r.data.get("name") is None  # a refused name is already reported
    if not _printable(r, "name", name, "the rating's disclosures"):
        named = False
    country = r.text("country", required=True, pattern=COUNTRY_PATTERN, pattern_error=COUNTRY_FORMAT)
    region = r.text("region", pattern=REGION_PATTERN, pattern_error=REGION_FORMAT)
    if region and country and not region.startswith(country + "-"):
        r.fail("region", f"must be a subdivision of {country} (ISO 3166-2, e.g. {country}-XX)")
        region = None
    industry = r.text("industry_code", required=True, pattern=INDUSTRY_PATTERN, pattern_error=INDUSTRY_FORMAT)
    problem = industry_code_problem(industry) if industry is not None else None
    if problem is not None:  # 2-4 digits, but no division, group or class of ISIC Rev. 4
        r.fail("industry_code", problem)
        industry = None
    employees = _whole(r, "employees", WHOLE_LIMITS["company.employees"], required=True)
    revenue = _number(r, "annual_revenue", NUMBER_LIMITS["company.annual_revenue"], required=True)
    currency = _currency(r)
    year = _whole(r, "reporting_year", WHOLE_LIMITS["company.reporting_year"], required=True)
    area = _number(r, "floor_area_m2", NUMBER_LIMITS["company.floor_area_m2"])
    external_id = r.text("external_id", max_length=EXTERNAL_ID_MAX_LENGTH)
    hours = _number(r, "operating_hours_per_week", NUMBER_LIMITS["company.operating_hours_per_week"])
    fx = _number(r, "fx_to_cny", NUMBER_LIMITS["company.fx_to_cny"])
    if currency and currency != "CNY" and fx is None and "fx_to_cny" not in r.data:
        r.fail("fx_to_cny", "required when currency is not CNY (intensities are reported per CNY million)")
    elif currency == "CNY" and fx is not None and fx != 1.0:
        r.fail("fx_to_cny", CNY_FX_MESSAGE)
    if not named or None in (country, industry, employees, revenue, currency, year):
        return None
    assert country and industry and currency and employees is not None
    assert revenue is not None and year is not None
    # positional, in field order: this runs per request and keywords cost time
    return Company(
        country, industry, employees, revenue, currency, year, region, area, external_id, hours, fx, name
    )


def _read_fuel(r: Reader) -> FuelUse | None:
    r.reject_unknown(_names(FuelUse))
    fuel = r.text("fuel", required=True, choices=STATIONARY_FUELS)
    quantity = _number(r, "quantity", NUMBER_LIMITS["energy.fuels.*.quantity"], required=True)
    unit = r.text("unit", required=True, max_length=20)
    if fuel is None or quantity is None or unit is None:
        return None
    return FuelUse(fuel, quantity, unit)


def _read_grid_factor(r: Reader) -> GridFactor | None:
    r.reject_unknown(_names(GridFactor))
    # above 0 (see LIMITS): no grid emits nothing
    value = _number(r, "kgco2e_per_kwh", NUMBER_LIMITS["energy.grid_factor.kgco2e_per_kwh"], required=True)
    source = r.text("source", required=True, max_length=500)
    year = _whole(r, "year", WHOLE_LIMITS["energy.grid_factor.year"])
    if value is None or source is None:
        return None
    return GridFactor(value, source, year)


def _read_energy(r: Reader | None) -> Energy:
    if r is None:
        return Energy()
    r.reject_unknown(_names(Energy))
    electricity = _number(r, "electricity_kwh", NUMBER_LIMITS["energy.electricity_kwh"])
    green = _number(r, "green_electricity_kwh", NUMBER_LIMITS["energy.green_electricity_kwh"])
    instrument = r.text("green_electricity_instrument", choices=GREEN_INSTRUMENTS)
    if green is not None and green > 0 and electricity is None:
        r.fail("electricity_kwh", "required when green_electricity_kwh is given")
    if green is not None and electricity is not None and green > electricity:
        r.fail("green_electricity_kwh", "must not exceed electricity_kwh (green power is part of purchases)")
    # without green kWh it prices nothing, and is taken as wide exports fill every column
    vintage = _whole(r, "green_electricity_vintage", WHOLE_LIMITS["energy.green_electricity_vintage"])
    grid = r.child("grid_factor")
    return Energy(
        electricity_kwh=electricity,
        green_electricity_kwh=green,
        green_electricity_instrument=instrument,
        onsite_renewable_kwh=_number(r, "onsite_renewable_kwh", NUMBER_LIMITS["energy.onsite_renewable_kwh"]),
        fuels=r.items("fuels", _read_fuel, max_items=50) if r.data.get("fuels") is not None else None,
        purchased_heat_gj=_number(r, "purchased_heat_gj", NUMBER_LIMITS["energy.purchased_heat_gj"]),
        electricity_spend=_number(r, "electricity_spend", NUMBER_LIMITS["energy.electricity_spend"]),
        grid_factor=_read_grid_factor(grid) if grid is not None else None,
        green_electricity_vintage=vintage,
    )


def _read_fleet(r: Reader) -> FleetItem | None:
    r.reject_unknown(_names(FleetItem))
    fuel = r.text("fuel", required=True, choices=FLEET_FUELS)
    vehicles = _whole(r, "vehicles", WHOLE_LIMITS["transport.fleet.*.vehicles"])
    km = _number(r, "km", NUMBER_LIMITS["transport.fleet.*.km"])
    quantity = _number(r, "fuel_quantity", NUMBER_LIMITS["transport.fleet.*.fuel_quantity"])
    unit = r.text("unit", max_length=20)
    vehicle_type = r.text("vehicle_type", choices=VEHICLE_TYPES)
    if quantity is not None and unit is None:
        r.fail("unit", "required with fuel_quantity")
    if unit is not None and not known_unit(unit):  # even unused: a typo is refused, as the API's schema does
        r.fail("unit", f"unknown unit {unit!r}; use one of: {', '.join(CANONICAL_UNITS)}")
    if vehicles is None and km is None and quantity is None:
        r.fail("", "give vehicles, km or fuel_quantity with unit")
        return None
    if vehicles == 0 and ((km or 0) > 0 or (quantity or 0) > 0):
        # no vehicle drives or burns anything: "fleet": [] says "no vehicles" (scored as such by standard
        # 1.5.0), and 0 vehicles beside 20,000 L of diesel had earned that score with the diesel in Scope 1
        r.fail("vehicles", "is 0, but km or fuel_quantity is given: give how many vehicles, or leave it out")
    if vehicle_type == "hgv" and fuel == "diesel" and vehicles and km is None and quantity is None:
        # the 12,000 km seed is a car's year: a lorry counted at it would be priced at a fraction of its
        # distance, and no sourced annual distance of a lorry exists (factor set cn-2024.5's not_available).
        # Diesel only: a lorry of another fuel has no per-km factor, so its km would be refused too, and the
        # engine refuses it on its fuel, saying what to give instead (rating_model.fleet)
        r.fail("km", HGV_NEEDS_KM)
    if fuel is None:
        return None
    # "car" is what leaving it out means: one input, one canonical form, one cache entry (engine 2.10; the
    # two had hashed apart, so the same fleet was rated twice)
    return FleetItem(fuel, vehicles, km, quantity, unit, None if vehicle_type == "car" else vehicle_type)


def _read_travel(r: Reader) -> TravelItem | None:
    r.reject_unknown(_names(TravelItem))
    mode = r.text("mode", required=True, choices=TRAVEL_MODES)
    pkm = _number(r, "passenger_km", NUMBER_LIMITS["transport.business_travel.*.passenger_km"], required=True)
    if mode is None or pkm is None:
        return None
    return TravelItem(mode, pkm)


def _read_transport(r: Reader | None) -> Transport:
    if r is None:
        return Transport()
    r.reject_unknown(_names(Transport))
    return Transport(
        fleet=r.items("fleet", _read_fleet, max_items=100) if r.data.get("fleet") is not None else None,
        business_travel=(
            r.items("business_travel", _read_travel, max_items=50)
            if r.data.get("business_travel") is not None else None
        ),
    )


def _read_resources(r: Reader | None) -> Resources:
    if r is None:
        return Resources()
    r.reject_unknown(_names(Resources))
    waste = _number(r, "waste_t", NUMBER_LIMITS["resources.waste_t"])
    recycled = _number(r, "waste_recycled_t", NUMBER_LIMITS["resources.waste_recycled_t"])
    hazardous = _number(r, "hazardous_waste_t", NUMBER_LIMITS["resources.hazardous_waste_t"])
    if recycled is not None and waste is not None and recycled > waste:
        r.fail("waste_recycled_t", "must not exceed waste_t")
    if hazardous is not None and waste is not None and hazardous > waste:
        r.fail("hazardous_waste_t", "must not exceed waste_t")
    if recycled is not None and recycled > 0 and waste is None:
        r.fail("waste_t", "required when waste_recycled_t is given")
    food = _number(r, "food_waste_t", NUMBER_LIMITS["resources.food_waste_t"])
    if food is not None and food > 0:
        if waste is None:
            r.fail("waste_t", "required when food_waste_t is given")
        elif food > waste - (recycled or 0.0) - (hazardous or 0.0) + 1e-9 * waste:
            r.fail(
                "food_waste_t",
                "must not exceed waste_t less waste_recycled_t and hazardous_waste_t (it is the food waste "
                "sent to landfill; food waste composted or digested is recycled)",
            )
    return Resources(
        _number(r, "water_m3", NUMBER_LIMITS["resources.water_m3"]), waste, recycled, hazardous, food
    )


def _read_practices(r: Reader | None) -> Practices:
    if r is None:
        return Practices()
    r.reject_unknown(_PRACTICE_FIELDS)
    # positional, in field order (checked where _PRACTICE_FIELDS is built): keywords cost time per request
    return Practices(*r.booleans(PRACTICE_FLAGS), *[_number(r, name, limit) for name, limit in _SHARE_LIMITS])


def _read_compliance(r: Reader | None) -> Compliance:
    if r is None:
        return Compliance()
    r.reject_unknown(_names(Compliance))
    penalties = WHOLE_LIMITS["compliance.environmental_penalties_3y"]
    return Compliance(_whole(r, "environmental_penalties_3y", penalties))


def _read_refrigerant(r: Reader) -> RefrigerantUse | None:
    r.reject_unknown(_names(RefrigerantUse))
    gas = r.text("gas", required=True, choices=REFRIGERANT_GASES)
    kg = _number(r, "recharged_kg", NUMBER_LIMITS["refrigerants.*.recharged_kg"], required=True)
    if gas is None or kg is None:
        return None
    return RefrigerantUse(gas, kg)


def _read_offset(r: Reader) -> Offset | None:
    r.reject_unknown(_names(Offset))
    standard = r.text("standard", required=True, choices=OFFSET_STANDARDS)
    tco2e = _number(r, "tco2e", NUMBER_LIMITS["offsets.*.tco2e"], required=True)
    kind = r.text("type", required=True, choices=OFFSET_TYPES)
    vintage = _whole(r, "vintage", WHOLE_LIMITS["offsets.*.vintage"])
    if standard is None or tco2e is None or kind is None:
        return None
    return Offset(standard, tco2e, kind, vintage)


def _read_target(r: Reader, reporting_year: int | None = None) -> Target | None:
    """One target; its base year is a year already measured: never after the year being reported.

    Progress against a base year still to come cannot be reported (IFRS S2 para 33 asks for the base
    period from which progress is measured), so such a target is a typo, not a plan. Checked here, where
    the item's own path is known (a refused item before it would shift any index counted later).
    """
    r.reject_unknown(_names(Target))
    scopes_raw = r.data.get("scopes")
    scopes: tuple[int, ...] | None = None
    scope = WHOLE_LIMITS["targets.*.scopes.*"]
    if (
        isinstance(scopes_raw, list)
        and scopes_raw
        and all(
            isinstance(s, int) and not isinstance(s, bool) and scope.minimum <= s <= scope.maximum
            for s in scopes_raw
        )
    ):
        scopes = tuple(sorted(set(scopes_raw)))
    else:
        r.fail("scopes", "must be a non-empty list of scope numbers 1, 2 or 3")
    base = _whole(r, "base_year", WHOLE_LIMITS["targets.*.base_year"], required=True)
    target = _whole(r, "target_year", WHOLE_LIMITS["targets.*.target_year"], required=True)
    pct = _number(r, "reduction_pct", NUMBER_LIMITS["targets.*.reduction_pct"], required=True)
    kind = r.text("kind", choices=TARGET_KINDS)
    gases = _target_gases(r)
    net = r.boolean("net_of_credits")
    validator = r.text("validated_by", max_length=TARGET_VALIDATOR_MAX_LENGTH)
    if not _printable(r, "validated_by", validator, "the rating's disclosures"):
        validator = None
    if base is not None and target is not None and target <= base:
        r.fail("target_year", "must be after base_year")
        return None
    if base is not None and reporting_year is not None and base > reporting_year:
        r.fail(
            "base_year",
            f"must not be after company.reporting_year ({reporting_year}): a base year is a year already "
            "measured",
        )
        return None
    if scopes is None or base is None or target is None or pct is None:
        return None
    return Target(scopes, base, target, pct, kind, gases, net, validator)


def _target_gases(r: Reader) -> tuple[str, ...] | None:
    """``targets.*.gases``: the greenhouse gases a target covers, each once and in :data:`TARGET_GASES`'
    order (so ``["CH4", "CO2"]`` and ``["CO2", "CH4"]`` hash alike, as a target's scopes are read), or
    ``None`` when not stated. An empty list, a longer one than the seven, or a gas outside them is refused
    on the field (the item's index for a gas)."""
    raw = r.data.get("gases")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or len(raw) > len(TARGET_GASES):
        r.fail("gases", f"must be a list of 1 to {len(TARGET_GASES)} gases: " + ", ".join(TARGET_GASES)
               + " (leave it out when not stated)")
        return None
    ok = True
    for index, gas in enumerate(raw):
        if not isinstance(gas, str) or gas not in TARGET_GASES:
            r.fail(f"gases.{index}", "must be one of: " + ", ".join(TARGET_GASES))
            ok = False
    return tuple(g for g in TARGET_GASES if g in raw) if ok else None


def _read_previous(r: Reader | None) -> PreviousYear | None:
    if r is None:
        return None
    r.reject_unknown(_names(PreviousYear))
    previous = PreviousYear(_read_energy(r.child("energy")), _read_transport(r.child("transport")))
    # An object without a figure ({} or {"energy": {}}) says nothing: it is dropped from the canonical
    # input, so it must not count as given either (it had raised completeness, lifting a knock-out, while
    # hashing like the body without it: whichever came first decided the rating both got).
    return previous if plain(previous) else None


def _read_loan(r: Reader | None, use_of_proceeds: tuple[str, ...] | None) -> Loan | None:
    if r is None:
        return None
    r.reject_unknown(_names(Loan))
    amount = _number(r, "amount", NUMBER_LIMITS["loan.amount"], required=True)
    currency = _currency(r)
    use = r.text("use_of_proceeds", required=True, max_length=80, choices=use_of_proceeds)
    outstanding = _number(r, "outstanding", NUMBER_LIMITS["loan.outstanding"])
    equity_debt = _balance_sheet(r, "borrower_equity_plus_debt")
    assets = _balance_sheet(r, "borrower_total_assets")
    fx = _number(r, "fx_to_cny", NUMBER_LIMITS["loan.fx_to_cny"])
    if currency == "CNY" and fx is not None and fx != 1.0:
        r.fail("fx_to_cny", CNY_FX_MESSAGE)
    if amount is None or currency is None or use is None:
        return None
    return Loan(amount, currency, use, outstanding, equity_debt, assets, fx)


def _read_reported(r: Reader | None) -> ReportedEmissions | None:
    """``reported_emissions``: the business's own inventory; a verified one names its verifier.

    ``verified: true`` is what lets a loan's financed emissions score PCAF 1 (option 1a), so it is never
    taken without the body that verified it; a verifier beside ``verified: false`` contradicts it and is
    refused rather than one of the two guessed. The verifier's name is printed in the rating's texts, so it
    is held to the company name's rule (no control or bidirectional characters).
    """
    if r is None:
        return None
    r.reject_unknown(_names(ReportedEmissions))
    scope1 = _number(r, "scope1_tco2e", NUMBER_LIMITS["reported_emissions.scope1_tco2e"], required=True)
    scope2 = _number(r, "scope2_location_tco2e", NUMBER_LIMITS["reported_emissions.scope2_location_tco2e"],
                     required=True)
    market = _number(r, "scope2_market_tco2e", NUMBER_LIMITS["reported_emissions.scope2_market_tco2e"])
    scope3 = _number(r, "scope3_tco2e", NUMBER_LIMITS["reported_emissions.scope3_tco2e"])
    verified = r.boolean("verified")
    if verified is None and r.data.get("verified") is None:
        r.fail("verified", "missing data for required field")
    verifier = r.text("verifier")
    if not _printable(r, "verifier", verifier, "the rating's texts"):
        verifier = None
    elif verified is True and verifier is None and r.data.get("verifier") is None:
        r.fail("verifier", "required when verified is true: name the body that verified the inventory "
               "(PCAF option 1a counts verified emissions only)")
    elif verified is False and verifier is not None:
        r.fail("verifier", "only with verified: true (an unverified inventory has no verifier)")
    if scope1 is None or scope2 is None or verified is None or (verified and not verifier):
        return None
    return ReportedEmissions(scope1, scope2, verified, verifier, market, scope3)


def _balance_sheet(r: Reader, key: str) -> float | None:
    """``loan.borrower_equity_plus_debt`` or ``loan.borrower_total_assets``: above 0, or left out.

    A 0 is refused, not read as unknown: a core-banking export that writes 0 for a missing figure must
    leave the cell empty instead, so that the fallback PCAF allows (total assets, or no balance sheet at
    all) is the one the row's ``attribution_basis`` names, never a basis switched without a word.
    """
    value = r.data.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        r.fail(key, BELOW_MINIMUM[f"loan.{key}"])
        return None
    return _number(r, key, NUMBER_LIMITS[f"loan.{key}"])


def _check_balance_sheet(r: Reader, company: Company | None, loan: Loan | None) -> None:
    """A balance sheet must still be above 0 once in CNY, or the attribution factor would divide by 0.

    Only an absurdly small figure at a tiny ``company.fx_to_cny`` gets there (5e-324 x 1e-6 is 0.0 in
    floating point): its loan had been attributed nothing under basis ``equity_plus_debt``, or raised
    ZeroDivisionError for a loan in another currency.
    """
    if company is None or loan is None or (company.currency != "CNY" and company.fx_to_cny is None):
        return
    for key, value in (("borrower_equity_plus_debt", loan.borrower_equity_plus_debt),
                       ("borrower_total_assets", loan.borrower_total_assets)):
        if value is not None and not to_cny(company, value) > 0:
            r.fail(f"loan.{key}", "is 0 once converted to CNY at company.fx_to_cny: the attribution factor "
                   "would divide by 0 (give the balance sheet in units of company.currency)")


@dataclass(frozen=True, slots=True)
class LoanExposure:
    """What a refused row's loan puts on the bank's ledger (:func:`read_loan_exposure`)."""

    #: in the loan's currency: ``loan.outstanding``, or the amount when no outstanding is given
    outstanding: float
    #: ``loan.amount``; ``None`` when it is missing or does not parse
    amount: float | None
    #: no outstanding was given: the amount stands in for it (the batch's ``outstanding_basis``)
    from_amount: bool
    #: CNY per unit of the loan's currency
    to_cny: float


def read_loan_exposure(payload: Mapping[str, Any]) -> LoanExposure | None:
    """The exposure of a payload's loan, read from the cells it needs alone; ``None`` when they do not parse.

    For a row the parser refuses (a bad employees cell, a balance sheet of 0, a use of proceeds the
    standard does not know): its loan is still the bank's exposure, and a portfolio summary that dropped it
    would not reconcile to the ledger. So only what the outstanding amount in CNY is made of is read: the
    outstanding (or, when none is given, the amount, as :func:`rating_model.green_loan.outstanding_of`
    takes it), the loan's currency and its rate to CNY (``loan.fx_to_cny``, else the company's rate for a
    loan in the company's currency). A CNY loan needs no rate: a contradicting ``fx_to_cny`` beside it is
    that row's error, not a doubt about its CNY figure. The balance sheet, the use of proceeds and every
    other cell play no part. An outstanding given but unreadable (negative, infinite, text) is not replaced
    by the amount: the exposure is then unknown, not guessed.
    """
    r = Reader(payload, "", [])
    loan = r.child("loan")
    if loan is None:
        return None
    amount, _ = _read_alone(loan, "amount", NUMBER_LIMITS["loan.amount"])
    outstanding, readable = _read_alone(loan, "outstanding", NUMBER_LIMITS["loan.outstanding"])
    if not readable:
        return None
    from_amount = outstanding is None
    outstanding = amount if outstanding is None else outstanding
    if outstanding is None:
        return None
    currency = _currency(loan)
    if currency is None:
        return None
    to_cny = 1.0 if currency == "CNY" else _rate_to_cny(r, loan, currency)
    if to_cny is None:
        return None
    return LoanExposure(outstanding, amount, from_amount, to_cny)


def _read_alone(r: Reader, key: str, limit: Limit) -> tuple[float | None, bool]:
    """:func:`_number` of ``key``, and whether it was readable (missing is readable: ``None``)."""
    before = len(r.errors)
    value = _number(r, key, limit)
    return value, len(r.errors) == before


def _rate_to_cny(r: Reader, loan: Reader, currency: str) -> float | None:
    """The rate a loan in ``currency`` (not CNY) converts at, as
    :func:`rating_model.green_loan.loan_to_cny` takes it; ``None`` when none parses, or when the loan and
    the company give the same currency two rates (which one is right is not known)."""
    fx, readable = _read_alone(loan, "fx_to_cny", NUMBER_LIMITS["loan.fx_to_cny"])
    if not readable:
        return None
    company = r.child("company")
    company_currency = None if company is None else _currency(company, required=False)
    company_fx = None
    if company is not None and company_currency == currency:
        company_fx, _ = _read_alone(company, "fx_to_cny", NUMBER_LIMITS["company.fx_to_cny"])
    if fx is None:
        return company_fx or None
    return None if company_fx is not None and company_fx != fx else fx


def _check_loan_currency(r: Reader, company: Company | None, loan: Loan | None) -> None:
    """A loan's money must convert to CNY, or its financed emissions per CNY million lent cannot be given.

    A loan in CNY needs no rate, and one in the company's currency takes the company's; any other currency
    needs ``loan.fx_to_cny``. Refusing here, rather than leaving ``financed_emissions`` out, keeps a loan
    from silently dropping out of the bank's PCAF figures. One currency has one rate in one request.
    """
    if company is None or loan is None or loan.currency == "CNY":
        return
    if loan.currency == company.currency:
        if loan.fx_to_cny is not None and loan.fx_to_cny != company.fx_to_cny:
            r.fail(
                "loan.fx_to_cny",
                "must equal company.fx_to_cny (or be left out): the same currency has one rate",
            )
    elif loan.fx_to_cny is None:
        r.fail(
            "loan.fx_to_cny",
            f"required when the loan's currency ({loan.currency}) is neither CNY nor the company's "
            f"({company.currency}): financed emissions are reported per CNY million lent",
        )


def parse_operating_data(
    payload: Mapping[str, Any], *, use_of_proceeds: tuple[str, ...] | None = None
) -> OperatingData:
    """Read and check a JSON-like payload; raise :class:`InvalidInputError(s)` naming every bad field.

    Parameters
    ----------
    payload:
        The request body of a rating (the contract's "operating data").
    use_of_proceeds:
        The green-loan categories the active standard knows; ``None`` accepts any label.
    """
    errors: list[Any] = []
    r = Reader(payload, "", errors)
    r.reject_unknown(_names(OperatingData))
    company_reader = r.child("company")
    if company_reader is None:
        r.fail("company", "missing data for required field")
        company = None
    else:
        company = _read_company(company_reader)
    data_source = r.text("data_source", choices=DATA_SOURCES) or "estimated"
    # read in this order (it is the order errors are reported in), then build positionally
    energy = _read_energy(r.child("energy"))
    transport = _read_transport(r.child("transport"))
    resources = _read_resources(r.child("resources"))
    practices = _read_practices(r.child("practices"))
    compliance = _read_compliance(r.child("compliance"))
    offsets = r.items("offsets", _read_offset, max_items=50)
    year = company.reporting_year if company is not None else None
    targets = r.items("targets", lambda item: _read_target(item, year), max_items=20)
    previous_year = _read_previous(r.child("previous_year"))
    loan = _read_loan(r.child("loan"), use_of_proceeds)
    _check_loan_currency(r, company, loan)
    _check_balance_sheet(r, company, loan)
    reported = _read_reported(r.child("reported_emissions"))
    refrigerants = (
        r.items("refrigerants", _read_refrigerant, max_items=20)
        if r.data.get("refrigerants") is not None else None
    )
    raise_if_errors(errors)
    assert company is not None
    return OperatingData(
        company, energy, transport, resources, practices, compliance, offsets, targets, previous_year,
        data_source, loan, reported, refrigerants,
    )
