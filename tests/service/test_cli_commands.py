"""The ``greenrate`` command: migrations and API keys against the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import String, create_engine, inspect

from benchmarks.harness import free_port
from service import create_app, ratings_cli
from service.cli import main
from service.records import api_keys, migrate
from service.records.tables import api_keys as api_keys_table
from tests.conftest import bearer, payload


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_db_upgrade_from_nothing(env: dict[str, str]) -> None:
    result = run(env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"revision {migrate.head_revision()}" in result.output
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    assert {"api_keys", "ratings", "alembic_version"} <= set(inspect(db).get_table_names())
    assert run(env, "db", "upgrade").exit_code == 0  # idempotent
    assert f"current: {migrate.head_revision()}" in run(env, "db", "current").output
    assert run(env, "db", "downgrade", "base", "--drop-records").exit_code == 0
    assert set(inspect(db).get_table_names()) == {"alembic_version"}


def test_keys_create_prints_the_key_alone_on_the_last_line_and_it_works(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    result = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank", "--label", "ops")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("gr_") and " " not in key
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False})
    assert app.test_client().get("/v1/ratings", headers=bearer(key)).status_code == 200

    listing = run(env, "keys", "list").output
    assert key[:11] in listing and key not in listing and "bank-a" in listing

    assert run(env, "keys", "revoke", key[:11]).output.startswith("revoked 1 key(s); running services stop")
    assert key[:11] not in run(env, "keys", "list").output
    assert key[:11] in run(env, "keys", "list", "--all").output
    assert run(env, "keys", "revoke", key[:11]).exit_code == 1


def test_merchant_keys_need_a_merchant_id(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    assert run(env, "keys", "create", "--tenant", "t", "--role", "merchant").exit_code == 2
    assert run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--merchant-id", "m").exit_code == 2
    ok = run(env, "keys", "create", "--tenant", "t", "--role", "merchant", "--merchant-id", "shop-1")
    assert ok.exit_code == 0
    assert "shop-1" in run(env, "keys", "list", "--tenant", "t").output


@pytest.mark.parametrize(
    "args",
    [
        ("--tenant", "Bank A", "--role", "bank"),
        ("--tenant", "b", "--role", "root"),
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "shop 1"),
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "shop\u200b1"),  # zero-width space
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "m" * 65),
    ],
)
def test_bad_key_arguments(env: dict[str, str], args: tuple[str, ...]) -> None:
    run(env, "db", "upgrade")
    assert run(env, "keys", "create", *args).exit_code == 2


def test_keys_before_migrations_say_so(env: dict[str, str]) -> None:
    result = run(env, "keys", "list")
    assert result.exit_code == 1 and "greenrate db upgrade" in result.output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GREENRATE_DATABASE_URL", "mysql://nope"),
        ("GREENRATE_DATABASE_URL", "postgresql://u@h:notaport/x"),
        ("GREENRATE_DATABASE_URL", "sqlite:"),
        ("GREENRATE_REDIS_URL", "redis://h:notaport/0"),
    ],
)
@pytest.mark.parametrize("command", [("keys", "list"), ("db", "current"), ("keys", "revoke", "1")])
def test_bad_configuration_is_a_clean_error(name: str, value: str, command: tuple[str, ...]) -> None:
    result = run({name: value}, *command)
    assert result.exit_code == 1 and name in result.output


def test_worker_explains_an_unreachable_redis(env: dict[str, str]) -> None:
    result = run({**env, "GREENRATE_REDIS_URL": "redis://127.0.0.1:1/0"}, "worker", "--burst")
    assert result.exit_code == 1 and "cannot reach the Redis of GREENRATE_REDIS_URL" in result.output
    assert "Traceback" not in result.output


def test_revoke_tells_when_running_services_stop_accepting_the_key(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "t", "--role", "bank").output.strip().splitlines()[-1]
    result = run({**env, "GREENRATE_KEY_CACHE_SECONDS": "45"}, "keys", "revoke", key[:11])
    assert result.exit_code == 0, result.output
    assert "revoked 1 key(s)" in result.output
    assert "within 45 s (GREENRATE_KEY_CACHE_SECONDS)" in result.output


def test_revoke_by_the_whole_key_works_and_never_echoes_it(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "t", "--role", "bank").output.strip().splitlines()[-1]
    other = run(env, "keys", "create", "--tenant", "t", "--role", "bank").output.strip().splitlines()[-1]
    result = run(env, "keys", "revoke", key)
    assert result.exit_code == 0, result.output
    assert "revoked 1 key(s)" in result.output and key not in result.output
    listing = run(env, "keys", "list").output
    assert key[:11] not in listing and other[:11] in listing  # only that key

    again = run(env, "keys", "revoke", key)  # already revoked: refused, the secret not echoed
    assert again.exit_code == 1 and "no active key" in again.output
    assert key[11:] not in again.output and key[11:20] not in again.output
    typo = run(env, "keys", "revoke", other[:-1])  # a mistyped key matches nothing and is not echoed
    assert typo.exit_code == 1 and other[11:-1] not in typo.output
    assert other[:11] in run(env, "keys", "list").output


@pytest.mark.parametrize(
    "ident",
    [
        "99999999999999999999999",  # beyond the integer column: OverflowError on SQLite
        "9223372036854775808",  # 2**63: one past SQLite's range
        "9" * 5000,  # more digits than int() converts
        "\u00b2",  # superscript two: str.isdigit() but not int()
        "\u0661\u0662",  # Arabic-Indic "12": must not be read as id 12
        " 12",
    ],
)
def test_revoke_reads_only_ascii_ids_within_range(env: dict[str, str], ident: str) -> None:
    run(env, "db", "upgrade")
    for _ in range(12):
        run(env, "keys", "create", "--tenant", "t", "--role", "bank")
    result = run(env, "keys", "revoke", ident)
    assert result.exit_code == 1, result.output
    assert "no active key with that prefix or id" in result.output
    assert "Traceback" not in result.output
    assert len(run(env, "keys", "list").output.strip().splitlines()) == 1 + 12  # all 12 still active
    assert run(env, "keys", "revoke", "12").exit_code == 0  # ASCII digits are still an id


def test_revoke_of_an_id_beyond_postgresql_integers_is_no_such_key(postgres_url: str) -> None:
    env = {"GREENRATE_DATABASE_URL": postgres_url}
    assert run(env, "db", "upgrade").exit_code == 0
    run(env, "keys", "create", "--tenant", "t", "--role", "bank")
    result = run(env, "keys", "revoke", "3000000000")
    assert result.exit_code == 1 and "no active key with that prefix or id" in result.output
    assert "database error" not in result.output
    assert run(env, "keys", "revoke", "1").exit_code == 0


def test_keys_list_shows_the_label(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--label", "ops team laptop")
    run(env, "keys", "create", "--tenant", "t", "--role", "analyst")
    header, labelled, unlabelled = run(env, "keys", "list").output.strip().splitlines()
    assert header.split()[-1] == "label"
    assert labelled.endswith(" ops team laptop") and unlabelled.endswith(" -")


def test_a_label_longer_than_its_column_is_a_usage_error(env: dict[str, str]) -> None:
    label_type = api_keys_table.c.label.type
    assert isinstance(label_type, String) and label_type.length == api_keys.LABEL_MAX_LENGTH
    run(env, "db", "upgrade")
    result = run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--label", "x" * 121)
    assert result.exit_code == 2 and "--label" in result.output and "120" in result.output
    assert len(run(env, "keys", "list").output.strip().splitlines()) == 1  # nothing stored
    ok = run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--label", "x" * 120)
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("db", "upgrade", "--revision", "bogus"), "bogus"),
        (("db", "downgrade", "bogus"), "bogus"),
        (("db", "downgrade", "head"), "not a valid downgrade target"),
        (("db", "downgrade", "+1"), "+1"),
    ],
)
def test_bad_revisions_are_clean_errors(env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    run(env, "db", "upgrade", "--revision", "0005")  # below head, so `downgrade head` would go up
    result = run(env, *args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: migration refused:") and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [("db", "current"), ("db", "downgrade", "base"), ("db", "upgrade")])
def test_db_commands_explain_an_unreachable_database(args: tuple[str, ...]) -> None:
    url = f"postgresql://postgres:s3cret@127.0.0.1:{free_port()}/x"
    result = run({"GREENRATE_DATABASE_URL": url, "GREENRATE_DATABASE_TIMEOUT_SECONDS": "2"}, *args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: database error at postgresql+psycopg://postgres:***@127.0.0.1")
    assert "OperationalError" in result.output and "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_training_commands_without_the_training_extra_say_what_to_install(tmp_path: Path) -> None:
    """`make run` installs the service alone: train must say so in one line, and validate-data must work."""
    import subprocess
    import sys

    data = tmp_path / "d.parquet"
    script = (
        "import sys\n"
        "for name in ('sklearn', 'scipy', 'matplotlib'):\n"
        "    sys.modules[name] = None  # as if the train extra were not installed\n"
        "from service.cli import main\n"
        "main(sys.argv[1:])\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)

    assert run("model", "generate-data", "--rows", "300", "--out", str(data)).returncode == 0
    assert run("model", "validate-data", str(data)).returncode == 0
    trained = run("model", "train", "--data", str(data), "--out", str(tmp_path / "m.json"))
    assert trained.returncode == 1 and "Traceback" not in trained.stderr
    # the install the analyst guide gives, with the constraints every install takes (it said only
    # `pip install -e '.[train]'`, which installs whatever versions are newest)
    install = ".venv/bin/pip install -c constraints.txt -e '.[train]'"
    assert install in trained.stderr
    assert install in (Path(__file__).parents[2] / "docs" / "analyst-guide.md").read_text(encoding="utf-8")


def test_upgrading_to_an_older_revision_says_it_changed_nothing(env: dict[str, str]) -> None:
    assert run(env, "db", "upgrade", "--revision", "0003").output.startswith("database at revision 0003")
    run(env, "db", "upgrade")
    older = run(env, "db", "upgrade", "--revision", "0003")
    assert older.exit_code == 1
    assert f"at revision {migrate.head_revision()}, past 0003" in older.output
    assert "greenrate db downgrade 0003" in older.output
    assert f"current: {migrate.head_revision()}" in run(env, "db", "current").output  # nothing changed
    base = run(env, "db", "upgrade", "--revision", "base")
    assert base.exit_code == 1 and "past base" in base.output and "greenrate db downgrade base" in base.output


def test_a_database_behind_the_code_gets_the_upgrade_hint(env: dict[str, str]) -> None:
    """At 0006 the keys table lacks expires_at: SQLite says "no such column", which is the same cause as a
    missing table and gets the same hint."""
    assert run(env, "db", "upgrade", "--revision", "0006").exit_code == 0
    for args in (("keys", "list"), ("keys", "create", "--tenant", "t", "--role", "bank")):
        behind = run(env, *args)
        assert behind.exit_code == 1 and "greenrate db upgrade" in behind.output, args


def test_a_downgrade_below_key_expiry_revokes_the_keys_that_would_expire_and_says_so(
    env: dict[str, str],
) -> None:
    run(env, "db", "upgrade")
    expiring = run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--expires-in-days", "3")
    run(env, "keys", "create", "--tenant", "t", "--role", "bank")
    down = run(env, "db", "downgrade", "0006")
    assert down.exit_code == 0 and "revoked 1 key(s) with an expiry date" in down.output
    assert expiring.exit_code == 0
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    with db.connect() as conn:  # the 0006 table: no expiry columns, so no query of today's code
        active = conn.exec_driver_sql("SELECT id FROM api_keys WHERE revoked_at IS NULL").scalars().all()
    assert active == [2]  # the key without an expiry works on
    db.dispose()
    assert "revoked" not in run(env, "db", "downgrade", "0005").output  # nothing of the kind left to say


def test_downgrading_below_0006_says_how_many_ratings_lose_their_engine_version(env: dict[str, str]) -> None:
    """The operator review found the loss silent: the ratings stay readable, but none is reused again."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False})
    assert app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    kept = run(env, "db", "downgrade", "0006", "--drop-records")  # the signatures (0018) go: confirmed
    assert kept.exit_code == 0 and "lost the engine version" not in kept.output
    down = run(env, "db", "downgrade", "0005")
    assert down.exit_code == 0
    assert "1 rating(s) lost the engine version they were computed with" in down.output
    base = run(env, "db", "downgrade", "base", "--drop-records")
    assert "lost the engine version" not in base.output  # no ratings left
    assert "dropped api_keys (1 row(s)), ratings (1 row(s))" in base.output


