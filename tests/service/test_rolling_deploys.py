"""Rolling deploys across a migration: the release before keeps serving a schema migrated compatibly.

Readiness used to refuse any database not at exactly this code's revision, so the moment a new release ran
``greenrate db upgrade`` every worker of the release before went unready before the new workers were up.
Each migration now declares whether the code before it keeps working on its schema, and the migration
runner records in the database, in each migration's own transaction, the oldest revision whose code can
serve it (``schema_compatibility``). The release before is simulated two ways: this code with an older
``SCHEMA_REVISION``, or this code itself (the release before) against a copy of the migrations with one
more (:data:`NEXT`, after this code's :data:`HEAD`), as the next release would ship it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog
from flask import Flask
from sqlalchemy import Engine, create_engine, inspect, update
from structlog.testing import capture_logs

import service
from service.records import migrate, tables
from service.records.database import recorded_compatibility, schema_status
from tests.conftest import AppFactory, services_of
from tests.service.test_cli_commands import run

#: What migrations 0001..0032 declare, as read (each file says why): 0006 adds a NOT NULL column the code
#: before does not write, 0007 an expiry the code before ignores; the rest add tables, nullable columns,
#: indexes, or triggers refusing writes the code before never makes.
DECLARED = {
    "0001_initial": False, "0002": True, "0003": True, "0004": True, "0005": True, "0006": False,
    "0007": False, "0008": True, "0009": True, "0010": True, "0011": True, "0012": True, "0013": True,
    "0014": True, "0015": True, "0016": True, "0017": True, "0018": True, "0019": True,
    "0020": True, "0021": True, "0022": True, "0023": True, "0024": True, "0025": True, "0026": True,
    "0027": True, "0028": True, "0029": True, "0030": True,
    "0031": True, "0032": True,
}
#: This code's revision (the release before, in these tests), the one under it, and the next release's.
HEAD = tables.SCHEMA_REVISION
BELOW = str(migrate._scripts().get_revision(HEAD).down_revision)  # numbers may skip (two written at once)
NEXT = f"{int(HEAD) + 1:04d}"
AFTER_NEXT = f"{int(HEAD) + 2:04d}"
#: The first revision whose code reads the record: never named below it (0008..HEAD are all additive).
RECORD = "0012"

_NEXT = '''"""The next release's migration, as a test writes it."""

import sqlalchemy as sa
from alembic import op

revision = "{next}"
down_revision = "{head}"
branch_labels = None
depends_on = None
{declaration}


