"""The issuing function on its own: record before cache, reuse within validity, versions in the key."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from rating_model.exceptions import FactorNotFoundError
from schemas.fields import utc_iso
from service.auth import Principal, hash_key
from service.cache import MemoryCache
from service.engine_slot import LoadedEngine
from service.ratings.encoding import rating_json
from service.ratings.issuing import Issued, IssuingContext, ItemFailure, issue_batch, issue_rating
from service.records.tables import ratings
from tests.conftest import create_key, payload, services_of
from tests.service.tampering import app_key, guard_lifted, re_sign


def principal(app: Flask, tenant: str = "bank-a") -> Principal:
    """The principal of a real stored key (ratings reference their requester's key)."""
    found = services_of(app).keys.resolve(hash_key(create_key(app, tenant)))
    assert found is not None
    return found


def context(app: Flask, **changes: object) -> IssuingContext:
    s = services_of(app)
    values: dict[str, object] = {
        "db": s.db,
        "cache": MemoryCache(100, erased=s.erased),
        "loaded": s.engines.current(),
        "validity": timedelta(days=30),
        "key": app_key(app),
    }
    values.update(changes)
    return IssuingContext(**values)  # type: ignore[arg-type]


def count(app: Flask) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar_one())


def test_new_rating_is_recorded_then_cached(app: Flask) -> None:
    ctx, bank = context(app), principal(app)
    issued = issue_rating(ctx, bank, payload())
    assert not issued.cache_hit and count(app) == 1
    assert ctx.cache.get_many([next(iter(ctx.cache._entries))])[0].id == issued.id  # type: ignore[attr-defined]
    again = issue_rating(ctx, bank, payload())
    assert again == Issued(issued.id, issued.body, True, issued.input_sha256) and count(app) == 1


def test_cache_loss_falls_back_to_the_records(app: Flask) -> None:
    bank = principal(app)
    issued = issue_rating(context(app), bank, payload())
    again = issue_rating(context(app), bank, payload())  # a fresh, empty cache
    assert again.id == issued.id and again.cache_hit and count(app) == 1


def test_expired_ratings_are_not_reused(app: Flask) -> None:
    bank = principal(app)
    issued = issue_rating(context(app), bank, payload())
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).values(valid_until=ratings.c.issued_at))
        re_sign(conn, app_key(app))
    fresh = issue_rating(context(app), bank, payload())
    assert fresh.id != issued.id and not fresh.cache_hit and count(app) == 2


def test_a_shorter_validity_applies_to_ratings_issued_under_a_longer_one(app: Flask) -> None:
    """GREENRATE_RATING_VALIDITY_DAYS from 365 to 30: a rating issued 200 days before was still handed out
    (valid until day 365) as a hit (a reproducibility review); it is reused only within 30 days now, and
    the new rating's conditional write does not count it either."""
    bank = principal(app)
    issued = issue_rating(context(app, validity=timedelta(days=365)), bank, payload())
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).values(issued_at=datetime.now(UTC) - timedelta(days=200)))
        re_sign(conn, app_key(app))
    assert issue_rating(context(app, validity=timedelta(days=365)), bank, payload()).id == issued.id
    fresh = issue_rating(context(app, validity=timedelta(days=30)), bank, payload())
    assert fresh.id != issued.id and not fresh.cache_hit and count(app) == 2


