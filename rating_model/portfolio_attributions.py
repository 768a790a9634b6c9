"""The portfolio summary's attribution cap: a borrower's emissions attributed at most once over its loans.

Each loan is attributed its share of its borrower's emissions as it is rated; whether a borrower's loans
together attribute more than the borrower's whole is known only at the end of the book. :class:`Attributions`
keeps what that needs per loan as the chunks arrive, and :class:`rating_model.portfolio.PortfolioAccumulator`
takes the excess it finds out of the financed emissions and their breakdowns (PCAF Part A).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rating_model.portfolio_breakdowns import FINANCED_SCOPES, floats

__all__ = ["Attributions"]

#: attribution factors are rounded to 12 significant figures per loan (rating_model.batch): a borrower's
#: sum may exceed 1 by this per loan without being above its whole
_ROUNDING_SLACK = 1e-9


class Attributions:
    """The loans' attribution factors by borrower, so that a borrower is attributed at most once.

    Each loan's factor is at most 1 on its own, but a borrower with several loans and no balance sheet
    (each attributed the whole borrower), or with loans above its equity + debt, would have its emissions
    counted more than once in the book's total. The loans' factors are summed per ``borrower_id`` at the
    end, and where a borrower's sum exceeds 1 its loans' financed emissions are scaled by 1 / sum (PCAF Part
    A: financed emissions are a share of the borrower's emissions). The scale is not a column of the
    results: it is known only once the book's last chunk is rated, after the rows are written; it is
    reproduced from them as 1 / the sum of ``attribution_factor`` over a ``borrower_id``'s counted rows
    (``duplicate_of_row`` empty) where that sum is above 1. Ids are kept as 64-bit hashes, with the
    factor, the five financed figures and four small group codes (attribution basis, industry, emissions
    source, reporting year): 64 bytes per loan, 64 MB for a million loans; a collision between two of a
    million ids has a probability near 3e-8.
    """

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, ...]] = []
        self.without_id = 0

    def add(self, chunk: pd.DataFrame, loan: np.ndarray, hashes: np.ndarray, present: np.ndarray,
            bases: np.ndarray, divisions: np.ndarray, sources: np.ndarray, years: np.ndarray) -> None:
        """Keep the attribution and financed emissions of the ``loan`` rows of ``chunk`` that have an id
        (``hashes`` and ``present`` from :func:`rating_model.book_checks.id_hashes`), with each row's
        attribution basis, industry, emissions source and reporting year (as small integer codes)."""
        has_id = loan & present
        self.without_id += int((loan & ~has_id).sum())
        if not has_id.any():
            return
        financed = np.column_stack(
            [np.nan_to_num(floats(chunk[column])[has_id]) for _, column in FINANCED_SCOPES]
        )
        self._parts.append(
            (
                hashes[has_id],
                np.nan_to_num(floats(chunk["attribution_factor"])[has_id]),
                financed,
                bases[has_id],
                divisions[has_id],
                sources[has_id],
                years[has_id],
            )
        )

    def excess(self) -> tuple[int, pd.DataFrame]:
        """Borrowers attributed more than once, and per loan of theirs the financed emissions above their
        whole (one column per :data:`FINANCED_SCOPES` key, with ``basis``, ``division``, ``source`` and
        ``year``)."""
        columns = [key for key, _ in FINANCED_SCOPES]
        none = pd.DataFrame(columns=[*columns, "basis", "division", "source", "year"])
        if not self._parts:
            return 0, none
        ids, factors = (np.concatenate([part[i] for part in self._parts]) for i in (0, 1))
        group = pd.Series(factors).groupby(ids, sort=False)
        sums = group.transform("sum").to_numpy()
        over = sums > 1.0 + _ROUNDING_SLACK * group.transform("size").to_numpy()
        if not over.any():
            return 0, none
        financed = np.concatenate([part[2] for part in self._parts])[over]
        above = 1.0 - 1.0 / sums[over]  # the share of each such loan's financed emissions above the cap
        excess = pd.DataFrame(financed * above[:, None], columns=columns)
        excess["basis"] = np.concatenate([part[3] for part in self._parts])[over]
        excess["division"] = np.concatenate([part[4] for part in self._parts])[over]
        excess["source"] = np.concatenate([part[5] for part in self._parts])[over]
        excess["year"] = np.concatenate([part[6] for part in self._parts])[over]
        return int(np.unique(ids[over]).size), excess
