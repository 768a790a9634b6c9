"""Rate limits per API key (Flask-Limiter): on Redis when configured, in memory otherwise.

One budget per key across every ``/v1`` path (an application-wide limit keyed by the key's hash), checked
before authentication, so that a client repeating a bad key is throttled like any other. That gave each
*different* made-up key a budget of its own, so a client sending a new random key every time was never
limited (security review). So failed authentications also share a budget per client address
(``GREENRATE_FAILED_AUTH_RATE_LIMIT``, :func:`spend_failed_authentication`, keyed by the address's
:func:`address_tag`): authentication spends it where it would answer 401, and answers 429 once it is
spent. A valid key neither spends nor meets it, so its own budget is as it was: a stale key in one of a
bank's jobs, or anyone behind the same proxy address, cannot lock the bank's valid keys out. It is spent
where authentication fails rather than as a second Flask-Limiter limit, which every request with a valid
key paid for (about 156,000 instructions, 7.6 % of a cached rating, counted by ``benchmarks.instructions
hit``) only to be found exempt. ``Retry-After`` is added by the error handler.

If Redis fails, the limiter (and :func:`hit_budget`) count in per-process memory instead of failing the
request. Counted at the full limit, each of a host's gunicorn workers would grant a key its whole limit,
and one client could use an outage to take (workers x) its share of a service that banks share. So the
fallback counts each limit divided by the number of workers, rounded up (:func:`worker_share`): the host
as a whole grants at most workers x that share, less than the limit plus one request per worker.
gunicorn tells the app its ``workers`` setting after loading it (:func:`share_among_workers`, from
``post_worker_init``); an app outside gunicorn is one process and keeps the whole limit. Each host of a
deployment still grants its own limit while Redis is down.

Why a division, not a counter shared on the host (a file in the metrics directory, or shared memory):
it costs nothing while Redis is up (Flask-Limiter looks at the fallback limits only once it has marked
the storage dead; a budget adds one identity check) and nothing measurable while it is down (the ``/v1``
check 38-48 µs and a budget 7-10 µs a call, against 44-49 and 9-17 µs before; one-off timing of 20,000
calls on a loaded two-core host), needs no file on a disk that may be the next thing to fail, and
cannot be left wrong by a worker killed mid-update. Its price: requests do not spread evenly over the
workers (whichever is free accepts the next), so a client may meet one worker's share, and a 429, before
the host has granted its whole limit. During an outage that errs on the side the limits exist for. A
request that can cost more than one (a batch's items) keeps at least that cost per worker, so it is not
refused all outage long with a ``Retry-After`` it could never honour.

Without Redis at all the counters live in each worker, at the full limit: that is the embedded setup's
normal operation, not an outage, and dividing would refuse a steady client early for the deployment's
whole life. A key can make up to (workers × the limit) requests in a window; gunicorn says so when it
starts (:func:`per_worker_warning`). Shared limits need ``GREENRATE_REDIS_URL``.

A 429 says which budget refused it (bank integrators asked to see their budget): ``RateLimit-Limit`` (its
amount, as counted: this worker's share while Redis is down), ``RateLimit-Remaining`` (0) and
``RateLimit-Reset`` (seconds, as ``Retry-After``), the fields of the IETF draft
(draft-ietf-httpapi-ratelimit-headers); :func:`breach_headers` for the ``/v1`` limit and
:func:`spend_tenant_budget` for a tenant's budgets. The 429 of the portfolio job cap (a count of jobs,
not a rate) has none. Only 429s: on every answer they would cost more than the 2% of a cached rating's
instructions this path may take. Counted with callgrind over hit requests with and without, interleaved,
the leanest version (made of what counting returned, with no storage round trip) added 47,000
instructions per request, 2.5%, of which 25,600 are the three headers alone (werkzeug checks and copies
each header of an answer). Flask-Limiter's ``headers_enabled`` costs more still: it reads the counter
again after each request, two more Redis round trips (``GET``, ``TTL``). A client finds its budgets in
the OpenAPI document's description instead.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import NoReturn

import structlog
from flask import Flask, current_app, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits import parse as parse_limit
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter
from webargs.flaskparser import abort

from service import limit_storage
from service.auth import presented_key_hash
from service.config.settings import Settings
from service.secret import derived_key, mac, service_secret

EXTENSION_NAME = "limiter"
_FALLBACK = EXTENSION_NAME + ".greenrate-fallback"
_NAMESPACE = EXTENSION_NAME + ".greenrate-namespace"
_WORKERS = EXTENSION_NAME + ".greenrate-workers"
_V1_SHARE = EXTENSION_NAME + ".greenrate-v1-share"
_STRATEGY = EXTENSION_NAME + ".greenrate-strategy"
_SETTINGS = EXTENSION_NAME + ".greenrate-settings"
LIMIT_HEADER = "RateLimit-Limit"
REMAINING_HEADER = "RateLimit-Remaining"
RESET_HEADER = "RateLimit-Reset"
_log = structlog.get_logger("greenrate.limits")


def rate_limit_key() -> str:
    """The key's hash when one is presented, else the client address's :func:`address_tag`."""
    key_hash = presented_key_hash()
    return f"key:{key_hash[:32]}" if key_hash else f"ip:{address_tag(request.remote_addr or 'unknown')}"


#: The purpose of the key that names a client address's counters (:func:`service.secret.derived_key`).
ADDRESS_PURPOSE = "client-address"
_ADDRESS_KEY = EXTENSION_NAME + ".greenrate-address-key"


def address_tag(address: str) -> str:
    """A client address (or an IPv6 /64) as its counters are named in Redis: 32 hex digits of its HMAC under
    a key derived from the service's secret, never the address itself.

    The counters of keyless ``/v1`` requests and of the merchant page's budget were named by the address
    in the clear (``ip:203.0.113.7``, ``merchant-page/203.0.113.7``), so whoever could read Redis (a shared
    or managed instance, its backups, a ``MONITOR``) read which addresses had used the page and when: an
    address is personal information (a shop owner's home line), and Redis is outside what the service
    protects (data-protection review). A plain hash would not do: every IPv4 address can be hashed in
    minutes. The key is derived once per app, at its first use (a deployment without
    ``GREENRATE_SECRET_KEY`` reads or makes ``instance/secret_key``, as signing does); every worker
    derives the same, so they count one budget. Rotating the secret starts every address's counts again.
    """
    extensions = current_app.extensions
    key: bytes | None = extensions.get(_ADDRESS_KEY)
    if key is None:
        settings = extensions[_SETTINGS]
        secret = service_secret(settings.secret_key, settings.instance_dir)
        key = extensions[_ADDRESS_KEY] = derived_key(secret, ADDRESS_PURPOSE)
    return mac(key, address.encode()).hex()[:32]


def _exempt() -> bool:
    return not request.path.startswith("/v1/") and request.path != "/v1"


#: What a 429 of the failed-authentication budget says: it is no key's budget.
FAILED_AUTH_MESSAGE = (
    "Too many requests with a missing or invalid API key from this address; retry after the indicated time."
)
#: The budget's scope, apart from the /v1 limit's ("global") whose keyless counters are also an address's.
_FAILED_AUTH_SCOPE = "failed-authentication"


def spend_failed_authentication() -> None:
    """Spend one of the client address's failed-authentication budget, for a request authentication is
    about to answer 401 (a missing, unknown, revoked or expired key); once it is spent, 429 instead.

    Called by :mod:`service.auth` on its failures only, so a valid key never pays for it. While Redis is
    down it counts this worker's share (:func:`spend_budget`)."""
    settings: Settings = current_app.extensions[_SETTINGS]
    address = f"ip:{address_tag(request.remote_addr or 'unknown')}"
    refusal = spend_budget(settings.failed_auth_rate_limit, _FAILED_AUTH_SCOPE, address)
    if refusal is not None:
        _refuse(refusal, FAILED_AUTH_MESSAGE)


def storage_uri(redis_url: str | None) -> str:
    """The limits library's URI for the configured Redis (it spells a Unix socket ``redis+unix://``)."""
    if not redis_url:
        return f"{limit_storage.SCHEME}://"
    return "redis+" + redis_url if redis_url.startswith("unix:") else redis_url


def worker_share(item: RateLimitItem, workers: int, largest_cost: int = 1) -> RateLimitItem:
    """What one of ``workers`` workers may grant of ``item`` while it counts alone: the amount divided by
    the workers, rounded up, and at least ``largest_cost`` (what one request can cost; never more than
    the amount), over the same window."""
    share = max(math.ceil(item.amount / workers), min(largest_cost, item.amount))
    return type(item)(share, item.multiples, item.namespace)


def _shares_text(limit: str, workers: int) -> str:
    return "; ".join(
        f"{share.amount} per {share.multiples} {share.GRANULARITY.name}"
        for share in (worker_share(item, workers) for item in parse_many(limit))
    )


def share_among_workers(app: Flask, workers: int) -> None:
    """Tell ``app`` that it is one of ``workers`` gunicorn workers on this host (``post_worker_init``):
    while Redis is down, it grants each limit's share (:func:`worker_share`), not the whole limit."""
    settings: Settings = app.config["GREENRATE_SETTINGS"]
    app.extensions[_WORKERS] = workers
    app.extensions[_V1_SHARE] = _shares_text(settings.rate_limit, workers)


def _v1_share() -> str:
    """The per-key ``/v1`` limit while Redis is down; read only then (Flask-Limiter's fallback limits)."""
    return str(current_app.extensions[_V1_SHARE])


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Bind a limiter to this app; register it after the request-id hook and before the views."""
    timeout = settings.redis_timeout_ms / 1000
    storage_options: dict[str, str | int | float] = {}
    if settings.redis_url:
        storage_options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    # The /v1 limit as it is counted while Redis is down: the same key and scope (one budget per key
    # across every /v1 path), this worker's share of the amount. Only Redis can fail: the in-process
    # store of a deployment without it never falls back.
    fallback = ApplicationLimit(_v1_share, key_function=rate_limit_key, exempt_when=_exempt)
    limiter = Limiter(
        key_func=rate_limit_key,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=_exempt,
        storage_uri=storage_uri(settings.redis_url),
        storage_options=storage_options,  # type: ignore[arg-type]
        strategy="fixed-window",  # one counter increment per request: the cheapest correct strategy
        key_prefix=settings.redis_namespace,
        headers_enabled=False,  # two more Redis round trips per request; 429s get ours (breach_headers)
        in_memory_fallback=[fallback],  # type: ignore[list-item]  # a Limit is taken as it is
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    fallback.bind(limiter)
    limiter.init_app(app)
    # Flask-Limiter logs every breach at INFO; our own request log line already says 429.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    app.extensions[EXTENSION_NAME + ".greenrate"] = limiter
    app.extensions[_STRATEGY] = limiter.limiter  # the storage's own; another one means it is down
    # hit_budget's own per-process fallback, as Flask-Limiter keeps one for the /v1 limit
    app.extensions[_FALLBACK] = FixedWindowRateLimiter(MemoryStorage())
    app.extensions[_NAMESPACE] = settings.redis_namespace
    app.extensions[_SETTINGS] = settings  # what address_tag derives its key from, at its first use
    share_among_workers(app, 1)  # until gunicorn says how many workers share the host
    return limiter


def per_worker_warning(settings: Settings, workers: int) -> str | None:
    """What to tell the operator when the limits are counted per worker (no Redis, several workers)."""
    if settings.redis_url or workers <= 1:
        return None
    return (
        f"rate limits are counted per worker without GREENRATE_REDIS_URL: a key may make up to {workers} x "
        f"GREENRATE_RATE_LIMIT ({settings.rate_limit}) and a merchant-page address {workers} x "
        f"GREENRATE_PAGE_RATE_LIMIT ({settings.page_rate_limit}) per window"
    )


def _seconds_until(reset_at: float) -> int:
    return max(1, math.ceil(reset_at - time.time()))


def storage_errors(strategy: RateLimiter) -> tuple[type[Exception], ...]:
    """What ``strategy``'s storage raises when it fails (redis-py's ``RedisError`` for Redis), also wrapped
    in the limits library's ``StorageError``."""
    base = strategy.storage.base_exceptions
    return (*(base if isinstance(base, tuple) else (base,)), StorageError)


