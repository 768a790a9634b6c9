"""The API's schema and the engine's reader refuse a number at the same bounds, a code at the same pattern.

Both take them from :data:`rating_model.operating_data.LIMITS` and its ``*_PATTERN``s (a code review found
them written twice, a literal in each layer, with nothing checking that they agreed). Each bounded field is
probed just inside and just outside each of its ends through both layers: they must agree (both accept it
or both refuse it, naming its path), so a bound changed on one side only fails here.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields

from rating_model.currencies import CURRENCY_CODES
from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.isic import INDUSTRY_CODES
from rating_model.operating_data import (
    BELOW_MINIMUM,
    COUNTRY_PATTERN,
    INDUSTRY_PATTERN,
    LIMITS,
    REGION_PATTERN,
    Limit,
    WholeLimit,
)
from rating_model.operating_data_reader import parse_operating_data
from rating_model.standard import load_standard
from schemas.errors import flatten_errors
from schemas.fields import Anchored, CodeOf, Number, WholeNumber, plain_number
from schemas.operating_data import OperatingDataSchema

SCHEMA = OperatingDataSchema()
USES = load_standard().use_of_proceeds

#: ``energy`` and ``transport`` of the previous year are read by the same code, with the same limits
PREVIOUS_YEAR = ("energy.", "transport.")
BOUNDED = sorted([*LIMITS, *(f"previous_year.{p}" for p in LIMITS if p.startswith(PREVIOUS_YEAR))])


def _base() -> dict[str, Any]:
    """A body both layers accept, with every object that holds a bounded number (one item per list).

    The items hold no figure another one is checked against at its bounds: electricity is at its maximum
    (green power must not exceed it), waste is at its maximum with nothing recycled (recycled, hazardous
    and food waste must not exceed it), and the vehicle has no km (0 vehicles driving km is refused).
    """
    energy = {
        "electricity_kwh": 1e12,
        "fuels": [{"fuel": "natural_gas", "quantity": 5200, "unit": "m3"}],
        "grid_factor": {"kgco2e_per_kwh": 0.5, "source": "a utility's published factor", "year": 2020},
    }
    transport = {
        "fleet": [{"fuel": "diesel", "vehicles": 2, "unit": "l"}],
        "business_travel": [{"mode": "rail", "passenger_km": 1000}],
    }
    return {
        "company": {
            "name": "Hangzhou Green Noodle House",
            "country": "CN",
            "region": "CN-ZJ",
            "industry_code": "5610",
            "employees": 12,
            "annual_revenue": 3_200_000,
            "currency": "CNY",
            "reporting_year": 2024,
        },
        "energy": energy,
        "transport": transport,
        "resources": {"water_m3": 100, "waste_t": 1e9},
        "practices": {"green_products_share": 0.5},
        "compliance": {"environmental_penalties_3y": 0},
        "offsets": [{"standard": "CCER", "tco2e": 1, "type": "removal", "vintage": 2020}],
        "targets": [{"scopes": [1, 2], "base_year": 2020, "target_year": 2030, "reduction_pct": 30,
                     "gases": ["CO2"]}],
        "previous_year": {"energy": copy.deepcopy(energy), "transport": copy.deepcopy(transport)},
        "loan": {"amount": 1e6, "currency": "CNY", "use_of_proceeds": USES[0]},
        "reported_emissions": {"scope1_tco2e": 1, "scope2_location_tco2e": 1, "scope2_market_tco2e": 1,
                               "scope3_tco2e": 1, "verified": True, "verifier": "CQC"},
        "refrigerants": [{"gas": "R-410A", "recharged_kg": 3}],
    }


def _context(body: dict[str, Any], path: str) -> None:
    """What else must hold for ``path`` alone to decide: the engine checks some fields against others."""
    if path == "company.fx_to_cny":
        body["company"]["currency"] = "USD"  # a rate beside CNY must be 1
    elif path == "loan.fx_to_cny":
        body["loan"]["currency"] = "EUR"  # needed, and read, for a currency neither CNY nor the company's
    elif path == "targets.*.base_year":
        # a base year must not be after the reporting year, and the target year must be after it
        body["company"]["reporting_year"] = LIMITS["company.reporting_year"].maximum
        del body["targets"][0]["target_year"]
    elif path == "targets.*.target_year":
        del body["targets"][0]["base_year"]  # the target year must be after the base year
    elif path.endswith("energy.green_electricity_vintage"):  # the year of green instruments held
        energy = body["previous_year"]["energy"] if path.startswith("previous_year.") else body["energy"]
        energy["green_electricity_kwh"] = 1000


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``*``: the first item of a list) in ``body``."""
    *parents, last = path.replace("*", "0").split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value


