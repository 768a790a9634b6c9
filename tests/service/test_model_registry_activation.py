"""Promotion and rollback: no-op promotions refused, rollbacks as a stack, races, fit and reason checks."""

from __future__ import annotations

import multiprocessing
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, insert

from rating_model.artifact import ScorecardArtifact
from rating_model.artifact_format import content_sha256
from service.config import load_settings
from service.models import register_packaged_default
from service.records import activation, comparisons, migrate, registry
from service.records.database import create_db_engine
from service.records.model_tables import model_comparisons, model_events
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.model_fixtures import (
    compared_data,
    compared_summary,
    default_document,
    record_comparison,
    rehash,
    variant_document,
)
from tests.service.test_model_registry import DEFAULT_VERSION, FITS

#: what a promotion without the comparison requirement (the registry's default) adds to its reason
UNGATED = " [no recorded comparison: GREENRATE_MODEL_REQUIRE_COMPARISON off]"


def _registered(db: Engine, *tags: str) -> list[str]:
    """Register a valid variant per tag (the packaged default first, active); returns their versions."""
    register_packaged_default(db)
    versions = []
    for tag in tags:
        artifact = ScorecardArtifact.from_dict(variant_document(tag))
        registry.register(db, artifact, source="cli", actor="t", reason="test variant")
        versions.append(artifact.version)
    return versions


def _other_standard(db: Engine) -> str:
    """A verified artifact trained for another standard, stored as an earlier release's register left it."""
    doc = default_document()
    doc["metadata"]["standard"] = "greenrate-sme-0.9"
    artifact = ScorecardArtifact.from_dict(rehash(doc))
    registry.register(db, artifact, source="cli", actor="old-release", reason="registered before 1.0")
    return artifact.version


def _activations(db: Engine) -> list[registry.ModelEvent]:
    return [e for e in registry.events(db) if e.action in ("promote", "rollback")]


# 1. promoting the active version


def test_promoting_the_active_version_is_refused_and_not_audited(app: Flask) -> None:
    db = services_of(app).db
    (b,) = _registered(db, "b")
    activation.activate(db, b, actor="ann", reason="b is better", fits=FITS)
    before = registry.events(db)
    with pytest.raises(activation.AlreadyActive, match="already the active one"):
        activation.activate(db, b, actor="ann", reason="b again", fits=FITS)
    assert registry.events(db) == before
    assert activation.rollback(db, actor="ann", reason="undo b", fits=FITS) == (DEFAULT_VERSION, b)


def test_the_api_answers_409_for_the_active_version(client: Any, app: Flask) -> None:
    db = services_of(app).db
    _registered(db)
    analyst = create_key(app, "bank-a", "analyst")
    before = registry.events(db)
    response = client.post(f"/v1/models/{DEFAULT_VERSION}/activate",
                           json={"reason": "once more", "replacing": DEFAULT_VERSION},
                           headers=bearer(analyst))
    assert response.status_code == 409, response.json
    assert {"code": 409, "status": "Conflict"}.items() <= response.json.items()
    assert "already the active one" in response.json["message"]
    assert registry.events(db) == before
    spec = client.get("/openapi.json").json
    assert "409" in spec["paths"]["/v1/models/{version}/activate"]["post"]["responses"]


# 2. rollbacks undo promotions as a stack


def test_rollbacks_walk_back_through_the_promotions(app: Flask) -> None:
    db = services_of(app).db
    b, c, d = _registered(db, "b", "c", "d")
    for version in (b, c):
        activation.activate(db, version, actor="ann", reason=f"promote {version}", fits=FITS)
    assert activation.rollback(db, actor="bob", reason="c misgrades", fits=FITS) == (b, c)
    assert registry.active_version(db) == b
    assert activation.rollback(db, actor="bob", reason="b misgrades too", fits=FITS) == (DEFAULT_VERSION, b)
    assert registry.active_version(db) == DEFAULT_VERSION
    with pytest.raises(activation.NothingToRollBack, match="nothing to roll back to"):
        activation.rollback(db, actor="bob", reason="and again", fits=FITS)
    # a promotion after rollbacks is undone first, then the walk back continues where it was
    activation.activate(db, d, actor="ann", reason=f"promote {d}", fits=FITS)
    assert activation.rollback(db, actor="bob", reason="d misgrades", fits=FITS) == (DEFAULT_VERSION, d)
    trail = [(e.action, e.version, e.previous_version, e.reason) for e in _activations(db)]
    assert trail == [  # append-only: every rollback is an event of its own, with its reason
        ("promote", DEFAULT_VERSION, None, "first active model"),
        ("promote", b, DEFAULT_VERSION, f"promote {b}{UNGATED}"),
        ("promote", c, b, f"promote {c}{UNGATED}"),
        ("rollback", b, c, "c misgrades"),
        ("rollback", DEFAULT_VERSION, b, "b misgrades too"),
        ("promote", d, DEFAULT_VERSION, f"promote {d}{UNGATED}"),
        ("rollback", DEFAULT_VERSION, d, "d misgrades"),
    ]


