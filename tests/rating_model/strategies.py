"""Hypothesis strategies for valid operating data, shared by the engine's property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from rating_model.isic import INDUSTRY_CODES
from rating_model.operating_data import (
    DATA_SOURCES,
    FLEET_FUELS,
    OFFSET_STANDARDS,
    OFFSET_TYPES,
    PRACTICE_FLAGS,
    REFRIGERANT_GASES,
    TARGET_GASES,
    TARGET_KINDS,
    TRAVEL_MODES,
    VEHICLE_TYPES,
)

DIVISIONS = ("01", "10", "13", "25", "41", "46", "47", "49", "52", "55", "56", "62", "69", "70", "73")
#: each division as given alone and by its first two classes: codes of ISIC Rev. 4 (a division's digits
#: with "10" or "20" appended had drawn 4920 or 5620, which no class of the list is, and are refused now)
INDUSTRY_CODES_DRAWN = tuple(
    code for division in DIVISIONS
    for code in (division, *[c for c in INDUSTRY_CODES if len(c) == 4 and c[:2] == division][:2])
)
REGIONS = ("CN-BJ", "CN-SH", "CN-ZJ", "CN-GD", "CN-SC", "CN-YN", "CN-HB", "CN-XJ", None)
USES = ("renewable_energy", "energy_efficiency", "general_working_capital", "green_buildings")

amount = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1, max_value=1e7, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _rateable_vehicles(item: dict[str, Any]) -> bool:
    """A fleet item with a count or km that the engine prices (schema 1.12): a lorry only diesel and with
    its km, a van not a (non-plug-in) hybrid; the refusals have their own tests
    (tests/rating_model/test_fleet_vehicle_types.py)."""
    kind = item.get("vehicle_type")
    if kind == "hgv":
        return item["fuel"] == "diesel" and "km" in item
    if kind == "van" and item["fuel"] == "hybrid":
        return False
    return "vehicles" in item or "km" in item


# The strategies payloads() draws from, built once: a strategy built inside the composite is validated and
# labelled afresh on every draw, which took most of the generation time (90 ms an example of 150).
_OPTIONAL_AMOUNT = st.none() | amount
_OPTIONAL_POSITIVE = st.none() | positive
_OPTIONAL_SHARE = st.none() | share
_OPTIONAL_BOOLEAN = st.none() | st.booleans()
_REGION = st.sampled_from(REGIONS)
_INDUSTRY_CODE = st.sampled_from(INDUSTRY_CODES_DRAWN)
_REPORTING_YEAR = st.sampled_from((2021, 2022, 2023, 2024))
_FLOOR_AREA = st.none() | st.floats(10, 20_000)
_DATA_SOURCE = st.sampled_from(DATA_SOURCES)
_GAS = st.lists(st.fixed_dictionaries({
    "fuel": st.sampled_from(("natural_gas",)), "quantity": amount, "unit": st.just("m3")}), max_size=1)
_OTHER_FUELS = st.lists(st.fixed_dictionaries({
    "fuel": st.sampled_from(("diesel", "gasoline", "lpg", "coal")), "quantity": amount,
    "unit": st.sampled_from(("kg", "t"))}), max_size=2)
_FLEET = st.lists(st.fixed_dictionaries(
    {"fuel": st.sampled_from(FLEET_FUELS)},
    optional={
        "vehicles": st.integers(1, 30), "km": amount, "vehicle_type": st.sampled_from(VEHICLE_TYPES),
    },
).filter(_rateable_vehicles), max_size=3)
_TRAVEL = st.lists(st.fixed_dictionaries({"mode": st.sampled_from(TRAVEL_MODES), "passenger_km": amount}),
                   max_size=3)
_WASTE = st.none() | st.floats(0.1, 1000)
_OFFSETS = st.lists(st.fixed_dictionaries({
    "standard": st.sampled_from(OFFSET_STANDARDS), "tco2e": amount,
    "type": st.sampled_from(OFFSET_TYPES)}), max_size=2)
_USE = st.sampled_from(USES)
#: refrigerants recharged (schema 1.13), of the gases the default set prices (R-290 and R-600a are refused)
_REFRIGERANTS = st.lists(st.fixed_dictionaries({
    "gas": st.sampled_from([g for g in REFRIGERANT_GASES if g not in ("R-290", "R-600a")]),
    "recharged_kg": st.floats(0, 500, allow_nan=False)}), max_size=3)


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid payload: any mix of optional sections, never a figure the parser would refuse."""
    region = draw(_REGION)
    company = _drop_none({
        "name": "Test business",
        "country": "CN",
        "region": region,
        "industry_code": draw(_INDUSTRY_CODE),
        "employees": draw(st.integers(1, 500)),
        "annual_revenue": draw(positive),
        "currency": "CNY",
        "reporting_year": draw(_REPORTING_YEAR),
        "floor_area_m2": draw(_FLOOR_AREA),
    })
    payload: dict[str, Any] = {"company": company, "data_source": draw(_DATA_SOURCE)}
    electricity = draw(_OPTIONAL_AMOUNT)
    energy = _drop_none({
        "electricity_kwh": electricity,
        "green_electricity_kwh": None if electricity is None else electricity * draw(share),
        "onsite_renewable_kwh": draw(_OPTIONAL_AMOUNT),
        "electricity_spend": draw(_OPTIONAL_AMOUNT) if electricity is None else None,
        "fuels": draw(_GAS) + draw(_OTHER_FUELS),
        "purchased_heat_gj": draw(_OPTIONAL_AMOUNT),
    })
    if energy.get("green_electricity_kwh"):
        # the instruments' year: not stated, the reporting year's (counted) or an earlier one's (not counted)
        year = company["reporting_year"]
        vintage = draw(st.sampled_from((None, year, year - 1)))
        if vintage is not None:
            energy["green_electricity_vintage"] = vintage
    payload["energy"] = energy
    fleet = draw(_FLEET)
    travel = draw(_TRAVEL)
    payload["transport"] = {"fleet": fleet, "business_travel": travel}
    waste = draw(_WASTE)
    recycled = None if waste is None else waste * draw(share) * 0.5
    hazardous = None if waste is None else waste * draw(share) * 0.5
    landfilled = None if waste is None else max(waste - (recycled or 0.0) - (hazardous or 0.0), 0.0)
    payload["resources"] = _drop_none({
        "water_m3": draw(_OPTIONAL_AMOUNT),
        "waste_t": waste,
        "waste_recycled_t": recycled,
        "hazardous_waste_t": hazardous,
        "food_waste_t": None if landfilled is None else draw(st.none() | st.just(landfilled * draw(share))),
    })
    payload["practices"] = _drop_none({name: draw(_OPTIONAL_BOOLEAN) for name in PRACTICE_FLAGS}
                                      | {"green_products_share": draw(_OPTIONAL_SHARE)})
    payload["compliance"] = {"environmental_penalties_3y": draw(st.integers(0, 4))}
    payload["offsets"] = draw(_OFFSETS)
    if draw(st.booleans()):
        base = draw(st.integers(2015, payload["company"]["reporting_year"]))  # a year already measured
        target_year = base + draw(st.integers(1, 15))
        payload["targets"] = [{"scopes": [1, 2], "base_year": base, "target_year": target_year,
                               "reduction_pct": draw(st.floats(0, 100))}]
    if draw(st.booleans()):
        payload["previous_year"] = {"energy": _drop_none({"electricity_kwh": draw(_OPTIONAL_AMOUNT)})}
    if draw(st.booleans()):
        payload["loan"] = _drop_none({"amount": draw(positive), "currency": "CNY",
                                      "use_of_proceeds": draw(_USE),
                                      "outstanding": draw(_OPTIONAL_AMOUNT),
                                      "borrower_equity_plus_debt": draw(_OPTIONAL_POSITIVE)})
    if draw(st.booleans()):  # drawn last, so the draws before it are the ones they were before 1.13
        payload["refrigerants"] = draw(_REFRIGERANTS)
    if "targets" in payload and draw(st.booleans()):  # schema 1.14's, drawn after those of 1.13
        payload["targets"][0].update(_drop_none({
            "kind": draw(st.none() | st.sampled_from(TARGET_KINDS)),
            "gases": draw(st.none() | st.lists(st.sampled_from(TARGET_GASES), min_size=1, max_size=3)),
            "net_of_credits": draw(_OPTIONAL_BOOLEAN),
            "validated_by": draw(st.none() | st.just("SBTi")),
        }))
    return payload


