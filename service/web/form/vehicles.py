"""The business's vehicles, this year's and last year's, read into ``transport.fleet`` and
``previous_year.transport.fleet``: a group of vehicles per fleet item, up to :data:`MAX_VEHICLE_ROWS`.

A group is the vehicles of one fuel and class (a delivery business's two diesel vans are one group, its
electric car another). The first group's answer decides what else is asked: no vehicles, not answered
(none counted), or a fuel with a count and, when the owner knows it, the year's fuel or distance; every
other group is a fuel with its count, or left empty. Last year's amount is taken only where there is this
year's to compare it with, and of every group or of none: the engine compares the fleet as a whole.

The first group's fields keep the names the page had for its one group (``vehicle_fuel``, ...), so a form
posted from a page served before the groups is read as it was; group ``n`` adds ``_n`` to each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.web.amounts import FieldError, read_number
from service.web.form.choices import VEHICLE_AMOUNTS, VEHICLE_CHOICES, VEHICLE_KINDS
from service.web.form.fields import ParsedForm
from service.web.form.numbers import checked_number, unit_words, vehicle_amount_key

#: How many groups of vehicles the page takes. A small business's fleet is a few kinds of vehicle (two
#: diesel vans and an electric car); more groups than the page holds can be added up by fuel and class.
MAX_VEHICLE_ROWS = 5
#: A group's fields, as the first group names them (group ``n`` adds ``_n``: :func:`row_field`).
ROW_FIELDS: tuple[str, ...] = (
    "vehicle_fuel", "vehicle_kind", "vehicles", "vehicle_amount", "previous_vehicle_amount",
)
#: The hidden field that says how many groups the page showed (:func:`rows_shown`).
ROWS_FIELD = "vehicle_rows"
#: A fleet item's field, and the group's form field an error on it is shown at.
_FIELD_OF_ITEM: Mapping[str, str] = {
    "fuel": "vehicle_fuel", "vehicles": "vehicles", "km": "vehicle_amount", "fuel_quantity": "vehicle_amount",
    "unit": "vehicle_amount", "vehicle_type": "vehicle_kind",
}


def row_field(name: str, row: int) -> str:
    """The form field of group ``row``'s ``name`` (one of :data:`ROW_FIELDS`)."""
    return name if row == 1 else f"{name}_{row}"


#: Every group's fields but the first's, which are named as a single group's were.
LATER_ROW_FIELDS: tuple[str, ...] = tuple(
    row_field(name, row) for row in range(2, MAX_VEHICLE_ROWS + 1) for name in ROW_FIELDS
)


def field_of_row(form_field: str) -> tuple[str, int] | None:
    """The group field (one of :data:`ROW_FIELDS`) and the group of a form field; ``None`` for another."""
    if form_field in ROW_FIELDS:
        return form_field, 1
    name, _, row = form_field.rpartition("_")
    if name in ROW_FIELDS and row.isdigit() and 2 <= int(row) <= MAX_VEHICLE_ROWS:
        return name, int(row)
    return None


def row_values(values: Mapping[str, Any], row: int) -> dict[str, Any]:
    """The answers with group ``row``'s under the first group's names: what a group is read from, by the
    same rules (its unit words and ranges depend on its own fuel and class)."""
    return {**values, **{name: values.get(row_field(name, row), "") for name in ROW_FIELDS}}


def fleet_rows(values: Mapping[str, Any]) -> tuple[int, ...]:
    """The groups that became ``transport.fleet``'s items, in order (item ``i`` is group ``[i]``): those
    given a fuel. A group left empty, or "none", has no item; a form with any other group was refused."""
    return tuple(
        row for row in range(1, MAX_VEHICLE_ROWS + 1)
        if values.get(row_field("vehicle_fuel", row)) in VEHICLE_AMOUNTS
    )


def rows_shown(values: Mapping[str, Any], add: bool = False) -> int:
    """How many groups the page shows: as many as it showed (its hidden :data:`ROWS_FIELD`), every group
    answered, and one more when the owner asked for it (``add``), at most :data:`MAX_VEHICLE_ROWS`."""
    sent = str(values.get(ROWS_FIELD, "")).strip()
    shown = int(sent) if sent.isdigit() and len(sent) < 3 else 1
    answered = [row for row in range(2, MAX_VEHICLE_ROWS + 1)
                if any(str(values.get(row_field(name, row), "")).strip() for name in ROW_FIELDS)]
    return max(1, min(MAX_VEHICLE_ROWS, max([shown, *answered]) + (1 if add else 0)))


