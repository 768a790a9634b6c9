"""Reference documents the service publishes as they are (standard, model, factor sets) and ops bodies.

These documents are versioned data files of the engine, hashed and published verbatim; their inner
structure is defined (and documented) by the engine's own loaders, so the schemas here pin the envelope and
leave the documented inner objects open.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.fields import WholeMatch


class StandardDocumentSchema(Schema):
    """The active green evaluation standard: indicators, pillars, directions, cut-offs, eligibility rules."""

    class Meta:
        unknown = "include"

    version = fields.String(required=True)


class StandardQuerySchema(Schema):
    """``GET /v1/standard``: the active version unless another published one is asked for."""

    version = fields.String(
        validate=WholeMatch(r"^(?:[a-z][a-z0-9-]{0,40}@)?[0-9]+\.[0-9]+\.[0-9]+$"),
        metadata={
            "description": "A published version for ratings made under it, as a rating's versions.standard "
            "names it (greenrate-sme@1.1.0) or alone (1.1.0); the active one when left out."
        },
    )


class FactorSetsQuerySchema(Schema):
    """``GET /v1/emission-factors``: every set, or the one a rating names."""

    class Meta:
        unknown = "raise"

    version = fields.String(
        validate=WholeMatch(r"^[a-z0-9][a-z0-9.-]{0,40}$"),
        metadata={
            "description": "Only this set, as a rating's versions.factor_set names it (cn-2024.2); every set "
            "when left out."
        },
    )


class ModelDocumentSchema(Schema):
    """The active scorecard: its artifact, points table and model card."""

    version = fields.String(required=True)
    artifact = fields.Dict(required=True, metadata={"description": "The verified scorecard artifact."})
    points_table = fields.List(
        fields.Dict(), required=True, metadata={"description": "Indicator bins and their points."}
    )
    card = fields.Dict(
        required=True, metadata={"description": "Model card: data, method, validation, limits."}
    )


class FactorSetSchema(Schema):
    class Meta:
        unknown = "include"

    version = fields.String(required=True)
    records = fields.List(
        fields.Dict(), required=True, metadata={"description": "Emission factors, each with its source."}
    )


class FactorSetsSchema(Schema):
    """Every emission factor set the engine can select from, with provenance."""

    default = fields.String(
        required=True, metadata={"description": "Version of the factor set used when none is asked for."}
    )
    factor_sets = fields.List(fields.Nested(FactorSetSchema), required=True)


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.Equal("ok"))


class CheckSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("ok", "degraded", "unavailable")))
    detail = fields.String()


class ReadinessSchema(Schema):
    """``ok``; ``degraded`` (still serving, e.g. the cache is down); ``unavailable`` answers 503."""

    status = fields.String(required=True, validate=validate.OneOf(("ok", "degraded", "unavailable")))
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckSchema), required=True)
    versions = fields.Dict(keys=fields.String(), values=fields.String())
