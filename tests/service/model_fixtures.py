"""Artifacts for the registry tests: the packaged default and verified variants of it (no training needed)."""

from __future__ import annotations

import json
from typing import Any

from rating_model.artifact_format import content_sha256, derive_version
from rating_model.engine import DEFAULT_MODEL


def default_document() -> dict[str, Any]:
    return json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def rehash(doc: dict[str, Any]) -> dict[str, Any]:
    """Give a changed document its content-derived version and a matching sha256 (a valid artifact)."""
    doc["version"] = derive_version(doc)
    doc["sha256"] = content_sha256(doc)
    return doc


def variant_document(tag: str) -> dict[str, Any]:
    """A valid artifact with the default's points under another content-derived version."""
    doc = default_document()
    doc["metadata"]["card"]["variant"] = tag
    return rehash(doc)


def record_comparison(
    db: Any, challenger: str, champion: str, *, rows: int = 5000, metrics: dict[str, Any] | None = None
) -> str:
    """A recorded comparison of two registered versions, as `greenrate model compare --record` keeps one
    (the evidence a promotion needs under GREENRATE_MODEL_REQUIRE_COMPARISON); returns how the promotion's
    audit event names it."""
    from service.records import comparisons, registry

    found = [registry.load_artifact(db, v) for v in (challenger, champion)]
    assert found[0] is not None and found[1] is not None
    data = {"file": "holdout.parquet", "sha256": "d" * 64, "rows_read": rows, "rows_left_out": 0,
            "trained_on_it": []}
    summary = {"rows": rows, **({"metrics": metrics} if metrics else {})}
    kept = comparisons.record(db, found[0], found[1], data=data, summary=summary, actor="bank-a/ann")
    return kept.evidence()
