"""Service configuration: the only module that reads the process environment.

Every setting is a ``GREENRATE_``-prefixed environment variable, parsed strictly: a value that does not
parse, a value out of range or an unknown ``GREENRATE_`` name stops the process at start-up with the
variable's name, because a typo in ``GREENRATE_REDIS_URL`` silently falling back to the in-process cache
is worse than a crash. With nothing set the service runs on SQLite and an in-process cache.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

PREFIX = "GREENRATE_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: What is done with a recorded rating that carries no signature (GREENRATE_UNSIGNED_RATINGS).
UnsignedRatings = Literal["refuse", "serve"]
UNSIGNED_RATING_POLICIES: tuple[UnsignedRatings, ...] = ("refuse", "serve")
#: ``postgres://`` is what many platforms and secret stores hand out; the engine reads it as psycopg 3
_DATABASE_DRIVERS = ("sqlite", "postgresql", "postgresql+psycopg", "postgres")
#: How long a migration waits for a table's lock before it gives up and tries again (PostgreSQL): behind a
#: long reader, an ALTER TABLE waiting for its ACCESS EXCLUSIVE lock queues every later query of the table
#: behind it, reads and writes alike, so the service answers 503 for as long as it waits.
DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS = 5.0
#: gunicorn's threads per worker by default (sync workers): also each process's database connections.
DEFAULT_THREADS = 1


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def default_database_url() -> str:
    """SQLite in ``./instance``: the embedded default that needs no server."""
    return f"sqlite:///{Path.cwd() / 'instance' / 'greenrate.sqlite3'}"


def default_portfolio_dir() -> str:
    """Uploaded loan books and their results, beside the embedded database."""
    return str(Path.cwd() / "instance" / "portfolios")


@dataclass(frozen=True, slots=True)
class Settings:
    """What the Flask app needs; field ``x`` comes from ``GREENRATE_X``."""

    database_url: str = field(default_factory=default_database_url)
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
    max_body_bytes: int = 2 * 1024 * 1024
    key_cache_seconds: float = 30.0
    retry_after_seconds: int = 5
    log_level: str = "INFO"
    access_log: bool = True
    # Signs the merchant page's CSRF tokens, the Redis entries and the recorded ratings; unset: a random key
    # kept in ./instance/secret_key (shared by the workers of one machine). Set it when several machines
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
    model_poll_seconds: float = 5.0
    # Four eyes on the model: whoever registered or uploaded a version may not also promote it.
    model_four_eyes: bool = True
    # A promotion needs a recorded comparison of the challenger against the champion it replaces.
    model_require_comparison: bool = True
    # Portfolio jobs: uploaded loan books, per-chunk result parts and merged results live under this
    # directory, which the API and every `greenrate worker` must share (one disk or a shared mount).
    portfolio_dir: str = field(default_factory=default_portfolio_dir)
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
    # Days a finished job's files (the upload and the per-borrower results) are kept; 0 keeps them. The
    # job's row and summary stay either way.
    portfolio_retention_days: int = 0
    # The build this process runs, recorded with every rating it issues (service.revision); unset: the package
    # version and git commit of a checkout, else "unknown". The image sets it from its build argument.
    revision: str | None = None
    # Not a GREENRATE_ variable: prometheus_client's own, set up by gunicorn.conf.py.
    metrics_multiproc_dir: str | None = None


#: The most workers the default gives, whatever the host: each holds up to GREENRATE_DATABASE_POOL_SIZE
#: connections and ~170 MB, and PostgreSQL's default max_connections is 100 (a 64-core host's 129 workers
#: could have asked for 1,290; operator review). More is a deliberate GREENRATE_WORKERS, sized against the
#: database.
MAX_DEFAULT_WORKERS = 9


_CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")


def _cgroup_quota(cpu_max: Path, v1: Path) -> tuple[int, int] | None:
    """The CPU quota and period of this process's cgroup (v2's ``cpu.max``, else v1's
    ``cpu.cfs_quota_us``/``cpu.cfs_period_us``); ``None`` when there is none (``max``, -1) or none is
    readable."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return None if quota == "max" else (int(quota), int(period))
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((v1 / "cpu.cfs_quota_us").read_text())
        period_us = int((v1 / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota_us <= 0 or period_us <= 0 else (quota_us, period_us)


def usable_cpus(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max"), v1: Path = _CGROUP_V1_CPU) -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota (a container's
    ``--cpus``, cgroup v2 or v1), which ``os.cpu_count()`` ignores; never less than 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity (macOS)
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota(cpu_max, v1)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota[0] / quota[1]))
    return max(cpus, 1)