def fleet_field(path: str, values: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """Where an error on a path of ``transport.fleet`` or ``previous_year.transport.fleet`` is shown: the
    form field, its group field and the group's answers (:func:`row_values`); ``None`` for another path.
    Last year's items are this year's groups, in the same order (:func:`read_previous_fleet`)."""
    for prefix, previous in (("transport.fleet", False), ("previous_year.transport.fleet", True)):
        if path != prefix and not path.startswith(prefix + "."):
            continue
        parts = path[len(prefix) + 1:].split(".")
        rows = fleet_rows(values)
        index = int(parts[0]) if parts[0].isdigit() else len(rows)
        row = rows[index] if index < len(rows) else 1
        item_field = parts[1] if len(parts) > 1 else ""
        name = "previous_vehicle_amount" if previous else _FIELD_OF_ITEM.get(item_field, "vehicle_fuel")
        return row_field(name, row), name, row_values(values, row)
    return None


def _read_group(parsed: ParsedForm, row: int) -> list[dict[str, Any]] | None:
    """One group as the contract takes it (``parsed`` holds its answers under the first group's names):
    ``[]`` for "none" (the first group's answer only), one fleet item of the chosen fuel with its count
    (and the year's fuel or distance when given), or ``None`` when not answered.

    A count or distance without a fuel is refused rather than guessed (the fuel decides Scope 1 or 2 and
    the factor); "none" with a count of 0 is still "none"."""
    fuel = parsed.values["vehicle_fuel"]
    if fuel not in VEHICLE_CHOICES or (fuel == "none" and row != 1):
        parsed.errors["vehicle_fuel"] = FieldError("invalid_choice")
        return None
    given = [f for f in ("vehicles", "vehicle_amount") if str(parsed.values[f]).strip()]
    if fuel in ("", "none"):
        if any(read_number(str(parsed.values[f]), unit_words(f, parsed.values)) != 0 for f in given):
            parsed.errors[given[0]] = FieldError("vehicle_needs_fuel")
            return None
        return [] if fuel == "none" else None
    vehicles = checked_number(parsed, "vehicles")
    if "vehicles" in parsed.errors and parsed.errors["vehicles"].key == "required":
        # a fuel was chosen: "please fill this in" did not say that the count of these vehicles is asked
        parsed.errors["vehicles"] = FieldError("vehicles_needed")
    item: dict[str, Any] = {"fuel": fuel, "vehicles": vehicles}
    kind = _kind(parsed)
    if kind not in ("", "car"):
        item["vehicle_type"] = kind
    key = None
    if "vehicle_amount" in given:
        key = _amount_into(item, parsed, "vehicle_amount")
    _check_kind(parsed, kind, fuel, key)
    return None if parsed.errors.keys() & {"vehicles", "vehicle_amount", "vehicle_kind"} else [item]


def _amount_into(item: dict[str, Any], parsed: ParsedForm, form_field: str) -> str:
    """Put the amount typed into ``form_field`` into ``item``: the km driven, or the litres of the fuel
    bought (:func:`service.web.form.numbers.vehicle_amount_key`); the item's key for it."""
    key = vehicle_amount_key(form_field, parsed.values).removeprefix("vehicle_")
    item[key] = checked_number(parsed, form_field)
    if key == "fuel_quantity":
        item["unit"] = VEHICLE_AMOUNTS[str(parsed.values["vehicle_fuel"])][1]
    return key


def _kind(parsed: ParsedForm) -> str:
    """The vehicles' class chosen (``""``: not sent, a car); another answer is refused on its field."""
    kind = str(parsed.values.get("vehicle_kind", ""))
    if kind and kind not in VEHICLE_KINDS:
        parsed.errors["vehicle_kind"] = FieldError("invalid_choice")
    return kind


def _km_refusal(kind: str, fuel: str) -> str | None:
    """Why a distance of these vehicles is refused: no per-km factor prices it (the engine's 422 on the
    fuel, said as what to give instead), for a lorry of any fuel but diesel and a hybrid van."""
    if kind == "hgv" and fuel != "diesel":
        return "lorry_km_needs_diesel"
    if kind == "van" and fuel == "hybrid":
        return "hybrid_van_needs_litres"
    return None


def _check_kind(parsed: ParsedForm, kind: str, fuel: str, key: str | None) -> None:
    """What the page refuses before the engine would, in words that say what to give instead: a lorry by
    its electricity (no factor for an electric lorry) or by its count alone (no typical yearly distance of
    a lorry), a hybrid van by its count alone (no hybrid van factor), and a distance no per-km factor
    prices (:func:`_km_refusal`). ``key``: how the year's amount was given, if it was."""
    if kind == "hgv" and fuel == "electric":
        parsed.errors.setdefault("vehicle_kind", FieldError("lorry_electric"))
    elif kind == "hgv" and key is None:
        parsed.errors.setdefault("vehicle_amount", FieldError("lorry_needs_litres"))
    elif kind == "van" and fuel == "hybrid" and key is None:
        parsed.errors.setdefault("vehicle_amount", FieldError("hybrid_van_needs_litres"))
    elif key == "km" and (refusal := _km_refusal(kind, fuel)) is not None:
        parsed.errors.setdefault("vehicle_amount", FieldError(refusal))


def _carry(group: ParsedForm, parsed: ParsedForm, row: int) -> None:
    """A group's errors onto the form, at the group's own fields."""
    for name, error in group.errors.items():
        parsed.errors.setdefault(row_field(name, row), error)


def read_fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """The business's vehicles as the contract takes them: ``[]`` for "none", a fleet item per group given
    a fuel, in the groups' order, or ``None`` when not answered. One group is read exactly as the page's one
    group was. Another group beside "none" is refused on its fuel: which answer is true is asked."""
    answers = []
    for row in range(1, MAX_VEHICLE_ROWS + 1):
        group = ParsedForm(row_values(parsed.values, row))
        answers.append(_read_group(group, row))
        _carry(group, parsed, row)
    if answers[0] == []:
        for row in fleet_rows(parsed.values):
            parsed.errors.setdefault(row_field("vehicle_fuel", row), FieldError("vehicle_groups_beside_none"))
    if any(field_of_row(f) is not None and not f.startswith("previous_") for f in parsed.errors):
        return None
    items = [item for answer in answers if answer for item in answer]
    return items or answers[0]


def _previous_group(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """Last year's fuel or distance of one group (``parsed`` holds its answers under the first group's
    names), as ``previous_year.transport.fleet`` takes it: one item of the same fuel and class, without a
    count (the amount prices it); ``None`` when left empty.

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
    kind = str(parsed.values.get("vehicle_kind", ""))
    # the same vehicles as this year's, of the same class: an electric van's km at a van's electricity
    item: dict[str, Any] = {"fuel": fuel}
    key = _amount_into(item, parsed, "previous_vehicle_amount")
    if item[key] is None:
        return None
    if key == "km" and (refusal := _km_refusal(kind, str(fuel))) is not None:
        parsed.errors["previous_vehicle_amount"] = FieldError(refusal)
        return None
    if kind in VEHICLE_KINDS and kind != "car":
        item["vehicle_type"] = kind
    return [item]


def read_previous_fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """Last year's amounts of the groups, as ``previous_year.transport.fleet`` (an item per group, in this
    year's order); ``None`` when every one is left empty.

    Of every group given a fuel, or of none: the engine compares the fleet as a whole, so last year's
    figure of some groups only would have read as vehicles bought this year. A group that was not run last
    year is given as 0."""
    answers: dict[int, list[dict[str, Any]]] = {}
    for row in range(1, MAX_VEHICLE_ROWS + 1):
        group = ParsedForm(row_values(parsed.values, row))
        answer = _previous_group(group)
        _carry(group, parsed, row)
        if answer is not None:
            answers[row] = answer
    if not answers and not any(f.startswith("previous_vehicle_amount") for f in parsed.errors):
        return None
    for row in fleet_rows(parsed.values):
        if row not in answers:
            parsed.errors.setdefault(
                row_field("previous_vehicle_amount", row), FieldError("previous_vehicles_every_group")
            )
    if any(f.startswith("previous_vehicle_amount") for f in parsed.errors):
        return None
    return [item for row in sorted(answers) for item in answers[row]]
