"""The knock-outs on the energy ratio: standard 1.10.0's ``energy_far_above_sector`` (premises using three
times or more the energy their sector is expected to use for their size are graded light green at best) and
1.11.0's ``energy_implausibly_low`` (premises whose own figures show less than a tenth of it, likewise).

A gaming review took a restaurant (ISIC 5610, CN-GD, 10 staff, CNY 2M revenue, 150 m2) using 5x and 50x its
sector's expected energy to green on practice answers, recycling and ``"fleet": []``, and to dark green
with certificates for 13.5 % of its electricity; the same review reported energy as 0 (or 1 kWh), which
scored the ratio's best bin and made the business operationally neutral. Each engine is built with its
standard and the packaged model (trained for 1.10.0), for every standard here with the model's indicators."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pandas as pd
import pytest

from rating_model.actions import apply_change
from rating_model.artifact import ScorecardArtifact
from rating_model.batch import rate_frame
from rating_model.engine import DEFAULT_MODEL, Engine
from rating_model.estimation import Filled, fill_missing
from rating_model.exceptions import StandardError
from rating_model.flat import flatten, with_flat_dtypes
from rating_model.grading import applicable_knock_outs
from rating_model.standard import STANDARD_DIR, load_standard, parse_standard

V110 = STANDARD_DIR / "greenrate-sme-1.10.yaml"
V111 = STANDARD_DIR / "greenrate-sme-1.11.yaml"
#: the restaurant sector's expected site energy (sector_benchmarks.json: food_service, 830 kWh/m2, hours
#: not given) for the review's 150 m2
EXPECTED_KWH = 830.0 * 150
PRACTICES = ("led_lighting", "e_invoicing", "digital_ordering", "waste_sorting",
             "energy_efficient_equipment", "water_saving_equipment", "green_packaging",
             "environmental_policy", "climate_responsible_person", "green_procurement_policy", "energy_audit")


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    """An engine per standard whose indicators are the packaged model's, each with its points table."""
    artifact = ScorecardArtifact.from_dict(json.loads(DEFAULT_MODEL.read_text(encoding="utf-8")))
    out = {}
    for path in STANDARD_DIR.glob("greenrate-sme-*.yaml"):
        standard = load_standard(path)
        if set(standard.indicators) == set(artifact.feature_names):
            out[standard.version] = Engine(standard, artifact)
    return out


def restaurant(ratio: float | None, *, green_share: float = 0.0, industry: str = "5610",
               **energy: Any) -> dict[str, Any]:
    """The review's restaurant, every practice adopted, using ``ratio`` times its sector's expected energy
    as grid electricity (``None``: electricity left out), burning no fuel."""
    payload: dict[str, Any] = {
        "company": {"name": "x", "country": "CN", "region": "CN-GD", "industry_code": industry,
                    "employees": 10, "annual_revenue": 2_000_000.0, "currency": "CNY",
                    "reporting_year": 2023, "floor_area_m2": 150},
        "energy": {"fuels": []},
        "transport": {"fleet": []},
        "resources": {"waste_t": 2.0, "waste_recycled_t": 1.6},
        "practices": dict.fromkeys(PRACTICES, True),
        "data_source": "energy_bills",
    }
    if ratio is not None:
        kwh = round(EXPECTED_KWH * ratio, 3)
        payload["energy"]["electricity_kwh"] = kwh
        if green_share:
            payload["energy"]["green_electricity_kwh"] = round(kwh * green_share)
    payload["energy"].update(energy)
    return payload


def rated(engine: Engine, payload: dict[str, Any]) -> dict[str, Any]:
    return engine.rate(engine.parse(payload)).to_dict()


def knock_outs(rating: dict[str, Any]) -> list[str]:
    return [k["id"] for k in rating["knock_outs"]]


def energy_ratio(rating: dict[str, Any]) -> float:
    return float(next(c["value"] for c in rating["contributions"]
                      if c["indicator"] == "energy_efficiency_ratio"))