@st.composite
def partly_answered_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A green business whose data is about half complete, some practices answered yes or no, most blank.

    Completeness counts the practices *answered*, so adopting a blank practice makes the data more complete
    while adopting one answered no does not. Without floor area, water or a previous year, 6 of the 13
    practices answered leaves completeness just under the standard's 0.5 and 7 just over it: whether the
    completeness knock-out still caps a dark-green score then depends on which practice is adopted.
    :func:`payloads` rarely lands there.
    """
    electricity = draw(st.floats(5_000, 50_000))
    waste = draw(st.floats(1, 20))
    answered = draw(st.lists(st.sampled_from(PRACTICE_FLAGS), min_size=4, max_size=8, unique=True))
    fleet = [{"fuel": "electric", "vehicles": draw(st.integers(1, 3))}]
    if draw(st.booleans()):
        fleet.append({"fuel": draw(st.sampled_from(("hybrid", "gasoline"))), "vehicles": 1})
    payload: dict[str, Any] = {
        "company": _drop_none({
            "name": "Test business",
            "country": "CN",
            "region": draw(st.sampled_from(REGIONS)),
            "industry_code": draw(st.sampled_from(("6201", "6910", "7020"))),
            "employees": draw(st.integers(5, 30)),
            "annual_revenue": draw(st.floats(3e6, 2e7)),
            "currency": "CNY",
            "reporting_year": draw(st.sampled_from((2022, 2023))),
        }),
        "energy": {
            "electricity_kwh": electricity,
            "green_electricity_kwh": electricity * draw(st.floats(0.8, 1)),
            "fuels": [{"fuel": "natural_gas", "quantity": draw(st.floats(0, 500)), "unit": "m3"}],
        },
        "transport": {"fleet": fleet},
        "resources": {"waste_t": waste, "waste_recycled_t": waste * draw(st.floats(0.4, 0.9))},
        "practices": {name: draw(st.booleans()) for name in answered},
        "data_source": draw(st.sampled_from(("energy_bills", "self_reported_inventory"))),
    }
    if draw(st.booleans()):
        payload["targets"] = [{"scopes": [1, 2], "base_year": 2020, "target_year": 2030,
                               "reduction_pct": draw(st.floats(0, 60))}]
    return payload
