"""The refrigerant recharged as the merchant page asks it: which gas was topped up in the year, and how many
kg, for the air conditioning and for the fridges or cold room, or none, or not known.

A restaurant's cold room and air conditioning leak refrigerant, which the service engineer tops up: the kg
on the invoice times the gas's GWP100 is Scope 1 (schema 1.13, :mod:`rating_model.refrigerants`). The page
had never asked it, so the disclosure of every owner said Scope 1 leaves refrigerant leaks out. "Not sure"
still leaves ``refrigerants`` out (the disclosure says so), "none recharged" sends ``[]``, and a gas sends
its kg; a second gas (the cold room's beside the air conditioning's) has a row of its own.

The answers alone are judged here, as :mod:`service.web.heat` judges the heat's: the kg are read by
:mod:`service.web.form.numbers`, held to the API's own range for ``recharged_kg``. A gas the factor set
has no GWP100 for (R-290, R-600a) is refused here with a kg above 0, as the API refuses it (422 on the
gas), rather than sent to be refused after the owner pressed the button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from rating_model.factors import load_factor_set
from rating_model.operating_data import REFRIGERANT_GASES
from service.web.amounts import FieldError, read_number

#: The gas question of each row and the field of its kg, in the order they are sent (``refrigerants.0`` is
#: the first row's): two rows, a restaurant's air conditioning and its cold room; more gases are rare in a
#: small business, and the API takes them.
ROWS: tuple[tuple[str, str], ...] = (("refrigerant", "refrigerant_kg"), ("refrigerant_2", "refrigerant_kg_2"))
GAS_FIELDS: tuple[str, ...] = tuple(gas for gas, _ in ROWS)
KG_FIELDS: tuple[str, ...] = tuple(kg for _, kg in ROWS)
#: The answers to the first row: ``""`` is "not sure" (``refrigerants`` left out: the disclosure says Scope 1
#: leaves refrigerant leaks out), ``none`` is none recharged (``[]``), and each gas the API takes, by its
#: ASHRAE 34 name as the nameplate and the service invoice print it. A later row is a gas or left empty.
REFRIGERANT_CHOICES: tuple[str, ...] = ("", "none", *REFRIGERANT_GASES)
ROW_CHOICES: tuple[str, ...] = ("", *REFRIGERANT_GASES)
#: kg as the invoice writes them; 斤 is not converted (a conversion is rating_model.units', which has none)
KG_WORDS: tuple[str, ...] = ("千克", "公斤", "kg", "KG", "Kg")


def priced(gas: str) -> bool:
    """Whether the default factor set has a GWP100 for ``gas`` (the page rates with it): R-290 and R-600a,
    which Table 8.A.1 gives none, are not (the set's ``not_available`` says why)."""
    return "refrigerant." + gas in load_factor_set(None).singles


def gas_refused(gas: str) -> FieldError:
    """What a gas field says of a gas the API refuses: one without a GWP100 in the factor set (the gas is
    the answer beside the words, which take numbers only as parameters)."""
    if gas in REFRIGERANT_GASES:
        return FieldError("refrigerant_no_gwp")
    return FieldError("invalid_choice")


class RefrigerantAnswer(NamedTuple):
    """What the refrigerant answers say, before any kg is read: the rows whose kg are read (gas and kg
    field), or the answer without one (``[]``: none recharged; ``None``: not sure), or the fields refused
    and why."""

    rows: tuple[tuple[str, str], ...] = ()
    refrigerants: list[dict[str, Any]] | None = None
    errors: tuple[tuple[str, FieldError], ...] = ()


def refrigerant_answer(values: Mapping[str, Any]) -> RefrigerantAnswer:
    """The refrigerant recharged in the year, as the owner answered it (``refrigerant``, ``refrigerant_kg``
    and the second row's).

    "Not sure" and "none" take no kg (but 0 beside "none", which says none too) and no second row; a gas
    needs its kg from the invoice (a gas without kg would be a guess: the API requires ``recharged_kg``); a
    gas the factor set cannot price is refused above 0 kg, as the API refuses it; a second row is a gas
    with its kg, or left empty."""
    errors: list[tuple[str, FieldError]] = []
    first = values.get("refrigerant", "")
    if first not in REFRIGERANT_CHOICES:
        errors.append(("refrigerant", FieldError("invalid_choice")))
    later = [(gas, kg) for gas, kg in ROWS[1:] if values.get(gas, "") or str(values.get(kg, "")).strip()]
    for gas, _kg in later:
        if values.get(gas, "") not in ROW_CHOICES:
            errors.append((gas, FieldError("invalid_choice")))
        elif first in ("", "none"):  # a second gas beside "not sure" or "none": which is it?
            errors.append((gas, FieldError("refrigerant_row_beside_" + (first or "unsure"))))
    if errors:
        return RefrigerantAnswer(errors=tuple(errors))
    raw = str(values.get("refrigerant_kg", ""))
    if first in ("", "none"):
        if not raw.strip():
            return RefrigerantAnswer(refrigerants=None if first == "" else [])
        if first == "none" and read_number(raw, KG_WORDS) == 0:
            return RefrigerantAnswer(refrigerants=[])
        key = "refrigerant_kg_beside_none" if first == "none" else "refrigerant_needs_gas"
        return RefrigerantAnswer(errors=(("refrigerant_kg", FieldError(key)),))
    rows = [("refrigerant", "refrigerant_kg"), *later]
    for gas, kg in rows:
        if not values.get(gas, ""):
            errors.append((gas, FieldError("refrigerant_needs_gas_row")))
        elif not str(values.get(kg, "")).strip():
            errors.append((kg, FieldError("refrigerant_kg_needed")))
        elif not priced(str(values[gas])) and _above_zero(str(values[kg])):
            errors.append((gas, gas_refused(str(values[gas]))))
    return RefrigerantAnswer(rows=tuple(rows), errors=tuple(errors))


def _above_zero(raw: str) -> bool:
    """Whether ``raw`` reads as kg above 0 (a figure that does not read is refused on its own field)."""
    value = read_number(raw, KG_WORDS)
    return not isinstance(value, str) and value != 0
