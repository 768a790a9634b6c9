"""A recorded comparison counts for a promotion only against the champion as it stands, and not for ever."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, update

from service.models import register_packaged_default
from service.records import activation, comparisons, registry
from service.records.clock import database_time
from service.records.model_tables import active_model, model_comparisons
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.model_fixtures import compared_data, compared_summary, record_comparison
from tests.service.test_model_registry import DEFAULT_VERSION, FITS
from tests.service.test_model_registry_activation import _activations, _registered

#: Past the resolution of SQLite's clock (milliseconds), so that one step's moment is after the previous one's
_TICK = 0.01


def _db_now(db: Engine) -> datetime:
    with db.connect() as conn:
        return database_time(conn)


def aged(db: Engine, challenger: str, champion: str, days: float) -> None:
    """A comparison that passes every content check, recorded ``days`` ago on the database's clock, with the
    champion active since twice as long (so that only its age can tell)."""
    now = _db_now(db)
    with db.begin() as conn:
        conn.execute(update(active_model).values(activated_at=now - timedelta(days=2 * days)))
        conn.execute(insert(model_comparisons).values(
            challenger=challenger, champion=champion, data_json=json.dumps(compared_data()),
            summary_json=json.dumps(compared_summary()), recorded_by="bank-a/ann",
            at=now - timedelta(days=days)))


def _promote(client: Any, key: str, version: str) -> Any:
    return client.post(f"/v1/models/{version}/activate", headers=bearer(key),
                       json={"reason": "CR-60 approved", "replacing": DEFAULT_VERSION})


def test_a_comparison_older_than_the_validity_period_no_longer_counts(make_app: AppFactory) -> None:
    """A validator's review: a comparison recorded months before, on a population that had drifted since,
    still let a challenger through; nothing ever expired."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    (b,) = _registered(db, "aged")
    aged(db, b, DEFAULT_VERSION, days=40)
    why = (r"comparison #1 not counted: it was recorded 40 days ago, on \d{4}-\d\d-\d\d, and a comparison "
           r"counts for 30 days \(GREENRATE_MODEL_COMPARISON_VALID_DAYS\): the population it was made on may "
           r"have drifted since")
    with pytest.raises(activation.NoComparison, match=why):
        activation.activate(db, b, actor="bob", reason="CR-60", fits=FITS, replacing=DEFAULT_VERSION,
                            require_comparison=True)
    checker = create_key(app, "bank-a", "analyst")
    refused = _promote(client, checker, b)
    assert refused.status_code == 409 and "it was recorded 40 days ago" in refused.json["message"]
    (listed,) = client.get(f"/v1/models/{b}/comparisons", headers=bearer(checker)).json["items"]
    assert listed["counted"] is False and "recorded 40 days ago" in listed["not_counted"]
    at, until = (datetime.fromisoformat(listed[k].replace("Z", "+00:00")) for k in ("at", "valid_until"))
    assert until - at == timedelta(days=30)
    # a bank whose validation allows a quarter says so, and the same evidence counts
    quarterly = make_app(DATABASE_URL=services_of(app).settings.database_url, MODEL_COMPARISON_VALID_DAYS=90)
    listed = quarterly.test_client().get(f"/v1/models/{b}/comparisons", headers=bearer(checker)).json["items"]
    assert [(c["counted"], c["not_counted"]) for c in listed] == [(True, None)]
    assert _promote(quarterly.test_client(), checker, b).status_code == 200
    assert "[comparison #1: 5000 rows of holdout.parquet" in _activations(db)[-1].reason


