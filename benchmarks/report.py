"""Merge every benchmark's JSON in ``benchmarks/out/`` into ``benchmarks/results.md`` and ``results.json``.

One table row per target: target, measured, baseline, ratio, threshold, met, command. Whether a target is
met is decided here, from the threshold, never taken from the producer, so one rule applies to every
benchmark. A benchmark either writes a ``targets`` list (see :mod:`benchmarks.service`) or is a known flat
layout described below (``engine.json``). The machine the numbers came from is recorded with them, because
a ratio is only comparable to another taken on similar hardware.

Run: ``python -m benchmarks.report`` (the last step of ``make bench``).
"""

from __future__ import annotations

import json
import operator
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import parse_no_options

HERE = Path(__file__).resolve().parent
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
}
SYMBOLS = {">=": "≥", ">": ">", "<": "<", "<=": "≤"}


class ReportError(ValueError):
    """A results file the report cannot read; the message names it."""


@dataclass(frozen=True, slots=True)
class FlatTarget:
    """A target read from a flat ``{"metric": value}`` file: which keys hold what."""

    id: str
    target: str
    measured: str | Callable[[Mapping[str, Any]], float]  # a key, or how to read a nested value
    baseline: str | Callable[[Mapping[str, Any]], float]
    unit: str
    ratio: str | None  # key of a precomputed ratio; None: measured / baseline
    ratio_definition: str
    threshold: dict[str, Any] | None  # None: reported, not judged
    command: str
    doubt: Callable[[Mapping[str, Any]], str | None] | None = None

    def row(self, data: Mapping[str, Any]) -> dict[str, Any]:
        measured, baseline = _read(data, self.measured), _read(data, self.baseline)
        ratio = float(data[self.ratio]) if self.ratio else (measured / baseline if baseline else None)
        row = {"id": self.id, "target": self.target, "measured": measured, "baseline": baseline,
               "unit": self.unit, "ratio": ratio, "ratio_definition": self.ratio_definition,
               "threshold": self.threshold, "primary": True, "command": self.command}
        reason = self.doubt(data) if self.doubt else None
        if reason:
            row["doubt"] = reason
        return row


def _read(data: Mapping[str, Any], how: str | Callable[[Mapping[str, Any]], float]) -> float:
    return float(data[how]) if isinstance(how, str) else float(how(data))


def _per_row_us(rows: int) -> Callable[[Mapping[str, Any]], float]:
    def read(data: Mapping[str, Any]) -> float:
        return float(next(r["us_per_row"] for r in data["runs"] if r["rows"] == rows))

    return read


def _engine_rss_doubt(data: Mapping[str, Any]) -> str | None:
    """A bare interpreter holds ~10-20 MB; a far larger baseline means the measurement is not of it."""
    base = float(data["interpreter_rss_mb"])
    if base <= 100:
        return None
    return (f"the baseline (a bare interpreter) reads {base:.0f} MB: ru_maxrss of a child started "
            "by fork+exec keeps the parent's peak (Linux carries the old address space's high-water "
            "mark across exec), so both readings are the parent's size and their difference says "
            "nothing about the engine; reading VmHWM from /proc/self/status in the child would "
            "measure the child alone")


