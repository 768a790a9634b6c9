"""Ratings signed at rest: a record the database's owner changed is never served, never refills the cache,
and ``greenrate ratings verify`` calls it tampered whatever the release that issued it.

The four changes of the reproducibility audit (its ``tamper.py``), with the append-only guard lifted as the
owner would: T1 the score in the stored body only; T2 the issue date backdated, the validity moved and the
external id changed, in body and columns; T3 only the score and grade columns (what the list serves); T4 a
consistent forgery, the input changed, its hash recomputed and its body re-derived. On SQLite and on
PostgreSQL (``integration``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import Connection, MetaData, Table, create_engine, event, insert, select, text, update
from structlog.testing import capture_logs

from rating_model.artifact import ScorecardArtifact
from rating_model.engine import DEFAULT_MODEL
from schemas.fields import utc_iso
from service.cache import MemoryCache, input_hash
from service.cli import main
from service.ratings.encoding import rating_json
from service.records import migrate
from service.records.database import as_utc
from service.records.rating_signatures import OTHER_KEY_MESSAGE, REFUSED_MESSAGE, UNSIGNED_MESSAGE, rating_key
from service.records.registry import register
from service.records.tables import api_keys, ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of, session_engine
from tests.service.tampering import app_key, guard_lifted, re_sign

SECRET_A = "first-secret-of-the-service-0123456789abcdef"
SECRET_B = "second-secret-after-rotation-0123456789abcdef"


def _issue(app: Flask, key: str, name: str) -> dict[str, Any]:
    response = app.test_client().post("/v1/ratings", json=payload(name=name), headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _row(conn: Connection, rating_id: str) -> Any:
    return conn.execute(select(ratings).where(ratings.c.id == rating_id)).one()


def _set(conn: Connection, rating_id: str, **values: Any) -> None:
    conn.execute(update(ratings).where(ratings.c.id == rating_id).values(**values))


def t1_body_score(conn: Connection, rating_id: str) -> None:
    body = json.loads(_row(conn, rating_id).result_json)
    body["score"], body["grade"] = 88.8, "dark_green"
    _set(conn, rating_id, result_json=rating_json(body).decode())


def t2_dates_and_external_id(conn: Connection, rating_id: str) -> None:
    row = _row(conn, rating_id)
    issued = as_utc(row.issued_at) - timedelta(days=100)
    until = as_utc(row.valid_until) + timedelta(days=1461)
    body = json.loads(row.result_json)
    body.update(issued_at=utc_iso(issued), valid_until=utc_iso(until), external_id="LOAN-FORGED-1")
    _set(conn, rating_id, result_json=rating_json(body).decode(), issued_at=issued, valid_until=until,
         external_id="LOAN-FORGED-1")


def t3_list_columns(conn: Connection, rating_id: str) -> None:
    _set(conn, rating_id, score=91.0, grade="dark_green")


def t4_consistent_forgery(conn: Connection, rating_id: str) -> None:
    row = _row(conn, rating_id)
    recorded, old = json.loads(row.input_json), json.loads(row.result_json)
    recorded["energy"]["electricity_kwh"] = round(recorded["energy"]["electricity_kwh"] / 4, 1)
    recorded["energy"]["purchased_heat_gj"] = 0  # none: the energy indicators then score (standard 1.9.0)
    engine = session_engine()
    data = engine.parse(recorded)
    canonical = data.canonical_json()
    forged = {name: old[name] for name in ("id", "external_id", "issued_at", "valid_until")}
    forged.update(engine.rate(data).to_dict())
    assert forged["score"] != old["score"]
    _set(conn, rating_id, input_json=canonical, input_hash=input_hash(canonical),
         result_json=rating_json(forged).decode(), score=forged["score"], grade=forged["grade"])


TAMPERINGS: dict[str, Callable[[Connection, str], None]] = {
    "T1": t1_body_score, "T2": t2_dates_and_external_id, "T3": t3_list_columns, "T4": t4_consistent_forgery,
}


def tamper(app: Flask, case: str, rating_id: str) -> None:
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        TAMPERINGS[case](conn, rating_id)


def _assert_refused(response: Any, message: str = REFUSED_MESSAGE) -> None:
    """Refused with the contract's error shape; ``message``: a changed record's, or an unsigned one's."""
    assert response.status_code == 500, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 500 and body["status"] == "Internal Server Error"
    assert body["message"] == message and body["request_id"]
    assert b"rt_" not in response.get_data() and b"score" not in response.get_data()


