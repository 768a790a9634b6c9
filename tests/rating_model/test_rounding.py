"""``round_float`` is the built-in ``round(x, ndigits)`` for floats, to the bit: ties, near-ties, signs of
zero, huge and tiny values, NaN and infinities, and arbitrary doubles."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rating_model.rounding import round_float


def same(a: float, b: float) -> bool:
    """The same double: bit patterns compared, so -0.0 differs from 0.0 and NaN equals NaN."""
    return struct.pack("<d", a) == struct.pack("<d", b)


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=0, max_value=10))
@settings(max_examples=3000, deadline=None)
@example(2.675, 2)  # the classic: 2.67499999... in binary, so 2.67
@example(0.5, 0)  # a tie: half to even
@example(1.5, 0)
@example(-0.0, 3)
@example(-0.0001, 2)  # rounds to -0.0
@example(4503599627370495.5, 0)  # just below 2**52
@example(1e300, 4)
@example(5e-324, 8)
def test_any_double_rounds_as_the_built_in(value: float, ndigits: int) -> None:
    assert same(round_float(value, ndigits), round(value, ndigits))


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=8),
       st.integers(min_value=-4, max_value=4))
@settings(max_examples=3000, deadline=None)
def test_decimal_ties_and_their_neighbours_round_as_the_built_in(k: int, ndigits: int, ulps: int) -> None:
    # (k + 1/2) / 10**n is where the direction is decided; a few ulps either side is where a fast path
    # that trusted its floating-point product would go wrong
    value = (k + 0.5) / 10**ndigits
    for _ in range(abs(ulps)):
        value = math.nextafter(value, math.inf if ulps > 0 else -math.inf)
    assert same(round_float(value, ndigits), round(value, ndigits))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_the_built_ins(value: float) -> None:
    assert same(round_float(value, 2), round(value, 2))
