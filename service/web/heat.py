"""Heat bought from a heating network or an industrial park's steam, as the merchant page asks it: the
answers, the units an amount is typed in, and what a figure that cannot be converted is told.

The page had never asked it, so heat left out lowered the energy ratio as if none were bought, and an
owner in Harbin could not say that the office buys district heat (standard 1.9.0 leaves the indicators
that sum energy in their missing bin where district heat is sold, and for a manufacturer anywhere, while
heat is left out). This year's heat is asked as the fuel is: "not sure" leaves it out, "none" sends 0,
"bought" takes the year's amount; last year's amount is compared with this year's answer.

The answers alone are judged here; the amounts are read by :mod:`service.web.form.energy`, in GJ (MWh
converted by :mod:`rating_model.units`), as :mod:`service.web.fuels` leaves the fuels' amounts to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from service.web.amounts import FieldError, looks_like_money, read_number

#: The answers to "heat bought from a heating network or an industrial park's steam": ``""`` is "not sure"
#: (left out: heat has no sector default, and where the standard asks it, the indicators that sum energy
#: stay in their missing bin, its reason saying what to report), ``none`` is the answer 0, and ``bought``
#: takes the year's amount from the heat bill or meter: in GJ, the unit a bare number is read in, or in
#: MWh said after the number, converted by :mod:`rating_model.units` (1 MWh is 3.6 GJ exactly). Nothing
#: else is converted: steam sold by the tonne needs its pressure and temperature, kcal are not in the units
#: module, a bill's amount in yuan is no quantity, and heating charged by floor area has no amount at all
#: ("not sure", the page says).
HEAT_CHOICES: tuple[str, ...] = ("", "none", "bought")
HEAT_UNITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GJ", ("吉焦", "GJ", "gj")), ("MWh", ("兆瓦时", "MWh", "mwh")),
)
#: every unit word that may follow a heat amount
HEAT_UNIT_WORDS: tuple[str, ...] = tuple(w for _, words in HEAT_UNITS for w in words)


class HeatAnswer(NamedTuple):
    """What a year's heat answers say, before any amount is read: the form field whose amount (in GJ or
    MWh) is the answer, or the answer without one (``0.0``: none; ``None``: not given), or the field
    refused and why."""

    read: str | None = None
    gj: float | None = None
    error: tuple[str, FieldError] | None = None


def heat_answer(values: Mapping[str, Any]) -> HeatAnswer:
    """This year's heat bought (``heat``, ``heat_amount``): 0 for "none", the amount for "bought", nothing
    for "not sure".

    An amount beside "not sure" or "none" is asked about, never taken (the choice says one thing, the
    figure another), but 0 beside "none"; "bought" needs its amount: heating charged by floor area has
    none, and is "not sure", which the refusal says."""
    choice = values.get("heat", "")
    if choice not in HEAT_CHOICES:
        return HeatAnswer(error=("heat", FieldError("invalid_choice")))
    raw = str(values.get("heat_amount", ""))
    if choice != "bought":
        if raw.strip() and (choice != "none" or read_number(raw, HEAT_UNIT_WORDS) != 0):
            return HeatAnswer(error=("heat_amount", FieldError("heat_needs_bought")))
        return HeatAnswer(gj=0.0 if choice == "none" else None)
    if not raw.strip():
        return HeatAnswer(error=("heat_amount", FieldError("heat_forms")))
    return HeatAnswer(read="heat_amount")


def previous_heat_answer(values: Mapping[str, Any]) -> HeatAnswer:
    """Last year's heat bought (``previous_heat``), beside this year's answer; not given when left empty.

    It is compared with this year's answer, so it is refused beside "not sure" (a year left out is never
    compared). Beside "none" it is taken, 0 or not: heat is one input in one unit, so a business that
    stopped buying it compares last year's heat with none (last year's fuel beside "none" is chosen as
    well: :mod:`service.web.fuels`)."""
    raw = str(values.get("previous_heat", ""))
    choice = values.get("heat", "")
    if not raw.strip() or choice not in HEAT_CHOICES:  # an unknown choice is refused on its own field
        return HeatAnswer()
    if choice == "":
        return HeatAnswer(error=("previous_heat", FieldError("previous_heat_needs_this_year")))
    return HeatAnswer(read="previous_heat")


def unconverted_heat(form_field: str, text: str) -> str:
    """The refusal of a heat amount typed in a unit the page does not convert (``text`` as
    :func:`service.web.amounts.typed` reads it): a heat bill's amount of money ("3000元") is said to be no
    quantity of heat; steam in tonnes, kcal and the rest are told this year's "not sure" or, for last year,
    which has no such choice, to leave the field empty (its message had sent the owner to a choice it does
    not have)."""
    money = looks_like_money(text)
    if form_field == "previous_heat":
        return "previous_heat_money" if money else "previous_heat_forms"
    return "heat_money" if money else "heat_forms"
