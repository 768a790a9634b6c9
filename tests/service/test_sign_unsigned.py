"""``greenrate ratings sign-unsigned``: the ratings issued before migration 0018 signed them are signed when
they re-derive byte for byte, and then served under ``GREENRATE_UNSIGNED_RATINGS=refuse``; every other one is
listed and left unsigned. And the unsigned count of ``greenrate db upgrade`` reads the unsigned ratings only
(migration 0021). On SQLite and on PostgreSQL (``integration``).

A deployment holding ratings from before signing had no way back to ``refuse`` but to serve every unsigned
row, forged ones with them, for as long as the old ratings had to be served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import Engine, MetaData, Table, create_engine, func, insert, select, update

from service.cli import main
from service.ratings import unsigned
from service.ratings.encoding import rating_json
from service.ratings.verification import Raters
from service.ratings_sign_cli import LEFT_UNSIGNED_EXIT
from service.records import migrate
from service.records.database import database_url
from service.records.rating_signatures import UNSIGNED_MESSAGE, count_unsigned, rating_key
from service.records.tables import api_keys, ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.conftest import BACKENDS
from tests.service.filled_ratings import filled_database
from tests.service.tampering import guard_lifted

SECRET = "sign-unsigned-test-secret-0123456789abcdefgh"
KEY = rating_key(SECRET)
OTHER = rating_key("another-secret-of-another-run-0123456789abcd")


@pytest.fixture(params=BACKENDS)
def legacy_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Where a database of ratings issued before signing is built: a SQLite file, or this session's
    PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


def _legacy_database(issuer: Flask, url: str) -> None:
    """A database at revision 0015 (before signing) holding ``issuer``'s ratings and keys as that release
    stored them, then migrated to the head: the real path of a rating issued before signing."""
    legacy = create_engine(database_url(url))
    migrate.upgrade(legacy, "0015")
    with services_of(issuer).db.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(ratings).order_by(ratings.c.seq))]
        keys = [dict(r._mapping) for r in conn.execute(select(api_keys))]
    with legacy.begin() as conn:
        before = MetaData()
        conn.execute(insert(Table("api_keys", before, autoload_with=conn)), keys)
        table = Table("ratings", before, autoload_with=conn)
        conn.execute(insert(table), [{c.name: row[c.name] for c in table.columns} for row in rows])
    migrate.upgrade(legacy)
    legacy.dispose()


def _issue(app: Flask, key: str, name: str) -> dict[str, Any]:
    response = app.test_client().post("/v1/ratings", json=payload(name=name), headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _edit_body(db: Engine, rating_id: str, *, columns: bool, **changes: Any) -> None:
    """Change the stored answer of ``rating_id`` (guard lifted, as the database's owner would), and its
    columns to match when ``columns``: a record consistent with itself that only a re-derivation catches."""
    with db.begin() as conn, guard_lifted(conn, "ratings"):
        stored = conn.execute(select(ratings.c.result_json).where(ratings.c.id == rating_id)).scalar_one()
        body = json.loads(stored)
        for path, value in changes.items():
            *parents, last = path.split("__")
            inner = body
            for name in parents:
                inner = inner[name]
            inner[last] = value
        values: dict[str, Any] = {"result_json": rating_json(body).decode()}
        if columns:
            values.update(score=body["score"], grade=body["grade"], model_version=body["versions"]["model"])
        conn.execute(update(ratings).where(ratings.c.id == rating_id).values(**values))


def _sign(url: str, *args: str, secret: str = SECRET) -> Result:
    env = {"GREENRATE_DATABASE_URL": url, "GREENRATE_SECRET_KEY": secret}
    return CliRunner().invoke(main, ["ratings", "sign-unsigned", *args], env=env, catch_exceptions=False)


def _verify(url: str, rating_id: str, unsigned_policy: str = "refuse") -> Result:
    env = {"GREENRATE_DATABASE_URL": url, "GREENRATE_SECRET_KEY": SECRET,
           "GREENRATE_UNSIGNED_RATINGS": unsigned_policy}
    return CliRunner().invoke(main, ["ratings", "verify", rating_id], env=env)


def _snapshot(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(ratings).order_by(ratings.c.seq))]


def _signed_events(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stderr.splitlines() if '"rating_signed_after_issue"' in line]


def test_ratings_from_before_signing_that_re_derive_are_signed_and_served_under_refuse(
    make_app: AppFactory, legacy_url: str
) -> None:
    issuer = make_app(SECRET_KEY=SECRET)
    key = create_key(issuer)
    good, edited, consistent, retired = (_issue(issuer, key, f"Cafe {n}") for n in range(1, 5))
    _legacy_database(issuer, legacy_url)
    app = make_app(DATABASE_URL=legacy_url, SECRET_KEY=SECRET)  # GREENRATE_UNSIGNED_RATINGS=refuse
    db, client = services_of(app).db, app.test_client()
    # the stored answer edited: its score only (the columns say otherwise), or body and columns alike (only
    # the re-derivation tells); and one rated by a model this release no longer has (retired, consistent)
    _edit_body(db, edited["id"], columns=False, score=edited["score"] + 9)
    _edit_body(db, consistent["id"], columns=True, score=consistent["score"] + 9, grade="dark_green")
    _edit_body(db, retired["id"], columns=True, versions__model="sc-retired")
    assert count_unsigned(db) == 4
    refused = client.get(f"/v1/ratings/{good['id']}", headers=bearer(key))
    assert refused.status_code == 500 and refused.get_json()["message"] == UNSIGNED_MESSAGE

    before = _snapshot(db)
    dry = _sign(legacy_url)
    assert dry.exit_code == LEFT_UNSIGNED_EXIT, dry.output  # some would be left unsigned
    assert _snapshot(db) == before and not _signed_events(dry)  # nothing written, nothing logged
    out = dry.stdout
    assert f"{good['id']} (tenant bank-a, issued " in out
    assert "would sign: re-derived byte for byte" in out.split(good["id"], 1)[1].splitlines()[0]
    assert f"dry run, nothing written: would sign 1 rating(s) with key {KEY.id}" in out
    assert "3 left unsigned (listed above)" in out
    lines = {rating["id"]: next(line for line in out.splitlines() if line.startswith(rating["id"]))
             for rating in (edited, consistent, retired)}
    assert "left unsigned: its record is not consistent with itself: score: column" in lines[edited["id"]]
    assert "left unsigned: differs from its re-derivation at score, grade" in lines[consistent["id"]]
    assert "left unsigned: cannot be re-derived by this release: model sc-retired is not in the registry" \
        in lines[retired["id"]]

    applied = _sign(legacy_url, "--apply", "--batch-size", "2")  # two batches, two transactions
    assert applied.exit_code == LEFT_UNSIGNED_EXIT, applied.output
    assert f"signed 1 rating(s) with key {KEY.id}" in applied.stdout and "3 left unsigned" in applied.stdout
    assert "stays refused under GREENRATE_UNSIGNED_RATINGS=refuse" in applied.stdout
    (event,) = _signed_events(applied)
    assert event["rating_id"] == good["id"] and event["tenant"] == "bank-a" and event["level"] == "warning"
    assert event["signed_with"] == KEY.id and event["actor"].startswith("cli/")
    assert event["issued_by"] == "bank" and event["seq"] == _seq(db, good["id"])
    served = client.get(f"/v1/ratings/{good['id']}", headers=bearer(key))
    assert served.status_code == 200 and served.get_json() == good  # as issued, now under refuse
    assert client.get(f"/v1/ratings/{good['id']}/disclosure", headers=bearer(key)).status_code == 200
    for left in (edited, consistent, retired):
        answer = client.get(f"/v1/ratings/{left['id']}", headers=bearer(key))
        assert answer.status_code == 500 and answer.get_json()["message"] == UNSIGNED_MESSAGE
    proven = _verify(legacy_url, good["id"])
    assert proven.exit_code == 0, proven.output
    assert "signature valid (added after issue by `greenrate ratings sign-unsigned`" in proven.output
    # the one signed after issue does not make those left unsigned look recorded after signing began
    assert "warning: unsigned (issued before signing)" in _verify(legacy_url, retired["id"], "serve").output

    signed = _snapshot(db)
    again = _sign(legacy_url, "--apply")  # idempotent: nothing signed twice, the same three listed
    assert again.exit_code == LEFT_UNSIGNED_EXIT, again.output
    assert "signed 0 rating(s)" in again.stdout and "3 left unsigned" in again.stdout
    assert good["id"] not in again.stdout and not _signed_events(again)
    assert _snapshot(db) == signed
    assert count_unsigned(db) == 3

    # once those are erased, none is left: exit 0
    env = {"GREENRATE_DATABASE_URL": legacy_url}
    for left in (edited, consistent, retired):
        erased = CliRunner().invoke(main, ["ratings", "erase", left["id"], "--reason", "test clean-up"],
                                    env=env)
        assert erased.exit_code == 0, erased.output
    done = _sign(legacy_url, "--apply")
    assert done.exit_code == 0, done.output
    assert "signed 0 rating(s)" in done.stdout and "0 left unsigned" in done.stdout


def test_a_rating_unsigned_after_signing_began_is_signed_only_when_asked(
    make_backend_app: AppFactory,
) -> None:
    """Unsigned after the first rating signed at issue: the previous release's, written during the upgrade,
    or a row inserted since by someone else with the service's role; held back unless asked."""
    app = make_backend_app(SECRET_KEY=SECRET)
    key = create_key(app)
    first, second = _issue(app, key, "Cafe 1"), _issue(app, key, "Cafe 2")
    db, url = services_of(app).db, str(services_of(app).settings.database_url)
    with db.begin() as conn, guard_lifted(conn, "ratings"):  # as the release before 0018 writes it
        conn.execute(update(ratings).where(ratings.c.id == second["id"]).values(
            signature=None, result_sha256=None, signature_v2=None, code_revision=None))
    held = _sign(url, "--apply")
    assert held.exit_code == LEFT_UNSIGNED_EXIT, held.output
    assert f"recorded after the first rating signed at issue (seq {_seq(db, first['id'])})" in held.stdout
    assert "--include-after-signing" in held.stdout and first["id"] not in held.stdout
    assert count_unsigned(db) == 1
    asked = _sign(url, "--apply", "--include-after-signing")
    assert asked.exit_code == 0, asked.output
    assert f"{second['id']} (tenant bank-a, issued " in asked.stdout and "signed 1 rating(s)" in asked.stdout
    assert app.test_client().get(f"/v1/ratings/{second['id']}", headers=bearer(key)).get_json() == second


def _seq(db: Engine, rating_id: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(ratings.c.seq).where(ratings.c.id == rating_id)).scalar_one())


