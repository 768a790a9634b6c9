"""The ``greenrate`` command: API keys, database migrations, re-deriving ratings, and the groups of the
model, batch and portfolio commands.

It talks to the database named by ``GREENRATE_DATABASE_URL`` (SQLite in ``./instance`` by default), the same
one the service uses, without building the web app.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click
import structlog
from alembic.util import CommandError
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from schemas.keys import MAX_KEY_LIFETIME
from service import model_cli
from service.auth import (
    KEY_TAG,
    MERCHANT_ID_PATTERN,
    PREFIX_LENGTH,
    ROLES,
    TENANT_PATTERN,
    generate_key,
    hash_key,
)
from service.batch import cli as batch_cli
from service.commands import command_settings, database, database_failure
from service.models import register_packaged_default
from service.portfolios import worker_cli
from service.ratings import verification
from service.records import api_keys, migrate
from service.records.database import encoding_problem, recorded_compatibility, schema_status
from service.records.ratings import count_engine_versioned

_erasure_log = structlog.get_logger("greenrate.erasure")


def _database_error(exc: SQLAlchemyError) -> click.ClickException:
    return click.ClickException(f"database error: {database_failure(exc)}")


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


def _check_label(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # Checked here so both backends refuse it alike (PostgreSQL would fail the insert, SQLite store it).
    if value is not None and len(value) > api_keys.LABEL_MAX_LENGTH:
        raise click.BadParameter(f"at most {api_keys.LABEL_MAX_LENGTH} characters, got {len(value)}")
    return value


def _is_whole_key(argument: str) -> bool:
    """Whether ``argument`` is (or could be) a key's secret rather than its listing prefix or id."""
    return argument.startswith(KEY_TAG) and len(argument) > PREFIX_LENGTH


#: what the ``train`` extra installs: the training and analysis tools, never imported by the service
_TRAINING_MODULES = frozenset({"sklearn", "scipy", "matplotlib"})


class _Commands(click.Group):
    """The command group, turning a missing training extra into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in _TRAINING_MODULES:
                raise
            raise click.ClickException(
                f"this command needs the training tools ({exc.name} is not installed): "
                "pip install -e '.[train]' in the service's virtualenv"
            ) from None


@click.group(cls=_Commands)
def main() -> None:
    """greenrate: open green ratings for small businesses."""


@main.group()
def keys() -> None:
    """Manage API keys (stored hashed; a key is shown once, when created)."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant the key belongs to (lowercase letters, digits, . _ -).")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the key may do.")