def test_a_no_op_promotion_recorded_by_an_earlier_release_does_not_block_rollback(
    make_backend_app: AppFactory,
) -> None:
    db = services_of(make_backend_app()).db
    (b,) = _registered(db, "b")
    activation.activate(db, b, actor="ann", reason="promote b", fits=FITS)
    # read before the transaction: a second connection inside it waits for ever on PostgreSQL's pool of one
    at = _activations(db)[-1].at
    with db.begin() as conn:  # what the old code wrote for `promote <active>`
        conn.execute(insert(model_events).values(version=b, action="promote", previous_version=b,
                                                 reason="again", actor="ann", at=at))
    assert activation.rollback(db, actor="bob", reason="undo b", fits=FITS) == (DEFAULT_VERSION, b)


# 3. concurrent promotions keep the audit trail true


def _promote_many(url: str, versions: list[str], start: Any, count: int) -> None:
    db = create_db_engine(load_settings({"DATABASE_URL": url}, environ={}))
    start.wait()
    for i in range(count):
        try:
            activation.activate(db, versions[i % len(versions)], actor="racer", reason="race test", fits=FITS)
        except activation.AlreadyActive:
            pass  # another process made it active first: refusing is correct
    db.dispose()


def _race(url: str, db: Engine) -> None:
    versions = _registered(db, "r1", "r2", "r3", "r4")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(3)
    racers = [context.Process(target=_promote_many, args=(url, versions[k:] + versions[:k], start, 30))
              for k in range(3)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=120)
        assert racer.exitcode == 0
    trail = _activations(db)
    assert len(trail) > 30
    wrong = [(e.id, e.previous_version, before.version) for before, e in zip(trail, trail[1:], strict=False)
             if e.previous_version != before.version]
    assert wrong == []  # each event names the version it really replaced
    assert trail[-1].version == registry.active_version(db)


def test_concurrent_promotions_on_sqlite_keep_the_trail_true(app: Flask) -> None:
    db = services_of(app).db
    _race(str(db.url), db)


def test_concurrent_promotions_on_postgres_keep_the_trail_true(postgres_url: str) -> None:
    db = create_db_engine(load_settings({"DATABASE_URL": postgres_url}, environ={}))
    migrate.upgrade(db)
    try:
        _race(postgres_url, db)
        last, before_last = _activations(db)[-1], _activations(db)[-2]
        assert activation.rollback(db, actor="bob", reason="after the race", fits=FITS) == (
            before_last.version, last.version)
    finally:
        db.dispose()


# 5. a version that does not fit the running standard is never made active


def test_a_version_for_another_standard_is_not_activated(app: Flask) -> None:
    db = services_of(app).db
    _registered(db)
    old = _other_standard(db)
    before = registry.events(db)
    with pytest.raises(activation.ModelDoesNotFit, match="trained for standard 'greenrate-sme-0.9'"):
        activation.activate(db, old, actor="ann", reason="the old one", fits=FITS)
    assert registry.active_version(db) == DEFAULT_VERSION and registry.events(db) == before


