"""``greenrate model``: from labelled data to a live model, with the registry's audit trail.

Registry commands (list, register, promote, rollback, drift) talk to the database named by
``GREENRATE_DATABASE_URL``; a running service picks up a promotion within ``GREENRATE_MODEL_POLL_SECONDS``.
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

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from service.commands import command_settings, database, database_failure
from service.model_data_cli import register_data_commands
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


@click.group()
def model() -> None:
    """Train, evaluate, compare, register, promote and monitor scorecard models."""


register_data_commands(model)


@model.command("list")
def list_models() -> None:
    """Registered versions with the holdout metrics their artifacts declare; `*` marks the active one."""
    with _registry() as db:
        records = registry.list_models(db)
    click.echo("  (metrics as each artifact declares them, on its own training holdout: not comparable "
               "across versions; use `greenrate model compare`)")
    click.echo(f"  {'version':<18} {'source':<9} {'auc':>6} {'gini':>6} {'ks':>6} {'brier':>6}  created")
    for r in records:
        m = r.metrics
        cells = " ".join(f"{m[k]:>6.3f}" if isinstance(m.get(k), int | float) else f"{'-':>6}"
                         for k in ("auc", "gini", "ks", "brier"))
        click.echo(f"{'*' if r.active else ' '} {r.version:<18} {r.source:<9} {cells}  "
                   f"{r.created_at:%Y-%m-%d %H:%M} by {r.created_by}")


@model.command("register")
@click.argument("artifact_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def register_model(artifact_path: Path) -> None:
    """Verify an artifact (structure, sha256, fit to the standard) and add it to the registry."""
    try:
        artifact = ScorecardArtifact.from_json(artifact_path.read_bytes())
        _fits_running_standard()(artifact)
    except ArtifactError as exc:
        raise click.ClickException(f"artifact refused: {exc}") from None
    with _registry() as db:
        registry.register(db, artifact, source="cli", actor=cli_actor(),
                          reason=f"registered from {artifact_path.name}")
    four_eyes = " (by another analyst: four eyes)" if command_settings().model_four_eyes else ""
    click.echo(f"registered {artifact.version} (sha256 {artifact.sha256[:12]}…); promote it{four_eyes} with "
               f"`greenrate model promote {artifact.version} --replacing CHAMPION --reason ...`")


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

    Refused when VERSION is active already, its artifact does not fit the standard the service runs,
    another version than the compared champion (--replacing) is active by now, (four eyes,
    GREENRATE_MODEL_FOUR_EYES) the account running this registered VERSION itself, or the recorded
    comparison shows VERSION worse than the champion and --accept-worse does not say why.
    """
    with _registry() as db:
        previous = activation.activate(db, version, actor=cli_actor(), reason=reason,
                                       fits=_fits_running_standard(), replacing=replacing,
                                       four_eyes=command_settings().model_four_eyes,
                                       require_comparison=command_settings().model_require_comparison,
                                       accept_worse=accept_worse)
    click.echo(f"active model: {version} (was {previous})")


@model.command("rollback")
@click.option("--reason", required=True, help="Why (audited; at least 3 letters or digits).")
@click.option("--undoing", required=True, metavar="VERSION",
              help="Roll back only while VERSION is active: the promotion meant to be undone.")
def rollback(reason: str, undoing: str) -> None:
    """Undo the latest promotion not undone yet: repeated, it walks back through them (C → B → A)."""
    with _registry() as db:
        target, undone = activation.rollback(db, actor=cli_actor(), reason=reason,
                                             fits=_fits_running_standard(earlier=True), undoing=undoing)
    click.echo(f"active model: {target} (rolled back from {undone})")


@model.command("history")
@click.option("--version", default=None, help="Only this version's events.")
def history(version: str | None) -> None:
    """The audit trail: who registered, uploaded, promoted or rolled back which version, when and why."""
    with _registry() as db:
        trail = registry.events(db, version)
    for e in trail:
        was = f" (was {e.previous_version})" if e.previous_version else ""
        click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.action:<9} {e.version}{was}  by {e.actor}: {e.reason}")
