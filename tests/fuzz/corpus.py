"""A deterministic corpus of hostile request bodies, each with the statuses the contract allows for it.

Generated rather than stored as files: a 10 MB body and a 10,000-level nesting are a few characters of
code, and the injection cases are derived from the schema itself, so a text field added later is fuzzed
without anyone editing this list.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from schemas.operating_data import OperatingDataSchema
from tests.conftest import BASE_PAYLOAD

RATINGS = "/v1/ratings"
BATCH = "/v1/ratings/batch"
JSON = "application/json"


@dataclass(frozen=True)
class Hostile:
    """One request: where it goes, its exact bytes, and the answers the contract allows."""

    name: str
    body: bytes
    expected: frozenset[int]
    path: str = RATINGS
    content_type: str = JSON
    value: str | None = None  # the injected string, for the cases that carry one


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of the valid payload with ``value`` at dotted ``path`` (objects and one-item lists made)."""
    body = copy.deepcopy(base if base is not None else BASE_PAYLOAD)
    parts = path.split(".")
    node: Any = body
    for part, following in zip(parts, parts[1:], strict=False):
        nxt: Any = [] if following.isdigit() else {}
        if part.isdigit():
            index = int(part)
            while len(node) <= index:
                node.append(nxt)
            node = node[index]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = nxt
            node = node[part]
    last = parts[-1]
    if last.isdigit():
        node.append(value)
    else:
        node[last] = value
    return body


def _replace_number(old: str, new: str) -> bytes:
    """The valid payload with one numeric literal replaced textually (for NaN spellings json refuses)."""
    text = json.dumps(BASE_PAYLOAD)
    assert old in text
    return text.replace(old, new, 1).encode()


def text_paths(schema: Schema | None = None, prefix: str = "") -> Iterator[str]:
    """Every string field of the operating data, by dotted path (list items as ``.0.``)."""
    schema = schema or OperatingDataSchema()
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            yield from text_paths(inner.schema, f"{prefix}{name}{'.0.' if inner is not field else '.'}")
        elif isinstance(inner, fields.String):
            yield prefix + name


BAD_BODY = frozenset({400, 413, 415, 422})
INVALID = frozenset({422})
MALFORMED = frozenset({400})

INJECTIONS = (
    "'; DROP TABLE ratings; --",
    '" OR 1=1 --',
    "1' UNION SELECT key_hash FROM api_keys --",
    "{{7*7}}",
    "${7*7}",
    "<%= 7*7 %>",
    "{% raw %}{{ config }}{% endraw %}",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
)
CONFUSABLES = (
    "Ｃ Ｎ",  # fullwidth
    "СN",  # Cyrillic Es + Latin N
    "C\u200bN",  # zero-width space
    "ＣＮ",
    "C\u0301N",  # combining accent
    "\u202eNC",  # right-to-left override
)


