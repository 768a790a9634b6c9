"""The settings themselves: what the Flask app and gunicorn run with, and the defaults of each.

Frozen dataclasses that every module is handed, so that only :mod:`service.config` reads the environment
(field ``x`` of :class:`Settings` is ``GREENRATE_X``), and so that a setting cannot change under a running
request. With nothing set, the defaults run the service on SQLite and an in-process cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from flask.sansio.scaffold import find_package

from service.config.cpus import default_workers

#: What is done with a recorded rating that carries no signature (GREENRATE_UNSIGNED_RATINGS).
UnsignedRatings = Literal["refuse", "serve"]
UNSIGNED_RATING_POLICIES: tuple[UnsignedRatings, ...] = ("refuse", "serve")
#: How long a migration waits for a table's lock before it gives up and tries again (PostgreSQL): behind a
#: long reader, an ALTER TABLE waiting for its ACCESS EXCLUSIVE lock queues every later query of the table
#: behind it, reads and writes alike, so the service answers 503 for as long as it waits.
DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS = 5.0
#: gunicorn's threads per worker by default (sync workers): also each process's database connections.
DEFAULT_THREADS = 1
#: Days a recorded comparison counts for a promotion (GREENRATE_MODEL_COMPARISON_VALID_DAYS): a month of
#: the bank's lending moves the population a holdout stood for; a model-risk review had a challenger
#: promoted on a comparison recorded months before, against data that had drifted since.
DEFAULT_COMPARISON_VALID_DAYS = 30


def default_instance_dir() -> str:
    """Flask's instance folder of the ``service`` package: ``instance/`` in the checkout the package is
    imported from (``make run``, an editable install), ``<prefix>/var/service-instance`` for a package
    installed into ``<prefix>`` (a virtualenv, the system).

    Never the working directory: the defaults under it (the embedded database, the machine's secret, the
    portfolio files) were ``./instance``, so a ``greenrate`` command run from another directory silently
    created and used another empty database and another secret (newcomer review). The same computation as
    ``Flask.auto_find_instance_path``, made without an app because the commands build none.
    """
    prefix, package_path = find_package("service")
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", "service-instance")


def default_database_url(instance_dir: str) -> str:
    """SQLite in the instance directory: the embedded default that needs no server."""
    return f"sqlite:///{Path(instance_dir) / 'greenrate.sqlite3'}"


def default_portfolio_dir(instance_dir: str) -> str:
    """Uploaded loan books and their results, beside the embedded database."""
    return str(Path(instance_dir) / "portfolios")


@dataclass(frozen=True, slots=True)
class Settings:
    """What the Flask app needs; field ``x`` comes from ``GREENRATE_X``.

    The defaults of ``database_url`` and ``portfolio_dir`` lie in ``instance_dir``: :func:`load_settings
    <service.config.load_settings>` puts them in the instance directory it was given.
    """

    # The service's local state when nothing else is configured: the embedded database, the machine's
    # secret (secret_key), the portfolio files, make run's demo key. Also the Flask app's instance_path.
    instance_dir: str = field(default_factory=default_instance_dir)
    database_url: str = field(default_factory=lambda: default_database_url(default_instance_dir()))
    # Connections each process keeps, and the most it opens: a request holds one at a time, so a worker
    # needs one per thread. Unset: GREENRATE_THREADS (load_settings).
    database_pool_size: int = DEFAULT_THREADS
    database_timeout_seconds: int = 3
    # Statement timeout of the `greenrate` commands' connections (0: none): an audit query over millions of
    # ratings needs more than a request's few seconds, and holds no request back.
    database_command_timeout_seconds: int = 600
    # greenrate db upgrade/downgrade: the wait for one table lock (PostgreSQL's lock_timeout); 0 waits on
    migration_lock_timeout_seconds: float = DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS
    redis_url: str | None = None
    redis_timeout_ms: int = 100
    redis_namespace: str = "greenrate"
    cache_breaker_failures: int = 3
    cache_breaker_reset_seconds: float = 10.0
    cache_max_entries: int = 10_000
    cache_max_bytes: int = 64 * 1024 * 1024
    rating_validity_days: int = 365
    rate_limit: str = "1200 per minute"
    # Per tenant, whichever of its keys asks: the work a request can cost, apart from the request count.
    # A batch spends one per item; a PDF disclosure one per PDF (a second of a worker each).
    batch_item_rate_limit: str = "6000 per minute"
    pdf_rate_limit: str = "60 per minute"
    # Per client address: /v1 requests answered 401 (a missing, unknown, revoked or expired key). A valid
    # key neither spends nor meets it; without it, a client sending a new made-up key each time was never
    # limited, the per-key limit giving every key a budget of its own.
    failed_auth_rate_limit: str = "60 per minute"
    max_body_bytes: int = 2 * 1024 * 1024
    key_cache_seconds: float = 30.0
    retry_after_seconds: int = 5
    log_level: str = "INFO"
    access_log: bool = True
    # Signs the merchant page's CSRF tokens, the Redis entries and the recorded ratings; unset: a random key
    # kept in instance_dir/secret_key (shared by the workers of one machine). Set it when several machines
    # serve the page behind one address. Never in a repr (a log line, a test's failure message).
    secret_key: str | None = field(default=None, repr=False)
    # The secrets GREENRATE_SECRET_KEY replaced: what they signed is still accepted, nothing new is signed
    # with them (service.secret.SigningKeys).
    previous_secret_keys: tuple[str, ...] = field(default=(), repr=False)
    # A recorded rating with no signature: "refuse" it like a tampered one (anyone who can INSERT a row can
    # write one), or "serve" it, for the upgrade window of a database holding ratings issued before
    # migration 0018 signed them (service.records.rating_signatures).
    unsigned_ratings: UnsignedRatings = "refuse"
    page_rate_limit: str = "20 per minute"
    # Who answers a shop owner's questions about their data (an address, a page, a desk's name): the
    # merchant page's privacy notice shows it when set. The deploying bank decides how long ratings are
    # kept; the notice says so, and this says whom to ask.
    privacy_contact: str | None = None
    # How many proxies in front of the service set X-Forwarded-For / X-Forwarded-Proto. 0: none, and those
    # headers are ignored (anyone could forge them). Behind one proxy, 1: else every visitor of the merchant
    # page shares the proxy's address, and so one budget.
    proxy_hops: int = 0
    # Strict-Transport-Security's max-age on every answer to a request that came over HTTPS (as the
    # trusted proxies say, with proxy_hops); 0 sends none (a proxy that sends its own policy, e.g. with
    # includeSubDomains, which only the domain's owner can decide). A year: what browsers' preload lists ask.
    hsts_max_age_seconds: int = 31_536_000
    model_poll_seconds: float = 5.0
    # Four eyes on the model: whoever registered or uploaded a version may not also promote it.
    model_four_eyes: bool = True
    # A promotion needs a recorded comparison of the challenger against the champion it replaces.
    model_require_comparison: bool = True
    # How long a recorded comparison counts: one older than this many days (on the database's clock) is
    # named in the refusal, not counted; record it again on current labelled data.
    model_comparison_valid_days: int = DEFAULT_COMPARISON_VALID_DAYS
    # Portfolio jobs: uploaded loan books, per-chunk result parts and merged results live under this
    # directory, which the API and every `greenrate worker` must share (one disk or a shared mount).
    portfolio_dir: str = field(default_factory=lambda: default_portfolio_dir(default_instance_dir()))
    portfolio_max_bytes: int = 1024 * 1024 * 1024
    # Rows of one loan book: a compressed upload is small for its rows (94 KB of xz held 2,000,000).
    portfolio_max_rows: int = 10_000_000
    # Queued or running jobs of one tenant at a time: one bank's books take at most this many workers.
    portfolio_jobs_per_tenant: int = 2
    portfolio_chunk_rows: int = 25_000
    portfolio_job_timeout_seconds: int = 6 * 3600
    # Processes one `greenrate worker` rates a job's chunks in; 1 rates in the worker itself. More worker
    # processes run more jobs at once; this makes one large job use more cores.
    portfolio_processes: int = 1
    # Days a finished job's files (the upload and the per-borrower results) are kept; 0 keeps them (not
    # "keep none"), and then only uploads no job was recorded for are deleted, a day old. The job's row and
    # summary stay either way.
    portfolio_retention_days: int = 0
    # The build this process runs, recorded with every rating it issues (service.revision); unset: the package
    # version and git commit of a checkout, else "unknown". The image sets it from its build argument.
    revision: str | None = None
    # Not a GREENRATE_ variable: prometheus_client's own, set up by gunicorn.conf.py.
    metrics_multiproc_dir: str | None = None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What gunicorn needs (read by ``gunicorn.conf.py``)."""

    bind: str = "127.0.0.1:8000"
    # gunicorn's rule of thumb: workers also wait on Redis and the database, so more than the cores.
    workers: int = field(default_factory=lambda: default_workers())
    threads: int = DEFAULT_THREADS
    timeout_seconds: int = 30
    graceful_timeout_seconds: int = 20
    keepalive_seconds: int = 5
    max_requests: int = 10_000
    max_requests_jitter: int = 1_000

