"""The JSON text of issued ratings: the same document as the standard library writes, never NaN or inf."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ratings.encoding import NonFiniteNumberError, rating_json
from tests.conftest import BASE_PAYLOAD, session_engine

# Python writes 1e-05 and 1e+16 where orjson writes 1e-5 and 1e16 (the same numbers): between those
# magnitudes both write a float the same way, so the texts can be compared byte for byte.
_PLAIN_FLOATS = (
    st.just(0.0) | st.floats(min_value=1e-4, max_value=1e15) | st.floats(min_value=-1e15, max_value=-1e-4)
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _PLAIN_FLOATS | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(st.text(max_size=6), _JSON_VALUES, max_size=6))
def test_any_json_document_reads_back_as_written(document: dict[str, Any]) -> None:
    assert rating_json(document) == _standard_library(document).encode()


@settings(max_examples=100, deadline=None)
@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_exactly(number: float) -> None:
    assert json.loads(rating_json({"x": number}))["x"] == number


def test_a_rating_is_compact_utf8_json_of_the_same_document() -> None:
    engine = session_engine()
    document = engine.rate(engine.parse(BASE_PAYLOAD)).to_dict()
    text = rating_json(document).decode()
    assert json.loads(text) == json.loads(json.dumps(document))
    assert text == _standard_library(document)  # the bytes ratings were stored as before orjson
    assert "碳" in text  # Chinese as UTF-8, not \\u escapes


def _standard_library(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["top", "nested", "in_list", "in_tuple"])
def test_non_finite_numbers_are_refused_wherever_they_are(bad: float, where: str) -> None:
    document: dict[str, Any] = {
        "top": {"score": bad},
        "nested": {"emissions": {"neutrality": {"change_pct": bad}}},
        "in_list": {"line_items": [{"tco2e": 1.0}, {"tco2e": bad}]},
        "in_tuple": {"values": (1.0, bad)},
    }[where]
    with pytest.raises(NonFiniteNumberError):
        rating_json(document)


def test_types_json_does_not_know_are_refused_not_stringified() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        rating_json({"score": Decimal("1.5")})
    with pytest.raises(TypeError, match="set"):
        rating_json({"actions": {"a"}})
