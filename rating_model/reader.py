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


class Reader:
    """Reads one mapping level; errors go to a shared list so one pass reports them all."""

    def __init__(self, data: Any, path: str, errors: list[InvalidInputError]) -> None:
        self.path = path
        self.errors = errors
        if not isinstance(data, Mapping):
            self.fail("", "must be an object")
            data = {}
        self.data: Mapping[str, Any] = data

    def at(self, key: str | int) -> str:
        """Dotted path of a child, the way marshmallow keys nested errors."""
        return f"{self.path}.{key}" if self.path else str(key)

    def fail(self, key: str | int, message: str) -> None:
        self.errors.append(InvalidInputError(self.at(key) if key != "" else (self.path or "_schema"), message))

    def reject_unknown(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), "unknown field")

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            self.fail(key, "missing data for required field")
        return value

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
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "must be a number")
            return None
        if not math.isfinite(value):
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
        return float(value)

    def integer(self, key: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None) -> int | None:
        value = self.number(key, required=required, minimum=minimum, maximum=maximum, integer=True)
        return None if value is None else int(value)

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
        pattern: str | None = None,
        choices: Collection[str] | None = None,
    ) -> str | None:
        value = self._get(key, required)
        if value is None:
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
        if pattern is not None and not re.fullmatch(pattern, value):
            self.fail(key, "has an invalid format")
            return None
        if choices is not None and value not in choices:
            self.fail(key, f"must be one of: {', '.join(sorted(choices))}")
            return None
        return value

    def child(self, key: str) -> Reader | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Reader(value, self.at(key), self.errors)

    def items(self, key: str, parse: Callable[[Reader], T | None], max_items: int = 100) -> tuple[T, ...]:
        """A list of objects, each read by ``parse``; bad items are reported and skipped."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
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
