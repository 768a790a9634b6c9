"""Checks across the rows of a whole loan book: one borrower with two sets of data, one loan id twice.

A row is rated on its own, but two of its contradictions show only beside other rows: a ``borrower_id``
listed with different operating data (which row's emissions are the borrower's?), and a ``loan_id`` given
twice (a loan counted twice in the outstanding). Neither refuses a row, since the bank's ledger may be
right and the book's extract wrong; both are flagged on every row concerned
(:func:`rating_model.batch.rate_frame`'s ``borrower_data_conflict`` and ``duplicate_loan_id``), so an
analyst can filter them, and counted in the portfolio summary.

A book is read in chunks, so the checks are made in passes over the whole book first
(:class:`BookScanner`), keeping 64-bit hashes (of each id, and of each repeated borrower's operating
data), and handed to the rating of each chunk as :class:`BookChecks`: the flagged ids only, a few in a
sound book. Two different
ids or data sharing a hash among a million rows has a probability near 3e-8.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rating_model.flat import FLAT_DTYPES

__all__ = ["BORROWER_ID", "LOAN_ID", "UNCHECKED", "BookChecks", "BookScanner", "id_hashes", "scan_book"]

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


def data_digests(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit digest of each row's operating data: every flat column but the loan's.

    Numbers are compared as float64 and text stripped, so a chunk whose column was typed and one whose
    column stayed as read (a bad cell elsewhere in it, :mod:`rating_model.book_chunks`) digest alike.
    """
    names = sorted(c for c in frame.columns if c in FLAT_DTYPES and not str(c).startswith("loan__"))
    parts: dict[str, pd.Series] = {}
    for name in names:
        series = frame[name]
        if FLAT_DTYPES[name] == "string":
            parts[name] = series.astype("string").str.strip()
        else:
            if str(series.dtype) == "boolean":
                series = series.astype("Float64")
            parts[name] = pd.to_numeric(series, errors="coerce").astype("float64")
    if not parts:
        return np.zeros(len(frame), dtype=np.uint64)
    digests: np.ndarray = pd.util.hash_pandas_object(
        pd.DataFrame(parts, index=frame.index), index=False
    ).to_numpy()
    return digests


@dataclass(frozen=True, slots=True)
class BookChecks:
    """What the whole book says about each id: the hashes of ids to flag.

    Attributes
    ----------
    conflicting_borrowers:
        Hashes of the borrower ids listed with different operating data.
    duplicate_loans:
        Hashes of the loan ids given on more than one row.
    has_loan_id:
        Whether the book has a ``loan_id`` column (without one, ``duplicate_loan_id`` is empty).
    checked:
        ``False``: the book was not scanned as a whole (:data:`UNCHECKED`), and both flags are empty
        rather than checked against one chunk only.
    """

    conflicting_borrowers: frozenset[int]
    duplicate_loans: frozenset[int]
    has_loan_id: bool
    checked: bool = True

    def flags(self, frame: pd.DataFrame) -> tuple[pd.arrays.BooleanArray, pd.arrays.BooleanArray]:
        """``borrower_data_conflict`` and ``duplicate_loan_id`` for the rows of ``frame`` (a chunk of the
        book): empty where the row has no id to check."""
        return (
            _flag(frame, BORROWER_ID, self.conflicting_borrowers, self.checked),
            _flag(frame, LOAN_ID, self.duplicate_loans, self.checked and self.has_loan_id),
        )


#: for a path that rates parts of a book it cannot see whole (Spark's batches): the flags stay empty
UNCHECKED = BookChecks(frozenset(), frozenset(), has_loan_id=False, checked=False)


def _flag(frame: pd.DataFrame, column: str, flagged: frozenset[int], checked: bool) -> pd.arrays.BooleanArray:
    hashes, present = id_hashes(frame, column)
    values = np.isin(hashes, np.fromiter(flagged, dtype=np.uint64, count=len(flagged)))
    return pd.arrays.BooleanArray(values & present, ~present | (not checked))


class BookScanner:
    """Collects a book's ids chunk by chunk, then the data digests of the rows whose borrower id repeats;
    :meth:`checks` says what to flag.

    Two passes, since digesting every row's operating data cost 6 µs a row (a sixth of a 1,000,000-row
    batch's rating time) and a book of one loan per borrower has no row to compare: the first pass hashes
    the ids (:meth:`add`), the second digests only the rows of repeated borrowers (:meth:`add_data`).
    """

    def __init__(self) -> None:
        self._borrowers: list[np.ndarray] = []
        self._pairs: list[pd.DataFrame] = []
        self._loans: list[np.ndarray] = []
        self.has_loan_id = False

    def add(self, frame: pd.DataFrame) -> None:
        """Fold one chunk's ids in (typed as :func:`rating_model.book_chunks.as_frame` types it)."""
        borrowers, has_borrower = id_hashes(frame, BORROWER_ID)
        self._borrowers.append(borrowers[has_borrower])
        if LOAN_ID in frame.columns:
            self.has_loan_id = True
            loans, has_loan = id_hashes(frame, LOAN_ID)
            self._loans.append(loans[has_loan])

    def repeated_borrowers(self) -> np.ndarray:
        """The hashes of the borrower ids on more than one row of the chunks added."""
        if not self._borrowers:
            return np.zeros(0, dtype=np.uint64)
        ids, counts = np.unique(np.concatenate(self._borrowers), return_counts=True)
        repeated: np.ndarray = ids[counts > 1]
        return repeated

    def add_data(self, frame: pd.DataFrame, repeated: np.ndarray) -> None:
        """Fold in the data digests of one chunk's rows whose borrower id is in ``repeated``."""
        borrowers, has_borrower = id_hashes(frame, BORROWER_ID)
        rows = has_borrower & np.isin(borrowers, repeated)
        if rows.any():
            part = frame[rows]
            pairs = pd.DataFrame({"id": borrowers[rows], "data": data_digests(part)})
            self._pairs.append(pairs.drop_duplicates())

    def checks(self) -> BookChecks:
        conflicting: frozenset[int] = frozenset()
        if self._pairs:
            pairs = pd.concat(self._pairs).drop_duplicates()
            counts = pairs.groupby("id", sort=False).size()
            conflicting = frozenset(int(h) for h in counts.index[counts.to_numpy() > 1])
        duplicates: frozenset[int] = frozenset()
        if self._loans:
            ids, counts = np.unique(np.concatenate(self._loans), return_counts=True)
            duplicates = frozenset(int(h) for h in ids[counts > 1])
        return BookChecks(conflicting, duplicates, self.has_loan_id)


def scan_book(frames: Callable[[], Iterable[pd.DataFrame]]) -> BookChecks:
    """The checks of a whole book, whose typed frames ``frames()`` gives afresh for each pass: the ids
    first, then, only if a borrower id repeats, the digests of its rows."""
    scanner = BookScanner()
    for frame in frames():
        scanner.add(frame)
    repeated = scanner.repeated_borrowers()
    if repeated.size:
        for frame in frames():
            scanner.add_data(frame, repeated)
    return scanner.checks()