_ENGINE_CMD = "python -m benchmarks.engine"
FLAT_LAYOUTS: dict[str, list[FlatTarget]] = {
    "engine": [
        FlatTarget("engine.rate_one", "rate one business in-process vs scikit-learn pipeline predict_proba, "
                   "one row", "rate_one_us", "pipeline_one_row_us", "µs", "rate_one_ratio",
                   "baseline / measured (speed-up)", {"on": "ratio", "op": ">=", "value": 50}, _ENGINE_CMD),
        FlatTarget("engine.rate_one_binned", "rate one business in-process vs predict_proba, one row, of a "
                   "binned pipeline (quantile bins one-hot + missing flags + logistic regression: the "
                   "scorecard's model family)", "rate_one_us", "binned_pipeline_one_row_us", "µs",
                   "rate_one_binned_ratio", "baseline / measured (speed-up)", None, _ENGINE_CMD),
        FlatTarget("engine.bulk", "score 1,000,000 rows in bulk (JSON artifact, NumPy) vs the pipeline's "
                   "bulk predict_proba", "bulk_artifact_s", "bulk_pipeline_s", "s", "bulk_ratio",
                   "baseline / measured (speed-up)", {"on": "ratio", "op": ">", "value": 1}, _ENGINE_CMD),
        FlatTarget("engine.rss", "resident memory added by importing the engine and loading the model",
                   "engine_rss_mb", "interpreter_rss_mb", "MB", None,
                   "measured / baseline (bare interpreter)",
                   {"on": "measured", "op": "<", "value": 100}, _ENGINE_CMD, _engine_rss_doubt),
    ],
    "training": [
        FlatTarget("training.200k", "train on 200,000 synthetic rows (timed step of greenrate model train)",
                   "train_200k_seconds", "train_50k_seconds", "s", None, "measured / baseline (50,000 rows)",
                   {"on": "measured", "op": "<", "value": 60}, "python -m benchmarks.training"),
        FlatTarget("training.linearity", "training time per row at 200,000 rows vs at 50,000 rows",
                   _per_row_us(200_000), _per_row_us(50_000), "µs/row", "train_linearity_ratio",
                   "measured / baseline (per-row time; 1 is linear)",
                   {"on": "ratio", "op": "<=", "value": 1.2}, "python -m benchmarks.training"),
    ],
}


