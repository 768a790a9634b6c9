"""Structured JSON logs: one line per request, and every line carries the request id.

The access line holds the request id, tenant, the key's database id, the rating answered, route, status,
duration, cache outcome and model version. It never holds company names, payloads or keys: a rating
request's body is a business's confidential operating data, and the key prefix is not needed to trace a
request (the request id is; the key's id names the key as the ratings' list and ``GET /v1/keys`` do). A logged
exception is its class and its stack frames, never its message (:func:`exception_frames`); where a line,
a job record or an answer says more of a failure, it says its class and code (:func:`exception_summary`),
or, for text written for its reader, the text without paths or credentials (:func:`redacted`).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import time
import traceback
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog
from flask import Flask, Response, g, has_request_context, request

from service.config.settings import Settings
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
#: The merchant page's blueprint (:mod:`service.web.routes`), whose rating ids are links to a result
PAGE_BLUEPRINT = "merchant_page"
#: The tenant the merchant page records its ratings under: their ids are never logged
PAGE_TENANT = "_public"
_ACCESS_OUT, _EVENTS_OUT = _StreamLogger("stdout"), _StreamLogger("stderr")


def _logger_for(*args: Any) -> _StreamLogger:
    """The access log on stdout, the service's own events on stderr, as docs/operations.md says: an
    operator who sends stdout to the access-log pipeline and alerts on stderr saw nothing of a database
    outage, whose events were among a thousand access lines a second (operations review)."""
    return _ACCESS_OUT if args[:1] == (ACCESS_LOGGER,) else _EVENTS_OUT


#: Chained exceptions (``raise ... from``, or raised while handling another) logged under one: enough for a
#: driver error wrapped by SQLAlchemy wrapped by ours, and a bound on a pathological chain.
MAX_CHAINED = 5


def _logged_exception(exc_info: Any) -> BaseException | None:
    """The exception ``exc_info`` names, as a log call may give it: ``True`` (the one being handled), the
    exception itself, or a ``sys.exc_info()`` tuple."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        exc_info = exc_info[1]
    return exc_info if isinstance(exc_info, BaseException) else None


def _class_name(exc: BaseException) -> str:
    cls = type(exc)
    module = "" if cls.__module__ == "builtins" else f"{cls.__module__}."
    return f"{module}{cls.__qualname__}"


def _origin(exc: BaseException) -> BaseException | None:
    """The exception ``exc`` was raised from, or while handling (unless that was suppressed)."""
    return exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def _described(exc: BaseException, depth: int) -> dict[str, Any]:
    """The exception's class and frames (file, line, function), and those of the exception it came from."""
    out: dict[str, Any] = {
        "type": _class_name(exc),
        # from the code objects: no source file is read, and no frame's locals
        "frames": [f"{frame.f_code.co_filename}:{line} in {frame.f_code.co_name}"
                   for frame, line in traceback.walk_tb(exc.__traceback__)],
    }
    origin = _origin(exc)
    if origin is not None and depth < MAX_CHAINED:
        out["cause" if exc.__cause__ is not None else "context"] = _described(origin, depth + 1)
    return out


def exception_frames(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace ``exc_info`` by ``exception``: the class and the stack frames, never the message or locals.

    structlog's own ``format_exc_info`` wrote the whole traceback, the message included, and a message
    says whatever the code that raised put in it: a business's name, figures from its operating data, a
    statement's bound values (data-protection review). The class and the frames (file, line, function) say
    where it failed, and the line's request id which request it was.
    """
    exc = _logged_exception(event_dict.pop("exc_info", None))
    if exc is not None:
        event_dict["exception"] = _described(exc, 0)
    return event_dict


def _code(exc: BaseException) -> str | None:
    """The code the system or the driver gave the failure, in words that hold no data: an errno with the
    system's text for it (``os.strerror``; an exception's own ``strerror`` is whatever its raiser passed),
    a resolver's code with its text, a SQLite result code, a PostgreSQL SQLSTATE."""
    if isinstance(exc, OSError) and isinstance(exc.errno, int):
        # a resolver's code is not an errno: its text is the C library's (gai_strerror), set by socket
        words = exc.strerror if isinstance(exc, socket.gaierror) else os.strerror(exc.errno)
        return f"[Errno {exc.errno}] {words}"
    sqlite = getattr(exc, "sqlite_errorname", None)
    if isinstance(sqlite, str) and re.fullmatch(r"SQLITE_[A-Z_]+", sqlite):
        return sqlite
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)  # psycopg 3, psycopg2
    if isinstance(sqlstate, str) and re.fullmatch(r"[0-9A-Z]{5}", sqlstate):
        return f"SQLSTATE {sqlstate}"
    return None


