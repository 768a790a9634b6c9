"""``round(x, ndigits)`` for floats, bit for bit, without the decimal string CPython goes through.

A rating rounds some seventy figures to a few decimals (indicator values, tCO2e, intensities, score gains).
For a float the built-in is correctly rounded: it writes the exact decimal expansion of ``x`` (dtoa),
rounds that half to even, and reads the result back (strtod), by way of ``snprintf``; about 2,500
instructions a call, 6% of all of ``Engine.rate``'s (callgrind, 2026-12-05).

The fast path computes ``y = |x| * 10**ndigits`` in floating point, which is within half an ulp of the
exact product. When the fractional part of ``y`` is farther from one half than that error, the exact
product rounds to the same integer ``k`` as ``y`` does (near an integer both sides round to it), and
``k / 10**ndigits`` is an IEEE division of two exactly represented numbers, hence the double nearest to
the decimal ``k * 10**-ndigits``: exactly what the built-in reads back. Ties and near-ties, magnitudes
where ``y`` is no longer an exact integer range, NaN and the infinities take the built-in.
``tests/rating_model/test_rounding.py`` compares the two on ties, near-ties and arbitrary doubles.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["round_float", "round_tco2e"]

#: the most decimals of the fast path (10**n, built by multiplying by 10, is exact far beyond)
_MAX_DIGITS: Final = 8
#: 2**52: below it, ``floor(y)`` and ``k`` are integers a double holds exactly
_EXACT: Final = 4503599627370496.0
#: 2**-50: more than the relative error of one rounded multiplication (2**-53), with room to spare
_ERROR: Final = 8.881784197001252e-16


def round_float(value: float, ndigits: int) -> float:
    """``round(value, ndigits)`` for a float ``value`` (same result, sign of zero included)."""
    if 0 <= ndigits <= _MAX_DIGITS:
        power = 1.0
        for _ in range(ndigits):
            power *= 10.0
        y = math.fabs(value) * power
        if y < _EXACT:  # False for NaN and the infinities too
            whole = float(math.floor(y))
            fraction = y - whole  # exact: both are in the same binade, or whole is 0
            if math.fabs(fraction - 0.5) > y * _ERROR:
                k = whole + 1.0 if fraction > 0.5 else whole
                return math.copysign(k / power, value)
    return round(value, ndigits)


def round_tco2e(value: float) -> float:
    """tCO2e to the 0.1 kg: enough for any SME figure, short enough to read.

    One rule for every place that shows emissions (the rating's inventory, its IFRS S2 summary, the batch
    columns), so the same quantity always reads the same number.
    """
    return round_float(value, 4)