def verify(app: Flask, *args: str, secret: str | None = None, unsigned: str | None = None) -> Result:
    """``greenrate ratings verify`` on ``app``'s database, with the secret and GREENRATE_UNSIGNED_RATINGS
    given (else the working directory's secret and the default policy, refuse)."""
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    if secret is not None:
        env["GREENRATE_SECRET_KEY"] = secret
    if unsigned is not None:
        env["GREENRATE_UNSIGNED_RATINGS"] = unsigned
    return CliRunner().invoke(main, ["ratings", "verify", *args], env=env)


@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_a_tampered_rating_is_never_served_listed_or_cached(
    make_backend_app: AppFactory, case: str
) -> None:
    app = make_backend_app()
    client, key = app.test_client(), create_key(app)
    first = _issue(app, key, "Cafe 1")
    tamper(app, case, first["id"])
    with capture_logs() as logs:
        _assert_refused(client.get(f"/v1/ratings/{first['id']}", headers=bearer(key)))
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["log_level"] == "error" and event["rating_id"] == first["id"] and event["read"] == "get"
    assert event["reason"] == "tampered"
    listed = client.get("/v1/ratings", headers=bearer(key))
    if case == "T1":  # the body only: the list serves the columns, which are as issued
        assert listed.status_code == 200 and listed.get_json()["items"][0]["score"] == first["score"]
    else:
        _assert_refused(listed)
    _assert_refused(client.get(f"/v1/ratings/{first['id']}/disclosure", headers=bearer(key)))
    # the cache refill: a new worker (empty cache) finds the rating in the records for the same input
    services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)
    again = client.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
    if case == "T4":  # the forgery's input is another one: this input is rated anew
        assert again.status_code == 201 and again.get_json()["id"] != first["id"]
    else:
        _assert_refused(again)
        assert services_of(app).cache._entries == {}  # type: ignore[attr-defined]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'greenrate_rating_integrity_failures_total{read="get",reason="tampered"}' in metrics


def test_a_batch_item_whose_recorded_rating_was_tampered_fails_alone(make_app: AppFactory) -> None:
    app = make_app()
    key = create_key(app)
    first = _issue(app, key, "Cafe 1")
    tamper(app, "T3", first["id"])
    services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)
    items = [payload(name="Cafe 1"), payload(name="Cafe 2")]
    answer = app.test_client().post("/v1/ratings/batch", json={"items": items}, headers=bearer(key))
    assert answer.status_code == 200
    refused, rated = answer.get_json()["results"]
    assert refused["status"] == 500 and refused["error"]["message"] == REFUSED_MESSAGE, refused
    assert rated["status"] == 201 and rated["rating"]["id"] != first["id"]


def test_an_input_changed_under_a_valid_signature_is_not_disclosed(make_app: AppFactory) -> None:
    """The disclosure shows the recorded input, which the signature binds through the input hash."""
    app = make_app()
    client, key = app.test_client(), create_key(app)
    first = _issue(app, key, "Cafe 1")
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        recorded = json.loads(_row(conn, first["id"]).input_json)
        recorded["company"]["name"] = "Someone Else Ltd"
        _set(conn, first["id"], input_json=json.dumps(recorded))
    fetched = client.get(f"/v1/ratings/{first['id']}", headers=bearer(key))
    assert fetched.status_code == 200  # the body and columns are intact
    _assert_refused(client.get(f"/v1/ratings/{first['id']}/disclosure", headers=bearer(key)))