def default_workers() -> int:
    """2 x :func:`usable_cpus` + 1, at most :data:`MAX_DEFAULT_WORKERS`: a container limited to 2 of 64
    cores gets 5."""
    return min(2 * usable_cpus() + 1, MAX_DEFAULT_WORKERS)


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


#: What the number parsers accept, in ASCII: ``int()`` and ``float()`` also take ``1_0`` and the digits of
#: other scripts (``１０``), so GREENRATE_WORKERS=1_0 ran ten workers (contract review); ``float()`` takes
#: ``1e3``, ``inf`` and ``nan`` as well.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@dataclass(frozen=True, slots=True)
class _WholeNumber:
    """A whole number from ``lo`` to ``hi``; :meth:`check` applies the range to a value given as a number."""

    lo: int
    hi: int

    def __call__(self, raw: str) -> int:
        text = raw.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ConfigError(f"must be a whole number, got {raw!r}")
        if len(text.lstrip("+-0")) > len(str(self.hi)):  # out of range; int() refuses past 4,300 digits
            raise ConfigError(f"must be between {self.lo} and {self.hi}, got {raw!r}")
        return self.check(int(text, 10))

    def check(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"must be a whole number, got {value!r}")
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"must be between {self.lo} and {self.hi}, got {value}")
        return value


@dataclass(frozen=True, slots=True)
class _Number:
    """A number from ``lo`` to ``hi``; :meth:`check` applies the range to a value given as a number."""

    lo: float
    hi: float

    def __call__(self, raw: str) -> float:
        if not _DECIMAL_NUMBER.fullmatch(raw.strip()):
            raise ConfigError(f"must be a number, got {raw!r}")
        value = float(raw.strip())
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"must be between {self.lo:g} and {self.hi:g}, got {raw!r}")
        return value

    def check(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"must be a number, got {value!r}")
        if not self.lo <= value <= self.hi:  # also refuses nan
            raise ConfigError(f"must be between {self.lo:g} and {self.hi:g}, got {value!r}")
        return float(value)


