"""Parameters of the synthetic small-business population: every magnitude the generator draws from.

Kept apart from the generator so that the parameter table in ``docs/synthetic-population.md`` can be
checked against one place. A number is either traced to ``docs/domain.md`` (the comment says which
section) or is a *generator assumption*: a plausible magnitude chosen for the synthetic population, not a
measured statistic of Chinese small businesses. Nothing here describes a real business.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True, slots=True)
class Sector:
    """One ISIC Rev.4 division of the population and how its businesses look at latent greenness 0."""

    division: str
    group: str
    weight: float  # share of the population
    employees_median: float
    revenue_per_employee: float  # CNY / employee / year
    m2_per_employee: float
    electricity_kwh_per_m2: float  # purchased + on-site, before the efficiency factor
    gas_m3_per_m2: float  # natural gas (or LPG of equal energy) when the business burns gas
    gas_share: float  # share burning gas at z = 0
    hours_per_week: float
    water_m3_per_employee: float
    waste_t_per_employee: float
    hazardous_share_max: float  # hazardous waste is U(0.1, 1) x this share of waste; 0 = none
    vehicle_class: str
    fleet_share: float
    vehicles_per_employee: float
    km_per_vehicle: float
    travel_share: float
    travel_pkm_per_employee: float
    stationary_diesel_l_per_employee: float = 0.0  # machinery, pumps, generators
    stationary_diesel_share: float = 0.0
    solar_bonus: float = 0.0  # logit shift of on-site solar (roof space)
    penalty_bonus: float = 0.0  # log-rate shift of environmental penalties (regulatory exposure)
    formality: float = 0.0  # shift of the disclosure tier
    digital_ordering_logit: float = -1.0
    sells_goods: bool = False  # green products share and green packaging apply
    iso_bonus: float = 0.0
    district_heat: bool = True  # may buy district heat in the northern heating zone
    loan_uses: str = "premises"
    coal_possible: bool = False


_RESTAURANT = Sector(
    "56", "restaurant", 0.16, 8, 250_000, 15,
    # Calibrated so a 12-employee restaurant (~176 m2, CNY 3 M) uses ~60,000 kWh and ~8,000 m3 gas, the
    # worked example of domain.md §6; total site energy ~830 kWh/m2 = CBECS 2018 food service (domain.md §7).
    340, 45, 0.85, 72, 50, 1.5, 0.0, "car", 0.15, 0.1, 12_000, 0.0, 0.0,
    penalty_bonus=0.3, formality=-0.2, digital_ordering_logit=1.5, sells_goods=True,
)
_ACCOMMODATION = Sector("55", "accommodation", 0.04, 12, 300_000, 60, 150, 12, 0.6, 168, 150, 1.0, 0.0,
                        "car", 0.3, 0.05, 12_000, 0.1, 500, digital_ordering_logit=0.8)
_RETAIL = Sector("47", "retail", 0.22, 4, 700_000, 30, 200, 0, 0, 84, 10, 0.8, 0.0, "car", 0.2, 0.1, 12_000,
                 0.0, 0.0, formality=-0.2, digital_ordering_logit=0.5, sells_goods=True)
_WHOLESALE = Sector("46", "wholesale", 0.10, 8, 1_500_000, 60, 70, 0, 0, 55, 8, 1.0, 0.0, "van", 0.6, 0.25,
                    25_000, 0.2, 1_500, solar_bonus=0.3, digital_ordering_logit=-0.5, sells_goods=True,
                    loan_uses="logistics")
_OFFICE = Sector("62", "office", 0.04, 10, 500_000, 12, 130, 0, 0, 50, 12, 0.25, 0.0, "car", 0.2, 0.1, 12_000,
                 0.7, 3_000, solar_bonus=-0.5, formality=0.2)
_MANUFACTURING = Sector("10", "manufacturing", 0.04, 25, 700_000, 40, 250, 25, 0.6, 60, 40, 4.0, 0.06, "van",
                        0.5, 0.1, 20_000, 0.2, 1_000, solar_bonus=1.0, penalty_bonus=1.0, formality=0.3,
                        digital_ordering_logit=-1.5, sells_goods=True, iso_bonus=1.2, district_heat=False,
                        loan_uses="industry", coal_possible=True)
_TRANSPORT = Sector("49", "transport", 0.05, 12, 500_000, 10, 80, 0, 0, 84, 8, 0.3, 0.08, "truck", 0.95, 0.7,
                    60_000, 0.05, 500, penalty_bonus=0.5, loan_uses="logistics")
_CONSTRUCTION = Sector("41", "construction", 0.03, 15, 600_000, 8, 60, 0, 0, 50, 30, 8.0, 0.02, "van", 0.7,
                       0.2, 20_000, 0.1, 800, 600, 0.6, penalty_bonus=0.8, digital_ordering_logit=-1.5,
                       district_heat=False, loan_uses="buildings")
_AGRICULTURE = Sector("01", "agriculture", 0.06, 6, 200_000, 50, 40, 0, 0, 50, 400, 3.0, 0.01, "van", 0.5,
                      0.15, 10_000, 0.0, 0.0, 500, 0.6, solar_bonus=1.0, penalty_bonus=0.5, formality=-0.3,
                      digital_ordering_logit=-1.5, sells_goods=True, district_heat=False, loan_uses="land")

SECTORS: tuple[Sector, ...] = (
    _RESTAURANT,
    _ACCOMMODATION,
    _RETAIL,
    _WHOLESALE,
    _OFFICE,
    replace(_OFFICE, division="69", weight=0.03, revenue_per_employee=400_000, travel_pkm_per_employee=2_500),
    replace(_OFFICE, division="70", weight=0.03, revenue_per_employee=450_000, travel_pkm_per_employee=5_000),
    replace(_OFFICE, division="71", weight=0.02, revenue_per_employee=400_000, travel_pkm_per_employee=4_000),
    replace(_OFFICE, division="73", weight=0.02, revenue_per_employee=450_000, travel_pkm_per_employee=3_000),
    _MANUFACTURING,
    replace(_MANUFACTURING, division="13", weight=0.03, electricity_kwh_per_m2=220, gas_m3_per_m2=15,
            gas_share=0.35, water_m3_per_employee=150, waste_t_per_employee=2.0),
    replace(_MANUFACTURING, division="22", weight=0.025, electricity_kwh_per_m2=450, gas_m3_per_m2=5,
            gas_share=0.2, water_m3_per_employee=20, waste_t_per_employee=3.0),
    replace(_MANUFACTURING, division="25", weight=0.035, electricity_kwh_per_m2=300, gas_m3_per_m2=8,
            gas_share=0.3, water_m3_per_employee=25, waste_t_per_employee=3.0),
    _TRANSPORT,
    Sector("52", "warehousing", 0.03, 10, 600_000, 150, 60, 0, 0, 84, 5, 1.5, 0.02, "van", 0.6, 0.2, 30_000,
           0.05, 500, solar_bonus=1.0, penalty_bonus=0.3, loan_uses="logistics"),
    _CONSTRUCTION,
    replace(_CONSTRUCTION, division="43", weight=0.04, employees_median=10),
    _AGRICULTURE,
)


@dataclass(frozen=True, slots=True)
class VehicleClass:
    """Consumption and fuel mix of a sector's typical vehicle (all generator assumptions)."""

    gasoline_l_per_100km: float
    diesel_l_per_100km: float
    hybrid_l_per_100km: float
    electric_kwh_per_km: float
    gas_m3_per_100km: float
    ev_logit: float  # logit of the electric share at z = 0; +1.2 per unit of z
    diesel_share: float  # of combustion vehicles
    hybrid_share: float
    gas_share: float  # compressed natural gas trucks


