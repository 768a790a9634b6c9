"""Checks across the rows of a whole loan book: one borrower with two sets of data, one loan on two rows.

A row is rated on its own, but some of its contradictions show only beside other rows: a ``borrower_id``
listed with different operating data or balance sheet (which row's emissions are the borrower's?), a
``loan_id`` given twice, and a row repeated cell for cell (the same loan counted twice in the
outstanding, whether or not the book has a ``loan_id`` column). None refuses a row, since the bank's ledger
may be right and the book's extract wrong; each is flagged on every row concerned
(:func:`rating_model.batch.rate_frame`'s ``borrower_data_conflict``, ``duplicate_loan_id`` and
``duplicate_row``), so an analyst can filter them, and counted in the portfolio summary. A row that repeats
an earlier one (the same ``loan_id``, or every cell the same) also names that earlier row
(``duplicate_of_row``): the summary counts the loan once, at its first row, and says how much it left out.

A book is read in chunks, so the checks are made in passes over the whole book first
(:class:`BookScanner`), keeping 64-bit hashes (of each id, of a few cells of each row, and of each
candidate row's cells), and handed to the rating of each chunk as :class:`BookChecks`: the flagged ids
and rows only, a few in a sound book, in sorted arrays (a book of identical rows flags every row: 8 bytes
each, and a chunk rated in another process is sent only its own rows' part, :meth:`BookChecks.for_rows`).
Two different ids or rows sharing a hash among a million rows has
a probability near 3e-8.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rating_model.flat import FLAT_DTYPES

__all__ = [
    "BORROWER_ID", "BORROWER_LOAN_COLUMNS", "LOAN_ID", "UNCHECKED", "BookChecks", "BookScanner", "id_hashes",
    "scan_book",
]

BORROWER_ID = "borrower_id"
#: the optional pass-through column naming each loan; it is checked for uniqueness, never required
LOAN_ID = "loan_id"


def id_hashes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of an id column's stripped text, and which rows have an id (a blank cell has none).

    Absent column: no row has an id.
    """
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.uint64), np.zeros(len(frame), dtype=bool)
    ids = frame[column].astype("string").str.strip()
    present = (ids.notna() & (ids != "")).to_numpy(dtype=bool, na_value=False)
    hashes = pd.util.hash_array(ids.fillna("").astype(object).to_numpy(dtype=object))
    return hashes, present


#: the loan's columns that are the borrower's: its balance sheet, compared across its rows like its
#: operating data (one borrower with two balance sheets attributes its emissions by whichever row is read)
BORROWER_LOAN_COLUMNS = frozenset({"loan__borrower_equity_plus_debt", "loan__borrower_total_assets"})
#: cells that tell most rows apart and are cheap to hash: only rows that agree on all of them (and on
#: their ids) are digested whole, in the second pass, to find rows repeated cell for cell
_KEY_COLUMNS = ("loan__outstanding", "loan__amount", "company__annual_revenue", "energy__electricity_kwh")


def _borrower_column(name: str) -> bool:
    return name in FLAT_DTYPES and (not name.startswith("loan__") or name in BORROWER_LOAN_COLUMNS)


def _normalised(frame: pd.DataFrame, names: Iterable[str]) -> dict[str, pd.Series]:
    """Each column as the digests compare it: flat numbers as float64, text (and any other column)
    stripped, so that a chunk whose column was typed and one whose column stayed as read (a bad cell
    elsewhere in it, :mod:`rating_model.book_chunks`) digest alike."""
    parts: dict[str, pd.Series] = {}
    for name in names:
        series = frame[name]
        if FLAT_DTYPES.get(name, "string") == "string":
            parts[name] = series.astype("string").str.strip()
        else:
            if str(series.dtype) == "boolean":
                series = series.astype("Float64")
            parts[name] = pd.to_numeric(series, errors="coerce").astype("float64")
    return parts


def _digest(frame: pd.DataFrame, parts: dict[str, pd.Series]) -> np.ndarray:
    if not parts:
        return np.zeros(len(frame), dtype=np.uint64)
    digests: np.ndarray = pd.util.hash_pandas_object(
        pd.DataFrame(parts, index=frame.index), index=False
    ).to_numpy()
    return digests


