"""``POST /v1/ratings`` with a target's kind, gases, netting and validation (schema 1.14;
tests/rating_model/test_target_attributes.py has the engine's side): they reach the IFRS S2 targets item,
a bad one is a 422 on its field, and two requests differing only in a target's kind are two ratings, not
one served from the cache."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import bearer, payload


def _body(external_id: str, **stated: Any) -> dict[str, Any]:
    body = payload(external_id=external_id)
    year = body["company"]["reporting_year"]
    body["targets"] = [{"scopes": [1, 2], "base_year": year - 1, "target_year": year + 6,
                        "reduction_pct": 30.0, **stated}]
    return body


def test_the_stated_fields_reach_the_ifrs_s2_item(client: FlaskClient, bank_key: str) -> None:
    stated = {"kind": "absolute", "gases": ["CO2", "CH4"], "net_of_credits": False, "validated_by": "SBTi"}
    rated = client.post("/v1/ratings", json=_body("t-1", **stated), headers=bearer(bank_key))
    assert rated.status_code == 201, rated.json
    item = rated.json["issb_summary"]["metrics_and_targets"]["targets"]
    assert {k: item["value"][0][k] for k in stated} == stated
    assert rated.json["versions"]["schema"] == "1.14"


def test_a_targets_kind_is_part_of_the_cached_input(client: FlaskClient, bank_key: str) -> None:
    """The cache key is the canonical input's hash: an intensity target must not be served the rating of
    the same business with an absolute one (or with none stated)."""
    answers = [client.post("/v1/ratings", json=_body("t-kind", **kind), headers=bearer(bank_key))
               for kind in ({}, {"kind": "absolute"}, {"kind": "intensity"}, {"kind": "intensity"})]
    assert [a.status_code for a in answers] == [201] * 4
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss", "miss", "hit"]
    ids = [a.json["id"] for a in answers]
    assert len(set(ids[:3])) == 3 and ids[3] == ids[2]
    assert len({a.headers["X-Input-SHA256"] for a in answers[:3]}) == 3
    kinds = [a.json["issb_summary"]["metrics_and_targets"]["targets"]["value"][0].get("kind")
             for a in answers]
    assert kinds == [None, "absolute", "intensity", "intensity"]


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("kind", "relative", "targets.0.kind"),
        ("gases", [], "targets.0.gases"),
        ("gases", ["CO2", "HFC-134a"], "targets.0.gases.1"),
        ("net_of_credits", "no", "targets.0.net_of_credits"),
        ("validated_by", " ", "targets.0.validated_by"),
    ],
)
def test_a_bad_field_is_refused_on_its_path(
    client: FlaskClient, bank_key: str, field: str, value: Any, where: str
) -> None:
    refused = client.post("/v1/ratings", json=_body("t-bad", **{field: value}), headers=bearer(bank_key))
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [where]


def test_the_printed_disclosure_says_what_a_target_states_of_itself(
    client: FlaskClient, bank_key: str
) -> None:
    """The page's targets had read "Scope 1 and Scope 2: 30 % reduction from base year ... by ..." alone;
    what the business states of a target follows it in brackets, in the page's language."""
    stated = {"kind": "intensity", "gases": ["CH4", "CO2"], "net_of_credits": True, "validated_by": "SBTi"}
    rated = client.post("/v1/ratings", json=_body("t-page", **stated), headers=bearer(bank_key))
    assert rated.status_code == 201, rated.json
    expected = {
        "en": " (intensity target; gases CO2, CH4; net of carbon credits; validated by SBTi)",
        "zh": "（强度目标；涵盖 CO2、CH4；扣除碳信用后的净目标；经 SBTi 验证）",
    }
    for lang, said in expected.items():
        page = client.get(f"/v1/ratings/{rated.json['id']}/disclosure?lang={lang}",
                          headers={**bearer(bank_key), "Accept": "text/html"})
        assert said in html.unescape(page.get_data(as_text=True)), lang
