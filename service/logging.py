"""Structured JSON logs: one line per request, and every line carries the request id.

The access line holds the request id, tenant, route, status, duration, cache outcome and model version.
It never holds company names, payloads or keys: a rating request's body is a business's confidential
operating data, and the key prefix is not needed to trace a request (the request id is).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
import structlog
from flask import Flask, Response, g, has_request_context, request

from service.config import Settings
from service.metrics import route_label

_configured_level: str | None = None


class _StreamLogger:
    """Writes each rendered line with one write call, looking up ``sys.stdout`` or ``sys.stderr`` at call
    time.

    Looking it up late keeps logging working when a test runner swaps the streams; one write per line
    keeps lines from several threads whole.
    """

    def __init__(self, stream: str) -> None:
        self.stream = stream

    def msg(self, message: bytes) -> None:  # orjson's rendering: UTF-8 bytes
        stream = getattr(sys, self.stream)
        stream.write(message.decode() + "\n")
        stream.flush()

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


ACCESS_LOGGER = "greenrate.access"
_ACCESS_OUT, _EVENTS_OUT = _StreamLogger("stdout"), _StreamLogger("stderr")


def _logger_for(*args: Any) -> _StreamLogger:
    """The access log on stdout, the service's own events on stderr, as docs/operations.md says: an
    operator who sends stdout to the access-log pipeline and alerts on stderr saw nothing of a database
    outage, whose events were among a thousand access lines a second (operations review)."""
    return _ACCESS_OUT if args[:1] == (ACCESS_LOGGER,) else _EVENTS_OUT


def configure(level: str) -> None:
    """Configure structlog and route stdlib logging (gunicorn, alembic, libraries) to the same JSON."""
    global _configured_level
    if _configured_level == level:
        return
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        # orjson renders a line several times faster than json.dumps (a third of the access line's cost
        # went; one line per request); values neither knows still go through structlog's repr fallback
        processors=[*shared, structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(serializer=orjson.dumps)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_logger_for,
        cache_logger_on_first_use=True,  # safe: _StreamLogger finds its stream per call
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    handler.set_name("greenrate-json")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "greenrate-json"] + [handler]
    root.setLevel(level)
    # Alembic announces each of its plugins at INFO when it is first imported: seven lines of noise at
    # every start, none of which says anything about this service.
    quiet = max(logging.getLevelName(level), logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(quiet)
    # WeasyPrint reports each layout step of a PDF at INFO: eight lines a disclosure, at up to 60 PDFs a
    # minute per tenant (operations review)
    logging.getLogger("weasyprint.progress").setLevel(quiet)
    _configured_level = level


def _bind_request() -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)
    g.log_started_at = time.perf_counter()


# The access log has its own level: GREENRATE_ACCESS_LOG turns it on or off, and GREENRATE_LOG_LEVEL (say
# WARNING, to quiet the service's own messages) must not silently turn it off as well. Processors and the
# output still come from configure().
_ACCESS = structlog.wrap_logger(
    None,
    wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    logger_factory_args=(ACCESS_LOGGER,),
)


def _access_line(response: Response) -> Response:
    principal = g.get("principal")
    _ACCESS.info(
        "request",
        method=request.method,
        route=route_label(),
        status=response.status_code,
        duration_ms=round((time.perf_counter() - g.get("log_started_at", time.perf_counter())) * 1000, 3),
        tenant=principal.tenant if principal is not None else None,
        cache=g.get("cache_result"),
        model_version=g.get("model_version"),
    )
    return response


def log_request_timeout(timeout_seconds: float) -> None:
    """Say which request a worker was serving when gunicorn cut it off at ``timeout_seconds``.

    gunicorn's own lines (``WORKER TIMEOUT``, then "Perhaps out of memory?" on the SIGKILL) name no
    request, and a request cut off writes no access line: on-call saw nothing to follow during a hung
    database (operations review). Called from gunicorn's ``worker_abort`` hook, in the worker's thread,
    where the request's id is still bound.
    """
    serving = has_request_context()
    structlog.get_logger("greenrate.gunicorn").error(
        "request_timeout", timeout_seconds=timeout_seconds, route=route_label() if serving else None,
        method=request.method if serving else None,
    )


def init_app(app: Flask, settings: Settings) -> None:
    """Register after the request-id hook, so the id is bound before anything logs."""
    configure(settings.log_level)
    app.before_request(_bind_request)
    if settings.access_log:
        app.after_request(_access_line)
    app.teardown_request(lambda _exc: structlog.contextvars.clear_contextvars())
