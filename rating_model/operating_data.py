"""A small business's operating data as typed, immutable values, and the limits and patterns of its fields.

Field names follow the public contract (``shared/docs/api-v1.md``). Conventions: quantities are SI unless
the name says otherwise (``_kwh``, ``_gj``, ``_m3``, ``_t``), money is a number in ``company.currency``,
``None`` means "not given" (never zero). Purchased grid electricity (``electricity_kwh``) includes the
green-contracted part (``green_electricity_kwh``); on-site renewable generation consumed on site
(``onsite_renewable_kwh``) is not part of it. The values are read strictly from JSON-like input by
:func:`rating_model.operating_data_reader.parse_operating_data`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Final, NamedTuple

from rating_model.exceptions import InvalidInputError
from rating_model.values import fast_init

#: The version of the operating-data and rating documents: a change to what a document holds or means bumps
#: it. Ratings are reused only under the same version. What each version changed is in CHANGES.md.
SCHEMA_VERSION = "1.14"

STATIONARY_FUELS = ("natural_gas", "diesel", "gasoline", "lpg", "coal", "fuel_oil")
FLEET_FUELS = ("gasoline", "diesel", "hybrid", "electric", "lpg", "natural_gas", "unknown")
#: Each fuel's name, in English and Chinese, where a sentence of the rating names it (the line items, the
#: green-loan rationale); the codes are the API's. The line items had said "natural_gas burned on site" (a
#: credit officer's reading, engine 2.13). English says petrol, as the merchant page and the plan's
#: actions do.
FUEL_NAMES: dict[str, tuple[str, str]] = {
    "natural_gas": ("natural gas", "天然气"), "diesel": ("diesel", "柴油"), "gasoline": ("petrol", "汽油"),
    "lpg": ("LPG", "液化石油气"), "coal": ("coal", "煤炭"), "fuel_oil": ("fuel oil", "燃料油"),
}


def fuel_name(fuel: str, lang: str = "en") -> str:
    """A fuel's name in ``lang`` (``en`` or ``zh``, :data:`FUEL_NAMES`); a code not listed as it is."""
    names = FUEL_NAMES.get(fuel)
    return fuel if names is None else names[lang == "zh"]
#: The vehicle classes of a fleet item (``transport.fleet.*.vehicle_type``; left out: ``car``): a distance or
#: a vehicle count is priced at the per-km factor of the class and fuel (rating_model.fleet); a fuel
#: quantity at the fuel's factor, whatever the vehicle. ``van``: up to 3.5 t; ``hgv``: a heavy goods vehicle
#: (lorry), diesel only.
VEHICLE_TYPES = ("car", "van", "hgv")
#: the refusal of heavy goods vehicles counted by vehicles alone (``transport.fleet.*.km``): the 12,000 km
#: seed is a car's year, and no sourced yearly distance of a lorry exists to estimate with
HGV_NEEDS_KM = (
    "required for heavy goods vehicles counted by vehicles: give the km they drove in the year, or the fuel "
    "burned (fuel_quantity with unit); there is no typical yearly distance of a lorry to estimate with"
)
TRAVEL_MODES = (
    "car",
    "taxi",
    "bus",
    "coach",
    "rail",
    "flight_domestic",
    "flight_short_haul",
    "flight_long_haul",
)
OFFSET_STANDARDS = ("CCER", "VCS", "GS", "other")
OFFSET_TYPES = ("avoidance", "removal")
#: What a reduction target's ``reduction_pct`` is of (``targets.*.kind``, schema 1.14; IFRS S2 para 33(g)):
#: the emissions themselves, or an intensity (emissions per unit of revenue, output, floor area)
TARGET_KINDS = ("absolute", "intensity")
#: The greenhouse gases a target may cover (``targets.*.gases``, schema 1.14; IFRS S2 para 36(a)): the seven
#: the GHG Protocol's Corporate Standard counts, as it names them (HFCs and PFCs are families of gases)
TARGET_GASES = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")
#: The longest name of the body that validated a target (``targets.*.validated_by``), which the rating prints
TARGET_VALIDATOR_MAX_LENGTH = 200
#: The refrigerants a business may report as recharged (``refrigerants.*.gas``), in their ASHRAE 34 names.
#: Each is priced at its GWP-100 in the factor set (``refrigerant.<gas>``, kgCO2e/kg); a gas the set has no
#: GWP for (R-290, R-600a: no value in the table the set cites) is refused with the reason
#: (rating_model/refrigerants.py), as fuel oil is. R-22 (HCFC-22) is a Montreal Protocol gas, not one of the
#: seven the GHG Protocol counts in the scopes: it is reported beside the inventory, never in Scope 1.
REFRIGERANT_GASES = ("R-32", "R-134a", "R-410A", "R-404A", "R-407C", "R-507A", "R-744", "R-22", "R-290",
                     "R-600a")
