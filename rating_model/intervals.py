"""The confidence interval of an observed rate, in plain Python: the promotion gate reads it in the service,
where the training tools (pandas, SciPy) are never loaded."""

from __future__ import annotations

import math

#: z of a two-sided 95 % interval
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a rate (95 % by default).

    Unlike the normal approximation it stays within [0, 1] and is honest about a handful of rows: 3 green
    of 3 reads 0.44 to 1, not 1 to 1.

    Parameters
    ----------
    successes : int
        Rows with the event (green), from 0 to ``n``.
    n : int
        Rows; at least 1.
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"an interval needs 0 <= successes <= n and n >= 1, got {successes} of {n}")
    rate = successes / n
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
