"""A module's logger first used at collection, under an app configured then, still reaches capture_logs.

Test modules build apps at import, which pytest does at collection, before any fixture runs; a logger
first used then (here under an app at ``LOG_LEVEL=ERROR``) was bound for good with that configuration, and
a later test's ``capture_logs`` saw none of its warnings (CI at 92b4184 failed test_unsigned_ratings
so). tests/conftest.py keeps structlog from caching loggers from ``pytest_configure`` on.
"""

from __future__ import annotations

from structlog.testing import capture_logs

from service import create_app
from service.records import rating_signatures

create_app({"LOG_LEVEL": "ERROR", "TESTING": True, "DATABASE_URL": "sqlite://"})
rating_signatures._log.warning("first used at collection")


def test_a_logger_first_used_at_collection_is_captured_later() -> None:
    create_app({"LOG_LEVEL": "INFO", "TESTING": True, "DATABASE_URL": "sqlite://"})  # as each test's app
    with capture_logs() as logs:
        rating_signatures._log.warning("seen by the capture")
    assert [entry["event"] for entry in logs] == ["seen by the capture"]