def test_a_downgrade_that_drops_records_is_refused_unless_asked_and_says_what_it_dropped(
    env: dict[str, str],
) -> None:
    """`greenrate db downgrade base` had dropped every issued rating of a live service without a word
    (operations review), though the database refuses to delete a single one."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False})
    assert app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    # the migrations above 0009 (model_comparisons, 0010, is empty); their numbers may skip
    to_0009 = len(list(migrate._scripts().iterate_revisions(migrate.head_revision(), "0009")))
    assert run(env, "db", "downgrade", "--drop-records", "--", f"-{to_0009}").exit_code == 0  # signatures
    relative = run(env, "db", "downgrade", "--", "-9")  # -N steps had slipped past the check (diff review)
    assert relative.exit_code == 1 and "api_keys (1 row(s))" in relative.output, relative.output
    refused = run(env, "db", "downgrade", "base")
    assert refused.exit_code == 1 and "nothing was changed" in refused.output
    assert "ratings (1 row(s))" in refused.output and "--drop-records" in refused.output
    assert "current: 0009" in run(env, "db", "current").output
    dropped = run(env, "db", "downgrade", "0001_initial", "--drop-records")
    assert dropped.exit_code == 0 and "dropped models (1 row(s))" in dropped.output  # the packaged default
    assert "ratings" not in dropped.output.split("dropped", 1)[1]  # 0001 keeps ratings and keys


def test_the_tables_each_migration_creates_are_the_ones_a_downgrade_says_it_drops(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
    script_order = [
        "0001_initial", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
        "0012", "0013", "0014", "0015", "0016", "0017", "0018", "0019", "0020",
        "0021", "0022", "0023", "0024", "0025", "0026", "0027", "0028", "0029", "0030", "0031",
        "0032",
    ]
    assert script_order[-1] == migrate.head_revision()
    seen: set[str] = set()
    for revision in script_order:
        migrate.upgrade(db, revision)
        new = set(inspect(db).get_table_names()) - seen - {"alembic_version"}
        assert new == {t for t, created in migrate.TABLES_CREATED_IN.items() if created == revision}, revision
        seen |= new
    db.dispose()


def test_a_downgrade_that_drops_the_ratings_signatures_needs_drop_records(env: dict[str, str]) -> None:
    """Going below migration 0018 drops every rating's signature for good: no command signs a rating after
    issue, so after upgrading again each is refused (500) under the default policy, and nothing shows any
    longer that it is the rating issued (internal-audit review: one command made every rating a loan rests
    on unprovable, where dropping a table of records is refused unless --drop-records). It is refused the
    same way, nothing changed; with --drop-records it goes down (next test)."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False,
                      "SECRET_KEY": "downgrade-test-secret-0123456789abcdefgh"})
    client = app.test_client()
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert issued.status_code == 201
    down = run(env, "db", "downgrade", "0017")
    assert down.exit_code == 1, down.output
    assert "going down to 0017 drops the signatures of 1 rating(s)" in down.output
    assert "nothing was changed" in down.output and "--drop-records" in down.output
    assert migrate.current_revision(create_engine(env["GREENRATE_DATABASE_URL"])) == migrate.head_revision()
    assert client.get(f"/v1/ratings/{issued.get_json()['id']}", headers=bearer(key)).data == issued.data
    assert run(env, "db", "downgrade", "0018").exit_code == 0  # v1 stays: nothing to confirm


