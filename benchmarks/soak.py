"""Soak (issue 7, not in CI): minutes of ``POST /v1/ratings`` at 70% of the measured maximum throughput.

The service runs as ``make run`` would serve it: gunicorn with ``gunicorn.conf.py`` and the embedded
defaults (SQLite in a temporary directory, in-process cache), with the benchmark's settings of
:mod:`benchmarks.service` (rate limit out of the way, worker recycling off so the same workers are watched
all along). First wrk measures the maximum throughput with a new company in every request (cache miss),
exactly as the service benchmark's miss run; then :mod:`benchmarks.loadgen` sends new companies at 70% of
that rate on a fixed schedule for ``--minutes``. Every ``--window`` seconds it prints and records the
requests due in the window, errors, p50/p90/p99 latency and every worker's VmRSS; at the end the total
errors, the percentiles over time and each worker's memory growth after the warm-up.

Targets: zero errors, and no worker's memory growing by 10% or more, over a 10-minute run (a shorter run
is reported, not judged). Run: ``python -m benchmarks.soak`` or ``make soak`` (which then merges
``benchmarks/out/soak.json`` into results.md with :mod:`benchmarks.report`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import loadgen, soak_stats
from benchmarks.harness import (
    HOST,
    BenchmarkError,
    Server,
    clean_environment,
    memory_kb,
    prepare_database,
    run_wrk,
)
from benchmarks.service import MISS_OFFSET, OUT, SERVER_OVERRIDES, SERVICE_CONF, WARMUP_OFFSET
from service.config import load_server_settings, load_settings

SOAK_OFFSET = 10_000_000  # company numbers of the soak: none was rated in the throughput runs


@dataclass(frozen=True, slots=True)
class Plan:
    seconds: float = 600.0
    window: float = 30.0
    warmup: float | None = None  # None: until the in-process caches are full (estimated), see soak_stats
    share: float = 0.70
    rate: float | None = None  # None: share x the measured maximum
    max_duration: float = 10.0
    max_warmup: float = 3.0
    connections: int = 16
    timeout: float = 10.0


def _rss_mb(server: Server) -> dict[str, float]:
    """Every worker's VmRSS now, in MB (a worker that vanished between listing and reading is skipped)."""
    found: dict[str, float] = {}
    for pid in server.worker_pids():
        try:
            found[str(pid)] = memory_kb(pid)["VmRSS"] / 1024
        except (OSError, KeyError):
            continue
    return found


def window_line(row: dict[str, Any]) -> str:
    """One progress line per window: what the soak prints while it runs."""
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    rss = " ".join(f"{mb:.1f}" for mb in row["rss_mb"].values())
    return (f"  [{row['start_s']:5.0f}-{row['end_s']:5.0f} s] {row['requests']:6d} req  "
            f"{row['errors']:3d} err  p50 {ms(row['p50_ms'])}  p90 {ms(row['p90_ms'])}  "
            f"p99 {ms(row['p99_ms'])} ms  lag p99 {ms(row['client_lag_p99_ms'])} ms  RSS MB {rss}")


def in_flight_limit(rate: float, timeout: float) -> int:
    """Enough sockets for every request of a whole timeout to be outstanding, so a request fails because
    the server did not answer in time, not because the client chose to stop opening connections; the
    soft limit of open files is raised to the hard one for it."""
    wanted = math.ceil(rate * timeout) + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted + 64:
        soft = hard if hard == resource.RLIM_INFINITY else min(hard, wanted + 64)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return wanted if soft == resource.RLIM_INFINITY else min(wanted, soft - 64)


Readings = tuple[list[loadgen.Sample], list[dict[str, float]], list[float], dict[str, Any]]