def test_the_api_answers_422_for_a_version_that_does_not_fit(client: Any, app: Flask) -> None:
    db = services_of(app).db
    _registered(db)
    old = _other_standard(db)
    analyst = create_key(app, "bank-a", "analyst")
    response = client.post(f"/v1/models/{old}/activate",
                           json={"reason": "the old one", "replacing": DEFAULT_VERSION},
                           headers=bearer(analyst))
    assert response.status_code == 422, response.json
    assert "greenrate-sme-0.9" in response.json["message"] and response.json["errors"]["_schema"]
    assert registry.active_version(db) == DEFAULT_VERSION
    missing = client.post("/v1/models/sc-000000000000/activate",
                          json={"reason": "no such one", "replacing": DEFAULT_VERSION},
                          headers=bearer(analyst))
    assert missing.status_code == 404 and "not registered" in missing.json["message"]


# 9. one rule for the reason, whatever the entry point


@pytest.mark.parametrize("reason", ["", ".", "  ab  ", "a\x00bc", "x  y", "...", "a - b"])
def test_the_registry_refuses_reasons_the_api_refuses(app: Flask, reason: str) -> None:
    db = services_of(app).db
    (b,) = _registered(db, "b")
    with pytest.raises(activation.ReasonRefused, match="reason refused"):
        activation.activate(db, b, actor="ann", reason=reason, fits=FITS)
    activation.activate(db, b, actor="ann", reason="b is better", fits=FITS)
    with pytest.raises(activation.ReasonRefused):
        activation.rollback(db, actor="ann", reason=reason, fits=FITS)
    assert registry.active_version(db) == b


@pytest.mark.parametrize("reason", ["CR-1", "模型更新", "a b c"])
def test_a_short_reason_with_three_letters_or_digits_is_a_reason(app: Flask, reason: str) -> None:
    db = services_of(app).db
    (b,) = _registered(db, "b")
    activation.activate(db, b, actor="ann", reason=reason, fits=FITS)
    assert registry.events(db)[-1].reason == reason + UNGATED


# 10. a promotion replaces the champion it was compared with, or nothing


def test_a_promotion_replacing_a_champion_that_is_gone_changes_nothing(app: Flask) -> None:
    """Two analysts compared their challengers with the same champion: the second promotion is refused."""
    db = services_of(app).db
    b, c = _registered(db, "b", "c")
    replaced = activation.activate(db, b, actor="ann", reason="b beats", fits=FITS, replacing=DEFAULT_VERSION)
    assert replaced == DEFAULT_VERSION
    before = registry.events(db)
    with pytest.raises(activation.ActiveChanged, match=f"the active model is '{b}', not '{DEFAULT_VERSION}'"):
        activation.activate(db, c, actor="bob", reason="c beats it", fits=FITS, replacing=DEFAULT_VERSION)
    assert registry.active_version(db) == b and registry.events(db) == before
    # two rollbacks of the same incident: the second would walk back one promotion too far
    undone = activation.rollback(db, actor="ann", reason="b misgrades", fits=FITS, undoing=b)
    assert undone == (DEFAULT_VERSION, b)
    with pytest.raises(activation.ActiveChanged):
        activation.rollback(db, actor="bob", reason="b misgrades", fits=FITS, undoing=b)
    assert registry.active_version(db) == DEFAULT_VERSION


def test_the_api_answers_409_when_the_compared_champion_is_no_longer_active(client: Any, app: Flask) -> None:
    db = services_of(app).db
    b, c = _registered(db, "b", "c")
    record_comparison(db, b, DEFAULT_VERSION)
    record_comparison(db, c, DEFAULT_VERSION)
    analyst = create_key(app, "bank-a", "analyst")
    url = "/v1/models/{}/activate"
    first = client.post(url.format(b), json={"reason": "CR-7 b", "replacing": DEFAULT_VERSION},
                        headers=bearer(analyst))
    assert first.status_code == 200 and first.json["previous_version"] == DEFAULT_VERSION
    late = client.post(url.format(c), json={"reason": "CR-8 c", "replacing": DEFAULT_VERSION},
                       headers=bearer(analyst))
    assert late.status_code == 409 and "nothing was changed" in late.json["message"]
    assert registry.active_version(db) == b
    spec = client.get("/openapi.json").json
    body = spec["components"]["schemas"]["ActivateRequest"]["properties"]
    assert "replacing" in body


