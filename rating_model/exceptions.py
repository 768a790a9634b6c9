"""Domain exceptions of the rating engine: one root, mapped to HTTP in one place by the service."""

from __future__ import annotations


class RatingModelError(Exception):
    """Root of every error the rating engine raises on purpose.

    The service maps subclasses to HTTP statuses in one table; anything that is not a
    ``RatingModelError`` is a bug and answers 500 without details.
    """


class InvalidInputError(RatingModelError, ValueError):
    """Operating data that cannot be rated as given; ``field`` names the offending path.

    The path uses dots and list indices (``energy.fuels.0.unit``) so that the service can key
    field-level errors exactly like marshmallow does.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        """Picklable with its two arguments: a batch's worker processes send refusals back to the parent
        (the default pickles ``args``, one string, and unpickling called ``__init__`` with one argument:
        the pool broke and the whole book was lost)."""
        return (type(self), (self.field, self.message))

    @property
    def errors(self) -> dict[str, list[str]]:
        """The error keyed by field path, the shape of a 422 body's ``errors``."""
        return {self.field: [self.message]}


class InvalidInputErrors(RatingModelError, ValueError):
    """Several field errors found in one pass, so a caller fixes its payload in one round trip."""

    def __init__(self, errors: list[InvalidInputError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.items = errors

    def __reduce__(self) -> tuple[type, tuple[list[InvalidInputError]]]:
        return (type(self), (self.items,))

    @property
    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for err in self.items:
            out.setdefault(err.field, []).append(err.message)
        return out


class UnknownUnitError(InvalidInputError):
    """A unit that the units registry does not know, or one of the wrong dimension."""


class FactorNotFoundError(RatingModelError):
    """No emission factor can be selected for an activity (for example a country with no factor set)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StandardError(RatingModelError):
    """The green evaluation standard document is malformed or inconsistent."""


class ArtifactError(RatingModelError):
    """A scorecard artifact failed verification: bad structure, wrong format version or hash mismatch."""


class ModelNotLoadedError(RatingModelError):
    """No scorecard artifact is available to rate with."""
