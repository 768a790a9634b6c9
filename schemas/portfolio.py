"""Portfolio jobs: the loan-book upload, the job (status, progress, summary) and the results download.

The summary's figures are computed by :mod:`rating_model.portfolio`; each carries its ``unit`` and
``basis``, so the document explains itself to an auditor without this page.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from schemas.fields import Anchored, UtcDateTime

STATUSES = ("queued", "running", "completed", "failed")
RESULT_FORMATS = ("csv", "parquet")
#: the ids the service issues: ``pf_`` and 32 hex digits
PORTFOLIO_ID = re.compile(r"pf_[0-9a-f]{32}")


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
            "default: the tenant's latest completed one."
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


class GradeDistributionSchema(Schema):
    by_count = fields.Nested(DistributionSchema, required=True)
    by_outstanding = fields.Nested(DistributionSchema, required=True)
    without_loan_data = fields.Nested(FigureSchema, required=True)


class OverAttributionSchema(Schema):
    borrowers = fields.Nested(FigureSchema, required=True)
    scope12 = fields.Nested(FigureSchema, required=True)
    scope3 = fields.Nested(FigureSchema, required=True)


class FinancedSchema(Schema):
    scope12 = fields.Nested(FigureSchema, required=True)
    scope3 = fields.Nested(FigureSchema, required=True)
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


class GreenLoansSchema(Schema):
    eligible = fields.Nested(FigureSchema, required=True)
    share_by_count = fields.Nested(FigureSchema, required=True)
    eligible_outstanding = fields.Nested(FigureSchema, required=True)
    share_by_outstanding = fields.Nested(FigureSchema, required=True)


class GreenRatedBorrowerTermsSchema(Schema):
    loans = fields.Nested(FigureSchema, required=True)
    outstanding = fields.Nested(FigureSchema, required=True)


class MoverSchema(Schema):
    borrower_id = fields.String(required=True)
    row = fields.Integer(required=True, metadata={"description": "0-based row of the loan book."})
    previous_score = fields.Float(required=True)
    score = fields.Float(required=True)
    change = fields.Float(required=True)
    previous_grade = fields.String(required=True)
    grade = fields.String(required=True)
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
    largest = fields.List(fields.Nested(MoverSchema), required=True)


class MoversSchema(Schema):
    """Score changes since the earlier portfolio; `available: false` with a `reason` when not computable."""

    available = fields.Boolean(required=True)
    reason = fields.String(metadata={"description": "Why there are no movers (only when unavailable)."})
    compared_with = fields.String(metadata={"description": "The earlier portfolio's id."})
    unit = fields.String()
    basis = fields.String()
    top_n = fields.Integer()
    matched = fields.Nested(FigureSchema)
    new = fields.Nested(FigureSchema)
    not_rated_now = fields.Nested(FigureSchema)
    rises = fields.List(fields.Nested(MoverSchema))
    falls = fields.List(fields.Nested(MoverSchema))
    grade_changes = fields.Nested(GradeChangesSchema)


class PortfolioSummarySchema(Schema):
    """What a bank reports for the book (IFRS S2 B61-B63, PCAF Part A business loans)."""

    rows = fields.Nested(RowsSchema, required=True)
    grade_distribution = fields.Nested(GradeDistributionSchema, required=True)
    outstanding = fields.Nested(FigureSchema, required=True)
    loans = fields.Nested(FigureSchema, required=True)
    financed_emissions = fields.Nested(FinancedSchema, required=True)
    borrower_emissions = fields.Nested(GrossSchema, required=True)
    pcaf_data_quality = fields.Nested(FigureSchema, required=True)
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


class UploadedFileSchema(Schema):
    name = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(RESULT_FORMATS))
    bytes = fields.Integer(required=True)


class ProgressSchema(Schema):
    rows_done = fields.Integer(required=True)
    rows_total = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null until counted."}
    )
    chunks_done = fields.Integer(required=True)


class ResultLinksSchema(Schema):
    csv = fields.String(required=True)
    parquet = fields.String(required=True)


class PortfolioJobSchema(Schema):
    """A portfolio job: its progress while it runs, then the summary and the results download."""

    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    file = fields.Nested(UploadedFileSchema, required=True)
    progress = fields.Nested(ProgressSchema, required=True)
    previous = fields.String(
        required=True, allow_none=True, metadata={"description": "The portfolio the top movers compare with."}
    )
    model_version = fields.String(
        required=True, allow_none=True, metadata={"description": "Set when it starts."}
    )
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(required=True, allow_none=True)
    finished_at = UtcDateTime(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True, metadata={"description": "Why it failed."})
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
