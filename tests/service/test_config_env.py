"""Configuration: GREENRATE_ variables parsed strictly, with defaults that need no server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import create_app
from service.config import KNOWN_VARIABLES, load_server_settings, load_settings
from service.config.settings import Settings
from service.config.values import ConfigError


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(environ={})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "greenrate.sqlite3"
    )
    assert settings.redis_url is None
    assert settings.access_log is True


def test_values_are_parsed_to_types() -> None:
    settings = load_settings(
        environ={
            "GREENRATE_DATABASE_URL": "postgresql://u@db/g",
            "GREENRATE_REDIS_URL": "redis://cache:6379/1",
            "GREENRATE_REDIS_TIMEOUT_MS": "250",
            "GREENRATE_CACHE_BREAKER_RESET_SECONDS": "2.5",
            "GREENRATE_ACCESS_LOG": "off",
            "GREENRATE_LOG_LEVEL": "debug",
            "GREENRATE_RATE_LIMIT": "10/second;100/minute",
        }
    )
    assert settings.database_url == "postgresql://u@db/g"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.redis_timeout_ms == 250
    assert settings.cache_breaker_reset_seconds == 2.5
    assert settings.access_log is False
    assert settings.log_level == "DEBUG"


def test_a_comparison_counts_for_thirty_days_unless_set() -> None:
    assert load_settings(environ={}).model_comparison_valid_days == 30
    given = load_settings(environ={"GREENRATE_MODEL_COMPARISON_VALID_DAYS": " 90 "})
    assert given.model_comparison_valid_days == 90


def test_empty_redis_url_means_unset() -> None:
    assert load_settings(environ={"GREENRATE_REDIS_URL": ""}).redis_url is None


def test_the_privacy_contact_is_one_line_of_text_and_empty_means_none() -> None:
    assert load_settings(environ={}).privacy_contact is None
    assert load_settings(environ={"GREENRATE_PRIVACY_CONTACT": "  "}).privacy_contact is None
    given = load_settings(environ={"GREENRATE_PRIVACY_CONTACT": " 数据保护专员 dpo@bank.example "})
    assert given.privacy_contact == "数据保护专员 dpo@bank.example"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GREENRATE_REDIS_TIMEOUT_MS", "fast"),
        ("GREENRATE_REDIS_TIMEOUT_MS", "0"),
        ("GREENRATE_DATABASE_POOL_SIZE", "1.5"),
        ("GREENRATE_ACCESS_LOG", "maybe"),
        ("GREENRATE_DATABASE_URL", "mysql://x"),
        ("GREENRATE_REDIS_URL", "http://cache"),
        ("GREENRATE_RATE_LIMIT", "lots"),
        ("GREENRATE_LOG_LEVEL", "LOUD"),
        ("GREENRATE_CACHE_BREAKER_RESET_SECONDS", "nan"),
        ("GREENRATE_REDIS_NAMESPACE", "a b"),
        ("GREENRATE_DATABASE_URL", "postgresql://u@h:notaport/x"),
        ("GREENRATE_DATABASE_URL", "postgresql://u@h:70000/x"),
        ("GREENRATE_DATABASE_URL", "sqlite:"),
        ("GREENRATE_DATABASE_URL", "postgresql:"),
        ("GREENRATE_DATABASE_URL", "postgresql+psycopg2://h/x"),
        ("GREENRATE_REDIS_URL", "redis://h:notaport/0"),
        ("GREENRATE_REDIS_URL", "redis://h:0/0"),
        ("GREENRATE_REDIS_URL", "redis:"),
        ("GREENRATE_REDIS_URL", "unix:"),
        ("GREENRATE_REDIS_URL", "unix://"),
        ("GREENRATE_REDIS_URL", "redis://127.0.0.1:6379/notadb"),
        ("GREENRATE_REDIS_URL", "redis://127.0.0.1:6379/1/2"),
        ("GREENRATE_REDIS_URL", "redis://127.0.0.1:6379/-1"),
        ("GREENRATE_REDIS_URL", "redis://127.0.0.1:6379/0?db=x"),
        ("GREENRATE_REDIS_URL", "unix:///run/redis.sock?db=x"),
        ("GREENRATE_PRIVACY_CONTACT", "privacy@bank.example\nSecond line"),
        ("GREENRATE_PRIVACY_CONTACT", "privacy@\u202eelpmaxe.knab"),
        ("GREENRATE_PRIVACY_CONTACT", "x" * 201),
        ("GREENRATE_MODEL_COMPARISON_VALID_DAYS", "0"),
        ("GREENRATE_MODEL_COMPARISON_VALID_DAYS", "3_0"),
        ("GREENRATE_MODEL_COMPARISON_VALID_DAYS", "30d"),
        ("GREENRATE_MODEL_COMPARISON_VALID_DAYS", "3661"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(environ={name: value})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GREENRATE_WORKERS", "1_0", "GREENRATE_WORKERS must be a whole number, got '1_0'"),
        ("GREENRATE_WORKERS", "\uff11\uff10", "GREENRATE_WORKERS must be a whole number, got '\uff11\uff10'"),
        ("GREENRATE_THREADS", "\u0663", "GREENRATE_THREADS must be a whole number, got '\u0663'"),
        ("GREENRATE_WORKERS", "1e1", "GREENRATE_WORKERS must be a whole number, got '1e1'"),
        ("GREENRATE_WORKERS", "9" * 5000, "GREENRATE_WORKERS must be between 1 and 64, got '999"),
        ("GREENRATE_BIND", "127.0.0.1:\uff18\uff10\uff10\uff10",
         "GREENRATE_BIND must be HOST:PORT, got '127.0.0.1:\uff18\uff10\uff10\uff10'"),
        ("GREENRATE_BIND", "127.0.0.1:\u00b2", "GREENRATE_BIND must be HOST:PORT, got '127.0.0.1:\u00b2'"),
    ],
)
def test_server_numbers_are_ascii_digits_only(name: str, value: str, message: str) -> None:
    """int() also reads '1_0' and other scripts' digits: GREENRATE_WORKERS=1_0 ran ten workers, and a
    port of '²' passed str.isdigit() and then crashed int() (contract review)."""
    with pytest.raises(ConfigError) as refused:
        load_server_settings(environ={name: value})
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GREENRATE_REDIS_TIMEOUT_MS", "2_50",
         "GREENRATE_REDIS_TIMEOUT_MS must be a whole number, got '2_50'"),
        ("GREENRATE_CACHE_BREAKER_RESET_SECONDS", "2_5", "GREENRATE_CACHE_BREAKER_RESET_SECONDS must be a "
         "number, got '2_5'"),
        ("GREENRATE_KEY_CACHE_SECONDS", "\uff13.\uff15", "GREENRATE_KEY_CACHE_SECONDS must be a number, got "
         "'\uff13.\uff15'"),
        ("GREENRATE_KEY_CACHE_SECONDS", "1e1", "GREENRATE_KEY_CACHE_SECONDS must be a number, got '1e1'"),
        ("GREENRATE_KEY_CACHE_SECONDS", "inf", "GREENRATE_KEY_CACHE_SECONDS must be a number, got 'inf'"),
    ],
)
def test_app_numbers_are_ascii_decimal_literals_only(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={name: value})
    assert str(refused.value) == message


def test_plain_ascii_numbers_still_parse() -> None:
    server = load_server_settings(environ={"GREENRATE_WORKERS": " 10 ", "GREENRATE_THREADS": "+2",
                                           "GREENRATE_BIND": "0.0.0.0:8080"})
    assert (server.workers, server.threads, server.bind) == (10, 2, "0.0.0.0:8080")
    settings = load_settings(environ={"GREENRATE_KEY_CACHE_SECONDS": ".5",
                                      "GREENRATE_CACHE_BREAKER_RESET_SECONDS": "30."})
    assert (settings.key_cache_seconds, settings.cache_breaker_reset_seconds) == (0.5, 30.0)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///relative/g.sqlite3",
        "sqlite:////abs/g.sqlite3",
        "sqlite://",
        "postgresql://u:p@db:5432/g",
        "postgresql://u@db/g",
        "postgresql:///g",
        "postgresql+psycopg://u@[::1]:5432/g",
        "postgres://u:p@db:5432/g",  # as platforms hand it out (it was refused; operations review)
    ],
)
def test_valid_database_urls_stay_valid(url: str) -> None:
    assert load_settings(environ={"GREENRATE_DATABASE_URL": url}).database_url == url


@pytest.mark.parametrize(
    "url",
    [
        "redis://cache:6379/1",
        "redis://cache",
        "redis://cache/",
        "redis://:secret@cache:6379/15",
        "rediss://u:p@cache:6380/2",
        "redis://[::1]:6379/0",
        "redis://cache:6379?db=3",
        "unix:///run/redis.sock?db=3",
        "unix:///run/redis.sock",
    ],
)
def test_valid_redis_urls_stay_valid(url: str) -> None:
    assert load_settings(environ={"GREENRATE_REDIS_URL": url}).redis_url == url


def test_a_bad_url_error_does_not_echo_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"GREENRATE_DATABASE_URL": "postgresql://u:hunter2@h:notaport/x"})
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"GREENRATE_REDIS_URL": "redis://:hunter2@h:6379/notadb"})
    assert "hunter2" not in str(caught.value)


def test_unknown_greenrate_variable_is_refused() -> None:
    with pytest.raises(ConfigError, match="GREENRATE_REDIS_ULR"):
        load_settings(environ={"GREENRATE_REDIS_ULR": "redis://x"})


def test_server_settings() -> None:
    server = load_server_settings(environ={"GREENRATE_WORKERS": "3", "GREENRATE_BIND": "0.0.0.0:9000"})
    assert (server.workers, server.bind) == (3, "0.0.0.0:9000")
    with pytest.raises(ConfigError, match="GREENRATE_BIND"):
        load_server_settings(environ={"GREENRATE_BIND": "nowhere"})


def test_every_settings_field_has_a_variable_and_the_readme_lists_them() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name in KNOWN_VARIABLES:
        assert f"`{name}`" in readme, name
    fields = set(Settings.__dataclass_fields__) - {"metrics_multiproc_dir"}
    assert {f"GREENRATE_{f.upper()}" for f in fields} <= set(KNOWN_VARIABLES)


def test_create_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("GREENRATE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("GREENRATE_MAX_BODY_BYTES", "4096")
    app = create_app({"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    monkeypatch.setenv("GREENRATE_MAX_BODY_BYTES", "lots")
    with pytest.raises(ConfigError):
        create_app()


def test_test_config_overrides_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("GREENRATE_MAX_BODY_BYTES", "4096")
    app = create_app(
        {"TESTING": True, "MAX_BODY_BYTES": 8192, "DATABASE_URL": f"sqlite:///{tmp_path}/y.sqlite3"}
    )
    assert app.config["MAX_CONTENT_LENGTH"] == 8192
    assert app.testing


def test_default_workers_follow_the_usable_cpus_and_stay_under_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 x CPUs + 1 from the affinity and a cgroup quota, at most 9: a 64-core host's 129 workers could
    have asked PostgreSQL for 1,290 connections (operator review)."""
    from service.config import cpus

    quota, v1 = tmp_path / "cpu.max", tmp_path / "v1"
    quota.write_text("200000 100000\n")  # docker run --cpus 2
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda _pid: set(range(64)))
    assert cpus.usable_cpus(quota, v1) == 2
    quota.write_text("max 100000\n")
    assert cpus.usable_cpus(quota, v1) == 64
    assert cpus.usable_cpus(tmp_path / "absent", v1) == 64
    quota.write_text("50000 100000\n")  # half a CPU is one
    assert cpus.usable_cpus(quota, v1) == 1
    v1.mkdir()  # cgroup v1: cfs quota and period in microseconds; -1 is no quota
    (v1 / "cpu.cfs_quota_us").write_text("300000\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert cpus.usable_cpus(tmp_path / "absent", v1) == 3
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    assert cpus.usable_cpus(tmp_path / "absent", v1) == 64
    monkeypatch.setattr(cpus, "usable_cpus", lambda: 64)
    assert cpus.default_workers() == cpus.MAX_DEFAULT_WORKERS == 9
    monkeypatch.setattr(cpus, "usable_cpus", lambda: 1)
    assert cpus.default_workers() == 3


def test_a_batch_item_budget_below_one_full_batch_is_refused() -> None:
    """Under 100 items a window, every full batch would be refused with a Retry-After it could not keep."""
    from service.config import load_settings
    from service.config.values import ConfigError

    with pytest.raises(ConfigError, match="GREENRATE_BATCH_ITEM_RATE_LIMIT.*at least 100 items"):
        load_settings(environ={"GREENRATE_BATCH_ITEM_RATE_LIMIT": "99 per minute"})
    assert load_settings(environ={"GREENRATE_BATCH_ITEM_RATE_LIMIT": "100/minute"}).batch_item_rate_limit


def test_the_database_pool_is_one_connection_per_worker_thread() -> None:
    """A request holds one connection at a time: a worker needs as many as it has threads, and no more."""
    assert load_settings(environ={}).database_pool_size == 1
    assert load_settings(environ={"GREENRATE_THREADS": "4"}).database_pool_size == 4
    given = {"GREENRATE_THREADS": "4", "GREENRATE_DATABASE_POOL_SIZE": "2"}
    assert load_settings(environ=given).database_pool_size == 2


def test_a_redis_url_refused_is_not_quoted_back() -> None:
    """A security review: a password with a slash made urllib read part of it as the port, and the refusal
    quoted it ("Port could not be cast to integer value as 'Sup3r'")."""
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"GREENRATE_REDIS_URL": "redis://:Sup3r/Secret@cache:6379/0"})
    assert "Sup3r" not in str(refused.value) and "Secret" not in str(refused.value)
    assert "GREENRATE_REDIS_URL is not a Redis URL" in str(refused.value)


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"rate_limit": "bogus"}, "rate_limit is not a rate limit"),
        ({"retry_after_seconds": -5}, "retry_after_seconds must be between 1 and 3600, got -5"),
        ({"REDIS_URL": "nonsense"}, "REDIS_URL is not a Redis URL"),
        ({"RETRY_AFTER_SECONDS": "soon"}, "RETRY_AFTER_SECONDS must be a whole number"),
        ({"RETRY_AFTER_SECONDS": 2.5}, "must be a whole number, got 2.5"),
        ({"DATABASE_POOL_SIZE": True}, "must be a whole number, got True"),
        ({"KEY_CACHE_SECONDS": float("nan")}, "KEY_CACHE_SECONDS must be between 0 and 3600"),
        ({"CACHE_BREAKER_RESET_SECONDS": 0.01}, "must be between 0.1 and 3600"),
        ({"ACCESS_LOG": 1}, "ACCESS_LOG must be true or false, got 1"),
        ({"ACCESS_LOG": "maybe"}, "must be one of true/false"),
        ({"DATABASE_URL": "mysql://h/db"}, "DATABASE_URL must be a URL starting with one of"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be given as text, got None"),
        ({"SECRET_KEY": "a" * 40}, "SECRET_KEY is too repetitive"),
        ({"BATCH_ITEM_RATE_LIMIT": "99 per minute"}, "at least 100 items"),
        ({"REDIS_NAMESPACE": "two words"}, "REDIS_NAMESPACE must be 1-64 letters"),
    ],
)
def test_overrides_are_refused_where_the_environment_would_be(overrides: dict, refusal: str) -> None:
    """A test's overrides had been copied in unchecked: a test could build an app production refuses
    (``rate_limit="bogus"``, ``retry_after_seconds=-5``; a code review)."""
    with pytest.raises(ConfigError, match=re.escape(refusal)):
        load_settings(overrides, environ={})
    with pytest.raises(ConfigError):
        create_app({"TESTING": True, **overrides})


