"""``Idempotency-Key`` on the model registry's writes (``POST /v1/models``, ``/activate``, ``/rollback``).

Without a key a retry is recognised by its content, and only while nothing was promoted or rolled back
since: a rollback whose answer was lost, retried after a colleague promoted the same version again, rolled
it back a second time, and a promotion retried after a rollback promoted it again. With the key
(:mod:`service.idempotency`, as ``POST /v1/ratings`` reads it), the audit event a request wrote is
recorded with it (migrations 0029 and 0030) and the retry is answered with that event whenever it comes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.models import register_packaged_default
from service.records import registry
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.contract import contract_errors
from tests.service.model_fixtures import record_comparison, variant_document
from tests.service.test_model_registry import DEFAULT_VERSION


def _keyed(key: str, value: str) -> dict[str, str]:
    return {**bearer(key), "Idempotency-Key": value}


def _trail(db: Any) -> list[tuple[str, str]]:
    """The registry's writes after the packaged default's registration and first activation."""
    return [(e.action, e.version) for e in registry.events(db)][2:]


def _promoted(app: Flask, tag: str) -> tuple[Any, Any, str, list[str]]:
    """An uploaded version promoted by a checker: the client, the database, the version and three analyst
    keys (maker, checker, colleague)."""
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    keys = [create_key(app, "bank-a", "analyst") for _ in range(3)]
    doc = variant_document(tag)
    assert client.post("/v1/models", json=doc, headers=bearer(keys[0])).status_code == 201
    record_comparison(db, doc["version"], DEFAULT_VERSION)
    return client, db, str(doc["version"]), keys


def test_a_rollback_retried_after_the_version_was_promoted_again_is_not_done_twice(
    make_backend_app: AppFactory,
) -> None:
    client, db, version, (maker, checker, colleague) = _promoted(make_backend_app(MODEL_POLL_SECONDS=0.0),
                                                                 "rolled back once")
    activate, rollback = f"/v1/models/{version}/activate", f"/v1/models/{version}/rollback"
    assert client.post(activate, json={"reason": "CR-7 approved", "replacing": DEFAULT_VERSION},
                       headers=bearer(checker)).status_code == 200
    body = {"reason": "INC-3 grades jumped"}
    first = client.post(rollback, json=body, headers=_keyed(maker, "inc-3-rollback"))  # its answer lost
    assert first.status_code == 200 and first.headers["Idempotent-Replayed"] == "false", first.json
    # the incident is closed: the version is compared and promoted again
    record_comparison(db, version, DEFAULT_VERSION)
    again = client.post(activate, json={"reason": "CR-8 fixed, approved again", "replacing": DEFAULT_VERSION},
                        headers=bearer(colleague))
    assert again.status_code == 200, again.json
    retry = client.post(rollback, json=body, headers=_keyed(maker, "inc-3-rollback"))
    assert retry.status_code == 200, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json
    assert registry.active_version(db) == version  # the second promotion stands
    assert _trail(db) == [("upload", version), ("promote", version), ("rollback", DEFAULT_VERSION),
                          ("promote", version)]
    spec = client.get("/openapi.json").json
    assert contract_errors(spec, "/v1/models/{version}/rollback", "post", retry) == []


def test_a_promotion_retried_after_a_rollback_is_not_done_twice(make_backend_app: AppFactory) -> None:
    client, db, version, (maker, checker, colleague) = _promoted(make_backend_app(MODEL_POLL_SECONDS=0.0),
                                                                 "promoted once")
    activate = f"/v1/models/{version}/activate"
    body = {"reason": "CR-7 approved", "replacing": DEFAULT_VERSION}
    first = client.post(activate, json=body, headers=_keyed(checker, "cr-7"))  # its answer lost
    assert first.status_code == 200 and first.headers["Idempotent-Replayed"] == "false", first.json
    assert client.post(f"/v1/models/{version}/rollback", json={"reason": "INC-4 rolled back"},
                       headers=bearer(colleague)).status_code == 200
    record_comparison(db, version, DEFAULT_VERSION)  # evidence the retry would have rested on
    retry = client.post(activate, json=body, headers=_keyed(checker, "cr-7"))
    assert retry.status_code == 200, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.json == first.json
    assert registry.active_version(db) == DEFAULT_VERSION  # the rollback stands
    assert _trail(db) == [("upload", version), ("promote", version), ("rollback", DEFAULT_VERSION)]


def test_the_same_key_with_another_request_is_refused_and_nothing_is_done(make_app: AppFactory) -> None:
    client, db, version, (maker, checker, _) = _promoted(make_app(MODEL_POLL_SECONDS=0.0), "one key")
    activate = f"/v1/models/{version}/activate"
    first = client.post(activate, json={"reason": "CR-7 approved", "replacing": DEFAULT_VERSION},
                        headers=_keyed(checker, "k-1"))
    assert first.status_code == 200
    other = client.post(f"/v1/models/{version}/rollback", json={"reason": "INC-5 undo"},
                        headers=_keyed(checker, "k-1"))
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"], other.json
    assert registry.active_version(db) == version
    reworded = client.post(activate, json={"reason": "CR-7 approved, reworded", "replacing": DEFAULT_VERSION},
                           headers=_keyed(checker, "k-1"))
    assert reworded.status_code == 422 and "Idempotency-Key" in reworded.json["errors"]
    # the key is the calling API key's: another analyst's request with it is a request of its own
    mine = client.post(f"/v1/models/{version}/rollback", json={"reason": "INC-5 undo"},
                       headers=_keyed(maker, "k-1"))
    assert mine.status_code == 200 and mine.headers["Idempotent-Replayed"] == "false", mine.json
    assert client.post(activate, json={"reason": "CR-9"}, headers=_keyed(checker, " ")).status_code == 422


def test_an_upload_retried_with_its_key_is_answered_with_its_registration(make_app: AppFactory) -> None:
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    analyst = create_key(app, "bank-a", "analyst")
    doc = variant_document("uploaded with a key")
    first = client.post("/v1/models", json=doc, headers=_keyed(analyst, "up-1"))
    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
    retry = client.post("/v1/models", json=doc, headers=_keyed(analyst, "up-1"))
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true", retry.json
    assert retry.json["version"] == doc["version"]
    other = client.post("/v1/models", json=variant_document("another"), headers=_keyed(analyst, "up-1"))
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"], other.json
    assert registry.get_model(db, variant_document("another")["version"]) is None
    assert _trail(db) == [("upload", doc["version"])]


def test_the_registry_writes_document_the_header(client: Any) -> None:
    paths = client.get("/openapi.json").json["paths"]
    for path in ("/v1/models", "/v1/models/{version}/activate", "/v1/models/{version}/rollback"):
        named = [p.get("name") for p in paths[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in named, path


def test_a_versions_trail_shows_it_taken_out_of_service(make_backend_app: AppFactory) -> None:
    """A version's trail (`?version=`) listed the events naming it as the version made active, not the
    rollback of it nor the promotion that replaced it (recorded under the version made active, with it as
    `previous_version`): an auditor saw it promoted and never withdrawn."""
    client, db, version, (maker, checker, colleague) = _promoted(make_backend_app(MODEL_POLL_SECONDS=0.0),
                                                                 "withdrawn")
    assert client.post(f"/v1/models/{version}/activate", headers=bearer(checker),
                       json={"reason": "CR-7 approved", "replacing": DEFAULT_VERSION}).status_code == 200
    assert client.post(f"/v1/models/{version}/rollback", json={"reason": "INC-6 grades jumped"},
                       headers=bearer(colleague)).status_code == 200
    listed = client.get(f"/v1/model-events?version={version}&limit=2", headers=bearer(maker)).json
    rest = client.get(f"/v1/model-events?version={version}&cursor={listed['next_cursor']}",
                      headers=bearer(maker)).json
    trail = [(e["action"], e["version"], e["previous_version"]) for e in listed["items"] + rest["items"]]
    assert trail == [("upload", version, None), ("promote", version, DEFAULT_VERSION),
                     ("rollback", DEFAULT_VERSION, version)]
    assert [e.action for e in registry.events(db, version)] == ["upload", "promote", "rollback"]
    # the default's own trail: registered, first active, replaced by the promotion, back by the rollback
    assert [e.action for e in registry.events(db, DEFAULT_VERSION)] == ["register", "promote", "promote",
                                                                         "rollback"]
