"""The portfolio summary's movers: the borrowers whose score and grade moved since a previous run.

A bank rates its loan book again each period and asks who moved: the borrowers whose score rose or fell
most, and how many changed grade, from which grade to which. Borrowers are matched on ``borrower_id`` (a
borrower on several rows, one per loan, counts once: its first row), and only the current top ``n`` of
each list is kept as the chunks arrive, so that no book is held whole. ``new`` counts loan rows (as it
always has: clients read it so), ``new_borrowers`` the borrowers behind them, so that ``matched +
new_borrowers`` is the number of borrowers of this run the movers could match by id.
:class:`PreviousRun` is the run compared with; :class:`Movers` folds the result chunks in for
:class:`rating_model.portfolio.PortfolioAccumulator` and says its figures with their unit and basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rating_model.book_checks import BORROWER_ID
from rating_model.portfolio_breakdowns import figure, floats
from rating_model.standard import GRADES

__all__ = ["MOVER_COLUMNS", "Movers", "PreviousRun", "borrower_ids"]

#: the columns of a previous run the movers compare with
MOVER_COLUMNS: tuple[str, ...] = ("borrower_id", "score", "grade")
_ROWS = "rows"
_GRADE_RANK = {grade: i for i, grade in enumerate(GRADES)}
_MOVER_FIELDS = ("borrower_id", "row", "previous_score", "score", "change", "previous_grade", "grade")


def borrower_ids(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``borrower_id`` column as stripped strings, and which rows have one: an empty or blank cell is
    no id (a CSV book reads it as missing, a Parquet book as ``""``; both must mean the same)."""
    ids = frame[BORROWER_ID].astype("string").str.strip()
    present = (ids.notna() & (ids != "")).to_numpy(dtype=bool, na_value=False)
    return ids.astype(object).to_numpy(dtype=object), present


@dataclass(frozen=True, slots=True)
class PreviousRun:
    """The previous run's rated borrowers, by borrower id: what the top movers are measured against.

    Attributes
    ----------
    label:
        How the summary names the run compared with (the service uses the earlier portfolio's id).
    file_name:
        The file the run compared with was rated from, when the label does not say it
        (``compared_with_file``).
    chosen:
        How that run was chosen (``compared_with_basis``), when not by the user by name.
    ids:
        Unique borrower ids (a borrower listed on several rows keeps its first row).
    scores, grades:
        The previous score and grade of each id, aligned with ``ids``.
    """

    label: str
    ids: pd.Index
    scores: np.ndarray
    grades: np.ndarray
    file_name: str | None = None
    chosen: str | None = None

    @classmethod
    def from_frame(
        cls, label: str, frame: pd.DataFrame, *, file_name: str | None = None, chosen: str | None = None
    ) -> PreviousRun:
        """From a previous run's results (``borrower_id``, ``score``, ``grade``); unrated rows are dropped.

        Raises
        ------
        ValueError
            When the frame lacks one of :data:`MOVER_COLUMNS`.
        """
        missing = [c for c in MOVER_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"the previous run's results lack column(s) {', '.join(missing)}")
        ids, present = borrower_ids(frame)
        keep = frame["score"].notna().to_numpy(dtype=bool) & present
        rated = frame.loc[keep, list(MOVER_COLUMNS)].assign(**{BORROWER_ID: ids[keep]})
        rated = rated.drop_duplicates(BORROWER_ID, keep="first")
        return cls(
            label=label,
            ids=pd.Index(rated[BORROWER_ID].to_numpy(dtype=object)),
            scores=floats(rated["score"]),
            grades=rated["grade"].astype(object).to_numpy(dtype=object),
            file_name=file_name,
            chosen=chosen,
        )


