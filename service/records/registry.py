"""The model registry's repository: register artifacts, read them back, promote and roll back, audited.

Every artifact stored here has been verified (:class:`~rating_model.artifact.ScorecardArtifact` checks its
structure and sha256) before it is written, and is stored as its canonical JSON, so reading it back gives
the same bytes and the same version. Promotion and rollback change the single ``active_model`` row and add
a ``model_events`` row in one transaction: the audit trail can never disagree with what is active.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from rating_model.artifact import ScorecardArtifact
from service.records.database import as_utc
from service.records.model_tables import active_model, model_events, models

ACTIONS = ("register", "upload", "promote", "rollback")


class RegistryError(Exception):
    """A registry operation that cannot be done as asked (unknown version, nothing to roll back to)."""


class VersionExists(RegistryError):
    """The version is already registered (artifacts are immutable: a version is never overwritten)."""


@dataclass(frozen=True, slots=True)
class ModelRecord:
    version: str
    sha256: str
    standard: str
    source: str
    created_at: datetime
    created_by: str
    metrics: dict[str, Any]
    card: dict[str, Any]
    active: bool


@dataclass(frozen=True, slots=True)
class ModelEvent:
    id: int
    version: str
    action: str
    previous_version: str | None
    reason: str
    actor: str
    at: datetime


def artifact_metrics(artifact: ScorecardArtifact) -> dict[str, Any]:
    """The holdout metrics the trainer wrote into the card (empty when the artifact carries none)."""
    metrics = artifact.card.get("metrics_holdout", {})
    return dict(metrics) if isinstance(metrics, Mapping) else {}


def register(
    db: Engine,
    artifact: ScorecardArtifact,
    *,
    source: str,
    actor: str,
    reason: str,
    metrics: Mapping[str, Any] | None = None,
    action: str = "register",
) -> ModelRecord:
    """Store a verified artifact; raises :class:`VersionExists` when the version (or its hash) is known."""
    now = datetime.now(UTC)
    row = {
        "version": artifact.version,
        "sha256": artifact.sha256,
        "artifact_json": artifact.to_json(),
        "metrics_json": json.dumps(dict(metrics) if metrics is not None else artifact_metrics(artifact),
                                   sort_keys=True, allow_nan=False),
        "card_json": json.dumps(artifact.card, sort_keys=True, allow_nan=False),
        "standard": str(artifact.metadata.get("standard", "")),
        "source": source,
        "created_at": now,
        "created_by": actor,
    }
    try:
        with db.begin() as conn:
            conn.execute(insert(models).values(**row))
            _event(conn, artifact.version, action, None, reason, actor, now)
    except IntegrityError:
        raise VersionExists(
            f"model version {artifact.version!r} (or its sha256) is already registered"
        ) from None
    found = get_model(db, artifact.version)
    assert found is not None  # just inserted
    return found


def ensure_registered(db: Engine, artifact: ScorecardArtifact, *, source: str, actor: str) -> bool:
    """Register ``artifact`` unless its version is already there, and make it active when none is.

    Idempotent (``greenrate db upgrade`` and every worker start may call it, even at the same moment):
    returns True when this call registered it.
    """
    created = False
    if get_model(db, artifact.version) is None:
        try:
            register(db, artifact, source=source, actor=actor, reason="packaged default model")
            created = True
        except VersionExists:
            pass  # another process registered it first
    if active_version(db) is None:
        try:
            with db.begin() as conn:
                conn.execute(insert(active_model).values(id=1, version=artifact.version,
                                                         activated_at=datetime.now(UTC)))
                _event(conn, artifact.version, "promote", None, "first active model", actor,
                       datetime.now(UTC))
        except IntegrityError:
            pass  # another process activated a model first; theirs stands
    return created


def _event(conn: Connection, version: str, action: str, previous: str | None, reason: str, actor: str,
           at: datetime) -> None:
    conn.execute(insert(model_events).values(version=version, action=action, previous_version=previous,
                                             reason=reason, actor=actor, at=at))


def active_version(db: Engine) -> str | None:
    """The active version (one indexed single-row read: cheap enough to poll)."""
    with db.connect() as conn:
        return conn.execute(select(active_model.c.version).where(active_model.c.id == 1)).scalar_one_or_none()


def _record(row: Any, active: str | None) -> ModelRecord:
    return ModelRecord(row.version, row.sha256, row.standard, row.source, as_utc(row.created_at),
                       row.created_by, json.loads(row.metrics_json), json.loads(row.card_json),
                       row.version == active)


_SUMMARY = (models.c.version, models.c.sha256, models.c.standard, models.c.source, models.c.created_at,
            models.c.created_by, models.c.metrics_json, models.c.card_json)


def get_model(db: Engine, version: str) -> ModelRecord | None:
    with db.connect() as conn:
        row = conn.execute(select(*_SUMMARY).where(models.c.version == version)).first()
    return None if row is None else _record(row, active_version(db))


def list_models(db: Engine) -> list[ModelRecord]:
    """Every registered version, oldest first, with its metrics, card and whether it is active."""
    active = active_version(db)
    with db.connect() as conn:
        rows = conn.execute(select(*_SUMMARY).order_by(models.c.created_at, models.c.version)).all()
    return [_record(row, active) for row in rows]


def load_artifact(db: Engine, version: str) -> ScorecardArtifact | None:
    """The stored artifact, verified again on the way out (a row edited by hand is refused, not served)."""
    with db.connect() as conn:
        text = conn.execute(select(models.c.artifact_json).where(models.c.version == version)).scalar()
    return None if text is None else ScorecardArtifact.from_json(text)


def activate(db: Engine, version: str, *, actor: str, reason: str, action: str = "promote") -> str | None:
    """Make ``version`` the active one and record who did it and why; returns the previous version."""
    if action not in ("promote", "rollback"):
        raise ValueError(f"not an activation action: {action!r}")
    if not reason.strip():
        raise RegistryError("a reason is required")
    now = datetime.now(UTC)
    with db.begin() as conn:
        if conn.execute(select(models.c.version).where(models.c.version == version)).first() is None:
            raise RegistryError(f"model version {version!r} is not registered")
        previous = conn.execute(
            select(active_model.c.version).where(active_model.c.id == 1).with_for_update()
        ).scalar_one_or_none()
        if previous is None:
            conn.execute(insert(active_model).values(id=1, version=version, activated_at=now))
        else:
            conn.execute(update(active_model).where(active_model.c.id == 1)
                         .values(version=version, activated_at=now))
        _event(conn, version, action, previous, reason, actor, now)
    return previous


def rollback_target(db: Engine) -> str:
    """The version that was active before the current one (the change that made it active, undone)."""
    current = active_version(db)
    if current is None:
        raise RegistryError("no model is active")
    query = (
        select(model_events.c.previous_version)
        .where(model_events.c.version == current, model_events.c.action.in_(("promote", "rollback")))
        .order_by(model_events.c.id.desc())
        .limit(1)
    )
    with db.connect() as conn:
        previous = conn.execute(query).scalar()
    if previous is None or previous == current:
        raise RegistryError(f"nothing to roll back to: {current!r} was not activated over another version")
    return str(previous)


def events(db: Engine, version: str | None = None) -> list[ModelEvent]:
    """The audit trail, oldest first (optionally of one version)."""
    query = select(model_events).order_by(model_events.c.id)
    if version is not None:
        query = query.where(model_events.c.version == version)
    with db.connect() as conn:
        return [ModelEvent(r.id, r.version, r.action, r.previous_version, r.reason, r.actor, as_utc(r.at))
                for r in conn.execute(query)]
