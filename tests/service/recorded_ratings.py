"""Ratings recorded straight into a database, for the tests of commands that read what was issued
(``greenrate model drift``): each payload rated by the engine given and stored as a bank's rating."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine

from rating_model.engine import Engine
from rating_model.exceptions import RatingModelError
from service.records.ratings import NewRating, insert_ratings
from tests.service.tampering import TEST_KEY


def record_ratings(url: str, engine: Engine, payloads: Iterable[dict[str, Any] | RatingModelError]) -> int:
    """Rate each payload with ``engine`` and record it for tenant ``bank-a``; a row the engine refuses to
    read or rate is left out. The number recorded."""
    now = datetime.now(UTC)
    new = []
    for i, payload in enumerate(payloads):
        if isinstance(payload, RatingModelError):
            continue  # a row the engine refuses to read: not a rating
        try:
            rating = engine.rate(engine.parse(payload))
        except RatingModelError:
            continue
        body = json.dumps(rating.to_dict())
        new.append(NewRating(f"r{i}", "bank-a", None, None, hashlib.sha256(body.encode()).hexdigest(), "{}",
                             body, rating.versions, rating.score, rating.grade, None, None, now,
                             now + timedelta(days=365)))
    db = create_engine(url)
    insert_ratings(db, new, TEST_KEY)
    db.dispose()
    return len(new)
