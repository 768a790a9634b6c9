"""Artifacts for the registry tests: the packaged default and verified variants of it (no training needed)."""

from __future__ import annotations

import json
from typing import Any

from rating_model.artifact_format import content_sha256, derive_version
from rating_model.engine import DEFAULT_MODEL
from rating_model.monitoring import psi_label


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


def uplifted_document(shift: float = 30.0, version: str = "bank-2026q4") -> dict[str, Any]:
    """A model-risk review's hand-made artifact: the default's base points plus ``shift`` for everyone, its
    ``score_range`` widened to take them, and its probability intercept moved so that every probability,
    and so AUC, Gini, KS and Brier, stay the same; hashed like a genuine one."""
    doc = default_document()
    doc["base_points"] = round(doc["base_points"] + shift, 1)
    doc["score_range"] = [0.0, 100.0 + shift]
    doc["probability"]["intercept"] -= doc["probability"]["slope"] * shift
    doc["version"] = version
    doc["sha256"] = content_sha256(doc)
    return doc


def compressed_document(tag: str) -> dict[str, Any]:
    """The default's scores halved and lifted by 50 (every business scores 50 + s / 2, within 0-100), its
    probabilities kept (up to the points' rounding): the same ranking, so about the same AUC, Gini, KS and
    Brier, and most grades moved up."""
    doc = default_document()
    unit = 10 ** doc["decimals"]

    def half(points: float) -> float:
        return float(round(points * unit / 2) / unit)

    for feature in doc["features"]:
        feature["points"] = [half(p) for p in feature["points"]]
        feature["missing_points"] = half(feature["missing_points"])
        if "unseen_points" in feature:
            feature["unseen_points"] = half(feature["unseen_points"])
    doc["base_points"] = half(doc["base_points"]) + 50.0
    slope = doc["probability"]["slope"]
    doc["probability"] = {"intercept": doc["probability"]["intercept"] - 100 * slope, "slope": 2 * slope}
    doc["metadata"]["card"]["variant"] = tag
    return rehash(doc)


def compared_data(*, rows: int = 5000, file: str = "holdout.parquet") -> dict[str, Any]:
    """What `greenrate model compare` records about the data of a comparison of two models trained for
    this release's standard: both judged under it, by label and by the published document's sha256."""
    from rating_model.standard import load_standard

    standard = load_standard()
    return {"file": file, "file_sha256": "d" * 64, "rows_read": rows, "rows_left_out": 0,
            "trained_on_it": [], "standard": standard.label, "standard_sha256": standard.sha256,
            "challenger_standard": standard.label, "challenger_standard_sha256": standard.sha256,
            "samples": 200}


def compared_summary(*, rows: int = 5000, metrics: dict[str, Any] | None = None, psi: float = 0.01,
                     moved_share: float = 0.05, upgrades: int = 100, downgrades: int = 150) -> dict[str, Any]:
    """The part of a recorded comparison the promotion gate reads, as `greenrate model compare` prints it."""
    return {"rows": rows, **({"metrics": metrics} if metrics else {}),
            "score_psi": {"psi": psi, "reading": psi_label(psi)},
            "migration": {"moved_share": moved_share, "upgrades": upgrades, "downgrades": downgrades}}


def record_comparison(
    db: Any, challenger: str, champion: str, *, rows: int = 5000, metrics: dict[str, Any] | None = None,
    file: str = "holdout.parquet", **summary: Any,
) -> str:
    """A recorded comparison of two registered versions, as `greenrate model compare --record` keeps one
    (the evidence a promotion needs under GREENRATE_MODEL_REQUIRE_COMPARISON); returns how the promotion's
    audit event names it. ``summary`` sets the score PSI and grade migration (:func:`compared_summary`)."""
    from service.records import comparisons, registry

    found = [registry.load_artifact(db, v) for v in (challenger, champion)]
    assert found[0] is not None and found[1] is not None
    kept = comparisons.record(db, found[0], found[1], data=compared_data(rows=rows, file=file),
                              summary=compared_summary(rows=rows, metrics=metrics, **summary),
                              actor="bank-a/ann")
    return kept.comparison.evidence()
