"""The fuel burned on site and the heat bought, this year's and last year's, read into ``energy.fuels``,
``energy.purchased_heat_gj`` and their ``previous_year`` counterparts; and the year the green electricity
bought was generated, ``energy.green_electricity_vintage``.

Which answer was given, and what is refused beside another, is judged by :mod:`service.web.fuels` and
:mod:`service.web.heat`; the amounts are read here, in the units of the fuel they are of, and bottled gas
also as a count of bottles of the size chosen.
"""

from __future__ import annotations

from typing import Any

from service.web.amounts import FieldError, plain, read_number, typed
from service.web.form.fields import LIMITS, ParsedForm, reporting_year
from service.web.form.numbers import UNIT_WORDS, checked_number, number_error
from service.web.fuels import (
    AMOUNT_REQUIRED,
    BOTTLE_SIZES_KG,
    BOTTLE_WORDS,
    FUEL_CHOICES,
    FUEL_UNITS,
    fuel_unit,
    previous_fuel_answer,
)
from service.web.heat import HeatAnswer


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
    amount = checked_number(parsed, form_field)
    if (
        amount is not None
        and fuel == "lpg"
        and str(parsed.values["lpg_bottle_kg"])
        and not typed(raw).endswith(UNIT_WORDS["lpg"])
    ):
        # a bare number beside a bottle size: bottles or kg? Asked, never guessed (it had been read as kg,
        # the size dropped: "30" recorded 30 kg where "30瓶" of 15 kg gives 450 kg)
        parsed.errors[form_field] = FieldError("bottles_or_kg", {"n": plain(float(amount))})
        return None
    return None if amount is None else {"fuel": fuel, "quantity": amount, "unit": fuel_unit(raw, fuel)}


def read_fuels(parsed: ParsedForm) -> list[dict[str, Any]] | None:
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


def read_previous_fuels(parsed: ParsedForm) -> list[dict[str, Any]] | None:
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


def read_heat(parsed: ParsedForm, answer: HeatAnswer) -> float | None:
    """A year's heat bought, in GJ, as ``purchased_heat_gj``, of its answer
    (:func:`service.web.heat.heat_answer`, :func:`service.web.heat.previous_heat_answer`): the amount
    typed into the field it names, read here, or the answer without one; ``None`` with the error said."""
    if answer.error is not None:
        form_field, error = answer.error
        parsed.errors[form_field] = error
        return None
    if answer.read is None:
        return answer.gj
    amount = checked_number(parsed, answer.read)
    return None if amount is None else float(amount)


def read_green_vintage(parsed: ParsedForm, share_given: bool) -> int | None:
    """The year the green electricity bought was generated (the certificates' or the contract's), as
    ``energy.green_electricity_vintage``: a whole number in the API's range of years; ``None`` when left
    empty, or with the error said.

    Every refusal of it says what a year is (four digits in the range, such as last year), where the
    figures' "enter at least 1990" or "enter a whole number, such as 6" did not; and a year without the
    share of green electricity it is of (``share_given``) is asked about, never dropped: it would change
    nothing, and the owner meant something by it."""
    raw = str(parsed.values["green_vintage"])
    if not raw.strip():
        return None
    year, error = number_error(raw, "green_vintage", parsed.values)
    if error is not None:
        bounds = LIMITS["green_vintage"]
        parsed.errors["green_vintage"] = FieldError(
            "vintage_not_a_year",
            {"first_year": plain(bounds.minimum), "last_year": plain(bounds.maximum),
             "year": str(reporting_year())},
        )
        return None
    if not share_given:
        parsed.errors["green_vintage"] = FieldError("vintage_needs_share")
        return None
    return None if year is None else int(year)
