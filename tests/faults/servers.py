"""Helpers for the fault tests: a redis-server we own (restartable on its port) and a TCP proxy we can cut.

Only loopback addresses, only processes and sockets these helpers created; the machine's own Redis and
PostgreSQL are never stopped (the proxy stands in front of PostgreSQL and is cut instead).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from typing import TypeVar

from tests.live_services import port_open, wait_until

T = TypeVar("T")


def answered(send: Callable[[], T], within: float, what: str) -> T:
    """``send()``'s answer, sent from a thread, which must come within ``within`` seconds: a request that
    never ends fails the test (``what`` says what stopped answering) instead of hanging it."""
    got: list[T] = []
    thread = threading.Thread(target=lambda: got.append(send()), daemon=True)
    thread.start()
    thread.join(within)
    assert got, f"no answer within {within:g} s from {what}"
    return got[0]

HOST = "127.0.0.1"


class OwnRedis:
    """A redis-server on a fixed free port that can be killed and started again on the same port."""

    def __init__(self, port: int) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise AssertionError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), f"redis-server on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: Redis vanishes mid-conversation, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        wait_until(lambda: not port_open(self.port), f"redis-server on port {self.port} going away")


class CuttableProxy:
    """A threaded TCP proxy on a free loopback port; ``cut`` drops every connection and refuses new ones;
    ``hold`` keeps every connection open and forwards nothing (a server that stops answering), until
    ``release``."""

    def __init__(self, target_port: int, target_host: str = HOST) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.open = True
        self.closed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._requests = threading.Event()  # set: the client's bytes are forwarded
        self._answers = threading.Event()  # set: the server's bytes are forwarded
        self.release()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()  # the database is "down": the connection is refused at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b, flowing in ((client, upstream, self._requests), (upstream, client, self._answers)):
                threading.Thread(target=self._pipe, args=(a, b, flowing), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, flowing: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.open = False
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self.open = True

    def hold(self, *, answers_only: bool = False) -> None:
        """Forward nothing more, or (``answers_only``) nothing more of what the server sends: what the
        client sends then still reaches the server, which acts on it, and its answer never comes back."""
        self._answers.clear()
        if not answers_only:
            self._requests.clear()

    def release(self) -> None:
        self._requests.set()
        self._answers.set()

    def close(self) -> None:
        self.closed = True
        self.release()
        self.cut()
        self.listener.close()
