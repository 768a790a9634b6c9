"""The rating cache: Redis when ``GREENRATE_REDIS_URL`` is set, an in-process LRU otherwise.

A cached entry is a rating already issued and recorded (its id and its exact JSON), keyed by tenant, the
model, standard, factor-set, schema and engine versions and the hash of the canonical input. The cache only
ever speeds things up: every Redis error, timeout or open circuit is a miss, never an error for the caller.

Redis is outside the service's trust: a hit is answered without the database, so an entry written into
Redis by someone else (a dark_green grade under a real rating id, or one tenant's entry copied under
another's key) had been served as issued (a reproducibility review). Redis entries are signed with a key
derived from the service's secret (:mod:`service.secret`), over the cache key, the entry's expiry, the id
and the body; an entry whose signature does not verify is a miss (and deleted), counted in
``greenrate_cache_errors_total{operation="integrity"}``. An entry signed with a secret listed in
``GREENRATE_PREVIOUS_SECRET_KEYS`` (rotated out) is a hit, counted in
``greenrate_previous_key_signatures_total{read="cache"}``; new entries are signed with the current secret.

The expiry is signed because Redis's own TTL is not: a security review made a genuine entry permanent
(``PERSIST``, or ``SET`` again without a TTL) and had it served past its rating's validity, and restored the
saved entry of an erased rating (:mod:`service.ratings.erasure`), which was handed out as a hit. An entry
carries the end of its rating's validity (epoch seconds) inside the signed bytes, and one read past it is a
miss (and deleted), counted in ``greenrate_cache_errors_total{operation="expired"}``. Entries of the format
before (key ``rating:v1``) are never read: every key of this format says ``rating:v2``.

What the expiry left open, an erased rating's entry saved before the erasure and written back by someone
with write access to Redis, served until its validity ended, is closed by the records: the erasure command
records each erasure in the database, each worker holds the erased ids
(:class:`~service.records.erasures.ErasedRatings`, read again when they change, at the model watcher's
cadence), and a hit on one of them is a miss (and deleted), counted in
``greenrate_cache_errors_total{operation="erased"}``: one set lookup per hit, in both backends (the
in-process one had kept handing an erased id out until its worker restarted). Until a worker has read an
erasure (up to ``GREENRATE_MODEL_POLL_SECONDS``, or for as long as its reads fail) the entry is served as
before (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol, cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from service.circuit import CircuitBreaker
from service.config.settings import Settings
from service.metrics import cache_error, previous_key_used
from service.records.erasures import ErasedRatings
from service.secret import SigningKeys, service_secret, signing_keys


@dataclass(frozen=True, slots=True)
class CachedRating:
    """A rating's id and its exact JSON bytes, stored as ``id`` newline ``body`` (an id has no newline)."""

    id: str
    body: bytes

    def encode(self) -> bytes:
        return self.id.encode() + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> CachedRating | None:
        rating_id, sep, body = raw.partition(b"\n")
        return cls(rating_id.decode(), body) if sep and rating_id and body else None

    def issued_at(self) -> float | None:
        """When the rating was issued (epoch seconds), as its body says; ``None`` if it says nothing readable.

        The body's first ``"issued_at":"`` is its own top-level field (issuing writes it third, after ``id``
        and ``external_id``): a JSON string holds a quote only escaped, so no value can hold those bytes.
        """
        start = self.body.find(_ISSUED_AT)
        if start < 0:
            return None
        start += len(_ISSUED_AT)
        try:
            return datetime.fromisoformat(self.body[start:self.body.index(b'"', start)].decode()).timestamp()
        except ValueError:  # no closing quote, or not a moment
            return None


#: Where a rating's body states its issue moment.
_ISSUED_AT = b'"issued_at":"'


def _outdated(rating: CachedRating | None, issued_after: float | None) -> bool:
    """``rating`` was issued at or before ``issued_after`` (or says not when): a miss, like the records'.

    A cached entry lives until its rating's own validity ends; the records hand out a rating only if it
    was issued within the validity the service runs with now, and after GREENRATE_RATING_VALIDITY_DAYS
    went from 365 to 30 a Redis entry of a rating issued 200 days before was still a hit (audit review).
    """
    if rating is None or issued_after is None:
        return False
    issued = rating.issued_at()
    return issued is None or issued <= issued_after


class CacheEntry(NamedTuple):
    """A rating to cache under ``key`` for ``ttl_seconds``: never past the end of the rating's validity,
    ``expires_at`` (epoch seconds), which a Redis entry signs."""

    key: str
    rating: CachedRating
    ttl_seconds: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class CacheHealth:
    status: str  # "ok" or "degraded"
    detail: str


def input_hash(canonical_json: str) -> str:
    """sha256 of the canonical input: what ratings are stored and reused by."""
    return hashlib.sha256(canonical_json.encode()).hexdigest()


