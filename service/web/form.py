"""The merchant page's short form: its choices and its translation into the contract's operating data.

Only the minimal fields (industry, region, employees, revenue, electricity in kWh or as the yearly bill),
the fuel burned on site if any (piped gas, bottled gas or coal), the heat bought from a heating network or
a park's steam if any, the business's vehicles if any, and a few yes/no practices; the engine's estimation
fills the rest from the standard's sector defaults and flags every filled figure. The data source is
``energy_bills`` when the owner gave the electricity (kWh or the bill's amount, read off the bills): primary
energy data, PCAF option 2a, unverified or not; a form without it is ``estimated``. The form had always
said ``estimated``, PCAF 4 (a revenue-based estimate), beside "nothing estimated" on ratings made from the
owner's own kWh (a small-business adviser's review); the estimation floors still cap the score where a
figure was estimated (3 from the bill's amount, 4 from sector defaults).

Numbers are typed into text inputs and read as an owner writes them (:mod:`service.web.amounts`); this
module says which unit words may follow each one and what it becomes in the operating data. The fuels, their
units and which fuel last year's amount is of are in :mod:`service.web.fuels`; the heat bought, its answers
and units, in :mod:`service.web.heat`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, validate
from marshmallow.fields import Field

from rating_model.units import convert
from schemas.errors import flatten_errors
from schemas.fields import UNSTORABLE
from schemas.operating_data import OperatingDataSchema
from service.web.amounts import Bounds, FieldError, looks_like_money, plain, read_number, typed
from service.web.fuels import (
    AMOUNT_REQUIRED,
    BOTTLE_SIZES_KG,
    BOTTLE_WORDS,
    FUEL_AMOUNT_UNITS,
    FUEL_CHOICES,
    FUEL_UNITS,
    fuel_unit,
    previous_fuel_answer,
    previous_fuel_of,
)
from service.web.heat import (
    HEAT_UNIT_WORDS,
    HEAT_UNITS,
    HeatAnswer,
    heat_answer,
    previous_heat_answer,
    unconverted_heat,
)

# ISIC Rev.4 classes a small shop or workshop owner recognises; each maps to a sector of the standard's
# benchmarks (rating_model/data/sector_benchmarks.json: divisions), and none is an excluded activity.
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("5610", "Restaurant or cafe", "餐馆、咖啡店"),
    ("5621", "Catering", "餐饮配送"),
    ("4711", "Grocery or convenience store", "便利店、杂货店"),
    ("4771", "Clothing or shoe shop", "服装鞋帽店"),
    ("4721", "Food shop", "食品店"),
    ("1071", "Bakery (own production)", "烘焙坊（自产）"),
    # workshops: a garment workshop burning coal had no industry to choose (a rural bank's review)
    ("1410", "Garment making", "服装加工、制衣"),
    ("1079", "Food processing", "食品加工"),
    ("1811", "Printing", "印刷"),
    ("3100", "Furniture making", "家具制作"),
    ("2599", "Metal products workshop", "五金加工"),
    ("9602", "Hairdresser or beauty salon", "美发美容"),
    ("9601", "Laundry", "洗衣店"),
    ("5510", "Hotel or guesthouse", "酒店、民宿"),
    ("4520", "Car repair", "汽车维修"),
    ("8510", "Training or tutoring", "培训、教育"),
    ("6810", "Office or real-estate services", "办公、房产服务"),
)

# ISO 3166-2:CN provinces, municipalities and autonomous regions (the grid factor follows the region).
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("CN-BJ", "Beijing", "北京"),
    ("CN-TJ", "Tianjin", "天津"),
    ("CN-HE", "Hebei", "河北"),
    ("CN-SX", "Shanxi", "山西"),
    ("CN-NM", "Inner Mongolia", "内蒙古"),
    ("CN-LN", "Liaoning", "辽宁"),
    ("CN-JL", "Jilin", "吉林"),
    ("CN-HL", "Heilongjiang", "黑龙江"),
    ("CN-SH", "Shanghai", "上海"),
    ("CN-JS", "Jiangsu", "江苏"),
    ("CN-ZJ", "Zhejiang", "浙江"),
    ("CN-AH", "Anhui", "安徽"),
    ("CN-FJ", "Fujian", "福建"),
    ("CN-JX", "Jiangxi", "江西"),
    ("CN-SD", "Shandong", "山东"),
    ("CN-HA", "Henan", "河南"),
    ("CN-HB", "Hubei", "湖北"),
    ("CN-HN", "Hunan", "湖南"),
    ("CN-GD", "Guangdong", "广东"),
    ("CN-GX", "Guangxi", "广西"),
    ("CN-HI", "Hainan", "海南"),
    ("CN-CQ", "Chongqing", "重庆"),
    ("CN-SC", "Sichuan", "四川"),
    ("CN-GZ", "Guizhou", "贵州"),
    ("CN-YN", "Yunnan", "云南"),
    ("CN-XZ", "Tibet", "西藏"),
    ("CN-SN", "Shaanxi", "陕西"),
    ("CN-GS", "Gansu", "甘肃"),
    ("CN-QH", "Qinghai", "青海"),
    ("CN-NX", "Ningxia", "宁夏"),
    ("CN-XJ", "Xinjiang", "新疆"),
)

PRACTICES: tuple[tuple[str, str, str], ...] = (
    ("led_lighting", "LED lighting everywhere", "全部使用 LED 照明"),
    ("energy_efficient_equipment", "Energy-efficient (grade 1) appliances", "使用一级能效设备"),
    ("e_invoicing", "Electronic invoices", "使用电子发票"),
    # any sector's wording: "点单" (ordering food) was shown to hair salons and laundries
    ("digital_ordering", "Customers order or book by QR code or online", "顾客扫码或线上下单、预约"),
    ("waste_sorting", "Waste sorted at the source", "垃圾分类"),
    ("green_packaging", "Recyclable or reduced packaging", "可回收或减量包装"),
    ("water_saving_equipment", "Water-saving taps and appliances", "使用节水器具"),
    ("environmental_policy", "A written environmental policy", "有书面环境政策"),
    ("climate_responsible_person", "A person in charge of climate and energy", "指定了气候与能源负责人"),
    ("green_procurement_policy", "Green-labelled products preferred in buying", "采购优先选择绿色认证产品"),
    ("energy_audit", "An energy audit has been done", "做过能源审计"),
    ("iso14001", "ISO 14001 certified", "通过 ISO 14001 环境管理体系认证"),
)

_INDUSTRY_CODES = frozenset(code for code, _, _ in INDUSTRIES)
_REGION_CODES = frozenset(code for code, _, _ in REGIONS)
_SCHEMA = OperatingDataSchema()  # built once: schema instantiation is not free
_COMPANY: Schema = _SCHEMA.fields["company"].schema  # type: ignore[attr-defined]
_ENERGY: Schema = _SCHEMA.fields["energy"].schema  # type: ignore[attr-defined]
_FUEL_USE: Schema = _ENERGY.fields["fuels"].inner.schema  # type: ignore[attr-defined]
_TRANSPORT: Schema = _SCHEMA.fields["transport"].schema  # type: ignore[attr-defined]
_VEHICLE: Schema = _TRANSPORT.fields["fleet"].inner.schema  # type: ignore[attr-defined]
_RESOURCES: Schema = _SCHEMA.fields["resources"].schema  # type: ignore[attr-defined]
_PREVIOUS_ENERGY: Schema = _SCHEMA.fields["previous_year"].schema.fields["energy"].schema  # type: ignore[attr-defined]
ELECTRICITY_KEYS = {"kwh": "electricity_kwh", "bill": "electricity_spend"}
_ELECTRICITY = frozenset(ELECTRICITY_KEYS.values())  # given: the owner read the bills (data source)

#: The answers to "vehicles the business runs": ``""`` is not answered (the standard has no sector default
#: for vehicles, so none are counted, and the page's choice says so), ``none`` is an answer
#: (``transport.fleet: []``), and a fuel asks how many vehicles run on it. A count alone is priced at the
#: seed distance (12,000 km a vehicle at a car's factor, flagged as an estimate). The year's amount, when
#: the owner knows it, replaces the seed: the fuel bought, in litres, for a combustion engine (priced by
#: the fuel's own factor, whatever the vehicle: a lorry is not a car), the distance for an electric one.
VEHICLE_AMOUNTS: Mapping[str, tuple[str, str]] = {
    "gasoline": ("fuel_quantity", "L"), "diesel": ("fuel_quantity", "L"), "hybrid": ("fuel_quantity", "L"),
    "electric": ("km", "km"),
}
VEHICLE_CHOICES: tuple[str, ...] = ("", "none", *VEHICLE_AMOUNTS)

#: Where each form field lands in the operating data (a schema or engine error on a path is shown there).
FIELD_PATHS: Mapping[str, str] = {
    "company.name": "company_name",
    "company.industry_code": "industry",
    "company.region": "region",
    "company.employees": "employees",
    "company.annual_revenue": "revenue",
    "energy.electricity_kwh": "electricity",
    "energy.electricity_spend": "electricity",
    "energy.green_electricity_kwh": "green_share",
    "energy.fuels": "fuel",
    "energy.fuels.0.fuel": "fuel",
    "energy.fuels.0.quantity": "fuel_amount",
    "energy.fuels.0.unit": "fuel_amount",
    "energy.purchased_heat_gj": "heat_amount",
    "transport.fleet": "vehicle_fuel",
    "transport.fleet.0.fuel": "vehicle_fuel",
    "transport.fleet.0.vehicles": "vehicles",
    "transport.fleet.0.km": "vehicle_amount",
    "transport.fleet.0.fuel_quantity": "vehicle_amount",
    "transport.fleet.0.unit": "vehicle_amount",
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
    "previous_year.transport.fleet": "previous_vehicle_amount",
    "previous_year.transport.fleet.0.fuel": "previous_vehicle_amount",
    "previous_year.transport.fleet.0.km": "previous_vehicle_amount",
    "previous_year.transport.fleet.0.fuel_quantity": "previous_vehicle_amount",
    "previous_year.transport.fleet.0.unit": "previous_vehicle_amount",
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
    "employees": True, "revenue": False, "electricity": False, "green_share": False, "fuel_amount": False,
    "heat_amount": False, "vehicles": True, "vehicle_amount": False, **dict.fromkeys(DETAIL_FIELDS, False),
}
NAME_MAX_LENGTH = _max_length(_COMPANY.fields["name"])


@dataclass
class ParsedForm:
    values: dict[str, Any]
    errors: dict[str, FieldError] = field(default_factory=dict)
    payload: dict[str, Any] | None = None


#: The unit a field's label already names, which may follow its number: electricity's by the unit chosen
#: (so "500元" is not read as 500 kWh), a gas amount's by the gas (so "300kg" is not read as 300 m³).
_UNIT_WORDS: Mapping[str, tuple[str, ...]] = {
    "employees": ("人", "名"),
    "revenue": ("元",),
    "electricity_kwh": ("千瓦时", "度", "kwh", "kWh"),
    "electricity_spend": ("元",),
    "green_share": ("%",),
    **{fuel: tuple(w for _, words in units for w in words) for fuel, units in FUEL_AMOUNT_UNITS.items()},
    "vehicles": ("辆", "台"),
    "vehicle_km": ("公里", "千米", "km"),
    "vehicle_fuel_quantity": ("公升", "升", "L", "l"),
    "floor_area": ("平方米", "平米", "平", "㎡", "m2", "m²"),
    # a water bill's 吨 is a cubic metre of water
    "water": ("立方米", "立方", "方", "吨", "m3", "m³"),
    "waste": ("吨", "t", "千克", "公斤", "kg"),
    "waste_recycled": ("吨", "t", "千克", "公斤", "kg"),
    "previous_electricity": ("千瓦时", "度", "kwh", "kWh"),
    "heat_amount": HEAT_UNIT_WORDS,
}
#: Units a field also takes, other than the one its value is in: the words that say it, the unit they
#: name and the field's own, converted by :func:`rating_model.units.convert` (kg of waste to its tonnes,
#: MWh of heat to its GJ): a unit conversion, never an emission factor.
_CONVERTED_WORDS: Mapping[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "waste": ((("千克", "公斤", "kg"), "kg", "t"),),
    "waste_recycled": ((("千克", "公斤", "kg"), "kg", "t"),),
    "heat_amount": tuple((words, unit, HEAT_UNITS[0][0]) for unit, words in HEAT_UNITS[1:]),
}


def _converted(value: float, unit: str, to_unit: str, form_field: str) -> float:
    """``value`` in ``unit`` as ``to_unit``, by the units module's factor applied in decimal to the number
    as typed: 1.1 MWh is 3.96 GJ, where binary floats made it 3.9600000000000004."""
    factor = convert(1.0, unit, to_unit, field=form_field)
    return float(Decimal(repr(value)) * Decimal(repr(factor)))


def _units(form_field: str, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The unit words that may follow the number typed into ``form_field``, given the other answers."""
    if form_field == "previous_fuel":
        return _UNIT_WORDS.get(previous_fuel_of(values), ())
    form_field = PREVIOUS_AMOUNTS.get(form_field, form_field)
    if form_field == "electricity":
        return _UNIT_WORDS[ELECTRICITY_KEYS.get(str(values.get("electricity_unit")), "electricity_kwh")]
    if form_field == "fuel_amount":
        return _UNIT_WORDS.get(str(values.get("fuel")), ())
    if form_field == "vehicle_amount":
        return _UNIT_WORDS.get(_vehicle_amount_key(values), ())
    return _UNIT_WORDS.get(form_field, ())