def upgrade() -> None:
    op.create_table("rollout_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("rollout_probe")
'''

#: Writes the migrations of the next release: ``next_release(True)`` declares NEXT compatible, ``False``
#: not, ``None`` leaves the declaration out; a string is written as the declaration.
NextRelease = Callable[[bool | str | None], None]


@pytest.fixture
def next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NextRelease]:
    """The packaged migrations plus a NEXT, which :mod:`service.records.migrate` runs from now on."""

    def write(compatible: bool | str | None) -> None:
        # a directory of its own each time: the migrations of one directory are read once
        directory = tmp_path / f"migrations-{len(list(tmp_path.glob('migrations-*')))}"
        shutil.copytree(migrate.MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
        declaration = (
            compatible if isinstance(compatible, str)
            else "" if compatible is None
            else f"compatible_with_previous_code = {compatible}"
        )
        migration = _NEXT.format(declaration=declaration, next=NEXT, head=HEAD)
        (directory / "versions" / f"{NEXT}_next.py").write_text(migration)
        monkeypatch.setattr(migrate, "MIGRATIONS_DIR", directory)

    yield write
    migrate.head_revision.cache_clear()  # in case anything asked it while the copy was in place


def assert_no_code_before_the_record_is_named(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrated to the head: the record names 0012 as the oldest revision whose code can serve it, the
    first whose code reads the record. The declarations alone reach 0007 (0008..HEAD are additive), and
    `greenrate db current` printed that, but the code of 0007..0011 reads no record and serves only a
    database at exactly its own revision (review); code of a revision before 0012 is refused, naming 0012.
    """
    migrate.upgrade(db)
    with db.connect() as conn:
        recorded = recorded_compatibility(conn)
    assert recorded is not None
    assert (recorded.revision, recorded.oldest_compatible) == (HEAD, RECORD)
    assert recorded.history == tuple(DECLARED)
    for older in ("0011", "0007", "0006"):
        monkeypatch.setattr(tables, "SCHEMA_REVISION", older)
        status = schema_status(db)
        assert status.newer is None and status.problem is not None
        assert f"at revision {HEAD}, migrated by a newer release" in status.problem
        refused = f"revision {older} cannot serve it (the oldest revision whose code can is {RECORD})"
        assert refused in status.problem


def assert_the_release_before_follows_the_next_ones_declaration(
    db: Engine, next_release: NextRelease, compatible: bool
) -> None:
    """This code (HEAD) against the next release's NEXT: served if NEXT is declared compatible, refused
    if not; downgrading to HEAD records HEAD's compatibility again, and the code serves it as its own."""
    migrate.upgrade(db)
    next_release(compatible)
    migrate.upgrade(db)
    with db.connect() as conn:
        recorded = recorded_compatibility(conn)
    assert recorded is not None and recorded.revision == NEXT
    assert recorded.oldest_compatible == (RECORD if compatible else NEXT)
    status = schema_status(db)
    if compatible:
        assert status.problem is None and status.newer is not None
        assert f"revision {NEXT}" in status.newer and f"(revision {HEAD})" in status.newer
    else:
        assert status.problem is not None and f"code at revision {HEAD} cannot serve" in status.problem
        assert f"oldest revision whose code can is {NEXT}" in status.problem
    migrate.downgrade(db, HEAD)
    with db.connect() as conn:
        restored = recorded_compatibility(conn)
    assert restored is not None and (restored.revision, restored.oldest_compatible) == (HEAD, RECORD)
    assert schema_status(db).problem is None and schema_status(db).newer is None


def test_every_migration_declares_whether_the_code_before_it_can_serve_its_schema() -> None:
    """Mandatory: a migration file without the declaration fails here (and the runner refuses it)."""
    files = sorted(p.name for p in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"))
    scripts = {script.revision: script for script in migrate._scripts().walk_revisions()}
    assert sorted(Path(script.path).name for script in scripts.values()) == files  # none is skipped
    declared = {revision: getattr(s.module, migrate.DECLARATION, None) for revision, s in scripts.items()}
    undeclared = sorted(revision for revision, value in declared.items() if not isinstance(value, bool))
    assert undeclared == [], f"declare {migrate.DECLARATION} = True or False in {undeclared}"
    assert {revision: declared[revision] for revision in DECLARED} == DECLARED


def test_a_migration_without_the_declaration_is_refused_before_anything_runs(
    tmp_path: Path, next_release: NextRelease
) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    migrate.upgrade(db)
    next_release(None)
    with pytest.raises(migrate.UndeclaredMigration, match=f"{NEXT} .* does not declare compatible_with_prev"):
        migrate.upgrade(db)
    assert migrate.current_revision(db) == HEAD and not inspect(db).has_table("rollout_probe")
    db.dispose()


def test_a_contracting_step_may_name_the_oldest_revision_whose_code_serves_it(
    tmp_path: Path, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column dropped in the release after the one that stopped using it: the code of that release (HEAD
    here) serves the schema, the code before it, which still used the column, does not; a name that is
    not a revision below the migration is refused."""
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    migrate.upgrade(db)
    next_release(f'compatible_with_previous_code = True\noldest_compatible_revision = "{NEXT}x"')
    with pytest.raises(migrate.UndeclaredMigration, match="must name a revision below it"):
        migrate.upgrade(db)
    next_release(f'compatible_with_previous_code = True\noldest_compatible_revision = "{HEAD}"')
    migrate.upgrade(db)
    with db.connect() as conn:
        recorded = recorded_compatibility(conn)
    assert recorded is not None and (recorded.revision, recorded.oldest_compatible) == (NEXT, HEAD)
    assert schema_status(db).newer is not None
    monkeypatch.setattr(tables, "SCHEMA_REVISION", BELOW)
    assert f"the oldest revision whose code can is {HEAD}" in str(schema_status(db).problem)
    db.dispose()


_AFTER_NEXT = '''"""The release after the next one's migration, as a test writes it."""

import sqlalchemy as sa
from alembic import op

revision = "{after_next}"
down_revision = "{next}"
branch_labels = None
depends_on = None
compatible_with_previous_code = True
oldest_compatible_revision = {oldest!r}


def upgrade() -> None:
    op.add_column("rollout_probe", sa.Column("note", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("rollout_probe", "note")
'''


@pytest.mark.parametrize(("oldest", "refused"), [(HEAD, True), (NEXT, False)])
def test_a_named_oldest_revision_cannot_reach_below_a_migration_that_broke_its_code(
    tmp_path: Path, next_release: NextRelease, oldest: str, refused: bool
) -> None:
    """NEXT breaks the code before it (not compatible); AFTER_NEXT naming HEAD had been recorded as is, so
    the workers of HEAD went on serving a schema NEXT broke (review). It must name NEXT or after."""
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    next_release(False)
    after = _AFTER_NEXT.format(oldest=oldest, after_next=AFTER_NEXT, next=NEXT)
    (migrate.MIGRATIONS_DIR / "versions" / f"{AFTER_NEXT}_after.py").write_text(after)
    if refused:
        with pytest.raises(migrate.UndeclaredMigration, match=(
            f"{AFTER_NEXT} .* oldest_compatible_revision = '{HEAD}', but the code of {HEAD} cannot serve "
            f"the schema below it .* must name {NEXT} or a revision after it"
        )):
            migrate.upgrade(db)
        assert migrate.current_revision(db) is None  # refused before anything ran
    else:
        migrate.upgrade(db)
        with db.connect() as conn:
            recorded = recorded_compatibility(conn)
        assert recorded is not None and (recorded.revision, recorded.oldest_compatible) == (AFTER_NEXT, NEXT)
    db.dispose()


def test_no_code_before_the_record_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_no_code_before_the_record_is_named(db, monkeypatch)
    db.dispose()


@pytest.mark.parametrize("compatible", [True, False])
def test_the_release_before_follows_the_next_ones_declaration(
    tmp_path: Path, next_release: NextRelease, compatible: bool
) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_the_release_before_follows_the_next_ones_declaration(db, next_release, compatible)
    db.dispose()


def test_readyz_is_ok_on_a_compatible_newer_schema_and_names_both_revisions(
    make_app: AppFactory, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outage this fixes: a worker of the release before (this code, HEAD), its database migrated by
    the next one."""
    app = make_app()
    next_release(True)
    migrate.upgrade(services_of(app).db)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    detail = response.json["checks"]["database"]["detail"]
    assert detail.startswith(f"sqlite; schema at revision {NEXT}") and f"(revision {HEAD})" in detail
    assert detail.endswith(f"the oldest revision whose code can is {RECORD}")
    monkeypatch.setattr(tables, "SCHEMA_REVISION", "0011")
    refused = app.test_client().get("/readyz")
    assert refused.status_code == 503
    (problem,) = refused.json["errors"]["database"]
    assert "code at revision 0011 cannot serve" in problem


def test_start_up_says_it_serves_a_newer_schema(
    app: Flask, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "_log", structlog.get_logger("greenrate.start"))
    next_release(True)
    migrate.upgrade(services_of(app).db)
    with capture_logs() as events:
        service.report_schema(services_of(app).db)
    assert [e["event"] for e in events] == ["database_schema_newer"]
    assert f"revision {NEXT}" in events[0]["detail"] and f"(revision {HEAD})" in events[0]["detail"]


def test_a_database_behind_the_code_is_still_refused(
    app: Flask, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the record in place, code newer than the database (its revision not in the database's
    history) is told to upgrade, as before; and a record that does not describe the database's revision
    (migrated some other way than `greenrate db upgrade`) is not trusted."""
    db = services_of(app).db
    monkeypatch.setattr(tables, "SCHEMA_REVISION", NEXT)
    assert schema_status(db).problem == (
        f"the database schema is at revision {HEAD}, this code needs {NEXT}: run `greenrate db upgrade`"
    )
    monkeypatch.setattr(tables, "SCHEMA_REVISION", HEAD)
    next_release(True)
    migrate.upgrade(db)
    assert schema_status(db).problem is None
    with db.begin() as conn:
        conn.execute(update(tables.schema_compatibility).values(revision=HEAD))
    assert schema_status(db).problem == (
        f"the database schema is at revision {NEXT}, this code needs {HEAD}: run `greenrate db upgrade`"
    )


def test_going_below_0012_is_not_refused_for_the_runners_own_row(tmp_path: Path) -> None:
    """`greenrate db downgrade 0011` refused to drop schema_compatibility's row as if it were records."""
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    migrate.upgrade(db)
    assert migrate.tables_dropped_by("0011") == ["rating_erasures", "rating_requests"]  # later records only
    migrate.downgrade(db, "0011")
    assert not inspect(db).has_table("schema_compatibility")
    db.dispose()


def test_the_command_says_which_code_can_serve_and_refuses_an_undeclared_migration(
    tmp_path: Path, next_release: NextRelease
) -> None:
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    assert run(env, "db", "upgrade").exit_code == 0
    current = f"current: {HEAD}  head: {HEAD}  oldest compatible: {RECORD}"
    assert run(env, "db", "current").output.strip() == current
    next_release(None)
    refused = run(env, "db", "upgrade")
    assert refused.exit_code == 1
    assert f"migration refused: migration {NEXT}" in refused.output and "does not declare" in refused.output


@pytest.mark.parametrize("compatible", [True, False])
def test_a_container_of_the_release_before_starts_on_a_schema_it_can_serve(
    tmp_path: Path, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch, compatible: bool
) -> None:
    """The image runs `greenrate db upgrade` as every container starts: one of the release before,
    (re)started once the next release migrated, failed on "Can't locate revision '<NEXT>'"."""
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    ours = migrate.MIGRATIONS_DIR
    next_release(compatible)
    assert run(env, "db", "upgrade").exit_code == 0  # the next release migrates
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", ours)  # this release's container starts
    started = run(env, "db", "upgrade")
    if compatible:
        assert started.exit_code == 0, started.output
        newer = f"nothing to migrate: schema at revision {NEXT}, migrated by a newer"
        assert started.output.startswith(newer)
    else:
        assert started.exit_code == 1 and f"Can't locate revision identified by '{NEXT}'" in started.output
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    assert migrate.current_revision(db) == NEXT
    db.dispose()
