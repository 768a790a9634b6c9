"""The service's own refusals as clients read them: a loan book, the job queue, the model registry, a cursor.

Each view had mapped these exceptions to HTTP itself (a code review); one exception base and one handler in
service/errors.py answer them now. The bodies pinned here are the ones those views sent (everything but the
request id), and their headers: the one change is ``Retry-After`` on a tenant's 429 for too many portfolio
jobs, a hard-coded 60 that now follows ``GREENRATE_RETRY_AFTER_SECONDS`` like the 503s.
"""

from __future__ import annotations

import io
import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from rating_model.standard import DEFAULT_STANDARD, load_standard
from schemas.fields import RatingCursor
from service.exceptions import ServiceError
from service.model_watch import engine_for
from service.models import register_packaged_default
from service.portfolios.jobs import (
    IdempotencyKeyRefused,
    NotQueued,
    QueueUnavailable,
    StorageUnavailable,
    TooManyJobs,
)
from service.portfolios.storage import UploadRefused
from service.records import activation, comparisons, registry
from service.records.model_tables import models
from service.records.rating_signatures import RatingRecordRefused
from service.records.ratings import UnknownCursor
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.live_services import free_port
from tests.service.model_fixtures import default_document, record_comparison, rehash, variant_document
from tests.service.tampering import guard_lifted
from tests.service.test_portfolios import as_file, book, upload

DEFAULT_VERSION = default_document()["version"]
FITS = partial(engine_for, load_standard(DEFAULT_STANDARD))
UNKNOWN_VERSION = "sc-000000000000"


def refusal(response: Any) -> dict[str, Any]:
    """The error body without its request id (which echoes the response's ``X-Request-ID``)."""
    assert response.mimetype == "application/json"
    body = dict(response.get_json())
    assert body.pop("request_id") == response.headers["X-Request-ID"]
    return body


def _body(code: int, message: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    phrases = {403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity",
               429: "Too Many Requests", 503: "Service Unavailable"}
    body: dict[str, Any] = {"code": code, "status": phrases[code], "message": message}
    if errors is not None:
        body["errors"] = errors
    return body


def _raised(call: Any, expected: type[Exception]) -> str:
    """What ``call`` raises, as text: the registry's own words, which the API's messages are made of."""
    with pytest.raises(expected) as caught:
        call()
    return str(caught.value)


# -- portfolios --------------------------------------------------------------------------------------


def test_a_loan_book_refused_before_it_is_stored(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(PORTFOLIO_DIR=str(tmp_path / "p"))  # no queue needed: the request is checked first
    client, key = app.test_client(), create_key(app)
    wrong_type = upload(client, key, (io.BytesIO(b"company__name\nx\n"), "book.xlsx"))
    assert wrong_type.status_code == 422 and "Retry-After" not in wrong_type.headers
    assert refusal(wrong_type) == _body(422, "The loan book cannot be rated as uploaded.", {"file": [
        "use a CSV (.csv, .csv.gz, .csv.bz2, .csv.xz, .csv.zip) or Parquet (.parquet, .pq) file"]})
    unknown_previous = upload(client, key, (io.BytesIO(b"company__name\nx\n"), "b.csv"),
                              previous="pf_" + "0" * 32)
    assert unknown_previous.status_code == 422
    assert refusal(unknown_previous) == _body(422, "The loan book cannot be rated as uploaded.",
                                              {"previous": ["not a completed portfolio of this tenant"]})


def test_an_unreachable_job_queue_is_503_with_the_configured_retry_after(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/13", REDIS_TIMEOUT_MS=50,
                   RETRY_AFTER_SECONDS=7, PORTFOLIO_DIR=str(tmp_path / "p"))
    refused = upload(app.test_client(), create_key(app), as_file(book(20), "b.csv", tmp_path))
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "7"
    assert refusal(refused) == _body(503, "The job queue is unreachable; the loan book was not accepted.")


@pytest.mark.parametrize("seconds", [5, 11])
def test_too_many_jobs_is_429_with_the_configured_retry_after(
    make_app: AppFactory, redis_url: str, tmp_path: Path, seconds: int
) -> None:
    """It said ``Retry-After: 60`` whatever GREENRATE_RETRY_AFTER_SECONDS was (a code review)."""
    app = make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "p"), PORTFOLIO_JOBS_PER_TENANT=1,
                   RETRY_AFTER_SECONDS=seconds, RATE_LIMIT="100000 per minute")
    client, key = app.test_client(), create_key(app)
    assert upload(client, key, as_file(book(20), "first.csv", tmp_path)).status_code == 202
    refused = upload(client, key, as_file(book(21), "second.csv", tmp_path))  # not a retry of the first
    assert refusal(refused) == _body(
        429, "This tenant already has 1 portfolio job(s) queued or running "
        "(GREENRATE_PORTFOLIO_JOBS_PER_TENANT): upload the next book when one has finished.")
    assert refused.headers["Retry-After"] == str(seconds)


