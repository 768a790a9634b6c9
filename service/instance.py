"""State a release before ``GREENRATE_INSTANCE_DIR`` left in ``./instance`` of the working directory.

Those releases kept the embedded database and the machine's secret under the working directory; this one
keeps them in the instance directory (:func:`service.config.settings.default_instance_dir`). A service
that ran from a directory other than the checkout (an installed package, started from ``/srv/greenrate``)
would start on a new empty database and a new secret, refusing every rating signed with the old one, and
say nothing. It says so at start and in every command, naming the variable that keeps the old directory.
"""

from __future__ import annotations

from pathlib import Path

from service.config.settings import Settings, default_database_url

#: the files an earlier release wrote under ./instance that the service would read again
DATABASE_FILE = "greenrate.sqlite3"
SECRET_FILE = "secret_key"


def left_in_working_directory(settings: Settings, working_dir: Path | None = None) -> str | None:
    """A warning when ``./instance`` of ``working_dir`` (the current one by default) holds a database or a
    secret these settings would have used there, and is not their instance directory; else ``None``."""
    here = (working_dir or Path.cwd()) / "instance"
    if not here.is_dir() or here.resolve() == Path(settings.instance_dir).resolve():
        return None
    found = []
    embedded = settings.database_url == default_database_url(settings.instance_dir)
    if embedded and (here / DATABASE_FILE).exists():
        found.append(DATABASE_FILE)
    if settings.secret_key is None and (here / SECRET_FILE).exists():
        found.append(SECRET_FILE)
    if not found:
        return None
    return (
        f"{here} holds {' and '.join(found)}, which releases before GREENRATE_INSTANCE_DIR used from the "
        f"working directory; this one uses the instance directory {settings.instance_dir}: set "
        f"GREENRATE_INSTANCE_DIR={here} to keep using them"
    )
