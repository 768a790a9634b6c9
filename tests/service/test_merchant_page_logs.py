"""The access log never names a merchant page rating: its id is the link to the owner's answers and name.

A page rating is read with no key, by its id alone (``/result/rt_...``); the access line named the id of
every result, disclosure and PDF served, so whoever read the logs could open each owner's result
(data-protection review). The API's lines keep naming the rating a key was answered, which needs the key.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import AppFactory, bearer, create_key, payload
from tests.service.test_merchant_page import FORM, SECRET, _token


def test_the_access_log_names_no_page_rating_but_the_apis(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(ACCESS_LOG=True, SECRET_KEY=SECRET)
    client = app.test_client()
    location = client.post("/?lang=en", data={**FORM, "csrf_token": _token(client)}).headers["Location"]
    page_id = location.split("/")[2].split("?")[0]
    for path in (location, f"/result/{page_id}/disclosure?as=json", f"/result/{page_id}/disclosure"):
        assert client.get(path).status_code == 200
    key = create_key(app)
    api_id = client.post("/v1/ratings", json=payload(), headers=bearer(key)).get_json()["id"]
    assert client.get(f"/v1/ratings/{api_id}", headers=bearer(key)).status_code == 200
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    pages = [line for line in access if line["route"].startswith("/result/") or line["route"] == "/"]
    assert len(pages) >= 5 and all(line["rating_id"] is None for line in pages), pages
    assert all(line["request_id"] for line in pages)  # still traced
    assert page_id not in captured.out + captured.err
    assert [line["rating_id"] for line in access if line["route"].startswith("/v1/ratings")] == [api_id] * 2


def test_an_unsigned_page_rating_served_is_logged_without_its_id(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``GREENRATE_UNSIGNED_RATINGS=serve`` every read of a rating recorded without a signature is a
    WARNING line; a page rating's named its id, the link to the owner's result, on every view."""
    from sqlalchemy import update
    from structlog.testing import capture_logs

    from service.records.append_only import guard_lifted
    from service.records.tables import ratings
    from tests.conftest import services_of

    app = make_app(SECRET_KEY=SECRET, UNSIGNED_RATINGS="serve")
    client = app.test_client()
    location = client.post("/?lang=en", data={**FORM, "csrf_token": _token(client)}).headers["Location"]
    page_id = location.split("/")[2].split("?")[0]
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings", ("UPDATE",)):
        conn.execute(update(ratings).where(ratings.c.id == page_id)
                     .values(signature=None, signature_v2=None, result_sha256=None, code_revision=None))
    with capture_logs() as logs:
        assert client.get(location).status_code == 200
    (event,) = [e for e in logs if e["event"] == "rating_unsigned_served"]
    assert event["tenant"] == "_public" and event["rating_id"] is None and event["read"] == "with_input"
    assert page_id not in json.dumps(logs)
