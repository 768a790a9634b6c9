"""Training benchmark (issue 4): train on 50k, 100k and 200k synthetic rows in one run.

Targets: 200,000 rows in under 60 seconds on the 2-core reference machine, and time growing no faster than
linearly with rows. Linearity is the ratio of the per-row time at 200k to the per-row time at 50k: 1.0 is
exactly linear, above 1 means superlinear growth; the target is <= 1.2 (room for run-to-run noise). It is
computed from CPU time (this process and its worker processes), which other load on a shared machine
barely changes; the wall-clock ratio is reported next to it.
The timed step is what ``greenrate model train`` does after reading the file: derive indicators (all
cores), fit the scorecard, build and verify the artifact. Generating the synthetic data is not timed.

Run: ``python -m benchmarks.training`` (writes ``benchmarks/out/training.json``).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import parse_no_options
from rating_model.artifact import ScorecardArtifact
from rating_model.synthetic import generate_frame
from rating_model.train import train
from service.batch.workers import default_workers, training_workers

OUT = Path(__file__).parent / "out"
SIZES = (50_000, 100_000, 200_000)
SEED = 20261125
TARGET_SECONDS_200K = 60.0
TARGET_LINEARITY = 1.2


def time_training(rows: int, seed: int = SEED) -> dict[str, Any]:
    """Wall time of one training run on ``rows`` synthetic rows (data generated beforehand)."""
    frame = generate_frame(rows, seed)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    with training_workers(rows) as parallel:  # as greenrate model train starts them (all cores)
        result = train(frame, seed=seed, source={"synthetic": True, "rows": rows, "seed": seed},
                       parallel=parallel)
    artifact = ScorecardArtifact.from_dict(result.artifact)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before  # the worker pool has exited: its children's time is counted
    return {"rows": rows, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "us_per_row": round(seconds / rows * 1e6, 2), "cpu_us_per_row": round(cpu / rows * 1e6, 2),
            "version": artifact.version, "auc_holdout": round(result.metrics["auc"], 4)}


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run() -> dict[str, Any]:
    runs = [time_training(n) for n in SIZES]
    by_rows = {r["rows"]: r for r in runs}
    linearity = by_rows[200_000]["cpu_us_per_row"] / by_rows[50_000]["cpu_us_per_row"]
    wall_linearity = by_rows[200_000]["us_per_row"] / by_rows[50_000]["us_per_row"]
    return {
        "train_50k_seconds": by_rows[50_000]["seconds"],
        "train_100k_seconds": by_rows[100_000]["seconds"],
        "train_200k_seconds": by_rows[200_000]["seconds"],
        "train_50k_cpu_seconds": by_rows[50_000]["cpu_seconds"],
        "train_100k_cpu_seconds": by_rows[100_000]["cpu_seconds"],
        "train_200k_cpu_seconds": by_rows[200_000]["cpu_seconds"],
        "train_linearity_ratio": round(linearity, 3),
        "train_linearity_ratio_wall": round(wall_linearity, 3),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "train_200k_target_seconds": TARGET_SECONDS_200K,
        "train_linearity_target": TARGET_LINEARITY,
        "train_200k_ok": by_rows[200_000]["seconds"] < TARGET_SECONDS_200K,
        "train_linear_ok": linearity <= TARGET_LINEARITY,
        "workers": default_workers(),
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
    }


def main() -> None:
    parse_no_options(__doc__)
    OUT.mkdir(exist_ok=True)
    results = run()
    (OUT / "training.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k not in ("runs", "machine")}, indent=2))


if __name__ == "__main__":
    main()
