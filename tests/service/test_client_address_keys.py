"""Redis never names a client's address: the counters of the merchant page's budget and of keyless ``/v1``
requests are named by an HMAC of the address under a key derived from the service's secret.

They had been named by the address in the clear (``ip:203.0.113.7``, ``merchant-page/203.0.113.7``), so
whoever could read Redis read which addresses had used the page and when (data-protection review).
"""

from __future__ import annotations

import re

import redis
from flask import Flask
from flask.testing import FlaskClient

from service.limits import address_tag
from tests.conftest import AppFactory
from tests.service.test_merchant_page import FORM, SECRET

IPV4 = "203.0.113.7"
IPV6 = "2001:db8:1:2:3:4:5:6"
#: what an IPv6 client's page budget is counted for: its /64
IPV6_NETWORK = "2001:db8:1:2::/64"


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _rate(client: FlaskClient) -> int:
    page = client.get("/?lang=en").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    return client.post("/?lang=en", data={**FORM, "form_token": token.group(1)}).status_code


def test_redis_keys_name_no_client_address(make_app: AppFactory, redis_url: str) -> None:
    app = make_app(SECRET_KEY=SECRET, REDIS_URL=redis_url)
    for address in (IPV4, IPV6):
        client = _client(app, address)
        assert _rate(client) == 303
        assert client.get("/v1/ratings").status_code == 401  # keyless: counted by its address
    stored = redis.Redis.from_url(redis_url)
    try:
        keys = [key.decode() for key in stored.scan_iter(count=1000)]
    finally:
        stored.close()
    with app.test_request_context():
        tags = {name: address_tag(name) for name in (IPV4, IPV6, IPV6_NETWORK)}
    assert keys
    for key in keys:  # neither the address, nor any part of it that names the client
        assert IPV4 not in key and "2001:db8" not in key and "2001" not in key, key
    # the budgets are counted all the same, each under its address's tag: the page's by the IPv6 /64
    assert any(f"/merchant-page/{tags[IPV4]}/" in key for key in keys), keys
    assert any(f"/merchant-page/{tags[IPV6_NETWORK]}/" in key for key in keys), keys
    assert any(f"ip:{tags[IPV4]}" in key for key in keys) and any(f"ip:{tags[IPV6]}" in key for key in keys)


def test_workers_sharing_a_secret_count_one_budget_per_address(make_app: AppFactory, redis_url: str) -> None:
    """Two workers derive the same tag, so an address's budget is one across them; another address, and the
    same address under another secret, are counted apart."""
    first = make_app(SECRET_KEY=SECRET, REDIS_URL=redis_url, PAGE_RATE_LIMIT="1 per hour")
    second = make_app(SECRET_KEY=SECRET, REDIS_URL=redis_url, PAGE_RATE_LIMIT="1 per hour")
    assert _rate(_client(first, IPV4)) == 303
    assert _rate(_client(second, IPV4)) == 429
    assert _rate(_client(second, "198.51.100.9")) == 303
    other_secret = SECRET.replace("test", "next")
    third = make_app(SECRET_KEY=other_secret, REDIS_URL=redis_url, PAGE_RATE_LIMIT="1 per hour")
    assert _rate(_client(third, IPV4)) == 303
    with first.test_request_context():
        tag = address_tag(IPV4)
    with third.test_request_context():
        assert address_tag(IPV4) != tag and re.fullmatch(r"[0-9a-f]{32}", tag)
