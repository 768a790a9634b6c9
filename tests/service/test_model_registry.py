"""The model registry: storage and audit, the /v1/models API, refusals of bad artifacts, live promotion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, update

from rating_model.artifact import ScorecardArtifact
from rating_model.artifact_format import content_sha256
from rating_model.exceptions import ArtifactError
from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.model_watch import engine_for, watcher
from service.models import register_packaged_default
from service.records import activation, registry
from service.records.model_tables import active_model, models
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors
from tests.service.model_fixtures import (
    default_document,
    record_comparison,
    rehash,
    uplifted_document,
    variant_document,
)
from tests.service.tampering import guard_lifted

DEFAULT_VERSION = default_document()["version"]
#: The check the CLI and the API run before an activation: the workers' own, under the packaged standard.
FITS = partial(engine_for, load_standard(DEFAULT_STANDARD))


@pytest.fixture
def analyst(app: Flask) -> str:
    return create_key(app, "bank-a", "analyst")


def test_registry_registers_once_activates_and_audits(app: Flask) -> None:
    db = services_of(app).db
    assert registry.active_version(db) is None
    assert register_packaged_default(db) is True
    assert register_packaged_default(db) is False  # idempotent
    assert registry.active_version(db) == DEFAULT_VERSION
    other = ScorecardArtifact.from_dict(variant_document("b"))
    assert registry.register(db, other, source="cli", actor="t", reason="test").replayed is False
    with pytest.raises(registry.VersionExists):
        registry.register(db, other, source="cli", actor="u", reason="again")
    previous = activation.activate(db, other.version, actor="ann", reason="better KS", fits=FITS)
    assert previous == DEFAULT_VERSION
    assert [m.version for m in registry.list_models(db) if m.active] == [other.version]
    assert activation.rollback(db, actor="ann", reason="undo", fits=FITS) == (DEFAULT_VERSION, other.version)
    trail = [(e.action, e.version, e.previous_version, e.actor) for e in registry.events(db)]
    assert trail[-2:] == [("promote", other.version, DEFAULT_VERSION, "ann"),
                          ("rollback", DEFAULT_VERSION, other.version, "ann")]
    with pytest.raises(registry.RegistryError, match="not registered"):
        activation.activate(db, "sc-nope", actor="ann", reason="no such one", fits=FITS)
    stored = registry.load_artifact(db, other.version)
    assert stored is not None and stored.to_json() == other.to_json()


def test_only_analysts_manage_models(client: Any, app: Flask, bank_key: str) -> None:
    assert client.get("/v1/models", headers=bearer(bank_key)).status_code == 403
    assert client.post("/v1/models/x/activate", json={"reason": "why not"},
                       headers=bearer(bank_key)).status_code == 403


def test_list_and_upload_and_conflict(client: Any, app: Flask, analyst: str) -> None:
    register_packaged_default(services_of(app).db)
    listing = client.get("/v1/models", headers=bearer(analyst)).json
    assert listing["active"] == DEFAULT_VERSION
    assert listing["items"][0]["metrics"]["auc"] > 0.5 and listing["items"][0]["active"] is True
    doc = variant_document("uploaded")
    created = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert created.status_code == 201, created.json
    assert created.headers["Location"] == f"/v1/models/{doc['version']}"
    assert created.json["source"] == "upload" and created.json["active"] is False
    assert created.headers["Idempotent-Replayed"] == "false"
    # the answer is the version as the contract documents it, as the listing shows it: declared metrics,
    # no comparison measured yet (the 201 lacked metrics_declared_by and measured, which it marks required)
    spec = client.get("/openapi.json").json
    assert contract_errors(spec, "/v1/models", "post", created) == []
    assert created.json["metrics_declared_by"] == "artifact" and created.json["measured"] is None
    listed = client.get("/v1/models", headers=bearer(analyst)).json["items"]
    assert [item for item in listed if item["version"] == doc["version"]] == [created.json]
    other = create_key(app, "bank-a", "analyst")
    assert client.post("/v1/models", json=doc, headers=bearer(other)).status_code == 409
    # any registered version is readable, with its points table and card
    shown = client.get(f"/v1/models/{doc['version']}", headers=bearer(analyst)).json
    assert shown["version"] == doc["version"] and shown["card"]["variant"] == "uploaded"
    assert shown["points_table"]
    assert client.get("/v1/models/sc-000000000000", headers=bearer(analyst)).status_code == 404


def _tampered() -> dict[str, Any]:
    doc = variant_document("tampered")
    doc["features"][0]["points"][0] = doc["features"][0]["points"][0] + 1  # hash no longer matches
    return doc


def _other_standard() -> dict[str, Any]:
    doc = default_document()
    doc["metadata"]["standard"] = "greenrate-sme-9.9"
    return rehash(doc)


def _signed(
    doc: dict[str, Any], *, version: str | None = None, metadata_note: str | None = None
) -> dict[str, Any]:
    """The document changed as given, with its sha256 recomputed when it can be (its version kept)."""
    if version is not None:
        doc["version"] = version
    if metadata_note is not None:
        doc["metadata"]["note"] = metadata_note  # no UTF-8 bytes to hash: the sha256 stays the old one
        return doc
    doc["sha256"] = content_sha256(doc)
    return doc


def _wrong_direction() -> dict[str, Any]:
    doc = default_document()
    feature = next(f for f in doc["features"] if f["type"] == "numeric" and f["direction"] == "increasing")
    feature["direction"] = "decreasing"
    feature["points"] = list(reversed(feature["points"]))
    return rehash(doc)


@pytest.mark.parametrize(
    ("make_doc", "reason"),
    [
        (_tampered, "sha256"),
        (lambda: {k: v for k, v in variant_document("x").items() if k != "features"}, "features"),
        (lambda: {**variant_document("x"), "format": "pickle"}, "format"),
        (_other_standard, "standard"),
        (_wrong_direction, "direction"),
        (lambda: _signed(variant_document("x"), metadata_note="ok \ud800 go"), "unpaired surrogate"),
        (lambda: _signed(variant_document("x"), version="sc 1"), "version"),
        # a review's: every score +30 on a 0-130 scale, probabilities unchanged (promoted; rated 130)
        (uplifted_document, "score_range [0.0, 130.0] is not the standard's score range [0.0, 100.0]"),
    ],
    ids=["tampered", "missing-features", "wrong-format", "other-standard", "wrong-direction", "surrogate",
         "version", "score-range"],
)
def test_bad_artifacts_are_refused_with_the_reason(client: Any, analyst: str, make_doc: Any,
                                                   reason: str) -> None:
    response = client.post("/v1/models", json=make_doc(), headers=bearer(analyst))
    assert response.status_code == 422, response.json
    assert reason in response.json["message"]


def test_the_listing_says_the_metrics_are_declared_and_shows_measured_ones(
    client: Any, app: Flask, analyst: str
) -> None:
    """An upload declaring AUC 0.99 about itself was listed with AUC 0.99, beside models whose metrics were
    measured: the listing says who vouches for them, and shows the newest recorded comparison's."""
    db = services_of(app).db
    register_packaged_default(db)
    doc = variant_document("boastful")
    doc["metadata"]["card"]["metrics_holdout"] = {"auc": 0.99, "gini": 0.98, "ks": 0.95, "brier": 0.01}
    assert client.post("/v1/models", json=rehash(doc), headers=bearer(analyst)).status_code == 201

    def listed(version: str) -> dict[str, Any]:
        items = client.get("/v1/models", headers=bearer(analyst)).json["items"]
        return next(i for i in items if i["version"] == version)  # type: ignore[no-any-return]

    boastful = listed(doc["version"])
    assert boastful["metrics"]["auc"] == 0.99 and boastful["metrics_declared_by"] == "artifact"
    assert boastful["measured"] is None
    auc = {"champion": 0.7012, "challenger": 0.6101, "delta": -0.0911, "ci_low": -0.11, "ci_high": -0.07}
    record_comparison(db, doc["version"], DEFAULT_VERSION, metrics={"auc": auc})
    measured = listed(doc["version"])["measured"]
    assert {k: v for k, v in measured.items() if k != "at"} == {
        "comparison": 1, "role": "challenger", "against": DEFAULT_VERSION, "rows": 5000,
        "file": "holdout.parquet", "file_sha256": "d" * 64, "metrics": {"auc": 0.6101}, "counted": True,
        "not_counted": None}
    assert listed(DEFAULT_VERSION)["measured"]["metrics"] == {"auc": 0.7012}
    assert listed(DEFAULT_VERSION)["measured"]["role"] == "champion"
    spec = client.get("/openapi.json").json["components"]["schemas"]["ModelSummary"]["properties"]
    assert "declares them about itself" in spec["metrics"]["description"] and "measured" in spec


