"""Standard 1.9.0: purchased heat left out, where heat is sold, is not assessed rather than read as none.

Heat has no sector estimate, so until 1.8.0 a business that bought district heat and left it out had its
Scope 2, carbon intensity and energy ratio computed without it, as if it bought none: 215 of the 276 heat
buyers of a synthetic population of 4,000 scored higher leaving it out, by up to 10.4 points (CHANGES.md,
engine 2.2). These tests hold the rule to what the standard says.
"""

from __future__ import annotations

from typing import Any

import pytest

from rating_model.engine import Engine
from rating_model.estimation import fill_missing
from rating_model.improvements import held_back_by
from rating_model.reasons import reason_codes

ENGINE = Engine.load()
HEAT_INDICATORS = {"carbon_intensity", "energy_efficiency_ratio", "emissions_change"}


def _shop(region: str | None, heat: float | None, previous_heat: float | None = None) -> dict[str, Any]:
    """A restaurant that answers its electricity, fuels and fleet in both years, and its heat as given."""
    company: dict[str, Any] = {"name": "Dumplings", "country": "CN", "industry_code": "5610", "employees": 9,
                               "annual_revenue": 2_000_000, "currency": "CNY", "reporting_year": 2023,
                               "floor_area_m2": 150}
    if region is not None:
        company["region"] = region
    energy: dict[str, Any] = {"electricity_kwh": 40_000,
                              "fuels": [{"fuel": "natural_gas", "quantity": 4000, "unit": "m3"}]}
    previous: dict[str, Any] = {"electricity_kwh": 42_000,
                                "fuels": [{"fuel": "natural_gas", "quantity": 4200, "unit": "m3"}]}
    if heat is not None:
        energy["purchased_heat_gj"] = heat
    if previous_heat is not None:
        previous["purchased_heat_gj"] = previous_heat
    return {"company": company, "energy": energy, "transport": {"fleet": []},
            "previous_year": {"energy": previous, "transport": {"fleet": []}},
            "practices": {"led_lighting": True, "e_invoicing": True}, "data_source": "energy_bills"}


def _rate(payload: dict[str, Any]) -> dict[str, Any]:
    return ENGINE.rate(ENGINE.parse(payload)).to_dict()


def _values(rating: dict[str, Any]) -> dict[str, float | None]:
    return {c["indicator"]: c["value"] for c in rating["contributions"]}


def test_heat_left_out_where_heat_is_sold_leaves_its_indicators_unassessed_with_the_reason() -> None:
    payload = _shop("CN-BJ", None)
    values = _values(_rate(payload))
    assert all(values[name] is None for name in HEAT_INDICATORS)
    ev = ENGINE.evaluate(fill_missing(ENGINE.parse(payload), ENGINE.standard))
    unassessed = ENGINE.unassessed(ev)
    assert {name for name, rules in unassessed.items()
            if [r.field for r in rules] == ["energy.purchased_heat_gj"]} == HEAT_INDICATORS
    line = next(c for c in ev.contributions if c.indicator == "energy_efficiency_ratio")
    (said,) = reason_codes([line], ENGINE.standard, frozenset(), unassessed)
    assert "heating network" in said["message"] and "外购的热力" in said["message_zh"]
    # the plan names the input to report, once, beside the points waiting on it
    held = held_back_by("dark_green", ev.score, (), ev.contributions, ENGINE.standard, unassessed)
    blank = next(h for h in held if h["reason"] == "missing_data")
    assert blank["message"].count("report the heat bought") == 1 and "ot assessed:" not in blank["message"]


@pytest.mark.parametrize("heat", [0.0, 120.0])
def test_heat_answered_none_or_given_in_both_years_is_assessed(heat: float) -> None:
    values = _values(_rate(_shop("CN-BJ", heat, previous_heat=heat)))
    assert all(values[name] is not None for name in HEAT_INDICATORS)


def test_none_this_year_needs_no_figure_for_last_year() -> None:
    """0 in the one year it was given is compared as 0: including it could only lower the change."""
    values = _values(_rate(_shop("CN-BJ", 0.0)))
    assert all(values[name] is not None for name in HEAT_INDICATORS)


def test_heat_given_this_year_only_leaves_the_change_unassessed() -> None:
    values = _values(_rate(_shop("CN-BJ", 120.0)))
    assert values["emissions_change"] is None
    assert values["carbon_intensity"] is not None and values["energy_efficiency_ratio"] is not None


def test_outside_the_listed_provinces_heat_left_out_is_read_as_none() -> None:
    """Guangdong sells no district heat in the statistics the standard cites: nothing is asked there."""
    left_out, none = _rate(_shop("CN-GD", None)), _rate(_shop("CN-GD", 0.0, previous_heat=0.0))
    assert all(_values(left_out)[name] is not None for name in HEAT_INDICATORS)
    assert left_out["score"] == none["score"]