def _refused_by_schema(body: dict[str, Any]) -> set[str]:
    try:
        SCHEMA.load(body)
    except ValidationError as exc:
        return set(flatten_errors(exc.messages))
    return set()


def _refused_by_engine(body: dict[str, Any]) -> set[str]:
    try:
        parse_operating_data(body, use_of_proceeds=USES)
    except (InvalidInputError, InvalidInputErrors) as exc:
        return set(exc.errors)
    return set()


def _concrete(path: str) -> str:
    return path.replace("*", "0")


def _engine_path(path: str) -> str:
    """Where the engine names an error at ``path``: a target's scopes are checked as one list (the schema
    names the item)."""
    return _concrete(path).removesuffix(".0") if path.endswith(".scopes.*") else _concrete(path)


def _probes() -> list[Any]:
    """``(path, value, refused)`` just inside and just outside both ends of every bounded field."""
    out = []
    for path in BOUNDED:
        bounds = LIMITS[path.removeprefix("previous_year.")]
        low, high = bounds.minimum, bounds.maximum
        if isinstance(bounds, WholeLimit):
            cases = [("min-inside", low, False), ("min-outside", low - 1, True),
                     ("max-inside", high, False), ("max-outside", high + 1, True)]
        else:
            assert isinstance(bounds, Limit)
            below, above = math.nextafter(low, -math.inf), math.nextafter(low, math.inf)
            if bounds.exclusive_minimum:
                cases = [("min-inside", above, False), ("min-outside", low, True)]
            else:
                cases = [("min-inside", low, False), ("min-outside", below, True)]
            cases += [("max-inside", high, False), ("max-outside", math.nextafter(high, math.inf), True)]
        out += [pytest.param(path, value, refused, id=f"{path}-{case}") for case, value, refused in cases]
    return out


def test_the_base_body_is_accepted_by_both_layers() -> None:
    """Otherwise an "accepted" verdict below could come from a body neither layer reads that far."""
    assert _refused_by_schema(_base()) == set()
    assert _refused_by_engine(_base()) == set()


@pytest.mark.parametrize(("path", "value", "refused"), _probes())
def test_both_layers_refuse_a_number_at_the_same_bounds(path: str, value: float, refused: bool) -> None:
    """Just inside a bound both layers accept the field, just outside both refuse it naming its path."""
    body = _base()
    _context(body, path)
    _put(body, path, value)
    by_schema = _concrete(path) in _refused_by_schema(copy.deepcopy(body))
    by_engine = _engine_path(path) in _refused_by_engine(copy.deepcopy(body))
    assert (by_schema, by_engine) == (refused, refused), (
        f"{path} = {value!r}: schema {'refuses' if by_schema else 'accepts'}, engine "
        f"{'refuses' if by_engine else 'accepts'}; expected both to {'refuse' if refused else 'accept'}"
    )


def _messages_by_schema(body: dict[str, Any]) -> dict[str, list[str]]:
    try:
        SCHEMA.load(body)
    except ValidationError as exc:
        return flatten_errors(exc.messages)
    return {}


def _messages_by_engine(body: dict[str, Any]) -> dict[str, list[str]]:
    try:
        parse_operating_data(body, use_of_proceeds=USES)
    except (InvalidInputError, InvalidInputErrors) as exc:
        return exc.errors
    return {}