def test_a_rating_signed_meanwhile_is_never_signed_again_nor_over(make_backend_app: AppFactory) -> None:
    """Two runs at once: each re-derives the same ratings; the one that commits second signs nothing, with
    the same key or another (the conditional UPDATE), and the first signature stays."""
    app = make_backend_app(SECRET_KEY=SECRET)
    key = create_key(app)
    rating = _issue(app, key, "Cafe 1")
    db = services_of(app).db
    with db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).values(
            signature=None, result_sha256=None, signature_v2=None, code_revision=None))
    raters = Raters(db)
    (batch,) = unsigned.unsigned_batches(db)
    judged = [unsigned.judge(raters, row, KEY, None) for row in batch]
    also = [unsigned.judge(raters, row, OTHER, None) for row in batch]
    assert [item.rating_id for item in judged if item.signable] == [rating["id"]]
    assert [item.rating_id for item in unsigned.sign(db, judged, KEY, actor="t", build="b")] == [rating["id"]]
    signed = _snapshot(db)
    assert signed[0]["signature"].startswith(f"v1:{KEY.id}:")
    assert unsigned.sign(db, judged, KEY, actor="t", build="b") == []
    assert unsigned.sign(db, also, OTHER, actor="t", build="b") == []
    assert _snapshot(db) == signed
    assert list(unsigned.unsigned_batches(db)) == []


