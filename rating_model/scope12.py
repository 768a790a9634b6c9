"""Scope 1 and Scope 2 lines: purchased electricity (location and market based), heat, fuels and the fleet.

Rules that matter for banks reading the result:

* Location-based Scope 2 prices all purchased electricity at the grid average of the company's place and
  year. Market-based Scope 2 prices green-contracted electricity (GEC / green power trade / PPA) and on-site
  renewables at zero and the rest at the residual factor, so the two are reported side by side (GHG Protocol
  Scope 2 Guidance) and a green claim never lowers the location-based figure.
* Fleet items are counted once: fuel quantity if given (Scope 1), else km x a per-km factor, else a vehicle
  count x the seed's 12,000 km/yr (always marked estimated). Electric vehicles given as km or vehicles are
  Scope 2 electricity (kWh/km x the same grid factor); EV charging given in kWh is assumed to be metered in
  ``energy.electricity_kwh`` already (chargers on the premises) and is not counted twice.
"""

from __future__ import annotations

from rating_model.exceptions import FactorNotFoundError, InvalidInputError
from rating_model.factors import FactorRecord
from rating_model.line_items import ESTIMATED, MEASURED, Context, LineItem
from rating_model.operating_data import Energy, FleetItem
from rating_model.units import fuel_quantity

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
    "energy.electricity_kwh (Scope 2); they are not counted again"
)


def electricity_lines(energy: Energy, ctx: Context, prefix: str, out: list[LineItem]) -> None:
    """Purchased electricity at the grid factor (location) and at residual/zero (market); on-site solar."""
    kwh = energy.electricity_kwh
    if kwh is not None:
        path = prefix + "energy.electricity_kwh"
        quality = ctx.quality(path)
        grid, residual = ctx.grid, ctx.residual
        out.append(
            LineItem(
                path,
                "purchased electricity at the grid average",
                2,
                "purchased_electricity",
                kwh,
                "kWh",
                kwh * grid.value / 1000.0,
                grid.id,
                quality,
                "location",
            )
        )
        green = energy.green_electricity_kwh or 0.0
        rest = kwh - green
        out.append(
            LineItem(
                path,
                "purchased electricity not covered by green instruments, at the residual factor",
                2,
                "purchased_electricity",
                rest,
                "kWh",
                rest * residual.value / 1000.0,
                residual.id,
                quality,
                "market",
            )
        )
        if green > 0:
            green_path = prefix + "energy.green_electricity_kwh"
            instrument = energy.green_electricity_instrument or "green instrument"
            out.append(
                LineItem(
                    green_path,
                    f"green electricity ({instrument}), zero in market-based Scope 2",
                    2,
                    "purchased_electricity",
                    green,
                    "kWh",
                    0.0,
                    None,
                    ctx.quality(green_path, MEASURED),
                    "market",
                )
            )
    onsite = energy.onsite_renewable_kwh
    if onsite:
        path = prefix + "energy.onsite_renewable_kwh"
        out.append(
            LineItem(
                path,
                "on-site renewable electricity consumed",
                2,
                "onsite_renewable",
                onsite,
                "kWh",
                0.0,
                None,
                ctx.quality(path, MEASURED),
                "both",
            )
        )


def heat_lines(energy: Energy, ctx: Context, prefix: str, out: list[LineItem]) -> None:
    """Purchased heat; the same factor applies to both Scope 2 bases (no instruments exist for heat)."""
    gj = energy.purchased_heat_gj
    if gj is None:
        return
    path = prefix + "energy.purchased_heat_gj"
    record = ctx.factor("heat.purchased", path)
    assert record.kg_per_unit is not None
    out.append(
        LineItem(
            path,
            "purchased heat",
            2,
            "purchased_heat",
            gj,
            "GJ",
            gj * record.kg_per_unit / 1000.0,
            record.id,
            ctx.quality(path),
            "both",
        )
    )


def _fuel_factor(ctx: Context, activity: str, fuel: str, field: str) -> FactorRecord:
    record = ctx.singles.get(activity)
    if record is None:
        reason = next(
            (
                item["reason"]
                for item in ctx.factor_set.manifest.not_available
                if item.get("activity") == activity
            ),
            "",
        )
        raise FactorNotFoundError(
            f"no emission factor for {fuel!r} in factor set {ctx.factor_set.version}. {reason}".strip(),
            field=field,
        )
    return ctx.use(record)


def _converted(quantity: float, unit: str, base: float, record: FactorRecord) -> str:
    if unit == record.activity_unit:
        return ""
    if record.density_kg_per_l and unit.lower() in ("l", "litre", "litres", "liter", "liters", "m3", "m³"):
        return f" ({quantity:g} {unit} = {base:g} {record.activity_unit} at {record.density_kg_per_l:g} kg/L)"
    return f" ({quantity:g} {unit} = {base:g} {record.activity_unit})"