DATA_SOURCES = ("verified_report", "self_reported_inventory", "energy_bills", "estimated")
GREEN_INSTRUMENTS = ("green_certificate", "green_power_trade", "ppa", "mixed")
PRACTICE_FLAGS = (
    "e_invoicing",
    "digital_ordering",
    "energy_efficient_equipment",
    "led_lighting",
    "green_procurement_policy",
    "iso14001",
    "energy_audit",
    "environmental_policy",
    "climate_responsible_person",
    "waste_sorting",
    "water_saving_equipment",
    "green_packaging",
)
PRACTICE_SHARES = ("green_products_share",)

# The formats of the coded text fields, each matching the whole (stripped) text. Compiled once: every
# request checks three of them. The API's schema (schemas/operating_data.py) publishes and checks the same
# patterns (their ``.pattern``), so the two layers cannot drift apart. Currency codes are checked against
# ISO 4217's list itself, not a pattern (rating_model.currencies).
#: ISO 3166-1 alpha-2 country code (``company.country``)
COUNTRY_PATTERN: Final = re.compile(r"[A-Z]{2}")
#: ISO 3166-2 subdivision (``company.region``); that it lies in the country is checked apart
REGION_PATTERN: Final = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
#: ISIC Rev.4 code, 2-4 digits (``company.industry_code``); that it is a division, group or class of ISIC
#: Rev.4 is checked against the UN's list apart (rating_model.isic)
INDUSTRY_PATTERN: Final = re.compile(r"[0-9]{2,4}")
#: What a text not matching each pattern is told, by both layers (the API's schema and the engine, which
#: reads batch rows): the code it must be and an example. The engine had said "has an invalid format",
#: which named neither (a plain-language review).
COUNTRY_FORMAT: Final = "Must be an ISO 3166-1 alpha-2 country code in capital letters, such as CN."
REGION_FORMAT: Final = (
    "Must be an ISO 3166-2 subdivision code in capital letters, such as CN-ZJ for Zhejiang, not the "
    "province's name."
)
INDUSTRY_FORMAT: Final = (
    "Must be an ISIC Rev.4 code of 2 to 4 digits, such as 5610 for restaurants (a section's letter, such as "
    "I, is not taken)."
)


class Limit(NamedTuple):
    """The range of a number of the operating data: ``minimum`` (excluded when ``exclusive_minimum``) to
    ``maximum`` (included).

    The ends are ``int | float`` to keep each as written: the API's schema publishes them, and its OpenAPI
    document shows ``168`` as ``168`` (under a ``float`` annotation mypyc may store it as ``168.0``).
    """

    minimum: int | float
    maximum: int | float
    exclusive_minimum: bool = False


class WholeLimit(NamedTuple):
    """The range of a whole number of the operating data (a count, a year, a scope), both ends included."""

    minimum: int
    maximum: int


