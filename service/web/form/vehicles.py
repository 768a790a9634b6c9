"""The business's vehicles, this year's and last year's, read into ``transport.fleet`` and
``previous_year.transport.fleet``.

The answer decides what else is asked: no vehicles, not answered (none counted), or a fuel with a count
and, when the owner knows it, the year's fuel or distance; last year's amount is taken only where there is
this year's to compare it with.
"""

from __future__ import annotations

from typing import Any

from service.web.amounts import FieldError, read_number
from service.web.form.choices import VEHICLE_AMOUNTS, VEHICLE_CHOICES
from service.web.form.fields import ParsedForm
from service.web.form.numbers import checked_number, unit_words


def read_fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """The business's vehicles as the contract takes them: ``[]`` for "none", one fleet item of the chosen
    fuel with its count (and the year's fuel or distance when given), or ``None`` when not answered.

    A count or distance without a fuel is refused rather than guessed (the fuel decides Scope 1 or 2 and
    the factor); "none" with a count of 0 is still "none"."""
    fuel = parsed.values["vehicle_fuel"]
    if fuel not in VEHICLE_CHOICES:
        parsed.errors["vehicle_fuel"] = FieldError("invalid_choice")
        return None
    given = [f for f in ("vehicles", "vehicle_amount") if str(parsed.values[f]).strip()]
    if fuel in ("", "none"):
        if any(read_number(str(parsed.values[f]), unit_words(f, parsed.values)) != 0 for f in given):
            parsed.errors[given[0]] = FieldError("vehicle_needs_fuel")
            return None
        return [] if fuel == "none" else None
    vehicles = checked_number(parsed, "vehicles")
    item: dict[str, Any] = {"fuel": fuel, "vehicles": vehicles}
    if "vehicle_amount" in given:
        key, unit = VEHICLE_AMOUNTS[fuel]
        item[key] = checked_number(parsed, "vehicle_amount")
        if key == "fuel_quantity":
            item["unit"] = unit
    return None if parsed.errors.keys() & {"vehicles", "vehicle_amount"} else [item]


def read_previous_fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """Last year's fuel or distance of this year's vehicles, as ``previous_year.transport.fleet`` (one item
    of the same fuel, without a count: the amount prices it); ``None`` when left empty.

    Refused where there is nothing to compare it with: vehicles not answered, or counted without this
    year's fuel or distance (priced at the seed distance, an estimate, which is never compared); and beside
    "none", which needs no figure for last year, unless it is 0: none last year too (``[]``)."""
    raw = str(parsed.values["previous_vehicle_amount"])
    fuel = parsed.values["vehicle_fuel"]
    if not raw.strip() or fuel not in VEHICLE_CHOICES:  # an unknown fuel is refused on its own field
        return None
    if fuel == "none":
        if read_number(raw, unit_words("previous_vehicle_amount", parsed.values)) == 0:
            return []
        parsed.errors["previous_vehicle_amount"] = FieldError("previous_vehicles_none")
        return None
    if fuel not in VEHICLE_AMOUNTS or not str(parsed.values["vehicle_amount"]).strip():
        parsed.errors["previous_vehicle_amount"] = FieldError("previous_vehicles_need_this_year")
        return None
    amount = checked_number(parsed, "previous_vehicle_amount")
    if amount is None:
        return None
    key, unit = VEHICLE_AMOUNTS[fuel]
    return [{"fuel": fuel, key: amount, **({"unit": unit} if key == "fuel_quantity" else {})}]
