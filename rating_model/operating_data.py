"""A small business's operating data as typed, immutable values, read strictly from JSON-like input.

Field names follow the public contract (``shared/docs/api-v1.md``). Conventions: quantities are SI unless
the name says otherwise (``_kwh``, ``_gj``, ``_m3``, ``_t``), money is a number in ``company.currency``,
``None`` means "not given" (never zero). Purchased grid electricity (``electricity_kwh``) includes the
green-contracted part (``green_electricity_kwh``); on-site renewable generation consumed on site
(``onsite_renewable_kwh``) is not part of it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Final, NamedTuple

from rating_model.exceptions import InvalidInputError
from rating_model.reader import Reader, raise_if_errors
from rating_model.units import CANONICAL_UNITS, known_unit
from rating_model.values import fast_init

#: The version of the operating-data and rating documents: a change to what a document holds or means bumps
#: it. Ratings are reused only under the same version. What each version changed is in CHANGES.md.
SCHEMA_VERSION = "1.8"

STATIONARY_FUELS = ("natural_gas", "diesel", "gasoline", "lpg", "coal", "fuel_oil")
FLEET_FUELS = ("gasoline", "diesel", "hybrid", "electric", "lpg", "natural_gas", "unknown")
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
# request checks four of them. The API's schema (schemas/operating_data.py) publishes and checks the same
# patterns (their ``.pattern``), so the two layers cannot drift apart.
#: ISO 3166-1 alpha-2 country code (``company.country``)
COUNTRY_PATTERN: Final = re.compile(r"[A-Z]{2}")
#: ISO 3166-2 subdivision (``company.region``); that it lies in the country is checked apart
REGION_PATTERN: Final = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
#: ISIC Rev.4 code, 2-4 digits (``company.industry_code``)
INDUSTRY_PATTERN: Final = re.compile(r"[0-9]{2,4}")
#: ISO 4217 currency code (``company.currency``, ``loan.currency``)
CURRENCY_PATTERN: Final = re.compile(r"[A-Z]{3}")


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
# Lower bounds keep every intensity finite (per CNY million, per m2): a revenue of 1e-300 is a typo.
_NUMBERS: Final[dict[str, Limit]] = {
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
    "practices.green_products_share": Limit(0.0, 1.0),
    "offsets.*.tco2e": Limit(0.0, 1e9),
    "targets.*.reduction_pct": Limit(0.0, 100.0),
    "loan.amount": Limit(0.0, 1e13, exclusive_minimum=True),
    "loan.outstanding": Limit(0.0, 1e13),
    "loan.borrower_equity_plus_debt": Limit(0.0, 1e15, exclusive_minimum=True),
    "loan.borrower_total_assets": Limit(0.0, 1e15, exclusive_minimum=True),
    "loan.fx_to_cny": Limit(1e-6, 1e6),
}
_WHOLE: Final[dict[str, WholeLimit]] = {
    "company.employees": WholeLimit(1, 1_000_000),
    "company.reporting_year": _YEARS,
    "energy.grid_factor.year": _YEARS,
    "transport.fleet.*.vehicles": WholeLimit(0, 100_000),
    "compliance.environmental_penalties_3y": WholeLimit(0, 1000),
    "offsets.*.vintage": _YEARS,
    "targets.*.scopes.*": WholeLimit(1, 3),
    "targets.*.base_year": _YEARS,
    "targets.*.target_year": _YEARS,
}
#: The range of every number of the operating data, by path (``*``: each item of a list); the energy and
#: transport of ``previous_year`` take those of ``energy`` and ``transport``. The one statement of them: the
#: engine's reader below and the API's schema (schemas/operating_data.py) both read them here, and
#: tests/schemas/test_limits_agree.py probes both layers at each end.
LIMITS: Final[dict[str, Limit | WholeLimit]] = {**_NUMBERS, **_WHOLE}


@dataclass(frozen=True, slots=True)
class Company:
    name: str
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


@dataclass(frozen=True, slots=True)
class FuelUse:
    fuel: str
    quantity: float
    unit: str


@dataclass(frozen=True, slots=True)
class GridFactor:
    """A caller-supplied location-based grid factor, for countries without a shipped factor set."""

    kgco2e_per_kwh: float
    source: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class FleetItem:
    fuel: str
    vehicles: int | None = None
    km: float | None = None
    fuel_quantity: float | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class TravelItem:
    mode: str
    passenger_km: float


@dataclass(frozen=True, slots=True)
class Transport:
    """Vehicles and business travel. ``fleet`` is ``None`` when not answered and ``()`` when the business
    said it runs no vehicles (``"fleet": []``): the fleet indicator scores the second as a fleet with no
    combustion vehicle (standard 1.5.0), the first in its missing bin, and only an answer is compared with
    the previous year. :attr:`vehicles` reads both as no vehicles."""

    fleet: tuple[FleetItem, ...] | None = None
    business_travel: tuple[TravelItem, ...] = ()

    @property
    def vehicles(self) -> tuple[FleetItem, ...]:
        """The fleet's items, empty whether the business runs no vehicles or did not say."""
        return self.fleet or ()


