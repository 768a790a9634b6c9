"""Side channels of this session's surfaces, held shut: a conditional read of a rating, the 503 after a
COMMIT, and the disclosure's knock-out section.

A security review of the ETag on ``GET /v1/ratings/{id}`` (304, 412), the 503 that says a change may have
been recorded (:mod:`service.lost_answers`) and the knock-outs the disclosure prints from the stored rating
and the standard found nothing open; these tests keep it so:

- ``If-None-Match`` and ``If-Match`` are evaluated only once the key, tenant and record were checked: for a
  rating of another tenant, of another merchant or erased from another tenant, every condition answers the
  same status, message and header names as an id never issued (a 304 or a 412 would confirm that it exists);
- one request's COMMIT does not make another's 503 say "may have been recorded": the mark is on the
  request's own ``g``, so neither the next request on the worker nor a concurrent one in another thread
  (gunicorn's gthread workers) inherits it;
- texts the page and the PDF take from the stored rating (a knock-out's name, trigger and remedy) are escaped.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from service.disclosure.render import render_html
from service.lost_answers import UNREACHED
from service.ratings import erasure
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

#: Every kind of condition a caller may send, a matching and a non-matching tag of each (``{tag}``: the
#: rating's own ETag, as its tenant reads it).
CONDITIONS = [
    {}, {"If-None-Match": "{tag}"}, {"If-None-Match": "W/{tag}"}, {"If-None-Match": "*"},
    {"If-None-Match": '"0000"'}, {"If-Match": "{tag}"}, {"If-Match": "*"}, {"If-Match": '"0000"'},
    {"If-Match": '"0000"', "If-None-Match": "{tag}"},
]


def _shape(answer: TestResponse) -> tuple[int, str | None, list[str]]:
    """What a caller can tell an answer by: its status, its message and which headers it carries."""
    message = answer.json["message"] if answer.is_json else None
    names = sorted(name for name in answer.headers.keys() if name != "Content-Length")
    return answer.status_code, message, names


def test_no_condition_tells_a_foreign_or_erased_rating_from_a_missing_one(make_app: AppFactory) -> None:
    app = make_app(RATE_LIMIT="100000 per minute")
    client = app.test_client()
    owner, stranger = create_key(app, "bank-a", "bank"), create_key(app, "bank-b", "bank")
    other_merchant = create_key(app, "bank-a", "merchant", merchant_id="m-2")
    kept = client.post("/v1/ratings", json=payload(), headers=bearer(owner)).json["id"]
    erased = client.post("/v1/ratings", json=payload(name="Erased shop"), headers=bearer(owner)).json["id"]
    tags = {r: client.get(f"/v1/ratings/{r}", headers=bearer(owner)).headers["ETag"] for r in (kept, erased)}
    erasure.erase_rating(services_of(app).db, erased, reason="the owner's request", actor="cli/test")
    missing = "rt_" + "0" * 32
    checked = 0
    for key in (stranger, other_merchant):
        for condition in CONDITIONS:
            def read(rating_id: str, tag: str, key: str = key, condition: dict[str, str] = condition) -> Any:
                headers = {name: value.format(tag=tag) for name, value in condition.items()}
                return client.get(f"/v1/ratings/{rating_id}", headers={**bearer(key), **headers})

            never = _shape(read(missing, tags[kept]))
            assert never[0] == 404, (condition, never)
            assert _shape(read(kept, tags[kept])) == never, condition  # not 304, 412 nor 200
            assert _shape(read(erased, tags[erased])) == never, condition  # not 410: erased from bank-a
            checked += 1
    assert checked == 2 * len(CONDITIONS)
    # the owner's tenant is told, after the same checks: 304 for its tag, 410 for the erased one
    assert client.get(f"/v1/ratings/{kept}", headers={**bearer(owner), "If-None-Match": tags[kept]}
                      ).status_code == 304
    assert client.get(f"/v1/ratings/{erased}", headers={**bearer(owner), "If-None-Match": tags[erased]}
                      ).status_code == 410


def _fail_inserts(app: Flask) -> dict[str, int]:
    """Make the next ``failures["left"]`` ``INSERT INTO ratings`` fail before any COMMIT is sent."""
    failures = {"left": 0}

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO ratings") and failures["left"]:
            failures["left"] -= 1
            raise OperationalError(statement, {}, ConnectionError("server closed the connection"))

    event.listen(services_of(app).db, "before_cursor_execute", fail)
    return failures


def test_a_commit_sent_by_an_earlier_request_does_not_change_the_next_one_s_503(make_app: AppFactory) -> None:
    app = make_app()
    client, bank = app.test_client(), create_key(app, "bank-a", "bank")
    assert client.post("/v1/ratings", json=payload(), headers=bearer(bank)).status_code == 201  # committed
    failures = _fail_inserts(app)
    failures["left"] = 1
    refused = client.post("/v1/ratings", json=payload(name="Second shop"), headers=bearer(bank))
    assert refused.status_code == 503 and refused.json["message"] == UNREACHED


def test_a_commit_sent_by_a_concurrent_request_does_not_change_another_s_503(make_app: AppFactory) -> None:
    """Request A has sent its COMMIT and is held there while request B, in another thread, fails before
    sending one: B still says nothing was changed."""
    app = make_app()
    bank = create_key(app, "bank-a", "bank")
    committed, release = threading.Event(), threading.Event()

    def hold_a(conn: Any) -> None:
        if threading.current_thread().name == "request-a":
            committed.set()
            release.wait(10)

    event.listen(services_of(app).db, "commit", hold_a)
    answers: dict[str, TestResponse] = {}

    def request_a() -> None:
        answers["a"] = app.test_client().post("/v1/ratings", json=payload(name="A"), headers=bearer(bank))

    thread = threading.Thread(target=request_a, name="request-a")
    thread.start()
    try:
        assert committed.wait(10)
        _fail_inserts(app)["left"] = 1
        answers["b"] = app.test_client().post("/v1/ratings", json=payload(name="B"), headers=bearer(bank))
    finally:
        release.set()
        thread.join(10)
    assert answers["a"].status_code == 201
    assert answers["b"].status_code == 503 and answers["b"].json["message"] == UNREACHED


_HOSTILE = '<script>alert(1)</script><img src="file:///etc/passwd">{0}{grade}'


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_knock_out_section_escapes_what_it_reads_from_the_rating(
    app: Flask, bank_key: str, lang: str
) -> None:
    from tests.service.test_disclosure_grade_caps import _rate, _salon

    client = app.test_client()
    rating_id = _rate(client, bank_key, _salon())["id"]
    doc: dict[str, Any] = client.get(f"/v1/ratings/{rating_id}/disclosure", headers=bearer(bank_key)).json
    assert doc["rating"]["knock_outs"]
    texts = ("name", "name_zh", "trigger", "trigger_zh", "remedy", "remedy_zh")
    for cap in doc["rating"]["knock_outs"]:
        cap.update(dict.fromkeys(texts, _HOSTILE))
    with app.test_request_context():
        page = render_html(doc, lang)  # the PDF is printed from this very HTML
    assert "<script>" not in page and "<img" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # name, trigger, remedy
    assert "{0}{grade}" in page  # printed as given, never formatted
