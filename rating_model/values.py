"""Fast construction of the engine's immutable values (frozen dataclasses, slotted or compiled).

A rating builds a few hundred small immutable objects (the operating data and its sections, the
counterfactual businesses of the improvement plan, inventories, outcomes) and a batch builds dozens per row.
The ``__init__`` that ``dataclass(frozen=True)`` generates stores each field with ``object.__setattr__``,
which costs about five times a plain attribute store; that was a sixth of the time of a rating. Setting the
fields through their data descriptors keeps every guarantee of ``frozen=True`` (the class's own
``__setattr__`` still refuses assignment) at about half the cost.

The descriptors are the slots' member descriptors for a ``slots=True`` dataclass in plain Python, and the
attribute getters and setters of a *native* class when mypyc compiles the module (setup.py). Compiled
code reads a native class's fields straight from the object's struct instead of looking them up by name:
making the engine's values native took ``Engine.rate`` from 2.36M to 2.12M instructions per business
(``python -m benchmarks.instructions rate``) and a loan-book row from 645K to 610K. mypyc compiles a class as
native only if it carries no decorator it does not know, so a compiled module calls :func:`fast_init` on
its classes after defining them instead of decorating them.

The compiled modules' value classes go one step further: they are declared ``init=False`` with an
``__init__`` of their own that stores each field with ``object.__setattr__(self, "name", name)``, which
mypy accepts on a frozen class and mypyc compiles to a store into the object's struct. The ``__init__``
that ``dataclass`` generates is interpreted even in a compiled module: calling it (CPython's
``slot_tp_init``, a frame, a descriptor call per field) was about a fifth of the instructions of a
loan-book row. Compiled, :func:`fast_init` keeps that ``__init__``; in plain Python (where the same line
would be the slow generated one) it checks that the declared ``__init__`` takes the fields in order with
their defaults, and replaces it with the descriptor version.

:func:`fast_init` replaces the generated ``__init__`` with one of the same signature, defaults and default
factories; :func:`evolve` is ``dataclasses.replace`` on the same footing.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from inspect import Parameter, signature
from types import FunctionType
from typing import Any, TypeVar

__all__ = ["evolve", "fast_init"]

T = TypeVar("T")
_FACTORY = object()  # a parameter's default when the field has a default factory
#: per class, for evolve: a generated function copying every slot, and each slot's descriptor __set__
_COPIERS: dict[type, tuple[Any, dict[str, Any]]] = {}


def fast_init(cls: type[T]) -> type[T]:
    """Give a frozen dataclass an ``__init__`` that sets its fields through their data descriptors.

    A class declared ``init=False`` brings its own ``__init__``: a compiled one is kept, an interpreted one
    must take exactly the fields, in order, with their defaults (else ``TypeError``) and is replaced.
    Raises ``TypeError`` at import time for what the generated ``__init__`` does not reproduce (fields
    declared ``field(init=False)`` or keyword-only, ``__post_init__``), and for a class whose fields have
    no descriptors (neither ``slots=True`` nor compiled), so no class silently changes behaviour.
    """
    params = cls.__dict__.get("__dataclass_params__")
    if not is_dataclass(cls) or params is None or not params.frozen:
        raise TypeError(f"{cls.__name__}: fast_init applies to frozen dataclasses")
    if not _has_field_descriptors(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_init needs slots=True (or a class compiled by mypyc) and no "
                        "__post_init__")
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY, "_cls": cls}
    lines: list[str] = []
    declared = None if params.init else cls.__dict__.get("__init__")
    if not params.init and declared is None:
        raise TypeError(f"{cls.__name__}: init=False needs an __init__ of its own")
    if declared is None or isinstance(declared, FunctionType):
        if declared is not None:
            _check_declared_init(cls, declared)
        lines += _descriptor_init(cls, namespace)
    # Pickling and deep copies rebuild the value through this __init__: the dataclass's own way sets the
    # fields one by one through __setattr__, which a compiled frozen class refuses.
    values = "".join(f"self.{f.name}, " for f in fields(cls))
    lines += ["def __reduce__(self):", f"    return _cls, ({values})"]
    exec("\n".join(lines) + "\n", namespace)  # the source is built from field names only
    for name in ("__init__", "__reduce__"):
        method = namespace.get(name)
        if method is None:
            continue  # a compiled __init__, kept
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        method.__module__ = cls.__module__
        setattr(cls, name, method)
    return cls


def _descriptor_init(cls: type, namespace: dict[str, Any]) -> list[str]:
    """The source of an ``__init__`` with the dataclass's signature that sets each field's descriptor."""
    arguments: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init supports positional init fields only")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            arguments.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            arguments.append(f"{f.name}=_FACTORY")
            body.append(f"if {f.name} is _FACTORY: {f.name} = _factory_{f.name}()")
        else:
            arguments.append(f.name)
        body.append(f"_set_{f.name}(self, {f.name})")
    return [f"def __init__(self, {', '.join(arguments)}):", *(f"    {line}" for line in body or ["pass"])]


def _check_declared_init(cls: type, declared: FunctionType) -> None:
    """A declared ``__init__`` takes the fields in order, positionally or by name, with their defaults.

    What is replaced in plain Python runs compiled: a field left out, swapped or given another default
    there would make the two builds construct different values.
    """
    parameters = list(signature(declared).parameters.values())[1:]
    # defaults compared by type too: 0, 0.0 and False are equal, and would build values of other types
    expected = [(f.name, type(f.default), f.default) for f in fields(cls)]
    defaults = [MISSING if p.default is Parameter.empty else p.default for p in parameters]
    found = [(p.name, type(default), default) for p, default in zip(parameters, defaults, strict=True)]
    kinds = {p.kind for p in parameters}
    if found != expected or kinds - {Parameter.POSITIONAL_OR_KEYWORD}:
        raise TypeError(f"{cls.__name__}.__init__ must take the fields in order with their defaults: "
                        f"{[name for name, _, _ in expected]}")


def _has_field_descriptors(cls: type) -> bool:
    """Every field is a data descriptor of the class itself: a slot, or a compiled class's attribute."""
    return all(hasattr(cls.__dict__.get(f.name), "__set__") for f in fields(cls))


def _copier(cls: type) -> tuple[Any, dict[str, Any]]:
    """A function copying every field of a ``cls`` object (generated, unrolled) and each field's setter.

    Reading ``obj.name`` attribute by attribute beats a ``getattr`` loop; :func:`evolve` then sets the
    changed fields over the copy. The copy is made by the class's ``__init__`` (there is no empty object
    to fill: ``object.__new__`` refuses a compiled class, whose ``__new__`` runs its ``__init__``).
    """
    names = tuple(f.name for f in fields(cls))
    setters = {name: cls.__dict__[name].__set__ for name in names}
    namespace: dict[str, Any] = {"_cls": cls}
    source = f"def copy(obj):\n    return _cls({', '.join(f'obj.{n}' for n in names)})\n"
    exec(source, namespace)  # built from the class's field names only
    made = _COPIERS[cls] = (namespace["copy"], setters)
    return made


def evolve(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` for a :func:`fast_init` dataclass, without its per-call field introspection.

    Counterfactual explanations build dozens of changed businesses per rating. Like ``replace``, a name
    that is not a field is a ``TypeError``.
    """
    cls = type(obj)
    copy, setters = _COPIERS.get(cls) or _copier(cls)
    new = copy(obj)
    for name, value in changes.items():
        setter = setters.get(name)
        if setter is None:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        setter(new, value)
    return new  # type: ignore[no-any-return]