def test_a_comparison_made_before_the_champion_last_became_active_no_longer_counts(
    make_app: AppFactory,
) -> None:
    """A comparison against the default, recorded before another model was promoted and then rolled back,
    had let a challenger through against the default on its return: evidence made against a champion
    that has been replaced since is not evidence about it as it now stands."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    b, c = _registered(db, "b", "c")
    record_comparison(db, b, DEFAULT_VERSION)
    time.sleep(_TICK)
    activation.activate(db, c, actor="bob", reason="CR-63 c", fits=FITS, replacing=DEFAULT_VERSION)
    activation.rollback(db, actor="bob", reason="CR-64 c misgrades", fits=FITS, undoing=c)
    with pytest.raises(activation.NoComparison, match=(
        rf"comparison #1 not counted: it was recorded on .* UTC, before '{DEFAULT_VERSION}' last became "
        r"the active model, on .* UTC: a comparison counts only if made against the champion while it is "
        r"the active model; record it again")):
        activation.activate(db, b, actor="bob", reason="CR-65", fits=FITS, replacing=DEFAULT_VERSION,
                            require_comparison=True)
    record_comparison(db, b, DEFAULT_VERSION)
    activation.activate(db, b, actor="bob", reason="CR-65", fits=FITS, replacing=DEFAULT_VERSION,
                        require_comparison=True)
    reason = _activations(db)[-1].reason
    assert "comparison #1 not counted: it was recorded on" in reason and "comparison #2: 5000 rows" in reason


def test_a_comparison_against_another_champion_is_listed_as_not_counted(make_app: AppFactory) -> None:
    """`counted` had meant "would count if its champion were active": an approver read a comparison against
    a model that was not the champion as counted evidence."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    b, c = _registered(db, "b", "c")
    record_comparison(db, b, c)
    checker = create_key(app, "bank-a", "analyst")
    (listed,) = client.get(f"/v1/models/{b}/comparisons", headers=bearer(checker)).json["items"]
    assert listed["counted"] is False
    expected = f"its champion '{c}' is not the active model ('{DEFAULT_VERSION}' is)"
    assert listed["not_counted"].startswith(expected)


def test_a_promotion_is_conditional_on_the_champion_s_tenure_it_judged(make_app: AppFactory) -> None:
    """Between the gate's reading and the write, a promotion and a rollback back to the same champion make
    the comparisons recorded before them stale: the conditional write fails and the gate reads again."""
    app = make_app()
    db = services_of(app).db
    register_packaged_default(db)
    b, c = _registered(db, "b", "c")
    judged = comparisons.standing(db, 30)
    time.sleep(_TICK)
    activation.activate(db, c, actor="bob", reason="CR-66 c", fits=FITS)
    activation.rollback(db, actor="bob", reason="CR-67 undo", fits=FITS, undoing=c)
    assert registry.active_version(db) == DEFAULT_VERSION
    assert not activation._switch(db, b, DEFAULT_VERSION, action="promote", reason="CR-68", actor="bob",
                                  since=judged.active_since)
    assert registry.active_version(db) == DEFAULT_VERSION
    assert activation._switch(db, b, DEFAULT_VERSION, action="promote", reason="CR-68", actor="bob",
                              since=comparisons.standing(db, 30).active_since)
    assert registry.active_version(db) == b


def _earlier_release_recorded(db: Engine, challenger: str, champion: str, auc: float, **data: Any) -> None:
    """A comparison kept by an earlier release, without this release's checks on its content.

    Dated on the transaction's own connection: a second one opened inside it waits for ever on a pool of
    one (PostgreSQL's, at GREENRATE_THREADS=1), where SQLite's pool hands out another.
    """
    metric = {"champion": 0.70, "challenger": auc, "delta": auc - 0.70, "ci_low": -0.01, "ci_high": 0.01}
    with db.begin() as conn:
        conn.execute(insert(model_comparisons).values(
            challenger=challenger, champion=champion, data_json=json.dumps({**compared_data(), **data}),
            summary_json=json.dumps(compared_summary(metrics={"auc": metric})), recorded_by="cli/ann",
            at=database_time(conn)))