_YEARS: Final = WholeLimit(1990, 2100)
#: The range of each number that need not be whole, by path (see :data:`LIMITS`).
# Lower bounds keep every intensity finite (per CNY million, per m2): a revenue of 1e-300 is a typo.
NUMBER_LIMITS: Final[dict[str, Limit]] = {
    "company.annual_revenue": Limit(1.0, 1e15),
    "company.floor_area_m2": Limit(1.0, 1e8),
    "company.operating_hours_per_week": Limit(1.0, 168),
    "company.fx_to_cny": Limit(1e-6, 1e6),
    "energy.electricity_kwh": Limit(0.0, 1e12),
    "energy.green_electricity_kwh": Limit(0.0, 1e12),
    "energy.onsite_renewable_kwh": Limit(0.0, 1e12),
    "energy.fuels.*.quantity": Limit(0.0, 1e12),
    "energy.purchased_heat_gj": Limit(0.0, 1e12),
    "energy.electricity_spend": Limit(0.0, 1e13),
    # above 0: no grid emits nothing, and a caller factor of 0 had zeroed Scope 2 and the financed emissions
    "energy.grid_factor.kgco2e_per_kwh": Limit(0.0, 3.0, exclusive_minimum=True),
    "transport.fleet.*.km": Limit(0.0, 1e10),
    "transport.fleet.*.fuel_quantity": Limit(0.0, 1e12),
    "transport.business_travel.*.passenger_km": Limit(0.0, 1e10),
    "resources.water_m3": Limit(0.0, 1e11),
    "resources.waste_t": Limit(0.0, 1e9),
    "resources.waste_recycled_t": Limit(0.0, 1e9),
    "resources.hazardous_waste_t": Limit(0.0, 1e9),
    "resources.food_waste_t": Limit(0.0, 1e9),
    # kg topped up in a year: a large cold store holds a few tonnes of charge; 1e6 kg is far beyond any SME
    "refrigerants.*.recharged_kg": Limit(0.0, 1e6),
    "practices.green_products_share": Limit(0.0, 1.0),
    "offsets.*.tco2e": Limit(0.0, 1e9),
    "targets.*.reduction_pct": Limit(0.0, 100.0),
    "loan.amount": Limit(0.0, 1e13, exclusive_minimum=True),
    "loan.outstanding": Limit(0.0, 1e13),
    "loan.borrower_equity_plus_debt": Limit(0.0, 1e15, exclusive_minimum=True),
    "loan.borrower_total_assets": Limit(0.0, 1e15, exclusive_minimum=True),
    "loan.fx_to_cny": Limit(1e-6, 1e6),
    "reported_emissions.scope1_tco2e": Limit(0.0, 1e9),
    "reported_emissions.scope2_location_tco2e": Limit(0.0, 1e9),
    "reported_emissions.scope2_market_tco2e": Limit(0.0, 1e9),
    "reported_emissions.scope3_tco2e": Limit(0.0, 1e9),
}
#: Why a number below its minimum is refused, and what to send instead, by path, where the bound alone would
#: not tell: the engine's reader and the API's schema both answer with these words (the API had answered a
#: balance sheet of 0 with its bounds only, "Must be greater than 0.0 and less than or equal to 1e15").
#: A balance sheet of 0 or less: the attribution factor divides by it (PCAF Part A, 5.2, footnotes 90 and
#: 92), so it is never taken for a missing figure (which would switch the basis to total assets unsaid) nor
#: divided by.
BELOW_MINIMUM: Final[dict[str, str]] = {
    "loan.borrower_equity_plus_debt": (
        "must be greater than 0: PCAF divides the outstanding amount by the borrower's equity + debt (a "
        "negative book equity counts as 0, so send the debt alone); if it is not known, leave it out, and "
        "borrower_total_assets (PCAF's fallback) is divided by instead, as attribution_basis says"
    ),
    "loan.borrower_total_assets": (
        "must be greater than 0: PCAF's fallback divides the outstanding amount by the borrower's total "
        "assets; if they are not known, leave them out"
    ),
}
#: The range of each whole number (a count, a year, a scope), by path (see :data:`LIMITS`).
WHOLE_LIMITS: Final[dict[str, WholeLimit]] = {
    "company.employees": WholeLimit(1, 1_000_000),
    "company.reporting_year": _YEARS,
    "energy.grid_factor.year": _YEARS,
    "energy.green_electricity_vintage": _YEARS,
    "transport.fleet.*.vehicles": WholeLimit(0, 100_000),
    "compliance.environmental_penalties_3y": WholeLimit(0, 1000),
    "offsets.*.vintage": _YEARS,
    "targets.*.scopes.*": WholeLimit(1, 3),
    "targets.*.base_year": _YEARS,
    "targets.*.target_year": _YEARS,
}
#: The range of every number of the operating data, by path (``*``: each item of a list); the energy and
#: transport of ``previous_year`` take those of ``energy`` and ``transport``. The one statement of them: the
#: engine's reader (rating_model/operating_data_reader.py) and the API's schema (schemas/operating_data.py)
#: both read them here, and tests/schemas/test_limits_agree.py probes both layers at each end.
LIMITS: Final[dict[str, Limit | WholeLimit]] = {**NUMBER_LIMITS, **WHOLE_LIMITS}


@dataclass(frozen=True, slots=True, init=False)
class Company:
    country: str
    industry_code: str
    employees: int
    annual_revenue: float
    currency: str
    reporting_year: int
    region: str | None = None
    floor_area_m2: float | None = None
    external_id: str | None = None
    operating_hours_per_week: float | None = None
    fx_to_cny: float | None = None
    #: The business's name as the caller gave it, or ``None``: nothing is computed from it (it is only
    #: printed in the disclosures), so a bank may send a pseudonym or leave it out. Left out, it is not in
    #: the canonical input either, whose keys are sorted: an input that gives one hashes as it always did.
    name: str | None = None

    def __init__(
        self, country: str, industry_code: str, employees: int, annual_revenue: float, currency: str,
        reporting_year: int, region: str | None = None, floor_area_m2: float | None = None,
        external_id: str | None = None, operating_hours_per_week: float | None = None,
        fx_to_cny: float | None = None, name: str | None = None,
    ) -> None:
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "industry_code", industry_code)
        object.__setattr__(self, "employees", employees)
        object.__setattr__(self, "annual_revenue", annual_revenue)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "reporting_year", reporting_year)
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "floor_area_m2", floor_area_m2)
        object.__setattr__(self, "external_id", external_id)
        object.__setattr__(self, "operating_hours_per_week", operating_hours_per_week)
        object.__setattr__(self, "fx_to_cny", fx_to_cny)
        object.__setattr__(self, "name", name)

    @property
    def isic_division(self) -> str:
        """The two-digit ISIC Rev.4 division that sector rules key on."""
        return self.industry_code[:2]


