"""The served OpenAPI document allows what the service accepts, and refuses what it refuses, at every bound.

A bank integrator generated a client from ``/openapi.json`` and found it looser than the service:
``company.external_id`` was published with ``minLength: 0`` while ``""`` is refused, and ``loan.amount``,
``loan.borrower_equity_plus_debt``, ``loan.borrower_total_assets`` and ``energy.grid_factor.kgco2e_per_kwh``
with ``minimum: 0`` while 0 is refused (the exclusive minimum was not emitted). A client that validates
its requests against the document sends such a body and meets a 422 it was told it would not get.

The bounds are read from the served document itself, not from the schemas that produce it. For each bound
of each request field and query parameter (``minimum``/``maximum`` with their exclusive flags,
``minLength``/``maxLength``, ``minItems``/``maxItems``), the value the document allows at the bound and the
first value beyond it are put into a request the service accepts, and two verdicts must agree: the
document's (a strict OpenAPI 3.0 validator against the published schema) and the service's (422 or not).
A hypothesis test then draws numbers across and just around every published range of the rating request
and asks the same.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30WriteValidator
from werkzeug.test import TestResponse

from tests.conftest import AppFactory, bearer, create_key
from tests.schemas.test_limits_agree import _base

RATINGS = "/v1/ratings"
OPERATING_DATA = "#/components/schemas/OperatingData"
BOUNDS = frozenset({"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"})

#: Rating-request fields whose published length is not what decides: a unit is one of a set of spellings
#: (case and surrounding spaces ignored, so not an ``enum``), which the field's description lists by fuel.
NOT_BY_LENGTH = frozenset({
    "energy.fuels.0.unit", "transport.fleet.0.unit",
    "previous_year.energy.fuels.0.unit", "previous_year.transport.fleet.0.unit",
})

#: Years the service bounds by the clock, below the document's static maximum (the engine's, which reads no
#: clock, so that a recorded rating re-derives whenever it is verified), as the reporting year's description
#: says: a reporting year after the year of issue (UTC) is refused, and with it a target's base year after
#: the year of issue, since a base year is never after the reporting year; and a credit's vintage after it.
BY_THE_CLOCK = frozenset({"company.reporting_year", "targets.0.base_year", "offsets.0.vintage"})


def refused_by_the_clock(path: str, value: Any) -> bool:
    """Whether the service refuses ``value`` at ``path`` as a year after the year of issue."""
    return path in BY_THE_CLOCK and isinstance(value, int | float) and value > datetime.now(UTC).year


def clock_verdict(answer: TestResponse) -> str | None:
    """What is wrong with the answer to a year after the year of issue (``None``: refused, as it must be)."""
    if answer.status_code == 422:
        return None
    return f"a year after the year of issue answers {answer.status_code}"


#: How to send each other operation whose request body publishes a bound: the key's role and a body the
#: service accepts. Its operating data (the batch's items) is the rating request's, walked above.
BODIES: dict[tuple[str, str], tuple[str, Callable[[], dict[str, Any]]]] = {
    ("post", "/v1/ratings/batch"): ("bank", lambda: {"items": [_base()]}),
    ("post", "/v1/keys"): ("admin", lambda: {"role": "bank"}),
    ("post", "/v1/models/{version}/activate"): (
        "analyst", lambda: {"reason": "the champion retires", "replacing": "champion-1"}),
    ("post", "/v1/models/{version}/rollback"): ("analyst", lambda: {"reason": "an incident"}),
}
#: What else must hold for one field alone to decide (a merchant id is refused for a bank key).
BODY_CONTEXT = {("/v1/keys", "merchant_id"): {"role": "merchant"}}
#: The key's role for each operation whose query parameters publish a bound.
QUERIES = {"/v1/ratings": "bank", "/v1/keys": "admin", "/v1/model-events": "analyst",
           "/v1/models/{version}/comparisons": "analyst"}
#: Query parameters that name something to look up, as path parameters do: a value within their bounds
#: is still refused when it names nothing (``trained_by`` must be an analyst key of the registry or
#: ``cli/<account>``), so their bounds are not probed here.
LOOKED_UP = frozenset({("post", "/v1/models", "trained_by")})
#: Path parameters are filled in with these (the lookups then answer 404; a 422 would be the body's).
PATH_VALUES = {"version": "no-such-version"}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` followed; a nullable reference (``oneOf: [$ref, null]``) as its type."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif "oneOf" in schema or "allOf" in schema:
            branches = [b for b in schema.get("oneOf", schema.get("allOf", [])) if b.get("enum") != [None]]
            assert len(branches) == 1, schema
            schema = branches[0]
        else:
            return schema


def bounded_fields(
    spec: dict[str, Any], schema: dict[str, Any], path: str = "", skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(path, schema)`` of every field under ``schema`` that publishes a bound (``0``: a list's item),
    not descending into the components named in ``skip``."""
    branches = [schema, *schema.get("oneOf", []), *schema.get("allOf", [])]
    if any(branch.get("$ref") in skip for branch in branches):
        return
    schema = _resolve(spec, schema)
    if schema.get("type") == "array":
        if {"minItems", "maxItems"} & set(schema):
            yield path, schema
        yield from bounded_fields(spec, schema["items"], f"{path}.0", skip)
    elif schema.get("type") == "object" and "properties" in schema:
        for name, child in schema["properties"].items():
            yield from bounded_fields(spec, child, f"{path}.{name}" if path else name, skip)
    elif BOUNDS & set(schema):
        yield path, schema


