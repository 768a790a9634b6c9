"""Labelled data: the one check of a ``label`` column that training, evaluation and validation share.

Kept apart from :mod:`rating_model.train`, which loads scikit-learn: ``greenrate model validate-data`` checks
a file with these alone.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from rating_model.exceptions import InvalidInputError

#: label texts accepted in a CSV read as text, as ``greenrate model validate-data`` accepts them
_LABEL_TEXT = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}


def _label(cell: Any) -> int | None:
    """0 or 1 for a valid label cell (number or text), None for anything else (blank, 'yes', 2, 0.5)."""
    if isinstance(cell, str):
        return _LABEL_TEXT.get(cell.strip())
    if isinstance(cell, numbers.Real) and cell in (0, 1):
        return 1 if cell == 1 else 0
    return None


def class_problem(y: np.ndarray) -> str | None:
    """Why 0/1 labels cannot be trained or evaluated on (no rows, one class), or None when they can.

    A scorecard's weights, its AUC and its KS all compare the two classes; with one of them absent,
    training fails deep inside scikit-learn and the metrics are NaN or infinite.
    """
    if len(y) == 0:
        return "there are no data rows"
    present = sorted({int(v) for v in np.unique(y)})
    if len(present) < 2:
        return (f"every row is labelled {present[0]}: both classes are needed (1 = green, 0 = not), "
                "to weigh the indicators and to measure AUC and KS")
    return None


def labels_of(frame: pd.DataFrame) -> np.ndarray:
    """The ``label`` column as 0/1 integers, or InvalidInputError saying why the frame cannot be used.

    The one check of labelled data that training, ``greenrate model evaluate``, ``compare``, ``report``
    and ``validate-data`` share: a label column, at least one row, every label exactly 0 or 1 (a blank,
    'yes' or 2 is named by its 1-based data row, as validate-data numbers rows) and both classes.
    """
    if "label" not in frame.columns:
        raise InvalidInputError("label", "the training data needs a label column (1 = green, 0 = not)")
    column = frame["label"]
    if pd.api.types.is_numeric_dtype(column.dtype):
        as_float = column.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero((as_float != 0) & (as_float != 1))
        y = np.where(as_float == 1, 1, 0)
    else:
        parsed = [_label(cell) for cell in column.tolist()]
        bad = np.asarray([i for i, v in enumerate(parsed) if v is None], dtype=np.intp)
        y = np.asarray([v or 0 for v in parsed], dtype=int)
    if len(bad):
        cell = column.iloc[int(bad[0])]
        shown = "is blank" if _label_is_blank(cell) else f"has {str(cell)!r}"
        more = f" (and {len(bad) - 1} more row(s))" if len(bad) > 1 else ""
        raise InvalidInputError("label", f"must be 0 or 1 on every row: row {bad[0] + 1} {shown}{more}")
    problem = class_problem(y)
    if problem is not None:
        raise InvalidInputError("label", problem)
    return y.astype(np.int64)


def _label_is_blank(cell: Any) -> bool:
    return cell is None or cell is pd.NA or (isinstance(cell, float) and cell != cell) or (
        isinstance(cell, str) and not cell.strip())
