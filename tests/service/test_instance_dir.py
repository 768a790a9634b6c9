"""The service's local state lies in one instance directory, whatever directory a process starts in.

The defaults were under ``./instance`` of the working directory (newcomer review): a ``greenrate`` command
run from another directory silently created and used another, empty database, portfolio directory and
secret (and ``greenrate ratings verify`` then reported every signed rating as signed with another key).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask

from service import create_app
from service.cli import main
from service.config import load_settings
from service.config.settings import default_instance_dir
from service.secret import service_secret

ROOT = Path(__file__).parents[2]


def test_the_defaults_lie_in_flasks_instance_folder_not_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    instance = Path(Flask("service").instance_path)
    assert Path(settings.instance_dir) == instance == Path(default_instance_dir())
    assert instance == ROOT / "instance"  # run from a checkout: the checkout's, as make run uses it
    assert settings.database_url == f"sqlite:///{instance / 'greenrate.sqlite3'}"
    assert Path(settings.portfolio_dir) == instance / "portfolios"
    assert not settings.database_url.startswith(f"sqlite:///{tmp_path}")


def test_greenrate_instance_dir_moves_every_default_and_explicit_settings_win(tmp_path: Path) -> None:
    instance = tmp_path / "state"
    settings = load_settings(environ={"GREENRATE_INSTANCE_DIR": str(instance)})
    assert settings.instance_dir == str(instance)
    assert settings.database_url == f"sqlite:///{instance / 'greenrate.sqlite3'}"
    assert settings.portfolio_dir == str(instance / "portfolios")
    explicit = load_settings(environ={
        "GREENRATE_INSTANCE_DIR": str(instance),
        "GREENRATE_DATABASE_URL": "postgresql://u@db:5432/g",
        "GREENRATE_PORTFOLIO_DIR": str(tmp_path / "books"),
    })
    assert explicit.database_url == "postgresql://u@db:5432/g"
    assert explicit.portfolio_dir == str(tmp_path / "books")
    overridden = load_settings({"INSTANCE_DIR": instance}, environ={})  # a test's override, as a path
    assert overridden.database_url == settings.database_url


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory apart from the instance directory (``tmp_path / "instance"``), made current."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_a_command_run_from_another_directory_uses_the_instance_directorys_database(
    elsewhere: Path, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    env = {"GREENRATE_INSTANCE_DIR": str(instance)}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    created = CliRunner().invoke(main, ["keys", "create", "--tenant", "t", "--role", "bank"], env=env)
    assert created.exit_code == 0, created.output
    assert (instance / "greenrate.sqlite3").is_file()
    assert list(elsewhere.iterdir()) == []


def test_the_machines_secret_and_the_apps_instance_path_are_the_instance_directorys(
    elsewhere: Path, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance), "ACCESS_LOG": False})
    assert app.instance_path == str(instance)
    secret = service_secret(None, app.config["GREENRATE_SETTINGS"].instance_dir)
    assert (instance / "secret_key").read_text(encoding="ascii").strip() == secret
    assert list(elsewhere.iterdir()) == []


def test_the_image_names_its_instance_directory_the_one_it_makes_and_compose_keeps() -> None:
    """Installed into /usr/local, the package's default instance folder is /usr/local/var/service-instance:
    not writable by the image's user, and not the volume compose.yaml keeps instance/secret_key in."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    named = re.search(r"^\s*GREENRATE_INSTANCE_DIR=(\S+)", dockerfile, re.M)
    assert named is not None
    instance = named.group(1)
    made = rf"mkdir -p {re.escape(instance)}\b.*chown -R greenrate:greenrate {re.escape(instance)}$"
    assert re.search(made, dockerfile, re.M)
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert f"instance:{instance}" in compose["services"]["api"]["volumes"]
    assert compose["x-greenrate-env"]["GREENRATE_PORTFOLIO_DIR"].startswith(instance + "/")


def test_state_an_earlier_release_left_in_the_working_directory_is_named_not_silently_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An installed service started from /srv/greenrate kept its database and secret in /srv/greenrate/
    instance; after the upgrade it would start on a new, empty database and a new secret without a word."""
    from service.instance import left_in_working_directory

    old = tmp_path / "srv" / "instance"
    old.mkdir(parents=True)
    (old / "greenrate.sqlite3").write_bytes(b"")
    (old / "secret_key").write_text("x" * 64, encoding="ascii")
    monkeypatch.chdir(old.parent)
    instance = tmp_path / "new"
    settings = load_settings(environ={"GREENRATE_INSTANCE_DIR": str(instance)})
    warning = left_in_working_directory(settings)
    assert warning is not None and "greenrate.sqlite3 and secret_key" in warning
    assert f"GREENRATE_INSTANCE_DIR={old}" in warning
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"GREENRATE_INSTANCE_DIR": str(instance)})
    assert result.exit_code == 0 and f"warning: {warning}" in result.stderr
    # what the settings do not read from there is not named: a configured database, a configured secret
    configured = load_settings(environ={"GREENRATE_INSTANCE_DIR": str(instance),
                                        "GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert "secret_key" in (left_in_working_directory(configured) or "")
    assert "greenrate.sqlite3" not in (left_in_working_directory(configured) or "")
    both = {"SECRET_KEY": "0123456789abcdefghij0123456789abcdefghij", "DATABASE_URL": configured.database_url,
            "INSTANCE_DIR": instance}
    assert left_in_working_directory(load_settings(both, environ={})) is None
    assert left_in_working_directory(load_settings(environ={"GREENRATE_INSTANCE_DIR": str(old)})) is None
