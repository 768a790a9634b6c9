"""``/v1/standard``, ``/v1/models/{version}``, ``/v1/emission-factors``: the documents behind every rating.

They are the engine's own versioned documents, serialized once per engine and served as is, so a bank can
check any rating against the exact standard, points table and emission factors that produced it.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from rating_model.exceptions import ArtifactError
from rating_model.factors import factor_sets_document
from rating_model.standard import load_standard, published_standard_path
from schemas.reference import (
    FactorSetsQuerySchema,
    FactorSetsSchema,
    ModelDocumentSchema,
    StandardDocumentSchema,
    StandardQuerySchema,
)
from service.auth import ANY_ROLE, current_principal, requires
from service.engine_slot import factor_set_json, model_document_json, standard_document_json
from service.extensions import services
from service.openapi import documented
from service.records.registry import has_been_active, load_artifact

blp = Blueprint(
    "reference",
    __name__,
    url_prefix="/v1",
    description="The active standard, the registered models and the emission-factor sets, with provenance.",
)

_JSON = "application/json"


_STANDARD_QUERY = StandardQuerySchema()
_FACTOR_SETS_QUERY = FactorSetsQuerySchema()


@blp.route("/standard")
class ActiveStandard(MethodView):
    @documented(blp, 401, 404, 422, 429, 503, operation="get_standard")
    @requires(*ANY_ROLE)
    @blp.arguments(_STANDARD_QUERY, location="query", unknown=None)
    @blp.response(200, StandardDocumentSchema)
    def get(self, query: dict[str, Any]) -> Response:
        """The active standard: indicators, pillars, directions, grade cut-offs, eligibility rules.

        `?version=` gives an earlier published version instead, for ratings made under it, named as the
        rating's `versions.standard` names it or by its version alone (404 for a version that was never
        published).
        """
        current = services().engines.current()
        standard = current.engine.standard
        # as a rating names it (versions.standard: greenrate-sme@1.1.0), or the version alone: a client
        # had to strip the id from the rating's own value to look its standard up (client review)
        asked, _, version = str(query.get("version") or "").rpartition("@")
        if asked and asked != standard.id:
            abort(404, message=f"Standard {asked}@{version} was never published.")
        if not version or version == standard.version:
            return Response(current.standard_json, mimetype=_JSON)
        return Response(_published_json(f"{standard.id}@{version}"), mimetype=_JSON)


#: Unbounded, yet no larger than the package's published versions: only a label found is cached (a miss
#: raises its 404). Eight had held fewer than the versions published, so a key cycling through them made
#: every request load and check a standard again (security review).
@cache
def _published_json(label: str) -> bytes:
    path = published_standard_path(label)
    if path is None:
        abort(404, message=f"Standard {label} was never published.")
    return standard_document_json(load_standard(path))


@blp.route("/models/<string(maxlength=80):version>")
class ModelVersion(MethodView):
    @documented(blp, 401, 404, 429, 503, operation="get_model")
    @requires(*ANY_ROLE)
    @blp.response(200, ModelDocumentSchema)
    def get(self, version: str) -> Response:
        """A model's points table and model card (`active` names the active one without its version).

        Every version that has been active answers, so a rating issued under an earlier model can still be
        checked against the exact points that produced it. A candidate never activated (still under
        review) answers only to analysts; to other keys it is 404, like an unknown version.
        """
        s = services()
        loaded = s.engines.current()
        if version in ("active", loaded.versions["model"]):
            return Response(loaded.model_json, mimetype=_JSON)
        if current_principal().role != "analyst" and not has_been_active(s.db, version):
            abort(404, message=f"Model version {version!r} is not registered.")
        try:
            artifact = load_artifact(s.db, version)
        except ArtifactError:
            artifact = None  # a stored row that no longer verifies is not served
        if artifact is None:
            abort(404, message=f"Model version {version!r} is not registered.")
        return Response(model_document_json(artifact), mimetype=_JSON)


@blp.route("/emission-factors")
class EmissionFactors(MethodView):
    @documented(blp, 401, 404, 422, 429, 503, operation="list_emission_factor_sets")
    @requires(*ANY_ROLE)
    @blp.arguments(_FACTOR_SETS_QUERY, location="query", unknown=None)
    @blp.response(200, FactorSetsSchema)
    def get(self, query: dict[str, Any]) -> Response:
        """Every emission-factor set, each factor with its source, year and region.

        `?version=` answers only the set a rating names (`versions.factor_set`; 404 for one never
        published); `default` still names the set this release computes with.
        """
        # a version asked for had been ignored, and every set answered (client review)
        current = services().engines.current()
        version = query.get("version")
        if version is None:
            return Response(current.factor_sets_json, mimetype=_JSON)
        return Response(_factor_set_json(version), mimetype=_JSON)


@lru_cache(maxsize=8)
def _factor_set_json(version: str) -> bytes:
    found = factor_set_json(factor_sets_document(), version)
    if found is None:
        abort(404, message=f"Emission-factor set {version} was never published.")
    return found
