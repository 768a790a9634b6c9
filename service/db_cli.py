"""``greenrate db``: the database's schema migrated up and down (Alembic, packaged with the service).

Containers of two releases start side by side during a rolling deploy, and each runs ``db upgrade``: runs
take turns, give up a table lock rather than stall the service, and leave a schema a newer compatible
release migrated as it is. Going down refuses to drop tables holding rows unless told to, and says what a
downgrade took away (key expiry, the engine versions of ratings, their signatures); ``db current`` names
the oldest revision whose code can serve the database.
"""

from __future__ import annotations

import click
from alembic.util import CommandError
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from service.commands import command_settings, database
from service.models import register_packaged_default
from service.records import api_keys, migrate
from service.records.database import encoding_problem, recorded_compatibility, schema_status
from service.records.rating_signatures import count_signed, count_unsigned
from service.records.ratings import count_code_revisioned, count_engine_versioned

#: The migration that brought the ratings' signatures: going below it drops them, for good.
_SIGNING = "0018"


def _migration_error(engine: Engine, exc: CommandError | SQLAlchemyError) -> click.ClickException:
    """A migration command's failure as one line: Alembic's refusal, or the database's first line of error.

    Only the driver's first line is kept: the rest is SQLAlchemy's statement echo and a link, and the URL is
    shown without its password.
    """
    if isinstance(exc, CommandError):
        return click.ClickException(f"migration refused: {exc}")
    cause = getattr(exc, "orig", None) or exc
    first_line = next(iter(str(cause).strip().splitlines()), "")
    where = engine.url.render_as_string(hide_password=True)
    return click.ClickException(f"database error at {where}: {type(exc).__name__}: {first_line}")


def _has_signatures(engine: Engine) -> bool:
    """Whether the ratings carry signatures (migration 0018), read from the schema: a database before it
    has no column to count unsigned ratings by."""
    found = inspect(engine)
    return found.has_table("ratings") and any(c["name"] == "signature" for c in found.get_columns("ratings"))


@click.group()
def db() -> None:
    """Database migrations (Alembic, packaged with the service)."""


