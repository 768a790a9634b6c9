"""The search for the cheapest path to the next grade: the first prefix of actions that reaches it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from rating_model.engine import Evaluation
from rating_model.estimation import Filled
from rating_model.improvements import Search, first_reaching, improvements
from rating_model.values import evolve
from tests.rating_model.test_engine import FULL, MINIMAL

Guesser = Callable[[int | None], int | None]


def _guessers(n: int, first: int | None) -> dict[str, Guesser | None]:
    """Right, wrong and useless guessers: the answer must not depend on them, only the work."""
    out: dict[str, Guesser | None] = {"none": None, "silent": lambda _failed: None,
                                      "oracle": lambda _failed: first}
    for fixed in range(-1, n + 2):
        out[f"always {fixed}"] = lambda _failed, fixed=fixed: fixed
    out["next one"] = lambda failed: 0 if failed is None else failed + 1
    out["backwards"] = lambda failed: n - 1 if failed is None else failed - 1
    return out


@pytest.mark.parametrize("n", list(range(9)))
def test_finds_the_first_reaching_prefix_whatever_the_guesses(n: int) -> None:
    for first in [*range(n), None]:
        for name, guesser in _guessers(n, first).items():
            asked: list[int] = []

            def reaches(k: int, first: int | None = first, asked: list[int] = asked) -> bool:
                assert 0 <= k < n, "asked about a prefix that does not exist"
                asked.append(k)
                return first is not None and k >= first

            assert first_reaching(n, reaches, guesser) == first, (n, first, name)
            assert len(asked) <= n + 1, (n, first, name)  # never worse than trying them all
            if name == "oracle" and first is not None:
                assert len(asked) <= 2  # a right guess costs the guess and the prefix before it


def test_a_right_guess_beats_bisection() -> None:
    def asked(first: int, guesser: Guesser | None) -> int:
        seen: set[int] = set()

        def reaches(k: int) -> bool:
            seen.add(k)
            return k >= first

        first_reaching(16, reaches, guesser)
        return len(seen)

    assert asked(9, None) == 5  # the whole list, then 4 halvings
    assert asked(9, lambda _failed: 9) == 2 and asked(0, lambda _failed: 0) == 1
    # too low by one, then corrected from the failed prefix, which also proves the one before: 2, not 5
    assert asked(9, lambda failed: 8 if failed is None else failed + 1) == 2
    assert asked(9, lambda failed: 6 if failed is None else failed + 1) == 4  # 6, 7, 8 fail; 9 reaches


@pytest.mark.parametrize(("n", "first"), list(itertools.product([1, 5, 16], [0, 3])))
def test_no_guess_is_plain_bisection(n: int, first: int) -> None:
    first = min(first, n - 1)
    assert first_reaching(n, lambda k: k >= first) == first
    assert first_reaching(n, lambda _k: False) is None


def test_the_engine_finds_the_same_path_as_trying_every_prefix() -> None:
    """On a sample of the synthetic population, the explanations equal those of a linear scan over the
    prefixes. The scan is passed as ``search``: improvements.py is compiled, and a patched module global would
    never be called (its calls to its own functions are bound at build time)."""
    from rating_model.engine import Engine
    from rating_model.estimation import fill_missing
    from rating_model.flat import payloads_from_frame
    from rating_model.synthetic import generate_frame

    engine = Engine.load()
    frame = generate_frame(150, 17).drop(columns=["label", "latent_greenness"])
    scans = 0

    def linear(n: int, reaches: Callable[[int], bool], _guess: object = None) -> int | None:
        nonlocal scans
        scans += 1
        return next((k for k in range(n) if reaches(k)), None)

    reachable = 0
    for payload in payloads_from_frame(frame):
        data = engine.parse(payload)
        filled = fill_missing(data, engine.standard)
        ev = engine.evaluate(filled)

        def explain(
            search: Search | None, filled: Filled = filled, ev: Evaluation = ev
        ) -> tuple[list[dict[str, object]], dict[str, object]]:
            found, path = improvements(filled, ev.outcome, ev.contributions, engine.standard, engine.actions,
                                       lambda f: engine.outcome(f, ev), search,
                                       knock_outs=ev.grading.knock_outs, unassessed=engine.unassessed(ev),
                                       rebase=engine.rerate_from)
            return [improvement.to_dict() for improvement in found], path

        searched = explain(None)
        assert searched == explain(linear)
        assert searched[1] == engine.rate(data).to_dict()["path_to_next_grade"]  # what the engine serves
        reachable += bool(searched[1]["reachable"])
    assert scans > 100  # the scan really ran (most of the sample has a next grade)
    assert reachable > 30  # the sample exercises paths


def test_the_path_to_the_next_grade_has_no_action_it_can_do_without() -> None:
    """Fuzz review: six low-cost actions were offered where three reached dark green; every action of the
    path is needed now (leaving any one out falls short of the grade)."""
    from rating_model.actions import apply_change
    from rating_model.estimation import Filled, fill_missing
    from tests.conftest import session_engine

    engine = session_engine()
    office = {
        "company": {"name": "Test business", "country": "CN", "region": "CN-BJ", "industry_code": "6201",
                    "employees": 5, "annual_revenue": 3_000_000.0, "currency": "CNY", "reporting_year": 2022},
        # no fuel burned: [] (a list of zeros answers nothing under standard 1.7.0 and caps the grade)
        "energy": {"electricity_kwh": 5000.0, "green_electricity_kwh": 5000.0, "fuels": []},
        "transport": {"fleet": [{"fuel": "electric", "vehicles": 1}]},
        "resources": {"waste_t": 1.0, "waste_recycled_t": 0.75},
        "practices": {"green_procurement_policy": False, "e_invoicing": False, "digital_ordering": False,
                      "energy_efficient_equipment": False},
        "data_source": "energy_bills",
    }
    data = engine.parse(office)
    rated = engine.rate(data).to_dict()
    path = rated["path_to_next_grade"]
    assert path["reachable"] and len(path["actions"]) >= 1
    filled = fill_missing(data, engine.standard)
    changes = {a.id: a for a in engine.standard.actions.values()}

    def grade_with(actions: list[str]) -> str:
        business = filled
        for name in actions:
            changed = apply_change(business.data, changes[name].change)
            if changed is not None:
                business = Filled(changed, business.estimates)
        return engine.rate(business.data).grade

    assert grade_with(path["actions"]) == path["grade_after"] == path["target_grade"]
    for left_out in path["actions"]:
        rest = [a for a in path["actions"] if a != left_out]
        assert engine.standard.rank(grade_with(rest)) > engine.standard.rank(path["target_grade"]), left_out


def _grade_with(engine: Any, data: Any, actions: list[str]) -> str:
    """The grade of ``data`` after ``actions``, by a full rating of the changed business."""
    from rating_model.actions import apply_change
    from rating_model.estimation import Filled, fill_missing

    business = fill_missing(data, engine.standard)
    for name in actions:
        changed = apply_change(business.data, engine.standard.actions[name].change)
        if changed is not None:
            business = Filled(changed, business.estimates)
    return str(engine.rate(business.data).grade)


def test_a_path_that_changes_figures_carries_no_answer_it_can_do_without() -> None:
    """A review of engine 2.2: a tea shop in Hebei was told to adopt green procurement, name a climate person
    and commission an energy audit (medium cost) beside replacing a car with an electric one; the person
    and the audit were worth no point, and the procurement policy with the car reached dark green alone.
    The path changes the fleet, so it had been given as found; its answers are now tried without."""
    from tests.conftest import session_engine

    engine = session_engine()
    tea_shop = {
        "company": {"country": "CN", "region": "CN-HE", "industry_code": "5630", "employees": 4,
                    "annual_revenue": 900_000, "currency": "CNY", "reporting_year": 2022},
        "energy": {"electricity_kwh": 12_000, "green_electricity_kwh": 12_000,
                   "green_electricity_instrument": "green_certificate", "fuels": []},
        "transport": {"fleet": [{"fuel": "gasoline", "vehicles": 2, "km": 30_000}]},
        "resources": {"waste_t": 2, "waste_recycled_t": 1.5},
        "practices": {"e_invoicing": True, "digital_ordering": True, "led_lighting": True,
                      "waste_sorting": True, "green_packaging": True, "environmental_policy": True},
        "data_source": "energy_bills",
    }
    data = engine.parse(tea_shop)
    path = engine.rate(data).to_dict()["path_to_next_grade"]
    assert path["reachable"] and "electrify_fleet" in path["actions"], path
    assert not {"do_energy_audit", "name_climate_responsible_person"} & set(path["actions"]), path
    assert _grade_with(engine, data, path["actions"]) == path["grade_after"] == path["target_grade"]
    for left_out in path["actions"]:
        rest = [a for a in path["actions"] if a != left_out]
        rank = engine.standard.rank
        assert rank(_grade_with(engine, data, rest)) > rank(path["target_grade"]), left_out


def test_green_power_is_offered_only_on_the_kwh_a_business_reported() -> None:
    """A review of engine 2.2: an office that gave its electricity bill's amount (the engine estimates its
    kWh) was sent down a path through buying green power, which it cannot report: the schema refuses
    ``green_electricity_kwh`` without ``electricity_kwh``. The same office giving its kWh is offered it."""
    from tests.conftest import session_engine

    engine = session_engine()
    office = {
        "company": {"country": "CN", "region": "CN-GD", "industry_code": "4690", "employees": 4,
                    "annual_revenue": 5_000_000, "currency": "CNY", "reporting_year": 2024,
                    "floor_area_m2": 80},
        "energy": {"electricity_spend": 9_000, "fuels": []},
        "transport": {"fleet": []},
        "data_source": "energy_bills",
    }
    by_bill = engine.rate(engine.parse(office)).to_dict()
    offered = [i["action"] for i in by_bill["improvements"]]
    assert offered and "buy_green_power" not in offered
    assert "buy_green_power" not in by_bill["path_to_next_grade"]["actions"]
    office["energy"] = {"electricity_kwh": 9_000 / 0.65, "fuels": []}
    by_kwh = engine.rate(engine.parse(office)).to_dict()
    assert "buy_green_power" in [i["action"] for i in by_kwh["improvements"]]


def test_save_water_is_not_offered_without_a_water_figure() -> None:
    """An action is its first operation: ``save_water`` (cut the water used by a fifth, with water-saving
    fixtures) without a water figure had been ``adopt_water_saving_equipment`` under another name, at a
    medium cost instead of a low one (a review of engine 2.2: in 274 of 600 plans)."""
    from rating_model.actions import apply_change
    from tests.conftest import session_engine

    engine = session_engine()
    cafe = engine.parse(_CAFE)
    change = engine.standard.actions["save_water"].change
    assert list(change)[0] == "scale_water_by"
    without_water = engine.rate(evolve(cafe, resources=evolve(cafe.resources, water_m3=None))).to_dict()
    offered = [i["action"] for i in without_water["improvements"]]
    assert "save_water" not in offered and "adopt_water_saving_equipment" in offered
    assert apply_change(evolve(cafe, resources=evolve(cafe.resources, water_m3=None)), change) is None
    with_water = evolve(cafe, resources=evolve(cafe.resources, water_m3=400.0))
    changed = apply_change(with_water, change)
    assert changed is not None and changed.resources.water_m3 == 320.0
    assert changed.practices.water_saving_equipment is True


#: a restaurant with two gasoline cars, some bills and few practices (not green, a long path to light green),
#: and a noodle bar that gave nothing but its company (every action together falls short of light green)
_CAFE, _BARE = FULL, MINIMAL


def test_the_path_is_taken_cheapest_first() -> None:
    """The path's costs never go up from one action to the next (low, then medium, then high): the cafe's
    biggest single gain (green power, medium cost) comes after every low-cost action it needs."""
    from rating_model.standard import COSTS
    from tests.conftest import session_engine

    engine = session_engine()
    path = engine.rate(engine.parse(_CAFE)).to_dict()["path_to_next_grade"]
    assert path["reachable"]
    costs = [COSTS.index(engine.standard.actions[name].cost) for name in path["actions"]]
    assert len(set(costs)) > 1, path  # the order is tested only where there is one to get wrong
    assert costs == sorted(costs), path


def test_an_unreachable_grade_names_what_every_action_together_reaches_and_only_missing_points() -> None:
    """``beyond_actions`` says the score of the business with every offered action taken (a re-rating),
    not its score today; ``missing_data`` lists only indicators whose blank leaves points on the table
    (an indicator with nothing to earn, max_points 0, is no reason)."""
    from rating_model.actions import apply_change
    from rating_model.estimation import fill_missing
    from rating_model.standard import COSTS
    from tests.conftest import session_engine

    engine = session_engine()
    data = engine.parse(_BARE)
    rated = engine.rate(data).to_dict()
    path = rated["path_to_next_grade"]
    assert not path["reachable"]
    reasons = {reason["reason"]: reason for reason in path["held_back_by"]}

    gaps = [c for c in rated["contributions"] if c["value"] is None and c["max_points"] > c["points"]]
    assert [c["indicator"] for c in rated["contributions"] if c["value"] is None] != [
        c["indicator"] for c in gaps]  # some blanks have nothing to earn: the case to get wrong
    assert reasons["missing_data"]["indicators"] == [c["indicator"] for c in gaps]
    left = sum(c["max_points"] - c["points"] for c in gaps)
    assert reasons["missing_data"]["points"] == pytest.approx(left)

    actions = sorted((engine.standard.actions[i["action"]] for i in rated["improvements"]),
                     key=lambda a: COSTS.index(a.cost))
    business = fill_missing(data, engine.standard)
    for action in actions:
        changed = apply_change(business.data, action.change)
        if changed is not None:
            business = Filled(changed, business.estimates)
    together = engine.outcome(business, engine.evaluate(fill_missing(data, engine.standard))).score
    assert together > rated["score"]
    assert f"reach {together:g} points together" in reasons["beyond_actions"]["message"]


def test_an_improvement_names_the_most_specific_indicator_it_moves() -> None:
    """save_water is listed by water_efficiency_ratio (its one action) and green_operations (eight):
    the improvement is about the water ratio; cutting electricity about the energy ratio, not the
    carbon intensity (three actions)."""
    from tests.conftest import session_engine

    engine = session_engine()
    named = {i["action"]: i["indicator"] for i in engine.rate(engine.parse(_CAFE)).to_dict()["improvements"]}
    assert named["save_water"] == "water_efficiency_ratio"
    assert named["cut_electricity_use"] == "energy_efficiency_ratio"
    assert named["buy_green_power"] == "renewable_electricity_share"


#: two businesses of an energy-efficiency advisor's review whose next grade is out of reach: a dye house
#: scoring dark green, capped at light green by a penalty, and a coal-mine services firm (ISIC 05)
_DYE_HOUSE: dict[str, Any] = {
    "company": {"country": "CN", "region": "CN-ZJ", "industry_code": "1313", "employees": 30,
                "annual_revenue": 10_000_000, "currency": "CNY", "reporting_year": 2024,
                "floor_area_m2": 1500},
    "energy": {"electricity_kwh": 500_000,
               "fuels": [{"fuel": "natural_gas", "quantity": 60_000, "unit": "m3"}],
               "purchased_heat_gj": 8000, "green_electricity_kwh": 200_000,
               "green_electricity_instrument": "green_certificate"},
    "transport": {"fleet": []},
    "resources": {"water_m3": 40_000, "waste_t": 50, "waste_recycled_t": 35},
    "practices": {"led_lighting": True, "e_invoicing": True, "waste_sorting": True,
                  "environmental_policy": True, "climate_responsible_person": True,
                  "green_procurement_policy": True, "digital_ordering": True,
                  "energy_efficient_equipment": True},
    "compliance": {"environmental_penalties_3y": 1},
    "data_source": "energy_bills",
}
_MINE_SERVICES: dict[str, Any] = {
    "company": {"country": "CN", "region": "CN-SX", "industry_code": "0510", "employees": 20,
                "annual_revenue": 8_000_000, "currency": "CNY", "reporting_year": 2024},
    "energy": {"electricity_kwh": 300_000, "fuels": [{"fuel": "diesel", "quantity": 20_000, "unit": "L"}],
               "purchased_heat_gj": 0},
    "transport": {"fleet": []},
    "practices": {"environmental_policy": True, "green_procurement_policy": True},
    "data_source": "energy_bills",
}


def test_points_not_given_are_said_only_where_they_could_change_the_grade() -> None:
    """The review: the dye house, at 80.2 points and capped by a penalty, was told that "up to 10.8 more
    points wait" in figures; the mine services firm was told so right after "no change of operations lifts
    this cap". Points help only while the score is short of the grade's floor, and only where no cap holds
    that no figure lifts; a cap that reporting lifts (the fuels left out) leaves them said."""
    from rating_model.estimation import fill_missing
    from rating_model.improvements import held_back_by
    from tests.conftest import session_engine

    engine = session_engine()
    standard = engine.standard
    dye = engine.rate(engine.parse(_DYE_HOUSE)).to_dict()
    path = dye["path_to_next_grade"]
    assert dye["grade"] == "light_green" and dye["score"] >= standard.grade_floor(path["target_grade"])
    assert any(c["value"] is None and c["max_points"] > c["points"] for c in dye["contributions"])
    assert [(h["reason"], h["knock_out"]) for h in path["held_back_by"]] == [  # 1.10.0: 6.4x its sector
        ("knock_out", "environmental_penalty"), ("knock_out", "energy_far_above_sector")]

    mine = engine.rate(engine.parse(_MINE_SERVICES)).to_dict()
    held = mine["path_to_next_grade"]["held_back_by"]
    assert held[0]["knock_out"] == "excluded_activity" and "no change of operations" in held[0]["message"]
    assert "missing_data" not in {h["reason"] for h in held}
    # the cap alone keeps the points unsaid, however short the score: asked with a score below the floor
    ev = engine.evaluate(fill_missing(engine.parse(_MINE_SERVICES), standard))
    rules = {rule.id: rule for rule in standard.knock_outs}

    def reasons(*caps: str) -> list[str]:
        said = held_back_by("light_green", 30.0, [rules[c] for c in caps], ev.contributions, standard)
        return [str(h["reason"]) for h in said]

    assert reasons() == ["missing_data", "beyond_actions"]
    for lasting in ("excluded_activity", "repeated_environmental_penalties"):
        assert reasons(lasting) == ["knock_out"], lasting  # engine 2.4: nor the score the actions reach
    assert reasons("fuels_not_reported") == ["missing_data", "beyond_actions"]  # caps at the target only
    lifted = held_back_by("green", 50.0, [rules["fuels_not_reported"]], ev.contributions, standard)
    assert [h["reason"] for h in lifted] == ["knock_out", "missing_data", "beyond_actions"]
    enough = held_back_by("green", 61.0, [rules["fuels_not_reported"]], ev.contributions, standard)
    assert [h["reason"] for h in enough] == ["knock_out"]  # the score is there: the cap's remedy is all


def test_points_not_given_say_figures_to_report_apart_from_practices_to_answer() -> None:
    """The review: a noodle bar that gave nothing but its company was told that "up to 100 more points
    wait in figures not reported ... from the bills", a third of them in practices and policies, which no
    bill holds. The message says each part with its points, in English and Chinese; a business missing
    only figures, or only answers, is told of those alone."""
    from rating_model.improvements import missing_data_messages
    from tests.conftest import session_engine

    engine = session_engine()
    rated = engine.rate(engine.parse(_BARE)).to_dict()
    (blank,) = [h for h in rated["path_to_next_grade"]["held_back_by"] if h["reason"] == "missing_data"]
    gaps = {c["indicator"]: c["max_points"] - c["points"] for c in rated["contributions"]}
    answers = [i for i in blank["indicators"] if engine.standard.indicators[i].practices]
    figures = [i for i in blank["indicators"] if i not in answers]
    assert answers == ["green_operations", "environmental_management"] and figures
    in_answers = round(sum(gaps[i] for i in answers), 1)
    in_figures = round(sum(gaps[i] for i in figures), 1)
    en, zh = str(blank["message"]), str(blank["message_zh"])
    assert en.startswith(f"Figures and answers not given could earn up to {blank['points']:g} more points.")
    said_figures, said_answers = en.split("Practices and policies not answered")
    assert f"Figures not reported (or only estimated from the sector), up to {in_figures:g} points" in en
    assert f"not answered, up to {in_answers:g} points" in en
    names = engine.standard.indicators
    assert all(names[i].name in said_figures for i in figures)
    assert not any(names[i].name in said_figures for i in answers)
    assert all(names[i].name in said_answers for i in answers) and "Say which are in place" in said_answers
    zh_figures, zh_answers = zh.split("未作答的绿色经营做法和管理制度")
    assert f"数据最多 {in_figures:g} 分" in zh_figures and zh_answers.startswith(f"最多 {in_answers:g} 分")
    assert all(names[i].name_zh in zh_figures for i in figures)
    assert all(names[i].name_zh in zh_answers and names[i].name_zh not in zh_figures for i in answers)

    only_answers = missing_data_messages([(i, gaps[i]) for i in answers], engine.standard)
    assert only_answers[0].startswith(
        f"Practices and policies not answered could earn up to {in_answers:g} more points")
    assert "bills" not in only_answers[0] and "账单" not in only_answers[1]
    only_figures = missing_data_messages([(i, gaps[i]) for i in figures], engine.standard)
    assert only_figures[0].startswith(
        f"Figures not reported (or only estimated from the sector) could earn up to {in_figures:g} more")
    assert "practices" not in only_figures[0] and "做法" not in only_figures[1]


def test_a_cap_no_action_lifts_is_said_without_the_score_the_actions_reach() -> None:
    """Engine 2.3 told a noodle bar with three environmental penalties in three years, capped at not green,
    that "the improvement actions this standard models reach 33.6 points together; Light green starts at
    45": as if 11.4 more points would do, where no action lifts the cap. Under a cap that no action or
    figure lifts, the plan says the cap and its remedy alone; without the penalties, the same bar is told
    how far the actions fall short (and what its blanks are worth)."""
    from tests.conftest import session_engine

    engine = session_engine()
    penalised = {**_BARE, "compliance": {"environmental_penalties_3y": 3}}
    path = engine.rate(engine.parse(penalised)).to_dict()["path_to_next_grade"]
    assert (path["target_grade"], path["reachable"]) == ("light_green", False)
    assert [(h["reason"], h["knock_out"]) for h in path["held_back_by"]] == [
        ("knock_out", "repeated_environmental_penalties")]
    assert "Lifted once fewer than three environmental penalties" in path["held_back_by"][0]["message"]

    clean = engine.rate(engine.parse(_BARE)).to_dict()["path_to_next_grade"]
    assert [h["reason"] for h in clean["held_back_by"]] == ["missing_data", "beyond_actions"]
    assert "Light green starts at 45" in clean["held_back_by"][1]["message"]


def test_the_path_gives_each_actions_gain_after_the_ones_before_it() -> None:
    """Each improvement's ``score_gain`` is measured alone: the cafe's LED lighting and green packaging
    each earn 3.7 alone (a third green operation of seven), and 8.6 together (the fourth earns 4.9), so the
    gains listed for its path added up to 44.0 where the path gains 45.2. ``score_gains`` gives, in the
    path's order, what each action adds after the ones before it: each a re-rating of the path so far, and
    together the path's gain."""
    from tests.conftest import session_engine

    engine = session_engine()
    data = engine.parse(_CAFE)
    rated = engine.rate(data).to_dict()
    path = rated["path_to_next_grade"]
    alone = {i["action"]: i["score_gain"] for i in rated["improvements"]}
    assert path["reachable"] and path["actions"] == [
        "adopt_environmental_policy", "adopt_green_procurement_policy", "adopt_green_packaging",
        "adopt_led_lighting", "recycle_more", "buy_green_power"]
    assert [alone[a] for a in path["actions"]] == [8.1, 8.1, 3.7, 3.7, 3.0, 17.4]
    assert path["score_gains"] == [8.1, 8.1, 3.7, 4.9, 3.0, 17.4]
    assert round(sum(path["score_gains"]), 2) == round(path["score_after"] - rated["score"], 2) == 45.2
    before = rated["score"]
    for k, gain in enumerate(path["score_gains"]):
        step = engine.rate(_after(engine, data, path["actions"][: k + 1])).score
        assert round(step - before, 2) == gain, path["actions"][k]
        before = step
    assert before == path["score_after"]


