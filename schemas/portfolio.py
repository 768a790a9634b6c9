"""Portfolio jobs: the loan-book upload, the job (status, progress, summary) and the results download.

The summary's figures are computed by :mod:`rating_model.portfolio`; each carries its ``unit`` and
``basis``, so the document explains itself to an auditor without this page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from rating_model.standard import GRADES
from schemas.fields import Anchored, UtcDateTime

#: A portfolio job's status, as the API shows it and the jobs table stores it (its check constraint):
#: ``cancelled`` by ``DELETE /v1/portfolios/{id}`` (migration 0015).
STATUSES = ("queued", "running", "completed", "failed", "cancelled")
RESULT_FORMATS = ("csv", "parquet")
#: the ids the service issues: ``pf_`` and 32 hex digits
PORTFOLIO_ID = re.compile(r"pf_[0-9a-f]{32}")
#: the earliest reporting date a book may be as of: the engine rates reporting years from 1990
EARLIEST_AS_OF = date(1990, 1, 1)
#: what a job's ``as_of`` is when the upload names none
AS_OF_DEFAULT = "the UTC date of the upload"


class FilePart(fields.Field):  # type: ignore[type-arg]
    """A file part of a multipart body (anything with a file name and a stream; no web framework here)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not (hasattr(value, "stream") and hasattr(value, "filename")):
            raise ValidationError("Send the loan book as a file part named `file`.")
        if not value.filename:
            raise ValidationError("The file part needs a file name ending in .csv or .parquet.")
        return value


class PortfolioUploadSchema(Schema):
    """`multipart/form-data`: the loan book, and optionally the earlier portfolio to compare with."""

    class Meta:
        unknown = RAISE

    file = FilePart(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The loan book: CSV (`.csv`, `.csv.gz`...) or Parquet (`.parquet`), one row per "
            "loan in the flat operating-data format (docs/synthetic-population.md), plus pass-through "
            "columns such as `borrower_id` (needed for the top movers).",
        },
    )
    previous = fields.String(
        validate=Anchored(f"^{PORTFOLIO_ID.pattern}$", error="Not a portfolio id (pf_ and 32 hex digits)."),
        metadata={
            "description": "Id of an earlier completed portfolio of this tenant for the top movers; "
            "default: the tenant's latest completed one uploaded under the same file name, else its latest "
            "completed one (the movers name its file: `compared_with_file`); either way one as of "
            "`as_of` or earlier."
        },
    )
    as_of = fields.Date(
        validate=validate.Range(min=EARLIEST_AS_OF, error="Must be 1990-01-01 or later."),
        metadata={
            "description": "The reporting date the book is as of (ISO 8601 date, e.g. `2025-12-31`): the "
            "date of its outstanding amounts, PCAF's reporting date. A row whose `company__reporting_year` "
            "(or a credit's vintage) is after its year is refused in its `error`, as of a period the date "
            "does not cover; the default comparison for the top movers is as of this date or earlier. "
            f"Not after today (UTC). Default: {AS_OF_DEFAULT}. The job, its summary (`summary.as_of`) "
            "and every row of the results (`as_of` column) say it."
        },
    )


class ResultsQuerySchema(Schema):
    """``GET /v1/portfolios/{id}/results``: the format, unless `Accept` chooses it."""

    class Meta:
        unknown = RAISE

    format = fields.String(
        validate=validate.OneOf(RESULT_FORMATS),
        metadata={"description": "`csv` or `parquet`; otherwise by `Accept`, else the upload's format."},
    )


class FigureSchema(Schema):
    value = fields.Raw(required=True, allow_none=True, metadata={"description": "Null when undefined."})
    unit = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "Which rows, and how it is computed."})


class DistributionSchema(Schema):
    unit = fields.String(required=True)
    basis = fields.String(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    shares = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)


class RowsSchema(Schema):
    unit = fields.String(required=True)
    basis = fields.String(required=True)
    total = fields.Integer(required=True)
    rated = fields.Integer(required=True)
    errors = fields.Integer(required=True)
    duplicates = fields.Integer(
        metadata={
            "description": "Rows repeating an earlier row (the results' duplicate_of_row), left out of every "
            "other figure. Absent from summaries computed before it was counted (they counted such rows "
            "twice)."
        }
    )


