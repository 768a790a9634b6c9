"""The portfolio summary's breakdowns: by attribution basis, by emissions source, by industry, of green
loans, of row flags.

A book's totals hide what an analyst must see before signing them off (a bank climate-portfolio review):
that the loans without a balance sheet, attributed their borrowers' whole emissions, are an eighth of the
outstanding but close to half the financed emissions; how exposure and financed emissions split by
industry (IFRS S2 B62 asks for both, with the data quality); which green uses of proceeds the book finances
and which green loans a knock-out denied; how many rows contradict the rest of the book. Each class here
folds result chunks into running sums (as :class:`rating_model.portfolio.PortfolioAccumulator` does) and
says its figures with their unit and basis. Pure computation over the columns of
:func:`rating_model.batch.result_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from rating_model.green_loan import ATTRIBUTION_BASES, EMISSIONS_SOURCES
from rating_model.scope3 import CAT1_WATER, CAT5_WASTE, CAT6_TRAVEL

__all__ = [
    "FINANCED_SCOPES",
    "RATED_ROWS",
    "SCOPE3_CATEGORIES",
    "SCOPE3_SCORE_COLUMN",
    "UNKNOWN_YEAR",
    "YEAR_COLUMN",
    "ByGroup",
    "GreenLoanStats",
    "RowFlags",
    "Versions",
    "by_emissions_source",
    "by_reporting_year",
    "figure",
    "floats",
    "share",
]

#: the financed columns summed per group, in the order the summary names them (key, column)
FINANCED_SCOPES: tuple[tuple[str, str], ...] = (
    ("scope12", "financed_scope12_tco2e"),
    ("scope3", "financed_scope3_tco2e"),
    ("scope1", "financed_scope1_tco2e"),
    ("scope2_location", "financed_scope2_location_tco2e"),
    ("scope2_market", "financed_scope2_market_tco2e"),
)
#: the Scope 3 categories greenrate measures (rating_model.scope3), named wherever Scope 3 is reported
SCOPE3_CATEGORIES = (
    f"category 1 purchased goods and services: water supply ({CAT1_WATER}); category 5 waste generated in "
    f"operations: waste and wastewater ({CAT5_WASTE}); category 6 business travel ({CAT6_TRAVEL}); no other "
    "category is measured"
)
#: what every breakdown's pcaf_data_quality_scope3 is (engine 2.12; PCAF reports Scope 3's data quality apart)
SCOPE3_QUALITY = (
    "pcaf_data_quality_scope3 the same over the group's loans with a financed Scope 3 score "
    "(financed_scope3_pcaf_score; null when none has one, and for results rated before engine 2.12)"
)
#: the rows the figures of rated borrowers cover, as their bases name them
RATED_ROWS = "rated rows (rows whose error column is empty)"
_TCO2E = "tCO2e"
_CNY = "CNY"
_SHARE = "share 0-1"
_PER_MILLION = "tCO2e per CNY million lent"
#: read when the results have it (engine 2.12 on): the financed Scope 3's own PCAF score; results rated
#: before give Scope 3 no score of its own, so their loans are left out of pcaf_data_quality_scope3
SCOPE3_SCORE_COLUMN = "financed_scope3_pcaf_score"
#: read when the results have it: the borrower's reporting year, the year a row's emissions are of (results
#: written before the column have none: their loans are grouped under UNKNOWN_YEAR)
YEAR_COLUMN = "reporting_year"
UNKNOWN_YEAR = "unknown"
#: the unit of every breakdown of the book into groups of loans (:meth:`ByGroup.table`'s figures)
_GROUP_UNIT = f"loans; {_CNY}; {_TCO2E}; {_SHARE}; {_PER_MILLION}; PCAF score 1-5"
#: what a breakdown's figures are, said alike by the breakdowns that give shares and intensity
_GROUP_FIGURES = (
    "Financed emissions after the over-attribution is taken out; shares of the book's outstanding and "
    "financed Scopes 1+2; intensity = financed Scopes 1+2 / outstanding in CNY million; pcaf_data_quality "
    f"weighted by outstanding (PCAF Box 8; Scopes 1+2); {SCOPE3_QUALITY}"
)
_BASIS_WORDS = {
    "equity_plus_debt": "outstanding / (equity + debt) (PCAF Part A, business loans)",
    "total_assets": "outstanding / total assets (PCAF's fallback when equity and debt are unknown)",
    "none": "no balance sheet: the borrower's whole emissions attributed (factor set to 1, not capped; "
    "PCAF score 5)",
}


def figure(value: Any, unit: str, basis: str) -> dict[str, Any]:
    """A figure as the summary gives every figure: its value, unit and basis."""
    return {"value": value, "unit": unit, "basis": basis}


def floats(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing (nullable dtypes included)."""
    values: np.ndarray = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values