def _after(engine: Any, data: Any, actions: list[str]) -> Any:
    """``data`` after ``actions`` (each that changes something), as the business would report it."""
    from rating_model.actions import apply_change

    for name in actions:
        changed = apply_change(data, engine.standard.actions[name].change)
        data = data if changed is None else changed
    return data


#: The cafe giving its own figures (its cars' distance too: a count alone rests on the seed distance,
#: PCAF 3 at best) but calling them estimated: reporting them from the bills changes its data source
#: alone, PCAF 4 to 2.
_OWN_FIGURES: dict[str, Any] = {
    **_CAFE, "transport": {"fleet": [{"fuel": "gasoline", "vehicles": 2, "km": 30_000}]},
    "data_source": "estimated",
}


def _scoring_targets_and_data_quality(engine: Any) -> Any:
    """The default engine under a model that scores target ambition (5 points from 2 % a year) and the data
    quality (6 points for PCAF 1, 3 for PCAF 2 or 3), the 11 points taken from environmental management so
    that scores stay within 0-100; the default model gives both indicators none."""
    from rating_model.artifact import ScorecardArtifact
    from rating_model.artifact_format import content_sha256
    from rating_model.engine import Engine

    doc = engine.artifact.to_dict()
    features = {f["name"]: f for f in doc["features"]}
    features["measurement_quality"]["points"] = [6.0, 3.0, 0.0]
    target = features["target_ambition"]
    target.update(edges=[2.0], labels=["< 2", ">= 2"], points=[0.0, 5.0])
    target["stats"].update(count=[44000, 4104], event_rate=[0.34, 0.5], woe=[0.0, 0.6])
    features["environmental_management"]["points"] = [0.0, 2.6, 5.2]
    doc["version"] = "test-targets-and-data-quality"
    doc["sha256"] = content_sha256(doc)
    return Engine(engine.standard, ScorecardArtifact.from_dict(doc))