def _bound(schema: dict[str, Any], end: str) -> tuple[float | None, bool]:
    """The bound at ``end`` (``minimum``/``maximum``) and whether it is excluded, in 3.0 or 3.1 spelling."""
    flag = schema.get("exclusive" + end[0].upper() + end[1:])
    if isinstance(flag, bool) or flag is None:
        return schema.get(end), bool(flag)
    return flag, True  # OpenAPI 3.1: the excluded bound itself


def probes(schema: dict[str, Any], item: Any = None) -> Iterator[tuple[str, Any]]:
    """``(case, value)``: at each published bound, the value the document allows and the first beyond it.

    Text is made of ``a``; a list, of copies of ``item`` (one of its valid items).
    """
    kind = schema.get("type")
    if kind in ("number", "integer"):
        for end, outward in (("minimum", -math.inf), ("maximum", math.inf)):
            bound, excluded = _bound(schema, end)
            if bound is None:
                continue
            if kind == "integer":
                step = 1 if outward > 0 else -1
                allowed, beyond = (bound - step, bound) if excluded else (bound, bound + step)
            else:
                allowed = math.nextafter(bound, -outward) if excluded else bound
                beyond = bound if excluded else math.nextafter(bound, outward)
            yield f"{end}-allowed", allowed
            yield f"{end}-beyond", beyond
    elif kind in ("string", "array"):
        low, high = ("minLength", "maxLength") if kind == "string" else ("minItems", "maxItems")

        def made(n: int) -> Any:
            return "a" * n if kind == "string" else [copy.deepcopy(item) for _ in range(n)]

        if low in schema:
            yield f"{low}-allowed", made(schema[low])
            if schema[low] > 0:
                yield f"{low}-beyond", made(schema[low] - 1)
        if high in schema:
            yield f"{high}-allowed", made(schema[high])
            yield f"{high}-beyond", made(schema[high] + 1)


def _get(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = body[int(part)] if part.isdigit() else body[part]
    return body


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value


def base_rating_body(path: str) -> dict[str, Any]:
    """A body the service rates, holding every object and list that has a bounded field (the one of
    tests/schemas/test_limits_agree.py), and what else must hold for ``path`` alone to decide: the engine
    checks some fields against others."""
    body = _base()
    field = path.removeprefix("previous_year.")
    target = body["targets"][0]
    if field == "company.fx_to_cny":
        body["company"]["currency"] = "USD"  # a rate beside CNY must be 1
    elif field == "loan.fx_to_cny":
        body["loan"]["currency"] = "EUR"  # read for a currency neither CNY nor the company's
    elif field == "company.reporting_year":
        target["base_year"] = 1990  # a base year must not be after the reporting year
    elif field == "targets.0.base_year":  # ... and the target year must be after it; the reporting year is
        body["company"]["reporting_year"] = datetime.now(UTC).year  # the latest the service rates
        target["target_year"] = 2100
    elif field == "targets.0.target_year":
        target["base_year"] = 1990
    elif field == "energy.green_electricity_vintage":  # the year of green instruments held
        energy = body["previous_year"]["energy"] if path.startswith("previous_year.") else body["energy"]
        energy["green_electricity_kwh"] = 1000
    return body


class Served:
    """The app, a key per role, the served document, and the document's verdict on a value."""

    def __init__(self, client: FlaskClient, keys: dict[str, str]) -> None:
        self.client = client
        self.keys = keys
        self.spec: dict[str, Any] = client.get("/openapi.json").get_json()
        self._validators: dict[str, OAS30WriteValidator] = {}

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.spec["paths"][path][method]  # type: ignore[no-any-return]

    def body_schema(self, method: str, path: str) -> dict[str, Any]:
        content = self.operation(method, path)["requestBody"]["content"]
        return content["application/json"]["schema"]  # type: ignore[no-any-return]

    def allows(self, schema: dict[str, Any], value: Any) -> bool:
        """The document's verdict, as a client validating its request against it reaches it."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            document = {"allOf": [schema], "components": self.spec["components"]}
            self._validators[key] = OAS30WriteValidator(document)
        return bool(self._validators[key].is_valid(value))

    def rate(self, body: dict[str, Any]) -> TestResponse:
        return self.client.post(RATINGS, json=body, headers=bearer(self.keys["bank"]))


@pytest.fixture
def served(make_app: AppFactory) -> Served:
    app = make_app()
    keys = {role: create_key(app, "truth", role) for role in ("bank", "admin", "analyst")}
    return Served(app.test_client(), keys)


def _verdicts(allowed: bool, answer: TestResponse) -> str | None:
    """What the document and the service say differently (``None``: they agree). The value the document
    allows at a bound is sent in the same request as the one beyond it: once the first is accepted, a
    refusal of the second is its value's, whichever field the 422 names."""
    refused = answer.status_code == 422
    if allowed != refused:
        return None
    if allowed:
        return f"the document allows it, the service refuses it: {answer.get_json().get('errors')}"
    return f"the document refuses it, the service answers {answer.status_code}"


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) > 8:
        return f"{len(value)} characters"
    return f"{len(value)} items" if isinstance(value, list) else repr(value)


