"""Company vehicles (Scope 1 fuel, Scope 2 for electric vehicles), counted once per fleet item.

Per item, the best data given wins: fuel quantity (Scope 1, China guideline fuel factors), else ``km`` (the
item's total distance, all its vehicles together) x a per-km factor, else a vehicle count x the seed's
12,000 km/yr, always marked estimated. A counted vehicle of known fuel is priced at that fuel's per-km
factor; the seed's 0.203 kgCO2e/km applies only when neither fuel nor km is known (domain.md, implications
s.7). Electric vehicles given as km or vehicles are Scope 2 electricity:
kWh/km x the company's own grid factor (location) and residual factor (market), never the UK BEV factor.
EV charging given in kWh is assumed to be metered in ``energy.electricity_kwh`` already (chargers on the
premises) and is not counted twice.

Vehicle classes (``vehicle_type``, schema 1.12; left out: ``car``). A km or a vehicle count is priced at the
per-km factor of the item's class and fuel, ``road.<class>.<fuel>`` (DESNZ 2025: the average car; the
average van up to 3.5 t; all HGVs at average laden, diesel), and an electric van at its own kWh/km x the
company's grid factor, derived as the car's. A fuel quantity is priced by the fuel whatever the vehicle. A
lorry had been priced as a car of its fuel, several times too low. Where no factor exists the item is
refused (422 on the field), never priced at a neighbour's factor:

- a class the factor set has no per-km factors for (``van``/``hgv`` under cn-2024.4 or earlier, which a
  rating that names such a set re-derives under): 422 on ``vehicle_type``;
- a fuel the class has no factor for, given as km or vehicles (a non-plug-in hybrid van; an HGV other than
  diesel, electric included: DESNZ's HGV factors are diesel only, and it gives no kWh/km of an electric
  lorry): 422 on ``fuel``, which names the fuel quantity as the way to give it;
- a diesel HGV counted by vehicles alone: 422 on ``km`` (the reader; no sourced yearly distance of a
  lorry); one of another fuel is refused on ``fuel`` as above, since its km would be refused too.

A van counted by vehicles alone is priced, flagged, at the seed's 12,000 km (a car's year; no sourced van
distance was found) x the van factor of its fuel, marked estimated and named in the assumptions: refusing
it would leave the merchant the car's lower factor at the same distance, by leaving the class out.
"""

from __future__ import annotations

from rating_model.exceptions import InvalidInputError
from rating_model.factors.records import FactorRecord
from rating_model.line_items import ESTIMATED, Context, LineItem, conversion_note
from rating_model.operating_data import HGV_NEEDS_KM, FleetItem, fuel_name
from rating_model.units import convert, fuel_quantity

#: fleet fuel -> the combustion factor for fuel quantities (hybrids burn gasoline)
_FLEET_FUEL = {
    "gasoline": "fuel.gasoline",
    "hybrid": "fuel.gasoline",
    "diesel": "fuel.diesel",
    "lpg": "fuel.lpg",
    "natural_gas": "fuel.natural_gas",
}
_EV_NOTE = (
    "fleet EVs given in kWh are assumed to be charged on the premises and already metered in "
    "energy.electricity_kwh (Scope 2); they are not counted again",
    "以千瓦时填报的车队电动汽车假定在经营场所充电，其用电已计入所填报的用电量（范围二）；不重复计算",
)


#: the words of a class's vehicles in a line's text (a car's as before: a re-derived rating reads the same)
_CLASS_WORDS = {"car": "cars", "van": "vans", "hgv": "heavy goods vehicles"}
#: what a fuel quantity's line adds to name the class (a car's line reads as before)
_OF_CLASS = {"car": "", "van": " of vans", "hgv": " of heavy goods vehicles"}


def _vehicles(count: int) -> str:
    """"vehicle" for one, "vehicles" for any other count (engine 2.10: "1 gasoline vehicles")."""
    return "vehicle" if count == 1 else "vehicles"


