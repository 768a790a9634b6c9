"""Hypothesis strategies for valid operating data, shared by the engine's property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from rating_model.operating_data import (
    DATA_SOURCES,
    FLEET_FUELS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    PRACTICE_FLAGS,
    TRAVEL_MODES,
)

DIVISIONS = ("01", "10", "13", "25", "41", "46", "47", "49", "52", "55", "56", "62", "69", "70", "73")
REGIONS = ("CN-BJ", "CN-SH", "CN-ZJ", "CN-GD", "CN-SC", "CN-YN", "CN-HB", "CN-XJ", None)
USES = ("renewable_energy", "energy_efficiency", "general_working_capital", "green_buildings")

amount = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1, max_value=1e7, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid payload: any mix of optional sections, never a figure the parser would refuse."""
    region = draw(st.sampled_from(REGIONS))
    company = _drop_none({
        "name": "Test business",
        "country": "CN",
        "region": region,
        "industry_code": draw(st.sampled_from(DIVISIONS)) + draw(st.sampled_from(("", "10", "20"))),
        "employees": draw(st.integers(1, 500)),
        "annual_revenue": draw(positive),
        "currency": "CNY",
        "reporting_year": draw(st.sampled_from((2021, 2022, 2023, 2024))),
        "floor_area_m2": draw(st.none() | st.floats(10, 20_000)),
    })
    payload: dict[str, Any] = {"company": company, "data_source": draw(st.sampled_from(DATA_SOURCES))}
    electricity = draw(st.none() | amount)
    energy = _drop_none({
        "electricity_kwh": electricity,
        "green_electricity_kwh": None if electricity is None else electricity * draw(share),
        "onsite_renewable_kwh": draw(st.none() | amount),
        "electricity_spend": draw(st.none() | amount) if electricity is None else None,
        "fuels": draw(st.lists(st.fixed_dictionaries({
            "fuel": st.sampled_from(("natural_gas",)), "quantity": amount, "unit": st.just("m3")}),
            max_size=1))
        + draw(st.lists(st.fixed_dictionaries({
            "fuel": st.sampled_from(("diesel", "gasoline", "lpg", "coal")), "quantity": amount,
            "unit": st.sampled_from(("kg", "t"))}), max_size=2)),
        "purchased_heat_gj": draw(st.none() | amount),
    })
    payload["energy"] = energy
    fleet = draw(st.lists(st.fixed_dictionaries(
        {"fuel": st.sampled_from(FLEET_FUELS)},
        optional={"vehicles": st.integers(1, 30), "km": amount}).filter(lambda f: len(f) > 1), max_size=3))
    trip = st.fixed_dictionaries({"mode": st.sampled_from(TRAVEL_MODES), "passenger_km": amount})
    travel = draw(st.lists(trip, max_size=3))
    payload["transport"] = {"fleet": fleet, "business_travel": travel}
    waste = draw(st.none() | st.floats(0.1, 1000))
    payload["resources"] = _drop_none({
        "water_m3": draw(st.none() | amount),
        "waste_t": waste,
        "waste_recycled_t": None if waste is None else waste * draw(share) * 0.5,
        "hazardous_waste_t": None if waste is None else waste * draw(share) * 0.5,
    })
    payload["practices"] = _drop_none({name: draw(st.none() | st.booleans()) for name in PRACTICE_FLAGS}
                                      | {"green_products_share": draw(st.none() | share)})
    payload["compliance"] = {"environmental_penalties_3y": draw(st.integers(0, 4))}
    payload["offsets"] = draw(st.lists(st.fixed_dictionaries({
        "standard": st.sampled_from(OFFSET_STANDARDS), "tco2e": amount,
        "type": st.sampled_from(OFFSET_TYPES)}), max_size=2))
    if draw(st.booleans()):
        base = draw(st.integers(2015, 2022))
        target_year = base + draw(st.integers(1, 15))
        payload["targets"] = [{"scopes": [1, 2], "base_year": base, "target_year": target_year,
                               "reduction_pct": draw(st.floats(0, 100))}]
    if draw(st.booleans()):
        payload["previous_year"] = {"energy": _drop_none({"electricity_kwh": draw(st.none() | amount)})}
    if draw(st.booleans()):
        payload["loan"] = _drop_none({"amount": draw(positive), "currency": "CNY",
                                      "use_of_proceeds": draw(st.sampled_from(USES)),
                                      "outstanding": draw(st.none() | amount),
                                      "borrower_equity_plus_debt": draw(st.none() | positive)})
    return payload