# -- the model registry ------------------------------------------------------------------------------


def _tamper(db: Any, version: str) -> None:
    """Edit a stored artifact so that it no longer verifies (migration 0009's guard lifted for it)."""
    with db.connect() as conn:
        doc = json.loads(conn.execute(models.select().where(models.c.version == version)).one().artifact_json)
    doc["features"][0]["points"][0] += 5
    with db.begin() as conn, guard_lifted(conn, "models"):
        conn.execute(update(models).where(models.c.version == version).values(artifact_json=json.dumps(doc)))


def test_uploads_refused_by_the_registry(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    analyst = create_key(app, "bank-a", "analyst")
    tampered = variant_document("tampered")
    tampered["sha256"] = "0" * 64
    why = _raised(lambda: ScorecardArtifact.from_dict(tampered), ArtifactError)
    response = client.post("/v1/models", json=tampered, headers=bearer(analyst))
    assert refusal(response) == _body(422, f"The artifact was refused: {why}", {"_schema": [why]})
    other = default_document()
    other["metadata"]["standard"] = "greenrate-sme-9.9"
    rehash(other)
    why = _raised(lambda: FITS(ScorecardArtifact.from_dict(other)), ArtifactError)
    response = client.post("/v1/models", json=other, headers=bearer(analyst))
    assert refusal(response) == _body(422, f"The artifact was refused: {why}", {"_schema": [why]})

    doc = variant_document("twice")
    assert client.post("/v1/models", json=doc, headers=bearer(analyst)).status_code == 201
    why = _raised(lambda: registry.register(db, ScorecardArtifact.from_dict(doc), source="upload", actor="t",
                                            reason="t"), registry.VersionExists)
    colleague = create_key(app, "bank-a", "analyst")  # the uploader's own retry is answered 201
    again = client.post("/v1/models", json=doc, headers=bearer(colleague))
    assert again.status_code == 409 and refusal(again) == _body(409, why)


def test_promotions_refused_by_the_registry(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    maker, checker = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "analyst")
    doc = variant_document("challenger")
    version = doc["version"]
    assert client.post("/v1/models", json=doc, headers=bearer(maker)).status_code == 201
    body = {"reason": "CR-9 approved", "replacing": DEFAULT_VERSION}

    def activate(v: str, key: str) -> Any:
        return client.post(f"/v1/models/{v}/activate", json=body, headers=bearer(key))

    def direct(v: str, key: str) -> Any:
        return lambda: activation.activate(db, v, actor=f"bank-a/{key[:11]}", fits=FITS, four_eyes=True,
                                         require_comparison=True, **body)

    unknown = activate(UNKNOWN_VERSION, checker)
    assert refusal(unknown) == _body(404, f"Model version {UNKNOWN_VERSION!r} is not registered.")
    own = activate(version, maker)
    assert refusal(own) == _body(403, _raised(direct(version, maker), activation.SameActor))
    unproven = activate(version, checker)
    assert refusal(unproven) == _body(409, _raised(direct(version, checker), activation.NoComparison))
    active = activate(DEFAULT_VERSION, checker)
    assert refusal(active) == _body(409, _raised(direct(DEFAULT_VERSION, checker), activation.AlreadyActive))

    record_comparison(db, version, DEFAULT_VERSION)
    _tamper(db, version)
    why = _raised(direct(version, checker), activation.ModelDoesNotFit)
    broken = activate(version, checker)
    assert refusal(broken) == _body(422, f"The activation was refused: {why}", {"_schema": [why]})
    assert registry.active_version(db) == DEFAULT_VERSION


def test_rollbacks_refused_by_the_registry(make_app: AppFactory) -> None:
    app = make_app(MODEL_POLL_SECONDS=0.0)
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    analyst = create_key(app, "bank-a", "analyst")

    def roll_back(v: str) -> Any:
        return client.post(f"/v1/models/{v}/rollback", json={"reason": "INC-9 grades jumped"},
                           headers=bearer(analyst))

    def direct(v: str) -> Any:
        return lambda: activation.rollback(db, actor="t", reason="INC-9 grades jumped", fits=FITS, undoing=v)

    unknown = roll_back(UNKNOWN_VERSION)
    assert refusal(unknown) == _body(404, f"Model version {UNKNOWN_VERSION!r} is not registered.")
    first = roll_back(DEFAULT_VERSION)  # the first active model: nothing before it
    assert refusal(first) == _body(409, _raised(direct(DEFAULT_VERSION), activation.NothingToRollBack))

    other = ScorecardArtifact.from_dict(variant_document("promoted"))
    registry.register(db, other, source="cli", actor="t", reason="t")
    activation.activate(db, other.version, actor="t", reason="CR-9 approved", fits=FITS)
    not_active = roll_back(DEFAULT_VERSION)
    assert refusal(not_active) == _body(409, _raised(direct(DEFAULT_VERSION), activation.ActiveChanged))
    _tamper(db, DEFAULT_VERSION)  # the version a rollback returns to no longer verifies
    why = _raised(direct(other.version), activation.ModelDoesNotFit)
    broken = roll_back(other.version)
    assert refusal(broken) == _body(422, f"The rollback was refused: {why}", {"_schema": [why]})
    assert registry.active_version(db) == other.version


# -- ratings -----------------------------------------------------------------------------------------


def test_a_cursor_naming_no_rating_of_the_tenant(app: Flask, bank_key: str) -> None:
    client = app.test_client()
    rating_id = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key)).json["id"]
    other = create_key(app, "bank-b", "bank")
    refused = client.get(f"/v1/ratings?cursor={RatingCursor.encode(rating_id)}", headers=bearer(other))
    assert refused.status_code == 422 and "Retry-After" not in refused.headers
    assert refusal(refused) == _body(422, "Some fields are invalid.", {"cursor": ["Not a valid cursor."]})


