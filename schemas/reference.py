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

    id = fields.String(required=True, metadata={"description": "The standard's id (`greenrate-sme`)."})
    version = fields.String(required=True, metadata={"description": "Its version, as ratings cite it."})
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$"),
        metadata={"description": "sha256 of the document's canonical JSON: one version, one content."},
    )
    document = fields.Dict(
        required=True,
        metadata={"description": "The standard as published (its YAML as JSON), every section verbatim."},
    )


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
            "description": "Only this set, as a rating's versions.factor_set names it (cn-2024.6); every set "
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


class FactorRecordSchema(Schema):
    """One emission factor with its provenance (a rating's factor references name its ``id``)."""

    class Meta:
        unknown = "include"  # the set's own parameters: density_kg_per_l, ncv_mj_per_unit, liquid units

    id = fields.String(required=True)
    activity = fields.String(required=True)
    scope = fields.Integer(required=True, metadata={"description": "GHG Protocol scope (1, 2 or 3)."})
    region = fields.String(required=True)
    year = fields.Integer(
        required=True, allow_none=True,
        metadata={"description": "The year the factor is for; null where its source is not for one year."},
    )
    year_released = fields.Integer(required=True, allow_none=True)
    value = fields.Float(required=True, allow_nan=False)
    unit = fields.String(required=True)
    gwp_basis = fields.String(required=True)
    source = fields.String(required=True)
    source_url = fields.String(required=True, allow_none=True)
    notes = fields.String(required=True)
    quality = fields.String(required=True)


class FactorSetSchema(Schema):
    """One versioned factor set: its provenance, what it cannot price, and its records."""

    class Meta:
        unknown = "include"

    version = fields.String(required=True)
    released = fields.String(required=True)
    description = fields.String(required=True)
    gwp_basis = fields.String(required=True)
    countries = fields.List(fields.String(), required=True)
    region_scheme = fields.String(required=True)
    year_scheme = fields.String(required=True)
    not_available = fields.List(
        fields.Dict(), required=True,
        metadata={"description": "Activities this set has no sourced factor for, each with the reason."},
    )
    grid_regions = fields.Dict(required=True, metadata={"description": "Provinces by regional grid."})
    records = fields.List(
        fields.Nested(FactorRecordSchema), required=True,
        metadata={"description": "Emission factors, each with its source."},
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
    checks = fields.Dict(
        keys=fields.String(), values=fields.Nested(CheckSchema), required=True,
        metadata={
            "description": "One check per dependency, each with its `status` and `detail`: `database` (its "
            "dialect, and a note when a newer release migrated it compatibly; else what keeps ratings from "
            "being issued), `engine` (the active model), `signing` (`key <id>`: the public id of the secret "
            "that signs ratings, never the secret; `; previous <id>, <id>` for the rotated-out secrets still "
            "accepted, `GREENRATE_PREVIOUS_SECRET_KEYS`, left out when there are none; then `; unsigned "
            "refuse` or `; unsigned serve`, what `GREENRATE_UNSIGNED_RATINGS` does with a rating recorded "
            "without a signature; unavailable when the secret cannot be read) and `cache` (`redis` or the "
            "in-process cache's size; degraded while Redis cannot be reached, serving without it)."
        },
    )
    # Required (every 200 has them): optional, a generated client typed both as maybe unset (an integrator's
    # generated client); a 503 answers the error body instead.
    versions = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "The versions the next rating uses (`model`, `standard`, `factor_set`, "
                  "`schema`, `engine`): those each rating records in its own `versions`."},
    )
    code_revision = fields.String(
        required=True,
        metadata={
            "description": "The build this worker runs, which every rating it issues records (the list's "
            "`code_revision`): `GREENRATE_REVISION`, else the package version and git commit it runs from, "
            "else `unknown`. Workers behind one address showing two are a deploy under way."
        },
    )
