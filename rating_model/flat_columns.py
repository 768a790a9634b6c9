"""The columns of the flat training-file format, derived from the operating-data field lists.

Every column is declared once here with its pandas dtype, unit and meaning; :mod:`rating_model.flat` maps
rows and payloads through this table and the documentation's column reference is printed from it
(:func:`column_reference`), so the three cannot drift apart. Standard library only.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from dataclasses import dataclass
from typing import Any, Final

from rating_model.operating_data import (
    FLEET_FUELS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    PRACTICE_FLAGS,
    REFRIGERANT_GASES,
    STATIONARY_FUELS,
    TRAVEL_MODES,
)

#: marker of an empty cell (None, NaN, pandas NA, blank text)
MISSING: Any = object()
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
LABEL_COLUMN = "label"
LATENT_COLUMN = "latent_greenness"


@dataclass(frozen=True, slots=True)
class FlatColumn:
    """One column: its pandas dtype, unit, meaning and where its value sits in the nested payload.

    Attributes
    ----------
    name:
        Column name: the payload path joined with ``__`` (list items by their key, e.g. the fuel).
    dtype:
        ``"string"``, ``"Int64"``, ``"float64"`` or ``"boolean"`` (pandas names; missing is NA/NaN).
    path:
        Payload keys to the value; for a list item, the list's path followed by the item's field.
    list_path:
        The payload list the value belongs to, or ``None`` for a plain field.
    identity:
        The item's key fields and values (``(("fuel", "diesel"),)``); empty for plain fields.
    group:
        Ordinal of the list item the column belongs to (``-1`` for plain fields); items are emitted in it.
    """

    name: str
    dtype: str
    unit: str
    meaning: str
    path: tuple[str, ...]
    list_path: tuple[str, ...] | None = None
    identity: tuple[tuple[str, str], ...] = ()
    group: int = -1


@dataclass(frozen=True, slots=True)
class ListSpec:
    """How one payload list becomes fixed column groups."""

    path: tuple[str, ...]
    prefix: str
    identity: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]
    fields: tuple[str, ...]
    summable: frozenset[str] = frozenset()
    droppable: frozenset[str] = frozenset()
    max_items: int = 1

    def group_prefix(self, key_values: tuple[str, ...]) -> str:
        return "__".join((self.prefix, *key_values))


# (field, dtype, unit, meaning) of the plain fields of each object
_COMPANY = (
    ("name", "string", "", "Business name or a pseudonym; optional (nothing is computed from it)"),
    ("country", "string", "ISO 3166-1 alpha-2", "Country (required)"),
    ("industry_code", "string", "ISIC Rev.4",
     "A division (2 digits), group (3) or class (4) of ISIC Rev.4; the first 2 digits are the division "
     "(required)"),
    ("employees", "Int64", "persons", "Headcount, 1-1,000,000 (required)"),
    ("annual_revenue", "float64", "company currency", "Turnover of the reporting year, > 0 (required)"),
    ("currency", "string", "ISO 4217", "Currency of every money field (required)"),
    ("reporting_year", "Int64", "year", "Year the figures describe (required)"),
    ("region", "string", "ISO 3166-2", "Province/subdivision, e.g. CN-ZJ"),
    ("floor_area_m2", "float64", "m2", "Gross floor area used"),
    ("external_id", "string", "", "Caller's own id for the business"),
    ("operating_hours_per_week", "float64", "h/week", "Opening or operating hours, 0-168"),
    ("fx_to_cny", "float64", "CNY per unit", "Exchange rate to CNY; required when currency is not CNY"),
)
_ENERGY = (
    ("electricity_kwh", "float64", "kWh", "Purchased grid electricity, including the green-contracted part"),
    ("green_electricity_kwh", "float64", "kWh", "Part of electricity_kwh backed by GEC, green trade or PPA"),
    ("green_electricity_instrument", "string", "", "green_certificate | green_power_trade | ppa | mixed"),
    ("green_electricity_vintage", "Int64", "year",
     "Year the green instruments' electricity was generated; counted only for that year's electricity"),
    ("onsite_renewable_kwh", "float64", "kWh", "On-site renewables used on site (not in electricity_kwh)"),
    ("purchased_heat_gj", "float64", "GJ",
     "Purchased heat or steam (district heating, a park's steam); 0: none is bought; empty: not answered"),
    ("electricity_spend", "float64", "company currency", "Electricity bill; fallback when kWh is unknown"),
    ("grid_factor__kgco2e_per_kwh", "float64", "kgCO2e/kWh", "Caller's grid factor (countries without one)"),
    ("grid_factor__source", "string", "", "Source of the caller-supplied grid factor"),
    ("grid_factor__year", "Int64", "year", "Year of the caller-supplied grid factor"),
    ("fuels_none", "boolean", "yes/no",
     "yes: no fuel is burned on site (the API's fuels: []); empty: not answered; never with fuel columns"),
)
_TRANSPORT = (
    ("fleet_none", "boolean", "yes/no",
     "yes: the business runs no vehicles (the API's fleet: []); empty: not answered; never with fleet "
     "columns"),
    # schema 1.14: the API's business_travel: [] ("none") apart from travel left out ("not reported")
    ("travel_none", "boolean", "yes/no",
     "yes: the business had no business travel (the API's business_travel: []); empty: not reported; "
     "never with travel columns"),
)
#: refrigerants (schema 1.13; this year only: previous_year carries none), as the fuels and the fleet are
#: flattened: a group per gas, keyed by its ASHRAE 34 name as the API spells it, and a "none" column for the
#: API's ``"refrigerants": []``
_REFRIGERANTS = (
    ("refrigerants_none", "boolean", "yes/no",
     "yes: no refrigerant was recharged in the year (the API's refrigerants: []); empty: not answered; "
     "never with refrigerant columns"),
)
_RESOURCES = (
    ("water_m3", "float64", "m3", "Water withdrawn"),
    ("waste_t", "float64", "t", "Total waste, hazardous included"),
    ("waste_recycled_t", "float64", "t", "Waste sent to recycling or reuse (<= waste_t)"),
    ("hazardous_waste_t", "float64", "t", "Hazardous waste (<= waste_t)"),
    ("food_waste_t", "float64", "t",
     "Food and drink waste sent to landfill (<= waste_t - waste_recycled_t - hazardous_waste_t)"),
)
_PRACTICES = tuple(
    (flag, "boolean", "yes/no", f"Practice '{flag}' in place (empty = not answered, never 'no')")
    for flag in PRACTICE_FLAGS
) + (("green_products_share", "float64", "share 0-1", "Share of sales from green products"),)
_LOAN = (
    ("amount", "float64", "loan currency", "Loan amount, > 0"),
    ("currency", "string", "ISO 4217", "Loan currency"),
    ("use_of_proceeds", "string", "", "Green-loan category of the standard, or general_working_capital"),
    ("outstanding", "float64", "loan currency", "Outstanding amount (PCAF attribution)"),
    ("borrower_equity_plus_debt", "float64", "company currency", "Borrower equity + debt (PCAF attribution)"),
    ("borrower_total_assets", "float64", "company currency", "Borrower total assets (PCAF fallback)"),
    ("fx_to_cny", "float64", "CNY per unit",
     "Loan currency to CNY; required when it is neither CNY nor the company's currency"),
)
_REPORTED = (
    ("scope1_tco2e", "float64", "tCO2e", "The business's own reported Scope 1 (reported_emissions)"),
    ("scope2_location_tco2e", "float64", "tCO2e", "Its reported Scope 2, location-based"),
    ("scope2_market_tco2e", "float64", "tCO2e", "Its reported Scope 2, market-based (optional)"),
    ("scope3_tco2e", "float64", "tCO2e", "Its reported Scope 3 (optional)"),
    ("verified", "boolean", "yes/no", "yes: verified by an independent body (PCAF option 1a); no: 1b"),
    ("verifier", "string", "", "The body that verified the inventory: with verified yes only"),
)
_FLEET_FIELDS = (
    ("vehicles", "Int64", "vehicles", "Number of vehicles (fuel: {key})"),
    ("km", "float64", "km", "Distance driven in the year by the vehicles (fuel: {key})"),
    ("fuel_quantity", "float64", "see unit column", "Fuel or electricity used by the vehicles (fuel: {key})"),
    ("unit", "string", "", "Unit of fuel_quantity (fuel: {key}; {units})"),
    ("vehicle_type", "string", "",
     "Class of the vehicles (fuel: {key}): car (empty: car), van (up to 3.5 t) or hgv (heavy goods vehicle); "
     "prices km and vehicles"),
)


def _energy_specs(root: tuple[str, ...], prefix: str) -> list[ListSpec]:
    return [
        ListSpec((*root, "energy", "fuels"), f"{prefix}energy__fuel", ("fuel",),
                 tuple((f,) for f in STATIONARY_FUELS), ("quantity", "unit"), frozenset({"quantity"})),
        ListSpec((*root, "transport", "fleet"), f"{prefix}transport__fleet", ("fuel",),
                 tuple((f,) for f in FLEET_FUELS), tuple(f for f, *_ in _FLEET_FIELDS)),
        ListSpec((*root, "transport", "business_travel"), f"{prefix}transport__travel", ("mode",),
                 tuple((m,) for m in TRAVEL_MODES), ("passenger_km",), frozenset({"passenger_km"})),
    ]


LIST_SPECS: tuple[ListSpec, ...] = (
    *_energy_specs((), ""),
    ListSpec(("offsets",), "offsets", ("standard", "type"),
             tuple((s, t) for s in OFFSET_STANDARDS for t in OFFSET_TYPES), ("tco2e",),
             frozenset({"tco2e"}), frozenset({"vintage"})),
    ListSpec(("targets",), "targets__0", (), ((),), ("scopes", "base_year", "target_year", "reduction_pct",
                                                    "kind", "gases", "net_of_credits", "validated_by")),
    ListSpec(("refrigerants",), "refrigerants", ("gas",), tuple((g,) for g in REFRIGERANT_GASES),
             ("recharged_kg",), frozenset({"recharged_kg"})),
    *_energy_specs(("previous_year",), "previous_year__"),
)
_LIST_FIELDS: dict[str, tuple[str, str, str]] = {
    "quantity": ("float64", "see unit column", "Quantity of {key} burned on site"),
    "tco2e": ("float64", "tCO2e", "Carbon credits retired: {key} (total over vintages)"),
    "passenger_km": ("float64", "pkm", "Business travel by {key}"),
    "scopes": ("string", "list", "Scopes the target covers, comma-separated (\"1,2\")"),
    "base_year": ("Int64", "year", "Target base year"),
    "target_year": ("Int64", "year", "Target year (> base year)"),
    "reduction_pct": ("float64", "%", "Reduction from the base year by the target year"),
    "kind": ("string", "", "absolute | intensity: what the target's reduction is of; empty: not stated"),
    "gases": ("string", "list", "Greenhouse gases the target covers, comma-separated (\"CO2,CH4\"; CO2, CH4, "
              "N2O, HFCs, PFCs, SF6, NF3); empty: not stated"),
    "net_of_credits": ("boolean", "yes/no",
                       "Whether the target is net of carbon credits (false: gross); empty: not stated"),
    "validated_by": ("string", "", "Third party that validated the target (e.g. SBTi); empty: not stated"),
    "recharged_kg": ("float64", "kg",
                     "Refrigerant {key} charged into the business's own equipment in the year to top up "
                     "leaks ({units})"),
} | {f: (d, u, m) for f, d, u, m in _FLEET_FIELDS}
#: the units each stationary fuel may be given in with the default factor set (a volume needs a density,
#: energy a calorific value, LPG's density is the liquid's, natural gas is per m3 of the gas);
#: tests/rating_model/test_flat.py holds it to what the engine converts
FUEL_UNITS: dict[str, str] = {
    "natural_gas": "m3 (of the gas), kWh, MWh, MJ, GJ, TJ",
    "diesel": "L, m3, kg, t, kWh, MWh, MJ, GJ, TJ",
    "gasoline": "L, m3, kg, t, kWh, MWh, MJ, GJ, TJ",
    "lpg": "kg, t, L (of the liquid), kWh, MWh, MJ, GJ, TJ",
    "coal": "kg, t, kWh, MWh, MJ, GJ, TJ",
    "fuel_oil": "none: the factor set has no fuel-oil factor, so a quantity above 0 is refused; "
    "0 emits nothing and is rated",
}
#: the units of each fleet fuel's fuel_quantity: the stationary fuel's (hybrids burn gasoline), electricity
#: for EVs; held to the engine by the same test
FLEET_UNITS: dict[str, str] = {
    "gasoline": FUEL_UNITS["gasoline"],
    "diesel": FUEL_UNITS["diesel"],
    "hybrid": FUEL_UNITS["gasoline"],
    "electric": "kWh, MWh, MJ, GJ, TJ",
    "lpg": FUEL_UNITS["lpg"],
    "natural_gas": FUEL_UNITS["natural_gas"],
    "unknown": "none: give km or vehicles for an unknown fuel",
}
_UNIT_MEANING = {"energy__fuel": "Unit of the {key} quantity ({units})"}
#: how each refrigerant's kg are priced (:mod:`rating_model.refrigerants`), said in its column's meaning
_PRICED_AS = "Scope 1 fugitive emissions: kg x its GWP100"
_UNPRICED = "refused above 0: the factor set has no cited GWP100 for it; 0 is rated and emits nothing"
REFRIGERANT_PRICING: dict[str, str] = {
    gas: _PRICED_AS for gas in REFRIGERANT_GASES
} | {"R-22": "HCFC-22: its CO2e is reported beside the inventory, not in Scope 1", "R-290": _UNPRICED,
     "R-600a": _UNPRICED}


def _list_columns(spec: ListSpec, first_group: int) -> list[FlatColumn]:
    out: list[FlatColumn] = []
    for offset, key in enumerate(spec.keys):
        label = " ".join(key) if key else "the target"
        for field in spec.fields:
            dtype, unit, meaning = _LIST_FIELDS.get(field, ("string", "", ""))
            units = ""
            if field == "unit" and spec.prefix.endswith("energy__fuel"):
                meaning, units = _UNIT_MEANING["energy__fuel"], FUEL_UNITS[key[0]]
            elif field == "unit" and spec.prefix.endswith("transport__fleet"):
                units = FLEET_UNITS[key[0]]
            elif field == "recharged_kg":
                units = REFRIGERANT_PRICING[key[0]]
            out.append(FlatColumn(
                name=f"{spec.group_prefix(key)}__{field}",
                dtype=dtype,
                unit=unit,
                meaning=meaning.format(key=label, units=units),
                path=(*spec.path, field),
                list_path=spec.path,
                identity=tuple(zip(spec.identity, key, strict=True)),
                group=first_group + offset,
            ))
    return out


def _plain(root: tuple[str, ...], fields: tuple[tuple[str, str, str, str], ...]) -> list[FlatColumn]:
    return [FlatColumn("__".join((*root, f)), d, u, m, (*root, *f.split("__"))) for f, d, u, m in fields]


def _build_columns() -> tuple[FlatColumn, ...]:
    specs = {s.path: s for s in LIST_SPECS}
    groups = 0
    columns: list[FlatColumn] = []

    def lists(*paths: tuple[str, ...]) -> None:
        nonlocal groups
        for path in paths:
            columns.extend(_list_columns(specs[path], groups))
            groups += len(specs[path].keys)

    columns += _plain(("company",), _COMPANY)
    for root in ((), ("previous_year",)):
        columns += _plain((*root, "energy"), _ENERGY)
        lists((*root, "energy", "fuels"), (*root, "transport", "fleet"),
              (*root, "transport", "business_travel"))
        columns += _plain((*root, "transport"), _TRANSPORT)
        if not root:
            columns += _plain((), _REFRIGERANTS)
            lists(("refrigerants",))
            columns += _plain(("resources",), _RESOURCES) + _plain(("practices",), _PRACTICES)
            columns += _plain(("compliance",), (
                ("environmental_penalties_3y", "Int64", "count", "Environmental penalties, past 3 years"),
            ))
            lists(("offsets",), ("targets",))
    columns += _plain((), (("data_source", "string", "",
                            "verified_report | self_reported_inventory | energy_bills | estimated"),))
    columns += _plain(("loan",), _LOAN)
    columns += _plain(("reported_emissions",), _REPORTED)
    return tuple(columns)


#: every column of the flat format, in file order
FLAT_COLUMNS: tuple[FlatColumn, ...] = _build_columns()


def column_reference() -> str:
    """The column reference as a Markdown table (printed into ``docs/synthetic-population.md``)."""
    lines = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    for c in FLAT_COLUMNS:
        lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.meaning.replace('|', '&#124;')} |")
    return "\n".join(lines)


def cell_value(value: Any, column: FlatColumn) -> Any:
    """The JSON value of a cell: :data:`MISSING` if empty, the cell itself if it does not convert.

    Unconvertible cells are passed on for the parser to reject by field path rather than guessed here.
    """
    kind, exact = column.dtype, type(value)
    # fast paths: the plain Python cells that pandas hands out for well-typed columns
    if exact is float and kind == "float64":
        return value if value == value else MISSING
    if (exact is int and kind == "Int64") or (exact is bool and kind == "boolean"):
        return value
    if exact is str and kind == "string" and column.path[-1] not in LIST_CELLS and value.strip():
        return value
    return _convert_slow(value, column)


#: a number as a CSV cell writes it: ASCII digits only. ``float()`` also reads "nan" and "inf" (a NaN became a
#: figure not given, and was estimated), "42_000" and other scripts' digits, all of which the API refuses.
DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _convert_slow(value: Any, column: FlatColumn) -> Any:
    """Empty markers, text cells (from :mod:`csv`) and numpy scalars."""
    if value is None or (sys.modules.get("pandas") is not None and value is sys.modules["pandas"].NA):
        return MISSING
    if isinstance(value, str):
        if not value.strip():
            return MISSING
        if column.dtype == "string":
            return _list_cell(value) if column.path[-1] in LIST_CELLS else value
        text = value.strip()
        if column.dtype == "boolean":
            low = text.lower()
            return True if low in _TRUE else False if low in _FALSE else value
        if DECIMAL.fullmatch(text) is None:  # text for the parser to refuse, naming the field
            return value
        return _convert_slow(float(text), column)
    if is_number(value) and not isinstance(value, numbers.Integral) and math.isnan(value):
        return MISSING
    kind = column.dtype
    if kind == "boolean":
        if _is_bool(value):
            return bool(value)
        return bool(value) if is_number(value) and value in (0, 1) else value
    if not is_number(value):
        return value
    if kind == "float64":
        return float(value)
    if kind == "Int64":
        return int(value) if float(value).is_integer() else float(value)
    if column.path[-1] == "scopes" and float(value).is_integer():
        return [int(value)]
    return value


#: the list fields a flat cell holds comma-separated: a target's scopes ("1,2") and gases ("CO2,CH4")
LIST_CELLS: Final = frozenset({"scopes", "gases"})


def _list_cell(text: str) -> list[Any]:
    """``"1,2"`` -> ``[1, 2]``, ``"CO2,CH4"`` -> ``["CO2", "CH4"]``; parts that are whole numbers are read as
    numbers (a scope), the rest stay text (a gas, or a scope for the parser to reject)."""
    parts = [p.strip() for p in text.strip().strip("[]").split(",") if p.strip()]
    return [int(p) if p.isdigit() else p for p in parts]


def _is_bool(value: Any) -> bool:
    numpy = sys.modules.get("numpy")
    return isinstance(value, bool) or (numpy is not None and isinstance(value, numpy.bool_))


def is_number(value: Any) -> bool:
    """A real number that is not a boolean (JSON and the parser keep the two apart)."""
    return isinstance(value, numbers.Real) and not _is_bool(value)