def test_downgrading_below_0018_says_how_many_ratings_lose_their_signature(env: dict[str, str]) -> None:
    """Going below migration 0018 drops the ratings' signatures: they are served on, as ratings from before
    signing, and a change to them is no longer caught. The downgrade said nothing of it."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False,
                      "SECRET_KEY": "downgrade-test-secret-0123456789abcdefgh"})
    assert app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    down = run(env, "db", "downgrade", "0017", "--drop-records")
    assert down.exit_code == 0, down.output
    assert "1 rating(s) lost their signature" in down.output
    assert "refused unless GREENRATE_UNSIGNED_RATINGS=serve" in down.output
    # the build (0019) went in the same run, but no v1 signature is left to serve and verify them by (H3)
    assert "1 rating(s) lost the build that issued them" in down.output
    assert "v1 signature" not in down.output
    assert "lost their signature" not in run(env, "db", "downgrade", "0016").output  # nothing left to lose
    # upgrading again through 0018 says what the default policy does with the unsigned rating
    up = run(env, "db", "upgrade")
    assert up.exit_code == 0, up.output
    assert "1 rating(s) were issued before ratings were signed (migration 0018)" in up.output
    assert "the service refuses them (500, and any GET /v1/ratings page holding one) under " \
        "GREENRATE_UNSIGNED_RATINGS=refuse" in up.output
    run(env, "db", "downgrade", "0017", "--drop-records")
    served = run({**env, "GREENRATE_UNSIGNED_RATINGS": "serve"}, "db", "upgrade")
    assert "they are served (GREENRATE_UNSIGNED_RATINGS=serve)" in served.output


def test_every_upgrade_says_how_many_ratings_are_unsigned_and_what_the_policy_does_with_them(
    env: dict[str, str],
) -> None:
    """A database the release before had already taken to 0018 holds its unsigned ratings still; the
    upgrade to this release said nothing of them (they were counted only by the run adding the column), and
    under the new default, refuse, each of them answered 500 (integrator review). The way out it names is
    serve, or erasing them and rating their inputs again: no command signs a rating after issue (one that
    did could only ever sign rows the service never issued: docs/operations.md, Unsigned ratings)."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False,
                      "SECRET_KEY": "upgrade-test-secret-0123456789abcdefghij"})
    assert app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    assert "carry no signature" not in run(env, "db", "upgrade").output  # signed: nothing to say
    run(env, "db", "downgrade", "0017", "--drop-records")  # unsigned now, as one from before signing
    assert run(env, "db", "upgrade").exit_code == 0
    assert migrate.current_revision(create_engine(env["GREENRATE_DATABASE_URL"])) == migrate.head_revision()
    for _ in range(2):  # at head already, nothing to migrate: said on every run
        refused = run(env, "db", "upgrade")
        assert refused.exit_code == 0, refused.output
        assert "1 rating(s) were issued before ratings were signed (migration 0018) and carry no signature" \
            in refused.output
        assert "the service refuses them (500" in refused.output
        assert "set GREENRATE_UNSIGNED_RATINGS=serve" in refused.output
        assert "or erase them (greenrate ratings erase) and rate their inputs again" in refused.output
        assert "sign-" not in refused.output
    served = run({**env, "GREENRATE_UNSIGNED_RATINGS": "serve"}, "db", "upgrade")
    assert served.exit_code == 0, served.output
    assert "1 rating(s) were issued before ratings were signed" in served.output
    assert "they are served (GREENRATE_UNSIGNED_RATINGS=serve)" in served.output
    assert "or erase them (greenrate ratings erase) and rate their inputs again" in served.output
    assert "refuses" not in served.output and "sign-" not in served.output
    # and there is no command that would sign them
    assert not [name for name in ratings_cli.ratings.commands if "sign" in name]


def test_downgrading_below_0019_says_how_many_ratings_lose_their_build(env: dict[str, str]) -> None:
    """Going below migration 0019 drops the build each rating records and its v2 signature; the v1
    signature stays, so nothing is said of signatures."""
    run(env, "db", "upgrade")
    key = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank").output.strip().splitlines()[-1]
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False,
                      "SECRET_KEY": "downgrade-test-secret-0123456789abcdefgh", "REVISION": "build-a"})
    assert app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    down = run(env, "db", "downgrade", "0018")
    assert down.exit_code == 0, down.output
    assert "1 rating(s) lost the build that issued them" in down.output
    assert "lost their signature" not in down.output
    assert "lost the build" not in run(env, "db", "downgrade", "0017", "--drop-records").output  # none left