#: fuels of a class that DESNZ 2025 gives no per-km factor for, and why (the 422 a km or count gets)
_NO_FACTOR = {
    ("van", "hybrid"): "DESNZ 2025 gives no per-km factor for a (non-plug-in) hybrid van",
    ("hgv", "gasoline"): "DESNZ 2025 gives per-km factors for diesel heavy goods vehicles only",
    ("hgv", "hybrid"): "DESNZ 2025 gives per-km factors for diesel heavy goods vehicles only",
    ("hgv", "lpg"): "DESNZ 2025 gives per-km factors for diesel heavy goods vehicles only",
    ("hgv", "natural_gas"): "DESNZ 2025 gives per-km factors for diesel heavy goods vehicles only",
    ("hgv", "unknown"): "DESNZ 2025 gives per-km factors for diesel heavy goods vehicles only (all "
    "diesel); a lorry of unknown fuel is not assumed to be one",
    ("hgv", "electric"): "DESNZ 2025 gives no factor or electricity use per km of an electric heavy goods "
    "vehicle",
}
#: what an electric vehicle without a per-km factor is given as instead: the electricity it charged
_CHARGED = (
    "the electricity charged (charged on the premises, it is metered in energy.electricity_kwh; elsewhere, "
    "add it there)"
)
_VAN_SEED_NOTE = (
    "vans counted by vehicles alone are taken to drive 12,000 km a year, a car's yearly distance as Ant "
    "Group assumed it in 2022 (no sourced yearly distance of a van was found), at the per-km factor of a "
    "van of their fuel",
    # engine 2.11: the form's words (面包车、轻型厢式货车) and the source's name, not "种子假设" (a seed
    # assumption, jargon to an owner; a Chinese owner's walk-through)
    "仅填报车辆数的面包车、轻型厢式货车，按蚂蚁集团 2022 年公布的每辆车每年 12,000 公里（小汽车的年行驶里程；"
    "未找到有出处的面包车年行驶里程）和该燃料面包车、轻型厢式货车的每公里排放因子估算",
)


def _per_km(ctx: Context, item: FleetItem, path: str, activity: str) -> FactorRecord:
    """The per-km record ``road.<class>.<activity>`` of the item's class; a class or fuel without one is
    refused by its field, naming the fuel quantity as the way to give it (see the module's docstring)."""
    kind = item.vehicle_class
    full = f"road.{kind}.{activity}"
    if kind != "car" and full not in ctx.singles:
        if not any(name.startswith(f"road.{kind}.") for name in ctx.singles):
            raise InvalidInputError(
                path + ".vehicle_type",
                f"factor set {ctx.factor_set.version} has no per-km factors for {_CLASS_WORDS[kind]}: rate "
                "with factor set cn-2024.5 or later, or give the fuel burned (fuel_quantity with unit)",
            )
        reason = _NO_FACTOR.get((kind, item.fuel), f"factor set {ctx.factor_set.version} has no per-km "
                                f"factor for {item.fuel} {_CLASS_WORDS[kind]}")
        instead = _CHARGED if item.fuel == "electric" else "the fuel burned (fuel_quantity with unit)"
        raise InvalidInputError(path + ".fuel", f"{reason}: give {instead} instead of km or vehicles")
    return ctx.factor(full, path + ".fuel")


def _ev_lines(
    ctx: Context, item: FleetItem, path: str, km: float, quality: str, out: list[LineItem], what: str
) -> None:
    per_km = _per_km(ctx, item, path, "electric_kwh_per_km")
    kwh = km * per_km.value
    kind = "vehicles" if item.vehicle_class == "car" else _CLASS_WORDS[item.vehicle_class]
    text = f"electric {kind}, {what}: {km:g} km x {per_km.value:g} kWh/km"
    grid, residual = ctx.grid, ctx.residual
    out.append(
        LineItem(
            path,
            text + " at the grid average",
            2,
            "ev_charging",
            kwh,
            "kWh",
            kwh * grid.value / 1000.0,
            grid.id,
            quality,
            "location",
        )
    )
    out.append(
        LineItem(
            path,
            text + " at the residual factor",
            2,
            "ev_charging",
            kwh,
            "kWh",
            kwh * residual.value / 1000.0,
            residual.id,
            quality,
            "market",
        )
    )
    ctx.assume(
        "fleet EVs given as km or vehicles are taken to be charged off the premises and priced at the "
        "company's grid factor; chargers on the premises are metered in energy.electricity_kwh (Scope 2)",
        "以里程或车辆数填报的车队电动汽车假定在经营场所以外充电，按企业所在地电网排放因子计算；经营场所内的"
        "充电桩用电计入所填报的用电量（范围二）",
    )


