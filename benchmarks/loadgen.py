"""A constant-arrival (open-model) HTTP load generator for the soak: requests leave on a fixed schedule.

wrk keeps N connections busy (a closed loop): when the server slows down, wrk sends less and the stall
shows in a handful of samples only ("coordinated omission"). A soak must hold a rate, so here request *k*
is due at ``k / rate`` seconds whatever happened before, each on its own connection (gunicorn's sync
workers close every connection after the response anyway), and its latency is counted from the moment it
was *due* to the last byte of the response, queueing in the client included. How late the client itself
was in sending (``lag``) is recorded too, so a saturated client cannot pass for a slow server.

One asyncio loop, raw HTTP/1.1 over ``asyncio.open_connection``: on a 2-core machine shared with the
server it costs a fraction of a core at a few hundred requests per second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BODY_TEMPLATE = (
    '{"company":{"name":"Bench Co %d","country":"CN","region":"CN-ZJ","industry_code":"5610",'
    '"employees":%d,"annual_revenue":%d,"currency":"CNY","reporting_year":2024,"external_id":"bench-%d"},'
    '"energy":{"electricity_kwh":%d,"fuels":[{"fuel":"natural_gas","quantity":%d,"unit":"m3"}]},'
    '"practices":{"led_lighting":true,"e_invoicing":%s},"data_source":"energy_bills"}'
)


def body(n: int) -> bytes:
    """Company *n* exactly as ``benchmarks/wrk/ratings.lua`` builds it, so the soak rates what the
    throughput run rated (a café in CN-ZJ; distinct *n*, distinct canonical input: a cache miss)."""
    return (BODY_TEMPLATE % (n, 1 + n % 480, 1_000_000 + n * 37, n, 20_000 + (n * 13) % 60_000,
                             1000 + n % 9000, "true" if n % 2 == 0 else "false")).encode()


def post_request(host: str, port: int, path: str, payload: bytes, api_key: str) -> bytes:
    """The bytes of one ``POST`` with a bearer key; ``Connection: close`` so the response ends at EOF."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {api_key}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + payload


@dataclass(frozen=True, slots=True)
class Sample:
    """One scheduled request. Times in seconds; ``status`` 0 means no HTTP response (see ``error``)."""

    index: int
    due: float  # when it was scheduled, after the start of the run
    lag: float  # how late the client started it (client saturation, not the server's doing)
    latency: float  # from ``due`` to the last byte of the response (or to the failure)
    status: int
    error: str | None  # connect, read, timeout, overload (too many requests already in flight)


def parse_status(raw: bytes) -> int:
    """The status of a complete HTTP/1.1 response; ValueError when it is not one (cut short, garbage)."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if not sep or len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError("not an HTTP response")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and int(value) != len(rest):
            raise ValueError(f"body cut short: {len(rest)} of {int(value)} bytes")
    return int(parts[1])


async def _exchange(host: str, port: int, data: bytes) -> tuple[int, str | None]:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return 0, "connect"
    try:
        writer.write(data)
        await writer.drain()
        raw = await reader.read()  # until the server closes the connection
        return parse_status(raw), None
    except (OSError, ValueError):
        return 0, "read"
    finally:
        writer.close()


async def constant_rate(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    rate: float,
    seconds: float,
    *,
    timeout: float = 10.0,
    max_in_flight: int = 512,
    tick: float | None = None,
    on_tick: Callable[[int, float, Sequence[Sample]], None] | None = None,
) -> list[Sample]:
    """Send ``make_request(k)`` at ``k / rate`` seconds for ``seconds``; every sample once all are done.

    ``on_tick(i, elapsed, done)`` runs at every multiple of ``tick`` seconds with the samples completed
    so far (the soak reads worker memory there and prints progress). A request that cannot start because
    ``max_in_flight`` are outstanding is an ``overload`` error: the server is that far behind.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    samples: list[Sample] = []
    in_flight = 0

    async def one(k: int, due: float) -> None:
        nonlocal in_flight
        lag = loop.time() - start - due
        if in_flight >= max_in_flight:
            samples.append(Sample(k, due, lag, lag, 0, "overload"))
            return
        in_flight += 1
        try:
            status, error = await asyncio.wait_for(_exchange(host, port, make_request(k)), timeout)
        except TimeoutError:
            status, error = 0, "timeout"
        finally:
            in_flight -= 1
        samples.append(Sample(k, due, lag, loop.time() - start - due, status, error))

    async def ticker() -> None:
        assert tick is not None and on_tick is not None
        for i in range(1, int(seconds / tick + 1e-9) + 1):
            await asyncio.sleep(max(0.0, start + i * tick - loop.time()))
            on_tick(i - 1, loop.time() - start, samples)

    ticking = asyncio.create_task(ticker()) if tick and on_tick else None
    tasks: set[asyncio.Task[None]] = set()
    k = 0
    while (due := k / rate) < seconds:
        wait = start + due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(k, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        k += 1
    if ticking is not None:
        await ticking
    if tasks:
        await asyncio.gather(*tasks)
    return sorted(samples, key=lambda s: s.index)