def test_a_business_naming_no_province_is_asked() -> None:
    values = _values(_rate(_shop(None, None)))
    assert all(values[name] is None for name in HEAT_INDICATORS)


@pytest.mark.parametrize("heat", [10.0, 60.0, 200.0, 800.0])
def test_leaving_heat_out_never_scores_better_than_reporting_it(heat: float) -> None:
    reported = _rate(_shop("CN-HE", heat, previous_heat=heat * 1.1))
    left_out = _shop("CN-HE", None)  # a fresh dict per call
    assert _rate(left_out)["score"] <= reported["score"]


def test_heat_of_zero_names_no_heat_factor() -> None:
    """0 GJ emits nothing: the heat factor, which no primary source confirms, is not among those used."""
    rating = _rate(_shop("CN-BJ", 0.0, previous_heat=0.0))
    assert not any("cn.heat.purchased" in f for f in rating["emissions"]["fallbacks"])
    assert "cn.heat.purchased" not in {ref["id"] for ref in rating["emissions"]["factors"]}


def test_the_ifrs_summary_names_heat_left_out_where_it_is_asked() -> None:
    """The inventory cannot tell heat left out from none bought: the exclusions say it where it is asked."""
    def exclusions(region: str, heat: float | None) -> list[str]:
        return _rate(_shop(region, heat))["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]

    assert any("purchased heat" in x for x in exclusions("CN-BJ", None))
    assert not any("purchased heat" in x for x in exclusions("CN-BJ", 0.0))
    assert not any("purchased heat" in x for x in exclusions("CN-GD", None))
    zh = _rate(_shop("CN-BJ", None))["issb_summary"]["basis_of_preparation"]["exclusions"]["value_zh"]
    assert any("外购热力" in x for x in zh)


def test_a_province_number_is_the_province() -> None:
    """GB/T 2260's CN-11 is priced as Beijing, so it is asked as Beijing (a review of 1.9.0's draft)."""
    values = _values(_rate(_shop("CN-11", None)))
    assert all(values[name] is None for name in HEAT_INDICATORS)
    assert "energy.purchased_heat_gj" in _rate(_shop("CN-11", None))["emissions"]["missing"]


def test_a_manufacturer_is_asked_in_every_province() -> None:
    """Industrial parks sell steam outside the cities the yearbook counts."""
    workshop = _shop("CN-GD", None)
    workshop["company"]["industry_code"] = "1410"
    values = _values(_rate(workshop))
    assert all(values[name] is None for name in HEAT_INDICATORS)


def test_heat_left_out_where_asked_is_missing_from_scope_2_and_never_neutral() -> None:
    """A tea shop on green power, burning nothing, without vehicles, with its heat left out in Beijing:
    its Scope 2 may lack the heat, so a market-based zero is no evidence of neutrality (a review of 1.9.0)."""
    def tea(region: str, heat: float | None) -> dict[str, Any]:
        payload = _shop(region, heat)
        payload["energy"] = {"electricity_kwh": 20_000, "green_electricity_kwh": 20_000, "fuels": []}
        payload["refrigerants"] = []  # none recharged: neutrality needs every Scope 1 input answered
        if heat is not None:
            payload["energy"]["purchased_heat_gj"] = heat
        return _rate(payload)

    left_out = tea("CN-BJ", None)
    assert "energy.purchased_heat_gj" in left_out["emissions"]["missing"]
    assert left_out["neutrality"]["operationally_neutral"] is False
    scope2 = left_out["issb_summary"]["metrics_and_targets"]["scope2_market_tco2e"]
    assert "purchased heat" in scope2["note"] and "外购热力" in scope2["note_zh"]
    assert tea("CN-BJ", 0.0)["neutrality"]["operationally_neutral"] is True
    assert tea("CN-GD", None)["neutrality"]["operationally_neutral"] is True
    assert "energy.purchased_heat_gj" not in tea("CN-GD", None)["emissions"]["missing"]


def test_every_indicator_left_unassessed_is_among_the_reasons_with_what_to_report() -> None:
    """Beyond the three largest losses: the reason is the only place naming the input to report (a Harbin
    noodle shop lost its energy ratio to heat left out, and the three larger losses never said so)."""
    rating = _rate(_shop("CN-HL", None))
    unassessed = {c["indicator"] for c in rating["contributions"] if c["indicator"] in HEAT_INDICATORS
                  and c["value"] is None and c["points"] < c["max_points"]}
    said = {r["indicator"]: r for r in rating["reason_codes"] if r["effect"] == "negative"}
    assert unassessed and unassessed <= set(said)
    assert all("heating network" in said[name]["message"] for name in unassessed)
    assert all("外购的热力" in said[name]["message_zh"] for name in unassessed)
