"""MonotoneBinner: scikit-learn contract, monotone WOE, missing and unseen policies, DataFrame handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from rating_model.binning import MonotoneBinner
from rating_model.woe import MISSING_LOWEST, MISSING_OWN, OTHER_LABEL
from tests.rating_model.scorecard_data import DIRECTIONS, mixed_frame


@parametrize_with_checks(
    [
        MonotoneBinner(default_direction="increasing"),
        MonotoneBinner(default_direction="decreasing", max_bins=3, unseen_category="lowest"),
    ]
)
def test_sklearn_contract(estimator: MonotoneBinner, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=20, max_size=200),
    seed=st.integers(0, 2**16),
    direction=st.sampled_from(["increasing", "decreasing"]),
    max_bins=st.integers(2, 8),
)
def test_woe_is_strictly_monotone_in_the_declared_direction(
    x: list[float], seed: int, direction: str, max_bins: int
) -> None:
    values = np.asarray(x)
    y = np.random.default_rng(seed).integers(0, 2, values.size)
    y[:2] = [0, 1]
    bins = MonotoneBinner(default_direction=direction, max_bins=max_bins).fit(values[:, None], y).bins_["x0"]
    sign = 1 if direction == "increasing" else -1
    assert (np.diff(bins.woe) * sign > 0).all()
    assert (np.diff(np.asarray(bins.events) / np.asarray(bins.counts)) * sign > 0).all()
    assert len(bins.counts) <= max_bins
    assert list(bins.edges) == sorted(set(bins.edges))
    assert sum(bins.counts) == values.size


def test_edges_are_lower_inclusive() -> None:
    X = np.repeat(np.arange(10.0), 10)[:, None]
    y = (X[:, 0] >= 5).astype(int)
    binner = MonotoneBinner(default_direction="increasing", min_bin_share=0.1).fit(X, y)
    assert binner.bins_["x0"].edges == (5.0,)
    woe = binner.transform(np.array([[4.999], [5.0], [5.001]]))[:, 0]
    assert woe[0] < woe[1] == woe[2]


def test_missing_bin_gets_own_woe_only_with_enough_rows() -> None:
    X, y = mixed_frame()
    binner = MonotoneBinner(directions=DIRECTIONS).fit(X, y)
    debt, size, staff = binner.bins_["debt"], binner.bins_["size"], binner.bins_["staff"]
    assert debt.missing_rule == MISSING_OWN and debt.missing_count > 0
    # 1% missing is below missing_min_share=5%: scored like the lowest bin, never better.
    assert size.missing_rule == MISSING_LOWEST and size.missing_count > 0
    assert size.missing_woe == min(size.woe)
    assert staff.missing_count == 0 and staff.missing_woe == min(staff.woe)
    row = pd.DataFrame({"size": [np.nan], "debt": [np.nan], "staff": [np.nan], "sector": [None]})
    woe = binner.transform(row)[0]
    assert woe[0] == size.missing_woe and woe[1] == debt.missing_woe and woe[2] == staff.missing_woe


def test_rare_categories_are_pooled_and_unseen_follow_the_rule() -> None:
    X, y = mixed_frame()
    sector = MonotoneBinner(directions=DIRECTIONS).fit(X, y).bins_["sector"]
    assert OTHER_LABEL in sector.labels
    other = sector.labels.index(OTHER_LABEL)
    assert sector.categories["mining"] == sector.categories["fishing"] == other
    assert list(sector.woe) == sorted(sector.woe)  # categorical bins ordered by WOE
    unseen_row = pd.DataFrame({"size": [10.0], "debt": [0.5], "staff": [3.0], "sector": ["space"]})
    as_missing = MonotoneBinner(directions=DIRECTIONS).fit(X, y)
    as_lowest = MonotoneBinner(directions=DIRECTIONS, unseen_category="lowest").fit(X, y)
    assert as_missing.transform(unseen_row)[0, 3] == as_missing.bins_["sector"].missing_woe
    lowest = as_lowest.bins_["sector"]
    assert as_lowest.transform(unseen_row)[0, 3] == min(*lowest.woe, lowest.missing_woe)


def test_dataframe_dtypes_of_pandas_3_are_read_by_kind() -> None:
    X, y = mixed_frame(300)
    X = X.assign(sector_cat=X["sector"].astype("category"), count=pd.array([1, None, 3] * 100, dtype="Int64"))
    binner = MonotoneBinner(directions={**DIRECTIONS, "count": "increasing"}).fit(X, y)
    kinds = {name: b.kind for name, b in binner.bins_.items()}
    assert kinds == {
        "size": "numeric",
        "debt": "numeric",
        "staff": "numeric",
        "sector": "categorical",
        "sector_cat": "categorical",
        "count": "numeric",
    }
    assert binner.bins_["count"].missing_count == 100
    assert list(binner.get_feature_names_out()) == list(X.columns)
    assert binner.transform(X).shape == (300, 6)


def test_categorical_features_by_index_on_object_arrays() -> None:
    X, y = mixed_frame(300)
    arr = X.astype(object).where(X.notna(), None).to_numpy()
    binner = MonotoneBinner(
        default_direction="increasing", directions={1: "decreasing"}, categorical_features=[3]
    ).fit(arr, y)
    assert [b.kind for b in binner.bins_.values()] == ["numeric"] * 3 + ["categorical"]
    assert binner.bins_["x1"].direction == "decreasing"


def test_a_column_declared_by_name_and_index_alike_is_accepted() -> None:
    X, y = mixed_frame(300)
    binner = MonotoneBinner(directions={**DIRECTIONS, 0: DIRECTIONS["size"]}).fit(X, y)
    assert binner.bins_["size"].direction == DIRECTIONS["size"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"directions": {"size": "increasing"}}, "needs a declared direction"),
        ({"directions": {**DIRECTIONS, "sise": "increasing"}}, "unknown feature"),
        # "size" is column 0: declared both ways, the index's word had been dropped without a word
        ({"directions": {**DIRECTIONS, 0: "decreasing"}}, "declared twice"),
        ({"directions": {**DIRECTIONS, "sector": "increasing"}}, "takes no direction"),
        ({"directions": DIRECTIONS, "max_bins": 1}, "'max_bins' parameter"),
        ({"directions": DIRECTIONS, "unseen_category": "zero"}, "'unseen_category' parameter"),
        ({"directions": DIRECTIONS, "min_bin_share": 0.0}, "'min_bin_share' parameter"),
        ({"directions": DIRECTIONS, "default_direction": "auto"}, "'default_direction' parameter"),
        ({"directions": DIRECTIONS, "categorical_features": ["nope"]}, "not a column"),
    ],
)
def test_bad_configuration_is_refused_at_fit(params: dict[str, object], message: str) -> None:
    X, y = mixed_frame(200)
    with pytest.raises(ValueError, match=message):
        MonotoneBinner(**params).fit(X, y)  # type: ignore[arg-type]


def test_target_must_be_binary() -> None:
    X, _ = mixed_frame(90)
    with pytest.raises(ValueError, match="Only binary classification"):
        MonotoneBinner(directions=DIRECTIONS).fit(X, np.arange(90) % 3)


def test_text_in_a_numeric_column_is_refused_not_parsed() -> None:
    X, y = mixed_frame(200)
    binner = MonotoneBinner(directions=DIRECTIONS).fit(X, y)
    bad = X.head(2).astype({"staff": object})
    bad.loc[bad.index[0], "staff"] = "3"
    with pytest.raises(ValueError, match="got text"):
        binner.transform(bad)


def test_every_public_method_of_an_unfitted_binner_says_not_fitted() -> None:
    """typed_columns and woe_matrix are public: before fit they raise NotFittedError, not AttributeError."""
    from sklearn.exceptions import NotFittedError

    X, _ = mixed_frame()
    binner = MonotoneBinner(directions=DIRECTIONS)
    for call in (lambda: binner.typed_columns(X), lambda: binner.woe_matrix([]), lambda: binner.transform(X),
                 lambda: binner.get_feature_names_out()):
        with pytest.raises(NotFittedError):
            call()