def test_a_pickle_is_never_loaded(client: Any, analyst: str) -> None:
    import pickle

    body = pickle.dumps({"format": "greenrate.scorecard"})
    response = client.post("/v1/models", data=body, headers={**bearer(analyst),
                                                             "Content-Type": "application/octet-stream"})
    assert response.status_code == 415


def test_promotion_through_the_api_switches_ratings_and_keeps_old_ones(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client = app.test_client()
    db = services_of(app).db
    register_packaged_default(db)
    bank, analyst = create_key(app, "bank-a", "bank"), create_key(app, "bank-a", "analyst")
    checker = create_key(app, "bank-a", "analyst")  # four eyes: the uploader does not promote
    first = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert first.json["versions"]["model"] == DEFAULT_VERSION
    doc = variant_document("challenger")
    assert client.post("/v1/models", json=doc, headers=bearer(analyst)).status_code == 201
    activate = f"/v1/models/{doc['version']}/activate"
    unproven = client.post(activate, json={"reason": "trust me", "replacing": DEFAULT_VERSION},
                           headers=bearer(checker))
    assert unproven.status_code == 409 and "no comparison of it against the active model" in unproven.json[
        "message"]
    evidence = record_comparison(db, doc["version"], DEFAULT_VERSION)
    missing_reason = client.post(f"/v1/models/{doc['version']}/activate", json={"replacing": DEFAULT_VERSION},
                                 headers=bearer(checker))
    assert missing_reason.status_code == 422 and "reason" in missing_reason.json["errors"]
    unsaid = client.post(f"/v1/models/{doc['version']}/activate", json={"reason": "challenger wins"},
                         headers=bearer(checker))
    assert unsaid.status_code == 422 and "replacing" in unsaid.json["errors"]
    own = client.post(activate, json={"reason": "my own model is great", "replacing": DEFAULT_VERSION},
                      headers=bearer(analyst))
    assert own.status_code == 403 and "a model's maker may not also promote it" in own.json["message"]
    for unusable in ("   ", "ok \ud800 go", "a\x00bc"):  # blank, or text no database can store: 422, not 500
        refused = client.post(activate, json={"reason": unusable, "replacing": DEFAULT_VERSION},
                              headers=bearer(checker))
        assert refused.status_code == 422 and "reason" in refused.json["errors"]
    assert registry.active_version(db) == DEFAULT_VERSION
    done = client.post(activate, json={"reason": "challenger wins on KS", "replacing": DEFAULT_VERSION},
                       headers=bearer(checker))
    assert done.status_code == 200 and done.json["previous_version"] == DEFAULT_VERSION
    again = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    # the cache and the records never serve the default model's rating under the new one
    assert again.headers["X-Cache"] == "miss" and again.json["id"] != first.json["id"]
    assert again.json["versions"]["model"] == doc["version"]
    old = client.get(f"/v1/ratings/{first.json['id']}", headers=bearer(bank))
    assert old.data == first.data
    assert registry.events(db, doc["version"])[-1].reason == f"challenger wins on KS [{evidence}]"
    # rolling back returns the rating first issued under the default (same id), from the cache
    activation.rollback(db, actor="t", reason="rollback test", fits=FITS)
    back = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert back.json["id"] == first.json["id"] and back.headers["X-Cache"] == "hit"


def test_another_worker_follows_within_the_poll_interval(make_app: AppFactory, tmp_path: Any) -> None:
    first = make_app(MODEL_POLL_SECONDS=0.0)
    url = str(services_of(first).db.url)
    slow = make_app(DATABASE_URL=url, MODEL_POLL_SECONDS=3600.0)
    quick = make_app(DATABASE_URL=url, MODEL_POLL_SECONDS=0.0)
    db = services_of(first).db
    register_packaged_default(db)
    bank = create_key(first, "bank-a", "bank")
    for app in (slow, quick):
        assert app.test_client().get("/v1/standard", headers=bearer(bank)).status_code == 200
    artifact = ScorecardArtifact.from_dict(variant_document("worker"))
    registry.register(db, artifact, source="cli", actor="t", reason="t")
    activation.activate(db, artifact.version, actor="t", reason="promote while serving", fits=FITS)
    rated = quick.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert rated.json["versions"]["model"] == artifact.version
    still = slow.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert still.json["versions"]["model"] == DEFAULT_VERSION  # its interval has not passed yet
    watcher(slow)._next_check = 0.0  # the interval passes
    now = slow.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert now.json["versions"]["model"] == artifact.version and now.json["id"] == rated.json["id"]


def test_a_stored_artifact_edited_in_the_database_is_not_served(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("edited"))
    registry.register(db, artifact, source="cli", actor="t", reason="t")
    doc = json.loads(artifact.to_json())
    doc["features"][0]["points"][0] += 5
    with db.begin() as conn, guard_lifted(conn, "models"):
        conn.execute(update(models).where(models.c.version == artifact.version)
                     .values(artifact_json=json.dumps(doc)))
    with pytest.raises(ArtifactError):
        registry.load_artifact(db, artifact.version)
    with pytest.raises(activation.ModelDoesNotFit, match="does not verify"):  # refused, not made active
        activation.activate(db, artifact.version, actor="t", reason="edited", fits=FITS)
    assert registry.active_version(db) == DEFAULT_VERSION
    with db.begin() as conn:  # as if made active before promotions were checked: still not served
        conn.execute(update(active_model).values(version=artifact.version))
    bank = create_key(app, "bank-a", "bank")
    client = app.test_client()
    # nor is the packaged default in its place, which nobody approved (a model-risk review): 503, and
    # readiness says which model cannot be loaded and why
    refused = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert refused.json["message"] == "The rating model is not available."
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert f"the active model {artifact.version} cannot be loaded" in ready.json["errors"]["engine"][0]
    shown = client.get(f"/v1/models/{artifact.version}", headers=bearer(bank))
    assert shown.status_code in (404, 503)
    with db.begin() as conn:  # the registry names a loadable model again: ratings resume with it
        conn.execute(update(active_model).values(version=DEFAULT_VERSION))
    rated = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert rated.status_code == 201 and rated.json["versions"]["model"] == DEFAULT_VERSION
    assert client.get("/readyz").status_code == 200


def test_a_registry_that_lost_its_active_row_does_not_activate_the_packaged_default(
    make_app: AppFactory,
) -> None:
    """A model-risk review deleted the active_model row after a promotion: the next worker start made the
    packaged default active ("first active model", nobody's approval) and rated with it."""
    app = make_app(MODEL_POLL_SECONDS=0.0)
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("lost"))
    registry.register(db, artifact, source="cli", actor="t", reason="t")
    activation.activate(db, artifact.version, actor="t", reason="approved", fits=FITS)
    with db.begin() as conn:
        conn.execute(delete(active_model))
    register_packaged_default(db, "greenrate start")  # what every worker start does
    assert registry.active_version(db) is None
    bank = create_key(app, "bank-a", "bank")
    refused = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert refused.status_code == 503
    ready = app.test_client().get("/readyz").json
    assert "its active_model row is gone" in ready["errors"]["engine"][0]
    activation.activate(db, artifact.version, actor="t", reason="restored after the row was lost", fits=FITS)
    rated = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert rated.status_code == 201 and rated.json["versions"]["model"] == artifact.version


