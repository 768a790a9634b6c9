"""An exception's text never reaches a log line, a job record or an unauthenticated answer.

A message says whatever the code that raised put in it: a driver's statement with its bound values, a
database or Redis URL with its password, a path whose file was named after a borrower. The 500 log line
already kept only the class and the frames (:func:`service.logging.exception_frames`); these are the other
places that wrote ``str(exc)`` (privacy review): each now says the class and the code of the failure
(:func:`service.logging.exception_summary`), or, where the text is written for its reader (a loan book's
parser error to its uploader, why the active model cannot be loaded to readiness), the text without paths
or credentials (:func:`service.logging.redacted`).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import redis
from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from service import logging as logging_module
from service import metrics, model_watch, write_health
from service.config import load_settings
from service.logging import MAX_REDACTED, exception_summary, redacted
from service.models import register_packaged_default
from service.portfolios import recovery, retention, runner
from service.records import activation, registry
from service.records.portfolio_tables import portfolio_jobs
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.live_services import free_port
from tests.service.model_fixtures import variant_document
from tests.service.test_portfolios import as_file, book, portfolio_app, upload, work  # noqa: F401

DSN = "postgresql://greenrate:s3cret-pw@db.internal:5432/greenrate"
BORROWER = "Jane Doe Bakery"


def _driver_error() -> OperationalError:
    """What SQLAlchemy raises when the driver fails a statement: its text holds the statement, the bound
    values (a borrower's name here) and the driver's own words (a URL with its password here)."""

    class DriverError(Exception):
        sqlstate = "57P01"

    try:
        try:
            raise DriverError(f"terminating connection to {DSN}")
        except DriverError as orig:
            raise OperationalError(
                "UPDATE portfolio_jobs SET status = %(status)s WHERE file_name = %(name)s",
                {"status": "queued", "name": f"{BORROWER}.csv"}, orig,
            ) from orig
    except OperationalError as exc:
        return exc


def _refused_connection() -> redis.ConnectionError:
    """A Redis client's error for a port nobody listens on: a real one, chained from the socket's."""
    client = Redis.from_url(f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        return exc
    finally:
        client.close()
    raise AssertionError("a closed port answered")


def test_the_summary_says_the_class_and_the_code_never_the_text() -> None:
    assert exception_summary(_driver_error()) == (
        "sqlalchemy.exc.OperationalError <- "
        "tests.service.test_exception_text._driver_error.<locals>.DriverError (SQLSTATE 57P01)"
    )
    refused = exception_summary(_refused_connection())
    assert refused.startswith("redis.exceptions.ConnectionError")
    code = errno.ECONNREFUSED
    assert f"ConnectionRefusedError ([Errno {code}] {os.strerror(code)})" in refused
    named = PermissionError(errno.EACCES, "Permission denied", f"/srv/portfolios/pf_1/{BORROWER}.csv")
    assert exception_summary(named) == f"PermissionError ([Errno {errno.EACCES}] Permission denied)"
    # an errno's words are the system's, not the exception's: a library may put the path in its strerror
    assert BORROWER not in exception_summary(OSError(errno.ENOENT, f"no {BORROWER}.csv"))
    assert exception_summary(ValueError(DSN)) == "ValueError"


def test_redacted_text_keeps_the_words_and_drops_paths_and_credentials() -> None:
    text = (f"Could not open Parquet input source '/srv/portfolios/pf_1/parts/part-000001.parquet': "
            f"Parquet magic bytes not found; at {DSN} and redis://:pw2@cache:6379/0 (password=pw3), "
            "also /var/lib/greenrate/x.json: gone, 3/4 of kWh/m2")
    out = redacted(text)
    for gone in ("/srv/portfolios", "s3cret-pw", "pw2", "pw3", "/var/lib"):
        assert gone not in out, out
    assert "Parquet magic bytes not found" in out and "db.internal:5432/greenrate" in out
    assert "redis://***@cache:6379/0" in out and "3/4 of kWh/m2" in out


def test_a_sweep_that_fails_logs_no_statement_values_or_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for failure in (_driver_error(), _refused_connection()):
        def failing(*_args: Any, failure: Exception = failure, **_kwargs: Any) -> list[str]:
            raise failure

        monkeypatch.setattr(recovery, "recover", failing)
        with capture_logs() as logged:
            assert recovery.recover_safely(None, None, None, host="h", pid=1) == []  # type: ignore[arg-type]
        [line] = logged
        assert line["event"] == "portfolio_sweep_failed"
        assert "s3cret" not in repr(line) and BORROWER not in repr(line) and "UPDATE" not in repr(line)
        assert line["detail"] == exception_summary(failure)


def test_a_purge_that_fails_logs_no_file_name(monkeypatch: pytest.MonkeyPatch) -> None:
    denied = PermissionError(errno.EACCES, "Permission denied", f"/srv/portfolios/pf_1/{BORROWER}.csv")

    def failing(*_args: Any, **_kwargs: Any) -> list[str]:
        raise denied

    monkeypatch.setattr(retention, "purge_expired", failing)
    with capture_logs() as logged:
        assert retention.purge_safely(None, None) == []  # type: ignore[arg-type]
    [line] = logged
    assert BORROWER not in repr(line) and "/srv/portfolios" not in repr(line)
    assert line["detail"] == f"PermissionError ([Errno {errno.EACCES}] Permission denied)"


def test_a_metrics_write_that_fails_logs_no_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_write_failed", False)
    with capture_logs() as logged:
        metrics._dropped(FileNotFoundError(errno.ENOENT, "No such file", "/srv/multiproc/counter_7.db"))
    [line] = logged
    assert "/srv/multiproc" not in repr(line)
    assert line["detail"] == f"FileNotFoundError ([Errno {errno.ENOENT}] {os.strerror(errno.ENOENT)})"


def test_a_shared_state_that_cannot_be_had_logs_no_text_beyond_the_systems(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def failing(_path: Path) -> None:
        raise OSError(f"cannot map {tmp_path}/{BORROWER}")  # no errno: its text is all it has

    monkeypatch.setattr(write_health, "_HostFailure", failing)
    with capture_logs() as logged:
        assert not write_health.WriteHealth(shared_dir=tmp_path).shared
    [line] = logged
    assert BORROWER not in repr(line) and line["error"] == "OSError"


def test_readiness_says_why_the_active_model_cannot_be_loaded_without_the_servers_paths(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/readyz needs no key: it says why (the operator's cue) but not where the service is installed.

    No ArtifactError on this path names a file today (the artifact comes from the database); a model's
    data file read at load time would, as the sector benchmarks' does when rating, so the text is redacted.
    """
    app = make_app(MODEL_POLL_SECONDS=0.0)
    db = services_of(app).db
    register_packaged_default(db)
    artifact = ScorecardArtifact.from_dict(variant_document("paths"))
    registry.register(db, artifact, source="cli", actor="t", reason="t")
    activation.activate(db, artifact.version, actor="t", reason="promoted to test", fits=lambda _a: None)
    installed = "/opt/greenrate/lib/python3.11/site-packages/rating_model/data/sector_benchmarks.json"

    def unreadable(*_args: Any, **_kwargs: Any) -> Any:
        raise ArtifactError(f"sector_benchmarks.json cannot be read ([Errno 13] Permission denied: "
                            f"'{installed}')")

    monkeypatch.setattr(model_watch, "engine_for", unreadable)
    with capture_logs() as logged:
        ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    [why] = ready.json["errors"]["engine"]
    assert why.startswith(f"the active model {artifact.version} cannot be loaded: sector_benchmarks.json")
    assert "Permission denied" in why and "/opt/greenrate" not in ready.get_data(as_text=True)
    [line] = [e for e in logged if e["event"] == "active_model_unusable"]
    assert line["detail"] == why


def test_a_job_failure_tells_its_owner_the_cause_without_the_servers_paths(tmp_path: Path) -> None:
    part = tmp_path / "portfolios" / "pf_1" / "parts" / "part-000001.parquet"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"not parquet at all")
    with pytest.raises(pa.ArrowInvalid) as raised:
        pq.read_table(part)
    assert str(part) in str(raised.value)  # pyarrow names the file: the owner would have read our layout
    reason = runner._reason(raised.value, load_settings())
    assert "Parquet magic bytes not found" in reason and str(tmp_path) not in reason


