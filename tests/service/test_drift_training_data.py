"""``greenrate model drift --training-data FILE``: the training population is the rows the model was fit on.

The score bands ``train`` stores in an artifact (``metadata.score_bands``) count the rows it was fit on, its
20 % holdout left out. ``--training-data``, the fallback for an artifact without them, scored every row of
the file, holdout included, so the same model read against its own file and against its bands compared live
scores with two different populations. Now, given the very file the model was trained on, the command
draws the split again from the artifact's seed and scores the fitted rows only; given any other file it
scores every rated row and says so.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from rating_model.engine import Engine
from rating_model.flat import payloads_from_frame
from rating_model.train import HOLDOUT_SHARE, fitted_rows, holdout_rows
from service.batch.flat_files import read_frame, write_frame
from service.cli import main
from tests.service.recorded_ratings import record_ratings

ROWS = 1500
SEED = 41


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/drift.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def trained(env: dict[str, str], tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    """A small model trained by the command on a generated file, and ratings it issued, recorded."""
    data, model = tmp_path / "train.csv", tmp_path / "model.json"
    generated = run(env, "model", "generate-data", "--rows", str(ROWS), "--seed", "7", "--out", str(data))
    assert generated.exit_code == 0
    result = run(env, "model", "train", "--data", str(data), "--seed", str(SEED), "--out", str(model),
                 "--workers", "1")
    assert result.exit_code == 0, result.output
    document = json.loads(model.read_text())
    assert run(env, "db", "upgrade").exit_code == 0
    frame = read_frame(data).head(200)
    record_ratings(env["GREENRATE_DATABASE_URL"], Engine.load(document),
                   payloads_from_frame(frame, ignore_unknown=True))
    return data, model, document


def _drift(env: dict[str, str], model: Path, data: Path, out: Path) -> tuple[Result, dict[str, Any]]:
    since = f"{datetime.now(UTC) - timedelta(days=1):%Y-%m-%d}"
    result = run(env, "model", "drift", "--since", since, "--model", str(model), "--training-data", str(data),
                 "--json", str(out))
    assert result.exit_code == 0, result.output
    return result, json.loads(out.read_text())


def test_the_training_file_gives_the_stored_score_bands(
    env: dict[str, str], tmp_path: Path, trained: tuple[Path, Path, dict[str, Any]]
) -> None:
    data, model, document = trained
    metadata = document["metadata"]
    result, drift = _drift(env, model, data, tmp_path / "drift.json")
    fitted = metadata["rows"] - int(holdout_rows(metadata["rows"], SEED).sum())
    # the very counts train stored: the same rows scored the same way (the whole file had ~25 % more)
    assert drift["score_psi"]["training"] == metadata["score_bands"]["counts"]
    assert sum(drift["score_psi"]["training"]) == fitted < metadata["rows"]
    assert drift["training_rows"] == {"file": "train.csv", "rows": fitted, "split": "training rows",
                                      "holdout_left_out": metadata["rows"] - fitted}
    assert f"the {fitted} rows of train.csv {document['version']} was fit on" in result.output
    assert f"drawn again with seed {SEED}" in result.output


def test_another_file_is_scored_whole_and_says_so(
    env: dict[str, str], tmp_path: Path, trained: tuple[Path, Path, dict[str, Any]]
) -> None:
    """A file that is not the training file (here its rows reordered) cannot have the split drawn again:
    every rated row is scored, and the output and the JSON say that the holdout is in."""
    data, model, document = trained
    shuffled = tmp_path / "shuffled.csv"
    write_frame(read_frame(data).sample(frac=1.0, random_state=3).reset_index(drop=True), shuffled)
    result, drift = _drift(env, model, shuffled, tmp_path / "drift.json")
    rows = document["metadata"]["rows"]
    assert sum(drift["score_psi"]["training"]) == rows
    assert drift["training_rows"] == {"file": "shuffled.csv", "rows": rows, "split": "all rated rows"}
    assert f"all {rows} rated rows of shuffled.csv, holdout included" in result.output


def test_the_split_is_drawn_only_where_it_can_be() -> None:
    """``fitted_rows`` needs the artifact's rows digest, its row count and its seed; without one of them
    the holdout cannot be told apart and it answers None rather than guess."""
    metadata = {"data_sha256": "a" * 64, "rows": 1000, "seed": 5}
    fitted = fitted_rows(metadata, 1000, "a" * 64)
    assert fitted is not None and np.array_equal(fitted, ~holdout_rows(1000, 5))
    assert 0.15 < 1 - fitted.mean() < 0.25 and HOLDOUT_SHARE == 0.2
    assert fitted_rows(metadata, 1000, "b" * 64) is None  # another file
    assert fitted_rows(metadata, 999, "a" * 64) is None  # another standard refused other rows
    assert fitted_rows({**metadata, "seed": None}, 1000, "a" * 64) is None
    assert fitted_rows({"data_sha256": "a" * 64, "rows": 1000}, 1000, "a" * 64) is None
    assert fitted_rows({**metadata, "seed": True}, 1000, "a" * 64) is None
