"""``greenrate secret new``: a new machine secret made knowingly, where the service refuses to make one.

The service makes ``instance/secret_key`` itself on an empty database, and refuses to beside ratings already
signed (:mod:`service.secret_guard`): the secret that signed them is lost, or this machine was not given it.
When it cannot be restored, this command makes the new one, once, and says what it costs: the ratings the
lost secret signed stay refused (``other_key``) until that secret is listed in
``GREENRATE_PREVIOUS_SECRET_KEYS``.
"""

from __future__ import annotations

import click
import structlog
from sqlalchemy.exc import SQLAlchemyError

from service import logging as json_logging
from service import model_cli
from service.commands import command_settings, database, database_error
from service.records.rating_signatures import count_signed
from service.secret import instance_secret, secret_id
from service.secret_guard import secret_path, signed_ratings_recorded

_log = structlog.get_logger("greenrate.secret")


@click.group()
def secret() -> None:
    """The service's own secret (GREENRATE_SECRET_KEY, else instance/secret_key), which signs ratings."""


@secret.command("new")
def new_secret() -> None:
    """Make a new instance/secret_key in GREENRATE_INSTANCE_DIR where there is none, knowingly.

    For a secret that is lost: the service refuses to start (and `ratings verify` to run) where it would make
    one beside ratings already signed. Restore the lost one instead if it can be found (its file, or
    GREENRATE_SECRET_KEY). The ratings it signed stay refused (other_key) unless it is listed in
    GREENRATE_PREVIOUS_SECRET_KEYS. Exit 1 when GREENRATE_SECRET_KEY is set or the file exists.
    """
    settings = command_settings()
    json_logging.configure(settings.log_level)  # the trace on stderr as JSON: stdout is the report
    path = secret_path(settings)
    if settings.secret_key:
        raise click.ClickException(
            "GREENRATE_SECRET_KEY is set: the service signs with it and reads no instance/secret_key; to "
            "replace it, rotate it (docs/operations.md, 'Rotating the secret')"
        )
    if path.exists():
        raise click.ClickException(
            f"{path} exists: the service signs with it; to replace it, rotate it (docs/operations.md, "
            "'Rotating the secret')"
        )
    with database(settings) as engine:
        try:  # a database that cannot be read says so, rather than count as one without signed ratings
            signed = (count_signed(engine) or 0) if signed_ratings_recorded(engine) else 0
        except SQLAlchemyError as exc:
            raise database_error(exc) from None
    made = secret_id(instance_secret(path))
    # who made it and what it left refused: the audit trail of a new key generation
    _log.warning("secret_made", actor=model_cli.cli_actor(), key=made, signed_before=signed, path=str(path))
    click.echo(f"made {path}: new ratings are signed with key {made}")
    if signed:
        click.echo(
            f"{signed} recorded rating(s) were signed with another secret: they are refused (other_key) "
            "until it is listed in GREENRATE_PREVIOUS_SECRET_KEYS; back up the new secret apart from the "
            "database"
        )