class GradeDistributionSchema(Schema):
    by_count = fields.Nested(
        DistributionSchema,
        required=True,
        metadata={"description": "Rated rows (loans) by grade: a borrower with 3 loans counts 3 times."},
    )
    by_outstanding = fields.Nested(DistributionSchema, required=True)
    by_borrower = fields.Nested(
        DistributionSchema,
        metadata={
            "description": "Borrowers by grade, each `borrower_id` once under the grade of its first rated "
            "row (the row `borrower_emissions` counts; rows of one borrower differ in grade only when they "
            "differ in operating data, flagged `borrower_data_conflict`); a rated row without a "
            "`borrower_id` counts as a borrower. Its values sum to the summary's `borrowers`. Absent from "
            "summaries computed before."
        },
    )
    without_loan_data = fields.Nested(FigureSchema, required=True)


class OverAttributionSchema(Schema):
    borrowers = fields.Nested(FigureSchema, required=True)
    scope12 = fields.Nested(FigureSchema, required=True)
    scope3 = fields.Nested(FigureSchema, required=True)


_SINCE_1_9 = "Absent from summaries computed before engine 1.9 (stored as issued)."


def _since_1_9(schema: type[Schema] | Schema, what: str) -> fields.Nested:
    """A section added with engine 1.9: optional, since earlier summaries are served as stored."""
    return fields.Nested(schema, metadata={"description": f"{what} {_SINCE_1_9}"})


class GroupRowSchema(Schema):
    """One group of loans (an attribution basis, an ISIC division)."""

    loans = fields.Integer(required=True)
    outstanding = fields.Float(required=True, metadata={"description": "CNY"})
    sector = fields.String(metadata={"description": "The division's benchmark sector (by_industry only)."})
    financed_scope12 = fields.Float(required=True, metadata={"description": "tCO2e"})
    financed_scope3 = fields.Float(required=True, metadata={"description": "tCO2e"})
    financed_scope1 = fields.Float(required=True, metadata={"description": "tCO2e"})
    financed_scope2_location = fields.Float(required=True, metadata={"description": "tCO2e"})
    financed_scope2_market = fields.Float(required=True, metadata={"description": "tCO2e"})
    share_of_outstanding = fields.Float(required=True, allow_none=True)
    share_of_financed_scope12 = fields.Float(required=True, allow_none=True)
    intensity = fields.Float(
        required=True, allow_none=True, metadata={"description": "tCO2e per CNY million lent"}
    )
    pcaf_data_quality = fields.Float(
        required=True, allow_none=True,
        metadata={"description": "Outstanding-weighted PCAF score 1-5 of the financed Scopes 1+2."},
    )
    pcaf_data_quality_scope3 = fields.Float(
        allow_none=True,
        metadata={
            "description": "Outstanding-weighted PCAF score 1-5 of the financed Scope 3, over the group's "
            "loans with one (`financed_scope3_pcaf_score`; PCAF reports Scope 3's data quality apart); null "
            "when none has one. Absent from summaries computed before engine 2.12 (stored as issued)."
        },
    )


class GroupTableSchema(Schema):
    unit = fields.String(required=True)
    basis = fields.String(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Nested(GroupRowSchema), required=True)


