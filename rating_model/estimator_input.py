"""What the scorecard estimators accept: a declared parameter table, typed columns and a binary target.

Shared by :class:`~rating_model.binning.MonotoneBinner` and :class:`~rating_model.scorecard.Scorecard`
so both read a DataFrame or an array the same way, and so the estimator and the JSON artifact agree on
what "missing" and "category" mean (the category key itself is defined once, in
:func:`rating_model.artifact.category_key`). Training-side only: imports scikit-learn (and pandas when
it is handed a DataFrame).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import validate_data

from rating_model.scoring_table import category_key, float_column

NUMERIC = "numeric"
CATEGORICAL = "categorical"
DIRECTIONS = ("increasing", "decreasing")

Column = NDArray[Any]


@dataclass(frozen=True)
class Constraint:
    """One admissible form of a parameter: a description for the error message and a predicate."""

    description: str
    accepts: Callable[[Any], bool]


def options(*values: object) -> Constraint:
    """The parameter is one of ``values`` (compared with ``==``; ``None`` allowed if listed)."""
    return Constraint(
        f"one of {values!r}", lambda v: any(v is o or (o is not None and v == o) for o in values)
    )


def integer(low: int, high: int | None = None) -> Constraint:
    """An integer (not a bool) in ``[low, high]``."""
    text = f"an int in [{low}, {high}]" if high is not None else f"an int >= {low}"
    return Constraint(
        text,
        lambda v: (
            isinstance(v, numbers.Integral)
            and not isinstance(v, bool)
            and int(v) >= low
            and (high is None or int(v) <= high)
        ),
    )


def real(low: float, high: float, *, closed_low: bool = True) -> Constraint:
    """A real number (not a bool) in ``[low, high]`` (or ``(low, high]``)."""
    text = f"a float in {'[' if closed_low else '('}{low}, {high}]"
    return Constraint(
        text,
        lambda v: (
            isinstance(v, numbers.Real)
            and not isinstance(v, bool)
            and (float(v) >= low if closed_low else float(v) > low)
            and float(v) <= high
        ),
    )


def instance_of(kind: type | tuple[type, ...], text: str) -> Constraint:
    """Any instance of ``kind``."""
    return Constraint(text, lambda v: isinstance(v, kind))


def validate_params(estimator: BaseEstimator, table: Mapping[str, Sequence[Constraint]]) -> None:
    """Check every parameter against its declared constraints; called once at the top of ``fit``.

    ``__init__`` stores parameters untouched (``clone`` and ``set_params`` bypass it), so ``fit`` is the
    one place where a bad value can be caught before it turns into a confusing numpy error.
    """
    params = estimator.get_params(deep=False)
    for name, allowed in table.items():
        value = params[name]
        if not any(c.accepts(value) for c in allowed):
            expected = " or ".join(c.description for c in allowed)
            raise ValueError(
                f"The {name!r} parameter of {type(estimator).__name__} must be {expected}. "
                f"Got {value!r} instead."
            )


def _is_frame(X: object) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "dtypes") and hasattr(X, "columns")


def _auto_kinds(X: Any, arr: NDArray[Any]) -> list[str]:
    """Non-numeric DataFrame dtypes (object, pandas string, category) and text columns are categorical."""
    if _is_frame(X):
        from pandas.api.types import is_numeric_dtype

        return [NUMERIC if is_numeric_dtype(dt) and str(dt) != "category" else CATEGORICAL for dt in X.dtypes]
    if arr.dtype.kind in "UST":
        return [CATEGORICAL] * arr.shape[1]
    if arr.dtype.kind == "O":
        return [
            CATEGORICAL if any(isinstance(v, str) for v in arr[:, j]) else NUMERIC
            for j in range(arr.shape[1])
        ]
    return [NUMERIC] * arr.shape[1]


def resolve_kinds(
    X: Any, arr: NDArray[Any], names: Sequence[str], categorical_features: Sequence[str | int] | None
) -> list[str]:
    """Each column's kind: the declared list when given (names or indices), else detected from dtypes."""
    if categorical_features is None:
        return _auto_kinds(X, arr)
    kinds = [NUMERIC] * len(names)
    for item in categorical_features:
        if isinstance(item, str):
            if item not in names:
                raise ValueError(
                    f"categorical feature {item!r} is not a column of X (columns: {list(names)})"
                )
            kinds[list(names).index(item)] = CATEGORICAL
        elif (
            isinstance(item, numbers.Integral)
            and not isinstance(item, bool)
            and -len(names) <= item < len(names)
        ):
            kinds[int(item)] = CATEGORICAL
        else:
            raise ValueError(f"categorical feature {item!r} is neither a column name nor a column index")
    return kinds


def _numeric(values: Any, name: str) -> NDArray[np.float64]:
    if hasattr(values, "to_numpy"):
        values = values.to_numpy(dtype=object if values.dtype == object else np.float64, na_value=np.nan)
    out = float_column(values, name)
    if np.isinf(out).any():
        raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
    return out


def _categorical(values: Any) -> NDArray[np.object_]:
    if hasattr(values, "isna"):
        missing = values.isna().to_numpy(dtype=bool)
        values = values.to_numpy(dtype=object)
        return np.array(
            [None if m else category_key(v) for v, m in zip(values, missing, strict=True)], dtype=object
        )
    return np.array([category_key(v) for v in values], dtype=object)


def read_columns(
    estimator: BaseEstimator,
    X: Any,
    y: Any = None,
    *,
    reset: bool,
    kinds: Sequence[str] | None = None,
    categorical_features: Sequence[str | int] | None = None,
) -> tuple[list[Column], list[str], NDArray[Any] | None]:
    """Validate ``X`` (and ``y`` when given) and split ``X`` into typed columns.

    Returns ``(columns, kinds, y)``: numeric columns as float64 with NaN for missing, categorical columns
    as object arrays of category keys with ``None`` for missing. At ``fit`` (``reset=True``) the kinds are
    resolved from ``categorical_features``; afterwards the fitted ``kinds`` are imposed, so a column never
    changes kind between training and scoring (the pandas 3 string dtype cannot flip it).
    """
    check = {"dtype": None, "ensure_all_finite": False, "reset": reset}
    if reset:
        arr, y_out = validate_data(estimator, X, y, **check)
        check_classification_targets(y_out)
    else:
        arr, y_out = validate_data(estimator, X, **check), None
    n_features = arr.shape[1]
    names = [str(c) for c in X.columns] if _is_frame(X) else [f"x{j}" for j in range(n_features)]
    if kinds is None:
        kinds = resolve_kinds(X, arr, names, categorical_features)
    columns: list[Column] = []
    for j, kind in enumerate(kinds):
        raw = X.iloc[:, j] if _is_frame(X) else arr[:, j]
        columns.append(_numeric(raw, names[j]) if kind == NUMERIC else _categorical(raw))
    return columns, list(kinds), y_out


def binary_target(y: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.float64]]:
    """``(classes, y01)``: the two sorted labels and the 0/1 target, event = ``classes[1]``.

    Sorting follows scikit-learn's ``classes_`` convention, so with labels 0/1 the event is 1 and with
    "bad"/"good" it is "good".
    """
    y_type = type_of_target(y, input_name="y", raise_unknown=True)
    classes, encoded = np.unique(y, return_inverse=True)
    if y_type != "binary" or classes.size != 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {y_type} "
            f"({classes.size} class(es): {classes[:5].tolist()}); a scorecard needs two classes."
        )
    return classes, encoded.astype(np.float64)