@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_verify_calls_every_tampering_tampered_and_exits_1(make_backend_app: AppFactory, case: str) -> None:
    """The audit's T2, T3 and T4 had passed: verify copied id, external id and dates from the stored body,
    never compared the list's columns with it, and had nothing to tell a consistent forgery by."""
    app = make_backend_app()
    key = create_key(app)
    first, other = _issue(app, key, "Cafe 1"), _issue(app, key, "Cafe 2")
    assert verify(app, first["id"]).exit_code == 0
    tamper(app, case, first["id"])
    single = verify(app, first["id"])
    assert single.exit_code == 1, single.output
    assert f"{first['id']} (tenant bank-a): TAMPERED" in single.output
    assert "tampered: signature (the record does not match it" in single.output
    if case == "T3":
        assert "tampered: score: column 91.0, body" in single.output
        assert "tampered: grade: column 'dark_green', body" in single.output
    sample = verify(app, "--sample", "10")
    assert sample.exit_code == 1, sample.output
    assert f"{first['id']}: tampered: signature" in sample.output
    assert "2 rating(s) checked: 1 tampered; 1 identical, signature valid" in sample.output, sample.output
    assert verify(app, other["id"]).exit_code == 0


def test_a_tampered_rating_no_longer_hides_among_those_of_an_earlier_release(make_app: AppFactory) -> None:
    """Every rating of an earlier engine version differs, so `--sample` had counted a tampered one among
    them and exited 0 (audit: "60 differ (earlier release)")."""
    app = make_app()
    key = create_key(app)
    ids = [_issue(app, key, f"Cafe {n}")["id"] for n in range(4)]
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        for rating_id in ids:  # as an earlier engine version that signed issued them
            body = json.loads(_row(conn, rating_id).result_json)
            body["versions"]["engine"] = "2.0"
            _set(conn, rating_id, engine_version="2.0", result_json=rating_json(body).decode())
        re_sign(conn, app_key(app))
    clean = verify(app, "--sample", "10")
    assert clean.exit_code == 0, clean.output
    assert "4 rating(s) checked: 4 differ (earlier release), signature valid" in clean.output
    assert f"{ids[0]}: differ (earlier release), signature valid at versions.engine" in clean.output
    tamper(app, "T1", ids[0])
    found = verify(app, "--sample", "10")
    assert found.exit_code == 1, found.output
    assert "1 tampered; 3 differ (earlier release), signature valid" in found.output


def _legacy_database(app: Flask, url: str) -> None:
    """A database at revision 0015 (before signing) holding the app's ratings as that release stored them,
    then migrated to the head: the real path of a rating issued before signing."""
    legacy = create_engine(url)
    migrate.upgrade(legacy, "0015")
    with services_of(app).db.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(ratings).order_by(ratings.c.seq))]
        keys = [dict(r._mapping) for r in conn.execute(select(api_keys))]
    with legacy.begin() as conn:
        before = MetaData()
        conn.execute(insert(Table("api_keys", before, autoload_with=conn)), keys)
        table = Table("ratings", before, autoload_with=conn)
        conn.execute(insert(table), [{c.name: row[c.name] for c in table.columns} for row in rows])
    migrate.upgrade(legacy)
    legacy.dispose()


