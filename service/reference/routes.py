"""``/v1/standard``, ``/v1/models/{version}``, ``/v1/emission-factors``: the documents behind every rating.

They are the engine's own versioned documents, serialized once per engine and served as is, so a bank can
check any rating against the exact standard, points table and emission factors that produced it.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from schemas.reference import FactorSetsSchema, ModelDocumentSchema, StandardDocumentSchema
from service.auth import ANY_ROLE, requires
from service.extensions import services
from service.openapi import documented

blp = Blueprint(
    "reference",
    __name__,
    url_prefix="/v1",
    description="The active standard, the active model and the emission-factor sets, with provenance.",
)

_JSON = "application/json"


@blp.route("/standard")
class ActiveStandard(MethodView):
    @documented(blp, 401, 429)
    @requires(*ANY_ROLE)
    @blp.response(200, StandardDocumentSchema)
    def get(self) -> Response:
        """The active standard: indicators, pillars, directions, grade cut-offs, eligibility rules."""
        return Response(services().engines.current().standard_json, mimetype=_JSON)


@blp.route("/models/<string(maxlength=80):version>")
class ModelVersion(MethodView):
    @documented(blp, 401, 404, 429)
    @requires(*ANY_ROLE)
    @blp.response(200, ModelDocumentSchema)
    def get(self, version: str) -> Response:
        """The active model's points table and model card (`active` names it without knowing its version).

        Versions other than the active one answer 404.
        """
        loaded = services().engines.current()
        if version not in ("active", loaded.versions["model"]):
            abort(404, message=f"Model version {version!r} is not the active model.")
        return Response(loaded.model_json, mimetype=_JSON)


@blp.route("/emission-factors")
class EmissionFactors(MethodView):
    @documented(blp, 401, 429)
    @requires(*ANY_ROLE)
    @blp.response(200, FactorSetsSchema)
    def get(self) -> Response:
        """Every emission-factor set, each factor with its source, year and region."""
        return Response(services().engines.current().factor_sets_json, mimetype=_JSON)