def test_measured_shows_what_the_gate_counts_or_says_it_does_not(make_backend_app: AppFactory) -> None:
    """A validator's review: `measured` showed the newest recorded comparison whatever the gate made of
    it; one recorded on the challenger's own training file (AUC 0.95) was listed as its measured metrics
    while the gate set it aside."""
    app = make_backend_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    b, c, d = _registered(db, "b", "c", "d")
    analyst = create_key(app, "bank-a", "analyst")

    def measured(version: str) -> dict[str, Any]:
        items = client.get("/v1/models", headers=bearer(analyst)).json["items"]
        return next(i["measured"] for i in items if i["version"] == version)  # type: ignore[no-any-return]

    _earlier_release_recorded(db, b, DEFAULT_VERSION, 0.95, trained_on_it=[b])  # #1, in-sample
    shown = measured(b)
    assert (shown["comparison"], shown["metrics"], shown["counted"]) == (1, {"auc": 0.95}, False)
    assert shown["not_counted"].endswith("was trained on holdout.parquet: its metrics there are optimistic, "
                                         "so they are no evidence for a promotion; compare on data it has "
                                         "not seen")
    _earlier_release_recorded(db, b, DEFAULT_VERSION, 0.69)  # #2, counted
    _earlier_release_recorded(db, b, DEFAULT_VERSION, 0.97, trained_on_it=[b])  # #3, newest, in-sample
    shown = measured(b)
    assert (shown["comparison"], shown["metrics"], shown["counted"], shown["not_counted"]) == (
        2, {"auc": 0.69}, True, None)
    assert measured(DEFAULT_VERSION)["comparison"] == 2  # the champion's side reads the same rule
    # against a model that is not the champion: shown, and marked
    _earlier_release_recorded(db, c, d, 0.71)
    assert measured(c)["counted"] is False and "is not the active model" in measured(c)["not_counted"]
    assert measured(d)["not_counted"] == measured(c)["not_counted"]
    listing = client.get("/openapi.json").json["components"]["schemas"]["Measured"]
    assert {"counted", "not_counted"} <= set(listing["required"])


def test_the_cli_listing_marks_what_the_gate_does_not_count(make_backend_app: AppFactory) -> None:
    from click.testing import CliRunner

    from service.cli import main

    app = make_backend_app()
    db = services_of(app).db
    register_packaged_default(db)
    (b,) = _registered(db, "b")
    _earlier_release_recorded(db, b, DEFAULT_VERSION, 0.95, trained_on_it=[b])
    env = {"GREENRATE_DATABASE_URL": services_of(app).settings.database_url}
    listed = CliRunner().invoke(main, ["model", "list"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.output.splitlines() if "measured" in line and "as challenger" in line)
    assert "#1" in line and "0.950" in line and "; NOT COUNTED: " in line
    assert "was trained on holdout.parquet" in line


def _queries(db: Engine, run: Callable[[], Any]) -> int:
    """How many statements ``run()`` sends to ``db``."""
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    event.listen(db, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db, "before_cursor_execute", count)
    return sent[0]


def test_the_listings_queries_do_not_grow_with_the_recorded_comparisons(make_app: AppFactory) -> None:
    """A review: `GET /v1/models` and `GET /v1/models/{version}/comparisons` read the champion's registry
    row (two queries) for every recorded comparison the gate judged: 2,012 queries and 0.8 s at 1,000 of
    them, in a table that only grows (`greenrate model compare` records by default). The gate reads what
    it needs once per model compared, so the same models compared 8 or 40 times cost the same queries;
    what is counted and why does not change."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    register_packaged_default(db)
    b, c, d = _registered(db, "b", "c", "d")
    analyst = create_key(app, "bank-a", "analyst")
    # against the active model (counted), and against one that is not (set aside, another champion read)
    pairs = [(b, DEFAULT_VERSION), (c, DEFAULT_VERSION), (d, c), (b, c)]
    listings = {"models": "/v1/models", "comparisons": f"/v1/models/{DEFAULT_VERSION}/comparisons",
                "of b": f"/v1/models/{b}/comparisons"}
    cost: dict[int, dict[str, int]] = {}
    client.get("/v1/models", headers=bearer(analyst))  # an app's first request makes reads of its own
    recorded = 0
    for total in (8, 40):
        for challenger, champion in pairs * ((total - recorded) // len(pairs)):
            _earlier_release_recorded(db, challenger, champion, 0.71)
        recorded = total
        cost[total] = {name: _queries(db, lambda path=path: client.get(path, headers=bearer(analyst)))
                       for name, path in listings.items()}
        listed = client.get(f"/v1/models/{DEFAULT_VERSION}/comparisons", headers=bearer(analyst)).json
        assert len(listed["items"]) == total // 2
        assert all(item["counted"] for item in listed["items"])
        of_b = client.get(f"/v1/models/{b}/comparisons", headers=bearer(analyst)).json["items"]
        assert [item["counted"] for item in of_b] == [True, False] * (total // 4)
        assert all(item["not_counted"].startswith(f"its champion '{c}' is not the active model")
                   for item in of_b[1::2])
    assert cost[8] == cost[40], cost