def test_a_rating_issued_before_signing_is_refused_by_default_and_served_under_serve(
    make_app: AppFactory, tmp_path: Any
) -> None:
    """The real path of a rating issued before migration 0018: refused like a changed one by default (an
    unsigned row is what anyone who can INSERT can write), served, logged and counted under
    GREENRATE_UNSIGNED_RATINGS=serve, the upgrade window's setting; verify's exit follows the policy."""
    issuer = make_app()
    key = create_key(issuer)
    first = _issue(issuer, key, "Cafe 1")
    url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    _legacy_database(issuer, url)
    refusing = make_app(DATABASE_URL=url).test_client()
    with capture_logs() as logs:
        _assert_refused(refusing.get(f"/v1/ratings/{first['id']}", headers=bearer(key)), UNSIGNED_MESSAGE)
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["reason"] == "unsigned" and event["read"] == "get"
    assert "GREENRATE_UNSIGNED_RATINGS" in event["detail"]
    _assert_refused(refusing.get("/v1/ratings", headers=bearer(key)), UNSIGNED_MESSAGE)
    _assert_refused(refusing.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key)),
                    UNSIGNED_MESSAGE)
    app = make_app(DATABASE_URL=url, UNSIGNED_RATINGS="serve")
    client = app.test_client()
    with services_of(app).db.connect() as conn:
        assert _row(conn, first["id"]).signature is None
    with capture_logs() as logs:
        fetched = client.get(f"/v1/ratings/{first['id']}", headers=bearer(key))
    assert fetched.status_code == 200 and fetched.get_json() == first
    (event,) = [e for e in logs if e["event"] == "rating_unsigned_served"]
    assert event["log_level"] == "warning" and event["rating_id"] == first["id"] and event["read"] == "get"
    assert client.get("/v1/ratings", headers=bearer(key)).get_json()["items"][0]["id"] == first["id"]
    again = client.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
    assert again.headers["X-Cache"] == "hit" and again.get_json()["id"] == first["id"]  # from the records
    metrics = client.get("/metrics").get_data(as_text=True)
    for read in ("get", "list", "reuse"):
        assert f'greenrate_rating_unsigned_served_total{{read="{read}"}}' in metrics, read
    refused = verify(app, first["id"])
    assert refused.exit_code == 1, refused.output
    assert f"{first['id']} (tenant bank-a): UNSIGNED: refused" in refused.output
    single = verify(app, first["id"], unsigned="serve")
    assert single.exit_code == 0, single.output
    assert "warning: unsigned (issued before signing)" in single.output
    assert "re-derived byte for byte" in single.output
    _issue(app, key, "Cafe 2")
    sample = verify(app, "--sample", "5", unsigned="serve")
    assert sample.exit_code == 0, sample.output
    assert "1 identical, signature valid; 1 identical, unsigned (issued before signing)" in sample.output
    assert f"{first['id']}: warning: unsigned (issued before signing)" in sample.output
    strict = verify(app, "--sample", "5")
    assert strict.exit_code == 1, strict.output
    refused_tally = "1 unsigned (refused: GREENRATE_UNSIGNED_RATINGS=refuse); 1 identical, signature valid"
    assert refused_tally in strict.output
    # an unsigned record is still checked against itself: its columns against its body and its input
    tamper(app, "T3", first["id"])
    columns = verify(app, first["id"], unsigned="serve")
    assert columns.exit_code == 1 and "tampered: score: column 91.0, body" in columns.output
    tamper(app, "T2", first["id"])
    assert "tampered: external_id: body 'LOAN-FORGED-1', recorded input 'loan-0001'" in verify(
        app, first["id"], unsigned="serve").output


def test_a_signature_removed_after_signing_began_is_refused_and_reported(make_app: AppFactory) -> None:
    app = make_app()
    key = create_key(app)
    first, second = _issue(app, key, "Cafe 1"), _issue(app, key, "Cafe 2")
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        # both signatures and the build they cover (a build recorded unsigned is tampered, see
        # test_rating_code_revision.py): what is left looks like a rating of the release before 0019
        _set(conn, second["id"], signature=None, result_sha256=None, signature_v2=None, code_revision=None)
    _assert_refused(app.test_client().get(f"/v1/ratings/{second['id']}", headers=bearer(key)),
                    UNSIGNED_MESSAGE)
    single = verify(app, second["id"])
    assert single.exit_code == 1, single.output
    assert "UNSIGNED, recorded after the first signed rating" in single.output
    # served under serve, like a rating issued before signing (docs/operations.md says so) ...
    serving = make_app(DATABASE_URL=str(services_of(app).settings.database_url), UNSIGNED_RATINGS="serve")
    assert serving.test_client().get(f"/v1/ratings/{second['id']}", headers=bearer(key)).status_code == 200
    # ... but verify tells it from one
    single = verify(app, second["id"], unsigned="serve")
    assert single.exit_code == 0, single.output
    assert "warning: unsigned, yet recorded after the first signed rating" in single.output
    assert "or its signature was removed" in single.output
    sample = verify(app, "--sample", "5", unsigned="serve")
    assert "1 identical, unsigned after signing began" in sample.output, sample.output
    assert f"{second['id']}: warning: unsigned, yet recorded after" in sample.output
    assert first["id"] not in sample.output


