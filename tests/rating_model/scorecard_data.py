"""Synthetic tabular data with known directions, missing values and rare categories for scorecard tests."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

DIRECTIONS = {"size": "increasing", "debt": "decreasing", "staff": "increasing"}
SECTORS = ("retail", "food", "tech", "farm", "mining", "fishing")
SECTOR_EFFECT = {"retail": 0.0, "food": -0.4, "tech": 0.9, "farm": 0.3, "mining": -1.0, "fishing": 0.5}


def mixed_frame(n: int = 800, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two informative numeric features, one weak one, and a categorical one with two rare categories.

    ``debt`` is 10% missing (own missing bin), ``size`` 1% missing (below ``missing_min_share``: the
    lowest-WOE rule applies), ``sector`` 4% missing and stored with pandas' string dtype.
    """
    rng = np.random.default_rng(seed)
    size = rng.lognormal(3.0, 1.0, n)
    debt = rng.uniform(0.0, 1.0, n)
    staff = rng.integers(1, 50, n).astype(float)
    sector = rng.choice(SECTORS, n, p=[0.35, 0.3, 0.2, 0.11, 0.02, 0.02])
    logit = 0.9 * np.log(size) - 2.5 - 2.5 * debt + np.vectorize(SECTOR_EFFECT.get)(sector) + 0.01 * staff
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    debt[rng.random(n) < 0.10] = np.nan
    size[rng.random(n) < 0.01] = np.nan
    sector_col = pd.array(np.where(rng.random(n) < 0.04, None, sector), dtype="string")
    frame = pd.DataFrame({"size": size, "debt": debt, "staff": staff, "sector": sector_col})
    return frame, y


@cache
def fitted_card(**params: Any) -> Any:
    """One fitted Scorecard per parameter set, shared by tests (fitting is deterministic)."""
    from rating_model.scorecard import Scorecard

    X, y = mixed_frame()
    return Scorecard(directions=DIRECTIONS, random_state=0, **params).fit(X, y)


def row_values() -> Any:
    """Hypothesis strategy for one row: any value, missing, NaN or an unseen category per feature."""
    from hypothesis import strategies as st

    number = st.one_of(
        st.none(),
        st.just(float("nan")),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.integers(-1000, 1000),
    )
    category = st.one_of(st.none(), st.sampled_from(SECTORS), st.text(max_size=8))
    return st.fixed_dictionaries({"size": number, "debt": number, "staff": number, "sector": category})
