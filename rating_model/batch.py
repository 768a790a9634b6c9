"""Rating a loan book: the API's rating of every row of a flat table, as columns.

A bank re-rates its whole small-business book every year; the answer for each borrower must be the one
``POST /v1/ratings`` gives for the same data, or the book and the origination file disagree. So a batch
runs the engine's own pipeline row by row up to the indicator values (parse, estimate, inventory,
benchmark, data quality, indicators: the steps that branch on each business's data), and then does the
arithmetic the API does one row at a time as array operations over the whole chunk: points from the
artifact's vectorised scorer (bit-identical to ``score_row``), pillar sums, grades, green-loan eligibility
and PCAF attribution. Explanations (reason codes, improvements, the IFRS S2 narrative) are per-borrower
documents and stay with the API; the batch carries the figures a bank aggregates.

A row the engine refuses does not stop the batch: its ``error`` column names the field and the reason,
exactly as the API's 422 would (a reporting year after the year of issue too, when the caller passes that
year: the engine reads no clock), and its result columns are empty but for its loan's exposure and the
borrower's ``company__external_id``, which every result row carries. Columns that are not part of the flat
operating-data format and have no ``__`` in their name (``borrower_id``, ``loan_id``...) are carried
through unchanged, so results join back to the bank's own records; a column with ``__`` that the format
does not know is a typo that would silently drop data, and is refused for the whole file.

Pure computation (pandas and NumPy, no I/O): :mod:`service.batch` streams files through it (in worker
processes, through :mod:`rating_model.book_chunks`), the portfolio jobs and the Spark path
(:mod:`rating_model.spark_tasks`) call it on their own chunks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from rating_model.book_checks import BookChecks, scan_book
from rating_model.engine import Engine
from rating_model.estimation import fill_missing
from rating_model.exceptions import InvalidInputError, RatingModelError
from rating_model.flat import EXTRA_COLUMNS, FLAT_COLUMNS, checked, flat_refusal, payloads_from_frame
from rating_model.grading import Grading, applicable_knock_outs, grade
from rating_model.green_loan import (
    GreenLoan,
    assess_green_loan,
    equity_debt_above_assets,
    financed_emissions,
    outstanding_above_amount,
)
from rating_model.issue_year import check_not_after_issue, check_not_after_reporting_date
from rating_model.operating_data_reader import LoanExposure, read_external_id, read_loan_exposure
from rating_model.pipeline import measure
from rating_model.reported import reported_difference_pct
from rating_model.rounding import round_float, round_tco2e
from rating_model.sector_benchmarks import sector_of
from rating_model.standard import ENERGY_RATIO_INDICATOR

if TYPE_CHECKING:
    from datetime import date

    from numpy.typing import NDArray

    from rating_model.operating_data import OperatingData
    from rating_model.pipeline import Measured
    from rating_model.standard import KnockOut

__all__ = [
    "RESULT_COLUMNS",
    "ResultColumn",
    "passthrough_columns",
    "rate_frame",
    "result_schema",
    "unnamed_column",
]

_FLAT_NAMES = frozenset(c.name for c in FLAT_COLUMNS)


@dataclass(frozen=True, slots=True)
class ResultColumn:
    """One output column: its pandas dtype, where the same figure sits in the API's rating, and meaning.

    ``api_path`` is the key path in the body of ``POST /v1/ratings`` (``("emissions", "scope1")``); the
    tests compare the two on a sample, so the batch and the API cannot drift apart. ``None`` for columns
    the API does not have (the row number, the error).
    """

    name: str
    dtype: str
    api_path: tuple[str, ...] | None
    meaning: str


def _pillar_columns(engine: Engine) -> tuple[ResultColumn, ...]:
    return tuple(
        ResultColumn(f"pillar_{p.id}", "float64", None, f"Points of pillar {p.id} ({p.name})")
        for p in engine.standard.pillars
    )


#: the result columns every batch writes, in order (pillar columns follow ``probability_green``)
RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("row", "int64", None, "0-based position of the row in the input file"),
    ResultColumn("error", "string", None, "Why the row could not be rated (field: reason; a list item's "
                 "field with its flat column); empty when rated"),
    ResultColumn("score", "float64", ("score",), "Score 0-100"),
    ResultColumn("grade", "string", ("grade",), "Grade after knock-outs"),
    ResultColumn("score_grade", "string", ("score_grade",), "Grade the score alone reaches"),
    ResultColumn("probability_green", "float64", ("probability_green",),
                 "Model probability of a green outcome"),
    ResultColumn("knock_outs", "string", None, "Ids of the knock-out rules applied, comma-separated"),
    ResultColumn("scope1_tco2e", "float64", ("emissions", "scope1"), "Scope 1, tCO2e"),
    ResultColumn("scope2_location_tco2e", "float64", ("emissions", "scope2_location"),
                 "Scope 2 location-based"),
    ResultColumn("scope2_market_tco2e", "float64", ("emissions", "scope2_market"), "Scope 2 market-based"),
    ResultColumn("scope3_tco2e", "float64", ("emissions", "scope3", "total"),
                 "Scope 3 (categories with data); empty when the borrower has data for none: not measured, "
                 "which is not zero (the API says 0 with no category included)"),
    ResultColumn("total_tco2e", "float64", ("emissions", "total"),
                 "Scopes 1 + 2 (location) + 3, tCO2e; Scopes 1 + 2 (location) alone when scope3_tco2e is "
                 "empty"),
    ResultColumn("energy_mwh", "float64", ("emissions", "energy_mwh"), "Energy consumed, MWh"),
    ResultColumn("renewable_share", "float64", ("emissions", "renewable_share"), "Renewable share of energy"),
    ResultColumn("intensity_per_cny_million", "float64",
                 ("emissions", "intensities", "per_cny_million_revenue"),
                 "total_tco2e per CNY million of revenue: Scopes 1 + 2 (location) and the Scope 3 "
                 "categories with data, so it moves with the Scope 3 a borrower gives (tco2e_per_cny_million_"
                 "lent and the portfolio's intensity are of Scopes 1+2)"),
    ResultColumn("sector_percentile", "Int64", ("emissions", "sector_percentile"),
                 "Efficiency percentile 1-100"),
    ResultColumn("pcaf_score", "Int64", ("data_quality", "pcaf_score"),
                 "The borrower's data-quality score 1-5 on PCAF's scale: the score the standard gives its "
                 "data_source (verified_report 1, self_reported_inventory and energy_bills 2, estimated 4), "
                 "no better than an estimated input allows. It scores the data sent, not the emissions a "
                 "loan attributes (financed_pcaf_score): without reported_emissions those are greenrate's "
                 "computation from the activity data, PCAF option 2a, 2 at best (1 is option 1a, the "
                 "borrower's own verified emissions), so a verified_report without reported_emissions is 1 "
                 "here and 2 there"),
    ResultColumn("completeness", "float64", ("data_quality", "completeness"), "Share of indicators reported"),
    ResultColumn("estimated_fields", "Int64", None,
                 "How many inputs were estimated (sector defaults, assumed vehicle distances)"),
    ResultColumn("green_loan_eligible", "boolean", ("green_loan", "eligible"),
                 "Eligible as a green loan with basis use_of_proceeds: its declared use of proceeds is a "
                 "green category (GLP component 1's category; the project's benefits and GLP components 2-4, "
                 "its selection, the tracking of proceeds and reporting, are for the loan's documentation to "
                 "show); with basis borrower (no loan given) it speaks of the borrower and is no green loan "
                 "to count"),
    ResultColumn("green_loan_basis", "string", ("green_loan", "basis"),
                 "Why eligible (use of proceeds, borrower)"),
    ResultColumn("green_loan_category", "string", ("green_loan", "category"), "Use-of-proceeds category"),
    ResultColumn("pricing_tier", "string", ("green_loan", "pricing_tier"), "Pricing tier of the standard"),
    ResultColumn("green_rated_borrower", "boolean", ("green_loan", "green_rated_borrower"),
                 "Qualifies for green-rated-borrower terms on a general-purpose loan (not a green loan)"),
    ResultColumn("attribution_factor", "float64", ("financed_emissions", "attribution_factor"),
                 "PCAF attribution factor to 12 significant figures (the API rounds it to 6 decimals, "
                 "which reads 0 for a factor below 5e-7); empty without loan data"),
    ResultColumn("financed_scope12_tco2e", "float64", ("financed_emissions", "scope12_tco2e"),
                 "Financed Scopes 1+2 with Scope 2 location-based, tCO2e"),
    ResultColumn("financed_scope3_tco2e", "float64", ("financed_emissions", "scope3_tco2e"),
                 "Financed Scope 3: categories 1 (water supply), 5 (waste) and 6 (business travel), those "
                 "the borrower has data for; empty when it has none"),
    ResultColumn("outstanding_cny", "float64", ("financed_emissions", "outstanding_cny"), "Outstanding, CNY"),
    ResultColumn("tco2e_per_cny_million_lent", "float64",
                 ("financed_emissions", "tco2e_per_cny_million_lent"),
                 "Financed Scopes 1+2 (Scope 2 location-based) per CNY million lent"),
    ResultColumn("financed_pcaf_score", "Int64", ("financed_emissions", "pcaf_score"),
                 "PCAF data-quality score of this loan's financed Scopes 1+2 (Scope 3's own score is "
                 "financed_scope3_pcaf_score): 1 on the borrower's verified reported_emissions (PCAF "
                 "option 1a), 2 on unverified ones (1b); on greenrate's computed emissions the borrower's "
                 "pcaf_score but never better than 2 (option 2a: computed from energy data, however well "
                 "checked), so a verified_report data source without reported_emissions scores 2 here "
                 "beside its pcaf_score 1; 5 without a balance sheet"),
    ResultColumn("model_version", "string", ("versions", "model"), "Scorecard version"),
    ResultColumn("standard_version", "string", ("versions", "standard"), "Standard version"),
    ResultColumn("factor_set", "string", ("versions", "factor_set"), "Emission-factor set"),
    ResultColumn("engine_version", "string", ("versions", "engine"), "Rating computation (engine) version"),
    # engine 1.9 (a bank portfolio review): what an analyst splits and filters a book by
    ResultColumn("schema_version", "string", ("versions", "schema"),
                 "Operating-data and rating schema version"),
    ResultColumn("attribution_basis", "string", None,
                 "What the attribution factor divides by: equity_plus_debt, total_assets, or none (no "
                 "balance sheet: the borrower's whole emissions are attributed, factor set to 1)"),
    ResultColumn("financed_scope1_tco2e", "float64", None, "Financed Scope 1, tCO2e"),
    ResultColumn("financed_scope2_location_tco2e", "float64", None, "Financed Scope 2 location-based, tCO2e"),
    ResultColumn("financed_scope2_market_tco2e", "float64", None,
                 "Financed Scope 2 market-based, tCO2e; empty on a reported inventory without one"),
    # engine 2.8: a borrower's own reported inventory (PCAF options 1a and 1b)
    ResultColumn("financed_emissions_source", "string", ("financed_emissions", "emissions_source"),
                 "Whose emissions the loan attributes: computed (greenrate's), reported_verified (PCAF "
                 "option 1a) or reported_unverified (1b); empty without loan data"),
    ResultColumn("reported_difference_scope12_pct", "float64",
                 ("reported_emissions", "difference_scope12_pct"),
                 "The reported Scope 1 + 2 location-based against greenrate's, (reported - computed) / "
                 "computed in percent; empty without reported_emissions, or when greenrate computed none"),
    ResultColumn("industry_code", "string", None, "The borrower's ISIC Rev.4 industry code, as given"),
    ResultColumn("sector", "string", None, "The benchmark sector of the industry code's ISIC division"),
    ResultColumn("green_loan_blocked_by", "string", None,
                 "Ids of the knock-outs that deny green-loan treatment to a loan with a green use of "
                 "proceeds, comma-separated; empty otherwise"),
    ResultColumn("attribution_capped", "boolean", None,
                 "The outstanding amount (in CNY) is above the balance sheet (in CNY): the factor was capped "
                 "at 1; empty without a balance sheet"),
    ResultColumn("outstanding_above_amount", "boolean", None,
                 "loan.outstanding is above loan.amount; empty without loan data, and for a refused row "
                 "whose amount does not parse"),
    ResultColumn("borrower_data_conflict", "boolean", None,
                 "This row's borrower_id is listed elsewhere in the book with different operating data "
                 "or balance sheet (equity + debt, total assets); empty without a borrower_id"),
    ResultColumn("duplicate_loan_id", "boolean", None,
                 "This row's loan_id is given on another row too; empty without a loan_id column or cell"),
    ResultColumn("refused_outstanding_cny", "float64", None,
                 "A refused row's outstanding amount in CNY (its exposure, still on the bank's ledger), "
                 "where its outstanding (or, without one, its amount), currency and rate to CNY parse, "
                 "whatever its other cells; empty for rated rows (see outstanding_cny)"),
    # an auditor's review (PCAF): what the factor and the totals are made of, row by row
    ResultColumn("outstanding_basis", "string", None,
                 "What outstanding_cny (or refused_outstanding_cny) was read from: outstanding, or amount "
                 "(no outstanding given: a new loan's amount stands in); empty without loan data"),
    ResultColumn("loan_fx_to_cny", "float64", None,
                 "CNY per unit of the loan's currency that outstanding_cny (or refused_outstanding_cny) was "
                 "converted at: 1 for CNY, loan.fx_to_cny, else company.fx_to_cny; empty without loan data"),
    ResultColumn("attribution_denominator_cny", "float64", None,
                 "The balance sheet attribution_factor divides by, in CNY (attribution_basis: equity + "
                 "debt, or total assets, at company.fx_to_cny): factor = min(1, outstanding_cny / this); "
                 "empty with basis none and without loan data"),
    ResultColumn("equity_debt_above_assets", "boolean", None,
                 "loan.borrower_equity_plus_debt is above loan.borrower_total_assets: possible only under a "
                 "negative book equity (counted as 0: the debt alone), otherwise one figure is wrong; equity "
                 "+ debt is divided by. Empty unless both are given, and for refused rows"),
    ResultColumn("duplicate_row", "boolean", None,
                 "Every cell of this row (pass-through columns included) equals another row's; empty when "
                 "the book was not checked as a whole"),
    ResultColumn("duplicate_of_row", "Int64", None,
                 "The first row this one repeats (the same loan_id, or without one every cell the same): "
                 "the portfolio summary counts the loan once, at that row, and leaves this row out of its "
                 "totals; empty for a row that repeats none"),
    # engine 2.12 (a PCAF analyst's review): PCAF reports Scope 3 and its data quality apart from Scopes
    # 1+2; before company__external_id, which stays last, so that every earlier column keeps its place
    ResultColumn("financed_scope3_pcaf_score", "Int64", ("financed_emissions", "scope3_pcaf_score"),
                 "PCAF data-quality score of this loan's financed Scope 3 on its own (financed_pcaf_score "
                 "is of Scopes 1+2): 1 on a verified reported Scope 3, 2 on an unverified one, on "
                 "greenrate's computed Scope 3 (option 2b) 3 at best and never better than the borrower's "
                 "pcaf_score; 5 without a balance sheet; empty without loan data and where "
                 "financed_scope3_tco2e is empty"),
    # a credit committee's review: a book of SMEs rated on their 2021, 2022 and 2023 figures summed three
    # years under one "tCO2e" with no year in the results; before company__external_id, which stays last
    ResultColumn("reporting_year", "Int64", ("issb_summary", "basis_of_preparation", "reporting_period",
                                            "value"),
                 "The borrower's company.reporting_year: the year every emission figure of this row (gross "
                 "and financed) is of, a year's emissions; empty for refused rows"),
    # an accountant's review: a Scope 1 without the fleet (not answered) read as complete in a spreadsheet,
    # where the API's rating lists the inputs left out; before company__external_id, which stays last
    ResultColumn("missing", "string", ("emissions", "missing"),
                 "The inputs neither given nor estimated, comma-separated field paths (energy.fuels, "
                 "transport.fleet, energy.electricity_kwh, energy.purchased_heat_gj, resources.water_m3, "
                 "resources.waste_t, transport.business_travel): the figures they feed are partial, not a "
                 "measured zero (a Scope 1 without transport.fleet leaves out the vehicles); empty when none "
                 "is, and for refused rows"),
    # a bank joining results to its own records by borrower, not by position (the loans of one borrower
    # share its id); named as in the input, where no pass-through column can be named (it has a __)
    ResultColumn("company__external_id", "string", ("external_id",),
                 "The borrower's company__external_id, trimmed, on rated and refused rows alike (each loan "
                 "of a borrower carries it); empty when not given, and for a refused row whose id is not "
                 "text of at most 120 characters"),
)
_PILLARS_AFTER = "probability_green"
_EXTERNAL_ID = "company__external_id"
#: significant figures of the batch's attribution_factor: factor x gross emissions reproduces the financed
#: figures (rounded to 4 decimals) for any factor, where the API's 6 decimals read 0 below 5e-7
_FACTOR_FIGURES = 12


def _round_significant(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


def result_schema(engine: Engine) -> tuple[ResultColumn, ...]:
    """The result columns of ``engine`` in order: the fixed ones with one column per pillar inserted."""
    at = next(i for i, c in enumerate(RESULT_COLUMNS) if c.name == _PILLARS_AFTER) + 1
    return (*RESULT_COLUMNS[:at], *_pillar_columns(engine), *RESULT_COLUMNS[at:])


def unnamed_column(position: int, name: str = "") -> InvalidInputError:
    """The refusal of a column whose header cell (``position``, from 1) is blank, in one set of words for
    every reader of a book (:func:`passthrough_columns`; Spark, which names such a column itself)."""
    return InvalidInputError(name, f"has no name (cell {position} of the header is blank): name the column, "
                             "which is then carried through to the results under that name, or delete it "
                             "(a blank cell at the end of the header is often a stray comma)")


def passthrough_columns(columns: Sequence[str]) -> list[str]:
    """The input columns carried through to the output; raises on a ``__`` column the format lacks.

    Also refused: a column without a name (blank), a name given twice, and a name of a result column.

    A column named like a flat field but unknown (``energy__electricty_kwh``) would otherwise be dropped
    without a word and the business rated as if it had not reported it. A column without a name was carried
    through under whatever the reader made up for it (pandas' ``Unnamed: 170`` for a CSV, Spark's ``_c170``,
    ``""`` from Parquet), a name the bank never wrote and could not join its records on; and its cells may be
    a flat field whose header cell was lost. Its header cell is refused as an unknown ``__`` name is.
    """
    keep: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if not str(name).strip():
            raise unnamed_column(position, str(name))
        if str(name) in seen:
            raise InvalidInputError(str(name), "appears more than once in the header; keep one column of "
                                    "each name, or the rows could be rated from the wrong one")
        seen.add(str(name))
        if name in _FLAT_NAMES or name in EXTRA_COLUMNS:
            continue
        if "__" in str(name):
            raise InvalidInputError(str(name), "unknown column: not part of the flat operating-data format")
        if name in {c.name for c in RESULT_COLUMNS}:
            raise InvalidInputError(str(name), "clashes with a result column of the same name; rename it")
        keep.append(str(name))
    return keep


@dataclass(slots=True, init=False)
class _Measured:
    """What the row-by-row half keeps of one business: the figures, not the inventory's line items.

    Holding every business's full :class:`~rating_model.pipeline.Measured` until the chunk is scored
    costs kilobytes a row; these few fields are all the vectorised half and the output need.
    """

    data: OperatingData
    knock_outs: tuple[KnockOut, ...]
    scope12_location: float
    scope3: float | None  # None: no Scope 3 category has data
    scopes: tuple[float, float, float]  # Scope 1, Scope 2 location-based, market-based: attributed apart
    pcaf_score: int
    sector: str
    figures: tuple[Any, ...]  # the _FIGURES columns, already rounded as the API rounds them

    def __init__(
        self, data: OperatingData, knock_outs: tuple[KnockOut, ...], scope12_location: float,
        scope3: float | None, scopes: tuple[float, float, float], pcaf_score: int, sector: str,
        figures: tuple[Any, ...],
    ) -> None:
        self.data = data
        self.knock_outs = knock_outs
        self.scope12_location = scope12_location
        self.scope3 = scope3
        self.scopes = scopes
        self.pcaf_score = pcaf_score
        self.sector = sector
        self.figures = figures


#: result columns known before scoring, in the order of :func:`_figures`
_FIGURES = ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "scope3_tco2e", "total_tco2e",
            "energy_mwh", "renewable_share", "intensity_per_cny_million", "sector_percentile", "pcaf_score",
            "completeness", "estimated_fields", "missing")


def _figures(m: Measured) -> tuple[Any, ...]:
    inv, quality = m.inventory, m.quality
    return (round_tco2e(inv.scope1_tco2e), round_tco2e(inv.scope2_location_tco2e),
            round_tco2e(inv.scope2_market_tco2e),
            # not measured is not zero: empty where no Scope 3 category has data (the API says 0 there,
            # beside an empty categories_included that the batch has no column for)
            round_tco2e(inv.scope3_tco2e) if inv.scope3_categories_included else None,
            round_tco2e(inv.total_tco2e), round_float(inv.energy_mwh, 4),
            None if inv.renewable_share is None else round_float(inv.renewable_share, 6),
            round_float(inv.intensities.per_cny_million_revenue, 6), m.benchmark.percentile,
            quality.pcaf_score, quality.completeness, len(quality.estimated_fields),
            ",".join(inv.missing) or None)


def rate_frame(frame: pd.DataFrame, engine: Engine, *, first_row: int = 0,
               progress: Callable[[int], None] | None = None,
               checks: BookChecks | None = None,
               issue_year: int | None = None,
               as_of: date | None = None) -> pd.DataFrame:
    """Rate every row of a flat frame; one output row per input row, in order.

    Parameters
    ----------
    frame:
        Columns of the flat format (``docs/synthetic-population.md``) plus any pass-through columns.
    engine:
        The engine to rate with (the service's active model, for results equal to the API's).
    first_row:
        Position of the frame's first row in the whole file, for the ``row`` column of streamed chunks.
    progress:
        Called with the number of rows done, every few thousand rows.
    checks:
        The whole book's cross-row checks (:func:`rating_model.book_checks.scan_book`), when ``frame`` is
        one chunk of it; ``None``: ``frame`` is the whole book, and is checked on its own.
    issue_year:
        The year of issue (UTC) when the results are issued or recorded as ratings: a row whose reporting
        year (or a credit's vintage) is after it is refused, its ``error`` the field and words of the
        API's 422 (:func:`rating_model.issue_year.check_not_after_issue`). The engine reads no clock, so
        the service passes it (:func:`service.issue_year.year_of_issue`); ``None`` checks no year (a
        model's evaluation on labelled data of any year).
    as_of:
        The reporting date of a loan book (a portfolio job's ``as_of``): a row whose reporting year (or a
        credit's vintage) is after its year is refused too
        (:func:`rating_model.issue_year.check_not_after_reporting_date`); ``None`` checks no such date.

    Returns
    -------
    DataFrame
        Pass-through columns, then :func:`result_schema`'s columns with their dtypes.
    """
    keep = passthrough_columns(list(frame.columns))
    n = len(frame)
    names = engine.artifact.feature_names
    # the indicator values of the rated rows, row after row, NaN for missing: a flat list of floats is
    # about 3 µs a row cheaper for NumPy to read than a list of rows holding None
    flat_values: list[float] = []
    rated = 0
    rows: list[_Measured | None] = [None] * n
    errors: list[str | None] = [None] * n
    refused_loans: list[LoanExposure | None] = [None] * n
    external_ids: list[str | None] = [None] * n
    standard, indicators = engine.standard, engine.indicators
    # the indicator dict is built in the standard's order; when the model reads them in that order too
    # (always, for a model trained on the standard), its values are the matrix row as they are
    in_order = tuple(names) == indicators.ids
    flat = frame[[c for c in frame.columns if c in _FLAT_NAMES]]
    id_cells = frame[_EXTERNAL_ID] if _EXTERNAL_ID in frame.columns else None
    for i, payload in enumerate(payloads_from_frame(flat)):
        try:
            data = engine.parse(checked(payload))  # a contradicting row: that row's error, not the book's
            if issue_year is not None:  # a year not yet begun: that row's error, as the API's 422
                check_not_after_issue(data, issue_year)
            if as_of is not None:  # a year after the book's reporting date: not as of that date
                check_not_after_reporting_date(data, as_of)
            filled = fill_missing(data, standard)
            m = measure(filled, standard, indicators)
        except RatingModelError as exc:
            errors[i] = flat_refusal(exc, payload)  # a list item's field with its flat column
            if isinstance(payload, dict):
                refused_loans[i] = read_loan_exposure(payload)
            if id_cells is not None:  # read from its cell: a row whose cells contradict has no payload
                external_ids[i] = read_external_id(id_cells.iat[i])
        else:
            values = m.values
            ordered = values.values() if in_order else [values[name] for name in names]
            flat_values.extend([math.nan if v is None else v for v in ordered])
            rated += 1
            external_ids[i] = data.company.external_id
            quality = m.quality
            inv = m.inventory
            knock_outs = applicable_knock_outs(filled, quality.completeness, standard,
                                               energy_ratio=values.get(ENERGY_RATIO_INDICATOR),
                                               energy_use_ratio=m.benchmark.use_ratio)
            rows[i] = _Measured(data, knock_outs,
                                inv.scope12_location_tco2e,
                                inv.scope3_tco2e if inv.scope3_categories_included else None,
                                (inv.scope1_tco2e, inv.scope2_location_tco2e, inv.scope2_market_tco2e),
                                quality.pcaf_score,
                                sector_of(data.company.isic_division),
                                _figures(m))
        if progress is not None and (i + 1) % 5000 == 0:
            progress(5000)
    if progress is not None and n % 5000:
        progress(n % 5000)
    matrix = np.fromiter(flat_values, dtype=np.float64, count=len(flat_values)).reshape(rated, len(names))
    columns = _result_columns(rows, errors, matrix, engine)
    columns["row"] = np.arange(first_row, first_row + n, dtype=np.int64)
    columns[_EXTERNAL_ID] = external_ids
    for i, refused in enumerate(refused_loans):
        if refused is not None:
            columns["refused_outstanding_cny"][i] = round_float(refused.outstanding * refused.to_cny, 2)
            columns["outstanding_above_amount"][i] = (
                False if refused.from_amount
                else None if refused.amount is None
                else refused.outstanding > refused.amount
            )
            columns["outstanding_basis"][i] = "amount" if refused.from_amount else "outstanding"
            columns["loan_fx_to_cny"][i] = refused.to_cny
    book = scan_book(lambda: (frame,), first_row) if checks is None else checks
    columns.update(book.flags(frame, first_row))
    # pass-through columns keep their dtype: a text column empty in this chunk is still text, as in the
    # chunks around it (as NumPy objects it would be all None, typed as null by Arrow and by the writer)
    out = pd.DataFrame({name: frame[name].array for name in keep}, index=pd.RangeIndex(n))
    for col in result_schema(engine):
        out[col.name] = _array(columns[col.name], col.dtype)
    return out


def _array(values: Any, dtype: str) -> Any:
    """A typed column from a list with ``None`` for missing; numbers go through NumPy (fast, exact)."""
    if isinstance(values, pd.arrays.BooleanArray):
        return values
    if dtype == "float64":
        return np.array(values, dtype=np.float64)  # None becomes NaN
    if dtype == "Int64":
        floats = np.array(values, dtype=np.float64)
        return pd.arrays.IntegerArray(np.nan_to_num(floats).astype(np.int64), np.isnan(floats))
    if dtype == "string" and _ARROW_STRINGS:
        try:  # Arrow reads a list of str and None in C; pandas' own conversion checks each cell in Python
            return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass  # a cell that is not text: pandas converts it, as it always has
    if dtype == "boolean" and all(v is None or type(v) is bool for v in values):
        return pd.arrays.BooleanArray(np.array([v is True for v in values], dtype=bool),
                                      np.array([v is None for v in values], dtype=bool))
    return pd.array(values, dtype=dtype)


#: whether pandas' ``string`` dtype is Arrow's large_string here (pyarrow installed, the default storage):
#: then :func:`_array` builds that array from Arrow directly, the same array ``pd.array`` makes
_ARROW_STRINGS: bool = (pd.array([], dtype="string").dtype == pd.StringDtype("pyarrow")
                        and pa.array(pd.array([""], dtype="string")).type == pa.large_string())


def _result_columns(rows: list[_Measured | None], errors: list[str | None], matrix: NDArray[np.float64],
                    engine: Engine) -> dict[str, Any]:
    """Score the rated rows (``matrix``, in order) in one vectorised pass, then the per-row decisions.

    A grade depends on the score only through the grade the score reaches (:func:`grading.grade`), and
    green-loan eligibility only on the grade, the knock-outs and the loan's use of proceeds; so both (the
    rationale text included) are computed once per distinct combination in the chunk, a few dozen of them.
    """
    n = len(rows)
    ok = [i for i, r in enumerate(rows) if r is not None]
    artifact, standard = engine.artifact, engine.standard
    names = artifact.feature_names
    by_name = {name: matrix[:, j] for j, name in enumerate(names)}
    scores, points = artifact.score_columns(by_name, n_rows=len(ok))
    probabilities = artifact.probabilities(scores)
    cols: dict[str, Any] = {c.name: [None] * n for c in result_schema(engine) if c.name != "row"}
    cols["error"] = list(errors)
    # float columns straight from the scorer's arrays (NaN for refused rows, as _array makes of None)
    for name, values in (("score", scores), ("probability_green", probabilities)):
        column = np.full(n, np.nan)
        column[ok] = values
        cols[name] = column
    # the figures of every row, refused rows as a row of None, turned into columns in one pass
    missing = (None,) * len(_FIGURES)
    figures = [missing if r is None else r.figures for r in rows]
    for j, name in enumerate(_FIGURES):
        cols[name] = [row[j] for row in figures]
    pillar_of = [standard.indicators[name].pillar for name in names]
    # each pillar's points summed in feature order, as the API's pillars are
    pillars = [(cols[f"pillar_{p.id}"], [j for j, owner in enumerate(pillar_of) if owner == p.id])
               for p in standard.pillars]
    versions = engine.versions
    decided: dict[tuple[Any, ...], tuple[Grading, str | None, GreenLoan, str | None]] = {}
    grade_for = standard.grade_for
    (grades, score_grades, knock_out_ids, eligible, basis, category, tier, rated_green, attribution,
     financed12, financed3, outstanding, per_million, financed_pcaf, attribution_basis, financed1,
     financed2_location, financed2_market, industry, sector, blocked_by, capped, above_amount,
     outstanding_basis, loan_fx, denominator, above_assets, emissions_source, reported_gap,
     financed_pcaf3, reporting_year) = (
        cols[name] for name in (
            "grade", "score_grade", "knock_outs", "green_loan_eligible", "green_loan_basis",
            "green_loan_category", "pricing_tier", "green_rated_borrower",
            "attribution_factor", "financed_scope12_tco2e", "financed_scope3_tco2e",
            "outstanding_cny", "tco2e_per_cny_million_lent", "financed_pcaf_score", "attribution_basis",
            "financed_scope1_tco2e", "financed_scope2_location_tco2e", "financed_scope2_market_tco2e",
            "industry_code", "sector", "green_loan_blocked_by", "attribution_capped",
            "outstanding_above_amount", "outstanding_basis", "loan_fx_to_cny", "attribution_denominator_cny",
            "equity_debt_above_assets", "financed_emissions_source", "reported_difference_scope12_pct",
            "financed_scope3_pcaf_score", "reporting_year"))
    for i, score, row_points in zip(ok, scores.tolist(), points.tolist(), strict=True):
        r = rows[i]
        assert r is not None
        for column, members in pillars:
            column[i] = round_float(math.fsum([row_points[j] for j in members]), 2)
        given = r.data.loan
        use = None if given is None else given.use_of_proceeds
        key = (grade_for(score), r.knock_outs, given is None, use)
        decision = decided.get(key)
        if decision is None:
            grading = grade(score, r.knock_outs, standard)
            decision = decided[key] = (
                grading,
                ",".join(rule.id for rule in grading.knock_outs) or None,
                assess_green_loan(r.data, grading.grade, grading.knock_outs, standard),
                # a loan the use of proceeds makes green, denied by a knock-out (GLP: a lost green loan)
                ",".join(rule.id for rule in grading.knock_outs if rule.blocks_green_loan)
                if given is not None and use in standard.green_uses else None,
            )
        grading, knock_out_text, loan, blocking = decision
        industry[i] = r.data.company.industry_code
        reporting_year[i] = r.data.company.reporting_year
        sector[i] = r.sector
        blocked_by[i] = blocking or None
        grades[i] = grading.grade
        score_grades[i] = grading.score_grade
        knock_out_ids[i] = knock_out_text
        eligible[i] = loan.eligible
        basis[i] = loan.basis
        category[i] = loan.category
        tier[i] = loan.pricing_tier
        rated_green[i] = loan.green_rated_borrower
        if r.data.reported_emissions is not None:
            reported_gap[i] = reported_difference_pct(r.data.reported_emissions, r.scope12_location)
        financed = financed_emissions(r.data, r.scope12_location, r.scope3, r.pcaf_score, r.scopes)
        if financed is not None:
            emissions_source[i] = financed.emissions_source
            assert given is not None
            attribution_basis[i] = financed.attribution_basis
            financed1[i] = financed.scope1_tco2e
            financed2_location[i] = financed.scope2_location_tco2e
            financed2_market[i] = financed.scope2_market_tco2e
            capped[i] = None if financed.attribution_basis == "none" else financed.capped
            above_amount[i] = outstanding_above_amount(given)
            above_assets[i] = equity_debt_above_assets(given)
            attribution[i] = _round_significant(financed.exact_factor, _FACTOR_FIGURES)
            outstanding_basis[i] = financed.outstanding_basis
            loan_fx[i] = financed.loan_fx_to_cny
            denominator[i] = financed.attribution_denominator_cny
            financed12[i] = financed.scope12_tco2e
            financed3[i] = financed.scope3_tco2e
            outstanding[i] = financed.outstanding_cny
            per_million[i] = financed.tco2e_per_cny_million_lent
            financed_pcaf[i] = financed.pcaf_score
            financed_pcaf3[i] = financed.scope3_pcaf_score
    for version_column, part in (("model_version", "model"), ("standard_version", "standard"),
                                 ("factor_set", "factor_set"), ("engine_version", "engine"),
                                 ("schema_version", "schema")):
        cols[version_column] = [versions[part] if r is not None else None for r in rows]
    return cols