#: the smallest share the summary says (its 6 decimals): a part of the whole is said as at least this, and
#: at most 1 - this
_SMALLEST_SHARE = 1e-6


def share(part: float, whole: float, *, partial: bool | None = None) -> float | None:
    """``part / whole`` to 6 decimals; ``None`` when ``whole`` is not positive.

    A share of part of the whole is never said as the whole or as nothing: where it would round to 1 or 0
    it is said as 0.999999 or 0.000001. A bank's reconciliation found a coverage ratio of 1.0 beside
    CNY 1,000 of refused exposure in a CNY 35 billion book, which reads as full coverage (IFRS S2 B62) where
    the summary's own parts say otherwise. ``partial`` says whether the part is strictly between nothing and
    the whole; by default it is judged only for counts (integers, compared exactly): sums of amounts
    accumulated in another order may differ in their last bits, so their callers say it when they know it.
    That concerns the whole's end only: a sum of amounts above 0 is above nothing exactly (the summary's
    parts are sums of non-negative figures), so its share is never said as 0 (a credit committee's review:
    a CNY 1,000 green loan in a 35-billion book read as a green share of 0.0).
    """
    if not whole > 0:
        return None
    value = round(part / whole, 6)
    if partial is None:
        partial = isinstance(part, int) and isinstance(whole, int) and 0 < part < whole
    if partial:
        value = min(max(value, _SMALLEST_SHARE), 1.0 - _SMALLEST_SHARE)
    elif part > 0:
        value = max(value, _SMALLEST_SHARE)
    return value


def flags(series: pd.Series) -> np.ndarray:
    """A boolean column as a NumPy mask, missing as False."""
    mask: np.ndarray = series.to_numpy(dtype=bool, na_value=False)
    return mask


