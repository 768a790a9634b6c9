"""``"business_travel": []`` (the business had none) and business travel left out (not reported) apart.

An accountant's review: the reader stored both as ``()`` and the canonical input dropped the empty list, so
the rating, the IFRS S2 exclusions, the VSME export and the input hash could not tell a business that said
it had no business travel from one that never said. ``[]`` is now an answer, kept in the canonical input
as ``"fuels": []`` and ``"fleet": []`` are, and a reported zero for Scope 3 category 6; left out, it is
listed in ``emissions.missing`` and the exclusions (engine 2.13, schema 1.14).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from rating_model.engine import Engine
from rating_model.vsme import vsme_export
from tests.conftest import BASE_PAYLOAD, session_engine

TRAVEL = "transport.business_travel"


def _body(**transport: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_PAYLOAD)
    body["resources"] = {"water_m3": 300, "waste_t": 2.0}  # Scope 3 otherwise given: travel alone differs
    if transport:
        body["transport"] = transport
    return body


def _rated(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    engine: Engine = session_engine()
    data = engine.parse(body)
    rating = {"id": "rt_x", **engine.rate(data).to_dict()}
    return json.loads(json.dumps(rating)), json.loads(data.canonical_json())


def test_none_and_left_out_read_and_hash_apart() -> None:
    engine: Engine = session_engine()
    none, left_out = engine.parse(_body(business_travel=[])), engine.parse(_body())
    assert none.transport.business_travel == () and left_out.transport.business_travel is None
    assert none.to_dict()["transport"] == {"business_travel": []}
    assert "transport" not in left_out.to_dict()
    assert none.canonical_json() != left_out.canonical_json()
    assert engine.parse(_body(business_travel=None)).canonical_json() == left_out.canonical_json()  # null
    # the canonical form reads back as itself
    assert engine.parse(json.loads(none.canonical_json())).canonical_json() == none.canonical_json()
    assert none.transport.trips == left_out.transport.trips == ()


def test_left_out_is_missing_and_excluded_none_is_a_reported_zero() -> None:
    left_out, _ = _rated(_body())
    none, _ = _rated(_body(business_travel=[]))
    assert TRAVEL in left_out["emissions"]["missing"] and TRAVEL not in none["emissions"]["missing"]
    scope3 = none["emissions"]["scope3"]
    assert "cat6_business_travel" in scope3["categories_included"]
    assert scope3["categories"]["cat6_business_travel"] == 0.0
    assert "cat6_business_travel" not in left_out["emissions"]["scope3"]["categories_included"]
    assert scope3["total"] == left_out["emissions"]["scope3"]["total"]  # nothing added but the category
    exclusions = " ".join(left_out["issb_summary"]["basis_of_preparation"]["exclusions"]["value"])
    assert "business travel (category 6)" in exclusions and "did not report" in exclusions
    exclusions = " ".join(none["issb_summary"]["basis_of_preparation"]["exclusions"]["value"])
    assert "business travel" not in exclusions
    # travel feeds Scope 3 only: left out, it leaves Scope 1 and 2 (and a neutrality claim on them) whole
    for key in ("score", "grade", "neutrality", "data_quality"):
        assert none[key] == left_out[key], key
    assert none["emissions"]["scope1"] == left_out["emissions"]["scope1"]


def test_vsme_scope3_says_travel_left_out_and_not_none() -> None:
    def note(body: dict[str, Any]) -> str:
        return str(vsme_export(*_rated(body))["datapoints"]["B3"]["scope3_tco2e"]["note"])

    assert "business travel (category 6)" in note(_body())
    assert "business travel" not in note(_body(business_travel=[]))
    assert "Not reported" not in note(_body(business_travel=[]))


def test_a_rating_of_an_earlier_engine_is_exported_as_it_read_travel() -> None:
    """A rating issued before engine 2.13 never listed travel as missing, and its input dropped ``[]``:
    its export still says travel none of which was given as not reported, "none" and left out alike."""
    rating, operating = _rated(_body())
    rating["versions"]["engine"] = "2.12"
    rating["emissions"]["missing"] = [p for p in rating["emissions"]["missing"] if p != TRAVEL]
    said = vsme_export(rating, operating)["datapoints"]["B3"]["scope3_tco2e"]["note"]
    assert "business travel (category 6): none was reported (a list left out and [] read alike)" in said
