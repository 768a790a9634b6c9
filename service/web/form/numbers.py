"""How the number typed into each field is read, and what the field says when it cannot be: the unit words
that may follow it (by the other answers: the electricity's unit, the fuel), the units converted (kg of
waste, MWh of heat), whole numbers, the schema's range, and a refusal that names what the field takes.

:mod:`service.web.amounts` reads a number as an owner writes it, knowing no field; this module knows the
form's fields, and is what every section of the form reads its figures through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rating_model.units import convert
from schemas.fields import UNSTORABLE
from service.web.amounts import Bounds, FieldError, looks_like_money, read_number, typed
from service.web.form.choices import ELECTRICITY_KEYS, VEHICLE_AMOUNTS
from service.web.form.fields import (
    LIMITS,
    NAME_MAX_LENGTH,
    NUMBER_FIELDS,
    PREVIOUS_AMOUNTS,
    ParsedForm,
)
from service.web.fuels import FUEL_AMOUNT_UNITS, FUEL_UNITS, previous_fuel_of
from service.web.heat import HEAT_UNIT_WORDS, HEAT_UNITS, unconverted_heat
from service.web.refrigerants import KG_FIELDS, KG_WORDS

#: kWh as owners write it ("3万度电" is how it is said; a bill prints kWh, KWH or kW·h), and MWh, which
#: :data:`_CONVERTED_WORDS` turns into kWh: each had been refused with "enter a number", which did not say
#: what was wrong with "3万度电"
_KWH_WORDS = ("千瓦时", "度电", "度", "kwh", "kWh", "KWh", "KWH", "kW·h", "kw·h", *(_MWH_WORDS := (
    "兆瓦时", "MWh", "MWH", "mwh")))
#: yuan as owners write them after a figure (the label says yuan, or CNY)
_YUAN_WORDS = ("元", "块钱", "块", "人民币", "CNY", "RMB", "rmb", "yuan", "Yuan")
#: The unit a field's label already names, which may follow its number: electricity's by the unit chosen
#: (so "500元" is not read as 500 kWh), a gas amount's by the gas (so "300kg" is not read as 300 m³).
UNIT_WORDS: Mapping[str, tuple[str, ...]] = {
    "employees": ("人", "名"),
    "revenue": _YUAN_WORDS,
    "electricity_kwh": _KWH_WORDS,
    "electricity_spend": _YUAN_WORDS,
    "green_share": ("%",),
    "green_vintage": ("年度", "年"),  # "2025年", "2025年度", as a certificate's year is said
    **{fuel: tuple(w for _, words in units for w in words) for fuel, units in FUEL_AMOUNT_UNITS.items()},
    "vehicles": ("辆", "台"),
    "vehicle_km": (_KM_WORDS := ("公里", "千米", "km", "KM", "Km")),
    "vehicle_fuel_quantity": ("公升", "升", "L", "l"),
    # "120平方" is how an area is said as often as "120平米" (it had been "enter a number, such as 12000")
    "floor_area": ("平方米", "平方", "平米", "平", "㎡", "m2", "m²"),
    # a water bill's 吨 is a cubic metre of water, and so is its "t" on the English page, whose hint says so
    # ("620 t" had been refused with "enter a number")
    "water": ("立方米", "立方", "方", "吨", "m3", "m³", "t", "tonnes"),
    "waste": ("吨", "t", "tonnes", "千克", "公斤", "kg"),
    "waste_recycled": ("吨", "t", "tonnes", "千克", "公斤", "kg"),
    "previous_electricity": _KWH_WORDS,
    "heat_amount": HEAT_UNIT_WORDS,
    **dict.fromkeys(KG_FIELDS, KG_WORDS),
}
#: Units a field also takes, other than the one its value is in: the words that say it, the unit they
#: name and the field's own, converted by :func:`rating_model.units.convert` (kg of waste to its tonnes,
#: MWh of heat to its GJ): a unit conversion, never an emission factor.
_CONVERTED_WORDS: Mapping[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "waste": ((("千克", "公斤", "kg"), "kg", "t"),),
    "waste_recycled": ((("千克", "公斤", "kg"), "kg", "t"),),
    "heat_amount": tuple((words, unit, HEAT_UNITS[0][0]) for unit, words in HEAT_UNITS[1:]),
    # read only with the unit kWh chosen: the bill's yuan take no MWh
    "electricity": ((_MWH_WORDS, "MWh", "kWh"),),
    "previous_electricity": ((_MWH_WORDS, "MWh", "kWh"),),
}


def _converted(value: float, unit: str, to_unit: str, form_field: str) -> float:
    """``value`` in ``unit`` as ``to_unit``, by the units module's factor applied in decimal to the number
    as typed: 1.1 MWh is 3.96 GJ, where binary floats made it 3.9600000000000004."""
    factor = convert(1.0, unit, to_unit, field=form_field)
    return float(Decimal(repr(value)) * Decimal(repr(factor)))


def unit_words(form_field: str, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The unit words that may follow the number typed into ``form_field``, given the other answers."""
    if form_field == "previous_fuel":
        return UNIT_WORDS.get(previous_fuel_of(values), ())
    this_year = PREVIOUS_AMOUNTS.get(form_field, form_field)
    if this_year == "electricity":
        return UNIT_WORDS[ELECTRICITY_KEYS.get(str(values.get("electricity_unit")), "electricity_kwh")]
    if this_year == "fuel_amount":
        return UNIT_WORDS.get(str(values.get("fuel")), ())
    if this_year == "vehicle_amount":
        return UNIT_WORDS.get(vehicle_amount_key(form_field, values), ())
    return UNIT_WORDS.get(this_year, ())