class ByGroup:
    """Loans, outstanding, financed emissions and outstanding-weighted PCAF score per group of loans.

    The groups are the values of one result column (``attribution_basis``, or the ISIC division of
    ``industry_code``); the over-attribution taken out of the book's totals (a borrower's loans attributing
    more than its whole emissions) is taken out of its loans' groups too (:meth:`less`), so the groups
    add up to the totals.
    """

    _SUMS = ("loans", "outstanding", "dq_weighted", "dq_weight", "dq3_weighted", "dq3_weight",
             *(key for key, _ in FINANCED_SCOPES))

    def __init__(self) -> None:
        self.sums: dict[str, dict[str, float]] = {}
        self.sectors: dict[str, str] = {}

    def add(self, keys: np.ndarray, frame: pd.DataFrame, loan: np.ndarray, outstanding: np.ndarray,
            sectors: np.ndarray | None = None) -> None:
        """Fold in the ``loan`` rows of a result chunk, grouped by ``keys`` (one per row)."""
        if not loan.any():
            return
        scores = floats(frame["financed_pcaf_score"])
        weighted = loan & ~np.isnan(scores) & (outstanding > 0)
        # Scope 3's own score (engine 2.12 on; results rated before have no such column: no score)
        scores3 = (floats(frame[SCOPE3_SCORE_COLUMN]) if SCOPE3_SCORE_COLUMN in frame.columns
                   else np.full(len(frame), np.nan))
        weighted3 = loan & ~np.isnan(scores3) & (outstanding > 0)
        columns = {
            "loans": loan.astype(np.float64),
            "outstanding": np.where(loan, outstanding, 0.0),
            "dq_weighted": np.where(weighted, outstanding * np.nan_to_num(scores), 0.0),
            "dq_weight": np.where(weighted, outstanding, 0.0),
            "dq3_weighted": np.where(weighted3, outstanding * np.nan_to_num(scores3), 0.0),
            "dq3_weight": np.where(weighted3, outstanding, 0.0),
        }
        for key, column in FINANCED_SCOPES:
            columns[key] = np.where(loan, np.nan_to_num(floats(frame[column])), 0.0)
        sums = pd.DataFrame(columns)[loan].groupby(keys[loan], sort=False).sum()
        for group, row in sums.iterrows():
            into = self.sums.setdefault(str(group), dict.fromkeys(self._SUMS, 0.0))
            for name, value in row.items():
                into[str(name)] += float(value)
        if sectors is not None:
            for group, sector in zip(keys[loan], sectors[loan], strict=True):
                self.sectors.setdefault(str(group), str(sector))

    def less(self, excess: pd.DataFrame, key: str) -> ByGroup:
        """These groups with each one's share of the over-attribution (``excess``: one row per loan scaled)
        taken out: a copy, so the running sums stay those of the loans. The summary is read from the copy
        (taken out of the sums themselves, a second summary of the book took it out twice: a division's
        financed emissions fell to a quarter of the book total beside it)."""
        out = ByGroup()
        out.sums = {group: dict(sums) for group, sums in self.sums.items()}
        out.sectors = dict(self.sectors)
        if not len(excess):
            return out
        for group, row in excess.groupby(key, sort=False)[[k for k, _ in FINANCED_SCOPES]].sum().iterrows():
            into = out.sums.get(str(group))
            if into is not None:
                for name, value in row.items():
                    into[str(name)] -= float(value)
        return out

    def table(self, total_outstanding: float, total_financed12: float) -> dict[str, dict[str, Any]]:
        """Per group: the figures, shares of the book's outstanding and financed Scopes 1+2, intensity."""
        out: dict[str, dict[str, Any]] = {}
        for group in sorted(self.sums):
            s = self.sums[group]
            row: dict[str, Any] = {"loans": int(s["loans"]), "outstanding": round(s["outstanding"], 2)}
            if group in self.sectors:
                row["sector"] = self.sectors[group]
            row.update({f"financed_{key}": round(s[key], 4) for key, _ in FINANCED_SCOPES})
            row["share_of_outstanding"] = share(s["outstanding"], total_outstanding)
            row["share_of_financed_scope12"] = share(s["scope12"], total_financed12)
            row["intensity"] = (
                round(s["scope12"] / (s["outstanding"] / 1e6), 4) if s["outstanding"] > 0 else None
            )
            row["pcaf_data_quality"] = (
                round(s["dq_weighted"] / s["dq_weight"], 2) if s["dq_weight"] > 0 else None
            )
            row["pcaf_data_quality_scope3"] = (
                round(s["dq3_weighted"] / s["dq3_weight"], 2) if s["dq3_weight"] > 0 else None
            )
            out[group] = row
        return out


def by_attribution_basis(groups: ByGroup, outstanding: float, financed12: float) -> dict[str, Any]:
    """The ``financed_emissions.by_attribution_basis`` section: each basis of :data:`ATTRIBUTION_BASES`."""
    table = groups.table(outstanding, financed12)
    return {
        "unit": _GROUP_UNIT,
        "basis": "rated rows with loan data by what their attribution factor divides by: "
        + "; ".join(f"{key}: {_BASIS_WORDS[key]}" for key in ATTRIBUTION_BASES)
        + f". {_GROUP_FIGURES}; financed Scope 3 covers {SCOPE3_CATEGORIES}",
        "values": {key: table.get(key, _empty_group()) for key in ATTRIBUTION_BASES},
    }


