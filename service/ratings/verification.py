"""Re-deriving an issued rating from its record: the proof that a rating used for a loan is reproducible.

Every rating is stored with its canonical input and the versions that computed it (model, standard, factor
set, schema, engine). :func:`verify_rating` rates that input again under the recorded model (read from the
registry) and standard (every published version stays in the package), puts back the four fields the
service adds (``id``, ``external_id``, ``issued_at``, ``valid_until``), encodes it as the service does and
compares the bytes with the stored answer; the recorded input must also still hash to the recorded input
hash, the ``input_sha256`` a bank keeps. An auditor, or a bank disputing a rating, gets either "byte for
byte" or the exact fields that differ and why they may.

What cannot be re-derived is said, never guessed: a model no longer in the registry, a standard not
published in this release, a factor set other than the one this release computes with. A rating issued
by another engine version is re-derived all the same, and the answer names both versions: differences are
then the changes that version made (CHANGES.md lists them by engine version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Float, func, literal, select, tablesample, text

from rating_model.artifact import ScorecardArtifact
from rating_model.engine import DEFAULT_MODEL, ENGINE_VERSION
from rating_model.engine import Engine as RatingEngine
from rating_model.exceptions import RatingModelError
from rating_model.factors import load_factor_set
from rating_model.operating_data import SCHEMA_VERSION
from rating_model.standard import load_standard, published_standard_path
from service.cache import input_hash
from service.ratings.encoding import rating_json
from service.records.ratings import row_versions
from service.records.registry import load_artifact
from service.records.tables import ratings

#: The fields the service adds to the engine's answer when it issues a rating (``issuing._rate``).
ISSUED_FIELDS = ("id", "external_id", "issued_at", "valid_until")
#: At most this many differing fields are listed.
MAX_DIFFERENCES = 25
#: The difference named when the recorded input does not hash to the recorded input hash, the
#: ``input_sha256`` (``X-Input-SHA256``) a bank kept from the rating's answer.
INPUT_MISMATCH = "input_sha256 (the recorded input does not hash to the recorded input_sha256)"


class CannotVerify(Exception):
    """The rating cannot be re-derived by this release; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of re-deriving one rating."""

    rating_id: str
    tenant: str
    versions: dict[str, str]
    identical: bool
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _differences(stored: Any, again: Any, path: str = "") -> list[str]:
    """Dotted paths where two JSON values differ (list items by index), in document order."""
    if isinstance(stored, dict) and isinstance(again, dict):
        found: list[str] = []
        for key in [*stored, *(k for k in again if k not in stored)]:
            inner = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in again:
                found.append(inner)
            else:
                found.extend(_differences(stored[key], again[key], inner))
        return found
    if isinstance(stored, list) and isinstance(again, list):
        found = []
        for i, (a, b) in enumerate(zip(stored, again, strict=False)):
            found.extend(_differences(a, b, f"{path}.{i}"))
        surplus = range(min(len(stored), len(again)), max(len(stored), len(again)))
        return found + [f"{path}.{i}" for i in surplus]
    return [] if stored == again else [path or "(the whole document)"]


def _packaged(version: str) -> ScorecardArtifact | None:
    """The packaged default model when it is ``version`` (versions are derived from the content, so the
    same version is the same artifact), for a database whose registry never received it."""
    artifact = ScorecardArtifact.from_json(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return artifact if artifact.version == version else None


#: How many times more ratings the page sample should hold than the check picks from it.
SAMPLE_SURPLUS = 4

#: The planner's estimate of the table's rows (``-1`` or ``0`` before it was first analysed).
_ESTIMATED_ROWS = text("SELECT reltuples FROM pg_class WHERE oid = 'ratings'::regclass")


def sample_ratings(db: Engine, count: int) -> list[tuple[str, bool]]:
    """``count`` issued ratings picked at random (all of them when there are fewer), for a bulk check
    such as the one after restoring a backup: each id, and whether this release issued it (its engine and
    schema versions are this code's; a rating of an earlier release may differ by that release's changes).

    On PostgreSQL the pick is drawn from a ``TABLESAMPLE SYSTEM`` sample of the table's pages:
    ``ORDER BY random()`` read and sorted the whole table, and at a few million ratings ran past the
    statement timeout. SYSTEM takes whole pages, so ratings issued together tend to be picked together; the
    sample is :data:`SAMPLE_SURPLUS` times larger than asked and picked from at random, and when it holds
    fewer than ``count`` ratings (a small table, statistics behind) it is drawn again ten times larger, up
    to the whole table. SQLite orders by ``random()`` as before.
    """
    c = ratings.c
    with db.connect() as conn:
        if conn.dialect.name != "postgresql":
            query = select(c.id, c.engine_version, c.schema_version).order_by(func.random()).limit(count)
            rows = conn.execute(query).all()
        else:
            estimated = float(conn.execute(_ESTIMATED_ROWS).scalar() or 0)
            percent = 100.0 if estimated <= 0 else min(100.0, 100.0 * count * SAMPLE_SURPLUS / estimated)
            while True:
                sample = tablesample(ratings, func.system(literal(percent, Float)), name="sample")
                query = (
                    select(sample.c.id, sample.c.engine_version, sample.c.schema_version)
                    .order_by(func.random())
                    .limit(count)
                )
                rows = conn.execute(query).all()
                if len(rows) >= count or percent >= 100.0:
                    break
                percent = min(100.0, percent * 10)
    return [(str(row.id), row.engine_version == ENGINE_VERSION and row.schema_version == SCHEMA_VERSION)
            for row in rows]


def verify_rating(db: Engine, rating_id: str) -> Verification | None:
    """Re-derive the rating ``rating_id`` from its record; ``None`` when no such rating is recorded.

    Raises
    ------
    CannotVerify
        The recorded model is not in the registry, the recorded standard is not published in this release,
        or the recorded factor set is not the one this release computes with.
    """
    c = ratings.c
    query = select(
        c.tenant, c.input_json, c.input_hash, c.result_json, c.model_version, c.standard_version,
        c.factor_set_version, c.schema_version, c.engine_version,
    ).where(c.id == rating_id)
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    versions = row_versions(row)
    factor_set = load_factor_set().version
    if row.factor_set_version != factor_set:
        raise CannotVerify(
            f"it was computed with factor set {row.factor_set_version}; this release computes with "
            f"{factor_set} only: verify it with a release that ships {row.factor_set_version}"
        )
    standard_path = published_standard_path(row.standard_version)
    if standard_path is None:
        raise CannotVerify(f"standard {row.standard_version} is not published in this release")
    artifact = load_artifact(db, row.model_version) or _packaged(row.model_version)
    if artifact is None:
        raise CannotVerify(f"model {row.model_version} is not in the registry (greenrate model list)")
    stored = json.loads(row.result_json)
    again = {name: stored.get(name) for name in ISSUED_FIELDS}
    try:
        engine = RatingEngine(load_standard(standard_path), artifact)
        again.update(engine.rate(engine.parse(json.loads(row.input_json))).to_dict())
    except RatingModelError as exc:  # a newer engine refusing an older input, a model edited by hand
        raise CannotVerify(f"this release refuses it: {type(exc).__name__}: {exc}") from exc
    text = rating_json(again).decode()
    notes = []
    if row.schema_version != SCHEMA_VERSION:
        notes.append(
            f"issued under schema {row.schema_version}, re-derived under schema {SCHEMA_VERSION}: a field "
            "that version added or renamed differs; the rating stands as issued"
        )
    if row.engine_version != ENGINE_VERSION:
        notes.append(
            f"issued by engine {row.engine_version}, re-derived by engine {ENGINE_VERSION}: a difference is "
            "a change that version made to the computation; the rating stands as issued"
        )
    # The input a bank's input_sha256 names must be the one re-derived from: a record whose input no longer
    # hashes to it proves nothing about that rating, however the answer compares.
    unhashed = [INPUT_MISMATCH] if input_hash(row.input_json) != row.input_hash else []
    if text == row.result_json and not unhashed:
        return Verification(rating_id, row.tenant, versions, True, [], notes)
    differences = unhashed + (
        [] if text == row.result_json
        else _differences(stored, json.loads(text)) or ["(the encoding: same values, other bytes)"]
    )
    if len(differences) > MAX_DIFFERENCES:
        left = len(differences) - MAX_DIFFERENCES
        differences = [*differences[:MAX_DIFFERENCES], f"(and {left} more)"]
    return Verification(rating_id, row.tenant, versions, False, differences, notes)