VEHICLE_CLASSES: dict[str, VehicleClass] = {
    "car": VehicleClass(8.0, 7.0, 5.0, 0.16, 0.0, -2.0, 0.05, 0.08, 0.0),
    "van": VehicleClass(10.0, 9.5, 6.5, 0.25, 0.0, -2.4, 0.55, 0.03, 0.0),
    "truck": VehicleClass(0.0, 25.0, 0.0, 1.1, 30.0, -3.4, 1.0, 0.0, 0.08),
}

# ISO 3166-2:CN codes; weight = rough share of the population (assumption); True = in the northern
# district-heating zone (Qinling-Huaihe line; general knowledge, not in domain.md).
REGIONS: tuple[tuple[str, float, bool], ...] = (
    ("CN-GD", 0.12, False), ("CN-JS", 0.10, False), ("CN-ZJ", 0.10, False), ("CN-SD", 0.08, True),
    ("CN-HA", 0.05, True), ("CN-SC", 0.05, False), ("CN-HB", 0.04, False), ("CN-FJ", 0.04, False),
    ("CN-HN", 0.04, False), ("CN-SH", 0.04, False), ("CN-BJ", 0.04, True), ("CN-AH", 0.04, False),
    ("CN-HE", 0.04, True), ("CN-CQ", 0.03, False), ("CN-SN", 0.025, True), ("CN-LN", 0.025, True),
    ("CN-JX", 0.025, False), ("CN-GX", 0.02, False), ("CN-YN", 0.02, False), ("CN-TJ", 0.015, True),
    ("CN-SX", 0.015, True), ("CN-GZ", 0.015, False), ("CN-NM", 0.012, True), ("CN-HL", 0.012, True),
    ("CN-JL", 0.01, True), ("CN-XJ", 0.01, True), ("CN-GS", 0.008, True), ("CN-HI", 0.006, False),
    ("CN-NX", 0.004, True), ("CN-QH", 0.003, True), ("CN-XZ", 0.002, False),
)
YEARS = (2021, 2022, 2023)

