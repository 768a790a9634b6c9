"""``greenrate ratings`` and ``greenrate cache``: issued ratings checked and erased after the fact, and
the Redis copies they are served from.

Every issued rating is recorded in the database with its input, versions and signature: ``ratings verify``
checks one's record against its signature (or a random sample's, after a restore), then re-derives it and
compares it byte for byte; ``ratings erase``
deletes one (a court-ordered erasure) with its cached copy, and records the erasure. The Redis cache is an
accelerator that serves ratings without the database, so a change to the recorded ratings behind its back
must reach it too: an erasure deletes its one copy (and the workers, reading the recorded erasures, miss a
copy written back), and after a restore or a failover ``cache clear`` deletes them all.
"""

from __future__ import annotations

from collections import Counter

import click
import structlog
from sqlalchemy.exc import SQLAlchemyError

from service import logging as json_logging
from service import model_cli
from service.commands import command_settings, database, database_error
from service.config.settings import Settings
from service.logging import PAGE_TENANT
from service.ratings import verification
from service.records.erasures import Erasure, find_erasure
from service.records.rating_signatures import RatingKey, service_rating_key
from service.revision import code_revision
from service.secret_guard import SecretRefused, refuse_new_secret

_erasure_log = structlog.get_logger("greenrate.erasure")
_verification_log = structlog.get_logger("greenrate.verification")


@click.group()
def ratings() -> None:
    """Issued ratings: re-derive one from its record, erase one, or export a subject's."""


@ratings.command("verify")
@click.argument("rating_id", required=False)
@click.option("--sample", type=click.IntRange(1, 100_000), default=None,
              help="Verify this many issued ratings picked at random instead (after a restore, say).")
def verify_rating(rating_id: str | None, sample: int | None) -> None:
    """Check RATING_ID's record against its signature, then re-derive it from its recorded input and
    versions and compare it byte for byte. Says which build issued it (as recorded) and which build runs
    the check.

    Exit 0 when its record is as issued (signature valid: with the current key, or with a previous one
    listed in GREENRATE_PREVIOUS_SECRET_KEYS, said so) and it is re-derived identical; 1 when the record
    was changed (tampered), was signed with a key this command does not hold (run it with the service's
    GREENRATE_SECRET_KEY and GREENRATE_PREVIOUS_SECRET_KEYS), is unsigned (refused, as the service refuses
    it, under GREENRATE_UNSIGNED_RATINGS=refuse, the default), differs (the fields are listed), cannot be
    re-derived by this release (what is missing is said) or is not recorded (one erased says when, by whom
    and the reason's digest). Under
    GREENRATE_UNSIGNED_RATINGS=serve an unsigned rating re-derived identical exits 0 with a warning, as
    the service serves it. With --sample N, N ratings at random, one line each that is not identical or is
    unsigned, and a count: exit 1 when one is tampered, signed with another key or refused as unsigned,
    whatever the release that issued it, or one issued under this release's engine, schema and factor set
    versions differs or cannot be re-derived (one issued under earlier versions may differ by their
    changes, or need their release, and is counted apart).

    Each run leaves a trace on stderr, as an erasure does: who ran it, the rating, its tenant and the
    outcome (`rating_verified`; with --sample, `ratings_sample_verified` with the counts, not the ids).
    """
    if (rating_id is None) == (sample is None):
        raise click.UsageError("give a RATING_ID or --sample N")
    settings = command_settings()
    json_logging.configure(settings.log_level)  # the trace on stderr as JSON: stdout is the report
    with database(settings) as engine:  # a run with a lost secret must not make the one the service then uses
        try:
            refuse_new_secret(settings, engine)
        except SecretRefused as exc:
            raise click.ClickException(str(exc)) from None
    key = service_rating_key(settings)
    if sample is not None:
        _verify_sample(settings, key, sample)
        return
    assert rating_id is not None
    with database(settings) as engine:
        try:
            outcome = verification.verify_rating(engine, rating_id, key)
            erased = find_erasure(engine, rating_id) if outcome is None else None
        except SQLAlchemyError as exc:
            raise database_error(exc) from None
    build = code_revision(settings.revision)
    if outcome is not None:
        _trace(rating_id, outcome.tenant, _category(outcome), passed=outcome.proven, build=build)
    else:
        _trace(rating_id, None if erased is None else erased.tenant,
               "not recorded" if erased is None else "erased", passed=False, build=build)
    if erased is not None:  # not "no rating": an auditor must tell an erased rating from one never issued
        moment = "%Y-%m-%d %H:%M:%S UTC"
        raise click.ClickException(
            f"{rating_id} (tenant {erased.tenant}) was erased on {erased.erased_at:{moment}} "
            f"by {erased.actor} (reason sha256 {erased.reason_sha256}); issued {erased.issued_at:{moment}}: "
            "its record is no longer held, so nothing can be verified" + _erased_body(erased)
        )
    if outcome is None:
        raise click.ClickException(f"no rating {rating_id} is recorded in this database")
    who = f"{rating_id} (tenant {outcome.tenant})"
    click.echo(f"{who}: {_signature(outcome, key)}")
    for reason in outcome.tampered:
        click.echo(f"  tampered: {reason}")
    click.echo(f"{who}: {_issued_by(outcome)}; this command runs build {code_revision(settings.revision)}")
    for note in outcome.notes:
        click.echo(f"note: {note}")
    versions = ", ".join(f"{name} {value}" for name, value in outcome.versions.items())
    if outcome.cannot_verify is not None:
        click.echo(f"{who} cannot be re-derived here: {outcome.cannot_verify}")
    elif outcome.identical:
        click.echo(f"{who}: re-derived byte for byte from its recorded input ({versions})")
    else:
        click.echo(f"{who} differs from its re-derivation ({versions}) at:")
        for path in outcome.differences:
            click.echo(f"  {path}")
    if not outcome.proven:
        raise SystemExit(1)


