"""Reading recorded ratings back for drift monitoring: scores and indicator bins, by model version."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

from service.records.tables import ratings


def live_distribution(
    db: Engine, model_version: str, since: datetime
) -> tuple[NDArray[np.float64], dict[str, list[str | None]]]:
    """Scores and per-indicator bin labels of ratings issued by a model since a moment.

    Both come from each rating's own recorded body (its ``contributions``), exactly as issued, so the
    drift seen is the drift in what the bank was told, not a recomputation. The bin label is read, not
    the value: the value is recorded rounded to 6 decimals, and re-binning it would move values just
    below an edge (0.285714 under 2/7) into the bin beneath and report a shift that never happened.
    """
    query = (
        select(ratings.c.score, ratings.c.result_json)
        .where(ratings.c.model_version == model_version, ratings.c.issued_at >= since)
        .order_by(ratings.c.seq)
    )
    scores: list[float] = []
    bins: dict[str, list[str | None]] = {}
    with db.connect() as conn:
        for row in conn.execute(query):
            scores.append(float(row.score))
            for c in json.loads(row.result_json).get("contributions", []):
                label = c.get("bin")
                bins.setdefault(c["indicator"], []).append(label if isinstance(label, str) else None)
    return np.asarray(scores, dtype=float), bins