@pytest.mark.integration
def test_rq_logs_and_keeps_a_failed_job_without_its_message(
    portfolio_app: Flask,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """RQ logs the traceback it is given as text, message included, and keeps it with the job in Redis for
    a week (its failure_ttl): a job failed by a message naming the borrower put the name in both."""
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    job_id = upload(client, key, as_file(book(20), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    with s.db.begin() as conn:  # a row no upload could make: the run fails naming the file
        conn.execute(update(portfolio_jobs).where(portfolio_jobs.c.id == job_id)
                     .values(file_name=f"{BORROWER} loans.txt"))
    capsys.readouterr()
    work(portfolio_app)
    shown = capsys.readouterr()
    assert BORROWER not in shown.out + shown.err + caplog.text
    connection = Redis.from_url(s.settings.redis_url)
    try:
        kept = Job.fetch(job_id, connection=connection).latest_result()
        assert kept is not None and kept.exc_string is not None
        assert BORROWER not in kept.exc_string and "ValueError" in kept.exc_string
        assert "in run_portfolio" in kept.exc_string  # the frames stay: where it failed
    finally:
        connection.close()
    failed = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key)).json
    assert failed["status"] == "failed" and "internal error (ValueError)" in failed["error"]



@pytest.mark.parametrize(("text", "expected"), [
    ("PGPASSWORD=hunter2", "PGPASSWORD=***"),
    ("GREENRATE_SECRET_KEY=abcdef123", "GREENRATE_SECRET_KEY=***"),
    ("secret_key=abc", "secret_key=***"),
    ("postgresql://u:p@h/db?sslpassword=xyz", "postgresql://***@h/db?sslpassword=***"),
    ('{"password": "hunter2", "user": "app"}', '{"password": ***, "user": "app"}'),
    ("{'password': 'hunter2'}", "{'password': ***}"),
    ("passphrase=hunter2", "passphrase=***"),
    ("Authorization: Bearer gr_AbCdEf0123456789", "Authorization: Bearer ***"),
    ("refused key 'gr_live_AbCdEf0123456789'", "refused key 'gr_***'"),
    ("file:///srv/portfolios/pf_1/input.csv", "<path>"),
    ("could not open C:\\Users\\alice\\borrower zhang.csv", "could not open <path>"),
    ("\\\\fileserver\\share\\borrower.csv: denied", "<path>: denied"),
    ("redis://:pa ss@cache:6379/0", "redis://***@cache:6379/0"),
    ("rediss://:p/ss@cache:6380", "rediss://***@cache:6380"),
    ("postgresql://user:p@ss@db/x", "postgresql://***@db/x"),
    ("Failed to open local file '/srv/portfolios/pf_1/input/O'Brien Bakery 张三.csv'. Detail: [errno 2]",
     "Failed to open local file '<path>'. Detail: [errno 2]"),
    ("no /srv/green rate/pf_1/input/Zhang San loans.csv\nnext line", "no <path>\nnext line"),
    ("/srv/x/Zhang San.csv: gone, 3/4 of kWh/m2", "<path>: gone, 3/4 of kWh/m2"),
    # left alone: words that hold a keyword but are no setting, a ratio, a file name with no directory
    ("KeyError: 'loan__amount'; password_file=x; 3/4 of kWh/m2 in single.csv",
     "KeyError: 'loan__amount'; password_file=x; 3/4 of kWh/m2 in single.csv"),
])
def test_redacted_finds_credentials_and_paths_in_their_other_forms(text: str, expected: str) -> None:
    """Security review H12: each of these kept its password, key or path (or the tail of a path's name)."""
    assert redacted(text) == expected


@pytest.mark.parametrize("unit", ["a.", "a://", "a:// @", "'/a'b", "x'C:\\", "x'a/", "p-", "password-",
                                  'password="', " /a", "'/", "gr_"])
def test_each_pattern_reads_a_long_text_in_one_pass(unit: str) -> None:
    """``a.`` 40,000 times took the URL pattern 3.1 s (it tried every start of the run as a scheme), and
    ``x'C:\\`` repeated kept the first quoted-path pattern written here busy for minutes (an opening quote
    could be read as an apostrophe): each pattern now reads 200 KB of each of these, past the bound that
    :func:`redacted` puts on its input, without trying a start at each character. No clock: a pattern
    that went quadratic again would take minutes here."""
    text = unit * (200_000 // len(unit))
    for pattern in (logging_module._FILE_URL, logging_module._URL_CREDENTIALS, logging_module._BEARER,
                    logging_module._SECRET_SETTING, logging_module._API_KEY, logging_module._QUOTED_PATH,
                    logging_module._BARE_PATH):
        pattern.sub("", text)
    assert len(redacted(text)) <= MAX_REDACTED + 2


def test_a_secret_cut_at_the_bound_is_not_kept_in_part() -> None:
    text = "x " * (MAX_REDACTED // 2 - 3) + "redis://:hunter2@cache"
    assert "hunt" not in redacted(text) and redacted(text).endswith(" …")


def test_a_stop_request_that_interrupts_a_sweep_or_a_purge_stops_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGTERM on an idle worker is RQ's StopRequested, raised by its signal handler wherever the worker is.
    Raised inside a sweep's query, the driver's rollback failed and the StopRequested reached the sweep as
    the context of a SQLAlchemy OperationalError: logged as a failed sweep and swallowed, the worker went on
    waiting for jobs until SIGKILL (about one stop in ten of test_an_idle_worker_stops_at_once_on_sigterm)."""
    from rq.exceptions import StopRequested
    from sqlalchemy.exc import OperationalError

    def interrupted(*_args: Any, **_kwargs: Any) -> list[str]:
        try:
            raise StopRequested()
        except StopRequested:
            # what SQLAlchemy raises when the rollback after the interrupted statement fails
            raise OperationalError("SELECT ...", {}, Exception("the connection is lost")) from None

    def interrupted_chain(*_args: Any, **_kwargs: Any) -> list[str]:
        try:
            raise StopRequested()
        except StopRequested as stop:
            raise OSError(errno.EIO, "Input/output error") from stop

    monkeypatch.setattr(recovery, "recover", interrupted)
    monkeypatch.setattr(retention, "purge_expired", interrupted)
    with pytest.raises(StopRequested):
        recovery.recover_safely(None, None, None, host="h", pid=1)  # type: ignore[arg-type]
    with pytest.raises(StopRequested):
        retention.purge_safely(None, None)  # type: ignore[arg-type]
    monkeypatch.setattr(retention, "purge_expired", interrupted_chain)
    with pytest.raises(StopRequested):
        retention.purge_safely(None, None)  # type: ignore[arg-type]
