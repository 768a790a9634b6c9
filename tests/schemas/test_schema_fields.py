"""The strict fields and the page/batch envelopes."""

from __future__ import annotations

import base64

import pytest
from marshmallow import Schema, ValidationError

from schemas.fields import Cursor, Flag, Number, RatingCursor, RawObject, WholeNumber
from schemas.operating_data import OperatingDataSchema
from schemas.pages import BatchRequestSchema, RatingListQuerySchema


class Sample(Schema):
    n = Number(maximum=10)
    whole = WholeNumber(minimum=1)
    flag = Flag()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n", "1"),
        ("n", True),
        ("n", float("nan")),
        ("n", 11),
        ("n", -1),
        ("whole", 1.0),
        ("whole", False),
        ("whole", 0),
        ("flag", "true"),
        ("flag", 0),
    ],
)
def test_strict_fields_refuse(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        Sample().load({field: value})
    assert field in info.value.messages


def test_strict_fields_accept_json_types() -> None:
    assert Sample().load({"n": 2, "whole": 3, "flag": False}) == {"n": 2.0, "whole": 3, "flag": False}


@pytest.mark.parametrize("position", [1, 42, 10**15, 2**63 - 1])
def test_cursor_round_trip(position: int) -> None:
    assert Cursor()._deserialize(Cursor.encode(position), None, None) == position


_SUPERSCRIPT_TWO = base64.urlsafe_b64encode("v1:\u00b2".encode()).decode()  # "²".isdigit(), int("²") fails


@pytest.mark.parametrize(
    "raw",
    ["", "zzzz", Cursor.encode(1) + "x", "djE6LTE", "djI6MQ", _SUPERSCRIPT_TWO]
    + [Cursor.encode(2**63), Cursor.encode(0)],
)
def test_cursor_refuses_garbage(raw: str) -> None:
    with pytest.raises(ValidationError):
        RatingListQuerySchema().load({"cursor": raw})


def test_the_ratings_cursor_names_a_rating_not_a_sequence_number() -> None:
    rating_id = "rt_" + "0123456789abcdef" * 2
    cursor = RatingCursor.encode(rating_id)
    assert base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() == f"v2:{rating_id}"
    loaded = RatingListQuerySchema().load({"cursor": cursor})
    assert loaded == {"limit": 20, "cursor": rating_id, "issued_by": "bank"}
    with pytest.raises(ValidationError, match="earlier release"):  # the earlier form: a sequence number
        RatingListQuerySchema().load({"cursor": Cursor.encode(42)})
    for bad in ("rt_" + "0" * 31, "rt_" + "G" * 32, "../etc", "rt_" + "0" * 32 + "\n"):
        with pytest.raises(ValidationError):
            RatingListQuerySchema().load({"cursor": RatingCursor.encode(bad)})


def test_list_query_defaults_and_bounds() -> None:
    # a bank's own ratings unless it asks for a merchant's (bank integrator's review)
    assert RatingListQuerySchema().load({}) == {"limit": 20, "issued_by": "bank"}
    assert RatingListQuerySchema().load({"merchant_id": "m-1"})["issued_by"] == "merchant"
    assert RatingListQuerySchema().load({"issued_by": "any"})["issued_by"] == "any"
    with pytest.raises(ValidationError):
        RatingListQuerySchema().load({"limit": "101"})
    with pytest.raises(ValidationError):
        RatingListQuerySchema().load({"page": "2"})


def test_batch_items_are_raw_objects_documented_as_operating_data() -> None:
    loaded = BatchRequestSchema().load({"items": [{"anything": 1}]})
    assert loaded == {"items": [{"anything": 1}]}
    field = BatchRequestSchema().fields["items"].inner
    assert isinstance(field, RawObject) and field.nested is OperatingDataSchema
    # any JSON value passes the envelope: an item that is not an object fails alone when it is rated
    assert BatchRequestSchema().load({"items": [1, None, "x"]}) == {"items": [1, None, "x"]}
    with pytest.raises(ValidationError):
        BatchRequestSchema().load({"items": []})
    with pytest.raises(ValidationError):
        BatchRequestSchema().load({"items": [{}] * 101})


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "CN\n"), ("industry_code", "5610\n"), ("region", "CN-ZJ\n"), ("currency", "CNY\n")],
)
def test_a_code_with_a_final_newline_is_refused(field: str, value: str) -> None:
    """Python's "$" matches before a final newline: the codes' patterns must match the whole value."""
    body = {"company": {"name": "x", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                        "employees": 3, "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2024}}
    body["company"][field] = value
    with pytest.raises(ValidationError) as refused:
        OperatingDataSchema().load(body)
    assert field in refused.value.messages["company"]
    body["company"][field] = value.rstrip("\n")
    OperatingDataSchema().load(body)


def test_moments_are_written_in_utc_with_z_whatever_their_zone() -> None:
    """One serialiser for every API timestamp: a moment in +08:00 (a PostgreSQL session in Asia/Shanghai)
    is converted, not written with its offset; a naive one is a stored UTC value."""
    from datetime import UTC, datetime, timedelta, timezone

    from schemas.fields import UtcDateTime, utc_iso
    from service.records.database import as_utc

    shanghai = datetime(2025, 1, 2, 11, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    assert utc_iso(shanghai) == "2025-01-02T03:04:05Z"
    assert utc_iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05Z"
    assert UtcDateTime()._serialize(shanghai, "at", None) == "2025-01-02T03:04:05Z"
    assert as_utc(shanghai) == shanghai and as_utc(shanghai).utcoffset() == timedelta(0)
    assert as_utc(datetime(2025, 1, 2, 3, 4, 5)) == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
