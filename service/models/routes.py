"""``/v1/models`` (list, upload), ``/v1/models/{version}/activate`` and ``/rollback``,
``/v1/models/{version}/comparisons`` (the recorded evidence) and ``/v1/model-events`` (the audit trail):
the registry for analysts.

Views stay thin: verification is the artifact's own (:class:`~rating_model.artifact.ScorecardArtifact`,
never a pickle), fit to the running standard is :func:`service.model_watch.engine_for`, and storage and
audit are :mod:`service.records.registry`, which refuses to activate a version that does not fit (so
the registry never names a model the workers cannot rate with). After an activation this worker swaps
at once; the others follow within ``GREENRATE_MODEL_POLL_SECONDS``.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from rating_model.artifact import ScorecardArtifact
from schemas.fields import Cursor
from schemas.models import (
    ActivateRequestSchema,
    ActivationSchema,
    ArtifactUploadQuerySchema,
    ArtifactUploadSchema,
    ComparisonListSchema,
    ComparisonQuerySchema,
    ModelEventListSchema,
    ModelEventQuerySchema,
    ModelListSchema,
    ModelSummarySchema,
    RollbackRequestSchema,
)
from service.auth import Principal, current_principal, requires
from service.extensions import services
from service.hardening import json_body
from service.idempotency import (
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    idempotency_key,
    idempotency_parameter,
    request_sha256,
)
from service.lost_answers import on_lost_answer
from service.model_watch import engine_for, watcher
from service.openapi import added_parameters, documented
from service.records import activation, registry

blp = Blueprint(
    "models",
    __name__,
    url_prefix="/v1/models",
    description="The model registry: versions with metrics, verified artifact uploads, audited promotion.",
)


events_blp = Blueprint(
    "model_events",
    __name__,
    url_prefix="/v1/model-events",
    description="The model registry's audit trail: who registered, uploaded, promoted or rolled back which "
    "version, when, why and on what evidence.",
)


def _replayed(description: str) -> dict[str, Any]:
    """The ``Idempotent-Replayed`` header as each registry write that recognises its own retry declares it
    (as ``POST /v1/portfolios`` does): ``true`` or ``false`` with every answer of its success status."""
    return {
        "description": description, "required": True, "schema": {"type": "string", "enum": ["true", "false"]}
    }


_REGISTERED_HEADERS = {
    "Location": {"description": "Path of the model version.", "required": True, "schema": {"type": "string"}},
    IDEMPOTENT_REPLAYED: _replayed(
        "`true`: this very artifact (its version and sha256) was registered before by the calling key, or "
        "this request's `Idempotency-Key` names its registration, so this is a retry (its first answer lost, "
        "say) answered with that registration: nothing was registered or audited again; `false`: registered "
        "now."
    ),
}
_PROMOTED_HEADERS = {
    IDEMPOTENT_REPLAYED: _replayed(
        "`true`: this repeats the promotion that made the version active (the calling key, the same "
        "`reason` and `replacing`, nothing promoted or rolled back since; or, whatever happened since, the "
        "promotion this request's `Idempotency-Key` names), a retry (its first answer lost, say) answered as "
        "that promotion was: nothing was changed or audited again; `false`: promoted now."
    ),
}
_ROLLED_BACK_HEADERS = {
    IDEMPOTENT_REPLAYED: _replayed(
        "`true`: this repeats the rollback that took the version out (the calling key, the same `reason`, "
        "nothing promoted or rolled back since; or, whatever happened since, the rollback this request's "
        "`Idempotency-Key` names), a retry (its first answer lost, say) answered as that rollback was: "
        "nothing was changed or audited again; `false`: rolled back now."
    ),
}


_IDEMPOTENCY_PARAMETER = idempotency_parameter(
    "Your id for this registry write (a UUID, say; 1-255 printable ASCII characters, bare or quoted), the "
    "same on every retry of it: it names the audit event the write adds, per API key, for good, so a retry "
    "with it is answered as that write was (`Idempotent-Replayed: true`) whenever it comes, even after "
    "another promotion or rollback, and nothing is done again. The same key with another path or body: "
    "422, nothing done. Without it, a retry is recognised by its content only while nothing was promoted "
    "or rolled back since."
)


def _request_key(*parts: Any) -> registry.RequestKey | None:
    """The ``Idempotency-Key`` of this request, if sent, with the sha256 of the request it names (its path
    and ``parts``, the parsed body and query): what the registry records with the event it writes."""
    key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
    return None if key is None else registry.RequestKey(key, request_sha256(request.path, *parts))


def _replay_header(replayed: bool) -> dict[str, str]:
    return {IDEMPOTENT_REPLAYED: "true" if replayed else "false"}


def actor_of(principal: Principal) -> str:
    """Who did it, as the audit trail keeps it: tenant and the key's non-secret prefix."""
    return f"{principal.tenant}/{principal.prefix}"


