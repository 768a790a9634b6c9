"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus); no key needed.

Liveness touches nothing: a worker that answers is alive. Readiness checks the database (reachable, its
schema at the revision this code needs or a newer one recorded as compatible with it, and taking writes:
no write failed in the last 30 s without one succeeding since, :mod:`service.write_health`), the rating
engine (without them nothing can be issued: 503) and the cache (without it ratings are still served, so
it only makes the service ``degraded``).

Like the versions being served and the build running (``code_revision``, :mod:`service.revision`, which
every rating issued here records), it names the key new ratings are signed with, by its public id (never the
secret), the previous ones still accepted, and what is done with an unsigned rating (``unsigned refuse``
or ``unsigned serve``, ``GREENRATE_UNSIGNED_RATINGS``) (``checks.signing``): machines behind one address
that share a database need the same secret and policy, and two that differ show it, where each would
refuse the other's ratings, or one serve what the other refuses.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from prometheus_client import CONTENT_TYPE_LATEST

from rating_model.exceptions import ModelNotLoadedError
from schemas.reference import HealthSchema, ReadinessSchema
from service.errors import error_response
from service.extensions import Services, services
from service.metrics import metrics_response
from service.model_watch import watcher
from service.openapi import documented
from service.records.database import schema_status
from service.records.rating_signatures import service_rating_key

blp = Blueprint("ops", __name__, description="Liveness, readiness and metrics for the platform.")


def readiness(s: Services) -> dict[str, Any]:
    """Each dependency's status and the overall one: ok, degraded or unavailable."""
    checks: dict[str, dict[str, str]] = {}
    try:
        schema = schema_status(s.db)
        problem = schema.problem or s.writes.problem()
        if problem is None:
            detail = s.db.dialect.name if schema.newer is None else f"{s.db.dialect.name}; {schema.newer}"
            checks["database"] = {"status": "ok", "detail": detail}
        else:
            checks["database"] = {"status": "unavailable", "detail": problem}
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported, not raised
        checks["database"] = {"status": "unavailable", "detail": type(exc).__name__}
    versions: dict[str, str] = {}
    try:
        versions = s.engines.current().versions
        checks["engine"] = {"status": "ok", "detail": f"model {versions['model']}"}
    except ModelNotLoadedError as exc:  # the active model cannot be loaded: say which and why
        checks["engine"] = {"status": "unavailable", "detail": str(exc)}
    except Exception as exc:  # noqa: BLE001
        checks["engine"] = {"status": "unavailable", "detail": type(exc).__name__}
    try:
        key = service_rating_key(s.settings)
        previous = f"; previous {', '.join(k.id for k in key.previous)}" if key.previous else ""
        checks["signing"] = {"status": "ok", "detail": f"key {key.id}{previous}; unsigned {key.unsigned}"}
    except Exception as exc:  # noqa: BLE001 - instance/secret_key unreadable: nothing can be signed
        checks["signing"] = {"status": "unavailable", "detail": type(exc).__name__}
    cache = s.cache.health()
    checks["cache"] = {"status": cache.status, "detail": cache.detail}
    statuses = {c["status"] for c in checks.values()}
    overall = "unavailable" if "unavailable" in statuses else "degraded" if "degraded" in statuses else "ok"
    return {"status": overall, "checks": checks, "versions": versions, "code_revision": s.revision}


@blp.route("/healthz")
class Liveness(MethodView):
    @documented(blp, operation="get_liveness", secured=False)
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """Liveness: the worker answers."""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @documented(blp, 503, secured=False, operation="get_readiness")
    @blp.response(200, ReadinessSchema)
    def get(self) -> Any:
        """Readiness: `ok`, or `degraded` while still serving (cache down); 503 if nothing can be issued."""
        s = services()
        # the same look a /v1 request takes first, so the versions reported are the ones the next rating
        # uses (after an outage this worker may not have looked since; operator review); it restarts the
        # interval, so it follows the erasures too (the watcher's own set), as every look does
        watcher(current_app).check(s.db, s.engines)
        report = readiness(s)
        if report["status"] == "unavailable":
            down = {
                name: [c["detail"]] for name, c in report["checks"].items() if c["status"] == "unavailable"
            }
            return error_response(
                503,
                "Not ready: ratings cannot be issued.",
                down,
                {"Retry-After": str(s.settings.retry_after_seconds)},
            )
        return report


#: The exposition is text: declared as such so a generated client reads it as a string (the 200 had no
#: content at all, and the get_metrics openapi-python-client 0.29 generated answered None, the body unread).
_METRICS_CONTENT = {
    "description": f"The Prometheus text exposition format (`Content-Type: {CONTENT_TYPE_LATEST}`).",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


@blp.route("/metrics")
class Metrics(MethodView):
    @documented(blp, operation="get_metrics", secured=False)
    @blp.doc(responses={"200": _METRICS_CONTENT})
    def get(self) -> Response:
        """Prometheus metrics, merged across gunicorn workers."""
        return metrics_response(services().settings)
