"""The model registry's service side: registering the packaged default and the ``/v1/models`` API."""

from __future__ import annotations

from sqlalchemy import Engine

from service.records.registry import ensure_registered


def register_packaged_default(db: Engine, actor: str = "greenrate") -> bool:
    """Register the packaged default artifact (and activate it when nothing is active); idempotent.

    Returns True when this call registered it. The artifact is verified on load, like any other.
    """
    from rating_model.artifact import ScorecardArtifact
    from rating_model.engine import DEFAULT_MODEL

    artifact = ScorecardArtifact.from_json(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return ensure_registered(db, artifact, source="packaged", actor=actor)