def test_readyz_reports_the_model_the_next_rating_uses(make_app: AppFactory) -> None:
    """/readyz names the versions a rating would use now: it takes the registry's look a /v1 request takes
    (it had named the previous model until some /v1 request came by; operator review)."""
    app = make_app(MODEL_POLL_SECONDS=0)
    db = services_of(app).db
    (challenger,) = _registered(db, "ready")
    client = app.test_client()
    assert client.get("/readyz").get_json()["versions"]["model"] == DEFAULT_VERSION
    activation.activate(db, challenger, actor="ann", reason="promote the challenger", fits=FITS)
    assert client.get("/readyz").get_json()["versions"]["model"] == challenger


def _metric(champion: float, challenger: float, low: float, high: float) -> dict[str, float]:
    return {"champion": champion, "challenger": challenger, "delta": challenger - champion,
            "ci_low": low, "ci_high": high}


def test_a_model_its_recorded_comparison_shows_worse_needs_a_justification(make_app: AppFactory) -> None:
    """A model-risk review trained a model on random labels (holdout AUC 0.50 against the champion's 0.70),
    recorded the comparison that said so, and promoted it with the reason "CR-2 ok"."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    (worse, noisy) = _registered(db, "random-labels", "noisy")
    record_comparison(db, worse, DEFAULT_VERSION, metrics={
        "auc": _metric(0.6972, 0.5858, -0.1298, -0.0940), "brier": _metric(0.20, 0.24, 0.03, 0.05),
        "ks": _metric(0.31, 0.30, -0.03, 0.01),  # inside its interval: not a loss
    })
    with pytest.raises(activation.ComparisonFailed, match=r"auc 0.6972 -> 0.5858 .*; brier") as refused:
        activation.activate(db, worse, actor="bob", reason="CR-2 ok", fits=FITS, replacing=DEFAULT_VERSION)
    assert "ks" not in str(refused.value) and registry.active_version(db) == DEFAULT_VERSION
    analyst = create_key(app, "bank-a", "analyst")
    answer = app.test_client().post(f"/v1/models/{worse}/activate", headers=bearer(analyst),
                                    json={"reason": "CR-2 ok", "replacing": DEFAULT_VERSION})
    assert answer.status_code == 409 and "shows it worse" in answer.json["message"]
    answer = app.test_client().post(
        f"/v1/models/{worse}/activate", headers=bearer(analyst),
        json={"reason": "CR-2 ok", "replacing": DEFAULT_VERSION,
              "accept_worse": "regulator-mandated fallback for the Q3 audit, ticket RISK-88"})
    assert answer.status_code == 200
    promoted = _activations(db)[-1]
    assert "worse on auc" in promoted.reason and "accepted because: regulator-mandated" in promoted.reason
    # a delta whose interval straddles 0 is noise, not a loss: promoted on its reason alone
    record_comparison(db, noisy, worse, metrics={"auc": _metric(0.58, 0.57, -0.02, 0.01)})
    activation.activate(db, noisy, actor="bob", reason="noise only", fits=FITS, replacing=worse)
    assert registry.active_version(db) == noisy


def test_a_justification_nothing_needed_is_kept_in_the_audit_event_saying_so(make_app: AppFactory) -> None:
    """``accept_worse`` sent with a promotion whose comparisons show nothing to justify was dropped from
    the audit event unsaid: the promoter believed the model worse on something, which the auditor should
    read beside the numbers that did not show it (bank integration review)."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    (better,) = _registered(db, "no-loss")
    record_comparison(db, better, DEFAULT_VERSION, metrics={"auc": _metric(0.58, 0.57, -0.02, 0.01)})
    analyst = create_key(app, "bank-a", "analyst")
    answer = app.test_client().post(
        f"/v1/models/{better}/activate", headers=bearer(analyst),
        json={"reason": "CR-4 ok", "replacing": DEFAULT_VERSION,
              "accept_worse": "Brier loss accepted, RISK-90"})
    assert answer.status_code == 200, answer.json
    reason = _activations(db)[-1].reason
    assert reason.startswith("CR-4 ok [comparison #")
    assert "nothing needed justifying, accept_worse given anyway: Brier loss accepted, RISK-90" in reason
    assert "accepted because" not in reason