def rows_for(name: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The target rows of one results file, each with its ``met`` decided here."""
    if "targets" in data:
        rows = [dict(t) for t in data["targets"]]
    elif name in FLAT_LAYOUTS:
        try:
            rows = [spec.row(data) for spec in FLAT_LAYOUTS[name]]
        except (KeyError, StopIteration) as exc:
            missing = exc.args[0] if isinstance(exc, KeyError) else "a run"
            raise ReportError(f"{name}.json lacks {missing!r}") from None
    else:
        raise ReportError(f"{name}.json has no 'targets' list and no known layout")
    for row in rows:
        row["source"] = name
        row["met"] = "unverified" if row.get("doubt") else met(row.get("threshold"), row)
    return rows


def met(threshold: Mapping[str, Any] | None, row: Mapping[str, Any]) -> bool | None:
    """Whether the row meets its threshold; ``None`` for a row reported without one."""
    if threshold is None:
        return None
    value = row["ratio"] if threshold["on"] == "ratio" else row["measured"]
    if value is None:
        return False
    return OPS[threshold["op"]](float(value), float(threshold["value"]))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, int):  # a count (requests, errors): no decimals
        return f"{value:,} {unit}".strip()
    digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 10 else 2 if abs(value) >= 1 else 3
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip()


def _threshold_text(threshold: Mapping[str, Any] | None, unit: str) -> str:
    if threshold is None:
        return "— (reported)"
    symbol = SYMBOLS[threshold["op"]]
    if threshold["on"] == "ratio":
        return f"ratio {symbol} {threshold['value']:g}"
    return f"{symbol} {threshold['value']:g} {unit}".strip()


def _met_text(value: bool | str | None) -> str:
    if isinstance(value, str):
        return f"**{value}**"
    return "—" if value is None else "yes" if value else "**no**"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table: one row per target."""
    lines = ["| target | measured | baseline | ratio | threshold | met | command |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r["target"], _number(r["measured"], r["unit"]), _number(r["baseline"], r["unit"]),
                 _number(r["ratio"]), _threshold_text(r.get("threshold"), r["unit"]), _met_text(r["met"]),
                 f"`{r['command']}`"]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    """CPU model, cores, memory, OS and Python of the machine writing the report (the one that ran them)."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
                 platform.processor() or "unknown")
    cores = {(blk.get("physical id"), blk.get("core id")) for blk in _cpu_blocks(cpuinfo)}
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = next((int(ln.split()[1]) for ln in meminfo.splitlines() if ln.startswith("MemTotal:")), 0)
    return {
        "cpu_model": model,
        "logical_cpus": os.cpu_count(),
        "physical_cores": len(cores) or None,
        "cpus_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(mem_kb / 2**20, 1),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
    }


def _cpu_blocks(cpuinfo: str) -> list[dict[str, str]]:
    blocks = []
    for block in cpuinfo.strip().split("\n\n"):
        fields = dict(ln.split(":", 1) for ln in block.splitlines() if ":" in ln)
        blocks.append({k.strip(): v.strip() for k, v in fields.items()})
    return [b for b in blocks if "processor" in b]


def build(out_dir: Path, machine: Mapping[str, Any]) -> dict[str, Any]:
    """The whole report as one JSON-ready document (results.json)."""
    files = sorted(out_dir.glob("*.json"))
    if not files:
        raise ReportError(f"no results in {out_dir}: run the benchmarks first (make bench)")
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    sources: dict[str, Any] = {}
    for path in files:
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ReportError(f"{path.name} is not JSON: {exc}") from None
        rows += rows_for(path.stem, data)
        notes += [f"{path.stem}: {n}" for n in data.get("notes", [])]
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
        sources[path.stem] = {"file": f"benchmarks/out/{path.name}", "written": modified, "data": data}
    notes += [f"{r['source']}: {r['id']} is unverified: {r['doubt']}." for r in rows if r.get("doubt")]
    return {"command": "make bench", "machine": dict(machine), "targets": rows, "notes": notes,
            "sources": sources}


def _phases(service: Mapping[str, Any]) -> list[str]:
    lines = ["| run | 2xx req/s | p50 | p90 | p99 | responses (status: count) | X-Cache hit / miss |",
             "|---|---|---|---|---|---|---|"]
    for name, phase in service.get("phases", {}).items():
        r = phase["run"]
        lat = r["latency_us"]
        lines.append(f"| {name} | {r['ok_per_s']:.1f} | {lat['p50'] / 1000:.1f} ms | "
                     f"{lat['p90'] / 1000:.1f} ms | {lat['p99'] / 1000:.1f} ms | "
                     f"{_cell(json.dumps(r['statuses']))} | {r['cache_hits']} / {r['cache_misses']} |")
    return lines


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def soak_section(soak: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The soak's targets with their verdicts, its latency and memory window by window, and the growth.

    The verdicts are the report's own (``rows``, decided from each threshold like every other row).
    """
    verdicts = {r["id"]: r["met"] for r in rows if r.get("source") == "soak"}

    def verdict(target: str) -> str:
        found = verdicts.get(target)
        return "not judged (see the notes)" if found is None else _met_text(found)

    plan, peak, memory, totals = soak["plan"], soak["max_throughput"], soak["memory"], soak["totals"]
    growth = memory["max_growth_pct"]
    failed = {**{code: n for code, n in totals.get("statuses", {}).items() if not code.startswith("2")},
              **totals["socket_errors"]}
    load = [w.get("load_1m") for w in soak["windows"]]
    out = ["", "## Soak", "",
           f"`python -m benchmarks.soak` (`make soak`): {plan['seconds'] / 60:g} min of `POST /v1/ratings` "
           f"with a new company in every request at {soak['rate']:.1f} req/s, a constant arrival rate "
           f"({soak['rate'] / peak['ok_per_s']:.0%} of the {peak['ok_per_s']:.1f} req/s maximum wrk measured "
           f"just before), against {soak['server']['workers']} {soak['server']['worker_class']} workers with "
           "SQLite and the in-process cache. Latency runs from the moment a request was due to the last "
           f"byte of its response; the load generator used {soak['client']['cpu_share']:.0%} of a core. "
           f"Load average at start {' '.join(soak['load_average']['start'])}, "
           f"end {' '.join(soak['load_average']['end'])}.",
           "",
           f"- Target: zero errors. Measured: {totals['errors']:,} of {totals['requests']:,} requests"
           + (f" ({_cell(json.dumps(failed))})" if failed else "") + f". Met: {verdict('soak.errors')}.",
           f"- Target: worker memory growth < 10% after the warm-up ({memory['warmup_s']:g} s). Measured: "
           + ("—" if growth is None else f"{growth:.1f}% at most")
           + f". Met: {verdict('soak.memory_growth')}.",
           f"- Latency over the whole run: p50 {_ms(totals['p50_ms'])}, p90 {_ms(totals['p90_ms'])}, "
           f"p99 {_ms(totals['p99_ms'])}, max {_ms(totals['max_ms'])}.",
           "",
           "| window | requests | errors | p50 | p90 | p99 | worker VmRSS (MB) | load average (1 min) |",
           "|---|---|---|---|---|---|---|---|"]
    for w, load_1m in zip(soak["windows"], load, strict=True):
        rss = " / ".join(f"{mb:.1f}" for mb in w["rss_mb"].values())
        out.append(f"| {w['start_s']:g}–{w['end_s']:g} s | {w['requests']:,} | {w['errors']:,} | "
                   f"{_ms(w['p50_ms'])} | {_ms(w['p90_ms'])} | {_ms(w['p99_ms'])} | {rss} | "
                   f"{'—' if load_1m is None else f'{load_1m:.2f}'} |")
    if memory["workers"]:
        out += ["", f"Memory growth per worker, end of window {memory['first_window']} to end of window "
                f"{memory['last_window']}:", "", "| worker | first | last | growth |", "|---|---|---|---|"]
        out += [f"| {pid} | {w['first_mb']:.1f} MB | {w['last_mb']:.1f} MB | {w['growth_pct']:+.1f}% |"
                for pid, w in memory["workers"].items()]
    return out


def markdown(doc: Mapping[str, Any]) -> str:
    m = doc["machine"]
    rows = doc["targets"]
    summary = []
    for primary, label in ((True, "Primary targets"), (False, "Secondary (Redis + PostgreSQL) targets")):
        judged = [r for r in rows if r["met"] is not None and bool(r.get("primary", True)) is primary]
        if judged:
            failed = [r["id"] for r in judged if r["met"] is not True]
            summary.append(f"**{label}: {sum(r['met'] is True for r in judged)} of {len(judged)} met.**"
                           + (f" Not met or unverified: {', '.join(failed)}." if failed else ""))
    out = [
        "# greenrate benchmarks",
        "",
        f"Written by `{doc['command']}` on {m['date']} — regenerate, do not edit. Every ratio compares a "
        "measurement with a baseline measured in the same run on the same machine. Results merged: "
        + ", ".join(f"`{s['file']}` (written {s['written']})" for s in doc["sources"].values()) + ".",
        "",
        f"Machine: {m['cpu_model']}, {m['logical_cpus']} logical CPUs ({m['physical_cores']} cores, "
        f"{m['cpus_available']} available to the run), {m['memory_gb']} GB RAM, {m['os']}, {m['python']}; "
        f"load average when the report was written {', '.join(f'{x:.2f}' for x in m['load_average'])}.",
        "",
        table(rows),
        "",
        *(line for item in summary for line in (item, "")),
        "Ratio of each row:",
        "",
    ] + [f"- {source}, {unit} rows: {definition}" for source, unit, definition in
         dict.fromkeys((r["source"], r["unit"], r["ratio_definition"]) for r in rows)]
    if doc["notes"]:
        out += ["", "## Notes", ""] + [f"- {n}" for n in doc["notes"]]
    service = doc["sources"].get("service", {}).get("data")
    if service and "server" in service:  # the detail of benchmarks.service's runs
        s = service["server"]
        out += ["", "## Service runs", "",
                f"gunicorn `gunicorn.conf.py` for both apps: {s['workers']} workers, {s['worker_class']} "
                f"worker class, {s['threads']} thread(s), keep-alive {s['keepalive_seconds']} s; overrides "
                f"{', '.join(f'{k}={v}' for k, v in s['overrides'].items())}. wrk: {service['wrk_version']}, "
                f"1 thread, {service['plan']['connections']} connections, {service['plan']['duration']:g} s "
                f"per run after {service['plan']['warmup']:g} s of warm-up. Load average at start "
                f"{' '.join(service['load_average']['start'])}, "
                f"end {' '.join(service['load_average']['end'])}.",
                ""] + _phases(service)
    soak = doc["sources"].get("soak", {}).get("data")
    if soak:  # optional: `make soak` writes it, `make bench` does not
        out += soak_section(soak, rows)
    return "\n".join(out) + "\n"


def main() -> None:
    parse_no_options(__doc__)
    doc = build(HERE / "out", machine_info())
    (HERE / "results.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    (HERE / "results.md").write_text(markdown(doc))
    print(table(doc["targets"]))
    print(f"wrote {HERE / 'results.md'} and {HERE / 'results.json'}")


if __name__ == "__main__":
    main()