def _summary(record: registry.ModelRecord, measured: dict[str, Any] | None) -> dict[str, Any]:
    """A version as ``ModelSummarySchema`` documents it, in the listing and in an upload's answer alike:
    the upload had answered the bare record, without ``metrics_declared_by`` and ``measured``, which the
    contract marks required (a strict client refused it)."""
    return {**asdict(record), "metrics_declared_by": "artifact", "measured": measured}


def _activation(switched: activation.Switched, reason: str, actor: str) -> dict[str, Any]:
    """A promotion or rollback as ``ActivationSchema`` documents it (a replay's as its first answer was)."""
    return {"version": switched.version, "previous_version": switched.previous, "reason": reason,
            "actor": actor}


def _fits_running_standard(artifact: ScorecardArtifact) -> object:
    """The workers' own check of an upload, under the standard of the engine this worker holds."""
    return engine_for(services().engines.held().engine.standard, artifact)


@blp.route("")
class Models(MethodView):
    @documented(blp, 401, 403, 429, 503, operation="list_models")
    @requires("analyst")
    @blp.response(200, ModelListSchema)
    def get(self) -> dict[str, Any]:
        """Every registered model version, oldest first, and the active one.

        `metrics` are what each artifact declares about itself (`metrics_declared_by`: `artifact`), not
        measured by the registry; `measured` gives the version's metrics in its newest recorded comparison
        that a promotion counts now, else in its newest one with `counted` false and why (`not_counted`).
        """
        s = services()
        db = s.db
        measured = activation.measured(db, valid_days=s.settings.model_comparison_valid_days)
        items = [_summary(r, measured.get(r.version)) for r in registry.list_models(db)]
        return {"items": items, "active": registry.active_version(db)}

    @on_lost_answer("Sending the same artifact again with this key is safe: registered already, it is "
                    "answered 201 with that registration (Idempotent-Replayed: true), not registered twice.",
                    with_key="Sending the same request again with the same Idempotency-Key is safe: it is "
                    "answered 201 with the registration it made (Idempotent-Replayed: true), not registered "
                    "twice.")
    @documented(blp, 400, 401, 403, 409, 413, 415, 422, 429, 503, operation="register_model")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER))
    @requires("analyst", fresh=True)  # as activate: a key revoked a second ago must not register a model
    @json_body
    @blp.arguments(ArtifactUploadSchema)
    @blp.arguments(ArtifactUploadQuerySchema(), location="query", unknown=None)
    @blp.response(201, ModelSummarySchema, headers=_REGISTERED_HEADERS)
    def post(self, document: dict[str, Any], query: dict[str, Any]) -> Any:
        """Register an artifact trained elsewhere; it does not become active until activated.

        The registry records who trained it (`trained_by`: the uploader, unless `?trained_by=` names
        another analyst), since an artifact names no trainer: four eyes keeps the trainer from promoting
        it, as it keeps the uploader.

        Accepted only when its structure and sha256 verify and it fits the running standard (same
        standard version, its indicators, their declared directions); otherwise 422 with the reason.
        A version already registered answers 409: artifacts are immutable. Safe to retry: the same
        artifact (version and sha256) uploaded again by the key that uploaded it is answered 201 with that
        registration and `Idempotent-Replayed: true`, registered and audited once; with an
        `Idempotency-Key`, its retry is answered so whatever was registered since, and the key with another
        request is refused (422).
        """
        s = services()
        artifact = registry.verified_upload(document, _fits_running_standard)
        key = _request_key(document, query)
        trained_by = query.get("trained_by")
        trainer = None if trained_by is None else registry.check_trainer(s.db, trained_by)
        registered = registry.register(s.db, artifact, source="upload", actor=actor_of(current_principal()),
                                       reason="uploaded through the API", action="upload", trained_by=trainer,
                                       key=key)
        record = registered.record
        # a version registered just now has no recorded comparison (each names registered versions), so
        # nothing is read once it is committed; a replay's may have some since, read as the listing reads
        measured = None
        if registered.replayed:
            valid_days = s.settings.model_comparison_valid_days
            measured = activation.measured(s.db, valid_days=valid_days).get(record.version)
        return _summary(record, measured), 201, {"Location": f"/v1/models/{record.version}",
                                                 **_replay_header(registered.replayed)}


