"""The base of the service's own refusals, which :mod:`service.errors` answers with the one error body.

No imports beyond the standard library, so that the records, the job queue and the CLI can raise these
without pulling in Flask. A subclass says how a client is answered: ``code`` (the HTTP status, which the
body's ``code`` is) and whether the configured ``Retry-After`` (``GREENRATE_RETRY_AFTER_SECONDS``) goes with
it; an instance carries the ``message`` the client reads and its field ``errors``. ``str(exc)`` stays the
exception's own words, which the CLI and the logs print.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

#: The message of every 422 for fields (a schema's, a batch item's, a page cursor's).
INVALID_FIELDS = "Some fields are invalid."


class ServiceError(Exception):
    """A request the service refuses for a known reason, answered by the handler :mod:`service.errors`
    registers for this class (never mapped to HTTP in a view).

    :param detail: the exception's text (``str(exc)``).
    :param message: what the client reads; ``detail`` when not given.
    :param errors: field errors keyed by field path (the body's ``errors``); none when empty.
    """

    #: The HTTP status of the answer.
    code: ClassVar[int] = 500
    #: Send ``Retry-After`` with the configured seconds: the refusal passes if the client waits.
    retry_after: ClassVar[bool] = False

    def __init__(
        self, detail: str = "", *, message: str | None = None, errors: Mapping[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.message = detail if message is None else message
        self.errors: dict[str, list[str]] | None = dict(errors) if errors else None
