"""A SYNTHETIC loan book: the synthetic population, each business a borrower with one loan.

Benchmarks and tests of the batch path need books of any size (a bank's real book never leaves the bank).
Operating data comes from :mod:`rating_model.synthetic`; every row gets a ``borrower_id`` and, where the
population has no loan, one drawn here: an amount of 5-40% of revenue, 20-100% of it outstanding, and the
balance sheet PCAF attributes by (equity + debt for 70% of borrowers, total assets only for 20%, nothing
for 10%, the mix of disclosure a small-business book has). Draws are made per block of
:data:`rating_model.synthetic.BLOCK_ROWS` rows from ``(seed, block)``, so the same ``(n_rows, seed)`` gives
the same book however it is chunked. Written to a file by :func:`service.batch.writer.write_loan_book`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from rating_model.flat import EXTRA_COLUMNS
from rating_model.synthetic import BLOCK_ROWS, iter_frames

__all__ = ["iter_loan_book"]

_GREEN_USES = ("energy_efficiency", "green_buildings", "renewable_energy", "clean_transportation",
               "pollution_prevention", "sustainable_water", "circular_economy")
_GREEN_SHARE = 0.15  # of drawn loans; the rest finance working capital


def iter_loan_book(n_rows: int, seed: int, chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """The book in chunks: ``borrower_id``, then the flat operating data with a loan on every row."""
    if chunk_rows % BLOCK_ROWS:
        raise ValueError(f"chunk_rows must be a multiple of {BLOCK_ROWS}")
    for frame in iter_frames(n_rows, seed, chunk_rows=chunk_rows):
        frame = frame.drop(columns=list(EXTRA_COLUMNS))
        start = int(frame.index[0])
        parts = [_with_loans(frame.iloc[i:i + BLOCK_ROWS], seed, (start + i) // BLOCK_ROWS)
                 for i in range(0, len(frame), BLOCK_ROWS)]
        book = pd.concat(parts) if len(parts) > 1 else parts[0]
        book.insert(0, "borrower_id", pd.array([f"B{i:09d}" for i in book.index], dtype="string"))
        yield book.reset_index(drop=True)


def _with_loans(block: pd.DataFrame, seed: int, block_index: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, block_index, 0x10A2])
    n = len(block)
    block = block.copy()
    has_loan = block["loan__amount"].notna().to_numpy()
    revenue = block["company__annual_revenue"].to_numpy(dtype=np.float64, na_value=np.nan)
    revenue = np.where(np.isfinite(revenue), revenue, 1_000_000.0)
    amount = np.round(revenue * rng.uniform(0.05, 0.40, n), -3).clip(min=10_000.0)
    outstanding = np.round(amount * rng.uniform(0.2, 1.0, n), -2)
    balance = revenue * rng.uniform(0.4, 1.5, n)
    disclosure = rng.uniform(0, 1, n)
    green = rng.uniform(0, 1, n) < _GREEN_SHARE
    uses = np.where(green, np.asarray(_GREEN_USES, dtype=object)[rng.integers(0, len(_GREEN_USES), n)],
                    "general_working_capital")
    new = ~has_loan

    def fill(column: str, values: np.ndarray, where: np.ndarray) -> None:
        current = block[column].to_numpy(dtype=object, na_value=None).copy()
        current[where] = values[where]
        block[column] = pd.array(current, dtype=block[column].dtype)

    fill("loan__amount", amount, new)
    fill("loan__outstanding", outstanding, new)
    fill("loan__currency", np.full(n, "CNY", dtype=object), new)
    fill("loan__use_of_proceeds", uses.astype(object), new)
    fill("loan__borrower_equity_plus_debt", np.round(balance, -3), new & (disclosure < 0.7))
    assets_only = new & (disclosure >= 0.7) & (disclosure < 0.9)
    fill("loan__borrower_total_assets", np.round(balance * 1.3, -3), assets_only)
    return block