@pytest.mark.parametrize("path", sorted(BELOW_MINIMUM))
@pytest.mark.parametrize("value", [0, 0.0, -5, -1e300])
def test_both_layers_say_why_a_number_below_its_minimum_is_refused(path: str, value: float) -> None:
    """Review L2: a balance sheet of 0 or less got the PCAF explanation in a batch row (send the debt
    alone under a negative equity; leave it out, and total assets are divided by) but the API's generic
    "Must be greater than 0.0 and less than or equal to 1e15". Both answer with the engine's words now;
    too large a figure keeps the schema's message, which names the maximum."""
    body = _base()
    _put(body, path, value)
    assert _messages_by_schema(copy.deepcopy(body)) == {path: [BELOW_MINIMUM[path]]}
    assert _messages_by_engine(copy.deepcopy(body)) == {path: [BELOW_MINIMUM[path]]}
    bounds = LIMITS[path]
    _put(body, path, math.nextafter(bounds.maximum, math.inf))
    assert _messages_by_schema(body) == {
        path: [f"Must be greater than {plain_number(bounds.minimum)} and less than or equal to "
               f"{plain_number(bounds.maximum)}."]}


def _bounded_fields(schema: Schema, prefix: str = "") -> set[str]:
    """The paths of the schema's numbers (``*``: each item of a list)."""
    out: set[str] = set()
    for name, field in schema.fields.items():
        path, inner = f"{prefix}{name}", field
        while isinstance(inner, fields.List):
            path, inner = f"{path}.*", inner.inner
        if isinstance(inner, Number | WholeNumber):
            out.add(path)
        elif isinstance(inner, fields.Nested):
            nested = inner.schema
            assert isinstance(nested, Schema)
            out |= _bounded_fields(nested, f"{path}.")
    return out


def test_every_number_of_the_schema_is_probed() -> None:
    """A bounded field added to the schema without a limit in the engine's table (or the reverse) would
    escape the probes above."""
    assert _bounded_fields(SCHEMA) == set(BOUNDED)


#: The patterns of the coded fields, with strings on either side of them (no surrounding white space: the
#: engine strips text before it matches, the schema does not; see the report of this change)
PATTERNS = {
    "company.country": (COUNTRY_PATTERN, ["CN", "US", "C", "CNN", "cn", "C1", "12", "ÄB"]),
    "company.region": (REGION_PATTERN, ["CN-ZJ", "CN-1", "CN-AB1", "CN-ABCD", "CN-", "CN-zj", "CNZJ",
                                        "CN_ZJ", "CN-Z-J", "US-CA", "C-ZJ"]),
    "company.industry_code": (INDUSTRY_PATTERN, ["5610", "56", "561", "5", "56101", "56A", "٥٦", ""]),
}


@pytest.mark.parametrize(
    ("path", "text"), [pytest.param(p, t, id=f"{p}={t}") for p, (_, texts) in PATTERNS.items() for t in texts]
)
def test_both_layers_refuse_a_code_at_the_same_pattern(path: str, text: str) -> None:
    pattern = PATTERNS[path][0]
    body = _base()
    _put(body, path, text)
    if path == "company.region" and COUNTRY_PATTERN.fullmatch(text[:2]):
        body["company"]["country"] = text[:2]  # a region must lie in the country (the engine's check)
    refused = pattern.fullmatch(text) is None
    assert (path in _refused_by_schema(copy.deepcopy(body)), path in _refused_by_engine(body)) == (
        refused,
        refused,
    )


@pytest.mark.parametrize("path", list(PATTERNS))
def test_the_schema_publishes_the_engines_patterns(path: str) -> None:
    """The OpenAPI document shows the pattern the schema checks: the engine's, anchored."""
    node: Any = SCHEMA
    for part in path.split("."):
        node = node.fields[part]
        node = node.schema if isinstance(node, fields.Nested) else node
    published = [v.regex.pattern for v in node.validators if isinstance(v, Anchored)]
    assert published == [f"^{PATTERNS[path][0].pattern}$"]
    assert isinstance(PATTERNS[path][0], re.Pattern)


#: Currency codes around ISO 4217's list: on it (current, and withdrawn lately), and what a loan book holds
#: that is not (a PCAF audit: ``RMB`` was rated as a currency of its own, its rate to CNY taken on trust;
#: ``CNH``, the offshore renminbi's market name, which a bank's offshore book sends)
CODES = ["CNY", "USD", "EUR", "XAU", "HRK", "BGN", "XCG", "ZWG",
         "RMB", "RMBX", "CNH", "cnh", "usd", "Cny", "CN", "XXX", "XTS", "ABC", "DEM", "C1Y", "ＣＮＹ", ""]