#: why an exchange rate other than 1 is refused for CNY amounts (parser and :func:`to_cny` alike)
CNY_FX_MESSAGE = "must be 1 or left out when currency is CNY (amounts in CNY are not converted)"


def to_cny(company: Company, amount: float) -> float:
    """An amount of the company's currency in CNY: the single revenue basis of every figure per CNY.

    Intensities, the IFRS S2 summary, the carbon-intensity indicator and the spend-based estimate all
    convert through here, so one business has one revenue in CNY. A CNY amount is never scaled: an
    ``fx_to_cny`` other than 1 beside currency CNY is refused (the parser refuses it first) rather than
    applied in one place and ignored in another.

    Raises
    ------
    InvalidInputError
        ``company.fx_to_cny`` missing for another currency, or other than 1 for CNY.
    """
    fx = company.fx_to_cny
    if company.currency == "CNY":
        if fx is not None and fx != 1.0:
            raise InvalidInputError("company.fx_to_cny", CNY_FX_MESSAGE)
        return amount
    if fx is None:
        raise InvalidInputError("company.fx_to_cny", "required when currency is not CNY")
    return amount * fx


def revenue_cny_million(company: Company) -> float:
    """Annual revenue in CNY million, the denominator of every intensity per revenue (see :func:`to_cny`)."""
    return to_cny(company, company.annual_revenue) / 1e6


@dataclass(frozen=True, slots=True, init=False)
class FuelUse:
    fuel: str
    quantity: float
    unit: str

    def __init__(self, fuel: str, quantity: float, unit: str) -> None:
        object.__setattr__(self, "fuel", fuel)
        object.__setattr__(self, "quantity", quantity)
        object.__setattr__(self, "unit", unit)


@dataclass(frozen=True, slots=True, init=False)
class GridFactor:
    """A caller-supplied location-based grid factor, for countries without a shipped factor set."""

    kgco2e_per_kwh: float
    source: str
    year: int | None = None

    def __init__(self, kgco2e_per_kwh: float, source: str, year: int | None = None) -> None:
        object.__setattr__(self, "kgco2e_per_kwh", kgco2e_per_kwh)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "year", year)


@dataclass(frozen=True, slots=True, init=False)
class Energy:
    """A year's site energy. ``fuels`` is ``None`` when not answered (the standard may estimate it) and
    ``()`` when the business said it burns no fuel on site (``"fuels": []``): the two rate differently."""

    electricity_kwh: float | None = None
    green_electricity_kwh: float | None = None
    green_electricity_instrument: str | None = None
    onsite_renewable_kwh: float | None = None
    fuels: tuple[FuelUse, ...] | None = None
    purchased_heat_gj: float | None = None
    electricity_spend: float | None = None
    grid_factor: GridFactor | None = None
    #: the year the green instruments' electricity was generated (schema 1.13), or ``None`` (not stated:
    #: counted, and the disclosure says it was not stated); see :func:`counted_green_kwh`
    green_electricity_vintage: int | None = None

    def __init__(
        self, electricity_kwh: float | None = None, green_electricity_kwh: float | None = None,
        green_electricity_instrument: str | None = None, onsite_renewable_kwh: float | None = None,
        fuels: tuple[FuelUse, ...] | None = None, purchased_heat_gj: float | None = None,
        electricity_spend: float | None = None, grid_factor: GridFactor | None = None,
        green_electricity_vintage: int | None = None,
    ) -> None:
        object.__setattr__(self, "electricity_kwh", electricity_kwh)
        object.__setattr__(self, "green_electricity_kwh", green_electricity_kwh)
        object.__setattr__(self, "green_electricity_instrument", green_electricity_instrument)
        object.__setattr__(self, "onsite_renewable_kwh", onsite_renewable_kwh)
        object.__setattr__(self, "fuels", fuels)
        object.__setattr__(self, "purchased_heat_gj", purchased_heat_gj)
        object.__setattr__(self, "electricity_spend", electricity_spend)
        object.__setattr__(self, "grid_factor", grid_factor)
        object.__setattr__(self, "green_electricity_vintage", green_electricity_vintage)


