"""The form's optional "more details": floor area, water, waste and the waste recycled, and last year's
electricity, read into ``resources`` and ``previous_year`` together with last year's fuel, heat and
vehicles.

The standard counts them towards how complete the data is, and compares the years with last year's
figures; each is optional, and one left empty is not reported (nothing is estimated for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.web.amounts import FieldError, plain
from service.web.form.fields import DETAIL_FIELDS, PREVIOUS_AMOUNTS, ParsedForm
from service.web.form.numbers import checked_number


def read_details(parsed: ParsedForm) -> dict[str, float]:
    """The "more details" figures given (each optional) but last year's fuel, heat and vehicles, which
    follow this year's answers (:mod:`service.web.form.energy`, :mod:`service.web.form.vehicles`);
    recycled waste is part of the waste, so it is refused without it, and above it: the engine's own
    refusal of more recycled than thrown away reached the owner as "enter a valid value", beside a figure
    that was a valid number (a review in Chinese)."""
    given = {}
    for form_field in DETAIL_FIELDS:
        if form_field not in PREVIOUS_AMOUNTS and str(parsed.values[form_field]).strip():
            value = checked_number(parsed, form_field)
            if value is not None:
                given[form_field] = float(value)
    if "waste_recycled" in given and not str(parsed.values["waste"]).strip():
        parsed.errors["waste_recycled"] = FieldError("needs_waste")
    elif "waste" in given and given.get("waste_recycled", 0.0) > given["waste"]:  # the engine's own test
        parsed.errors["waste_recycled"] = FieldError("recycled_above_waste", {"waste": plain(given["waste"])})
    return given


def resources_and_previous_year(
    details: Mapping[str, float],
    previous_fuels: list[dict[str, Any]] | None,
    previous_fleet: list[dict[str, Any]] | None,
    previous_heat: float | None,
) -> dict[str, Any]:
    """The contract's ``resources`` and ``previous_year`` of the figures given; nothing of a blank one."""
    names = {"water": "water_m3", "waste": "waste_t", "waste_recycled": "waste_recycled_t"}
    resources = {name: details[f] for f, name in names.items() if f in details}
    out: dict[str, Any] = {"resources": resources} if resources else {}
    energy: dict[str, Any] = {}
    if "previous_electricity" in details:
        energy["electricity_kwh"] = details["previous_electricity"]
    if previous_fuels is not None:
        energy["fuels"] = previous_fuels
    if previous_heat is not None:
        energy["purchased_heat_gj"] = previous_heat
    previous: dict[str, Any] = {"energy": energy} if energy else {}
    if previous_fleet is not None:
        previous["transport"] = {"fleet": previous_fleet}
    if previous:
        out["previous_year"] = previous
    return out
