"""The model registry's bodies: version listings, activation requests and answers, artifact uploads.

An uploaded artifact is documented here by its envelope only: its inner structure is the engine's
artifact format (``rating_model/artifact_format.py``), verified with its sha256 by the service, which
answers 422 with the reason when it does not verify.
"""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

from schemas.fields import Cursor, UtcDateTime, text

#: The most events or comparisons a page of the registry's listings holds, and the default: more than a
#: deployment records in years (a promotion a week is about 150 events a year; a version is compared a few
#: times before it is promoted), so a client that never pages reads the whole listing, as it did before the
#: listings were paged, until then (a DBA's scale review: they returned every row ever recorded).
MAX_REGISTRY_PAGE = 500
#: What an event of the audit trail records (the check constraint of ``model_events.action``).
MODEL_EVENT_ACTIONS = ("register", "upload", "promote", "rollback")
#: How a version came into the registry: the package's own model, ``greenrate model``, ``POST /v1/models``.
MODEL_SOURCES = ("packaged", "cli", "upload")
#: The sides of a recorded comparison a version's metrics were measured on.
MEASURED_ROLES = ("challenger", "champion")


def _page_size(what: str) -> fields.Integer:
    """The ``limit`` of a registry listing, as ``GET /v1/ratings`` and ``GET /v1/keys`` take it."""
    return fields.Integer(
        load_default=MAX_REGISTRY_PAGE,
        validate=validate.Range(1, MAX_REGISTRY_PAGE),
        metadata={
            "description": f"{what} per page, at most {MAX_REGISTRY_PAGE} (the default: more than a "
            "deployment records in years, so one page usually holds them all); follow next_cursor for the "
            "rest."
        },
    )


def _cursor() -> Cursor:
    return Cursor(metadata={"description": "Opaque; the previous page's next_cursor."})


def _next_cursor() -> fields.String:
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Null on the last page; otherwise pass it as `cursor` for the next (newer) "
                  "items."},
    )


class ModelSummarySchema(Schema):
    """One registered model version."""

    version = fields.String(required=True)
    sha256 = fields.String(required=True, metadata={"description": "The artifact's content hash."})
    standard = fields.String(required=True, metadata={"description": "Standard it was trained for."})
    source = fields.String(
        required=True,
        validate=validate.OneOf(MODEL_SOURCES),
        metadata={"description": "`packaged`, `cli` (greenrate model) or `upload` (API)."},
    )
    created_at = UtcDateTime(required=True)
    created_by = fields.String(required=True)
    trained_by = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Who trained it, as its registrant declared (the registrant unless they "
                  "named another): four eyes keeps both from promoting it. Null for a version registered "
                  "before the registry recorded trainers (its promotion's audit event says four eyes was "
                  "checked against its registrant only)."},
    )
    metrics = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "Holdout AUC, Gini, KS, Brier as the artifact declares them about itself (its "
            "maker's training holdout, or whatever an uploader wrote: an upload declaring AUC 0.99 is listed "
            "so). Not measured by the registry: read `measured`, and compare models on your own data."
        },
    )
    metrics_declared_by = fields.String(
        required=True,
        validate=validate.OneOf(("artifact",)),
        metadata={"description": "`artifact`: who vouches for `metrics` (the artifact itself, not the "
                  "registry)."},
    )
    measured = fields.Nested(
        lambda: MeasuredSchema(),
        required=True,
        allow_none=True,
        metadata={"description": "The version's metrics as measured by its newest recorded comparison "
                  "(`greenrate model compare --record`), as challenger or champion, that a promotion counts "
                  "now; when none counts, by its newest one, with `counted` false and `not_counted` saying "
                  "why; null when none was recorded. `GET /v1/models/{version}/comparisons` lists them all, "
                  "and says whether a promotion counts each."},
    )
    active = fields.Boolean(required=True)


class MeasuredSchema(Schema):
    """A version's metrics in one recorded comparison: measured on the compared data, not declared."""

    comparison = fields.Integer(required=True, metadata={"description": "The recorded comparison's id."})
    role = fields.String(
        required=True,
        validate=validate.OneOf(MEASURED_ROLES),
        metadata={"description": "`challenger` or `champion`."},
    )
    against = fields.String(required=True, metadata={"description": "The other model compared."})
    rows = fields.Integer(required=True, metadata={"description": "Rated rows it was measured on."})
    file = fields.String(required=True, allow_none=True)
    file_sha256 = fields.String(required=True, allow_none=True)
    metrics = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "This version's AUC, Gini, KS and Brier on those rows."},
    )
    at = UtcDateTime(required=True)
    counted = fields.Boolean(
        required=True,
        metadata={"description": "Whether a promotion counts this comparison now (the gate's own rule, as "
                  "`counted` in `GET /v1/models/{version}/comparisons`)."},
    )
    not_counted = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why a promotion does not count it; null when counted."},
    )


