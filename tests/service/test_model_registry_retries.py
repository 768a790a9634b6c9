"""A registration or promotion whose answer is lost after its commit, retried by its client.

A concurrency review: the connection lost once the COMMIT of an upload was sent (or its read-back after it)
answered 503, and the client's retry then answered 409 "already registered" although its own first attempt
had succeeded; a promotion's retry answered 409 "already the active one" alike. Now the same caller's
retry of the same request is answered like the first success, recorded and audited once, while another
artifact under the version, another caller or another request still conflicts.

The lost answer is :class:`LostAnswer`: the transaction that wrote the chosen statement is committed, then
the caller hears an OperationalError, as from a connection that died before the server's answer to the
COMMIT arrived (a ``pg_terminate_backend`` cannot land between the two).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from rating_model.artifact import ScorecardArtifact
from rating_model.artifact_format import content_sha256
from service.lost_answers import NOT_KNOWN
from service.models import register_packaged_default
from service.records import activation, comparisons, registry
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.contract import contract_errors
from tests.service.model_fixtures import (
    compared_data,
    compared_summary,
    record_comparison,
    variant_document,
)
from tests.service.test_model_registry import DEFAULT_VERSION


class LostAnswer:
    """Commits the first transaction that runs a statement starting with ``statement``, then raises the
    OperationalError of a connection lost before the COMMIT's answer: the write is kept, the caller is told
    it failed. Fires once."""

    def __init__(self, db: Engine, statement: str) -> None:
        self.statement = statement
        self.fired = 0
        self._mark = f"greenrate_lose_answer_{id(self)}"  # its own: several may listen to one engine
        event.listen(db, "before_cursor_execute", self._seen)
        event.listen(db, "commit", self._commit)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not self.fired and statement.startswith(self.statement):
            conn.info[self._mark] = True

    def _commit(self, conn: Any) -> None:
        if conn.info.pop(self._mark, False):
            # sent as the service sends a COMMIT (the dialect's do_commit, which marks the request in
            # service.lost_answers): the server has it
            conn.engine.dialect.do_commit(conn.connection.dbapi_connection)
            self.fired += 1
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))


def _named(tag: str, version: str = "bank-2026q4") -> dict[str, Any]:
    """A model named freely (not by its hash), with content told apart by ``tag``."""
    doc = variant_document(tag)
    doc["version"] = version
    doc["sha256"] = content_sha256(doc)
    return doc


def _events(db: Engine, version: str) -> list[tuple[str, str | None, str]]:
    return [(e.action, e.previous_version, e.actor) for e in registry.events(db, version)]


def test_an_upload_whose_answer_is_lost_is_answered_201_on_its_retry(make_backend_app: AppFactory) -> None:
    app = make_backend_app()
    client = app.test_client()
    db = services_of(app).db
    register_packaged_default(db)
    analyst, other = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "analyst")
    doc = _named("lost answer")
    lost = LostAnswer(db, "INSERT INTO models")
    first = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert lost.fired == 1 and first.status_code == 503, first.json
    # not "nothing was issued or changed": it was registered, and the retry is safe, as it says
    assert first.json["message"].startswith(NOT_KNOWN) and "Sending the same artifact again" in first.json[
        "message"]
    assert registry.get_model(db, doc["version"]) is not None  # committed all the same

    # compared meanwhile (by a colleague, say): the retry shows it measured, as the listing does
    record_comparison(db, doc["version"], DEFAULT_VERSION)
    retry = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert retry.status_code == 201, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/v1/models", headers=bearer(analyst)).json["items"]
    assert [item for item in listed if item["version"] == doc["version"]] == [retry.json]
    assert retry.json["measured"]["against"] == DEFAULT_VERSION and retry.json["metrics_declared_by"]
    assert retry.headers["Location"] == f"/v1/models/{doc['version']}"
    assert retry.json["version"] == doc["version"] and retry.json["sha256"] == doc["sha256"]
    assert retry.json["source"] == "upload" and retry.json["created_by"].startswith("bank-a/")
    assert client.post("/v1/models", json=doc, headers=bearer(analyst)).json == retry.json
    assert [action for action, _, _ in _events(db, doc["version"])] == ["upload"]  # audited once

    # another analyst's upload of it, or another artifact under its version, still conflicts
    assert client.post("/v1/models", json=doc, headers=bearer(other)).status_code == 409
    imposter = _named("another artifact")
    conflict = client.post("/v1/models", json=imposter, headers=bearer(analyst))
    assert conflict.status_code == 409 and "already registered" in conflict.json["message"]
    assert len(_events(db, doc["version"])) == 1
    spec = client.get("/openapi.json").json
    for answer in (first, retry, conflict):  # the replay's header and body are the contract's
        assert contract_errors(spec, "/v1/models", "post", answer) == [], answer.json


def test_a_registration_replays_only_for_the_same_actor_source_and_metrics(
    make_backend_app: AppFactory,
) -> None:
    db = services_of(make_backend_app()).db
    artifact = ScorecardArtifact.from_dict(variant_document("registered once"))
    first = registry.register(db, artifact, source="cli", actor="cli/ann", reason="from b.json")
    assert first.replayed is False and first.record.active is False
    again = registry.register(db, artifact, source="cli", actor="cli/ann", reason="from b.json, again")
    assert again == registry.Registration(first.record, replayed=True)
    for other in ({"actor": "cli/bob"}, {"source": "upload"}, {"metrics": {"auc": 0.99}}):
        arguments: dict[str, Any] = {"source": "cli", "actor": "cli/ann", **other}
        try:
            registry.register(db, artifact, reason="from b.json", **arguments)
        except registry.VersionExists:
            continue
        raise AssertionError(f"{other} replayed the registration")
    assert [e.reason for e in registry.events(db, artifact.version)] == ["from b.json [trained by cli/ann]"]


def test_a_promotion_whose_answer_is_lost_is_answered_200_on_its_retry(make_backend_app: AppFactory) -> None:
    app = make_backend_app(MODEL_POLL_SECONDS=0.0)
    client = app.test_client()
    db = services_of(app).db
    register_packaged_default(db)
    maker, checker, colleague = (create_key(app, "bank-a", "analyst") for _ in range(3))
    doc = variant_document("promoted, answer lost")
    version = doc["version"]
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    evidence = record_comparison(db, version, DEFAULT_VERSION)
    body = {"reason": "CR-7 approved", "replacing": DEFAULT_VERSION}
    activate = f"/v1/models/{version}/activate"
    lost = LostAnswer(db, "UPDATE active_model")
    first = client.post(activate, json=body, headers=bearer(checker))
    assert lost.fired == 1 and first.status_code == 503, first.json
    assert first.json["message"].startswith(NOT_KNOWN) and "promoted already" in first.json["message"]
    assert registry.active_version(db) == version  # committed all the same

    retry = client.post(activate, json=body, headers=bearer(checker))
    assert retry.status_code == 200, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"  # as a replayed registration says
    assert retry.json == {"version": version, "previous_version": DEFAULT_VERSION, "reason": "CR-7 approved",
                          "actor": retry.json["actor"]} and retry.json["actor"].startswith("bank-a/")
    assert client.post(activate, json=body, headers=bearer(checker)).json == retry.json
    promotions = [e for e in _events(db, version) if e[0] == "promote"]
    assert promotions == [("promote", DEFAULT_VERSION, retry.json["actor"])]  # audited once
    assert registry.events(db, version)[-1].reason == f"CR-7 approved [{evidence}]"

    # another analyst, another reason or another champion: a promotion of the active version, refused
    for key, sent in ((colleague, body), (checker, {**body, "reason": "CR-8 approved"}),
                      (checker, {**body, "replacing": version})):
        refused = client.post(activate, json=sent, headers=bearer(key))
        assert refused.status_code == 409 and "already the active one" in refused.json["message"], sent
    assert len(_events(db, version)) == 2  # its upload and its one promotion

    # one promotion to undo; after the rollback the same request is no retry, and nothing is left to replay
    back = client.post(f"/v1/models/{version}/rollback", json={"reason": "CR-7 undone"},
                       headers=bearer(colleague))
    assert back.status_code == 200 and back.json["version"] == DEFAULT_VERSION, back.json
    assert back.headers["Idempotent-Replayed"] == "false"
    spec = client.get("/openapi.json").json
    for answer in (first, retry, refused):  # the replay's header is declared
        assert contract_errors(spec, "/v1/models/{version}/activate", "post", answer) == [], answer.json
    again = client.post(activate, json=body, headers=bearer(checker))
    assert again.status_code == 409 and "no comparison" in again.json["message"], again.json


def test_a_rollback_whose_answer_is_lost_is_answered_200_on_its_retry(make_backend_app: AppFactory) -> None:
    """The retry of a rollback whose answer was lost after its commit found its version no longer active
    and got 409 ActiveChanged for its own rollback; it is now answered as that rollback was, audited once."""
    app = make_backend_app(MODEL_POLL_SECONDS=0.0)
    client = app.test_client()
    db = services_of(app).db
    register_packaged_default(db)
    maker, checker, colleague = (create_key(app, "bank-a", "analyst") for _ in range(3))
    doc = variant_document("rolled back, answer lost")
    version = doc["version"]
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    record_comparison(db, version, DEFAULT_VERSION)
    promoted = client.post(f"/v1/models/{version}/activate", headers=bearer(checker),
                           json={"reason": "CR-7 approved", "replacing": DEFAULT_VERSION})
    assert promoted.status_code == 200 and promoted.headers["Idempotent-Replayed"] == "false"
    rollback, body = f"/v1/models/{version}/rollback", {"reason": "INC-3 grades jumped"}
    lost = LostAnswer(db, "UPDATE active_model")
    first = client.post(rollback, json=body, headers=bearer(maker))
    assert lost.fired == 1 and first.status_code == 503, first.json
    assert first.json["message"].startswith(NOT_KNOWN) and "rolled back already" in first.json["message"]
    assert registry.active_version(db) == DEFAULT_VERSION  # committed all the same

    retry = client.post(rollback, json=body, headers=bearer(maker))
    assert retry.status_code == 200, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == {"version": DEFAULT_VERSION, "previous_version": version,
                          "reason": "INC-3 grades jumped", "actor": retry.json["actor"]}
    assert retry.json["actor"].startswith("bank-a/")
    assert client.post(rollback, json=body, headers=bearer(maker)).json == retry.json
    rollbacks = [e for e in _events(db, DEFAULT_VERSION) if e[0] == "rollback"]
    assert rollbacks == [("rollback", version, retry.json["actor"])]  # audited once

    # another analyst or another reason: another rollback of a version no longer active, refused
    trail = registry.events(db)
    for key, sent in ((colleague, body), (maker, {"reason": "INC-4 grades jumped"})):
        refused = client.post(rollback, json=sent, headers=bearer(key))
        assert refused.status_code == 409 and "nothing was changed" in refused.json["message"], sent

    # something promoted since: the same rollback is no retry any more
    later = variant_document("promoted after the rollback")
    assert client.post("/v1/models", json=later, headers=bearer(maker)).status_code == 201
    record_comparison(db, later["version"], DEFAULT_VERSION)
    assert client.post(f"/v1/models/{later['version']}/activate", headers=bearer(checker),
                       json={"reason": "CR-8 approved", "replacing": DEFAULT_VERSION}).status_code == 200
    stale = client.post(rollback, json=body, headers=bearer(maker))
    assert stale.status_code == 409 and "nothing was changed" in stale.json["message"], stale.json
    assert [e for e in registry.events(db) if e not in trail] == registry.events(db)[-2:]  # upload, promote
    spec = client.get("/openapi.json").json
    for answer in (first, retry, stale):  # the replay's header is declared
        assert contract_errors(spec, "/v1/models/{version}/rollback", "post", answer) == [], answer.json
    assert contract_errors(spec, "/v1/models/{version}/activate", "post", promoted) == []


def test_a_comparison_replays_only_while_it_is_the_newest_and_as_fresh_as_a_new_one(
    make_backend_app: AppFactory,
) -> None:
    """The same recorder's same comparison is the one recorded; another recorder's, other data, one after
    another comparison of the pair, or one after the champion became active again, is recorded anew (a
    re-measurement since the champion's tenure began is evidence the older one is not)."""
    db = services_of(make_backend_app()).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("compared twice"))
    registry.register(db, artifact, source="cli", actor="cli/ann", reason="from b.json")
    champion = registry.load_artifact(db, DEFAULT_VERSION)
    assert champion is not None

    def record(actor: str = "cli/ann", rows: int = 5000) -> comparisons.Recorded:
        return comparisons.record(db, artifact, champion, data=compared_data(rows=rows),
                                  summary=compared_summary(rows=rows), actor=actor)

    first = record()
    assert first.replayed is False
    assert record() == comparisons.Recorded(first.comparison, replayed=True)
    assert record(actor="cli/bob").replayed is False  # another recorder's: its own record
    assert record().replayed is False  # no longer the newest of the pair
    newest = record(rows=4000)
    assert newest.replayed is False and record(rows=4000).comparison == newest.comparison
    # the champion becomes active again (promoted away and rolled back): a record of before its tenure is
    # not counted, so the same comparison is recorded anew
    activation.activate(db, artifact.version, actor="cli/bob", reason="CR-1 approved", fits=lambda a: None,
                        replacing=DEFAULT_VERSION)
    activation.rollback(db, actor="cli/bob", reason="INC-1 undone", fits=lambda a: None,
                        undoing=artifact.version)
    assert record(rows=4000).replayed is False
    assert len(comparisons.of_pair(db, artifact.version, DEFAULT_VERSION)) == 5


