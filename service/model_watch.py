"""Live promotion: each worker notices a newly active model within ``GREENRATE_MODEL_POLL_SECONDS``.

The registry's single ``active_model`` row is the one source of truth across workers and hosts. Before a
``/v1`` request, a worker whose last look is older than the poll interval reads that row (one indexed
single-row SELECT) and, when it names another version than the engine in its slot, loads the stored
artifact (verified again), builds an engine on the same standard and swaps it in with
:meth:`~service.engine_slot.EngineSlot.set_engine`. Requests already running finish on the engine they
started with; cache keys and reusable-rating lookups carry the model version, so no rating of another
version is ever served. A registry that cannot be read (database down, not migrated) never fails a
request: the worker keeps rating with the engine it has and looks again at the next interval (at the next
request while it has never read it). A registry that names a model this worker cannot load (an artifact
that no longer verifies), or that lost its active row after a promotion, fails closed: ratings answer 503
and ``/readyz`` says why, never a rating by the packaged default nobody approved.

The same look, in the same thread, follows the recorded erasures (:mod:`service.records.erasures`): one
aggregate over ``rating_erasures`` (its row count and highest ``seq``), and the erased ids read again only
when it moved. The cache misses a hit on any of them, so an erased rating's Redis entry written back after
the erasure is no longer served once the worker has looked. A look that cannot read them (the database
down, a schema before 0020) keeps the ids held, and is not tried apart from the model's: when the active
model's read failed, the erasures are not read either (a down database would be waited for twice).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, NamedTuple

import structlog
from flask import Flask, request
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import SQLAlchemyError

from rating_model.exceptions import ArtifactError
from service.engine_slot import EngineSlot
from service.logging import redacted
from service.records.erasures import ErasedRatings
from service.records.registry import active_version, ever_activated, load_artifact

if TYPE_CHECKING:
    from rating_model.artifact import ScorecardArtifact
    from rating_model.engine import Engine
    from rating_model.standard import Standard

_log = structlog.get_logger("greenrate.models")
WATCHER_NAME = "greenrate.model_watcher"


def engine_for(standard: Standard, artifact: ScorecardArtifact, *, earlier: bool = False) -> Engine:
    """An engine for ``artifact``; ArtifactError says why it does not fit.

    The engine itself refuses features or directions that contradict the standard; the label check adds
    that the artifact was trained for the standard version it rates under (its cut-offs and bins assume
    it), or for an earlier one that version declares unchanged in everything that scores
    (``models_trained_for``). A new model (upload, register, promote) must fit this release's standard.
    With ``earlier``, for a model already approved (the active one, a job's pinned one, a rollback), a model
    trained for an earlier standard whose scoring changed since (1.3.0) rates under the newest published
    version that accepts it, so that a bank's approved model keeps rating as approved after an upgrade
    until a model for the new standard is promoted; nobody promotes a model back into an older rulebook.
    """
    from rating_model.engine import Engine
    from rating_model.standard import load_standard, standard_for_model

    trained_for = artifact.metadata.get("standard")
    release = load_standard()
    if not earlier:
        if not release.rates_models_for(trained_for):
            raise ArtifactError(
                f"model was trained for standard {trained_for!r}; this release rates under {release.label!r}"
            )
        _check_standard_document(artifact, release)
        return Engine(release, artifact)
    fitting = standard_for_model(trained_for, standard)
    if fitting is None:
        raise ArtifactError(
            f"model was trained for standard {trained_for!r}, which no published standard here rates "
            f"(the service runs {standard.label!r})"
        )
    return Engine(fitting, artifact)


def _check_standard_document(artifact: ScorecardArtifact, release: Standard) -> None:
    """Refuse a new model trained on another document than the published standard its label names.

    ``metadata.standard`` is a label; ``metadata.standard_sha256`` (written by ``greenrate model train``
    since it was recorded) is the document it was trained on. A model trained with ``--standard`` pointing
    at a hand-edited copy of 1.9.0 (same label, other cut-offs or bins) had been uploaded and promoted. An
    artifact without the hash (an earlier trainer's) is judged by its label, as before. Checked for a new
    model only (upload, register, promote): a model approved before keeps rating.
    """
    from rating_model.standard import load_standard, published_standard_path

    declared = artifact.metadata.get("standard_sha256")
    if declared is None:
        return
    label = artifact.metadata.get("standard")
    path = None if label == release.label else published_standard_path(str(label))
    published = release.sha256 if path is None else load_standard(path).sha256
    if declared != published:
        shown = f"{declared[:12]}…" if isinstance(declared, str) else repr(declared)
        raise ArtifactError(
            f"model was trained on a standard document with sha256 {shown}, not on {label} as published "
            f"({str(published)[:12]}…): a model trained on an edited copy of a standard is not served"
        )


class _Look(NamedTuple):
    """What one look at the registry came to."""

    swapped: str | None  # the version swapped in, if any
    reached: bool  # the registry was read (the database answered), so the erasures are worth reading too


class ModelWatcher:
    """Polls the active version at most every ``poll_seconds`` and swaps the worker's engine when it moved;
    the same look follows the recorded erasures into ``erased``, the set the worker's cache misses.

    The watcher owns the set, not its callers: every look (a request's, ``/readyz``'s, warm-up's, the one a
    promotion forces) follows the erasures, so none can take the interval's look and leave them unread (a
    ``/readyz`` probe's look had done so, and the cache went on serving an erased rating for another
    interval). ``erased`` is ``None`` only in a process that caches no rating (the portfolio worker).
    """

    def __init__(self, poll_seconds: float, erased: ErasedRatings | None) -> None:
        self.poll_seconds = poll_seconds
        self.erased = erased
        self._next_check = 0.0
        self._lock = threading.Lock()
        self._synced = False  # the registry has been read at least once

    def due(self) -> bool:
        return time.monotonic() >= self._next_check

    def check(self, db: DbEngine, slot: EngineSlot, *, force: bool = False) -> str | None:
        """Swap in the active version if it is not the one loaded, then read the recorded erasures if they
        changed; returns the version swapped in, if any.

        One thread checks at a time; the others carry on with the current engine (and the erased ids
        held) instead of queueing.
        """
        if not (force or self.due()):
            return None
        if not self._lock.acquire(blocking=force):
            return None
        try:
            self._next_check = time.monotonic() + self.poll_seconds
            look = self._sync(db, slot)
            if self.erased is not None and look.reached:
                _follow_erasures(db, self.erased)
            return look.swapped
        finally:
            self._lock.release()

    def _sync(self, db: DbEngine, slot: EngineSlot) -> _Look:
        wanted: str | None = None
        try:
            wanted = active_version(db)
            if wanted is None:
                if ever_activated(db):
                    self._refuse(slot, "the registry has no active model although one was promoted before "
                                       "(its active_model row is gone): promote or roll back to one again")
                    return _Look(None, reached=True)
                self._synced = True
                slot.refuse(None)
                return _Look(None, reached=True)  # an empty registry: the packaged default the slot loads
            current = slot.held()
            if current.versions["model"] == wanted:
                self._synced = True
                slot.refuse(None)
                return _Look(None, reached=True)
            artifact = load_artifact(db, wanted)
            if artifact is None:  # pragma: no cover - the foreign key makes this impossible
                return _Look(None, reached=True)
            slot.set_engine(engine_for(current.engine.standard, artifact, earlier=True))
        except SQLAlchemyError as exc:
            # the class only, never the message: a driver's names the statement and may quote its bound
            # values (service.logging)
            _log.warning("model_check_failed", error=type(exc).__name__)
            if not self._synced:
                # never read the registry (the database was down as the worker started): look again at
                # the next request instead of rating with the packaged default for a whole interval
                self._next_check = 0.0
            return _Look(None, reached=False)
        except ArtifactError as exc:
            # readiness shows it to anyone (no key): what is wrong with the model, not where the service
            # is installed (a packaged file it could not read is named by its path)
            self._refuse(slot, f"the active model {wanted} cannot be loaded: {redacted(str(exc))[:300]}")
            return _Look(None, reached=True)
        self._synced = True
        _log.info("model_swapped", model=wanted, previous=current.versions["model"])
        return _Look(wanted, reached=True)

    def _refuse(self, slot: EngineSlot, reason: str) -> None:
        """Fail closed: no rating until the registry names a model this worker can load (checked again at
        every interval)."""
        self._synced = True
        _log.error("active_model_unusable", detail=reason)
        slot.refuse(reason)


def _follow_erasures(db: DbEngine, erased: ErasedRatings) -> None:
    """Read the erased ids again if the erasures changed; on a database error keep those held (the cache
    then serves what it served before the erasures it has not read) and look again at the next interval."""
    try:
        if erased.refresh(db):
            _log.info("erasures_loaded", erased=len(erased.ids))
    except SQLAlchemyError as exc:
        _log.warning("erasures_check_failed", error=type(exc).__name__)  # the class only, as above


def watcher(app: Flask) -> ModelWatcher:
    return app.extensions[WATCHER_NAME]  # type: ignore[no-any-return]


def init_app(app: Flask, poll_seconds: float, erased: ErasedRatings) -> ModelWatcher:
    """Check before every ``/v1`` request (cheaply: a clock comparison until the interval has passed): the
    active model, and the erasures into ``erased``, the set this app's cache misses."""
    found = ModelWatcher(poll_seconds, erased)
    app.extensions[WATCHER_NAME] = found

    @app.before_request
    def _follow_active_model() -> None:
        if found.due() and request.path.startswith("/v1/"):
            services = app.extensions["greenrate"]
            found.check(services.db, services.engines)

    return found
