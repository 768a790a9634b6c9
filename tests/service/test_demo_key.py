"""``make run``'s demo key (``greenrate keys demo``): the same key on every run beside the embedded database.

It created a new key on every run, each still working (newcomer review): a restart printed another key,
the one in the shell's history still worked, and the live demo keys piled up.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from service.auth import hash_key
from service.cli import main
from service.demo_key import DEMO_LABEL, KEY_FILE
from service.records import api_keys

ROOT = Path(__file__).parents[2]
_KEY = re.compile(r"^    (gr_\S+)$", re.M)


def run(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def printed_key(result: Result) -> str:
    keys = _KEY.findall(result.output)
    assert len(keys) == 1, result.output  # on a line of its own
    return str(keys[0])


def demo_keys(url: str, tenant: str = "demo-bank") -> list[api_keys.KeyRecord]:
    """The tenant's working demo keys."""
    db = create_engine(url)
    try:
        return [k for k in api_keys.list_keys(db, tenant=tenant) if k.label == DEMO_LABEL]
    finally:
        db.dispose()


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def env(instance: Path) -> dict[str, str]:
    """The embedded default database, in an instance directory of the test's own."""
    environment = {"GREENRATE_INSTANCE_DIR": str(instance)}
    run(environment, "db", "upgrade")
    return environment


def test_make_runs_demo_key_is_the_same_on_every_run_and_kept_owner_only(
    env: dict[str, str], instance: Path
) -> None:
    url = f"sqlite:///{instance / 'greenrate.sqlite3'}"
    first = run(env, "keys", "demo", "--tenant", "demo-bank")
    key = printed_key(first)
    assert "new" in first.output and str(instance / KEY_FILE) in first.output
    again = run(env, "keys", "demo", "--tenant", "demo-bank")
    assert printed_key(again) == key and "the one an earlier run kept in" in again.output
    assert [k.prefix for k in demo_keys(url)] == [key[:11]]  # one live demo key, not one per run
    kept = instance / KEY_FILE
    assert kept.read_text(encoding="ascii").strip() == key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert [p.name for p in instance.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_revoked_demo_key_is_replaced_and_the_file_follows(env: dict[str, str], instance: Path) -> None:
    key = printed_key(run(env, "keys", "demo"))
    run(env, "keys", "revoke", key[:11])
    new = printed_key(run(env, "keys", "demo"))
    assert new != key and (instance / KEY_FILE).read_text(encoding="ascii").strip() == new
    assert printed_key(run(env, "keys", "demo")) == new


def test_demo_keys_made_before_keys_were_kept_are_revoked_by_the_first_run(
    env: dict[str, str], instance: Path
) -> None:
    """The keys earlier `make run`s made (same label, their secrets only in shell histories): the first run
    that makes a kept key revokes them, so one demo key works, the one printed."""
    url = f"sqlite:///{instance / 'greenrate.sqlite3'}"
    for _ in range(2):
        run(env, "keys", "create", "--tenant", "demo-bank", "--role", "bank", "--label", DEMO_LABEL)
    other = run(env, "keys", "create", "--tenant", "demo-bank", "--role", "bank", "--label", "ops")
    result = run(env, "keys", "demo")
    assert "revoked the 2 demo key(s) made before it" in result.output
    assert [k.prefix for k in demo_keys(url)] == [printed_key(result)[:11]]
    ops_key = other.output.strip().splitlines()[-1]
    db = create_engine(url)
    assert api_keys.find_active_key(db, hash_key(ops_key)) is not None  # not a demo key: left alone
    db.dispose()


def test_a_kept_key_others_could_read_is_not_printed_again(env: dict[str, str], instance: Path) -> None:
    key = printed_key(run(env, "keys", "demo"))
    os.chmod(instance / KEY_FILE, 0o644)
    new = printed_key(run(env, "keys", "demo"))
    assert new != key
    assert stat.S_IMODE((instance / KEY_FILE).stat().st_mode) == 0o600
    url = f"sqlite:///{instance / 'greenrate.sqlite3'}"
    assert [k.prefix for k in demo_keys(url)] == [new[:11]]  # the one that may have been read: revoked


def test_another_tenants_kept_key_is_not_printed_for_this_tenant(env: dict[str, str]) -> None:
    key = printed_key(run(env, "keys", "demo", "--tenant", "demo-bank"))
    assert printed_key(run(env, "keys", "demo", "--tenant", "other-bank")) != key


def test_on_a_configured_database_no_key_is_kept_and_one_demo_key_works(tmp_path: Path) -> None:
    """A configured database may be a server others share: no plain text on disk; each run a key shown
    once, the ones before it revoked."""
    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'configured.sqlite3'}"
    env = {"GREENRATE_INSTANCE_DIR": str(instance), "GREENRATE_DATABASE_URL": url}
    run(env, "db", "upgrade")
    first = run(env, "keys", "demo")
    assert "shown once" in first.output
    second = printed_key(run(env, "keys", "demo"))
    assert second != printed_key(first)
    assert not (instance / KEY_FILE).exists()
    assert [k.prefix for k in demo_keys(url)] == [second[:11]]


def test_the_example_is_written_to_the_instance_directory_and_the_curl_names_it(
    env: dict[str, str], instance: Path
) -> None:
    env = {**env, "GREENRATE_BIND": "127.0.0.1:8140"}
    result = run(env, "keys", "demo", "--example", '{"a": 1}')
    example = instance / "example-rating.json"
    assert example.read_text(encoding="utf-8") == '{"a": 1}\n'
    key = printed_key(result)
    curl = f'curl -s -X POST http://127.0.0.1:8140/v1/ratings -H "Authorization: Bearer {key}"'
    assert curl in result.output
    assert f"-d @{example}" in result.output


def test_make_demo_key_prints_the_same_key_twice(tmp_path: Path, instance: Path) -> None:
    """The Makefile's step itself, run twice (its migrate step taken as done: the test's `greenrate` is this
    checkout's, with no virtualenv of its own); run with -f from another directory, make says where to
    run it rather than make a virtualenv there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "greenrate"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from service.cli import main; main()' \"$@\"\n")
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "RATING_MODEL_NO_EXTENSIONS": "1",
           "GREENRATE_INSTANCE_DIR": str(instance)}
    subprocess.run([str(script), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def make() -> str:
        done = subprocess.run(["make", "-s", "-C", str(ROOT), "-o", "migrate", "demo-key",
                               f"BIN={bin_dir}"], env=env, cwd=elsewhere, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        keys = _KEY.findall(done.stdout)
        assert len(keys) == 1, done.stdout
        return str(keys[0])

    assert make() == make()
    refused = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "help"], env=env, cwd=elsewhere,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert f"run make in the checkout: make -C {ROOT.resolve()} help" in refused.stderr
    assert (instance / "example-rating.json").exists() and list(elsewhere.iterdir()) == []
