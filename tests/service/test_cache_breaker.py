"""The rating cache (in-process and Redis) and the circuit breaker in front of Redis."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from service.cache import (
    CachedRating,
    CacheEntry,
    MemoryCache,
    RedisCache,
    cache_key,
    create_cache,
    input_hash,
)
from service.circuit import CircuitBreaker
from service.config import load_settings
from service.logging import configure as configure_logging
from service.records.erasures import ErasedRatings
from service.secret import signing_keys
from tests.live_services import free_port

VERSIONS = {"model": "m1", "standard": "s1", "factor_set": "f1", "schema": "1.0", "engine": "e1"}


def ttl_entry(key: str, rating: CachedRating, ttl_seconds: int) -> CacheEntry:
    """An entry as issuing caches a rating with ``ttl_seconds`` of its validity left."""
    return CacheEntry(key, rating, ttl_seconds, int(time.time()) + ttl_seconds)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_key_separates_tenants_and_versions() -> None:
    digest = input_hash('{"a":1}')
    base = cache_key("ns", "bank-a", VERSIONS, digest)
    assert base != cache_key("ns", "bank-b", VERSIONS, digest)
    for name in VERSIONS:
        assert base != cache_key("ns", "bank-a", {**VERSIONS, name: "other"}, digest)
    assert base != cache_key("ns", "bank-a", VERSIONS, input_hash('{"a":2}'))
    assert base.startswith("ns:rating:v2:bank-a:")


def test_cached_rating_round_trip() -> None:
    rating = CachedRating("rt_1", '{"id":"rt_1","x":"é\\n"}'.encode())
    assert CachedRating.decode(rating.encode()) == rating
    assert CachedRating.decode(b"garbage") is None


def test_memory_cache_expiry_and_lru() -> None:
    clock = Clock()
    cache = MemoryCache(max_entries=2, clock=clock, erased=ErasedRatings())
    a, b, c = (CachedRating(i, b"{}") for i in "abc")
    cache.put_many([ttl_entry("a", a, 10), ttl_entry("b", b, 10)])
    assert cache.get_many(["a", "b", "x"]) == [a, b, None]
    cache.get_many(["a"])  # a is now the most recently used
    cache.put_many([ttl_entry("c", c, 10)])
    assert cache.get_many(["a", "b", "c"]) == [a, None, c]
    clock.now += 11
    assert cache.get_many(["a", "c"]) == [None, None]
    assert cache.health().status == "ok"


def test_memory_cache_is_bounded_by_bytes_oldest_out_first() -> None:
    """Bodies with Chinese text are kept as UTF-8 and counted by size, so a worker's cache stays bounded."""
    cache = MemoryCache(max_entries=1_000, max_bytes=3 * 1_100, erased=ErasedRatings())
    ratings = [CachedRating(f"rt_{i}", ("绿" * 300).encode()) for i in range(5)]  # ~900 bytes of UTF-8 each
    cache.put_many([ttl_entry(r.id, r, 10) for r in ratings])
    kept = cache.get_many([r.id for r in ratings])
    assert kept[:2] == [None, None] and kept[2:] == ratings[2:]
    cache.put_many([ttl_entry(ratings[4].id, ratings[4], 10)])  # replacing an entry does not double-count
    assert cache.get_many([ratings[3].id]) == [ratings[3]]


def test_breaker_opens_after_failures_and_half_opens_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=2, reset_seconds=5, clock=clock)
    assert breaker.allow() and breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    clock.now += 5
    assert breaker.state == "half_open"
    assert breaker.allow() is True  # the one trial
    assert breaker.allow() is False  # nobody else while it runs
    breaker.failure()  # the trial failed: open again for a full period
    assert breaker.state == "open"
    clock.now += 5
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


def test_redis_unreachable_is_a_fast_miss_and_opens_the_breaker() -> None:
    breaker = CircuitBreaker(failures=2, reset_seconds=60)
    url = f"redis://127.0.0.1:{free_port()}/15"
    cache = RedisCache(url, timeout_ms=50, breaker=breaker, signing_keys=signing_keys("cache", "k" * 32),
                       erased=ErasedRatings())
    started = time.perf_counter()
    assert cache.get_many(["k"]) == [None]
    cache.put_many([ttl_entry("k", CachedRating("rt", b"{}"), 5)])  # swallowed
    assert breaker.state == "open"
    assert cache.get_many(["k"]) == [None]  # skipped without touching the network
    assert time.perf_counter() - started < 1.0
    health = cache.health()
    assert health.status == "degraded" and "circuit open" in health.detail