def _trace(rating_id: str, tenant: str | None, outcome: str, *, passed: bool, build: str) -> None:
    """Log who checked which rating and what it found: a reproduction a bank's auditor may ask about, as
    an erasure and a subject-access export are logged (WARNING, as those are, so that it survives
    ``GREENRATE_LOG_LEVEL=WARNING``). A merchant page rating's id opens its result without a key: never
    in a log (:mod:`service.logging`)."""
    _verification_log.warning(
        "rating_verified", actor=model_cli.cli_actor(), tenant=tenant,
        rating_id=None if tenant == PAGE_TENANT else rating_id, outcome=outcome, passed=passed, build=build,
    )


def _issued_by(outcome: verification.Verification) -> str:
    """The build that issued the rating, as its record says (the one to run to reproduce it)."""
    if outcome.code_revision is None:
        return "issued by a build not recorded (before migration 0019)"
    return f"issued by build {outcome.code_revision}"


def _signature(outcome: verification.Verification, key: RatingKey) -> str:
    """What a rating's record says of itself, in one phrase."""
    if outcome.tampered:
        return "TAMPERED: its record is not the one issued"
    if outcome.signature == "other_key":
        previous = f" and previous {', '.join(k.id for k in key.previous)}" if key.previous else ""
        return (f"signed with key {outcome.signed_with}, which this command does not hold (it holds "
                f"{key.id}{previous}): run it with the service's GREENRATE_SECRET_KEY and "
                "GREENRATE_PREVIOUS_SECRET_KEYS (or its GREENRATE_INSTANCE_DIR, where secret_key is); "
                "cannot be checked")
    if outcome.signature == "valid":
        return "signature valid"
    if outcome.signature == "previous_key":
        return (f"signature valid, signed with a previous key ({outcome.signed_with}): served while its "
                "secret stays in GREENRATE_PREVIOUS_SECRET_KEYS")
    after = ("" if outcome.first_signed is None
             else f", recorded after the first signed rating (seq {outcome.first_signed})")
    if outcome.unsigned_refused:
        return (f"UNSIGNED{after}: refused, as the service refuses it (GREENRATE_UNSIGNED_RATINGS=refuse): "
                "nothing shows it is the rating issued; issued before migration 0018 signed ratings (serve "
                "them with GREENRATE_UNSIGNED_RATINGS=serve), or written into the database by someone else")
    if outcome.first_signed is not None:
        return (f"warning: unsigned, yet recorded after the first signed rating (seq {outcome.first_signed})"
                ": written by the release before signing during the upgrade, or its signature was removed, "
                "or inserted by someone else; served (GREENRATE_UNSIGNED_RATINGS=serve)")
    return ("warning: unsigned (issued before signing): served (GREENRATE_UNSIGNED_RATINGS=serve); only the "
            "re-derivation speaks for it")


