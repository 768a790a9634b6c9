"""A small business's GHG inventory from its operating data: scopes, energy, intensities and provenance.

This runs on every rating request, so it is plain arithmetic over pre-indexed factors (no pandas, no unit
parsing beyond the fuels that need it). Conventions, following the GHG Protocol and IFRS S2:

* ``total_tco2e`` = Scope 1 + location-based Scope 2 + Scope 3 (IFRS S2 asks for location-based Scope 2);
  market-based Scope 2 is reported beside it.
* Every figure keeps its input path, factor id and quality (measured / calculated / estimated); every
  factor that was not the exact year and place asked for is explained in ``fallbacks``.
* ``None`` inputs are "not given": they add nothing and are listed in ``missing``, never treated as zero
  silently. That holds for the lists too: site fuels (``energy.fuels``) not answered and not estimated, and
  a fleet (``transport.fleet``) not answered, which is most one-click merchants' case, and business travel
  (``transport.business_travel``) not reported are listed, while ``"fuels": []``, ``"fleet": []`` and
  ``"business_travel": []`` are answers (none) and are not.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any, NamedTuple

from rating_model.factors import FactorRecord, FactorRef, FactorSet, load_factor_set
from rating_model.factors.factor_set import COUNTRY_NAMES_ZH, place_zh, unit_zh
from rating_model.fleet import driven_km
from rating_model.line_items import ESTIMATED, Context, LineItem
from rating_model.neutrality import Equivalents, Neutrality, equivalents, neutrality
from rating_model.operating_data import GridFactor, OperatingData, counted_green_kwh, revenue_cny_million
from rating_model.refrigerants import refrigerant_lines
from rating_model.scope3 import CAT6_TRAVEL, scope3_lines
from rating_model.scope12 import scope12_lines
from rating_model.values import fast_init

__all__ = ["Equivalents", "Intensities", "Inventory", "LineItem", "Neutrality", "compute_inventory"]

#: the inputs of ``Inventory.missing`` that feed Scope 3 only: left out, they leave Scope 1 and 2 whole
SCOPE3_INPUTS = frozenset({"resources.water_m3", "resources.waste_t", "transport.business_travel"})


class Intensities(NamedTuple):
    """Emission intensities (tCO2e per unit); revenue in CNY by :func:`rating_model.operating_data.to_cny`."""

    per_cny_million_revenue: float
    scope12_market_per_cny_million_revenue: float
    per_employee: float
    per_m2: float | None
    #: gross Scope 1 + location-based Scope 2 per CNY million: VSME B3's intensity, which does not move
    #: with the optional Scope 3 data (``per_cny_million_revenue`` includes the Scope 3 categories given)
    scope12_location_per_cny_million_revenue: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return self._asdict()


@dataclass(frozen=True, slots=True, init=False)
class Inventory:
    """A year's GHG inventory, with everything needed to trace and disclose each figure.

    Attributes
    ----------
    scope3_by_category:
        tCO2e by GHG Protocol category key (``cat1_water_supply``, ``cat5_waste``, ``cat6_business_travel``).
    energy_mwh:
        Purchased electricity + on-site renewable + stationary fuels (quantity x NCV) + purchased heat +
        vehicle fuel given as a quantity (VSME B3's total energy counts fuels for transport; a trucking
        firm's diesel had been a disclosed zero). Vehicles given as km or a count, whose energy is not
        known, and EV charging off the premises are in Scope 1 and 2 but not in this total.
    vehicle_fuel_mwh:
        The vehicle fuel in ``energy_mwh``; the sector benchmarks, which are of premises, leave it out.
    electricity_mwh:
        Electricity consumed: purchased + on-site renewable.
    renewable_share, renewable_electricity_share:
        (green-contracted + on-site renewable) over total energy, and over electricity consumed: ``None``
        without any (a share of nothing is not a share of 0; the rating's schema said null, and the
        engine had answered 0.0).
    grid_factor, residual_factor:
        The location-based grid factor and the market-based residual factor applied to electricity.
    estimated:
        Input paths whose figures were estimated (by an earlier step, or seed distances of vehicles).
    missing:
        Activities with no data at all (inputs not answered and not estimated: a Scope 1 or 2 figure without
        them is partial, never a measured zero); not_available: data given but no emission factor exists.
    """

    factor_set: str
    reporting_year: int
    scope1_tco2e: float
    scope2_location_tco2e: float
    scope2_market_tco2e: float
    scope3_tco2e: float
    scope3_by_category: dict[str, float]
    scope3_categories_included: tuple[str, ...]
    scope12_location_tco2e: float
    scope12_market_tco2e: float
    total_tco2e: float
    energy_mwh: float
    vehicle_fuel_mwh: float
    electricity_mwh: float
    renewable_share: float | None
    renewable_electricity_share: float | None
    intensities: Intensities
    neutrality: Neutrality
    equivalents: Equivalents
    line_items: tuple[LineItem, ...]
    factors: tuple[FactorRef, ...]
    grid_factor: FactorRef
    residual_factor: FactorRef
    estimated: tuple[str, ...]
    fallbacks: tuple[str, ...]
    assumptions: tuple[str, ...]
    missing: tuple[str, ...]
    not_available: tuple[str, ...]
    #: ``assumptions``, ``not_available`` and ``fallbacks`` in Chinese, item for item (the IFRS S2 summary's
    #: ``value_zh``)
    assumptions_zh: tuple[str, ...] = ()
    not_available_zh: tuple[str, ...] = ()
    fallbacks_zh: tuple[str, ...] = ()

    def __init__(
        self, factor_set: str, reporting_year: int, scope1_tco2e: float, scope2_location_tco2e: float,
        scope2_market_tco2e: float, scope3_tco2e: float, scope3_by_category: dict[str, float],
        scope3_categories_included: tuple[str, ...], scope12_location_tco2e: float,
        scope12_market_tco2e: float, total_tco2e: float, energy_mwh: float, vehicle_fuel_mwh: float,
        electricity_mwh: float, renewable_share: float | None, renewable_electricity_share: float | None,
        intensities: Intensities, neutrality: Neutrality, equivalents: Equivalents,
        line_items: tuple[LineItem, ...], factors: tuple[FactorRef, ...], grid_factor: FactorRef,
        residual_factor: FactorRef, estimated: tuple[str, ...], fallbacks: tuple[str, ...],
        assumptions: tuple[str, ...], missing: tuple[str, ...], not_available: tuple[str, ...],
        assumptions_zh: tuple[str, ...] = (), not_available_zh: tuple[str, ...] = (),
        fallbacks_zh: tuple[str, ...] = (),
    ) -> None:
        object.__setattr__(self, "factor_set", factor_set)
        object.__setattr__(self, "reporting_year", reporting_year)
        object.__setattr__(self, "scope1_tco2e", scope1_tco2e)
        object.__setattr__(self, "scope2_location_tco2e", scope2_location_tco2e)
        object.__setattr__(self, "scope2_market_tco2e", scope2_market_tco2e)
        object.__setattr__(self, "scope3_tco2e", scope3_tco2e)
        object.__setattr__(self, "scope3_by_category", scope3_by_category)
        object.__setattr__(self, "scope3_categories_included", scope3_categories_included)
        object.__setattr__(self, "scope12_location_tco2e", scope12_location_tco2e)
        object.__setattr__(self, "scope12_market_tco2e", scope12_market_tco2e)
        object.__setattr__(self, "total_tco2e", total_tco2e)
        object.__setattr__(self, "energy_mwh", energy_mwh)
        object.__setattr__(self, "vehicle_fuel_mwh", vehicle_fuel_mwh)
        object.__setattr__(self, "electricity_mwh", electricity_mwh)
        object.__setattr__(self, "renewable_share", renewable_share)
        object.__setattr__(self, "renewable_electricity_share", renewable_electricity_share)
        object.__setattr__(self, "intensities", intensities)
        object.__setattr__(self, "neutrality", neutrality)
        object.__setattr__(self, "equivalents", equivalents)
        object.__setattr__(self, "line_items", line_items)
        object.__setattr__(self, "factors", factors)
        object.__setattr__(self, "grid_factor", grid_factor)
        object.__setattr__(self, "residual_factor", residual_factor)
        object.__setattr__(self, "estimated", estimated)
        object.__setattr__(self, "fallbacks", fallbacks)
        object.__setattr__(self, "assumptions", assumptions)
        object.__setattr__(self, "missing", missing)
        object.__setattr__(self, "not_available", not_available)
        object.__setattr__(self, "assumptions_zh", assumptions_zh)
        object.__setattr__(self, "not_available_zh", not_available_zh)
        object.__setattr__(self, "fallbacks_zh", fallbacks_zh)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form: nested records become objects, tuples become lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "line_items":
                value = [line._asdict() for line in value]
            elif f.name == "factors":
                value = [asdict(ref) for ref in value]
            elif isinstance(value, Intensities | Neutrality | Equivalents):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            elif hasattr(value, "__dataclass_fields__"):
                value = asdict(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out


def _caller_grid(country: str, grid: GridFactor) -> FactorRecord:
    return FactorRecord(
        id=f"caller.grid.{country.lower()}",
        activity="electricity.grid",
        scope=2,
        region=country,
        year=grid.year,
        year_released=None,
        value=grid.kgco2e_per_kwh,
        unit="kgCO2e/kWh",
        gwp_basis="n/a",
        source=grid.source,
        source_url=None,
        notes="grid factor supplied by the caller (energy.grid_factor); not checked by greenrate",
        quality="unverified",
        kg_per_unit=grid.kgco2e_per_kwh,
        activity_unit="kWh",
    )


#: the unit of ``energy.grid_factor`` in Chinese words (a Chinese owner's reading, engine 2.12)
_CALLER_UNIT_ZH = unit_zh("kgCO2e/kWh")


@lru_cache(maxsize=4096)
def _grid_choice(
    fs: FactorSet, country: str, region: str | None, year: int, caller: GridFactor | None
) -> tuple[FactorRecord, FactorRecord, tuple[tuple[str, str], ...]]:
    """Grid and residual factors for a place and year, and how they were chosen, each sentence in English
    and in Chinese (cached: pure inputs)."""
    fallbacks: list[tuple[str, str]] = []
    residual_selection = None
    if fs.covers(country) and not (caller is not None and fs.outside_grid(region)):
        selection = fs.grid(country, region, year)
        grid = selection.record
        if selection.fallback:
            fallbacks.append((selection.fallback, selection.fallback_zh or selection.fallback))
        if selection.note:
            fallbacks.append((selection.note, selection.note_zh or selection.note))
        residual_selection = fs.residual(country, year, region)
        if caller is not None:
            fallbacks.append((
                f"energy.grid_factor ({caller.kgco2e_per_kwh:g}) was not used: factor set {fs.version} has "
                f"official grid factors for {country}, which keep ratings comparable",
                f"未采用评级请求中提供的电网排放因子（{caller.kgco2e_per_kwh:g} {_CALLER_UNIT_ZH}）："
                f"排放因子集 {fs.version} 有{COUNTRY_NAMES_ZH.get(country) or f' {country} '}"
                "的官方电网排放因子，"
                "可保持评级之间的可比性",
            ))
    elif caller is not None:
        grid = _caller_grid(country, caller)
        place = region if fs.covers(country) else country
        # the place in Chinese words where they are known (浙江（CN-ZJ）, 中国), else its code set apart
        named = (place_zh(place) if place is not None and place == region
                 else COUNTRY_NAMES_ZH.get(country, country))
        where_zh = f" {place} " if named.isascii() else named
        fallbacks.append((
            f"grid factor: no {place} grid factors in set {fs.version}; used the caller's "
            f"energy.grid_factor {grid.value:g} kgCO2e/kWh (source: {grid.source}). Fuel factors are "
            "physical properties of the fuel and still apply",
            f"电网排放因子：排放因子集 {fs.version} 没有{where_zh}的电网排放因子；"
            f"采用评级请求中提供的电网排放因子 {grid.value:g} {_CALLER_UNIT_ZH}（来源：{grid.source}）。"
            "燃料排放因子是燃料的物理属性，仍然适用",
        ))
    else:
        grid = fs.grid(country, region, year).record  # raises FactorNotFoundError(company.country)
    if residual_selection is None:
        residual = grid
        fallbacks.append((
            f"market-based Scope 2: no residual-mix factor for {country}; the location-based grid factor "
            "is used",
            f"基于市场的范围二：没有 {country} 的剩余组合排放因子；采用基于位置的电网排放因子",
        ))
    else:
        residual = residual_selection.record
        if residual_selection.fallback:
            fallbacks.append(
                (residual_selection.fallback, residual_selection.fallback_zh or residual_selection.fallback)
            )
    return grid, residual, tuple(fallbacks)


def _context(data: OperatingData, fs: FactorSet, estimated: frozenset[str]) -> Context:
    """Choose the grid and residual factors once per request and record how they were chosen."""
    company = data.company
    grid, residual, fallbacks = _grid_choice(
        fs, company.country, company.region, company.reporting_year, data.energy.grid_factor
    )
    return Context(fs, company.country, company.reporting_year, grid, residual, estimated,
                   [en for en, _ in fallbacks], [zh for _, zh in fallbacks])


def fleet_distances(data: OperatingData) -> list[float | None]:
    """The distance each fleet item drives (:func:`rating_model.fleet.driven_km`), priced with the default
    factor set's choices for ``data``'s country and year, as its inventory is (one choice for the fleet)."""
    ctx = _context(data, load_factor_set(None), frozenset())
    return [driven_km(item, ctx, f"transport.fleet.{i}") for i, item in enumerate(data.transport.vehicles)]


def compute_inventory(
    data: OperatingData,
    estimated: frozenset[str] = frozenset(),
    factor_set_version: str | None = None,
    asked: frozenset[str] = frozenset(),
) -> Inventory:
    """Compute the GHG inventory of ``data``'s reporting year.

    Parameters
    ----------
    data:
        Parsed operating data.
    estimated:
        Dotted input paths an earlier step filled from sector defaults (``energy.electricity_kwh``); figures
        derived from them, or from their children/parents, are marked ``estimated``.
    factor_set_version:
        Factor set to use; ``None`` is the default set.
    asked:
        The inputs the rating standard asks of this business
        (:meth:`rating_model.indicators.IndicatorSet.asked`): purchased heat asked and left out is then
        listed in ``missing``, as an unreported Scope 2 input, instead of read as none bought (the fuels, the
        fleet and electricity are listed whenever left out).

    Raises
    ------
    FactorNotFoundError
        No grid factor for the country and no ``energy.grid_factor``; a fuel without a factor (``fuel_oil``).
    UnknownUnitError
        A fuel unit that is unknown or cannot be converted for that fuel (the field is named).
    InvalidInputError
        ``fx_to_cny`` missing for a non-CNY currency or other than 1 for CNY; a fleet ``fuel_quantity``
        without a named fuel.
    """
    fs = load_factor_set(factor_set_version)
    ctx = _context(data, fs, estimated)
    energy, resources = data.energy, data.resources
    s12, fuel_mj, vehicle_mj, seed_paths = scope12_lines(energy, data.transport.vehicles, ctx)
    # refrigerant leaks (Scope 1, fugitive): summed into the scopes, but apart from s12, which the
    # comparison with the previous year reads field by field (previous_year carries no refrigerants)
    fugitive: list[LineItem] = []
    refrigerant_lines(data.refrigerants, ctx, fugitive)
    s3 = scope3_lines(data.transport.trips, resources, ctx)

    scope1 = s2_location = s2_market = 0.0
    for line in s12:
        if line.scope == 1:
            scope1 += line.tco2e
        elif line.scope2_basis == "location":
            s2_location += line.tco2e
        elif line.scope2_basis == "market":
            s2_market += line.tco2e
        else:
            s2_location += line.tco2e
            s2_market += line.tco2e
    for line in fugitive:
        scope1 += line.tco2e
    by_category: dict[str, float] = {}
    if data.transport.business_travel == ():
        # "business_travel": [] says the business had none: category 6 is reported, at zero (it had been
        # read as the list left out, and the IFRS S2 exclusions said it was not reported)
        by_category[CAT6_TRAVEL] = 0.0
    for line in s3:
        by_category[line.category] = by_category.get(line.category, 0.0) + line.tco2e
    scope3 = math.fsum(by_category.values())
    s12_location, s12_market = scope1 + s2_location, scope1 + s2_market
    total = s12_location + scope3

    missing = []
    if energy.electricity_kwh is None:
        missing.append("energy.electricity_kwh")
    # A fuel list or a fleet left out is not "none": a road-freight firm that never answered the fleet had
    # a Scope 1 of 0.0 disclosed, "no figure estimated" and an operational-neutrality claim (disclosure
    # review). Their Scope 1 is then partial, and said so here, in the IFRS S2 exclusions and in VSME B3.
    if energy.fuels is None:
        missing.append("energy.fuels")
    if data.transport.fleet is None:
        missing.append("transport.fleet")
    if energy.purchased_heat_gj is None and "energy.purchased_heat_gj" in asked:
        missing.append("energy.purchased_heat_gj")
    if resources.water_m3 is None:
        missing.append("resources.water_m3")
    if resources.waste_t is None:
        missing.append("resources.waste_t")
    if data.transport.business_travel is None:  # Scope 3 category 6 (``"business_travel": []`` is none)
        missing.append("transport.business_travel")

    purchased_kwh = energy.electricity_kwh or 0.0
    onsite_kwh = energy.onsite_renewable_kwh or 0.0
    renewable_kwh = counted_green_kwh(energy, data.company.reporting_year) + onsite_kwh
    electricity_mwh = (purchased_kwh + onsite_kwh) / 1000.0
    vehicle_fuel_mwh = vehicle_mj / 3600.0
    heat_mwh = (energy.purchased_heat_gj or 0.0) / 3.6
    energy_mwh = electricity_mwh + fuel_mj / 3600.0 + heat_mwh + vehicle_fuel_mwh
    company = data.company
    revenue_m = revenue_cny_million(company)
    intensities = Intensities(
        total / revenue_m,
        s12_market / revenue_m,
        total / company.employees,
        total / company.floor_area_m2 if company.floor_area_m2 else None,
        s12_location / revenue_m,
    )
    lines = (*s12, *fugitive, *s3)
    unreported = [path for path in missing if path not in SCOPE3_INPUTS]  # Scope 1 and 2 inputs
    # refrigerants left out leave Scope 1 partial as well (fugitive emissions are Scope 1 in the GHG
    # Protocol, and the IFRS S2 exclusions say they are left out): no claim of neutrality rests on it. Not
    # among ``missing``, whose figures and notes schema 1.13 keeps as they were for a business that never
    # answered; ``"refrigerants": []`` says none was recharged.
    scope1_partial = bool(unreported) or data.refrigerants is None
    neutral = neutrality(data, s12, s12_market, scope1_partial, ctx)
    estimated_paths = [
        line.path for line in lines if line.quality == ESTIMATED and line.path + ".km" not in seed_paths
    ]
    estimated_paths.extend(seed_paths)
    fallbacks, fallbacks_zh = ctx.fallbacks, ctx.fallbacks_zh
    unverified = [ref_id for ref_id in ctx.refs if ref_id in ctx.factor_set.unverified]
    if unverified:
        # a figure priced with such a factor is calculated, but on a value no primary source confirms
        fallbacks.append(
            "factors without a retrieved primary source (quality 'unverified'; figures priced with them "
            "are calculated on an unconfirmed value): " + ", ".join(unverified)
        )
        fallbacks_zh.append(
            "未检索到一手来源的排放因子（质量等级“未核实”；以其计算的数据所依据的数值未经证实）："
            + "、".join(unverified)
        )
    if ctx.proxies:
        fallbacks.append(
            f"no {ctx.country} factors for these activities; UK DESNZ/DEFRA 2025 factors used as proxies "
            f"(their 2025 values for reporting year {ctx.year}): " + ", ".join(ctx.proxies)
        )
        fallbacks_zh.append(
            f"这些活动没有{COUNTRY_NAMES_ZH.get(ctx.country, ctx.country)}的排放因子；"
            "采用英国 DESNZ/DEFRA 2025 年排放因子作为替代"
            f"（报告年 {ctx.year} 采用其 2025 年数值）：" + "、".join(ctx.proxies)
        )
    if ctx.china_proxies:
        # China's guideline defaults and the seed are the set's only factors for these activities: a
        # business elsewhere is priced with them, which its reader must be told (IFRS S2 B21-B22)
        fallbacks.append(
            f"no {ctx.country} factors for these activities; China's factors used as proxies: "
            + ", ".join(ctx.china_proxies)
        )
        fallbacks_zh.append(
            f"这些活动没有{COUNTRY_NAMES_ZH.get(ctx.country, ctx.country)}的排放因子；"
            "采用中国的排放因子作为替代：" + "、".join(ctx.china_proxies)
        )
    return Inventory(  # positional: this runs per request and keywords cost time
        fs.version,
        company.reporting_year,
        scope1,
        s2_location,
        s2_market,
        scope3,
        by_category,
        tuple(sorted(by_category)),
        s12_location,
        s12_market,
        total,
        energy_mwh,
        vehicle_fuel_mwh,
        electricity_mwh,
        renewable_kwh / 1000.0 / energy_mwh if energy_mwh > 0 else None,
        renewable_kwh / 1000.0 / electricity_mwh if electricity_mwh > 0 else None,
        intensities,
        neutral,
        equivalents(total, ctx),
        lines,
        tuple(ctx.refs.values()),
        ctx.grid.ref,
        ctx.residual.ref,
        tuple(dict.fromkeys(estimated_paths)),
        tuple(fallbacks),
        tuple(ctx.assumptions),
        tuple(missing),
        tuple(ctx.not_available),
        tuple(ctx.assumptions_zh),
        tuple(ctx.not_available_zh),
        tuple(fallbacks_zh),
    )


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Inventory,):
    fast_init(_value_class)
