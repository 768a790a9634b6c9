"""``greenrate model drift`` on recorded ratings: it counts the bin each rating recorded, not its value.

A rating records each indicator's value rounded to 6 decimals; green_operations sits on edges k/7, so a
business on an edge is recorded as 0.285714, just below 2/7. Re-binning that value moved it one bin down
and reported a shift (PSI 1.3) of ratings drawn from the very population the model was trained on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from rating_model.engine import DEFAULT_MODEL, Engine
from rating_model.flat import payloads_from_frame
from rating_model.synthetic import generate_frame
from service.cli import main
from tests.service.recorded_ratings import record_ratings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/drift.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _record_ratings(url: str, rows: int) -> int:
    """Rate a synthetic population (the generator the packaged model was trained on) and store the bodies."""
    payloads = payloads_from_frame(generate_frame(rows, 5), ignore_unknown=True)
    return record_ratings(url, Engine.load(), payloads)


def test_drift_of_ratings_from_the_training_population_is_stable(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade").exit_code == 0
    stored = _record_ratings(env["GREENRATE_DATABASE_URL"], 1500)
    out = tmp_path / "drift.json"
    result = run(env, "model", "drift", "--since", f"{datetime.now(UTC) - timedelta(days=1):%Y-%m-%d}",
                 "--model", str(DEFAULT_MODEL), "--json", str(out))
    assert result.exit_code == 0, result.output
    drift = json.loads(out.read_text())
    assert drift["live_rows"] == stored > 1000
    indicators = drift["indicator_psi"]
    assert indicators["green_operations"]["psi"] < 0.1, indicators["green_operations"]  # was 1.3, "shift"
    assert all(p["reading"] == "stable" and "unmatched" not in p for p in indicators.values()), indicators
    assert "shift" not in result.output


def test_drift_on_an_unmigrated_database_says_so(env: dict[str, str]) -> None:
    for args in (("--since", "2026-01-01"), ("--since", "2026-01-01", "--model", str(DEFAULT_MODEL))):
        result = run(env, "model", "drift", *args)
        assert result.exit_code == 1, result.output
        assert "OperationalError (has `greenrate db upgrade` run?)" in result.output
        assert "Traceback" not in result.output


def test_the_drift_report_names_the_window_it_covers(env: dict[str, str], tmp_path: Path) -> None:
    """A drift JSON did not record the --since it was computed over, nor the output show more than its
    date: a validator holding a report could not tell which ratings it covers. The JSON's ``window`` says
    since (as given, UTC) and until (when the ratings were read), the first line says both, and a rating
    issued after ``until`` is not counted."""
    from rating_model.artifact import ScorecardArtifact
    from service.records.monitoring import live_distribution

    assert run(env, "db", "upgrade").exit_code == 0
    stored = _record_ratings(env["GREENRATE_DATABASE_URL"], 12)
    since = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1, minutes=30, seconds=7)
    out = tmp_path / "drift.json"
    before = datetime.now(UTC)
    result = run(env, "model", "drift", "--since", f"{since:%Y-%m-%dT%H:%M:%S}",
                 "--model", str(DEFAULT_MODEL), "--json", str(out))
    assert result.exit_code == 0, result.output
    window = json.loads(out.read_text())["window"]
    assert window["since"] == since.isoformat() and window["since"].endswith("+00:00")
    until = datetime.fromisoformat(window["until"])
    assert before <= until <= datetime.now(UTC)
    assert (f"{stored} ratings issued from {since:%Y-%m-%d %H:%M:%S} to {until:%Y-%m-%d %H:%M:%S} UTC"
            in result.output)
    version = ScorecardArtifact.from_json(DEFAULT_MODEL.read_bytes()).version
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    try:
        assert len(live_distribution(db, version, since, until)[0]) == stored
        assert len(live_distribution(db, version, since, since + timedelta(minutes=1))[0]) == 0
    finally:
        db.dispose()


def _since() -> str:
    return f"{datetime.now(UTC) - timedelta(days=1):%Y-%m-%d}"


def _one_business(times: int) -> list[dict[str, Any]]:
    """The same business rated ``times`` times, each a rating of its own (another head count): every score
    in one band, far from the training population's spread."""
    from tests.conftest import BASE_PAYLOAD

    company = BASE_PAYLOAD["company"]
    return [{**BASE_PAYLOAD, "company": {**company, "employees": 5 + i}} for i in range(times)]


