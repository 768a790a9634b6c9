"""What a write's 503 says when its COMMIT was sent and its answer lost (service/lost_answers.py).

Every 503 of an unreachable database said "nothing was issued or changed", also for a write whose COMMIT
the server had applied: a model upload so answered was registered, and its client met 409 on its retry
(concurrency review). Now a write that sent a COMMIT says its change may have been recorded, and whether
the same request may be sent again, which is checked here against what the retry really does; a request
that sent none still says nothing was changed. The one error body is kept.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from service.lost_answers import NOT_KNOWN, UNREACHED, declared
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.test_model_registry_retries import LostAnswer
from tests.service.test_portfolios import as_file, book, portfolio_app, upload  # noqa: F401 - a fixture

#: Writes that answer with a page of their own, not the API's error body (the merchant page's form).
_PAGES = {"merchant_page.rate"}


def test_every_write_says_what_its_lost_answer_allows(app: Flask) -> None:
    """A write added later without a declaration would say only "read what it would have changed"."""
    writes = [(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"})
              if rule.endpoint not in _PAGES]
    assert len(writes) >= 11
    undeclared = [(endpoint, method) for endpoint, method in writes
                  if declared(app.view_functions[endpoint], method) is None]
    assert undeclared == []


def _count(db: Engine, table: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # the test's own names


@dataclass
class Setup:
    client: FlaskClient
    db: Engine
    bank: str
    admin: str


@dataclass(frozen=True)
class Write:
    """A write whose COMMIT's answer is lost (``statement`` names its transaction), then sent again."""

    statement: str
    send: Callable[[Setup], Any]
    retried: int  # the status of the same request sent again
    said: str  # what the 503 says of a retry
    table: str
    kept: int  # rows of ``table`` after the retry: the change made once


def _profile(s: Setup) -> Any:
    return s.client.put("/v1/merchants/m-1/profile", json=payload(), headers=bearer(s.bank))


def _revoke(s: Setup) -> Any:
    return s.client.delete("/v1/keys/1", headers=bearer(s.admin))


_WRITES = {
    "rating": Write("INSERT INTO ratings",
                    lambda s: s.client.post("/v1/ratings", json=payload(), headers=bearer(s.bank)),
                    201, "Sending the same request again is safe", "ratings", 1),
    "batch": Write("INSERT INTO ratings",
                   lambda s: s.client.post("/v1/ratings/batch", headers=bearer(s.bank),
                                           json={"items": [payload(employees=3), payload(employees=4)]}),
                   200, "Sending the same batch again is safe", "ratings", 2),
    "profile": Write("INSERT INTO merchant_profiles", _profile, 200,
                     "Sending the same request again is safe", "merchant_profiles", 1),
    "one-click": Write("INSERT INTO ratings",
                       lambda s: s.client.post("/v1/merchants/m-1/rating", headers=bearer(s.bank)),
                       201, "Sending it again is safe", "ratings", 1),
    "profile deleted": Write("DELETE FROM merchant_profiles",
                             lambda s: s.client.delete("/v1/merchants/m-1/profile", headers=bearer(s.bank)),
                             404, "404 then means the profile was deleted", "merchant_profiles", 0),
    "key revoked": Write("UPDATE api_keys", _revoke, 204, "Sending it again is safe",
                         "api_keys WHERE revoked_at IS NOT NULL", 1),
}


@pytest.mark.parametrize("name", list(_WRITES))
def test_a_write_whose_commit_answer_is_lost_says_so_and_its_retry_is_done_once(
    make_app: AppFactory, name: str
) -> None:
    write = _WRITES[name]
    app = make_app()
    db = services_of(app).db
    s = Setup(app.test_client(), db, create_key(app, "bank-a", "bank"), create_key(app, "bank-a", "admin"))
    if name in ("one-click", "profile deleted"):
        assert _profile(s).status_code == 200
    if name == "key revoked":  # key 1 is the bank key, revoked by the tenant's admin
        create_key(app, "bank-a", "bank")
    lost = LostAnswer(db, write.statement)
    first = write.send(s)
    assert lost.fired == 1 and first.status_code == 503, first.json
    assert set(first.json) == {"code", "status", "message", "request_id"}  # the one error body
    assert first.json["message"].startswith(NOT_KNOWN) and write.said in first.json["message"], first.json
    assert "nothing was issued or changed" not in first.json["message"]
    again = write.send(s)
    assert again.status_code == write.retried, again.json
    assert _count(db, write.table) == write.kept