# practice flag -> (logit at z = 0 and 10 employees, slope on z, slope on ln(employees / 10)); assumptions.
# digital_ordering takes its intercept from the sector; iso14001 adds the sector's iso_bonus; green_packaging
# drops by 1.5 where the business sells no goods.
PRACTICES: dict[str, tuple[float, float, float]] = {
    "e_invoicing": (1.2, 0.4, 0.3),
    "digital_ordering": (0.0, 0.4, 0.1),
    "energy_efficient_equipment": (-0.3, 1.0, 0.2),
    "led_lighting": (0.6, 0.8, 0.1),
    "green_procurement_policy": (-2.2, 1.1, 0.3),
    "iso14001": (-3.6, 1.0, 0.8),
    "energy_audit": (-2.8, 1.0, 0.5),
    "environmental_policy": (-1.6, 1.1, 0.4),
    "climate_responsible_person": (-2.4, 1.0, 0.4),
    "waste_sorting": (0.2, 1.0, 0.1),
    "water_saving_equipment": (-0.6, 0.8, 0.1),
    "green_packaging": (-1.0, 1.0, 0.1),
}

# Disclosure tier: 0 = minimal (a micro merchant: industry, region, size, electricity), 1 = bills,
# 2 = inventory, 3 = verified. tier = number of cut points below
# 0.6 ln(emp / 10) + 0.3 z + formality + Logistic(0, 1).
TIER_SIZE, TIER_Z = 0.6, 0.3
TIER_CUTS = (-0.6, 0.9, 2.4)
# probability that a block of data is reported, by tier (given that the business has the thing to report)
REPORTED: dict[str, tuple[float, float, float, float]] = {
    "region": (0.95, 0.97, 0.99, 1.0),
    "floor_area": (0.2, 0.7, 0.9, 1.0),
    "hours": (0.1, 0.5, 0.7, 0.9),
    "electricity_kwh": (0.8, 0.97, 0.99, 1.0),
    "electricity_spend": (0.15, 0.3, 0.2, 0.1),
    "green": (0.3, 0.8, 0.95, 1.0),
    "green_zero": (0.0, 0.1, 0.5, 0.6),  # a non-buyer states 0 green kWh
    "onsite": (0.4, 0.8, 1.0, 1.0),
    "fuels": (0.2, 0.8, 0.95, 1.0),
    "fleet": (0.3, 0.8, 0.95, 1.0),
    "fleet_unknown_fuel": (0.5, 0.3, 0.0, 0.0),
    "fleet_km": (0.3, 0.6, 0.7, 0.8),
    "fleet_fuel_quantity": (0.2, 0.5, 0.7, 0.9),
    "travel": (0.0, 0.3, 0.8, 1.0),
    "water": (0.1, 0.5, 0.85, 1.0),
    "waste": (0.05, 0.3, 0.8, 1.0),
    "waste_recycled": (0.3, 0.6, 0.9, 1.0),
    "questionnaire": (0.3, 0.7, 0.95, 1.0),  # answers the practices questionnaire at all
    "practice_platform": (0.3, 0.6, 0.9, 0.95),  # e_invoicing, digital_ordering: seen in payment data
    "green_products": (0.2, 0.3, 0.5, 0.8),  # given the questionnaire
    "penalties": (0.15, 0.7, 0.9, 1.0),
    "targets": (0.2, 0.6, 0.9, 1.0),
    "offsets": (0.0, 0.3, 0.8, 1.0),
    "previous_year": (0.05, 0.3, 0.6, 0.85),
}
PRACTICE_ANSWERED = 0.85  # each questionnaire flag, given the questionnaire (blanks are "not answered")
DATA_SOURCE_NAMES = ("verified_report", "self_reported_inventory", "energy_bills", "estimated")
DATA_SOURCE_BY_TIER = np.array([
    [0.0, 0.0, 0.35, 0.65],
    [0.0, 0.1, 0.75, 0.15],
    [0.05, 0.6, 0.35, 0.0],
    [0.7, 0.3, 0.0, 0.0],
])
DATA_SOURCE_REPORTED = 0.9