def test_a_promotion_whose_reason_only_begins_the_recorded_one_is_no_retry(
    make_backend_app: AppFactory,
) -> None:
    """The retry was recognised by the audited reason beginning with ``reason [``: a promotion audited as
    "CR-7 [board] [evidence]" made a later "CR-7" by the same key a replay (200, Idempotent-Replayed: true,
    'promoted already, with this very reason'), though its reason is another; it is refused as any other
    promotion of the active version is (409)."""
    app = make_backend_app(MODEL_POLL_SECONDS=0.0)
    client = app.test_client()
    db = services_of(app).db
    register_packaged_default(db)
    maker, checker = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "analyst")
    doc = variant_document("reason begun")
    version = doc["version"]
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    record_comparison(db, version, DEFAULT_VERSION)
    activate = f"/v1/models/{version}/activate"
    body = {"reason": "CR-7 [board]", "replacing": DEFAULT_VERSION}
    assert client.post(activate, json=body, headers=bearer(checker)).status_code == 200
    assert client.post(activate, json=body, headers=bearer(checker)).headers["Idempotent-Replayed"] == "true"
    shorter = client.post(activate, json={**body, "reason": "CR-7"}, headers=bearer(checker))
    assert shorter.status_code == 409 and "already the active one" in shorter.json["message"], shorter.json
