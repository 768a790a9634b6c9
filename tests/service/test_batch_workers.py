"""The worker processes of training (service.batch.workers): started when they pay, same indicators."""

from __future__ import annotations

import pandas as pd

from rating_model.indicator_batch import frame_indicators, frame_indicators_answered
from rating_model.standard import DEFAULT_STANDARD, load_standard
from rating_model.synthetic import generate_frame
from service.batch.workers import PoolMap, training_workers, worker_pool


def test_training_workers_start_only_for_a_large_frame_or_when_asked() -> None:
    with training_workers(rows=19_999) as small, training_workers(rows=5, workers=1) as one:
        assert small is None and one is None  # in this process: starting processes costs more
    with training_workers(rows=5, workers=2) as asked:
        assert isinstance(asked, PoolMap) and asked.workers == 2


def test_indicators_are_the_same_in_worker_processes_and_in_this_one() -> None:
    frame = generate_frame(600, 4)
    standard = load_standard(DEFAULT_STANDARD)
    serial = frame_indicators_answered(frame, standard)
    with training_workers(len(frame), workers=2) as parallel:
        assert parallel is not None
        values, none, bad = frame_indicators_answered(frame, standard, parallel=parallel)
    pd.testing.assert_frame_equal(values, serial[0])
    pd.testing.assert_frame_equal(none, serial[1])
    assert bad == serial[2]
    with worker_pool(2, ["rating_model.indicator_batch"]) as pool:
        assert frame_indicators(frame, standard, parallel=PoolMap(pool, 2))[1] == serial[2]