def test_the_reviews_restaurant_is_light_green_at_best_from_three_times_its_sectors_energy(
        engines: dict[str, Engine]) -> None:
    engine = engines["1.10.0"]
    for ratio in (3.0, 3.01, 5.0, 50.0):
        for share in (0.0, 0.135):
            rating = rated(engine, restaurant(ratio, green_share=share))
            assert energy_ratio(rating) == pytest.approx(ratio)
            assert knock_outs(rating) == ["energy_far_above_sector"]
            assert rating["grade"] == "light_green"
            assert rating["score_grade"] in ("green", "dark_green")  # what the cap holds back
            # as the coal cap: no green-loan denial, said as a cap in both languages
            loan = rating["green_loan"]
            assert loan["knock_outs"] == []
            assert ("Knock-out energy_far_above_sector (Energy use far above the sector's) applies"
                    in " ".join(loan["rationale"]))
            assert "it caps the grade at light green but does not block" in " ".join(loan["rationale"])
            assert "限级条款“用能远高于同业”适用" in "".join(loan["rationale_zh"])
    # the same restaurant with certificates reached dark green (pricing tier 1) under 1.9.0
    before = rated(engines["1.9.0"], restaurant(5.0, green_share=0.135))
    assert (before["grade"], before["knock_outs"]) == ("dark_green", [])


def test_just_below_three_times_no_cap_applies(engines: dict[str, Engine]) -> None:
    engine = engines["1.10.0"]
    for ratio in (2.99, 2.999):
        rating = rated(engine, restaurant(ratio, green_share=0.135))
        assert energy_ratio(rating) < 3.0
        assert knock_outs(rating) == []
        assert rating["grade"] == rating["score_grade"] == "dark_green"


def test_energy_estimated_from_the_sector_never_triggers_it(engines: dict[str, Engine]) -> None:
    """Electricity left out is the sector's default (the ratio missing, the cap not applied, though the
    filled figure is the sector's); fuels left out are the sector's default gas beside 5x electricity."""
    engine = engines["1.10.0"]
    standard = engine.standard
    left_out = rated(engine, restaurant(None))
    assert "energy_far_above_sector" not in knock_outs(left_out)
    fuels_left_out = restaurant(5.0)
    del fuels_left_out["energy"]["fuels"]
    rating = rated(engine, fuels_left_out)
    assert knock_outs(rating) == ["fuels_not_reported"]  # its own cap, not this one
    # the rule itself refuses a sector estimate, whatever ratio it is handed
    filled = fill_missing(engine.parse(restaurant(None)), standard)
    assert "energy.electricity_kwh" in filled.sector_default_fields
    assert applicable_knock_outs(filled, 1.0, standard, energy_ratio=5.0, energy_use_ratio=5.0) == ()
    own = fill_missing(engine.parse(restaurant(5.0)), standard)
    hits = applicable_knock_outs(own, 1.0, standard, energy_ratio=5.0, energy_use_ratio=5.0)
    assert [k.id for k in hits] == ["energy_far_above_sector"]


def test_electricity_from_the_bills_amount_is_the_business_own_and_is_capped(
        engines: dict[str, Engine]) -> None:
    """kWh estimated from the bill's amount (0.65 CNY/kWh) is scored as reported, so it is capped too."""
    engine = engines["1.10.0"]
    payload = restaurant(None, electricity_spend=round(EXPECTED_KWH * 4 * 0.65))
    rating = rated(engine, payload)
    assert energy_ratio(rating) == pytest.approx(4.0)
    assert knock_outs(rating) == ["energy_far_above_sector"]


def test_construction_burns_its_energy_on_site_and_is_exempt(engines: dict[str, Engine]) -> None:
    engine = engines["1.10.0"]
    for division in ("4100", "4290", "4390"):
        assert "energy_far_above_sector" not in knock_outs(rated(engine, restaurant(5.0, industry=division)))
    assert knock_outs(rated(engine, restaurant(5.0, industry="4711"))) == ["energy_far_above_sector"]