def exception_summary(exc: BaseException) -> str:
    """What a log line's ``detail``, a job record or a readiness answer may say of ``exc``: the class of
    each exception in its chain and the code each carries, never a message.

    A message holds whatever its raiser put in it: SQLAlchemy's the statement and its bound values, a
    driver's or Redis client's a URL, an OSError's the path of a file a bank named after its borrower
    (privacy review). The codes say what failed as well: ``sqlalchemy.exc.OperationalError <-
    sqlite3.OperationalError (SQLITE_FULL)``, ``redis.exceptions.ConnectionError <- ConnectionRefusedError
    ([Errno 111] Connection refused)``.
    """
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) <= MAX_CHAINED:
        code = _code(seen)
        parts.append(_class_name(seen) + (f" ({code})" if code else ""))
        seen = _origin(seen)
    return " <- ".join(parts)


#: What :func:`redacted` reads of a text: a message worth reading is far shorter (callers keep 300
#: characters of the result), and a bound on its length bounds the cost of the patterns below.
MAX_REDACTED = 4_000
#: A URL's scheme (at most 32 characters).
_SCHEME = r"[a-zA-Z][\w+.-]{0,31}://"
#: A ``file:`` URL: a path, whole.
_FILE_URL = re.compile(r"(?<![\w+.-])file://[^\n'\"]*", re.IGNORECASE)
#: A URL's user information, replaced whole, up to the last ``@`` before the next URL or the end of the
#: line (at most 256 characters): Redis takes a password alone (``redis://:secret@``), some clients take one
#: in the user's place (``redis://secret@``), and a password may hold ``@``, ``/`` or a space. An ``@``
#: further on the line (an e-mail address) costs the words between, never a password.
_URL_CREDENTIALS = re.compile(r"((?<![\w+.-])" + _SCHEME + r")(?:(?!" + _SCHEME + r")[^\n]){0,256}@")
#: An HTTP bearer token.
_BEARER = re.compile(r"\b(Bearer\s+)[^\s'\",;)]+", re.IGNORECASE)
#: A ``password=...`` setting (a libpq connection string's, a quoted configuration's, a JSON or dict
#: entry's, an environment variable's such as ``PGPASSWORD=`` or ``GREENRATE_SECRET_KEY=``) and its like:
#: the keyword may follow a prefix, not precede more of a word (``KeyError:``, ``password_file=`` stay).
_SECRET_SETTING = re.compile(
    r"(?<![\w-])([\w-]*?(?:password|passwd|passphrase|pwd|secret(?:[_-]?key)?|token|api[_-]?key"
    r"|credentials?))(?![\w-])(['\"]?\s*[=:]\s*)(\"[^\"\n]*\"?|'[^'\n]*'?|[^\s,;)]+)",
    re.IGNORECASE,
)
#: A greenrate API key (:data:`service.auth.KEY_TAG` and more than its listed prefix) wherever it is.
_API_KEY = re.compile(r"(?<![\w-])gr_[\w-]{8,}")
#: Where a path starts: ``/``, ``~/``, ``./``, ``../``, a drive (``C:\``, ``C:/``) or a UNC share (``\\``).
_PATH_START = r"(?:/|~/|\.{1,2}/|[A-Za-z]:[/\\]|\\\\)"
#: A quoted path, absolute or relative (an OSError's, pyarrow's ``'/srv/portfolios/pf_1/input.csv'``),
#: to its closing quote: the next quote not between two letters (``'/srv/O'Brien Bakery.csv'`` is one).
#: An opening quote follows no letter, so no quote is both an apostrophe and an opening: each character
#: is read from one opening at most, and a long text in one pass.
_QUOTED_PATH = re.compile(
    r"(?<!\w)(['\"])(?:" + _PATH_START + r"|[\w.-]+[/\\])(?:[^'\"\n]|(?<=\w)['\"](?=\w))*\1(?!\w)"
)
#: An unquoted path, from its start (``/`` only before a second ``/``: not ``kWh/m2``, ``3/4`` nor a
#: URL's path, which follow a character) to the end of the line, the next quote or the next ``": "``:
#: its names may hold spaces (``/srv/green rate/Zhang San loans.csv``), and nothing tells where they end.
_BARE_PATH = re.compile(
    r"(?<![\w.:/~\\-])(?:/[^\s/'\"]+/|~/|\.{1,2}/|[A-Za-z]:[/\\]|\\\\)(?:[^\n'\":]|:(?! ))*"
)


