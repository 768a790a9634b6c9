"""The portfolio summary a bank reports, accumulated chunk by chunk over the batch rater's results.

A loan book of a million borrowers is rated in chunks (:func:`rating_model.batch.rate_frame`), and its
summary must not need the million rows at once: :class:`PortfolioAccumulator` keeps running sums, counts
and the current top movers, and :meth:`~PortfolioAccumulator.summary` turns them into the figures a bank
discloses (IFRS S2 B61-B63 with PCAF Part A for business loans): the grade distribution by count, by
outstanding amount and by borrower (each once), financed emissions (Scopes 1+2 and Scope 3 kept apart,
never netted), the outstanding-weighted PCAF data-quality score (PCAF Box 8), the green-loan share, the
economic intensity in tCO2e per CNY million lent, and the borrowers whose score moved most since the
previous run.

Every figure names its unit and its basis (which rows it covers and how it is computed), because a
portfolio figure without its basis cannot be audited. Pure computation (pandas and NumPy, no I/O): the
service reads the result files and hands the chunks in. The accumulator's parts have modules of
their own: the breakdowns in :mod:`rating_model.portfolio_breakdowns`, the movers against a previous
run in :mod:`rating_model.portfolio_movers`, the attribution of each borrower at most once in
:mod:`rating_model.portfolio_attributions`, each borrower's gross emissions counted once in
:mod:`rating_model.portfolio_borrower_emissions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rating_model.book_checks import BORROWER_ID, LOAN_ID, id_hashes
from rating_model.green_loan import ATTRIBUTION_BASES, EMISSIONS_SOURCES
from rating_model.portfolio_attributions import Attributions
from rating_model.portfolio_borrower_emissions import BorrowerEmissions
from rating_model.portfolio_breakdowns import (
    FINANCED_SCOPES,
    RATED_ROWS,
    SCOPE3_CATEGORIES,
    SCOPE3_SCORE_COLUMN,
    UNKNOWN_YEAR,
    YEAR_COLUMN,
    ByGroup,
    GreenLoanStats,
    RowFlags,
    Versions,
    by_attribution_basis,
    by_emissions_source,
    by_industry,
    by_reporting_year,
    figure,
    floats,
    period_words,
    share,
)
from rating_model.portfolio_movers import Movers, PreviousRun, borrower_ids
from rating_model.standard import GRADES

__all__ = [
    "SUMMARY_COLUMNS",
    "PortfolioAccumulator",
    "summarize",
]

#: the result columns (of :func:`rating_model.batch.result_schema`) the summary reads
SUMMARY_COLUMNS: tuple[str, ...] = (
    "error",
    "score",
    "grade",
    "outstanding_cny",
    "attribution_factor",
    "financed_scope12_tco2e",
    "financed_scope3_tco2e",
    "scope1_tco2e",
    "scope2_location_tco2e",
    "scope2_market_tco2e",
    "scope3_tco2e",
    "total_tco2e",
    "financed_pcaf_score",
    "green_loan_eligible",
    "green_rated_borrower",
    "green_loan_category",
    # engine 1.9 on (results rated before lack them: rate the book again)
    "attribution_basis",
    "financed_scope1_tco2e",
    "financed_scope2_location_tco2e",
    "financed_scope2_market_tco2e",
    "industry_code",
    "sector",
    "green_loan_blocked_by",
    "attribution_capped",
    "outstanding_above_amount",
    "borrower_data_conflict",
    "duplicate_loan_id",
    "refused_outstanding_cny",
    "duplicate_row",
    "duplicate_of_row",
    "model_version",
    "standard_version",
    "factor_set",
    "engine_version",
    "schema_version",
)
#: read when the results have it (engine 2.8 on); without it every loan attributed computed emissions, since
#: no borrower's reported inventory was read before
SOURCE_COLUMN = "financed_emissions_source"
DEFAULT_TOP_N = 10

_TCO2E = "tCO2e"
_CNY = "CNY"
_ROWS = "rows"
_SHARE = "share 0-1"
_WITH_LOAN = (
    "rated rows with loan data: outstanding_cny known (a loan in CNY, in the company's currency at its FX "
    "rate, or at loan.fx_to_cny)"
)
_FINANCED = (
    "sum over {rows} of the per-loan PCAF attribution (attribution_factor = outstanding / (equity + debt), "
    "or / total assets, each capped at 1; without either, set to 1: the borrower's whole emissions are "
    "attributed, see by_attribution_basis) times the borrower's gross {scope} (greenrate's computed "
    "inventory, or the borrower's own reported one: see by_emissions_source), with the loans of one "
    "borrower_id attributing at most the borrower's whole emissions (see over_attribution); PCAF Part A, "
    "business loans; credits and removals are never netted"
)


class PortfolioAccumulator:
    """Running totals of a rated loan book; :meth:`add` one result chunk at a time, then :meth:`summary`.

    Parameters
    ----------
    previous:
        The previous run to measure the top movers against; ``None``: no movers (the summary says why).
    top_n:
        How many borrowers each mover list keeps.
    no_previous_reason:
        What the summary says when ``previous`` is ``None`` (the caller knows why there is none).
    as_of:
        The reporting date the book is as of (PCAF: the date of its outstanding amounts), said by the
        summary's ``as_of`` with how far each loan's emissions lag it; ``None``: no ``as_of`` section (a
        book rated without a date, as ``greenrate batch rate`` rates one).
    as_of_source:
        How ``as_of`` was chosen, in the summary's words (``"given at upload"``, say).

    Examples
    --------
    >>> acc = PortfolioAccumulator()
    >>> for chunk in result_chunks:  # doctest: +SKIP
    ...     acc.add(chunk)
    >>> acc.summary()["rows"]["total"]  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        previous: PreviousRun | None = None,
        top_n: int = DEFAULT_TOP_N,
        no_previous_reason: str | None = None,
        as_of: date | None = None,
        as_of_source: str | None = None,
    ) -> None:
        if top_n < 1:
            raise ValueError("top_n must be at least 1")
        self.as_of = as_of
        self.as_of_source = as_of_source
        self.rows = self.rated = self.errors = self.without_loan = self.loans = 0
        self.grade_rows: dict[str, int] = dict.fromkeys(GRADES, 0)
        # each borrower once, by the grade of its first rated row (the row borrower_emissions counts)
        self.grade_borrowers: dict[str, int] = dict.fromkeys(GRADES, 0)
        self.grade_outstanding: dict[str, float] = dict.fromkeys(GRADES, 0.0)
        self.outstanding = 0.0
        self.financed12 = self.financed3 = 0.0
        self.scope3_loans = 0  # loans whose borrower has a Scope 3 category (null, not zero, for the rest)
        self.reported_without_market = 0  # loans on a reported inventory that gave no market-based Scope 2
        self.unsourced_loans = 0  # loans of results rated before engine 2.8 (no SOURCE_COLUMN): computed
        self.dq_weighted = self.dq_weight = 0.0
        self.dq_loans = 0
        # Scope 3's own score (PCAF reports Scope 3 and its data quality apart from Scopes 1+2)
        self.dq3_weighted = self.dq3_weight = 0.0
        self.dq3_loans = 0
        self.unscored3_loans = 0  # loans with a financed Scope 3 in results without SCOPE3_SCORE_COLUMN
        self.eligible_rows = 0
        self.eligible_outstanding = 0.0
        self.preferential_rows = 0
        self.preferential_outstanding = 0.0
        self._attributions = Attributions()
        self.financed_scopes = dict.fromkeys(("scope1", "scope2_location", "scope2_market"), 0.0)
        self.refused_loans = self.refused_without_loan = 0
        self.refused_outstanding = 0.0
        self.repeats = 0  # rows repeating an earlier row (duplicate_of_row): left out of every figure
        self.repeated_outstanding = 0.0
        self.rated_counted = 0  # rated rows, duplicates left out: what the grade shares divide by
        self._borrowers = BorrowerEmissions()
        self._by_basis = ByGroup()
        self._by_source = ByGroup()
        self._by_industry = ByGroup()
        self._by_year = ByGroup()
        self._division_codes: dict[str, int] = {}
        self._green = GreenLoanStats()
        self._flags = RowFlags()
        self._versions = Versions()
        self._movers = Movers(previous, top_n) if previous is not None else None
        self._movers_reason = (
            None
            if previous is not None
            else (no_previous_reason or "no previous run was given to compare with")
        )

    def add(self, chunk: pd.DataFrame) -> None:
        """Fold one chunk of :func:`rating_model.batch.rate_frame` results into the totals.

        Raises
        ------
        ValueError
            When the chunk lacks one of :data:`SUMMARY_COLUMNS`.
        """
        missing = [c for c in SUMMARY_COLUMNS if c not in chunk.columns]
        if missing:
            raise ValueError(f"result chunk lacks column(s) {', '.join(missing)}")
        n = len(chunk)
        self.rows += n
        if not n:
            return
        self.rated += int((chunk["error"].isna() & chunk["score"].notna()).sum())
        self.errors += int(chunk["error"].notna().sum())
        # every row's flags are counted, the duplicates' too: they are what an analyst filters on
        self._flags.add(chunk, id_hashes(chunk, BORROWER_ID)[0], id_hashes(chunk, LOAN_ID)[0])
        repeat = chunk["duplicate_of_row"].notna().to_numpy(dtype=bool)
        if repeat.any():
            # the same loan twice: counted once, at its first row (PCAF: no exposure counted twice); what
            # was left out is said in coverage
            self.repeats += int(repeat.sum())
            self.repeated_outstanding += float(
                np.nansum(floats(chunk["outstanding_cny"])[repeat])
                + np.nansum(floats(chunk["refused_outstanding_cny"])[repeat])
            )
            chunk = chunk[~repeat].reset_index(drop=True)
            n = len(chunk)
        rated = (chunk["error"].isna() & chunk["score"].notna()).to_numpy(dtype=bool)
        refused = chunk["error"].notna().to_numpy(dtype=bool)
        self.rated_counted += int(rated.sum())
        exposure = floats(chunk["refused_outstanding_cny"])
        has_exposure = refused & ~np.isnan(exposure)
        self.refused_loans += int(has_exposure.sum())
        self.refused_without_loan += int((refused & ~has_exposure).sum())
        self.refused_outstanding += float(exposure[has_exposure].sum())
        grades = chunk["grade"].astype(object).to_numpy(dtype=object)
        outstanding = floats(chunk["outstanding_cny"])
        loan = rated & ~np.isnan(outstanding)
        self.loans += int(loan.sum())
        self.without_loan += int((rated & ~loan).sum())
        for grade, count in zip(*np.unique(grades[rated].astype(str), return_counts=True), strict=True):
            self.grade_rows[grade] = self.grade_rows.get(grade, 0) + int(count)
        if loan.any():
            sums = pd.Series(outstanding[loan]).groupby(grades[loan].astype(str)).sum()
            for grade, amount in sums.items():
                self.grade_outstanding[str(grade)] = self.grade_outstanding.get(str(grade), 0.0) + float(
                    amount
                )
        self.outstanding += float(outstanding[loan].sum())
        self.financed12 += float(np.nansum(floats(chunk["financed_scope12_tco2e"])[loan]))
        financed3 = floats(chunk["financed_scope3_tco2e"])[loan]
        self.financed3 += float(np.nansum(financed3))
        self.scope3_loans += int((~np.isnan(financed3)).sum())
        for key in self.financed_scopes:
            self.financed_scopes[key] += float(np.nansum(floats(chunk[f"financed_{key}_tco2e"])[loan]))
        if BORROWER_ID in chunk.columns:
            ids, present = borrower_ids(chunk)
        else:
            ids, present = np.empty(n, dtype=object), np.zeros(n, dtype=bool)
        hashes, _ = id_hashes(chunk, BORROWER_ID)
        bases = chunk["attribution_basis"].astype(object).to_numpy(dtype=object)
        divisions = chunk["industry_code"].astype("string").str[:2].fillna("").astype(object).to_numpy()
        # as small integers per loan (-1: none), not text: the over-attribution keeps them for every loan
        basis_codes = pd.Categorical(bases, categories=list(ATTRIBUTION_BASES)).codes
        # rate_frame gives every loan its source; results rated before engine 2.8 have none, all computed
        given = chunk[SOURCE_COLUMN] if SOURCE_COLUMN in chunk.columns else pd.Series([None] * n)
        if SOURCE_COLUMN not in chunk.columns:
            self.unsourced_loans += int(loan.sum())
        sources = given.astype("string").fillna("computed").astype(object).to_numpy(dtype=object)
        source_codes = pd.Categorical(sources, categories=list(EMISSIONS_SOURCES)).codes
        # the year the row's emissions are of (results written before the column: unknown, coded -1)
        years = (floats(chunk[YEAR_COLUMN]) if YEAR_COLUMN in chunk.columns else np.full(n, np.nan))
        year_codes = np.where(np.isnan(years), -1, np.nan_to_num(years)).astype(np.int16)
        self._attributions.add(chunk, loan, hashes, present, basis_codes, self._codes(divisions),
                               source_codes, year_codes)
        self._by_year.add(year_codes, chunk, loan, outstanding)  # keyed "2023", "-1": named in summary()
        self._by_basis.add(bases, chunk, loan, outstanding)
        self._by_source.add(sources, chunk, loan, outstanding)
        reported = loan & (sources != "computed")
        market = floats(chunk["financed_scope2_market_tco2e"])
        self.reported_without_market += int(np.isnan(market[reported]).sum())
        self._by_industry.add(divisions, chunk, loan, outstanding,
                              chunk["sector"].astype(object).to_numpy(dtype=object))
        first = self._borrowers.add(chunk, rated, hashes, present)
        for grade, count in zip(*np.unique(grades[first].astype(str), return_counts=True), strict=True):
            self.grade_borrowers[grade] = self.grade_borrowers.get(grade, 0) + int(count)
        self._green.add(chunk, rated, loan, outstanding, hashes, present)
        self._versions.add(chunk, rated)
        scores = floats(chunk["financed_pcaf_score"])  # the loan's score: 5 without a balance sheet
        weighted = loan & ~np.isnan(scores) & (outstanding > 0)
        self.dq_loans += int(weighted.sum())
        self.dq_weighted += float((outstanding[weighted] * scores[weighted]).sum())
        self.dq_weight += float(outstanding[weighted].sum())
        if SCOPE3_SCORE_COLUMN in chunk.columns:
            scores3 = floats(chunk[SCOPE3_SCORE_COLUMN])  # null where no Scope 3 is attributed
            weighted3 = loan & ~np.isnan(scores3) & (outstanding > 0)
            self.dq3_loans += int(weighted3.sum())
            self.dq3_weighted += float((outstanding[weighted3] * scores3[weighted3]).sum())
            self.dq3_weight += float(outstanding[weighted3].sum())
        else:
            self.unscored3_loans += int((loan & ~np.isnan(floats(chunk["financed_scope3_tco2e"]))).sum())
        # a green loan is a loan: a row without loan data says only what a green-use loan would be
        eligible = loan & chunk["green_loan_eligible"].to_numpy(dtype=bool, na_value=False)
        self.eligible_rows += int(eligible.sum())
        self.eligible_outstanding += float(outstanding[eligible].sum())
        preferential = loan & ~eligible & chunk["green_rated_borrower"].to_numpy(dtype=bool, na_value=False)
        self.preferential_rows += int(preferential.sum())
        self.preferential_outstanding += float(outstanding[preferential].sum())
        self._add_movers(chunk, rated, grades, ids, present)

    def _codes(self, divisions: np.ndarray) -> np.ndarray:
        """Each division as a small integer (kept per loan for the over-attribution: cheaper than text)."""
        codes, uniques = pd.factorize(divisions)
        known = self._division_codes
        table = np.array([known.setdefault(str(u), len(known)) for u in uniques], dtype=np.int32)
        mapped: np.ndarray = table[codes] if len(table) else np.zeros(len(divisions), dtype=np.int32)
        return mapped

    def _add_movers(
        self, chunk: pd.DataFrame, rated: np.ndarray, grades: np.ndarray, ids: np.ndarray, present: np.ndarray
    ) -> None:
        if self._movers is None:
            return
        if BORROWER_ID not in chunk.columns:
            self._movers = None
            self._movers_reason = (
                "the loan book has no borrower_id column, so its borrowers cannot be matched with the "
                "previous run; add borrower_id to compare runs"
            )
            return
        keep = rated & present
        rows = chunk["row"].to_numpy(dtype=np.int64) if "row" in chunk.columns else np.arange(len(chunk))
        self._movers.add(
            ids[keep],
            rows[keep],
            floats(chunk["score"])[keep],
            grades[keep].astype(str),
            without_id=int((rated & ~present).sum()),
        )

    def _known_outstanding(self) -> float:
        """The book's known exposure: the rated loans' outstanding and the refused rows' whose outstanding
        could be read (``coverage.total_outstanding``); duplicates are left out of both."""
        return self.outstanding + self.refused_outstanding

    def _green_share_of_book(self) -> dict[str, Any]:
        """The eligible outstanding over the whole book's known outstanding, beside ``share_by_outstanding``
        (over the rated loans' alone): a bank's green-loan ratio is of the book it submitted, and a refused
        row's loan is on its ledger (a credit committee's review). A refused row is never counted eligible,
        since its use of proceeds was not rated; one whose outstanding could not be read is in neither
        part."""
        return figure(
            share(
                self.eligible_outstanding,
                self._known_outstanding(),
                partial=self.eligible_outstanding > 0 and self.refused_outstanding > 0,
            ),
            _SHARE,
            "eligible outstanding / the book's known outstanding (coverage.total_outstanding: "
            "outstanding_cny of the rated rows with loan data plus refused_outstanding_cny of the refused "
            "rows, duplicates left out): the green-loan ratio of the whole book submitted, where "
            "share_by_outstanding is of the rated loans alone; a refused row is never counted eligible (its "
            "loan was not rated); the refused rows whose outstanding (or, without one, amount), currency or "
            "rate to CNY could not be read (coverage.refused_without_loan_data, here "
            f"{self.refused_without_loan}) are in neither part, so with any such row this is the share of "
            "the known outstanding, above the book's by their unknown exposure; null when no outstanding is "
            "known",
        )

    def _coverage(self) -> dict[str, Any]:
        """What the covered figures cover of the book's exposure: the refused rows' loans beside them, so
        that the summary reconciles to the ledger (IFRS S2 B62: the share of exposure covered)."""
        total = self._known_outstanding()
        return {
            "covered_loans": figure(self.loans, _ROWS, _WITH_LOAN),
            "covered_outstanding": figure(
                round(self.outstanding, 2), _CNY, f"outstanding_cny of {_WITH_LOAN}"
            ),
            "refused_rows": figure(
                self.refused_loans + self.refused_without_loan,
                _ROWS,
                "rows refused by the engine (their error column says why), duplicates left out",
            ),
            "refused_loans": figure(
                self.refused_loans,
                _ROWS,
                "refused rows whose exposure is known: their outstanding (or, without one, their amount: "
                "outstanding_basis), currency and rate to CNY (loan.fx_to_cny, else company.fx_to_cny for a "
                "loan in the company's currency; none for CNY) parse, whatever their other cells (balance "
                "sheet, use of proceeds, operating data); nothing was attributed to them",
            ),
            "refused_outstanding": figure(
                round(self.refused_outstanding, 2),
                _CNY,
                "refused_outstanding_cny of those rows: exposure on the ledger without financed emissions",
            ),
            "refused_without_loan_data": figure(
                self.refused_without_loan,
                _ROWS,
                "refused rows without loan columns, or whose outstanding (or, without one, amount), currency "
                "or rate to CNY does not parse: their exposure is unknown",
            ),
            "total_outstanding": figure(
                round(total, 2), _CNY, "covered_outstanding + refused_outstanding: the book's known exposure"
            ),
            "ratio": figure(
                share(self.outstanding, total, partial=self.outstanding > 0 and self.refused_outstanding > 0),
                _SHARE,
                "covered_outstanding / total_outstanding: the share of the exposure the financed emissions, "
                "data quality and intensity cover, to 6 decimals; 1.0 only when no refused row has exposure "
                "(a share above 0.999999 that is not whole is said as 0.999999)",
            ),
            "duplicate_rows": figure(
                self.repeats,
                _ROWS,
                "rows repeating an earlier row of the book (duplicate_of_row: the same loan_id, or without "
                "one every cell the same): each loan is counted once, at its first row, and these rows are "
                "left out of every figure of this summary but rows",
            ),
            "duplicate_outstanding": figure(
                round(self.repeated_outstanding, 2),
                _CNY,
                "outstanding_cny (or refused_outstanding_cny) of the duplicate rows: the book's extract "
                "totals total_outstanding plus this, where it counts them twice",
            ),
        }

    def _as_of(self, years: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
        """The reporting date the figures are as of, and how many loans' emissions are of its year, of the
        year before, or older (PCAF: each borrower's latest year available at the reporting date)."""
        assert self.as_of is not None
        year = self.as_of.year
        lag = {"same": 0, "before": 0, "older": 0, "unknown": 0}
        for name, sums in years.items():
            loans = int(sums["loans"])
            if name == UNKNOWN_YEAR or not name.lstrip("-").isdigit():
                lag["unknown"] += loans
            elif int(name) >= year:
                lag["same"] += loans
            elif int(name) == year - 1:
                lag["before"] += loans
            else:
                lag["older"] += loans
        source = f" ({self.as_of_source})" if self.as_of_source else ""
        unknown = (f", {lag['unknown']} of a year the results do not say (rated before the reporting_year "
                   "column)" if lag["unknown"] else "")
        return figure(
            self.as_of.isoformat(),
            "date (ISO 8601)",
            f"the reporting date the book's figures are as of{source}: outstanding_cny is each loan's "
            "outstanding amount as the book gives it, taken as at this date, and each borrower's balance "
            f"sheet and emissions are of its reporting year, {year} or earlier (a row of a later year is "
            f"refused, its error says why); of the {self.loans} loans, {lag['same']} have emissions of "
            f"{year}, {lag['before']} of {year - 1} and {lag['older']} of an earlier year{unknown} "
            "(by_reporting_year)",
        )

    def _market_gap(self) -> str:
        """What the financed market-based Scope 2 leaves out: the loans attributing a borrower's reported
        inventory that gave no market-based figure (it is optional there), for which nothing is summed."""
        missing = self.reported_without_market
        if not missing:
            return ""
        return (f"; {missing} of the {self.loans} loans attribute a reported inventory without a "
                "market-based Scope 2 (financed_scope2_market_tco2e empty): nothing is counted for them (not "
                "measured, not zero)")

    def _scope3_data_quality(self) -> dict[str, Any]:
        """The financed Scope 3's outstanding-weighted PCAF score, apart from Scopes 1+2's (engine 2.12)."""
        unscored = (
            f"; {self.unscored3_loans} loans with a financed Scope 3 are of results rated before engine 2.12 "
            "(no financed_scope3_pcaf_score column) and are left out: rate the book again to score them"
            if self.unscored3_loans else ""
        )
        return figure(
            None if self.dq3_weight <= 0 else round(self.dq3_weighted / self.dq3_weight, 2),
            "PCAF data-quality score, 1 (best) to 5",
            f"sum(outstanding x score) / sum(outstanding) over the {self.dq3_loans} loans with outstanding "
            "> 0 and a financed Scope 3, each loan's Scope 3 score (financed_scope3_pcaf_score: the "
            "borrower's reported Scope 3 1 verified or 2 not, greenrate's computed Scope 3 option 2b, 3 at "
            "best; 5 without a balance sheet); PCAF Part A reports Scope 3 and its data quality apart from "
            "Scopes 1+2 (pcaf_data_quality); null when no loan has a financed Scope 3; two decimals"
            + unscored,
        )

    def summary(self) -> dict[str, Any]:
        """The portfolio figures, each with its unit and basis (JSON-ready: plain numbers and strings)."""
        grades = [*GRADES, *sorted((set(self.grade_rows) | set(self.grade_borrowers)) - set(GRADES))]
        borrowers = self._borrowers.rows  # each borrower_id once, each rated row without one on its own
        without_id = self._borrowers.without_id
        financed_rows = "rated rows with loan data"
        capped, excess = self._attributions.excess()
        above = {key: float(excess[key].sum()) for key, _ in FINANCED_SCOPES}
        above12, above3 = above["scope12"], above["scope3"]
        financed12 = self.financed12 - above12
        bases = dict(enumerate(ATTRIBUTION_BASES))
        basis_groups = self._by_basis.less(excess.assign(basis=excess["basis"].map(bases)), "basis")
        source_groups = self._by_source.less(
            excess.assign(source=excess["source"].map(dict(enumerate(EMISSIONS_SOURCES)))), "source"
        )
        year_groups = _named_years(self._by_year.less(excess, "year"))
        period = period_words({year: int(sums["loans"]) for year, sums in year_groups.sums.items()})
        names = {code: division for division, code in self._division_codes.items()}
        industry_groups = self._by_industry.less(
            excess.assign(division=excess["division"].map(names)), "division"
        )
        dated = {} if self.as_of is None else {"as_of": self._as_of(year_groups.sums)}
        return {
            **dated,
            "versions": self._versions.summary(),
            "coverage": self._coverage(),
            "rows": {
                "unit": _ROWS,
                "basis": "rows of the loan book; rated = rated without error; errors = refused rows "
                "(their error column says why); duplicates = rows repeating an earlier row "
                "(duplicate_of_row), counted in total, rated and errors, and left out of every other figure",
                "total": self.rows,
                "rated": self.rated,
                "errors": self.errors,
                "duplicates": self.repeats,
            },
            "grade_distribution": {
                "by_count": {
                    "unit": _ROWS,
                    "basis": f"{RATED_ROWS}, by grade after knock-outs; shares of rated rows (duplicates "
                    "left out)",
                    "values": {g: self.grade_rows.get(g, 0) for g in grades},
                    "shares": {g: share(self.grade_rows.get(g, 0), self.rated_counted) for g in grades},
                },
                "by_outstanding": {
                    "unit": _CNY,
                    "basis": f"outstanding_cny of {_WITH_LOAN}, by grade; shares of their total",
                    "values": {g: round(self.grade_outstanding.get(g, 0.0), 2) for g in grades},
                    "shares": {
                        g: share(self.grade_outstanding.get(g, 0.0), self.outstanding) for g in grades
                    },
                },
                "by_borrower": {
                    "unit": "borrowers",
                    "basis": f"{RATED_ROWS}, each borrower_id counted once, under the grade of its first "
                    "rated row (the row borrower_emissions counts); a borrower's grade does not depend on "
                    "its loans, so its rows differ in grade only when they differ in operating data or "
                    "balance sheet (flagged borrower_data_conflict, see flags.conflicting_borrowers), and "
                    f"then only the first row's grade is counted; {without_id} rated rows without a "
                    "borrower_id each counted as a borrower; shares of the borrowers figure",
                    "values": {g: self.grade_borrowers.get(g, 0) for g in grades},
                    "shares": {g: share(self.grade_borrowers.get(g, 0), borrowers) for g in grades},
                },
                "without_loan_data": figure(
                    self.without_loan,
                    _ROWS,
                    "rated rows without loan data (a loan in a currency with no rate to CNY is refused, "
                    "not rated); counted in by_count, not in by_outstanding",
                ),
            },
            "outstanding": figure(
                round(self.outstanding, 2), _CNY, f"sum of outstanding_cny over {_WITH_LOAN}"
            ),
            "loans": figure(self.loans, _ROWS, _WITH_LOAN),
            "borrowers": figure(
                borrowers,
                "borrowers",
                f"borrowers rated: distinct borrower_ids among the {RATED_ROWS}, each counted once however "
                f"many loans it has, plus {without_id} rated rows without a borrower_id, each counted as a "
                "borrower (as borrower_emissions, grade_distribution.by_borrower and "
                "green_rated_borrower_terms.borrowers count them); a borrower whose every row was refused is "
                "not counted",
            ),
            "financed_emissions": {
                "scope12": figure(
                    round(financed12, 4),
                    _TCO2E,
                    _FINANCED.format(rows=financed_rows, scope="Scopes 1+2 (Scope 2 location-based)")
                    + period,
                ),
                "scope3": figure(
                    round(self.financed3 - above3, 4),
                    _TCO2E,
                    _FINANCED.format(rows=financed_rows, scope="Scope 3 (categories with data)")
                    + f"; {self.scope3_loans} of the {self.loans} loans have a borrower with Scope 3 data "
                    "(for the others it is not measured, not zero); categories included: "
                    + SCOPE3_CATEGORIES
                    + period,
                ),
                **{
                    key: figure(
                        round(self.financed_scopes[key] - above[key], 4),
                        _TCO2E,
                        _FINANCED.format(rows=financed_rows, scope=label)
                        + " (IFRS S2 B62: financed emissions by scope)"
                        + (self._market_gap() if key == "scope2_market" else "")
                        + period,
                    )
                    for key, label in (
                        ("scope1", "Scope 1"),
                        ("scope2_location", "Scope 2 location-based"),
                        ("scope2_market", "Scope 2 market-based"),
                    )
                },
                "by_attribution_basis": by_attribution_basis(basis_groups, self.outstanding, financed12),
                "by_emissions_source": by_emissions_source(source_groups, self.outstanding, financed12,
                                                           self.unsourced_loans),
                "over_attribution": {
                    "borrowers": figure(
                        capped,
                        "borrowers",
                        "borrower_ids whose loans' attribution factors sum above 1 (several loans without "
                        "a balance sheet, each capped at 1, or loans above the borrower's equity + debt): "
                        "their loans' financed emissions are scaled by 1 / that sum (from the results: "
                        "attribution_factor summed by borrower_id over rows with outstanding_cny and no "
                        "duplicate_of_row)",
                    ),
                    "scope12": figure(
                        round(above12, 4),
                        _TCO2E,
                        "financed Scopes 1+2 of those loans above their borrowers' whole emissions, left "
                        "out of scope12",
                    ),
                    "scope3": figure(
                        round(above3, 4),
                        _TCO2E,
                        "financed Scope 3 of those loans above their borrowers' whole emissions, left out "
                        "of scope3",
                    ),
                },
                "loans_without_borrower_id": figure(
                    self._attributions.without_id,
                    _ROWS,
                    f"{_WITH_LOAN} and no borrower_id: each is capped at 1 on its own, as their borrowers "
                    "cannot be matched; add borrower_id so that a borrower is attributed at most once",
                ),
            },
            "borrower_emissions": self._borrowers.summary(),
            "pcaf_data_quality": figure(
                None if self.dq_weight <= 0 else round(self.dq_weighted / self.dq_weight, 2),
                "PCAF data-quality score, 1 (best) to 5",
                f"sum(outstanding x score) / sum(outstanding) over the {self.dq_loans} loans with "
                "outstanding > 0, each loan's own score (financed_pcaf_score: 5 without a balance sheet), "
                "not the borrower's pcaf_score: that is the standard's score of the data sent (a "
                "verified_report data source 1), while a loan on greenrate's computed emissions scores 2 at "
                "best (PCAF option 2a; 1 is option 1a, the borrower's own verified reported_emissions) "
                "(PCAF Box 8, business loans; Scopes 1+2); two decimals as PCAF reports it",
            ),
            "pcaf_data_quality_scope3": self._scope3_data_quality(),
            "green_loans": {
                "eligible": figure(
                    self.eligible_rows,
                    _ROWS,
                    f"{_WITH_LOAN} eligible as green loans by their declared use of proceeds (a green-rated "
                    "borrower's general-purpose loan is not a green loan: see green_rated_borrower_terms); "
                    "only that its category is a Green Loan Principles one was checked: the project's "
                    "environmental benefits (component 1), its evaluation and selection (component 2), the "
                    "tracking of proceeds (component 3) and annual reporting (component 4) are not checked, "
                    "for each loan's documentation to show",
                ),
                "share_by_count": figure(
                    share(self.eligible_rows, self.loans), _SHARE, "eligible loans / loans"
                ),
                "eligible_outstanding": figure(
                    round(self.eligible_outstanding, 2), _CNY, f"outstanding_cny of eligible {financed_rows}"
                ),
                "share_by_outstanding": figure(
                    share(self.eligible_outstanding, self.outstanding),
                    _SHARE,
                    f"eligible outstanding / outstanding of {financed_rows} (the refused rows' exposure is "
                    "not in it: see share_of_book_by_outstanding)",
                ),
                "share_of_book_by_outstanding": self._green_share_of_book(),
                **self._green.summary(),
            },
            "green_rated_borrower_terms": {
                "loans": figure(
                    self.preferential_rows,
                    _ROWS,
                    f"{_WITH_LOAN} whose use of proceeds is not green and whose borrower qualifies for "
                    "green-rated-borrower terms (MYbank-style preferential pricing); not green loans",
                ),
                "outstanding": figure(
                    round(self.preferential_outstanding, 2), _CNY, "outstanding_cny of those loans"
                ),
                **self._green.borrowers(),
            },
            "by_industry": by_industry(industry_groups, self.outstanding, financed12),
            "by_reporting_year": by_reporting_year(year_groups, self.outstanding, financed12),
            "flags": self._flags.summary(),
            "intensity": figure(
                None if self.outstanding <= 0 else round(financed12 / (self.outstanding / 1e6), 4),
                "tCO2e per CNY million lent",
                f"financed Scopes 1+2 / (outstanding / 1,000,000) over {financed_rows} (PCAF economic "
                "emission intensity)" + period,
            ),
            "movers": self._movers.summary()
            if self._movers is not None
            else {
                "available": False,
                "reason": self._movers_reason,
            },
        }


def summarize(
    chunks: Iterable[pd.DataFrame],
    *,
    previous: PreviousRun | None = None,
    top_n: int = DEFAULT_TOP_N,
    no_previous_reason: str | None = None,
    as_of: date | None = None,
    as_of_source: str | None = None,
) -> dict[str, Any]:
    """The summary of a whole book given as result chunks (see :class:`PortfolioAccumulator`)."""
    acc = PortfolioAccumulator(previous=previous, top_n=top_n, no_previous_reason=no_previous_reason,
                               as_of=as_of, as_of_source=as_of_source)
    for chunk in chunks:
        acc.add(chunk)
    return acc.summary()


def _named_years(groups: ByGroup) -> ByGroup:
    """Reporting-year groups as by_reporting_year names them: kept by code as the chunks arrive (the year,
    -1 where the results do not say it; a string per row cost a million-row book's summary a second or
    two), the code -1 named :data:`UNKNOWN_YEAR`."""
    groups.sums = {UNKNOWN_YEAR if year == "-1" else year: sums for year, sums in groups.sums.items()}
    return groups