def test_a_target_and_the_bills_are_offered_only_where_the_model_scores_them() -> None:
    """``set_target`` and ``provide_energy_bills`` move only target ambition and the data quality (the PCAF
    score), which the default model scores nothing (one bin; a coefficient set to 0); neither changes a
    knock-out or an emission, so no plan under it offers them, and a business that takes them is rated as
    before. Under a model that scores those indicators both are offered where they earn points, the gain
    being exactly those points."""
    from tests.conftest import session_engine

    engine = session_engine()
    points = {c.name: c.points for c in engine.artifact.features}
    assert set(points["target_ambition"]) == set(points["measurement_quality"]) == {0.0}
    data = engine.parse(_OWN_FIGURES)
    rated = engine.rate(data)
    offered = {i.action for i in rated.improvements}
    assert offered and not {"set_target", "provide_energy_bills"} & offered
    for name in ("set_target", "provide_energy_bills"):
        taken = engine.rate(_after(engine, data, [name]))
        assert (taken.score, taken.grade) == (rated.score, rated.grade), name
    assert engine.rate(_after(engine, data, ["provide_energy_bills"])).data_quality.pcaf_score == 2
    assert rated.data_quality.pcaf_score == 4

    scoring = _scoring_targets_and_data_quality(engine)
    plan = {i.action: i for i in scoring.rate(scoring.parse(_OWN_FIGURES)).improvements}
    assert plan["set_target"].score_gain == 5.0 and plan["set_target"].to_value == 4.2
    assert plan["provide_energy_bills"].score_gain == 3.0  # PCAF 4 to 2
    assert "provide_energy_bills" not in {i.action for i in scoring.rate(scoring.parse(_CAFE)).improvements}


def test_reporting_the_bills_is_not_credited_with_the_sectors_figures() -> None:
    """A noodle bar that gave nothing but its company has its electricity and gas estimated from its
    sector. Engines 2.0 to 2.3 rated "report your bills" as if the bills said what the sector's defaults
    say: the estimates became its figures, carbon intensity and the energy ratio left their missing bins,
    the fuels cap was lifted, and a model scoring the data quality would have offered the action with
    points that only the sector's figures earned (125 of 2,000 synthetic businesses). The engine does not
    know what the bills say: the estimates stay flagged (PCAF 4), so the action earns nothing here and is
    not offered; what the figures would earn is in ``held_back_by``."""
    from tests.conftest import session_engine

    scoring = _scoring_targets_and_data_quality(session_engine())
    bare = scoring.rate(scoring.parse(_BARE)).to_dict()
    assert {"energy.electricity_kwh", "energy.fuels"} <= set(bare["data_quality"]["estimated_fields"])
    assert "provide_energy_bills" not in {i["action"] for i in bare["improvements"]}
    assert "set_target" in {i["action"] for i in bare["improvements"]}  # the model does score its target
    assert "missing_data" in {h["reason"] for h in bare["path_to_next_grade"]["held_back_by"]}
