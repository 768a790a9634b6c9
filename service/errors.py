"""Every error as one JSON shape, ``{code, status, message, errors?, request_id}``, mapped in one place.

HTTP errors (Flask's own 404/405, webargs' 400/422, the limiter's 429, 413 from the body limit), the
engine's and the infrastructure's exceptions in :data:`ERROR_TABLE` and the service's own refusals
(:class:`~service.exceptions.ServiceError`: each says its status and message) all end here; no view
maps an exception to HTTP itself. Anything else is a bug: it is logged with its class and stack frames
(never its message, which may quote a business's data: :func:`service.logging.exception_frames`) and
answered with a bare 500 that never shows the traceback. A browser on the merchant page gets the same error
as a page in its language instead (:func:`respond`, the hook :mod:`service.web.routes` binds).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import structlog
from apispec import APISpec
from flask import Flask, Response, current_app
from flask import json as _flask_json
from flask_limiter import RateLimitExceeded
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from rating_model.exceptions import (
    ArtifactError,
    FactorNotFoundError,
    InvalidInputError,
    InvalidInputErrors,
    ModelNotLoadedError,
    RatingModelError,
    StandardError,
)
from schemas.errors import ErrorSchema, flatten_errors
from service.auth import CHALLENGE
from service.config.settings import Settings
from service.exceptions import INVALID_FIELDS, ServiceError
from service.extensions import services
from service.hardening import request_id
from service.limits import breach_headers, breach_message
from service.lost_answers import UNREACHED, unavailable_message
from service.records.database import UNAVAILABLE_ERRORS, schema_behind
from service.write_health import driver_error, is_write_failure

_log = structlog.get_logger("greenrate.errors")

#: The model cannot be served (none loaded, a broken artifact or standard): 503, not the caller's fault.
MODEL_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (ModelNotLoadedError, ArtifactError, StandardError)
#: Everything that makes a rating impossible just now (the model or the records): answered 503, retryable.
UNAVAILABLE_RATING_ERRORS: tuple[type[Exception], ...] = (*MODEL_UNAVAILABLE_ERRORS, *UNAVAILABLE_ERRORS)

#: Domain and infrastructure exceptions -> (status, message, whether to send Retry-After).
#: Flask picks the handler of the nearest class in the raised exception's MRO, so a subclass's entry applies
#: whatever the order here (InvalidInputError's before RatingModelError's); a class listed twice keeps its
#: last entry (``register_error_handler`` replaces), which tests/service/test_http_errors.py rules out.
ERROR_TABLE: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int, str, bool], ...] = (
    (InvalidInputErrors, 422, "The operating data cannot be rated as given.", False),
    (InvalidInputError, 422, "The operating data cannot be rated as given.", False),
    (FactorNotFoundError, 422, "No emission factor applies to this input.", False),
    (MODEL_UNAVAILABLE_ERRORS, 503, "The rating model is not available.", True),
    (RatingModelError, 422, "The operating data cannot be rated.", False),
    (UNAVAILABLE_ERRORS, 503, UNREACHED, True),  # or what a write says once it sent a COMMIT
)

_MESSAGES = {
    400: "The request body is not valid JSON.",
    401: "Missing or invalid API key.",
    403: "This key's role may not do this.",
    404: "Not found.",
    405: "Method not allowed on this path.",
    413: "The request body is too large.",
    415: "Send the body as JSON with Content-Type: application/json.",
    422: INVALID_FIELDS,
    429: "Too many requests for this key; retry after the indicated time.",
    500: "Internal error. Quote the request id when reporting it.",
    503: "Service temporarily unavailable.",
}


def error_json(code: int, message: str | None = None, errors: Mapping[str, list[str]] | None = None) -> str:
    """The one error body as JSON text: ``{code, status, message, errors?, request_id}``.

    ``errors`` is keyed by field path and left out when there are none (the contract's ``errors?``); the
    message defaults to the status's own. Every error response is this text, and so is each failed item of
    a batch (:mod:`service.ratings.batch_body`).
    """
    body: dict[str, Any] = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message or _MESSAGES.get(code, HTTPStatus(code).description),
    }
    if errors:
        body["errors"] = dict(errors)
    body["request_id"] = request_id()
    text = json.dumps(body, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate echoed from the request (e.g. an unknown field's name)
        return json.dumps(body)  # \u escapes: still the same JSON value
    return text


def error_response(
    code: int,
    message: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error answered with the one body (:func:`error_json`) and ``headers``."""
    response = Response(error_json(code, message, errors).encode(), status=code, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


#: ``app.extensions`` key of the hook that answers an error as a page when a browser asked for one (the
#: merchant page's, bound by :func:`service.web.init_app`); it returns ``None`` for every other request.
PAGE_ERRORS = "greenrate.page_errors"
PageErrors = Callable[[int, Mapping[str, str]], "Response | None"]


def respond(
    code: int,
    message: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error as its reader reads it: a page for a visitor of the merchant page, else the JSON body.

    Errors raised before any view runs (405 from routing, 404 for an unknown path) or outside the page's
    own handler (a database down, a bug) reach the app-wide handlers; without this, a shop owner's browser
    would show them the API's JSON.
    """
    hook: PageErrors | None = current_app.extensions.get(PAGE_ERRORS)
    page = None
    if hook is not None:
        try:
            page = hook(code, headers or {})
        except Exception:  # noqa: BLE001 - a page that cannot render must not turn an error into a worse one
            _log.error("error_page_failed", exc_info=True, status=code)
    return page if page is not None else error_response(code, message, errors, headers)


def dependency_unavailable(exc: Exception, status: int = 503) -> None:
    """Log a failed dependency in its driver's words ("SQLITE_FULL", "database or disk is full", where
    the class alone said OperationalError); a failed write also makes readiness say so until a write
    succeeds (:mod:`service.write_health`)."""
    name, detail = driver_error(exc)
    _log.warning("dependency_unavailable", error=type(exc).__name__, driver_error=name, detail=detail,
                 status=status)
    if is_write_failure(exc):
        services().writes.failed(name)


def field_errors(exc: Exception) -> dict[str, list[str]] | None:
    """The field errors of an engine refusal of the input, keyed by field path (``None``: not one)."""
    if isinstance(exc, InvalidInputError | InvalidInputErrors):
        return exc.errors
    if isinstance(exc, FactorNotFoundError):
        return {exc.field or "_schema": [exc.message]}
    return None


def refusal(exc: Exception) -> tuple[int, str, dict[str, list[str]]]:
    """The status, message and field errors :data:`ERROR_TABLE` answers an engine refusal of the input with.

    A batch item the engine refuses says what its own request would have got; reading the table (the
    entry of the nearest class in the exception's MRO, as Flask picks handlers) keeps the two from drifting.
    """
    for cls in type(exc).__mro__:
        for exc_types, code, message, _ in ERROR_TABLE:
            if cls in (exc_types if isinstance(exc_types, tuple) else (exc_types,)):
                return code, message, field_errors(exc) or {}
    raise LookupError(f"no error-table entry for {type(exc).__name__}")


def _webargs_errors(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors under the location ("json", "query"); the contract keys by field path."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for location_errors in messages.values():
            for path, msgs in flatten_errors(location_errors).items():
                out.setdefault(path, []).extend(msgs)
    return out


#: ``Retry-After`` of the shared 429 (every one sends it: the per-key limit, the tenants' budgets and the
#: portfolio job cap alike) and of the shared 503, where it is optional: the 503 of ``POST /v1/portfolios``
#: on a deployment without Redis has none, since no wait brings the queue (api-v1.md: "503 with Retry-After
#: when the rating cannot be recorded"). Required where always sent, so that a generated client types it
#: as present (a bank integrator's generated client).
_RETRY_AFTER_HEADERS = {
    HTTPStatus.TOO_MANY_REQUESTS: {
        "Retry-After": {
            "description": "Seconds to wait before trying again. On every 429.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    HTTPStatus.SERVICE_UNAVAILABLE: {
        "Retry-After": {
            "description": "Seconds to wait before trying again. On every 503 but that of "
            "`POST /v1/portfolios` on a deployment without Redis, which no wait mends.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


#: The header of every 401 (:data:`service.auth.CHALLENGE`), which the document did not declare (a bank
#: integrator's review): a generated client could not read it, nor a validator tell it from a stray one.
_CHALLENGE_HEADER = {
    name: {
        "description": "The challenge of a bearer-token API (RFC 6750): send an API key as "
        "`Authorization: Bearer <key>`. On every 401.",
        "required": True,
        "schema": {"type": "string", "enum": [value]},
    }
    for name, value in CHALLENGE.items()
}


class _SpecOnDemand(APISpec):
    """An ``APISpec`` that adds the operations still to document before it renders (:meth:`to_dict`), so
    every reader (``/openapi.json``, flask-smorest's ``openapi`` command, a test) gets the whole document."""

    _complete: Callable[[], None]

    def to_dict(self) -> dict[str, Any]:
        self._complete()
        return super().to_dict()


class GreenrateApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with our error body for every HTTP error, documenting its operations on demand.

    flask-smorest documents a blueprint's operations as it registers the blueprint: converting every
    schema an operation names was ~90 ms of each ``create_app``, 97 % of it, for a document most apps
    never render (a worker renders it on its first ``/openapi.json``; of the test suite's ~900 apps, about
    one in ten). Here :meth:`register_blueprint` routes the blueprint at once and the same documenting
    calls run, in the same order, when the document is first read (:meth:`complete_document`), then
    ``finish`` (the steps that need every operation in: :func:`service.openapi.open_response_schemas`).
    """

    #: an instance, not the class: flask-smorest names it in the shared response of every HTTP status (63),
    #: and apispec builds a schema from a class each time it meets one: ~30 ms of every ``create_app``
    ERROR_SCHEMA = ErrorSchema()
    #: ``/openapi.json``'s text, rendered by its first request (Flask refuses new routes after that one)
    _openapi_text: str | None = None

    def __init__(
        self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None,
        finish: tuple[Callable[[APISpec], None], ...] = (),
    ) -> None:
        #: blueprints routed but not yet in the document: (blueprint, name, its url prefix's parameters)
        self._undocumented: list[tuple[Any, str, list[Any] | None]] = []
        self._finish = finish
        self._finished = False
        # two threads of a worker may serve their first /openapi.json at once: one documents, the other waits
        self._documenting = threading.Lock()
        super().__init__(app, spec_kwargs=spec_kwargs)
        self.spec.__class__ = _SpecOnDemand
        self.spec._complete = self.complete_document

    def register_blueprint(self, blp: Any, *, parameters: list[Any] | None = None, **options: Any) -> None:
        """Route ``blp`` now, as flask-smorest's ``register_blueprint`` does; document it on demand."""
        if self._finished:
            raise RuntimeError(f"blueprint {blp.name!r} registered after the document was completed")
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def complete_document(self) -> None:
        """Add every registered blueprint's operations and tag to the document, then run ``finish``: what
        flask-smorest's ``register_blueprint`` and the app factory did at start-up, once, on first read."""
        with self._documenting:
            if self._finished:
                return
            for blp, name, parameters in self._undocumented:
                blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
                self.spec.tag({"name": name, "description": blp.description})
            self._undocumented.clear()
            for step in self._finish:
                step(self.spec)
            self._finished = True

    def _openapi_json(self) -> Response:
        """The contract as flask-smorest serves it, rendered once per app: it rendered the whole document
        (350 KB) on every request, ~40 ms of a worker for anyone, with no key and outside every budget
        (security review)."""
        if self._openapi_text is None:
            self._openapi_text = _flask_json.dumps(self.spec.to_dict(), indent=2, sort_keys=False)
        return Response(self._openapi_text, mimetype="application/json")

    def _register_responses(self) -> None:
        """flask-smorest's shared error responses, with the ``Retry-After`` header that 429 and 503 send and
        the ``WWW-Authenticate`` challenge of 401."""
        super()._register_responses()
        self.spec.components.responses_lazy[HTTPStatus.UNAUTHORIZED.name]["headers"] = _CHALLENGE_HEADER
        for status, headers in _RETRY_AFTER_HEADERS.items():
            self.spec.components.responses_lazy[status.name]["headers"] = headers

    def handle_http_exception(self, error: HTTPException) -> Response:
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        headers: dict[str, str] = dict(data.get("headers") or {})
        message: str | None = data.get("message")
        errors: dict[str, list[str]] | None = data.get("errors")
        if errors is None and "messages" in data:
            errors = _webargs_errors(data["messages"])
            if code == 400:  # webargs: {"json": ["Invalid JSON body."]}
                errors = None
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        if isinstance(error, RateLimitExceeded):
            headers.update(breach_headers(error))
            message = message or breach_message(error)
        return respond(code, message, errors, headers)


_SCHEMA_MESSAGE = (
    "The service's database is not at the schema this release needs; nothing was issued or changed. "
    "Retry later."
)


def register(app: Flask, settings: Settings) -> None:
    """Map the table's exceptions, the service's refusals and anything unexpected to the error body."""
    retry_after = {"Retry-After": str(settings.retry_after_seconds)}

    for exc_types, code, message, send_retry in ERROR_TABLE:

        def handler(
            exc: Exception, code: int = code, message: str = message, send: bool = send_retry
        ) -> Response:
            if schema_behind(exc):  # SQLite says "no such column" with an OperationalError
                return _schema_mismatch(exc)
            if code >= 500:
                dependency_unavailable(exc, code)
            if isinstance(exc, UNAVAILABLE_ERRORS):  # a write's COMMIT may have been sent: say what then
                message = unavailable_message()
            return respond(code, message, field_errors(exc), retry_after if send else None)

        for exc_type in exc_types if isinstance(exc_types, tuple) else (exc_types,):
            app.register_error_handler(exc_type, handler)

    def _schema_mismatch(exc: Exception) -> Response:
        # Code ahead of (or behind) its database, e.g. deployed before `greenrate db upgrade`: every query
        # fails alike. Retryable once migrated; nothing was written (the statement failed). Read from the
        # error's own words: no query more against a database that may be struggling.
        _log.error("schema_mismatch", error=type(exc).__name__, status=503, hint="run greenrate db upgrade")
        return respond(503, _SCHEMA_MESSAGE, None, retry_after)

    def refused(exc: ServiceError) -> Response:
        return respond(exc.code, exc.message, exc.errors, retry_after if exc.retry_after else None)

    app.register_error_handler(ServiceError, refused)

    def unexpected(exc: Exception) -> Response:
        if schema_behind(exc):  # PostgreSQL says "column ... does not exist" with a ProgrammingError
            return _schema_mismatch(exc)
        _log.error("unhandled_exception", exc_info=exc)
        return respond(500)

    app.register_error_handler(Exception, unexpected)
