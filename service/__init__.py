"""greenrate's HTTP service: the app factory.

``create_app`` builds one app: configuration from ``GREENRATE_`` environment variables (plus an optional
test mapping), then each subsystem bound with its ``init_app`` in an order that matters: the request id
first (everything else logs it), the timer and the log line, the rate limiter, the error handlers, the API.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

import structlog
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from service import api, errors, extensions, hardening, limits, logging, lost_answers, metrics, model_watch
from service.config import load_settings
from service.config.settings import Settings
from service.flask_app import GreenrateFlask
from service.models import register_packaged_default
from service.records.database import SchemaStatus, schema_status

_log = structlog.get_logger("greenrate.start")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``test_config`` overrides settings (by field name) and Flask config keys."""
    settings = load_settings(test_config)
    # the instance folder the settings' defaults lie in (GREENRATE_INSTANCE_DIR), not Flask's own guess
    app = GreenrateFlask(__name__, instance_path=settings.instance_dir)
    configure(app, settings, test_config)
    register_extensions(app, settings)
    register_request_hooks(app, settings)
    register_rate_limits(app, settings)
    register_error_handlers(app, settings)
    register_api(app)
    return app


def configure(app: Flask, settings: Settings, test_config: Mapping[str, Any] | None) -> None:
    """Flask's own settings; then the test mapping, so a test can set any Flask key."""
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["GREENRATE_SETTINGS"] = settings
    if settings.proxy_hops:
        # The client's address and scheme as the trusted proxies saw them (rate limits per address, the
        # CSRF cookie's Secure flag); only that many hops are believed, so a client cannot forge them.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if test_config:
        app.config.from_mapping({k: v for k, v in test_config.items() if k.isupper()})


def register_extensions(app: Flask, settings: Settings) -> None:
    """Database pool, cache client, engine slot and key cache: once per app; the active-model watcher."""
    services = extensions.init_app(app, settings)
    lost_answers.init_app(services.db)  # a 503 after a COMMIT was sent says what it may have recorded
    model_watch.init_app(app, settings.model_poll_seconds, services.erased)


def register_request_hooks(app: Flask, settings: Settings) -> None:
    """Request id and security headers, timing, the JSON log line."""
    hardening.init_app(app, settings)
    metrics.init_app(app)
    logging.init_app(app, settings)


def register_rate_limits(app: Flask, settings: Settings) -> None:
    limits.init_app(app, settings)


def register_error_handlers(app: Flask, settings: Settings) -> None:
    errors.register(app, settings)


def register_api(app: Flask) -> None:
    """The API (its error handler, the blueprints, /openapi.json and /docs)."""
    api.init_app(app)


def report_schema(db: Engine) -> SchemaStatus:
    """Log at start-up whether this code can serve the database's schema, as ``/readyz`` will say.

    The worker starts either way: ``/readyz`` answers 503 with the same words until the problem is fixed.
    A schema a newer release migrated compatibly is served, and said (``database_schema_newer``): the
    operator sees which workers are still of the older release while a rolling deploy goes on.
    """
    try:
        schema = schema_status(db)
    except SQLAlchemyError as exc:
        schema = SchemaStatus(problem=f"the database cannot be reached ({type(exc).__name__})")
    if schema.problem is not None:
        _log.error("database_not_ready", problem=schema.problem)
    elif schema.newer is not None:
        _log.warning("database_schema_newer", detail=schema.newer)
    return schema


def warm_up(app: Flask) -> None:
    """Load the rating engine now (gunicorn's post_worker_init), not on the first rating request, and read
    the erased ratings' ids (the cache misses them) before the first request too.

    Then freeze what is loaded: the engine and the app live as long as the worker, and moving them out of
    the garbage collector's generations keeps full collections from re-scanning them under load.
    """
    services = app.extensions[extensions.EXTENSION_NAME]
    report_schema(services.db)
    try:  # first start: make sure the registry knows the packaged default (idempotent, race-safe)
        register_packaged_default(services.db, "greenrate start")
    except SQLAlchemyError:
        pass  # a database not migrated yet: the slot serves the packaged default regardless
    model_watch.watcher(app).check(services.db, services.engines, force=True)
    services.engines.held()
    gc.collect()
    gc.freeze()
