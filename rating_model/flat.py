"""The flat training-file format: one row per business, operating-data fields joined with ``__``.

Analysts keep labelled data as tables (CSV, Parquet) while the engine reads nested operating data, so this
module maps one onto the other. Lists become fixed columns (one group per fuel, travel mode, offset standard
and type, and refrigerant gas, and a single target), which is what lets every business share one header.
The mapping itself needs the standard library only, so a batch job on the serving side can read a flat
file without pandas; the frame helpers import pandas inside the function. Files are read and written by
:mod:`service.batch.flat_files` (and, a chunk at a time, :mod:`service.batch.files`): what is here is what
a file's name says about it and the dtypes its columns are read in, never the reading itself.

The column reference, with units and meanings, is ``docs/synthetic-population.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
from rating_model.flat_columns import (
    FLAT_COLUMNS,
    LABEL_COLUMN,
    LATENT_COLUMN,
    LIST_CELLS,
    LIST_SPECS,
    MISSING,
    FlatColumn,
    ListSpec,
    cell_value,
    is_number,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CSV_ENCODING",
    "EXTRA_COLUMNS",
    "FLAT_COLUMNS",
    "FLAT_DTYPES",
    "LABEL_COLUMN",
    "LATENT_COLUMN",
    "FlatColumn",
    "checked",
    "csv_compression",
    "csv_dtypes",
    "file_kind",
    "flatten",
    "payload_from_row",
    "payloads_from_frame",
    "typed_labels",
    "whole_payloads",
    "with_flat_dtypes",
]

#: how flat CSV files are read: UTF-8, with or without the byte-order mark that spreadsheet programs write
#: (read as plain UTF-8, a BOM would stick to the first column's name and make it unknown)
CSV_ENCODING = "utf-8-sig"
#: columns a labelled flat file may carry besides the operating data; they never reach the payload
EXTRA_COLUMNS: tuple[str, ...] = (LABEL_COLUMN, LATENT_COLUMN)
#: pandas dtype of every column a flat frame may hold (operating data, label, latent greenness)
FLAT_DTYPES: dict[str, str] = {c.name: c.dtype for c in FLAT_COLUMNS} | {
    LABEL_COLUMN: "Int64",
    LATENT_COLUMN: "float64",
}

_Items = dict[int, dict[str, Any]]  # the list items of one row being built, by column group
_BY_NAME: dict[str, FlatColumn] = {c.name: c for c in FLAT_COLUMNS}
_SCALAR_BY_PATH: dict[tuple[str, ...], str] = {c.path: c.name for c in FLAT_COLUMNS if c.list_path is None}
_LIST_BY_PATH: dict[tuple[str, ...], ListSpec] = {s.path: s for s in LIST_SPECS}
# every object level of the payload that the format knows (company, energy, energy.grid_factor, ...)
_OBJECTS: frozenset[tuple[str, ...]] = frozenset(
    path[:i] for path in (*_SCALAR_BY_PATH, *_LIST_BY_PATH) for i in range(len(path))
)


def flatten(payload: Mapping[str, Any], *, aggregate: bool = False) -> dict[str, Any]:
    """One flat row (column -> value) holding everything in ``payload``; values are copied, not checked.

    Parameters
    ----------
    payload:
        Operating data as JSON-like mappings (the request body of a rating).
    aggregate:
        The flat format holds one entry per fuel, fleet fuel, travel mode, offset standard/type and
        refrigerant gas, and no offset vintage. By default anything it cannot hold raises, so that a round
        trip never loses data silently. With ``aggregate=True`` duplicate fuels (same unit), travel modes,
        offsets and refrigerant gases are summed and offset vintages dropped, which keeps every total the
        rating uses.

    Returns
    -------
    dict
        Only the columns that have a value; ``None`` is "not given" and is left out.

    Raises
    ------
    InvalidInputError
        Naming the payload path the flat format cannot hold (unknown field, a second target, ...).
    """
    out: dict[str, Any] = {}
    _walk(payload, (), out, aggregate)
    return out


#: the last key of a list's path that the business may answer empty, and of the column that says so beside
#: it: the flat format's way of holding the API's ``"fuels": []`` (no fuel burned on site), ``"fleet": []``
#: (no vehicles), ``"business_travel": []`` (no business travel) and ``"refrigerants": []`` (none
#: recharged), which no item column can say
_NONE_COLUMN = {"fuels": "fuels_none", "fleet": "fleet_none", "business_travel": "travel_none",
                "refrigerants": "refrigerants_none"}
_LIST_OF_NONE_COLUMN = {column: key for key, column in _NONE_COLUMN.items()}
#: the error when a list's "none" column and its item columns contradict each other
_NONE_CONTRADICTED = {
    "fuels": "says no fuel is burned on site, but fuel quantities are given",
    "fleet": "says the business runs no vehicles, but vehicles are given",
    "business_travel": "says the business had no business travel, but passenger_km are given",
    "refrigerants": "says no refrigerant was recharged, but refrigerant kg are given",
}


def _walk(value: Any, path: tuple[str, ...], out: dict[str, Any], aggregate: bool) -> None:
    if value is None:
        return
    if path in _SCALAR_BY_PATH:
        out[_SCALAR_BY_PATH[path]] = value
    elif path in _LIST_BY_PATH:
        if path[-1] in _NONE_COLUMN and isinstance(value, list | tuple) and not value:
            out[_SCALAR_BY_PATH[(*path[:-1], _NONE_COLUMN[path[-1]])]] = True  # an answer: none
            return
        _flatten_list(_LIST_BY_PATH[path], value, out, aggregate)
    elif path in _OBJECTS:
        if not isinstance(value, Mapping):
            raise InvalidInputError(_dotted(path), "must be an object")
        for key, child in value.items():
            _walk(child, (*path, str(key)), out, aggregate)
    else:
        raise InvalidInputError(_dotted(path), "unknown field: the flat format has no column for it")


def _flatten_list(spec: ListSpec, items: Any, out: dict[str, Any], aggregate: bool) -> None:
    where = _dotted(spec.path)
    if not isinstance(items, Sequence) or isinstance(items, str | bytes):
        raise InvalidInputError(where, "must be a list")
    allowed = set(spec.identity) | set(spec.fields) | (set(spec.droppable) if aggregate else set())
    for index, item in enumerate(items):
        at = f"{where}.{index}"
        if not isinstance(item, Mapping):
            raise InvalidInputError(at, "must be an object")
        for key in item:
            if key not in allowed:
                hint = " (flatten(..., aggregate=True) drops it)" if key in spec.droppable else ""
                raise InvalidInputError(f"{at}.{key}", f"the flat format has no column for it{hint}")
        key_values = tuple(str(item.get(k)) for k in spec.identity)
        if spec.identity and key_values not in spec.keys:
            raise InvalidInputError(f"{at}.{spec.identity[-1]}", f"no flat column for {key_values!r}")
        if not spec.identity and index >= spec.max_items:
            raise InvalidInputError(at, f"the flat format holds at most {spec.max_items} item(s)")
        group = spec.group_prefix(key_values)
        duplicate = any(f"{group}__{f}" in out for f in spec.fields)
        if duplicate and not (aggregate and spec.summable):
            raise InvalidInputError(at, "a second entry for the same column group; give one entry per group")
        for field in spec.fields:
            value = item.get(field)
            if value is None:
                continue
            if field in LIST_CELLS and isinstance(value, list):
                value = ",".join(str(part) for part in value)  # the documented cell form, "1,2" or "CO2,CH4"
            column = f"{group}__{field}"
            if column in out and field in spec.summable and is_number(value) and is_number(out[column]):
                out[column] = out[column] + value
            elif column in out and out[column] != value:
                raise InvalidInputError(f"{at}.{field}", f"conflicts with an earlier entry ({out[column]!r})")
            else:
                out[column] = value


def payload_from_row(row: Mapping[str, Any], *, ignore_unknown: bool = False) -> dict[str, Any]:
    """The nested operating-data payload of one flat row; missing cells (None, NaN, NA, "") are dropped.

    Cells are converted to the JSON type of their column (``"1,2"`` scopes to ``[1, 2]``, numpy scalars to
    Python numbers, ``"true"`` to ``True``) so that rows from pandas or from :mod:`csv` both work. A cell
    that does not convert is passed on unchanged, for ``parse_operating_data`` to reject by its field path,
    rather than being guessed here.

    Parameters
    ----------
    row:
        Column name -> cell. ``label`` and ``latent_greenness`` are ignored.
    ignore_unknown:
        Skip columns that are not part of the format instead of raising (a typo would otherwise drop data).
    """
    columns: list[FlatColumn] = []
    cells: list[Any] = []
    for name, value in row.items():
        column = _BY_NAME.get(name)
        if column is None:
            if name in EXTRA_COLUMNS or ignore_unknown:
                continue
            raise InvalidInputError(str(name), "unknown column: not part of the flat operating-data format")
        columns.append(column)
        cells.append(value)
    return _build(columns, cells)


def _build(columns: Sequence[FlatColumn], cells: Sequence[Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    groups: _Items = {}
    for column, raw in zip(columns, cells, strict=True):
        if raw is not None:
            _place(payload, groups, column, cell_value(raw, column))
    return _finish(payload, groups)


def _place(payload: dict[str, Any], groups: _Items, column: FlatColumn, value: Any) -> None:
    """Put one converted cell into the payload, or into its list item (collected until :func:`_finish`)."""
    if value is MISSING:
        return
    if column.list_path is None:
        node = payload
        for key in column.path[:-1]:
            node = node.setdefault(key, {})
        if column.path[-1] in _LIST_OF_NONE_COLUMN:
            _say_none(node, column.path[-1], value)
            return
        node[column.path[-1]] = value
    else:
        groups.setdefault(column.group, dict(column.identity))[column.path[-1]] = value


def _finish(payload: dict[str, Any], groups: _Items) -> dict[str, Any]:
    """Append the collected list items in column order (fuels, fleet, travel, offsets as documented)."""
    said_none = {
        id(node[key]): key for node, key in _answerable_lists(payload) if node.get(key) == []
    }
    for group in sorted(groups):
        spec = LIST_SPECS[_GROUP_SPEC[group]]
        node = payload
        for key in spec.path[:-1]:
            node = node.setdefault(key, {})
        items = node.setdefault(spec.path[-1], [])
        if id(items) in said_none:
            key = said_none[id(items)]
            raise InvalidInputError("__".join((*spec.path[:-1], _NONE_COLUMN[key])), _NONE_CONTRADICTED[key])
        items.append(groups[group])
    return payload


def _say_none(node: dict[str, Any], column: str, value: Any) -> None:
    """A "none" cell (``fuels_none`` in an energy object, ``fleet_none`` in a transport object,
    ``refrigerants_none`` at the top): yes is the empty list (``"fuels": []``, ``"fleet": []``,
    ``"refrigerants": []``); no says nothing (there are some, none given); anything else is passed on for
    the parser to refuse by its path."""
    if value is True:
        node[_LIST_OF_NONE_COLUMN[column]] = []
    elif value is not False:
        node[column] = value


def _answerable_lists(payload: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The objects a row may hold a "none" answer in, with the list's key: this year's and the previous
    year's energy (fuels) and transport (fleet, business travel), and the row itself (refrigerants, this
    year's only)."""
    years = [payload, payload.get("previous_year") or {}]
    found = [(payload, "refrigerants")]
    for year in years:
        for section, key in (("energy", "fuels"), ("transport", "fleet"), ("transport", "business_travel")):
            node = year.get(section) if isinstance(year, dict) else None
            if isinstance(node, dict):
                found.append((node, key))
    return found


