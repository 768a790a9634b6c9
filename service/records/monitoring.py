"""Reading recorded ratings back for drift monitoring: scores and indicator bins, by model version."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import overload

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

from service.records.tables import ratings

#: Recorded ratings fetched at a time: each carries its whole body (about 17 KB with Chinese labels), so a
#: batch is a few MB of memory, whatever the number of ratings read.
FETCH_ROWS = 500


class RecordedLabels(Sequence[str | None]):
    """One indicator's recorded bin labels, one per rating, as a 4-byte code into the few distinct labels.

    A million ratings of fifteen indicators held as Python lists of strings took a pointer per label and,
    unless interned, a string each; codes keep the monitor's memory at 4 bytes a rating and indicator.
    """

    def __init__(self) -> None:
        self._codes = array("I")
        self._labels: list[str | None] = []
        self._code_of: dict[str | None, int] = {}

    def append(self, label: str | None) -> None:
        code = self._code_of.get(label)
        if code is None:
            code = self._code_of[label] = len(self._labels)
            self._labels.append(label)
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, index: int) -> str | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...

    def __getitem__(self, index: int | slice) -> str | None | list[str | None]:
        if isinstance(index, slice):
            return [self._labels[code] for code in self._codes[index]]
        return self._labels[self._codes[index]]

    def __iter__(self) -> Iterator[str | None]:
        labels = self._labels
        return (labels[code] for code in self._codes)


def live_distribution(
    db: Engine, model_version: str, since: datetime, until: datetime | None = None,
    gradings: list[tuple[str, tuple[str, ...]]] | None = None,
) -> tuple[NDArray[np.float64], dict[str, RecordedLabels]]:
    """Scores and per-indicator bin labels of ratings issued by a model since a moment (and up to
    ``until``, both ends included, when given: the window a drift report says it covers).

    Both come from each rating's own recorded body (its ``contributions``), exactly as issued, so the
    drift seen is the drift in what the bank was told, not a recomputation. The bin label is read, not
    the value: the value is recorded rounded to 6 decimals, and re-binning it would move values just
    below an edge (0.285714 under 2/7) into the bin beneath and report a shift that never happened.

    The rows are streamed :data:`FETCH_ROWS` at a time (a server-side cursor on PostgreSQL): the driver
    had fetched every matching body at once, gigabytes for a model that rated a million companies. They
    come in no particular order: the distributions do not depend on it, and ``ORDER BY seq`` had the
    database sort every body it read (``ix_ratings_model_version_issued_at`` finds them).

    ``gradings``, when given, receives each rating's score grade and the ids of the knock-outs that applied
    to it, as recorded (a rating issued before schema 1.4 recorded neither and is left out): how often the
    standard's knock-outs overrode the model's grade (:func:`rating_model.monitoring.overrides`).
    """
    query = select(ratings.c.score, ratings.c.result_json).where(
        ratings.c.model_version == model_version, ratings.c.issued_at >= since
    )
    if until is not None:
        query = query.where(ratings.c.issued_at <= until)
    scores = array("d")
    bins: dict[str, RecordedLabels] = {}
    with db.connect() as conn:
        for row in conn.execution_options(yield_per=FETCH_ROWS).execute(query):
            scores.append(float(row.score))
            body = json.loads(row.result_json)
            if gradings is not None and isinstance(body.get("score_grade"), str) and "knock_outs" in body:
                ids = tuple(str(k.get("id")) for k in body["knock_outs"] or [] if isinstance(k, dict))
                gradings.append((body["score_grade"], ids))
            for c in body.get("contributions", []):
                recorded = bins.get(c["indicator"])
                if recorded is None:
                    recorded = bins[c["indicator"]] = RecordedLabels()
                label = c.get("bin")
                recorded.append(label if isinstance(label, str) else None)
    return np.frombuffer(scores, dtype=np.float64).copy(), bins
