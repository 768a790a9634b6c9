"""``/v1/portfolios``: rate a whole loan book as a background job, follow it, download its results, cancel it.

Thin views over :mod:`service.portfolios.jobs` (accepting a book) and :mod:`service.records.portfolios`
(reading jobs, scoped by tenant: another tenant's portfolio answers 404 like a missing one). The job runs
in a ``greenrate worker`` on the RQ queue of ``GREENRATE_REDIS_URL``; without that setting there is no
queue and ``POST`` answers 503 saying so.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wsgi import wrap_file

from schemas.portfolio import PORTFOLIO_ID, PortfolioJobSchema, PortfolioUploadSchema, ResultsQuerySchema
from service.auth import current_principal, requires
from service.exceptions import INVALID_FIELDS
from service.extensions import services
from service.hardening import REPEATED_QUERY_ARGUMENT
from service.idempotency import IDEMPOTENT_REPLAYED, idempotency_parameter
from service.lost_answers import on_lost_answer
from service.openapi import added_parameters, documented
from service.portfolios.jobs import IDEMPOTENCY_KEY, Upload, cancel, document, idempotency_key, plan, submit
from service.portfolios.queue import web_queue
from service.portfolios.storage import JobFiles, stream_csv
from service.records.portfolios import PortfolioJob, get_job

F = TypeVar("F", bound=Callable[..., Any])
_JSON = "application/json"
PARQUET = "application/vnd.apache.parquet"
_MEDIA = {"csv": "text/csv", "parquet": PARQUET}
_NOT_FOUND = "Portfolio not found."


class _UploadParser(FlaskParser):
    """webargs with one more location, ``multipart``: the file parts and form fields of one body together."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: Any) -> Any:
        parts = CombinedMultiDict([req.files, req.form])
        # webargs reads the first of a repeated part, so a body with two `file` parts rated the first and
        # dropped the second unsaid (bank integration review): which one was meant is not known, so it is
        # refused, as a query argument given twice is (service.hardening), nothing accepted
        repeated = {name: [REPEATED_QUERY_ARGUMENT] for name, values in parts.lists() if len(values) > 1}
        if repeated:
            abort(422, message=INVALID_FIELDS, errors=dict(sorted(repeated.items())))
        return self._makeproxy(parts, schema)


