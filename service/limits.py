"""Rate limits per API key (Flask-Limiter): on Redis when configured, in memory otherwise.

One budget per key across every ``/v1`` path (an application-wide limit keyed by the key's hash), checked
before authentication, so that a client repeating a bad key is throttled like any other. A flood of
*different* made-up keys gets a budget per key: each costs one indexed lookup (then cached as unknown
for the key ring's TTL), no more than any other request; throttling a flood by its source is the job of
the proxy in front, which knows the client's real address. If Redis fails the limiter falls back to
per-process memory instead of failing the request. ``Retry-After`` is added by the error handler.

Without Redis the counters live in each worker, so a key can make up to (workers × the limit) requests in a
window; gunicorn says so when it starts (:func:`per_worker_warning`). Shared limits need
``GREENRATE_REDIS_URL``.
"""

from __future__ import annotations

import logging
import math
import time

import structlog
from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from webargs.flaskparser import abort

from service import limit_storage
from service.auth import presented_key_hash
from service.config import Settings

EXTENSION_NAME = "limiter"
_FALLBACK = EXTENSION_NAME + ".greenrate-fallback"
_NAMESPACE = EXTENSION_NAME + ".greenrate-namespace"
_log = structlog.get_logger("greenrate.limits")


def rate_limit_key() -> str:
    """The key's hash when one is presented, else the client address."""
    key_hash = presented_key_hash()
    return f"key:{key_hash[:32]}" if key_hash else f"ip:{request.remote_addr or 'unknown'}"


def _exempt() -> bool:
    return not request.path.startswith("/v1/") and request.path != "/v1"


def storage_uri(redis_url: str | None) -> str:
    """The limits library's URI for the configured Redis (it spells a Unix socket ``redis+unix://``)."""
    if not redis_url:
        return f"{limit_storage.SCHEME}://"
    return "redis+" + redis_url if redis_url.startswith("unix:") else redis_url


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Bind a limiter to this app; register it after the request-id hook and before the views."""
    timeout = settings.redis_timeout_ms / 1000
    storage_options: dict[str, str | int | float] = {}
    if settings.redis_url:
        storage_options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    limiter = Limiter(
        key_func=rate_limit_key,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=_exempt,
        storage_uri=storage_uri(settings.redis_url),
        storage_options=storage_options,  # type: ignore[arg-type]
        strategy="fixed-window",  # one counter increment per request: the cheapest correct strategy
        key_prefix=settings.redis_namespace,
        headers_enabled=False,  # headers cost a second storage round trip on every request
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    # Flask-Limiter logs every breach at INFO; our own request log line already says 429.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    app.extensions[EXTENSION_NAME + ".greenrate"] = limiter
    # hit_budget's own per-process fallback, as Flask-Limiter keeps one for the /v1 limit
    app.extensions[_FALLBACK] = FixedWindowRateLimiter(MemoryStorage())
    app.extensions[_NAMESPACE] = settings.redis_namespace
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


def retry_after_seconds(error: RateLimitExceeded) -> int:
    """Seconds until the breached window resets (at least 1)."""
    limiter: Limiter = current_app.extensions[EXTENSION_NAME + ".greenrate"]
    try:
        current = limiter.current_limit
        if current is not None:
            return _seconds_until(current.window[0])
    except Exception:  # noqa: BLE001 - storage trouble must not turn a 429 into a 500
        pass
    return max(1, int(error.limit.limit.get_expiry()))


def hit_budget(limit: str, *keys: str, cost: int = 1) -> int | None:
    """``cost`` hits against a budget of this app's limiter outside the per-key ``/v1`` limit.

    ``None`` while the budget lasts; once it is spent, the seconds until its window resets (for
    ``Retry-After``: a limit of a few per hour must not tell the client to come back in a minute). The
    limiter adds ``cost`` before it compares, so a refused request's cost counts too.

    The budget's key starts with ``GREENRATE_REDIS_NAMESPACE``, as the ``/v1`` limit's does (the
    limiter's ``key_prefix``): without it, two deployments sharing a Redis spent one another's budgets.
    """
    strategy = current_app.extensions[EXTENSION_NAME + ".greenrate"].limiter
    item = parse_limit(limit)
    keys = (current_app.extensions[_NAMESPACE], *keys)
    try:
        allowed = strategy.hit(item, *keys, cost=cost)
    except Exception as exc:  # noqa: BLE001 - Redis down: count in this process, as the /v1 limit does
        _log.warning("rate_limit_storage_unavailable", budget=keys[1] if len(keys) > 1 else None,
                     error=type(exc).__name__)
        strategy = current_app.extensions[_FALLBACK]
        allowed = strategy.hit(item, *keys, cost=cost)
    if allowed:
        return None
    try:
        return _seconds_until(strategy.get_window_stats(item, *keys).reset_time)
    except Exception:  # noqa: BLE001 - storage trouble must not turn a 429 into a 500
        return max(1, int(item.get_expiry()))


def spend_tenant_budget(limit: str, budget: str, payer: str, cost: int, what: str) -> None:
    """Spend ``cost`` of ``payer``'s ``budget`` (:func:`hit_budget`): a tenant, whichever of its keys asks,
    or one merchant of it (:attr:`~service.auth.Principal.scope`); once it is spent, 429 with
    ``Retry-After``, naming ``what`` is counted and the limit.

    The per-key limit counts requests; these budgets count the work a request can cost (a batch's items, a
    PDF), so that one tenant cannot take the workers from the others (security review: six batches of
    large items at once held a bank's one-row listing for 7.5 s).
    """
    retry_after = hit_budget(limit, budget, payer, cost=cost)
    if retry_after is not None:
        abort(
            429,
            message=f"This tenant has asked for too many {what} recently (at most {limit}); retry after "
            "the indicated time.",
            headers={"Retry-After": str(retry_after)},
        )
