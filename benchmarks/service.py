"""HTTP service benchmarks (issue 3), each a ratio against a bare Flask echo measured in the same run.

The baseline (:mod:`benchmarks.echo_app`) parses and echoes the same JSON bodies on the same path, served by
the same gunicorn settings (``benchmarks/gunicorn_echo.conf.py`` runs ``gunicorn.conf.py`` itself) with the
same worker count on the same machine. wrk drives both with one thread and 16 connections:

1. ``POST /v1/ratings`` with a new company in every request (cache miss): throughput >= 40% of the echo's,
   p99 latency < 20 ms; with a small pool of already-rated bodies (cache hit): >= 70%.
2. Resident memory (VmRSS) of every worker after 100,000 ``POST /v1/ratings`` served in total: < 200 MB.
   Worker recycling is disabled (``GREENRATE_MAX_REQUESTS=0``, for both apps in every phase), and the
   benchmark checks that the workers measured at the end are the ones that started.

Embedded defaults (SQLite + in-process cache) are the primary target; Redis + PostgreSQL on 127.0.0.1 are
measured too when reachable. The echo is measured first and last; its mean is the baseline of every ratio.
Rate limits are raised so they never throttle. Everything else keeps its default, access log included.

Run: ``python -m benchmarks.service`` (``make bench`` runs it and merges the JSON into results.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import live_backends
from benchmarks.harness import (
    ROOT,
    BenchmarkError,
    Server,
    clean_environment,
    prepare_database,
    run_wrk,
    served_ratings,
)
from service.config import load_server_settings, load_settings

OUT = Path(__file__).parent / "out"
SERVICE_CONF = ROOT / "gunicorn.conf.py"
ECHO_CONF = Path(__file__).parent / "gunicorn_echo.conf.py"
# Company numbers (see ratings.lua): disjoint ranges, so no measured "distinct" body was seen in warm-up.
WARMUP_OFFSET, MISS_OFFSET, HIT_OFFSET = 1_000_000, 2_000_000, 3_000_000
MEMORY_TARGET_REQUESTS = 100_000  # the memory target is defined after this many; fewer: reported, not judged
SERVER_OVERRIDES = {
    "GREENRATE_RATE_LIMIT": "1000000 per second",  # the benchmark's one key must never be throttled
    "GREENRATE_MAX_REQUESTS": "0",  # gunicorn: 0 disables recycling, so the same workers are measured
    "GREENRATE_MAX_REQUESTS_JITTER": "0",
}


@dataclass(frozen=True, slots=True)
class Plan:
    duration: float = 10.0
    warmup: float = 3.0
    connections: int = 16
    pool: int = 32
    memory_requests: int = MEMORY_TARGET_REQUESTS
    live: bool = True


def _measure(server: Server, mode: str, key: str, plan: Plan) -> dict[str, Any]:
    """A warm-up run, then the measured run (distinct: new companies; repeated: the warmed-up pool)."""
    warm_offset = WARMUP_OFFSET if mode == "distinct" else HIT_OFFSET
    offset = MISS_OFFSET if mode == "distinct" else HIT_OFFSET
    warm = run_wrk(server.url, mode, warm_offset, plan.pool, plan.warmup, plan.connections, key)
    run = run_wrk(server.url, mode, offset, plan.pool, plan.duration, plan.connections, key)
    print(f"  {server.name:<9} {mode:<9} {run['ok_per_s']:8.1f} req/s  p50 {run['p50_ms']:6.1f} ms  "
          f"p99 {run['p99_ms']:6.1f} ms  statuses {run['statuses']}  hit/miss "
          f"{run['cache_hits']}/{run['cache_misses']}", flush=True)
    return {"warmup": warm, "run": run}


def _fill(server: Server, key: str, plan: Plan, pool: int, rate: float) -> dict[str, Any]:
    """Serve ``POST /v1/ratings`` until the service has answered ``plan.memory_requests`` in total.

    The filler cycles every body rated in the miss phase, so each worker ends up caching all of them
    (the largest cache this run can build); served requests are counted by the service's own counter.
    """
    served = served_ratings(server.get("/metrics"))
    chunks: list[dict[str, Any]] = []
    while served < plan.memory_requests:
        seconds = min(600.0, max(2.0, (plan.memory_requests - served) / max(rate, 1.0) * 1.02 + 1))
        run = run_wrk(server.url, "repeated", MISS_OFFSET, pool, seconds, plan.connections, key)
        chunks.append({k: run[k] for k in ("requests", "ok", "ok_per_s", "statuses", "cache_hits",
                                           "cache_misses", "command")})
        if run["ok"] == 0:
            raise BenchmarkError(f"the memory fill got no successful response: {run['statuses']}")
        rate = run["ok_per_s"]
        served = served_ratings(server.get("/metrics"))
    return {"served": served, "pool": pool, "chunks": chunks}


def _phase_notes(phases: dict[str, dict[str, Any]]) -> list[str]:
    notes = []
    for name, phase in phases.items():
        run = phase["run"]
        bad = {c: n for c, n in run["statuses"].items() if not c.startswith("2")}
        errors = {k: v for k, v in run["errors"].items() if v and k != "status"}
        if bad or errors:
            notes.append(f"{name}: non-2xx responses {bad or '-'}, socket errors {errors or '-'} "
                         "(only 2xx responses count towards throughput).")
        if name.endswith("_miss") and run["cache_hits"]:
            notes.append(f"{name}: {run['cache_hits']} of {run['requests']} responses were cache hits.")
        if name.endswith("_hit") and run["cache_misses"]:
            notes.append(f"{name}: {run['cache_misses']} of {run['requests']} responses were cache misses.")
    return notes


def _throughput(name: str, label: str, run: dict[str, Any], base: float, ratio: float,
                primary: bool) -> dict[str, Any]:
    return {"id": name, "target": label, "measured": run["ok_per_s"], "baseline": base, "unit": "req/s",
            "ratio": run["ok_per_s"] / base, "ratio_definition": "measured / baseline",
            "threshold": {"on": "ratio", "op": ">=", "value": ratio}, "primary": primary,
            "command": run["command"]}


def _latency(name: str, label: str, run: dict[str, Any], base: float, pct: str,
             limit: float | None, primary: bool) -> dict[str, Any]:
    measured = run[f"{pct}_ms"]
    return {"id": name, "target": label, "measured": measured, "baseline": base, "unit": "ms",
            "ratio": measured / base, "ratio_definition": "measured / baseline",
            "threshold": None if limit is None else {"on": "measured", "op": "<", "value": limit},
            "primary": primary, "command": run["command"]}


def _baseline(phases: dict[str, dict[str, Any]], variant: str) -> list[dict[str, Any]]:
    """The echo runs that bracket a variant's runs (measured just before and just after them)."""
    names = ("echo_1", "echo_2") if variant == "embedded" else ("echo_2", "echo_3")
    return [phases[n]["run"] for n in names]


