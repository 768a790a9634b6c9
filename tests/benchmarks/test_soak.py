"""The soak's pure parts: windows and percentiles, memory growth, warm-up, targets, the report's section,
and the constant-rate load generator against a tiny local server (no gunicorn, no wrk)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks import loadgen, soak_stats
from benchmarks.loadgen import Sample
from benchmarks.report import build, markdown, rows_for
from tests.benchmarks.test_report import MACHINE
from tests.conftest import AppFactory, bearer, create_key

LUA = Path(__file__).resolve().parents[2] / "benchmarks" / "wrk" / "ratings.lua"


def sample(due: float, latency: float = 0.01, status: int = 201, error: str | None = None,
           lag: float = 0.0) -> Sample:
    return Sample(0, due, lag, latency, status, error)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert soak_stats.percentile(values, 50) == 50.0
    assert soak_stats.percentile(values, 99) == 99.0
    assert soak_stats.percentile(values, 100) == 100.0
    assert soak_stats.percentile([7.0], 1) == 7.0
    assert soak_stats.percentile([], 50) is None


def test_errors_are_non_2xx_and_no_response_and_latency_only_counts_responses() -> None:
    samples = [sample(0, 0.010), sample(0, 0.020), sample(0, 0.030, status=503),
               sample(0, 10.0, status=0, error="timeout"), sample(0, 0.001, status=0, error="connect")]
    summary = soak_stats.latency_summary(samples)
    assert (summary["requests"], summary["ok"], summary["errors"]) == (5, 2, 3)
    assert summary["statuses"] == {"201": 2, "503": 1}
    assert summary["socket_errors"] == {"connect": 1, "timeout": 1}
    assert summary["p50_ms"] == pytest.approx(20.0) and summary["max_ms"] == pytest.approx(30.0)


def test_windows_group_by_due_time_and_carry_the_memory_read_at_their_end() -> None:
    samples = [sample(0.5), sample(9.99, latency=3.0), sample(10.0), sample(29.9, status=500)]
    rows = soak_stats.windows(samples, 30, 10, [{"1": 100.0}, {"1": 101.0}, {"1": 102.0}])
    assert [(r["start_s"], r["end_s"], r["requests"], r["errors"]) for r in rows] == [
        (0, 10, 2, 0), (10, 20, 1, 0), (20, 30, 1, 1)]
    assert rows[0]["p99_ms"] == pytest.approx(3000.0)  # counted where it was due, however late it came
    assert [r["rss_mb"] for r in rows] == [{"1": 100.0}, {"1": 101.0}, {"1": 102.0}]


def _rows(*rss: dict[str, float], width: float = 30) -> list[dict[str, Any]]:
    return [{"index": i, "start_s": i * width, "rss_mb": r} for i, r in enumerate(rss)]


def test_memory_growth_compares_the_first_window_after_warm_up_with_the_last() -> None:
    rows = _rows({"1": 50.0, "2": 50.0}, {"1": 100.0, "2": 80.0}, {"1": 104.0, "2": 80.0},
                 {"1": 105.0, "2": 88.0})
    growth = soak_stats.memory_growth(rows, warmup=30)
    assert (growth["first_window"], growth["last_window"]) == (1, 3)
    assert growth["workers"]["1"] == {"first_mb": 100.0, "last_mb": 105.0, "growth_pct": pytest.approx(5.0)}
    assert growth["workers"]["2"]["growth_pct"] == pytest.approx(10.0)
    assert growth["max_growth_pct"] == pytest.approx(10.0)
    assert soak_stats.memory_growth(rows, warmup=0)["max_growth_pct"] == pytest.approx(110.0)


def test_memory_growth_needs_two_windows_and_lists_replaced_workers() -> None:
    assert soak_stats.memory_growth(_rows({"1": 1.0}, {"1": 2.0}), warmup=30)["max_growth_pct"] is None
    growth = soak_stats.memory_growth(_rows({"1": 10.0, "2": 10.0}, {"1": 11.0, "3": 10.0}), warmup=0)
    assert set(growth["workers"]) == {"1"} and growth["replaced"] == ["2", "3"]


def test_warm_up_lasts_until_the_caches_are_full_within_half_the_run() -> None:
    # 5 workers at 100 req/s: 20 new ratings per second each; 64 MiB of 16 KiB bodies = 4096 entries
    fill = soak_stats.cache_fill_seconds(100, 5, 16 * 1024, 10_000, 64 * 1024 * 1024)
    assert fill == pytest.approx(4096 / 20)
    assert soak_stats.cache_fill_seconds(100, 5, 16 * 1024, 1000, 64 * 1024 * 1024) == pytest.approx(50)
    assert soak_stats.auto_warmup(fill, 600, 30) == 210  # 204.8 s rounded up to whole windows
    assert soak_stats.auto_warmup(500, 600, 30) == 300  # never more than half the run
    assert soak_stats.auto_warmup(1, 600, 30) == 30  # at least one window
    assert soak_stats.auto_warmup(100, 50, 30) == 30


def _memory(first: float, last: float) -> dict[str, Any]:
    growth = (last / first - 1) * 100
    return {"warmup_s": 120.0, "first_window": 4, "last_window": 19, "max_growth_pct": growth,
            "workers": {"11": {"first_mb": 100.0, "last_mb": 101.0, "growth_pct": 1.0},
                        "12": {"first_mb": first, "last_mb": last, "growth_pct": growth}}}


@pytest.mark.parametrize(("errors", "last", "met_errors", "met_memory"),
                         [(0, 109.0, True, True), (1, 109.0, False, True), (0, 110.0, True, False)])
def test_a_full_run_is_judged_by_the_report(errors: int, last: float, met_errors: bool,
                                             met_memory: bool) -> None:
    totals = {"requests": 1000, "errors": errors}
    targets = soak_stats.targets(totals, _memory(100.0, last), 600, 70.0, 0.7)
    rows = {r["id"]: r for r in rows_for("soak", {"targets": targets})}
    assert rows["soak.errors"]["met"] is met_errors
    assert rows["soak.memory_growth"]["met"] is met_memory  # the worst worker, 12, is the one judged
    memory = rows["soak.memory_growth"]
    assert memory["baseline"] == 100.0 and "worker 12" in memory["target"]


def test_a_short_run_is_reported_not_judged() -> None:
    targets = soak_stats.targets({"requests": 10, "errors": 0}, _memory(100.0, 150.0), 60, 70.0, 0.7)
    assert [r["threshold"] for r in targets] == [None, None]
    assert {r["met"] for r in rows_for("soak", {"targets": targets})} == {None}


def _soak_json(errors: int) -> dict[str, Any]:
    memory = _memory(100.0, 104.0)
    totals = {"requests": 1000, "errors": errors, "statuses": {"201": 1000 - errors},
              "socket_errors": {"timeout": errors} if errors else {},
              "p50_ms": 8.0, "p90_ms": 11.0, "p99_ms": 30.0, "max_ms": 90.0}
    window = {"start_s": 0, "end_s": 30, "requests": 1000, "errors": errors, "p50_ms": 8.0, "p90_ms": 11.0,
              "p99_ms": 30.0, "rss_mb": {"11": 100.0, "12": 104.0}, "load_1m": 1.5}
    return {"plan": {"seconds": 600.0}, "rate": 70.0, "max_throughput": {"ok_per_s": 100.0},
            "server": {"workers": 2, "worker_class": "sync"}, "client": {"cpu_share": 0.05},
            "load_average": {"start": ["1.0"], "end": ["1.2"]}, "totals": totals, "memory": memory,
            "windows": [window], "targets": soak_stats.targets(totals, memory, 600, 70.0, 0.7)}


def test_the_report_merges_a_soak_section_only_when_there_is_a_soak(tmp_path: Path) -> None:
    (tmp_path / "service.json").write_text(json.dumps({"targets": []}))
    assert "## Soak" not in markdown(build(tmp_path, MACHINE))  # `make bench` alone: no section
    (tmp_path / "soak.json").write_text(json.dumps(_soak_json(errors=3)))
    text = markdown(build(tmp_path, MACHINE))
    section = text[text.index("## Soak"):]
    assert '- Target: zero errors. Measured: 3 of 1,000 requests ({"timeout": 3}). Met: **no**.' in section
    assert ("- Target: worker memory growth < 10% after the warm-up (120 s). Measured: 4.0% at most. "
            "Met: yes.") in section
    assert "| 0–30 s | 1,000 | 3 | 8.0 ms | 11.0 ms | 30.0 ms | 100.0 / 104.0 | 1.50 |" in section
    assert "| 12 | 100.0 MB | 104.0 MB | +4.0% |" in section
    assert "| 3 requests | 1,000 requests |" in text  # counts in the main table print as integers


def test_a_short_soak_says_it_was_not_judged(tmp_path: Path) -> None:
    soak = _soak_json(errors=0)
    soak["targets"] = soak_stats.targets(soak["totals"], soak["memory"], 60, 70.0, 0.7)
    (tmp_path / "soak.json").write_text(json.dumps(soak))
    section = markdown(build(tmp_path, MACHINE)).split("## Soak")[1]
    assert "Measured: 0 of 1,000 requests. Met: not judged (see the notes)." in section


# -- the load generator --------------------------------------------------------------------------------


def test_bodies_are_those_of_the_wrk_script() -> None:
    """The template is ratings.lua's format string, piece for piece (the arguments mirror its body())."""
    lua = LUA.read_text()
    call = lua[lua.index("return string.format(") :]
    pieces = re.findall(r"'([^']*)'", call[: call.index("',\n    n,") + 2])
    assert "".join(pieces) == loadgen.BODY_TEMPLATE


