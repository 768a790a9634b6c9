"""Hostile values for this session's new inputs: the merchant page's money and unit words, and the model
registry listings' ``cursor`` and ``limit``.

A security review found them refused in time linear in their length and never a 500: the amount patterns
(:mod:`service.web.amounts`, ``_WAN_AND_DIGITS``) are anchored with no nested repetition, a leading ¥, ￥,
CNY or RMB is stripped once, Decimal overflows to infinity (above every range), and the body is capped at
``GREENRATE_MAX_BODY_BYTES`` (2 MiB); a cursor is base64url of ``v1:`` and ASCII digits of a positive
BIGINT only, so another listing's cursor, a rating's ``v2:`` cursor, Unicode digits or a number past the
id range are a 422 or an empty page, never a database error.
"""

from __future__ import annotations

import base64
import time

import pytest
from flask import Flask

from schemas.fields import RatingCursor
from service.web.form.numbers import NUMBER_FIELDS, number_error
from service.web.routes import FORM_MAX_BYTES
from tests.conftest import AppFactory, bearer, create_key
from tests.service.test_merchant_page import FORM, _app, _token

#: Generous for a loaded 2-core machine: each of these takes well under half a second.
MAX_SECONDS = 5.0
#: About what the capped body can carry of one field.
LONG = 500_000

HOSTILE_AMOUNTS = {
    "digits": "1" * LONG,
    "digits then a letter": "1" * LONG + "x",
    "yuan marks": "¥" * LONG,
    "digits then yuan": "1" * LONG + "yuan",
    "bare commas": "1," * (LONG // 2),
    "grouped then decimals": "1" + ",000" * (LONG // 8) + "." + "0" * (LONG // 2),
    "dots then wan": "1." * (LONG // 2) + "万",
    "wan and digits": "1万" * (LONG // 2),
    "exponent digits": "1e" + "9" * LONG,
    "huge exponent": "1e999999999999万",
    "newlines then yuan": "1\n" * (LONG // 2) + "元",
    "CNY repeated": "CNY" * (LONG // 3),
    "full-width digits": "１" * LONG,
    "spaces": " " * LONG + "1",
}


@pytest.mark.parametrize("name", list(HOSTILE_AMOUNTS))
def test_a_hostile_amount_is_read_in_linear_time_in_every_field(name: str) -> None:
    raw = HOSTILE_AMOUNTS[name]
    values = {"electricity_unit": "kwh", "vehicle_fuel": "petrol", "fuel": "lpg"}
    for form_field in NUMBER_FIELDS:
        started = time.perf_counter()
        value, error = number_error(raw, form_field, values)
        assert time.perf_counter() - started < MAX_SECONDS, form_field
        assert error is not None or value is not None


_ODD = ["¥12000", "￥12000", "CNY 12000", "RMB1e999999999", "-0元", "١٢٣", "1\u202e0", "1\x00",
        "<script>alert(1)</script>元", "CN¥12000", "12000圆", "12000円", "𝟏𝟐", "inf元", "nan", "1_000",
        "0x10", "1万2", "1" * 100_000 + "e5万"]


def test_odd_amounts_on_the_merchant_page_are_refused_or_rated_never_a_500(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    token = _token(client)
    for form_field in ("revenue", "electricity", "employees", "water", "waste", "floor_area"):
        for unit in ("kwh", "cny"):
            for raw in _ODD:
                answer = client.post("/?lang=en", data={**FORM, "electricity_unit": unit, form_field: raw,
                                                         "form_token": token})
                # past what any form holds, the form is not read at all (service.web.routes.FORM_MAX_BYTES)
                refusals = (413,) if len(raw) > FORM_MAX_BYTES else (303, 422, 429)
                assert answer.status_code in refusals, (form_field, unit, raw[:20])
                assert "<script>alert" not in answer.get_data(as_text=True)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HOSTILE_CURSORS = [
    "", "x", "====", "%00", "A" * 10_000, _cursor("v1:0"), _cursor("v1:-1"), _cursor("v1:+1"),
    _cursor("v1: 1"), _cursor("v1:1 "), _cursor("v1:1_0"), _cursor("v1:١٢"), _cursor("v1:²"),
    _cursor("v1:1\x00"),
    _cursor("v1:" + "9" * 5000), _cursor("v1:9223372036854775808"), _cursor("v2:rt_" + "0" * 32),
    RatingCursor.encode("rt_" + "a" * 32),
]
ACCEPTED_CURSORS = [_cursor("v1:1"), _cursor("v1:2147483648"), _cursor("v1:9223372036854775807")]
HOSTILE_LIMITS = ["0", "-1", "501", "99999999999999999999", "9" * 5000, "5.0", "1e2", "nan", "inf", "0x10"]


@pytest.mark.parametrize("path", ["/v1/model-events", "/v1/models/sc-none/comparisons"])
def test_hostile_registry_cursors_and_limits_are_422_never_a_500(app: Flask, path: str) -> None:
    client, analyst = app.test_client(), create_key(app, "bank-a", "analyst")
    for query in [{"cursor": c} for c in HOSTILE_CURSORS] + [{"limit": n} for n in HOSTILE_LIMITS]:
        answer = client.get(path, query_string=query, headers=bearer(analyst))
        assert answer.status_code == 422, (query, answer.status_code)
        assert set(answer.json) == {"code", "status", "message", "errors", "request_id"}
        assert set(answer.json["errors"]) <= {"cursor", "limit"}
    for cursor in ACCEPTED_CURSORS:  # another listing's id or one past the range: a page, maybe empty
        answer = client.get(path, query_string={"cursor": cursor}, headers=bearer(analyst))
        assert answer.status_code in (200, 404), (cursor, answer.json)
        if answer.status_code == 200:
            assert answer.json["items"] == [] or cursor == ACCEPTED_CURSORS[0]
