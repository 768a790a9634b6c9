"""The operating-data schema: strict types, ranges and names, mirroring the engine's dataclasses."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields

from rating_model import operating_data as od
from rating_model.operating_data_reader import parse_operating_data
from schemas.errors import flatten_errors
from schemas.operating_data import (
    CompanySchema,
    ComplianceSchema,
    EnergySchema,
    FleetItemSchema,
    FuelUseSchema,
    GridFactorSchema,
    LoanSchema,
    OffsetSchema,
    OperatingDataSchema,
    PracticesSchema,
    PreviousYearSchema,
    ResourcesSchema,
    TargetSchema,
    TransportSchema,
    TravelItemSchema,
)
from tests.conftest import BASE_PAYLOAD

SCHEMA = OperatingDataSchema()

MIRRORS = [
    (OperatingDataSchema, od.OperatingData),
    (CompanySchema, od.Company),
    (EnergySchema, od.Energy),
    (FuelUseSchema, od.FuelUse),
    (GridFactorSchema, od.GridFactor),
    (TransportSchema, od.Transport),
    (FleetItemSchema, od.FleetItem),
    (TravelItemSchema, od.TravelItem),
    (ResourcesSchema, od.Resources),
    (PracticesSchema, od.Practices),
    (ComplianceSchema, od.Compliance),
    (OffsetSchema, od.Offset),
    (TargetSchema, od.Target),
    (PreviousYearSchema, od.PreviousYear),
    (LoanSchema, od.Loan),
]


def errors_of(body: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        SCHEMA.load(body)
    return flatten_errors(info.value.messages)


def with_change(path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_PAYLOAD)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[last] = value
    return body


@pytest.mark.parametrize(("schema", "dataclass"), MIRRORS, ids=lambda x: getattr(x, "__name__", ""))
def test_schema_fields_mirror_the_engine_dataclass(schema: type[Schema], dataclass: type) -> None:
    """A field added to OperatingData without the schema (or the reverse) fails here, not in production."""
    assert set(schema().fields) == {f.name for f in dataclasses.fields(dataclass)}


@pytest.mark.parametrize(("schema", "dataclass"), MIRRORS, ids=lambda x: getattr(x, "__name__", ""))
def test_required_fields_match_the_dataclass(schema: type[Schema], dataclass: type) -> None:
    no_default = {
        f.name
        for f in dataclasses.fields(dataclass)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert {name for name, field in schema().fields.items() if field.required} == no_default


def test_valid_payload_loads_to_the_plain_dict_the_engine_parses() -> None:
    loaded = SCHEMA.load(BASE_PAYLOAD)
    assert loaded == BASE_PAYLOAD
    parsed = parse_operating_data(loaded)
    assert parsed.company.employees == 12


def test_nulls_are_accepted_for_optional_fields() -> None:
    body = with_change("company.region", None)
    body["loan"] = None
    body["practices"]["iso14001"] = None
    assert SCHEMA.load(body)["company"]["region"] is None


@pytest.mark.parametrize(
    "path", ["surprise", "company.ceo", "energy.fuels.0.colour", "practices.solar_panels", "loan.rate"]
)
def test_unknown_fields_are_refused_at_every_level(path: str) -> None:
    body = with_change("loan", {"amount": 1e6, "currency": "CNY", "use_of_proceeds": "energy_efficiency"})
    body = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = 1
    assert path in errors_of(body)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("company.annual_revenue", math.nan),
        ("company.annual_revenue", math.inf),
        ("energy.electricity_kwh", -math.inf),
        ("energy.electricity_kwh", "42000"),
        ("energy.electricity_kwh", True),
        ("company.employees", 12.5),
        ("company.employees", 12.0),
        ("company.employees", "12"),
        ("company.employees", 0),
        ("company.employees", 2_000_000),
        ("company.annual_revenue", 0),
        ("company.reporting_year", 1989),
        ("company.country", "China"),
        ("company.region", "zhejiang"),
        ("company.currency", "rmb"),
        ("company.industry_code", "56A"),
        ("company.name", ""),
        ("company.name", "  "),
        ("energy.fuels.0.fuel", "wood"),
        ("energy.fuels.0.quantity", -1),
        ("practices.led_lighting", "yes"),
        ("practices.led_lighting", 1),
        ("practices.green_products_share", 1.5),
        ("data_source", "rumour"),
    ],
)
def test_bad_values_are_keyed_by_field_path(path: str, value: Any) -> None:
    assert path in errors_of(with_change(path, value))


def test_missing_required_fields_are_all_reported() -> None:
    body = copy.deepcopy(BASE_PAYLOAD)
    del body["company"]["country"], body["company"]["currency"]
    errors = errors_of(body)
    assert {"company.country", "company.currency"} <= set(errors)


def test_the_name_may_be_left_out_or_null_but_not_blank() -> None:
    """Nothing is computed from the name (a bank may send a pseudonym or none); a blank one would be
    stored empty and printed as a name, so it is refused like a blank external_id."""
    body = copy.deepcopy(BASE_PAYLOAD)
    del body["company"]["name"]
    assert "name" not in SCHEMA.load(body)["company"]
    assert SCHEMA.load(with_change("company.name", None))["company"]["name"] is None
    assert "company.name" in errors_of(with_change("company.name", "   "))
    name = SCHEMA.fields["company"].schema.fields["name"]  # type: ignore[attr-defined]
    assert not name.required


def test_list_limits() -> None:
    fuels = [{"fuel": "diesel", "quantity": 1, "unit": "l"}] * 51
    assert "energy.fuels" in errors_of(with_change("energy.fuels", fuels))


def test_target_scopes_are_checked() -> None:
    target = {"scopes": [4], "base_year": 2020, "target_year": 2030, "reduction_pct": 30}
    body = copy.deepcopy(BASE_PAYLOAD)
    body["targets"] = [target]
    assert "targets.0.scopes.0" in errors_of(body)


def test_not_an_object() -> None:
    assert errors_of([1, 2]) == {"_schema": ["Invalid input type."]}


def test_flatten_errors_shapes() -> None:
    nested = {"a": {"b": {0: {"c": ["bad"]}}, "_schema": ["whole object"]}, "_schema": ["root"]}
    assert flatten_errors(nested) == {"a.b.0.c": ["bad"], "a": ["whole object"], "_schema": ["root"]}


def test_every_engine_enumeration_is_enforced() -> None:
    fuel_field = FuelUseSchema().fields["fuel"]
    assert isinstance(fuel_field, fields.String)
    choices = next(v.choices for v in fuel_field.validators if hasattr(v, "choices"))
    assert tuple(choices) == od.STATIONARY_FUELS


def test_the_loan_fields_say_which_uses_are_green_and_what_is_outstanding() -> None:
    """A green-loan officer's review: ``use_of_proceeds`` was described as a "green-loan category" while
    one of its values (general_working_capital) is not green, and named no Green Loan Principles category;
    ``outstanding``, which the PCAF attribution divides, had no description (PCAF: disbursed minus repaid,
    the amount used for a new loan that gives none)."""
    from rating_model.standard import load_standard

    standard = load_standard()
    use = str(LoanSchema().fields["use_of_proceeds"].metadata.get("description", ""))
    for key, info in standard.green_uses.items():
        assert f"`{key}` ({info['glp']})" in use, key
    for key in standard.use_of_proceeds:
        if key not in standard.green_uses:
            assert f"`{key}`" in use and "not a green loan" in use, key
    outstanding = str(LoanSchema().fields["outstanding"].metadata.get("description", ""))
    assert "disbursed minus repaid" in outstanding and "`amount`" in outstanding
    assert "loan's currency" in outstanding