def _activate(client: Any, key: str, version: str, **body: str) -> Any:
    return client.post(f"/v1/models/{version}/activate", headers=bearer(key),
                       json={"reason": "CR-11 approved", "replacing": DEFAULT_VERSION, **body})


def test_a_promotion_reads_every_recorded_comparison_of_the_pair(make_app: AppFactory) -> None:
    """A model-risk review: comparison #10 on the full 5,000-row holdout showed the challenger worse on Brier
    (its interval excluding 0) and the promotion answered 409; the maker recorded #11 on a 1,000-row slice of
    the same holdout, the promotion passed, the audit trail named only #11, and nothing listed the two."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    (sliced,) = _registered(db, "sliced")
    record_comparison(db, sliced, DEFAULT_VERSION, rows=5000,
                      metrics={"brier": _metric(0.1800, 0.1860, 0.0041, 0.0079)})
    record_comparison(db, sliced, DEFAULT_VERSION, rows=1000, file="holdout-slice.parquet",
                      metrics={"brier": _metric(0.1800, 0.1830, -0.0010, 0.0070)})
    checker, bank = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "bank")
    refused = _activate(client, checker, sliced)
    assert refused.status_code == 409, refused.json
    assert "comparison #1 shows it worse on brier 0.1800 -> 0.1860" in refused.json["message"]
    assert registry.active_version(db) == DEFAULT_VERSION
    # the approver reads them all, from either model's side
    listed = client.get(f"/v1/models/{sliced}/comparisons", headers=bearer(checker))
    assert listed.status_code == 200, listed.json
    items = listed.json["items"]
    assert [(c["id"], c["challenger"], c["champion"], c["counted"]) for c in items] == [
        (1, sliced, DEFAULT_VERSION, True), (2, sliced, DEFAULT_VERSION, True)]
    assert items[0]["needs_justification"][0].startswith("shows it worse on brier 0.1800 -> 0.1860")
    assert items[1]["needs_justification"] == [] and items[1]["not_counted"] is None
    assert items[1]["data"]["file"] == "holdout-slice.parquet" and items[1]["summary"]["rows"] == 1000
    assert items[0]["recorded_by"] == "bank-a/ann" and items[0]["at"].endswith("Z")
    champion_side = client.get(f"/v1/models/{DEFAULT_VERSION}/comparisons", headers=bearer(checker)).json
    assert [c["id"] for c in champion_side["items"]] == [1, 2]
    assert client.get(f"/v1/models/{sliced}/comparisons", headers=bearer(bank)).status_code == 403
    assert client.get("/v1/models/sc-000000000000/comparisons", headers=bearer(checker)).status_code == 404
    operation = client.get("/openapi.json").json["paths"]["/v1/models/{version}/comparisons"]["get"]
    assert operation["operationId"] == "list_model_comparisons"
    # a justification promotes it, and the trail names every comparison the promotion read
    accepted = _activate(client, checker, sliced, accept_worse="RISK-12: Brier +0.006 accepted for coverage")
    assert accepted.status_code == 200, accepted.json
    reason = _activations(db)[-1].reason
    assert "comparison #1: 5000 rows of holdout.parquet" in reason
    assert "comparison #2: 1000 rows of holdout-slice.parquet" in reason
    assert "comparison #1 shows it worse on brier" in reason and "accepted because: RISK-12" in reason


def test_a_model_that_moves_the_score_scale_needs_a_justification(make_app: AppFactory) -> None:
    """A review's hand-made artifact kept every probability (AUC, Gini, KS and Brier deltas 0) while adding
    30 points to every score: the same comparison printed a score PSI of 6.86 and 47.7 % of the businesses
    moved up a grade, and it was promoted without any justification."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    shifted, migrating, steady = _registered(db, "shifted", "migrating", "steady")
    same = {"auc": _metric(0.70, 0.70, -0.002, 0.002), "brier": _metric(0.18, 0.18, -0.001, 0.001)}
    record_comparison(db, shifted, DEFAULT_VERSION, metrics=same, psi=6.86, moved_share=0.477,
                      upgrades=2385, downgrades=0)
    record_comparison(db, migrating, DEFAULT_VERSION, metrics=same, psi=0.20, moved_share=0.21)
    checker = create_key(app, "bank-a", "analyst")
    refused = _activate(client, checker, shifted)
    assert refused.status_code == 409, refused.json
    message = refused.json["message"]
    assert f"score PSI 6.8600 (above {activation.SCORE_SHIFT_PSI}: a shift of the score scale)" in message
    assert "grade migration 47.7% of the businesses changed grade (2385 up, 0 down; above 20%)" in message
    assert "shows it worse" not in message  # the metrics are not what it is refused on
    with pytest.raises(activation.ComparisonFailed, match=r"grade migration 21.0%") as one:
        activation.activate(db, migrating, actor="bob", reason="CR-12", fits=FITS, replacing=DEFAULT_VERSION)
    assert "score PSI" not in str(one.value)  # 0.20 reads "watch", not a shift
    # the thresholds the contract publishes are the gate's
    schema = client.get("/openapi.json").json["components"]["schemas"]["ActivateRequest"]
    described = schema["properties"]["accept_worse"]["description"]
    assert f"score PSI above {activation.SCORE_SHIFT_PSI}" in described
    share = f"{activation.GRADE_MIGRATION_SHARE:.0%}".replace("%", " %")
    assert f"more than {share} of the businesses" in described
    accepted = _activate(client, checker, shifted, accept_worse="RISK-13: rescaled on purpose, see memo 7")
    assert accepted.status_code == 200, accepted.json
    reason = _activations(db)[-1].reason
    assert "shows it moving score PSI 6.8600" in reason and "accepted because: RISK-13" in reason
    # below both thresholds a promotion rests on its reason alone
    record_comparison(db, steady, shifted, psi=0.24, moved_share=0.19)
    activation.activate(db, steady, actor="bob", reason="CR-14", fits=FITS, replacing=shifted)
    assert registry.active_version(db) == steady


