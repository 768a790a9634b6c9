"""A rating document holds JSON's own values only, and finite numbers: checked before it is written.

A rating is issued as JSON and must never hold NaN or an infinity: that would be a bug upstream (``make
fuzz`` found one overflow, see tests/fuzz/test_engine_overflow.py), never a value to store, and fast JSON
writers such as orjson quietly write it as ``null``. The check walks every value of the document, so it
lives in the engine and is compiled with mypyc (setup.py). Timed with timeit over the ratings of 100
synthetic businesses (best of 7, on a slow host): the walk took 58 µs a rating compiled, 117 µs
interpreted, where orjson writes the rating in 31 µs and ``json.dumps(allow_nan=False)`` took 252 µs.
Checking each value where its container is read instead of stacking it took the compiled walk from 26.0
to 15.8 µs a rating (same timing, faster host; orjson 12.0 µs there).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

__all__ = ["NonFiniteNumberError", "check_json_values"]


class NonFiniteNumberError(ValueError):
    """A document held NaN or an infinity (a bug upstream): it cannot be written as JSON.

    Deliberately not a :class:`~rating_model.exceptions.RatingModelError`: it is not about the input, and
    the service answers it as the bug it is (500, logged).
    """


def check_json_values(document: Mapping[str, Any]) -> None:
    """Refuse NaN, infinities and anything but JSON's own types, anywhere in ``document``.

    Dictionaries, lists and tuples are walked; strings, integers, booleans, ``None`` and finite floats
    pass. Mapping keys are not checked here: the writer refuses a non-string key itself. Each container's
    values are checked where they are read and only containers wait on the stack: most values of a
    rating are leaves (strings, numbers), and sparing them a push and a pop halved the walk.
    """
    stack: list[object] = [document]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for value in cast(dict[object, object], item).values():
                _check(value, stack)
        elif kind is list:
            for value in cast(list[object], item):
                _check(value, stack)
        elif kind is tuple:
            for value in cast(tuple[object, ...], item):
                _check(value, stack)
        else:
            _check(item, stack)


def _check(value: object, containers: list[object]) -> None:
    """Pass a JSON leaf, refuse a non-finite float or a foreign type, queue a container for the walk."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float:
        if not math.isfinite(cast(float, value)):
            raise NonFiniteNumberError(f"a rating cannot hold {value!r}: out of range for JSON")
    elif kind is dict or kind is list or kind is tuple:
        containers.append(value)
    else:
        raise TypeError(f"a rating cannot hold a {kind.__name__}: not a JSON type")
