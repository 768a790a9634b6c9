"""Enumerations the contract and the records share have one owner each (a code review found two copies).

The grades are the standard's (:data:`rating_model.standard.GRADES`); a portfolio job's statuses are the
API's (:data:`schemas.portfolio.STATUSES`), which the jobs table's check constraint is written from (the
migration that last changed the constraint, 0015, wrote the same text).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import CheckConstraint

import schemas.disclosure
import schemas.pages
import schemas.rating
from rating_model.standard import GRADES
from schemas.portfolio import STATUSES
from service.records.portfolio_tables import portfolio_jobs

_MIGRATION_0015 = Path(__file__).parents[2] / "service/migrations/versions/0015_portfolio_cancelled.py"


def test_the_grades_are_the_standards(client: FlaskClient) -> None:
    assert schemas.rating.GRADES is schemas.pages.GRADES is schemas.disclosure.GRADES is GRADES
    spec = client.get("/openapi.json").json["components"]["schemas"]
    grade_enums = [
        prop["enum"]
        for schema in spec.values()
        for name, prop in schema.get("properties", {}).items()
        if "grade" in name and "enum" in prop
    ]
    assert grade_enums and all([g for g in enum if g is not None] == list(GRADES) for enum in grade_enums)


def test_the_jobs_tables_statuses_are_the_apis() -> None:
    (check,) = (c for c in portfolio_jobs.constraints
                if isinstance(c, CheckConstraint) and c.name == "ck_portfolio_jobs_status")
    text = str(check.sqltext)
    assert re.findall(r"'([a-z]+)'", text) == list(STATUSES)
    # the very text the migration created the constraint with, so a schema comparison finds no change
    assert f'"{text}", name="ck_portfolio_jobs_status"' in _MIGRATION_0015.read_text()
