"""Four eyes keeps a model's trainer from promoting it, not only its registrant (migration 0028).

A model-risk review: an artifact names no trainer, so an analyst who trained a challenger and had a colleague
register it could approve it themselves. The registrant now declares the trainer (themselves by default),
the registry records it, and a promotion by the trainer is refused as one by the registrant is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from rating_model.artifact import ScorecardArtifact
from service.auth import PREFIX_LENGTH
from service.models import register_packaged_default
from service.records import activation, registry
from service.records.model_tables import models
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.model_fixtures import record_comparison, variant_document
from tests.service.tampering import guard_lifted
from tests.service.test_model_registry import DEFAULT_VERSION, FITS


def _actor(key: str, tenant: str = "bank-a") -> str:
    """How the audit trail names an API key: its tenant and non-secret prefix."""
    return f"{tenant}/{key[:PREFIX_LENGTH]}"


def test_a_trainer_who_had_a_colleague_upload_their_model_may_not_promote_it(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    trainer, registrant, checker = (create_key(app, "bank-a", "analyst") for _ in range(3))
    doc = variant_document("trained-by-ann")
    uploaded = client.post(f"/v1/models?trained_by={_actor(trainer)}", json=doc, headers=bearer(registrant))
    assert uploaded.status_code == 201, uploaded.json
    assert uploaded.json["trained_by"] == _actor(trainer)
    assert uploaded.json["created_by"] == _actor(registrant)
    record_comparison(db, doc["version"], DEFAULT_VERSION)
    activate = f"/v1/models/{doc['version']}/activate"
    body = {"reason": "CR-9 challenger wins on KS", "replacing": DEFAULT_VERSION}
    own = client.post(activate, json=body, headers=bearer(trainer))
    assert own.status_code == 403, own.json
    assert f"{_actor(trainer)} trained it" in own.json["message"]
    assert registry.active_version(db) == DEFAULT_VERSION
    assert client.post(activate, json=body, headers=bearer(registrant)).status_code == 403
    done = client.post(activate, json=body, headers=bearer(checker))
    assert done.status_code == 200, done.json
    listed = {m["version"]: m for m in client.get("/v1/models", headers=bearer(checker)).json["items"]}
    assert listed[doc["version"]]["trained_by"] == _actor(trainer)
    upload = registry.events(db, doc["version"])[0]
    assert upload.action == "upload" and upload.reason.endswith(f"[trained by {_actor(trainer)}]")


def test_without_a_declaration_the_registrant_is_recorded_as_the_trainer(app: Flask) -> None:
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("own"))
    record = registry.register(db, artifact, source="cli", actor="cli/ann", reason="t").record
    assert record.trained_by == "cli/ann"
    assert registry.get_model(db, artifact.version).trained_by == "cli/ann"  # type: ignore[union-attr]


def test_a_trainer_named_at_registration_is_refused_on_the_cli_path_too(app: Flask) -> None:
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("cli-trained"))
    trainer = registry.check_trainer(db, "cli/ann")
    registry.register(db, artifact, source="cli", actor="cli/bob", reason="t", trained_by=trainer)
    record_comparison(db, artifact.version, DEFAULT_VERSION)
    with pytest.raises(activation.SameActor, match="cli/ann trained it"):
        activation.promote(db, artifact.version, actor="cli/ann", reason="CR-9 approve", fits=FITS,
                           replacing=DEFAULT_VERSION, four_eyes=True, require_comparison=True)
    done = activation.promote(db, artifact.version, actor="cli/carol", reason="CR-9 approve", fits=FITS,
                              replacing=DEFAULT_VERSION, four_eyes=True, require_comparison=True)
    assert done.previous == DEFAULT_VERSION


def test_a_retry_naming_another_trainer_is_another_registration(app: Flask) -> None:
    db = services_of(app).db
    artifact = ScorecardArtifact.from_dict(variant_document("retry"))
    registry.register(db, artifact, source="cli", actor="cli/bob", reason="t", trained_by="cli/ann")
    assert registry.register(db, artifact, source="cli", actor="cli/bob", reason="t",
                             trained_by="cli/ann").replayed
    with pytest.raises(registry.VersionExists):
        registry.register(db, artifact, source="cli", actor="cli/bob", reason="t", trained_by="cli/dan")


@pytest.mark.parametrize("named", ["bank-a/gr_nosuchkey", "nobody", "", "cli/", "bank-b/{prefix}"])
def test_a_trainer_that_names_no_analyst_is_refused(client: Any, app: Flask, named: str) -> None:
    register_packaged_default(services_of(app).db)
    registrant = create_key(app, "bank-a", "analyst")
    doc = variant_document("unknown-trainer")
    refused = client.post("/v1/models", json=doc, headers=bearer(registrant),
                          query_string={"trained_by": named.format(prefix=registrant[:PREFIX_LENGTH])})
    assert refused.status_code == 422, refused.json
    assert registry.get_model(services_of(app).db, doc["version"]) is None


def test_a_version_registered_before_trainers_were_recorded_says_so_when_promoted(app: Flask) -> None:
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("older"))
    registry.register(db, artifact, source="cli", actor="cli/bob", reason="t")
    with db.begin() as conn, guard_lifted(conn, "models"):  # as migration 0028 leaves an earlier row
        conn.execute(update(models).where(models.c.version == artifact.version).values(trained_by=None))
    assert registry.get_model(db, artifact.version).trained_by is None  # type: ignore[union-attr]
    activation.promote(db, artifact.version, actor="cli/carol", reason="CR-9 approve", fits=FITS,
                       replacing=DEFAULT_VERSION, four_eyes=True)
    assert "trainer not recorded (registered before migration 0028)" in registry.events(db)[-1].reason


def test_the_cli_records_the_trainer_it_is_told_and_refuses_their_promotion(tmp_path: Path) -> None:
    """`greenrate model register --trained-by`: Ann trained the file on her account, Bob registers it with
    his key; Ann's promotion from her account is refused as her trainer's, and the answer names her."""
    import json
    import os
    import pwd

    from click.testing import CliRunner
    from sqlalchemy import create_engine

    from service.cli import main
    from tests.conftest import insert_keys

    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3", "GREENRATE_MODEL_FOUR_EYES": "true",
           "GREENRATE_MODEL_REQUIRE_COMPARISON": "false"}

    def run(environment: dict[str, str], *args: str) -> Any:
        return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)

    assert run(env, "db", "upgrade").exit_code == 0
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    try:
        bob = insert_keys(db, "bank-a", ("analyst",))["analyst"]
        ann = f"cli/{pwd.getpwuid(os.getuid()).pw_name}"  # the account running these commands
        doc = variant_document("cli-trainer")
        path = tmp_path / "challenger.json"
        path.write_text(json.dumps(doc))
        as_bob = {**env, "GREENRATE_ANALYST_KEY": bob}
        assert run(as_bob, "model", "register", str(path), "--trained-by", "bank-a/nobody").exit_code == 1
        registered = run(as_bob, "model", "register", str(path), "--trained-by", ann)
        assert registered.exit_code == 0, registered.output
        assert f"trained by {ann}" in registered.output
        refused = run(env, "model", "promote", doc["version"], "--reason", "CR-1 mine",
                      "--replacing", DEFAULT_VERSION)
        assert refused.exit_code == 1 and f"{ann} trained it" in refused.output
        assert registry.active_version(db) == DEFAULT_VERSION
    finally:
        db.dispose()
