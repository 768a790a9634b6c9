"""Sector benchmarks: ISIC mapping, ENERGY STAR-style ratio and percentile, and sourced sector defaults."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from rating_model.exceptions import InvalidInputError
from rating_model.inventory import compute_inventory
from rating_model.operating_data_reader import parse_operating_data
from rating_model.sector_benchmarks import DATA_FILE, benchmark, sector_defaults, sector_of, sectors

GOLDEN = json.loads(
    (Path(__file__).parents[1] / "data" / "golden_inventories.json").read_text(encoding="utf-8")
)
TABLE = json.loads(DATA_FILE.read_text(encoding="utf-8"))
DERIVED = "derived assumption (greenrate synthetic population v1), not a published benchmark"
#: the 88 divisions of ISIC Rev.4
ISIC_DIVISIONS = (
    [f"{d:02d}" for d in (1, 2, 3, 5, 6, 7, 8, 9)]
    + [str(d) for d in range(10, 34)]
    + "35 36 37 38 39 41 42 43 45 46 47 49 50 51 52 53 55 56 58 59 60 61 62 63 64 65 66 68".split()
    + "69 70 71 72 73 74 75 77 78 79 80 81 82 84 85 86 87 88 90 91 92 93 94 95 96 97 98 99".split()
)


def _rate(payload: dict[str, Any], estimated: frozenset[str] = frozenset()) -> Any:
    data = parse_operating_data(payload)
    return benchmark(data, compute_inventory(data, estimated))


def _payload(industry: str = "5610", **company: Any) -> dict[str, Any]:
    base = {
        "name": "B",
        "country": "CN",
        "industry_code": industry,
        "employees": 10,
        "annual_revenue": 3_000_000,
        "currency": "CNY",
        "reporting_year": 2022,
    }
    base.update(company)
    return {"company": base, "energy": {"electricity_kwh": 60_000}}


@pytest.mark.parametrize(
    ("division", "sector"),
    [
        ("56", "food_service"),
        ("5610", "food_service"),
        ("55", "accommodation"),
        ("47", "retail"),
        ("45", "wholesale"),
        ("46", "wholesale"),
        ("62", "office"),
        ("69", "office"),
        ("10", "manufacturing"),
        ("33", "manufacturing"),
        ("49", "transport_logistics"),
        ("53", "transport_logistics"),
        ("41", "construction"),
        ("01", "agriculture"),
        ("85", "education"),
        ("86", "health"),
        ("96", "personal_services"),
    ],
)
def test_sector_of(division: str, sector: str) -> None:
    assert sector_of(division) == sector


def test_every_isic_division_is_mapped_and_nothing_else() -> None:
    assert len(ISIC_DIVISIONS) == 88
    assert sorted(TABLE["divisions"]) == sorted(ISIC_DIVISIONS)
    assert set(TABLE["divisions"].values()) == set(sectors())


@pytest.mark.parametrize("division", ["00", "04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"])
def test_unknown_division_is_an_input_error(division: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        sector_of(division)
    assert err.value.field == "company.industry_code"


def test_restaurants_are_not_offices() -> None:
    assert sector_defaults("food_service").energy_kwh_per_m2 == 830.0
    assert sector_defaults("food_service").energy_kwh_per_m2 > 4 * sector_defaults("office").energy_kwh_per_m2
    assert sector_defaults("food_service").gas_m3_per_employee > sector_defaults("office").gas_m3_per_employee


@pytest.mark.parametrize("case", GOLDEN["benchmarks"], ids=[c["name"] for c in GOLDEN["benchmarks"]])
def test_golden_benchmarks(case: dict[str, Any]) -> None:
    result = _rate(case["payload"])
    assert result.basis == case["basis"]
    for name, expected in case["expected"].items():
        assert getattr(result, name) == pytest.approx(expected["value"], rel=1e-6), expected["arithmetic"]
    if case["percentile"] is not None:
        assert result.percentile == case["percentile"]["value"]


def test_percentile_model() -> None:
    result = _rate(_payload(floor_area_m2=100))
    sigma = result.sigma
    phi = 0.5 * (1 + math.erf(math.log(result.efficiency_ratio) / (sigma * math.sqrt(2))))
    assert result.percentile == round(100 * (1 - phi))
    # a ratio of exactly 1 is the median; lower energy is a higher percentile; bounds are 1..100
    area = 60_000 / 830  # m2 at which 60,000 kWh is exactly the expected intensity
    assert _rate(_payload(floor_area_m2=area)).percentile == 50
    assert (
        _rate(_payload(floor_area_m2=area * 2)).percentile
        > 50
        > _rate(_payload(floor_area_m2=area / 2)).percentile
    )
    assert _rate(_payload(floor_area_m2=1e6)).percentile == 100
    assert _rate(_payload(floor_area_m2=1.0)).percentile == 1


def test_hours_normalise_but_never_technology() -> None:
    base = _rate(_payload(floor_area_m2=100))
    longer = _rate(_payload(floor_area_m2=100, operating_hours_per_week=168))
    assert longer.hours_factor == pytest.approx(math.sqrt(168 / 84))
    assert longer.efficiency_ratio < base.efficiency_ratio
    assert DERIVED in longer.source and "operating-hours" in longer.source
    efficient = _payload(floor_area_m2=100)
    efficient["practices"] = {"led_lighting": True, "energy_efficient_equipment": True}
    assert _rate(efficient).efficiency_ratio == base.efficiency_ratio


def test_sources_are_cited_or_labelled() -> None:
    restaurant = _rate(_payload(floor_area_m2=100))
    assert "CBECS 2018" in restaurant.source and DERIVED in restaurant.source  # the sigma is derived
    wholesale = _rate(_payload("4630", floor_area_m2=100))
    assert DERIVED in wholesale.source
    for name, row in TABLE["sectors"].items():
        assert row["eui_source_url"] or row["eui_source"] == DERIVED, name
    assert TABLE["percentile_model"]["source"] == DERIVED


def test_employee_basis_without_floor_area() -> None:
    result = _rate(_payload())
    assert result.basis == "employees" and result.intensity_unit == "kWh/employee"
    assert result.expected_intensity == pytest.approx(830 * 15)
    assert "per-employee conversion" in result.source


def test_no_electricity_data_is_not_rated() -> None:
    payload = _payload(floor_area_m2=100)
    payload["energy"] = {"fuels": [{"fuel": "natural_gas", "quantity": 100, "unit": "m3"}]}
    result = _rate(payload)
    assert result.efficiency_ratio is None and result.percentile is None and result.actual_intensity is None


def test_estimated_energy_is_flagged() -> None:
    result = _rate(_payload(floor_area_m2=100), frozenset({"energy.electricity_kwh"}))
    assert result.estimated
    assert not _rate(_payload(floor_area_m2=100)).estimated


@pytest.mark.parametrize("sector", sectors())
def test_sector_defaults_are_consistent_and_sourced(sector: str) -> None:
    d = sector_defaults(sector)
    row = TABLE["sectors"][sector]
    assert d.electricity_kwh_per_m2 == pytest.approx(row["eui_kwh_per_m2"] * row["electricity_share"])
    assert d.electricity_kwh_per_employee == pytest.approx(d.electricity_kwh_per_m2 * row["m2_per_employee"])
    gas_kwh = d.gas_m3_per_employee * TABLE["gas_kwh_per_m3"]
    assert gas_kwh == pytest.approx(row["eui_kwh_per_m2"] * row["gas_share"] * row["m2_per_employee"])
    for value in (d.water_m3_per_employee, d.waste_t_per_employee, d.gas_m3_per_employee):
        assert value > 0
    assert set(d.sources) >= {
        "electricity_kwh_per_employee",
        "electricity_kwh_per_m2",
        "water_m3_per_employee",
        "waste_t_per_employee",
        "gas_m3_per_employee",
    }
    assert DERIVED in d.sources["water_m3_per_employee"]


def test_to_dict_is_json_serialisable() -> None:
    result = _rate(_payload(floor_area_m2=100))
    assert json.loads(json.dumps(result.to_dict()))["percentile"] == result.percentile
    assert json.loads(json.dumps(sector_defaults("retail").to_dict()))["sector"] == "retail"


def test_unknown_sector_defaults() -> None:
    with pytest.raises(InvalidInputError):
        sector_defaults("spaceport")