def _say(message: str) -> None:
    """A migration run's word that it waits (for another run, or to try a lock again), on stderr."""
    click.echo(message, err=True)


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema, one migration per transaction.

    On PostgreSQL, runs started at once (containers starting together) take turns; a migration that waits
    more than GREENRATE_MIGRATION_LOCK_TIMEOUT_SECONDS for a table's lock gives it up (the queries queued
    behind it go on) and is tried again, a few times, before the command fails saying so.

    A database a newer release migrated, compatibly with this one, is left as it is: the image runs this
    command as every container starts, and a container of the previous release (re)started during a
    rolling deploy failed on a revision it does not know ("Can't locate revision") instead of serving.

    Every run says how many ratings carry no signature, what GREENRATE_UNSIGNED_RATINGS does with them,
    and what to do instead: serve them while they must be served, or erase them and rate again (no
    command signs a rating after it was issued).
    """
    settings = command_settings()
    with database(settings) as engine:
        try:
            with engine.connect() as conn:
                encoding = encoding_problem(conn)
            if encoding is not None:  # the service would refuse to serve it: say so before migrating it
                raise click.ClickException(f"migration refused: {encoding}")
            newer = schema_status(engine).newer if revision == "head" else None
            if newer is not None:
                click.echo(f"nothing to migrate: {newer}")
                return
            migrate.upgrade(engine, revision, lock_timeout_seconds=settings.migration_lock_timeout_seconds,
                            say=_say)
            current = migrate.current_revision(engine)
            # on every run, not only the one that adds the signatures: a database upgraded from the release
            # before (already at 0018) holds its unsigned ratings still, and the default policy refuses them
            # (from 0021 the count reads a partial index of the unsigned ratings only: nothing once none is
            # left; below it, the whole table)
            unsigned = count_unsigned(engine) if _has_signatures(engine) else None
            wanted = "base" if revision == "base" else migrate.resolved_revision(revision)
            if wanted is not None and current != (None if wanted == "base" else wanted):
                # Alembic's upgrade to an older revision does nothing, silently: say so, and how to go
                # down (before anything else is written, such as the default model's registration).
                raise click.ClickException(
                    f"the database is at revision {current}, past {wanted}: upgrade never goes down, "
                    f"nothing was changed; to go down run 'greenrate db downgrade {wanted}'"
                )
            at_head = current == migrate.head_revision()
            registered = at_head and register_packaged_default(engine, "greenrate db")
        except migrate.MigrationLockTimeout as exc:
            raise click.ClickException(f"migration stopped: {exc}") from None
        except migrate.UndeclaredMigration as exc:
            raise click.ClickException(f"migration refused: {exc}") from None
        except (CommandError, SQLAlchemyError) as exc:
            raise _migration_error(engine, exc) from None
    click.echo(f"database at revision {current} ({engine.url.render_as_string(hide_password=True)})")
    if registered:
        click.echo("registered the packaged default model")
    if unsigned:  # ratings issued before migration 0018 (or that lost their signature going below it)
        served = settings.unsigned_ratings == "serve"
        click.echo(
            f"{unsigned} rating(s) were issued before ratings were signed (migration 0018) and carry no "
            "signature: " + (
                "they are served (GREENRATE_UNSIGNED_RATINGS=serve), each logged and counted; go back to "
                "refuse once they are no longer read"
                if served else
                "the service refuses them (500, and any GET /v1/ratings page holding one) under "
                "GREENRATE_UNSIGNED_RATINGS=refuse, the default; set GREENRATE_UNSIGNED_RATINGS=serve for "
                "as long as they must be served"
            ) + "; or erase them (greenrate ratings erase) and rate their inputs again, which signs the new "
            "ratings: none is ever signed after issue (docs/operations.md, Unsigned ratings)"
        )


@db.command("downgrade")
@click.argument("revision")
@click.option(
    "--drop-records",
    is_flag=True,
    help="Go down even where it drops tables holding rows (issued ratings, keys, the model registry...), or "
    "the issued ratings' signatures (below migration 0018).",
)
def db_downgrade(revision: str, drop_records: bool) -> None:
    """Migrate down to REVISION (`base` drops everything).

    A downgrade that would drop tables holding rows is refused, naming them and their rows, unless
    --drop-records is given: `greenrate db downgrade base` had dropped every issued rating of a live
    service without a word (operations review), though the database refuses to delete a single one. So is
    one that would drop the signatures of issued ratings (below migration 0018): no command signs a rating
    after issue, so each would stay unsigned for good, refused under GREENRATE_UNSIGNED_RATINGS=refuse and
    no longer provably the rating issued (internal-audit review).
    """
    settings = command_settings()
    with database(settings) as engine:
        try:
            target = migrate.downgrade_target(engine, revision)
            if target is None:  # "+1", "head-2", a typo: what it would drop cannot be told
                raise click.ClickException(
                    f"migration refused: {revision!r} is not a revision this command can go down to: name "
                    "one (greenrate db current), `base`, or -N steps"
                )
            dropped = migrate.tables_dropped_by(target)
            lost = {table: rows for table, rows in migrate.rows_in(engine, dropped).items() if rows}
            signed = count_signed(engine)
        except SQLAlchemyError as exc:
            raise _migration_error(engine, exc) from None
        listed = ", ".join(f"{table} ({rows:,} row(s))" for table, rows in lost.items())
        unsigning = bool(signed) and migrate.undoes(target, _SIGNING) and "ratings" not in lost
        if (lost or unsigning) and not drop_records:
            drops = [listed] if lost else []
            if unsigning:
                drops.append(
                    f"the signatures of {signed:,} rating(s) (migration 0018): no command signs a rating "
                    "after issue, so after upgrading again each stays unsigned, refused (500) under "
                    "GREENRATE_UNSIGNED_RATINGS=refuse, and nothing shows any longer that it is the rating "
                    "issued"
                )
            raise click.ClickException(
                f"going down to {revision} drops {'; and '.join(drops)}; nothing was changed. Export what "
                "must be kept, then run it again with --drop-records"
            )
        expiring = api_keys.count_expiring(engine)
        versioned = count_engine_versioned(engine)
        revisioned = count_code_revisioned(engine)
        try:
            migrate.downgrade(engine, revision, lock_timeout_seconds=settings.migration_lock_timeout_seconds,
                              say=_say)
            current = migrate.current_revision(engine)
        except migrate.MigrationLockTimeout as exc:
            raise click.ClickException(f"migration stopped: {exc}") from None
        except migrate.UndeclaredMigration as exc:
            raise click.ClickException(f"migration stopped: {exc}") from None
        except (CommandError, SQLAlchemyError) as exc:
            raise _migration_error(engine, exc) from None
        expiring_after = api_keys.count_expiring(engine)
        versioned_after = count_engine_versioned(engine)
        signed_after = count_signed(engine)
        revisioned_after = count_code_revisioned(engine)
        ratings_kept = inspect(engine).has_table("ratings")
    click.echo(f"database at revision {current}")
    if lost:
        click.echo(f"dropped {listed}")
    if expiring and expiring_after is None:
        click.echo(
            f"revoked {expiring} key(s) with an expiry date: revision {current} cannot expire keys, and they "
            "must not become permanent; issue new keys after upgrading again"
        )
    if versioned and versioned_after is None and ratings_kept:
        click.echo(
            f"{versioned} rating(s) lost the engine version they were computed with: each stays readable "
            "exactly as issued, but after upgrading again none is reused, so the same input gets a new "
            "rating"
        )
    if signed and signed_after is None and ratings_kept:
        click.echo(
            f"{signed} rating(s) lost their signature: this revision's release serves each as a rating "
            "issued before signing, and a change to its record in the database is no longer caught; after "
            "upgrading again it stays unsigned, refused unless GREENRATE_UNSIGNED_RATINGS=serve (greenrate "
            "ratings verify checks all but its signature)"
        )
    if revisioned and revisioned_after is None and ratings_kept:
        # below 0018 in the same run, the v1 signatures went too (said above): none is left to verify by
        v1_gone = signed and signed_after is None
        kept = "" if v1_gone else "each is still served and verified by its v1 signature, and "
        click.echo(
            f"{revisioned} rating(s) lost the build that issued them (code_revision) and its signature (v2): "
            f"{kept}after upgrading again its build is shown as not recorded"
        )


@db.command("current")
def db_current() -> None:
    """Show the database's revision, the newest one, and the oldest revision whose code can serve it."""
    with database() as engine:
        try:
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            with engine.connect() as conn:
                recorded = recorded_compatibility(conn)
        except (CommandError, SQLAlchemyError) as exc:
            raise _migration_error(engine, exc) from None
    served = ""
    if recorded is not None and recorded.revision == current:  # from 0012 on (rolling deploys)
        served = f"  oldest compatible: {recorded.oldest_compatible}"
    click.echo(f"current: {current}  head: {head}{served}")
