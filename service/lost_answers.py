"""What a 503 says when the records are lost in the middle of a write: whether its change may have been
recorded, and whether the same request may simply be sent again.

Every 503 of an unreachable database said "nothing was issued or changed". That is true of a request that
sent no COMMIT (a statement that fails is rolled back with its transaction), but not of one whose COMMIT was
sent and whose answer was lost: the server may have committed it. A model upload so answered had been
registered, and its client, told nothing had changed, met 409 "already registered" on its retry
(concurrency review). So the engine's COMMIT marks the request (:func:`init_app`), and the 503 of
a request that sent a COMMIT says its change may have been recorded, with what its view declares about a
retry (:func:`on_lost_answer`): some writes are answered as their first success when sent again, some are
not. The one error body is unchanged; only its ``message`` says more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import Engine

from service.idempotency import IDEMPOTENCY_KEY

F = TypeVar("F", bound=Callable[..., Any])

#: The message of a request that sent no COMMIT: its transaction, if any, was rolled back.
UNREACHED = "The records cannot be reached now; nothing was issued or changed."
#: The start of the message of a request that sent a COMMIT and heard no answer to it, or failed after it.
NOT_KNOWN = "The records could not be reached to finish this request, so its change may have been recorded."
#: What a write that declares nothing says (every write of the service declares its own: a test checks).
CHECK_FIRST = "Read what it would have changed before sending it again."

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_DECLARED = "greenrate_on_lost_answer"
_COMMIT_SENT = "greenrate_commit_sent"
#: set on an engine's dialect once its ``do_commit`` marks requests (:func:`init_app`)
_MARKING = "greenrate_marks_commits"


@dataclass(frozen=True, slots=True)
class RetryNote:
    """What a write's client may do when its answer is lost: ``note``, or ``with_key`` when the request
    carries an ``Idempotency-Key`` (whose retry is recognised however late it comes)."""

    note: str
    with_key: str | None = None

    def for_request(self) -> str:
        if self.with_key is not None and IDEMPOTENCY_KEY in request.headers:
            return self.with_key
        return self.note


def on_lost_answer(note: str, *, with_key: str | None = None) -> Callable[[F], F]:
    """Declare what the 503 of this write says about sending it again, once its change may have been
    recorded: that it is safe only where a retry of the same request is answered as its first success
    and done once (say how it is recognised), else what to check first."""

    def declare(view: F) -> F:
        setattr(view, _DECLARED, RetryNote(note, with_key))
        return view

    return declare


def declared(view: Callable[..., Any], method: str) -> RetryNote | None:
    """What the view of ``method`` (a function, or a MethodView's method) declares with
    :func:`on_lost_answer`; ``None`` when nothing."""
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    note = getattr(handler, _DECLARED, None)
    return note if isinstance(note, RetryNote) else None


def init_app(db: Engine) -> None:
    """Mark the request whose connection sends a COMMIT, just before it is sent.

    The engine's dialect sends every COMMIT (``Dialect.do_commit``, which SQLAlchemy calls with the DB-API
    connection whether or not events are listened to); its ``do_commit`` is wrapped here, once per engine.
    A ``commit`` event would do the same, but any connection event listened to on an engine switches every
    connection of it to dispatching events around every statement: 300K instructions, 3 %, of a rating
    cache miss (``python -m benchmarks.instructions miss``: 9,730,211 with the event, 9,428,360 without).
    """
    dialect = db.dialect
    if getattr(dialect, _MARKING, False):
        return  # another app on the same engine wrapped it already
    send = dialect.do_commit

    def do_commit(dbapi_connection: Any) -> None:
        _commit_sent()
        send(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    setattr(dialect, _MARKING, True)


def _commit_sent() -> None:
    if has_request_context():
        setattr(g, _COMMIT_SENT, True)


def commit_sent() -> bool:
    """Whether this request has sent a COMMIT: after a database error, its change may have been recorded.
    The merchant page's form says so in its own words (``form_unavailable_recorded``), as the API's 503
    does in :func:`unavailable_message`."""
    return has_request_context() and bool(g.get(_COMMIT_SENT, False))


def unavailable_message() -> str:
    """The message of a 503 for an unreachable database: :data:`UNREACHED` unless this request is a write
    that sent a COMMIT, else :data:`NOT_KNOWN` and what its view declares about a retry."""
    if not has_request_context() or request.method in _READS or not commit_sent():
        return UNREACHED  # a read changes nothing it was asked to, whatever it keeps on the way
    view = current_app.view_functions.get(request.endpoint or "")
    note = declared(view, request.method) if view is not None else None
    return f"{NOT_KNOWN} {note.for_request() if note is not None else CHECK_FIRST}"
