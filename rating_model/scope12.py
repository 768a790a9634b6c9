"""Scope 1 and Scope 2 lines of the site: purchased electricity (location and market based), heat and fuels.

Location-based Scope 2 prices all purchased electricity at the grid average of the company's place and
year. Market-based Scope 2 prices green-contracted electricity (GEC / green power trade / PPA) and on-site
renewables at zero and the rest at the residual factor, so the two are reported side by side (GHG Protocol
Scope 2 Guidance) and a green claim never lowers the location-based figure. Vehicles are in
:mod:`rating_model.fleet`.
"""

from __future__ import annotations

from rating_model.fleet import fleet_lines
from rating_model.line_items import MEASURED, Context, LineItem, conversion_note
from rating_model.operating_data import Energy, FleetItem, counted_green_kwh, fuel_name
from rating_model.units import fuel_quantity


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
        # last year's instruments are of last year's electricity (its lines carry the prefix)
        green = counted_green_kwh(energy, ctx.year - 1 if prefix else ctx.year)
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
    """Purchased heat; the same factor applies to both Scope 2 bases (no instruments exist for heat).

    0 GJ (the answer none, asked where heat is sold since standard 1.9.0) has no line: it emits nothing, and
    a line would name the heat factor, which no primary source confirms, among the factors a rating used.
    The comparison with the previous year still counts it as given (:mod:`rating_model.neutrality`)."""
    gj = energy.purchased_heat_gj
    if not gj:
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


def fuel_lines(energy: Energy, ctx: Context, prefix: str, out: list[LineItem]) -> float:
    """Stationary combustion (Scope 1); returns the fuels' energy in MJ (quantity x NCV)."""
    energy_mj = 0.0
    for index, use in enumerate(energy.fuels or ()):
        path = f"{prefix}energy.fuels.{index}"
        if ctx.burns_nothing_unpriced("fuel." + use.fuel, use.quantity):
            continue  # 0 t of fuel oil, as a wide export writes it: no emission, so no factor needed
        record = ctx.fuel_factor("fuel." + use.fuel, use.fuel, path + ".fuel")
        assert record.activity_unit is not None and record.kg_per_unit is not None
        base = fuel_quantity(
            use.quantity,
            use.unit,
            record.activity_unit,
            field=path + ".unit",
            fuel=use.fuel,
            density_kg_per_l=record.density_kg_per_l,
            ncv_mj_per_unit=record.ncv_mj_per_unit,
            liquid_volume_units=record.liquid_volume_units,
            gas_volume_units=record.gas_volume_units,
        )
        energy_mj += base * (record.ncv_mj_per_unit or 0.0)
        out.append(
            LineItem(
                path,
                f"{fuel_name(use.fuel)} burned on site"
                f"{conversion_note(use.quantity, use.unit, base, record)}",
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


def scope12_lines(
    energy: Energy, fleet: tuple[FleetItem, ...], ctx: Context, prefix: str = ""
) -> tuple[list[LineItem], float, float, list[str]]:
    """Every Scope 1 and 2 line of one year's energy and fleet; also the MJ of the fuels burnt on site and
    of the vehicles' fuel given as quantities, and the estimated distances."""
    out: list[LineItem] = []
    electricity_lines(energy, ctx, prefix, out)
    heat_lines(energy, ctx, prefix, out)
    fuel_mj = fuel_lines(energy, ctx, prefix, out)
    estimated, vehicle_mj = fleet_lines(fleet, ctx, prefix, out)
    return out, fuel_mj, vehicle_mj, estimated
