"""Checking a labelled training file against the documented flat format, problem by problem.

An analyst's file fails in many small ways at once (a typo in a header, "yes" in a label column, a unit
the engine does not know on row 40,311), so every problem is collected with its row and column instead of
stopping at the first. Cells are read as text (:func:`service.batch.flat_files.read_as_text`: the file is
read by the service, the frame checked here) and converted by the same code training uses, so a file
that validates is a file that trains, and the rows reported are exactly the rows training would skip.
Training only: imports pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rating_model.exceptions import (
    FactorNotFoundError,
    InvalidInputError,
    InvalidInputErrors,
    RatingModelError,
)
from rating_model.flat import EXTRA_COLUMNS, FLAT_COLUMNS, LABEL_COLUMN, checked, payloads_from_frame
from rating_model.flat_columns import LIST_SPECS
from rating_model.indicators import IndicatorSet
from rating_model.operating_data_reader import parse_operating_data
from rating_model.pipeline import measure_data
from rating_model.standard import Standard

_COLUMNS = {c.name for c in FLAT_COLUMNS}
_LABELS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: 1-based data row (``None`` for the whole file), the column or field path, the message."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return f"{where}, {self.column}: {self.message}"


def _column_of(field: str, payload: Mapping[str, Any]) -> str:
    """The flat column a payload field path came from, else the field path itself.

    Scalars map directly (``energy.electricity_kwh``); a list item's field is found through the item's
    identity (``energy.fuels.0.unit`` of a natural-gas item is ``energy__fuel__natural_gas__unit``).
    """
    name = field.replace(".", "__")
    if name in _COLUMNS:
        return name
    parts = field.split(".")
    for spec in LIST_SPECS:
        n = len(spec.path)
        if tuple(parts[:n]) == spec.path and len(parts) == n + 2 and parts[n].isdigit():
            node: Any = payload
            for key in spec.path:
                node = node.get(key, {}) if isinstance(node, Mapping) else {}
            items = node if isinstance(node, list) else []
            index = int(parts[n])
            if index < len(items) and isinstance(items[index], Mapping):
                keys = tuple(str(items[index].get(k)) for k in spec.identity)
                column = f"{spec.group_prefix(keys)}__{parts[n + 1]}"
                if column in _COLUMNS:
                    return column
    return field


def _row_problems(row: int, exc: RatingModelError, payload: Mapping[str, Any]) -> Iterator[Problem]:
    if isinstance(exc, InvalidInputErrors):
        for field, messages in exc.errors.items():
            for message in messages:
                yield Problem(row, _column_of(field, payload), message)
    elif isinstance(exc, InvalidInputError):
        yield Problem(row, _column_of(exc.field, payload), exc.message)
    elif isinstance(exc, FactorNotFoundError):
        yield Problem(row, _column_of(exc.field or "_schema", payload), exc.message)
    else:
        yield Problem(row, "_schema", str(exc))


def validate_frame(frame: pd.DataFrame, standard: Standard, *, require_label: bool = True,
                   progress: Callable[[int], None] | None = None, every: int = 2_000) -> list[Problem]:
    """Every problem of a flat frame: unknown columns, labels, and each row the engine cannot rate.

    Rows are parsed and measured with the service's own pipeline (as training does), so a value the
    engine refuses (unknown unit, no emission factor) is reported by its row and column.
    """
    problems: list[Problem] = []
    unknown = [c for c in frame.columns if c not in _COLUMNS and c not in EXTRA_COLUMNS]
    problems += [Problem(None, str(c), "unknown column: not part of the flat operating-data format")
                 for c in unknown]
    if require_label and LABEL_COLUMN not in frame.columns:
        problems.append(Problem(None, LABEL_COLUMN,
                                "missing: the label column (1 = green, 0 = not) is required"))
    elif LABEL_COLUMN in frame.columns:
        for i, cell in enumerate(frame[LABEL_COLUMN].tolist(), start=1):
            text = "" if cell is None or cell is pd.NA or cell != cell else str(cell).strip()
            if text not in _LABELS:
                problems.append(Problem(i, LABEL_COLUMN, f"must be 0 or 1, got {text or 'nothing'!r}"))
    indicators = IndicatorSet(standard)
    uses = standard.use_of_proceeds
    for i, payload in enumerate(payloads_from_frame(frame, ignore_unknown=True), start=1):
        try:
            measure_data(parse_operating_data(checked(payload), use_of_proceeds=uses), standard, indicators)
        except RatingModelError as exc:
            problems.extend(_row_problems(i, exc, payload if isinstance(payload, dict) else {}))
        if progress is not None and i % every == 0:
            progress(every)
    if progress is not None:
        progress(len(frame) % every)
    return problems
