"""The flat training-file format: column table, round trips, cell conversion (files: tests/service)."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rating_model.exceptions import InvalidInputError, InvalidInputErrors, UnknownUnitError
from rating_model.factors import DEFAULT_FACTOR_SET, load_factor_set
from rating_model.flat import (
    FLAT_COLUMNS,
    FLAT_DTYPES,
    flatten,
    payload_from_row,
    payloads_from_frame,
    with_flat_dtypes,
)
from rating_model.flat_columns import FLEET_UNITS, FUEL_UNITS, REFRIGERANT_PRICING, column_reference
from rating_model.inventory import compute_inventory
from rating_model.operating_data import (
    FLEET_FUELS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    REFRIGERANT_GASES,
    STATIONARY_FUELS,
    TRAVEL_MODES,
)
from rating_model.operating_data_reader import parse_operating_data
from rating_model.refrigerants import OUTSIDE_SCOPES
from rating_model.synthetic import generate_frame
from rating_model.units import fuel_quantity

DOC = Path(__file__).resolve().parents[2] / "docs" / "synthetic-population.md"

FULL: dict[str, Any] = {
    "company": {"name": "Noodle House", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                "employees": 12, "annual_revenue": 3_000_000, "currency": "CNY", "reporting_year": 2023,
                "floor_area_m2": 176.5, "external_id": "NH-1", "operating_hours_per_week": 72},
    "energy": {"electricity_kwh": 60_000, "green_electricity_kwh": 6_000,
               "green_electricity_instrument": "green_certificate", "onsite_renewable_kwh": 1_200,
               "fuels": [{"fuel": "natural_gas", "quantity": 8_000, "unit": "m3"},
                         {"fuel": "lpg", "quantity": 120.5, "unit": "kg"}],
               "purchased_heat_gj": 40.0, "electricity_spend": 39_000,
               "grid_factor": {"kgco2e_per_kwh": 0.5306, "source": "MEE/NBS 2023", "year": 2023}},
    "transport": {"fleet": [{"fuel": "gasoline", "vehicles": 2, "km": 24_000},
                            {"fuel": "electric", "vehicles": 1, "fuel_quantity": 2_000, "unit": "kWh"},
                            {"fuel": "unknown", "vehicles": 1}],
                  "business_travel": [{"mode": "rail", "passenger_km": 5_000},
                                      {"mode": "flight_domestic", "passenger_km": 3_000}]},
    "resources": {"water_m3": 600, "waste_t": 10, "waste_recycled_t": 3, "hazardous_waste_t": 0.2},
    "practices": {"led_lighting": True, "iso14001": False, "digital_ordering": True,
                  "green_products_share": 0.2},
    "compliance": {"environmental_penalties_3y": 0},
    "offsets": [{"standard": "CCER", "tco2e": 5, "type": "avoidance"},
                {"standard": "VCS", "tco2e": 2.5, "type": "removal"}],
    "targets": [{"scopes": [2, 1], "base_year": 2022, "target_year": 2030, "reduction_pct": 30}],
    "previous_year": {"energy": {"electricity_kwh": 65_000, "green_electricity_kwh": 0,
                                 "fuels": [{"fuel": "natural_gas", "quantity": 8_500, "unit": "m3"}]},
                      "transport": {"fleet": [{"fuel": "gasoline", "vehicles": 2, "km": 25_000}],
                                    "business_travel": [{"mode": "car", "passenger_km": 900}]}},
    "data_source": "energy_bills",
    "loan": {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
             "outstanding": 400_000, "borrower_equity_plus_debt": 2_000_000,
             "borrower_total_assets": 2_400_000},
}
MINIMAL: dict[str, Any] = {
    "company": {"name": "Corner shop", "country": "CN", "industry_code": "47", "employees": 2,
                "annual_revenue": 800_000, "currency": "CNY", "reporting_year": 2022},
    "energy": {"electricity_kwh": 9_000},
}


def _round_trip(payload: dict[str, Any]) -> dict[str, Any]:
    return payload_from_row(flatten(payload))


@pytest.mark.parametrize("payload", [FULL, MINIMAL], ids=["full", "minimal"])
def test_hand_written_payloads_round_trip(payload: dict[str, Any]) -> None:
    assert parse_operating_data(_round_trip(payload)) == parse_operating_data(payload)


def test_the_full_payload_uses_the_documented_column_names() -> None:
    row = flatten(FULL)
    assert row["company__industry_code"] == "5610"
    assert row["energy__fuel__natural_gas__quantity"] == 8_000 and row["energy__fuel__lpg__unit"] == "kg"
    assert row["transport__fleet__electric__fuel_quantity"] == 2_000
    assert row["transport__travel__rail__passenger_km"] == 5_000
    assert row["offsets__VCS__removal__tco2e"] == 2.5
    assert row["targets__0__scopes"] == "2,1"
    assert row["previous_year__energy__electricity_kwh"] == 65_000
    assert row["loan__amount"] == 500_000 and row["practices__led_lighting"] is True
    assert set(row) <= set(FLAT_DTYPES)


def test_generated_rows_round_trip_both_ways() -> None:
    frame = generate_frame(600, 11)
    rows = frame.drop(columns=["label", "latent_greenness"]).to_dict("records")
    for row, payload in zip(rows, payloads_from_frame(frame), strict=True):
        assert payload_from_row(row) == payload
        parsed = parse_operating_data(payload)
        assert parse_operating_data(_round_trip(payload)) == parsed
        cells = {k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and math.isnan(v)))}
        assert flatten(payload) == cells


def test_every_column_maps_to_one_payload_field_and_back() -> None:
    samples = {"string": "CN-ZJ", "Int64": 3, "float64": 2.5, "boolean": True}
    # every column but the "no fuel burned" and "no vehicles" flags, which never come with the fuel or
    # fleet columns (tested below)
    flags = ("__fuels_none", "__fleet_none", "__travel_none", "refrigerants_none")
    row = {c.name: samples[c.dtype] for c in FLAT_COLUMNS if not c.name.endswith(flags)}
    row["targets__0__scopes"] = "1,2"
    assert flatten(payload_from_row(row)) == row
    assert len({c.name for c in FLAT_COLUMNS}) == len(FLAT_COLUMNS)
    for fuel in STATIONARY_FUELS:
        assert f"previous_year__energy__fuel__{fuel}__quantity" in row
    for fuel in FLEET_FUELS:
        fields = ("vehicles", "km", "fuel_quantity", "unit")
        assert {f"transport__fleet__{fuel}__{k}" for k in fields} <= set(row)
    assert {f"transport__travel__{m}__passenger_km" for m in TRAVEL_MODES} <= set(row)
    assert {f"offsets__{s}__{t}__tco2e" for s in OFFSET_STANDARDS for t in OFFSET_TYPES} <= set(row)


def test_list_items_come_back_in_canonical_order() -> None:
    shuffled = copy.deepcopy(FULL)
    shuffled["energy"]["fuels"].reverse()
    shuffled["transport"]["business_travel"].reverse()
    back = parse_operating_data(_round_trip(shuffled))
    assert [f.fuel for f in back.energy.fuels] == ["natural_gas", "lpg"]
    assert back.transport.business_travel == parse_operating_data(FULL).transport.business_travel


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["company"].update(tax_id="x"), "company.tax_id"),
        (lambda p: p["targets"].append(dict(p["targets"][0])), "targets.1"),
        (lambda p: p["offsets"][0].update(vintage=2022), "offsets.0.vintage"),
        (lambda p: p["energy"]["fuels"].append({"fuel": "lpg", "quantity": 1, "unit": "kg"}),
         "energy.fuels.2"),
        (lambda p: p["transport"]["fleet"].append({"fuel": "gasoline", "vehicles": 1}), "transport.fleet.3"),
        (lambda p: p["energy"]["fuels"].append({"fuel": "wood", "quantity": 1, "unit": "kg"}),
         "energy.fuels.2.fuel"),
        (lambda p: p.update(energy=[1]), "energy"),
    ],
)
def test_flatten_refuses_what_the_format_cannot_hold(change: Any, field: str) -> None:
    payload = copy.deepcopy(FULL)
    change(payload)
    with pytest.raises(InvalidInputError) as caught:
        flatten(payload)
    assert caught.value.field == field


def test_aggregate_sums_duplicates_and_drops_vintages() -> None:
    payload = copy.deepcopy(FULL)
    payload["offsets"] = [{"standard": "CCER", "tco2e": 5, "type": "avoidance", "vintage": 2021},
                          {"standard": "CCER", "tco2e": 1.5, "type": "avoidance", "vintage": 2022}]
    payload["energy"]["fuels"].append({"fuel": "lpg", "quantity": 10, "unit": "kg"})
    payload["transport"]["business_travel"].append({"mode": "rail", "passenger_km": 500})
    row = flatten(payload, aggregate=True)
    assert row["offsets__CCER__avoidance__tco2e"] == 6.5
    assert row["energy__fuel__lpg__quantity"] == 130.5
    assert row["transport__travel__rail__passenger_km"] == 5_500
    payload["energy"]["fuels"].append({"fuel": "lpg", "quantity": 1, "unit": "t"})
    with pytest.raises(InvalidInputError, match="conflicts"):
        flatten(payload, aggregate=True)


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA, "", "  ", np.float64("nan")])
def test_empty_cells_are_dropped(empty: Any) -> None:
    row = flatten(MINIMAL) | {"company__region": empty, "resources__water_m3": empty,
                              "practices__iso14001": empty, "company__floor_area_m2": empty}
    assert payload_from_row(row) == payload_from_row(flatten(MINIMAL))


def test_cells_are_converted_to_their_json_types() -> None:
    row = flatten(MINIMAL) | {
        "company__employees": np.int64(4), "company__annual_revenue": np.float32(1.5e6),
        "practices__led_lighting": np.bool_(True), "practices__iso14001": "false",
        "targets__0__scopes": "1, 2", "targets__0__base_year": 2021.0, "targets__0__target_year": "2030",
        "targets__0__reduction_pct": "25.5", "label": 1, "latent_greenness": 0.3,
    }
    payload = payload_from_row(row)
    assert payload["company"]["employees"] == 4 and type(payload["company"]["employees"]) is int
    assert type(payload["company"]["annual_revenue"]) is float
    assert payload["practices"] == {"led_lighting": True, "iso14001": False}
    assert payload["targets"] == [{"scopes": [1, 2], "base_year": 2021, "target_year": 2030,
                                   "reduction_pct": 25.5}]
    assert parse_operating_data(payload).targets[0].scopes == (1, 2)


def test_unconvertible_cells_reach_the_parser_and_are_named() -> None:
    row = flatten(MINIMAL) | {"company__employees": "many", "targets__0__scopes": "1,x",
                              "targets__0__base_year": 2020, "targets__0__target_year": 2030,
                              "targets__0__reduction_pct": 10, "practices__led_lighting": "maybe"}
    with pytest.raises(InvalidInputErrors) as caught:
        parse_operating_data(payload_from_row(row))
    assert {"company.employees", "targets.0.scopes", "practices.led_lighting"} <= set(caught.value.errors)


def test_unknown_columns_are_refused_unless_asked() -> None:
    row = flatten(MINIMAL) | {"energy__electricty_kwh": 5}
    with pytest.raises(InvalidInputError) as caught:
        payload_from_row(row)
    assert caught.value.field == "energy__electricty_kwh"
    assert payload_from_row(row, ignore_unknown=True) == payload_from_row(flatten(MINIMAL))
    frame = pd.DataFrame([row])
    with pytest.raises(InvalidInputError):
        next(payloads_from_frame(frame))
    assert list(payloads_from_frame(frame, ignore_unknown=True)) == [payload_from_row(flatten(MINIMAL))]


def test_the_mapping_stays_off_pandas_for_the_serving_path() -> None:
    code = "import sys, rating_model.flat; print(sorted({'pandas', 'sklearn', 'pyarrow'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_documentation_lists_every_column() -> None:
    assert column_reference() in DOC.read_text(encoding="utf-8")


def test_the_documented_fuel_units_are_exactly_those_the_engine_converts() -> None:
    """FUEL_UNITS (the unit column's meaning) against the default factor set, unit by unit."""
    factor_set = load_factor_set(DEFAULT_FACTOR_SET)
    every = ("kWh", "MWh", "MJ", "GJ", "TJ", "L", "m3", "kg", "t", "km")
    for fuel, listed in FUEL_UNITS.items():
        record = factor_set.singles.get("fuel." + fuel)
        documented = {unit.split(" ")[0] for unit in listed.split(", ")} if record is not None else set()
        converts = set()
        for unit in every if record is not None else ():
            assert record is not None and record.activity_unit is not None
            try:
                fuel_quantity(
                    1.0,
                    unit,
                    record.activity_unit,
                    field="f",
                    fuel=fuel,
                    density_kg_per_l=record.density_kg_per_l,
                    ncv_mj_per_unit=record.ncv_mj_per_unit,
                    liquid_volume_units=record.liquid_volume_units,
                    gas_volume_units=record.gas_volume_units,
                )
            except UnknownUnitError:
                continue
            converts.add(unit)
        assert documented == converts, fuel


def test_the_documented_fleet_units_are_exactly_those_the_engine_takes() -> None:
    """FLEET_UNITS against the whole inventory, so the fleet's own rules (EVs' electricity) count too."""
    every = ("kWh", "MWh", "MJ", "GJ", "TJ", "L", "m3", "kg", "t", "km")
    company = {"name": "Fleet", "country": "CN", "region": "CN-BJ", "industry_code": "49", "employees": 5,
               "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2022}
    for fuel, listed in FLEET_UNITS.items():
        documented = set() if listed.startswith("none") else {u.split(" ")[0] for u in listed.split(", ")}
        taken = set()
        for unit in every:
            payload = {
                "company": company,
                "energy": {"electricity_kwh": 1000.0},
                "transport": {"fleet": [{"fuel": fuel, "fuel_quantity": 10.0, "unit": unit}]},
            }
            try:
                compute_inventory(parse_operating_data(payload))
            except (UnknownUnitError, InvalidInputError) as exc:
                assert "transport.fleet.0" in str(exc), exc
                continue
            taken.add(unit)
        assert documented == taken, fuel


def test_no_fuel_burned_has_its_own_column_and_never_comes_with_fuels() -> None:
    """The API's ``"fuels": []`` (an answer, never estimated) survives the flat format, both ways."""
    none_burned = {**MINIMAL, "energy": {"electricity_kwh": 9_000, "fuels": []},
                   "previous_year": {"energy": {"electricity_kwh": 9_500, "fuels": []}}}
    row = flatten(none_burned)
    assert row["energy__fuels_none"] is True and row["previous_year__energy__fuels_none"] is True
    assert parse_operating_data(_round_trip(none_burned)) == parse_operating_data(none_burned)
    frame_payload = next(payloads_from_frame(pd.DataFrame([row]).astype(
        {"energy__fuels_none": "boolean", "previous_year__energy__fuels_none": "boolean"})))
    assert frame_payload == payload_from_row(row) and frame_payload["energy"]["fuels"] == []
    assert "fuels" not in payload_from_row({**row, "energy__fuels_none": False})["energy"]  # no answer
    both = {**row, "energy__fuel__natural_gas__quantity": 5.0, "energy__fuel__natural_gas__unit": "m3"}
    with pytest.raises(InvalidInputError) as refused:
        payload_from_row(both)
    assert refused.value.field == "energy__fuels_none"
    # in a frame the refusal takes that row's place: the rows around it still convert
    around = list(payloads_from_frame(pd.DataFrame([row, both, row])))
    assert around[0] == around[2] == payload_from_row(row)
    assert isinstance(around[1], InvalidInputError) and around[1].field == "energy__fuels_none"
    assert "fuels" not in payload_from_row(flatten(MINIMAL))["energy"]  # left out stays not answered


def test_no_vehicles_has_its_own_column_and_never_comes_with_vehicles() -> None:
    """The API's ``"fleet": []`` (schema 1.7: the business runs no vehicles) survives the flat format both
    ways, as ``"fuels": []`` does; before, a batch file had no way to say it, and a fleet left out meant the
    same as none."""
    no_vehicles = {**MINIMAL, "transport": {"fleet": []}, "previous_year": {"transport": {"fleet": []}}}
    row = flatten(no_vehicles)
    assert row["transport__fleet_none"] is True and row["previous_year__transport__fleet_none"] is True
    parsed = parse_operating_data(_round_trip(no_vehicles))
    assert parsed == parse_operating_data(no_vehicles) and parsed.transport.fleet == ()
    assert parsed.previous_year is not None and parsed.previous_year.transport.fleet == ()
    frame_payload = next(payloads_from_frame(pd.DataFrame([row]).astype(
        {"transport__fleet_none": "boolean", "previous_year__transport__fleet_none": "boolean"})))
    assert frame_payload == payload_from_row(row) and frame_payload["transport"]["fleet"] == []
    assert "fleet" not in payload_from_row({**row, "transport__fleet_none": False})["transport"]  # no answer
    both = {**row, "transport__fleet__diesel__vehicles": 2}
    with pytest.raises(InvalidInputError) as refused:
        payload_from_row(both)
    assert refused.value.field == "transport__fleet_none"
    assert "vehicles" in refused.value.message
    around = list(payloads_from_frame(pd.DataFrame([row, both, row])))
    assert around[0] == around[2] == payload_from_row(row)
    assert isinstance(around[1], InvalidInputError) and around[1].field == "transport__fleet_none"
    assert parse_operating_data(payload_from_row(flatten(MINIMAL))).transport.fleet is None  # not answered


def test_refrigerants_have_a_column_per_gas_and_none_has_its_own() -> None:
    """Refrigerants recharged (schema 1.13) in a loan book: a group per gas, as the fuels and the fleet have
    one per fuel, keyed by the gas as the API spells it, and ``refrigerants_none`` for the API's
    ``"refrigerants": []``; the columns had not existed, so a book could not say a cold store's R-404A, and
    a JSON payload with refrigerants could not be flattened at all."""
    assert {f"refrigerants__{gas}__recharged_kg" for gas in REFRIGERANT_GASES} <= set(FLAT_DTYPES)
    assert FLAT_DTYPES["refrigerants__R-404A__recharged_kg"] == "float64"
    # in the columns' order (the API's list of gases), which is the order the items come back in
    leaks = {**MINIMAL, "refrigerants": [{"gas": "R-410A", "recharged_kg": 3},
                                         {"gas": "R-404A", "recharged_kg": 12.5}]}
    row = flatten(leaks)
    assert row["refrigerants__R-404A__recharged_kg"] == 12.5
    assert row["refrigerants__R-410A__recharged_kg"] == 3
    assert parse_operating_data(_round_trip(leaks)) == parse_operating_data(leaks)
    framed = next(payloads_from_frame(with_flat_dtypes(pd.DataFrame([row]))))
    assert framed == payload_from_row(row)
    assert compute_inventory(parse_operating_data(framed)).scope1_tco2e == pytest.approx(
        compute_inventory(parse_operating_data(leaks)).scope1_tco2e, rel=1e-12)
    # none recharged, and not answered, are two answers
    none = flatten({**MINIMAL, "refrigerants": []})
    assert none["refrigerants_none"] is True
    assert parse_operating_data(payload_from_row(none)).refrigerants == ()
    assert next(payloads_from_frame(with_flat_dtypes(pd.DataFrame([none]))))["refrigerants"] == []
    assert "refrigerants" not in payload_from_row({**none, "refrigerants_none": False})
    assert parse_operating_data(payload_from_row(flatten(MINIMAL))).refrigerants is None
    both = {**none, "refrigerants__R-32__recharged_kg": 2.0}
    with pytest.raises(InvalidInputError) as refused:
        payload_from_row(both)
    assert refused.value.field == "refrigerants_none" and "recharged" in refused.value.message
    around = list(payloads_from_frame(with_flat_dtypes(pd.DataFrame([none, both, none]))))
    assert isinstance(around[1], InvalidInputError) and around[1].field == "refrigerants_none"
    # a gas given twice is one column: refused, or summed with aggregate=True
    twice = {**MINIMAL, "refrigerants": [{"gas": "R-32", "recharged_kg": 1},
                                         {"gas": "R-32", "recharged_kg": 2}]}
    with pytest.raises(InvalidInputError):
        flatten(twice)
    assert flatten(twice, aggregate=True)["refrigerants__R-32__recharged_kg"] == 3


def test_each_refrigerant_columns_meaning_says_how_the_engine_prices_it() -> None:
    """Priced at its GWP100, reported beside the scopes (R-22), or refused above 0 (no value in the set)."""
    singles = load_factor_set(DEFAULT_FACTOR_SET).singles
    assert set(REFRIGERANT_PRICING) == set(REFRIGERANT_GASES)
    for gas, said in REFRIGERANT_PRICING.items():
        priced = "refrigerant." + gas in singles
        assert ("refused above 0" in said) == (not priced), gas
        assert ("not in Scope 1" in said) == (gas in OUTSIDE_SCOPES), gas


def test_no_business_travel_has_its_own_column_and_never_comes_with_travel() -> None:
    """The API's ``"business_travel": []`` (schema 1.14: no business travel, a reported zero for Scope 3
    category 6) survives the flat format both ways, as ``"fleet": []`` does; without it a batch file could
    only leave travel out, which the rating lists as not reported."""
    no_travel = {**MINIMAL, "transport": {"business_travel": []},
                 "previous_year": {"transport": {"business_travel": []}}}
    row = flatten(no_travel)
    assert row["transport__travel_none"] is True and row["previous_year__transport__travel_none"] is True
    parsed = parse_operating_data(_round_trip(no_travel))
    assert parsed == parse_operating_data(no_travel) and parsed.transport.business_travel == ()
    frame_payload = next(payloads_from_frame(pd.DataFrame([row]).astype(
        {"transport__travel_none": "boolean", "previous_year__transport__travel_none": "boolean"})))
    assert frame_payload == payload_from_row(row) and frame_payload["transport"]["business_travel"] == []
    assert "business_travel" not in payload_from_row({**row, "transport__travel_none": False})["transport"]
    both = {**row, "transport__travel__rail__passenger_km": 500.0}
    with pytest.raises(InvalidInputError) as refused:
        payload_from_row(both)
    assert refused.value.field == "transport__travel_none" and "passenger_km" in refused.value.message
    assert parse_operating_data(payload_from_row(flatten(MINIMAL))).transport.business_travel is None
