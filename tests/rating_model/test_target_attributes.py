"""A target's kind, gases, netting and validation (schema 1.14), as IFRS S2 paras 33-36 ask for them.

A bank reading the rating's IFRS S2 targets item could not tell an intensity target from an absolute one,
nor which gases it covers, whether it is met net of carbon credits or whether anyone validated it: the
operating data had only ``{scopes, base_year, target_year, reduction_pct}``, and the note said all four
were not reported. Each is now an optional field of a target, read with field-level errors, carried to
the IFRS S2 item, the VSME export's B2 note and the flat format; left out, nothing a rating says changes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.flat import flatten, payload_from_row
from rating_model.vsme import vsme_export
from tests.conftest import payload, session_engine

STATED = {"kind": "intensity", "gases": ["CH4", "CO2"], "net_of_credits": False, "validated_by": "SBTi"}
#: the note of a target that states none of the four, as it read before schema 1.14
BARE_NOTE = (
    "Greenhouse gas targets set by the business: scopes, base and target years, reduction (paras 33-36). "
    "Not reported: whether each is an absolute or an intensity target (33(g)), which greenhouse gases it "
    "covers (36(a)), whether it is gross or net of credits (36(c)), whether a third party validated it "
    "(34(a)), its base-year emissions and progress against it (35)."
)


def _body(*targets: dict[str, Any]) -> dict[str, Any]:
    body = payload()
    year = body["company"]["reporting_year"]
    base = {"scopes": [1, 2], "base_year": year - 1, "target_year": year + 6, "reduction_pct": 30.0}
    body["targets"] = [base | t for t in targets]
    return body


def _item(body: dict[str, Any]) -> dict[str, Any]:
    engine: Engine = session_engine()
    item: dict[str, Any] = engine.rate(engine.parse(body)).to_dict()["issb_summary"]["metrics_and_targets"][
        "targets"]
    return item


def _errors(body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(InvalidInputError) as refused:
        session_engine().parse(body)
    return dict(refused.value.errors)


def test_the_ifrs_s2_item_carries_what_the_business_stated_and_stops_calling_it_not_reported() -> None:
    item = _item(_body(STATED))
    assert item["status"] == "disclosed"
    [row] = item["value"]
    # gases in the GHG Protocol's order, whatever the order sent (equal inputs hash alike)
    assert {k: row[k] for k in STATED} == STATED | {"gases": ["CO2", "CH4"]}
    for said in ("33(g)", "36(a)", "36(c)", "34(a)"):
        assert said not in item["note"].split("Not reported:")[1], said
        assert said not in item["note_zh"].split("未报告：")[1], said
    assert "(as stated) absolute or intensity, gases covered, gross or net of credits" in item["note"]
    assert "(35)" in item["note"] and "36(e)" not in item["note"]  # a gross target plans no credits


def test_a_net_target_is_said_to_leave_out_its_planned_credits() -> None:
    item = _item(_body(STATED | {"net_of_credits": True}))
    assert item["value"][0]["net_of_credits"] is True
    assert item["note"].endswith("the planned use of carbon credits to meet a net target (36(e)).")
    assert item["note_zh"].endswith("及净目标计划使用碳信用的情况（第 36(e) 段）。")


def test_what_only_some_targets_state_is_said_as_not_stated_for_every_target() -> None:
    item = _item(_body(STATED, {"kind": "absolute"}))
    assert "kind" in item["value"][1] and "gases" not in item["value"][1]
    missing = item["note"].split("Not reported:")[1]
    assert "33(g)" not in missing
    assert "which greenhouse gases it covers (36(a); not stated for every target)" in missing
    assert "（第 36(a) 段；并非每个目标均已说明）" in item["note_zh"]


def test_targets_stating_none_of_them_read_as_before() -> None:
    """Left out (or null), nothing a rating says changes: the records keep their four keys, the note its
    words, and the canonical input (so its hash, the cache key) is the same."""
    bare = _body({})
    nulls = _body(dict.fromkeys(STATED))
    item = _item(bare)
    assert item["note"] == BARE_NOTE and set(item["value"][0]) == {"scopes", "base_year", "target_year",
                                                                   "reduction_pct"}
    assert _item(nulls) == item
    engine = session_engine()
    assert engine.parse(nulls).canonical_json() == engine.parse(bare).canonical_json()
    assert "kind" not in engine.parse(bare).canonical_json()


def test_each_field_changes_the_canonical_input() -> None:
    """The input hash (the cache key and the recorded input) covers each field: a target's kind alone
    must not let an intensity target share an absolute one's rating."""
    engine = session_engine()
    texts = {engine.parse(_body({})).canonical_json()}
    for name, value in STATED.items():
        texts.add(engine.parse(_body({name: value})).canonical_json())
    texts.add(engine.parse(_body({"kind": "absolute"})).canonical_json())
    texts.add(engine.parse(_body({"net_of_credits": True})).canonical_json())
    assert len(texts) == 7
    same = {engine.parse(_body({"gases": gases})).canonical_json()
            for gases in (["CO2", "N2O"], ["N2O", "CO2"], ["N2O", "CO2", "N2O"])}
    assert len(same) == 1


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("kind", "relative", "targets.0.kind"),
        ("kind", 1, "targets.0.kind"),
        ("gases", [], "targets.0.gases"),
        ("gases", "CO2", "targets.0.gases"),
        ("gases", ["CO2"] * 8, "targets.0.gases"),
        ("gases", ["CO2", "R-410A"], "targets.0.gases.1"),
        ("gases", ["co2"], "targets.0.gases.0"),
        ("net_of_credits", "yes", "targets.0.net_of_credits"),
        ("validated_by", "  ", "targets.0.validated_by"),
        ("validated_by", "SB\u202eTi", "targets.0.validated_by"),
        ("validated_by", "x" * 201, "targets.0.validated_by"),
    ],
)
def test_each_field_is_refused_on_its_own_path(field: str, value: Any, where: str) -> None:
    assert list(_errors(_body({field: value}))) == [where]


def test_the_flat_format_holds_them_and_reads_them_back() -> None:
    body = _body(STATED)
    row = flatten(body)
    assert (row["targets__0__kind"], row["targets__0__gases"], row["targets__0__net_of_credits"],
            row["targets__0__validated_by"]) == ("intensity", "CH4,CO2", False, "SBTi")
    as_csv = {k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in row.items()}
    back = payload_from_row(as_csv)
    engine = session_engine()
    assert engine.parse(back).canonical_json() == engine.parse(body).canonical_json()


def test_the_vsme_b2_note_says_what_was_stated_and_what_was_not() -> None:
    engine = session_engine()

    def note(body: dict[str, Any]) -> str:
        data = engine.parse(body)
        rating = {"id": "rt_x", **engine.rate(data).to_dict()}
        operating = json.loads(data.canonical_json())
        item = vsme_export(rating, operating)["datapoints"]["B2"]["future_initiatives_and_targets"]
        assert item["value"] == operating["targets"]
        return str(item["note"])

    bare = note(_body({}))
    assert "Not reported: whether each is an absolute or an intensity target, which greenhouse gases it " \
           "covers, whether it is gross or net of carbon credits, whether a third party validated it, and " \
           "its base-year emissions" in bare
    stated = note(_body(STATED | {"net_of_credits": True}))
    missing = stated.split("Not reported:")[1]
    for gone in ("absolute or an intensity", "greenhouse gases", "gross or net", "validated"):
        assert gone not in missing, gone
    assert "base-year emissions" in missing and "carbon credits planned to meet a net target" in missing
    some = note(_body(STATED, {}))
    assert "whether a third party validated it (not stated for every target)" in some