def _number_error(
    raw: str, form_field: str, values: Mapping[str, Any]
) -> tuple[float | int | None, FieldError | None]:
    """The number typed into ``form_field`` and what is wrong with it, if anything: left empty, not a
    number (or a comma that may be a decimal one), not whole where it must be, or outside the schema's
    range (naming the end it passed)."""
    if not raw.strip():
        return None, FieldError("required")
    value = read_number(raw, _units(form_field, values))
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


def _better_key(key: str, raw: str, form_field: str, values: Mapping[str, Any]) -> str:
    """A refusal that names what the field takes, where the generic "enter a number" would not help: a
    fuel amount with another word ("10罐" of piped gas), money or "1万2" in the kWh field (the bill's
    amount has its own unit), "1万2" anywhere (12,000 written as it is said), heat in a unit the page does
    not convert (:func:`service.web.heat.unconverted_heat`)."""
    if key != "not_a_number":
        return key
    text = typed(raw)
    kwh = form_field == "electricity" and values.get("electricity_unit") == "kwh"
    if kwh and (looks_like_money(text) or _WAN_AND_DIGITS.fullmatch(text)):
        return "electricity_looks_like_money"
    if _WAN_AND_DIGITS.fullmatch(text):
        return "wan_and_digits"
    if PREVIOUS_AMOUNTS.get(form_field, form_field) == "heat_amount":  # steam in tonnes, kcal, money, ...
        return unconverted_heat(form_field, text)
    fuel = previous_fuel_of(values) if form_field == "previous_fuel" else values.get("fuel")
    if PREVIOUS_AMOUNTS.get(form_field, form_field) == "fuel_amount" and fuel in FUEL_UNITS:
        return "fuel_forms_" + str(fuel)
    return key