def _fleet_item(
    item: FleetItem, ctx: Context, path: str, out: list[LineItem], estimated: list[str]
) -> float:
    """Price one fleet item into ``out``; returns the energy of its fuel in MJ when given as a quantity."""
    if item.fuel_quantity is not None:
        if item.fuel == "electric":
            # Not priced (already metered), but still an amount of electricity: litres here are a mistake
            # that must be said, not an amount quietly assumed to be counted elsewhere.
            convert(item.fuel_quantity, item.unit or "", "kWh", field=path + ".unit")
            ctx.assume(*_EV_NOTE)
            return 0.0
        activity = _FLEET_FUEL.get(item.fuel)
        if activity is None:
            raise InvalidInputError(
                path + ".fuel", "a fuel_quantity needs a named fuel; give the fuel, or km instead"
            )
        record = ctx.fuel_factor(activity, item.fuel, path + ".fuel")
        assert record.activity_unit is not None and record.kg_per_unit is not None
        base = fuel_quantity(
            item.fuel_quantity,
            item.unit or "",
            record.activity_unit,
            field=path + ".unit",
            fuel=item.fuel,
            density_kg_per_l=record.density_kg_per_l,
            ncv_mj_per_unit=record.ncv_mj_per_unit,
            liquid_volume_units=record.liquid_volume_units,
            gas_volume_units=record.gas_volume_units,
        )
        converted = conversion_note(item.fuel_quantity, item.unit or "", base, record)
        out.append(
            LineItem(
                path,
                # the class too (engine 2.10): a lorry's litres had read as any vehicle's
                f"{fuel_name(item.fuel)} fleet fuel{_OF_CLASS[item.vehicle_class]}{converted}",
                1,
                "mobile_combustion",
                base,
                record.activity_unit,
                base * record.kg_per_unit / 1000.0,
                record.id,
                ctx.quality(path + ".fuel_quantity"),
            )
        )
        return base * (record.ncv_mj_per_unit or 0.0)
    if item.km is not None:
        quality = ctx.quality(path + ".km")
        if item.fuel == "electric":
            _ev_lines(ctx, item, path, item.km, quality, out, "distance given")
            return 0.0
        record = _per_km(ctx, item, path, item.fuel)
        out.append(
            LineItem(
                path,
                f"{fuel_name(item.fuel)} {_CLASS_WORDS[item.vehicle_class]}, {item.km:g} km",
                1,
                "mobile_combustion",
                item.km,
                "km",
                item.km * record.value / 1000.0,
                record.id,
                quality,
            )
        )
        return 0.0
    vehicles = item.vehicles or 0
    if vehicles == 0:
        return 0.0  # no vehicle, nothing driven: no line, and no seed distance to call an estimate
    annual = ctx.factor("road.car.seed_annual_km", path + ".vehicles")
    km = vehicles * annual.value
    estimated.append(path + ".km")
    kind = item.vehicle_class
    if kind == "hgv":  # the reader refuses a diesel one first; a value built in code is held to the same rule
        # a fuel no lorry factor prices is refused on its fuel first: asked for km, the sender would give
        # them and be refused again (an electric lorry's are never priced; its electricity charged is)
        _per_km(ctx, item, path, "electric_kwh_per_km" if item.fuel == "electric" else item.fuel)
        raise InvalidInputError(path + ".km", HGV_NEEDS_KM)
    if item.fuel == "electric":
        # engine 2.13: "assumed", not "seed" (the project's word for its first assumptions, jargon to a
        # reader)
        seed = "assumed distance, as for a car: no km given" if kind == "van" else (
            "assumed distance: no km given")
        _ev_lines(ctx, item, path, km, ESTIMATED, out, f"{vehicles} x {annual.value:g} km/yr ({seed})")
        if kind == "van":
            ctx.assume(*_VAN_SEED_NOTE)
        return 0.0
    if kind == "van":
        # Flagged, not refused: the seed's distance is a car's (module docstring).
        per_km = _per_km(ctx, item, path, item.fuel)
        ctx.assume(*_VAN_SEED_NOTE)
        # one van, two vans; a van of unknown fuel said so (engine 2.10: "1 diesel vans", "2 unknown vans")
        vans = "van" if vehicles == 1 else "vans"
        what, factor = ((f"{vans} of unknown fuel", "van factor, fuel unknown") if item.fuel == "unknown"
                        else (f"{fuel_name(item.fuel)} {vans}", f"{fuel_name(item.fuel)} van factor"))
        text = (f"{vehicles} {what} x {annual.value:g} km/yr x {per_km.value:g} kgCO2e/km "
                f"({factor}; distance assumed, as for a car: no km or fuel quantity given)")
    elif item.fuel == "unknown":
        # The seed's per-km factor stands in only when neither the fuel nor the distance is known.
        per_km = ctx.factor("road.car.seed_average", path + ".vehicles")
        text = (f"{vehicles} {_vehicles(vehicles)} of unknown fuel x {annual.value:g} km/yr x "
                f"{per_km.value:g} kgCO2e/km (assumed distance and average car factor: no km, fuel quantity "
                "or fuel type given)")
    else:
        # The fuel is known: only the distance is the seed's, priced at that fuel's own per-km factor.
        per_km = _per_km(ctx, item, path, item.fuel)
        fuel = fuel_name(item.fuel)
        text = (f"{vehicles} {fuel} {_vehicles(vehicles)} x {annual.value:g} km/yr x {per_km.value:g} "
                f"kgCO2e/km ({fuel} car factor; distance assumed: no km or fuel quantity given)")
    out.append(
        LineItem(
            path,
            text,
            1,
            "mobile_combustion",
            km,
            "km",
            km * per_km.value / 1000.0,
            per_km.id,
            ESTIMATED,
        )
    )
    return 0.0