_GROUP_SPEC: dict[int, int] = {
    c.group: next(i for i, s in enumerate(LIST_SPECS) if s.path == c.list_path)
    for c in FLAT_COLUMNS
    if c.list_path is not None
}


def column_of(payload: Any, field: str) -> str | None:
    """The flat column a payload path inside a list stands for, in the row the payload was built from:
    ``transport.fleet.1.km`` of a row with diesel and electric vehicles is ``transport__fleet__electric__km``
    (the items follow the column groups given, so an index names no column by itself); the group's
    ``<group>__*`` for the item as a whole or its key (``transport.fleet.0.fuel``). ``None`` for a path
    outside the lists, whose dotted name is its column's, and for one the payload does not reach."""
    parts = field.split(".")
    for spec in LIST_SPECS:
        size = len(spec.path)
        if tuple(parts[:size]) != spec.path or len(parts) <= size or not parts[size].isdigit():
            continue
        node = payload
        for key in spec.path:
            node = node.get(key) if isinstance(node, Mapping) else None
        index = int(parts[size])
        if not isinstance(node, list) or index >= len(node) or not isinstance(node[index], Mapping):
            return None
        group = spec.group_prefix(tuple(str(node[index].get(k)) for k in spec.identity))
        rest = parts[size + 1:]
        return f"{group}__{rest[0]}" if len(rest) == 1 and rest[0] in spec.fields else f"{group}__*"
    return None


