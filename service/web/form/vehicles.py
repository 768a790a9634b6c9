"""The business's vehicles, this year's and last year's, read into ``transport.fleet`` and
``previous_year.transport.fleet``.

The answer decides what else is asked: no vehicles, not answered (none counted), or a fuel with a count
and, when the owner knows it, the year's fuel or distance; last year's amount is taken only where there is
this year's to compare it with.
"""

from __future__ import annotations

from typing import Any

from service.web.amounts import FieldError, read_number
from service.web.form.choices import VEHICLE_AMOUNTS, VEHICLE_CHOICES, VEHICLE_KINDS
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
    kind = _kind(parsed)
    if kind not in ("", "car"):
        item["vehicle_type"] = kind
    if "vehicle_amount" in given:
        key, unit = VEHICLE_AMOUNTS[fuel]
        item[key] = checked_number(parsed, "vehicle_amount")
        if key == "fuel_quantity":
            item["unit"] = unit
    _check_kind(parsed, kind, fuel, "vehicle_amount" in given)
    return None if parsed.errors.keys() & {"vehicles", "vehicle_amount", "vehicle_kind"} else [item]


def _kind(parsed: ParsedForm) -> str:
    """The vehicles' class chosen (``""``: not sent, a car); another answer is refused on its field."""
    kind = str(parsed.values.get("vehicle_kind", ""))
    if kind and kind not in VEHICLE_KINDS:
        parsed.errors["vehicle_kind"] = FieldError("invalid_choice")
    return kind


def _check_kind(parsed: ParsedForm, kind: str, fuel: str, amount: bool) -> None:
    """What the page refuses before the engine would, in words that say what to give instead: a lorry by
    its electricity (no factor for an electric lorry) or by its count alone (no typical yearly distance of
    a lorry; its litres are asked), and a hybrid van by its count alone (no hybrid van factor)."""
    if kind == "hgv" and fuel == "electric":
        parsed.errors.setdefault("vehicle_kind", FieldError("lorry_electric"))
    elif kind == "hgv" and not amount:
        parsed.errors.setdefault("vehicle_amount", FieldError("lorry_needs_litres"))
    elif kind == "van" and fuel == "hybrid" and not amount:
        parsed.errors.setdefault("vehicle_amount", FieldError("hybrid_van_needs_litres"))


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
    kind = str(parsed.values.get("vehicle_kind", ""))
    # the same vehicles as this year's, of the same class: an electric van's km at a van's electricity
    vehicle_type = {"vehicle_type": kind} if kind in VEHICLE_KINDS and kind != "car" else {}
    return [{"fuel": fuel, key: amount, **({"unit": unit} if key == "fuel_quantity" else {}), **vehicle_type}]