class FinancedSchema(Schema):
    scope12 = fields.Nested(FigureSchema, required=True)
    scope3 = fields.Nested(FigureSchema, required=True)
    scope1 = _since_1_9(FigureSchema, "Financed Scope 1 (IFRS S2 B62).")
    scope2_location = _since_1_9(FigureSchema, "Financed Scope 2 location-based.")
    scope2_market = _since_1_9(FigureSchema, "Financed Scope 2 market-based.")
    by_attribution_basis = _since_1_9(
        GroupTableSchema,
        "Loans, outstanding and financed emissions by what the attribution factor divides by: "
        "`equity_plus_debt`, `total_assets`, `none` (no balance sheet: the borrower's whole emissions "
        "attributed, factor set to 1).",
    )
    by_emissions_source = fields.Nested(
        GroupTableSchema,
        metadata={
            "description": "Loans, outstanding, financed emissions and outstanding-weighted PCAF score by "
            "whose emissions the loans attribute (`financed_emissions_source`): `computed` (greenrate's "
            "inventory, PCAF option 2a at best), `reported_verified` (the borrower's own verified "
            "inventory, option 1a) and `reported_unverified` (1b). Absent from summaries computed before "
            "engine 2.8 (stored as issued)."
        },
    )
    over_attribution = fields.Nested(
        OverAttributionSchema,
        metadata={
            "description": "Borrowers whose loans would attribute more than their whole emissions, and the "
            "financed emissions left out for them. Absent from summaries computed before 2026-12-05 "
            "(stored as issued), which did not cap by borrower."
        },
    )
    loans_without_borrower_id = fields.Nested(
        FigureSchema,
        metadata={
            "description": "Loans that cannot be matched to a borrower. Absent from summaries computed "
            "before 2026-12-05."
        },
    )


class GrossSchema(Schema):
    scope1 = fields.Nested(FigureSchema, required=True)
    scope2_location = fields.Nested(FigureSchema, required=True)
    scope2_market = fields.Nested(FigureSchema, required=True)
    scope3 = fields.Nested(FigureSchema, required=True)
    total = fields.Nested(FigureSchema, required=True)


class LoansAndOutstandingSchema(Schema):
    loans = fields.Integer(required=True)
    outstanding = fields.Float(required=True, metadata={"description": "CNY"})


class LoansTableSchema(Schema):
    unit = fields.String(required=True)
    basis = fields.String(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Nested(LoansAndOutstandingSchema), required=True)


class BlockedGreenLoansSchema(Schema):
    loans = fields.Nested(FigureSchema, required=True)
    outstanding = fields.Nested(FigureSchema, required=True)
    by_knock_out = fields.Nested(LoansTableSchema, required=True)


class GreenLoansSchema(Schema):
    eligible = fields.Nested(FigureSchema, required=True)
    share_by_count = fields.Nested(FigureSchema, required=True)
    eligible_outstanding = fields.Nested(FigureSchema, required=True)
    share_by_outstanding = fields.Nested(
        FigureSchema,
        required=True,
        metadata={
            "description": "`eligible_outstanding` over the outstanding of the rated loans alone (the "
            "refused rows' exposure is not in it; see `share_of_book_by_outstanding`)."
        },
    )
    share_of_book_by_outstanding = fields.Nested(
        FigureSchema,
        metadata={
            "description": "The green-loan ratio of the whole book submitted: `eligible_outstanding` over "
            "`coverage.total_outstanding` (the rated loans' outstanding plus the refused rows' "
            "`refused_outstanding_cny`). A refused row is never counted eligible; a refused row whose "
            "outstanding could not be read (`coverage.refused_without_loan_data`) is in neither part, and "
            "`basis` says how many there are. Null when no outstanding is known. Absent from summaries "
            "computed before (stored as issued)."
        },
    )
    by_category = _since_1_9(LoansTableSchema, "Eligible green loans by use-of-proceeds category.")
    blocked_by_knock_out = _since_1_9(
        BlockedGreenLoansSchema,
        "Loans with a green use of proceeds denied green-loan treatment by a knock-out.",
    )


class GreenRatedBorrowerTermsSchema(Schema):
    loans = fields.Nested(FigureSchema, required=True)
    outstanding = fields.Nested(FigureSchema, required=True)
    borrowers = _since_1_9(FigureSchema, "Green-rated borrowers counted once by borrower_id.")
    green_rated_borrower_loans = _since_1_9(
        FigureSchema, "Loans to green-rated borrowers whatever their use of proceeds."
    )


_DUPLICATES = "Absent from summaries computed before duplicate rows were found (they counted them twice)."