def data_digests(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit digest of what each row says of its borrower: every flat column but the loan's, and the
    borrower's balance sheet (:data:`BORROWER_LOAN_COLUMNS`), which a loan row carries."""
    return _digest(frame, _normalised(frame, sorted(c for c in frame.columns if _borrower_column(str(c)))))


def row_digests(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit digest of every cell of each row (pass-through columns included, compared as text)."""
    return _digest(frame, _normalised(frame, sorted(str(c) for c in frame.columns)))


def _row_keys(frame: pd.DataFrame, ids: Iterable[np.ndarray]) -> np.ndarray:
    """A cheap 64-bit key of each row from :data:`_KEY_COLUMNS` and the hashes of its ids (``ids``, from
    :func:`id_hashes`, already computed: hashing text is the costly part): equal for equal rows."""
    keys = _digest(frame, _normalised(frame, [c for c in _KEY_COLUMNS if c in frame.columns]))
    for hashes in ids:
        keys = (keys * np.uint64(0x9E3779B97F4A7C15)) ^ hashes
    return keys


def _no_rows() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def _no_ids() -> np.ndarray:
    return np.zeros(0, dtype=np.uint64)


def _frozen(values: Any, dtype: type) -> np.ndarray:
    """``values`` as a read-only 1-d array of ``dtype`` (a view: the caller's array stays as it was)."""
    array: np.ndarray = np.asarray(values, dtype=dtype).reshape(-1).view()
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, eq=False)
class BookChecks:
    """What the whole book says about each id and row: the hashes of ids and the rows to flag.

    Everything is held in sorted NumPy arrays (8 bytes an entry, read-only), not Python sets of ints
    (about 70 bytes an entry, and as many objects to pickle): a book of 10,000,000 identical rows, tiny
    as a Parquet file, flags every row, and each chunk rated in another process is sent only the rows of
    the checks that fall in it (:meth:`for_rows`). Compared by identity (``eq=False``): arrays have no
    single truth value to compare with.

    Attributes
    ----------
    conflicting_borrowers:
        Hashes (sorted ``uint64``) of the borrower ids listed with different operating data or balance
        sheets.
    duplicate_loans:
        Hashes (sorted ``uint64``) of the loan ids given on more than one row.
    has_loan_id:
        Whether the book has a ``loan_id`` column (without one, ``duplicate_loan_id`` is empty).
    checked:
        ``False``: the book was not scanned as a whole (:data:`UNCHECKED`), and the flags are empty
        rather than checked against one chunk only.
    repeated_rows:
        The positions in the book (sorted ``int64``) of every row repeated cell for cell elsewhere in it.
    later_rows, first_rows:
        Each row that repeats an earlier one (the same ``loan_id``, or every cell; sorted ``int64``), and
        at the same index the position of the first such row.
    """

    conflicting_borrowers: np.ndarray = field(default_factory=_no_ids)
    duplicate_loans: np.ndarray = field(default_factory=_no_ids)
    has_loan_id: bool = False
    checked: bool = True
    repeated_rows: np.ndarray = field(default_factory=_no_rows)
    later_rows: np.ndarray = field(default_factory=_no_rows)
    first_rows: np.ndarray = field(default_factory=_no_rows)

    def __post_init__(self) -> None:
        for name, dtype in (("conflicting_borrowers", np.uint64), ("duplicate_loans", np.uint64),
                            ("repeated_rows", np.int64), ("later_rows", np.int64),
                            ("first_rows", np.int64)):
            object.__setattr__(self, name, _frozen(getattr(self, name), dtype))
        if self.later_rows.shape != self.first_rows.shape:
            raise ValueError("later_rows and first_rows must have the same length")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # through the constructor, so that the arrays are read-only in the process that unpickles them
        return (BookChecks, (self.conflicting_borrowers, self.duplicate_loans, self.has_loan_id,
                             self.checked, self.repeated_rows, self.later_rows, self.first_rows))

    def for_rows(self, first_row: int, n: int) -> BookChecks:
        """The checks of rows ``first_row`` to ``first_row + n - 1`` only: what a chunk rated in another
        process is sent, so that what is pickled with it grows with the chunk, not with the book.
        :meth:`flags` gives the same for those rows as on the whole checks."""
        lo, hi = np.searchsorted(self.repeated_rows, (first_row, first_row + n))
        later_lo, later_hi = np.searchsorted(self.later_rows, (first_row, first_row + n))
        return BookChecks(self.conflicting_borrowers, self.duplicate_loans, self.has_loan_id, self.checked,
                          self.repeated_rows[lo:hi], self.later_rows[later_lo:later_hi],
                          self.first_rows[later_lo:later_hi])

    def flags(self, frame: pd.DataFrame, first_row: int = 0) -> dict[str, Any]:
        """The flag columns of the rows of ``frame`` (a chunk of the book whose first row is ``first_row``):
        ``borrower_data_conflict`` and ``duplicate_loan_id`` (empty where the row has no id to check),
        ``duplicate_row`` and ``duplicate_of_row`` (a list, ``None`` for a row that repeats none)."""
        n, checked = len(frame), self.checked
        lo, hi = np.searchsorted(self.repeated_rows, (first_row, first_row + n))
        repeated = np.zeros(n, dtype=bool)
        repeated[self.repeated_rows[lo:hi] - first_row] = True
        lo, hi = np.searchsorted(self.later_rows, (first_row, first_row + n))
        first_of: list[int | None] = [None] * n
        for row, first in zip((self.later_rows[lo:hi] - first_row).tolist(), self.first_rows[lo:hi].tolist(),
                              strict=True):
            first_of[row] = first
        return {
            "borrower_data_conflict": _flag(frame, BORROWER_ID, self.conflicting_borrowers, checked),
            "duplicate_loan_id": _flag(frame, LOAN_ID, self.duplicate_loans, checked and self.has_loan_id),
            "duplicate_row": pd.arrays.BooleanArray(repeated, np.full(n, not checked)),
            "duplicate_of_row": first_of,
        }


#: for a path that rates parts of a book it cannot see whole (Spark's batches): the flags stay empty
UNCHECKED = BookChecks(has_loan_id=False, checked=False)


def _flag(frame: pd.DataFrame, column: str, flagged: np.ndarray, checked: bool) -> pd.arrays.BooleanArray:
    hashes, present = id_hashes(frame, column)
    values = np.isin(hashes, flagged)
    return pd.arrays.BooleanArray(values & present, ~present | (not checked))


class BookScanner:
    """Collects a book's ids and row keys chunk by chunk, then the digests of the rows that need one;
    :meth:`checks` says what to flag.

    Two passes, since digesting every row cost 6 µs a row (a sixth of a 1,000,000-row batch's rating
    time) and a sound book has few rows to compare: the first pass hashes the ids and a few cells of each
    row (:meth:`add`); the second (:meth:`add_data`, when :meth:`compare` asks for it) digests the
    operating data of the rows of repeated borrowers, and every cell of the rows whose ids and key cells
    repeat. Chunks are added in book order, in both passes; ``first_row`` is the first one's position.
    """

    def __init__(self, first_row: int = 0) -> None:
        self._first_row = first_row
        self._next = first_row  # the position of the next chunk's first row, in the pass under way
        self._borrowers: list[np.ndarray] = []
        self._pairs: list[pd.DataFrame] = []
        self._loans: list[tuple[np.ndarray, np.ndarray]] = []  # (hashes, positions) of rows with a loan id
        self._keys: list[np.ndarray] = []
        self._copies: list[pd.DataFrame] = []
        self._repeated_borrowers = np.zeros(0, dtype=np.uint64)
        self._repeated_keys = np.zeros(0, dtype=np.uint64)
        self._chunk = 0  # the index of the next chunk in the second pass
        self.has_loan_id = False

    def add(self, frame: pd.DataFrame) -> None:
        """Fold one chunk's ids and row keys in (typed as :func:`rating_model.book_chunks.as_frame` types
        it)."""
        positions = np.arange(self._next, self._next + len(frame), dtype=np.int64)
        self._next += len(frame)
        borrowers, has_borrower = id_hashes(frame, BORROWER_ID)
        self._borrowers.append(borrowers[has_borrower])
        ids = [borrowers]
        if LOAN_ID in frame.columns:
            self.has_loan_id = True
            loans, has_loan = id_hashes(frame, LOAN_ID)
            self._loans.append((loans[has_loan], positions[has_loan]))
            ids.append(loans)
        self._keys.append(_row_keys(frame, ids))

    def compare(self) -> bool:
        """After the first pass: whether a second is needed (a borrower id or a row key repeats)."""
        self._next, self._chunk = self._first_row, 0
        self._repeated_borrowers = _repeated(self._borrowers)
        self._repeated_keys = _repeated(self._keys)
        return bool(self._repeated_borrowers.size or self._repeated_keys.size)

    def add_data(self, frame: pd.DataFrame) -> None:
        """Fold in the digests of one chunk's rows that :meth:`compare` singled out."""
        positions = np.arange(self._next, self._next + len(frame), dtype=np.int64)
        self._next += len(frame)
        borrowers, has_borrower = id_hashes(frame, BORROWER_ID)
        rows = has_borrower & np.isin(borrowers, self._repeated_borrowers)
        if rows.any():
            pairs = pd.DataFrame({"id": borrowers[rows], "data": data_digests(frame[rows])})
            self._pairs.append(pairs.drop_duplicates())
        rows = np.isin(self._keys[self._chunk], self._repeated_keys)
        self._chunk += 1
        if rows.any():
            self._copies.append(pd.DataFrame({"digest": row_digests(frame[rows]), "row": positions[rows]}))

    def checks(self) -> BookChecks:
        conflicting = _no_ids()
        if self._pairs:
            pairs = pd.concat(self._pairs).drop_duplicates()
            counts = pairs.groupby("id", sort=False).size()
            conflicting = np.sort(counts.index[counts.to_numpy() > 1].to_numpy(dtype=np.uint64))
        repeated = _no_rows()
        later, first_of = [_no_rows()], [_no_rows()]  # rows repeating an earlier one, and that one
        if self._copies:
            copies = pd.concat(self._copies, ignore_index=True)
            group = copies.groupby("digest", sort=False)["row"]
            size, first = group.transform("size").to_numpy(), group.transform("min").to_numpy()
            rows = copies["row"].to_numpy(dtype=np.int64)
            repeated = np.sort(rows[size > 1])
            later.append(rows[rows != first])
            first_of.append(first[rows != first].astype(np.int64))
        duplicates = _no_ids()
        if self._loans:
            ids = np.concatenate([hashes for hashes, _ in self._loans])
            positions = np.concatenate([rows for _, rows in self._loans])
            unique, first, counts = np.unique(ids, return_index=True, return_counts=True)
            duplicates = unique[counts > 1]
            if duplicates.size:
                # the same loan on a later row: its first row, whatever the rest of the row says (listed
                # after the copies' first rows, so that it is the one kept for a row that is both)
                twice = np.isin(ids, duplicates)
                earliest = positions[first][np.searchsorted(unique, ids[twice])]
                rows = positions[twice]
                later.append(rows[rows != earliest])
                first_of.append(earliest[rows != earliest])
        later_rows, first_rows = _last_per_row(np.concatenate(later), np.concatenate(first_of))
        return BookChecks(conflicting, duplicates, self.has_loan_id, True, repeated, later_rows, first_rows)


def _last_per_row(rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` sorted, each once, with its value: the last given for it where a row is given twice."""
    order = np.argsort(rows, kind="stable")
    rows, values = rows[order], values[order]
    last = np.ones(rows.size, dtype=bool)
    last[:-1] = rows[1:] != rows[:-1]
    return rows[last], values[last]


def _repeated(parts: list[np.ndarray]) -> np.ndarray:
    """The hashes that occur more than once in ``parts``."""
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(parts), return_counts=True)
    repeated: np.ndarray = values[counts > 1]
    return repeated


def scan_book(frames: Callable[[], Iterable[pd.DataFrame]], first_row: int = 0) -> BookChecks:
    """The checks of a whole book, whose typed frames ``frames()`` gives afresh for each pass, in book
    order (the first row at position ``first_row``): the ids and row keys first, then, only if an id or a
    key repeats, the digests of the rows concerned."""
    scanner = BookScanner(first_row)
    for frame in frames():
        scanner.add(frame)
    if scanner.compare():
        for frame in frames():
            scanner.add_data(frame)
    return scanner.checks()
