"""Fleet vehicle classes (schema 1.12, factor set cn-2024.5): vans and heavy goods vehicles priced at their
own per-km factors, never a car's; refused where DESNZ 2025 gives no factor (a GHG auditor's review: 80,000
km of diesel lorries had been priced as diesel cars at 0.17304 kgCO2e/km). The hand-computed case is in
tests/data/golden_inventories.json (logistics_lorry_and_vans_zhejiang_2022)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rating_model.actions import apply_change
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.factors import load_factor_set
from rating_model.inventory import compute_inventory
from rating_model.operating_data_reader import parse_operating_data
from schemas.operating_data import FleetItemSchema

ENGINE = Engine.load()
SEED_KM = 12_000.0
EAST_2022 = 0.5617


def _payload(*fleet: dict[str, Any]) -> dict[str, Any]:
    return {
        "company": {"name": "Trucks", "country": "CN", "region": "CN-ZJ", "industry_code": "4923",
                    "employees": 12, "annual_revenue": 8_000_000, "currency": "CNY", "reporting_year": 2022},
        "energy": {"electricity_kwh": 20_000, "fuels": []},
        "transport": {"fleet": list(fleet)},
    }


def _scope1(*fleet: dict[str, Any], factor_set: str | None = None) -> float:
    data = parse_operating_data(_payload(*fleet))
    return compute_inventory(data, factor_set_version=factor_set).scope1_tco2e


def _refusal(*fleet: dict[str, Any], factor_set: str | None = None) -> dict[str, list[str]]:
    with pytest.raises((InvalidInputError, InvalidInputErrors)) as err:
        compute_inventory(parse_operating_data(_payload(*fleet)), factor_set_version=factor_set)
    return err.value.errors


def test_the_new_records_are_the_cited_desnz_2025_values() -> None:
    """Each value as read from category_managed_assets_vehicles.csv, by its row ID (the record's source)."""
    singles = load_factor_set("cn-2024.5").singles
    rows = {
        "road.van.gasoline": (0.21335, "31_310_3103_4_1"),
        "road.van.diesel": (0.25561, "31_310_3102_4_1"),
        "road.van.lpg": (0.2761, "31_310_3105_4_1"),
        "road.van.natural_gas": (0.25113, "31_310_3104_4_1"),
        "road.van.unknown": (0.2543, "31_310_3106_4_1"),
        "road.hgv.diesel": (0.89121, "31_311_3140_4_1"),
        "road.van.electric_kwh_per_km": (0.39412, "31_310_3108_4_1"),
    }
    for activity, (value, row) in rows.items():
        record = singles[activity]
        assert record.value == value and row in record.source and "category_managed_assets_vehicles" in (
            record.source
        ), activity
        assert record.region == "GB" and "proxy" in record.notes, activity
    # derived as the car's: the BEV van per km over the UK generation factor
    assert round(0.06976 / 0.17700, 5) == singles["road.van.electric_kwh_per_km"].value
    hgv = [activity for activity in singles if activity.startswith("road.hgv.")]
    assert "road.van.hybrid" not in singles and hgv == ["road.hgv.diesel"]


def test_a_lorry_is_priced_as_a_lorry_not_a_car() -> None:
    lorry = {"fuel": "diesel", "km": 80_000}
    assert _scope1(lorry) == pytest.approx(80_000 * 0.17304 / 1000)  # left out: a car, as before
    assert _scope1({**lorry, "vehicle_type": "car"}) == pytest.approx(80_000 * 0.17304 / 1000)
    assert _scope1({**lorry, "vehicle_type": "hgv"}) == pytest.approx(80_000 * 0.89121 / 1000)
    assert _scope1({**lorry, "vehicle_type": "van"}) == pytest.approx(80_000 * 0.25561 / 1000)


def test_a_fuel_quantity_is_priced_by_the_fuel_whatever_the_vehicle() -> None:
    diesel = {"fuel": "diesel", "fuel_quantity": 20_000, "unit": "L"}
    assert _scope1({**diesel, "vehicle_type": "hgv"}) == _scope1(diesel)
    assert _scope1({**diesel, "vehicle_type": "van"}) == _scope1(diesel)
    # a gas lorry by the m3: DESNZ has no gas lorry per km, but the gas burned has its own factor
    gas = {"fuel": "natural_gas", "fuel_quantity": 1000, "unit": "m3", "vehicle_type": "hgv"}
    assert _scope1(gas) == pytest.approx(1000 * 2.162 / 1000)
    hybrid = {"fuel": "hybrid", "fuel_quantity": 1000, "unit": "L", "vehicle_type": "van"}
    assert _scope1(hybrid) == _scope1({**hybrid, "vehicle_type": "car"})


def test_an_electric_van_uses_its_own_kwh_per_km_at_the_company_grid() -> None:
    inventory = compute_inventory(parse_operating_data(_payload(
        {"fuel": "electric", "km": 10_000, "vehicle_type": "van"})))
    assert inventory.scope2_location_tco2e == pytest.approx((20_000 + 10_000 * 0.39412) * EAST_2022 / 1000)
    assert "defra2025.ev.van.kwh_per_km" in {ref.id for ref in inventory.factors}
    assert "defra2025.ev.car.kwh_per_km" not in {ref.id for ref in inventory.factors}


def test_vans_counted_alone_take_the_seed_distance_flagged_as_a_cars() -> None:
    inventory = compute_inventory(parse_operating_data(_payload({"fuel": "diesel", "vehicles": 2,
                                                                 "vehicle_type": "van"})))
    assert inventory.scope1_tco2e == pytest.approx(2 * SEED_KM * 0.25561 / 1000)
    assert list(inventory.estimated) == ["transport.fleet.0.km"]
    assert any("a car's yearly distance" in text for text in inventory.assumptions)
    # in the form's words and naming the source (engine 2.11): "种子假设" was jargon to an owner
    (said,) = [text for text in inventory.assumptions_zh if "12,000 公里" in text]
    assert said.startswith("仅填报车辆数的面包车、轻型厢式货车，按蚂蚁集团 2022 年公布的每辆车每年"
                           " 12,000 公里")
    assert "种子" not in said and "厢式货车按" not in said
    line = next(line for line in inventory.line_items if line.path == "transport.fleet.0")
    assert line.quality == "estimated" and "distance assumed, as for a car" in line.activity
    unknown = _scope1({"fuel": "unknown", "vehicles": 1, "vehicle_type": "van"})
    assert unknown == pytest.approx(SEED_KM * 0.2543 / 1000)  # the van's unknown-fuel factor, not 0.203


@pytest.mark.parametrize(
    ("item", "field", "words"),
    [
        # no factor: an electric lorry, a lorry of another or unknown fuel, a (non-plug-in) hybrid van
        ({"fuel": "electric", "km": 50_000, "vehicle_type": "hgv"}, "fuel", "electric heavy goods vehicle"),
        ({"fuel": "natural_gas", "km": 50_000, "vehicle_type": "hgv"}, "fuel", "diesel heavy goods vehicles"),
        ({"fuel": "unknown", "km": 50_000, "vehicle_type": "hgv"}, "fuel", "diesel heavy goods vehicles"),
        ({"fuel": "hybrid", "km": 5_000, "vehicle_type": "van"}, "fuel", "hybrid van"),
        ({"fuel": "hybrid", "vehicles": 2, "vehicle_type": "van"}, "fuel", "hybrid van"),
    ],
)
def test_no_factor_is_refused_by_its_field_never_priced_at_a_neighbours(
    item: dict[str, Any], field: str, words: str
) -> None:
    errors = _refusal(item)
    assert list(errors) == [f"transport.fleet.0.{field}"]
    assert words in errors[f"transport.fleet.0.{field}"][0] and "instead of km or vehicles" in (
        errors[f"transport.fleet.0.{field}"][0]
    )


def test_lorries_counted_alone_are_refused_for_want_of_a_lorrys_distance() -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_operating_data(_payload({"fuel": "diesel", "vehicles": 3, "vehicle_type": "hgv"}))
    assert list(err.value.errors) == ["transport.fleet.0.km"]
    assert "no typical yearly distance of a lorry" in err.value.errors["transport.fleet.0.km"][0]
    # with km, or the fuel burned, the count is fine
    assert _scope1({"fuel": "diesel", "vehicles": 3, "km": 90_000, "vehicle_type": "hgv"}) == pytest.approx(
        90_000 * 0.89121 / 1000)
    parse_operating_data(_payload({"fuel": "diesel", "vehicles": 3, "fuel_quantity": 9, "unit": "t",
                                   "vehicle_type": "hgv"}))


@pytest.mark.parametrize(
    ("fuel", "words"),
    [
        ("electric", "give the electricity charged"),
        ("natural_gas", "diesel heavy goods vehicles only: give the fuel burned"),
        ("unknown", "a lorry of unknown fuel is not assumed to be one"),
    ],
)
def test_lorries_counted_alone_of_a_fuel_without_a_lorry_factor_are_refused_on_the_fuel(
    fuel: str, words: str
) -> None:
    """Told to give their km, they would be refused again on the fuel (an electric lorry's km are never
    priced): the refusal names what can be given instead."""
    item = {"fuel": fuel, "vehicles": 3, "vehicle_type": "hgv"}
    data = ENGINE.parse(_payload(item))
    with pytest.raises((InvalidInputError, InvalidInputErrors)) as err:
        ENGINE.rate(data)
    assert list(err.value.errors) == ["transport.fleet.0.fuel"]
    (message,) = err.value.errors["transport.fleet.0.fuel"]
    assert words in message and "instead of km or vehicles" in message
    # the km it would have been asked for are refused on the same field, in the same words
    assert _refusal({**item, "km": 50_000}) == err.value.errors


def test_lorries_counted_alone_built_in_code_are_refused_as_the_reader_refuses_them() -> None:
    """The engine holds a value built in Python (no reader) to the same rules: a diesel lorry's km are asked
    for, another fuel is refused on the fuel first."""
    from dataclasses import replace

    from rating_model.operating_data import FleetItem, Transport

    data = parse_operating_data(_payload({"fuel": "diesel", "km": 1_000}))
    for fuel, field in (("diesel", "km"), ("electric", "fuel"), ("lpg", "fuel")):
        lorries = replace(data, transport=Transport(fleet=(FleetItem(fuel, vehicles=2, vehicle_type="hgv"),)))
        with pytest.raises(InvalidInputError) as err:
            compute_inventory(lorries)
        assert list(err.value.errors) == [f"transport.fleet.0.{field}"], fuel


def test_an_older_factor_set_refuses_the_classes_it_has_no_factor_for() -> None:
    """A rating that names cn-2024.4 re-derives under it: its cars as before, a van refused (not a car)."""
    assert _scope1({"fuel": "diesel", "km": 1000}, factor_set="cn-2024.4") == pytest.approx(0.17304)
    errors = _refusal({"fuel": "diesel", "km": 1000, "vehicle_type": "van"}, factor_set="cn-2024.4")
    assert list(errors) == ["transport.fleet.0.vehicle_type"]
    (message,) = errors["transport.fleet.0.vehicle_type"]
    assert "factor set cn-2024.4 has no per-km factors for vans" in message


def test_an_unknown_class_is_refused_by_the_reader_and_the_schema() -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_operating_data(_payload({"fuel": "diesel", "km": 1000, "vehicle_type": "bus"}))
    assert list(err.value.errors) == ["transport.fleet.0.vehicle_type"]
    schema = FleetItemSchema()
    assert list(schema.validate({"fuel": "diesel", "km": 1, "vehicle_type": "bus"})) == ["vehicle_type"]
    assert schema.validate({"fuel": "diesel", "km": 1, "vehicle_type": "hgv"}) == {}


def test_electrifying_keeps_lorries_and_replaces_vans_by_electric_vans() -> None:
    """A diesel lorry had become an electric car: its km priced at a car's electricity, a saving of most of
    the lorry's diesel. Lorries are kept (no electric lorry has a factor); vans become electric vans."""
    change = ENGINE.standard.actions["electrify_fleet"].change
    lorries = ENGINE.parse(_payload({"fuel": "diesel", "km": 80_000, "vehicles": 2, "vehicle_type": "hgv"}))
    assert apply_change(lorries, change) is None
    saved = {i.action: i for i in ENGINE.rate(lorries).improvements}
    assert "electrify_fleet" not in saved or saved["electrify_fleet"].tco2e_saved in (None, 0)
    mixed = ENGINE.parse(_payload(
        {"fuel": "diesel", "km": 80_000, "vehicles": 2, "vehicle_type": "hgv"},
        {"fuel": "diesel", "km": 40_000, "vehicles": 2, "vehicle_type": "van"},
    ))
    changed = apply_change(mixed, change)
    assert changed is not None
    assert [(i.fuel, i.vehicle_type, i.vehicles, i.km) for i in changed.transport.fleet] == [
        ("diesel", "hgv", 2, 80_000), ("diesel", "van", 1, 20_000), ("electric", "van", 1, 20_000)
    ]
    before = compute_inventory(mixed)
    after = compute_inventory(changed)
    assert before.scope1_tco2e - after.scope1_tco2e == pytest.approx(20_000 * 0.25561 / 1000)
    assert after.scope2_location_tco2e - before.scope2_location_tco2e == pytest.approx(
        20_000 * 0.39412 * EAST_2022 / 1000)
    cars = copy.deepcopy(_payload({"fuel": "diesel", "km": 40_000, "vehicles": 2}))
    changed = apply_change(ENGINE.parse(cars), change)
    assert changed is not None and [i.vehicle_type for i in changed.transport.fleet] == [None, None]


def test_a_van_given_by_its_fuel_is_electrified_over_the_distance_a_van_drives_on_it() -> None:
    """The EV drives the distance the fuel implies for the item's class: a van's diesel per km, not a
    car's."""
    change = ENGINE.standard.actions["electrify_fleet"].change
    van = {"fuel": "diesel", "fuel_quantity": 2_000, "unit": "L", "vehicle_type": "van"}
    data = ENGINE.parse(_payload(van))
    changed = apply_change(data, change)
    assert changed is not None
    ev = changed.transport.fleet[-1]
    assert ev.vehicle_type == "van"
    assert ev.km == pytest.approx(2_000 * 0.845 * 3.096 / 0.25561 / 2)


def test_a_car_said_and_a_class_left_out_are_one_input() -> None:
    """Engine 2.10: ``vehicle_type: "car"`` is what leaving it out means, so both parse to one canonical
    input (they had hashed apart: the same fleet rated and cached twice)."""
    from rating_model.operating_data_reader import parse_operating_data

    base = {"company": {"country": "CN", "industry_code": "4923", "employees": 5, "annual_revenue": 2e6,
                        "currency": "CNY", "reporting_year": 2024}}
    said = parse_operating_data({**base, "transport": {"fleet": [
        {"fuel": "diesel", "km": 1000, "vehicle_type": "car"}]}})
    left_out = parse_operating_data({**base, "transport": {"fleet": [{"fuel": "diesel", "km": 1000}]}})
    assert said.canonical_json() == left_out.canonical_json()
    assert "vehicle_type" not in said.canonical_json()


def test_the_lines_name_the_class_and_count_in_the_singular() -> None:
    """Engine 2.10 (a logistics owner's review): a lorry's litres name the lorries; one van is "1 van",
    one car "1 ... vehicle"; a van of unknown fuel is said so, not "unknown vans"."""
    from rating_model.inventory import compute_inventory
    from rating_model.operating_data_reader import parse_operating_data

    base = {"company": {"country": "CN", "region": "CN-ZJ", "industry_code": "4923", "employees": 5,
                        "annual_revenue": 2e6, "currency": "CNY", "reporting_year": 2023}}
    fleet = [{"fuel": "diesel", "fuel_quantity": 45_000, "unit": "L", "vehicle_type": "hgv"},
             {"fuel": "diesel", "vehicles": 1, "vehicle_type": "van"},
             {"fuel": "unknown", "vehicles": 2, "vehicle_type": "van"},
             {"fuel": "gasoline", "vehicles": 1}]
    lines = [line.activity for line in compute_inventory(parse_operating_data(
        {**base, "transport": {"fleet": fleet}})).line_items]
    assert any(text.startswith("diesel fleet fuel of heavy goods vehicles (45000 L") for text in lines)
    assert any(text.startswith("1 diesel van x ") for text in lines)
    assert any(text.startswith("2 vans of unknown fuel x ") and "(van factor, fuel unknown;" in text
               for text in lines)
    assert any(text.startswith("1 petrol vehicle x ") for text in lines)