@dataclass(frozen=True, slots=True, init=False)
class FleetItem:
    """One group of company vehicles. ``vehicle_type`` (one of :data:`VEHICLE_TYPES`) is ``None`` when not
    given, which is read as ``car`` (the only class before schema 1.12), so that a payload without it keeps
    its plain form and its rating."""

    fuel: str
    vehicles: int | None = None
    km: float | None = None
    fuel_quantity: float | None = None
    unit: str | None = None
    vehicle_type: str | None = None

    def __init__(
        self, fuel: str, vehicles: int | None = None, km: float | None = None,
        fuel_quantity: float | None = None, unit: str | None = None, vehicle_type: str | None = None,
    ) -> None:
        object.__setattr__(self, "fuel", fuel)
        object.__setattr__(self, "vehicles", vehicles)
        object.__setattr__(self, "km", km)
        object.__setattr__(self, "fuel_quantity", fuel_quantity)
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "vehicle_type", vehicle_type)

    @property
    def vehicle_class(self) -> str:
        """The class its km and vehicles are priced as: ``vehicle_type``, or ``car`` when not given."""
        return self.vehicle_type or "car"


@dataclass(frozen=True, slots=True, init=False)
class TravelItem:
    mode: str
    passenger_km: float

    def __init__(self, mode: str, passenger_km: float) -> None:
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "passenger_km", passenger_km)


@dataclass(frozen=True, slots=True, init=False)
class Transport:
    """Vehicles and business travel. ``fleet`` is ``None`` when not answered and ``()`` when the business
    said it runs no vehicles (``"fleet": []``): the fleet indicator scores the second as a fleet with no
    combustion vehicle (standard 1.5.0), the first in its missing bin, and only an answer is compared with
    the previous year. :attr:`vehicles` reads both as no vehicles.

    ``business_travel`` likewise: ``None`` when not reported (listed in ``emissions.missing`` and the IFRS S2
    exclusions) and ``()`` when the business said it had none (``"business_travel": []``, a reported zero for
    Scope 3 category 6; schema 1.14). :attr:`trips` reads both as no trips."""

    fleet: tuple[FleetItem, ...] | None = None
    business_travel: tuple[TravelItem, ...] | None = None

    def __init__(
        self, fleet: tuple[FleetItem, ...] | None = None,
        business_travel: tuple[TravelItem, ...] | None = None,
    ) -> None:
        object.__setattr__(self, "fleet", fleet)
        object.__setattr__(self, "business_travel", business_travel)

    @property
    def vehicles(self) -> tuple[FleetItem, ...]:
        """The fleet's items, empty whether the business runs no vehicles or did not say."""
        return self.fleet or ()

    @property
    def trips(self) -> tuple[TravelItem, ...]:
        """The business travel's items, empty whether the business had none or did not say."""
        return self.business_travel or ()


@dataclass(frozen=True, slots=True, init=False)
class Resources:
    water_m3: float | None = None
    waste_t: float | None = None
    waste_recycled_t: float | None = None
    hazardous_waste_t: float | None = None
    #: of waste_t, food and drink waste sent to landfill (composted or digested food waste is recycled):
    #: landfilled food waste emits more methane per tonne than mixed commercial waste
    food_waste_t: float | None = None

    def __init__(
        self, water_m3: float | None = None, waste_t: float | None = None,
        waste_recycled_t: float | None = None, hazardous_waste_t: float | None = None,
        food_waste_t: float | None = None,
    ) -> None:
        object.__setattr__(self, "water_m3", water_m3)
        object.__setattr__(self, "waste_t", waste_t)
        object.__setattr__(self, "waste_recycled_t", waste_recycled_t)
        object.__setattr__(self, "hazardous_waste_t", hazardous_waste_t)
        object.__setattr__(self, "food_waste_t", food_waste_t)


@dataclass(frozen=True, slots=True, init=False)
class Practices:
    """Green-behaviour flags (MYbank-style signals); ``None`` is "not answered", not "no"."""

    e_invoicing: bool | None = None
    digital_ordering: bool | None = None
    energy_efficient_equipment: bool | None = None
    led_lighting: bool | None = None
    green_procurement_policy: bool | None = None
    iso14001: bool | None = None
    energy_audit: bool | None = None
    environmental_policy: bool | None = None
    climate_responsible_person: bool | None = None
    waste_sorting: bool | None = None
    water_saving_equipment: bool | None = None
    green_packaging: bool | None = None
    green_products_share: float | None = None

    def __init__(
        self, e_invoicing: bool | None = None, digital_ordering: bool | None = None,
        energy_efficient_equipment: bool | None = None, led_lighting: bool | None = None,
        green_procurement_policy: bool | None = None, iso14001: bool | None = None,
        energy_audit: bool | None = None, environmental_policy: bool | None = None,
        climate_responsible_person: bool | None = None, waste_sorting: bool | None = None,
        water_saving_equipment: bool | None = None, green_packaging: bool | None = None,
        green_products_share: float | None = None,
    ) -> None:
        object.__setattr__(self, "e_invoicing", e_invoicing)
        object.__setattr__(self, "digital_ordering", digital_ordering)
        object.__setattr__(self, "energy_efficient_equipment", energy_efficient_equipment)
        object.__setattr__(self, "led_lighting", led_lighting)
        object.__setattr__(self, "green_procurement_policy", green_procurement_policy)
        object.__setattr__(self, "iso14001", iso14001)
        object.__setattr__(self, "energy_audit", energy_audit)
        object.__setattr__(self, "environmental_policy", environmental_policy)
        object.__setattr__(self, "climate_responsible_person", climate_responsible_person)
        object.__setattr__(self, "waste_sorting", waste_sorting)
        object.__setattr__(self, "water_saving_equipment", water_saving_equipment)
        object.__setattr__(self, "green_packaging", green_packaging)
        object.__setattr__(self, "green_products_share", green_products_share)


