"""The refrigerant recharged, read into ``refrigerants``: ``[]`` for none, each gas with its kg, or left out.

Which answer was given, and what is refused beside another, is judged by :mod:`service.web.refrigerants`;
the kg are read here, as every figure of the form is (:func:`service.web.form.numbers.checked_number`), in
the API's range for ``recharged_kg``.
"""

from __future__ import annotations

from typing import Any

from service.web.form.fields import ParsedForm
from service.web.form.numbers import checked_number
from service.web.refrigerants import refrigerant_answer


def read_refrigerants(parsed: ParsedForm) -> list[dict[str, Any]] | None:
    """The refrigerant recharged as the contract takes it, or ``None`` (not sure, or the error said)."""
    answer = refrigerant_answer(parsed.values)
    for form_field, error in answer.errors:
        parsed.errors[form_field] = error
    if answer.errors or not answer.rows:
        return None if answer.errors else answer.refrigerants
    out = []
    for gas, kg_field in answer.rows:
        kg = checked_number(parsed, kg_field)
        if kg is not None:
            out.append({"gas": parsed.values[gas], "recharged_kg": kg})
    return out if len(out) == len(answer.rows) else None
