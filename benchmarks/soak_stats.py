"""The soak's arithmetic, apart from any process or socket: windows, percentiles, memory growth, targets.

A window holds the requests *due* in it (the constant-rate schedule of :mod:`benchmarks.loadgen`), so a
request that stalls is counted where it was meant to leave, and its latency says how late it came back.
Memory growth compares each worker's VmRSS at the end of the first window after the warm-up with its
VmRSS at the end of the last window: the warm-up is where bounded structures (the in-process cache, the
engine's caches) fill by design; growth after it is what a leak looks like.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.loadgen import Sample

FULL_SOAK_SECONDS = 600.0  # the targets are defined over 10 minutes; a shorter run is reported, not judged
MAX_GROWTH = 0.10  # memory growth under 10%
COMMAND = "python -m benchmarks.soak"


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted values (no interpolation: a value that was measured)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000


def latency_summary(samples: Sequence[Sample]) -> dict[str, Any]:
    """Requests, errors (non-2xx and no response, by kind) and latency percentiles of some samples.

    Percentiles are over the requests that got an HTTP response; those that got none are errors whose
    latency would be the client's timeout, not the server's.
    """
    answered = sorted(s.latency for s in samples if s.status)
    statuses = Counter(str(s.status) for s in samples if s.status)
    kinds = Counter(s.error for s in samples if s.error)
    non_2xx = sum(n for code, n in statuses.items() if not code.startswith("2"))
    lags = sorted(s.lag for s in samples)
    return {
        "requests": len(samples),
        "ok": len(samples) - non_2xx - sum(kinds.values()),
        "errors": non_2xx + sum(kinds.values()),
        "statuses": dict(sorted(statuses.items())),
        "socket_errors": dict(sorted(kinds.items())),
        "p50_ms": _ms(percentile(answered, 50)),
        "p90_ms": _ms(percentile(answered, 90)),
        "p99_ms": _ms(percentile(answered, 99)),
        "max_ms": _ms(answered[-1] if answered else None),
        "client_lag_p99_ms": _ms(percentile(lags, 99)),
    }


def windows(samples: Sequence[Sample], seconds: float, width: float,
            rss_mb: Sequence[Mapping[str, float]]) -> list[dict[str, Any]]:
    """One summary per window of ``width`` seconds (by due time), with the workers' VmRSS at its end."""
    count = max(1, int(seconds / width + 1e-9))
    buckets: list[list[Sample]] = [[] for _ in range(count)]
    for s in samples:
        buckets[min(count - 1, int(s.due / width))].append(s)
    return [{"index": i, "start_s": i * width, "end_s": (i + 1) * width, **latency_summary(bucket),
             "rss_mb": dict(rss_mb[i]) if i < len(rss_mb) else {}}
            for i, bucket in enumerate(buckets)]


def cache_fill_seconds(rate: float, workers: int, response_bytes: float, max_entries: int,
                       max_bytes: int) -> float:
    """Seconds of new companies at ``rate`` until every worker's in-process cache reaches its bound.

    Each miss is cached by the worker that served it, so a worker fills at ``rate / workers``; the bound
    is whichever comes first of ``GREENRATE_CACHE_MAX_ENTRIES`` and ``GREENRATE_CACHE_MAX_BYTES``.
    """
    entries = min(max_entries, max_bytes / response_bytes)
    return entries / (rate / workers)


def auto_warmup(fill_seconds: float, seconds: float, width: float) -> float:
    """The warm-up: the cache's fill time rounded up to whole windows, at least one window and at most
    half the run (rounded down to whole windows), so at least two windows remain to compare."""
    most = max(width, math.floor(seconds / 2 / width) * width)
    return min(most, max(width, math.ceil(fill_seconds / width - 1e-9) * width))


def memory_growth(rows: Sequence[Mapping[str, Any]], warmup: float) -> dict[str, Any]:
    """Per worker: VmRSS at the end of the first window starting at or after ``warmup`` and of the last.

    ``growth_pct`` is None when fewer than two windows follow the warm-up (nothing to compare), and a
    worker seen in only one of the two (replaced in between) is listed under ``replaced``.
    """
    after = [r for r in rows if r["start_s"] >= warmup - 1e-9]
    if len(after) < 2:
        return {"warmup_s": warmup, "first_window": None, "last_window": None, "workers": {},
                "replaced": [], "max_growth_pct": None}
    first, last = after[0], after[-1]
    workers = {
        pid: {"first_mb": first["rss_mb"][pid], "last_mb": last["rss_mb"][pid],
              "growth_pct": (last["rss_mb"][pid] / first["rss_mb"][pid] - 1) * 100}
        for pid in sorted(set(first["rss_mb"]) & set(last["rss_mb"]))
    }
    growths = [w["growth_pct"] for w in workers.values()]
    return {"warmup_s": warmup, "first_window": first["index"], "last_window": last["index"],
            "workers": workers, "replaced": sorted(set(first["rss_mb"]) ^ set(last["rss_mb"])),
            "max_growth_pct": max(growths) if growths else None}


def targets(totals: Mapping[str, Any], memory: Mapping[str, Any], seconds: float, rate: float,
            share: float) -> list[dict[str, Any]]:
    """The two soak targets in the report's ``targets`` layout; judged only for a full 10-minute run."""
    full = seconds >= FULL_SOAK_SECONDS - 1e-9
    label = f"{seconds / 60:g} min at {share:.0%} of the maximum miss throughput ({rate:.1f} req/s)"
    rows: list[dict[str, Any]] = [{
        "id": "soak.errors", "target": f"errors (non-2xx, socket errors, timeouts), {label}",
        "measured": totals["errors"], "baseline": totals["requests"], "unit": "requests",
        "ratio": totals["errors"] / totals["requests"] if totals["requests"] else None,
        "ratio_definition": "errors / requests sent", "primary": True, "command": COMMAND,
        "threshold": {"on": "measured", "op": "<=", "value": 0} if full else None,
    }]
    workers = memory["workers"]
    if workers:
        pid = max(workers, key=lambda p: workers[p]["growth_pct"])
        worst = workers[pid]
        rows.append({
            "id": "soak.memory_growth",
            "target": f"largest worker memory growth (VmRSS, worker {pid}), window {memory['first_window']} "
                      f"to window {memory['last_window']} after {memory['warmup_s']:g} s of warm-up, {label}",
            "measured": worst["last_mb"], "baseline": worst["first_mb"], "unit": "MB",
            "ratio": worst["last_mb"] / worst["first_mb"],
            "ratio_definition": "measured / baseline (the same worker's VmRSS at the end of the first "
                                "window after the warm-up)",
            "primary": True, "command": COMMAND,
            "threshold": {"on": "ratio", "op": "<", "value": 1 + MAX_GROWTH} if full else None,
        })
    return rows