@dataclass(frozen=True, slots=True, init=False)
class Compliance:
    environmental_penalties_3y: int | None = None

    def __init__(self, environmental_penalties_3y: int | None = None) -> None:
        object.__setattr__(self, "environmental_penalties_3y", environmental_penalties_3y)


@dataclass(frozen=True, slots=True, init=False)
class Offset:
    standard: str
    tco2e: float
    type: str
    vintage: int | None = None

    def __init__(self, standard: str, tco2e: float, type: str, vintage: int | None = None) -> None:
        object.__setattr__(self, "standard", standard)
        object.__setattr__(self, "tco2e", tco2e)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "vintage", vintage)


@dataclass(frozen=True, slots=True, init=False)
class Target:
    """A GHG reduction target. The last four fields (schema 1.14) are what IFRS S2 paras 33-36 ask of a
    target beyond its scopes, years and cut, each ``None`` when not stated (as before they existed, and so
    the input's canonical form and hash are unchanged without them): ``kind`` (:data:`TARGET_KINDS`, 33(g)),
    ``gases`` (:data:`TARGET_GASES` in that order, 36(a)), ``net_of_credits`` (36(c): ``False`` is a gross
    target) and ``validated_by`` (the third party that validated it, e.g. "SBTi", 34(a))."""

    scopes: tuple[int, ...]
    base_year: int
    target_year: int
    reduction_pct: float
    kind: str | None = None
    gases: tuple[str, ...] | None = None
    net_of_credits: bool | None = None
    validated_by: str | None = None

    def __init__(
        self, scopes: tuple[int, ...], base_year: int, target_year: int, reduction_pct: float,
        kind: str | None = None, gases: tuple[str, ...] | None = None, net_of_credits: bool | None = None,
        validated_by: str | None = None,
    ) -> None:
        object.__setattr__(self, "scopes", scopes)
        object.__setattr__(self, "base_year", base_year)
        object.__setattr__(self, "target_year", target_year)
        object.__setattr__(self, "reduction_pct", reduction_pct)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "gases", gases)
        object.__setattr__(self, "net_of_credits", net_of_credits)
        object.__setattr__(self, "validated_by", validated_by)


@dataclass(frozen=True, slots=True, init=False)
class RefrigerantUse:
    """Refrigerant charged into the business's own air conditioning and refrigeration in the year to replace
    what leaked (the GHG Protocol's simplified mass balance, "top-up" method): what was recharged is taken to
    have leaked, a Scope 1 fugitive emission of ``recharged_kg`` x the gas's GWP-100."""

    gas: str
    recharged_kg: float

    def __init__(self, gas: str, recharged_kg: float) -> None:
        object.__setattr__(self, "gas", gas)
        object.__setattr__(self, "recharged_kg", recharged_kg)


#: the sections of a business that says nothing of them: one shared empty value each (values never change)
_NO_ENERGY = Energy()
_NO_TRANSPORT = Transport()
_NO_RESOURCES = Resources()
_NO_PRACTICES = Practices()
_NO_COMPLIANCE = Compliance()


@dataclass(frozen=True, slots=True, init=False)
class PreviousYear:
    energy: Energy = _NO_ENERGY
    transport: Transport = _NO_TRANSPORT

    def __init__(self, energy: Energy = _NO_ENERGY, transport: Transport = _NO_TRANSPORT) -> None:
        object.__setattr__(self, "energy", energy)
        object.__setattr__(self, "transport", transport)


@dataclass(frozen=True, slots=True, init=False)
class Loan:
    amount: float
    currency: str
    use_of_proceeds: str
    outstanding: float | None = None
    #: the borrower's balance sheet, in ``company.currency`` (the company's, like its revenue; engine 1.9)
    borrower_equity_plus_debt: float | None = None
    borrower_total_assets: float | None = None
    #: CNY per unit of the loan's currency: needed only when that is neither CNY nor the company's currency
    fx_to_cny: float | None = None

    def __init__(
        self, amount: float, currency: str, use_of_proceeds: str, outstanding: float | None = None,
        borrower_equity_plus_debt: float | None = None, borrower_total_assets: float | None = None,
        fx_to_cny: float | None = None,
    ) -> None:
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "use_of_proceeds", use_of_proceeds)
        object.__setattr__(self, "outstanding", outstanding)
        object.__setattr__(self, "borrower_equity_plus_debt", borrower_equity_plus_debt)
        object.__setattr__(self, "borrower_total_assets", borrower_total_assets)
        object.__setattr__(self, "fx_to_cny", fx_to_cny)