def test_older_standards_have_no_such_rule_and_rate_as_before(engines: dict[str, Engine]) -> None:
    assert {"1.9.0", "1.10.0", "1.11.0"} <= set(engines)
    since = ("1.10.0", "1.11.0", "1.12.0")
    for path in STANDARD_DIR.glob("greenrate-sme-*.yaml"):
        standard = load_standard(path)
        if standard.version not in since:
            assert all(k.min_energy_ratio is None and not k.exempt_isic_divisions
                       for k in standard.knock_outs)
            assert "cut_energy_to_sector_range" not in standard.actions
    for version, engine in engines.items():
        if version in since:
            continue
        rating = rated(engine, restaurant(50.0, green_share=0.135))
        assert "energy_far_above_sector" not in knock_outs(rating)
        assert "cut_energy_to_sector_range" not in {i["action"] for i in rating["improvements"]}


def test_the_plan_cuts_the_energy_just_below_the_threshold_to_lift_the_cap(
        engines: dict[str, Engine]) -> None:
    """The energy ratio's worst bin starts near 1.4, so the cut earns no point of its own: the plan keeps it
    for the grade it lifts, and it is the whole path from the capped grade to the one the score earns."""
    engine = engines["1.10.0"]
    data = engine.parse(restaurant(5.0, green_share=0.135))
    rating = engine.rate(data).to_dict()
    path = rating["path_to_next_grade"]
    assert path["target_grade"] == "green"
    assert path["reachable"] and path["actions"] == ["cut_energy_to_sector_range"]
    assert path["grade_after"] == "green" or path["grade_after"] == "dark_green"
    cut = next(i for i in rating["improvements"] if i["action"] == "cut_energy_to_sector_range")
    assert cut["indicator"] == "energy_efficiency_ratio"
    assert cut["from"] == pytest.approx(5.0) and 2.9 <= cut["to"] < 3.0
    assert cut["grade_after"] == "dark_green" and cut["score_gain"] == 0  # kept for the grade alone
    assert cut["cost"] == "high" and "三倍以下" in cut["description_zh"]
    # the business the plan describes, rated in full: 2.95x (a 41 % cut), no cap, dark green again
    filled = fill_missing(data, engine.standard)
    changed = apply_change(filled.data, engine.standard.actions["cut_energy_to_sector_range"].change)
    assert changed is not None
    assert changed.energy.electricity_kwh == pytest.approx(EXPECTED_KWH * 5.0 * 0.59)
    after = engine.rate(Filled(changed, filled.estimates).data).to_dict()
    assert knock_outs(after) == [] and after["grade"] == "dark_green"
    # under the cap only: a business below it is never told to cut to three times its sector
    below = rated(engine, restaurant(2.5))
    assert "cut_energy_to_sector_range" not in {i["action"] for i in below["improvements"]}


def test_the_cut_scales_every_purchased_input_by_the_least_whole_per_cent(engines: dict[str, Engine]) -> None:
    engine = engines["1.10.0"]
    change = engine.standard.actions["cut_energy_to_sector_range"].change

    def filled(payload: dict[str, Any]) -> Any:
        return fill_missing(engine.parse(payload), engine.standard).data

    # 6x of grid electricity alone: exactly 3 / 6 = 0.50 would leave it at 3.0, so 0.49
    cut = apply_change(filled(restaurant(6.0)), change)
    assert cut is not None and cut.energy.electricity_kwh == pytest.approx(EXPECTED_KWH * 6.0 * 0.49)
    assert apply_change(filled(restaurant(2.9)), change) is None
    # heat and fuels scale with the grid electricity, green power bought stays up to what is left of it, and
    # on-site solar stays
    mixed = restaurant(6.0, green_share=0.9, purchased_heat_gj=10.0, onsite_renewable_kwh=500.0)
    mixed["energy"]["fuels"] = [{"fuel": "natural_gas", "quantity": 1000.0, "unit": "m3"}]
    data = filled(mixed)
    cut = apply_change(data, change)
    assert cut is not None and data.energy.electricity_kwh and data.energy.green_electricity_kwh
    factor = cut.energy.electricity_kwh / data.energy.electricity_kwh
    assert factor < 0.5 and round(factor, 2) == pytest.approx(factor)
    assert cut.energy.purchased_heat_gj == pytest.approx(10.0 * factor)
    assert cut.energy.fuels is not None and cut.energy.fuels[0].quantity == pytest.approx(1000.0 * factor)
    left = cut.energy.electricity_kwh
    assert cut.energy.green_electricity_kwh == min(data.energy.green_electricity_kwh, left)
    assert cut.energy.onsite_renewable_kwh == 500.0
    after = engine.rate(cut).to_dict()
    assert 2.9 <= energy_ratio(after) < 3.0 and "energy_far_above_sector" not in knock_outs(after)