def test_promotion_on_postgres_and_redis(make_app: AppFactory, postgres_url: str, redis_url: str) -> None:
    """Two workers on the real backends: the registry's row locks and the shared Redis cache."""
    from service.records import migrate

    worker_a = make_app(DATABASE_URL=postgres_url, REDIS_URL=redis_url, MODEL_POLL_SECONDS=0.0)
    db = services_of(worker_a).db
    migrate.upgrade(db)
    worker_b = make_app(DATABASE_URL=postgres_url, REDIS_URL=redis_url, MODEL_POLL_SECONDS=0.0)
    assert register_packaged_default(db) and not register_packaged_default(services_of(worker_b).db)
    bank, analyst = create_key(worker_a, "bank-a", "bank"), create_key(worker_a, "bank-a", "analyst")
    first = worker_a.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    doc = variant_document("pg")
    client_b = worker_b.test_client()
    assert client_b.post("/v1/models", json=doc, headers=bearer(analyst)).status_code == 201
    checker = create_key(worker_a, "bank-a", "analyst")
    record_comparison(db, doc["version"], DEFAULT_VERSION)
    assert client_b.post(f"/v1/models/{doc['version']}/activate",
                         json={"reason": "pg promotion", "replacing": DEFAULT_VERSION},
                         headers=bearer(checker)).status_code == 200
    on_a = worker_a.test_client().post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert on_a.headers["X-Cache"] == "miss" and on_a.json["versions"]["model"] == doc["version"]
    old = worker_a.test_client().get(f"/v1/ratings/{first.json['id']}", headers=bearer(bank))
    assert old.data == first.data
    assert [m.version for m in registry.list_models(db) if m.active] == [doc["version"]]


