"""Amounts as an owner types them on the merchant page, and what the page says of one it cannot take.

Numbers are typed into text inputs, not number inputs: a browser's number input silently drops what it
cannot parse, so "90万" reached the server as "90" and a cafe was rated on 90 yuan of revenue. The server
reads what was typed, as an owner writes it: full-width digits, thousands separators, 万, 亿 and k. Which
unit words may follow a number, and what each field's range is, are the form's
(:mod:`service.web.form.numbers`, :mod:`service.web.form.fields`); this module only reads the number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from marshmallow import validate
from marshmallow.fields import Field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One error of the form: a message key (:mod:`service.web.catalogue.form_errors`) and what it is
    formatted with (:func:`service.web.i18n.message`)."""

    key: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Bounds:
    """A number field's inclusive range, as the schema declares it."""

    minimum: float
    maximum: float

    @classmethod
    def of(cls, schema_field: Field) -> Bounds:  # type: ignore[type-arg]
        found = [v for v in schema_field.validators if isinstance(v, validate.Range)]
        if len(found) != 1 or found[0].min is None or found[0].max is None or not found[0].min_inclusive:
            raise TypeError(f"{schema_field.name}: the form needs one inclusive Range with both ends")
        return cls(float(found[0].min), float(found[0].max))

    def error_for(self, value: float) -> FieldError | None:
        """The error of a number outside the range, naming the end it passed (formatted per language when
        shown: "1 trillion", "1万亿"); ``None`` inside it."""
        if value < self.minimum:
            return FieldError("too_small", {"min": plain(self.minimum)})
        if value > self.maximum:
            return FieldError("too_large", {"max": plain(self.maximum)})
        return None


def plain(value: float) -> str:
    """A number as an error message quotes it: no trailing ".0", no exponent for a whole number."""
    return f"{value:.0f}" if value.is_integer() else f"{value:g}"


#: A number as an owner types it, once full-width forms are folded to ASCII and separators dropped: ASCII
#: digits, a decimal point, an exponent. Python's own int() and float() also take "1_0" and other scripts'
#: digits, which nobody means here.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: A comma that separates thousands (1,500,000 or 1,500.5); any other comma may be a decimal comma
#: ("1,5"), and is refused rather than guessed.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
#: Written multipliers, longest first: how amounts are said in Chinese, and in English.
_MULTIPLIERS: tuple[tuple[str, int], ...] = (
    ("万亿", 10**12), ("亿", 10**8), ("万", 10**4), ("千", 10**3), ("trillion", 10**12), ("billion", 10**9),
    ("million", 10**6), ("k", 10**3), ("K", 10**3),
)
#: The full-width forms of ASCII (U+FF01-FF5E) and the ideographic space, folded to ASCII: what a Chinese
#: input method types. Nothing else is folded (NFKC also made "10²" 102 and "①" 1).
_FULL_WIDTH = {**{0xFF01 + i: 0x21 + i for i in range(0x5E)}, 0x3000: 0x20}


def typed(raw: str) -> str:
    """What was typed, as :func:`read_number` reads it: full-width folded to ASCII, spaces dropped."""
    return raw.translate(_FULL_WIDTH).replace("\u00a0", "").replace(" ", "")


#: money typed where a quantity is asked: "12000元", "¥12000", "12000块", and as an English page's owner
#: writes it, "12000 yuan" or "CNY 12000" (which had been "enter a number", saying nothing of the unit)
#: in any letter case ("cny 12000", "12000 YUAN"), and with "CN¥", "RMB¥" or 圆 as some receipts print them
_MONEY = re.compile(r"^(?:CN[¥￥]|[¥￥]|CNY|RMB).*|.*(?:元|圆|块|块钱|RMB|CNY|yuan)$", re.IGNORECASE)


#: the currency written before the figure where yuan are asked: "¥12000", "CNY 12000" (spaces are gone)
_YUAN_MARK = re.compile(r"^(?:CN[¥￥]|RMB[¥￥]|[¥￥]|CNY|RMB)", re.IGNORECASE)
#: the currency written after the figure in a letter case the unit words do not list ("12000 YUAN"), or 圆
_YUAN_AFTER = re.compile(r"(?:圆|yuan|rmb|cny)$", re.IGNORECASE)


def looks_like_money(text: str) -> bool:
    """Whether ``text`` (as :func:`typed` reads it) is an amount of money: a bill's yuan typed where a
    quantity (kWh, GJ) is asked, which the field's refusal then names."""
    return _MONEY.fullmatch(text) is not None


def read_number(raw: str, units: tuple[str, ...]) -> float | str:
    """The typed number, or the key of what is wrong with it ("90万" is 900,000; "１２，０００" is 12,000;
    "1,5" is refused as a possible decimal comma). ``units`` are the words that may follow the number (its
    unit, which the caller reads). Decimal arithmetic, so "1.1万" is exactly 11,000; an exponent too large
    for a float is infinite (and so above any range), never an exception."""
    text = typed(raw)
    for word in units:
        text = text.removesuffix(word)
    if "元" in units:  # yuan asked: "¥12000", "CNY 12000", which the kWh field's hint sends here
        text = _YUAN_AFTER.sub("", _YUAN_MARK.sub("", text, count=1), count=1)
    scale = 1
    for word, factor in _MULTIPLIERS:
        head = text.removesuffix(word)
        if head != text and head[-1:] and head[-1] in "0123456789.":  # after the number itself
            text, scale = head, factor
            break
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return "decimal_comma"
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text) or (scale != 1 and text.lower().count("e")):  # "1e3k": say it once
        return "not_a_number"
    try:
        value = float(Decimal(text) * scale)
    except ArithmeticError:  # decimal.Overflow: "1e1000000万"
        value = float("inf") if not text.startswith("-") else float("-inf")
    return value + 0.0  # "-0" is 0