def cache_key(namespace: str, tenant: str, versions: Mapping[str, str], digest: str) -> str:
    """Tenant first, then every version that changes the result, then the input hash."""
    return (
        f"{namespace}:rating:v2:{tenant}:{versions['model']}:{versions['standard']}:"
        f"{versions['factor_set']}:{versions['schema']}:{versions['engine']}:{digest}"
    )


class RatingCache(Protocol):
    backend: str

    def get_many(self, keys: Sequence[str], issued_after: float | None = None) -> list[CachedRating | None]:
        """The entries under ``keys``; one of a rating erased, expired or issued at or before
        ``issued_after`` (epoch seconds: the start of the validity the service runs with now) is a miss,
        and is deleted."""
        ...

    def put_many(self, entries: Sequence[CacheEntry]) -> None: ...

    def health(self) -> CacheHealth: ...


class MemoryCache:
    """Per-process LRU with expiry: the embedded default (each gunicorn worker has its own).

    Entries are kept as UTF-8 bytes and bounded by count and by total size: a rating body is ~17 KB of
    text with Chinese labels, which Python would hold as two bytes per character, and 10,000 of them
    per worker would overrun a worker's memory budget.

    ``erased`` is required, as in :class:`RedisCache` and :func:`create_cache`: a set of its own, which
    nothing would read the erasures into, would silently switch the erasure check off.
    """

    backend = "memory"

    def __init__(
        self,
        max_entries: int,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
        *,
        erased: ErasedRatings,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._erased = erased
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0

    def get_many(self, keys: Sequence[str], issued_after: float | None = None) -> list[CachedRating | None]:
        now = self._clock()
        found: list[bytes | None] = []
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None or entry[0] <= now:
                    if entry is not None:
                        self._drop(key)
                    found.append(None)
                    continue
                self._entries.move_to_end(key)
                found.append(entry[1])
        ratings = [None if raw is None else CachedRating.decode(raw) for raw in found]
        erased = self._erased.ids
        for i, rating in enumerate(ratings):
            erased_since = rating is not None and rating.id in erased  # erased since it was cached
            if erased_since or _outdated(rating, issued_after):  # gone, a miss
                cache_error("erased" if erased_since else "outdated")
                ratings[i] = None
                with self._lock:
                    if keys[i] in self._entries:
                        self._drop(keys[i])
        return ratings

    def put_many(self, entries: Sequence[CacheEntry]) -> None:
        now = self._clock()
        with self._lock:
            for key, rating, ttl_seconds, _ in entries:
                raw = rating.encode()
                if key in self._entries:
                    self._drop(key)
                self._entries[key] = (now + ttl_seconds, raw)
                self._bytes += len(raw)
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, raw) = self._entries.popitem(last=False)
                self._bytes -= len(raw)

    def _drop(self, key: str) -> None:
        _, raw = self._entries.pop(key)
        self._bytes -= len(raw)

    def health(self) -> CacheHealth:
        return CacheHealth("ok", f"in-process ({len(self._entries)} entries, {self._bytes // 1024} KiB)")


_MAC_BYTES = 32  # HMAC-SHA256
#: An entry's expiry: epoch seconds, unsigned 64-bit big-endian, after the signature.
_EXPIRY = struct.Struct(">Q")
_HEADER_BYTES = _MAC_BYTES + _EXPIRY.size


def _signed_bytes(cache_key: str, expiry: bytes, raw: bytes) -> bytes:
    """What a Redis entry's signature covers: its key (tenant, versions, input), its expiry, id and body."""
    return cache_key.encode() + b"\x00" + expiry + raw