def _vehicle_amount_key(values: Mapping[str, Any]) -> str:
    """The key of the vehicles' amount in :data:`LIMITS` and the unit words, by the fuel chosen."""
    return "vehicle_" + VEHICLE_AMOUNTS.get(str(values.get("vehicle_fuel")), ("km", "km"))[0]


def _bounds_of(form_field: str, values: Mapping[str, Any]) -> Bounds:
    form_field = PREVIOUS_AMOUNTS.get(form_field, form_field)
    if form_field == "electricity":
        return LIMITS[ELECTRICITY_KEYS.get(str(values.get("electricity_unit", "")), "electricity_kwh")]
    if form_field == "vehicle_amount":
        return LIMITS[_vehicle_amount_key(values)]
    return LIMITS[form_field]


def _checked_number(parsed: ParsedForm, form_field: str) -> float | int | None:
    value, error = _number_error(str(parsed.values[form_field]), form_field, parsed.values)
    if error is not None:
        parsed.errors[form_field] = error
    return value


def _name_error(name: str) -> FieldError:
    if UNSTORABLE.search(name):
        return FieldError("unstorable")
    if len(name) > NAME_MAX_LENGTH:
        return FieldError("too_long", {"max": str(NAME_MAX_LENGTH)})
    return FieldError("invalid")