def test_a_shorter_validity_applies_to_cached_ratings_too(app: Flask) -> None:
    """The records stopped handing out a rating issued before the validity the service runs with now, but
    the cache did not: a Redis entry lives until its rating's own ``valid_until``, so after
    GREENRATE_RATING_VALIDITY_DAYS went from 365 to 30 a rating issued 200 days before was still a hit
    (audit review). A hit issued before the current validity is a miss now, and its entry is replaced by
    the new rating's."""
    bank, cache = principal(app), MemoryCache(100, erased=services_of(app).erased)
    issued = issue_rating(context(app, validity=timedelta(days=365)), bank, payload())
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(days=200)
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):  # as if issued 200 days ago
        body = json.loads(conn.execute(select(ratings.c.result_json)).scalar_one())
        body["issued_at"] = utc_iso(before)
        conn.execute(update(ratings).values(issued_at=before, result_json=rating_json(body).decode()))
        re_sign(conn, app_key(app))
    found = issue_rating(context(app, cache=cache, validity=timedelta(days=365)), bank, payload())
    assert found.id == issued.id and len(cache._entries) == 1  # cached from the records, until day 365
    fresh = issue_rating(context(app, cache=cache, validity=timedelta(days=30)), bank, payload())
    assert fresh.id != issued.id and not fresh.cache_hit and count(app) == 2
    again = issue_rating(context(app, cache=cache, validity=timedelta(days=30)), bank, payload())
    assert again.id == fresh.id and again.cache_hit


def test_a_rating_found_in_the_records_is_cached_only_until_its_validity_ends(app: Flask) -> None:
    """Caching a days-old rating for a full validity period would serve it as a hit after it expired."""
    bank = principal(app)
    issued = issue_rating(context(app), bank, payload())
    # the rating is now 3 seconds from the end of its validity
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).values(valid_until=datetime.now(UTC) + timedelta(seconds=3)))
        re_sign(conn, app_key(app))
    clock = [0.0]
    cache = MemoryCache(100, clock=lambda: clock[0], erased=services_of(app).erased)
    again = issue_rating(context(app, cache=cache), bank, payload())  # from the records, then cached
    assert again.id == issued.id and again.cache_hit
    ((key, (expires, _raw)),) = cache._entries.items()
    assert 0 < expires <= 3
    clock[0] = 3.5  # past valid_until: the cache has forgotten it, and the records no longer offer it
    assert cache.get_many([key]) == [None]


def test_another_model_version_is_a_new_rating(app: Flask) -> None:
    ctx, bank = context(app), principal(app)
    issued = issue_rating(ctx, bank, payload())
    loaded = LoadedEngine(ctx.loaded.engine)
    loaded.versions = {**loaded.versions, "model": loaded.versions["model"] + "-next"}
    other = issue_rating(context(app, cache=ctx.cache, loaded=loaded), bank, payload())
    assert other.id != issued.id and not other.cache_hit


def test_tenant_is_part_of_the_identity(app: Flask) -> None:
    ctx = context(app)
    first = issue_rating(ctx, principal(app, "bank-a"), payload())
    assert issue_rating(ctx, principal(app, "bank-b"), payload()).id != first.id


class FactorlessEngine:
    """The real engine, except that rating raises what a missing factor set raises."""

    def __init__(self, engine: object) -> None:
        self.engine = engine
        self.versions = engine.versions  # type: ignore[attr-defined]

    def parse(self, data: object) -> object:
        return self.engine.parse(data)  # type: ignore[attr-defined]

    def rate(self, data: object) -> object:
        raise FactorNotFoundError("no grid factor for this region", field="company.region")


def test_factor_not_found_fails_one_batch_item_and_the_single_request(app: Flask) -> None:
    real = services_of(app).engines.current().engine
    ctx = context(app, loaded=LoadedEngine(FactorlessEngine(real)))  # type: ignore[arg-type]
    bank = principal(app)
    results = issue_batch(ctx, bank, [payload()])
    assert results == [
        ItemFailure(
            422,
            "No emission factor applies to this input.",
            {"company.region": ["no grid factor for this region"]},
        )
    ]
    with pytest.raises(FactorNotFoundError) as info:
        issue_rating(ctx, bank, payload())
    assert info.value.field == "company.region" and count(app) == 0


def test_factor_not_found_is_422_with_the_field_path_over_http(app: Flask) -> None:
    from tests.conftest import bearer, create_key

    slot = services_of(app).engines
    slot.set_engine(FactorlessEngine(slot.current().engine))  # type: ignore[arg-type]
    response = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
    assert response.status_code == 422
    assert response.json["errors"] == {"company.region": ["no grid factor for this region"]}