def _soak(server: Server, key: str, rate: float, plan: Plan) -> Readings:
    """Drive the constant rate; read the workers' memory at the end of every window.

    Returns the samples, the memory readings, the machine's load average at the end of each window and
    what the client itself cost (its CPU time: on a 2-core machine the load generator competes with the
    workers, and the reader should see how much).
    """
    rss: list[dict[str, float]] = []
    loads: list[float] = []  # the 1-minute load average: other work on the machine shows here

    def on_tick(index: int, elapsed: float, done: Sequence[loadgen.Sample]) -> None:
        rss.append(_rss_mb(server))
        loads.append(float(Path("/proc/loadavg").read_text().split()[0]))
        start = index * plan.window
        due = [s for s in done if start <= s.due < start + plan.window]
        row = {"start_s": start, "end_s": start + plan.window, **soak_stats.latency_summary(due),
               "rss_mb": rss[-1]}
        print(window_line(row) + f"  load {loads[-1]:.2f}  (answered so far)", flush=True)

    def request(k: int) -> bytes:
        return loadgen.post_request(HOST, server.port, "/v1/ratings", loadgen.body(SOAK_OFFSET + k), key)

    limit = in_flight_limit(rate, plan.timeout)
    before, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    samples = asyncio.run(loadgen.constant_rate(
        HOST, server.port, request, rate, plan.seconds, timeout=plan.timeout, max_in_flight=limit,
        tick=plan.window, on_tick=on_tick))
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - wall
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return samples, rss, loads, {"max_in_flight": limit, "cpu_s": cpu, "wall_s": wall,
                                 "cpu_share": cpu / wall}


def _drive(server: Server, key: str, plan: Plan, cache_env: dict[str, str]) -> dict[str, Any]:
    """The throughput run (wrk), the rate and warm-up it implies, then the soak itself."""
    run_wrk(server.url, "distinct", WARMUP_OFFSET, 32, plan.max_warmup, plan.connections, key)
    peak = run_wrk(server.url, "distinct", MISS_OFFSET, 32, plan.max_duration, plan.connections, key)
    if peak["ok"] == 0:
        raise BenchmarkError(f"the throughput run got no successful response: {peak['statuses']}")
    rate = plan.rate or plan.share * peak["ok_per_s"]
    cache = load_settings(environ=cache_env)
    fill = soak_stats.cache_fill_seconds(rate, server.workers, peak["mean_response_bytes"],
                                         cache.cache_max_entries, cache.cache_max_bytes)
    warmup = plan.warmup if plan.warmup is not None else soak_stats.auto_warmup(fill, plan.seconds,
                                                                                 plan.window)
    print(f"maximum (miss) {peak['ok_per_s']:.1f} req/s; soaking at {rate:.1f} req/s for {plan.seconds:g} s, "
          f"{server.workers} workers; caches full after ~{fill:.0f} s, memory growth measured after "
          f"{warmup:g} s", flush=True)
    started = server.worker_pids()
    samples, rss, loads, client = _soak(server, key, rate, plan)
    return {"peak": peak, "rate": rate, "fill": fill, "warmup": warmup, "samples": samples, "rss": rss,
            "loads": loads, "client": client, "replaced": sorted(set(started) ^ set(server.worker_pids()))}


def _notes(plan: Plan, run: dict[str, Any], rows: list[dict[str, Any]], memory: dict[str, Any]) -> list[str]:
    notes = []
    if plan.seconds < soak_stats.FULL_SOAK_SECONDS:
        notes.append(f"A {plan.seconds:g}-second run: reported, not judged (the targets are defined over "
                     f"{soak_stats.FULL_SOAK_SECONDS / 60:g} minutes).")
    if run["replaced"]:
        notes.append(f"Workers were replaced during the run ({run['replaced']}); growth compares only the "
                     "workers present in both windows.")
    if run["fill"] > run["warmup"]:
        notes.append(f"The in-process caches were estimated full only after {run['fill']:.0f} s, later than "
                     f"the {run['warmup']:g}-second warm-up: the memory growth includes their filling "
                     "(bounded by GREENRATE_CACHE_MAX_BYTES per worker).")
    if memory["max_growth_pct"] is None:
        notes.append("Fewer than two windows after the warm-up: no memory growth to compare.")
    worst_lag = max((r["client_lag_p99_ms"] or 0.0 for r in rows), default=0.0)
    if worst_lag > 50:
        notes.append(f"The load generator fell behind its schedule (lag p99 up to {worst_lag:.0f} ms in a "
                     "window): latencies include that client delay.")
    return notes