def test_the_registry_endpoints_are_in_the_contract(client: Any) -> None:
    spec = client.get("/openapi.json").json
    assert {"get", "post"} <= set(spec["paths"]["/v1/models"])
    activate = spec["paths"]["/v1/models/{version}/activate"]["post"]
    assert {"200", "404", "422"} <= set(activate["responses"])
    assert {"ModelList", "ModelSummary", "ActivateRequest", "Activation", "ArtifactUpload"} <= set(
        spec["components"]["schemas"])


def test_a_candidate_is_shown_to_analysts_only_until_it_has_been_active(app: Flask) -> None:
    """The contract shows banks and merchants the active points table; a version that rated is kept
    readable (ratings issued under it must stay explainable), a candidate under review is not theirs."""
    db = services_of(app).db
    register_packaged_default(db)
    candidate = ScorecardArtifact.from_dict(variant_document("under-review"))
    registry.register(db, candidate, source="api", actor="ann", reason="candidate")
    client = app.test_client()
    analyst, bank = create_key(app, "bank-a", "analyst"), create_key(app, "bank-b", "bank")
    merchant = create_key(app, "bank-b", "merchant", merchant_id="m-1")
    path = f"/v1/models/{candidate.version}"
    assert client.get(path, headers=bearer(analyst)).status_code == 200
    for key in (bank, merchant):
        hidden = client.get(path, headers=bearer(key))
        assert hidden.status_code == 404 and hidden.json["message"] == client.get(
            "/v1/models/sc-000000000000", headers=bearer(key)
        ).json["message"].replace("sc-000000000000", candidate.version)
    activation.activate(db, candidate.version, actor="ann", reason="challenger wins", fits=FITS)
    activation.rollback(db, actor="ann", reason="back to the champion", fits=FITS)
    assert client.get(path, headers=bearer(bank)).status_code == 200  # it issued ratings: explainable