def fuel_lines(energy: Energy, ctx: Context, prefix: str, out: list[LineItem]) -> float:
    """Stationary combustion (Scope 1); returns the fuels' energy in MJ (quantity x NCV)."""
    energy_mj = 0.0
    for index, use in enumerate(energy.fuels):
        path = f"{prefix}energy.fuels.{index}"
        record = _fuel_factor(ctx, "fuel." + use.fuel, use.fuel, path + ".fuel")
        assert record.activity_unit is not None and record.kg_per_unit is not None
        base = fuel_quantity(
            use.quantity,
            use.unit,
            record.activity_unit,
            field=path + ".unit",
            fuel=use.fuel,
            density_kg_per_l=record.density_kg_per_l,
            ncv_mj_per_unit=record.ncv_mj_per_unit,
        )
        energy_mj += base * (record.ncv_mj_per_unit or 0.0)
        out.append(
            LineItem(
                path,
                f"{use.fuel} burnt on site{_converted(use.quantity, use.unit, base, record)}",
                1,
                "stationary_combustion",
                base,
                record.activity_unit,
                base * record.kg_per_unit / 1000.0,
                record.id,
                ctx.quality(path + ".quantity"),
            )
        )
    return energy_mj


def _ev_lines(ctx: Context, path: str, km: float, quality: str, out: list[LineItem], what: str) -> None:
    per_km = ctx.factor("road.car.electric_kwh_per_km", path + ".fuel")
    kwh = km * per_km.value
    text = f"electric vehicles, {what}: {km:g} km x {per_km.value:g} kWh/km"
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
        "company's grid factor; chargers on the premises are metered in energy.electricity_kwh (Scope 2)"
    )


def _fleet_item(item: FleetItem, ctx: Context, path: str, out: list[LineItem], estimated: list[str]) -> None:
    if item.fuel_quantity is not None:
        if item.fuel == "electric":
            ctx.assume(_EV_NOTE)
            return
        activity = _FLEET_FUEL.get(item.fuel)
        if activity is None:
            raise InvalidInputError(
                path + ".fuel", "a fuel_quantity needs a named fuel; give the fuel, or km instead"
            )
        record = _fuel_factor(ctx, activity, item.fuel, path + ".fuel")
        assert record.activity_unit is not None and record.kg_per_unit is not None
        base = fuel_quantity(
            item.fuel_quantity,
            item.unit or "",
            record.activity_unit,
            field=path + ".unit",
            fuel=item.fuel,
            density_kg_per_l=record.density_kg_per_l,
            ncv_mj_per_unit=record.ncv_mj_per_unit,
        )
        converted = _converted(item.fuel_quantity, item.unit or "", base, record)
        out.append(
            LineItem(
                path,
                f"{item.fuel} fleet fuel{converted}",
                1,
                "mobile_combustion",
                base,
                record.activity_unit,
                base * record.kg_per_unit / 1000.0,
                record.id,
                ctx.quality(path + ".fuel_quantity"),
            )
        )
        return
    if item.km is not None:
        quality = ctx.quality(path + ".km")
        if item.fuel == "electric":
            _ev_lines(ctx, path, item.km, quality, out, "distance given")
            return
        record = ctx.factor("road.car." + item.fuel, path + ".fuel")
        out.append(
            LineItem(
                path,
                f"{item.fuel} cars, {item.km:g} km",
                1,
                "mobile_combustion",
                item.km,
                "km",
                item.km * record.value / 1000.0,
                record.id,
                quality,
            )
        )
        return
    vehicles = item.vehicles or 0
    annual = ctx.factor("road.car.seed_annual_km", path + ".vehicles")
    km = vehicles * annual.value
    estimated.append(path + ".km")
    if item.fuel == "electric":
        _ev_lines(ctx, path, km, ESTIMATED, out, f"{vehicles} x {annual.value:g} km/yr (seed estimate)")
        return
    seed = ctx.factor("road.car.seed_average", path + ".vehicles")
    out.append(
        LineItem(
            path,
            f"{vehicles} {item.fuel} vehicles x {annual.value:g} km/yr x {seed.value:g} kgCO2e/km "
            "(seed estimate: no km or fuel given)",
            1,
            "mobile_combustion",
            km,
            "km",
            km * seed.value / 1000.0,
            seed.id,
            ESTIMATED,
        )
    )


def fleet_lines(fleet: tuple[FleetItem, ...], ctx: Context, prefix: str, out: list[LineItem]) -> list[str]:
    """Company vehicles; returns the paths of distances that were estimated from the seed."""
    estimated: list[str] = []
    for index, item in enumerate(fleet):
        _fleet_item(item, ctx, f"{prefix}transport.fleet.{index}", out, estimated)
    return estimated


def scope12_lines(
    energy: Energy, fleet: tuple[FleetItem, ...], ctx: Context, prefix: str = ""
) -> tuple[list[LineItem], float, list[str]]:
    """Every Scope 1 and 2 line of one year's energy and fleet; also the fuels' MJ and estimated distances."""
    out: list[LineItem] = []
    electricity_lines(energy, ctx, prefix, out)
    heat_lines(energy, ctx, prefix, out)
    fuel_mj = fuel_lines(energy, ctx, prefix, out)
    estimated = fleet_lines(fleet, ctx, prefix, out)
    return out, fuel_mj, estimated
