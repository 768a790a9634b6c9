"""Knock-out overrides are judged where a model is judged: the promotion gate and its comparisons listing.

A model-risk validator's review: `greenrate model compare` counted how often each model's score grade is
overridden by the standard's knock-outs, but the promotion gate never read it, so a challenger whose scores
lifted penalised businesses above their cap (grades no business receives) was promoted on metrics and a
migration that are the score's.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from rating_model.artifact import ScorecardArtifact
from service.models import register_packaged_default
from service.records import activation, registry
from tests.conftest import bearer, create_key, services_of
from tests.service.model_fixtures import compared_data, compared_summary, variant_document
from tests.service.test_model_registry import DEFAULT_VERSION


def _overrides(champion: float, challenger: float, rows: int = 5000) -> dict[str, Any]:
    def side(share: float) -> dict[str, Any]:
        n = round(share * rows)
        return {"rows": rows, "overridden": n, "share": share,
                "knock_outs": [{"id": "environmental_penalties", "cap_grade": "not_green", "applies": n,
                                "overrides": n, "share": share}]}

    return {"champion": side(champion), "challenger": side(challenger)}


def _recorded(db: Any, tag: str, champion_share: float, challenger_share: float) -> str:
    from service.records import comparisons

    artifact = ScorecardArtifact.from_dict(variant_document(tag))
    registry.register(db, artifact, source="cli", actor="cli/ann", reason="t")
    champion = registry.load_artifact(db, DEFAULT_VERSION)
    assert champion is not None
    summary = {**compared_summary(), "overrides": _overrides(champion_share, challenger_share)}
    comparisons.record(db, artifact, champion, data=compared_data(), summary=summary, actor="cli/ann")
    return artifact.version


def test_a_challenger_overridden_more_often_needs_a_justification(app: Flask) -> None:
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    checker = create_key(app, "bank-a", "analyst")
    lifted = _recorded(db, "lifts capped businesses", 0.02, 0.09)
    body = {"reason": "CR-21 better KS", "replacing": DEFAULT_VERSION}
    refused = client.post(f"/v1/models/{lifted}/activate", json=body, headers=bearer(checker))
    assert refused.status_code == 409, refused.json
    assert "knock-outs override its score grade on 9.0% of the businesses (450 of 5000) against 2.0%" in (
        refused.json["message"])
    assert registry.active_version(db) == DEFAULT_VERSION
    listed = client.get(f"/v1/models/{lifted}/comparisons", headers=bearer(checker)).json["items"]
    assert any("knock-outs override" in finding for finding in listed[0]["needs_justification"])
    accepted = client.post(f"/v1/models/{lifted}/activate", headers=bearer(checker),
                           json={**body, "accept_worse": "RISK-22: penalties data fixed upstream, memo 9"})
    assert accepted.status_code == 200, accepted.json
    audited = registry.events(db)[-1].reason
    assert "knock-outs override its score grade" in audited and "accepted because: RISK-22" in audited


def test_an_override_rate_within_the_limit_needs_nothing(app: Flask) -> None:
    db = services_of(app).db
    register_packaged_default(db)
    steady = _recorded(db, "steady overrides", 0.02, 0.02 + activation.OVERRIDE_RISE)
    activation.promote(db, steady, actor="cli/bob", reason="CR-23 steady", fits=lambda a: None,
                       replacing=DEFAULT_VERSION, require_comparison=True)
    assert registry.active_version(db) == steady