@blp.route("/<string(maxlength=80):version>/activate")
class ActivateModel(MethodView):
    @on_lost_answer("Sending the same request again with this key is safe: promoted already, and nothing "
                    "promoted or rolled back since, it is answered 200 as that promotion was "
                    "(Idempotent-Replayed: true), not promoted twice; GET /v1/model-events shows what was "
                    "done.",
                    with_key="Sending the same request again with the same Idempotency-Key is safe: it is "
                    "answered 200 as the promotion it made was (Idempotent-Replayed: true), whatever was "
                    "promoted or rolled back since, not promoted twice.")
    @documented(blp, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503, operation="activate_model")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER))
    @requires("analyst", fresh=True)  # a key revoked a second ago must not promote a model
    @json_body
    @blp.arguments(ActivateRequestSchema)
    @blp.response(200, ActivationSchema, headers=_PROMOTED_HEADERS)
    def post(self, body: dict[str, Any], version: str) -> Any:
        """Promote a registered version, audited with the reason.

        Every worker rates with it within the poll interval. Ratings issued before keep their version and
        read back unchanged.

        404 when the version is not registered; 409 when it is the active one already (but a retry of
        the promotion that made it active, by the same key with the same `reason` and `replacing`, nothing
        promoted or rolled back since, is answered 200 as that promotion was, with
        `Idempotent-Replayed: true`, and audited once), or when
        `replacing` names another version than the active one; 422 when its artifact does not fit the
        running standard (the check every worker makes before rating with it); 403 when the calling key
        uploaded, registered or trained the version itself (its `trained_by`; four eyes,
        `GREENRATE_MODEL_FOUR_EYES`); 409 too when no comparison of
        it against the active model was recorded (`greenrate model compare --record`;
        `GREENRATE_MODEL_REQUIRE_COMPARISON`; one on too few rows, on a model's training file, of a
        challenger without a training fingerprint or under another standard does not count, nor one
        recorded before the active model last became active or more than
        `GREENRATE_MODEL_COMPARISON_VALID_DAYS` ago, and the answer says why each does not), or when any
        recorded comparison of the pair shows it worse, or moving the score scale or the grades (score PSI
        above 0.25, more than 20 % of the businesses changing grade), and `accept_worse` does not say why
        to promote it anyway. The audit event names every comparison of the pair it read, and keeps an
        `accept_worse` sent when nothing needed justifying, saying so.

        With an `Idempotency-Key`, a retry is answered 200 as the promotion the key names was, whatever
        was promoted or rolled back since (a rollback meanwhile, and the retry had promoted it again), and
        the key with another request is refused (422).
        """
        s = services()
        actor = actor_of(current_principal())
        fits = partial(engine_for, s.engines.held().engine.standard)
        promoted = activation.promote(
            s.db, version, actor=actor, reason=body["reason"], fits=fits, replacing=body["replacing"],
            four_eyes=s.settings.model_four_eyes, require_comparison=s.settings.model_require_comparison,
            accept_worse=body.get("accept_worse"),
            comparison_valid_days=s.settings.model_comparison_valid_days, key=_request_key(body),
        )
        watcher(current_app).check(s.db, s.engines, force=True)
        return _activation(promoted, body["reason"], actor), 200, _replay_header(promoted.replayed)


def _page(items: list[Any], last_id: int | None, more: bool, limit: int) -> dict[str, Any]:
    """A page of a registry listing as ``GET /v1/ratings`` answers one: ``next_cursor`` after its last
    item's id while more follow."""
    next_cursor = Cursor.encode(last_id) if more and last_id is not None else None
    return {"items": items, "limit": limit, "next_cursor": next_cursor}