def number_error(
    raw: str, form_field: str, values: Mapping[str, Any]
) -> tuple[float | int | None, FieldError | None]:
    """The number typed into ``form_field`` and what is wrong with it, if anything: left empty, not a
    number (or a comma that may be a decimal one), not whole where it must be, or outside the schema's
    range (naming the end it passed)."""
    if not raw.strip():
        return None, FieldError("required")
    value = read_number(raw, unit_words(form_field, values))
    if isinstance(value, str):
        return None, FieldError(_better_key(value, raw, form_field, values))
    text = typed(raw)
    for words, unit, to_unit in _CONVERTED_WORDS.get(PREVIOUS_AMOUNTS.get(form_field, form_field), ()):
        if text.endswith(words):
            value = _converted(value, unit, to_unit, form_field)
    if NUMBER_FIELDS[form_field] and abs(value) != float("inf") and not value.is_integer():
        return None, FieldError("not_whole")
    error = _bounds_of(form_field, values).error_for(value)
    if error is not None:
        return None, error
    return (int(value) if NUMBER_FIELDS[form_field] else value), None


#: "1万2": 12,000 as it is said, which the form does not guess at (1万2千? 1万2百?)
_WAN_AND_DIGITS = re.compile(r"[0-9.]+万[0-9]+")
#: "2.4w": 万 as it is typed in chats and on receipts' margins ("85W"), told how to write it: read as 万 it
#: would be a guess the page does not make (a kW rating typed as "24kW" is not 24万 either)
_W_FOR_WAN = re.compile(r"[0-9.]+[wW]")