#: what each value of ``financed_emissions_source`` attributes, and the PCAF option it is scored as
_SOURCE_WORDS = {
    "computed": "greenrate's inventory computed from the activity data (PCAF option 2a, score 2 at best; "
    "worse where figures were estimated)",
    "reported_verified": "the borrower's own reported inventory, verified (PCAF option 1a, score 1)",
    "reported_unverified": "the borrower's own reported inventory, unverified (PCAF option 1b, score 2)",
}


def by_emissions_source(
    groups: ByGroup, outstanding: float, financed12: float, unsourced_loans: int = 0
) -> dict[str, Any]:
    """The ``financed_emissions.by_emissions_source`` section: each source of :data:`EMISSIONS_SOURCES`
    (engine 2.8), so that a bank sees how much of its financed emissions rests on the borrowers' own
    reported figures and how much on greenrate's computation. ``unsourced_loans``, of results rated before
    engine 2.8, are computed at the scores they were rated with, which "2 at best" does not describe: a
    ``verified_report`` data source had scored 1 on greenrate's own figures."""
    table = groups.table(outstanding, financed12)
    unsourced = (
        f" Here {unsourced_loans} of the computed loans are of such results, at the PCAF scores they were "
        "rated with: before engine 2.8 a verified_report data source scored 1 on greenrate's computed "
        "emissions, so their group's score can be better than 2."
        if unsourced_loans else ""
    )
    return {
        "unit": _GROUP_UNIT,
        "basis": "rated rows with loan data by whose emissions they attribute (financed_emissions_source): "
        + "; ".join(f"{key}: {_SOURCE_WORDS[key]}" for key in EMISSIONS_SOURCES)
        + "; any of them PCAF score 5 without a balance sheet. Results rated before engine 2.8 have no "
        "financed_emissions_source column: their loans are all computed."
        + unsourced
        + f" {_GROUP_FIGURES}; a reported inventory without Scope 3 "
        "attributes greenrate's computed Scope 3, and one without a market-based Scope 2 attributes none "
        "(financed_scope2_market counts nothing for it)",
        "values": {key: table.get(key, _empty_group()) for key in EMISSIONS_SOURCES},
    }


def by_industry(groups: ByGroup, outstanding: float, financed12: float) -> dict[str, Any]:
    """The ``by_industry`` section: exposure, financed emissions and data quality per ISIC division."""
    return {
        "unit": _GROUP_UNIT,
        "basis": "rated rows with loan data by the ISIC Rev.4 division (first two digits of industry_code) "
        "with its benchmark sector (IFRS S2 B62: gross exposure and financed emissions by industry); "
        "financed emissions after the over-attribution is taken out; pcaf_data_quality weighted by "
        f"outstanding (PCAF Box 8; Scopes 1+2); {SCOPE3_QUALITY}; financed Scope 3 covers "
        f"{SCOPE3_CATEGORIES}",
        "values": groups.table(outstanding, financed12),
    }


def by_reporting_year(groups: ByGroup, outstanding: float, financed12: float) -> dict[str, Any]:
    """The ``by_reporting_year`` section: the book's loans by the year their borrowers' emissions are of.

    Each borrower is rated on one year's figures, its own reporting year, and a book of SMEs mixes years
    (a credit committee's review: 2021, 2022 and 2023 summed under one total that named no year); the
    financed emissions are a sum of a year's emissions of each borrower, and this says which years, with
    how much exposure and how many tonnes each (IFRS S2 B62 reports financed emissions for a period)."""
    return {
        "unit": _GROUP_UNIT,
        "basis": "rated rows with loan data by their borrower's reporting year (reporting_year: the year "
        "every emission figure of the row is of, a year's emissions); the book's financed emissions are "
        f"the sum of these years' rows; {UNKNOWN_YEAR}: results written before the reporting_year column "
        f"(rate the book again to date them). {_GROUP_FIGURES}; financed Scope 3 covers {SCOPE3_CATEGORIES}",
        "values": groups.table(outstanding, financed12),
    }


