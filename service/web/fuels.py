"""The fuel burned on site as the merchant page asks it: the fuels, their units and bottles, and last year's
fuel, which may be another than this year's.

A business that switched fuel reports last year's as it was: a restaurant that replaced bottled gas with
piped gas, a workshop that replaced its coal boiler with gas, or with electricity ("none" this year). The
standard compares the site fuels as a whole (:mod:`rating_model.neutrality`), so the switch is the
reduction it made. The page had asked only last year's amount of this year's fuel: a switch could not be
reported, its change on last year stayed unassessed, and "none" this year refused last year's coal.

The answers alone are judged here; the amounts are read by :mod:`service.web.form.energy`, in the units of
the fuel they are of.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from service.web.amounts import FieldError, read_number, typed

#: The answers to "fuel burned on site": ``""`` is "not sure" (the standard estimates it from the sector's
#: default and says so), ``none`` is an answer (``fuels: []``: no Scope 1 is made up for an all-electric
#: shop), and each fuel is priced from its yearly amount in the units its bill or delivery note gives: the
#: first unit of a fuel is the one a bare number is read in, the others are said by the word that follows it
#: ("3000方" is 3,000 m³ of piped gas; "12吨" is 12 t of coal). Coal is on the form so that a workshop
#: burning it can say so: the standard caps such a business's grade and names the remedy. Diesel (a
#: standby generator, an oil-fired boiler) is on it because the standard's reason and remedy for fuels left
#: out name it among the fuels to report ("煤或柴油"), and the page had offered no way to: it is priced in
#: litres from the delivery notes, as the API's ``energy.fuels`` takes it.
FUEL_AMOUNT_UNITS: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "natural_gas": (("m3", ("立方米", "立方", "方", "m3", "m³")),),
    "lpg": (("kg", ("千克", "公斤", "kg")),),
    "coal": (("kg", ("千克", "公斤", "kg")), ("t", ("吨", "t", "T"))),
    "diesel": (("L", ("公升", "升", "litres", "liters", "L", "l")),),
}
FUEL_UNITS: Mapping[str, str] = {fuel: units[0][0] for fuel, units in FUEL_AMOUNT_UNITS.items()}
FUEL_CHOICES: tuple[str, ...] = ("", "none", *FUEL_UNITS)
#: Fuels whose amount must be given: the standard's sector-default estimate is of natural gas, so bottled
#: gas, coal or diesel left without an amount was rated as piped natural gas, and the owner's answer was lost.
AMOUNT_REQUIRED: frozenset[str] = frozenset({"lpg", "coal", "diesel"})
#: Bottled gas may be given as a number of bottles of one size ("30瓶", with the size chosen): the owner's
#: own figures, multiplied (bottles x kg a bottle), no conversion factor. The sizes are the filling sizes
#: of Chinese LPG cylinders (YSP-12, -35.5 and -118 hold 5, 15 and 50 kg).
#: An English owner's 15 kg "cylinders" are bottles too.
BOTTLE_WORDS: tuple[str, ...] = ("瓶", "罐", "bottles", "bottle", "cylinders", "cylinder")
BOTTLE_SIZES_KG: tuple[str, ...] = ("5", "15", "50")

#: The answers to "last year's fuel", each with the key of its label: ``""`` (the default) is this year's
#: fuel, as the page asked before; a fuel is last year's own, whatever this year's (a switch); ``none`` is
#: none burned last year (``previous_year.energy.fuels: []``, whatever this year's).
PREVIOUS_FUEL_CHOICES: Mapping[str, str] = {
    "": "previous_fuel_type_same",
    **{fuel: "fuel_" + fuel for fuel in FUEL_UNITS},
    "none": "previous_fuel_type_none",
}


def previous_fuel_of(values: Mapping[str, Any]) -> str:
    """The fuel last year's amount is typed in (its unit words, its refusals): the one chosen for last
    year, else this year's."""
    return str(values.get("previous_fuel_type") or values.get("fuel") or "")


def fuel_unit(raw: str, fuel: str) -> str:
    """The unit of a fuel amount: the one its last word names, else the fuel's first unit."""
    text = typed(raw)
    units = FUEL_AMOUNT_UNITS[fuel]
    return next((unit for unit, words in units if text.endswith(words)), units[0][0])


class PreviousFuel(NamedTuple):
    """What last year's fuel answers say, before any amount is read: the fuel whose amount the
    ``previous_fuel`` field holds, or the answer without one (``[]``: none last year; ``None``: not given),
    or the field refused and why."""

    fuel: str | None = None
    fuels: list[dict[str, Any]] | None = None
    error: tuple[str, FieldError] | None = None


def previous_fuel_answer(values: Mapping[str, Any]) -> PreviousFuel:
    """Last year's fuel as the owner answered it (``previous_fuel_type``, ``previous_fuel``), beside this
    year's (``fuel``, ``fuel_amount``).

    Left at "the same fuel as this year" with no amount, it is not given; left there beside this year's
    "none", an amount is refused (which fuel was it? last year's is asked to be chosen), but 0, which says
    none then too. A fuel chosen for last year needs its amount (a fuel without one would be an estimate,
    never compared), and "none" takes none, or 0. Whatever the answer, this year's must be one to compare
    it with: "none", or a fuel with its amount ("not sure", or piped gas without its amount, is estimated).
    """
    choice = values.get("previous_fuel_type", "")
    this_year = values.get("fuel")
    raw = str(values.get("previous_fuel", ""))
    if choice not in PREVIOUS_FUEL_CHOICES:
        return PreviousFuel(error=("previous_fuel_type", FieldError("invalid_choice")))
    if this_year not in FUEL_CHOICES or not (choice or raw.strip()):  # an unknown fuel: refused on its field
        return PreviousFuel()
    if this_year == "" or (this_year in FUEL_UNITS and not str(values.get("fuel_amount", "")).strip()):
        return PreviousFuel(error=("previous_fuel", FieldError("previous_fuel_needs_this_year")))
    if choice == "none" or (choice == "" and this_year == "none"):
        if not raw.strip() or read_number(raw, ()) == 0:
            return PreviousFuel(fuels=[])
        return PreviousFuel(error=("previous_fuel", FieldError(
            "previous_fuel_none" if choice == "" else "previous_fuel_amount_beside_none")))
    if not raw.strip():
        return PreviousFuel(error=("previous_fuel", FieldError("previous_fuel_amount_needed")))
    return PreviousFuel(fuel=choice or this_year)