class ModelListSchema(Schema):
    """Every registered version, oldest first, and the one that rates now."""

    items = fields.List(fields.Nested(ModelSummarySchema), required=True)
    active = fields.String(required=True, allow_none=True)


def _says_something(reason: str) -> None:
    """An audit trail of blank reasons explains nothing: at least three letters or digits.

    Spaces and punctuation do not count, so ``"x  y"`` and ``"..."`` are refused; a change ticket
    (``CR-1``) or three Chinese characters pass.
    """
    if sum(1 for ch in reason if ch.isalnum()) < 3:
        raise ValidationError(
            "Give a reason of at least 3 letters or digits (spaces and punctuation do not count)."
        )


def _reason(description: str) -> fields.String:
    """An audited reason: one rule for every entry point (:func:`_says_something`)."""
    return text(required=True, max_length=2000, description=description + _AT_LEAST, also=(_says_something,),
                published_min_length=3)


#: What :func:`_says_something` holds a reason to, published with it (the document had said a minimum
#: length of 1, a bank integrator's review)
_AT_LEAST = " At least 3 letters or digits (spaces and punctuation do not count)."


class ActivateRequestSchema(Schema):
    """Why this version should rate from now on (kept in the audit trail)."""

    reason = _reason("Why this version should rate from now on.")
    replacing = text(
        required=True,
        max_length=80,
        description="The version this promotion must replace: the champion the challenger was compared "
        "with (required: a promotion that does not say what it replaces could silently override another "
        "analyst's). When another version is active by then (someone promoted or rolled back meanwhile), "
        "nothing changes and the answer is 409.",
    )
    accept_worse = text(
        required=False,
        max_length=2000,
        also=(_says_something,),
        published_min_length=3,
        description="Why to promote although a recorded comparison against the active model (every one "
        "recorded for the pair counts) shows the version worse (AUC, Gini or KS lower, or Brier higher, "
        "beyond the bootstrap interval), moving the scores or grades (score PSI above 0.25, or more than "
        "20 % of the businesses changing grade), its mean predicted probability off the observed green rate "
        "(more than 5 points and outside its 95 % interval), or its score grade overridden by the standard's "
        "knock-outs on more than 5 % more of the businesses than the champion's: without it such a "
        "promotion answers 409 with the numbers. "
        "Kept in the audit trail with them; sent when nothing needs justifying, it is kept there too, "
        "said to have been unneeded." + _AT_LEAST,
    )


class RollbackRequestSchema(Schema):
    """Why the promotion of this version is undone (kept in the audit trail, by the same rule)."""

    reason = _reason("Why the promotion is undone (an incident, a complaint).")


class ActivationSchema(Schema):
    """The promotion as recorded; every worker rates with ``version`` within the poll interval."""

    version = fields.String(required=True)
    previous_version = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    actor = fields.String(required=True)


class ArtifactUploadSchema(Schema):
    """A scorecard artifact trained elsewhere (`greenrate model train` writes one); verified on upload."""

    class Meta:
        unknown = INCLUDE

    format = fields.String(required=True, metadata={"description": "`greenrate.scorecard`"})
    version = fields.String(required=True)
    sha256 = fields.String(required=True, metadata={"description": "sha256 of the canonical content."})


class ArtifactUploadQuerySchema(Schema):
    """``?trained_by=``: who trained the uploaded artifact, when not the uploading key's holder."""

    class Meta:
        unknown = RAISE

    # not text(): a query string has no null, and an empty name names no one (as ?version= of the events)
    trained_by = fields.String(validate=validate.Length(1, 120), metadata={"description": (
        "Who trained the artifact, when not the holder of the uploading key: their analyst "
        "key's tenant/prefix (as `GET /v1/model-events` names actors) or `cli/<account>`; 422 when it names "
        "neither an analyst key of this registry nor an account. Left out: the uploader trained it. Recorded "
        "as the version's `trained_by`, and four eyes keeps the trainer from promoting it as it keeps the "
        "uploader.")})