def period_words(years: Mapping[str, int]) -> str:
    """What period the book's emission figures are of, from its loans per reporting year (``years``)."""
    known = sorted(year for year in years if year != UNKNOWN_YEAR)
    unknown = years.get(UNKNOWN_YEAR, 0)
    said = ""
    if known:
        plural = "s" if len(known) > 1 else ""
        said = (f"; a year's emissions of each borrower, of its own reporting year: reporting year{plural} "
                f"{', '.join(known)} (by_reporting_year)")
    if unknown:
        said += (f"; the reporting year is not said for {unknown} loans (results written before the "
                 "reporting_year column: rate the book again)")
    return said


def _empty_group() -> dict[str, Any]:
    return {
        "loans": 0,
        "outstanding": 0.0,
        **{f"financed_{key}": 0.0 for key, _ in FINANCED_SCOPES},
        "share_of_outstanding": None,
        "share_of_financed_scope12": None,
        "intensity": None,
        "pcaf_data_quality": None,
        "pcaf_data_quality_scope3": None,
    }


class GreenLoanStats:
    """Eligible green loans by use-of-proceeds category, the green loans knock-outs denied, and the
    green-rated borrowers counted as borrowers as well as loans."""

    def __init__(self) -> None:
        self.by_category: dict[str, list[float]] = {}  # category -> [loans, outstanding]
        self.blocked = [0, 0.0]
        self.blocked_by: dict[str, list[float]] = {}
        self.rated_green_loans = 0
        self.rated_green_without_id = 0
        self._rated_green_ids: set[int] = set()

    def add(self, frame: pd.DataFrame, rated: np.ndarray, loan: np.ndarray, outstanding: np.ndarray,
            ids: np.ndarray, present: np.ndarray) -> None:
        eligible = loan & flags(frame["green_loan_eligible"])
        categories = frame["green_loan_category"].astype(object).to_numpy(dtype=object)
        for category, amount in zip(categories[eligible], outstanding[eligible], strict=True):
            into = self.by_category.setdefault(str(category), [0, 0.0])
            into[0] += 1
            into[1] += float(amount)
        blocked_by = frame["green_loan_blocked_by"].astype(object).to_numpy(dtype=object)
        blocked = loan & pd.notna(blocked_by)
        self.blocked[0] += int(blocked.sum())
        self.blocked[1] += float(outstanding[blocked].sum())
        for text, amount in zip(blocked_by[blocked], outstanding[blocked], strict=True):
            for knock_out in str(text).split(","):
                into = self.blocked_by.setdefault(knock_out, [0, 0.0])
                into[0] += 1
                into[1] += float(amount)
        green = rated & flags(frame["green_rated_borrower"])
        self.rated_green_loans += int((green & loan).sum())
        self.rated_green_without_id += int((green & ~present).sum())
        self._rated_green_ids.update(int(h) for h in ids[green & present])

    def summary(self) -> dict[str, Any]:
        return {
            "by_category": _loans_table(
                "eligible green loans (rated rows with loan data) by use-of-proceeds category "
                "(green_loan_category)",
                self.by_category,
            ),
            "blocked_by_knock_out": {
                "loans": figure(
                    int(self.blocked[0]),
                    "rows",
                    "rated rows with loan data whose use of proceeds is a green category but to which a "
                    "knock-out denies green-loan treatment (green_loan_blocked_by)",
                ),
                "outstanding": figure(round(self.blocked[1], 2), _CNY, "outstanding_cny of those loans"),
                "by_knock_out": _loans_table(
                    "those loans by knock-out id; a loan denied by two knock-outs is counted under each",
                    self.blocked_by,
                ),
            },
        }

    def borrowers(self) -> dict[str, Any]:
        """The ``green_rated_borrower_terms`` additions: borrowers counted once, and the loans to them."""
        return {
            "borrowers": figure(
                len(self._rated_green_ids) + self.rated_green_without_id,
                "borrowers",
                "distinct borrower_ids among the rated rows whose borrower is green-rated "
                f"(green_rated_borrower), each counted once, plus {self.rated_green_without_id} such rows "
                "without a borrower_id (each counted as a borrower)",
            ),
            "green_rated_borrower_loans": figure(
                self.rated_green_loans,
                "rows",
                "rated rows with loan data whose borrower is green-rated, whatever the loan's use of "
                "proceeds (green loans included)",
            ),
        }


