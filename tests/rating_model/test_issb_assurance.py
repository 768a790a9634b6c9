"""The IFRS S2 summary says only what the input supports and names every omission: an assurance review.

Against IFRS S2 paras 22, 29(a) and 33-36 and the GHG Protocol, a reviewer found the summary asserting a
fact greenrate never asks about ("No climate scenario analysis"), leaving out Scope 3 categories the
business had not reported while its note sent the reader to exclusions that never named them, a target note
silent on what paras 33-36 ask beyond scopes and years, a bare reporting year, "No measurement assumption
was needed." beside a Scope 1 resting on the refrigerant top-up method, and a bill's amount in another
currency quoted only as a CNY figure the input holds nowhere.
"""

from __future__ import annotations

import copy
from typing import Any

from rating_model.engine import Engine
from tests.conftest import BASE_PAYLOAD, session_engine


def _summary(**parts: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_PAYLOAD)
    for key, value in parts.items():
        if key == "company":
            body["company"].update(value)
        else:
            body[key] = value
    engine: Engine = session_engine()
    return engine.rate(engine.parse(body)).to_dict()["issb_summary"]


def test_resilience_is_not_collected_rather_than_said_to_be_absent_or_exempt() -> None:
    item = _summary()["strategy"]["resilience"]
    assert item["status"] == "not_available"
    assert item["note"].startswith("Not collected: greenrate does not ask") and "B1-B18" in item["note"]
    assert "No climate scenario analysis" not in item["note"] and "未开展" not in item["note_zh"]
    assert "proportionate to a small business" not in item["note"]


def test_the_exclusions_name_the_scope3_categories_the_business_did_not_report() -> None:
    sparse = _summary()["basis_of_preparation"]["exclusions"]  # no water, waste or business travel
    said = " ".join(sparse["value"])
    for words in ("purchased water (category 1)", "waste (category 5)", "business travel (category 6)"):
        assert words in said, words
    assert "类别 1" in "".join(sparse["value_zh"]) and "类别 6" in "".join(sparse["value_zh"])
    full = _summary(resources={"water_m3": 900, "waste_t": 3.5},
                    transport={"business_travel": [{"mode": "rail", "passenger_km": 4000}]})
    said = " ".join(full["basis_of_preparation"]["exclusions"]["value"])
    assert "reported no water" not in said and "reported no amount of waste" not in said
    assert "business travel (category 6)" not in said


def test_the_targets_say_what_paras_33_to_36_ask_that_was_not_reported() -> None:
    item = _summary(targets=[{"scopes": [1, 2], "base_year": 2022, "target_year": 2030,
                              "reduction_pct": 40}])["metrics_and_targets"]["targets"]
    for para in ("33(g)", "36(a)", "36(c)", "34(a)", "(35)"):
        assert para in item["note"] and para.strip("()") in item["note_zh"], para


def test_the_reporting_period_says_what_the_year_is_and_is_not_known_to_be() -> None:
    item = _summary()["basis_of_preparation"]["reporting_period"]
    assert item["value"] == BASE_PAYLOAD["company"]["reporting_year"]
    assert "financial year" in item["note"] and "IFRS S1 para 64" in item["note"]
    assert "第 64 段" in item["note_zh"]


def test_the_refrigerant_top_up_is_listed_among_the_measurement_assumptions() -> None:
    basis = _summary(refrigerants=[{"gas": "R-410A", "recharged_kg": 2}])["basis_of_preparation"]
    assert basis["assumptions"]["status"] == "disclosed"
    assert any("taken to equal what leaked" in a for a in basis["assumptions"]["value"])
    assert any("按泄漏量计" in a for a in basis["assumptions"]["value_zh"])


def test_a_bill_in_another_currency_is_quoted_as_given_with_its_rate() -> None:
    note = _summary(company={"currency": "USD", "fx_to_cny": 7.2},
                    energy={"electricity_spend": 30_000})["basis_of_preparation"]["estimates"]
    assert "electricity_spend 216000 CNY (30000 USD at 7.2 CNY per USD)" in note["note"]
    assert "30000 USD，按 7.2 元/USD 折算" in note["note_zh"]


def test_market_based_scope2_names_the_factor_that_priced_the_rest() -> None:
    """Outside China no residual-mix factor is published: the location-based factor prices the rest, as the
    fallbacks say, and the note had said "at the residual grid factor" beside them."""
    outside = _summary(company={"country": "VN", "region": None, "currency": "CNY"},
                       energy={"electricity_kwh": 30_000, "green_electricity_kwh": 5_000,
                               "grid_factor": {"kgco2e_per_kwh": 0.6592, "source": "MONRE 2023"}})
    note = outside["metrics_and_targets"]["scope2_market_tco2e"]
    assert "the rest at the location-based grid factor" in note["note"]
    assert "residual grid" not in note["note"]
    assert "不包括市场化交易" not in note["note_zh"]
    china = _summary()["metrics_and_targets"]["scope2_market_tco2e"]["note"]
    assert "at the residual grid factor" in china
