"""What the result page shows, computed from the stored rating: badge, bars, reasons and the plan.

Indicator and action names come from the standard (``name_zh``, ``description_zh``) so the Chinese page
says what the English page says.

The page's parts are the modules of this package: the pillar and emission bars
(:mod:`service.web.view.bars`), the reasons in an owner's words (:mod:`service.web.view.reasons`), the
improvement plan and the grade ladder (:mod:`service.web.view.plan`), the notes on how the figures were
obtained (:mod:`service.web.view.notes`), the green-loan line (:mod:`service.web.view.loan`) and the
disclosure page's item values (:mod:`service.web.view.disclosure`). This module keeps what several of them
say the same way: an indicator by its name in the standard, the standard a rating was made under, what the
page calls the business, whether its owner answered "no vehicles", and a figure with thousands separators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.exceptions import InvalidInputError
from rating_model.sector_benchmarks import sector_of
from rating_model.standard import Standard
from service.disclosure.render import num
from service.web.i18n import texts


def grouped(value: Any, digits: int = 2) -> str:
    """A figure as the result page shows it: :func:`service.disclosure.render.num`'s fixed decimals, with
    thousands separators ("8,461,538,461.54" t CO2e, where a browser review could not read "8461538461.54").
    Only the owner's page groups digits: the disclosure and its PDF keep ``num``'s plain figures, which a
    bank's file reads back exactly as the JSON has them. Chinese writes digits alike (as
    :func:`service.web.i18n.amount` does); its yuan keep their 万 (:func:`service.web.i18n.money`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return num(value, digits)
    return f"{value:,.{digits}f}"


def indicator_name(standard: Standard, indicator: str, lang: str) -> str:
    """An indicator's name in the standard in the page's language, so the reasons, the plan and what
    holds the grade back name it alike (its id in words if the standard does not know it)."""
    found = standard.indicators.get(indicator)
    if found is None:
        return indicator.replace("_", " ")
    return found.name_zh if lang == "zh" else found.name


#: the fleet indicator, and the input that answers it with "no vehicles" (``transport.fleet: []``)
FLEET = "low_carbon_fleet_share"


def no_vehicles(operating: Mapping[str, Any] | None) -> bool:
    """Whether the owner answered "no vehicles": the stored input's fleet is ``[]`` (an answer), not left
    out (not answered)."""
    return ((operating or {}).get("transport") or {}).get("fleet") == []


#: the benchmark sectors whose businesses the Chinese page calls 企业, not 店铺: workshops, hauliers, couriers
_FIRMS = frozenset({"manufacturing", "transport_logistics"})


def business_word(operating: Mapping[str, Any] | None, lang: str) -> str:
    """What the page calls the business beside its peers and in its green-loan line: a shop (店铺), or a
    business (企业) for a manufacturer (the form's garment, printing, furniture and metal workshops, food
    processing and a bakery making its own bread: ISIC section C) and a transport firm (road freight, a
    courier: ISIC 49-53). "用能比同类店铺少 20%" read oddly to a garment factory (a review in Chinese), as
    "本店铺" would to a haulier; the English page says "business" either way."""
    code = str(((operating or {}).get("company") or {}).get("industry_code") or "")
    try:
        firm = bool(code) and sector_of(code) in _FIRMS
    except InvalidInputError:  # a code the benchmarks do not know: the page's usual word
        firm = False
    return texts(lang)["business_firm" if firm else "business_shop"]


def standard_label(rating: Mapping[str, Any]) -> str:
    """The label of the standard the rating was made under, as its versions record it ("" if they do
    not), for the lines that name the standard an answer was scored by."""
    return str((rating.get("versions") or {}).get("standard") or "")
