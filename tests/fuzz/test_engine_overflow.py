"""A company `make fuzz` found: a previous year with a subnormal electricity figure (2.2e-311 kWh).

The year-over-year change in percent divides by that previous total and overflows to infinity
(rating_model/neutrality.py, ``change_pct``); the rating cannot be written as JSON (issuing uses
``allow_nan=False`` on purpose) and the request ended in a 500. The engine now gives such a change no
percentage (``None``: the indicator's missing bin), and this keeps it that way.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import AppFactory, bearer, create_key

BODY = json.loads((Path(__file__).parent / "corpus_engine_overflow.json").read_text())


def test_a_subnormal_previous_year_is_rated_not_a_500(make_app: AppFactory) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    response = client.post("/v1/ratings", json=BODY, headers=bearer(create_key(app)))
    assert response.status_code in (201, 422), response.data[:300]