class Movers:
    """Score changes against a previous run, keeping only the current top ``n`` of each list."""

    def __init__(self, previous: PreviousRun, top_n: int) -> None:
        self.previous = previous
        self.top_n = top_n
        self.matched = np.zeros(len(previous.ids), dtype=bool)
        self.new_rows = 0
        self.without_id = 0  # rated rows without a borrower_id: matched with nothing, new to no count
        self._new = np.empty(0, dtype=np.uint64)  # sorted hashes of the new borrowers' ids
        self.transitions: dict[tuple[str, str], int] = {}
        self.rises = pd.DataFrame(columns=list(_MOVER_FIELDS))
        self.falls = pd.DataFrame(columns=list(_MOVER_FIELDS))
        self.regraded = pd.DataFrame(columns=[*_MOVER_FIELDS, "steps", "size", "abs_change"])

    def add(
        self,
        ids: np.ndarray,
        rows: np.ndarray,
        scores: np.ndarray,
        grades: np.ndarray,
        *,
        without_id: int = 0,
    ) -> None:
        """Fold in the rated rows with a ``borrower_id`` of one chunk; ``without_id``: the chunk's rated rows
        without one, which cannot be matched and are only said in the basis."""
        self.without_id += without_id
        positions = self.previous.ids.get_indexer(ids)
        found = positions >= 0
        self.new_rows += int((~found).sum())
        if not found.all():
            # a new borrower with several loans is one borrower: its ids' hashes, kept across chunks
            self._new = np.union1d(self._new, pd.util.hash_array(ids[~found].astype(object)))
        # A borrower on several rows (one row per loan) counts once: its first row in the file.
        candidates = np.flatnonzero(found)
        _, first = np.unique(positions[candidates], return_index=True)
        candidates = candidates[np.sort(first)]
        candidates = candidates[~self.matched[positions[candidates]]]
        if not len(candidates):
            return
        at = positions[candidates]
        self.matched[at] = True
        frame = pd.DataFrame(
            {
                "borrower_id": ids[candidates],
                "row": rows[candidates],
                "previous_score": self.previous.scores[at],
                "score": scores[candidates],
                "previous_grade": self.previous.grades[at],
                "grade": grades[candidates],
                "steps": np.array([_rank(g) for g in self.previous.grades[at]], dtype=np.int64)
                - np.array([_rank(g) for g in grades[candidates]], dtype=np.int64),
            }
        )
        frame["change"] = (frame["score"] - frame["previous_score"]).round(4)
        pairs = frame.groupby(["previous_grade", "grade"], sort=False).size()
        for (before, after), count in pairs.items():
            key = (str(before), str(after))
            self.transitions[key] = self.transitions.get(key, 0) + int(count)
        self.rises = self._top(self.rises, frame[frame["change"] > 0], "change", ascending=False)
        self.falls = self._top(self.falls, frame[frame["change"] < 0], "change", ascending=True)
        moved = frame[frame["steps"] != 0].copy()
        moved["size"] = moved["steps"].abs()
        moved["abs_change"] = moved["change"].abs()
        self.regraded = self._top(self.regraded, moved, ["size", "abs_change"], ascending=False)

    def _top(
        self, kept: pd.DataFrame, new: pd.DataFrame, by: str | list[str], *, ascending: bool
    ) -> pd.DataFrame:
        """The best ``top_n`` of the kept and the new rows; ties go to the earlier row of the file."""
        if not len(new):
            return kept
        both = pd.concat([kept, new]) if len(kept) else new
        keys = [by] if isinstance(by, str) else by
        order = [ascending] * len(keys) + [True]
        return both.sort_values([*keys, "row"], ascending=order, kind="stable").head(self.top_n)

    def summary(self) -> dict[str, Any]:
        upgraded = sum(n for (a, b), n in self.transitions.items() if _rank(b) < _rank(a))
        downgraded = sum(n for (a, b), n in self.transitions.items() if _rank(b) > _rank(a))
        matched = int(self.matched.sum())
        table: dict[str, dict[str, int]] = {}
        for (before, after), count in sorted(
            self.transitions.items(), key=lambda kv: (_rank(kv[0][0]), _rank(kv[0][1]))
        ):
            table.setdefault(before, {})[after] = count
        said = {"compared_with_file": self.previous.file_name, "compared_with_basis": self.previous.chosen}
        return {
            "available": True,
            "compared_with": self.previous.label,
            **{key: text for key, text in said.items() if text is not None},
            "unit": "score points (0-100 scale); change = this run's score - the previous run's score",
            "basis": (
                "rated rows matched on borrower_id with the previous run's rated rows; a borrower on "
                "several rows counts once (its first row) in every count but new, which counts rows; "
                f"{self.without_id} rated rows without a borrower_id cannot be matched and are in no count"
            ),
            "top_n": self.top_n,
            "matched": figure(matched, "borrowers", "borrowers rated in both runs"),
            "new": figure(
                self.new_rows,
                _ROWS,
                "rated rows whose borrower_id the previous run did not rate: one per loan, so a new "
                "borrower with several loans counts once per loan (see new_borrowers)",
            ),
            "new_borrowers": figure(
                len(self._new),
                "borrowers",
                "distinct borrower_ids of this run's rated rows that the previous run did not rate, each "
                "counted once however many loans it has (matched + new_borrowers: the borrowers of this "
                "run with a borrower_id); rated rows without a borrower_id are not counted",
            ),
            "not_rated_now": figure(
                len(self.matched) - matched,
                "borrowers",
                "borrowers the previous run rated that have no rated row in this run",
            ),
            "rises": _records(self.rises),
            "falls": _records(self.falls),
            "grade_changes": {
                "unit": "borrowers",
                "basis": "matched borrowers by previous grade -> grade (after knock-outs); "
                "largest: most grade steps, then largest score change",
                "upgraded": upgraded,
                "downgraded": downgraded,
                "unchanged": matched - upgraded - downgraded,
                "transitions": table,
                "largest": _records(self.regraded, with_steps=True),
            },
        }


def _rank(grade: str) -> int:
    return _GRADE_RANK.get(grade, len(GRADES))


def _records(frame: pd.DataFrame, *, with_steps: bool = False) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        item = {
            "borrower_id": str(rec["borrower_id"]),
            "row": int(rec["row"]),
            "previous_score": float(rec["previous_score"]),
            "score": float(rec["score"]),
            "change": float(rec["change"]),
            "previous_grade": str(rec["previous_grade"]),
            "grade": str(rec["grade"]),
        }
        if with_steps:
            item["grade_steps"] = int(rec["steps"])  # positive: better grade now
        out.append(item)
    return out