def test_a_cap_the_plan_cannot_lift_names_this_one_with_its_remedy_in_both_languages(
        engines: dict[str, Engine]) -> None:
    """Beside coal, which no action of the plan replaces, the grade stays capped: both caps are named."""
    engine = engines["1.10.0"]
    payload = restaurant(5.0, green_share=0.135)
    payload["energy"]["fuels"] = [{"fuel": "coal", "quantity": 100.0, "unit": "kg"}]
    rating = rated(engine, payload)
    assert knock_outs(rating) == ["coal_burned_on_site", "energy_far_above_sector"]
    held = {h["knock_out"]: h for h in rating["path_to_next_grade"]["held_back_by"] if h["knock_out"]}
    assert set(held) == {"coal_burned_on_site", "energy_far_above_sector"}
    assert "less than three times the energy" in held["energy_far_above_sector"]["message"]
    assert held["energy_far_above_sector"]["message_zh"].startswith("用能远高于同业：评级上限为")


def batch_knock_outs(engine: Engine, payloads: list[dict[str, Any]]) -> list[str | None]:
    """The batch's ``knock_outs`` column for ``payloads``, each row checked against the API's own rating
    (its knock-outs, grade and score grade)."""
    out = rate_frame(with_flat_dtypes(pd.DataFrame([flatten(p) for p in payloads])), engine)
    for i, payload in enumerate(payloads):
        rating = rated(engine, payload)
        cell = out.at[i, "knock_outs"]
        assert (None if pd.isna(cell) else cell.split(",")) == (knock_outs(rating) or None)
        assert out.at[i, "grade"] == rating["grade"]
        assert out.at[i, "score_grade"] == rating["score_grade"]
    return [None if pd.isna(c) else c for c in out["knock_outs"]]


def test_the_batch_agrees_with_the_api(engines: dict[str, Engine]) -> None:
    payloads = [restaurant(r, green_share=0.135) for r in (2.99, 3.0, 50.0)]
    payloads.append(restaurant(5.0, industry="4100"))
    payloads.append(restaurant(None))
    assert batch_knock_outs(engines["1.10.0"], payloads) == [
        None, "energy_far_above_sector", "energy_far_above_sector", None, None]


@pytest.mark.parametrize("rule", [
    {"min_energy_ratio": 1.0}, {"min_energy_ratio": True}, {"min_energy_ratio": "3"},
    {"min_energy_ratio": float("inf")}, {"exempt_isic_divisions": ["41"]},
    {"min_energy_ratio": 3.0, "exempt_isic_divisions": ["4100"]},
])
def test_a_malformed_energy_rule_is_refused(rule: dict[str, Any]) -> None:
    doc = copy.deepcopy(dict(load_standard(V110).document))
    knock_out = next(k for k in doc["knock_outs"] if k["id"] == "energy_far_above_sector")
    knock_out.pop("min_energy_ratio")
    knock_out.pop("exempt_isic_divisions")
    knock_out.update(rule)
    with pytest.raises(StandardError, match="min_energy_ratio|exempt_isic_divisions"):
        parse_standard(doc)