def test_bodies_are_valid_and_distinct(make_app: AppFactory) -> None:
    app = make_app()
    client, key = app.test_client(), create_key(app)
    answers = [client.post("/v1/ratings", data=loadgen.body(n), content_type="application/json",
                           headers=bearer(key)) for n in (10_000_000, 10_000_001)]
    assert [a.status_code for a in answers] == [201, 201]
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"]
    assert json.loads(answers[0].data)["id"] != json.loads(answers[1].data)["id"]


def test_parse_status_refuses_a_response_cut_short() -> None:
    assert loadgen.parse_status(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}") == 201
    with pytest.raises(ValueError, match="cut short"):
        loadgen.parse_status(b"HTTP/1.1 201 Created\r\nContent-Length: 9\r\n\r\n{}")
    with pytest.raises(ValueError):
        loadgen.parse_status(b"")


async def _against(answer_after: float | None, rate: float, seconds: float, **options: Any) -> list[Sample]:
    """Run the generator against a local server that answers 201 after ``answer_after`` s (None: never)."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        if answer_after is None:
            await reader.read()  # until the client gives up
        else:
            await asyncio.sleep(answer_after)
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    ticks: list[tuple[int, int]] = []
    try:
        return await loadgen.constant_rate(
            "127.0.0.1", port, lambda k: loadgen.post_request("127.0.0.1", port, "/v1/ratings", b"{}", "k"),
            rate, seconds, tick=seconds / 2, on_tick=lambda i, _, done: ticks.append((i, len(done))),
            **options)
    finally:
        server.close()
        await server.wait_closed()
        assert [i for i, _ in ticks] == [0, 1]


def test_the_generator_holds_its_schedule_and_counts_from_the_due_time() -> None:
    samples = asyncio.run(_against(0.05, rate=100, seconds=0.5))
    assert [s.index for s in samples] == list(range(50))
    assert [s.due for s in samples] == pytest.approx([k / 100 for k in range(50)])
    assert {s.status for s in samples} == {201}
    assert min(s.latency for s in samples) >= 0.05  # the server's delay is in every latency


def test_unanswered_requests_time_out_and_too_many_in_flight_are_overload() -> None:
    samples = asyncio.run(_against(None, rate=40, seconds=0.25, timeout=0.2, max_in_flight=4))
    kinds = {s.error for s in samples}
    assert kinds == {"timeout", "overload"} and all(s.status == 0 for s in samples)
    assert sum(s.error == "timeout" for s in samples) >= 4
