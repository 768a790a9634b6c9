"""``greenrate model``: from labelled data to a live model, with the registry's audit trail.

Registry commands (list, register, comparisons, promote, rollback, history, drift) talk to the database
named by ``GREENRATE_DATABASE_URL``; a running service picks up a promotion within
``GREENRATE_MODEL_POLL_SECONDS``.
The data and training commands (generate-data, validate-data, train, evaluate, compare, report) are in
:mod:`service.model_data_cli` and work on files only; the computation lives in ``rating_model``.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from service.commands import command_settings, database, database_failure
from service.model_data_cli import calibration_lines, override_lines, register_data_commands
from service.records import activation, registry


@contextmanager
def _registry() -> Iterator[Engine]:
    """The registry's database for one command; what goes wrong there becomes a one-line error.

    Every registry command goes through it, so a refusal (:class:`registry.RegistryError`) or a database
    that is unreachable or not migrated reads the same everywhere instead of ending in a traceback.
    """
    try:
        with database() as db:
            yield db
    except registry.RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error: {database_failure(exc)}") from None


def _fits_running_standard(*, earlier: bool = False) -> registry.FitCheck:
    """The workers' own check (:func:`service.model_watch.engine_for`) under the standard they run;
    ``earlier`` for a rollback, which may return to a model approved under an earlier standard."""
    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.model_watch import engine_for

    return partial(engine_for, load_standard(DEFAULT_STANDARD), earlier=earlier)


def cli_actor() -> str:
    """The operating-system account running the command, from its user id: ``getpass.getuser()`` read
    ``$USER`` first, so ``USER=head_of_model_risk greenrate model promote ...`` signed as anyone."""
    try:
        return f"cli/{pwd.getpwuid(os.getuid()).pw_name}"
    except KeyError:  # pragma: no cover - a uid with no account (a bare container)
        return f"cli/uid-{os.getuid()}"


#: The environment variable holding the analyst key a registry command acts as (never an option: a key on
#: the command line is in the shell's history and in every process listing).
ANALYST_KEY_ENV = "GREENRATE_ANALYST_KEY"


def registry_actor(db: Engine) -> str:
    """Who the audit trail names for a registry command that writes (register, promote, rollback,
    ``compare`` when it records): the analyst key in ``GREENRATE_ANALYST_KEY`` when set, else the account.

    The key is named as the API names it (its tenant and prefix), so four eyes compares one person
    across the CLI and the API: a comparison recorded as ``cli/root`` and a promotion by the same person's
    API key had passed as two people. The key must be an active analyst key of this database (its secret,
    not its prefix, which is no secret). Without it the command acts as ``cli/<account>``, which the
    service cannot tie to any key (:func:`service.records.activation.activate` says so in the trail).
    """
    from service.auth import hash_key
    from service.records.api_keys import find_active_key

    given = os.environ.get(ANALYST_KEY_ENV)
    if given is None:
        return cli_actor()
    key = given.strip()
    if not key:  # set but blank (a template's empty value): acting as the account instead was silent
        raise click.ClickException(f"{ANALYST_KEY_ENV} is set but empty: unset it, or give the key; nothing "
                                   "was done")
    found = find_active_key(db, hash_key(key))
    if found is None or found.role != "analyst":
        raise click.ClickException(
            f"{ANALYST_KEY_ENV} is not an active analyst key of this database (unknown, revoked, expired or "
            "of another role): nothing was done"
        )
    return f"{found.tenant}/{found.prefix}"


@click.group()
def model() -> None:
    """Train, evaluate, compare, register, promote and monitor scorecard models."""


register_data_commands(model)


@model.command("list")
def list_models() -> None:
    """Registered versions with the holdout metrics their artifacts declare; `*` marks the active one."""
    with _registry() as db:
        records = registry.list_models(db)
        measured = activation.measured(db, valid_days=command_settings().model_comparison_valid_days)
    click.echo("  (metrics as each artifact declares them about itself, on its own training holdout: not "
               "measured, not comparable across versions; `measured` lines are from the newest recorded "
               "comparison a promotion counts now, else the newest, marked NOT COUNTED; `greenrate model "
               "comparisons VERSION` lists them all)")
    click.echo(f"  {'version':<18} {'source':<9} {'auc':>6} {'gini':>6} {'ks':>6} {'brier':>6}  created")
    for r in records:
        trainer = ("trainer not recorded" if r.trained_by is None
                   else "" if r.trained_by == r.created_by else f"trained by {r.trained_by}")
        click.echo(f"{'*' if r.active else ' '} {r.version:<18} {r.source:<9} {_cells(r.metrics)}  "
                   f"{r.created_at:%Y-%m-%d %H:%M} by {r.created_by}{'; ' + trainer if trainer else ''}")
        if (seen := measured.get(r.version)) is not None:
            counted = "counted" if seen["counted"] else f"NOT COUNTED: {seen['not_counted']}"
            click.echo(f"  {'  measured':<18} {'#' + str(seen['comparison']):<9} {_cells(seen['metrics'])}  "
                       f"as {seen['role']} against {seen['against']}, {seen['rows']} rows of {seen['file']}; "
                       f"{counted}")


def _cells(metrics: dict[str, Any]) -> str:
    return " ".join(f"{metrics[k]:>6.3f}" if isinstance(metrics.get(k), int | float) else f"{'-':>6}"
                    for k in ("auc", "gini", "ks", "brier"))


@model.command("comparisons")
@click.argument("version")
def list_comparisons(version: str) -> None:
    """The recorded comparisons VERSION took part in, oldest first, as a promotion reads them.

    Each says whether a promotion of its challenger replacing the active model counts it now (made against
    that model while active, within GREENRATE_MODEL_COMPARISON_VALID_DAYS), and what in it that promotion
    must justify (--accept-worse); a promotion reads every counted comparison of the pair.
    """
    valid_days = command_settings().model_comparison_valid_days
    with _registry() as db:
        shown = 0
        # a page at a time, printed as it comes: the table only grows (`compare` records by default)
        for r in activation.iter_reviewed(db, version, valid_days=valid_days):
            _print_reviewed(r)
            shown += 1
    if not shown:
        click.echo(f"no comparison of {version} was recorded")


def _print_reviewed(r: activation.Reviewed) -> None:
    c = r.comparison
    click.echo(f"#{c.id} {c.at:%Y-%m-%d %H:%M} {c.challenger} (challenger) vs {c.champion} (champion): "
               f"{c.summary.get('rows')} rows of {c.data.get('file')} "
               f"(sha256 {str(c.data.get('file_sha256', ''))[:12]}…), recorded by {c.recorded_by}")
    for name, m in dict(c.summary.get("metrics") or {}).items():
        click.echo(f"    {name:<6} {m['champion']:.4f} -> {m['challenger']:.4f}  delta {m['delta']:+.4f} "
                   f"[{m['ci_low']:+.4f}, {m['ci_high']:+.4f}]")
    psi, mig = dict(c.summary.get("score_psi") or {}), dict(c.summary.get("migration") or {})
    if "psi" in psi and "moved_share" in mig:
        click.echo(f"    score PSI {psi['psi']:.4f}; grade migration {mig['moved_share']:.1%} "
                   f"({mig.get('upgrades')} up, {mig.get('downgrades')} down)")
    for line in [*calibration_lines(c.summary), *override_lines(c.summary)]:
        click.echo(f"    {line}")
    counted = f"counted (until {r.valid_until:%Y-%m-%d %H:%M} UTC)"
    click.echo(f"    {counted if r.not_counted is None else 'NOT COUNTED: ' + r.not_counted}")
    for finding in r.needs_justification:
        click.echo(f"    needs a justification: {finding}")


@model.command("register")
@click.argument("artifact_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trained-by", metavar="ACTOR", default=None,
              help="Who trained the artifact, when not you: their analyst key's tenant/prefix (as "
                   "`greenrate model history` names actors) or cli/<account>. Recorded, and four eyes "
                   "keeps them from promoting it as it keeps you.")
def register_model(artifact_path: Path, trained_by: str | None) -> None:
    """Verify an artifact (structure, sha256, fit to the standard) and add it to the registry.

    The registry records who trained it (an artifact names no trainer): you, unless --trained-by names
    another analyst. Safe to run again (after a lost connection, say): the same artifact registered before
    by the same actor, with the same trainer, succeeds again, saying so, and is registered and audited once.
    """
    try:
        artifact = ScorecardArtifact.from_json(artifact_path.read_bytes())
        _fits_running_standard()(artifact)
    except ArtifactError as exc:
        raise click.ClickException(f"artifact refused: {exc}") from None
    with _registry() as db:
        trainer = None if trained_by is None else registry.check_trainer(db, trained_by)
        registered = registry.register(db, artifact, source="cli", actor=registry_actor(db),
                                       reason=f"registered from {artifact_path.name}", trained_by=trainer)
        champion = registry.active_version(db) or "CHAMPION"
    if registered.replayed:
        click.echo(f"{artifact.version} was registered already, with this very artifact, by you "
                   f"({registered.record.created_at:%Y-%m-%d %H:%M} UTC): nothing was changed")
    # the next steps with the champion named: the message had said `--replacing CHAMPION` and left out the
    # comparison a promotion needs by default (a newcomer following it was refused)
    settings = command_settings()
    four_eyes = ""
    if settings.model_four_eyes:
        four_eyes = " (by an analyst who neither trained nor registered it: four eyes)"
    compare = ""
    if settings.model_require_comparison:
        compare = (f"record a comparison with the active {champion} (`greenrate model compare active "
                   f"{artifact.version} --data HOLDOUT --record`), then ")
    click.echo(f"registered {artifact.version} (sha256 {artifact.sha256[:12]}…), trained by "
               f"{registered.record.trained_by}; {compare}promote it{four_eyes} with "
               f"`greenrate model promote {artifact.version} --replacing {champion} --reason ...`")


@model.command("promote")
@click.argument("version")
@click.option("--reason", required=True,
              help="Why this version should rate from now on (audited; at least 3 letters or digits).")
@click.option("--replacing", required=True, metavar="VERSION",
              help="Promote only while VERSION is active: the champion the comparison was made against.")
@click.option("--accept-worse", metavar="JUSTIFICATION", default=None,
              help="Why to promote although the recorded comparison shows VERSION worse (audited).")
def promote(version: str, reason: str, replacing: str, accept_worse: str | None) -> None:
    """Make VERSION the active model; running workers switch within GREENRATE_MODEL_POLL_SECONDS.

    Refused when VERSION is active already (unless this repeats the promotion that made it active: the
    same actor, --reason and --replacing, nothing promoted or rolled back since, which succeeds again and
    is audited once), its artifact does not fit the standard the service runs,
    another version than the compared champion (--replacing) is active by now, (four eyes,
    GREENRATE_MODEL_FOUR_EYES) the account running this registered or trained VERSION itself (its trainer as
    recorded at registration, --trained-by), no recorded comparison
    against the champion counts (one recorded before it last became active, or more than
    GREENRATE_MODEL_COMPARISON_VALID_DAYS ago, no longer does), or the recorded comparison shows VERSION
    worse than the champion and --accept-worse does not say why.
    """
    with _registry() as db:
        promoted = activation.promote(db, version, actor=registry_actor(db), reason=reason,
                                      fits=_fits_running_standard(), replacing=replacing,
                                      four_eyes=command_settings().model_four_eyes,
                                      require_comparison=command_settings().model_require_comparison,
                                      accept_worse=accept_worse,
                                      comparison_valid_days=command_settings().model_comparison_valid_days)
    if promoted.replayed:
        click.echo(f"{version} was promoted already, with this very reason, by you: nothing was changed")
    click.echo(f"active model: {version} (was {promoted.previous})")


@model.command("rollback")
@click.option("--reason", required=True, help="Why (audited; at least 3 letters or digits).")
@click.option("--undoing", required=True, metavar="VERSION",
              help="Roll back only while VERSION is active: the promotion meant to be undone.")
def rollback(reason: str, undoing: str) -> None:
    """Undo the latest promotion not undone yet: repeated, it walks back through them (C → B → A).

    Refused when --undoing is no longer active, unless this repeats the rollback that took it out (the
    same actor and --reason, nothing promoted or rolled back since: its connection lost as it committed,
    say), which succeeds again and is audited once.
    """
    with _registry() as db:
        done = activation.roll_back(db, actor=registry_actor(db), reason=reason,
                                    fits=_fits_running_standard(earlier=True), undoing=undoing)
    if done.replayed:
        click.echo(f"{undoing} was rolled back already, with this very reason, by you: nothing was changed")
    click.echo(f"active model: {done.version} (rolled back from {done.previous})")


@model.command("history")
@click.option("--version", default=None, help="Only this version's events.")
def history(version: str | None) -> None:
    """The audit trail: who registered, uploaded, promoted or rolled back which version, when and why."""
    with _registry() as db:
        # a page at a time, printed as it comes: the trail only grows
        for e in registry.iter_events(db, version):
            was = f" (was {e.previous_version})" if e.previous_version else ""
            click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.action:<9} {e.version}{was}  by {e.actor}: {e.reason}")