class CoverageSchema(Schema):
    """The covered figures beside the refused rows' exposure, so that the summary reconciles to the ledger."""

    covered_loans = fields.Nested(FigureSchema, required=True)
    covered_outstanding = fields.Nested(FigureSchema, required=True)
    refused_rows = fields.Nested(FigureSchema, required=True)
    refused_loans = fields.Nested(FigureSchema, required=True)
    refused_outstanding = fields.Nested(FigureSchema, required=True)
    refused_without_loan_data = fields.Nested(FigureSchema, required=True)
    total_outstanding = fields.Nested(FigureSchema, required=True)
    ratio = fields.Nested(FigureSchema, required=True)
    duplicate_rows = fields.Nested(
        FigureSchema,
        metadata={"description": "Rows repeating an earlier row, left out of the totals. " + _DUPLICATES},
    )
    duplicate_outstanding = fields.Nested(
        FigureSchema, metadata={"description": "The outstanding of those rows, CNY. " + _DUPLICATES}
    )


class FlagsSchema(Schema):
    """How many rows each per-row flag of the results marks (filter the results by the same columns)."""

    attribution_capped = fields.Nested(FigureSchema, required=True)
    outstanding_above_amount = fields.Nested(FigureSchema, required=True)
    borrower_data_conflict = fields.Nested(FigureSchema, required=True)
    duplicate_loan_id = fields.Nested(FigureSchema, required=True)
    duplicate_row = fields.Nested(
        FigureSchema, metadata={"description": "Rows equal cell for cell to another row. " + _DUPLICATES}
    )
    conflicting_borrowers = fields.Nested(FigureSchema, required=True)
    duplicate_loan_ids = fields.Nested(FigureSchema, required=True)


class PortfolioVersionsSchema(Schema):
    """Every version the results were rated with; several, comma-separated, if results of runs were mixed."""

    model = fields.String(required=True, allow_none=True)
    standard = fields.String(required=True, allow_none=True)
    factor_set = fields.String(required=True, allow_none=True)
    engine = fields.String(required=True, allow_none=True)
    schema = fields.String(required=True, allow_none=True)


class MoverSchema(Schema):
    borrower_id = fields.String(required=True)
    row = fields.Integer(required=True, metadata={"description": "0-based row of the loan book."})
    previous_score = fields.Float(required=True)
    score = fields.Float(required=True)
    change = fields.Float(required=True)
    previous_grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    grade_steps = fields.Integer(metadata={"description": "Grades gained (negative: lost)."})


class GradeChangesSchema(Schema):
    unit = fields.String(required=True)
    basis = fields.String(required=True)
    upgraded = fields.Integer(required=True)
    downgraded = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    transitions = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
        metadata={"description": "previous grade -> grade -> borrowers"},
    )
    largest = fields.List(
        fields.Nested(MoverSchema),
        required=True,
        metadata={"description": "Largest grade changes; emptied when the job's files are deleted."},
    )


class MoversSchema(Schema):
    """Score changes since the earlier portfolio; `available: false` with a `reason` when not computable."""

    available = fields.Boolean(required=True)
    reason = fields.String(metadata={"description": "Why there are no movers (only when unavailable)."})
    compared_with = fields.String(metadata={"description": "The earlier portfolio's id."})
    compared_with_file = fields.String(
        metadata={"description": "The file name the earlier portfolio was uploaded as (absent before)."}
    )
    compared_with_basis = fields.String(
        metadata={"description": "How the earlier portfolio was chosen (absent before)."}
    )
    unit = fields.String()
    basis = fields.String()
    top_n = fields.Integer()
    matched = fields.Nested(
        FigureSchema, metadata={"description": "Borrowers rated in both runs, each `borrower_id` once."}
    )
    new = fields.Nested(
        FigureSchema,
        metadata={
            "description": "Loan ROWS whose `borrower_id` the previous run did not rate: a new borrower with "
            "five loans counts 5; `new_borrowers` counts borrowers."
        },
    )
    new_borrowers = fields.Nested(
        FigureSchema,
        metadata={
            "description": "Borrowers (distinct `borrower_id`s) of this run's rated rows that the previous "
            "run did not rate, each once; `matched + new_borrowers` is this run's borrowers with an id (rows "
            "without one are matched with nothing and counted in neither). Absent from summaries computed "
            "before."
        },
    )
    not_rated_now = fields.Nested(
        FigureSchema,
        metadata={"description": "Borrowers the previous run rated that have no rated row in this run."},
    )
    rises = fields.List(
        fields.Nested(MoverSchema),
        metadata={"description": "Largest score rises; emptied when the job's files are deleted."},
    )
    falls = fields.List(
        fields.Nested(MoverSchema),
        metadata={"description": "Largest score falls; emptied when the job's files are deleted."},
    )
    grade_changes = fields.Nested(GradeChangesSchema)
    borrowers_removed = fields.Boolean(
        metadata={
            "description": "True once the job's files were deleted (`DELETE`, or the service's retention): "
            "`rises`, `falls` and `grade_changes.largest`, which name borrowers by `borrower_id`, were "
            "emptied with them; the counts stay. Absent before."
        }
    )


