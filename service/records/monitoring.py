"""Reading recorded ratings back for drift monitoring: scores and indicator values, by model version."""

from __future__ import annotations

import json
import math
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

from service.records.tables import ratings


def live_distribution(
    db: Engine, model_version: str, since: datetime
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
    """Scores and per-indicator values (NaN = not reported) of ratings issued by a model since a moment.

    Values come from each rating's own recorded body (its ``contributions``), exactly as issued, so the
    drift seen is the drift in what the bank was told, not a recomputation.
    """
    query = (
        select(ratings.c.score, ratings.c.result_json)
        .where(ratings.c.model_version == model_version, ratings.c.issued_at >= since)
        .order_by(ratings.c.seq)
    )
    scores: list[float] = []
    values: dict[str, list[float]] = {}
    with db.connect() as conn:
        for row in conn.execute(query):
            scores.append(float(row.score))
            for c in json.loads(row.result_json).get("contributions", []):
                value = c.get("value")
                values.setdefault(c["indicator"], []).append(math.nan if value is None else float(value))
    return np.asarray(scores, dtype=float), {k: np.asarray(v, dtype=float) for k, v in values.items()}