def errors_at(paths: Iterable[str], values: Mapping[str, Any]) -> dict[str, FieldError]:
    """The form's errors for errors keyed by operating-data path (the schema's or the engine's).

    A path the form does not ask for is keyed :data:`GENERAL`: the page says the answers cannot be rated.
    """
    out: dict[str, FieldError] = {}
    for path in paths:
        form_field = FIELD_PATHS.get(path, GENERAL)
        if form_field == "company_name":
            error = _name_error(str(values.get("company_name", "")).strip())
        elif form_field in NUMBER_FIELDS:
            _value, found = _number_error(str(values.get(form_field, "")), form_field, values)
            # a figure in range that the engine still refused (a cross-field rule) is just "not valid"
            error = found or FieldError("invalid")
        elif form_field == GENERAL:
            error = FieldError("not_rated")
        else:
            error = FieldError("invalid")
        out.setdefault(form_field, error)
    return out


def _bottled_gas(parsed: ParsedForm, form_field: str) -> float | None:
    """Bottled gas given as bottles ("30瓶") in ``form_field``: their count times the chosen size in kg, or
    ``None`` with the error said (a count that is not whole, or no size chosen). This year's and last
    year's bottles are counted at the one size the form asks."""
    text = typed(str(parsed.values[form_field]))
    for word in BOTTLE_WORDS:
        text = text.removesuffix(word)
    count = read_number(text, ())
    if isinstance(count, str) or not count.is_integer() or count < 1:
        parsed.errors[form_field] = FieldError("fuel_forms_lpg")
        return None
    size = str(parsed.values["lpg_bottle_kg"])
    if size not in BOTTLE_SIZES_KG:
        parsed.errors["lpg_bottle_kg"] = FieldError("bottle_size_needed")
        return None
    kg = count * float(size)
    error = LIMITS["fuel_amount"].error_for(kg)
    if error is not None:
        parsed.errors[form_field] = error
        return None
    return kg


