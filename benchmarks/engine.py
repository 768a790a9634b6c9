"""Engine benchmarks (issue 2), each a ratio against a baseline measured in the same run.

1. Rating one business in-process (estimation + inventory + score + explanations + summaries) against
   ``predict_proba`` on one row of the equivalent scikit-learn pipeline (ColumnTransformer +
   LogisticRegression on a DataFrame) — the deployment a team would otherwise ship. Target: >= 50x.
2. Scoring 1,000,000 rows in bulk with the JSON artifact (NumPy) against that pipeline's bulk
   ``predict_proba`` on the same rows. Target: faster (ratio > 1).
3. Resident memory added by importing the engine and loading the model, measured in a fresh interpreter
   (baseline: the same interpreter before the import). Target: < 100 MB.

Run: ``python -m benchmarks.engine`` (``make bench`` runs it and merges the JSON into results.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from rating_model.engine import Engine
from rating_model.flat import payloads_from_frame
from rating_model.synthetic import generate_frame
from rating_model.indicator_batch import frame_indicators

OUT = Path(__file__).parent / "out"
BULK_ROWS = 1_000_000


def _best_per_call(fn: Any, calls: int, repeats: int = 5) -> float:
    """Best mean seconds per call over a few repeats: the least disturbed measurement on a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def _baseline_pipeline(X: pd.DataFrame, y: np.ndarray) -> Pipeline:
    numeric = list(X.columns)
    pipe = Pipeline([
        ("columns", ColumnTransformer([("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]),
                                        numeric)])),
        ("model", LogisticRegression(max_iter=1000)),
    ])
    return pipe.fit(X, y)


def _rss_mb(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip())


# VmHWM of the child itself: ru_maxrss of a fork+exec'd child keeps the parent's peak on Linux.
_RSS = ("import re;print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))/1024)")


def run() -> dict[str, Any]:
    engine = Engine.load()
    frame = generate_frame(5_000, 7)
    payloads = list(payloads_from_frame(frame.drop(columns=["label", "latent_greenness"])))
    X, _ = frame_indicators(frame, engine.standard, workers=1)
    y = frame["label"].to_numpy()
    pipe = _baseline_pipeline(X, y)

    data = [engine.parse(p) for p in payloads[:200]]
    rows = [X.iloc[[i]] for i in range(200)]
    counter = iter(range(10**9))
    ours = _best_per_call(lambda: engine.rate(data[next(counter) % 200]), 400)
    theirs = _best_per_call(lambda: pipe.predict_proba(rows[next(counter) % 200]), 100)

    rng = np.random.default_rng(1)
    big = X.iloc[rng.integers(0, len(X), BULK_ROWS)].reset_index(drop=True)
    columns = {name: big[name].to_numpy() for name in big.columns}
    # Like for like: probabilities of every row, as predict_proba returns.
    start = time.perf_counter()
    scores = engine.artifact.scores(columns)
    engine.artifact.probabilities(scores)
    bulk_ours = time.perf_counter() - start
    assert np.array_equal(scores, engine.artifact.score_columns(columns)[0])
    start = time.perf_counter()
    pipe.predict_proba(big)
    bulk_theirs = time.perf_counter() - start

    base_rss = _rss_mb(_RSS)
    engine_rss = _rss_mb("from rating_model.engine import Engine; Engine.load().rate(Engine.load().parse("
                         + repr(payloads[0]) + "));" + _RSS)
    return {
        "rate_one_us": ours * 1e6,
        "pipeline_one_row_us": theirs * 1e6,
        "rate_one_ratio": theirs / ours,
        "bulk_rows": BULK_ROWS,
        "bulk_artifact_s": bulk_ours,
        "bulk_pipeline_s": bulk_theirs,
        "bulk_ratio": bulk_theirs / bulk_ours,
        "engine_rss_mb": engine_rss - base_rss,
        "interpreter_rss_mb": base_rss,
        "scores_checked": int(np.isfinite(scores).sum()),
    }


def main() -> None:
    results = run()
    OUT.mkdir(exist_ok=True)
    (OUT / "engine.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
