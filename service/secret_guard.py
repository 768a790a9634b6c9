"""A new machine secret is not made beside ratings another secret signed: the service refuses to start.

Without ``GREENRATE_SECRET_KEY`` the service signs with ``instance/secret_key`` (:mod:`service.secret`),
and makes one where there is none. A service restarted after losing that file (a container whose volume was
not kept, a new ``GREENRATE_INSTANCE_DIR``, a second machine given the database but not the secret) made a
new one without a word: ``/readyz`` answered ok, every rating recorded before was refused (``other_key``)
and new ones were signed with the new secret, which then had to be kept beside the lost one's ratings for
good (security review). Checking the newest rating's key in ``/readyz`` instead would let whoever can
insert one row into ``ratings`` take the service down; so the check is narrower: only when a secret is
about to be *made*, and the database already records signed ratings, is the making refused, with the ways
out named (:data:`WAY_OUT`). On an empty database (a first ``make run``, a test's app) it is made as before.

The app checks at start (:func:`check_at_start`, from :func:`service.extensions.init_app`): a worker does not
start, with the message; where the database cannot be read then, it starts, and the check runs again
before the secret is first needed (:func:`service.secret.before_making`). ``greenrate ratings verify``
checks too (a verify run with a lost secret would otherwise make one, and the service would then start
with it). ``greenrate secret new`` makes a new secret knowingly (:mod:`service.secret_cli`).
"""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from service.config.settings import Settings
from service.records.tables import ratings
from service.secret import INSTANCE_SECRET, before_making, service_secret

_log = structlog.get_logger("greenrate.start")

#: What an operator does about a refused new secret (the message's end; docs/operations.md says more).
WAY_OUT = (
    "restore the secret that signed them: put its file back in the instance directory (from a backup), or "
    "set GREENRATE_SECRET_KEY to it (the other machines' value, where they share this database); or, to "
    "start a new secret knowingly, leaving those ratings refused (other_key) unless their secret is found "
    "and listed in GREENRATE_PREVIOUS_SECRET_KEYS, run `greenrate secret new` (docs/operations.md, 'A lost "
    "secret')"
)


class SecretRefused(RuntimeError):
    """A new machine secret refused: the database records ratings signed with another one, or
    (``unreadable``) cannot be read to say."""

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


def secret_path(settings: Settings) -> Path:
    """Where the machine's secret of ``settings`` is kept (read when ``GREENRATE_SECRET_KEY`` is unset)."""
    return Path(settings.instance_dir) / INSTANCE_SECRET


def signed_ratings_recorded(db: Engine) -> bool:
    """Whether ``db`` records a signed rating: the first one found (``LIMIT 1``), not a count; asked only
    where the secret's file is missing.

    ``False`` for a database without a ratings table or signatures yet (before ``greenrate db upgrade``, or
    migration 0018); :class:`SQLAlchemyError` when it cannot be read (unreachable, refused).
    """
    with db.connect() as conn:
        schema = inspect(conn)
        if not schema.has_table(ratings.name):
            return False
        if "signature" not in {c["name"] for c in schema.get_columns(ratings.name)}:
            return False
        found = conn.execute(select(ratings.c.id).where(ratings.c.signature.is_not(None)).limit(1)).first()
        return found is not None


def refuse_new_secret(settings: Settings, db: Engine) -> None:
    """Raise :class:`SecretRefused` if a new machine secret would be made now while ``db`` records signed
    ratings (or cannot be read to say); nothing when ``GREENRATE_SECRET_KEY`` is set or the file exists."""
    path = secret_path(settings)
    if settings.secret_key or path.exists():
        return
    try:
        signed = signed_ratings_recorded(db)
    except SQLAlchemyError as exc:
        raise SecretRefused(
            f"{path} does not exist and GREENRATE_SECRET_KEY is not set, and the database cannot be read "
            f"({type(exc).__name__}) to tell whether it records ratings signed with a secret this one would "
            "replace: no new secret is made until it answers",
            unreadable=True,
        ) from None
    if signed:
        raise SecretRefused(
            f"{path} does not exist and GREENRATE_SECRET_KEY is not set, but the database records ratings "
            "signed with a secret: a new one would refuse every one of them and sign new ratings with "
            f"another, so none is made: {WAY_OUT}"
        )


def check_at_start(settings: Settings, db: Engine) -> None:
    """At an app's start: refuse (raise) a new secret beside signed ratings, else make it now, and have the
    check run again before it is first needed where the database could not be read (the worker starts)."""
    if settings.secret_key:
        return
    before_making(settings.instance_dir, lambda: refuse_new_secret(settings, db))
    try:
        refuse_new_secret(settings, db)
    except SecretRefused as exc:
        if exc.unreadable:
            _log.warning("secret_check_deferred", detail=str(exc))
            return
        _log.error("secret_refused", detail=str(exc))
        raise
    service_secret(settings.secret_key, settings.instance_dir)  # made now, right after the check
