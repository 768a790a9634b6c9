"""Apply the standard's improvement actions to operating data, producing the "what if" business.

Improvement advice is computed, not written by hand: each action is a small, declared change to the
operating data (``change`` in the standard); the engine applies it, re-rates, and reports the real score gain,
grade and tCO2e saved. An action that does not apply to a business (no fleet to electrify, a practice already
adopted) returns ``None`` and is never suggested.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rating_model.inventory import compute_inventory, fleet_distances
from rating_model.operating_data import FleetItem, OperatingData, Target, adopt_practices, counted_green_kwh
from rating_model.sector_benchmarks import benchmark
from rating_model.values import evolve as replace

# A target set today runs to the reporting year + 7 (a 2030-style horizon for 2023 data).
TARGET_HORIZON_YEARS = 7
_LOW_CARBON_FUELS = ("electric",)


def _raise_renewable(data: OperatingData, by: float) -> OperatingData | None:
    e = data.energy
    if not e.electricity_kwh:
        return None
    year = data.company.reporting_year
    green = counted_green_kwh(e, year)
    total = e.electricity_kwh + (e.onsite_renewable_kwh or 0.0)
    new_green = min(e.electricity_kwh, green + by * total)
    if new_green <= green:
        return None
    instrument = e.green_electricity_instrument or "green_certificate"
    # the instruments bought are of the year rated: another year's, which did not count, are replaced
    vintage = None if e.green_electricity_vintage is None else year
    energy = replace(e, green_electricity_kwh=new_green, green_electricity_instrument=instrument,
                     green_electricity_vintage=vintage)
    return replace(data, energy=energy)


def _scale_electricity(data: OperatingData, factor: float) -> OperatingData | None:
    e = data.energy
    if not e.electricity_kwh:
        return None
    kwh = e.electricity_kwh * factor
    green = None if e.green_electricity_kwh is None else min(e.green_electricity_kwh, kwh)
    return replace(data, energy=replace(e, electricity_kwh=kwh, green_electricity_kwh=green))


def _cut_site_energy_below_ratio(data: OperatingData, ratio: float) -> OperatingData | None:
    """Cut the premises' energy (grid electricity, fuels burned on site, heat bought) by the whole per cent
    that takes the energy ratio (actual over the sector's expected energy for the business's size,
    :func:`~rating_model.sector_benchmarks.benchmark`) just below ``ratio``; ``None`` when it is below
    already, or not measured.

    The ratio is the premises' purchased energy over a fixed expectation, so scaling every purchased input
    by one factor scales it by that factor: the cut is the least whole per cent that lifts a knock-out on
    the ratio (standard 1.10.0's ``energy_far_above_sector``), whatever the mix of electricity and gas.
    On-site renewables are left as they are (the ratio leaves them out); green electricity bought stays, up
    to the electricity left. The ratio is measured here, for the business as the plan has changed it so far.
    """
    e = data.energy
    if e.electricity_kwh is None:
        return None
    now = benchmark(data, compute_inventory(data)).efficiency_ratio
    if now is None or now < ratio:
        return None
    # the largest whole per cent strictly below ratio / now (the floor of a hair less, so that an exact
    # quotient is cut one per cent more): the ratio after it is below ``ratio`` by far more than rounding
    factor = math.floor(ratio / now * 100.0 - 1e-9) / 100.0
    if factor <= 0:
        return None
    kwh = e.electricity_kwh * factor
    green = None if e.green_electricity_kwh is None else min(e.green_electricity_kwh, kwh)
    fuels = None if e.fuels is None else tuple(replace(f, quantity=f.quantity * factor) for f in e.fuels)
    heat = None if e.purchased_heat_gj is None else e.purchased_heat_gj * factor
    energy = replace(e, electricity_kwh=kwh, green_electricity_kwh=green, fuels=fuels, purchased_heat_gj=heat)
    return replace(data, energy=energy)


def _set_target(data: OperatingData, pct_per_year: float) -> OperatingData | None:
    current = max(
        (t.reduction_pct / (t.target_year - t.base_year) for t in data.targets if {1, 2} & set(t.scopes)),
        default=0.0,
    )
    if current >= pct_per_year:
        return None
    year = data.company.reporting_year
    pct = min(100.0, pct_per_year * TARGET_HORIZON_YEARS)
    target = Target((1, 2), year, year + TARGET_HORIZON_YEARS, pct)
    return replace(data, targets=(*data.targets, target))


def _split(value: float | None, share: float) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    return value * (1 - share), value * share


def _replaceable(item: FleetItem, km: float | None) -> bool:
    """A combustion item (petrol, diesel, LPG, natural gas, or a vehicle of unknown fuel; hybrids are kept)
    of cars or vans with something to size a replacement by (its km, or its fuel's distance, or a vehicle
    count) and not known to drive nothing. Heavy goods vehicles are kept: no electric lorry has a factor
    (factor set cn-2024.5), and replacing one by an electric car had priced a diesel lorry's km at a car's
    electricity."""
    if item.fuel in _LOW_CARBON_FUELS or item.fuel == "hybrid" or km == 0 or item.vehicle_class == "hgv":
        return False
    return km is not None or bool(item.vehicles)


def _vehicles_moved(counts: list[int], per_vehicle_km: list[float | None], share: float) -> list[int]:
    """How many of each counted item's vehicles ``share`` of the whole counted fleet replaces.

    The share applies to the fleet, rounded up to whole vehicles (half of 3 is 2; at least one), and the
    vehicles are taken from the items in proportion to their counts: each item gives the whole vehicles
    of its own share, and the vehicles left to round up come from the items with the largest fractions
    left over (largest remainders); between equal fractions, from the item whose vehicles each drive
    furthest (the distance the inventory prices; a count without km or fuel, driven the seed distance,
    after those), then the first listed. Rounding each item up had replaced a florist's three vehicles
    of three fuels, one each, when told to replace half (an energy-efficiency advisor's review).
    """
    total = 0
    for count in counts:
        total += count
    # rounded to 9 places first: 10 x 0.3 is 3.0000000000000004 in floats, 3 vehicles, not 4
    moved = [math.floor(round(count * share, 9)) for count in counts]
    left = [round(count * share, 9) - whole for count, whole in zip(counts, moved, strict=True)]
    rest = math.ceil(round(total * share, 9))
    for whole in moved:
        rest -= whole
    order = sorted(
        range(len(counts)),
        key=lambda i: (-left[i], per_vehicle_km[i] is None, -(per_vehicle_km[i] or 0.0), i),
    )
    for i in order[:rest]:
        moved[i] += 1
    return moved


def _electrify_fleet(data: OperatingData, share: float) -> OperatingData | None:
    """Replace ``share`` of the combustion fleet (petrol, diesel, LPG, natural gas, or a vehicle of unknown
    fuel; hybrids and heavy goods vehicles are kept) with electric vehicles of the same class (cars by
    cars, vans by vans) driving the same distance.

    Counted vehicles move whole, ``share`` of the counted fleet rounded up (half of 3 is 2, whatever
    their fuels: :func:`_vehicles_moved` says which); an item without a count moves exactly ``share`` of
    its fuel or km. The EVs drive what they replace (the item's km, or the distance its fuel implies:
    :func:`~rating_model.inventory.fleet_distances`), so the saving is the fuel burned less the
    electricity charged for the same km, never the whole fuel against the seed's 12,000 km. Only an item
    counted by vehicles alone keeps the seed distance, per vehicle, on both sides.
    """
    items = data.transport.vehicles
    distances = fleet_distances(data)
    replaced = [_replaceable(item, km) for item, km in zip(items, distances, strict=True)]
    counted: list[int] = []  # the positions of the items whose vehicles move whole
    counts: list[int] = []
    per_vehicle: list[float | None] = []
    for position, (item, km) in enumerate(zip(items, distances, strict=True)):
        if replaced[position] and item.vehicles:
            counted.append(position)
            counts.append(item.vehicles)
            per_vehicle.append(None if km is None else km / item.vehicles)
    whole = dict(zip(counted, _vehicles_moved(counts, per_vehicle, share), strict=True))
    fleet: list[FleetItem] = []
    changed = False
    for position, (item, km) in enumerate(zip(items, distances, strict=True)):
        moved = whole.get(position)
        if not replaced[position] or moved == 0:
            fleet.append(item)
            continue
        vehicles = item.vehicles
        part = moved / vehicles if vehicles and moved is not None else share
        _, ev_km = _split(km, part)
        kept_km, _ = _split(item.km, part)
        kept_fuel, _ = _split(item.fuel_quantity, part)
        if part < 1:
            kept_vehicles = vehicles - moved if vehicles is not None and moved is not None else vehicles
            fleet.append(replace(item, vehicles=kept_vehicles, km=kept_km, fuel_quantity=kept_fuel))
        # of the same class: a van by an electric van (its own kWh/km), a car by an electric car
        fleet.append(FleetItem("electric", vehicles=moved, km=ev_km, vehicle_type=item.vehicle_type))
        changed = True
    if not changed:
        return None
    return replace(data, transport=replace(data.transport, fleet=tuple(fleet)))


def _raise_recycling(data: OperatingData, by: float) -> OperatingData | None:
    r = data.resources
    if not r.waste_t:
        return None
    recycled = r.waste_recycled_t or 0.0
    room = r.waste_t - (r.hazardous_waste_t or 0.0)
    new = min(room, recycled + by * r.waste_t)
    if new <= recycled:
        return None
    # Mixed landfill waste is recycled first; beyond it, the landfilled food waste (composted instead).
    food = r.food_waste_t
    if food is not None:
        food = min(food, max(room - new, 0.0))
    return replace(data, resources=replace(r, waste_recycled_t=new, food_waste_t=food))


def _scale_water(data: OperatingData, factor: float) -> OperatingData | None:
    r = data.resources
    if r.water_m3 is None:
        return None
    return replace(data, resources=replace(r, water_m3=r.water_m3 * factor))


def _set_practice(data: OperatingData, name: str) -> OperatingData | None:
    if getattr(data.practices, name) is True:
        return None
    return adopt_practices(data, (name,))


def _set_data_source(data: OperatingData, source: str) -> OperatingData | None:
    if data.data_source in ("verified_report", "self_reported_inventory", source):
        return None
    return replace(data, data_source=source)


_OPERATIONS: Mapping[str, Any] = {
    "raise_renewable_electricity_share_by": _raise_renewable,
    "scale_electricity_by": _scale_electricity,
    "cut_site_energy_below_ratio": _cut_site_energy_below_ratio,
    "set_target_pct_per_year": _set_target,
    "electrify_fleet_share": _electrify_fleet,
    "raise_recycling_rate_by": _raise_recycling,
    "scale_water_by": _scale_water,
    "set_practice": _set_practice,
    "set_data_source": _set_data_source,
}


#: Operations that lift a knock-out on the energy ratio and earn points only by the way: the improvement
#: plan tries them only under such a knock-out, and keeps one that lifts the grade without a point
#: (:func:`rating_model.improvements.improvements`).
CAP_LIFTING_OPERATIONS = frozenset({"cut_site_energy_below_ratio"})


def known_operations() -> frozenset[str]:
    return frozenset(_OPERATIONS)


def apply_change(data: OperatingData, change: Mapping[str, Any]) -> OperatingData | None:
    """Apply every operation of one action; ``None`` when its first operation changes nothing.

    An action is its first operation; the others come with it (``save_water`` adopts water-saving
    fixtures as it cuts the water used). Where the first finds nothing to change, the action does not
    apply: a review of engine 2.2 found ``save_water`` offered to businesses that gave no water figure, as
    ``adopt_water_saving_equipment`` under another name at a higher cost, told to "fix leaks".
    """
    result = data if change else None
    for position, (operation, argument) in enumerate(change.items()):
        new = _OPERATIONS[operation](result, argument)
        if new is not None:
            result = new
        elif position == 0:
            return None
    return result