def test_every_bound_of_the_rating_request_is_the_services(served: Served) -> None:
    """At each published bound of ``POST /v1/ratings`` the document and the service agree, both ways."""
    schema = served.body_schema("post", RATINGS)
    assert schema == {"$ref": OPERATING_DATA}
    assert served.allows(schema, _base()) and served.rate(_base()).status_code == 201
    found = []
    for path, field_schema in bounded_fields(served.spec, schema):
        if path not in NOT_BY_LENGTH:
            item = _get(base_rating_body(path), f"{path}.0") if field_schema["type"] == "array" else None
            found += [(path, case, value) for case, value in probes(field_schema, item)]
    # the fields of the review, and every kind of bound, are among those walked
    reviewed = {"company.external_id", "loan.amount", "loan.borrower_equity_plus_debt",
                "loan.borrower_total_assets", "energy.grid_factor.kgco2e_per_kwh", "energy.fuels"}
    assert reviewed <= {path for path, _, _ in found}
    assert len(found) > 250
    wrong = []
    for path, case, value in found:
        body = base_rating_body(path)
        _put(body, path, value)
        answer = served.rate(body)
        allowed = served.allows(schema, body)
        problem = clock_verdict(answer) if refused_by_the_clock(path, value) else _verdicts(allowed, answer)
        if problem:
            wrong.append(f"{path} {case} = {_short(value)}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_every_bound_of_the_other_requests_and_query_parameters_is_the_services(served: Served) -> None:
    """The same for every other request body and every query parameter that publishes a bound (path
    parameters name things to look up: a value within their bounds is still a 404)."""
    wrong: set[str] = set()
    walked = 0
    for (method, path), (role, make_body) in BODIES.items():
        schema = served.body_schema(method, path)
        url = path.format(**PATH_VALUES)
        assert served.allows(schema, make_body())
        for field, field_schema in bounded_fields(served.spec, schema, skip=frozenset({OPERATING_DATA})):
            item = _get(make_body(), f"{field}.0") if field_schema["type"] == "array" else None
            for case, value in probes(field_schema, item):
                body = {**make_body(), **BODY_CONTEXT.get((path, field), {})}
                _put(body, field, value)
                answer = served.client.open(url, method=method, json=body, headers=bearer(served.keys[role]))
                walked += 1
                if _verdicts(served.allows(schema, body), answer):
                    wrong.add(f"{method} {path} {field} {case}")
    assert served.body_schema("put", "/v1/merchants/{merchant_id}/profile") == {"$ref": OPERATING_DATA}
    for path, operations in served.spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own: path parameters
                continue
            bounded = [p for p in operation.get("parameters", []) if "$ref" not in p and p["in"] == "query"
                       and BOUNDS & set(p["schema"]) and (method, path, p["name"]) not in LOOKED_UP]
            if not bounded:
                continue
            role = QUERIES[path]  # a KeyError: a new bounded parameter, add how to call its operation
            for parameter in bounded:
                for case, value in probes(parameter["schema"]):
                    query = {parameter["name"]: value}
                    answer = served.client.open(path.format(**PATH_VALUES), method=method, query_string=query,
                                                headers=bearer(served.keys[role]))
                    walked += 1
                    if _verdicts(served.allows(parameter["schema"], value), answer):
                        wrong.add(f"{method} {path} {parameter['name']} {case}")
    assert walked > 30
    assert wrong == set()


def _numbers(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    schema = {"$ref": OPERATING_DATA}
    return [(path, s) for path, s in bounded_fields(spec, schema) if s["type"] in ("number", "integer")]


@st.composite
def _near_or_across(draw: st.DrawFn, schema: dict[str, Any]) -> float:
    """A number of the field's type: within a few steps of one of its published ends, or anywhere from a
    little below the lower end to a little above the upper."""
    low, _ = _bound(schema, "minimum")
    high, _ = _bound(schema, "maximum")
    assert low is not None and high is not None
    end = draw(st.sampled_from((low, high)))
    if schema["type"] == "integer":
        return draw(st.integers(int(end) - 3, int(end) + 3) | st.integers(int(low) - 10, int(high) + 10))
    stepped = end
    for _ in range(draw(st.integers(0, 3))):
        stepped = math.nextafter(stepped, draw(st.sampled_from((-math.inf, math.inf))))
    span = (high - low) / 10
    return draw(st.just(stepped) | st.floats(low - span, high + span, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_number_is_judged_alike_by_the_document_and_the_service(
    served: Served, data: st.DataObject
) -> None:
    """Any value of any published numeric range of the rating request, at its ends or across them: the
    document allows it exactly when the service accepts it."""
    path, schema = data.draw(st.sampled_from(_numbers(served.spec)), label="field")
    value = data.draw(_near_or_across(schema), label="value")
    body = base_rating_body(path)
    _put(body, path, value)
    answer = served.rate(body)
    if refused_by_the_clock(path, value):
        assert clock_verdict(answer) is None
        return
    assert _verdicts(served.allows({"$ref": OPERATING_DATA}, body), answer) is None


def test_data_source_publishes_the_default_the_service_takes(served: Served) -> None:
    """``data_source`` is optional (api-v1.md's sketch lists it as if required): the document says what a
    body without it is taken as, and it is that: left out, null or the published default, the same rating."""
    operating_data = served.spec["components"]["schemas"]["OperatingData"]
    published = operating_data["properties"]["data_source"]
    assert "data_source" not in operating_data["required"]
    assert published["default"] in published["enum"]
    assert f"taken as `{published['default']}`" in published["description"]
    ratings = []
    for value in ("left out", None, published["default"]):
        body = _base()
        if value != "left out":
            body["data_source"] = value
        ratings.append(served.rate(body).get_json())
    assert {r["id"] for r in ratings} == {ratings[0]["id"]}
    assert ratings[0]["data_quality"]["data_source"] == published["default"]


def test_an_excluded_bound_is_written_as_the_declared_openapi_version_spells_it() -> None:
    """OpenAPI 3.0 flags the bound (``exclusiveMinimum: true`` beside ``minimum``); 3.1 gives the bound
    itself as ``exclusiveMinimum``, with no ``minimum`` that would admit it again."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from schemas.fields import Number
    from service.openapi import exclusive_bounds

    def published(version: str, field: Any) -> dict[str, Any]:
        plugin = MarshmallowPlugin()
        APISpec("t", "1", version, plugins=[plugin])
        assert plugin.converter is not None
        plugin.converter.add_attribute_function(exclusive_bounds)
        return {k: v for k, v in plugin.converter.field2property(field).items() if "imum" in k}

    above_zero = Number(minimum=0.0, maximum=3.0, exclusive_minimum=True)
    assert published("3.0.3", above_zero) == {"minimum": 0.0, "exclusiveMinimum": True, "maximum": 3.0}
    assert published("3.1.0", above_zero) == {"exclusiveMinimum": 0.0, "maximum": 3.0}
    assert published("3.0.3", Number(minimum=0.0, maximum=3.0)) == {"minimum": 0.0, "maximum": 3.0}


def test_a_bill_is_documented_with_the_bound_its_conversion_is_held_to(served: Served) -> None:
    """``energy.electricity_spend`` is published up to 1e13, but a bill is converted into kWh at the served
    standard's tariff and refused past the most ``electricity_kwh`` takes (1e12 kWh): every CNY bill from
    6.5e11 to 1e13 was allowed by the document and answered 422. No static maximum can say it (the bound is
    in CNY, after ``fx_to_cny``, at a tariff of the standard): the field's description does, from the
    served standard's tariff and the published kWh bound, and the service answers at that bound as it says
    (a 422 naming the bill, beside the rest of the body's field errors' shape)."""
    schemas = served.spec["components"]["schemas"]
    bill = schemas["Energy"]["properties"]["electricity_spend"]
    most_kwh = schemas["Energy"]["properties"]["electricity_kwh"]["maximum"]
    document = served.client.get("/v1/standard", headers=bearer(served.keys["bank"])).get_json()["document"]
    [tariff] = [r["tariff_cny_per_kwh"] for r in document["estimation"]["rules"] if "tariff_cny_per_kwh" in r]
    most_cny = most_kwh * tariff
    said = " ".join(bill["description"].split())
    assert f"{tariff:g} CNY per kWh" in said and f"more than {most_kwh:g} kWh" in said
    assert f"more than {most_cny:g} CNY" in said and "422 naming this field" in said
    assert "company.fx_to_cny" in said and "electricity_kwh" in said

    def body(spend: float, **company: Any) -> dict[str, Any]:
        made = _base()
        made["company"].update(company)
        made["energy"] = {"electricity_spend": spend}
        return made

    assert served.rate(body(most_cny)).status_code == 201
    for past in (body(most_cny * (1 + 1e-9)), body(most_cny / 7.1 * 1.001, currency="USD", fx_to_cny=7.1)):
        assert served.allows({"$ref": OPERATING_DATA}, past)  # within the maximum: the description says it
        answer = served.rate(past)
        assert answer.status_code == 422, answer.get_json()
        assert list(answer.get_json()["errors"]) == ["energy.electricity_spend"]


def _string_schemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "string":
            yield where, node
        for name, child in node.items():
            yield from _string_schemas(child, f"{where}/{name}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _string_schemas(child, f"{where}/{index}")


def test_no_published_length_is_one_its_pattern_refuses(served: Served) -> None:
    """A string whose pattern needs a character publishes no ``minLength`` or 1 or more, not 0: the
    document offered ``KeyCreate.merchant_id`` at ``minLength: 0`` beside a pattern refusing ""
    (bank review)."""
    patterned = [(where, s) for where, s in _string_schemas(served.spec) if "pattern" in s]
    assert any(where.endswith("KeyCreate/properties/merchant_id") for where, _ in patterned)
    wrong = [where for where, schema in patterned
             if schema.get("minLength") == 0 and not re.search(schema["pattern"], "")]
    assert wrong == []


#: Path segments to try in each path parameter: ids of the form the service issues (none of them issued
#: here), and others.
PATH_SEGMENTS = {
    "rating_id": ["rt_0123456789abcdef0123456789abcdef", "rt_x", "rt_0123456789ABCDEF0123456789ABCDEF",
                  "rt_0123456789abcdef0123456789abcdef0", "pf_0123456789abcdef0123456789abcdef", "a" * 40],
    "portfolio_id": ["pf_0123456789abcdef0123456789abcdef", "pf_x", "pf_0123456789ABCDEF0123456789ABCDEF",
                     "rt_0123456789abcdef0123456789abcdef", "a" * 40],
    "merchant_id": ["m-1", "a" * 64],
    "version": ["champion-1", "a" * 80],
}


def test_every_path_parameter_publishes_the_ids_the_service_issues(served: Served) -> None:
    """``rating_id`` and ``portfolio_id`` publish the one form of the ids the service issues (they were
    any string of up to 40 characters; bank review), and the service answers any id that cannot name
    anything, of that form or not, with the documented 404, never a 422 or a 500."""
    published: dict[str, dict[str, Any]] = {}
    for path, operations in served.spec["paths"].items():
        parameters = [p for p in operations.get("parameters", []) if p["in"] == "path"]
        if "get" not in operations or not parameters or parameters[0]["schema"].get("type") == "integer":
            continue
        assert "404" in operations["get"]["responses"], path
        key = served.keys["analyst" if path.startswith("/v1/models") else "bank"]
        for parameter in parameters:
            published[parameter["name"]] = parameter["schema"]
            for segment in PATH_SEGMENTS[parameter["name"]]:
                values = {p["name"]: PATH_SEGMENTS[p["name"]][0] for p in parameters}
                url = path.format(**{**values, parameter["name"]: segment})
                assert served.client.get(url, headers=bearer(key)).status_code == 404, (path, segment)
    assert {"rating_id", "portfolio_id", "merchant_id", "version"} <= set(published)
    for name, issued in (("rating_id", "rt_0123456789abcdef0123456789abcdef"),
                         ("portfolio_id", "pf_0123456789abcdef0123456789abcdef")):
        assert served.allows(published[name], issued), name
        refused = [segment for segment in PATH_SEGMENTS[name][1:] if served.allows(published[name], segment)]
        assert refused == [], name