def budget_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    """The ``RateLimit-*`` headers of a budget: its amount, what is left of it, seconds until it resets."""
    return {LIMIT_HEADER: str(limit), REMAINING_HEADER: str(remaining), RESET_HEADER: str(reset)}


def breach_headers(error: RateLimitExceeded) -> dict[str, str]:
    """The headers of a 429 of the per-key ``/v1`` limit: ``Retry-After`` (:func:`retry_after_seconds`) and
    the refused budget's ``RateLimit-*`` (its amount as counted, none left, reset as ``Retry-After``)."""
    retry_after = retry_after_seconds(error)
    return {"Retry-After": str(retry_after), **budget_headers(error.limit.limit.amount, 0, retry_after)}


def breach_message(error: RateLimitExceeded) -> str | None:
    """The message of a 429 of a limit that has its own (the failed-authentication budget), else ``None``
    (the per-key limit: the error handler's own words)."""
    own = error.limit.error_message
    return None if own is None else own() if callable(own) else own


def retry_after_seconds(error: RateLimitExceeded) -> int:
    """Seconds until the breached window resets (at least 1); the limit's whole window when the storage
    cannot say (it failed after counting the request)."""
    limiter: Limiter = current_app.extensions[EXTENSION_NAME + ".greenrate"]
    try:
        current = limiter.current_limit
        if current is not None:
            return _seconds_until(current.window[0])
    except storage_errors(limiter.limiter) as exc:  # storage trouble must not turn a 429 into a 500
        _log.warning("rate_limit_storage_unavailable", reading="retry_after", error=type(exc).__name__)
    return max(1, int(error.limit.limit.get_expiry()))