class RedisCache:
    """Redis with short socket timeouts, no client retries and a circuit breaker in front; entries signed."""

    backend = "redis"

    def __init__(
        self,
        url: str,
        timeout_ms: int,
        breaker: CircuitBreaker,
        signing_keys: SigningKeys,
        erased: ErasedRatings,
    ) -> None:
        timeout = timeout_ms / 1000
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # a retry doubles the wait; the breaker decides when to try again
            health_check_interval=0,
        )
        self.breaker = breaker
        self._keys = signing_keys
        self._erased = erased

    def _signed(self, cache_key: str, rating: CachedRating, expires_at: int) -> bytes:
        """The entry's value: signature, expiry, then the rating (``id`` newline ``body``)."""
        expiry, raw = _EXPIRY.pack(expires_at), rating.encode()
        return self._keys.sign(_signed_bytes(cache_key, expiry, raw)) + expiry + raw

    def _verified(
        self, cache_key: str, value: bytes, now: float, erased: frozenset[str], issued_after: float | None
    ) -> CachedRating | None:
        """The entry, if signed with the current secret or a previous one (an entry names no key: each is
        tried, the current one first, so only an entry no held key signed costs one HMAC per key), not
        past the expiry it was signed with (``now``, epoch seconds), not of a rating in ``erased`` and not
        of one issued at or before ``issued_after``."""
        signature, expiry, raw = value[:_MAC_BYTES], value[_MAC_BYTES:_HEADER_BYTES], value[_HEADER_BYTES:]
        signer = self._keys.signer(_signed_bytes(cache_key, expiry, raw), signature)
        if signer is None:  # a value too short to hold an expiry included: this service never signed one
            cache_error("integrity")
            return None
        if _EXPIRY.unpack(expiry)[0] <= now:  # kept past its TTL (PERSIST), or written back
            cache_error("expired")
            return None
        rating = CachedRating.decode(raw)
        if rating is not None and rating.id in erased:  # signed before its erasure, and written back
            cache_error("erased")
            return None
        if _outdated(rating, issued_after):  # issued before the validity the service runs with now
            cache_error("outdated")
            return None
        if signer is not self._keys.current:
            previous_key_used("cache", signer.secret_id)
        return rating

    def _call_allowed(self, operation: str) -> bool:
        if self.breaker.allow():
            return True
        cache_error(f"{operation}_skipped")
        return False

    def get_many(self, keys: Sequence[str], issued_after: float | None = None) -> list[CachedRating | None]:
        if not keys or not self._call_allowed("get"):
            return [None] * len(keys)
        try:
            raw = self.client.mget(keys)
        except (redis.RedisError, OSError):
            self.breaker.failure()
            cache_error("get")
            return [None] * len(keys)
        self.breaker.success()
        now = time.time()
        erased = self._erased.ids
        found = [
            None if value is None else self._verified(key, cast(bytes, value), now, erased, issued_after)
            for key, value in zip(keys, raw, strict=True)
        ]
        forged = [k for k, value, rating in zip(keys, raw, found, strict=True) if value and rating is None]
        # forged, expired, erased or outdated: gone, so the recorded rating (or a new one) is cached in its
        # place (writes are NX)
        if forged:
            try:
                self.client.unlink(*forged)
            except (redis.RedisError, OSError):
                self.breaker.failure()
                cache_error("delete")  # counted like any failed call (fault review: the breaker alone saw it)
        return found

    def put_many(self, entries: Sequence[CacheEntry]) -> None:
        if not entries or not self._call_allowed("set"):
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for key, rating, ttl_seconds, expires_at in entries:
                signed = self._signed(key, rating, expires_at)
                # NX: a concurrent request that issued the same input first keeps its id in the cache.
                pipe.set(key, signed, ex=ttl_seconds, nx=True)
            pipe.execute()
        except (redis.RedisError, OSError):
            self.breaker.failure()
            cache_error("set")
            return
        self.breaker.success()

    def health(self) -> CacheHealth:
        state = self.breaker.state
        if state == "open":
            return CacheHealth("degraded", "redis circuit open: serving without cache")
        try:
            self.client.ping()
        except (redis.RedisError, OSError) as exc:
            self.breaker.failure()
            return CacheHealth("degraded", f"redis unreachable ({type(exc).__name__}): serving without cache")
        self.breaker.success()
        return CacheHealth("ok", "redis")


def clear_redis_ratings(url: str, namespace: str) -> int:
    """Delete every cached rating under ``namespace`` from the Redis at ``url``; returns how many.

    The cache is only an accelerator, but a hit is served without the database: after a restore from a
    backup (or a failover to a replica that missed the last commits) it handed out ratings the database no
    longer had, which nobody could fetch, list or verify (operations review). Rate-limit counters and the
    portfolio queue under the same namespace are left alone.
    """
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    deleted = 0
    batch: list[bytes] = []
    try:
        for key in client.scan_iter(match=f"{namespace}:rating:*", count=1000):
            batch.append(cast(bytes, key))
            if len(batch) == 500:
                deleted += int(client.unlink(*batch))
                batch.clear()
        if batch:
            deleted += int(client.unlink(*batch))
    finally:
        client.close()
    return deleted


def create_cache(settings: Settings, erased: ErasedRatings) -> RatingCache:
    """Redis when configured, else the in-process cache; either misses the ratings in ``erased``, the set
    the worker's model watcher reads the recorded erasures into (:mod:`service.model_watch`)."""
    if settings.redis_url:
        breaker = CircuitBreaker(settings.cache_breaker_failures, settings.cache_breaker_reset_seconds)
        secret = service_secret(settings.secret_key, settings.instance_dir)
        keys = signing_keys("cache", secret, settings.previous_secret_keys)
        return RedisCache(settings.redis_url, settings.redis_timeout_ms, breaker, keys, erased)
    return MemoryCache(settings.cache_max_entries, settings.cache_max_bytes, erased=erased)
