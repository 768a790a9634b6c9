"""Prometheus metrics, correct under several gunicorn workers.

``gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any worker imports prometheus_client, so every
worker writes its samples to files in that directory and ``/metrics`` merges them (and ``child_exit``
folds a dead worker's files into archives, :mod:`service.metrics_files`). Without it (tests, ``flask
run``) the process's own registry is served.

Counting is best-effort: a sample that cannot be written (the directory's filesystem read-only, say) is
logged once per process and dropped. Requests are counted after their work is done (a rating committed),
and a metrics error had turned such a request into a 500 (fault-injection review).
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from service.config.settings import Settings
from service.metrics_files import scrape_lock

_log = structlog.get_logger("greenrate.metrics")

REQUESTS = Counter(
    "greenrate_http_requests_total", "HTTP requests by route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "greenrate_http_request_duration_seconds",
    "Time from the first request hook to the response, by route and status.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CACHE_LOOKUPS = Counter(
    "greenrate_rating_cache_total",
    "Rating requests answered from an existing rating (hit) or computed (miss).",
    ["result"],
)
CACHE_ERRORS = Counter(
    "greenrate_cache_errors_total",
    "Cache operations that failed (get, set, delete), were skipped by the open circuit breaker, or read an "
    "entry whose "
    "signature did not verify (operation integrity), that was kept past its signed expiry (operation "
    "expired) or whose rating was erased (operation erased).",
    ["operation"],
)
RATINGS_ISSUED = Counter("greenrate_ratings_issued_total", "Newly issued ratings by grade.", ["grade"])
RATING_INTEGRITY = Counter(
    "greenrate_rating_integrity_failures_total",
    "Stored ratings refused, never served, because their record does not match its signature (reason "
    "tampered), was signed with a key this service does not hold (reason other_key) or carries no "
    "signature under GREENRATE_UNSIGNED_RATINGS=refuse (reason unsigned), by the read that found them "
    "(get, list, reuse, with_input).",
    ["read", "reason"],
)
PREVIOUS_KEY = Counter(
    "greenrate_previous_key_signatures_total",
    "Signatures accepted because they were made with a secret listed in GREENRATE_PREVIOUS_SECRET_KEYS (not "
    "an error): recorded ratings by the read that served them (get, list, reuse, with_input) and Redis "
    "entries (cache), by the secret's public id (key; as many as are listed). While a key's count grows, "
    "that secret must stay listed.",
    ["read", "key"],
)
UNSIGNED_SERVED = Counter(
    "greenrate_rating_unsigned_served_total",
    "Stored ratings served although they carry no signature (GREENRATE_UNSIGNED_RATINGS=serve: issued "
    "before migration 0018 signed them, or written into the database by someone else), by the read that "
    "served them (get, list, reuse, with_input). Under the default, refuse, such a rating is counted in "
    "greenrate_rating_integrity_failures_total (reason unsigned) instead.",
    ["read"],
)


#: The methods counted by name: HTTP's own (RFC 9110) and PATCH. A client chooses the method string, so any
#: other (gunicorn passes up to 20 letters) is counted as ``OTHER``; each new string would otherwise be a new
#: time series (16 with the histogram's buckets) in every worker's metrics file, unbounded and keyless.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})


def method_label() -> str:
    """The request's method, or ``OTHER`` for a method outside :data:`KNOWN_METHODS`."""
    method = request.method
    return method if method in KNOWN_METHODS else "OTHER"


def route_label() -> str:
    """The URL rule, not the path: ids in paths would make one time series per rating."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _start_timer() -> None:
    g.started_at = time.perf_counter()


#: each (metric, labels) series seen, looked up once: ``labels()`` validates and locks on every call, about
#: 0.85 µs, three or four times a rating request. Bounded all the same (routes x methods x statuses); past
#: the bound the labels are simply looked up every time.
_SERIES: dict[tuple[object, tuple[str, ...]], Any] = {}
_SERIES_MAX = 256


def _series(metric: Counter | Histogram, *labels: str) -> Any:
    key = (metric, labels)
    series = _SERIES.get(key)
    if series is None:
        series = metric.labels(*labels)
        if len(_SERIES) < _SERIES_MAX:
            _SERIES[key] = series
    return series


_write_failed = False  # set at the first failure: one log line per process, not one per sample


def _dropped(exc: Exception) -> None:
    """A sample could not be written: say so once in this process (a failing disk fails every write), by
    the failure's class and errno, not its text (:func:`~service.logging.exception_summary`)."""
    from service.logging import exception_summary  # imported here: service.logging imports this module

    global _write_failed
    if not _write_failed:
        _write_failed = True
        _log.error("metrics_write_failed", error=type(exc).__name__, detail=exception_summary(exc),
                   hint="samples are dropped until PROMETHEUS_MULTIPROC_DIR can be written again")


def _count(metric: Counter, *labels: str) -> None:
    """Add one to ``metric``'s series: a sample that cannot be written is dropped and said once, never a
    failed request (a cache error must stay a miss, a refusal is answered, a rating is served whatever
    happens to the metrics)."""
    try:
        _series(metric, *labels).inc()
    except Exception as exc:  # noqa: BLE001
        _dropped(exc)


def cache_lookup(hit: bool) -> None:
    """Count one rating request answered from an existing rating (hit) or computed (miss)."""
    _count(CACHE_LOOKUPS, "hit" if hit else "miss")


def cache_error(operation: str) -> None:
    """Count one cache operation that failed, was skipped by the open breaker, or read a forged, expired or
    erased entry."""
    _count(CACHE_ERRORS, operation)


def rating_issued(grade: str) -> None:
    """Count one newly issued rating of ``grade``."""
    _count(RATINGS_ISSUED, grade)


def rating_refused(read: str, reason: str) -> None:
    """Count one stored rating refused by its signature check (:mod:`service.records.rating_signatures`)."""
    _count(RATING_INTEGRITY, read, reason)


def unsigned_served(read: str) -> None:
    """Count one stored rating served without a signature (GREENRATE_UNSIGNED_RATINGS=serve)."""
    _count(UNSIGNED_SERVED, read)


def previous_key_used(read: str, key: str) -> None:
    """Count one signature accepted under the previous secret ``key`` (its public id), found by ``read``."""
    _count(PREVIOUS_KEY, read, key)


def _observe(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started_at", time.perf_counter())
    labels = (method_label(), route_label(), str(response.status_code))
    try:
        _series(REQUESTS, *labels).inc()
        _series(LATENCY, *labels).observe(elapsed)
    except Exception as exc:  # noqa: BLE001 - an after_request error would answer 500 (and log it twice)
        _dropped(exc)
    return response


def metrics_response(settings: Settings) -> Response:
    """The exposition text, merged across workers in multiprocess mode."""
    if settings.metrics_multiproc_dir:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=settings.metrics_multiproc_dir)  # type: ignore[no-untyped-call]
        with scrape_lock(settings.metrics_multiproc_dir):  # no dead worker's file mid-merge
            body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a mimetype, and the constant
    # already carries one (a repeated parameter that strict scrapers refuse)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Time every request; register first so the timer also covers auth and rate limiting."""
    app.before_request(_start_timer)
    app.after_request(_observe)
