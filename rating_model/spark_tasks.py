"""What a Spark task runs: the batch function on each Arrow batch of a loan book, with this worker's engine.

The Spark job (:mod:`service.batch.spark`) hands :func:`rate_batches` to ``mapInPandas``; Spark pickles it
by name, so each Python worker imports this module and the engine's, never the service's (Flask,
SQLAlchemy), and pyspark is never imported here. Pure computation on pandas frames: the model document
arrives as JSON text (or nothing, for the packaged default), and each worker builds its engine once, caches
it by ``sha256`` for every later batch and task, and checks that its versions (model, standard, factor set,
schema, engine) are the driver's: a node with another greenrate installed would otherwise mix the results
of two models in one book without a word.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

from rating_model.batch import rate_frame
from rating_model.book_checks import UNCHECKED
from rating_model.engine import Engine

__all__ = ["rate_batches", "worker_engine"]

_ENGINES: dict[str, Engine] = {}  # per Python worker: engines by artifact sha256, built once


def worker_engine(model_json: str | None, sha256: str, versions: Mapping[str, str]) -> Engine:
    """This worker's engine for the artifact ``sha256``: built on first use, then reused for every batch."""
    engine = _ENGINES.get(sha256)
    if engine is None:
        engine = Engine.load(None if model_json is None else json.loads(model_json))
        if engine.artifact.sha256 != sha256 or engine.versions != dict(versions):
            raise RuntimeError(
                f"this executor's greenrate rates with {engine.versions} (artifact {engine.artifact.sha256}),"
                f" the driver's with {dict(versions)} (artifact {sha256}): install the same greenrate"
                " on every node"
            )
        _ENGINES[sha256] = engine
    return engine


def rate_batches(batches: Iterator[pd.DataFrame], *, model_json: str | None, sha256: str,
                 versions: Mapping[str, str], row_column: str, issue_year: int | None = None
                 ) -> Iterator[pd.DataFrame]:
    """``mapInPandas`` body: each Arrow batch through :func:`rate_frame`, ``row`` from ``row_column``.

    Cells arrive in Spark's types (text from a CSV read without a schema, numbers, booleans); the flat
    format converts each by its column's documented type and leaves an unconvertible cell to the parser,
    which names it in that row's ``error``. ``issue_year``: the driver's year of issue, so that every
    executor refuses the same reporting years (:func:`rating_model.batch.rate_frame`), whatever its clock.
    """
    engine = worker_engine(model_json, sha256, versions)
    for batch in batches:
        ids = batch[row_column]
        if ids.isna().any():
            raise ValueError(f"{row_column}: the row column has empty values")
        # a batch is part of the book: the cross-row flags are set over the whole DataFrame afterwards
        out = rate_frame(batch.drop(columns=[row_column]), engine, checks=UNCHECKED, issue_year=issue_year)
        out["row"] = ids.to_numpy(dtype=np.int64)
        yield out
