"""``POST /v1/ratings``: ``"business_travel": []`` (none) and travel left out (not reported) are two inputs.

They had one canonical input, so one input hash and one cache entry: whichever came first decided the
rating both got, and a bank could not tell from the recorded input which the business had said.
tests/rating_model/test_business_travel_none.py checks what the engine makes of each.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import bearer, payload

HEADER = "X-Input-SHA256"


def test_none_and_left_out_are_rated_and_hashed_apart(client: FlaskClient, bank_key: str) -> None:
    left_out = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    none_body = payload() | {"transport": {"business_travel": []}}
    none = client.post("/v1/ratings", json=none_body, headers=bearer(bank_key))
    assert left_out.status_code == none.status_code == 201, none.json
    assert none.headers["X-Cache"] == "miss"  # not served the rating of the input without it
    assert none.headers[HEADER] != left_out.headers[HEADER]
    assert "transport.business_travel" in left_out.json["emissions"]["missing"]
    assert "transport.business_travel" not in none.json["emissions"]["missing"]
    again = client.post("/v1/ratings", json=none_body, headers=bearer(bank_key))
    assert again.headers["X-Cache"] == "hit" and again.headers[HEADER] == none.headers[HEADER]
    assert again.json["id"] == none.json["id"]