def fleet_lines(
    fleet: tuple[FleetItem, ...], ctx: Context, prefix: str, out: list[LineItem]
) -> tuple[list[str], float]:
    """Company vehicles; returns the paths of distances that were estimated from the seed, and the energy of
    the fuel given as quantities in MJ (quantity x NCV; a distance says nothing of the energy used)."""
    estimated: list[str] = []
    energy_mj = 0.0
    for index, item in enumerate(fleet):
        energy_mj += _fleet_item(item, ctx, f"{prefix}transport.fleet.{index}", out, estimated)
    return estimated, energy_mj


def driven_km(item: FleetItem, ctx: Context, path: str) -> float | None:
    """The distance an item's vehicles drive in the year, on the basis the inventory prices the item by:
    its fuel (which wins over km, as in :func:`_fleet_item`) at the per-km factor of its class and fuel
    (a car's, a van's, a lorry's), else its ``km``; ``None`` for an item counted by vehicles alone (the
    seed distance prices it per vehicle), and for a fuel quantity of a class and fuel without a per-km
    factor (a lorry's natural gas), given no km.

    The fuel's distance is derived from two cited factors (the fuel's CO2 per unit, the CO2e per km of a
    vehicle of that class on that fuel), so it is the distance the inventory itself implies. It sizes an
    electric replacement: an EV that replaces part of a fleet drives the distance it replaces, not the
    seed's 12,000 km, and the fuel saved and the electricity added are on one basis.
    """
    if item.fuel_quantity is None or item.fuel == "electric" or item.fuel not in _FLEET_FUEL:
        return item.km
    if f"road.{item.vehicle_class}.{item.fuel}" not in ctx.singles:
        return item.km  # a lorry's natural gas, a hybrid van's petrol: priced by the fuel, no distance known
    out: list[LineItem] = []
    _fleet_item(item, ctx, path, out, [])
    per_km = _per_km(ctx, item, path, item.fuel)
    return out[0].tco2e * 1000.0 / per_km.value