def test_the_green_loan_rationale_names_the_ratio_that_set_off_the_cap(engines: dict[str, Engine]) -> None:
    """A green-loan officer's review: every other knock-out's sentence says what in the data set it off (the
    penalties counted, the ISIC division, the coal burnt, the completeness), but this one said only
    "Knock-out energy_far_above_sector applies": a credit memo could not tell 3.1 times from 50 times its
    sector's energy, which is what sizes an energy-efficiency loan."""
    engine = engines["1.10.0"]
    for ratio, said, said_zh in ((5.0, "5.0 times", "5.0 倍"), (50.0, "50.0 times", "50.0 倍")):
        loan = rated(engine, restaurant(ratio))["green_loan"]
        (en,) = [s for s in loan["rationale"] if "energy_far_above_sector" in s]
        assert (f"(the premises use {said} the energy their sector is expected to use for their size; it "
                "applies from 3 times)") in en, en
        (zh,) = [s for s in loan["rationale_zh"] if "用能远高于同业" in s]
        assert f"（经营场所用能为同业同等规模预期用能的 {said_zh}；3 倍起适用）" in zh, zh


# --- 1.11.0: energy_implausibly_low ---------------------------------------------------------------------


def test_energy_reported_as_zero_or_one_kwh_is_light_green_at_best(engines: dict[str, Engine]) -> None:
    """The review's restaurant reporting no energy at all, or 1 kWh: the best ratio bin and operational
    neutrality had made it dark green under 1.10.0; under 1.11.0 the cap holds it at light green."""
    engine = engines["1.11.0"]
    for payload in (restaurant(0.0), restaurant(None, electricity_kwh=1.0),
                    restaurant(0.0, green_share=0.0, purchased_heat_gj=0.0)):
        before = rated(engines["1.10.0"], payload)
        assert before["grade"] in ("green", "dark_green") and before["knock_outs"] == []
        rating = rated(engine, payload)
        assert energy_ratio(rating) < 0.001
        assert knock_outs(rating) == ["energy_implausibly_low"]
        assert rating["grade"] == "light_green"
        assert rating["score_grade"] == before["score_grade"]  # the score is the model's, unchanged
        loan = rating["green_loan"]
        assert loan["knock_outs"] == []  # a cap, not a denial
        assert ("Knock-out energy_implausibly_low (Energy use implausibly far below the sector's) applies"
                in " ".join(loan["rationale"]))
        assert "限级条款“用能远低于同业，数据存疑”适用" in "".join(loan["rationale_zh"])


def test_the_threshold_is_a_tenth_of_the_sectors_expected_energy(engines: dict[str, Engine]) -> None:
    engine = engines["1.11.0"]
    for ratio, capped in ((0.05, True), (0.099, True), (0.1, False), (0.11, False), (1.0, False)):
        rating = rated(engine, restaurant(ratio))
        assert energy_ratio(rating) == pytest.approx(ratio)
        assert ("energy_implausibly_low" in knock_outs(rating)) is capped, ratio
        # both caps on the ratio are in force in 1.11.0, each on its own side
        assert "energy_far_above_sector" not in knock_outs(rating)
    assert knock_outs(rated(engine, restaurant(5.0))) == ["energy_far_above_sector"]


def test_energy_from_the_sector_never_triggers_the_low_cap(engines: dict[str, Engine]) -> None:
    engine = engines["1.11.0"]
    standard = engine.standard
    assert "energy_implausibly_low" not in knock_outs(rated(engine, restaurant(None)))
    filled = fill_missing(engine.parse(restaurant(None)), standard)
    assert applicable_knock_outs(filled, 1.0, standard, energy_ratio=0.0, energy_use_ratio=0.0) == ()
    own = fill_missing(engine.parse(restaurant(0.0)), standard)
    hits = applicable_knock_outs(own, 1.0, standard, energy_ratio=0.0, energy_use_ratio=0.0)
    assert [k.id for k in hits] == ["energy_implausibly_low"]
    # a ratio that is not assessed is never below anything
    assert applicable_knock_outs(own, 1.0, standard, energy_ratio=None, energy_use_ratio=None) == ()