#: the per-row flags the summary counts (result columns of rating_model.batch), with what each means
_FLAGS = {
    "attribution_capped": "rows whose outstanding amount is above the borrower's balance sheet (equity + "
    "debt, or total assets), both in CNY: the attribution factor was capped at 1",
    "outstanding_above_amount": "rows whose loan.outstanding is above loan.amount (refused rows included "
    "where their loan columns parse)",
    "borrower_data_conflict": "rows whose borrower_id is listed elsewhere in the book with different "
    "operating data or balance sheet; the borrower's emissions are those of its first row "
    "(borrower_emissions)",
    "duplicate_loan_id": "rows whose loan_id is given on another row too (only with a loan_id column); all "
    "but the first are left out of the totals (coverage.duplicate_rows)",
    "duplicate_row": "rows every cell of which equals another row's, the first copy included; all but the "
    "first are left out of the totals (coverage.duplicate_rows)",
}


class RowFlags:
    """Counts of the rows each per-row flag marks, and of the distinct ids the cross-row flags concern."""

    def __init__(self) -> None:
        self.rows = dict.fromkeys(_FLAGS, 0)
        self.checked = dict.fromkeys(_FLAGS, 0)
        self._conflicting: set[int] = set()
        self._duplicates: set[int] = set()

    def add(self, frame: pd.DataFrame, borrowers: np.ndarray, loans: np.ndarray) -> None:
        """``borrowers`` and ``loans``: the chunk's borrower and loan id hashes (book_checks.id_hashes)."""
        for name in _FLAGS:
            column = frame[name]
            marked = flags(column)
            self.rows[name] += int(marked.sum())
            self.checked[name] += int(column.notna().sum())
            if name == "borrower_data_conflict":
                self._conflicting.update(int(h) for h in borrowers[marked])
            elif name == "duplicate_loan_id":
                self._duplicates.update(int(h) for h in loans[marked])

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: figure(self.rows[name], "rows", f"{meaning}; of {self.checked[name]} rows checked")
            for name, meaning in _FLAGS.items()
        }
        out["conflicting_borrowers"] = figure(
            len(self._conflicting), "borrowers", "distinct borrower_ids listed with different operating data"
        )
        out["duplicate_loan_ids"] = figure(
            len(self._duplicates), "loan ids", "distinct loan_ids given on more than one row"
        )
        return out


#: the version columns of the results and the key each has in ``versions``
_VERSION_COLUMNS = {
    "model": "model_version",
    "standard": "standard_version",
    "factor_set": "factor_set",
    "engine": "engine_version",
    "schema": "schema_version",
}


class Versions:
    """Every version the rated rows were rated with: what a summary must name to be reproduced."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {key: set() for key in _VERSION_COLUMNS}

    def add(self, frame: pd.DataFrame, rated: np.ndarray) -> None:
        for key, column in _VERSION_COLUMNS.items():
            values = frame[column].astype(object).to_numpy(dtype=object)[rated]
            self.seen[key].update(str(v) for v in pd.unique(values) if pd.notna(v))

    def summary(self) -> dict[str, str | None]:
        """One version per key (several, comma-separated, if the results mix runs); ``None`` unrated."""
        return {key: ", ".join(sorted(values)) or None for key, values in self.seen.items()}


def _loans_table(basis: str, counts: Mapping[str, list[float]]) -> dict[str, Any]:
    """A table of loans and their outstanding by key (category, knock-out id), keys sorted."""
    return {
        "unit": f"loans; {_CNY}",
        "basis": basis,
        "values": {
            key: {"loans": int(n), "outstanding": round(amount, 2)}
            for key, (n, amount) in sorted(counts.items())
        },
    }
