"""Energy, transport and previous-year figures of a block of synthetic businesses.

Part of the generating process documented in ``docs/synthetic-population.md`` (see
:mod:`rating_model.synthetic_business` for the whole). Greener businesses need less energy for the same
floor area (energy performance ``phi``), buy green power and install solar more often, electrify kitchens and
vehicles, and cut their use from one year to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rating_model import synthetic_params as P

FloatArray = NDArray[np.float64]
_FLEET_FUELS = ("gasoline", "diesel", "hybrid", "electric", "natural_gas")
_FLEET_UNITS = {"gasoline": "L", "diesel": "L", "hybrid": "L", "electric": "kWh", "natural_gas": "m3"}
_CO2_PER_FLEET_UNIT = {"gasoline": "gasoline_l", "diesel": "diesel_l", "hybrid": "gasoline_l",
                       "electric": "electricity", "natural_gas": "gas_m3"}
#: every ``Sector`` field as an array over ``SECTORS``, so a per-business value is one fancy index
SECTOR_ARRAYS: dict[str, NDArray[Any]] = {
    name: np.array([getattr(s, name) for s in P.SECTORS]) for name in P.Sector.__dataclass_fields__
}
_VEHICLE_ARRAYS: dict[str, NDArray[Any]] = {
    name: np.array([getattr(P.VEHICLE_CLASSES[s.vehicle_class], name) for s in P.SECTORS])
    for name in P.VehicleClass.__dataclass_fields__
}
# fuel oil is never drawn: no sourced factor for it (domain.md §6), so the engine cannot rate it
_STATIONARY = ("natural_gas", "lpg", "coal", "diesel", "gasoline")
_NORTH = np.array([north for _, _, north in P.REGIONS])


def sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Block:
    """The businesses of one block: their drivers, and the flat columns written so far."""

    rng: np.random.Generator
    start: int
    n: int
    z: FloatArray
    sector: NDArray[np.intp]
    region: NDArray[np.intp]
    year: NDArray[np.int64]
    employees: FloatArray
    tier: NDArray[np.intp]
    cols: dict[str, NDArray[Any]]
    revenue: FloatArray = field(default_factory=lambda: np.empty(0))
    area: FloatArray = field(default_factory=lambda: np.empty(0))
    emissions_t: FloatArray = field(default_factory=lambda: np.empty(0))  # rough tCO2e, sizes offsets
    phi: FloatArray = field(default_factory=lambda: np.empty(0))  # energy performance

    def param(self, name: str) -> NDArray[Any]:
        """A sector parameter (``Sector`` field) or vehicle-class parameter, per business."""
        table = SECTOR_ARRAYS if name in SECTOR_ARRAYS else _VEHICLE_ARRAYS
        return table[name][self.sector]

    def reported(self, key: str) -> NDArray[np.bool_]:
        """Whether each business reports a block of data, by its disclosure tier (``REPORTED[key]``)."""
        return self.rng.random(self.n) < np.asarray(P.REPORTED[key])[self.tier]

    def num(self, name: str, values: FloatArray, shown: NDArray[np.bool_] | None = None) -> None:
        values = np.asarray(values, dtype=float)
        self.cols[name] = values if shown is None else np.where(shown, values, np.nan)

    def text(self, name: str, values: NDArray[Any] | str, shown: NDArray[np.bool_] | None = None) -> None:
        out = np.full(self.n, values, dtype=object) if isinstance(values, str) else values.astype(object)
        if shown is not None:
            out[~shown] = None
        self.cols[name] = out


def energy(b: Block, truth: dict[str, FloatArray]) -> None:
    """Electricity (grid, green, on-site), stationary fuels and district heat."""
    rng, n, z = b.rng, b.n, b.z
    phi = 0.8 * z + 0.6 * rng.standard_normal(n)  # energy performance, corr(phi, z) = 0.8
    efficiency = np.exp(-0.25 * phi)
    b.phi = phi
    demand = b.area * b.param("electricity_kwh_per_m2") * efficiency * np.exp(0.3 * rng.standard_normal(n))
    gas_share = b.param("gas_share")
    logit = np.log(np.clip(gas_share, 1e-9, 1 - 1e-9) / np.clip(1 - gas_share, 1e-9, 1)) - 0.4 * z
    uses_gas = (gas_share > 0) & (rng.random(n) < sigmoid(logit))
    gas_m3 = b.area * b.param("gas_m3_per_m2") * efficiency * np.exp(0.3 * rng.standard_normal(n))
    no_gas_kitchen = (b.param("group") == "restaurant") & ~uses_gas
    lpg = no_gas_kitchen & (rng.random(n) < 0.5)
    # an electric kitchen needs about half the energy of a gas one (induction); generator assumption
    demand = demand + np.where(no_gas_kitchen & ~lpg, 0.5 * gas_m3 * P.GAS_KWH_PER_M3, 0.0)

    solar = rng.random(n) < sigmoid(-3.0 + 0.8 * z + b.param("solar_bonus"))
    onsite = np.where(solar, np.rint(demand * rng.uniform(0.05, 0.35, n)), 0.0)
    purchased = np.rint(demand - onsite)
    buyer = rng.random(n) < sigmoid(-2.6 + 1.1 * z + 0.35 * (b.year - 2022))
    share = np.where(rng.random(n) < 0.15, 1.0, rng.beta(1.5, 1.5, n))
    green = np.where(buyer, np.rint(share * purchased), 0.0)
    truth["green_electricity_share"] = np.where(buyer, share, 0.0)
    truth["onsite_solar"] = solar.astype(float)
    truth["energy_performance"] = phi

    kwh_shown = b.reported("electricity_kwh")
    spend_shown = b.reported("electricity_spend") | (~kwh_shown & (rng.random(n) < 0.75))
    b.num("energy__electricity_kwh", purchased, kwh_shown)
    green_shown = kwh_shown & ((buyer & b.reported("green")) | (~buyer & b.reported("green_zero")))
    b.num("energy__green_electricity_kwh", green, green_shown)
    names = np.array([name for name, _ in P.GREEN_INSTRUMENTS], dtype=object)
    instrument = names[rng.choice(len(names), n, p=[w for _, w in P.GREEN_INSTRUMENTS])]
    b.text("energy__green_electricity_instrument", instrument, green_shown & buyer & (rng.random(n) < 0.9))
    b.num("energy__onsite_renewable_kwh", onsite, solar & b.reported("onsite"))
    spend = np.round(purchased * rng.uniform(*P.TARIFF_CNY_PER_KWH, n))
    b.num("energy__electricity_spend", spend, spend_shown)

    fuels_shown = b.reported("fuels")
    coal_possible = b.param("coal_possible")
    coal = coal_possible & (rng.random(n) < sigmoid(-3.0 - 0.8 * z))
    diesel = rng.random(n) < b.param("stationary_diesel_share")
    gasoline = (b.param("group") == "agriculture") & (rng.random(n) < 0.2)
    heat = _NORTH[b.region] & b.param("district_heat") & (rng.random(n) < 0.5)

    def draw(scale: FloatArray, sigma: float = 0.4) -> FloatArray:
        return scale * efficiency * np.exp(sigma * rng.standard_normal(n))

    quantities = {
        "natural_gas": (np.round(gas_m3, 1), uses_gas, "m3"),
        "lpg": (np.round(gas_m3 * P.LPG_KG_PER_GAS_M3, 1), lpg, "kg"),
        "coal": (np.rint(draw(b.area * 25.0)), coal, "kg"),
        "diesel": (np.round(draw(b.employees * b.param("stationary_diesel_l_per_employee")), 1), diesel, "L"),
        "gasoline": (np.round(draw(b.employees * 80.0), 1), gasoline, "L"),
    }
    burns = np.zeros(n, dtype=bool)
    for fuel, (quantity, has, unit) in quantities.items():
        b.num(f"energy__fuel__{fuel}__quantity", quantity, has & fuels_shown)
        b.text(f"energy__fuel__{fuel}__unit", unit, has & fuels_shown)
        burns |= has
    # a business that answers the question and burns nothing says so ("fuels": []); drawn as a blank until
    # standard 1.7.0, where fuels left out cap the grade, it had read as not answering
    b.num("energy__fuels_none", np.ones(n), fuels_shown & ~burns)
    # a business answering the energy questions says whether it buys heat: 0 for none, as the site fuels'
    # none; drawn as a blank until standard 1.9.0, where heat left out leaves indicators missing where
    # heat is sold, it had read as not answering
    heat_gj = np.where(heat, np.round(draw(b.area * 0.35, 0.25), 1), 0.0)
    b.num("energy__purchased_heat_gj", heat_gj, fuels_shown)

    co2 = P.KG_CO2
    kg = ((purchased - green) * co2["electricity"] + np.where(uses_gas, gas_m3, 0) * co2["gas_m3"]
          + np.where(lpg, quantities["lpg"][0], 0) * co2["lpg_kg"] + np.where(coal, quantities["coal"][0], 0)
          * co2["coal_kg"] + np.where(diesel, quantities["diesel"][0], 0) * co2["diesel_l"]
          + np.where(gasoline, quantities["gasoline"][0], 0) * co2["gasoline_l"])
    b.emissions_t = kg / 1000.0


def transport(b: Block, truth: dict[str, FloatArray]) -> None:
    """The fleet by fuel (electric share rising with greenness) and business travel by mode."""
    rng, n, z = b.rng, b.n, b.z
    has_fleet = rng.random(n) < b.param("fleet_share")
    size = np.rint(b.employees * b.param("vehicles_per_employee") * np.exp(0.4 * rng.standard_normal(n)))
    vehicles = np.where(has_fleet, np.maximum(size, 1), 0).astype(np.int64)
    electric = sigmoid(b.param("ev_logit") + 1.2 * z)
    rest = 1.0 - electric
    hybrid, cng = rest * b.param("hybrid_share"), rest * b.param("gas_share")
    combustion = rest - hybrid - cng
    diesel = combustion * b.param("diesel_share")
    probabilities = np.stack([np.clip(combustion - diesel, 0, 1), diesel, hybrid, electric, cng], axis=1)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    counts = rng.multinomial(vehicles, probabilities)
    truth["ev_share"] = np.where(vehicles > 0, counts[:, 3] / np.maximum(vehicles, 1), 0.0)
    km_each = b.param("km_per_vehicle") * np.exp(0.3 * rng.standard_normal(n))
    driving = np.exp(-0.1 * b.phi)
    per_100km = {"gasoline": b.param("gasoline_l_per_100km"), "diesel": b.param("diesel_l_per_100km"),
                 "hybrid": b.param("hybrid_l_per_100km"), "electric": 100 * b.param("electric_kwh_per_km"),
                 "natural_gas": b.param("gas_m3_per_100km")}
    reports_fleet = b.reported("fleet")
    shown = has_fleet & reports_fleet
    unknown = shown & (b.param("vehicle_class") == "car") & b.reported("fleet_unknown_fuel")
    detailed = shown & ~unknown
    km_shown, quantity_shown = b.reported("fleet_km"), b.reported("fleet_fuel_quantity")
    emissions = np.zeros(n)
    for i, fuel in enumerate(_FLEET_FUELS):
        km = np.rint(counts[:, i] * km_each)
        quantity = np.round(km * per_100km[fuel] / 100 * driving, 1)
        emissions += quantity * P.KG_CO2[_CO2_PER_FLEET_UNIT[fuel]] / 1000.0
        present = detailed & (counts[:, i] > 0)
        b.num(f"transport__fleet__{fuel}__vehicles", counts[:, i].astype(float), present)
        b.num(f"transport__fleet__{fuel}__km", km, present & km_shown)
        b.num(f"transport__fleet__{fuel}__fuel_quantity", quantity, present & quantity_shown)
        b.text(f"transport__fleet__{fuel}__unit", _FLEET_UNITS[fuel], present & quantity_shown)
    b.num("transport__fleet__unknown__vehicles", vehicles.astype(float), unknown)
    # a business without vehicles says so as often as one with vehicles reports them (the API's fleet: [])
    b.num("transport__fleet_none", np.ones(n), ~has_fleet & reports_fleet)
    b.emissions_t = b.emissions_t + emissions

    travels = rng.random(n) < b.param("travel_share")
    total = b.employees * b.param("travel_pkm_per_employee") * np.exp(0.5 * rng.standard_normal(n))
    flights = total * sigmoid(-0.2 - 0.7 * z + 0.5 * rng.standard_normal(n))
    abroad = rng.random(n) < 0.15
    long_haul, short_haul = np.where(abroad, 0.3 * flights, 0.0), np.where(abroad, 0.2 * flights, 0.0)
    ground = total - flights
    rail = ground * sigmoid(0.8 + 0.6 * z)
    modes = {"car": 0.6 * (ground - rail), "taxi": 0.4 * (ground - rail), "rail": rail,
             "flight_domestic": flights - long_haul - short_haul, "flight_short_haul": short_haul,
             "flight_long_haul": long_haul}
    travel_shown = travels & b.reported("travel")
    for mode, pkm in modes.items():
        pkm = np.rint(pkm)
        b.num(f"transport__travel__{mode}__passenger_km", pkm, travel_shown & (pkm > 0))


_TREND_COLUMNS = (
    "energy__electricity_kwh", "energy__onsite_renewable_kwh", "energy__electricity_spend",
    "energy__purchased_heat_gj",
    *(f"energy__fuel__{f}__quantity" for f in _STATIONARY),
    *(f"transport__fleet__{f}__{k}" for f in _FLEET_FUELS for k in ("km", "fuel_quantity")),
    *(f"transport__travel__{m}__passenger_km" for m in ("car", "taxi", "rail", "flight_domestic",
                                                         "flight_short_haul", "flight_long_haul")),
)
_COPIED_COLUMNS = (
    *(f"energy__fuel__{f}__unit" for f in _STATIONARY),
    *(f"transport__fleet__{f}__{k}" for f in _FLEET_FUELS for k in ("vehicles", "unit")),
    "transport__fleet__unknown__vehicles", "transport__fleet_none", "energy__fuels_none",
)


def previous_year(b: Block, truth: dict[str, FloatArray]) -> None:
    """Last year's energy and transport: this year's divided by (1 + g), g falling with greenness."""
    rng, n = b.rng, b.n
    growth = np.clip(-0.02 - 0.05 * b.z + 0.06 * rng.standard_normal(n), -0.4, 0.6)
    truth["reduction_trend"] = -growth
    shown = b.reported("previous_year")
    for name in _TREND_COLUMNS:
        current = b.cols[name]
        decimals = 0 if name.endswith(("_kwh", "_spend", "__km", "passenger_km")) else 1
        value = np.round(current / (1 + growth) * np.exp(0.03 * rng.standard_normal(n)), decimals)
        b.num(f"previous_year__{name}", value, shown & ~np.isnan(current))
    for name in _COPIED_COLUMNS:
        current = b.cols[name]
        if current.dtype == object:
            b.text(f"previous_year__{name}", current, shown)
        else:
            b.num(f"previous_year__{name}", current, shown)
    green = b.cols["energy__green_electricity_kwh"]
    started = rng.random(n) < 0.3  # bought no green power the year before
    last = np.where(started, 0.0, np.rint(green / (1 + growth) * rng.uniform(0.4, 1.0, n)))
    last = np.minimum(last, b.cols["previous_year__energy__electricity_kwh"])
    last_shown = shown & ~np.isnan(green) & ~np.isnan(last)
    b.num("previous_year__energy__green_electricity_kwh", last, last_shown)
    instrument = b.cols["energy__green_electricity_instrument"]
    b.text("previous_year__energy__green_electricity_instrument", instrument, last_shown & (last > 0))
