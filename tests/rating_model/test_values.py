"""The engine's immutable values: a faster __init__ that keeps everything frozen=True promises."""

from __future__ import annotations

import dataclasses
import types
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


def _declared(init_source: str, *, default: object = 3) -> Any:
    """A frozen slotted dataclass ``(name: str, count: int = default)`` with the given ``__init__``."""
    namespace: dict[str, Any] = {}
    exec(init_source, namespace)  # a test fixture: the source is the literal text of this test module
    cls = make_dataclass("_Declared", [("name", str), ("count", int, field(default=default))],
                         frozen=True, slots=True, init=False, namespace={"__init__": namespace["__init__"]})
    return cls


_SETS = "    object.__setattr__(self, 'name', name)\n    object.__setattr__(self, 'count', count)\n"


def test_a_declared_init_is_checked_and_then_replaced() -> None:
    """Plain Python stands in for the compiled ``__init__``: it must take the fields in order, with their
    defaults, or the two builds would construct different values."""
    fast = fast_init(_declared("def __init__(self, name, count=3):\n" + _SETS))
    assert fast.__init__.__qualname__ == "_Declared.__init__" and _fields(fast("a")) == ("a", 3)
    assert _fields(fast(count=4, name="b")) == ("b", 4)
    for wrong in ("def __init__(self, count, name):\n",  # swapped
                  "def __init__(self, name, count=4):\n",  # another default
                  "def __init__(self, name, count):\n",  # the default left out
                  "def __init__(self, name, count=3.0):\n",  # a default of another type
                  "def __init__(self, name, *, count=3):\n",  # keyword-only
                  "def __init__(self, name):\n    count = 3\n"):  # a field left out
        with pytest.raises(TypeError, match="must take the fields in order"):
            fast_init(_declared(wrong + _SETS))


def test_init_false_without_an_init_of_its_own_is_refused() -> None:
    with pytest.raises(TypeError, match="needs an __init__ of its own"):
        fast_init(make_dataclass("_NoInit", [("name", str)], frozen=True, slots=True, init=False))


def _compiled_module_names() -> list[str]:
    """setup.py's ``COMPILED``, read from its source (a plain-Python install writes no build record)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in targets) and node.value:
                return sorted(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED tuple")


def _value_classes_of_compiled_modules() -> list[type]:
    import importlib

    classes: list[type] = []
    for module in _compiled_module_names():
        loaded = importlib.import_module(f"rating_model.{module}")
        classes += [value for value in vars(loaded).values()
                    if isinstance(value, type) and value.__module__ == loaded.__name__
                    and dataclasses.is_dataclass(value) and "__reduce__" in value.__dict__]
    return list(dict.fromkeys(classes))  # once each: a module's `_value_class` loop name is one of them too


def test_compiled_modules_declare_their_values_init() -> None:
    """A value class of a compiled module brings its own ``__init__``: the generated one is interpreted
    even there, and calling it was a fifth of the instructions of a loan-book row."""
    from rating_model import reader

    classes = _value_classes_of_compiled_modules()
    assert len(classes) >= 25, [c.__name__ for c in classes]
    compiled = not (reader.__file__ or "").endswith(".py")
    for cls in classes:
        assert not cls.__dataclass_params__.init, f"{cls.__name__}: declare init=False and an __init__"  # type: ignore[attr-defined]
        # compiled, the class keeps its compiled __init__; in plain Python it is replaced (and was checked)
        assert isinstance(cls.__dict__["__init__"], types.FunctionType) is not compiled, cls.__name__


def test_declared_inits_rebuild_every_value_of_a_rating() -> None:
    """Positionally and by name, each value class of a rating rebuilds an equal value from its fields:
    the declared ``__init__`` (compiled or replaced) takes them in the order the dataclass lists them."""
    from rating_model.engine import Engine
    from rating_model.estimation import fill_missing
    from tests.conftest import BASE_PAYLOAD

    engine = Engine.load()
    data = engine.parse({**BASE_PAYLOAD, "loan": {"amount": 1e6, "currency": "CNY", "use_of_proceeds":
                                                  "energy_efficiency", "outstanding": 8e5,
                                                  "borrower_equity_plus_debt": 5e6}})
    filled = fill_missing(data, engine.standard)
    seen: dict[type, object] = {}

    def walk(value: object) -> None:
        if isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type) and type(value) not in seen:
            seen[type(value)] = value
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))

    walk((filled, engine.evaluate(filled), data.loan))
    walk(engine.rate(data))
    declared = set(_value_classes_of_compiled_modules())
    covered = declared & set(seen)
    assert len(covered) >= 15, sorted(c.__name__ for c in declared - covered)
    for cls in covered:
        value = seen[cls]
        values = _fields(value)
        assert cls(*values) == value, cls.__name__
        assert cls(**{f.name: v for f, v in zip(dataclasses.fields(value), values, strict=True)}) == value  # type: ignore[arg-type]


def test_declared_inits_only_store_each_field_from_its_own_parameter() -> None:
    """The compiled build runs a declared ``__init__``'s body, the plain build its replacement (which stores
    each field from its own parameter): a body that stored another parameter, left a field out or changed
    a value would make the two builds construct different values, and the signature check cannot see it."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "rating_model"
    checked = 0
    for module in _compiled_module_names():
        tree = ast.parse((root / f"{module}.py").read_text(encoding="utf-8"))
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
                        None)
            if init is None or not any("init=False" in ast.unparse(d) for d in cls.decorator_list):
                continue
            frozen = any("frozen=True" in ast.unparse(d) for d in cls.decorator_list)
            names = [s.target.id for s in cls.body if isinstance(s, ast.AnnAssign)
                     and isinstance(s.target, ast.Name) and "ClassVar" not in ast.unparse(s.annotation)]
            expected = [f"object.__setattr__(self, {n!r}, {n})" if frozen else f"self.{n} = {n}"
                        for n in names]
            body = [ast.unparse(s).replace('"', "'") for s in init.body
                    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            assert body == [line.replace('"', "'") for line in expected], f"{module}.{cls.name}.__init__"
            checked += 1
    assert checked >= 29
