"""``greenrate ratings sign-unsigned``: the way back to ``GREENRATE_UNSIGNED_RATINGS=refuse`` for a database
holding ratings issued before migration 0018 signed them.

Each unsigned rating is checked and re-derived as ``greenrate ratings verify`` does, and signed with the
current key only when it re-derives byte for byte (:mod:`service.ratings.unsigned`, which says what such a
signature proves and what it does not). A dry run unless ``--apply``: the operator reads the list first.
"""

from __future__ import annotations

from collections import Counter

import click
from sqlalchemy.exc import SQLAlchemyError

from service import model_cli
from service.commands import command_settings, database, database_error
from service.ratings import unsigned
from service.ratings.verification import Raters, first_signed_seq
from service.records.rating_signatures import count_unsigned, service_rating_key
from service.revision import code_revision

#: The exit status when ratings are (or, in a dry run, would be) left unsigned: 1 is an error that stopped
#: the run (run it again: it goes on), 2 a usage mistake, as for ``greenrate batch rate``'s refused rows.
LEFT_UNSIGNED_EXIT = 3


@click.command("sign-unsigned")
@click.option("--apply", "apply_", is_flag=True, default=False,
              help="Sign them (default: a dry run, which lists what it would sign and writes nothing).")
@click.option("--include-after-signing", is_flag=True, default=False,
              help="Sign also those recorded after the first rating signed at issue (the previous "
              "release's, written during the upgrade to 0018), once checked: a plain INSERT lands there too.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=unsigned.DEFAULT_BATCH,
              show_default=True, help="Ratings re-derived and signed per transaction.")
def sign_unsigned(apply_: bool, include_after_signing: bool, batch_size: int) -> None:
    """Sign every unsigned rating (issued before migration 0018) that re-derives byte for byte from its
    recorded input and versions, with the current key (GREENRATE_SECRET_KEY); list every other one with
    the reason and leave it unsigned. Run it as the database's owner (it lifts the append-only guard for
    its UPDATEs), with the service's GREENRATE_SECRET_KEY. A rating recorded after the first one signed at
    issue is left unsigned unless --include-after-signing. A re-derivation does not show that the service
    issued a rating (a consistent forgery re-derives too): check the list first (docs/operations.md,
    Unsigned ratings).

    A dry run unless --apply: it says what it would sign and writes nothing. With --apply each batch is
    signed in one transaction, and each signing logged on stderr (rating_signed_after_issue): an
    interrupted run loses its current batch at most, and run again goes on with the ratings still
    unsigned; a rating signed meanwhile (by another run) is never signed again.

    Exit 0 when no rating is left unsigned (all signed, or none to sign; in a dry run: all would be);
    3 when some are (or would be) left unsigned, each listed; 1 when an error stopped the run (what was
    committed stays signed: run it again); 2 for a usage mistake.
    """
    from service import logging as json_logging
    from service.model_data_cli import progress_bar

    settings = command_settings()
    json_logging.configure(settings.log_level)
    key = service_rating_key(settings)
    actor, build = model_cli.cli_actor(), code_revision(settings.revision)
    tally: Counter[str] = Counter()
    with database(settings) as engine:
        try:
            total = count_unsigned(engine)
            if total is None:
                raise click.ClickException("this database's ratings carry no signatures (before migration "
                                           "0018, or no ratings table): run `greenrate db upgrade` first")
            first_signed = first_signed_seq(engine)
            raters = Raters(engine)
            with progress_bar("re-deriving the unsigned ratings", total) as advance:
                for batch in unsigned.unsigned_batches(engine, batch_size):
                    judged = [unsigned.judge(raters, row, key, first_signed,
                                             include_after_signing=include_after_signing) for row in batch]
                    done = unsigned.sign(engine, judged, key, actor=actor, build=build) if apply_ else []
                    signed = {item.seq for item in done}
                    for item in judged:
                        tally[_report(item, apply_, signed)] += 1
                    advance(len(batch))
        except SQLAlchemyError as exc:
            raise database_error(exc) from None
    left = tally["left"]
    if apply_:
        summary = (f"signed {tally['signed']} rating(s) with key {key.id} (each logged: "
                   "rating_signed_after_issue)")
        if tally["meanwhile"]:
            summary += f"; {tally['meanwhile']} signed or erased meanwhile by another session"
    else:
        summary = (f"dry run, nothing written: would sign {tally['signed']} rating(s) with key {key.id} (run "
                   "it again with --apply to sign them)")
    click.echo(f"{summary}; {left} left unsigned" + (" (listed above)" if left else ""))
    if left:
        click.echo("a rating left unsigned stays refused under GREENRATE_UNSIGNED_RATINGS=refuse: keep serve "
                   "while it must be served, or erase it (greenrate ratings erase); docs/operations.md, "
                   "Unsigned ratings")
        raise SystemExit(LEFT_UNSIGNED_EXIT)


def _report(item: unsigned.Judged, applied: bool, signed: set[int]) -> str:
    """Say what became of one unsigned rating, in one line; its tally: ``signed`` (or would be, in a dry
    run), ``left`` unsigned, or signed ``meanwhile`` by another session."""
    who = f"{item.rating_id} (tenant {item.tenant}, issued {item.issued_at:%Y-%m-%d})"
    if not item.signable:
        click.echo(f"{who}: left unsigned: {item.left_because}")
        return "left"
    if not applied:
        click.echo(f"{who}: would sign: re-derived byte for byte")
        return "signed"
    if item.seq in signed:
        click.echo(f"{who}: signed: re-derived byte for byte")
        return "signed"
    click.echo(f"{who}: signed (or erased) meanwhile by another session: left as it is")
    return "meanwhile"
