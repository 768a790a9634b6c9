"""``greenrate ratings`` and ``greenrate cache``: issued ratings checked and erased after the fact, and
the Redis copies they are served from.

Every issued rating is recorded in the database with its input and versions: ``ratings verify``
re-derives one (or a random sample, after a restore) and compares it byte for byte; ``ratings erase``
deletes one (a court-ordered erasure) with its cached copy. The Redis cache is an accelerator that serves
ratings without the database, so a change to the recorded ratings behind its back must reach it too: an
erasure deletes its one copy, and after a restore or a failover ``cache clear`` deletes them all.
"""

from __future__ import annotations

import click
import structlog
from sqlalchemy.exc import SQLAlchemyError

from service import model_cli
from service.commands import command_settings, database, database_error
from service.ratings import verification

_erasure_log = structlog.get_logger("greenrate.erasure")


@click.group()
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
            raise database_error(exc) from None
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
            raise database_error(exc) from None
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
    from service.records.activation import ReasonRefused, check_reason

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
        raise database_error(exc) from None
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


@click.group()
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

