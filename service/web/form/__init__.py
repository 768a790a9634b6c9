"""The merchant page's short form: its translation into the contract's operating data.

Only the minimal fields (industry, region, employees, revenue, electricity in kWh or as the yearly bill), the
fuel burned on site if any (piped gas, bottled gas or coal), the heat bought from a heating network or a
park's steam if any, the business's vehicles if any (a group per fuel and class), and a few yes/no practices;
the engine's estimation fills the rest from the standard's sector defaults and flags every filled figure. The
data source is ``energy_bills`` when the owner gave the electricity (kWh or the bill's amount, read off the
bills): primary energy data, PCAF option 2a, unverified or not; a form without it is ``estimated``. The form
had always said ``estimated``, PCAF 4 (a revenue-based estimate), beside "nothing estimated" on ratings made
from the owner's own kWh (a small-business adviser's review); the estimation floors still cap the score where
a figure was estimated (3 from the bill's amount, 4 from sector defaults).

Numbers are typed into text inputs and read as an owner writes them (:mod:`service.web.amounts`); this
package says which unit words may follow each one and what it becomes in the operating data. The fuels, their
units and which fuel last year's amount is of are in :mod:`service.web.fuels`; the heat bought, its answers
and units, in :mod:`service.web.heat`.

The form's parts are the modules of this package: its fixed choices (:mod:`service.web.form.choices`),
where each field lands and its range (:mod:`service.web.form.fields`), how a field's number is read and
refused (:mod:`service.web.form.numbers`), and the sections read into the contract's parts: the energy
(:mod:`service.web.form.energy`), the vehicles (:mod:`service.web.form.vehicles`), the refrigerant recharged
(:mod:`service.web.form.refrigerants`, its answers judged by :mod:`service.web.refrigerants`) and the "more
details" (:mod:`service.web.form.details`). This module checks a whole form (:func:`parse_form`) and puts the
schema's or the engine's errors on its fields (:func:`errors_at`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from rating_model.estimation import bill_above_bound
from schemas.errors import flatten_errors
from schemas.fields import UNSTORABLE
from service.web.amounts import FieldError, plain, typed
from service.web.form.choices import ELECTRICITY_KEYS, INDUSTRIES, PRACTICES, REGIONS
from service.web.form.details import read_details, resources_and_previous_year
from service.web.form.energy import read_fuels, read_green_vintage, read_heat, read_previous_fuels
from service.web.form.fields import (
    DETAIL_CHOICES,
    DETAIL_FIELDS,
    FIELD_PATHS,
    GENERAL,
    LIMITS,
    NAME_MAX_LENGTH,
    NUMBER_FIELDS,
    PLAUSIBLE_REVENUE_PER_EMPLOYEE,
    SCHEMA,
    ParsedForm,
    reporting_year,
)
from service.web.form.numbers import checked_number, name_error, number_error
from service.web.form.refrigerants import read_refrigerants
from service.web.form.vehicles import (
    LATER_ROW_FIELDS,
    ROWS_FIELD,
    fleet_field,
    read_fleet,
    read_previous_fleet,
)
from service.web.heat import heat_answer, previous_heat_answer
from service.web.refrigerants import GAS_FIELDS, KG_FIELDS, gas_refused

_INDUSTRY_CODES = frozenset(code for code, _, _ in INDUSTRIES)
_REGION_CODES = frozenset(code for code, _, _ in REGIONS)
_ELECTRICITY = frozenset(ELECTRICITY_KEYS.values())  # given: the owner read the bills (data source)
#: The figures every rating needs, each refused when left empty with what it asks (``<field>_required``)
_REQUIRED_NUMBERS = ("employees", "revenue", "electricity")


def errors_at(paths: Iterable[str], values: Mapping[str, Any]) -> dict[str, FieldError]:
    """The form's errors for errors keyed by operating-data path (the schema's or the engine's).

    A path the form does not ask for is keyed :data:`GENERAL`: the page says the answers cannot be rated.
    """
    out: dict[str, FieldError] = {}
    for path in paths:
        group = fleet_field(path, values)
        if group is None:
            form_field = FIELD_PATHS.get(path, GENERAL)
            name, answers = form_field, values
        else:  # a group of vehicles, read under the first group's names (its units and ranges its own)
            form_field, name, answers = group
        if form_field == "company_name":
            error = name_error(str(values.get("company_name", "")).strip())
        elif name in NUMBER_FIELDS:
            _value, found = number_error(str(answers.get(name, "")), name, answers)
            # a figure in range that the engine still refused (a cross-field rule) is just "not valid"
            error = found or FieldError("invalid")
        elif form_field == GENERAL:
            error = FieldError("not_rated")
        elif form_field in GAS_FIELDS:  # the only gas the checks above let through that the engine
            error = gas_refused(str(values.get(form_field, "")))  # refuses: no GWP100 in its set

        else:
            error = FieldError("invalid")
        out.setdefault(form_field, error)
    return out


def _bill_error(
    bill: float, revenue: float | None, tariff: float | None, confirmed: bool
) -> FieldError | None:
    """What is wrong with a yearly electricity bill of ``bill`` yuan, if anything.

    Refused when the kWh the engine will convert it into (at the standard's ``tariff``, CNY per kWh) is
    above the schema's range for a typed kWh: 10 trillion yuan was rated as about 1.5e13 kWh, above the
    1e12 the same figure typed in kWh is refused at (a browser review). Asked, as the revenue per employee
    is, when the bill is above the year's revenue: most likely 万 typed twice, or kWh under the bill's unit;
    a confirmation, not a refusal, since a business can run at a loss. ``tariff`` is ``None`` when no
    engine can be had: the rating that follows answers that, keeping the answers.
    """
    if tariff is not None and bill_above_bound(bill, tariff):  # the engine's own test (the page is in CNY)
        return FieldError(
            "bill_too_large", {"max": plain(LIMITS["electricity_kwh"].maximum), "tariff": f"{tariff:g}"}
        )
    if revenue is not None and bill > revenue and not confirmed:
        return FieldError("bill_unlikely", {"bill": plain(bill), "revenue": plain(revenue)})
    return None


def parse_form(form: Mapping[str, str], tariff: float | None = None) -> ParsedForm:
    """Check the form and build the operating data; errors name the form field, never echo code.

    ``tariff`` is the standard's for converting an electricity bill into kWh (CNY per kWh,
    :func:`rating_model.estimation.bill_tariff`), which the bill's range is checked at; without it, only
    the bill's own range is.

    A name left empty is left out of the operating data: the result and the disclosure say it was not
    given. (A default name stored in its place, "My business", read as a name the owner had given.)
    """
    values: dict[str, Any] = {
        k: form.get(k, "")
        for k in (
            "company_name",
            "industry",
            "region",
            "employees",
            "revenue",
            "electricity",
            "electricity_unit",
            "green_share",
            "green_vintage",
            "fuel",
            "fuel_amount",
            "lpg_bottle_kg",
            "heat",
            "heat_amount",
            "vehicle_fuel",
            "vehicle_kind",
            "vehicles",
            "vehicle_amount",
            *DETAIL_FIELDS,
            *DETAIL_CHOICES,
            *LATER_ROW_FIELDS,
            ROWS_FIELD,
            *GAS_FIELDS,
            *KG_FIELDS,
        )
    }
    values["practices"] = {k for k, _, _ in PRACTICES if form.get(k) == "yes"}
    values["revenue_confirmed"] = form.get("revenue_confirmed") == "yes"
    values["bill_confirmed"] = form.get("bill_confirmed") == "yes"
    name = str(values["company_name"]).strip()
    # echoed into the form again: a character that cannot be stored shows as the replacement character
    values["company_name"] = UNSTORABLE.sub("\ufffd", str(values["company_name"]))
    parsed = ParsedForm(values)
    if UNSTORABLE.search(name) or len(name) > NAME_MAX_LENGTH:
        parsed.errors["company_name"] = name_error(name)
    if values["industry"] not in _INDUSTRY_CODES:
        parsed.errors["industry"] = FieldError("invalid_choice")
    if values["region"] not in _REGION_CODES:
        parsed.errors["region"] = FieldError("invalid_choice")
    if values["electricity_unit"] not in ELECTRICITY_KEYS:
        parsed.errors["electricity_unit"] = FieldError("invalid_choice")
    employees = checked_number(parsed, "employees")
    revenue = checked_number(parsed, "revenue")
    if employees and revenue is not None and not values["revenue_confirmed"]:
        per_employee = revenue / employees
        if per_employee < PLAUSIBLE_REVENUE_PER_EMPLOYEE:  # most likely 万 left out: ask, never guess
            parsed.errors["revenue"] = FieldError("revenue_unlikely", {"per": f"{per_employee:.0f}"})
    electricity = checked_number(parsed, "electricity")
    for form_field in _REQUIRED_NUMBERS:  # left empty: what is asked, where "please fill this in" said none
        if form_field in parsed.errors and parsed.errors[form_field].key == "required":
            parsed.errors[form_field] = FieldError(form_field + "_required")
    if electricity is not None and values["electricity_unit"] == "bill":
        bill_error = _bill_error(float(electricity), revenue, tariff, values["bill_confirmed"])
        if bill_error is not None:
            parsed.errors["electricity"] = bill_error
    green_share = None
    if str(values["green_share"]).strip():  # optional: left empty, green power is not answered
        green_share = checked_number(parsed, "green_share")
        if green_share and values["electricity_unit"] != "kwh":  # a share of a bill is no kWh figure
            parsed.errors["green_share"] = FieldError("green_needs_kwh")
        elif green_share and green_share < 1 and not typed(str(values["green_share"])).endswith("%"):
            # "0.3" is most likely a fraction (30%), as a spreadsheet writes a share: asked, never guessed;
            # "0.3%" says it is 0.3%
            parsed.errors["green_share"] = FieldError(
                "share_below_one", {"share": plain(green_share), "percent": plain(green_share * 100)}
            )
    green_vintage = read_green_vintage(parsed, bool(str(values["green_share"]).strip()))
    fuels = read_fuels(parsed)
    heat = read_heat(parsed, heat_answer(values))
    fleet = read_fleet(parsed)
    details = read_details(parsed)
    previous_fuels = read_previous_fuels(parsed)
    previous_heat = read_heat(parsed, previous_heat_answer(values))
    previous_fleet = read_previous_fleet(parsed)
    refrigerants = read_refrigerants(parsed)
    if parsed.errors:
        return parsed
    energy: dict[str, Any] = {ELECTRICITY_KEYS[values["electricity_unit"]]: electricity}
    if green_share is not None and electricity is not None and values["electricity_unit"] == "kwh":
        # at most the electricity: 89797.624 kWh x 100 / 100 came out one unit in the last place above it,
        # and the engine refused green power above the total
        energy["green_electricity_kwh"] = min(electricity, electricity * green_share / 100.0)
        if green_vintage is not None:  # instruments of another year than the one rated are not counted
            energy["green_electricity_vintage"] = green_vintage
    if fuels is not None:
        energy["fuels"] = fuels
    if heat is not None:
        energy["purchased_heat_gj"] = heat
    payload = {
        "company": {
            **({"name": name} if name else {}),
            "country": "CN",
            "region": values["region"],
            "industry_code": values["industry"],
            "employees": employees,
            "annual_revenue": revenue,
            "currency": "CNY",
            "reporting_year": reporting_year(),
            **({"floor_area_m2": details["floor_area"]} if "floor_area" in details else {}),
        },
        "energy": energy,
        **({"transport": {"fleet": fleet}} if fleet is not None else {}),
        **resources_and_previous_year(details, previous_fuels, previous_fleet, previous_heat),
        # "not sure" leaves it out (the disclosure says Scope 1 leaves refrigerant leaks out); none is []
        **({"refrigerants": refrigerants} if refrigerants is not None else {}),
        "practices": {k: k in values["practices"] for k, _, _ in PRACTICES},
        "data_source": "energy_bills" if _ELECTRICITY & set(energy) else "estimated",
    }
    try:  # the API's own checks, last: whatever the checks above missed is still refused here
        parsed.payload = SCHEMA.load(payload)
    except ValidationError as exc:
        parsed.errors = errors_at(flatten_errors(exc.messages), values)
    return parsed