def test_create_cache_picks_the_backend_and_misses_the_erased_ratings_it_is_given() -> None:
    """``erased`` is required: a cache holding a set of its own, which nothing reads the erasures into,
    would serve every erased rating; the one given is the one its hits are checked against."""
    erased = _erased("rt_erased")
    memory = create_cache(load_settings(environ={}), erased)
    assert memory.backend == "memory"
    kept = CachedRating("rt", b"{}")
    memory.put_many([ttl_entry("k", CachedRating("rt_erased", b"{}"), 60), ttl_entry("j", kept, 60)])
    assert memory.get_many(["k", "j"]) == [None, kept]
    settings = load_settings(environ={"GREENRATE_REDIS_URL": "redis://127.0.0.1:1/0"})
    redis_cache = create_cache(settings, erased)
    assert redis_cache.backend == "redis" and isinstance(redis_cache, RedisCache)
    assert redis_cache._erased is erased


def test_an_outage_is_logged_when_the_breaker_opens_first_tries_again_and_closes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis outage had left almost no trace in the log (fault-injection review): three lines an
    outage, however many calls were skipped and trials failed."""
    import logging

    from service import logging as service_logging

    # put back after the test: the root handler configured here writes to this test's captured stderr,
    # which is closed once it ends (a later command's Alembic lines failed with "Logging error")
    monkeypatch.setattr(logging.root, "handlers", list(logging.root.handlers))
    monkeypatch.setattr(logging.root, "level", logging.root.level)
    monkeypatch.setattr(service_logging, "_configured_level", service_logging._configured_level)
    configure_logging("INFO")
    capsys.readouterr()
    clock = Clock()
    breaker = CircuitBreaker(failures=2, reset_seconds=5, clock=clock)

    def logged() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
        return [line for line in lines if line["event"].startswith("circuit_")]

    breaker.success()
    breaker.failure()
    assert logged() == []  # closed, and one failure short of opening
    breaker.failure()
    (opened,) = logged()
    assert opened["event"] == "circuit_open" and opened["level"] == "warning"
    assert opened["dependency"] == "redis" and opened["skipping_seconds"] == 5
    for _ in range(3):
        assert not breaker.allow()  # skipped calls say nothing
    for _ in range(3):  # three trials fail: the first says so, the others are counted at the end
        clock.now += 5
        assert breaker.allow()
        breaker.failure()
    (half_open,) = logged()
    assert half_open["event"] == "circuit_half_open" and half_open["dependency"] == "redis"
    clock.now += 5
    assert breaker.allow()
    breaker.success()
    (closed,) = logged()
    assert closed["event"] == "circuit_closed"
    assert closed["open_seconds"] == 20.0 and closed["failed_trials"] == 3
    breaker.success()
    breaker.failure()
    breaker.failure()
    assert [line["event"] for line in logged()] == ["circuit_open"]  # the next outage is logged afresh
    assert "redis://" not in json.dumps([opened, half_open, closed])


def test_a_redis_entry_signed_with_a_previous_secret_is_a_hit_until_that_secret_is_retired(
    redis_url: str,
) -> None:
    """A rotation keeps the cache: entries written under the secret GREENRATE_SECRET_KEY replaced are hits
    while it is listed in GREENRATE_PREVIOUS_SECRET_KEYS (counted by its id), new entries are written
    under the new secret, and once the old one is retired its entries are misses (deleted), as forged
    entries are."""
    from prometheus_client import REGISTRY

    from service.secret import secret_id

    old, new = "the-secret-before-rotation-0123456789abc", "the-secret-after-rotation-0123456789abcd"
    entry = ttl_entry("greenrate:rating:v2:t:k1", CachedRating("rt_1", b'{"score":1}'), 60)

    def cache(keys: Any) -> RedisCache:
        return RedisCache(redis_url, timeout_ms=500, breaker=CircuitBreaker(3, 10), signing_keys=keys,
                          erased=ErasedRatings())

    def counted() -> float:
        labels = {"read": "cache", "key": secret_id(old)}
        return REGISTRY.get_sample_value("greenrate_previous_key_signatures_total", labels) or 0.0

    cache(signing_keys("cache", old)).put_many([entry])
    rotated = cache(signing_keys("cache", new, (old,)))
    before = counted()
    assert rotated.get_many([entry.key]) == [entry.rating]
    assert counted() == before + 1
    fresh = ttl_entry("greenrate:rating:v2:t:k2", CachedRating("rt_2", b'{"score":2}'), 60)
    rotated.put_many([fresh])
    retired = cache(signing_keys("cache", new))
    assert retired.get_many([fresh.key, entry.key]) == [fresh.rating, None]  # the new one is the new key's
    assert rotated.client.exists(entry.key) == 0  # the retired key's entry was deleted, like a forged one


def _integrity_count(operation: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": operation}) or 0.0


def test_a_redis_entry_read_past_its_signed_expiry_is_a_miss_and_deleted(redis_url: str) -> None:
    """Redis's TTL is not signed: a security review made a genuine entry permanent (PERSIST) and had it
    served past its rating's validity. The expiry is in the signed bytes; an entry read past it is a miss,
    deleted so that the recorded rating can take its place (writes are NX), and counted."""
    keys = signing_keys("cache", "the-cache-expiry-test-secret-0123456789ab")
    cache = RedisCache(redis_url, timeout_ms=500, breaker=CircuitBreaker(3, 10), signing_keys=keys,
                       erased=ErasedRatings())
    now = int(time.time())
    live = CacheEntry("greenrate:rating:v2:t:live", CachedRating("rt_1", b'{"score":1}'), 60, now + 60)
    ended = CacheEntry("greenrate:rating:v2:t:ended", CachedRating("rt_2", b'{"score":2}'), 60, now - 1)
    cache.put_many([live, ended])
    cache.client.persist(live.key)  # no TTL in Redis any more: only the signed expiry ends it
    before = _integrity_count("expired")
    assert cache.get_many([live.key, ended.key]) == [live.rating, None]
    assert _integrity_count("expired") == before + 1
    assert cache.client.exists(ended.key) == 0 and cache.client.exists(live.key) == 1
    # the expiry cannot be moved: it is signed with the key, the id and the body
    value = cache.client.get(live.key)
    assert isinstance(value, bytes)
    moved = value[:32] + (now + 10**6).to_bytes(8, "big") + value[40:]
    cache.client.set(live.key, moved)
    integrity = _integrity_count("integrity")
    assert cache.get_many([live.key]) == [None]
    assert _integrity_count("integrity") == integrity + 1


def test_a_redis_entry_of_the_format_before_is_a_miss(redis_url: str) -> None:
    """Entries written before the expiry was signed (key ``rating:v1``, signature over key, id and body) are
    never read: the keys say ``rating:v2``; one written under a v2 key does not verify."""
    from service.secret import mac

    secret = "the-cache-format-test-secret-0123456789abc"
    keys = signing_keys("cache", secret)
    cache = RedisCache(redis_url, timeout_ms=500, breaker=CircuitBreaker(3, 10), signing_keys=keys,
                       erased=ErasedRatings())
    assert cache_key("greenrate", "t", VERSIONS, "d" * 64).startswith("greenrate:rating:v2:t:")
    key, raw = "greenrate:rating:v2:t:old", CachedRating("rt_1", b'{"score":1}').encode()
    cache.client.set(key, mac(keys.current.secret, key.encode() + b"\x00" + raw) + raw, ex=60)
    assert cache.get_many([key]) == [None]
    assert cache.client.exists(key) == 0


def _erased(*rating_ids: str) -> ErasedRatings:
    """A worker's erased ids as its last look read them."""
    erased = ErasedRatings()
    erased.ids = frozenset(rating_ids)
    return erased