def test_overrides_are_parsed_like_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {"RETRY_AFTER_SECONDS": "7", "KEY_CACHE_SECONDS": 300, "model_poll_seconds": 0, "ACCESS_LOG": "off",
         "REDIS_URL": " redis://cache:6379/1 ", "SECRET_KEY": None, "PORTFOLIO_DIR": tmp_path / "p",
         "RATE_LIMIT": " 5 per minute", "METRICS_MULTIPROC_DIR": str(tmp_path), "TESTING": True},
        environ={},
    )
    assert (settings.retry_after_seconds, settings.key_cache_seconds) == (7, 300.0)
    assert settings.model_poll_seconds == 0.0
    assert isinstance(settings.key_cache_seconds, float) and settings.access_log is False
    assert settings.redis_url == "redis://cache:6379/1" and settings.secret_key is None
    assert settings.portfolio_dir == str(tmp_path / "p") and settings.rate_limit == "5 per minute"
    assert settings.metrics_multiproc_dir == str(tmp_path)
    assert load_settings({"REDIS_URL": ""}, environ={}).redis_url is None  # unset, as GREENRATE_REDIS_URL=


_CURRENT = "the-current-secret-0123456789abcdefghij"
_OLD = "an-old-secret-replaced-0123456789abcdefgh"
_OLDER = "an-older-secret-replaced-0123456789abcdef"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ()),
        (f" {_OLD} ", (_OLD,)),
        (f"{_OLD},{_OLDER}", (_OLD, _OLDER)),
        (f"{_OLD} , {_OLDER}", (_OLD, _OLDER)),
        (f"{_OLD}\n  {_OLDER}", (_OLD, _OLDER)),
        ("a passphrase with spaces 0123456789, " + _OLD, ("a passphrase with spaces 0123456789", _OLD)),
    ],
)
def test_previous_secret_keys_are_split_on_commas_else_whitespace(raw: str, expected: tuple) -> None:
    environ = {"GREENRATE_SECRET_KEY": _CURRENT, "GREENRATE_PREVIOUS_SECRET_KEYS": raw}
    assert load_settings(environ=environ).previous_secret_keys == expected


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        (f"{_OLD},,{_OLDER}", "has an empty item (number 2)"),
        (f"{_OLD},", "has an empty item (number 2)"),
        (f",{_OLD}", "has an empty item (number 1)"),
        (f"{_OLD},short", "item 2 must be at least 32 characters"),
        (f"{_OLD} {'b' * 40}", "item 2 is too repetitive"),
        (f"{_OLD},{_OLD}", "lists a secret twice"),
        (f"{_OLD},{_CURRENT}", "GREENRATE_PREVIOUS_SECRET_KEYS lists GREENRATE_SECRET_KEY itself"),
        (",".join(f"{_OLD}{n:02}" for n in range(11)), "lists 11 secrets; at most 10"),
    ],
)
def test_previous_secret_keys_are_refused_naming_the_item_never_the_secret(raw: str, refusal: str) -> None:
    environ = {"GREENRATE_SECRET_KEY": _CURRENT, "GREENRATE_PREVIOUS_SECRET_KEYS": raw}
    with pytest.raises(ConfigError, match=re.escape(refusal)) as refused:
        load_settings(environ=environ)
    assert str(refused.value).startswith("GREENRATE_PREVIOUS_SECRET_KEYS")
    assert _OLD not in str(refused.value) and _CURRENT not in str(refused.value)


