"""Instructions per rating or per request, counted by callgrind: the measure a noisy host cannot move.

The timings of ``make bench`` drift by half within minutes on this project's shared 2-core hosts, so a
change worth a few per cent cannot be seen in them; the number of instructions the same work executes is
reproducible to about 1%. This counts one workload at a time:

``rate``
    :meth:`Engine.rate` over 100 synthetic businesses (seed 7), already parsed.
``miss``
    ``POST /v1/ratings`` with a new company per request (the bodies of ``benchmarks/wrk/ratings.lua``,
    :func:`benchmarks.loadgen.body`), through the WSGI app in-process: SQLite and the in-process cache,
    the default settings otherwise (access log, metrics, rate limiter), as in the primary service rows.
``hit``
    The same with 32 bodies already rated (answered from the cache).
``echo``
    The echo baseline app (:mod:`benchmarks.echo_app`) with the same bodies.
``batch``
    A batch worker's job (:func:`rating_model.book_chunks.rated_table`) on a chunk of 1,000 rows of the
    synthetic loan book ``benchmarks.batch`` rates (its seed), read from Parquet as the batch reads them;
    counted per row. Issue 6's 1M rows in 60 s on 2 cores is 120 µs a row per core, and this is where the
    rating half of it goes (the reading, writing and the parent's work are not in it).

Each workload runs twice under ``valgrind --tool=callgrind`` in a child process, once with its warm-up
alone and once with the warm-up and two measured passes; the difference, divided by the items of the two
passes, is the count per item, free of start-up, imports and loading. The service workloads get a fresh
database that an uncounted run has already warmed, so that both counted runs find the same records.
Hash randomisation is fixed and OpenBLAS kept to one thread (its idle threads spin for a while after
import, millions of instructions that belong to no request). Not part of ``make bench``: it needs
valgrind (``apt-get install valgrind``) and takes a few minutes.

Run: ``python -m benchmarks.instructions [rate] [miss] [hit] [echo] [batch]`` (all five by default).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.harness import KEY_VARIABLE, ROOT, BenchmarkError, clean_environment, prepare_database
from benchmarks.loadgen import body

WORKLOADS = ("rate", "miss", "hit", "echo", "batch")
PASSES = 2  # measured passes in the second counted run
_ITEMS = {"rate": 100, "miss": 50, "hit": 50, "echo": 50, "batch": 1}  # items per pass
_CHUNK_ROWS = 1000  # rows of a batch item: a chunk's own costs (pandas, Arrow) amortised as in a batch
_POOL = 32  # repeated bodies of the hit workload, as ratings.lua's default pool
_WARM, _FRESH = 1_000_000, 2_000_000  # company numbers: the warm-up's, and the first measured new one
_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)
#: the service workloads: their runs share one database, so they take turns
_SHARED_DATABASE = frozenset({"miss", "hit"})


# -- the child: one workload, run under callgrind ---------------------------------------------------


def _rater() -> Callable[[int], None]:
    """Item *i*: rate synthetic business *i* (of 100, parsed beforehand)."""
    from rating_model.engine import Engine
    from rating_model.flat import whole_payloads
    from rating_model.synthetic import generate_frame

    engine = Engine.load()
    frame = generate_frame(_ITEMS["rate"], 7).drop(columns=["label", "latent_greenness"])
    data = [engine.parse(p) for p in whole_payloads(frame)]

    def rate(i: int) -> None:
        engine.rate(data[i % len(data)])

    return rate


def _batcher() -> Callable[[int], None]:
    """Item *i*: a batch worker rates a 1,000-row chunk of a synthetic loan book."""
    from benchmarks.batch import SEED
    from rating_model.book_chunks import rated_table
    from rating_model.engine import Engine
    from service.batch.files import read_raw_chunks
    from service.batch.writer import write_loan_book

    engine = Engine.load()
    with tempfile.TemporaryDirectory(prefix="greenrate-instructions-book-") as name:
        book = Path(name) / "book.parquet"
        write_loan_book(book, _ITEMS["batch"] * _CHUNK_ROWS, SEED)
        chunks = list(read_raw_chunks(book, _CHUNK_ROWS))

    def rate(i: int) -> None:
        rated_table(engine, chunks[i % len(chunks)], i * _CHUNK_ROWS)

    return rate


def _discard(_data: bytes) -> None:
    return None


def _poster(workload: str) -> Callable[[int], None]:
    """``post(n)``: company *n* through the app's WSGI callable, in-process; anything but 201 stops."""
    if workload == "echo":
        from benchmarks.echo_app import create_app
    else:
        from service import create_app
    app = create_app()
    key = os.environ.get(KEY_VARIABLE, "")
    errors = io.StringIO()

    def post(n: int) -> None:
        raw = body(n)
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/v1/ratings", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": errors, "wsgi.version": (1, 0), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(raw)),
            "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Bearer {key}",
        }
        statuses: list[str] = []

        def start_response(status: str, _headers: list[tuple[str, str]],
                           _exc_info: Any = None) -> Callable[[bytes], object]:
            statuses.append(status)
            return _discard  # WSGI's write callable: Flask never calls it

        b"".join(app(environ, start_response))
        if not statuses[0].startswith("201"):
            raise BenchmarkError(f"{workload}: company {n} answered {statuses[0]}")

    return post