#: The tally's category of an unsigned rating the service refuses (GREENRATE_UNSIGNED_RATINGS=refuse).
_UNSIGNED_REFUSED = "unsigned (refused: GREENRATE_UNSIGNED_RATINGS=refuse)"
#: The tally's categories that fail a sample whatever the release that issued the rating.
_ALWAYS_FAILS = ("tampered", "signed with another key", _UNSIGNED_REFUSED)


def _category(outcome: verification.Verification) -> str:
    """The rating's line in the tally: tampered, another key, unsigned and refused, or how it re-derives
    and how it is signed."""
    if outcome.tampered:
        return "tampered"
    if outcome.signature == "other_key":
        return "signed with another key"
    if outcome.unsigned_refused:
        return _UNSIGNED_REFUSED
    earlier = "" if outcome.current_release else " (earlier release)"
    how = ("identical" if outcome.identical
           else "cannot be re-derived" + earlier if outcome.cannot_verify is not None
           else "differ" + earlier)
    if outcome.signature == "valid":
        return f"{how}, signature valid"
    if outcome.signature == "previous_key":
        return f"{how}, signed with a previous key ({outcome.signed_with})"
    if outcome.first_signed is not None:
        return f"{how}, unsigned after signing began"
    return f"{how}, unsigned (issued before signing)"


def _fails(category: str) -> bool:
    re_derivation = category.split(", ", 1)[0]
    return category in _ALWAYS_FAILS or re_derivation in ("differ", "cannot be re-derived")


def _verify_sample(settings: Settings, key: RatingKey, count: int) -> None:
    """``greenrate ratings verify --sample N``: a bulk check, counted by outcome.

    The signature comes first: a tampered record fails the check whatever the release that issued it (every
    rating of an earlier release differs, and a tampered one had hidden among them), and so does an
    unsigned one the service refuses (GREENRATE_UNSIGNED_RATINGS=refuse; under serve it is a warning line
    and passes, as it is served). A rating of an earlier release (another engine, schema or factor set
    version) whose record is as issued may differ, or need the release that issued it, by that release's
    changes: it is counted apart and does not fail the check. A database with no rating at all fails it:
    after a restore, that is the restore that went wrong.
    """
    tally: Counter[str] = Counter()
    with database(settings) as engine:
        try:
            chosen = verification.sample_ratings(engine, count)
            first_signed = verification.first_signed_seq(engine) if chosen else None
            raters = verification.Raters(engine)  # each model's engine loaded once, not once a rating
            for rating_id, _current in chosen:
                outcome = verification.verify_rating(engine, rating_id, key, first_signed, raters=raters)
                assert outcome is not None  # just listed
                category = _category(outcome)
                tally[category] += 1
                if outcome.tampered:
                    click.echo(f"{rating_id}: tampered: {'; '.join(outcome.tampered[:5])}")
                elif outcome.signature == "other_key" or outcome.unsigned_refused:
                    click.echo(f"{rating_id}: {_signature(outcome, key)}")
                elif outcome.cannot_verify is not None:
                    click.echo(f"{rating_id}: {category}: {outcome.cannot_verify}")
                elif not outcome.identical:
                    click.echo(f"{rating_id}: {category} at {', '.join(outcome.differences[:5])}; "
                               f"{_issued_by(outcome)}")
                elif outcome.signature == "unsigned":
                    click.echo(f"{rating_id}: {_signature(outcome, key)}")
        except SQLAlchemyError as exc:
            raise database_error(exc) from None
    if not chosen:
        raise click.ClickException("no rating is recorded in this database")
    if len(chosen) < count:
        click.echo(f"note: {len(chosen)} rating(s) are recorded, fewer than the {count} asked for")
    failing = {what: n for what, n in tally.items() if _fails(what)}
    passing = {what: n for what, n in tally.items() if not _fails(what)}
    # the ids are on stdout; the trace says who checked how many and what was found (see _trace)
    _verification_log.warning(
        "ratings_sample_verified", actor=model_cli.cli_actor(), checked=len(chosen), outcomes=dict(tally),
        passed=not failing, build=code_revision(settings.revision),
    )
    click.echo(f"{len(chosen)} rating(s) checked: "
               + "; ".join(f"{n} {what}" for what, n in [*sorted(failing.items()), *sorted(passing.items())]))
    if failing:
        raise SystemExit(1)