def _as_an_earlier_release_recorded(db: Engine, challenger: str, data: dict[str, Any]) -> None:
    """A comparison stored without this release's checks (an earlier release's record)."""
    import json

    with db.begin() as conn:
        conn.execute(insert(model_comparisons).values(
            challenger=challenger, champion=DEFAULT_VERSION, data_json=json.dumps(data),
            summary_json=json.dumps(compared_summary()), recorded_by="cli/ann",
            at=datetime.now(UTC)))


def test_a_comparison_under_another_standard_is_no_evidence(make_app: AppFactory) -> None:
    """A comparison recorded with `--standard greenrate-sme-1.8.yaml` (greenrate-sme@1.8.0) was accepted for
    a promotion under 1.9.0; so would one under an edited copy of 1.9.0, which keeps its label."""
    from rating_model.standard import load_standard, published_standard_path

    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    (b,) = _registered(db, "old-evidence")
    older_path = published_standard_path("greenrate-sme@1.8.0")
    assert older_path is not None
    older = load_standard(older_path)
    under_older = {**compared_data(), "standard": older.label, "standard_sha256": older.sha256,
                   "challenger_standard": older.label, "challenger_standard_sha256": older.sha256}
    edited = {**compared_data(), "challenger_standard_sha256": "e" * 64}
    challenger, champion = registry.load_artifact(db, b), registry.load_artifact(db, DEFAULT_VERSION)
    assert challenger is not None and champion is not None
    for data, why in ((under_older, "the champion was judged under 'greenrate-sme@1.8.0'"),
                      (edited, rf"the challenger was judged under '{re.escape(load_standard().label)}' "
                               r"\(sha256 e{12}…")):
        with pytest.raises(comparisons.OtherStandard, match=why):
            comparisons.record(db, challenger, champion, data=data, summary=compared_summary(), actor="ann")
        _as_an_earlier_release_recorded(db, b, data)
    with pytest.raises(activation.NoComparison, match=r"recorded that counts \(comparison #1 not counted: "
                       r"the champion was judged under 'greenrate-sme@1.8.0'.*; comparison #2 not counted"):
        activation.activate(db, b, actor="bob", reason="CR-15", fits=FITS, replacing=DEFAULT_VERSION,
                            require_comparison=True)
    checker = create_key(app, "bank-a", "analyst")
    listed = client.get(f"/v1/models/{b}/comparisons", headers=bearer(checker)).json["items"]
    assert [c["counted"] for c in listed] == [False, False]
    assert "greenrate-sme@1.8.0" in listed[0]["not_counted"]
    record_comparison(db, b, DEFAULT_VERSION)  # under this release's standard, as published
    activation.activate(db, b, actor="bob", reason="CR-15", fits=FITS, replacing=DEFAULT_VERSION,
                        require_comparison=True)
    assert "comparison #1 not counted" in _activations(db)[-1].reason  # named, though not counted