@dataclass(frozen=True, slots=True, init=False)
class ReportedEmissions:
    """The business's own GHG inventory for the reporting year, as it reported it (schema 1.11).

    PCAF scores a loan's emissions 1 only on the borrower's *reported* and verified emissions (option 1a;
    unverified, 1b, scores 2); emissions greenrate computes from activity data are option 2a at best
    (score 2), however well the data were checked. The engine never scores these figures (the score reads
    the activity data, so a business cannot report its way to a grade): it compares them with its own
    inventory and, with a loan, attributes them (``rating_model.green_loan.financed_emissions``).
    Scope 2 is the location-based figure (what greenrate attributes and what China's enterprise guidelines
    report); the market-based one is optional.
    """

    scope1_tco2e: float
    scope2_location_tco2e: float
    verified: bool
    #: who verified the inventory (a verification body's name); required when ``verified``
    verifier: str | None = None
    scope2_market_tco2e: float | None = None
    scope3_tco2e: float | None = None

    def __init__(
        self, scope1_tco2e: float, scope2_location_tco2e: float, verified: bool, verifier: str | None = None,
        scope2_market_tco2e: float | None = None, scope3_tco2e: float | None = None,
    ) -> None:
        object.__setattr__(self, "scope1_tco2e", scope1_tco2e)
        object.__setattr__(self, "scope2_location_tco2e", scope2_location_tco2e)
        object.__setattr__(self, "verified", verified)
        object.__setattr__(self, "verifier", verifier)
        object.__setattr__(self, "scope2_market_tco2e", scope2_market_tco2e)
        object.__setattr__(self, "scope3_tco2e", scope3_tco2e)

    @property
    def pcaf_option(self) -> str:
        """PCAF Part A's data-quality option for these figures: 1a verified, 1b unverified."""
        return "1a" if self.verified else "1b"


@dataclass(frozen=True, slots=True, init=False)
class OperatingData:
    """Everything the engine rates; the canonical form of it is what ratings are keyed and stored by."""

    company: Company
    energy: Energy = _NO_ENERGY
    transport: Transport = _NO_TRANSPORT
    resources: Resources = _NO_RESOURCES
    practices: Practices = _NO_PRACTICES
    compliance: Compliance = _NO_COMPLIANCE
    offsets: tuple[Offset, ...] = ()
    targets: tuple[Target, ...] = ()
    previous_year: PreviousYear | None = None
    data_source: str = "estimated"
    loan: Loan | None = None
    reported_emissions: ReportedEmissions | None = None
    #: refrigerants recharged in the year (schema 1.13); ``None``: not answered, ``()``: none recharged
    refrigerants: tuple[RefrigerantUse, ...] | None = None

    def __init__(
        self, company: Company, energy: Energy = _NO_ENERGY, transport: Transport = _NO_TRANSPORT,
        resources: Resources = _NO_RESOURCES, practices: Practices = _NO_PRACTICES,
        compliance: Compliance = _NO_COMPLIANCE, offsets: tuple[Offset, ...] = (),
        targets: tuple[Target, ...] = (), previous_year: PreviousYear | None = None,
        data_source: str = "estimated", loan: Loan | None = None,
        reported_emissions: ReportedEmissions | None = None,
        refrigerants: tuple[RefrigerantUse, ...] | None = None,
    ) -> None:
        object.__setattr__(self, "company", company)
        object.__setattr__(self, "energy", energy)
        object.__setattr__(self, "transport", transport)
        object.__setattr__(self, "resources", resources)
        object.__setattr__(self, "practices", practices)
        object.__setattr__(self, "compliance", compliance)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "previous_year", previous_year)
        object.__setattr__(self, "data_source", data_source)
        object.__setattr__(self, "loan", loan)
        object.__setattr__(self, "reported_emissions", reported_emissions)
        object.__setattr__(self, "refrigerants", refrigerants)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form with ``None`` and empty lists dropped (except ``fuels: []``, ``fleet: []``,
        ``business_travel: []`` and ``refrigerants: []``, answers), so equal inputs compare equal.

        The same as pruning ``dataclasses.asdict(self)``, in one pass: ``asdict`` deep-copies every value
        and introspects the fields of every object on every call, and each rating request pays for it.
        """
        return plain(self)  # type: ignore[no-any-return]

    def canonical_json(self) -> str:
        """Key-sorted compact JSON: the input a rating is hashed, cached and stored by."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_PRACTICE_FLAG_SET: Final = frozenset(PRACTICE_FLAGS)