def _erased_body(erased: Erasure) -> str:
    """What the records say of an erased rating's body: its sha256, when the erasure recorded it (0026)."""
    if erased.result_sha256 is None:
        return ""
    return (f"; its body's sha256 was {erased.result_sha256} (the ETag it was served with): a copy whose "
            "bytes hash to it is the rating as issued")


@ratings.command("erase")
@click.argument("rating_id")
@click.option("--reason", required=True,
              help="Why it is erased, e.g. the court order's reference (3+ letters or digits; logged only "
              "as its sha256 and length: keep it with your record of the erasure).")
def erase_rating(rating_id: str, reason: str) -> None:
    """Delete RATING_ID from the records and its cached copy from Redis (a court-ordered erasure).

    In one transaction the append-only guard is lifted for the DELETE and armed again, and the erasure is
    recorded in rating_erasures (id, tenant, bank or merchant, issue and erasure time, the OS account, and
    the reason's sha256 and length, never its text or the merchant id). It is logged on stderr as a
    `rating_erased` event with the same. The service's workers read the recorded erasures every
    GREENRATE_MODEL_POLL_SECONDS and from then on miss a cached copy (in Redis, one written back after
    this command deleted it; in their own memory, without GREENRATE_REDIS_URL): the command says so.

    Exit 1 when nothing was erased: for a rating erased before, saying when, by whom and with which
    reason digest; for an id neither recorded nor erased, saying so.
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
    actor = model_cli.cli_actor()
    try:
        with database(settings) as engine:
            erased = erasure.erase_rating(engine, rating_id, reason=reason, actor=actor)
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    if isinstance(erased, erasure.AlreadyErased):  # not "no rating": an id erased is not an id never issued
        before, moment = erased.recorded, "%Y-%m-%d %H:%M:%S UTC"
        raise click.ClickException(
            f"{rating_id} (tenant {before.tenant}) was already erased on {before.erased_at:{moment}} by "
            f"{before.actor} (reason sha256 {before.reason_sha256}); issued {before.issued_at:{moment}}: "
            "nothing was erased again (if Redis could not be reached then, run `greenrate cache clear`)"
            + _erased_body(before)
        )
    if erased is None:
        raise click.ClickException(
            f"no rating {rating_id} is recorded in this database, and none of that id was erased from it: "
            "nothing was erased"
        )
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
    # exactly what was recorded in rating_erasures: the reason and the merchant id stay out of both (free
    # text, and a sole proprietor's id); the digest matches the reason the operator keeps with the order
    digest = erased.recorded.reason_sha256
    _erasure_log.warning(
        "rating_erased", **erased.recorded.log_fields(),
        cache="in-process" if not settings.redis_url else failure or ("evicted" if evicted else "absent"),
    )
    click.echo(f"erased {erased.id} ({issuer}, issued {erased.issued_at:%Y-%m-%d %H:%M:%S} UTC)")
    click.echo(f"recorded in rating_erasures and logged as rating_erased with the reason's sha256 {digest}, "
               "not its text: keep the reason with your record of this erasure")
    click.echo(f"its body's sha256 {erased.recorded.result_sha256} (the ETag it was served with) is recorded "
               "too: a copy the bank kept whose bytes hash to it is the rating as issued")
    if failure:
        raise click.ClickException(
            f"Redis could not be reached ({failure}) to delete its cached copy ({key}): run `greenrate cache "
            "clear` once it answers; until then a worker that has not read this erasure (of a release before "
            "migration 0020, or whose reads of the database fail) hands out the erased id"
        )
    if evicted is not None:
        click.echo("deleted its cached copy from Redis" if evicted else "Redis held no cached copy of it")
    where = "" if settings.redis_url else " (GREENRATE_REDIS_URL is not set: each caches in its own memory)"
    click.echo(f"the service's workers stop handing out a cached copy{where} within "
               f"GREENRATE_MODEL_POLL_SECONDS ({settings.model_poll_seconds:g} s here), when they next read "
               "the recorded erasures; restart workers of a release before migration 0020")


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