@dataclass(frozen=True, slots=True)
class Resources:
    water_m3: float | None = None
    waste_t: float | None = None
    waste_recycled_t: float | None = None
    hazardous_waste_t: float | None = None
    #: of waste_t, food and drink waste sent to landfill (composted or digested food waste is recycled):
    #: landfilled food waste emits more methane per tonne than mixed commercial waste
    food_waste_t: float | None = None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Compliance:
    environmental_penalties_3y: int | None = None


@dataclass(frozen=True, slots=True)
class Offset:
    standard: str
    tco2e: float
    type: str
    vintage: int | None = None


@dataclass(frozen=True, slots=True)
class Target:
    scopes: tuple[int, ...]
    base_year: int
    target_year: int
    reduction_pct: float


@dataclass(frozen=True, slots=True)
class PreviousYear:
    energy: Energy = field(default_factory=Energy)
    transport: Transport = field(default_factory=Transport)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class OperatingData:
    """Everything the engine rates; the canonical form of it is what ratings are keyed and stored by."""

    company: Company
    energy: Energy = field(default_factory=Energy)
    transport: Transport = field(default_factory=Transport)
    resources: Resources = field(default_factory=Resources)
    practices: Practices = field(default_factory=Practices)
    compliance: Compliance = field(default_factory=Compliance)
    offsets: tuple[Offset, ...] = ()
    targets: tuple[Target, ...] = ()
    previous_year: PreviousYear | None = None
    data_source: str = "estimated"
    loan: Loan | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form with ``None`` and empty lists dropped (except ``fuels: []`` and ``fleet: []``,
        answers), so equal inputs compare equal.

        The same as pruning ``dataclasses.asdict(self)``, in one pass: ``asdict`` deep-copies every value
        and introspects the fields of every object on every call, and each rating request pays for it.
        """
        return _plain(self)  # type: ignore[no-any-return]

    def canonical_json(self) -> str:
        """Key-sorted compact JSON: the input a rating is hashed, cached and stored by."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    """Dataclasses as dicts in field order and sequences as lists, dropping ``None``, ``[]`` and ``{}``
    (except an answered empty list of :data:`_EMPTY_IS_AN_ANSWER`).

    Values inside are immutable (str, numbers, bools), so nothing needs copying.
    """
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if isinstance(value, list | tuple):
            return [_plain(v) for v in value]
        if isinstance(value, dict):
            items = ((k, _plain(v)) for k, v in value.items())
            return {k: v for k, v in items if v is not None and v != [] and v != {}}
        if not is_dataclass(value) or isinstance(value, type):
            return value
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    out: dict[str, Any] = {}
    for name in names:
        v = _plain(getattr(value, name))
        if v is not None and ((v != [] and v != {}) or (v == [] and name in _EMPTY_IS_AN_ANSWER)):
            out[name] = v
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: list fields where ``[]`` says something ("no fuel burned on site", "no vehicles") that leaving them out
#: does not
_EMPTY_IS_AN_ANSWER = frozenset({"fuels", "fleet"})


@functools.cache
def _names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


_PRACTICE_FIELDS = frozenset(PRACTICE_FLAGS + PRACTICE_SHARES)
_SHARE_LIMITS = tuple((name, _NUMBERS[f"practices.{name}"]) for name in PRACTICE_SHARES)
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


def _whole(r: Reader, key: str, limit: WholeLimit, required: bool = False) -> int | None:
    """:meth:`Reader.integer` within ``limit`` (one of :data:`LIMITS`)."""
    minimum, maximum = limit
    return r.integer(key, required=required, minimum=minimum, maximum=maximum)


def _read_company(r: Reader) -> Company | None:
    r.reject_unknown(_names(Company))
    name = r.text("name", required=True)
    if name and _HIDDEN.search(name):
        r.fail("name", "must not contain control characters (escapes, NUL) or bidirectional-text controls: "
               "the name is printed in the rating's disclosures")
        name = None
    country = r.text("country", required=True, pattern=COUNTRY_PATTERN)
    region = r.text("region", pattern=REGION_PATTERN)
    if region and country and not region.startswith(country + "-"):
        r.fail("region", f"must be a subdivision of {country} (ISO 3166-2, e.g. {country}-XX)")
        region = None
    industry = r.text("industry_code", required=True, pattern=INDUSTRY_PATTERN)
    employees = _whole(r, "employees", _WHOLE["company.employees"], required=True)
    revenue = _number(r, "annual_revenue", _NUMBERS["company.annual_revenue"], required=True)
    currency = r.text("currency", required=True, pattern=CURRENCY_PATTERN)
    year = _whole(r, "reporting_year", _WHOLE["company.reporting_year"], required=True)
    area = _number(r, "floor_area_m2", _NUMBERS["company.floor_area_m2"])
    external_id = r.text("external_id", max_length=120)
    hours = _number(r, "operating_hours_per_week", _NUMBERS["company.operating_hours_per_week"])
    fx = _number(r, "fx_to_cny", _NUMBERS["company.fx_to_cny"])
    if currency and currency != "CNY" and fx is None and "fx_to_cny" not in r.data:
        r.fail("fx_to_cny", "required when currency is not CNY (intensities are reported per CNY million)")
    elif currency == "CNY" and fx is not None and fx != 1.0:
        r.fail("fx_to_cny", CNY_FX_MESSAGE)
    if None in (name, country, industry, employees, revenue, currency, year):
        return None
    assert name and country and industry and currency and employees is not None
    assert revenue is not None and year is not None
    # positional, in field order: this runs per request and keywords cost time
    return Company(
        name, country, industry, employees, revenue, currency, year, region, area, external_id, hours, fx
    )


def _read_fuel(r: Reader) -> FuelUse | None:
    r.reject_unknown(_names(FuelUse))
    fuel = r.text("fuel", required=True, choices=STATIONARY_FUELS)
    quantity = _number(r, "quantity", _NUMBERS["energy.fuels.*.quantity"], required=True)
    unit = r.text("unit", required=True, max_length=20)
    if fuel is None or quantity is None or unit is None:
        return None
    return FuelUse(fuel, quantity, unit)


def _read_grid_factor(r: Reader) -> GridFactor | None:
    r.reject_unknown(_names(GridFactor))
    # above 0 (see LIMITS): no grid emits nothing
    value = _number(r, "kgco2e_per_kwh", _NUMBERS["energy.grid_factor.kgco2e_per_kwh"], required=True)
    source = r.text("source", required=True, max_length=500)
    year = _whole(r, "year", _WHOLE["energy.grid_factor.year"])
    if value is None or source is None:
        return None
    return GridFactor(value, source, year)


def _read_energy(r: Reader | None) -> Energy:
    if r is None:
        return Energy()
    r.reject_unknown(_names(Energy))
    electricity = _number(r, "electricity_kwh", _NUMBERS["energy.electricity_kwh"])
    green = _number(r, "green_electricity_kwh", _NUMBERS["energy.green_electricity_kwh"])
    instrument = r.text("green_electricity_instrument", choices=GREEN_INSTRUMENTS)
    if green is not None and green > 0 and electricity is None:
        r.fail("electricity_kwh", "required when green_electricity_kwh is given")
    if green is not None and electricity is not None and green > electricity:
        r.fail("green_electricity_kwh", "must not exceed electricity_kwh (green power is part of purchases)")
    grid = r.child("grid_factor")
    return Energy(
        electricity_kwh=electricity,
        green_electricity_kwh=green,
        green_electricity_instrument=instrument,
        onsite_renewable_kwh=_number(r, "onsite_renewable_kwh", _NUMBERS["energy.onsite_renewable_kwh"]),
        fuels=r.items("fuels", _read_fuel, max_items=50) if r.data.get("fuels") is not None else None,
        purchased_heat_gj=_number(r, "purchased_heat_gj", _NUMBERS["energy.purchased_heat_gj"]),
        electricity_spend=_number(r, "electricity_spend", _NUMBERS["energy.electricity_spend"]),
        grid_factor=_read_grid_factor(grid) if grid is not None else None,
    )


def _read_fleet(r: Reader) -> FleetItem | None:
    r.reject_unknown(_names(FleetItem))
    fuel = r.text("fuel", required=True, choices=FLEET_FUELS)
    vehicles = _whole(r, "vehicles", _WHOLE["transport.fleet.*.vehicles"])
    km = _number(r, "km", _NUMBERS["transport.fleet.*.km"])
    quantity = _number(r, "fuel_quantity", _NUMBERS["transport.fleet.*.fuel_quantity"])
    unit = r.text("unit", max_length=20)
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
    if fuel is None:
        return None
    return FleetItem(fuel, vehicles, km, quantity, unit)


def _read_travel(r: Reader) -> TravelItem | None:
    r.reject_unknown(_names(TravelItem))
    mode = r.text("mode", required=True, choices=TRAVEL_MODES)
    pkm = _number(r, "passenger_km", _NUMBERS["transport.business_travel.*.passenger_km"], required=True)
    if mode is None or pkm is None:
        return None
    return TravelItem(mode, pkm)


def _read_transport(r: Reader | None) -> Transport:
    if r is None:
        return Transport()
    r.reject_unknown(_names(Transport))
    return Transport(
        fleet=r.items("fleet", _read_fleet, max_items=100) if r.data.get("fleet") is not None else None,
        business_travel=r.items("business_travel", _read_travel, max_items=50),
    )


def _read_resources(r: Reader | None) -> Resources:
    if r is None:
        return Resources()
    r.reject_unknown(_names(Resources))
    waste = _number(r, "waste_t", _NUMBERS["resources.waste_t"])
    recycled = _number(r, "waste_recycled_t", _NUMBERS["resources.waste_recycled_t"])
    hazardous = _number(r, "hazardous_waste_t", _NUMBERS["resources.hazardous_waste_t"])
    if recycled is not None and waste is not None and recycled > waste:
        r.fail("waste_recycled_t", "must not exceed waste_t")
    if hazardous is not None and waste is not None and hazardous > waste:
        r.fail("hazardous_waste_t", "must not exceed waste_t")
    if recycled is not None and recycled > 0 and waste is None:
        r.fail("waste_t", "required when waste_recycled_t is given")
    food = _number(r, "food_waste_t", _NUMBERS["resources.food_waste_t"])
    if food is not None and food > 0:
        if waste is None:
            r.fail("waste_t", "required when food_waste_t is given")
        elif food > waste - (recycled or 0.0) - (hazardous or 0.0) + 1e-9 * waste:
            r.fail(
                "food_waste_t",
                "must not exceed waste_t less waste_recycled_t and hazardous_waste_t (it is the food waste "
                "sent to landfill; food waste composted or digested is recycled)",
            )
    return Resources(_number(r, "water_m3", _NUMBERS["resources.water_m3"]), waste, recycled, hazardous, food)


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
    penalties = _WHOLE["compliance.environmental_penalties_3y"]
    return Compliance(_whole(r, "environmental_penalties_3y", penalties))


def _read_offset(r: Reader) -> Offset | None:
    r.reject_unknown(_names(Offset))
    standard = r.text("standard", required=True, choices=OFFSET_STANDARDS)
    tco2e = _number(r, "tco2e", _NUMBERS["offsets.*.tco2e"], required=True)
    kind = r.text("type", required=True, choices=OFFSET_TYPES)
    vintage = _whole(r, "vintage", _WHOLE["offsets.*.vintage"])
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
    scope = _WHOLE["targets.*.scopes.*"]
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
    base = _whole(r, "base_year", _WHOLE["targets.*.base_year"], required=True)
    target = _whole(r, "target_year", _WHOLE["targets.*.target_year"], required=True)
    pct = _number(r, "reduction_pct", _NUMBERS["targets.*.reduction_pct"], required=True)
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
    return Target(scopes, base, target, pct)


def _read_previous(r: Reader | None) -> PreviousYear | None:
    if r is None:
        return None
    r.reject_unknown(_names(PreviousYear))
    previous = PreviousYear(_read_energy(r.child("energy")), _read_transport(r.child("transport")))
    # An object without a figure ({} or {"energy": {}}) says nothing: it is dropped from the canonical
    # input, so it must not count as given either (it had raised completeness, lifting a knock-out, while
    # hashing like the body without it: whichever came first decided the rating both got).
    return previous if _plain(previous) else None


def _read_loan(r: Reader | None, use_of_proceeds: tuple[str, ...] | None) -> Loan | None:
    if r is None:
        return None
    r.reject_unknown(_names(Loan))
    amount = _number(r, "amount", _NUMBERS["loan.amount"], required=True)
    currency = r.text("currency", required=True, pattern=CURRENCY_PATTERN)
    use = r.text("use_of_proceeds", required=True, max_length=80, choices=use_of_proceeds)
    outstanding = _number(r, "outstanding", _NUMBERS["loan.outstanding"])
    equity_debt = _number(r, "borrower_equity_plus_debt", _NUMBERS["loan.borrower_equity_plus_debt"])
    assets = _number(r, "borrower_total_assets", _NUMBERS["loan.borrower_total_assets"])
    fx = _number(r, "fx_to_cny", _NUMBERS["loan.fx_to_cny"])
    if currency == "CNY" and fx is not None and fx != 1.0:
        r.fail("fx_to_cny", CNY_FX_MESSAGE)
    if amount is None or currency is None or use is None:
        return None
    return Loan(amount, currency, use, outstanding, equity_debt, assets, fx)


def read_loan_alone(payload: Mapping[str, Any]) -> tuple[Loan, str, float | None] | None:
    """The loan of a payload read on its own, with the company's currency and rate; ``None`` when these do
    not parse.

    For a row the parser refuses for another reason (a bad employees cell, zero revenue): its loan is still
    the bank's exposure, and a portfolio summary that dropped it would not reconcile to the ledger. Any use
    of proceeds is accepted (it does not move the outstanding amount).
    """
    errors: list[InvalidInputError] = []
    r = Reader(payload, "", errors)
    loan = _read_loan(r.child("loan"), None)
    company = r.child("company")
    if company is None or loan is None:
        return None
    currency = company.text("currency", required=True, pattern=CURRENCY_PATTERN)
    fx = _number(company, "fx_to_cny", _NUMBERS["company.fx_to_cny"])
    if errors or currency is None:
        return None
    return loan, currency, fx


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
    raise_if_errors(errors)
    assert company is not None
    return OperatingData(
        company, energy, transport, resources, practices, compliance, offsets, targets, previous_year,
        data_source, loan,
    )


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Company, FuelUse, GridFactor, Energy, FleetItem, TravelItem, Transport, Resources,
                     Practices, Compliance, Offset, Target, PreviousYear, Loan, OperatingData):
    fast_init(_value_class)