#: 20,000 ratings signed at issue (a signature's shape is enough for the plan) and 3 from before signing
_FILL = """
INSERT INTO ratings (id, tenant, input_hash, input_json, result_json, model_version, standard_version,
    factor_set_version, schema_version, engine_version, score, grade, issued_at, valid_until, signature)
SELECT 'rt_' || n, 'bank-a', md5(n::text) || md5(n::text), '{}', '{"pad": "' || repeat('x', 600) || '"}',
    'sc-1', 'std', 'fs', '1.6', '1.7', mod(n, 100), 'green',
    timestamptz '2026-12-01' - n * interval '1 second', timestamptz '2027-12-01',
    CASE WHEN n IN (7, 5000, 19999) THEN NULL ELSE 'v1:k:' || md5(n::text) END
FROM generate_series(1, 20000) AS n
"""


@pytest.fixture
def filled(postgres_url: str) -> Iterator[Engine]:
    yield from filled_database(postgres_url, _FILL)


def _plan(db: Engine, sql: str) -> dict[str, Any]:
    with db.connect() as conn:
        raw = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").scalar()
    plan: dict[str, Any] = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _count_sql(db: Engine) -> str:
    query = select(func.count()).select_from(ratings).where(ratings.c.signature.is_(None))
    return str(query.compile(dialect=db.dialect, compile_kwargs={"literal_binds": True}))


@pytest.mark.integration
def test_the_upgrades_unsigned_count_reads_the_unsigned_ratings_only(filled: Engine) -> None:
    assert count_unsigned(filled) == 3
    nodes = list(_nodes(_plan(filled, _count_sql(filled))))
    assert {node.get("Index Name") for node in nodes} >= {"ix_ratings_unsigned"}, nodes
    assert not any(node["Node Type"] == "Seq Scan" for node in nodes), nodes
    assert max(int(n["Actual Rows"]) + int(n.get("Rows Removed by Filter", 0)) for n in nodes) <= 3, nodes
    # and so does each batch of sign-unsigned
    batch = select(ratings).where(ratings.c.signature.is_(None), ratings.c.seq > 7).order_by(ratings.c.seq)
    sql = str(batch.limit(500).compile(dialect=filled.dialect, compile_kwargs={"literal_binds": True}))
    assert "ix_ratings_unsigned" in {node.get("Index Name") for node in _nodes(_plan(filled, sql))}


def test_sqlite_counts_the_unsigned_ratings_by_their_index(tmp_path: Any) -> None:
    db = create_engine(f"sqlite:///{tmp_path / 'count.sqlite3'}")
    migrate.upgrade(db)
    with db.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {_count_sql(db)}"))
    db.dispose()
    # the index's entries (the unsigned ratings), not the table's rows ("SCAN ratings" alone, before 0021)
    assert re.fullmatch(r"(SCAN|SEARCH) ratings USING (COVERING )?INDEX ix_ratings_unsigned\b.*", plan), plan