def test_a_memory_cache_hit_on_an_erased_rating_is_a_miss_and_dropped() -> None:
    """Without Redis the erasure command cannot reach a worker's own cache: once the worker has read the
    erasure, the entry is a miss (counted, dropped) and the other entries are served as before."""
    erased = _erased()
    cache = MemoryCache(max_entries=10, erased=erased)
    a, b = CachedRating("rt_a", b'{"a":1}'), CachedRating("rt_b", b'{"b":1}')
    cache.put_many([ttl_entry("ka", a, 60), ttl_entry("kb", b, 60)])
    assert cache.get_many(["ka", "kb"]) == [a, b]
    erased.ids = frozenset({"rt_a"})  # the watcher replaces the set whole
    before = _integrity_count("erased")
    assert cache.get_many(["ka", "kb", "kx"]) == [None, b, None]
    assert _integrity_count("erased") == before + 1
    assert "ka" not in cache._entries and cache._bytes == len(b.encode())
    cache.put_many([ttl_entry("ka", CachedRating("rt_new", b"{}"), 60)])  # the input rated anew
    assert cache.get_many(["ka"]) == [CachedRating("rt_new", b"{}")]


def test_a_redis_entry_of_an_erased_rating_is_a_miss_and_deleted(redis_url: str) -> None:
    """A signed entry saved before an erasure and written back verifies: the erased ids decide. It is a
    miss, deleted so that the input's new rating takes the key (writes are NX), and counted apart from
    forged and expired entries."""
    keys = signing_keys("cache", "the-cache-erasure-test-secret-0123456789ab")
    erased = _erased("rt_erased")
    cache = RedisCache(redis_url, timeout_ms=500, breaker=CircuitBreaker(3, 10), signing_keys=keys,
                       erased=erased)
    gone = ttl_entry("greenrate:rating:v2:t:gone", CachedRating("rt_erased", b'{"score":1}'), 60)
    kept = ttl_entry("greenrate:rating:v2:t:kept", CachedRating("rt_kept", b'{"score":2}'), 60)
    cache.put_many([gone, kept])
    counts = {op: _integrity_count(op) for op in ("erased", "integrity", "expired")}
    assert cache.get_many([gone.key, kept.key]) == [None, kept.rating]
    assert {op: _integrity_count(op) - n for op, n in counts.items()} == {
        "erased": 1, "integrity": 0, "expired": 0
    }
    assert cache.client.exists(gone.key) == 0 and cache.client.exists(kept.key) == 1
    fresh = ttl_entry(gone.key, CachedRating("rt_new", b'{"score":1}'), 60)
    cache.put_many([fresh])
    assert cache.get_many([gone.key]) == [fresh.rating]


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_an_entry_of_a_rating_issued_before_the_current_validity_is_a_miss_and_deleted(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """GREENRATE_RATING_VALIDITY_DAYS shortened: an entry lives until its rating's own validity ends, but a
    rating issued before the validity the service runs with now is not handed out by the records, nor now
    by the cache (audit review). Its issue moment is read from the body; a body that states none is a miss
    too (the records decide)."""
    if backend == "redis":
        keys = signing_keys("cache", "the-cache-validity-test-secret-0123456789")
        cache: MemoryCache | RedisCache = RedisCache(
            request.getfixturevalue("redis_url"), timeout_ms=500, breaker=CircuitBreaker(3, 10),
            signing_keys=keys, erased=ErasedRatings())
    else:
        cache = MemoryCache(10, erased=ErasedRatings())
    # an external id holding the field's name, escaped as in any JSON string, is not the field
    tricky = b'"external_id":"a\\"issued_at\\":\\"2099"'
    old = CachedRating("rt_1", b'{"id":"rt_1",' + tricky + b',"issued_at":"2026-01-01T00:00:00Z"}')
    new = CachedRating("rt_2", b'{"id":"rt_2","external_id":null,"issued_at":"2026-06-01T00:00:00Z"}')
    blank = CachedRating("rt_3", b'{"id":"rt_3"}')
    entries = [ttl_entry(f"greenrate:rating:v2:t:{r.id}", r, 60) for r in (old, new, blank)]
    cache.put_many(entries)
    names = [e.key for e in entries]
    assert cache.get_many(names) == [old, new, blank]  # no validity asked: as before
    before = _integrity_count("outdated")
    assert cache.get_many(names, issued_after=1767225600.0) == [None, new, None]  # 2026-01-01T00:00:00Z
    assert _integrity_count("outdated") == before + 2
    assert cache.get_many(names) == [None, new, None]  # deleted


def test_a_failed_delete_of_a_refused_entry_is_counted_as_a_cache_error() -> None:
    """An entry refused on read (here one that is not a signed rating) is deleted; when that delete fails,
    the breaker counted the failure but the metric did not (fault review)."""
    from prometheus_client import REGISTRY

    class Flaky:
        def mget(self, keys: list[str]) -> list[bytes | None]:
            return [b"not a signed rating" for _ in keys]

        def unlink(self, *keys: str) -> int:
            raise OSError("connection reset")

    breaker = CircuitBreaker(failures=5, reset_seconds=60)
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/15", timeout_ms=50, breaker=breaker,
                       signing_keys=signing_keys("cache", "k" * 32), erased=ErasedRatings())
    cache.client = Flaky()  # type: ignore[assignment]
    before = REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": "delete"}) or 0.0
    assert cache.get_many(["k"]) == [None]
    after = REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": "delete"}) or 0.0
    assert after == before + 1
