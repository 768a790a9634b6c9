"""Amounts as an owner reads them: "2.4万" in Chinese, "1.5 million" in English, digits otherwise.

One rule for the engine's Chinese sentences and the merchant page (``service.web.i18n.amount``), so that a
bill the page shows as 2.4万元 is not "24000 元" in the rating's estimate (a Chinese owner's reading,
engine 2.12).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

#: Round amounts in words, largest first: the schema's ends (10¹⁵ yuan, 10¹² kWh) are unreadable in digits.
_SCALES: Mapping[str, tuple[tuple[int, str], ...]] = {
    "en": ((10**12, " trillion"), (10**9, " billion"), (10**6, " million")),
    "zh": ((10**12, "万亿"), (10**8, "亿"), (10**4, "万")),
}


def amount(value: float, lang: str) -> str:
    """A number as the owner reads it in ``lang``: 1e15 is "1,000 trillion" or "1000万亿", 12000 is
    "12,000" or "1.2万"; a number that is not round in any scale (at most two decimals in it) keeps its
    digits, with separators.

    Exact in decimal: a float test (``(value / 1e4 * 100).is_integer()``) had kept 11,000 and 20,100 as
    digits (11000 / 1e4 * 100 is 110.00000000000001), 1,138 of the round hundreds from 10,000 to 1,000,000.
    """
    value = float(value)
    exact = Decimal(repr(value))
    for scale, word in _SCALES.get(lang, _SCALES["en"]):
        scaled = exact / scale  # a power of ten: exact within the context's 28 digits
        if scaled >= 1 and (scaled * 100) == (scaled * 100).to_integral_value():
            said = format(scaled.normalize(), "f" if lang == "zh" else ",f")
            return f"{said}{word}"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,g}"


def yuan_zh(value: float) -> str:
    """An amount of yuan in a Chinese sentence, as the merchant page writes it: "2.4万元", "8,350元"."""
    return f"{amount(value, 'zh')}元"
