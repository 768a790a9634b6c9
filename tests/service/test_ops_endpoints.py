"""Liveness, readiness (ok / degraded / unavailable) and Prometheus metrics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY

from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.live_services import free_port


def test_healthz_needs_nothing(make_app: AppFactory) -> None:
    app = make_app(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_ok(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "engine": "ok",
        "signing": "ok",
        "cache": "ok",
    }
    assert set(body["versions"]) == {"model", "standard", "factor_set", "schema", "engine"}
    # what every 200 carries is required in the contract (a generated client typed them as maybe unset)
    readiness = client.get("/openapi.json").json["components"]["schemas"]["Readiness"]
    assert set(readiness["required"]) == set(body) == {"status", "checks", "versions", "code_revision"}


def test_readyz_degraded_without_redis_but_ratings_still_served(make_app: AppFactory) -> None:
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/15", REDIS_TIMEOUT_MS=50)
    client = app.test_client()
    body = client.get("/readyz").json
    assert body["status"] == "degraded" and body["checks"]["cache"]["status"] == "degraded"
    key = create_key(app)
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    second = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.headers["X-Cache"] == "miss"
    # No cache, but the records still know the rating: the same id comes back, nothing recomputed.
    assert second.headers["X-Cache"] == "hit" and second.data == first.data


def test_readyz_unavailable_without_database(make_app: AppFactory) -> None:
    app = make_app(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/x", DATABASE_TIMEOUT_SECONDS=2
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["errors"]["database"] and response.json["code"] == 503


def test_readyz_unavailable_on_a_database_never_migrated(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    (detail,) = response.json["errors"]["database"]
    assert "no greenrate tables" in detail and "greenrate db upgrade" in detail


def test_readyz_unavailable_on_a_schema_behind_the_code(make_app: AppFactory) -> None:
    """A database left at an older revision would fail every rating (a missing column): not ready."""
    app = make_app()
    migrate.downgrade(services_of(app).db, "0005")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    (detail,) = response.json["errors"]["database"]
    assert f"at revision 0005, this code needs {migrate.head_revision()}" in detail
    migrate.upgrade(services_of(app).db)
    assert app.test_client().get("/readyz").status_code == 200


def test_metrics_count_requests_cache_and_grades(make_app: AppFactory) -> None:
    app = make_app()
    client = app.test_client()
    key = create_key(app)
    body = payload(external_id="metrics-check")
    grade = client.post("/v1/ratings", json=body, headers=bearer(key)).json["grade"]
    client.post("/v1/ratings", json=body, headers=bearer(key))
    scraped = client.get("/metrics")
    assert scraped.headers["Content-Type"] == CONTENT_TYPE_LATEST  # one charset parameter, not two
    text = scraped.get_data(as_text=True)
    assert 'greenrate_http_requests_total{method="POST",route="/v1/ratings",status="201"}' in text
    assert (
        'greenrate_http_request_duration_seconds_bucket{le="0.01",method="POST",route="/v1/ratings"' in text
    )
    assert 'greenrate_rating_cache_total{result="hit"}' in text
    assert 'greenrate_rating_cache_total{result="miss"}' in text
    assert f'greenrate_ratings_issued_total{{grade="{grade}"}}' in text
    assert not re.search(r"rt_[0-9a-f]{32}", text)  # rating ids never become label values


def test_a_method_a_client_invents_is_counted_as_other_not_as_a_new_series(make_app: AppFactory) -> None:
    """A keyless client sending 2,000 made-up methods grew /metrics from 6 KB to 3.6 MB (operator review)."""
    client = make_app().test_client()
    labels = {"method": "OTHER", "route": "unmatched", "status": "405"}
    before = REGISTRY.get_sample_value("greenrate_http_requests_total", labels) or 0.0  # others count too
    for method in ("XQWERTYUIOPAS", "YQWERTYUIOPAS", "ZQWERTYUIOPAS"):
        assert client.open("/healthz", method=method).status_code == 405
    assert REGISTRY.get_sample_value("greenrate_http_requests_total", labels) == before + 3
    assert "QWERTY" not in client.get("/metrics").get_data(as_text=True)


def test_a_metrics_write_that_fails_is_logged_once_and_never_fails_the_request(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Metric files that cannot be written (their directory gone here; a read-only filesystem in the
    review) had turned a committed rating into a 500, /healthz into a 500, and logged two access lines for
    one request id (fault-injection review)."""
    from prometheus_client import Counter, Histogram, values

    from service import metrics

    # prometheus_client's multiprocess values, as under gunicorn, over a directory that no longer exists
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "removed"))
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())
    for name in ("REQUESTS", "CACHE_LOOKUPS", "RATINGS_ISSUED"):  # new series, so new (failing) values
        old = getattr(metrics, name)
        fresh = Counter(old._name, old._documentation, old._labelnames, registry=None)
        monkeypatch.setattr(metrics, name, fresh)
    old_latency = metrics.LATENCY
    monkeypatch.setattr(metrics, "LATENCY", Histogram(old_latency._name, old_latency._documentation,
                                                      old_latency._labelnames, registry=None))
    monkeypatch.setattr(metrics, "_write_failed", False, raising=False)
    app = make_app(ACCESS_LOG=True)
    client = app.test_client()
    key = create_key(app)
    capsys.readouterr()

    issued = client.post("/v1/ratings", json=payload(), headers=bearer(key) | {"X-Request-ID": "m-1"})
    assert issued.status_code == 201, issued.json
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key) | {"X-Request-ID": "m-2"})
    assert again.status_code == 201 and again.headers["X-Cache"] == "hit"  # committed and cached
    assert client.get(f"/v1/ratings/{issued.json['id']}", headers=bearer(key)).status_code == 200
    assert client.get("/healthz", headers={"X-Request-ID": "m-3"}).status_code == 200

    logged = capsys.readouterr()
    access = [json.loads(line) for line in logged.out.splitlines() if line.startswith("{")]
    ids = [line["request_id"] for line in access if line.get("event") == "request"]
    assert ids.count("m-1") == ids.count("m-2") == ids.count("m-3") == 1
    events = [json.loads(line) for line in logged.err.splitlines() if line.startswith("{")]
    failed = [e for e in events if e.get("event") == "metrics_write_failed"]
    assert len(failed) == 1 and failed[0]["error"] == "FileNotFoundError"  # once per process, not per write
    assert not [e for e in events if e.get("event") == "unhandled_exception"]