def test_verify_says_a_rating_whose_model_artifact_was_edited_cannot_be_re_derived(
    make_app: AppFactory,
) -> None:
    """load_artifact was called outside the try: an artifact edited in the registry was a traceback, and
    `--sample` stopped without a tally (audit)."""
    app = make_app()
    key = create_key(app)
    first, second = _issue(app, key, "Cafe 1"), _issue(app, key, "Cafe 2")
    version = first["versions"]["model"]
    packaged = ScorecardArtifact.from_json(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert packaged.version == version
    register(services_of(app).db, packaged, source="test", actor="test", reason="the model the ratings name")
    with services_of(app).db.begin() as conn, guard_lifted(conn, "models"):
        stored = conn.execute(text("SELECT artifact_json FROM models WHERE version = :v"), {"v": version})
        document = json.loads(stored.scalar_one())
        document["features"][0]["points"][0] += 5
        conn.execute(text("UPDATE models SET artifact_json = :a WHERE version = :v"),
                     {"a": json.dumps(document), "v": version})
    single = verify(app, first["id"])
    assert single.exit_code == 1 and isinstance(single.exception, SystemExit), single.output
    assert "signature valid" in single.output
    assert f"{first['id']} (tenant bank-a) cannot be re-derived here: what it was rated with cannot be " \
           "loaded: ArtifactError" in single.output, single.output
    sample = verify(app, "--sample", "5")
    assert sample.exit_code == 1 and isinstance(sample.exception, SystemExit), sample.output
    assert "2 rating(s) checked: 2 cannot be re-derived, signature valid" in sample.output
    assert f"{second['id']}: cannot be re-derived, signature valid: what it was rated with" in sample.output


def test_verify_says_a_rating_whose_published_standard_was_edited_cannot_be_re_derived(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published standard file whose bytes no longer match the manifest (edited in place) is refused
    by its loader (rating_model.published); verify said so with a traceback."""
    from rating_model import published

    app = make_app()
    first = _issue(app, create_key(app), "Cafe 1")
    edited = {name: ("0" * 64 if name.startswith("standard/") else digest)
              for name, digest in published.recorded().items()}
    monkeypatch.setattr(published, "recorded", lambda: edited)
    single = verify(app, first["id"])
    assert single.exit_code == 1 and isinstance(single.exception, SystemExit), single.output
    loaded = "cannot be re-derived here: what it was rated with cannot be loaded: StandardError"
    assert loaded in single.output, single.output
    sample = verify(app, "--sample", "5")
    assert sample.exit_code == 1
    assert "1 rating(s) checked: 1 cannot be re-derived, signature valid" in sample.output


def test_a_rating_signed_with_a_rotated_secret_is_refused_and_said_to_be_another_keys(
    make_backend_app: AppFactory,
) -> None:
    """GREENRATE_SECRET_KEY cannot be rotated without losing the ratings it signed (docs/operations.md): a
    rating signed with another key is refused like a tampered one (anyone can write a key id), but the
    log, the metric and verify say which key signed it and which one the service holds. The caller reads
    that the record names a key the service does not hold: it had read that the record did not match its
    signature, which nothing had shown (the unsigned record's message was mended the same way)."""
    before = make_backend_app(SECRET_KEY=SECRET_A)
    key = create_key(before)
    first = _issue(before, key, "Cafe 1")
    after = make_backend_app(SECRET_KEY=SECRET_B, DATABASE_URL=str(services_of(before).settings.database_url))
    client = after.test_client()
    with capture_logs() as logs:
        _assert_refused(client.get(f"/v1/ratings/{first['id']}", headers=bearer(key)), OTHER_KEY_MESSAGE)
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["reason"] == "other_key" and event["signed_with"] == rating_key(SECRET_A).id
    assert event["service_key"] == rating_key(SECRET_B).id
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'greenrate_rating_integrity_failures_total{read="get",reason="other_key"}' in metrics
    rotated = verify(after, first["id"], secret=SECRET_B)
    assert rotated.exit_code == 1
    assert f"signed with key {rating_key(SECRET_A).id}, which this command does not hold (it holds " \
           f"{rating_key(SECRET_B).id})" in rotated.output
    assert "TAMPERED" not in rotated.output
    sample = verify(after, "--sample", "3", secret=SECRET_B)
    assert sample.exit_code == 1 and "1 signed with another key" in sample.output
    assert verify(after, first["id"], secret=SECRET_A).exit_code == 0


def test_a_cache_hit_reads_no_rating_from_the_records(make_app: AppFactory) -> None:
    """The hit path is measured (benchmarks/README.md): signatures add no read of the ratings to it."""
    app = make_app()
    client, key = app.test_client(), create_key(app)
    _issue(app, key, "Cafe 1")
    statements: list[str] = []
    db = services_of(app).db

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db, "before_cursor_execute", record)
    try:
        hit = client.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
    finally:
        event.remove(db, "before_cursor_execute", record)
    assert hit.headers["X-Cache"] == "hit"
    assert not [s for s in statements if "ratings" in s], statements


def test_a_rotated_secret_listed_as_previous_keeps_its_ratings_served_and_signs_nothing_new(
    make_backend_app: AppFactory,
) -> None:
    """Rotation: GREENRATE_SECRET_KEY set to a new secret, the old one in GREENRATE_PREVIOUS_SECRET_KEYS.
    The old ratings are served, listed and reused (counted by the old key's id, not as failures), verify
    says they were signed with a previous key and passes; new ratings are signed with the new key. With
    the old secret removed from the list, they are refused as signed with another key."""
    before = make_backend_app(SECRET_KEY=SECRET_A)
    key = create_key(before)
    first = _issue(before, key, "Cafe 1")
    url = str(services_of(before).settings.database_url)
    after = make_backend_app(SECRET_KEY=SECRET_B, PREVIOUS_SECRET_KEYS=SECRET_A, DATABASE_URL=url)
    client = after.test_client()
    with capture_logs() as logs:
        served = client.get(f"/v1/ratings/{first['id']}", headers=bearer(key))
        assert served.status_code == 200 and served.get_json() == first
        listed = client.get("/v1/ratings", headers=bearer(key))
        assert listed.status_code == 200 and [i["id"] for i in listed.get_json()["items"]] == [first["id"]]
        assert client.get(f"/v1/ratings/{first['id']}/disclosure", headers=bearer(key)).status_code == 200
        reused = client.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
        assert reused.status_code in (200, 201) and reused.get_json()["id"] == first["id"]
    assert not [e for e in logs if e["event"] == "rating_record_refused"]
    metrics = client.get("/metrics").get_data(as_text=True)
    old_id, new_id = rating_key(SECRET_A).id, rating_key(SECRET_B).id
    for read in ("get", "list", "reuse", "with_input"):
        assert f'greenrate_previous_key_signatures_total{{key="{old_id}",read="{read}"}}' in metrics, read
    assert f'key="{new_id}"' not in metrics
    second = _issue(after, key, "Cafe 2")
    with services_of(after).db.connect() as conn:
        assert _row(conn, second["id"]).signature.startswith(f"v1:{new_id}:")
        assert _row(conn, first["id"]).signature.startswith(f"v1:{old_id}:")
    env = {"GREENRATE_PREVIOUS_SECRET_KEYS": SECRET_A}
    old = verify_with(after, env, first["id"], secret=SECRET_B)
    assert old.exit_code == 0, old.output
    assert f"signature valid, signed with a previous key ({old_id})" in old.output
    assert "TAMPERED" not in old.output and "does not hold" not in old.output
    new = verify_with(after, env, second["id"], secret=SECRET_B)
    assert new.exit_code == 0 and f"{second['id']} (tenant" in new.output
    assert ": signature valid\n" in new.output and "previous key" not in new.output
    sample = verify_with(after, env, "--sample", "5", secret=SECRET_B)
    assert sample.exit_code == 0, sample.output
    assert f"1 identical, signed with a previous key ({old_id})" in sample.output
    assert "1 identical, signature valid" in sample.output
    # the old secret retired: its ratings are another key's again, the new ones are served
    retired = make_backend_app(SECRET_KEY=SECRET_B, DATABASE_URL=url).test_client()
    with capture_logs() as logs:
        _assert_refused(retired.get(f"/v1/ratings/{first['id']}", headers=bearer(key)), OTHER_KEY_MESSAGE)
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["reason"] == "other_key" and event["signed_with"] == old_id
    assert retired.get(f"/v1/ratings/{second['id']}", headers=bearer(key)).status_code == 200
    gone = verify(after, first["id"], secret=SECRET_B)
    assert gone.exit_code == 1
    assert f"signed with key {old_id}, which this command does not hold" in gone.output


def verify_with(app: Flask, env: dict[str, str], *args: str, secret: str) -> Result:
    """``greenrate ratings verify`` with more of the service's settings than its secret."""
    full = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url),
            "GREENRATE_SECRET_KEY": secret, **env}
    return CliRunner().invoke(main, ["ratings", "verify", *args], env=full)