class PortfolioSummarySchema(Schema):
    """What a bank reports for the book (IFRS S2 B61-B63, PCAF Part A business loans)."""

    as_of = fields.Nested(
        FigureSchema,
        metadata={
            "description": "The reporting date the figures are as of (the job's `as_of`, an ISO 8601 "
            "date), how it was chosen, and how many loans' emissions are of its year, of the year before "
            "or older. Absent from summaries computed before (stored as issued)."
        },
    )
    rows = fields.Nested(RowsSchema, required=True)
    grade_distribution = fields.Nested(GradeDistributionSchema, required=True)
    outstanding = fields.Nested(FigureSchema, required=True)
    loans = fields.Nested(FigureSchema, required=True)
    borrowers = fields.Nested(
        FigureSchema,
        metadata={
            "description": "Borrowers rated: distinct `borrower_id`s among the rated rows, each once however "
            "many loans it has, plus each rated row without a `borrower_id` (counted as a borrower). Absent "
            "from summaries computed before."
        },
    )
    financed_emissions = fields.Nested(FinancedSchema, required=True)
    borrower_emissions = fields.Nested(GrossSchema, required=True)
    pcaf_data_quality = fields.Nested(
        FigureSchema,
        required=True,
        metadata={
            "description": "The outstanding-weighted PCAF data-quality score of the financed Scopes 1+2 "
            "(PCAF Box 8), over each loan's `financed_pcaf_score`, not the borrower's `pcaf_score`: a "
            "`verified_report` data source scores 1 there, while a loan on greenrate's computed emissions "
            "scores 2 at best (PCAF option 2a; 1 is option 1a, the borrower's own verified "
            "`reported_emissions`)."
        },
    )
    pcaf_data_quality_scope3 = fields.Nested(
        FigureSchema,
        metadata={
            "description": "The outstanding-weighted PCAF data-quality score of the financed Scope 3, beside "
            "`pcaf_data_quality` (Scopes 1+2, PCAF Box 8): PCAF Part A reports Scope 3 and its data quality "
            "apart. Over the loans with a financed Scope 3 (`financed_scope3_pcaf_score`); null when none "
            "has one. Absent from summaries computed before engine 2.12 (stored as issued)."
        },
    )
    green_loans = fields.Nested(GreenLoansSchema, required=True)
    green_rated_borrower_terms = fields.Nested(
        GreenRatedBorrowerTermsSchema,
        metadata={
            "description": "General-purpose loans to green-rated borrowers (preferential terms, not green "
            "loans). Absent from summaries computed before engine 1.6, whose green_loans counted them."
        },
    )
    intensity = fields.Nested(FigureSchema, required=True)
    movers = fields.Nested(MoversSchema, required=True)
    versions = _since_1_9(
        PortfolioVersionsSchema, "The versions of the rated rows (null values: no row was rated)."
    )
    coverage = _since_1_9(
        CoverageSchema,
        "Covered outstanding beside the refused rows' outstanding, and the coverage ratio (IFRS S2 B62).",
    )
    by_industry = _since_1_9(
        GroupTableSchema,
        "Exposure, financed emissions and data quality per ISIC Rev.4 division (IFRS S2 B62).",
    )
    flags = _since_1_9(FlagsSchema, "Counts of the results' per-row flags.")
    by_reporting_year = fields.Nested(
        GroupTableSchema,
        metadata={
            "description": "Loans, outstanding, financed emissions and data quality per reporting year of "
            "the borrowers (`reporting_year`: the year a row's emissions are of): the book's financed "
            "emissions sum a year's emissions of each borrower, of its own year, and a book mixes years; "
            "`unknown` for results written before the `reporting_year` column. Absent from summaries "
            "computed before (stored as issued)."
        },
    )


