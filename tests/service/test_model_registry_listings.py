"""The model registry's listings are paged, and ``GET /v1/models`` reads only the comparisons it shows.

A DBA's scale review: ``GET /v1/model-events`` (the audit trail) and ``GET /v1/models/{version}/comparisons``
returned every row ever recorded, and ``GET /v1/models`` read every recorded comparison to build its list;
both tables only grow, with every registration, promotion, rollback and comparison.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert, select

from schemas.fields import Cursor
from schemas.models import MAX_REGISTRY_PAGE
from service.records import activation, comparisons, registry
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


def _everything_read(db: Engine, valid_days: int = 30) -> dict[str, dict[str, Any]]:
    """``measured`` as it was computed before: every recorded comparison judged, oldest first, a newer one
    replacing one as counted as itself (the oracle the bounded reading must agree with)."""
    gate = activation._Gate(db, valid_days)
    with db.connect() as conn:
        rows = conn.execute(select(model_comparisons).order_by(model_comparisons.c.id)).all()
    out: dict[str, dict[str, Any]] = {}
    for found in map(comparisons._comparison, rows):
        why = gate.not_counted(found)
        for role, version, against in (("challenger", found.challenger, found.champion),
                                       ("champion", found.champion, found.challenger)):
            if why is not None and version in out and out[version]["counted"]:
                continue
            metrics = dict(found.summary.get("metrics") or {})
            out[version] = {
                "comparison": found.id, "role": role, "against": against,
                "rows": int(found.summary.get("rows", 0)), "file": found.data.get("file"),
                "file_sha256": found.data.get("file_sha256"),
                "metrics": {name: m.get(role) for name, m in metrics.items() if isinstance(m, Mapping)},
                "at": found.at, "counted": why is None, "not_counted": why,
            }
    return out


def test_the_model_list_reads_only_the_comparisons_it_shows(
    registry_app: tuple[FlaskClient, Engine, str, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each version's newest comparison, and the ones against the active model the gate may still count:
    the rows read stay the same whether 12 or 60 comparisons were recorded, and what is shown is what reading
    them all showed (the newest one the gate counts, else the newest with why not)."""
    client, db, analyst, (b, c, d) = registry_app
    read: list[int] = []
    real = comparisons._comparison

    def counting(row: Any) -> comparisons.Comparison:
        read.append(row.id)
        return real(row)

    monkeypatch.setattr(comparisons, "_comparison", counting)
    # b: counted, then one on its training file (not counted): the older one is shown, and the default's
    # too; c: only one past the validity period; d: only against c, not the active model
    _recorded(db, b, DEFAULT_VERSION, 0.72)
    _recorded(db, b, DEFAULT_VERSION, 0.95, trained_on_it=[b])
    _recorded(db, c, DEFAULT_VERSION, 0.73, days_ago=40)
    client.get("/v1/models", headers=bearer(analyst))  # an app's first request makes reads of its own
    cost: dict[int, int] = {}
    for total in (12, 60):
        # comparisons of versions that are not the active model, the table's bulk: never read again
        while len(list(_all_ids(db))) < total:
            _recorded(db, d, c, 0.74)
            _recorded(db, c, d, 0.75, days_ago=50)
        del read[:]
        listed = client.get("/v1/models", headers=bearer(analyst)).json["items"]
        cost[total] = len(read)
        assert {r["version"]: r["measured"] for r in listed} == {
            v: _json_measured(m) for v, m in _everything_read(db).items()
        } | {v: None for v in {r["version"] for r in listed} - set(_everything_read(db))}
        shown = {r["version"]: r["measured"] for r in listed}
        assert (shown[b]["comparison"], shown[b]["counted"]) == (1, True)
        assert (shown[DEFAULT_VERSION]["comparison"], shown[DEFAULT_VERSION]["counted"]) == (1, True)
        assert shown[c]["counted"] is False and shown[d]["counted"] is False
    assert cost[12] == cost[60] <= 6, (cost, read)


def _all_ids(db: Engine) -> list[int]:
    with db.connect() as conn:
        return list(conn.execute(select(model_comparisons.c.id)).scalars())


def _json_measured(measured: dict[str, Any]) -> dict[str, Any]:
    """``measured`` as the API answers it (its moment in ISO 8601 with ``Z``)."""
    at = measured["at"].isoformat().replace("+00:00", "Z")
    return {**measured, "at": at}