def vintage_counts(vintage: int | None, year: int) -> bool:
    """Whether green instruments of ``vintage`` count for the electricity of ``year``.

    The GHG Protocol's Scope 2 Quality Criteria count a contractual instrument for the period of the
    consumption it covers (``../shared/docs/domain.md``: "same market boundary and vintage"): certificates
    of 2019 do not make 2024's electricity green. A vintage not stated (``None``) is counted, as before the
    field existed, and said as not stated."""
    return vintage is None or vintage == year


def counted_green_kwh(energy: Energy, year: int) -> float:
    """The green-contracted kWh of ``energy`` (the electricity of ``year``) that market-based Scope 2 prices
    at zero and the renewable share and substitution count: all of them, unless their vintage is another
    year's (:func:`vintage_counts`), when none are (that electricity is priced at the residual factor).

    Instruments of another year are kept in the input and said in the disclosure rather than refused: a
    business that states its certificates' year truthfully is rated, as one that does not state it is."""
    green = energy.green_electricity_kwh or 0.0
    return green if vintage_counts(energy.green_electricity_vintage, year) else 0.0


def adopt_practices(data: OperatingData, names: Collection[str]) -> OperatingData:
    """``data`` with the practices ``names`` adopted (answered yes); its other sections the same objects.

    The improvement plan adopts practices in most of its counterfactuals (each action alone, the prefixes
    of its path, the trials without an action). ``values.evolve`` copies a value by its field names from
    interpreted code: in the compiled build that read every field of the data and of its practices by
    name, about 28K instructions an adoption and 9% of a rating; this builds the two values directly.
    Every field is carried over (``tests/rating_model/test_plan_reuse.py`` checks each).

    Raises
    ------
    ValueError
        A name that is not a practice flag (:data:`PRACTICE_FLAGS`), as ``evolve`` refuses an unknown field.
    """
    if not _PRACTICE_FLAG_SET.issuperset(names):
        raise ValueError(f"not practice flags: {sorted(set(names) - _PRACTICE_FLAG_SET)}")
    p = data.practices
    practices = Practices(
        True if "e_invoicing" in names else p.e_invoicing,
        True if "digital_ordering" in names else p.digital_ordering,
        True if "energy_efficient_equipment" in names else p.energy_efficient_equipment,
        True if "led_lighting" in names else p.led_lighting,
        True if "green_procurement_policy" in names else p.green_procurement_policy,
        True if "iso14001" in names else p.iso14001,
        True if "energy_audit" in names else p.energy_audit,
        True if "environmental_policy" in names else p.environmental_policy,
        True if "climate_responsible_person" in names else p.climate_responsible_person,
        True if "waste_sorting" in names else p.waste_sorting,
        True if "water_saving_equipment" in names else p.water_saving_equipment,
        True if "green_packaging" in names else p.green_packaging,
        p.green_products_share,
    )
    return OperatingData(data.company, data.energy, data.transport, data.resources, practices,
                         data.compliance, data.offsets, data.targets, data.previous_year, data.data_source,
                         data.loan, data.reported_emissions, data.refrigerants)


def plain(value: Any) -> Any:
    """Dataclasses as dicts in field order and sequences as lists, dropping ``None``, ``[]`` and ``{}``
    (except an answered empty list of :data:`_EMPTY_IS_AN_ANSWER`).

    Values inside are immutable (str, numbers, bools), so nothing needs copying.
    """
    kind = type(value)
    if kind in _LEAVES:  # most values: checked first, since is_dataclass is a Python call on each
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            items = ((k, plain(v)) for k, v in value.items())
            return {k: v for k, v in items if v is not None and v != [] and v != {}}
        if not is_dataclass(value) or isinstance(value, type):
            return value
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    out: dict[str, Any] = {}
    for name in names:
        v = plain(getattr(value, name))
        if v is not None and ((v != [] and v != {}) or (v == [] and name in _EMPTY_IS_AN_ANSWER)):
            out[name] = v
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: the types of the values inside operating data, returned as they are (``None``'s too)
_LEAVES = frozenset({str, float, int, bool, type(None)})
#: list fields where ``[]`` says something ("no fuel burned on site", "no vehicles", "no business travel")
#: that leaving them out does not
_EMPTY_IS_AN_ANSWER = frozenset({"fuels", "fleet", "business_travel", "refrigerants"})


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Company, FuelUse, GridFactor, Energy, FleetItem, TravelItem, Transport, Resources,
                     Practices, Compliance, Offset, Target, PreviousYear, Loan, ReportedEmissions,
                     RefrigerantUse, OperatingData):
    fast_init(_value_class)