@dataclass(frozen=True, slots=True)
class _Boolean:
    """true/false/1/0/yes/no/on/off; :meth:`check` takes a bool given as one."""

    def __call__(self, raw: str) -> bool:
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ConfigError(f"must be one of true/false/1/0/yes/no/on/off, got {raw!r}")

    def check(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(f"must be true or false, got {value!r}")
        return value


_parse_bool = _Boolean()


def _parse_database_url(raw: str) -> str:
    """A URL SQLAlchemy can parse, for a backend we ship, with a usable port.

    Checked with SQLAlchemy's own parser so that a bad port or a bare ``sqlite:`` stops start-up with the
    variable's name, not as a traceback from the first connection.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    value = raw.strip()
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ConfigError(
            "is not a database URL such as sqlite:///path/to/file.sqlite3 or postgresql://user:pass@host:5432/db"
        ) from None
    if url.drivername not in _DATABASE_DRIVERS:
        raise ConfigError(f"must be a URL starting with one of {', '.join(_DATABASE_DRIVERS)}")
    if url.port is not None and not 0 < url.port < 65536:
        raise ConfigError(f"has port {url.port}; a port is 1-65535")
    return value


def _parse_redis_url(raw: str) -> str | None:
    """A URL redis-py can parse, with a usable port and database index; empty means unset.

    redis-py quietly ignores a path that is not a number (``redis://host/notadb`` would use database 0), so
    the path is checked here too.
    """
    from redis.connection import parse_url

    value = raw.strip()
    if not value:  # "unset", so compose files can pass GREENRATE_REDIS_URL= through
        return None
    try:
        # redis-py's own parser (untyped), so what passes here is what the client will connect to
        parsed: dict[str, Any] = parse_url(value)  # type: ignore[no-untyped-call]
    except ValueError as exc:
        raise ConfigError(f"is not a Redis URL such as redis://host:6379/0 ({exc})") from None
    parts = urlsplit(value)
    if parts.scheme == "unix":
        if not parsed.get("path"):
            raise ConfigError("must name the socket, such as unix:///run/redis.sock?db=0")
    else:
        path = unquote(parts.path)
        if not re.fullmatch(r"/?([0-9]+)?", path):
            raise ConfigError(f"has database {path.lstrip('/')!r}; the database is a number, such as /0")
        if not 0 < parsed.get("port", 6379) < 65536:
            raise ConfigError(f"has port {parsed['port']}; a port is 1-65535")
    if parsed.get("db", 0) < 0:
        raise ConfigError(f"has database {parsed['db']}; the database is a number from 0")
    return value


def _parse_rate_limit(raw: str) -> str:
    from limits import parse_many  # the limiter's own grammar, so a bad value fails here, not at request 1

    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigError(f"is not a rate limit such as '600 per minute': {exc}") from None
    return raw.strip()


def _parse_batch_item_budget(raw: str) -> str:
    """A rate limit that lets a whole batch through: below one batch's items, every full batch would be
    refused, with a ``Retry-After`` that could never be honoured."""
    from limits import parse_many

    from schemas.pages import MAX_BATCH_ITEMS

    value = _parse_rate_limit(raw)
    if any(item.amount < MAX_BATCH_ITEMS for item in parse_many(value)):
        raise ConfigError(f"must allow at least {MAX_BATCH_ITEMS} items (one full batch) per window")
    return value


def _parse_namespace(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
        raise ConfigError("must be 1-64 letters, digits, '.', '_' or '-'")
    return value


#: The longest GREENRATE_PRIVACY_CONTACT: one line of the page, not a policy.
MAX_PRIVACY_CONTACT = 200


def _parse_privacy_contact(raw: str) -> str | None:
    """One line of plain text for the merchant page's privacy notice; empty: none shown.

    Control and bidirectional-text characters are refused: the page prints the text as given, and U+202E
    there would show an address reversed."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_PRIVACY_CONTACT:
        raise ConfigError(f"must be at most {MAX_PRIVACY_CONTACT} characters, got {len(value)}")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise ConfigError("must be one line of plain text, without control or formatting characters")
    return value


def _parse_log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in _LOG_LEVELS:
        raise ConfigError(f"must be one of {', '.join(_LOG_LEVELS)}")
    return value


def _parse_unsigned_ratings(raw: str) -> UnsignedRatings:
    """``refuse`` or ``serve`` (any case, like the other words a setting takes)."""
    value = raw.strip().lower()
    if value not in UNSIGNED_RATING_POLICIES:
        raise ConfigError(f"must be one of {', '.join(UNSIGNED_RATING_POLICIES)}, got {raw!r}")
    return value


#: A secret needs this many different characters: 32 of one letter passed the length check (operator
#: review). Any generated key has far more (token_urlsafe(32): ~30 of 43; token_hex(16): ~14 of 32).
_SECRET_DISTINCT = 10
_MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def _parse_secret(raw: str) -> str:
    value = raw.strip()
    if len(value) < 32:
        raise ConfigError(f"must be at least 32 characters ({_MAKE_SECRET})")
    if len(set(value)) < _SECRET_DISTINCT:
        raise ConfigError(
            f"is too repetitive for a secret ({len(set(value))} different characters); generate one "
            f"({_MAKE_SECRET})"
        )
    return value


#: More previous secrets than a rotation needs: each is one more HMAC for an entry no key signed.
MAX_PREVIOUS_SECRETS = 10


@dataclass(frozen=True, slots=True)
class _PreviousSecrets:
    """Secrets separated by commas, else by whitespace, each checked as GREENRATE_SECRET_KEY is (whose
    value may hold spaces: listed with commas, it keeps them); empty: none.

    An empty item (two commas in a row, one at an end) is refused rather than skipped: it is a secret lost
    in a copy and paste. A message never quotes a secret, only its position.
    """

    def __call__(self, raw: str) -> tuple[str, ...]:
        value = raw.strip()
        if not value:  # unset, so compose files can pass GREENRATE_PREVIOUS_SECRET_KEYS= through
            return ()
        return self.check(value.split(",") if "," in value else value.split())

    def check(self, value: object) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ConfigError("must be given as text, or a list of secrets")
        if len(value) > MAX_PREVIOUS_SECRETS:
            raise ConfigError(
                f"lists {len(value)} secrets; at most {MAX_PREVIOUS_SECRETS} (retire the oldest)"
            )
        secrets: list[str] = []
        for number, item in enumerate(value, 1):
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(
                    f"has an empty item (number {number}): two commas in a row, or one at an end"
                )
            try:
                secrets.append(_parse_secret(item))
            except ConfigError as exc:
                raise ConfigError(f"item {number} {exc}") from None
        if len(set(secrets)) < len(secrets):
            raise ConfigError("lists a secret twice")
        return tuple(secrets)


def _check_together(values: Mapping[str, Any]) -> None:
    """What one setting cannot tell alone: a previous secret that is the current one is a rotation half
    done (the new secret never set), which would sign on with the secret being retired."""
    current = values.get("secret_key")
    if current is not None and current in values.get("previous_secret_keys", ()):
        raise ConfigError(
            f"{PREFIX}PREVIOUS_SECRET_KEYS lists {PREFIX}SECRET_KEY itself: set {PREFIX}SECRET_KEY to the "
            "new secret and list only the secrets it replaced"
        )


#: A code revision: printable ASCII without spaces (a commit, a tag, ``0.1.0+g<commit>``), as long as the
#: ratings' column holds (service.records.tables).
_REVISION = re.compile(r"[!-~]{1,100}")


def _parse_revision(raw: str) -> str | None:
    """The build's name as the image or the deploy gives it; empty means unset (``ARG`` passed through)."""
    value = raw.strip()
    if not value:
        return None
    if not _REVISION.fullmatch(value):
        raise ConfigError("must be 1-100 printable ASCII characters without spaces, such as a git commit")
    return value


def _parse_directory(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ConfigError("must be a directory path")
    return str(Path(value).expanduser().absolute())


def _parse_bind(raw: str) -> str:
    host, sep, port = raw.strip().rpartition(":")
    # ASCII digits: str.isdigit() also took "８０００" (int() read it) and "²" (int() raised ValueError)
    if not sep or not host or not re.fullmatch(r"[0-9]{1,5}", port) or not 0 < int(port) < 65536:
        raise ConfigError(f"must be HOST:PORT, got {raw!r}")
    return raw.strip()


_APP_PARSERS: dict[str, Callable[[str], Any]] = {
    "database_url": _parse_database_url,
    "database_pool_size": _WholeNumber(1, 200),
    "database_timeout_seconds": _WholeNumber(1, 60),
    "database_command_timeout_seconds": _WholeNumber(0, 86_400),
    "migration_lock_timeout_seconds": _Number(0, 600),
    "redis_url": _parse_redis_url,
    "redis_timeout_ms": _WholeNumber(5, 5_000),
    "redis_namespace": _parse_namespace,
    "cache_breaker_failures": _WholeNumber(1, 1_000),
    "cache_breaker_reset_seconds": _Number(0.1, 3_600),
    "cache_max_entries": _WholeNumber(1, 10_000_000),
    "cache_max_bytes": _WholeNumber(1_024 * 1_024, 64 * 1_024 * 1_024 * 1_024),
    "rating_validity_days": _WholeNumber(1, 3_660),
    "rate_limit": _parse_rate_limit,
    "batch_item_rate_limit": _parse_batch_item_budget,
    "pdf_rate_limit": _parse_rate_limit,
    "max_body_bytes": _WholeNumber(1_024, 256 * 1024 * 1024),
    "key_cache_seconds": _Number(0, 3_600),
    "retry_after_seconds": _WholeNumber(1, 3_600),
    "log_level": _parse_log_level,
    "access_log": _parse_bool,
    "secret_key": _parse_secret,
    "previous_secret_keys": _PreviousSecrets(),
    "unsigned_ratings": _parse_unsigned_ratings,
    "page_rate_limit": _parse_rate_limit,
    "privacy_contact": _parse_privacy_contact,
    "proxy_hops": _WholeNumber(0, 5),
    "model_poll_seconds": _Number(0, 3_600),
    "model_four_eyes": _parse_bool,
    "model_require_comparison": _parse_bool,
    "portfolio_dir": _parse_directory,
    "portfolio_max_bytes": _WholeNumber(1_024, 1_024 * 1_024 * 1_024 * 1_024),
    "portfolio_max_rows": _WholeNumber(1, 1_000_000_000),
    "portfolio_jobs_per_tenant": _WholeNumber(1, 1_000),
    "portfolio_chunk_rows": _WholeNumber(100, 1_000_000),
    "portfolio_job_timeout_seconds": _WholeNumber(60, 7 * 24 * 3600),
    "portfolio_processes": _WholeNumber(1, 64),
    "portfolio_retention_days": _WholeNumber(0, 36_600),
    "revision": _parse_revision,
}

_SERVER_PARSERS: dict[str, Callable[[str], Any]] = {
    "bind": _parse_bind,
    "workers": _WholeNumber(1, 64),
    "threads": _WholeNumber(1, 64),
    "timeout_seconds": _WholeNumber(1, 3_600),
    "graceful_timeout_seconds": _WholeNumber(1, 3_600),
    "keepalive_seconds": _WholeNumber(0, 300),
    "max_requests": _WholeNumber(0, 10_000_000),
    "max_requests_jitter": _WholeNumber(0, 10_000_000),
}

#: Every accepted variable name, for the README's table and for refusing typos.
KNOWN_VARIABLES = tuple(PREFIX + name.upper() for name in (*_APP_PARSERS, *_SERVER_PARSERS))


def _read(environ: Mapping[str, str], parsers: Mapping[str, Callable[[str], Any]]) -> dict[str, Any]:
    unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in KNOWN_VARIABLES)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(KNOWN_VARIABLES)}")
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        raw = environ.get(PREFIX + name.upper())
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except ConfigError as exc:
            raise ConfigError(f"{PREFIX}{name.upper()} {exc}") from None
    return values


#: Settings that may be unset (``None``): an override of ``None`` unsets them.
_UNSET_ALLOWED = frozenset(f.name for f in dataclasses.fields(Settings) if f.default is None)


def _override(name: str, value: Any) -> Any:
    """An override checked as strictly as the environment: text (or a path) goes through the variable's
    parser, a number or bool through the same range; so a test cannot build an app production refuses."""
    parse = _APP_PARSERS.get(name)
    if parse is None:  # metrics_multiproc_dir: prometheus_client's variable, not one of ours
        return value
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return parse(value)
    if value is None and name in _UNSET_ALLOWED:
        return None
    check: Callable[[object], Any] | None = getattr(parse, "check", None)
    if check is None:
        raise ConfigError(f"must be given as text, got {value!r}")
    return check(value)


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then the environment, then ``overrides`` (for tests), all checked alike.

    :param overrides: keys are :class:`Settings` field names in upper or lower case; other keys are
        ignored here (they are plain Flask config, such as ``TESTING``). A value given as text is parsed
        like its ``GREENRATE_`` variable; a number or bool must be within the same range.
    :param environ: the environment to read; the process environment when omitted.
    :raises ConfigError: a variable or an override production would refuse.
    """
    env = os.environ if environ is None else environ
    values = _read(env, _APP_PARSERS)
    if "database_pool_size" not in values:  # one connection per request a worker can serve at once
        values["database_pool_size"] = _read(env, {"threads": _SERVER_PARSERS["threads"]}).get(
            "threads", DEFAULT_THREADS
        )
    values["metrics_multiproc_dir"] = env.get("PROMETHEUS_MULTIPROC_DIR") or None
    names = {f.name for f in dataclasses.fields(Settings)}
    for key, value in (overrides or {}).items():
        if key.lower() in names:
            try:
                values[key.lower()] = _override(key.lower(), value)
            except ConfigError as exc:
                raise ConfigError(f"{key} {exc}") from None
    _check_together(values)
    return Settings(**values)


def load_server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """gunicorn's settings from the environment (validated like the app's)."""
    env = os.environ if environ is None else environ
    return ServerSettings(**_read(env, _SERVER_PARSERS))