def test_a_previous_secret_that_is_not_the_signers_does_not_save_a_rating(make_app: AppFactory) -> None:
    """Listing previous secrets accepts what they signed, nothing else: a rating signed with a third
    secret is still another key's, and a tampered one signed with a listed secret is still tampered."""
    third = "a-third-secret-never-listed-0123456789abcdef"
    before = make_app(SECRET_KEY=third)
    key = create_key(before)
    first = _issue(before, key, "Cafe 1")
    url = str(services_of(before).settings.database_url)
    after = make_app(SECRET_KEY=SECRET_B, PREVIOUS_SECRET_KEYS=SECRET_A, DATABASE_URL=url)
    _assert_refused(after.test_client().get(f"/v1/ratings/{first['id']}", headers=bearer(key)),
                    OTHER_KEY_MESSAGE)
    listed = make_app(SECRET_KEY=SECRET_B, PREVIOUS_SECRET_KEYS=f"{SECRET_A} {third}", DATABASE_URL=url)
    assert listed.test_client().get(f"/v1/ratings/{first['id']}", headers=bearer(key)).status_code == 200
    tamper(listed, "T3", first["id"])
    with capture_logs() as logs:
        _assert_refused(listed.test_client().get("/v1/ratings", headers=bearer(key)))
    (event,) = [e for e in logs if e["event"] == "rating_record_refused"]
    assert event["reason"] == "tampered" and event["signed_with"] == rating_key(third).id


