"""The model registry's listings are paged.

A DBA's scale review: ``GET /v1/model-events`` (the audit trail) and ``GET /v1/models/{version}/comparisons``
returned every row ever recorded, and ``GET /v1/models`` read every recorded comparison to build its list;
both tables only grow, with every registration, promotion, rollback and comparison.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert, select

from schemas.fields import Cursor
from schemas.models import MAX_REGISTRY_PAGE
from service.records import registry
from service.records.clock import database_time
from service.records.model_tables import model_comparisons
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.model_fixtures import compared_data, compared_summary
from tests.service.test_model_registry import DEFAULT_VERSION
from tests.service.test_model_registry_activation import _registered


def _recorded(db: Engine, challenger: str, champion: str, auc: float, *, days_ago: float = 0,
              **data: Any) -> None:
    """A comparison as an earlier release kept it (no content checks), ``days_ago`` on the database's
    clock."""
    metric = {"champion": 0.70, "challenger": auc, "delta": auc - 0.70, "ci_low": -0.01, "ci_high": 0.01}
    with db.begin() as conn:
        conn.execute(insert(model_comparisons).values(
            challenger=challenger, champion=champion, data_json=json.dumps({**compared_data(), **data}),
            summary_json=json.dumps(compared_summary(metrics={"auc": metric})), recorded_by="cli/ann",
            at=database_time(conn) - timedelta(days=days_ago)))


def _pages(
    client: FlaskClient, path: str, key: str, limit: int, **also: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """Follow ``next_cursor`` from the first page (``also``: further query arguments): the ids listed, and
    each page's body."""
    ids: list[int] = []
    bodies: list[dict[str, Any]] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"limit": limit, **also, **({"cursor": cursor} if cursor else {})}
        answer = client.get(path, query_string=query, headers=bearer(key))
        assert answer.status_code == 200, answer.json
        bodies.append(answer.json)
        assert answer.json["limit"] == limit and len(answer.json["items"]) <= limit
        ids += [item["id"] for item in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return ids, bodies
        assert len(bodies) < 50, "the pages never end"


@pytest.fixture
def registry_app(make_app: AppFactory) -> tuple[FlaskClient, Engine, str, list[str]]:
    app = make_app()
    db = services_of(app).db
    versions = _registered(db, "b", "c", "d")
    return app.test_client(), db, create_key(app, "bank-a", "analyst"), versions


def test_the_audit_trail_is_paged_oldest_first(
    registry_app: tuple[FlaskClient, Engine, str, list[str]],
) -> None:
    """``limit`` and ``cursor`` as ``GET /v1/ratings`` takes them; oldest first, as the trail always read
    (clients take the last item for the latest event), and a client that does not page gets it all."""
    client, db, analyst, (b, _c, _d) = registry_app
    trail = [e.id for e in registry.events(db)]
    assert len(trail) == 5  # the default registered and promoted, three variants registered
    ids, bodies = _pages(client, "/v1/model-events", analyst, 2)
    assert ids == trail and len(bodies) == 3 and bodies[-1]["next_cursor"] is None
    whole = client.get("/v1/model-events", headers=bearer(analyst)).json
    assert [e["id"] for e in whole["items"]] == trail
    assert whole["limit"] == MAX_REGISTRY_PAGE and whole["next_cursor"] is None
    ids, _ = _pages(client, "/v1/model-events", analyst, 1, version=b)
    assert ids == [e.id for e in registry.events(db, b)] and len(ids) == 1
    for bad in ("limit=0", f"limit={MAX_REGISTRY_PAGE + 1}", "cursor=nope", "limt=2"):
        refused = client.get(f"/v1/model-events?{bad}", headers=bearer(analyst))
        assert refused.status_code == 422 and set(refused.json) >= {"code", "message", "errors"}, bad
    beyond = Cursor.encode(2**62)  # past the id column's range: an empty last page, not a 500
    past = client.get(f"/v1/model-events?cursor={beyond}", headers=bearer(analyst)).json
    assert past["items"] == [] and past["next_cursor"] is None


def test_a_versions_comparisons_are_paged_oldest_first(
    registry_app: tuple[FlaskClient, Engine, str, list[str]],
) -> None:
    """Either role, each comparison once (one of a version against itself too), oldest first."""
    client, db, analyst, (b, c, _d) = registry_app
    for challenger, champion in [(b, DEFAULT_VERSION), (c, DEFAULT_VERSION), (c, b), (b, b), (b, c)] * 2:
        _recorded(db, challenger, champion, 0.71)
    with db.connect() as conn:
        of_b = list(conn.execute(select(model_comparisons.c.id).where(
            (model_comparisons.c.challenger == b) | (model_comparisons.c.champion == b))
            .order_by(model_comparisons.c.id)).scalars())
    assert len(of_b) == 8
    path = f"/v1/models/{b}/comparisons"
    for limit in (1, 3, 8):
        ids, bodies = _pages(client, path, analyst, limit)
        assert ids == of_b and len(bodies) == -(-8 // limit)  # no empty last page
    whole = client.get(path, headers=bearer(analyst)).json
    assert [item["id"] for item in whole["items"]] == of_b
    assert whole["limit"] == MAX_REGISTRY_PAGE and whole["next_cursor"] is None
    assert [item["counted"] for item in whole["items"]] == [True, False, False, False] * 2
    for bad in ("limit=0", f"limit={MAX_REGISTRY_PAGE + 1}", "cursor=nope", "colour=red"):
        assert client.get(f"{path}?{bad}", headers=bearer(analyst)).status_code == 422, bad
    beyond = Cursor.encode(2**62)
    assert client.get(f"{path}?cursor={beyond}", headers=bearer(analyst)).json["items"] == []
    assert client.get("/v1/models/sc-000000000000/comparisons?limit=1",
                      headers=bearer(analyst)).status_code == 404


def test_the_listings_document_their_pages(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    for path in ("/v1/model-events", "/v1/models/{version}/comparisons"):
        operation = spec["paths"][path]["get"]
        query = {p["name"]: p for p in operation["parameters"] if p.get("in") == "query"}
        assert query["limit"]["schema"]["maximum"] == MAX_REGISTRY_PAGE, path
        assert query["limit"]["schema"]["default"] == MAX_REGISTRY_PAGE, path
        assert "next_cursor" in query["cursor"]["description"], path
        assert "oldest first" in operation["description"] and "next_cursor" in operation["description"]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        name = body["$ref"].rsplit("/", 1)[-1]
        assert set(spec["components"]["schemas"][name]["required"]) == {"items", "limit", "next_cursor"}
