"""Strict reading of JSON-like mappings into typed values, collecting every field error with its path.

The engine is called by the HTTP service (after marshmallow), by batch jobs and by analysts' notebooks;
only the first of those has validated anything. So the engine reads its input itself, refuses what it
cannot rate and names the field, instead of guessing silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from rating_model.exceptions import InvalidInputError, InvalidInputErrors

T = TypeVar("T")
#: integers up to this size survive the trip through ``float`` unchanged
_EXACT_INT = 2**53


class Reader:
    """Reads one mapping level; errors go to a shared list so one pass reports them all.

    Every rating request and every row of a batch passes through here some forty times, so the common
    case (a plain ``dict`` holding exact ``float``/``int``/``str``/``bool`` values) is checked first with
    ``type(...) is`` tests; anything else takes the general ``isinstance`` route, with the same checks
    and the same messages.
    """

    __slots__ = ("path", "errors", "data")

    def __init__(self, data: Any, path: str, errors: list[InvalidInputError]) -> None:
        self.path = path
        self.errors = errors
        if type(data) is not dict and not isinstance(data, Mapping):
            self.fail("", "must be an object")
            data = {}
        self.data: Mapping[str, Any] = data

    def at(self, key: str | int) -> str:
        """Dotted path of a child, the way marshmallow keys nested errors."""
        return f"{self.path}.{key}" if self.path else str(key)

    def fail(self, key: str | int, message: str) -> None:
        where = self.at(key) if key != "" else (self.path or "_schema")
        self.errors.append(InvalidInputError(where, message))

    def reject_unknown(self, allowed: Collection[str]) -> None:
        if isinstance(allowed, frozenset) and allowed.issuperset(self.data):
            return  # the usual case, decided in one C-level pass
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), "unknown field")

    def number(
        self,
        key: str,
        *,
        required: bool = False,
        minimum: float | None = 0.0,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
        integer: bool = False,
    ) -> float | None:
        """A finite number within bounds; booleans are not numbers, whatever Python thinks."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "missing data for required field")
            return None
        kind = type(value)
        exact = kind is float or kind is int
        if not exact and (isinstance(value, bool) or not isinstance(value, int | float)):
            self.fail(key, "must be a number")
            return None
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int beyond float range (JSON allows any digits; Python callers too)
            self.fail(key, "number too large")
            return None
        if not finite:
            self.fail(key, "must be a finite number")
            return None
        if integer and float(value) != int(value):
            self.fail(key, "must be a whole number")
            return None
        if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
            self.fail(key, f"must be {'greater than' if exclusive_minimum else 'at least'} {minimum:g}")
            return None
        if maximum is not None and value > maximum:
            self.fail(key, f"must be at most {maximum:g}")
            return None
        return value if kind is float else float(value)

    def integer(
        self, key: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        value = self.data.get(key)
        if (
            type(value) is int
            and -_EXACT_INT <= value <= _EXACT_INT
            and minimum <= value
            and (maximum is None or value <= maximum)
        ):
            return value  # the common case: every check of number() would pass and give the same int
        number = self.number(key, required=required, minimum=minimum, maximum=maximum, integer=True)
        return None if number is None else int(number)

    def share(self, key: str, *, required: bool = False) -> float | None:
        """A fraction in [0, 1]."""
        return self.number(key, required=required, minimum=0.0, maximum=1.0)

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
            return None
        return value

    def text(
        self,
        key: str,
        *,
        required: bool = False,
        max_length: int = 200,
        pattern: re.Pattern[str] | str | None = None,
        choices: Collection[str] | None = None,
        pattern_error: str = "has an invalid format",
    ) -> str | None:
        """Stripped text; ``pattern`` must match all of it (pass it compiled: this runs per field), else
        ``pattern_error`` is said."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "missing data for required field")
            return None
        if not isinstance(value, str):
            self.fail(key, "must be a string")
            return None
        value = value.strip()
        if not value and required:
            self.fail(key, "must not be empty")
            return None
        if len(value) > max_length:
            self.fail(key, f"must be at most {max_length} characters")
            return None
        if pattern is not None and not (
            pattern.fullmatch(value) if isinstance(pattern, re.Pattern) else re.fullmatch(pattern, value)
        ):
            self.fail(key, pattern_error)
            return None
        if choices is not None and value not in choices:
            self.fail(key, f"must be one of: {', '.join(sorted(choices))}")
            return None
        return value

    def booleans(self, keys: Sequence[str]) -> list[bool | None]:
        """:meth:`boolean` of several keys, in order, with its errors.

        A request carries a dozen practice flags; only values that are neither ``None`` nor a bool go
        through :meth:`boolean` one by one (to report them), the rest are read in one pass.
        """
        get = self.data.get
        values = [get(key) for key in keys]
        for index, value in enumerate(values):
            if value is not None and value is not True and value is not False:
                values[index] = self.boolean(keys[index])
        return values

    def child(self, key: str) -> Reader | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Reader(value, f"{self.path}.{key}" if self.path else str(key), self.errors)  # self.at(key)

    def items(self, key: str, parse: Callable[[Reader], T | None], max_items: int = 100) -> tuple[T, ...]:
        """A list of objects, each read by ``parse``; bad items are reported and skipped."""
        value = self.data.get(key)
        if value is None:
            return ()
        if type(value) is not list and (not isinstance(value, Sequence) or isinstance(value, str | bytes)):
            self.fail(key, "must be a list")
            return ()
        if len(value) > max_items:
            self.fail(key, f"must have at most {max_items} items")
            return ()
        out: list[T] = []
        for index, item in enumerate(value):
            parsed = parse(Reader(item, f"{self.at(key)}.{index}", self.errors))
            if parsed is not None:
                out.append(parsed)
        return tuple(out)


def raise_if_errors(errors: list[InvalidInputError]) -> None:
    """Raise the collected errors: one as itself, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidInputErrors(errors)