def flat_refusal(error: Exception, payload: Any) -> str:
    """A row's refusal as the batch writes it, ``field: reason``, with the flat column beside a list item's
    field (:func:`column_of`): "transport.fleet.0.km" alone did not say which fuel's columns to fix. A
    factor refused on a field (a refrigerant without a GWP100, fuel oil) names it too, as the API's 422
    does: the row had said the reason alone, and a book of many gases could not tell which to fix."""
    items = error.items if isinstance(error, InvalidInputErrors) else [error]
    if not all(isinstance(item, InvalidInputError | FactorNotFoundError) and item.field for item in items):
        return str(error)
    said = []
    for item in items:
        assert isinstance(item, InvalidInputError | FactorNotFoundError) and item.field is not None
        column = column_of(payload, item.field)
        where = item.field if column is None else f"{item.field} (column {column})"
        said.append(f"{where}: {item.message}")
    return "; ".join(said)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "_schema"


def payloads_from_frame(
    frame: pd.DataFrame, *, ignore_unknown: bool = False, batch_rows: int = 50_000
) -> Iterator[dict[str, Any] | InvalidInputError]:
    """The payload of every row of a flat frame, in order, without ``DataFrame.iterrows``.

    Rows are built a batch at a time, column by column, touching only the cells that hold a value: that
    is what makes a sparse synthetic frame fast to turn into payloads. Needs numpy (imported here).

    A row whose cells contradict each other (``fuels_none`` with fuel quantities) is yielded as its
    :class:`InvalidInputError`, in its place, for the caller to record against that row: raised here, it
    ended the whole book. A column outside the format still raises (it concerns every row).
    """
    import numpy as np

    unknown = [c for c in frame.columns if c not in _BY_NAME and c not in EXTRA_COLUMNS]
    if unknown and not ignore_unknown:
        raise InvalidInputError(str(unknown[0]), "unknown column: not part of the flat operating-data format")
    names = [c for c in frame.columns if c in _BY_NAME]
    for start in range(0, len(frame), batch_rows):
        part = frame.iloc[start : start + batch_rows]
        payloads: list[dict[str, Any]] = [{} for _ in range(len(part))]
        groups: list[_Items] = [{} for _ in range(len(part))]
        objects: dict[tuple[str, ...], list[dict[str, Any] | None]] = {}  # per object path, each row's dict
        for name in names:  # column by column, touching only the cells that hold a value
            values = part[name].array
            present = np.flatnonzero(~np.asarray(values.isna(), dtype=bool))
            if not len(present):
                continue
            column = _BY_NAME[name]
            cells = _converted(_present_cells(values, present), column)
            rows = present.tolist()
            if column.list_path is None:
                parents = column.path[:-1]
                level = objects.get(parents)
                if level is None:
                    level = objects[parents] = [None] * len(part)
                _place_plain(payloads, level, parents, rows, cells, column.path[-1])
            else:
                _place_items(groups, rows, cells, column)
        for payload, items in zip(payloads, groups, strict=True):
            try:
                finished = _finish(payload, items)
            except InvalidInputError as refused:
                yield refused
            else:
                yield finished