# -- one base, one handler ---------------------------------------------------------------------------


def _every_refusal() -> list[ServiceError]:
    return [
        UploadRefused({"file": ["no rows"]}),
        TooManyJobs(2),
        IdempotencyKeyRefused("already used for portfolio pf_0, whose file or options differ"),
        QueueUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        NotQueued("pf_0"),
        StorageUnavailable("ENOSPC: No space left on device"),
        UnknownCursor("djI6cmF0aW5nXzAw"),
        registry.RegistryError("the active model changed 50 times while promoting 'x'; try again"),
        registry.VersionExists("model version 'x' (or its sha256) is already registered"),
        registry.NotRegistered("x"),
        activation.AlreadyActive("model version 'x' is already the active one"),
        activation.ActiveChanged("rolling back refused: the active model is 'y', not 'x'"),
        activation.SameActor("promoting 'x' refused: t registered it"),
        activation.NoComparison("promoting 'x' refused: no comparison"),
        activation.ComparisonFailed("promoting 'x' refused: worse"),
        activation.NothingToRollBack("nothing to roll back to: no model has been activated"),
        registry.Refused("it does not fit", what="thing"),
        registry.ArtifactRefused("sha256 does not match"),
        registry.TrainerRefused("trained_by names no analyst key"),
        activation.ModelDoesNotFit("model version 'x' cannot be activated: no", what="rollback"),
        activation.ReasonRefused("reason refused: too short", what="activation"),
        comparisons.NotAsRegistered("the challenger compared is not the 'x' registered"),
        comparisons.TooFewRows("40 rows"),
        comparisons.InSample("x was trained on holdout.parquet"),
        comparisons.NotEvidence("no promotion rests on this comparison"),
        comparisons.Unverifiable("the challenger 'x' carries no fingerprint of its training rows"),
        comparisons.OtherStandard("the challenger was judged under 'greenrate-sme@1.8.0'"),
        comparisons.Incomplete("the comparison records no score PSI or grade migration"),
        RatingRecordRefused("rt_0", "the record does not match its signature"),
    ]


def _subclasses(cls: type) -> set[type]:
    return {cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))}


def test_every_refusal_is_answered_by_the_one_handler_as_its_class_says(make_app: AppFactory) -> None:
    app = make_app(RETRY_AFTER_SECONDS=9)
    refusals = _every_refusal()
    # a new refusal is added here, so that its status is a decision (the default is a 500)
    assert {type(exc) for exc in refusals} == _subclasses(ServiceError) - {ServiceError}
    for exc in refusals:
        # 500 only for a record the service itself finds broken (tests/service/test_rating_signatures.py)
        assert exc.code in (403, 404, 409, 422, 429, 503) or type(exc) is RatingRecordRefused, type(exc)
        with app.test_request_context("/v1/anything"):
            answered = app.handle_user_exception(exc)
        body = answered.get_json()
        assert (answered.status_code, body["code"], body["message"]) == (exc.code, exc.code, exc.message)
        assert body.get("errors") == exc.errors
        assert answered.headers.get("Retry-After") == ("9" if exc.code in (429, 503) else None), type(exc)


@pytest.mark.parametrize("doing", ["activation", "rollback"])
def test_a_reason_that_says_nothing_is_refused_for_what_it_was_given(doing: str) -> None:
    """The API's schema refuses such a reason first; the registry's own check (the CLI's) says the same."""
    with pytest.raises(activation.ReasonRefused) as caught:
        activation.check_reason(".", doing=doing)
    why = str(caught.value)
    assert why.startswith("reason refused: ")
    assert (caught.value.code, caught.value.message) == (422, f"The {doing} was refused: {why}")
    assert caught.value.errors == {"_schema": [why]}