@dataclass(frozen=True, slots=True)
class Refusal:
    """A spent budget: its amount as it was counted (this worker's share while Redis is down), and the
    seconds until its window resets."""

    amount: int
    retry_after: int


def hit_budget(limit: str, *keys: str, cost: int = 1, largest_cost: int = 1) -> int | None:
    """:func:`spend_budget` in seconds: ``None`` while the budget lasts, else the ``Retry-After``."""
    refusal = spend_budget(limit, *keys, cost=cost, largest_cost=largest_cost)
    return None if refusal is None else refusal.retry_after


def spend_budget(limit: str, *keys: str, cost: int = 1, largest_cost: int = 1) -> Refusal | None:
    """``cost`` hits against a budget of this app's limiter outside the per-key ``/v1`` limit.

    ``None`` while the budget lasts; once it is spent, its amount and the seconds until its window resets
    (for ``Retry-After``: a limit of a few per hour must not tell the client to come back in a minute). The
    limiter adds ``cost`` before it compares, so a refused request's cost counts too.

    The budget's key starts with ``GREENRATE_REDIS_NAMESPACE``, as the ``/v1`` limit's does (the
    limiter's ``key_prefix``): without it, two deployments sharing a Redis spent one another's budgets.

    While Redis is down it counts in this process, this worker's share of the budget
    (:func:`worker_share`, at least ``largest_cost``: the most one request of this budget can cost).
    """
    extensions = current_app.extensions
    item = parse_limit(limit)
    keys = (extensions[_NAMESPACE], *keys)
    # Flask-Limiter answers with its in-memory strategy once a /v1 request found Redis down; budgets had
    # then been counted there at the whole budget. Until it finds Redis back, count this worker's share.
    strategy = extensions[EXTENSION_NAME + ".greenrate"].limiter
    storage_down = strategy is not extensions[_STRATEGY]
    if not storage_down:
        try:
            allowed = strategy.hit(item, *keys, cost=cost)
        except Exception as exc:  # noqa: BLE001 - Redis down: count in this process, as the /v1 limit does
            _log.warning("rate_limit_storage_unavailable", budget=keys[1] if len(keys) > 1 else None,
                         error=type(exc).__name__)
            storage_down = True
    if storage_down:
        strategy = extensions[_FALLBACK]
        item = worker_share(item, extensions[_WORKERS], largest_cost)
        allowed = strategy.hit(item, *keys, cost=cost)
    if allowed:
        return None
    try:
        return Refusal(item.amount, _seconds_until(strategy.get_window_stats(item, *keys).reset_time))
    except storage_errors(strategy) as exc:  # storage trouble must not turn a 429 into a 500
        _log.warning("rate_limit_storage_unavailable", budget=keys[1] if len(keys) > 1 else None,
                     reading="retry_after", error=type(exc).__name__)
        return Refusal(item.amount, max(1, int(item.get_expiry())))