def test_sectors_working_away_from_their_premises_are_exempt_from_the_low_cap(
        engines: dict[str, Engine]) -> None:
    """Drivers, site crews and farm hands use little premises energy: 8.9 % of synthetic land-transport
    firms are below a tenth of their per-employee expectation. A shop or an office is not exempt."""
    engine = engines["1.11.0"]
    for division in ("0111", "4100", "4390", "4923", "5011", "5110", "5320"):
        assert "energy_implausibly_low" not in knock_outs(rated(engine, restaurant(0.0, industry=division)))
    for division in ("4711", "5210", "6201", "5610"):
        assert knock_outs(rated(engine, restaurant(0.0, industry=division))) == ["energy_implausibly_low"]


def test_no_action_lifts_the_low_cap_and_the_plan_says_the_figures_do(engines: dict[str, Engine]) -> None:
    engine = engines["1.11.0"]
    rating = rated(engine, restaurant(0.0))
    path = rating["path_to_next_grade"]
    assert path["target_grade"] in ("green", "dark_green") and not path["reachable"]
    held = [h for h in path["held_back_by"] if h["knock_out"]]
    assert [h["knock_out"] for h in held] == ["energy_implausibly_low"]
    assert "Check them against a year of bills" in held[0]["message"]
    assert "landlord" in held[0]["message"] and "房东" in held[0]["message_zh"]
    # never "use more energy", never the cut that lifts the cap above
    assert "cut_energy_to_sector_range" not in {i["action"] for i in rating["improvements"]}
    assert not any(h["reason"] == "beyond_actions" for h in path["held_back_by"])


def test_an_action_that_would_cut_below_a_tenth_is_capped_in_its_counterfactual(
        engines: dict[str, Engine]) -> None:
    """The plan's counterfactuals are graded under the same rules: a cut that takes a business's own
    figures below a tenth of its sector's never shows a grade above light green."""
    engine = engines["1.11.0"]
    rating = rated(engine, restaurant(0.12))
    assert knock_outs(rating) == []
    for item in rating["improvements"]:
        if item["indicator"] == "energy_efficiency_ratio" and item["to"] is not None and item["to"] < 0.1:
            assert item["grade_after"] in ("light_green", "not_green")


def test_the_batch_agrees_with_the_api_on_the_low_cap(engines: dict[str, Engine]) -> None:
    payloads = [restaurant(r) for r in (0.0, 0.099, 0.1, 5.0)]
    payloads.append(restaurant(None, electricity_kwh=1.0))
    payloads.append(restaurant(None))
    assert batch_knock_outs(engines["1.11.0"], payloads) == [
        "energy_implausibly_low", "energy_implausibly_low", None, "energy_far_above_sector",
        "energy_implausibly_low", None]


def test_models_trained_for_1_10_rate_under_1_11_and_under_the_default_1_12() -> None:
    assert load_standard(V111).rates_models_for("greenrate-sme@1.10.0")
    standard = load_standard()
    assert standard.label == "greenrate-sme@1.12.0"
    assert standard.rates_models_for("greenrate-sme@1.10.0")
    engine = Engine.load()
    assert engine.standard.label == "greenrate-sme@1.12.0"
    assert "energy_implausibly_low" in {k.id for k in engine.standard.knock_outs}


@pytest.mark.parametrize("rule", [
    {"max_energy_ratio": 0}, {"max_energy_ratio": 1.0}, {"max_energy_ratio": 1.5},
    {"max_energy_ratio": True}, {"max_energy_ratio": "0.1"}, {"max_energy_ratio": float("nan")},
    {"max_energy_ratio": 0.1, "min_energy_ratio": 3.0},
])
def test_a_malformed_low_energy_rule_is_refused(rule: dict[str, Any]) -> None:
    doc = copy.deepcopy(dict(load_standard(V111).document))
    knock_out = next(k for k in doc["knock_outs"] if k["id"] == "energy_implausibly_low")
    knock_out.pop("max_energy_ratio")
    knock_out.update(rule)
    with pytest.raises(StandardError, match="max_energy_ratio"):
        parse_standard(doc)