def _named(tag: str, version: str) -> ScorecardArtifact:
    """A model named freely (its name is not its hash), with content told apart by ``tag``."""
    doc = variant_document(tag)
    doc["version"] = version
    doc["sha256"] = content_sha256(doc)
    return ScorecardArtifact.from_dict(doc)


def test_a_consistent_document_swapped_into_a_named_models_row_is_refused(make_app: AppFactory) -> None:
    """A model named ``bank-2026q3`` does not carry its hash in its name: a whole other document, valid in
    itself, swapped into its row verified, was promoted and rated under the old name (a model-risk review's
    reproduction); the row's registered sha256 now has to match."""
    app = make_app(MODEL_POLL_SECONDS=0.0)
    db = services_of(app).db
    register_packaged_default(db)
    registered, swapped = _named("first", "bank-2026q3"), _named("second", "bank-2026q3")
    assert registered.sha256 != swapped.sha256
    registry.register(db, registered, source="cli", actor="maker", reason="t")
    with db.begin() as conn, guard_lifted(conn, "models"):
        conn.execute(update(models).where(models.c.version == "bank-2026q3")
                     .values(artifact_json=swapped.to_json()))
    with pytest.raises(ArtifactError, match="not the one registered as 'bank-2026q3'"):
        registry.load_artifact(db, "bank-2026q3")
    with pytest.raises(activation.ModelDoesNotFit, match="not the one registered"):
        activation.activate(db, "bank-2026q3", actor="checker", reason="swapped", fits=FITS,
                          replacing=DEFAULT_VERSION, four_eyes=True)
    assert registry.active_version(db) == DEFAULT_VERSION