def test_a_challenger_without_a_training_fingerprint_is_no_evidence(make_app: AppFactory) -> None:
    """A review deleted `metadata.row_sketch` and `data_sha256` from an artifact, re-hashed it, and compared
    it on its own training file: nothing could tell, and the comparison was recorded as clean evidence."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    doc = variant_document("no-fingerprint")
    del doc["metadata"]["row_sketch"], doc["metadata"]["data_sha256"]
    blind = ScorecardArtifact.from_dict(rehash(doc))
    registry.register(db, blind, source="cli", actor="t", reason="test variant")
    with pytest.raises(comparisons.Unverifiable, match=r"carries no fingerprint of its training rows "
                       r"\(metadata.data_sha256 and metadata.row_sketch missing\)"):
        record_comparison(db, blind.version, DEFAULT_VERSION)
    assert not comparisons.of_pair(db, blind.version, DEFAULT_VERSION)
    _as_an_earlier_release_recorded(db, blind.version, compared_data())
    with pytest.raises(activation.NoComparison,
                       match="comparison #1 not counted: the challenger .* carries no"):
        activation.activate(db, blind.version, actor="bob", reason="CR-16", fits=FITS,
                            replacing=DEFAULT_VERSION, require_comparison=True)
    assert registry.active_version(db) == DEFAULT_VERSION


@pytest.mark.parametrize(("part", "value", "named"), [
    ("row_sketch", [], "metadata.row_sketch"),
    ("rows", 0, "metadata.row_sketch and metadata.rows"),
    ("row_sketch", ["not a hash"], "metadata.row_sketch"),
    ("data_sha256", "0", "metadata.data_sha256"),
])
def test_a_fingerprint_that_could_never_match_is_no_fingerprint(
    make_app: AppFactory, part: str, value: object, named: str
) -> None:
    """A security review kept the fingerprint's fields but emptied them (``row_sketch: []``, or ``rows: 0``
    beside a real sketch): the share of the model's own training rows it finds is then 0 on its very
    training file, and such a challenger was counted as fingerprinted."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    doc = variant_document(f"hollow-{part}-{named}")
    doc["metadata"][part] = value
    hollow = ScorecardArtifact.from_dict(rehash(doc))
    registry.register(db, hollow, source="cli", actor="t", reason="test variant")
    with pytest.raises(comparisons.Unverifiable, match=rf"\({named} missing\)"):
        record_comparison(db, hollow.version, DEFAULT_VERSION)


def test_a_model_trained_on_an_edited_copy_of_the_standard_is_refused(make_app: AppFactory) -> None:
    """A model trained with `--standard` pointing at a hand-edited 1.9 YAML (same label, another
    standard_sha256 than the published file's) was uploaded and promoted."""
    import copy

    from rating_model.standard import load_standard, parse_standard

    document = copy.deepcopy(dict(load_standard().document))
    document["grades"]["cutoffs"][1]["min_score"] -= 5  # green is easier to reach in the copy
    edited = parse_standard(document)
    doc = default_document()
    doc["metadata"]["standard_sha256"] = edited.sha256
    doc["version"] = "bank-edited"
    doc["sha256"] = content_sha256(doc)
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    analyst = create_key(app, "bank-a", "analyst")
    uploaded = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert uploaded.status_code == 422, uploaded.json
    assert (f"trained on a standard document with sha256 {edited.sha256[:12]}…, not on greenrate-sme@1.10.0 "
            "as published") in uploaded.json["message"]
    # one registered before this check (by an earlier release) is not promoted either
    registry.register(db, ScorecardArtifact.from_dict(doc), source="upload", actor="t", reason="earlier")
    refused = _activate(client, analyst, "bank-edited")
    assert refused.status_code == 422 and "as published" in refused.json["message"]
    assert registry.active_version(db) == DEFAULT_VERSION