@pytest.mark.integration
def test_a_rating_signed_with_a_previous_secret_is_not_cached_again_under_the_current_one(
    make_app: AppFactory, redis_url: str
) -> None:
    """A rating found in the records refills the cache. One signed with a previous secret was cached in an
    entry signed with the current secret, and once the previous one was retired (after a leak, say), that
    entry went on handing the rating out as a hit until its validity ended, while a read of it was refused
    (500, ``other_key``): the retirement never reached it, and a forgery made with the leaked secret was
    laundered into an entry the current one signed (internal-audit review). Such a rating is served from
    the records, not cached again, so that retiring its secret refuses it everywhere at once."""
    import redis

    before = make_app(SECRET_KEY=SECRET_A, REDIS_URL=redis_url)
    key = create_key(before)
    first = _issue(before, key, "Cafe 1")
    url = str(services_of(before).settings.database_url)
    redis.Redis.from_url(redis_url).flushdb()  # its entry gone (evicted, Redis restarted)
    rotated = make_app(SECRET_KEY=SECRET_B, PREVIOUS_SECRET_KEYS=SECRET_A, DATABASE_URL=url,
                       REDIS_URL=redis_url)
    client = rotated.test_client()
    for _ in range(2):  # reused from the records each time: served, not cached
        reused = client.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
        assert reused.status_code == 201 and reused.get_json() == first
    second = _issue(rotated, key, "Cafe 2")  # signed with the current secret: cached as ever
    cached = client.post("/v1/ratings", json=payload(name="Cafe 2"), headers=bearer(key))
    assert cached.headers["X-Cache"] == "hit"
    retired = make_app(SECRET_KEY=SECRET_B, DATABASE_URL=url, REDIS_URL=redis_url).test_client()
    refused = retired.post("/v1/ratings", json=payload(name="Cafe 1"), headers=bearer(key))
    assert refused.status_code == 500, refused.headers  # not the cached rating (a 201 hit)
    _assert_refused(refused, OTHER_KEY_MESSAGE)
    _assert_refused(retired.get(f"/v1/ratings/{first['id']}", headers=bearer(key)), OTHER_KEY_MESSAGE)
    again = retired.post("/v1/ratings", json=payload(name="Cafe 2"), headers=bearer(key))
    assert again.headers["X-Cache"] == "hit" and again.get_json() == second
