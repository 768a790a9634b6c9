"""The improvement plan builds and re-rates its counterfactuals once where it can, with the same results."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from rating_model.actions import apply_change
from rating_model.engine import Engine
from rating_model.estimation import Filled, fill_missing
from rating_model.flat import whole_payloads
from rating_model.improvements import (
    Improvement,
    Outcome,
    PlannedAction,
    Taken,
    _business,
    _left_out,
    _take,
)
from rating_model.inventory import compute_inventory
from rating_model.operating_data import OperatingData
from rating_model.pipeline import Figures
from rating_model.synthetic import generate_frame
from rating_model.values import evolve, identical
from tests.conftest import BASE_PAYLOAD

ENGINE = Engine.load()


def _filled() -> Filled:
    return fill_missing(ENGINE.parse(BASE_PAYLOAD), ENGINE.standard)


def _changed(filled: Filled, change: Mapping[str, object]) -> Filled:
    data = apply_change(filled.data, change)
    assert data is not None
    return Filled(data, filled.estimates)


def test_identical_figures_built_twice_share_one_inventory() -> None:
    """The same action applied twice builds new, identical figures: their inventory is computed once, and
    is the one computing it afresh gives."""
    filled = _filled()
    figures = Figures()
    once = figures.measured(_changed(filled, {"scale_electricity_by": 0.85}), ENGINE.indicators)
    again = _changed(filled, {"scale_electricity_by": 0.85})
    assert again.data.energy is not once.filled.data.energy
    assert figures.measured(again, ENGINE.indicators) is once
    assert once.benchmark() is once.benchmark()
    fresh = compute_inventory(again.data, estimated=again.paths, asked=ENGINE.indicators.asked(
        again.data.company))
    assert fresh == once.inventory


def test_other_figures_or_equal_figures_of_another_type_get_their_own_inventory() -> None:
    """Figures that differ, or that are only equal (``==`` takes 42000 for 42000.0), are computed anew."""
    filled = _filled()
    figures = Figures()
    cut = figures.measured(_changed(filled, {"scale_electricity_by": 0.85}), ENGINE.indicators)
    assert figures.measured(_changed(filled, {"scale_electricity_by": 0.8}), ENGINE.indicators) is not cut
    energy = filled.data.energy
    assert energy.electricity_kwh is not None
    as_int = evolve(energy, electricity_kwh=int(energy.electricity_kwh))
    as_float = evolve(energy, electricity_kwh=float(energy.electricity_kwh))
    first = figures.measured(Filled(evolve(filled.data, energy=as_int), filled.estimates), ENGINE.indicators)
    second = Filled(evolve(filled.data, energy=as_float), filled.estimates)
    assert as_int == as_float
    assert figures.measured(second, ENGINE.indicators) is not first


def test_a_rating_reuses_the_inventory_of_figures_its_plan_built_again() -> None:
    """Rating with the plan's figures shared gives what re-rating each counterfactual afresh gives."""
    filled = _filled()
    ev = ENGINE.evaluate(filled)
    figures = Figures()
    for change in ({"scale_electricity_by": 0.85}, {"raise_renewable_electricity_share_by": 0.3}):
        for _ in range(2):
            business = _changed(filled, change)
            assert ENGINE.outcome(business, ev, figures) == ENGINE.outcome(business, ev)
            assert ENGINE.rerate_from(business, figures)(business) == ENGINE.rerate_from(business)(business)


