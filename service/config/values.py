"""What each setting accepts: one strict parser per kind of value, and the error that names it.

A parser takes the variable's text and returns the typed value or raises :class:`ConfigError`; a parser
of numbers or booleans also ``check``s a value given as one (a test's override) against the same range.
Strict, because what almost parses is worse than a crash at start-up: ``int()`` takes ``1_0`` and
full-width digits, redis-py reads ``redis://host/notadb`` as database 0, and a bad database URL would
otherwise fail only at the first connection. The secrets' own rules are in
:mod:`service.config.secret_keys`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from service.config.settings import UNSIGNED_RATING_POLICIES, UnsignedRatings

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: ``postgres://`` is what many platforms and secret stores hand out; the engine reads it as psycopg 3
_DATABASE_DRIVERS = ("sqlite", "postgresql", "postgresql+psycopg", "postgres")


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


#: What the number parsers accept, in ASCII: ``int()`` and ``float()`` also take ``1_0`` and the digits of
#: other scripts (``１０``), so GREENRATE_WORKERS=1_0 ran ten workers (contract review); ``float()`` takes
#: ``1e3``, ``inf`` and ``nan`` as well.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@dataclass(frozen=True, slots=True)
class WholeNumber:
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
class Number:
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


parse_bool = _Boolean()


def parse_database_url(raw: str) -> str:
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


def parse_redis_url(raw: str) -> str | None:
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
    except ValueError:
        # redis-py's and urllib's messages quote parts of the URL, a password's included ("Port could not be
        # cast to integer value as 'Sup3r'" for redis://:Sup3r/Secret@cache:6379/0: a security review)
        raise ConfigError("is not a Redis URL such as redis://host:6379/0 (its scheme, host, port or "
                          "database cannot be read; the value is not shown: it may hold a password)"
                          ) from None
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


def parse_rate_limit(raw: str) -> str:
    from limits import parse_many  # the limiter's own grammar, so a bad value fails here, not at request 1

    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigError(f"is not a rate limit such as '600 per minute': {exc}") from None
    return raw.strip()


def parse_batch_item_budget(raw: str) -> str:
    """A rate limit that lets a whole batch through: below one batch's items, every full batch would be
    refused, with a ``Retry-After`` that could never be honoured."""
    from limits import parse_many

    from schemas.pages import MAX_BATCH_ITEMS

    value = parse_rate_limit(raw)
    if any(item.amount < MAX_BATCH_ITEMS for item in parse_many(value)):
        raise ConfigError(f"must allow at least {MAX_BATCH_ITEMS} items (one full batch) per window")
    return value


def parse_namespace(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
        raise ConfigError("must be 1-64 letters, digits, '.', '_' or '-'")
    return value


#: The longest GREENRATE_PRIVACY_CONTACT: one line of the page, not a policy.
MAX_PRIVACY_CONTACT = 200


def parse_privacy_contact(raw: str) -> str | None:
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


def parse_log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in _LOG_LEVELS:
        raise ConfigError(f"must be one of {', '.join(_LOG_LEVELS)}")
    return value


def parse_unsigned_ratings(raw: str) -> UnsignedRatings:
    """``refuse`` or ``serve`` (any case, like the other words a setting takes)."""
    value = raw.strip().lower()
    if value not in UNSIGNED_RATING_POLICIES:
        raise ConfigError(f"must be one of {', '.join(UNSIGNED_RATING_POLICIES)}, got {raw!r}")
    return value


#: A code revision: printable ASCII without spaces (a commit, a tag, ``0.1.0+g<commit>``), as long as the
#: ratings' column holds (service.records.tables).
_REVISION = re.compile(r"[!-~]{1,100}")


def parse_revision(raw: str) -> str | None:
    """The build's name as the image or the deploy gives it; empty means unset (``ARG`` passed through)."""
    value = raw.strip()
    if not value:
        return None
    if not _REVISION.fullmatch(value):
        raise ConfigError("must be 1-100 printable ASCII characters without spaces, such as a git commit")
    return value


def parse_directory(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ConfigError("must be a directory path")
    return str(Path(value).expanduser().absolute())


def parse_bind(raw: str) -> str:
    host, sep, port = raw.strip().rpartition(":")
    # ASCII digits: str.isdigit() also took "８０００" (int() read it) and "²" (int() raised ValueError)
    if not sep or not host or not re.fullmatch(r"[0-9]{1,5}", port) or not 0 < int(port) < 65536:
        raise ConfigError(f"must be HOST:PORT, got {raw!r}")
    return raw.strip()

