"""The worker's rating engine, loaded once and swapped atomically when a model is promoted.

A request reads the slot once and keeps that engine for its whole life, so the versions it reports, the
cache key it uses and the rating it computes always come from the same model, even if a promotion swaps the
engine halfway through. Published documents (standard, model, factor sets) are serialized once per engine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rating_model.artifact import ScorecardArtifact
    from rating_model.engine import Engine
    from rating_model.standard import Standard


def _dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def standard_document_json(standard: Standard) -> bytes:
    """A standard's published document (the shape of ``Engine.standard_document``), for any version."""
    return _dumps(standard.publication())


def factor_set_json(document: Mapping[str, Any], version: str) -> bytes | None:
    """The factor-sets document (``Engine.factor_sets_document``) with only the set ``version``, or
    ``None`` when no such set is published."""
    chosen = [s for s in document["factor_sets"] if s.get("version") == version]
    return _dumps({**document, "factor_sets": chosen}) if chosen else None


def model_document_json(artifact: ScorecardArtifact) -> bytes:
    """A model's published document (the same shape as ``Engine.model_document``) for any artifact."""
    return _dumps({"version": artifact.version, "artifact": artifact.to_dict(),
                   "points_table": artifact.points_table(), "card": artifact.card})


class LoadedEngine:
    """An engine plus what is derived from it once: its versions, its published documents, and the
    canonical-input digests of request bodies it has already validated and parsed."""

    def __init__(self, engine: Engine, max_remembered: int = 10_000) -> None:
        self.engine = engine
        self.versions: dict[str, str] = dict(engine.versions)
        self.max_remembered = max_remembered
        self._digests: dict[str, str] = {}

    def digest_of(self, body_fingerprint: str) -> str | None:
        """The canonical-input digest of a request body seen before (same bytes, same engine)."""
        return self._digests.get(body_fingerprint)

    def remember(self, body_fingerprint: str, digest: str) -> None:
        """Validation and parsing are deterministic for one engine, so identical bytes need them once."""
        if len(self._digests) >= self.max_remembered:
            self._digests = {}  # bounded; it refills with the bodies that keep coming
        self._digests[body_fingerprint] = digest

    @cached_property
    def standard_json(self) -> bytes:
        return _dumps(self.engine.standard_document())

    @cached_property
    def model_json(self) -> bytes:
        return _dumps(self.engine.model_document())

    @cached_property
    def factor_sets_json(self) -> bytes:
        return _dumps(self.engine.factor_sets_document())


def load_default_engine() -> Engine:
    """The packaged default model, standard and factor sets."""
    from rating_model.engine import Engine  # deferred: the service starts (and /healthz answers) first

    return Engine.load()


class EngineSlot:
    """Holds one :class:`LoadedEngine`; reading is lock-free, loading happens once under a lock."""

    def __init__(self, loader: Callable[[], Engine] = load_default_engine) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded: LoadedEngine | None = None
        #: why no engine may rate now (the registry's active model cannot be loaded), or ``None``
        self._refused: str | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def current(self) -> LoadedEngine:
        """The engine to use for this request (loaded on first use when not preloaded).

        :raises ModelNotLoadedError: while the slot is refused (:meth:`refuse`): answered 503, never a
            rating by a model nobody approved.
        """
        if self._refused is not None:
            from rating_model.exceptions import ModelNotLoadedError

            raise ModelNotLoadedError(self._refused)
        return self.held()

    def held(self) -> LoadedEngine:
        """The engine in the slot, refused or not (what the model watcher compares the registry with)."""
        loaded = self._loaded
        if loaded is None:
            with self._lock:
                loaded = self._loaded
                if loaded is None:
                    loaded = LoadedEngine(self._loader())
                    self._loaded = loaded
        return loaded

    def set_engine(self, engine: Engine) -> None:
        """Swap in another engine; in-flight requests finish on the one they started with."""
        self._loaded = LoadedEngine(engine)  # one reference assignment: atomic under the GIL
        self._refused = None

    def refuse(self, reason: str | None) -> None:
        """Stop (``reason``) or resume (``None``) rating with the engine held.

        The registry names the model a bank approved; when that model cannot be loaded (an artifact whose
        hash no longer matches, a registry row gone), rating with the packaged default instead would issue
        ratings by a model nobody promoted while readiness said ok (a model-risk review): the service
        fails closed until the registry names a model it can load.
        """
        self._refused = reason
