"""A lost machine secret is not replaced in silence beside the ratings it signed (security review).

Restarted without ``instance/secret_key`` (and without ``GREENRATE_SECRET_KEY``), the service made a new
secret, answered ``/readyz`` ok, refused every rating recorded before (``other_key``) and signed new ones
with the new secret. Now it refuses to make one while the database records signed ratings, and names the
ways out; ``greenrate secret new`` makes one knowingly. A first start on an empty database is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from service.cli import main
from service.secret import service_secret
from service.secret_guard import SecretRefused
from tests.conftest import AppFactory, bearer, create_key, payload
from tests.live_services import free_port

CONFIGURED = "Xk3vR9qLm2Tz8WcYp4Hn7Bd1Fg6Js0Ae"


def _issue(app: Flask) -> str:
    response = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
    assert response.status_code in (200, 201), response.get_json()
    return str(response.get_json()["id"])


@pytest.fixture
def signed(make_app: AppFactory, tmp_path: Path) -> tuple[str, str]:
    """A database recording one rating signed with the secret of ``tmp_path / "first"``: (its URL, the id)."""
    app = make_app(INSTANCE_DIR=str(tmp_path / "first"))
    assert (tmp_path / "first" / "secret_key").is_file()  # made at start, on a database without ratings
    return app.config["GREENRATE_SETTINGS"].database_url, _issue(app)


def test_a_first_start_on_an_empty_database_makes_the_secret(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(INSTANCE_DIR=str(tmp_path / "fresh"))
    assert (tmp_path / "fresh" / "secret_key").is_file()
    assert app.test_client().get("/readyz").get_json()["checks"]["signing"]["status"] == "ok"
    _issue(app)


def test_a_lost_secret_beside_signed_ratings_is_refused_at_start_with_the_way_out(
    make_app: AppFactory, tmp_path: Path, signed: tuple[str, str]
) -> None:
    url, _ = signed
    lost = tmp_path / "lost"
    with pytest.raises(SecretRefused) as refused:
        make_app(DATABASE_URL=url, INSTANCE_DIR=str(lost))
    message = str(refused.value)
    assert f"{lost / 'secret_key'} does not exist" in message
    assert "GREENRATE_SECRET_KEY" in message and "greenrate secret new" in message
    assert not (lost / "secret_key").exists()
    with pytest.raises(SecretRefused):  # and again, with Redis, whose cache reads the secret at start
        make_app(DATABASE_URL=url, INSTANCE_DIR=str(lost), REDIS_URL="redis://127.0.0.1:9/0")
    assert not (lost / "secret_key").exists()


def test_the_restored_secret_or_a_configured_one_starts(
    make_app: AppFactory, tmp_path: Path, signed: tuple[str, str]
) -> None:
    url, rating_id = signed
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "secret_key").write_bytes((tmp_path / "first" / "secret_key").read_bytes())
    app = make_app(DATABASE_URL=url, INSTANCE_DIR=str(restored))
    key = create_key(app)
    assert app.test_client().get(f"/v1/ratings/{rating_id}", headers=bearer(key)).status_code == 200
    make_app(DATABASE_URL=url, INSTANCE_DIR=str(tmp_path / "unused"), SECRET_KEY=CONFIGURED)
    assert not (tmp_path / "unused" / "secret_key").exists()


def test_greenrate_secret_new_makes_one_knowingly_once(
    make_app: AppFactory, tmp_path: Path, signed: tuple[str, str]
) -> None:
    url, rating_id = signed
    lost = tmp_path / "lost"
    env = {"GREENRATE_DATABASE_URL": url, "GREENRATE_INSTANCE_DIR": str(lost)}
    verify = CliRunner().invoke(main, ["ratings", "verify", rating_id], env=env)
    assert verify.exit_code == 1 and "greenrate secret new" in verify.output
    assert not (lost / "secret_key").exists()  # verify made none for the service to start with
    made = CliRunner().invoke(main, ["secret", "new"], env=env)
    assert made.exit_code == 0, made.output
    assert (lost / "secret_key").is_file()
    assert "1 recorded rating(s) were signed with another secret" in made.output
    assert "GREENRATE_PREVIOUS_SECRET_KEYS" in made.output
    app = make_app(DATABASE_URL=url, INSTANCE_DIR=str(lost))
    key = create_key(app)
    assert app.test_client().get(f"/v1/ratings/{rating_id}", headers=bearer(key)).status_code == 500
    again = CliRunner().invoke(main, ["secret", "new"], env=env)
    assert again.exit_code == 1 and "exists" in again.output
    configured = CliRunner().invoke(main, ["secret", "new"], env={**env, "GREENRATE_SECRET_KEY": CONFIGURED})
    assert configured.exit_code == 1 and "GREENRATE_SECRET_KEY is set" in configured.output


def test_a_database_unreadable_at_start_defers_the_check_to_the_secrets_first_use(
    make_app: AppFactory, tmp_path: Path
) -> None:
    instance = tmp_path / "later"
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/none"
    app = make_app(DATABASE_URL=unreachable, DATABASE_TIMEOUT_SECONDS=2, INSTANCE_DIR=str(instance))
    assert not (instance / "secret_key").exists()  # started, without making one it could not check
    with pytest.raises(SecretRefused, match="cannot be read"):
        service_secret(None, app.config["GREENRATE_SETTINGS"].instance_dir)
    assert not (instance / "secret_key").exists()
    with pytest.raises(SecretRefused, match="cannot be read"):  # Redis's cache needs the secret at start
        make_app(DATABASE_URL=unreachable, DATABASE_TIMEOUT_SECONDS=2, INSTANCE_DIR=str(tmp_path / "other"),
                 REDIS_URL="redis://127.0.0.1:9/0")


def test_greenrate_secret_new_says_a_database_it_cannot_read_and_makes_nothing(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    env = {"GREENRATE_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/none",
           "GREENRATE_INSTANCE_DIR": str(instance)}
    made = CliRunner().invoke(main, ["secret", "new"], env=env)
    assert made.exit_code == 1 and "OperationalError" in made.output, made.output
    assert not (instance / "secret_key").exists()