def test_taking_actions_builds_the_business_applying_them_in_turn_builds() -> None:
    """:func:`_take` notes single practices and sets them in one copy: the business it builds, and whether
    each action changed anything after the ones before it, are those of applying every action in turn,
    whatever the order (water-saving fixtures adopted alone, then by ``save_water``, and the reverse)."""
    planned = ENGINE.actions.actions
    by_id = {p.action.id: p for p in planned}
    frame = generate_frame(40, 3).drop(columns=["label", "latent_greenness"])
    businesses = [fill_missing(ENGINE.parse(p), ENGINE.standard) for p in whole_payloads(frame)]
    businesses.append(_filled())
    shuffle = random.Random(5)
    orders = [["adopt_water_saving_equipment", "save_water", "adopt_led_lighting"],
              ["save_water", "adopt_water_saving_equipment", "set_target", "adopt_led_lighting"]]
    compared = 0
    for filled in businesses:
        for order in [*orders, *(shuffle.sample(list(by_id), 8) for _ in range(3))]:
            data = filled.data
            taken: Taken = (data, ())
            for name in order:
                changed = apply_change(data, by_id[name].action.change)
                next_taken: Taken | None = _take(taken, by_id[name])
                assert (next_taken is None) == (changed is None), (order, name)
                data, taken = changed or data, next_taken or taken
                built = _business(taken, filled)
                assert identical(built.data, data) and built.estimates is filled.estimates, (order, name)
                compared += 1
    assert compared > 1000


def _trials(kept: list[str], world: Callable[[list[str]], bool], business: OperatingData,
            candidates: list[str] | None = None) -> tuple[list[str], int]:
    """:func:`_left_out` over the named actions in a made-up world that says which sets of actions reach
    the target grade; the actions it keeps, and how many sets it tried."""
    planned = {p.action.id: p for p in ENGINE.actions.actions}
    standard = ENGINE.standard
    target, short = standard.cutoffs[0].grade, standard.cutoffs[1].grade
    ordered: list[tuple[Improvement, PlannedAction, Outcome | None]] = [
        (Improvement(name, planned[name].primary, None, None, 1.0, short, None, "low", "", ""), planned[name],
         None)
        for name in kept
    ]
    tried: list[list[str]] = []

    def without(trial: list[int]) -> Outcome:
        names = [kept[k] for k in trial]
        tried.append(names)
        return Outcome(90.0, target if world(names) else short, {}, 0.0)

    positions = list(range(len(kept)))
    chosen = positions[:-1] if candidates is None else [kept.index(name) for name in candidates]
    left, _ = _left_out(ordered, positions, chosen, Outcome(90.0, target, {}, 0.0), without, standard,
                        target, business)
    return [kept[k] for k in left], len(tried)


def test_a_practice_whose_sibling_was_needed_is_not_tried_again() -> None:
    """Three practices of green operations answered "no", each needed (the target takes all four actions):
    once the last is found needed, its two siblings are too, with the same actions kept; a sibling that was
    blank (it makes the data more complete) is still tried."""
    data = ENGINE.parse({**BASE_PAYLOAD, "practices": {
        "led_lighting": False, "e_invoicing": False, "digital_ordering": False, "waste_sorting": None}})
    kept = ["adopt_led_lighting", "adopt_e_invoicing", "adopt_digital_ordering", "adopt_waste_sorting"]

    def all_four(names: list[str]) -> bool:
        return len(names) == 4

    assert _trials(kept, all_four, data) == (kept, 1)
    blank_first = [kept[3], kept[0], kept[1], kept[2]]
    assert _trials(blank_first, all_four, data) == (blank_first, 2)  # the blank one and one "no"

    def any_two(names: list[str]) -> bool:
        return len(names) >= 2

    # each left out while the rest still reach the grade changes the actions kept: every sibling is tried
    assert _trials(kept, any_two, data) == ([kept[0], kept[3]], 3)


def test_a_practice_another_kept_action_adopts_too_is_still_tried() -> None:
    """``save_water`` adopts water-saving fixtures as well: leaving out their own action changes nothing, so
    it is not taken for its sibling that was needed."""
    data = ENGINE.parse({**BASE_PAYLOAD, "practices": {
        "led_lighting": False, "water_saving_equipment": False}})
    kept = ["adopt_water_saving_equipment", "adopt_led_lighting", "save_water"]

    def needs_led(names: list[str]) -> bool:
        return "adopt_led_lighting" in names and "save_water" in names

    assert _trials(kept, needs_led, data, kept[:2]) == (kept[1:], 2)