@pytest.mark.parametrize("path", ["company.currency", "loan.currency"])
@pytest.mark.parametrize("code", CODES)
def test_both_layers_take_the_same_currency_codes_and_say_the_same(path: str, code: str) -> None:
    """The API's schema and the engine (which the batch's rows go through) take exactly the codes of the
    list, and refuse any other with the same words (the engine's, field by field)."""
    body = _base()
    _put(body, path, code)
    section = path.split(".")[0]
    if code != "CNY":
        body[section]["fx_to_cny"] = 7.0  # required beside another currency
    try:
        SCHEMA.load(copy.deepcopy(body))
        by_schema: list[str] = []
    except ValidationError as exc:
        by_schema = flatten_errors(exc.messages).get(path, [])
    try:
        parse_operating_data(body, use_of_proceeds=USES)
        by_engine: list[str] = []
    except (InvalidInputError, InvalidInputErrors) as exc:
        by_engine = exc.errors.get(path, [])
    refused = code not in CURRENCY_CODES
    assert (bool(by_schema), bool(by_engine)) == (refused, refused), (by_schema, by_engine)
    if refused and code:  # "" is also too short for the schema, and missing for the engine
        assert by_engine[0] in by_schema and "ISO 4217" in by_engine[0]


@pytest.mark.parametrize("path", ["company.currency", "loan.currency"])
def test_the_schema_publishes_the_engines_currency_codes(path: str) -> None:
    """The OpenAPI document lists the codes the engine takes (an enum), not a pattern it would not keep."""
    section, name = path.split(".")
    node = SCHEMA.fields[section]
    assert isinstance(node, fields.Nested)
    field = node.schema.fields[name]
    [codes] = [v for v in field.validators if isinstance(v, CodeOf)]
    assert list(codes.choices) == list(CURRENCY_CODES) and not any(
        isinstance(v, Anchored) for v in field.validators)


#: Industry codes around ISIC Rev. 4's list: a division, group and class of it, 4799 among them (a class:
#: other retail not in stores), and codes of 2-4 digits that are none (only the division had been checked:
#: 9999 was rated as an extraterritorial body, 111, 0111 with its leading zero lost, as a beverage maker)
INDUSTRY = ["56", "561", "5610", "4799", "9900", "0111", "9999", "999", "4735", "4701", "00", "4800", "111",
            "0000"]


@pytest.mark.parametrize("code", INDUSTRY)
def test_both_layers_take_the_same_industry_codes_and_say_the_same(code: str) -> None:
    """The API's schema and the engine (which the batch's rows go through) take exactly the codes of the
    list, and refuse any other of 2-4 digits with the same words (the engine's)."""
    body = _base()
    _put(body, "company.industry_code", code)
    try:
        SCHEMA.load(copy.deepcopy(body))
        by_schema: list[str] = []
    except ValidationError as exc:
        by_schema = flatten_errors(exc.messages).get("company.industry_code", [])
    try:
        parse_operating_data(body, use_of_proceeds=USES)
        by_engine: list[str] = []
    except (InvalidInputError, InvalidInputErrors) as exc:
        by_engine = exc.errors.get("company.industry_code", [])
    refused = code not in INDUSTRY_CODES
    assert (bool(by_schema), bool(by_engine)) == (refused, refused), (by_schema, by_engine)
    assert by_schema == by_engine
    if refused:
        head = "must be a division (2 digits), group (3) or class (4) of ISIC Rev. 4"
        assert by_engine[0].startswith(f"{head}: {code} is not one")


def test_the_schema_publishes_the_engines_industry_codes() -> None:
    """The OpenAPI document lists the codes the engine takes (an enum), beside the pattern of their shape."""
    node = SCHEMA.fields["company"]
    assert isinstance(node, fields.Nested)
    field = node.schema.fields["industry_code"]
    [codes] = [v for v in field.validators if isinstance(v, CodeOf)]
    assert list(codes.choices) == list(INDUSTRY_CODES)