def test_a_shift_raises_an_alarm_a_scheduled_check_can_act_on(env: dict[str, str], tmp_path: Path) -> None:
    """``drift`` printed "shift" and exited 0 whatever it read, so a scheduled check (cron, CI) could not
    tell a drifted model from a stable one without parsing its output: monitoring after promotion was a
    report someone had to remember to read (model-risk review). With ``--fail-on-shift`` a shift exits 3
    and names what shifted, and the JSON lists it (``shifts``)."""
    assert run(env, "db", "upgrade").exit_code == 0
    stored = record_ratings(env["GREENRATE_DATABASE_URL"], Engine.load(), _one_business(150))
    assert stored >= 100  # enough ratings to read
    out = tmp_path / "drift.json"
    args = ("model", "drift", "--since", _since(), "--model", str(DEFAULT_MODEL), "--json", str(out))
    plain = run(env, *args)
    assert plain.exit_code == 0, plain.output  # a report by default, as before
    alarmed = run(env, *args, "--fail-on-shift")
    assert alarmed.exit_code == 3, alarmed.output
    shifts = json.loads(out.read_text())["shifts"]
    assert "score" in shifts
    assert len(shifts) > 3  # one line however many shifted: a log scraper reads it whole, never wrapped
    assert (f"drift alarm: {len(shifts)} shift(s) (PSI above 0.25): {', '.join(shifts)}; collect fresh labels"
            in alarmed.output)


def test_no_alarm_on_a_stable_population_nor_on_too_few_ratings(env: dict[str, str], tmp_path: Path) -> None:
    """The alarm is of a shift read on enough ratings: a handful of ratings is sampling noise, said as such,
    never an alarm (a pager woken by three ratings learns to ignore it)."""
    assert run(env, "db", "upgrade").exit_code == 0
    assert record_ratings(env["GREENRATE_DATABASE_URL"], Engine.load(), _one_business(20)) == 20
    out = tmp_path / "drift.json"
    result = run(env, "model", "drift", "--since", _since(), "--model", str(DEFAULT_MODEL),
                 "--json", str(out), "--fail-on-shift")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["shifts"] == []
    assert "drift alarm" not in result.output


def test_the_drift_report_counts_the_knock_out_overrides_of_the_ratings(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`compare` counted how often knock-outs override a model's score grade, `drift` did not: a model whose
    live scores grade penalised businesses above their cap drifted in grades no business receives, unseen.
    The report counts them as recorded in each rating (its score grade and knock-outs), as `compare` does."""
    assert run(env, "db", "upgrade").exit_code == 0
    url = env["GREENRATE_DATABASE_URL"]
    stored = _record_ratings(url, 300)
    out = tmp_path / "drift.json"
    result = run(env, "model", "drift", "--since", f"{datetime.now(UTC) - timedelta(days=1):%Y-%m-%d}",
                 "--model", str(DEFAULT_MODEL), "--json", str(out))
    assert result.exit_code == 0, result.output
    seen = json.loads(out.read_text())["overrides"]
    db = create_engine(url)
    try:
        with db.connect() as conn:
            stored_bodies = conn.exec_driver_sql("SELECT result_json FROM ratings").scalars().all()
        bodies = [json.loads(b) for b in stored_bodies]
    finally:
        db.dispose()
    capped = sum(b["grade"] != b["score_grade"] for b in bodies)
    assert seen["rows"] == stored and seen["unrecorded"] == 0
    assert seen["overridden"] == capped > 0, seen  # the synthetic population has penalised businesses
    assert f"knock-out overrides (score grade capped): {capped} ({capped / stored:.1%}) of {stored}" in (
        result.output)
    applied = {k["id"] for b in bodies for k in b["knock_outs"]}
    assert {k["id"] for k in seen["knock_outs"] if k["applies"]} == applied
