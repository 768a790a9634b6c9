"""The units registry: every supported pair converts; anything else is refused with the field named."""

from __future__ import annotations

import itertools

import pytest

from rating_model.exceptions import UnknownUnitError
from rating_model.units import ACCEPTED_UNITS, DIMENSIONS, canonical, convert, fuel_quantity

#: the size of one unit in its dimension's base, written out independently of the module's table
SIZE = {
    "kWh": 3.6,  # MJ
    "MWh": 3600.0,
    "MJ": 1.0,
    "GJ": 1000.0,
    "TJ": 1e6,
    "L": 1.0,  # litres
    "m3": 1000.0,
    "kg": 1.0,
    "t": 1000.0,
    "km": 1.0,
}
PAIRS = [(a, b) for units in DIMENSIONS.values() for a, b in itertools.product(units, repeat=2)]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_supported_pair(source: str, target: str) -> None:
    assert convert(2.5, source, target, field="f") == pytest.approx(
        2.5 * SIZE[source] / SIZE[target], rel=1e-12
    )
    assert convert(convert(7.0, source, target, field="f"), target, source, field="f") == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (1.0, "MWh", "kWh", 1000.0),
        (1.0, "GJ", "kWh", 277.7777777777778),
        (1.0, "TJ", "GJ", 1000.0),
        (3.6, "MJ", "kWh", 1.0),
        (1.0, "m3", "L", 1000.0),
        (250.0, "litre", "m3", 0.25),
        (2.0, "tonne", "kg", 2000.0),
        (500.0, "kg", "t", 0.5),
        (12.0, "km", "km", 12.0),
    ],
)
def test_known_values(value: float, source: str, target: str, expected: float) -> None:
    assert convert(value, source, target, field="f") == pytest.approx(expected)


@pytest.mark.parametrize("spelling", ACCEPTED_UNITS)
def test_every_accepted_spelling_has_a_dimension(spelling: str) -> None:
    assert sum(canonical(spelling, field="f") in units for units in DIMENSIONS.values()) == 1
    assert canonical(spelling.upper(), field="f") == canonical(spelling, field="f")


@pytest.mark.parametrize("unit", ["gallon", "", "kw", "cubic metres", "kWh/yr"])
def test_unknown_unit_names_the_field(unit: str) -> None:
    with pytest.raises(UnknownUnitError) as err:
        convert(1.0, unit, "kWh", field="energy.fuels.3.unit")
    assert err.value.field == "energy.fuels.3.unit"
    assert err.value.errors == {"energy.fuels.3.unit": [err.value.message]}


@pytest.mark.parametrize(("source", "target"), [("kg", "kWh"), ("L", "kg"), ("km", "t"), ("m3", "MWh")])
def test_dimension_mismatch_is_refused(source: str, target: str) -> None:
    with pytest.raises(UnknownUnitError) as err:
        convert(1.0, source, target, field="x.unit")
    assert err.value.field == "x.unit"
    assert "unit" in err.value.message


def test_litres_of_diesel_to_kg_via_density() -> None:
    assert fuel_quantity(
        1000.0, "L", "kg", field="f", fuel="diesel", density_kg_per_l=0.845
    ) == pytest.approx(845.0)
    assert fuel_quantity(1.0, "m3", "t", field="f", fuel="diesel", density_kg_per_l=0.845) == pytest.approx(
        0.845
    )


def test_energy_to_mass_or_volume_via_ncv() -> None:
    assert fuel_quantity(38.931, "GJ", "m3", field="f", fuel="gas", ncv_mj_per_unit=38.931) == pytest.approx(
        1000.0
    )
    assert fuel_quantity(
        42.652, "MJ", "kg", field="f", fuel="diesel", ncv_mj_per_unit=42.652
    ) == pytest.approx(1.0)


def test_same_dimension_fuel_units_need_no_property() -> None:
    assert fuel_quantity(2.0, "t", "kg", field="f", fuel="coal") == 2000.0
    assert fuel_quantity(500.0, "L", "m3", field="f", fuel="natural_gas") == 0.5


@pytest.mark.parametrize(
    ("unit", "target", "density", "ncv"),
    [
        ("m3", "kg", None, 20.908),  # cubic metres of coal: no bulk density stated
        ("kg", "m3", None, 38.931),  # kilograms of natural gas: no gas density stated
        ("L", "kg", None, None),  # litres without a density
        ("kWh", "kg", None, None),  # energy without an NCV
        ("km", "kg", 0.845, 42.652),  # distance is never a fuel amount
    ],
)
def test_fuel_conversions_without_a_property_are_refused(
    unit: str, target: str, density: float | None, ncv: float | None
) -> None:
    with pytest.raises(UnknownUnitError) as err:
        fuel_quantity(
            1.0,
            unit,
            target,
            field="energy.fuels.0.unit",
            fuel="x",
            density_kg_per_l=density,
            ncv_mj_per_unit=ncv,
        )
    assert err.value.field == "energy.fuels.0.unit"
