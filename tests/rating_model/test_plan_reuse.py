"""The improvement plan builds and re-rates its counterfactuals once where it can, with the same results."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

import pytest

from rating_model.actions import apply_change
from rating_model.engine import Engine
from rating_model.estimation import Filled, fill_missing
from rating_model.flat import whole_payloads
from rating_model.improvements import (
    Applying,
    Improvement,
    Outcome,
    PlannedAction,
    Taken,
    _business,
    _left_out,
)
from rating_model.indicators import IndicatorContext
from rating_model.inventory import compute_inventory
from rating_model.operating_data import OperatingData, Practices, adopt_practices
from rating_model.pipeline import Figures
from rating_model.synthetic import generate_frame
from rating_model.values import evolve
from tests.conftest import BASE_PAYLOAD

ENGINE = Engine.load()


def _filled() -> Filled:
    return fill_missing(ENGINE.parse(BASE_PAYLOAD), ENGINE.standard)


def _planned(action: str) -> PlannedAction:
    return next(p for p in ENGINE.actions.actions if p.action.id == action)


def _changed(applying: Applying, filled: Filled, action: str) -> Filled:
    data = applying.apply(filled.data, _planned(action))
    assert data is not None
    return Filled(data, filled.estimates)


def test_the_plan_applies_each_action_once_to_each_data() -> None:
    """An action applied again to the same data gives the same objects, also behind practices noted first;
    applied to other data, or by another plan, new ones."""
    filled = _filled()
    applying = Applying()
    cut = _planned("cut_electricity_use")
    once = applying.apply(filled.data, cut)
    assert once is not None and applying.apply(filled.data, cut) is once
    noted = applying.take((filled.data, ("waste_sorting",)), cut)
    assert noted is not None and noted[0] is once and noted[1] == ("waste_sorting",)
    assert Applying().apply(filled.data, cut) is not once
    other = applying.apply(once, cut)
    assert other is not None and other is not once


def test_the_same_figures_share_one_inventory() -> None:
    """Figures met again (the same objects) take the inventory computed for them, the one computing it
    afresh gives; other figures, even of equal values, get their own."""
    filled = _filled()
    applying, figures = Applying(), Figures()
    cut = _changed(applying, filled, "cut_electricity_use")
    once = figures.measured(cut, ENGINE.indicators)
    again = _changed(applying, filled, "cut_electricity_use")
    assert again is not cut and figures.measured(again, ENGINE.indicators) is once
    assert once.benchmark() is once.benchmark()
    fresh = compute_inventory(cut.data, estimated=cut.paths, asked=ENGINE.indicators.asked(cut.data.company))
    assert fresh == once.inventory
    equal = _changed(Applying(), filled, "cut_electricity_use")
    assert equal.data == cut.data and figures.measured(equal, ENGINE.indicators) is not once


def test_a_rating_reuses_the_inventory_of_figures_its_plan_met_again() -> None:
    """Re-rating with the plan's figures shared gives what re-rating each counterfactual afresh gives."""
    filled = _filled()
    ev = ENGINE.evaluate(filled)
    applying, figures = Applying(), Figures()
    for action in ("cut_electricity_use", "buy_green_power"):
        for _ in range(2):
            business = _changed(applying, filled, action)
            assert ENGINE.outcome(business, ev, figures) == ENGINE.outcome(business, ev)
            assert ENGINE.rerate_from(business, figures)(business) == ENGINE.rerate_from(business)(business)


def test_taking_actions_builds_the_business_applying_them_in_turn_builds() -> None:
    """:meth:`Applying.take` notes single practices and sets them in one copy: the business it builds, and
    whether each action changed anything after the ones before it, are those of applying every action in
    turn, whatever the order (water-saving fixtures adopted alone, then by ``save_water``, and the
    reverse); the same values of the same types (``repr``)."""
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
            applying = Applying()
            for name in order:
                changed = apply_change(data, by_id[name].action.change)
                next_taken: Taken | None = applying.take(taken, by_id[name])
                assert (next_taken is None) == (changed is None), (order, name)
                data, taken = changed or data, next_taken or taken
                built = _business(taken, filled)
                assert repr(built.data) == repr(data) and built.estimates is filled.estimates, (order, name)
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


