"""``round_float`` is the built-in ``round(x, ndigits)`` for floats, to the bit: ties, near-ties, signs of
zero, huge and tiny values, NaN and infinities, and arbitrary doubles."""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rating_model.rounding import round_float


def same(a: float, b: float) -> bool:
    """The same double: bit patterns compared, so -0.0 differs from 0.0 and NaN equals NaN."""
    return struct.pack("<d", a) == struct.pack("<d", b)


#: Hypothesis' examples per property: its generator favours the awkward doubles (boundaries, subnormals,
#: near-integers) and shrinks a failure; the bulk of the comparisons is the seeded sweeps below, whose cases
#: cost a microsecond each where a Hypothesis example costs milliseconds (3,000 examples a test took 5-10 s).
EXAMPLES = 300
#: the sweeps' doubles from random bit patterns (mostly huge or tiny: the built-in's slow path, ~30 µs a
#: call), of the magnitudes a rating meets, and the random k of the decimal ties
PATTERNS, MAGNITUDES, TIES = 1_000, 10_000, 600


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=0, max_value=10))
@settings(max_examples=EXAMPLES, deadline=None)
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


def test_arbitrary_doubles_round_as_the_built_in_in_a_seeded_sweep() -> None:
    # every bit pattern is a double (NaNs, infinities and subnormals included), but most are huge or tiny;
    # the magnitudes a rating meets, 1e-6 to 1e12 of either sign, are swept as well; every ndigits for each
    rng = random.Random(20261207)
    patterns = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(PATTERNS)]
    magnitudes = [rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(-6.0, 12.0) for _ in range(MAGNITUDES)]
    wrong = [(value, ndigits) for value in patterns + magnitudes for ndigits in range(11)
             if not same(round_float(value, ndigits), round(value, ndigits))]
    assert wrong == []


def _tie_neighbourhood(k: int) -> list[tuple[float, int]]:
    """(k + 1/2) / 10**n for every n of the fast path, and up to 4 ulps either side of it."""
    cases = []
    for ndigits in range(9):
        tie = (k + 0.5) / 10**ndigits
        cases.append((tie, ndigits))
        for direction in (math.inf, -math.inf):
            value = tie
            for _ in range(4):
                value = math.nextafter(value, direction)
                cases.append((value, ndigits))
    return cases


@given(st.integers(min_value=-(10**12), max_value=10**12))
@settings(max_examples=EXAMPLES, deadline=None)
def test_decimal_ties_and_their_neighbours_round_as_the_built_in(k: int) -> None:
    # (k + 1/2) / 10**n is where the direction is decided; a few ulps either side is where a fast path
    # that trusted its floating-point product would go wrong
    for value, ndigits in _tie_neighbourhood(k):
        assert same(round_float(value, ndigits), round(value, ndigits)), (value, ndigits)


def test_decimal_ties_round_as_the_built_in_in_a_seeded_sweep() -> None:
    # small k (the figures of a rating) and k anywhere up to 10**12, every ndigits and ulp offset for each
    rng = random.Random(7)
    ks = list(range(-200, 200)) + [rng.randint(-(10**12), 10**12) for _ in range(TIES)]
    wrong = [(value, ndigits) for k in ks for value, ndigits in _tie_neighbourhood(k)
             if not same(round_float(value, ndigits), round(value, ndigits))]
    assert wrong == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_the_built_ins(value: float) -> None:
    assert same(round_float(value, 2), round(value, 2))
