"""The ``greenrate`` command: the root group that gathers the command groups, each in a module of its own.

``keys`` (:mod:`service.keys_cli`), ``db`` (:mod:`service.db_cli`), ``ratings`` and ``cache``
(:mod:`service.ratings_cli`), ``model`` (:mod:`service.model_cli`), ``batch`` (:mod:`service.batch.cli`),
``worker`` and ``portfolios`` (:mod:`service.portfolios.worker_cli`), ``secret``
(:mod:`service.secret_cli`). They talk to the database named by
``GREENRATE_DATABASE_URL`` (SQLite in the instance directory by default, ``GREENRATE_INSTANCE_DIR``: the
same whatever directory a command runs in), the same one the service uses, without building the web app.
The root group itself turns a missing training extra into one line.
"""

from __future__ import annotations

from typing import Any

import click

from service import db_cli, keys_cli, model_cli, ratings_cli, secret_cli, subject_access_cli
from service.batch import cli as batch_cli
from service.portfolios import worker_cli

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
            # the install docs/analyst-guide.md gives: it said pip install -e '.[train]', which a newcomer
            # ran as told and got whatever versions were newest, not those the tests passed on
            raise click.ClickException(
                f"this command needs the training tools ({exc.name} is not installed): install them into "
                "the service's virtualenv from the checkout with "
                "`.venv/bin/pip install -c constraints.txt -e '.[train]'`"
            ) from None


@click.group(cls=_Commands)
def main() -> None:
    """greenrate: open green ratings for small businesses."""


main.add_command(keys_cli.keys)
main.add_command(db_cli.db)
ratings_cli.ratings.add_command(subject_access_cli.export)
main.add_command(ratings_cli.ratings)
main.add_command(ratings_cli.cache)
main.add_command(model_cli.model)
main.add_command(batch_cli.batch)
main.add_command(worker_cli.worker)
main.add_command(worker_cli.portfolios)
main.add_command(secret_cli.secret)