class ModelEventSchema(Schema):
    """One event of the model registry's audit trail, as recorded (never changed: migration 0009)."""

    id = fields.Integer(required=True)
    version = fields.String(required=True)
    action = fields.String(
        required=True,
        validate=validate.OneOf(MODEL_EVENT_ACTIONS),
        metadata={"description": "`register` (a version recorded: the packaged model, or by `greenrate "
                  "model`), `upload` (`POST /v1/models`), `promote` or `rollback`."},
    )
    previous_version = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The version a promotion or rollback replaced."},
    )
    reason = fields.String(
        required=True,
        metadata={"description": "Why, as given; a promotion's names the recorded comparison it rests on."},
    )
    actor = fields.String(
        required=True, metadata={"description": "An API key's tenant/prefix, or cli/ and the account."}
    )
    at = UtcDateTime(required=True)


class ModelEventListSchema(Schema):
    """A page of the audit trail, oldest first."""

    items = fields.List(fields.Nested(ModelEventSchema), required=True)
    limit = fields.Integer(required=True)
    next_cursor = _next_cursor()


class ModelEventQuerySchema(Schema):
    """``?version=``: only that version's events; ``limit`` and ``cursor`` page through them, oldest first."""

    class Meta:
        unknown = RAISE

    # not text(): a query string has no null, and an empty version names none (it answered an empty trail)
    version = fields.String(
        validate=validate.Length(1, 80),
        metadata={"description": "Only this model version's events: those naming it as the version "
                  "registered, promoted or rolled back to, and those that took it out of service (a "
                  "rollback of it, the promotion that replaced it: it is their `previous_version`)."},
    )
    limit = _page_size("Events")
    cursor = _cursor()


class ComparisonSchema(Schema):
    """One recorded comparison (`greenrate model compare --record`), never changed once recorded, with how
    the promotion gate reads it now."""

    id = fields.Integer(required=True)
    challenger = fields.String(required=True)
    champion = fields.String(required=True)
    recorded_by = fields.String(
        required=True, metadata={"description": "An API key's tenant/prefix, or cli/ and the account."}
    )
    at = UtcDateTime(required=True)
    data = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "What it was measured on: `file`, `file_sha256` (as sha256sum prints it), "
                  "`rows_sha256`, `rows_read`, `rows_left_out`, `trained_on_it`, `standard` and "
                  "`challenger_standard` with their `_sha256`, `samples`."},
    )
    summary = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "What `greenrate model compare` printed: `rows`, `metrics` (each with "
                  "`champion`, `challenger`, `delta`, `ci_low`, `ci_high`), `score_psi`, `indicator_psi`, "
                  "`migration`, and (comparisons recorded since they were added) `calibration` and `grades`, "
                  "each by `champion` and `challenger`."},
    )
    counted = fields.Boolean(
        required=True,
        metadata={"description": "Whether a promotion of its challenger replacing the active model counts "
                  "it now (every counted one is read; any that needs a justification needs one)."},
    )
    not_counted = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why it is not counted (too few rows, a model trained on the file, a "
                  "challenger without a training fingerprint, another standard than this release's, no score "
                  "PSI or migration; or out of date: its champion is not the active model, it was recorded "
                  "before the active model last became active, or it is past `valid_until`); null when "
                  "counted."},
    )
    valid_until = UtcDateTime(
        required=True,
        metadata={"description": "When it stops counting by age: `at` plus "
                  "`GREENRATE_MODEL_COMPARISON_VALID_DAYS` (both on the database's clock)."},
    )
    needs_justification = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What in it a promotion resting on it must justify (`accept_worse`): "
                  "metrics worse beyond the interval, a score PSI above 0.25, grade migration above 20 %, "
                  "probabilities off the observed rate, knock-out overrides of the score grade on more than "
                  "5 % more of the businesses than the champion's."},
    )


class ComparisonListSchema(Schema):
    """A page of a version's recorded comparisons, as challenger or champion, oldest first."""

    items = fields.List(fields.Nested(ComparisonSchema), required=True)
    limit = fields.Integer(required=True)
    next_cursor = _next_cursor()


class ComparisonQuerySchema(Schema):
    """``limit`` and ``cursor`` page through a version's comparisons, oldest first."""

    class Meta:
        unknown = RAISE

    limit = _page_size("Comparisons")
    cursor = _cursor()