def test_the_green_loan_rationale_names_the_ratio_under_the_low_cap(engines: dict[str, Engine]) -> None:
    engine = engines["1.11.0"]
    loan = rated(engine, restaurant(0.04))["green_loan"]
    (en,) = [s for s in loan["rationale"] if "energy_implausibly_low" in s]
    assert ("(the premises use 0.04 times the energy their sector is expected to use for their size, on-site "
            "generation included; it applies below 0.1 times)") in en, en
    (zh,) = [s for s in loan["rationale_zh"] if "用能远低于同业" in s]
    assert "（经营场所用能（含自发电）为同业同等规模预期用能的 0.04 倍；低于 0.1 倍时适用）" in zh, zh


@pytest.mark.parametrize(("ratio", "cut"), [(0.0951, "0.09"), (0.0996, "0.09"), (0.05999, "0.05")])
def test_the_ratio_said_under_the_low_cap_is_below_it(
    engines: dict[str, Engine], ratio: float, cut: str
) -> None:
    """Rounded to two places, 0.0951 times the sector's energy read "the premises use 0.10 times ...; it
    applies below 0.1 times", a fact that contradicts its own rule in a credit memo: the ratio is cut, not
    rounded, so that it is said below the limit it is under, in both languages alike."""
    engine = engines["1.11.0"]
    loan = rated(engine, restaurant(ratio))["green_loan"]
    (en,) = [s for s in loan["rationale"] if "energy_implausibly_low" in s]
    (zh,) = [s for s in loan["rationale_zh"] if "用能远低于同业" in s]
    said = re.search(r"the premises use (\d+\.\d+) times", en)
    said_zh = re.search(r"预期用能的 (\d+\.\d+) 倍", zh)
    assert said is not None and said_zh is not None, (en, zh)
    assert said.group(1) == said_zh.group(1) == cut


def test_solar_on_the_premises_never_counts_towards_the_low_cap(engines: dict[str, Engine]) -> None:
    """The energy ratio leaves on-site generation out so that installing solar never counts against a
    business; the low cap read that ratio, so a restaurant using half its sector's energy, 85 % of it from
    its own panels, was capped at light green (purchased energy 0.075x) where without the panels it was
    green (a re-read of standard 1.11.0). The cap reads the premises' whole use, generation included."""
    engine = engines["1.11.0"]
    solar = round(EXPECTED_KWH * 0.5 * 0.85, 3)
    with_panels = restaurant(None, electricity_kwh=round(EXPECTED_KWH * 0.5 * 0.15, 3),
                             onsite_renewable_kwh=solar)
    rating = rated(engine, with_panels)
    assert energy_ratio(rating) == pytest.approx(0.075)  # the scored ratio still leaves the panels out
    assert "energy_implausibly_low" not in knock_outs(rating)
    without = rated(engine, restaurant(0.5))
    assert rating["score"] >= without["score"]
    assert standard_rank(engine, rating["grade"]) <= standard_rank(engine, without["grade"])
    # a whole use below a tenth is capped, whatever part of it the panels make
    tiny = restaurant(None, electricity_kwh=round(EXPECTED_KWH * 0.02, 3),
                      onsite_renewable_kwh=round(EXPECTED_KWH * 0.05, 3))
    loan = rated(engine, tiny)
    assert knock_outs(loan) == ["energy_implausibly_low"]
    assert "the premises use 0.07 times" in " ".join(loan["green_loan"]["rationale"])
    # the grader itself: the whole use decides, the scored ratio does not
    standard = engine.standard
    own = fill_missing(engine.parse(with_panels), standard)
    assert applicable_knock_outs(own, 1.0, standard, energy_ratio=0.075, energy_use_ratio=0.5) == ()
    assert [k.id for k in applicable_knock_outs(own, 1.0, standard, energy_ratio=0.5,
                                                energy_use_ratio=0.075)] == ["energy_implausibly_low"]


def standard_rank(engine: Engine, grade: str) -> int:
    return engine.standard.rank(grade)
