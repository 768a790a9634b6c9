"""Strict reading of operating data: every bad field is a typed error naming its path."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.operating_data_reader import parse_operating_data
from tests.rating_model.strategies import payloads

BASE: dict[str, Any] = {
    "company": {"name": "Cafe Verde", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                "employees": 8, "annual_revenue": 3_000_000, "currency": "CNY", "reporting_year": 2023},
    "energy": {"electricity_kwh": 60_000, "green_electricity_kwh": 10_000,
               "fuels": [{"fuel": "natural_gas", "quantity": 8000, "unit": "m3"}]},
    "resources": {"waste_t": 10, "waste_recycled_t": 4},
}


def errors_of(payload: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises((InvalidInputError, InvalidInputErrors)) as info:
        parse_operating_data(payload)
    return info.value.errors  # type: ignore[union-attr]


def with_change(path: str, value: Any) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    node: Any = payload
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    node[keys[-1]] = value
    return payload


def test_valid_payload_reads_into_typed_values() -> None:
    data = parse_operating_data(BASE)
    assert data.company.employees == 8
    assert data.energy.fuels[0].quantity == 8000.0
    assert data.company.isic_division == "56"
    assert data.data_source == "estimated"


def test_canonical_json_is_independent_of_key_order_and_number_spelling() -> None:
    reordered = {"resources": BASE["resources"], "energy": BASE["energy"], "company": dict(
        reversed(list(BASE["company"].items())))}
    floaty = with_change("company.annual_revenue", 3_000_000.0)
    assert parse_operating_data(reordered).canonical_json() == parse_operating_data(BASE).canonical_json()
    assert parse_operating_data(floaty).canonical_json() == parse_operating_data(BASE).canonical_json()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("energy.electricity_kwh", -1, "energy.electricity_kwh"),
        ("energy.electricity_kwh", math.nan, "energy.electricity_kwh"),
        ("energy.electricity_kwh", math.inf, "energy.electricity_kwh"),
        ("energy.electricity_kwh", True, "energy.electricity_kwh"),
        ("energy.electricity_kwh", "100", "energy.electricity_kwh"),
        ("energy.green_electricity_kwh", 70_000, "energy.green_electricity_kwh"),
        ("energy.fuels.0.fuel", "plutonium", "energy.fuels.0.fuel"),
        ("energy.fuels.0.quantity", -5, "energy.fuels.0.quantity"),
        ("practices.green_products_share", 1.5, "practices.green_products_share"),
        ("practices.led_lighting", "yes", "practices.led_lighting"),
        ("practices.telepathy", True, "practices.telepathy"),
        ("company.region", "US-CA", "company.region"),
        ("company.country", "China", "company.country"),
        ("company.industry_code", "restaurant", "company.industry_code"),
        ("company.employees", 0, "company.employees"),
        ("company.employees", 2.5, "company.employees"),
        ("company.annual_revenue", 0, "company.annual_revenue"),
        ("company.currency", "EUR", "company.fx_to_cny"),
        ("company.fx_to_cny", 7.2, "company.fx_to_cny"),  # CNY is not converted: one revenue basis
        ("resources.waste_recycled_t", 11, "resources.waste_recycled_t"),
        ("data_source", "hearsay", "data_source"),
        ("unexpected", 1, "unexpected"),
        ("transport.fleet", [{"fuel": "diesel"}], "transport.fleet.0"),
        ("transport.business_travel", [{"mode": "rocket", "passenger_km": 5}],
         "transport.business_travel.0.mode"),
        ("targets", [{"scopes": [4], "base_year": 2020, "target_year": 2030, "reduction_pct": 30}],
         "targets.0.scopes"),
        ("targets", [{"scopes": [1], "base_year": 2030, "target_year": 2020, "reduction_pct": 30}],
         "targets.0.target_year"),
        ("offsets", [{"standard": "CCER", "tco2e": 5, "type": "wishful"}], "offsets.0.type"),
        # a supervisor's review: a caller factor of 0 zeroed Scope 2 and the loan's financed emissions
        ("energy.grid_factor", {"kgco2e_per_kwh": 0, "source": "our utility"},
         "energy.grid_factor.kgco2e_per_kwh"),
    ],
)
def test_each_bad_field_is_named(path: str, value: Any, field: str) -> None:
    assert field in errors_of(with_change(path, value))


def test_an_exchange_rate_beside_cny_is_refused_unless_it_is_one() -> None:
    """Indicators multiplied revenue by fx_to_cny while the inventory ignored it for CNY: two bases."""
    errors = errors_of(with_change("company.fx_to_cny", 0.14))
    assert list(errors) == ["company.fx_to_cny"] and "CNY" in errors["company.fx_to_cny"][0]
    assert parse_operating_data(with_change("company.fx_to_cny", 1)).company.fx_to_cny == 1.0
    usd = with_change("company.currency", "USD")
    usd["company"]["fx_to_cny"] = 7.2
    assert parse_operating_data(usd).company.fx_to_cny == 7.2


def test_all_errors_are_reported_in_one_pass() -> None:
    payload = with_change("energy.electricity_kwh", -1)
    payload["company"]["employees"] = -3
    assert {"energy.electricity_kwh", "company.employees"} <= set(errors_of(payload))


def test_missing_company_is_reported() -> None:
    assert "company" in errors_of({"energy": {}})


def test_the_name_is_optional_and_nothing_is_computed_from_it() -> None:
    """A bank may send a pseudonym or no name (data-protection review): the rating is the same, and an
    input that gives a name keeps the canonical form, so the hash, it always had."""
    from tests.conftest import session_engine

    named = parse_operating_data(BASE)
    assert json.loads(named.canonical_json())["company"]["name"] == "Cafe Verde"
    unnamed_payload = copy.deepcopy(BASE)
    del unnamed_payload["company"]["name"]
    unnamed = parse_operating_data(unnamed_payload)
    assert unnamed.company.name is None
    assert parse_operating_data(with_change("company.name", None)) == unnamed  # null is left out too
    without = json.loads(named.canonical_json())
    del without["company"]["name"]
    assert json.loads(unnamed.canonical_json()) == without
    assert '"name"' not in unnamed.canonical_json()
    engine = session_engine()
    ratings = [engine.rate(engine.parse(p)).to_dict()
               for p in (BASE, unnamed_payload, with_change("company.name", "Borrower 00417"))]
    assert ratings[0] == ratings[1] == ratings[2]


@pytest.mark.parametrize("name", ["", "   ", "Cafe\x1b[31m", "Cafe\u202eevreV", 5, "x" * 201])
def test_a_name_given_must_be_printable_text(name: Any) -> None:
    assert "company.name" in errors_of(with_change("company.name", name))


def test_unknown_loan_category_is_refused_against_the_standards_list() -> None:
    payload = copy.deepcopy(BASE)
    payload["loan"] = {"amount": 100_000, "currency": "CNY", "use_of_proceeds": "yacht"}
    with pytest.raises(InvalidInputError) as info:
        parse_operating_data(payload, use_of_proceeds=("energy_efficiency",))
    assert info.value.field == "loan.use_of_proceeds"


@pytest.mark.parametrize(("path", "value"), [("company.annual_revenue", 5e-324),
                                             ("company.floor_area_m2", 1e-300),
                                             ("company.operating_hours_per_week", 0.001)])
def test_vanishing_denominators_are_refused(path: str, value: float) -> None:
    """Intensities divide by these; a subnormal would overflow the rating to infinity."""
    assert path in errors_of(with_change(path, value))


_ANSWERED_EMPTY = ("fuels", "fleet", "refrigerants", "business_travel")


def _pruned_asdict(value: Any) -> Any:
    """The canonical form's definition: ``dataclasses.asdict``, then ``None``, ``[]`` and ``{}`` dropped,
    except ``fuels: []`` (schema 1.3: "no fuel burned on site", which leaving the list out does not say),
    ``fleet: []`` (schema 1.7: "no vehicles"), ``refrigerants: []`` (schema 1.13: "none recharged") and
    ``business_travel: []`` (schema 1.14: "no business travel")."""
    if isinstance(value, dict):
        pruned = {k: _pruned_asdict(v) for k, v in value.items()}
        return {
            k: v
            for k, v in pruned.items()
            if v is not None and (v != [] or k in _ANSWERED_EMPTY) and v != {}
        }
    if isinstance(value, list | tuple):
        return [_pruned_asdict(v) for v in value]
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_canonical_form_is_the_pruned_asdict(payload: dict[str, Any]) -> None:
    """Ratings are keyed and stored by this text: a faster to_dict must not change one byte of it."""
    data = parse_operating_data(payload)
    expected = _pruned_asdict(dataclasses.asdict(data))
    assert data.to_dict() == expected
    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert data.canonical_json() == text


def test_canonical_form_drops_empty_sections_and_keeps_false_and_zero() -> None:
    payload = copy.deepcopy(BASE)
    payload["practices"] = {"led_lighting": False}
    payload["compliance"] = {"environmental_penalties_3y": 0}
    plain = parse_operating_data(payload).to_dict()
    assert plain["practices"] == {"led_lighting": False}
    assert plain["compliance"] == {"environmental_penalties_3y": 0}
    assert "transport" not in plain and "offsets" not in plain and "previous_year" not in plain
    assert plain["energy"]["fuels"] == [{"fuel": "natural_gas", "quantity": 8000.0, "unit": "m3"}]


def test_an_empty_fuel_list_is_an_answer_and_leaving_it_out_is_not() -> None:
    """``"fuels": []`` (no fuel burned) is kept in the canonical form; a missing or null list is not."""
    company = {"name": "x", "country": "CN", "industry_code": "6201", "employees": 5,
               "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2024}
    none_burned = parse_operating_data({"company": company, "energy": {"electricity_kwh": 1e4, "fuels": []}})
    assert none_burned.energy.fuels == () and none_burned.to_dict()["energy"]["fuels"] == []
    for energy in ({"electricity_kwh": 1e4}, {"electricity_kwh": 1e4, "fuels": None}):
        unanswered = parse_operating_data({"company": company, "energy": energy})
        assert unanswered.energy.fuels is None and "fuels" not in unanswered.to_dict()["energy"]
        assert unanswered.canonical_json() != none_burned.canonical_json()


def test_a_target_base_year_after_the_reporting_year_is_refused() -> None:
    company = {"name": "x", "country": "CN", "industry_code": "5610", "employees": 5,
               "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2024}
    target = {"scopes": [1, 2], "target_year": 2035, "reduction_pct": 30}
    future = [{**target, "base_year": 2024}, {**target, "base_year": 2026}]
    with pytest.raises(InvalidInputError) as refused:
        parse_operating_data({"company": company, "targets": future})
    assert refused.value.field == "targets.1.base_year" and "reporting_year (2024)" in refused.value.message
    backwards = {**target, "base_year": 2020, "target_year": 2019}  # refused itself: the next keeps its index
    with pytest.raises(InvalidInputErrors) as both:
        parse_operating_data({"company": company, "targets": [backwards, future[1]]})
    assert list(both.value.errors) == ["targets.0.target_year", "targets.1.base_year"]
    assert parse_operating_data({"company": company, "targets": future[:1]}).targets[0].base_year == 2024


def test_an_unknown_fleet_unit_is_refused_even_beside_km_as_the_api_refuses_it() -> None:
    """The engine, the batch path and the API's schema give one answer to a typo in a unit."""
    from schemas.operating_data import OperatingDataSchema

    company = {"name": "x", "country": "CN", "industry_code": "5610", "employees": 5,
               "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2024}
    vehicle = {"fuel": "diesel", "km": 10_000, "unit": "furlongs"}
    body = {"company": company, "transport": {"fleet": [vehicle]}}
    with pytest.raises(InvalidInputError) as refused:
        parse_operating_data(body)
    assert refused.value.field == "transport.fleet.0.unit"
    assert "unknown unit 'furlongs'" in refused.value.message
    assert "unit" in OperatingDataSchema().validate(body)["transport"]["fleet"][0]
    vehicle["unit"] = "Litres"  # a known spelling, unused beside km: accepted by both
    assert parse_operating_data(body).transport.fleet[0].km == 10_000
    assert not OperatingDataSchema().validate(body)


@pytest.mark.parametrize("item", [{"fuel": "diesel", "vehicles": 0, "km": 50_000},
                                  {"fuel": "diesel", "vehicles": 0, "fuel_quantity": 20_000, "unit": "L"}])
def test_zero_vehicles_that_drive_or_burn_fuel_are_refused(item: dict[str, Any]) -> None:
    """Diff review: 0 vehicles beside 20,000 L of diesel read as "no vehicles", and standard 1.5.0 gave it
    the fleet's full points with 52 t of diesel in Scope 1. A contradiction is refused, naming the field;
    0 vehicles alone still says none of that fuel."""
    with pytest.raises(InvalidInputError) as refused:
        parse_operating_data({**BASE, "transport": {"fleet": [item]}})
    assert refused.value.field == "transport.fleet.0.vehicles"
    alone = parse_operating_data({**BASE, "transport": {"fleet": [{"fuel": "diesel", "vehicles": 0}]}})
    assert alone.transport.fleet is not None and alone.transport.fleet[0].vehicles == 0
