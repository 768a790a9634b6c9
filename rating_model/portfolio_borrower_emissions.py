"""The portfolio summary's borrower emissions: each borrower's own gross emissions, counted once.

Beside the financed emissions (each loan's attributed share, PCAF Part A), a bank reviews the gross
footprint of the companies it lends to. A borrower with three loans is three rows of the book and one
company, so its emissions count once, from its first rated row (a ``borrower_id`` listed elsewhere with
other operating data is flagged as ``borrower_data_conflict``); a row without an id counts on its own.
Which ids are already counted is known only across chunks: :class:`BorrowerEmissions` keeps them as
sorted 64-bit hashes as the chunks arrive, for :class:`rating_model.portfolio.PortfolioAccumulator`, and
says its figures with their unit and basis. Pure computation over the columns of
:func:`rating_model.batch.result_schema`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rating_model.portfolio_breakdowns import RATED_ROWS, SCOPE3_CATEGORIES, figure, floats

__all__ = ["BorrowerEmissions"]

#: the gross emission columns summed (``{key}_tco2e``), with how the summary names each
_GROSS = {
    "scope1": "Scope 1",
    "scope2_location": "Scope 2 location-based",
    "scope2_market": "Scope 2 market-based",
    "scope3": "Scope 3 (categories with data)",
    "total": "Scopes 1 + 2 (location) + 3",
}


class BorrowerEmissions:
    """The gross emissions of the rated rows' borrowers, each ``borrower_id`` once (its first rated row)."""

    def __init__(self) -> None:
        self.gross = dict.fromkeys(_GROSS, 0.0)
        self.rows = self.without_id = 0
        self._seen = np.empty(0, dtype=np.uint64)  # sorted hashes of the ids already counted

    def add(
        self, chunk: pd.DataFrame, rated: np.ndarray, hashes: np.ndarray, present: np.ndarray
    ) -> np.ndarray:
        """Add the gross emissions of each borrower once: the first rated row of each ``borrower_id``
        (``hashes`` and ``present`` from :func:`rating_model.book_checks.id_hashes`).

        Returns the chunk's rows counted, one per borrower: the summary's other borrower-once figures (the
        borrower count, the grades by borrower) read the same rows, so that they agree with these."""
        first: np.ndarray = rated & ~present
        self.without_id += int(first.sum())
        candidates = np.flatnonzero(rated & present)
        if len(candidates):
            _, at = np.unique(hashes[candidates], return_index=True)
            candidates = np.sort(candidates[at])
            candidates = candidates[~np.isin(hashes[candidates], self._seen)]
            self._seen = np.union1d(self._seen, hashes[candidates])
            first[candidates] = True
        self.rows += int(first.sum())
        for key in self.gross:
            self.gross[key] += float(np.nansum(floats(chunk[f"{key}_tco2e"])[first]))
        return first

    def summary(self) -> dict[str, Any]:
        """The ``borrower_emissions`` section: one figure per gross column, in tCO2e."""
        return {
            key: figure(
                round(value, 4),
                "tCO2e",
                f"gross {_GROSS[key]} of the borrowers of the {RATED_ROWS} as greenrate computed it (the "
                f"{key}_tco2e column, never a borrower's reported inventory, which its loans may attribute "
                "instead: financed_emissions.by_emissions_source), not attributed, each borrower_id "
                f"counted once (its first rated row: {self.rows} rows, {self.without_id} of "
                "them without a borrower_id, each counted on its own)"
                + (f"; categories included: {SCOPE3_CATEGORIES}" if key in ("scope3", "total") else ""),
            )
            for key, value in self.gross.items()
        }