blp = Blueprint(
    "portfolios",
    __name__,
    url_prefix="/v1/portfolios",
    description="Rate a whole loan book in the background: progress, the portfolio summary, the results.",
)
blp.ARGUMENTS_PARSER = _UploadParser()
blp.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
    **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
    "multipart": "multipart/form-data",
}
_UPLOAD = PortfolioUploadSchema()
_RESULTS_QUERY = ResultsQuerySchema()
_REPLAYED = IDEMPOTENT_REPLAYED
_CREATED_HEADERS = {
    "Location": {"description": "Path of the portfolio job.", "required": True, "schema": {"type": "string"}},
    _REPLAYED: {
        "description": "`true`: this upload is one accepted before (the same bytes and options while its "
        "job is queued or running, or the same `Idempotency-Key`), and the job is that earlier one, "
        "whatever its status now; `false`: a new job.",
        "required": True,
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}
_IDEMPOTENCY_PARAMETER = idempotency_parameter(
    "Your id for this upload (a UUID, say; 1-255 printable ASCII characters, bare or "
    "quoted), the same on every retry of it: it names one job for good, so a retry gets that job back "
    "whenever it comes (`Idempotent-Replayed: true`). The same key with other bytes or options: 422, "
    "nothing accepted. Without it, a retry is recognised by its bytes and options while its job is queued "
    "or running."
)
_RESULTS_CONTENT = {
    "description": "One row per loan, in the book's order: its pass-through columns (`borrower_id`...), "
    "`row`, `error` (empty when rated), then the rating's figures (the columns of `greenrate batch rate`), "
    "then the borrower's `company__external_id` as the book gives it (trimmed), on refused rows too, and "
    "last `portfolio_as_of`, the job's reporting date (`as_of`; absent for jobs uploaded before it was "
    "recorded).",
    "headers": {
        "Content-Disposition": {
            "description": "`attachment`, with the file name `{portfolio_id}-results.csv` (or `.parquet`).",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        PARQUET: {"schema": {"type": "string", "format": "binary"}},
    },
}


def _accepting_uploads(view: F) -> F:
    """415 for a body that is not multipart; this path's own body limit (JSON paths keep theirs)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings = services().settings
        if request.mimetype != "multipart/form-data":
            abort(415, message="Send the loan book as multipart/form-data with a file part named `file`.")
        request.max_content_length = settings.portfolio_max_bytes  # this path only; JSON keeps its limit
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, allow_nan=False), status=status, mimetype=_JSON, headers=headers
    )


def _own_job(portfolio_id: str) -> PortfolioJob:
    # Not an id we issue (a NUL would even fail in PostgreSQL): not found, without asking the database.
    job = (
        get_job(services().db, portfolio_id, current_principal().tenant)
        if PORTFOLIO_ID.fullmatch(portfolio_id)
        else None
    )
    if job is None:
        abort(404, message=_NOT_FOUND)
    return job


@blp.route("")
class Portfolios(MethodView):
    @on_lost_answer(
        "Sending the same file with the same options again is safe while a job recorded for it is queued or "
        "running: it answers that job (Idempotent-Replayed: true). Send an Idempotency-Key with an upload "
        "to make its retry safe whenever it comes.",
        with_key="Sending it again with the same Idempotency-Key is safe: it answers the job recorded for "
        "it, if any (Idempotent-Replayed: true), whenever it comes.",
    )
    @documented(blp, 401, 403, 413, 415, 429, 503, operation="create_portfolio")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER))
    @requires("bank")
    @_accepting_uploads
    @blp.arguments(_UPLOAD, location="multipart", unknown=None)
    @blp.response(202, PortfolioJobSchema, headers=_CREATED_HEADERS)
    def post(self, form: dict[str, Any]) -> Response:
        """Rate a whole loan book (CSV or Parquet upload) as a background job.

        Answers 202 with the job and its `Location`; follow it with `GET /v1/portfolios/{id}`. A file that
        cannot be rated at all (unreadable as its declared format: an empty file, binary data, a CSV not
        comma-separated or not UTF-8, a bad line within a CSV's first megabyte; no column of the flat format,
        an unknown `__` column, no rows) is refused with 422 under `errors.file`; a row that cannot be rated
        gets its own `error` in the results and the job completes. A part given more than once (two `file`
        parts, say) is refused with 422 under its name, nothing accepted. `previous` names the earlier
        portfolio the top movers compare with (default: this tenant's latest completed one uploaded under the
        same file name, else its latest completed one, in either case one as of `as_of` or earlier; the movers
        name the file compared with). `as_of` is the reporting date the book is as of (default: the UTC date
        of the upload; not after today): a row of a later reporting year is refused in its `error`, and the
        job, its summary and the results say the date. 503 when the service has no job queue
        (`GREENRATE_REDIS_URL` unset), or the queue is unreachable or the service's storage full (then with
        `Retry-After`; nothing was accepted).

        Safe to retry: the same file (by its sha256) with the same options, while its job is queued or
        running, answers that job (same id, `Idempotent-Replayed: true`), never a second one nor a 429
        for the tenant's share of jobs; with an `Idempotency-Key`, the same key answers its job whenever
        it is retried. A retry sent while the first upload is still queuing its job waits for it (up to
        3 s), and answers 503 with `Retry-After`, nothing accepted, when that job was not queued (the
        queue refused it, or the tenant's job limit). A book uploaded again once its job has finished is
        rated again (a new job).
        """
        s = services()
        principal = current_principal()
        key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
        upload = Upload(form["file"].filename, form["file"].stream)
        checked = plan(s.db, principal.tenant, upload.filename, form.get("previous"), form.get("as_of"))
        if not s.settings.redis_url:  # after the request's own checks: a malformed request is a 4xx
            abort(
                503,
                message="Portfolio jobs are not enabled: they run on a Redis queue, and "
                "GREENRATE_REDIS_URL is not set on this service.",
            )
        queue = web_queue(current_app, s.settings)
        submitted = submit(s.db, queue, s.settings, principal, upload, checked, key)
        headers = {
            "Location": f"/v1/portfolios/{submitted.job.id}",
            _REPLAYED: "true" if submitted.existing else "false",
        }
        return _json(document(submitted.job), 202, headers)


@blp.route("/<portfolio_id:portfolio_id>")
class PortfolioById(MethodView):
    @documented(blp, 401, 403, 404, 429, 503, operation="get_portfolio")
    @requires("bank")
    @blp.response(200, PortfolioJobSchema)
    def get(self, portfolio_id: str) -> Response:
        """A portfolio job: status and progress; once completed, the summary and the results links.

        `status` is `queued`, `running`, `completed`, `failed` (with `error`) or `cancelled`. A job whose
        worker dies is re-queued by the next `greenrate worker` and resumes where it stopped.
        """
        return _json(document(_own_job(portfolio_id)))

    @on_lost_answer("Sending it again is safe: it answers the job as it is then.")
    @documented(blp, 401, 403, 404, 429, 503, operation="cancel_portfolio")
    @requires("bank")
    @blp.response(200, PortfolioJobSchema)
    def delete(self, portfolio_id: str) -> Response:
        """Cancel a portfolio job and delete its files (the uploaded book, any results).

        A queued job is `cancelled` at once; a running one too, and its worker stops at its next chunk
        (the rows of the chunk it is rating are not recorded). Either way the tenant's place among its
        `GREENRATE_PORTFOLIO_JOBS_PER_TENANT` jobs is free at once. A finished job (`completed`,
        `failed`) keeps its status and summary and loses its files, as under the service's retention:
        `files_purged_at` says when, and the results answer 410; the summary's top movers lose the
        borrower ids they listed (`movers.borrowers_removed`). Sent again: the same answer. Answers the
        job as it is then; another tenant's job answers 404 like a missing one.
        """
        job = cancel(services().db, services().settings, _own_job(portfolio_id))
        if job is None:
            abort(404, message=_NOT_FOUND)
        return _json(document(job))


@blp.route("/<portfolio_id:portfolio_id>/results")
class PortfolioResults(MethodView):
    @documented(blp, 401, 403, 404, 406, 409, 410, 429, 503, operation="get_portfolio_results")
    @requires("bank")
    @blp.arguments(_RESULTS_QUERY, location="query", unknown=None)
    @blp.doc(responses={"200": _RESULTS_CONTENT})
    def get(self, query: dict[str, Any], portfolio_id: str) -> Response:
        """The per-borrower results of a completed portfolio, as CSV or Parquet.

        `?format=csv|parquet`, else `Accept: text/csv` or `application/vnd.apache.parquet`, else the
        format of the upload. 409 while the job has not completed (or when it failed or was cancelled);
        410 once its files were deleted, under the service's retention (`GREENRATE_PORTFOLIO_RETENTION_DAYS`)
        or by `DELETE`; the summary stays available.
        """
        job = _own_job(portfolio_id)
        if job.status in ("failed", "cancelled"):
            done = "failed" if job.status == "failed" else "was cancelled"
            abort(409, message=f"The portfolio {done}: it has no results.")
        if job.status != "completed":
            abort(409, message=f"The results are not ready: the portfolio is {job.status}.")
        if job.files_purged_at is not None:
            days = services().settings.portfolio_retention_days
            kept = (
                f" (files are kept {days} days after a job finishes, or until DELETE /v1/portfolios/{{id}})"
                if days
                # the service keeps files now, but they may have gone under a retention it had then
                else " (by DELETE /v1/portfolios/{id}, or under the service's retention at the time)"
            )
            abort(
                410,
                message=f"The results of this portfolio were deleted on {job.files_purged_at:%Y-%m-%d}"
                f"{kept}; its summary is still available.",
            )
        chosen = query.get("format") or _negotiated(job.file_format)
        results = JobFiles.of(services().settings.portfolio_dir, job.id).results
        if not results.exists():
            abort(404, message="The results of this portfolio are no longer stored.")
        disposition = {"Content-Disposition": f'attachment; filename="{job.id}-results.{chosen}"'}
        if chosen == "parquet":
            # The file whole, as documented (and as the CSV answers): send_file answered 304 and ranges (206,
            # 416) with ETag, Last-Modified and Expires, none of them in the contract (a bank integrator's
            # review), for the Parquet form only.
            whole = Response(wrap_file(request.environ, results.open("rb")), mimetype=PARQUET,
                             headers=disposition, direct_passthrough=True)
            whole.content_length = results.stat().st_size
            return whole
        return Response(stream_csv(results), mimetype="text/csv", headers=disposition)


def _negotiated(default: str) -> str:
    """The format `Accept` prefers; the upload's own format when it accepts both equally (or says nothing)."""
    accept = request.accept_mimetypes
    if not accept:
        return default
    other = "parquet" if default == "csv" else "csv"
    best = accept.best_match([_MEDIA[default], _MEDIA[other]])
    if best is None:
        abort(406, message=f"Acceptable: {_MEDIA['csv']}, {PARQUET}.")
    return "csv" if best == _MEDIA["csv"] else "parquet"