#: the NumPy type a column of each flat dtype reads its cells in, a missing cell as a placeholder that
#: :func:`_present_cells` never hands on
_NUMPY_CELLS: dict[str, tuple[str, Any]] = {"float64": ("float64", math.nan), "Int64": ("int64", 0),
                                            "boolean": ("bool", False)}


def _present_cells(values: Any, present: Any) -> list[Any]:
    """The cells of a column (a pandas array) at the positions ``present``, as Python objects.

    A column in its flat dtype is read as NumPy numbers or booleans and only its present cells become
    Python objects (``tolist`` makes the same ``float``, ``int`` and ``bool`` that an object array holds);
    any other column (text, a column left as read) through an object array, as pandas gives its cells.
    Converting every cell of a sparse column to an object and then keeping a few had been most of a
    chunk's cost before its rows were parsed.
    """
    numpy_cells = _NUMPY_CELLS.get(str(values.dtype))
    if numpy_cells is None:
        cells: list[Any] = values.to_numpy(dtype=object, na_value=None)[present].tolist()
        return cells
    kind, placeholder = numpy_cells
    numbers: list[Any] = values.to_numpy(dtype=kind, na_value=placeholder)[present].tolist()
    return numbers


def checked(payload: dict[str, Any] | InvalidInputError) -> dict[str, Any]:
    """One item of :func:`payloads_from_frame` as a payload, or the row's refusal raised (inside the
    caller's per-row ``try``, so it becomes that row's error)."""
    if isinstance(payload, InvalidInputError):
        raise payload
    return payload


