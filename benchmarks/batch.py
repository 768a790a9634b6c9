"""Loan-book batch benchmark (issue 6): 100k, 300k and 1M borrowers, Parquet to Parquet, in one run.

Targets: 1,000,000 borrowers in under 60 seconds on the 2-core reference machine, peak memory of the whole
batch (the command and its worker processes together) under 2 GB, and time growing linearly with rows
(per-row time at 1M over per-row time at 100k, <= 1.2).

What is timed is the command a bank runs, ``greenrate batch rate BOOK OUT --model <packaged default>``, as
a subprocess from start to exit (interpreter and worker start-up included). Memory is the sum of the
resident sizes of the command's process tree, sampled every 50 ms from ``/proc``. The baseline in the same
run is the floor any batch pays: streaming the same book from Parquet to Parquet through the same reader
and writer without rating it. The books are SYNTHETIC (:mod:`rating_model.loan_book`) and generated
before timing.

Run: ``python -m benchmarks.batch`` (``make bench`` runs it; writes ``benchmarks/out/batch.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rating_model.engine import DEFAULT_MODEL
from service.batch.files import read_chunks
from service.batch.workers import default_workers
from service.batch.writer import ResultWriter, write_loan_book

OUT = Path(__file__).parent / "out"
SIZES = (100_000, 300_000, 1_000_000)
SEED = 20261125
TARGET_SECONDS_1M = 60.0
TARGET_PEAK_MB = 2048.0
TARGET_LINEARITY = 1.2
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _tree_rss_kb(root: int) -> int:
    """Resident KB of ``root`` and all its descendants (children listed by /proc/<pid>/task/*/children)."""
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * _PAGE_KB
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_batch(book: Path, target: Path, workers: int) -> dict[str, Any]:
    """Run ``greenrate batch rate`` on ``book``; wall seconds and the peak RSS of its process tree."""
    command = [sys.executable, "-c", "from service.cli import main; main()", "batch", "rate", str(book),
               str(target), "--model", str(DEFAULT_MODEL), "--workers", str(workers)]
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"batch failed ({process.returncode}): {output}")
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak / 1024, 1), "output": output.strip()}


def copy_book(book: Path, target: Path) -> float:
    """The I/O floor: the same streamed read and ordered write, with no rating in between."""
    started = time.perf_counter()
    with ResultWriter(target) as writer:
        for chunk in read_chunks(book):
            writer.write(chunk)
    return time.perf_counter() - started


def run(sizes: tuple[int, ...] = SIZES, workers: int | None = None) -> dict[str, Any]:
    n_workers = workers or default_workers()
    runs = []
    with tempfile.TemporaryDirectory(prefix="greenrate-batch-bench-") as tmp:
        for rows in sizes:
            book = Path(tmp) / f"book-{rows}.parquet"
            write_loan_book(book, rows, SEED)
            copy_seconds = copy_book(book, Path(tmp) / "copy.parquet")
            result = run_batch(book, Path(tmp) / f"rated-{rows}.parquet", n_workers)
            runs.append({"rows": rows, **result, "copy_seconds": round(copy_seconds, 3),
                         "us_per_row": round(result["seconds"] / rows * 1e6, 2)})
            for path in Path(tmp).glob("*.parquet"):
                path.unlink()
    return summarise(runs, n_workers)


def summarise(runs: list[dict[str, Any]], workers: int) -> dict[str, Any]:
    """The ``targets`` rows of :mod:`benchmarks.report` from the runs (largest and smallest book)."""
    big, small = max(runs, key=lambda r: r["rows"]), min(runs, key=lambda r: r["rows"])
    command = "python -m benchmarks.batch"
    label = f"{big['rows']:,} borrowers"
    linearity = big["us_per_row"] / small["us_per_row"]
    return {
        "targets": [
            {"id": "batch.1m_seconds", "target": f"greenrate batch rate, {label}, Parquet to Parquet",
             "measured": big["seconds"], "baseline": big["copy_seconds"], "unit": "s",
             "ratio": big["seconds"] / big["copy_seconds"],
             "ratio_definition": "measured / baseline (the same book streamed Parquet to Parquet unrated)",
             "threshold": {"on": "measured", "op": "<", "value": TARGET_SECONDS_1M}, "primary": True,
             "command": command},
            {"id": "batch.peak_memory",
             "target": f"peak resident memory of the batch (all processes), {label}",
             "measured": big["peak_rss_mb"], "baseline": small["peak_rss_mb"], "unit": "MB",
             "ratio": big["peak_rss_mb"] / small["peak_rss_mb"],
             "ratio_definition": f"measured / baseline (the same at {small['rows']:,} rows)",
             "threshold": {"on": "measured", "op": "<", "value": TARGET_PEAK_MB}, "primary": True,
             "command": command},
            {"id": "batch.linearity",
             "target": f"batch time per row at {big['rows']:,} vs {small['rows']:,} rows",
             "measured": big["us_per_row"], "baseline": small["us_per_row"], "unit": "µs/row",
             "ratio": linearity, "ratio_definition": "measured / baseline (per-row time; 1 is linear)",
             "threshold": {"on": "ratio", "op": "<=", "value": TARGET_LINEARITY}, "primary": True,
             "command": command},
        ],
        "workers": workers,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                        help="comma-separated book sizes (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=None, help="rating processes (default: one per core)")
    args = parser.parse_args()
    results = run(tuple(int(s) for s in args.sizes.split(",")), args.workers)
    OUT.mkdir(exist_ok=True)
    (OUT / "batch.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results["targets"], indent=2))
    for r in results["runs"]:
        print(f"{r['rows']:>9,} rows: {r['seconds']:7.1f} s  {r['us_per_row']:6.1f} µs/row  "
              f"peak {r['peak_rss_mb']:7.1f} MB  (I/O floor {r['copy_seconds']:.1f} s)")


if __name__ == "__main__":
    main()