class UploadedFileSchema(Schema):
    name = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(RESULT_FORMATS))
    bytes = fields.Integer(required=True)
    sha256 = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "sha256 (hex) of the bytes received: with the options, what makes a retry the "
            "same upload. Null for jobs uploaded before the service recorded it."
        },
    )


class ProgressSchema(Schema):
    rows_done = fields.Integer(required=True)
    rows_total = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null until counted."}
    )
    chunks_done = fields.Integer(required=True)


class ResultLinksSchema(Schema):
    csv = fields.String(required=True)
    parquet = fields.String(required=True)


class UploaderSchema(Schema):
    """The API key whose upload created a job (``GET /v1/keys/{key_id}`` shows it to an admin key)."""

    # null only for a row written without them (the service has always recorded both)
    key_id = fields.Integer(required=True, allow_none=True, metadata={"description": "See GET /v1/keys."})
    prefix = fields.String(
        required=True, allow_none=True, metadata={"description": "The key's non-secret prefix."}
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf(("bank",)),
        metadata={"description": "The key's role: only bank keys upload loan books."},
    )


class PortfolioJobSchema(Schema):
    """A portfolio job: its progress while it runs, then the summary and the results download."""

    id = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "`queued`, `running`, then `completed` or `failed`; `cancelled` by "
            "`DELETE /v1/portfolios/{id}` (`finished_at` says when)."
        },
    )
    file = fields.Nested(UploadedFileSchema, required=True)
    progress = fields.Nested(ProgressSchema, required=True)
    previous = fields.String(
        required=True, allow_none=True, metadata={"description": "The portfolio the top movers compare with."}
    )
    requested_by = fields.Nested(
        UploaderSchema,
        required=True,
        metadata={
            "description": "The API key whose upload created the job, for audit, as each rating of "
            "`GET /v1/ratings` names its own: a retry of the upload (by any key of the tenant) gets the job, "
            "still named by that key."
        },
    )
    model_version = fields.String(
        required=True, allow_none=True, metadata={"description": "Set when it starts."}
    )
    versions = fields.Nested(
        PortfolioVersionsSchema,
        required=True,  # on every job (null until completed): optional, a generated client typed it as unset
        allow_none=True,
        metadata={
            "description": "Every version the book was rated with (model, standard, factor set, engine, "
            "schema), from the summary once completed; null before, and for jobs completed before engine "
            "1.9 (model_version alone)."
        },
    )
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(required=True, allow_none=True)
    finished_at = UtcDateTime(required=True, allow_none=True)
    error = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Why it failed; for a queued job, why its last run was interrupted (a database "
            "or storage fault that passes: it resumes from its last finished chunk)."
        },
    )
    summary = fields.Nested(
        PortfolioSummarySchema, required=True, allow_none=True, metadata={"description": "Once completed."}
    )
    results = fields.Nested(
        ResultLinksSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Download links, once completed (null again once its files are deleted)."},
    )
    files_purged_at = UtcDateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "When the upload and results were deleted under the service's retention "
            "(GREENRATE_PORTFOLIO_RETENTION_DAYS); the summary stays."
        },
    )
    as_of = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "The reporting date the book's figures are as of (`as_of` at upload; without "
            f"it, {AS_OF_DEFAULT}). Null for jobs uploaded before the service recorded it."
        },
    )
    as_of_given = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={
            "description": f"`true`: the upload named `as_of`; `false`: it is {AS_OF_DEFAULT}. Null for "
            "jobs uploaded before."
        },
    )