@click.option(
    "--merchant-id",
    default=None,
    help="The merchant a merchant key acts for (merchant role only): letters, digits and . _ : -",
)
@click.option(
    "--label",
    default=None,
    callback=_check_label,
    help=f"A note for listings, e.g. who holds the key (at most {api_keys.LABEL_MAX_LENGTH} characters).",
)
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, MAX_KEY_LIFETIME.days),
    default=None,
    help="The key stops working this many days from now (default: never).",
)
def create_key(
    tenant: str, role: str, merchant_id: str | None, label: str | None, expires_in_days: int | None
) -> None:
    """Create a key and print it alone on the last line (capture it with `| tail -n 1`)."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise click.BadParameter("use 1-64 lowercase letters, digits, '.', '_' or '-'", param_hint="--tenant")
    if role == "merchant" and not merchant_id:
        raise click.BadParameter("a merchant key needs --merchant-id", param_hint="--merchant-id")
    if role != "merchant" and merchant_id:
        raise click.BadParameter("only merchant keys take --merchant-id", param_hint="--merchant-id")
    if merchant_id is not None and not MERCHANT_ID_PATTERN.fullmatch(merchant_id):
        message = "1 to 64 letters, digits and . _ : - (starting with a letter or digit)"
        raise click.BadParameter(message, param_hint="--merchant-id")
    new = generate_key()
    expires_at = None if expires_in_days is None else datetime.now(UTC) + timedelta(days=expires_in_days)
    try:
        with database() as engine:
            key_id = api_keys.insert_key(
                engine,
                prefix=new.prefix,
                key_hash=new.key_hash,
                tenant=tenant,
                role=role,
                merchant_id=merchant_id,
                label=label,
                expires_at=expires_at,
            )
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    expiry = "" if expires_at is None else f", expires {expires_at:%Y-%m-%d %H:%M:%S} UTC"
    click.echo(
        f"created key {key_id} ({new.prefix}…) for tenant {tenant!r}, role {role}{expiry}; "
        "it is shown only once:"
    )
    click.echo(new.key)


@keys.command("list")
@click.option("--tenant", default=None, help="Only this tenant's keys.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked and expired keys.")
def list_keys(tenant: str | None, include_revoked: bool) -> None:
    """List keys by prefix, with their labels (the secret part is never stored, so it cannot be shown)."""
    try:
        with database() as engine:
            records = api_keys.list_keys(engine, tenant=tenant, include_revoked=include_revoked)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    click.echo(
        f"{'id':>5}  {'prefix':<12} {'tenant':<20} {'role':<9} {'merchant':<16} {'created':<20} "
        f"{'expires':<20} {'status':<8} {'revoked':<20} label"
    )
    for r in records:
        # The label goes last: it is free text and may hold spaces, so it would break any column after it.
        label = "-" if not r.label else _printable(r.label)
        click.echo(
            f"{r.id:>5}  {r.prefix:<12} {r.tenant:<20} {r.role:<9} {r.merchant_id or '-':<16} "
            f"{_moment(r.created_at):<20} {_moment(r.expires_at):<20} {r.status:<8} "
            f"{_moment(r.revoked_at):<20} {label}"
        )


def _moment(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def _printable(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n``, ``\\x1b``, ``\\u202e``) and ``\\``
    doubled: a stored label (from the CLI, or from before the API refused them) can neither move the
    cursor, reorder the line, nor pass for a row of its own."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


@keys.command("revoke")
@click.argument("key")
def revoke_key(key: str) -> None:
    """Revoke a key by its prefix, its id or the whole key.

    Running services keep accepting it until their key cache expires (GREENRATE_KEY_CACHE_SECONDS, 30 s by
    default); the command says how long that is.
    """
    settings = command_settings()
    try:
        with database(settings) as engine:
            if _is_whole_key(key):
                count = api_keys.revoke_key_by_hash(engine, hash_key(key))
            else:
                count = api_keys.revoke_key(engine, key)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    if count == 0:
        raise click.ClickException(f"no active key with that prefix or id: {_shown(key)}")
    click.echo(f"revoked {count} key(s); {_revocation_delay(settings.key_cache_seconds)}")


def _shown(argument: str) -> str:
    """``argument`` as safe to print: never more of a possible secret than a listing shows."""
    if len(argument) <= PREFIX_LENGTH:
        return repr(argument)
    if argument.startswith(KEY_TAG):
        return f"{argument[:PREFIX_LENGTH]!r}… (the rest not shown)"
    return "(the argument is not shown: it may be a secret)"


def _revocation_delay(cache_seconds: float) -> str:
    """When running services stop accepting a revoked key: each worker trusts a lookup this long."""
    if cache_seconds <= 0:
        return "running services stop accepting it at once (GREENRATE_KEY_CACHE_SECONDS=0)"
    return f"running services stop accepting it within {cache_seconds:g} s (GREENRATE_KEY_CACHE_SECONDS)"


main.add_command(model_cli.model)
main.add_command(batch_cli.batch)
main.add_command(worker_cli.worker)
main.add_command(worker_cli.portfolios)


@main.group()
def ratings() -> None:
    """Issued ratings: re-derive one from its record, or erase one."""


@ratings.command("verify")
@click.argument("rating_id", required=False)
@click.option("--sample", type=click.IntRange(1, 100_000), default=None,
              help="Verify this many issued ratings picked at random instead (after a restore, say).")
def verify_rating(rating_id: str | None, sample: int | None) -> None:
    """Re-derive RATING_ID from its recorded input and versions and compare it byte for byte.

    Exit 0 when identical; 1 when it differs (the fields are listed), cannot be re-derived by this release
    (what is missing is said) or is not recorded. With --sample N, N ratings at random, one line each and
    a count: exit 1 when one issued by this engine version differs or cannot be re-derived (one issued by
    an earlier version may differ by that version's changes, and is counted apart).
    """
    if (rating_id is None) == (sample is None):
        raise click.UsageError("give a RATING_ID or --sample N")
    if sample is not None:
        _verify_sample(sample)
        return
    assert rating_id is not None
    with database() as engine:
        try:
            outcome = verification.verify_rating(engine, rating_id)
        except verification.CannotVerify as exc:
            raise click.ClickException(f"{rating_id} cannot be re-derived here: {exc}") from None
        except SQLAlchemyError as exc:
            raise _database_error(exc) from None
    if outcome is None:
        raise click.ClickException(f"no rating {rating_id} is recorded in this database")
    versions = ", ".join(f"{name} {value}" for name, value in outcome.versions.items())
    for note in outcome.notes:
        click.echo(f"note: {note}")
    if outcome.identical:
        click.echo(f"{rating_id} (tenant {outcome.tenant}): re-derived byte for byte from its recorded input "
                   f"({versions})")
        return
    click.echo(f"{rating_id} (tenant {outcome.tenant}) differs from its re-derivation ({versions}) at:")
    for path in outcome.differences:
        click.echo(f"  {path}")
    raise SystemExit(1)


def _verify_sample(count: int) -> None:
    """``greenrate ratings verify --sample N``: a bulk check, counted by outcome.

    A rating of an earlier release (another engine or schema version) may differ, or need the release
    that issued it, by that release's changes: it is counted apart and does not fail the check. A database
    with no rating at all fails it: after a restore, that is the restore that went wrong.
    """
    tally = {"identical": 0, "differ (earlier release)": 0, "cannot be re-derived (earlier release)": 0,
             "differ": 0, "cannot be re-derived": 0}
    with database() as engine:
        try:
            chosen = verification.sample_ratings(engine, count)
            for rating_id, current in chosen:
                earlier = "" if current else " (earlier release)"
                try:
                    outcome = verification.verify_rating(engine, rating_id)
                except verification.CannotVerify as exc:
                    tally["cannot be re-derived" + earlier] += 1
                    click.echo(f"{rating_id}: cannot be re-derived here{earlier}: {exc}")
                    continue
                assert outcome is not None  # just listed
                if outcome.identical:
                    tally["identical"] += 1
                    continue
                tally["differ" + earlier] += 1
                click.echo(f"{rating_id}: differs{earlier} at {', '.join(outcome.differences[:5])}")
        except SQLAlchemyError as exc:
            raise _database_error(exc) from None
    if not chosen:
        raise click.ClickException("no rating is recorded in this database")
    if len(chosen) < count:
        click.echo(f"note: {len(chosen)} rating(s) are recorded, fewer than the {count} asked for")
    click.echo(f"{len(chosen)} rating(s) checked: "
               + ", ".join(f"{n} {what}" for what, n in tally.items() if n))
    if tally["differ"] or tally["cannot be re-derived"]:
        raise SystemExit(1)


@ratings.command("erase")
@click.argument("rating_id")
@click.option("--reason", required=True,
              help="Why it is erased, e.g. the court order's reference (logged; 3+ letters or digits).")
def erase_rating(rating_id: str, reason: str) -> None:
    """Delete RATING_ID from the records and its cached copy from Redis (a court-ordered erasure).

    In one transaction the append-only guard is lifted for the DELETE and armed again. The erasure is
    logged on stderr as a `rating_erased` event (JSON, with the reason and the OS account; no table
    records erasures). Workers that cache in their own memory (no GREENRATE_REDIS_URL) keep handing out
    the erased id until they are restarted: the command says so.
    """
    import redis

    from service import logging as json_logging
    from service.ratings import erasure
    from service.records.registry import ReasonRefused, check_reason

    try:
        check_reason(reason, doing="erasure")
    except ReasonRefused as exc:
        raise click.BadParameter(str(exc), param_hint="--reason") from None
    settings = command_settings()
    json_logging.configure(settings.log_level)
    try:
        with database(settings) as engine:
            erased = erasure.erase_rating(engine, rating_id)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    if erased is None:
        raise click.ClickException(f"no rating {rating_id} is recorded in this database: nothing was erased")
    issuer = f"tenant {erased.tenant}" + (f", merchant {erased.merchant_id}" if erased.merchant_id else "")
    key = erased.cache_key(settings.redis_namespace)
    evicted: bool | None = None
    failure = ""
    if settings.redis_url:
        try:
            evicted = erasure.evict_from_redis(settings.redis_url, key)
        except (redis.RedisError, OSError) as exc:
            failure = type(exc).__name__
    # WARNING, not INFO: the one trace of an erasure must survive GREENRATE_LOG_LEVEL=WARNING
    _erasure_log.warning(
        "rating_erased", rating_id=erased.id, tenant=erased.tenant, merchant_id=erased.merchant_id,
        issued_at=erased.issued_at.isoformat(), reason=reason, actor=model_cli.cli_actor(),
        cache="in-process" if not settings.redis_url else failure or ("evicted" if evicted else "absent"),
    )
    click.echo(f"erased {erased.id} ({issuer}, issued {erased.issued_at:%Y-%m-%d %H:%M:%S} UTC)")
    if failure:
        raise click.ClickException(
            f"Redis could not be reached ({failure}) to delete its cached copy ({key}): run `greenrate cache "
            "clear` once it answers, or an identical request keeps getting the erased id"
        )
    if evicted is not None:
        click.echo("deleted its cached copy from Redis" if evicted else "Redis held no cached copy of it")
    else:
        click.echo("GREENRATE_REDIS_URL is not set: each worker caches in its own memory and may still hand "
                   "out the erased id; restart the service's workers")


@main.group()
def cache() -> None:
    """The Redis rating cache (an accelerator: every rating is in the database)."""


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached rating (after restoring the database, or failing over to a replica).

    A cached rating is served without the database; a restored database may not have it.
    """
    import redis

    from service.cache import clear_redis_ratings

    settings = command_settings()
    if not settings.redis_url:
        click.echo("GREENRATE_REDIS_URL is not set: each worker caches in its own memory, which a restart of "
                   "the service empties")
        return
    try:
        deleted = clear_redis_ratings(settings.redis_url, settings.redis_namespace)
    except (redis.RedisError, OSError) as exc:
        unreachable = f"Redis is unreachable ({type(exc).__name__}): nothing was deleted"
        raise click.ClickException(unreachable) from None
    click.echo(f"deleted {deleted} cached rating(s) under {settings.redis_namespace}:rating:")


@main.group()
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


@db.command("downgrade")
@click.argument("revision")
@click.option(
    "--drop-records",
    is_flag=True,
    help="Go down even where it drops tables holding rows (issued ratings, keys, the model registry...).",
)
def db_downgrade(revision: str, drop_records: bool) -> None:
    """Migrate down to REVISION (`base` drops everything).

    A downgrade that would drop tables holding rows is refused, naming them and their rows, unless
    --drop-records is given: `greenrate db downgrade base` had dropped every issued rating of a live
    service without a word (operations review), though the database refuses to delete a single one.
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
        except SQLAlchemyError as exc:
            raise _migration_error(engine, exc) from None
        listed = ", ".join(f"{table} ({rows:,} row(s))" for table, rows in lost.items())
        if lost and not drop_records:
            raise click.ClickException(
                f"going down to {revision} drops {listed}; nothing was changed. Export what must be kept, "
                "then run it again with --drop-records"
            )
        expiring = api_keys.count_expiring(engine)
        versioned = count_engine_versioned(engine)
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
