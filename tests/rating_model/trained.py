"""Trainings that several training tests read, each run once per test session.

A training on 3,000 synthetic rows takes seconds; test_train.py and test_train_card.py had each trained the
same frame with the same seed (four times between them). Each call hands out a deep copy, so a test that
changed what it was given would change nothing for the next one.
"""

from __future__ import annotations

import copy
from functools import cache

import pandas as pd

from rating_model.synthetic import generate_frame
from rating_model.train import TrainResult, train

#: the training tests' frame (3,000 rows, seed 11) and training seed
ROWS, FRAME_SEED, SEED = 3_000, 11, 5


def training_frame() -> pd.DataFrame:
    """The training tests' synthetic frame (a copy)."""
    return _frame().copy()


def trained(*, synthetic: bool) -> TrainResult:
    """``train(training_frame(), seed=SEED)``, with ``source={"synthetic": True}`` when ``synthetic`` (a
    copy)."""
    return copy.deepcopy(_trained(synthetic))


@cache
def _frame() -> pd.DataFrame:
    return generate_frame(ROWS, FRAME_SEED)


@cache
def _trained(synthetic: bool) -> TrainResult:
    return train(_frame(), seed=SEED, source={"synthetic": True} if synthetic else None)
