"""Service configuration: the only module that reads the process environment.

Every setting is a ``GREENRATE_``-prefixed environment variable, parsed strictly: a value that does not
parse, a value out of range or an unknown ``GREENRATE_`` name stops the process at start-up with the
variable's name, because a typo in ``GREENRATE_REDIS_URL`` silently falling back to the in-process cache
is worse than a crash. With nothing set the service runs on SQLite and an in-process cache.

This module maps each variable to its parser and reads the environment (and a test's overrides) into the
settings; the settings and their defaults are :mod:`service.config.settings`, what each value accepts is
:mod:`service.config.values` and :mod:`service.config.secret_keys`, and the default number of workers is
:mod:`service.config.cpus`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import Any

from service.config.secret_keys import PreviousSecrets, parse_secret
from service.config.settings import (
    DEFAULT_THREADS,
    ServerSettings,
    Settings,
    default_database_url,
    default_instance_dir,
    default_portfolio_dir,
)
from service.config.values import (
    ConfigError,
    Number,
    WholeNumber,
    parse_batch_item_budget,
    parse_bind,
    parse_bool,
    parse_database_url,
    parse_directory,
    parse_log_level,
    parse_namespace,
    parse_privacy_contact,
    parse_rate_limit,
    parse_redis_url,
    parse_revision,
    parse_unsigned_ratings,
)

PREFIX = "GREENRATE_"


def _check_together(values: Mapping[str, Any]) -> None:
    """What one setting cannot tell alone: a previous secret that is the current one is a rotation half
    done (the new secret never set), which would sign on with the secret being retired."""
    current = values.get("secret_key")
    if current is not None and current in values.get("previous_secret_keys", ()):
        raise ConfigError(
            f"{PREFIX}PREVIOUS_SECRET_KEYS lists {PREFIX}SECRET_KEY itself: set {PREFIX}SECRET_KEY to the "
            "new secret and list only the secrets it replaced"
        )


_APP_PARSERS: dict[str, Callable[[str], Any]] = {
    "instance_dir": parse_directory,
    "database_url": parse_database_url,
    "database_pool_size": WholeNumber(1, 200),
    "database_timeout_seconds": WholeNumber(1, 60),
    "database_command_timeout_seconds": WholeNumber(0, 86_400),
    "migration_lock_timeout_seconds": Number(0, 600),
    "redis_url": parse_redis_url,
    "redis_timeout_ms": WholeNumber(5, 5_000),
    "redis_namespace": parse_namespace,
    "cache_breaker_failures": WholeNumber(1, 1_000),
    "cache_breaker_reset_seconds": Number(0.1, 3_600),
    "cache_max_entries": WholeNumber(1, 10_000_000),
    "cache_max_bytes": WholeNumber(1_024 * 1_024, 64 * 1_024 * 1_024 * 1_024),
    "rating_validity_days": WholeNumber(1, 3_660),
    "rate_limit": parse_rate_limit,
    "batch_item_rate_limit": parse_batch_item_budget,
    "pdf_rate_limit": parse_rate_limit,
    "failed_auth_rate_limit": parse_rate_limit,
    "max_body_bytes": WholeNumber(1_024, 256 * 1024 * 1024),
    "key_cache_seconds": Number(0, 3_600),
    "retry_after_seconds": WholeNumber(1, 3_600),
    "log_level": parse_log_level,
    "access_log": parse_bool,
    "secret_key": parse_secret,
    "previous_secret_keys": PreviousSecrets(),
    "unsigned_ratings": parse_unsigned_ratings,
    "page_rate_limit": parse_rate_limit,
    "privacy_contact": parse_privacy_contact,
    "proxy_hops": WholeNumber(0, 5),
    "hsts_max_age_seconds": WholeNumber(0, 2 * 31_536_000),
    "model_poll_seconds": Number(0, 3_600),
    "model_four_eyes": parse_bool,
    "model_require_comparison": parse_bool,
    "model_comparison_valid_days": WholeNumber(1, 3_660),
    "portfolio_dir": parse_directory,
    "portfolio_max_bytes": WholeNumber(1_024, 1_024 * 1_024 * 1_024 * 1_024),
    "portfolio_max_rows": WholeNumber(1, 1_000_000_000),
    "portfolio_jobs_per_tenant": WholeNumber(1, 1_000),
    "portfolio_chunk_rows": WholeNumber(100, 1_000_000),
    "portfolio_job_timeout_seconds": WholeNumber(60, 7 * 24 * 3600),
    "portfolio_processes": WholeNumber(1, 64),
    "portfolio_retention_days": WholeNumber(0, 36_600),
    "revision": parse_revision,
}

_SERVER_PARSERS: dict[str, Callable[[str], Any]] = {
    "bind": parse_bind,
    "workers": WholeNumber(1, 64),
    "threads": WholeNumber(1, 64),
    "timeout_seconds": WholeNumber(1, 3_600),
    "graceful_timeout_seconds": WholeNumber(1, 3_600),
    "keepalive_seconds": WholeNumber(0, 300),
    "max_requests": WholeNumber(0, 10_000_000),
    "max_requests_jitter": WholeNumber(0, 10_000_000),
}

#: Variables only a ``greenrate`` command reads, from its own environment, and never kept in
#: :class:`Settings`: ``GREENRATE_ANALYST_KEY``, the analyst key a registry command acts as
#: (:func:`service.model_cli.registry_actor`; a secret, so no app or log sees it).
COMMAND_VARIABLES = ("analyst_key",)

#: Every accepted variable name, for the README's table and for refusing typos.
KNOWN_VARIABLES = tuple(
    PREFIX + name.upper() for name in (*_APP_PARSERS, *_SERVER_PARSERS, *COMMAND_VARIABLES)
)


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
    # The defaults that lie in the instance directory, put in the one configured (else the package's).
    instance_dir = values.setdefault("instance_dir", default_instance_dir())
    values.setdefault("database_url", default_database_url(instance_dir))
    values.setdefault("portfolio_dir", default_portfolio_dir(instance_dir))
    _check_together(values)
    return Settings(**values)


def load_server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """gunicorn's settings from the environment (validated like the app's)."""
    env = os.environ if environ is None else environ
    return ServerSettings(**_read(env, _SERVER_PARSERS))