def test_readyz_names_the_signing_key_by_its_id_never_the_secret(make_app: AppFactory) -> None:
    """Machines sharing a database need one secret: /readyz names the key new ratings are signed with and
    the previous ones accepted, as it names the versions served, so two that differ are seen to."""
    from service.records.rating_signatures import rating_key

    current, previous = "readyz-current-secret-0123456789abcdef", "readyz-previous-secret-0123456789abcdef"
    body = make_app(SECRET_KEY=current).test_client().get("/readyz").json
    expected = f"key {rating_key(current).id}; unsigned refuse"
    assert body["checks"]["signing"] == {"status": "ok", "detail": expected}
    rotated = make_app(SECRET_KEY=current, PREVIOUS_SECRET_KEYS=previous, UNSIGNED_RATINGS="serve")
    answer = rotated.test_client().get("/readyz")
    detail = answer.json["checks"]["signing"]["detail"]
    assert detail == f"key {rating_key(current).id}; previous {rating_key(previous).id}; unsigned serve"
    assert answer.json["status"] == "ok"  # serving unsigned ratings is a policy, not a fault
    assert current not in answer.get_data(as_text=True) and previous not in answer.get_data(as_text=True)
    # the contract says what the detail holds (it described none of it: integrator review)
    described = rotated.test_client().get("/openapi.json").json["components"]["schemas"]["Readiness"]
    said = described["properties"]["checks"]["description"]
    assert all(part in said for part in ("`key <id>`", "`; previous <id>, <id>`", "`; unsigned refuse`",
                                          "`; unsigned serve`")), said
