"""The engine's immutable values: a faster __init__ that keeps everything frozen=True promises."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, make_dataclass
from typing import Any

import pytest

from rating_model.operating_data import Company, Energy, FuelUse, OperatingData
from rating_model.values import evolve, fast_init


def _spec() -> list[tuple[str, type, Any]]:
    """One set of fields with a plain default and default factories (fresh Field objects per class)."""
    return [
        ("name", str, field()),
        ("count", int, field(default=3)),
        ("items", tuple, field(default_factory=tuple)),
        ("tags", list, field(default_factory=list)),
    ]


_Plain: Any = make_dataclass("_Plain", _spec(), frozen=True, slots=True)  # the stdlib's own __init__
_Fast: Any = fast_init(make_dataclass("_Fast", _spec(), frozen=True, slots=True))


def _fields(obj: object) -> tuple[object, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("a",), {}),
        (("a", 5), {}),
        (("a",), {"items": (1, 2)}),
        ((), {"name": "b", "tags": ["x"], "count": 0}),
    ],
)
def test_same_values_as_the_generated_init(args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    assert _fields(_Fast(*args, **kwargs)) == _fields(_Plain(*args, **kwargs))  # type: ignore[arg-type]


def test_default_factories_give_each_object_its_own_value() -> None:
    first, second = _Fast("a"), _Fast("b")
    assert first.tags == [] and first.tags is not second.tags


def test_still_frozen_hashable_and_comparable() -> None:
    value = _Fast("a", 1, (2,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.count = 2  # type: ignore[misc]
    assert value == _Fast("a", 1, (2,))
    assert hash(FuelUse("diesel", 1.0, "l")) == hash(FuelUse("diesel", 1.0, "l"))
    assert value != _Fast("a", 2, (2,))


def test_signature_errors_are_the_usual_ones() -> None:
    with pytest.raises(TypeError):
        _Fast()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Fast("a", nope=1)  # type: ignore[call-arg]


def test_evolve_changes_only_what_it_is_given() -> None:
    data = OperatingData(Company("CN", "5610", 8, 3e6, "CNY", 2024, name="Cafe"), Energy(electricity_kwh=1.0))
    changed = evolve(data, energy=Energy(electricity_kwh=2.0))
    assert changed.energy.electricity_kwh == 2.0 and changed.company is data.company
    assert data.energy.electricity_kwh == 1.0
    assert evolve(_Plain("a"), count=9) == _Plain("a", 9)  # any frozen slotted dataclass


def test_refuses_what_it_cannot_reproduce() -> None:
    with pytest.raises(TypeError):
        fast_init(dataclass(frozen=True)(type("NoSlots", (), {"__annotations__": {"a": int}})))

    @dataclass(frozen=True, slots=True)
    class WithPostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError):
        fast_init(WithPostInit)

    @dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        a: int

    with pytest.raises(TypeError):
        fast_init(KeywordOnly)

    @dataclass(slots=True)
    class Mutable:
        a: int

    with pytest.raises(TypeError):
        fast_init(Mutable)


def test_values_survive_pickle_and_deepcopy() -> None:
    """Batch workers, Spark and notebooks copy and ship these values; the faster __init__ must not matter."""
    import copy
    import pickle

    from rating_model.engine import Engine
    from tests.conftest import BASE_PAYLOAD

    engine = Engine.load()
    data = engine.parse(BASE_PAYLOAD)
    rating = engine.rate(data)
    assert pickle.loads(pickle.dumps(data)) == data and copy.deepcopy(data) == data
    assert pickle.loads(pickle.dumps(rating)).to_dict() == rating.to_dict()


def test_evolve_refuses_a_name_that_is_not_a_field() -> None:
    data = OperatingData(Company("CN", "5610", 8, 3e6, "CNY", 2024, name="Cafe"))
    with pytest.raises(TypeError, match="no field 'energi'"):
        evolve(data, energi=Energy())