def run(plan: Plan) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise BenchmarkError("wrk is not installed (apt-get install -y wrk; `make soak` does it)")
    base_env = clean_environment(SERVER_OVERRIDES)
    settings = load_server_settings(base_env)
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory(prefix="greenrate-soak-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**base_env, "GREENRATE_DATABASE_URL": f"sqlite:///{tmp / 'soak.sqlite3'}"}
        server = Server("embedded", SERVICE_CONF, env, settings.workers, tmp / "embedded.log")
        try:
            key = prepare_database(env)
            server.start()
            server.wait_ready("GET /readyz")
            done = _drive(server, key, plan, env)
        finally:
            server.stop()
    rows = soak_stats.windows(done["samples"], plan.seconds, plan.window, done["rss"])
    for row, load in zip(rows, done["loads"], strict=False):
        row["load_1m"] = load
    print(f"every window, all requests answered (the client used {done['client']['cpu_share']:.0%} "
          "of a core):")
    for row in rows:
        print(window_line(row))
    totals = soak_stats.latency_summary(done["samples"])
    memory = {**soak_stats.memory_growth(rows, done["warmup"]), "cache_fill_s": done["fill"]}
    peak, rate = done["peak"], done["rate"]
    return {
        "benchmark": "soak",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan": asdict(plan),
        "server": {**asdict(settings), "worker_class": "gthread" if settings.threads > 1 else "sync",
                   "overrides": SERVER_OVERRIDES, "database": "SQLite (temporary)", "cache": "in-process"},
        "load_average": {"start": load_start, "end": Path("/proc/loadavg").read_text().split()[:3]},
        "max_throughput": {k: peak[k] for k in ("ok_per_s", "p50_ms", "p99_ms", "statuses", "errors",
                                                "mean_response_bytes", "command")},
        "rate": rate,
        "client": done["client"],
        "windows": rows,
        "totals": totals,
        "memory": memory,
        "workers_replaced": done["replaced"],
        "targets": soak_stats.targets(totals, memory, plan.seconds, rate, rate / peak["ok_per_s"]),
        "notes": _notes(plan, done, rows, memory),
    }


def main(argv: list[str] | None = None) -> None:
    default = Plan()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=default.seconds / 60, help="soak duration")
    parser.add_argument("--seconds", type=float, help="soak duration in seconds (overrides --minutes)")
    parser.add_argument("--window", type=float, default=default.window, help="seconds per reported window")
    parser.add_argument("--warmup", type=float, help="seconds before the window memory growth is measured "
                        "from (default: until the in-process caches are estimated full, at most half the "
                        "run)")
    parser.add_argument("--share", type=float, default=default.share,
                        help="fraction of the measured maximum throughput to hold")
    parser.add_argument("--rate", type=float, help="requests per second to hold instead (still measures the "
                        "maximum, to report the share)")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    windows = seconds / args.window
    if windows < 1 or abs(windows - round(windows)) > 1e-9:
        parser.error("the soak must last a whole number of windows (at least one)")
    if not 0 < args.share <= 1 or (args.rate is not None and args.rate <= 0):
        parser.error("--share must be in (0, 1] and --rate above 0")
    plan = Plan(seconds=seconds, window=args.window, warmup=args.warmup, share=args.share, rate=args.rate)
    started = time.monotonic()
    try:
        results = run(plan)
    except BenchmarkError as exc:
        sys.exit(f"soak failed: {exc}")
    OUT.mkdir(exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(results, indent=2) + "\n")
    others = sorted(p.name for p in OUT.glob("*.json") if p.name != "soak.json")
    growth = results["memory"]["max_growth_pct"]
    print(f"wrote {OUT / 'soak.json'} in {time.monotonic() - started:.0f} s; {results['totals']['requests']} "
          f"requests, {results['totals']['errors']} errors, largest worker memory growth after the warm-up "
          + ("-" if growth is None else f"{growth:.1f}%"))
    if not others:
        print("note: benchmarks/out holds no other results; `python -m benchmarks.report` would write a "
              "results.md with the soak alone (run `make bench` first to keep every target)")


if __name__ == "__main__":
    main()
