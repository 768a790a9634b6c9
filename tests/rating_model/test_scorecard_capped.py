"""A capped missing bin: the WOE the regression was fitted on and the WOE served, each recorded as such."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from rating_model.artifact import ScorecardArtifact
from rating_model.binning import MonotoneBinner
from rating_model.scorecard import Scorecard
from rating_model.woe import MISSING_CAPPED, MISSING_LOWEST, MISSING_OWN

DIRECTIONS = {"x": "increasing", "noise": "increasing", "rare": "increasing"}


@cache
def _data() -> tuple[pd.DataFrame, np.ndarray]:
    """``x`` is left blank by 40 % of the rows at random (the blanks' green rate is the average, far above
    x's worst bin: the cap lowers it); ``rare`` is blank on 1 % (too few for an own WOE: rule "lowest")."""
    rng = np.random.default_rng(7)
    n = 6_000
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-1.5 * x))).astype(int)
    x[rng.random(n) < 0.4] = np.nan
    rare = rng.normal(size=n)
    rare[rng.random(n) < 0.01] = np.nan
    return pd.DataFrame({"x": x, "noise": rng.normal(size=n), "rare": rare}), y


def _missing(card: Scorecard, name: str) -> dict[str, object]:
    feature = next(f for f in card.to_artifact({})["features"] if f["name"] == name)
    return dict(feature["stats"]["missing"])


def test_a_capped_missing_bin_records_the_woe_it_was_fitted_on_and_says_it_is_capped() -> None:
    """The artifact recorded the capped WOE under ``rule: "own"`` beside the blanks' own event rate (the
    default model's emissions_change: WOE -1.046 beside an event rate of 0.332, whose own WOE is -0.07),
    and the WOE the coefficient was fitted on nowhere."""
    X, y = _data()
    capped = Scorecard(directions=DIRECTIONS, missing_cap="lowest", random_state=0).fit(X, y)
    uncapped = Scorecard(directions=DIRECTIONS, random_state=0).fit(X, y)
    record, own = _missing(capped, "x"), _missing(uncapped, "x")
    assert own["rule"] == MISSING_OWN and own["fitted_woe"] == own["woe"]
    assert record["rule"] == MISSING_CAPPED
    assert record["fitted_woe"] == own["woe"]  # the blanks' own WOE, which the coefficient was fitted on
    worst = min(next(f for f in capped.features_ if f["name"] == "x")["stats"]["woe"])
    assert record["woe"] == worst < record["fitted_woe"]  # the WOE the points are scaled from
    assert record["event_rate"] == own["event_rate"] and record["count"] == own["count"]
    # a bin the cap leaves alone keeps its rule, and serves the WOE it was fitted on
    for name, rule in (("noise", MISSING_LOWEST), ("rare", MISSING_LOWEST)):
        kept = _missing(capped, name)
        assert kept["rule"] == rule and kept["fitted_woe"] == kept["woe"], name
    ScorecardArtifact.from_dict(capped.to_artifact({}))  # verifies


def test_the_fitted_state_says_which_woe_was_fitted_and_which_is_served() -> None:
    """``coef_`` is the regression on each missing bin's ``missing_uncapped_woe``; ``binner_`` serves
    (``transform``) the capped ``missing_woe``."""
    X, y = _data()
    card = Scorecard(directions=DIRECTIONS, missing_cap="lowest", random_state=0).fit(X, y)
    bins = card.binner_.bins_["x"]
    assert bins.missing_rule == MISSING_CAPPED and bins.missing_woe < bins.missing_uncapped_woe
    served = card.binner_.transform(X)
    blank = X["x"].isna().to_numpy()
    assert (served[blank, 0] == bins.missing_woe).all()
    fitted = served.copy()
    for j, b in enumerate(card.binner_.bins_.values()):
        column = X.iloc[:, j].isna().to_numpy()
        fitted[column, j] = b.missing_uncapped_woe
    active = card.coef_ > 0
    # re-derived with another solver, converged: lbfgs at its default tol had stopped 0.09 short on "rare"
    model = LogisticRegression(C=card.C, solver="newton-cg", tol=1e-10).fit(fitted[:, active], y)
    np.testing.assert_allclose(model.coef_[0], card.coef_[active], rtol=1e-6)
    on_served = LogisticRegression(C=card.C, solver="newton-cg", tol=1e-10).fit(served[:, active], y)
    assert not np.allclose(on_served.coef_[0], card.coef_[active], rtol=1e-3)  # not fitted on those


def test_the_binner_marks_a_bin_it_caps_and_keeps_its_own_woe() -> None:
    X, y = _data()
    capped = MonotoneBinner(directions=DIRECTIONS, missing_cap="lowest").fit(X, y).bins_
    plain = MonotoneBinner(directions=DIRECTIONS).fit(X, y).bins_
    assert capped["x"].missing_rule == MISSING_CAPPED and plain["x"].missing_rule == MISSING_OWN
    assert capped["x"].missing_uncapped_woe == plain["x"].missing_woe == plain["x"].missing_uncapped_woe
    assert capped["x"].missing_woe == min(capped["x"].woe)
    assert capped["rare"] == plain["rare"]  # rule "lowest": nothing to cap
