"""gunicorn settings for ``gunicorn -c gunicorn.conf.py service.wsgi:app``.

Workers, timeouts and recycling come from ``GREENRATE_`` variables (parsed by service.config, like the
app's). Each worker builds its own app and loads the rating engine once, right after it starts
(``post_worker_init``), so no request pays for loading. Prometheus runs in multiprocess mode: every worker
writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` merges them; the files' life (checked at
start, allocated per worker, merged when a worker dies) is :mod:`service.metrics_files`.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

# Must be set before any worker imports prometheus_client (the app is not preloaded, so workers import it
# after fork, with this in their environment). A fresh private directory unless the operator chose one.
_MADE_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _MADE_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="greenrate-metrics-")
_METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])

from service.config import load_server_settings, load_settings  # noqa: E402 - after the above
from service.config.values import ConfigError  # noqa: E402

try:
    _server = load_server_settings()
    load_settings()  # the app's settings too: a bad one stops the start here, once, not in every worker
except ConfigError as exc:
    if _MADE_METRICS_DIR:  # a start refused by its settings leaves nothing behind (a restart loop had
        shutil.rmtree(_METRICS_DIR, ignore_errors=True)  # left one directory per try; operations review)
    # One line that names the variable, not gunicorn's traceback of its config file (operator review).
    sys.exit(f"greenrate: {exc}")

wsgi_app = "service.wsgi:app"
bind = [_server.bind]
workers = _server.workers
threads = _server.threads
worker_class = "gthread" if _server.threads > 1 else "sync"
timeout = _server.timeout_seconds
graceful_timeout = _server.graceful_timeout_seconds
keepalive = _server.keepalive_seconds
max_requests = _server.max_requests
max_requests_jitter = _server.max_requests_jitter
# The master tells a live worker by a file the worker touches every few seconds, in the temporary directory
# by default: in a container that is the overlay disk, where the touch can wait behind other writes long
# enough for a healthy worker to be timed out and killed (gunicorn's FAQ). /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
preload_app = False  # one app, one DB pool, one Redis client and one engine per worker, made after fork
accesslog = None  # the app logs one JSON line per request itself
errorlog = "-"
loglevel = "info"
proc_name = "greenrate"
# gunicorn >= 25 opens a control socket at one fixed path per user; several instances on one machine
# (tests, benchmarks, make run) would fight over it, and nothing here uses it.
control_socket_disable = True


def on_starting(server):
    """Start with an empty metrics directory that can hold every worker's files (samples of a previous run's
    workers are stale, and so is the write failure they shared, :mod:`service.write_health`); say when
    rate limits are counted per worker, and when ./instance holds state the service no longer reads there."""
    from service.config import load_settings
    from service.instance import left_in_working_directory
    from service.limits import per_worker_warning
    from service.metrics_files import MetricsDirError, prepare_directory
    from service.write_health import forget

    try:
        prepare_directory(_METRICS_DIR, _server.workers)
    except MetricsDirError as exc:  # one line, not gunicorn's traceback of the cleanup's unlink
        if _MADE_METRICS_DIR:
            shutil.rmtree(_METRICS_DIR, ignore_errors=True)
        sys.exit(f"greenrate: {exc}")
    forget(_METRICS_DIR)  # a directory prepare_directory could write to
    settings = load_settings()
    for warning in (per_worker_warning(settings, _server.workers), left_in_working_directory(settings)):
        if warning:
            server.log.warning(warning)


def post_worker_init(worker):
    """Allocate this worker's metric files, tell the app how many workers share the host (its rate limits'
    share while Redis is down, :mod:`service.limits`), then load the rating engine, before it accepts
    requests. ``worker.cfg.workers`` is gunicorn's own setting: ``workers`` above, or ``-w`` if given.

    A disk that cannot hold the files stops the worker's boot (and gunicorn, which halts on a worker that
    cannot boot) with one line: prometheus_client would otherwise map them sparse, and the first write to
    a page the disk has no room for kills the worker mid-request with SIGBUS.
    """
    import structlog
    from gunicorn.arbiter import Arbiter

    from service import warm_up
    from service.limits import share_among_workers
    from service.metrics_files import reserve

    try:
        reserve(_METRICS_DIR, os.getpid())  # prometheus_client names the files by os.getpid()
    except OSError as exc:
        structlog.get_logger("greenrate.gunicorn").error(
            "metrics_files_not_allocated", directory=str(_METRICS_DIR), error=exc.strerror or str(exc),
            hint="PROMETHEUS_MULTIPROC_DIR needs free space (docs/operations.md)",
        )
        sys.exit(Arbiter.WORKER_BOOT_ERROR)
    share_among_workers(worker.wsgi, worker.cfg.workers)
    warm_up(worker.wsgi)


def worker_abort(worker):
    """A worker past GREENRATE_TIMEOUT_SECONDS is being cut off: log the request it was serving, then end
    the process here, so that the client's connection closes without an answer.

    gunicorn's own way raises SystemExit into the request and answers it with a 500 of its own HTML: not
    the API's error body, no request id, and the status the API keeps for a rating no retry mends, where a
    request cut off is worth retrying (an identical input gets the rating if it was issued); and it logs the
    traceback, messages and all. A connection closed without an answer is one the proxy answers with its
    502 in the service's error shape (deploy/nginx.conf; operations review, H2). Nothing is lost by not
    unwinding: the log lines are flushed as written, the master merges the worker's metric files, and the
    database rolls back what the request left open, as after the SIGKILL that would follow.
    """
    from service.logging import log_request_timeout

    try:
        log_request_timeout(worker.cfg.timeout)
    finally:
        os._exit(1)


def child_exit(server, worker):
    """Forget a dead worker's live gauges; fold its counters and histograms into the archive files.

    Runs in the master: nothing may raise out of it. A merge that fails (a full disk) leaves the worker's
    files where they are, still read by every scrape, so the totals stay right either way.
    """
    from prometheus_client import multiprocess

    from service.metrics_files import merge_dead

    try:
        multiprocess.mark_process_dead(worker.pid, str(_METRICS_DIR))
        merge_dead(_METRICS_DIR, worker.pid)
    except Exception as exc:  # noqa: BLE001 - the master must keep managing workers
        server.log.warning("greenrate: metrics of worker %s not merged (%s: %s); its files stay",
                           worker.pid, type(exc).__name__, exc)


def on_exit(server):
    """Remove the metrics directory we created ourselves."""
    if _METRICS_DIR.name.startswith("greenrate-metrics-"):
        shutil.rmtree(_METRICS_DIR, ignore_errors=True)
