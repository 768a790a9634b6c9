"""An unsigned rating INSERTed with the service's own database role: refused by default, served only under
``GREENRATE_UNSIGNED_RATINGS=serve`` (logged and counted), and failed or warned of by ``greenrate ratings
verify`` to match.

A security review inserted, without lifting the append-only guard (it refuses UPDATE and DELETE, not
INSERT), a rating for a real borrower computed from a fabricated input, consistent in body, columns and
input hash, with its signature null: ``GET`` served it, and ``verify`` and ``verify --sample`` exited 0
(with a warning only when its sequence number was past the first signed rating's, which whoever inserts
chooses). On SQLite and on PostgreSQL (``integration``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import insert, select
from structlog.testing import capture_logs

from schemas.fields import utc_iso
from schemas.operating_data import OperatingDataSchema
from service.cache import MemoryCache, input_hash
from service.cli import main
from service.ratings.encoding import rating_json
from service.records.database import as_utc
from service.records.rating_signatures import UNSIGNED_MESSAGE
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of, session_engine

SECRET = "unsigned-ratings-test-secret-0123456789abcdef"
FORGED_ID = "rt_" + "f" * 32


def _insert_forgery(app: Flask, genuine_id: str, name: str, seq: int | None = None) -> dict[str, Any]:
    """A plain INSERT (no guard lifted) of a rating for ``genuine_id``'s borrower, rated from the input of
    ``payload(name=name)`` with the electricity cut to a tenth, every column consistent, no signature;
    ``seq``: the sequence number to give it (any may be given). Returns the forged body."""
    db = services_of(app).db
    with db.connect() as conn:
        genuine = dict(conn.execute(select(ratings).where(ratings.c.id == genuine_id)).mappings().one())
    fabricated = payload(name=name)
    fabricated["energy"]["electricity_kwh"] = fabricated["energy"]["electricity_kwh"] / 10
    engine = session_engine()
    data = engine.parse(OperatingDataSchema().load(fabricated))
    canonical = data.canonical_json()
    body: dict[str, Any] = {
        "id": FORGED_ID, "external_id": data.company.external_id,
        "issued_at": utc_iso(as_utc(genuine["issued_at"])),
        "valid_until": utc_iso(as_utc(genuine["valid_until"])),
    }
    body.update(engine.rate(data).to_dict())
    row = {name: value for name, value in genuine.items() if name != "seq"}
    row.update(id=FORGED_ID, input_json=canonical, input_hash=input_hash(canonical),
               result_json=rating_json(body).decode(), score=body["score"], grade=body["grade"],
               signature=None, result_sha256=None, signature_v2=None, code_revision=None)
    if seq is not None:
        row["seq"] = seq
    with db.begin() as conn:
        conn.execute(insert(ratings).values(**row))
    return body


def _verify(app: Flask, *args: str, unsigned: str | None = None) -> Result:
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url),
           "GREENRATE_SECRET_KEY": SECRET}
    if unsigned is not None:
        env["GREENRATE_UNSIGNED_RATINGS"] = unsigned
    return CliRunner().invoke(main, ["ratings", "verify", *args], env=env)


def _assert_refused(response: Any) -> None:
    assert response.status_code == 500, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 500 and body["status"] == "Internal Server Error"
    assert body["message"] == UNSIGNED_MESSAGE and body["request_id"]
    assert FORGED_ID.encode() not in response.get_data() and b"score" not in response.get_data()


@pytest.mark.parametrize("seq", [None, -1], ids=["next seq", "seq before the first signed"])
def test_an_inserted_unsigned_rating_is_refused_everywhere_and_fails_verify(
    make_backend_app: AppFactory, seq: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_backend_app(SECRET_KEY=SECRET)
    client, key = app.test_client(), create_key(app)
    genuine = client.post("/v1/ratings", json=payload(name="Real Borrower"), headers=bearer(key)).get_json()
    _insert_forgery(app, genuine["id"], "Real Borrower", seq)
    with capture_logs() as logs:
        _assert_refused(client.get(f"/v1/ratings/{FORGED_ID}", headers=bearer(key)))
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["log_level"] == "error" and event["rating_id"] == FORGED_ID
    assert event["read"] == "get" and event["reason"] == "unsigned"
    _assert_refused(client.get(f"/v1/ratings/{FORGED_ID}/disclosure", headers=bearer(key)))
    _assert_refused(client.get("/v1/ratings?issued_by=any", headers=bearer(key)))
    # the fabricated input sent again finds the forged row among the records: refused, never cached
    services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)
    fabricated = payload(name="Real Borrower")
    fabricated["energy"]["electricity_kwh"] = fabricated["energy"]["electricity_kwh"] / 10
    _assert_refused(client.post("/v1/ratings", json=fabricated, headers=bearer(key)))
    assert services_of(app).cache._entries == {}  # type: ignore[attr-defined]
    metrics = client.get("/metrics").get_data(as_text=True)
    for read in ("get", "with_input", "list", "reuse"):
        series = f'greenrate_rating_integrity_failures_total{{read="{read}",reason="unsigned"}}'
        assert series in metrics, read
    assert client.get(f"/v1/ratings/{genuine['id']}", headers=bearer(key)).status_code == 200
    single = _verify(app, FORGED_ID)
    assert single.exit_code == 1, single.output
    assert f"{FORGED_ID} (tenant bank-a): UNSIGNED" in single.output
    assert ("recorded after the first signed rating" in single.output) == (seq is None)
    sample = _verify(app, "--sample", "10")
    assert sample.exit_code == 1, sample.output
    assert f"{FORGED_ID}: UNSIGNED" in sample.output
    assert "1 unsigned (refused: GREENRATE_UNSIGNED_RATINGS=refuse)" in sample.output


def test_an_inserted_unsigned_rating_is_served_logged_and_counted_under_serve(
    make_backend_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``serve`` costs, said plainly: the forged row is served as the borrower's rating; each read is
    a WARNING line and a count, and verify warns of it and passes (as the service serves it)."""
    app = make_backend_app(SECRET_KEY=SECRET, UNSIGNED_RATINGS="serve")
    client, key = app.test_client(), create_key(app)
    genuine = client.post("/v1/ratings", json=payload(name="Real Borrower"), headers=bearer(key)).get_json()
    forged = _insert_forgery(app, genuine["id"], "Real Borrower")
    with capture_logs() as logs:
        served = client.get(f"/v1/ratings/{FORGED_ID}", headers=bearer(key))
    assert served.status_code == 200 and served.get_json() == json.loads(rating_json(forged))
    # no stored hash (null before signing): its ETag is the served body's own sha256 all the same
    assert served.headers["ETag"] == f'"{hashlib.sha256(served.data).hexdigest()}"'
    (event,) = [e for e in logs if e["event"] == "rating_unsigned_served"]
    assert event["log_level"] == "warning" and event["rating_id"] == FORGED_ID and event["read"] == "get"
    assert not [e for e in logs if e["event"] == "rating_record_refused"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'greenrate_rating_unsigned_served_total{read="get"}' in metrics
    single = _verify(app, FORGED_ID, unsigned="serve")
    assert single.exit_code == 0, single.output
    assert f"{FORGED_ID} (tenant bank-a): warning: unsigned, yet recorded after" in single.output
    sample = _verify(app, "--sample", "10", unsigned="serve")
    assert sample.exit_code == 0, sample.output
    assert f"{FORGED_ID}: warning: unsigned" in sample.output
    assert _verify(app, FORGED_ID).exit_code == 1  # the same command under the default policy


def test_an_unsigned_rating_served_under_serve_is_never_cached(make_app: AppFactory) -> None:
    """``serve`` is an upgrade-window setting, to be set back to ``refuse``. An unsigned rating handed out
    for its input again (a POST, a batch item, a one-click) was cached in an entry the current secret signs,
    and after the switch back that entry went on handing it out as a hit until its validity ended, the
    forged row of the security review among them, while every read of its record refused it (internal-audit
    review). It is served from the records each time, never cached."""
    app = make_app(SECRET_KEY=SECRET, UNSIGNED_RATINGS="serve")
    client, key = app.test_client(), create_key(app)
    genuine = client.post("/v1/ratings", json=payload(name="Real Borrower"), headers=bearer(key)).get_json()
    _insert_forgery(app, genuine["id"], "Real Borrower")
    services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)
    fabricated = payload(name="Real Borrower")
    fabricated["energy"]["electricity_kwh"] = fabricated["energy"]["electricity_kwh"] / 10
    for _ in range(2):
        served = client.post("/v1/ratings", json=fabricated, headers=bearer(key))
        assert served.status_code == 201 and served.get_json()["id"] == FORGED_ID
    assert services_of(app).cache._entries == {}  # type: ignore[attr-defined]
    again = client.post("/v1/ratings", json=payload(name="Real Borrower"), headers=bearer(key))
    assert again.get_json()["id"] == genuine["id"]  # a signed one is cached as ever
    assert len(services_of(app).cache._entries) == 1  # type: ignore[attr-defined]