@blp.route("/<string(maxlength=80):version>/comparisons")
class ModelComparisons(MethodView):
    @documented(blp, 401, 403, 404, 422, 429, 503, operation="list_model_comparisons")
    @requires("analyst")
    # unknown=None: the schema's own RAISE, so that a misspelt `?limt=` is a 422, not a silent default
    @blp.arguments(ComparisonQuerySchema(), location="query", unknown=None)
    @blp.response(200, ComparisonListSchema)
    def get(self, query: dict[str, Any], version: str) -> dict[str, Any]:
        """Every recorded comparison the version took part in, as challenger or champion, oldest first.

        What an approver reads before a promotion: all the evidence recorded, not only what the maker chose
        to name. Each says whether a promotion of its challenger replacing the active model counts it now
        (`counted`, else `not_counted` says why: its champion must be the active model, and it must have
        been recorded since that model last became active and within `valid_until`), and what in it that
        promotion must justify (`needs_justification`, the promotion's `accept_worse`): a promotion reads
        every counted comparison of the pair. Like `greenrate model comparisons VERSION`. 404 when the
        version is not registered.

        Paged like `GET /v1/ratings`, but oldest first, as it always listed them: up to `limit`
        comparisons (500 by default, so that one page usually holds them all); follow `next_cursor` for
        the newer ones.
        """
        s = services()
        found, more = activation.reviewed(s.db, version, valid_days=s.settings.model_comparison_valid_days,
                                          limit=query["limit"], after=query.get("cursor"))
        items = [{**asdict(r.comparison), "counted": r.not_counted is None, "not_counted": r.not_counted,
                  "needs_justification": r.needs_justification, "valid_until": r.valid_until} for r in found]
        return _page(items, found[-1].comparison.id if found else None, more, query["limit"])


@blp.route("/<string(maxlength=80):version>/rollback")
class RollBackModel(MethodView):
    @on_lost_answer("Sending the same request again with this key is safe: rolled back already, and "
                    "nothing promoted or rolled back since, it is answered 200 as that rollback was "
                    "(Idempotent-Replayed: true), not rolled back twice; GET /v1/model-events shows what "
                    "was done.",
                    with_key="Sending the same request again with the same Idempotency-Key is safe: it is "
                    "answered 200 as the rollback it made was (Idempotent-Replayed: true), whatever was "
                    "promoted or rolled back since, not rolled back twice.")
    @documented(blp, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503, operation="roll_back_model")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER))
    @requires("analyst", fresh=True)
    @json_body
    @blp.arguments(RollbackRequestSchema)
    @blp.response(200, ActivationSchema, headers=_ROLLED_BACK_HEADERS)
    def post(self, body: dict[str, Any], version: str) -> Any:
        """Undo the promotion of `version`, the active one, back to the version it replaced.

        Audited with the reason, like `greenrate model rollback --undoing VERSION`, for an analyst in an
        incident who holds a key but no database access. Not under four eyes (an incident should not wait
        for a second person), and it returns only to a version that was promoted before.

        404 when the version is not registered; 409 when it is not the active one (someone rolled back or
        promoted meanwhile: nothing changes; but a retry of the rollback that took it out, by the same key
        with the same `reason`, nothing promoted or rolled back since, is answered 200 as that rollback
        was, with `Idempotent-Replayed: true`, and audited once) or nothing is left to roll back to; 422
        when the reason says nothing or the version it returns to does not fit the running standard.
        With an `Idempotency-Key`, a retry is answered 200 as the rollback the key names was, whatever was
        promoted or rolled back since (the version promoted again meanwhile, and the retry had rolled it
        back a second time), and the key with another request is refused (422).
        """
        s = services()
        if registry.get_model(s.db, version) is None:
            raise registry.NotRegistered(version)
        actor = actor_of(current_principal())
        # a rollback returns to a model approved before, under the standard it was approved for if need be
        fits = partial(engine_for, s.engines.held().engine.standard, earlier=True)
        done = activation.roll_back(s.db, actor=actor, reason=body["reason"], fits=fits, undoing=version,
                                    key=_request_key(body))
        watcher(current_app).check(s.db, s.engines, force=True)
        return _activation(done, body["reason"], actor), 200, _replay_header(done.replayed)


@events_blp.route("")
class ModelEvents(MethodView):
    @documented(events_blp, 401, 403, 422, 429, 503, operation="list_model_events")
    @requires("analyst")
    @events_blp.arguments(ModelEventQuerySchema(), location="query", unknown=None)
    @events_blp.response(200, ModelEventListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The audit trail, oldest first (`?version=` for one version's events).

        What `greenrate model history` prints, for an analyst who holds a key but no database access. The
        trail is append-only in the database (migration 0009); a promotion's reason names the comparison it
        rests on.

        Paged like `GET /v1/ratings`, but oldest first, as the trail always read: up to `limit` events (500
        by default, more than a deployment records in years, so one page usually holds it all); follow
        `next_cursor` for the newer ones.
        """
        found, more = registry.events_page(services().db, query.get("version"), limit=query["limit"],
                                           after=query.get("cursor"))
        return _page(found, found[-1].id if found else None, more, query["limit"])