def test_a_key_created_with_its_answer_lost_is_not_said_safe_to_create_again(make_app: AppFactory) -> None:
    """Creating a key is not replay-safe: without an Idempotency-Key a retry makes a second key, and with
    one the retry cannot show the secret; the 503 says what to do instead."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    admin = create_key(app, "bank-a", "admin")
    LostAnswer(db, "INSERT INTO api_keys")
    bare = client.post("/v1/keys", json={"role": "bank", "label": "till 1"}, headers=bearer(admin))
    assert bare.status_code == 503 and bare.json["message"].startswith(NOT_KNOWN)
    assert "Do not send it again as it is" in bare.json["message"] and "safe" not in bare.json["message"]
    LostAnswer(db, "INSERT INTO api_keys")
    keyed = {**bearer(admin), "Idempotency-Key": "till-2"}
    lost = client.post("/v1/keys", json={"role": "bank", "label": "till 2"}, headers=keyed)
    assert lost.status_code == 503 and "with the same Idempotency-Key creates no second key" in lost.json[
        "message"]
    again = client.post("/v1/keys", json={"role": "bank", "label": "till 2"}, headers=keyed)
    assert again.status_code == 409 and "key" not in again.json  # as the message said: no secret
    assert _count(db, "api_keys") == 3


def test_a_write_that_sent_no_commit_still_says_nothing_was_changed(make_app: AppFactory) -> None:
    """A statement that fails takes its transaction with it: that is known, and said as before."""
    app = make_app()
    client, db = app.test_client(), services_of(app).db
    bank = create_key(app, "bank-a", "bank")
    failed: list[str] = []

    def fail_the_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO ratings") and not failed:
            failed.append(statement)
            raise OperationalError(statement, {}, ConnectionError("server closed the connection"))

    event.listen(db, "before_cursor_execute", fail_the_insert)
    refused = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert failed and refused.status_code == 503
    assert refused.json["message"] == UNREACHED and _count(db, "ratings") == 0


@pytest.mark.integration
def test_a_portfolio_upload_or_cancel_whose_answer_is_lost_is_sent_again_safely(
    portfolio_app: Flask, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    client, db = portfolio_app.test_client(), services_of(portfolio_app).db
    key = create_key(portfolio_app)
    LostAnswer(db, "INSERT INTO portfolio_jobs")
    bare = upload(client, key, as_file(book(20), "book.csv", tmp_path))
    assert bare.status_code == 503 and bare.json["message"].startswith(NOT_KNOWN), bare.json
    assert "safe while a job recorded for it is queued or running" in bare.json["message"]
    LostAnswer(db, "INSERT INTO portfolio_jobs")
    keyed = {**bearer(key), "Idempotency-Key": "book-7"}
    form = {"file": as_file(book(20, seed=7), "book7.csv", tmp_path)}
    lost = client.post("/v1/portfolios", data=form, headers=keyed, content_type="multipart/form-data")
    assert lost.status_code == 503 and "with the same Idempotency-Key is safe" in lost.json["message"]
    form = {"file": as_file(book(20, seed=7), "book7.csv", tmp_path)}
    again = client.post("/v1/portfolios", data=form, headers=keyed, content_type="multipart/form-data")
    assert again.status_code == 202, again.json
    assert _count(db, "portfolio_jobs") == 1  # the lost one was withdrawn (or would be answered again)

    LostAnswer(db, "UPDATE portfolio_jobs")
    cancel = f"/v1/portfolios/{again.json['id']}"
    refused = client.delete(cancel, headers=bearer(key))
    assert refused.status_code == 503 and "it answers the job as it is then" in refused.json["message"]
    cancelled = client.delete(cancel, headers=bearer(key))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"


def test_the_merchant_page_whose_rating_answer_is_lost_does_not_say_nothing_was_saved(
    make_app: AppFactory,
) -> None:
    """The form's 503 said "nothing was saved" (本次未保存任何内容) also once the rating's COMMIT was sent,
    when the rating may have been recorded; it now says so, in the visitor's language, and that the same
    answers sent again are safe, which the retry bears out: the same rating, recorded once."""
    from service.web.routes import REQUEST_REFUSED_FIELD, SWITCH_FIELD
    from tests.service.test_merchant_page import FORM, _app, _token

    app = _app(make_app)
    client, db = app.test_client(), services_of(app).db
    token = _token(client)
    LostAnswer(db, "INSERT INTO ratings")
    lost = client.post("/?lang=en", data={**FORM, "form_token": token})
    page = lost.get_data(as_text=True)
    assert lost.status_code == 503 and lost.mimetype == "text/html" and "Lotus &lt;Tea&gt; House" in page
    said = html.unescape(page)
    assert "so it may have been saved" in said and "Sending them again is safe" in said
    assert "nothing was saved" not in said
    assert f'name="{REQUEST_REFUSED_FIELD}" value="form_unavailable_recorded"' in page
    assert _count(db, "ratings") == 1  # the server had it
    switched = client.post("/?lang=zh", data={**FORM, SWITCH_FIELD: "zh",
                                              REQUEST_REFUSED_FIELD: "form_unavailable_recorded"})
    zh = switched.get_data(as_text=True)
    assert "评级可能已经保存" in zh and "可以放心再次提交" in zh and "本次未保存任何内容" not in zh
    again = client.post("/?lang=en", data={**FORM, "form_token": token})
    assert again.status_code == 303 and _count(db, "ratings") == 1  # answered with the rating recorded
    LostAnswer(db, "INSERT INTO ratings")
    other = client.post("/?lang=zh", data={**FORM, "employees": "9", "form_token": token})
    assert other.status_code == 503 and "评级可能已经保存" in other.get_data(as_text=True)


def test_the_contract_says_a_503_may_follow_a_recorded_change(app: Flask) -> None:
    """The OpenAPI description said that a 503 means "nothing was issued", which a write whose COMMIT was
    sent and whose answer was lost no longer says: its change may have been recorded. A client generated
    from the contract must not read every 503 as a request to send again blindly."""
    description = app.test_client().get("/openapi.json").get_json()["info"]["description"]
    said = " ".join(description.split())
    assert "503 with `Retry-After` and nothing was issued" not in said
    assert "may have been recorded" in said and "whether the same request may be sent again" in said