def _child(workload: str, passes: int) -> None:
    """The warm-up (caches filled, the hit pool rated), then ``passes`` measured passes, collector off."""
    if workload in ("rate", "batch"):
        warm = measured = _rater() if workload == "rate" else _batcher()
    else:
        post = _poster(workload)

        def warm(i: int) -> None:
            post(_WARM + i % _POOL)

        def fresh(i: int) -> None:
            post(_FRESH + i)  # a company never rated before: a cache miss

        measured = fresh if workload == "miss" else warm
    n = _ITEMS[workload]
    for i in range(n):
        warm(i)
    gc.disable()  # when the collector runs is not the work's cost
    for i in range(passes * n):
        measured(i)


# -- the driver ---------------------------------------------------------------------------------------


def _environment(workload: str, tmp: Path) -> dict[str, str]:
    """The child's environment; for the service, a migrated database of its own and a bank key."""
    env = clean_environment({"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
                             "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics")})
    (tmp / "metrics").mkdir()
    if workload in ("miss", "hit"):
        env.update({"GREENRATE_DATABASE_URL": f"sqlite:///{tmp / 'greenrate.sqlite3'}",
                    "GREENRATE_RATE_LIMIT": "1000000 per second"})  # as in the service benchmark
        env[KEY_VARIABLE] = prepare_database(env)
    return env


def _run(env: dict[str, str], workload: str, passes: int, callgrind_out: Path | None) -> None:
    cmd = [sys.executable, "-m", "benchmarks.instructions", "--child", workload, str(passes)]
    if callgrind_out is not None:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={callgrind_out}", *cmd]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchmarkError(f"{workload} failed:\n{done.stderr[-2000:]}")


def count(workload: str) -> dict[str, Any]:
    """Instructions per item of ``workload``: (warm-up + passes) minus (warm-up alone), per item."""
    with tempfile.TemporaryDirectory(prefix="greenrate-instructions-") as name:
        tmp = Path(name)
        env = _environment(workload, tmp)
        outs = [tmp / f"callgrind.{passes}" for passes in (0, PASSES)]
        if workload in _SHARED_DATABASE:
            _run(env, workload, 0, None)  # both counted runs then find the warm-up's ratings recorded
            for passes, out in zip((0, PASSES), outs, strict=True):
                _run(env, workload, passes, out)
        else:
            # Nothing shared between the two runs: side by side, on a second core if there is one (a count
            # is the process's own instructions, whatever runs beside it); each takes seconds under valgrind.
            with ThreadPoolExecutor(max_workers=2) as runs:
                for done in [runs.submit(_run, env, workload, passes, out)
                             for passes, out in zip((0, PASSES), outs, strict=True)]:
                    done.result()
        totals = []
        for out in outs:
            found = _TOTALS.search(out.read_text())
            if found is None:
                raise BenchmarkError(f"no instruction total in {out}")
            totals.append(int(found.group(1)))
    items = PASSES * _ITEMS[workload] * (_CHUNK_ROWS if workload == "batch" else 1)
    return {"workload": workload, "items": items, "instructions_per_item": (totals[1] - totals[0]) // items}


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "PASSES"), help=argparse.SUPPRESS)
    args = parser.parse_args(None if argv is None else list(argv))
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    unknown = sorted(set(args.workloads) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}: choose from {', '.join(WORKLOADS)}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    for workload in args.workloads or WORKLOADS:
        result = count(workload)
        item = "row" if workload == "batch" else "item"
        print(f"{workload:<5} {result['instructions_per_item']:>12,} instructions per {item} "
              f"({result['items']} {item}s)", flush=True)


if __name__ == "__main__":
    main()
