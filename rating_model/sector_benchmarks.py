"""Sector benchmarks in the ENERGY STAR style: actual energy intensity against the sector's expected one.

The expected intensity normalises only by *how the business operates* (floor area, else employees; sector;
weekly operating hours), never by the technology it chose, so efficient equipment shows up as a better
ratio instead of being normalised away (ENERGY STAR's rule for regression variables). The ratio maps to a
1-100 percentile (higher is better, 50 is the median) through a lognormal model whose spread is a stated
assumption. Restaurants have their own peer value (CBECS: about 4x an average commercial building).

The same table gives per-employee "sector defaults" that the estimation step uses to fill missing figures;
each number carries its source, and numbers without one say they are a derived assumption.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rating_model.exceptions import ArtifactError, InvalidInputError
from rating_model.inventory import Inventory
from rating_model.operating_data import OperatingData
from rating_model.published import verified_bytes
from rating_model.values import fast_init

DATA_FILE = Path(__file__).resolve().parent / "data" / "sector_benchmarks.json"
_SECTOR_FIELDS = (
    "eui_kwh_per_m2",
    "reference_hours_per_week",
    "m2_per_employee",
    "electricity_share",
    "gas_share",
    "water_m3_per_employee",
    "waste_t_per_employee",
)
_ENERGY_CATEGORIES = frozenset(
    {"purchased_electricity", "onsite_renewable", "stationary_combustion", "purchased_heat"}
)


@dataclass(frozen=True, slots=True)
class SectorDefaults:
    """Typical annual quantities of a sector, used to estimate what a business did not report.

    ``sources`` maps each quantity to where it comes from (a published benchmark, or the derived-assumption
    label when none exists).
    """

    sector: str
    energy_kwh_per_m2: float
    electricity_kwh_per_m2: float
    electricity_kwh_per_employee: float
    gas_m3_per_employee: float
    water_m3_per_employee: float
    waste_t_per_employee: float
    m2_per_employee: float
    sources: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


@dataclass(frozen=True, slots=True, init=False)
class Benchmark:
    """How a business's energy intensity compares with its sector's expected intensity.

    Attributes
    ----------
    basis:
        ``floor_area_m2`` (intensity per m2) or ``employees`` (per employee, when no floor area is given).
    efficiency_ratio:
        actual / expected intensity (below 1 is better than expected); ``None`` without electricity data.
    percentile:
        1-100, higher is better, 50 is the sector median; ``None`` when the ratio is.
    hours_factor:
        Multiplier applied to the expected intensity for the business's operating hours (1 if not given).
    estimated:
        The actual energy includes estimated figures, so the comparison is partly the sector with itself.
    use_ratio:
        The premises' whole energy use, purchased and generated on site, over the expected energy: the
        efficiency ratio with on-site renewable generation added back; ``None`` when the ratio is. The ratio
        leaves solar out so that installing it never counts against a business; a rule on energy use too
        low to be believed (standard 1.11.0's ``energy_implausibly_low``) reads this one, or the solar that
        covers most of a shop's use would read as use left out (a re-read of that standard).
    """

    sector: str
    sector_name: str
    basis: str
    intensity_unit: str
    expected_intensity: float
    actual_intensity: float | None
    efficiency_ratio: float | None
    percentile: int | None
    hours_factor: float
    sigma: float
    source: str
    estimated: bool
    notes: tuple[str, ...]
    use_ratio: float | None

    def __init__(
        self, sector: str, sector_name: str, basis: str, intensity_unit: str, expected_intensity: float,
        actual_intensity: float | None, efficiency_ratio: float | None, percentile: int | None,
        hours_factor: float, sigma: float, source: str, estimated: bool, notes: tuple[str, ...],
        use_ratio: float | None,
    ) -> None:
        object.__setattr__(self, "sector", sector)
        object.__setattr__(self, "sector_name", sector_name)
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "intensity_unit", intensity_unit)
        object.__setattr__(self, "expected_intensity", expected_intensity)
        object.__setattr__(self, "actual_intensity", actual_intensity)
        object.__setattr__(self, "efficiency_ratio", efficiency_ratio)
        object.__setattr__(self, "percentile", percentile)
        object.__setattr__(self, "hours_factor", hours_factor)
        object.__setattr__(self, "sigma", sigma)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "estimated", estimated)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "use_ratio", use_ratio)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (notes as a list)."""
        out = asdict(self)
        out["notes"] = list(self.notes)
        return out


def _check(table: dict[str, Any]) -> dict[str, Any]:
    """Reject a malformed table at load time: every number feeds a rating."""
    label = table.get("derived_label", "")
    sectors = table.get("sectors", {})
    if "not a published benchmark" not in label or not sectors:
        raise ArtifactError(f"{DATA_FILE.name}: missing derived_label or sectors")
    for name, row in sectors.items():
        for key in _SECTOR_FIELDS:
            value = row.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ArtifactError(f"{DATA_FILE.name}: sector {name}: {key} must be a number > 0")
        if not row.get("eui_source") or (row.get("eui_source_url") is None and row["eui_source"] != label):
            raise ArtifactError(
                f"{DATA_FILE.name}: sector {name}: unsourced EUI must carry the derived label"
            )
        if row["electricity_share"] + row["gas_share"] > 1:
            raise ArtifactError(f"{DATA_FILE.name}: sector {name}: energy shares exceed 1")
    for division, sector in table.get("divisions", {}).items():
        if sector not in sectors or len(division) != 2 or not division.isdigit():
            raise ArtifactError(f"{DATA_FILE.name}: division {division!r} maps to unknown sector {sector!r}")
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    try:
        raw = json.loads(verified_bytes(DATA_FILE, ArtifactError))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{DATA_FILE.name} cannot be read ({exc})") from exc
    return _check(raw)


def sectors() -> tuple[str, ...]:
    """Every sector key, sorted."""
    return tuple(sorted(_table()["sectors"]))


@lru_cache(maxsize=256)
def sector_of(division: str) -> str:
    """The benchmark sector of an ISIC Rev.4 division (``"56"`` -> ``"food_service"``).

    A longer industry code (``"5610"``) is read by its first two digits. Cached (each rating asks three
    times): keyed on the division text, of which there are about a hundred; refusals are not cached.

    Raises
    ------
    InvalidInputError
        Not an ISIC Rev.4 division (``field="company.industry_code"``).
    """
    sector: str | None = _table()["divisions"].get(str(division)[:2])
    if sector is None:
        raise InvalidInputError("company.industry_code", f"{division!r} is not an ISIC Rev.4 division")
    return sector


def _row(sector: str) -> dict[str, Any]:
    row = _table()["sectors"].get(sector)
    if row is None:
        raise InvalidInputError("company.industry_code", f"unknown benchmark sector {sector!r}")
    return row  # type: ignore[no-any-return]


@lru_cache(maxsize=64)
def sector_defaults(sector: str) -> SectorDefaults:
    """Per-employee and per-m2 typical quantities of ``sector``, with their sources."""
    table = _table()
    row = _row(sector)
    derived = table["derived_label"]
    eui, m2 = row["eui_kwh_per_m2"], row["m2_per_employee"]
    electricity_m2 = eui * row["electricity_share"]
    gas_m3 = eui * row["gas_share"] * m2 / table["gas_kwh_per_m3"]
    split = f"EUI ({row['eui_source']}) x electricity share; the share is a {derived}"
    return SectorDefaults(
        sector=sector,
        energy_kwh_per_m2=eui,
        electricity_kwh_per_m2=electricity_m2,
        electricity_kwh_per_employee=electricity_m2 * m2,
        gas_m3_per_employee=gas_m3,
        water_m3_per_employee=float(row["water_m3_per_employee"]),
        waste_t_per_employee=float(row["waste_t_per_employee"]),
        m2_per_employee=float(m2),
        sources={
            "energy_kwh_per_m2": row["eui_source"],
            "electricity_kwh_per_m2": split,
            "electricity_kwh_per_employee": f"{split}; x m2 per employee, a {derived}",
            "gas_m3_per_employee": (
                f"EUI x gas share x m2 per employee / {table['gas_kwh_per_m3']} kWh per m3 "
                f"({table['gas_kwh_per_m3_source']}); share and floor space are a {derived}"
            ),
            "water_m3_per_employee": derived,
            "waste_t_per_employee": derived,
            "m2_per_employee": derived,
        },
    )


def _percentile(ratio: float, sigma: float) -> int:
    """1-100, higher is better: the share of the lognormal peer population with a worse (higher) ratio."""
    if ratio <= 0.0:
        return 100  # no emissions at all (e.g. only on-site renewables): every peer does worse
    worse = 0.5 * (1.0 - math.erf(math.log(ratio) / (sigma * math.sqrt(2.0))))
    return min(100, max(1, round(100.0 * worse)))


def _hours_factor(hours: float | None, row: dict[str, Any], model: dict[str, Any]) -> float:
    if hours is None:
        return 1.0
    ratio = min(max(hours / row["reference_hours_per_week"], model["min_ratio"]), model["max_ratio"])
    return float(ratio ** model["elasticity"])


@lru_cache(maxsize=256)
def _source(sector: str, per_employee: bool, hours_adjusted: bool) -> str:
    """Where a benchmark's expected intensity and percentile come from (a few texts a sector, built once)."""
    table = _table()
    row = _row(sector)
    derived = table["derived_label"]
    sigma = float(table["percentile_model"]["sigma"])
    sources = [f"expected EUI: {row['eui_source']}"]
    if per_employee:
        sources.append(f"per-employee conversion ({row['m2_per_employee']:g} m2 per employee): {derived}")
    if hours_adjusted:
        sources.append(f"operating-hours adjustment: {derived}")
    sources.append(f"percentile: lognormal model, sigma {sigma:g}: {derived}")
    return "; ".join(sources)


def benchmark(data: OperatingData, inventory: Inventory) -> Benchmark:
    """Compare the business's site energy intensity with its sector's expected intensity.

    Parameters
    ----------
    data:
        The operating data (sector, floor area, employees, operating hours).
    inventory:
        Its inventory (``energy_mwh`` and the quality of the energy lines).

    Raises
    ------
    InvalidInputError
        The industry code is not an ISIC Rev.4 division.
    """
    table = _table()
    company = data.company
    sector = sector_of(company.isic_division)
    row = _row(sector)
    sigma = float(table["percentile_model"]["sigma"])
    hours = _hours_factor(company.operating_hours_per_week, row, table["hours_model"])
    if company.floor_area_m2:
        basis, unit, size = "floor_area_m2", "kWh/m2", company.floor_area_m2
        expected = row["eui_kwh_per_m2"] * hours
    else:
        basis, unit, size = "employees", "kWh/employee", float(company.employees)
        expected = row["eui_kwh_per_m2"] * row["m2_per_employee"] * hours
    notes: list[str] = []
    estimated = False
    for line in inventory.line_items:  # a loop, not any(<generator>): this runs per rating
        if line.quality == "estimated" and line.category in _ENERGY_CATEGORIES:
            estimated = True
            break
    if estimated:
        notes.append(
            "actual energy includes estimated figures (sector defaults): the ratio is partly circular"
        )
    if row["eui_statistic"] == "average":
        notes.append(
            "the sector value is a survey average, not a median; the median business is likely lower"
        )
    actual = ratio = percentile = use_ratio = None
    # Only energy data that is truly missing leaves the ratio missing. A business that reports its energy
    # and it comes to zero used less than any peer: ratio 0, the best bin. Treating zero as missing scored
    # it below a business using a little energy, so using more energy could raise the score.
    if "energy.electricity_kwh" in inventory.missing:
        notes.append("no electricity data: energy efficiency is not rated")
    else:
        # Purchased energy only: on-site renewables are left out so installing solar never counts against
        # a business (the standard's derivation of energy_efficiency_ratio).
        purchased_mwh = (
            inventory.energy_mwh
            - inventory.vehicle_fuel_mwh
            - (data.energy.onsite_renewable_kwh or 0.0) / 1000.0
        )
        actual = max(purchased_mwh, 0.0) * 1000.0 / size
        ratio = actual / expected
        percentile = _percentile(ratio, sigma)
        use_ratio = (actual + (data.energy.onsite_renewable_kwh or 0.0) / size) / expected
    return Benchmark(  # positional, in field order: this runs per rating and keywords cost time
        sector,
        row["name"],
        basis,
        unit,
        expected,
        actual,
        ratio,
        percentile,
        hours,
        sigma,
        _source(sector, basis == "employees", hours != 1.0),
        estimated,
        tuple(notes),
        use_ratio,
    )


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Benchmark,):
    fast_init(_value_class)