def nan_cases() -> Iterator[Hostile]:
    """NaN and the infinities in every spelling, as literals and as strings, in numeric fields."""
    literals = ("NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "-inf", "+Infinity", "1e309", "-1e309")
    for spelling in literals:
        # Python's json reads NaN/Infinity/-Infinity (refused by the schema: 422); the rest are not JSON.
        yield Hostile(f"literal {spelling} in electricity_kwh", _replace_number("42000", spelling), BAD_BODY)
        yield Hostile(f"literal {spelling} in employees", _replace_number("12,", spelling + ","), BAD_BODY)
    for spelling in ("NaN", "nan", "Infinity", "-Infinity", "inf", "1e308", "-0", "0x10", "1_000"):
        yield Hostile(
            f"string {spelling!r} in electricity_kwh",
            _dumps(_with("energy.electricity_kwh", spelling)),
            INVALID,
        )
        yield Hostile(
            f"string {spelling!r} in annual_revenue",
            _dumps(_with("company.annual_revenue", spelling)),
            INVALID,
        )


def number_cases() -> Iterator[Hostile]:
    yield Hostile("1e308 electricity", _replace_number("42000", "1e308"), INVALID)
    yield Hostile("-1e308 electricity", _replace_number("42000", "-1e308"), INVALID)
    yield Hostile("-0 employees", _replace_number("12,", "-0,"), INVALID)
    yield Hostile("-0.0 annual_revenue", _replace_number("3200000", "-0.0"), INVALID)
    yield Hostile("5e-324 employees", _replace_number("12,", "5e-324,"), INVALID)
    yield Hostile("integer of 5,000 digits", _replace_number("42000", "9" * 5000), MALFORMED)
    yield Hostile(
        "float of 5,000 digits in employees", _replace_number("12,", "0." + "9" * 5000 + ","), INVALID
    )
    yield Hostile("employees true", _dumps(_with("company.employees", True)), INVALID)
    yield Hostile("employees 12.5", _dumps(_with("company.employees", 12.5)), INVALID)
    yield Hostile("employees 2**63", _dumps(_with("company.employees", 2**63)), INVALID)


def structure_cases() -> Iterator[Hostile]:
    deep = 10_000
    yield Hostile("10,000 nested arrays", b"[" * deep + b"]" * deep, MALFORMED)
    yield Hostile("10,000 nested objects", b'{"a":' * deep + b"1" + b"}" * deep, MALFORMED)
    yield Hostile("nesting inside company", b'{"company":' + b"[" * deep + b"]" * deep + b"}", MALFORMED)
    yield Hostile(
        "nesting inside batch items", b'{"items":[' + b"[" * deep + b"]" * deep + b"]}", MALFORMED, BATCH
    )
    # Deep enough for webargs' second parse, deeper in the stack, to overflow where the first did not
    # (about 975 levels under pytest): every depth past the limit is a 400, none a 500.
    for depth in (33, 400, 900, 950, 970, 975, 980, 1000, 1200):
        yield Hostile(f"{depth} nested arrays", b'{"x":' + b"[" * depth + b"]" * depth + b"}", MALFORMED)
    yield Hostile("200,000 offsets", _dumps({**BASE_PAYLOAD, "offsets": [{}] * 200_000}), INVALID)
    yield Hostile("400,000 fuels", _dumps(_with("energy.fuels", [1] * 400_000)), INVALID)
    yield Hostile("200,000 batch items", _dumps({"items": [{}] * 200_000}), INVALID, BATCH)
    yield Hostile("101 batch items", _dumps({"items": [BASE_PAYLOAD] * 101}), INVALID, BATCH)
    yield Hostile(
        "10 MB body", b'{"company": {"name": "' + b"a" * (10 * 1024 * 1024) + b'"}}', frozenset({413})
    )
    yield Hostile("10 MB batch", b'{"items": [' + b"1," * (5 * 1024 * 1024) + b"1]}", frozenset({413}), BATCH)
    yield Hostile("empty body", b"", MALFORMED)
    yield Hostile("null", b"null", BAD_BODY)
    yield Hostile("array at top", b"[]", INVALID)
    yield Hostile("string at top", b'"company"', INVALID)
    yield Hostile("number at top", b"42", INVALID)
    yield Hostile("truncated", _dumps(BASE_PAYLOAD)[:-7], MALFORMED)
    yield Hostile("trailing garbage", _dumps(BASE_PAYLOAD) + b"}", MALFORMED)
    yield Hostile("two documents", _dumps(BASE_PAYLOAD) * 2, MALFORMED)
    yield Hostile("comment", b"/* hi */" + _dumps(BASE_PAYLOAD), MALFORMED)
    yield Hostile("single quotes", _dumps(BASE_PAYLOAD).replace(b'"', b"'"), MALFORMED)
    yield Hostile("UTF-16", json.dumps(BASE_PAYLOAD).encode("utf-16"), MALFORMED)
    yield Hostile("UTF-8 BOM", b"\xef\xbb\xbf" + _dumps(BASE_PAYLOAD), MALFORMED)
    yield Hostile("invalid UTF-8", b'{"company": {"name": "\xff\xfe"}}', MALFORMED)
    yield Hostile(
        "raw NUL byte in a string", _dumps(BASE_PAYLOAD).replace(b"Hangzhou", b"Hang\x00zhou"), MALFORMED
    )
    text = json.dumps(BASE_PAYLOAD)
    yield Hostile(
        "duplicated top-level key", (text[:-1] + ', "data_source": "energy_bills"}').encode(), MALFORMED
    )
    yield Hostile(
        "duplicated nested key",
        text.replace('"employees": 12', '"employees": 12, "employees": 900000').encode(),
        MALFORMED,
    )
    yield Hostile(
        "duplicated key in a batch item",
        ('{"items": [' + text.replace('"employees": 12', '"employees": 12, "employees": 13') + "]}").encode(),
        MALFORMED,
        BATCH,
    )
    yield Hostile(
        "wrong types everywhere",
        _dumps({"company": [], "energy": "x", "practices": 1, "data_source": {}}),
        INVALID,
    )
    yield Hostile("unknown top-level field", _dumps({**BASE_PAYLOAD, "admin": True}), INVALID)
    yield Hostile("__proto__ key", _dumps({**BASE_PAYLOAD, "__proto__": {"role": "admin"}}), INVALID)
    yield Hostile(
        "form content type",
        _dumps(BASE_PAYLOAD),
        frozenset({415}),
        content_type="application/x-www-form-urlencoded",
    )
    yield Hostile("text/plain", _dumps(BASE_PAYLOAD), frozenset({415}), content_type="text/plain")
    yield Hostile(
        "json with charset latin-1",
        _dumps(BASE_PAYLOAD).replace(b"Hangzhou", "Hängzhou".encode("latin-1")),
        frozenset({415}),  # JSON must be UTF-8 (RFC 8259), said so under the charset declared
        content_type="application/json; charset=latin-1",
    )


def unicode_cases() -> Iterator[Hostile]:
    for value in CONFUSABLES:
        for path in (
            "company.country",
            "company.currency",
            "company.industry_code",
            "energy.fuels.0.fuel",
            "data_source",
        ):
            yield Hostile(f"confusable {value!r} in {path}", _dumps(_with(path, value)), INVALID)
    for path in ("company.name", "company.external_id", "energy.fuels.0.unit"):
        yield Hostile(f"escaped NUL in {path}", _dumps(_with(path, "a\u0000b")), INVALID)
        yield Hostile(
            f"lone surrogate in {path}",
            json.dumps(_with(path, "LONE")).replace("LONE", "\\ud800").encode(),
            INVALID,
        )
    yield Hostile("lone surrogate as a key", b'{"\\udfff": 1}', INVALID)
    yield Hostile(
        "lone surrogate as a key in a batch item", b'{"items": [{"\\ud800": 1}]}', frozenset({200}), BATCH
    )
    yield Hostile("name of 10,000 emoji", _dumps(_with("company.name", "\U0001f331" * 10_000)), INVALID)


def injection_cases() -> Iterator[Hostile]:
    """Every injection string in every text field: refused (422) where a pattern or a closed set applies,
    otherwise stored and served back verbatim (201): never executed, never a 5xx."""
    for path in text_paths():
        for value in INJECTIONS:
            yield Hostile(
                f"{value!r} in {path}", _dumps(_with(path, value)), frozenset({201, 422}), value=value
            )


def corpus() -> list[Hostile]:
    return [*nan_cases(), *number_cases(), *structure_cases(), *unicode_cases()]
