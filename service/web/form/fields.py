"""The form's fields as the contract sees them: where each lands in the operating data, the range of each
number, which numbers are whole, the optional "more details", and what parsing a form gives.

Tables rather than code, so that a field is added to the form in one place; the ranges are read from the
contract's schema, so the page refuses a figure exactly where the API would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, validate
from marshmallow.fields import Field

from schemas.operating_data import OperatingDataSchema
from service.web.amounts import Bounds, FieldError
from service.web.refrigerants import GAS_FIELDS, KG_FIELDS

SCHEMA = OperatingDataSchema()  # built once: schema instantiation is not free
_COMPANY: Schema = SCHEMA.fields["company"].schema  # type: ignore[attr-defined]
_ENERGY: Schema = SCHEMA.fields["energy"].schema  # type: ignore[attr-defined]
_FUEL_USE: Schema = _ENERGY.fields["fuels"].inner.schema  # type: ignore[attr-defined]
_TRANSPORT: Schema = SCHEMA.fields["transport"].schema  # type: ignore[attr-defined]
_VEHICLE: Schema = _TRANSPORT.fields["fleet"].inner.schema  # type: ignore[attr-defined]
_RESOURCES: Schema = SCHEMA.fields["resources"].schema  # type: ignore[attr-defined]
_PREVIOUS_ENERGY: Schema = SCHEMA.fields["previous_year"].schema.fields["energy"].schema  # type: ignore[attr-defined]
_REFRIGERANT: Schema = SCHEMA.fields["refrigerants"].inner.schema  # type: ignore[attr-defined]

#: Where each form field lands in the operating data (a schema or engine error on a path is shown there);
#: the vehicles' groups, each a fleet item, by :func:`service.web.form.vehicles.fleet_field`.
FIELD_PATHS: Mapping[str, str] = {
    "company.name": "company_name",
    "company.industry_code": "industry",
    "company.region": "region",
    "company.employees": "employees",
    "company.annual_revenue": "revenue",
    "energy.electricity_kwh": "electricity",
    "energy.electricity_spend": "electricity",
    "energy.green_electricity_kwh": "green_share",
    "energy.green_electricity_vintage": "green_vintage",
    "energy.fuels": "fuel",
    "energy.fuels.0.fuel": "fuel",
    "energy.fuels.0.quantity": "fuel_amount",
    "energy.fuels.0.unit": "fuel_amount",
    "energy.purchased_heat_gj": "heat_amount",
    "company.floor_area_m2": "floor_area",
    "resources.water_m3": "water",
    "resources.waste_t": "waste",
    "resources.waste_recycled_t": "waste_recycled",
    "previous_year": "previous_electricity",
    "previous_year.energy.electricity_kwh": "previous_electricity",
    "previous_year.energy.fuels": "previous_fuel",
    "previous_year.energy.fuels.0.fuel": "previous_fuel",
    "previous_year.energy.fuels.0.quantity": "previous_fuel",
    "previous_year.energy.fuels.0.unit": "previous_fuel",
    "previous_year.energy.purchased_heat_gj": "previous_heat",
    # the refrigerant rows (service.web.refrigerants), each a refrigerants item, in the order they are sent
    "refrigerants": GAS_FIELDS[0],
    **{f"refrigerants.{i}.gas": gas for i, gas in enumerate(GAS_FIELDS)},
    **{f"refrigerants.{i}.recharged_kg": kg for i, kg in enumerate(KG_FIELDS)},
}
GENERAL = "_form"  # an error on a path the form does not ask for: shown above the form


def _max_length(schema_field: Field) -> int:  # type: ignore[type-arg]
    return next(
        int(v.max) for v in schema_field.validators if isinstance(v, validate.Length) and v.max is not None
    )


#: The number fields' ranges, read from the schema (electricity's depends on the chosen unit).
LIMITS: Mapping[str, Bounds] = {
    "employees": Bounds.of(_COMPANY.fields["employees"]),
    "revenue": Bounds.of(_COMPANY.fields["annual_revenue"]),
    "electricity_kwh": Bounds.of(_ENERGY.fields["electricity_kwh"]),
    "electricity_spend": Bounds.of(_ENERGY.fields["electricity_spend"]),
    # a percentage of the electricity above: green power is part of purchases (the engine's rule)
    "green_share": Bounds(0.0, 100.0),
    # the year the green electricity was generated: the API's range of years
    "green_vintage": Bounds.of(_ENERGY.fields["green_electricity_vintage"]),
    "fuel_amount": Bounds.of(_FUEL_USE.fields["quantity"]),
    "heat_amount": Bounds.of(_ENERGY.fields["purchased_heat_gj"]),  # in GJ, whatever unit was typed
    # a fuel was chosen, so at least one vehicle runs on it (the schema's 0 says nothing here)
    "vehicles": Bounds(1.0, Bounds.of(_VEHICLE.fields["vehicles"]).maximum),
    "vehicle_km": Bounds.of(_VEHICLE.fields["km"]),
    "vehicle_fuel_quantity": Bounds.of(_VEHICLE.fields["fuel_quantity"]),
    "floor_area": Bounds.of(_COMPANY.fields["floor_area_m2"]),
    "water": Bounds.of(_RESOURCES.fields["water_m3"]),
    "waste": Bounds.of(_RESOURCES.fields["waste_t"]),
    "waste_recycled": Bounds.of(_RESOURCES.fields["waste_recycled_t"]),
    "previous_electricity": Bounds.of(_PREVIOUS_ENERGY.fields["electricity_kwh"]),
    **dict.fromkeys(KG_FIELDS, Bounds.of(_REFRIGERANT.fields["recharged_kg"])),
}
#: Yearly revenue per employee (CNY) below which the form asks the owner to confirm the figure before it is
#: rated and disclosed to a bank: "90" meant as 90万 had given a cafe 90 yuan of revenue and an intensity of
#: 168,644 t per CNY million. A confirmation, not a refusal: a tiny or part-time business may be below it.
PLAUSIBLE_REVENUE_PER_EMPLOYEE = 10_000

#: Last year's amounts of the fuel, heat and vehicles, each typed in the units, and held to the range, of
#: this year's field it names (the vehicles' fuel is the one chosen above; the fuel is the one chosen for
#: last year, by default this year's: :func:`service.web.fuels.previous_fuel_of`).
#: Standard 1.8.0 assesses the change on the previous year only when every input with emissions this year
#: was also given for last year: with last year's electricity alone, a restaurant burning gas could never
#: have its change scored from the page, and its reason asked for last year's fuels, which the page had no
#: field for.
PREVIOUS_AMOUNTS: Mapping[str, str] = {
    "previous_fuel": "fuel_amount",
    "previous_heat": "heat_amount",
    "previous_vehicle_amount": "vehicle_amount",
}
#: The optional figures of the form's "more details" part: the standard's completeness items the short form
#: does not otherwise ask (company.floor_area_m2, resources.water_m3, resources.waste_t, previous_year).
#: Without them a shop ticking every practice stayed under the completeness knock-out, and the page's
#: remedy named figures the form had no field for.
DETAIL_FIELDS: tuple[str, ...] = (
    "floor_area", "water", "waste", "waste_recycled", "previous_electricity", *PREVIOUS_AMOUNTS,
)
#: The "more details" part's choices: which fuel last year's amount is of (:mod:`service.web.fuels`).
DETAIL_CHOICES: tuple[str, ...] = ("previous_fuel_type",)
#: The form's number fields, and which of them must be whole.
NUMBER_FIELDS: Mapping[str, bool] = {
    "employees": True, "revenue": False, "electricity": False, "green_share": False, "green_vintage": True,
    "fuel_amount": False,
    "heat_amount": False, "vehicles": True, "vehicle_amount": False, **dict.fromkeys(DETAIL_FIELDS, False),
    **dict.fromkeys(KG_FIELDS, False),
}
NAME_MAX_LENGTH = _max_length(_COMPANY.fields["name"])


def reporting_year() -> int:
    """The year the form's answers are of, ``company.reporting_year``: the last full calendar year (UTC),
    whose bills an owner has. The green electricity's question names it: certificates of another year do
    not count for it."""
    return datetime.now(UTC).year - 1


@dataclass
class ParsedForm:
    values: dict[str, Any]
    errors: dict[str, FieldError] = field(default_factory=dict)
    payload: dict[str, Any] | None = None