def _targets(phases: dict[str, dict[str, Any]], memory: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    c = plan.connections
    targets: list[dict[str, Any]] = []
    for variant, label, primary in (("embedded", "SQLite + in-process cache", True),
                                    ("live", "Redis + PostgreSQL", False)):
        if f"{variant}_miss" not in phases:
            continue
        echo = _baseline(phases, variant)
        base = statistics.fmean(r["ok_per_s"] for r in echo)
        p50 = statistics.fmean(r["p50_ms"] for r in echo)
        p99 = statistics.fmean(r["p99_ms"] for r in echo)
        miss, hit = phases[f"{variant}_miss"]["run"], phases[f"{variant}_hit"]["run"]
        targets += [
            _throughput(f"{variant}.miss_throughput", f"POST /v1/ratings, distinct bodies (miss), {label}",
                        miss, base, 0.40, primary),
            _throughput(f"{variant}.hit_throughput", f"POST /v1/ratings, repeated bodies (hit), {label}",
                        hit, base, 0.70, primary),
            _latency(f"{variant}.miss_p99", f"p99 latency, miss, {c} connections, {label}", miss, p99, "p99",
                     20.0, primary),
            _latency(f"{variant}.miss_p50", f"p50 latency, miss, {c} connections, {label}", miss, p50, "p50",
                     None, primary),
            _latency(f"{variant}.hit_p99", f"p99 latency, hit, {c} connections, {label}", hit, p99, "p99",
                     None, primary),
            _latency(f"{variant}.hit_p50", f"p50 latency, hit, {c} connections, {label}", hit, p50, "p50",
                     None, primary),
        ]
        mem = memory.get(variant)
        if mem:
            full = mem["served"] >= MEMORY_TARGET_REQUESTS
            targets.append({
                "id": f"{variant}.worker_rss", "unit": "MB", "primary": primary and full,
                "target": f"max worker VmRSS after {mem['served']:,} requests, {label}",
                "measured": mem["max_worker_rss_mb"], "baseline": memory["echo"]["max_worker_rss_mb"],
                "ratio": mem["max_worker_rss_mb"] / memory["echo"]["max_worker_rss_mb"],
                "ratio_definition": "measured / baseline (echo worker after its runs)",
                "threshold": {"on": "measured", "op": "<", "value": 200.0} if full else None,
                "command": "VmRSS in /proc/<worker pid>/status after the run (python -m benchmarks.service)",
            })
    return targets


def _memory_notes(memory: dict[str, Any], phases: dict[str, dict[str, Any]], cache_entries: int,
                  cache_bytes: int) -> list[str]:
    notes = []
    for variant, mem in memory.items():
        if variant != "echo" and mem["workers_replaced"]:
            notes.append(f"{variant}: workers were replaced during the run ({mem['workers_replaced']}); "
                         "their memory is not that of workers that served every request.")
    if "embedded_miss" in phases:
        size = phases["embedded_miss"]["run"]["mean_response_bytes"]
        pool = memory.get("embedded", {}).get("fill", {}).get("pool", 0)
        full = min(cache_entries, int(cache_bytes // max(size, 1)))
        reached = "reaches that bound" if pool >= full else "does not reach it"
        notes.append(
            f"The in-process cache of each worker holds at most {cache_entries:,} ratings "
            f"(GREENRATE_CACHE_MAX_ENTRIES) and {cache_bytes / 2**20:.0f} MB of rating text "
            f"(GREENRATE_CACHE_MAX_BYTES): at ~{size / 1024:.1f} KB per response, ~{full:,} ratings; this "
            f"run's fill (~{pool:,} distinct companies) {reached}.")
    return notes


def _serve_and_measure(servers: dict[str, Server], keys: dict[str, str], plan: Plan,
                       phases: dict[str, dict[str, Any]], memory: dict[str, Any]) -> None:
    """Start every server, measure in bracketing order, then fill the embedded one for its memory."""
    for s in servers.values():
        s.start()
    for s in servers.values():
        s.wait_ready("POST /v1/ratings" if s.name == "echo" else "GET /readyz")
    started = {name: s.worker_pids() for name, s in servers.items()}
    print(f"servers ready ({len(started['echo'])} workers each); {plan.duration:g} s per run", flush=True)
    echo = servers["echo"]
    phases["echo_1"] = _measure(echo, "distinct", keys["echo"], plan)
    for variant, closing in (("embedded", "echo_2"), ("live", "echo_3")):
        if variant in servers:
            phases[f"{variant}_miss"] = _measure(servers[variant], "distinct", keys[variant], plan)
            phases[f"{variant}_hit"] = _measure(servers[variant], "repeated", keys[variant], plan)
            phases[closing] = _measure(echo, "repeated" if closing == "echo_2" else "distinct", "", plan)

    def snapshot(name: str, served: int | None) -> dict[str, Any]:
        s = servers[name]
        return {**s.memory(), "served": served,
                "workers_replaced": sorted(set(started[name]) ^ set(s.worker_pids()))}

    memory["echo"] = snapshot("echo", None)
    echo.stop()
    if "live" in servers:
        memory["live"] = snapshot("live", served_ratings(servers["live"].get("/metrics")))
        servers["live"].stop()  # the fill below gets the machine to itself
    emb = servers["embedded"]
    pool = max(plan.pool, phases["embedded_miss"]["run"]["requests"])
    print(f"memory: serving until {plan.memory_requests:,} requests in total", flush=True)
    fill = _fill(emb, keys["embedded"], plan, pool, phases["embedded_hit"]["run"]["ok_per_s"])
    memory["embedded"] = {**snapshot("embedded", fill["served"]), "fill": fill}


def run(plan: Plan) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise BenchmarkError("wrk is not installed (apt-get install -y wrk; `make bench` does it)")
    base_env = clean_environment(SERVER_OVERRIDES)
    server_settings = load_server_settings(base_env)
    workers = server_settings.workers
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    live_reason = live_backends.unavailable() if plan.live else "disabled with --no-live"
    phases: dict[str, dict[str, Any]] = {}
    memory: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="greenrate-bench-") as tmp_name:
        tmp = Path(tmp_name)
        emb_env = {**base_env, "GREENRATE_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"}
        servers = {"echo": Server("echo", ECHO_CONF, base_env, workers, tmp / "echo.log"),
                   "embedded": Server("embedded", SERVICE_CONF, emb_env, workers, tmp / "embedded.log")}
        keys = {"echo": "", "embedded": prepare_database(emb_env)}
        try:
            if live_reason is None:
                live_env = {**base_env, **live_backends.reset()}
                keys["live"] = prepare_database(live_env)
                servers["live"] = Server("live", SERVICE_CONF, live_env, workers, tmp / "live.log")
            _serve_and_measure(servers, keys, plan, phases, memory)
        finally:
            for s in servers.values():
                s.stop()
            if live_reason is None:
                live_backends.clean_up()
    settings = load_settings(environ=emb_env)
    notes = _phase_notes(phases) + _memory_notes(memory, phases, settings.cache_max_entries,
                                                 settings.cache_max_bytes)
    if live_reason:
        notes.append(f"Redis + PostgreSQL variant not measured: {live_reason}.")
    for variant in ("embedded", "live"):
        if f"{variant}_miss" in phases:
            a, b = (r["ok_per_s"] for r in _baseline(phases, variant))
            notes.append(f"Baseline of the {variant} rows = mean of the echo runs just before and after "
                         f"them: {a:.1f} and {b:.1f} req/s.")
    return {
        "benchmark": "service",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan": asdict(plan),
        "server": {**asdict(server_settings), "worker_class": "gthread" if server_settings.threads > 1
                   else "sync", "overrides": SERVER_OVERRIDES, "wrk_threads": 1},
        "wrk_version": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        .split("\n")[0].split(" Copyright")[0].strip(),
        "load_average": {"start": load_start, "end": Path("/proc/loadavg").read_text().split()[:3]},
        "live": {"measured": live_reason is None, "reason": live_reason, **live_backends.DESCRIPTION},
        "phases": phases,
        "memory": memory,
        "targets": _targets(phases, memory, plan),
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> None:
    default = Plan()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=default.duration, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=default.warmup, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=default.connections)
    parser.add_argument("--memory-requests", type=int, default=default.memory_requests)
    parser.add_argument("--no-live", action="store_true", help="skip the Redis + PostgreSQL variant")
    args = parser.parse_args(argv)
    plan = Plan(args.duration, args.warmup, args.connections, default.pool, args.memory_requests,
                not args.no_live)
    started = time.monotonic()
    try:
        results = run(plan)
    except BenchmarkError as exc:
        sys.exit(f"service benchmark failed: {exc}")
    OUT.mkdir(exist_ok=True)
    (OUT / "service.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT / 'service.json'} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
