"""One JSON error body for every status, from Flask, webargs, the limiter, the engine and the database."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from service.records.ratings import list_ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.live_services import free_port
from tests.service.tampering import TEST_KEY

ERROR_KEYS = {"code", "status", "message", "request_id"}


def assert_error(response, code: int) -> dict:
    assert response.status_code == code, response.data
    assert response.mimetype == "application/json"
    body = response.json
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"errors"}
    assert body["code"] == code and body["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_404_from_flask(client: FlaskClient) -> None:
    assert_error(client.get("/no/such/path"), 404)


def test_405_from_flask_says_what_is_allowed(client: FlaskClient) -> None:
    response = client.delete("/v1/ratings")
    assert_error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_get_on_the_post_only_batch_path_is_405_not_a_missing_rating(client: FlaskClient) -> None:
    response = client.get("/v1/ratings/batch")
    assert_error(response, 405)
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]
    assert client.get("/v1/ratings/batchx").status_code == 401  # an id like any other: the key is checked


def test_500_has_the_shape_and_no_traceback(make_app: AppFactory) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    body = assert_error(app.test_client().get("/boom"), 500)
    assert "secret" not in body["message"]


class LedgerMismatch(RuntimeError):
    """A bug's own exception, as a module of the service would define it."""


def test_a_500_logs_the_class_and_frames_never_the_message(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug whose message quotes a business (its name, here beside a driver error's bound value) put the
    name in the log with the traceback (data-protection review); the class and the frames stay."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def _load_ledger(name: str) -> None:
        try:
            raise KeyError(f"Key (external_id)=({name}-0042) already exists")
        except KeyError as exc:
            raise LedgerMismatch(f"totals of {name} do not add up") from exc

    @app.get("/boom")
    def boom() -> str:
        _load_ledger("Hangzhou Green Noodle House")
        return "unreachable"

    capsys.readouterr()
    assert_error(app.test_client().get("/boom", headers={"X-Request-ID": "boom-1"}), 500)
    captured = capsys.readouterr()
    assert "Green Noodle" not in captured.err + captured.out
    events = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    [line] = [e for e in events if e.get("event") == "unhandled_exception"]
    assert line["request_id"] == "boom-1" and line["level"] == "error"
    exception = line["exception"]
    assert exception["type"] == f"{__name__}.LedgerMismatch"
    assert exception["frames"][-1] == f"{__file__}:{_load_ledger.__code__.co_firstlineno + 4} in _load_ledger"
    assert any(frame.endswith(" in boom") for frame in exception["frames"])
    assert exception["cause"]["type"] == "KeyError" and exception["cause"]["frames"]


def test_a_library_logging_an_exception_logs_no_message_either(make_app: AppFactory) -> None:
    """The standard library's records (SQLAlchemy, gunicorn, RQ log through it) are rendered the same way:
    ``logger.exception`` keeps its own text, not the exception's."""
    import logging
    import sys

    make_app()  # configures the logging
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "greenrate-json"]
    try:
        raise ValueError("Cafe Verde's revenue 3200000")
    except ValueError:
        record = logging.LogRecord("some.library", logging.ERROR, __file__, 1, "query failed", None,
                                   sys.exc_info())
    line = handler.format(record)
    assert "Cafe Verde" not in line
    logged = json.loads(line)
    assert logged["event"] == "query failed" and logged["exception"]["type"] == "ValueError"
    [frame] = logged["exception"]["frames"]
    assert frame.endswith(" in test_a_library_logging_an_exception_logs_no_message_either")


def test_400_malformed_json(client: FlaskClient, bank_key: str) -> None:
    response = client.post(
        "/v1/ratings", data='{"company": ', headers={**bearer(bank_key), "Content-Type": "application/json"}
    )
    body = assert_error(response, 400)
    assert "errors" not in body


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_415_not_json(client: FlaskClient, bank_key: str, content_type: str | None) -> None:
    headers = bearer(bank_key)
    if content_type:
        headers["Content-Type"] = content_type
    assert_error(client.post("/v1/ratings", data="company=x", headers=headers), 415)


def test_413_body_too_large(make_app: AppFactory) -> None:
    app = make_app(MAX_BODY_BYTES=2048)
    key = create_key(app)
    big = json.dumps({**payload(), "padding": "x" * 4096})
    response = app.test_client().post(
        "/v1/ratings", data=big, headers={**bearer(key), "Content-Type": "application/json"}
    )
    assert_error(response, 413)


def test_413_for_a_chunked_body_too_large(make_app: AppFactory) -> None:
    """A chunked body has no Content-Length to refuse up front (gunicorn marks its input terminated)."""
    app = make_app(MAX_BODY_BYTES=2048)
    key = create_key(app)
    big = json.dumps({**payload(), "padding": "x" * 4096}).encode()
    environ = {"wsgi.input": io.BytesIO(big), "wsgi.input_terminated": True}
    response = app.test_client().post(
        "/v1/ratings",
        headers={**bearer(key), "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides=environ,
    )
    assert_error(response, 413)


@pytest.mark.parametrize(
    ("raw_fragment", "path"),
    [
        ('"employees": NaN', "company.employees"),
        ('"employees": Infinity', "company.employees"),
        ('"employees": -5', "company.employees"),
        ('"employees": "12"', "company.employees"),
        ('"employees": 12, "colour": "green"', "company.colour"),
        ('"employees": 12, "fx_to_cny": 7', "company.fx_to_cny"),  # the payload's currency is CNY
    ],
)
def test_422_field_errors_keyed_by_path(
    client: FlaskClient, bank_key: str, raw_fragment: str, path: str
) -> None:
    text = json.dumps(payload()).replace('"employees": 12', raw_fragment)
    response = client.post(
        "/v1/ratings", data=text, headers={**bearer(bank_key), "Content-Type": "application/json"}
    )
    body = assert_error(response, 422)
    assert path in body["errors"], body


def test_422_for_unknown_top_level_field_and_non_object(client: FlaskClient, bank_key: str) -> None:
    body = assert_error(
        client.post("/v1/ratings", json={**payload(), "extra": 1}, headers=bearer(bank_key)), 422
    )
    assert body["errors"] == {"extra": ["Unknown field."]}
    body = assert_error(client.post("/v1/ratings", json=[1], headers=bearer(bank_key)), 422)
    assert "_schema" in body["errors"]


def test_422_query_arguments(client: FlaskClient, bank_key: str) -> None:
    body = assert_error(client.get("/v1/ratings?limit=0&cursor=zz", headers=bearer(bank_key)), 422)
    assert {"limit", "cursor"} <= set(body["errors"])


def test_429_with_retry_after(make_app: AppFactory) -> None:
    app = make_app(RATE_LIMIT="2 per minute")
    client = app.test_client()
    key, other = create_key(app), create_key(app)
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    response = client.get("/v1/ratings", headers=bearer(key))
    assert_error(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/v1/ratings", headers=bearer(other)).status_code == 200  # per key
    assert client.get("/healthz").status_code == 200  # ops paths are not limited


def test_start_up_says_when_rate_limits_are_counted_per_worker() -> None:
    """Without Redis each worker keeps its own counters: the operator is told what a key may really do."""
    from service.config import load_settings
    from service.limits import per_worker_warning

    local = load_settings(environ={"GREENRATE_RATE_LIMIT": "5 per minute"})
    warning = per_worker_warning(local, 3)
    assert warning is not None and "up to 3 x GREENRATE_RATE_LIMIT (5 per minute)" in warning
    assert per_worker_warning(local, 1) is None
    assert per_worker_warning(load_settings(environ={"GREENRATE_REDIS_URL": "redis://h:6379/0"}), 3) is None


def test_503_when_the_database_is_unreachable(make_app: AppFactory) -> None:
    app = make_app(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/none", DATABASE_TIMEOUT_SECONDS=2
    )
    response = app.test_client().get("/v1/ratings", headers=bearer("gr_whatever"))
    assert_error(response, 503)
    assert response.headers["Retry-After"] == "5"


def test_503_on_record_failure_writes_nothing_and_issues_nothing(make_app: AppFactory) -> None:
    app = make_app(KEY_CACHE_SECONDS=300)
    key = create_key(app)
    client = app.test_client()
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200  # key now cached
    services = services_of(app)
    real_db = services.db
    services.db = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    response = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    body = assert_error(response, 503)
    assert "Location" not in response.headers and "rt_" not in json.dumps(body)
    assert list_ratings(real_db, "bank-a", limit=10, key=TEST_KEY) == ([], False)
    assert services.cache.get_many([]) == []
    services.db = real_db


def test_errors_carry_security_headers_and_no_store(client: FlaskClient) -> None:
    response = client.get("/v1/ratings")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_engine_errors_map_to_422_in_one_table(app: Flask) -> None:
    from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
    from service.errors import ERROR_TABLE

    mapped = {
        t: code
        for types, code, _, _ in ERROR_TABLE
        for t in (types if isinstance(types, tuple) else (types,))
    }
    assert mapped[InvalidInputError] == mapped[InvalidInputErrors] == mapped[FactorNotFoundError] == 422


def test_code_ahead_of_its_sqlite_schema_answers_503_saying_so(make_app: AppFactory) -> None:
    """SQLite says "no such column" with an OperationalError: the same 503 as PostgreSQL's, read from the
    error's words (no query more against the database)."""
    from service.records import migrate

    app = make_app()
    key = create_key(app)
    migrate.downgrade(services_of(app).db, "0005")
    behind = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key))
    assert behind.status_code == 503 and behind.headers["Retry-After"]
    assert "not at the schema this release needs" in behind.get_json()["message"]


def test_the_error_table_maps_each_class_once() -> None:
    """Flask chooses a handler by the exception's MRO, not by the table's order; only a class listed twice
    would depend on the order (its last entry silently replacing the first)."""
    from service.errors import ERROR_TABLE

    listed = [t for types, *_ in ERROR_TABLE for t in (types if isinstance(types, tuple) else (types,))]
    assert len(listed) == len(set(listed))


def test_a_batch_item_the_engine_refuses_says_what_its_own_request_is_answered(app: Flask) -> None:
    """A batch item reads its status, message and field errors from the error table the single request's
    handler answers with, so the two cannot drift apart (they had been written out twice)."""
    from rating_model.exceptions import (
        FactorNotFoundError,
        InvalidInputError,
        InvalidInputErrors,
        StandardError,
        UnknownUnitError,
    )
    from service.errors import refusal

    refused = [
        InvalidInputError("energy.fuels.0.quantity", "Must be finite."),
        UnknownUnitError("energy.fuels.0.unit", "Unknown unit 'gal'."),
        InvalidInputErrors([InvalidInputError("a", "one"), InvalidInputError("a", "two")]),
        FactorNotFoundError("No grid factor for ZZ.", "company.country"),
        FactorNotFoundError("No factor for this fuel."),
    ]
    for exc in refused:
        with app.test_request_context("/v1/ratings/batch", method="POST"):
            answered = app.handle_user_exception(exc)
        body = answered.get_json()
        assert refusal(exc) == (answered.status_code, body["message"], body.get("errors", {}))
        assert answered.status_code == 422 and body["errors"]
    assert refusal(StandardError("broken"))[0] == 503
    with pytest.raises(LookupError):
        refusal(KeyError("not a refusal"))


def test_one_function_writes_every_error_body(app: Flask) -> None:
    """:func:`service.errors.error_json` writes the body of every error response and batch item alike."""
    from service.errors import error_json

    with app.test_request_context("/v1/ratings"):
        from service.hardening import request_id

        rid = request_id()
        plain = {"code": 422, "status": "Unprocessable Entity", "message": "Some fields are invalid.",
                 "request_id": rid}
        assert json.loads(error_json(422)) == json.loads(error_json(422, None, {})) == plain
        assert json.loads(error_json(409, "Taken.")) == {
            "code": 409, "status": "Conflict", "message": "Taken.", "request_id": rid}
        assert json.loads(error_json(422, "No.", {"a.b": ["bad"]}))["errors"] == {"a.b": ["bad"]}
        assert "颜色" in error_json(422, None, {"颜色": ["Unknown field."]})  # UTF-8 where it can be
        escaped = error_json(422, None, {"颜色\ud800": ["Unknown field."]})  # \u escapes where it cannot
        assert escaped.isascii() and json.loads(escaped)["errors"] == {"颜色\ud800": ["Unknown field."]}