def redacted(text: str) -> str:
    r"""``text`` without what must never leave the server: a URL's user and password (``redis://***@cache``),
    a ``password=`` setting's value (``PGPASSWORD=***``, ``"password": ***``), a bearer token or an API
    key, and file paths (``<path>``).

    For text written for its reader and worth reading, where :func:`exception_summary` would say too little:
    a loan book's parser error to the bank that uploaded it (its own data), why the active model cannot be
    loaded to readiness. Such text may still name a file of the server: pyarrow's errors quote the path
    they were given, and an OSError's message its file.

    A path is removed from where it starts (``/dir/``, ``~/``, ``./``, ``C:\``, ``\\share``, or a quote
    before one) to its closing quote, or unquoted to the end of the line, the next quote or the next
    ``": "``: a name may hold spaces, quotes and any script, so the words after an unquoted path go with
    it. Only the first :data:`MAX_REDACTED` characters are read (to the last space before them, so that
    no secret is kept cut in two), and every pattern reads each character a bounded number of times.
    """
    if len(text) > MAX_REDACTED:
        head = text[:MAX_REDACTED]
        text = head[: max(head.rfind(" "), head.rfind("\n"), 0)] + " …"
    text = _FILE_URL.sub("<path>", text)
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    text = _BEARER.sub(r"\1***", text)
    text = _SECRET_SETTING.sub(r"\1\2***", text)
    text = _API_KEY.sub("gr_***", text)
    text = _QUOTED_PATH.sub(r"\1<path>\1", text)
    return _BARE_PATH.sub("<path>", text)


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
        processors=[*shared, exception_frames,
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
                exception_frames,
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
    """The request's access line; a batch's adds ``rating_ids``, one per item (``None``: it failed).

    ``key_id`` (the key's database id, as ``requested_by.key_id`` and ``GET /v1/keys`` name it; never the
    key nor its prefix) and ``rating_id`` (the rating answered, or asked for by its path) make the line an
    auditor's record of who asked for which rating: a rating's own record names only the key whose request
    issued it, so a cache hit by another key, or a read, had left no trace of either (audit review).

    The merchant page's lines carry no ``rating_id``: a page rating is reached by its id alone, with no
    key (``/result/rt_...``), so a line naming it handed whoever reads the logs (a log service, perhaps in
    another country) the owner's answers and business name (data-protection review). The request id still
    traces the request.
    """
    principal = g.get("principal")
    batch = g.get("rating_ids")
    # a merchant page result's id is its link: whoever holds it reads the owner's answers and name
    page = request.blueprint == PAGE_BLUEPRINT
    _ACCESS.info(
        "request",
        method=request.method,
        route=route_label(),
        status=response.status_code,
        duration_ms=round((time.perf_counter() - g.get("log_started_at", time.perf_counter())) * 1000, 3),
        tenant=principal.tenant if principal is not None else None,
        key_id=principal.key_id if principal is not None else None,
        rating_id=None if page else g.get("rating_id") or (request.view_args or {}).get("rating_id"),
        cache=g.get("cache_result"),
        model_version=g.get("model_version"),
        **({} if batch is None else {"rating_ids": batch}),
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
