"""Two banks on one service: neither reads nor lists the other's ratings; a foreign id is a missing id."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import bearer, create_key, payload


def test_two_banks_never_see_each_other(app: Flask, client: FlaskClient) -> None:
    bank_a, bank_b = create_key(app, "bank-a"), create_key(app, "bank-b")
    rating_a = client.post("/v1/ratings", json=payload(), headers=bearer(bank_a))
    # The same company rated by the other bank is a separate rating (the cache is keyed by tenant).
    rating_b = client.post("/v1/ratings", json=payload(), headers=bearer(bank_b))
    assert rating_b.headers["X-Cache"] == "miss" and rating_b.json["id"] != rating_a.json["id"]

    foreign = client.get(rating_a.headers["Location"], headers=bearer(bank_b))
    missing = client.get("/v1/ratings/rt_00000000000000000000000000000000", headers=bearer(bank_b))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json["message"] == missing.json["message"]
    assert set(foreign.json) == set(missing.json)

    listed_a = [i["id"] for i in client.get("/v1/ratings", headers=bearer(bank_a)).json["items"]]
    listed_b = [i["id"] for i in client.get("/v1/ratings", headers=bearer(bank_b)).json["items"]]
    assert listed_a == [rating_a.json["id"]] and listed_b == [rating_b.json["id"]]
    by_external = client.get("/v1/ratings?external_id=loan-0001", headers=bearer(bank_b)).json["items"]
    assert [i["id"] for i in by_external] == [rating_b.json["id"]]


def test_merchant_keys_read_only_their_own_merchant(app: Flask, client: FlaskClient) -> None:
    bank = create_key(app, "bank-a")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-1")
    bank_rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert client.get(bank_rating.headers["Location"], headers=bearer(merchant)).status_code == 404
    assert client.get("/v1/ratings", headers=bearer(merchant)).status_code == 403


def test_merchant_reads_the_ratings_issued_for_it(app: Flask, client: FlaskClient) -> None:
    from datetime import timedelta

    from service.auth import hash_key
    from service.ratings.issuing import IssuingContext, issue_rating
    from tests.conftest import services_of
    from tests.service.tampering import app_key

    merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-1")
    other_shop = create_key(app, "bank-a", "merchant", merchant_id="shop-2")
    s = services_of(app)
    principal = s.keys.resolve(hash_key(merchant))
    assert principal is not None
    ctx = IssuingContext(s.db, s.cache, s.engines.current(), timedelta(days=30), app_key(app))
    issued = issue_rating(ctx, principal, payload(external_id="self-rated"))
    own = client.get(f"/v1/ratings/{issued.id}", headers=bearer(merchant))
    assert own.status_code == 200 and own.get_data() == issued.body
    assert client.get(f"/v1/ratings/{issued.id}", headers=bearer(other_shop)).status_code == 404