def test_adopting_practices_carries_every_other_field() -> None:
    """:func:`adopt_practices` builds the data and its practices field by field: each field of either, given
    a value of its own, comes through (a field added later and not carried would fall back to its default),
    and the result is what ``evolve`` gives."""
    data = ENGINE.parse({
        **BASE_PAYLOAD,
        "transport": {"fleet": [{"fuel": "diesel", "vehicles": 2}]},
        "resources": {"water_m3": 300.0},
        "compliance": {"environmental_penalties_3y": 0},
        "offsets": [{"standard": "CCER", "tco2e": 1.0, "type": "avoidance"}],
        "targets": [{"scopes": [1, 2], "base_year": 2023, "target_year": 2030, "reduction_pct": 30}],
        "previous_year": {"energy": {"electricity_kwh": 40_000}},
        "loan": {"amount": 1e6, "currency": "CNY", "use_of_proceeds": "energy_efficiency"},
        "reported_emissions": {"scope1_tco2e": 1.0, "scope2_location_tco2e": 2.0, "verified": False},
        "refrigerants": [{"gas": "R-410A", "recharged_kg": 2.0}],
    })
    names = ("led_lighting", "iso14001")
    adopted = adopt_practices(data, names)
    for f in dataclasses.fields(OperatingData):
        if f.name != "practices":
            assert getattr(data, f.name) != f.default, f.name  # given, so a field left behind would show
            assert getattr(adopted, f.name) is getattr(data, f.name), f.name
    flags = {f.name: True for f in dataclasses.fields(Practices)} | {"green_products_share": 0.25}
    for name, value in flags.items():
        given = evolve(data, practices=evolve(data.practices, **{name: value}))
        adopted = adopt_practices(given, names)
        assert getattr(adopted.practices, name) == value, name
        assert adopted == evolve(given, practices=evolve(given.practices, **dict.fromkeys(names, True)))
    with pytest.raises(ValueError, match="green_products_share"):
        adopt_practices(data, ("green_products_share",))


def test_a_change_of_answers_rebins_only_the_indicators_derived_again() -> None:
    """``derive_changed`` names the indicators it derived again when only answers changed (no other value
    can differ), all of them otherwise; re-binning those alone scores as scoring afresh does."""
    frame = generate_frame(30, 9).drop(columns=["label", "latent_greenness"])
    artifact, indicators = ENGINE.artifact, ENGINE.indicators
    answered = figured = 0
    for payload in whole_payloads(frame):
        filled = fill_missing(ENGINE.parse(payload), ENGINE.standard)
        ev = ENGINE.evaluate(filled)
        for planned in ENGINE.actions.actions:
            changed = apply_change(filled.data, planned.action.change)
            if changed is None:
                continue
            business = Filled(changed, filled.estimates)
            outcome = ENGINE.outcome(business, ev)
            assert outcome.score == ENGINE.evaluate(business).score, planned.action.id
            if not planned.answers_only:
                figured += 1
                continue
            known = ev.context  # what Engine.outcome derives a change of answers from
            ctx = IndicatorContext(changed, known.inventory, known.benchmark, known.defaults,
                                   known.pcaf_score, known.sector_default_fields)
            values, names = indicators.derive_changed(ctx, ev.context, ev.values)
            assert names is not None and values == indicators.derive(ctx), planned.action.id
            assert all(values[i] == ev.values[i] for i in values if i not in names)
            fresh = artifact.score_row(values).score
            assert artifact.score_after(values, ev.values, ev.score, names) == fresh
            answered += 1
    assert answered > 100 and figured > 30
