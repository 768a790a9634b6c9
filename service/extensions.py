"""The service's per-app resources, built once per app (so once per gunicorn worker) by ``init_app``.

Everything a request needs that is expensive to make (the database pool, the cache client, the rating
engine, the key cache, the erased ratings' ids) lives here and is reached through :func:`services`; nothing
is created per request.
flask-smorest's ``Api`` and Flask-Limiter's ``Limiter`` keep per-app state on themselves, so they are made
per app in :mod:`service.api` and :mod:`service.limits` rather than shared module-level instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from flask import Flask, current_app
from sqlalchemy import Engine

from service.auth import KeyRing
from service.cache import RatingCache, create_cache
from service.config.settings import Settings
from service.engine_slot import EngineSlot
from service.records.database import create_db_engine
from service.records.erasures import ErasedRatings
from service.revision import UNKNOWN, code_revision
from service.secret_guard import check_at_start
from service.write_health import WriteHealth

EXTENSION_NAME = "greenrate"


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Engine
    cache: RatingCache
    engines: EngineSlot
    keys: KeyRing
    # the erased ratings' ids, which the cache misses: read by the model watcher (service.model_watch);
    # no default, as the cache's own is not: a set nothing reads into would switch the check off
    erased: ErasedRatings
    writes: WriteHealth = field(default_factory=WriteHealth)  # recent write failures on this host
    # the build this process runs (service.revision): recorded with every rating it issues
    revision: str = UNKNOWN


def init_app(app: Flask, settings: Settings, engines: EngineSlot | None = None) -> Services:
    """Create the pool, the cache client and the (lazily loaded) engine slot for this app; name its build."""
    db = create_db_engine(settings)
    check_at_start(settings, db)  # before the cache reads the secret: never a new one beside signed ratings
    erased = ErasedRatings()
    services = Services(
        settings=settings,
        db=db,
        cache=create_cache(settings, erased),
        engines=engines or EngineSlot(),
        keys=KeyRing(db, settings.key_cache_seconds),
        # shared by the workers of this host, through the multiprocess directory gunicorn sets up
        writes=WriteHealth(shared_dir=settings.metrics_multiproc_dir),
        revision=code_revision(settings.revision),  # resolved once per process, not per request
        erased=erased,
    )
    app.extensions[EXTENSION_NAME] = services
    return services


def services() -> Services:
    """This app's resources (inside an app or request context)."""
    return cast(Services, current_app.extensions[EXTENSION_NAME])
