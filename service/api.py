"""The REST API: flask-smorest's ``Api`` with our error body, the blueprints, and the offline docs page.

``/openapi.json`` is the contract; ``/docs`` is Swagger UI served from the ``swagger-ui-bundle`` package's
own files, because the service must document itself on machines that reach no CDN.
"""

from __future__ import annotations

import functools
import mimetypes
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Flask, Response, abort
from marshmallow.fields import Field

from rating_model.operating_data import SCHEMA_VERSION
from service import converters
from service.config.settings import Settings
from service.disclosure.routes import blp as disclosure_blp
from service.errors import GreenrateApi
from service.health import blp as ops_blp
from service.keys.routes import CREATE_BUDGET
from service.keys.routes import blp as keys_blp
from service.merchants.routes import blp as merchants_blp
from service.models.routes import blp as models_blp
from service.models.routes import events_blp as model_events_blp
from service.openapi import (
    BEARER_SCHEME,
    VERSIONING_POLICY,
    AddedParametersPlugin,
    RequestIdPlugin,
    document_request_id_in_shared_responses,
    document_too_many_requests,
    drop_unused_schemas,
    exclusive_bounds,
    extensible_enums,
    open_response_schemas,
    rate_limits,
)
from service.portfolios.routes import blp as portfolios_blp
from service.ratings.routes import blp as ratings_blp
from service.reference.routes import blp as reference_blp
from service.web import routes as merchant_page

DOCS_ASSETS_URL = "/docs/assets/"
_ASSETS_DIR = Path(swagger_ui_bundle.swagger_ui_path)
_ASSETS = frozenset(
    {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
        "favicon-16x16.png",
    }
)

DESCRIPTION = """Open green rating for small businesses: a GHG inventory, a transparent scorecard and an
IFRS S2-style summary for every rating.

Every `/v1` path needs `Authorization: Bearer <api key>`; a key belongs to one tenant and one role
(`bank`, `merchant`, `analyst`, `admin`), and a tenant never sees another tenant's data (a foreign id
answers 404, like a missing one). Every error has one body: `{code, status, message, errors?, request_id}`,
with `errors` keyed by field path. Rate limits are per key and per tenant (429 with `Retry-After`, below).
When the records cannot be reached the answer is 503 with `Retry-After`: nothing was issued or changed,
unless a write's COMMIT was sent and its answer lost, when its `message` says that its change may have been
recorded and whether the same request may be sent again.

## Versions and deprecation

""" + VERSIONING_POLICY


def _release() -> str:
    try:
        return version("greenrate")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0"


def document_version() -> str:
    """``info.version``: the release serving the document and the version of the rating documents.

    It had been the package version alone, ``0.1.0`` since the first commit, which no release bumps and
    which said nothing of the ratings' fields (a bank integrator's review). ``SCHEMA_VERSION`` is bumped by
    every change to what the operating-data and rating documents hold, and every rating names it in
    ``versions.schema``, so a client can tell which document its generated code knows; the release part
    tells two deployments apart when the rest of the contract (keys, models, portfolios) changed. Written
    as semver build metadata, which is also a PEP 440 local version: a generator that copies it into its
    package's version (openapi-python-client does) gets a valid one.
    """
    return f"{_release()}+schema.{SCHEMA_VERSION}"


def api_config(settings: Settings) -> dict[str, object]:
    """flask-smorest's settings; ``info.description`` names this deployment's rate limits."""
    description = f"{DESCRIPTION}\n\n## Rate limits\n\n{rate_limits(settings, CREATE_BUDGET)}"
    return {
        "API_TITLE": "greenrate",
        "API_VERSION": document_version(),
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS_URL,
        "API_SPEC_OPTIONS": {"info": {"description": description}},
    }


@functools.cache
def _asset_bytes(filename: str) -> bytes:
    return (_ASSETS_DIR / filename).read_bytes()


def _docs_asset(filename: str) -> Response:
    """One of Swagger UI's own files (an allow-list: nothing else in the package is served)."""
    if filename not in _ASSETS:
        abort(404)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = Response(_asset_bytes(filename), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


_ANY_OBJECT_OR_NULL = {"type": "object", "nullable": True}
#: The null branch of a nullable nested object. No ``type``: datamodel-code-generator reads a typed branch
#: (``type: object``) as "any object" (``dict[str, Any]``), which took ``{}`` and refused null, and reads this
#: one as null alone. Without a type nothing but ``enum`` constrains it, so OpenAPI 3.0.3 validators take
#: null and nothing else (``nullable`` beside it says so to readers that look for it).
NULL_BRANCH = {"nullable": True, "enum": [None]}


def _nullable_reference(
    _converter: Any, _field: Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """A nullable nested object as ``oneOf: [{$ref}, {nullable: true, enum: [null]}]`` with ``nullable: true``
    beside it: this type, or null, in a form OpenAPI 3.0.3 validators and client generators read alike.

    apispec 6 writes it as ``anyOf: [{type: object, nullable: true}, {$ref}]``, whose first branch is any
    object: openapi-python-client then typed ``financed_emissions`` and ``grid_factor`` as untyped dicts,
    and pydantic models from datamodel-code-generator refused every rating without a loan (client review).
    ``{"allOf": [{$ref}], "nullable": true}``, written here before, has no ``type`` beside ``nullable``, so a
    strict validator (openapi-schema-validator's ``OAS30Validator``) refused null: every rating without a
    loan failed its own contract (contract review). The ``oneOf`` that followed had ``type: object`` in its
    null branch, which datamodel-code-generator 0.97 still read as any object: its pydantic ``Rating`` took
    ``financed_emissions: {}`` and refused ``null``, every rating without a loan again (a bank integrator's
    generated client). ``nullable: true`` beside the ``oneOf`` is what that generator's ``--strict-nullable``
    turns into ``| None``; strict validators ignore it (no ``type``), and the ``oneOf`` alone admits null.
    """
    branches = ret.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and _ANY_OBJECT_OR_NULL in branches:
        reference = next(b for b in branches if b != _ANY_OBJECT_OR_NULL)
        if set(reference) == {"$ref"}:
            del ret["anyOf"]
            return {"oneOf": [reference, dict(NULL_BRANCH)], "nullable": True}
    return {}


def init_app(app: Flask) -> GreenrateApi:
    """Create this app's Api, register the blueprints and the docs assets."""
    for key, value in api_config(app.config["GREENRATE_SETTINGS"]).items():
        app.config.setdefault(key, value)
    # the operations are documented when the document is first read; open_response_schemas and
    # drop_unused_schemas then finish it
    api = GreenrateApi(
        app, spec_kwargs={"extra_plugins": [AddedParametersPlugin(), RequestIdPlugin()]},
        finish=(open_response_schemas, drop_unused_schemas),
    )
    document_request_id_in_shared_responses(api.spec)
    document_too_many_requests(api.spec)
    api.ma_plugin.converter.add_attribute_function(_nullable_reference)
    api.ma_plugin.converter.add_attribute_function(exclusive_bounds)
    api.ma_plugin.converter.add_attribute_function(extensible_enums)
    converters.init_app(app, api)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blueprint in (ratings_blp, reference_blp, models_blp, model_events_blp, ops_blp):
        api.register_blueprint(blueprint)
    for blueprint in (disclosure_blp, merchants_blp, portfolios_blp, keys_blp):
        api.register_blueprint(blueprint)
    merchant_page.init_app(app)  # the merchant page at /: HTML, not part of the API spec
    app.add_url_rule(DOCS_ASSETS_URL + "<path:filename>", endpoint="docs_asset", view_func=_docs_asset)
    return api