def test_a_revoked_analyst_key_promotes_nothing_within_the_key_cache_time(make_app: AppFactory) -> None:
    """Key lookups are cached (30 s by default); a key revoked a second ago had promoted a model."""
    from service.auth import PREFIX_LENGTH
    from service.records import api_keys

    app = make_app(KEY_CACHE_SECONDS=30.0, MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    maker, checker = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "analyst")
    doc = variant_document("revoked")
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    assert client.get("/v1/models", headers=bearer(checker)).status_code == 200  # cached now
    api_keys.revoke_key(db, checker[:PREFIX_LENGTH])
    late = client.post(f"/v1/models/{doc['version']}/activate", headers=bearer(checker),
                       json={"reason": "CR-9 approved", "replacing": DEFAULT_VERSION})
    assert late.status_code == 401 and registry.active_version(db) == DEFAULT_VERSION


def test_a_revoked_analyst_key_registers_nothing_within_the_key_cache_time(make_app: AppFactory) -> None:
    """A model write checks its key fresh, as a promotion does: registration went through the key cache,
    so a key revoked a second ago could still register a model (and be named its uploader) for up to
    ``GREENRATE_KEY_CACHE_SECONDS``."""
    from service.auth import PREFIX_LENGTH
    from service.records import api_keys

    app = make_app(KEY_CACHE_SECONDS=30.0, MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    maker = create_key(app, "bank-a", "analyst")
    assert client.get("/v1/models", headers=bearer(maker)).status_code == 200  # cached now
    api_keys.revoke_key(db, maker[:PREFIX_LENGTH])
    doc = variant_document("revoked-upload")
    late = client.post("/v1/models", json=doc, headers=bearer(maker))
    assert late.status_code == 401, late.get_json()
    assert doc["version"] not in {r.version for r in registry.list_models(db)}


@dataclass
class _Promoted:
    client: Any
    db: Any
    doc: dict[str, Any]
    evidence: str
    maker: str
    checker: str
    bank: str


def _promoted_through_api(make_app: AppFactory, tag: str, checker_tenant: str = "bank-a") -> _Promoted:
    """A challenger uploaded by one analyst, compared (recorded) and promoted by another, over the API."""
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    maker, checker = create_key(app, "bank-a", "analyst"), create_key(app, checker_tenant, "analyst")
    doc = variant_document(tag)
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    evidence = record_comparison(db, doc["version"], DEFAULT_VERSION)
    assert client.post(f"/v1/models/{doc['version']}/activate", headers=bearer(checker),
                       json={"reason": "CR-5 approved", "replacing": DEFAULT_VERSION}).status_code == 200
    return _Promoted(client, db, doc, evidence, maker, checker, create_key(app, "bank-a", "bank"))


def test_analysts_read_the_audit_trail_through_the_api(make_app: AppFactory) -> None:
    """An analyst with a key but no database access could not read the trail the guide promised them."""
    promoted = _promoted_through_api(make_app, "trail", checker_tenant="bank-b")
    client, doc, evidence = promoted.client, promoted.doc, promoted.evidence
    maker, checker, bank = promoted.maker, promoted.checker, promoted.bank
    trail = client.get("/v1/model-events", headers=bearer(maker))
    assert trail.status_code == 200
    items = trail.json["items"]
    assert [(e["action"], e["version"]) for e in items][-2:] == [("upload", doc["version"]),
                                                                  ("promote", doc["version"])]
    assert items[-1]["reason"] == f"CR-5 approved [{evidence}]"
    assert items[-1]["previous_version"] == DEFAULT_VERSION
    assert items[-1]["actor"] == f"bank-b/{checker[:11]}" and items[-2]["actor"] == f"bank-a/{maker[:11]}"
    assert [e["id"] for e in items] == sorted(e["id"] for e in items)  # oldest first
    only = client.get(f"/v1/model-events?version={doc['version']}", headers=bearer(checker)).json["items"]
    assert {e["version"] for e in only} == {doc["version"]} and len(only) == 2
    assert client.get("/v1/model-events", headers=bearer(bank)).status_code == 403
    assert client.get("/v1/model-events?colour=red", headers=bearer(maker)).status_code == 422
    assert "/v1/model-events" in client.get("/openapi.json").json["paths"]


def test_an_analyst_rolls_back_through_the_api_in_an_incident(make_app: AppFactory) -> None:
    """Rolling back needed the CLI and database access; an analyst with a key could not undo a promotion."""
    promoted = _promoted_through_api(make_app, "incident")
    client, db, doc = promoted.client, promoted.db, promoted.doc
    maker, checker, bank = promoted.maker, promoted.checker, promoted.bank
    assert client.post("/v1/ratings", json=payload(), headers=bearer(bank)).json["versions"]["model"] == doc[
        "version"]
    url = f"/v1/models/{doc['version']}/rollback"
    assert client.post(url, json={"reason": "INC-7"}, headers=bearer(bank)).status_code == 403
    assert client.post(url, json={"reason": "..."}, headers=bearer(maker)).status_code == 422
    assert client.post("/v1/models/sc-000000000000/rollback", json={"reason": "INC-7 grades"},
                       headers=bearer(maker)).status_code == 404
    wrong = client.post(f"/v1/models/{DEFAULT_VERSION}/rollback", json={"reason": "INC-7 grades"},
                        headers=bearer(maker))
    assert wrong.status_code == 409 and "nothing was changed" in wrong.json["message"]
    done = client.post(url, json={"reason": "INC-7 grades jumped in sector 56"}, headers=bearer(maker))
    assert done.status_code == 200, done.json
    assert done.json == {"version": DEFAULT_VERSION, "previous_version": doc["version"],
                         "reason": "INC-7 grades jumped in sector 56", "actor": f"bank-a/{maker[:11]}"}
    assert registry.active_version(db) == DEFAULT_VERSION  # the maker may roll back: no four eyes here
    assert client.post("/v1/ratings", json=payload(), headers=bearer(bank)).json["versions"]["model"] == (
        DEFAULT_VERSION)
    again = client.post(url, json={"reason": "INC-7 once more"}, headers=bearer(checker))
    assert again.status_code == 409  # the same incident undone twice walks back nothing further
    assert registry.events(db)[-1].action == "rollback"