def test_previous_secret_keys_as_overrides_and_never_in_a_repr() -> None:
    settings = load_settings({"SECRET_KEY": _CURRENT, "PREVIOUS_SECRET_KEYS": [_OLD, _OLDER]}, environ={})
    assert settings.previous_secret_keys == (_OLD, _OLDER)
    assert _OLD not in repr(settings) and _CURRENT not in repr(settings)
    with pytest.raises(ConfigError, match="PREVIOUS_SECRET_KEYS lists GREENRATE_SECRET_KEY itself"):
        load_settings({"SECRET_KEY": _CURRENT, "PREVIOUS_SECRET_KEYS": (_CURRENT,)}, environ={})
    with pytest.raises(ConfigError, match="PREVIOUS_SECRET_KEYS has an empty item"):
        load_settings({"PREVIOUS_SECRET_KEYS": [_OLD, " "]}, environ={})


def test_unsigned_ratings_are_refused_unless_the_setting_serves_them() -> None:
    """A rating without a signature is refused by default: anyone who can INSERT a row can write one."""
    assert load_settings(environ={}).unsigned_ratings == "refuse"
    for raw, policy in (("serve", "serve"), (" Refuse ", "refuse"), ("SERVE", "serve")):
        assert load_settings(environ={"GREENRATE_UNSIGNED_RATINGS": raw}).unsigned_ratings == policy
    assert load_settings({"UNSIGNED_RATINGS": "serve"}, environ={}).unsigned_ratings == "serve"


@pytest.mark.parametrize("raw", ["", "allow", "warn", "true", "served", "refuse,serve"])
def test_an_unknown_unsigned_ratings_policy_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str
) -> None:
    with pytest.raises(ConfigError, match="^GREENRATE_UNSIGNED_RATINGS must be one of refuse, serve"):
        load_settings(environ={"GREENRATE_UNSIGNED_RATINGS": raw})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREENRATE_UNSIGNED_RATINGS", raw)
    with pytest.raises(ConfigError, match="^GREENRATE_UNSIGNED_RATINGS"):
        create_app({"TESTING": True})
    with pytest.raises(ConfigError, match="^UNSIGNED_RATINGS must be one of refuse, serve"):
        load_settings({"UNSIGNED_RATINGS": raw}, environ={})