def whole_payloads(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """:func:`payloads_from_frame` for a frame that must convert whole (generated data, benchmarks): the
    first row whose cells contradict each other raises instead of being handed on."""
    for payload in payloads_from_frame(frame):
        yield checked(payload)


#: the exact Python type pandas hands out for the cells of a well-typed column: such cells need no
#: conversion (floats only if not NaN, hence the ``cell == cell`` below)
_PLAIN_TYPE: dict[str, type] = {"float64": float, "Int64": int, "boolean": bool}


def _converted(cells: list[Any], column: FlatColumn) -> list[Any]:
    """:func:`cell_value` of every cell of one column, skipping the call for cells that are already plain."""
    if column.dtype == "string" and column.path[-1] not in LIST_CELLS:  # non-blank text is kept as it is
        return [cell if type(cell) is str and cell.strip() else cell_value(cell, column) for cell in cells]
    plain = _PLAIN_TYPE.get(column.dtype)
    return [cell if type(cell) is plain and cell == cell else cell_value(cell, column) for cell in cells]


def _place_plain(
    payloads: list[dict[str, Any]],
    level: list[dict[str, Any] | None],
    parents: tuple[str, ...],
    rows: list[int],
    cells: list[Any],
    leaf: str,
) -> None:
    """:func:`_place` for one plain column over many rows.

    ``level`` holds each row's object at ``parents`` (``company``, ``energy.grid_factor``...): created on
    the row's first value there exactly as :func:`_place` creates it, then reused by the object's other
    columns instead of walking the path again.
    """
    says_none = leaf in _LIST_OF_NONE_COLUMN  # the plain columns that are not a field of their object
    for i, value in zip(rows, cells, strict=True):
        if value is MISSING:
            continue
        node = level[i]
        if node is None:
            node = payloads[i]
            for key in parents:
                node = node.setdefault(key, {})
            level[i] = node
        if says_none:
            _say_none(node, leaf, value)
        else:
            node[leaf] = value


def _place_items(groups: list[_Items], rows: list[int], cells: list[Any], column: FlatColumn) -> None:
    """:func:`_place` for one list-item column over many rows."""
    group, identity, leaf = column.group, column.identity, column.path[-1]
    for i, value in zip(rows, cells, strict=True):
        if value is MISSING:
            continue
        items = groups[i]
        item = items.get(group)
        if item is None:
            item = items[group] = dict(identity)
        item[leaf] = value


def csv_dtypes(header: Iterable[str]) -> dict[str, str]:
    """The dtypes to read a flat CSV with this header in: every known column in its documented dtype, the
    label as text (typed by :func:`typed_labels` once read, so that a bad label is named by its row)."""
    dtypes = {c: FLAT_DTYPES[c] for c in header if c in FLAT_DTYPES}
    if LABEL_COLUMN in dtypes:
        dtypes[LABEL_COLUMN] = "object"
    return dtypes


def typed_labels(column: pd.Series) -> pd.Series:
    """The label column in its documented dtype when every cell reads as a whole number; otherwise as
    read, so that :func:`rating_model.labels.labels_of` names the first bad row (a typed read stopped at
    "Unable to parse string 'yes' at position 1", a 0-based position in no one's numbering)."""
    import pandas as pd

    try:
        return pd.to_numeric(column).astype(FLAT_DTYPES[LABEL_COLUMN])
    except (ValueError, TypeError):
        return column


def with_flat_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (as a Parquet file held it) with every known column in its documented dtype; columns
    outside the format as they are."""
    known = {c: FLAT_DTYPES[c] for c in frame.columns if c in FLAT_DTYPES}
    return frame.astype(known) if known else frame


#: the CSV file names of the format and the compression each name means, as pandas infers it when reading
_CSV_SUFFIXES: dict[str, str | None] = {
    ".csv": None, ".csv.gz": "gzip", ".csv.bz2": "bz2", ".csv.zip": "zip", ".csv.xz": "xz",
}


def file_kind(path: Path) -> str:
    """``"csv"`` or ``"parquet"`` from the file name (``.csv``, ``.csv.gz``..., ``.parquet``, ``.pq``)."""
    name = path.name.lower()
    if name.endswith(tuple(_CSV_SUFFIXES)):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise ValueError(f"{path}: unknown flat-file type; use .csv or .parquet")


def csv_compression(path: Path) -> str | None:
    """How a CSV file named ``path`` is compressed: ``"gzip"``, ``"bz2"``, ``"zip"``, ``"xz"`` or ``None``.

    The name decides, as it does when pandas reads the file back: a ``.csv.gz`` written as plain text
    could not be read again.
    """
    name = path.name.lower()
    return next((kind for suffix, kind in _CSV_SUFFIXES.items() if name.endswith(suffix)), None)