def _fuel_use(parsed: ParsedForm, form_field: str, fuel: str) -> dict[str, Any] | None:
    """The amount of ``fuel`` typed into ``form_field`` (this year's or last year's), as the contract's
    fuel use, or ``None`` with the error said: in the fuel's units, or bottled gas as bottles."""
    raw = str(parsed.values[form_field])
    if fuel == "lpg" and typed(raw).endswith(BOTTLE_WORDS):
        kg = _bottled_gas(parsed, form_field)
        return None if kg is None else {"fuel": fuel, "quantity": kg, "unit": "kg"}
    amount = _checked_number(parsed, form_field)
    if (
        amount is not None
        and fuel == "lpg"
        and str(parsed.values["lpg_bottle_kg"])
        and not typed(raw).endswith(_UNIT_WORDS["lpg"])
    ):
        # a bare number beside a bottle size: bottles or kg? Asked, never guessed (it had been read as kg,
        # the size dropped: "30" recorded 30 kg where "30瓶" of 15 kg gives 450 kg)
        parsed.errors[form_field] = FieldError("bottles_or_kg", {"n": plain(float(amount))})
        return None
    return None if amount is None else {"fuel": fuel, "quantity": amount, "unit": fuel_unit(raw, fuel)}


def _fuels(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """The site's fuel use as the contract takes it: ``[]`` for "none", one fuel with its yearly amount,
    or ``None`` (not answered: estimated) for "not sure" or piped gas without an amount.

    Bottled gas or coal without an amount is refused rather than estimated: the standard's sector-default
    estimate is of natural gas, so the owner's answer was lost."""
    fuel = parsed.values["fuel"]
    if fuel not in FUEL_CHOICES:
        parsed.errors["fuel"] = FieldError("invalid_choice")
        return None
    raw = str(parsed.values["fuel_amount"])
    if not raw.strip():
        if fuel in AMOUNT_REQUIRED:
            parsed.errors["fuel_amount"] = FieldError("fuel_forms_" + fuel)
            return None
        return [] if fuel == "none" else None
    if fuel == "none" and read_number(raw, ()) == 0:
        return []  # none, and an amount of 0 to say so
    if fuel not in FUEL_UNITS:  # an amount of "none" or of "not sure": which fuel is it?
        parsed.errors["fuel_amount"] = FieldError("fuel_needs_gas")
        return None
    use = _fuel_use(parsed, "fuel_amount", str(fuel))
    return None if use is None else [use]


def _previous_fuels(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """Last year's site fuel, as ``previous_year.energy.fuels``: this year's fuel or another (a switch), or
    none; ``None`` when not given. Which fuel, and what is refused beside this year's answer, is
    :func:`service.web.fuels.previous_fuel_answer`'s; its amount is read here, in that fuel's units."""
    answer = previous_fuel_answer(parsed.values)
    if answer.error is not None:
        form_field, error = answer.error
        parsed.errors[form_field] = error
        return None
    if answer.fuel is None:
        return answer.fuels
    use = _fuel_use(parsed, "previous_fuel", answer.fuel)
    return None if use is None else [use]


def _heat(parsed: ParsedForm, answer: HeatAnswer) -> float | None:
    """A year's heat bought, in GJ, as ``purchased_heat_gj``, of its answer
    (:func:`service.web.heat.heat_answer`, :func:`service.web.heat.previous_heat_answer`): the amount
    typed into the field it names, read here, or the answer without one; ``None`` with the error said."""
    if answer.error is not None:
        form_field, error = answer.error
        parsed.errors[form_field] = error
        return None
    if answer.read is None:
        return answer.gj
    amount = _checked_number(parsed, answer.read)
    return None if amount is None else float(amount)


def _fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
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
        if any(read_number(str(parsed.values[f]), _units(f, parsed.values)) != 0 for f in given):
            parsed.errors[given[0]] = FieldError("vehicle_needs_fuel")
            return None
        return [] if fuel == "none" else None
    vehicles = _checked_number(parsed, "vehicles")
    item: dict[str, Any] = {"fuel": fuel, "vehicles": vehicles}
    if "vehicle_amount" in given:
        key, unit = VEHICLE_AMOUNTS[fuel]
        item[key] = _checked_number(parsed, "vehicle_amount")
        if key == "fuel_quantity":
            item["unit"] = unit
    return None if parsed.errors.keys() & {"vehicles", "vehicle_amount"} else [item]


def _previous_fleet(parsed: ParsedForm) -> list[dict[str, Any]] | None:
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
        if read_number(raw, _units("previous_vehicle_amount", parsed.values)) == 0:
            return []
        parsed.errors["previous_vehicle_amount"] = FieldError("previous_vehicles_none")
        return None
    if fuel not in VEHICLE_AMOUNTS or not str(parsed.values["vehicle_amount"]).strip():
        parsed.errors["previous_vehicle_amount"] = FieldError("previous_vehicles_need_this_year")
        return None
    amount = _checked_number(parsed, "previous_vehicle_amount")
    if amount is None:
        return None
    key, unit = VEHICLE_AMOUNTS[fuel]
    return [{"fuel": fuel, key: amount, **({"unit": unit} if key == "fuel_quantity" else {})}]


def _details(parsed: ParsedForm) -> dict[str, float]:
    """The "more details" figures given (each optional) but last year's fuel, heat and vehicles, which
    follow this year's answers (:func:`_previous_fuels`, :func:`_heat`, :func:`_previous_fleet`);
    recycled waste is part of the waste, so it is refused without it."""
    given = {}
    for form_field in DETAIL_FIELDS:
        if form_field not in PREVIOUS_AMOUNTS and str(parsed.values[form_field]).strip():
            value = _checked_number(parsed, form_field)
            if value is not None:
                given[form_field] = float(value)
    if "waste_recycled" in given and not str(parsed.values["waste"]).strip():
        parsed.errors["waste_recycled"] = FieldError("needs_waste")
    return given


def _resources_and_previous_year(
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


def parse_form(form: Mapping[str, str]) -> ParsedForm:
    """Check the form and build the operating data; errors name the form field, never echo code.

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
            "fuel",
            "fuel_amount",
            "lpg_bottle_kg",
            "heat",
            "heat_amount",
            "vehicle_fuel",
            "vehicles",
            "vehicle_amount",
            *DETAIL_FIELDS,
            *DETAIL_CHOICES,
        )
    }
    values["practices"] = {k for k, _, _ in PRACTICES if form.get(k) == "yes"}
    values["revenue_confirmed"] = form.get("revenue_confirmed") == "yes"
    name = str(values["company_name"]).strip()
    # echoed into the form again: a character that cannot be stored shows as the replacement character
    values["company_name"] = UNSTORABLE.sub("\ufffd", str(values["company_name"]))
    parsed = ParsedForm(values)
    if UNSTORABLE.search(name) or len(name) > NAME_MAX_LENGTH:
        parsed.errors["company_name"] = _name_error(name)
    if values["industry"] not in _INDUSTRY_CODES:
        parsed.errors["industry"] = FieldError("invalid_choice")
    if values["region"] not in _REGION_CODES:
        parsed.errors["region"] = FieldError("invalid_choice")
    if values["electricity_unit"] not in ELECTRICITY_KEYS:
        parsed.errors["electricity_unit"] = FieldError("invalid_choice")
    employees = _checked_number(parsed, "employees")
    revenue = _checked_number(parsed, "revenue")
    if employees and revenue is not None and not values["revenue_confirmed"]:
        per_employee = revenue / employees
        if per_employee < PLAUSIBLE_REVENUE_PER_EMPLOYEE:  # most likely 万 left out: ask, never guess
            parsed.errors["revenue"] = FieldError("revenue_unlikely", {"per": f"{per_employee:.0f}"})
    electricity = _checked_number(parsed, "electricity")
    green_share = None
    if str(values["green_share"]).strip():  # optional: left empty, green power is not answered
        green_share = _checked_number(parsed, "green_share")
        if green_share and values["electricity_unit"] != "kwh":  # a share of a bill is no kWh figure
            parsed.errors["green_share"] = FieldError("green_needs_kwh")
    fuels = _fuels(parsed)
    heat = _heat(parsed, heat_answer(values))
    fleet = _fleet(parsed)
    details = _details(parsed)
    previous_fuels = _previous_fuels(parsed)
    previous_heat = _heat(parsed, previous_heat_answer(values))
    previous_fleet = _previous_fleet(parsed)
    if parsed.errors:
        return parsed
    energy: dict[str, Any] = {ELECTRICITY_KEYS[values["electricity_unit"]]: electricity}
    if green_share is not None and electricity is not None and values["electricity_unit"] == "kwh":
        # at most the electricity: 89797.624 kWh x 100 / 100 came out one unit in the last place above it,
        # and the engine refused green power above the total
        energy["green_electricity_kwh"] = min(electricity, electricity * green_share / 100.0)
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
            "reporting_year": datetime.now(UTC).year - 1,
            **({"floor_area_m2": details["floor_area"]} if "floor_area" in details else {}),
        },
        "energy": energy,
        **({"transport": {"fleet": fleet}} if fleet is not None else {}),
        **_resources_and_previous_year(details, previous_fuels, previous_fleet, previous_heat),
        "practices": {k: k in values["practices"] for k, _, _ in PRACTICES},
        "data_source": "energy_bills" if _ELECTRICITY & set(energy) else "estimated",
    }
    try:  # the API's own checks, last: whatever the checks above missed is still refused here
        parsed.payload = _SCHEMA.load(payload)
    except ValidationError as exc:
        parsed.errors = errors_at(flatten_errors(exc.messages), values)
    return parsed