GREEN_INSTRUMENTS = (("green_certificate", 0.55), ("green_power_trade", 0.30), ("ppa", 0.05), ("mixed", 0.10))
OFFSET_STANDARDS = (("CCER", 0.5), ("VCS", 0.25), ("GS", 0.1), ("other", 0.15))
OFFSET_REMOVAL_SHARE = 0.15
TARGET_SCOPES = (("1,2", 0.7), ("1,2,3", 0.2), ("1", 0.05), ("2", 0.05))
TARGET_HORIZONS = (3, 5, 7, 10)
LOAN_SHARE = 0.35
GREEN_USES: dict[str, tuple[tuple[str, float], ...]] = {
    "premises": (("energy_efficiency", 0.5), ("green_buildings", 0.3), ("renewable_energy", 0.2)),
    "logistics": (("clean_transportation", 0.6), ("energy_efficiency", 0.2), ("renewable_energy", 0.2)),
    "industry": (("energy_efficiency", 0.35), ("pollution_prevention", 0.25), ("renewable_energy", 0.2),
                 ("circular_economy", 0.15), ("sustainable_water", 0.05)),
    "buildings": (("green_buildings", 0.6), ("energy_efficiency", 0.2), ("pollution_prevention", 0.2)),
    "land": (("living_natural_resources", 0.35), ("sustainable_water", 0.25), ("climate_adaptation", 0.2),
             ("biodiversity", 0.1), ("renewable_energy", 0.1)),
}
NON_GREEN_USE = "general_working_capital"

# Physical constants and factors with sources (domain.md §6), used for fuel-energy equivalence and to size
# retired offsets; the rating engine uses its own factor set, never these.
GAS_KWH_PER_M3 = 38_931 / 3600  # NCV 38,931 kJ/m3
LPG_KG_PER_GAS_M3 = 38_931 / 50_179  # LPG NCV 50,179 kJ/kg: kg of LPG with the energy of 1 m3 of gas
KG_CO2 = {"electricity": 0.5306, "gas_m3": 2.162, "diesel_l": 2.62, "gasoline_l": 2.15, "lpg_kg": 3.101,
          "coal_kg": 1.900}
TARIFF_CNY_PER_KWH = (0.55, 0.85)  # assumption, around the standard's own assumed 0.65 CNY/kWh

# Label: auditor evidence index A = sum(w * x) (see docs), S = (A - centre) / scale,
# P(green) = sigmoid(a + b S + sd * N(0, 1)). Centre and scale were measured on 1,000,000 rows (seed 0).
LABEL_WEIGHTS: dict[str, float] = {
    "practice_share": 1.5,
    "recycling_rate": 1.0,
    "green_electricity_share": 1.0,
    "onsite_solar": 0.5,
    "energy_performance": 0.4,
    "ev_share": 0.5,
    "penalties": -0.8,
    "has_target": 0.5,
    "reduction_trend": 2.0,
}
LABEL_CENTRE, LABEL_SCALE = 1.0139, 1.1125
LABEL_A, LABEL_B, LABEL_NOISE_SD = -0.9, 1.8, 0.5


def sector_table() -> str:
    """The per-sector parameters as a Markdown table (printed into ``docs/synthetic-population.md``)."""
    head = ("| division | group | weight | employees (median) | CNY revenue / employee | m2 / employee "
            "| kWh / m2 | gas m3 / m2 | gas share | hours / week | water m3 / employee | waste t / employee "
            "| hazardous share max | vehicle | fleet share | vehicles / employee | km / vehicle "
            "| travel share | pkm / employee | stationary diesel L / employee (share) |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for s in SECTORS:
        cells = (s.division, s.group, f"{s.weight:g}", f"{s.employees_median:g}",
                 f"{s.revenue_per_employee:,.0f}", f"{s.m2_per_employee:g}", f"{s.electricity_kwh_per_m2:g}",
                 f"{s.gas_m3_per_m2:g}", f"{s.gas_share:g}", f"{s.hours_per_week:g}",
                 f"{s.water_m3_per_employee:g}", f"{s.waste_t_per_employee:g}", f"{s.hazardous_share_max:g}",
                 s.vehicle_class, f"{s.fleet_share:g}", f"{s.vehicles_per_employee:g}",
                 f"{s.km_per_vehicle:,.0f}", f"{s.travel_share:g}", f"{s.travel_pkm_per_employee:,.0f}",
                 f"{s.stationary_diesel_l_per_employee:g} ({s.stationary_diesel_share:g})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