def _better_key(key: str, raw: str, form_field: str, values: Mapping[str, Any]) -> str:
    """A refusal that names what the field takes, where the generic "enter a number" would not help: the
    employees, the vehicles, the green power's percentage and year and the waste (each a count or size of
    its own, where the amounts' example is money), "2.4w" (万 as typed in chats), a fuel amount with another
    word ("10罐" of piped gas), money or "1万2" in the kWh field (the bill's amount has its own unit), "1万2"
    anywhere (12,000 written as it is said), last year's electricity bill in yuan (its kWh are asked), the
    vehicles' fuel receipts in yuan (the litres are asked, or the estimate left to), the piped gas bill's
    yuan (its m³, or the estimate), heat in a unit the page does not convert
    (:func:`service.web.heat.unconverted_heat`)."""
    if key != "not_a_number":
        return key
    if form_field == "employees":  # a count of people: "such as 12000 or 1.2万" is an example of money
        return "employees_not_a_number"
    if form_field == "vehicles":  # a restaurant's one van ("一辆") was told "such as 12000 or 1.2万"
        return "vehicles_not_a_number"
    if form_field == "green_share":  # a percentage ("百分之二十"), not money's "12000 or 1.2万"
        return "percent_not_a_number"
    if form_field == "green_vintage":  # a year ("二〇二五"), not money's "12000 or 1.2万"
        return "vintage_not_a_year"
    if form_field in KG_FIELDS:  # a few kg from the service invoice, not money's "12000 or 1.2万"
        return "refrigerant_kg_not_a_number"
    if form_field in ("waste", "waste_recycled"):
        # a restaurant's waste is a few tonnes, not "12000 or 1.2万"; its owner weighs it in kg or in 斤
        # ("800斤"), which the page does not convert: a conversion is rating_model.units', which has none
        return "waste_not_a_number"
    text = typed(raw)
    kwh = form_field == "electricity" and values.get("electricity_unit") == "kwh"
    if kwh and (looks_like_money(text) or _WAN_AND_DIGITS.fullmatch(text)):
        return "electricity_looks_like_money"
    if _WAN_AND_DIGITS.fullmatch(text):
        return "wan_and_digits"
    if _W_FOR_WAN.fullmatch(text):
        return "w_for_wan"
    if form_field == "previous_electricity" and looks_like_money(text):
        # last year's bill in yuan, where only kWh are compared: "enter a number" did not say so
        return "previous_electricity_money"
    vehicles = PREVIOUS_AMOUNTS.get(form_field, form_field) == "vehicle_amount"
    # a lorry's refusals name no estimate to fall back on: its count alone is refused (no lorry's distance)
    lorry = "lorry" if values.get("vehicle_kind") == "hgv" and form_field == "vehicle_amount" else "vehicle"
    if vehicles and looks_like_money(text):
        # the yuan of the fuel receipts: a price per litre would be a decision of the standard's, not the
        # page's, so the litres printed beside them are asked for, or the estimate named
        return "previous_vehicle_money" if form_field == "previous_vehicle_amount" else lorry + "_money"
    if PREVIOUS_AMOUNTS.get(form_field, form_field) == "heat_amount":  # steam in tonnes, kcal, money, ...
        return unconverted_heat(form_field, text)
    fuel = previous_fuel_of(values) if form_field == "previous_fuel" else values.get("fuel")
    if form_field == "fuel_amount" and fuel == "natural_gas" and looks_like_money(text):
        # the gas bill's yuan, which a restaurant owner knows best: the m³ are printed on the same bill, and
        # left empty this year's gas is estimated, which "enter the cubic metres" alone did not say
        return "gas_money"
    if PREVIOUS_AMOUNTS.get(form_field, form_field) == "fuel_amount" and fuel in FUEL_UNITS:
        return "fuel_forms_" + str(fuel)
    return key


def vehicle_amount_key(form_field: str, values: Mapping[str, Any]) -> str:
    """The key of a vehicles' amount (``form_field``: this year's or last year's) in :data:`LIMITS` and the
    unit words: ``vehicle_km`` for an electric vehicle's, and for a combustion engine's typed as a distance
    ("80000 km", "8万公里"), which the contract prices at the class's per-km factor; otherwise the fuel's
    litres, what a bare number of a combustion engine is read as (as it was before km were taken of one:
    a haulier's km from its GPS had been refused, "km are taken only for electric vehicles")."""
    key = VEHICLE_AMOUNTS.get(str(values.get("vehicle_fuel")), ("km", "km"))[0]
    if key == "fuel_quantity" and typed(str(values.get(form_field, ""))).endswith(_KM_WORDS):
        key = "km"
    return "vehicle_" + key


def _bounds_of(form_field: str, values: Mapping[str, Any]) -> Bounds:
    this_year = PREVIOUS_AMOUNTS.get(form_field, form_field)
    if this_year == "electricity":
        return LIMITS[ELECTRICITY_KEYS.get(str(values.get("electricity_unit", "")), "electricity_kwh")]
    if this_year == "vehicle_amount":
        return LIMITS[vehicle_amount_key(form_field, values)]
    return LIMITS[this_year]


def checked_number(parsed: ParsedForm, form_field: str) -> float | int | None:
    value, error = number_error(str(parsed.values[form_field]), form_field, parsed.values)
    if error is not None:
        parsed.errors[form_field] = error
    return value


def name_error(name: str) -> FieldError:
    if UNSTORABLE.search(name):
        return FieldError("unstorable")
    if len(name) > NAME_MAX_LENGTH:
        return FieldError("too_long", {"max": str(NAME_MAX_LENGTH)})
    return FieldError("invalid")