def budget_wait(limit: str, *keys: str) -> int | None:
    """The seconds until a budget :func:`spend_budget` spent resets, read without spending it; ``None``
    while some of it is left.

    For a page that says again why a request was refused (the merchant form's language switch): the wait
    read again is the one left now, and none once the budget is back. Read where :func:`spend_budget`
    counts: the storage, or this process's share while it is down.
    """
    extensions = current_app.extensions
    item = parse_limit(limit)
    keys = (extensions[_NAMESPACE], *keys)
    strategy = extensions[EXTENSION_NAME + ".greenrate"].limiter
    if strategy is extensions[_STRATEGY]:
        try:
            if strategy.test(item, *keys):
                return None
            return _seconds_until(strategy.get_window_stats(item, *keys).reset_time)
        except Exception as exc:  # noqa: BLE001 - Redis down: read this process's count, as spend_budget
            _log.warning("rate_limit_storage_unavailable", budget=keys[1] if len(keys) > 1 else None,
                         reading="wait", error=type(exc).__name__)
    fallback = extensions[_FALLBACK]
    item = worker_share(item, extensions[_WORKERS], 1)
    if fallback.test(item, *keys):
        return None
    return _seconds_until(fallback.get_window_stats(item, *keys).reset_time)


def spend_tenant_budget(
    limit: str, budget: str, payer: str, cost: int, what: str, largest_cost: int = 1
) -> None:
    """Spend ``cost`` of ``payer``'s ``budget`` (:func:`spend_budget`): a tenant, whichever of its keys asks,
    or one merchant of it (:attr:`~service.auth.Principal.scope`); once it is spent, 429 with
    ``Retry-After`` and that budget's ``RateLimit-*`` headers, naming ``what`` is counted and the limit.

    The per-key limit counts requests; these budgets count the work a request can cost (a batch's items, a
    PDF), so that one tenant cannot take the workers from the others (security review: six batches of
    large items at once held a bank's one-row listing for 7.5 s).
    """
    refusal = spend_budget(limit, budget, payer, cost=cost, largest_cost=largest_cost)
    if refusal is not None:
        _refuse(refusal, f"This tenant has asked for too many {what} recently (at most {limit}); retry after "
                "the indicated time.")


def _refuse(refusal: Refusal, message: str) -> NoReturn:
    """429 for a spent budget: ``Retry-After`` and the budget's ``RateLimit-*`` headers."""
    retry_after = refusal.retry_after
    abort(429, message=message,
          headers={"Retry-After": str(retry_after), **budget_headers(refusal.amount, 0, retry_after)})
