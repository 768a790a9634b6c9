"""Checking an issued rating's record and re-deriving it: the proof that a rating a loan used is as issued.

First the record itself (:mod:`service.ratings.record_checks`): its signature, and its columns against its
body and input. A record changed after it was issued is "tampered" whatever the release that issued it: an
earlier engine version explains a different re-derivation, never a broken signature, and a tampered rating
had hidden among the ratings of an earlier release, which all differ (a reproducibility audit).

Then the re-derivation. Every rating is stored with its canonical input and the versions that computed it
(model, standard, factor set, schema, engine). :func:`verify_rating` rates that input again under the
recorded model (read from the registry) and standard (every published version stays in the package), adds
the four fields the service adds as issuing does (``id``, ``issued_at`` and ``valid_until`` from the
record's columns, which the signature covers, ``external_id`` from the recorded input), encodes it as the
service does and compares the bytes with the stored answer. An auditor, or a bank disputing a rating, gets
either "byte for byte" or the exact fields that differ and why they may.

What cannot be re-derived is said, never guessed and never a traceback: a model no longer in the registry
or whose stored artifact was edited, a standard not published in this release or whose file was edited, a
factor set other than the one this release computes with. A rating issued by another engine version is
re-derived all the same, and the answer names both versions: differences are then the changes that
version made (CHANGES.md lists them by engine version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from sqlalchemy import Engine, Float, func, literal, select, tablesample, text

from rating_model.artifact import ScorecardArtifact
from rating_model.engine import DEFAULT_MODEL, ENGINE_VERSION
from rating_model.engine import Engine as RatingEngine
from rating_model.exceptions import RatingModelError
from rating_model.factors import load_factor_set
from rating_model.operating_data import SCHEMA_VERSION
from rating_model.standard import load_standard, published_standard_path
from schemas.fields import utc_iso
from service.config.settings import UnsignedRatings
from service.ratings.encoding import rating_json
from service.ratings.record_checks import INPUT_MISMATCH, check_record
from service.records.database import as_utc
from service.records.rating_signatures import SIGNED_AS_ISSUED, RatingKey, Status
from service.records.ratings import row_versions
from service.records.registry import load_artifact
from service.records.tables import ratings

__all__ = [
    "INPUT_MISMATCH", "CannotVerify", "Raters", "Verification", "first_signed_seq", "issued_by_this_release",
    "sample_ratings", "verify_rating",
]

#: At most this many differing fields are listed.
MAX_DIFFERENCES = 25
#: What this release may fail on while re-deriving: an engine refusal, or a registered artifact, published
#: standard or factor file that cannot be read or was edited (verified_bytes, load_artifact).
_UNREADABLE = (RatingModelError, OSError, ValueError, yaml.YAMLError)


class CannotVerify(Exception):
    """The rating cannot be re-derived by this release; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking one rating's record and re-deriving it.

    ``signature`` is the record's signature status (``signed_with`` the key id it names); ``tampered``
    lists how the record is not as issued (empty when it is); ``cannot_verify`` says why the rating could
    not be re-derived here (``identical`` is then false and ``differences`` empty). ``first_signed`` is,
    for an unsigned rating recorded after a signed one, the sequence number of the first signed rating:
    such a row was written by the release before signing during the upgrade, or had its signature removed
    (or was inserted with any sequence number it was given: a hint, never a proof). ``unsigned`` is the
    policy the check ran under (``GREENRATE_UNSIGNED_RATINGS``): an unsigned rating is proven only where
    the service serves it. ``code_revision`` is the build that issued it, as recorded. ``current_release``:
    its versions are this release's (:func:`issued_by_this_release`).
    """

    rating_id: str
    tenant: str
    versions: dict[str, str]
    identical: bool
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signature: Status = "valid"
    signed_with: str | None = None
    tampered: list[str] = field(default_factory=list)
    cannot_verify: str | None = None
    current_release: bool = True
    first_signed: int | None = None
    #: the build that issued it, as recorded (``None``: issued before builds were recorded, migration 0019)
    code_revision: str | None = None
    unsigned: UnsignedRatings = "refuse"

    @property
    def unsigned_refused(self) -> bool:
        """Unsigned, and refused by a service under these settings (``GREENRATE_UNSIGNED_RATINGS=refuse``)."""
        return self.signature == "unsigned" and self.unsigned == "refuse"

    @property
    def proven(self) -> bool:
        """As issued and re-derived byte for byte, signed with a key held here (the current one or a
        previous one), or unsigned where the settings serve unsigned ratings: verify's exit status follows
        what the service does with the rating."""
        served = self.signature in SIGNED_AS_ISSUED or (self.signature == "unsigned"
                                                         and self.unsigned == "serve")
        return self.identical and not self.tampered and served


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


def issued_by_this_release(engine_version: str, schema_version: str, factor_set_version: str) -> bool:
    """Whether a rating recorded with these versions is one this release computes: its engine, its schema
    and its factor set are this code's. A rating of another release may differ by that release's changes,
    or need that release to be re-derived at all.

    The factor set counts as well: a release may ship a new default set under unchanged engine and schema
    versions (cn-2024.4 came with engine 2.6 unchanged), and this release computes with its own set only
    (:class:`Raters`), so the ratings issued before it had been counted as this release's ratings that cannot
    be re-derived, and failed ``greenrate ratings verify --sample`` after every such upgrade.
    """
    return (engine_version == ENGINE_VERSION and schema_version == SCHEMA_VERSION
            and factor_set_version == load_factor_set().version)


def sample_ratings(db: Engine, count: int) -> list[tuple[str, bool]]:
    """``count`` issued ratings picked at random (all of them when there are fewer), for a bulk check
    such as the one after restoring a backup: each id, and whether this release issued it
    (:func:`issued_by_this_release`; a rating of an earlier release may differ by that release's changes).

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
            query = select(c.id, c.engine_version, c.schema_version, c.factor_set_version).order_by(
                func.random()).limit(count)
            rows = conn.execute(query).all()
        else:
            estimated = float(conn.execute(_ESTIMATED_ROWS).scalar() or 0)
            percent = 100.0 if estimated <= 0 else min(100.0, 100.0 * count * SAMPLE_SURPLUS / estimated)
            while True:
                sample = tablesample(ratings, func.system(literal(percent, Float)), name="sample")
                query = (
                    select(sample.c.id, sample.c.engine_version, sample.c.schema_version,
                           sample.c.factor_set_version)
                    .order_by(func.random())
                    .limit(count)
                )
                rows = conn.execute(query).all()
                if len(rows) >= count or percent >= 100.0:
                    break
                percent = min(100.0, percent * 10)
    return [
        (str(row.id), issued_by_this_release(row.engine_version, row.schema_version, row.factor_set_version))
        for row in rows
    ]


def first_signed_seq(db: Engine) -> int | None:
    """The sequence number of the first signed rating (``None``: none is signed). One scan of the ratings
    recorded before it: a command asks once per run."""
    query = select(func.min(ratings.c.seq)).where(ratings.c.signature.is_not(None))
    with db.connect() as conn:
        found = conn.execute(query).scalar()
    return None if found is None else int(found)


class Raters:
    """The engines ratings are re-derived with, one per recorded model, standard and factor set version,
    loaded when first asked for, or why this release cannot have one.

    ``verify`` of one rating loads them for it; ``verify --sample N`` keeps one :class:`Raters` for its N
    ratings: reading the artifact from the registry, checking its hash and building the engine cost some
    twenty times the re-derivation itself (45 ms a rating, 2 ms with the engine kept, the default model on
    SQLite), and a database holds few versions.
    """

    def __init__(self, db: Engine) -> None:
        self._db = db
        #: an engine, or why there is none (a message: the exception is raised afresh for each row)
        self._found: dict[tuple[str, str, str], RatingEngine | str] = {}

    def engine_for(self, row: Any) -> RatingEngine:
        """The engine that re-derives ``row`` (its model, standard and factor set versions).

        :raises CannotVerify: this release cannot (what is missing, unreadable or refused is said).
        """
        versions = (row.model_version, row.standard_version, row.factor_set_version)
        if versions not in self._found:
            try:
                self._found[versions] = self._load(*versions)
            except CannotVerify as exc:
                self._found[versions] = str(exc)
        found = self._found[versions]
        if isinstance(found, str):
            raise CannotVerify(found)
        return found

    def _load(self, model_version: str, standard_version: str, factor_set_version: str) -> RatingEngine:
        try:
            factor_set = load_factor_set().version
            standard_path = published_standard_path(standard_version)
            artifact = load_artifact(self._db, model_version) or _packaged(model_version)
            standard = None if standard_path is None else load_standard(standard_path)
        except _UNREADABLE as exc:  # a registered artifact or a published file edited since
            what = f"{type(exc).__name__}: {exc}"
            raise CannotVerify(f"what it was rated with cannot be loaded: {what}") from exc
        if factor_set_version != factor_set:
            raise CannotVerify(
                f"it was computed with factor set {factor_set_version}; this release computes with "
                f"{factor_set} only: verify it with a release that ships {factor_set_version}"
            )
        if standard is None:
            raise CannotVerify(f"standard {standard_version} is not published in this release")
        if artifact is None:
            raise CannotVerify(f"model {model_version} is not in the registry (greenrate model list)")
        try:
            return RatingEngine(standard, artifact)
        except _UNREADABLE as exc:  # a model that does not fit the standard
            raise CannotVerify(f"this release refuses it: {type(exc).__name__}: {exc}") from exc


def _re_derived(raters: Raters, row: Any) -> str:
    """The rating re-derived from ``row``'s input and versions, as the service would have encoded it.

    :raises CannotVerify: this release cannot (what is missing, unreadable or refused is said).
    """
    engine = raters.engine_for(row)
    try:
        data = engine.parse(json.loads(row.input_json))
        again: dict[str, Any] = {  # what issuing._rate adds, from the signed columns and the input
            "id": row.id,
            "external_id": data.company.external_id,
            "issued_at": utc_iso(as_utc(row.issued_at)),
            "valid_until": utc_iso(as_utc(row.valid_until)),
        }
        again.update(engine.rate(data).to_dict())
        return rating_json(again).decode()
    except _UNREADABLE as exc:  # a newer engine refusing an older input
        raise CannotVerify(f"this release refuses it: {type(exc).__name__}: {exc}") from exc


def verify_rating(
    db: Engine,
    rating_id: str,
    key: RatingKey,
    first_signed: int | None | Literal["ask"] = "ask",
    *,
    raters: Raters | None = None,
) -> Verification | None:
    """Check the record of ``rating_id`` and re-derive it; ``None`` when no such rating is recorded.

    Never raises for what the record or this release holds: a record changed, a model or a file that
    cannot be read, an input refused, each is said in the answer.

    :param key: the ratings' key of the service's secret, which the signature is checked with, and the
        unsigned ratings' policy (:attr:`Verification.unsigned`).
    :param first_signed: :func:`first_signed_seq`, when the caller already asked (once for a sample);
        ``"ask"``: asked here if the rating is unsigned.
    :param raters: the engines of the ratings verified before it, kept by a caller verifying many (a
        sample); ``None``: loaded for this one.
    """
    with db.connect() as conn:
        row = conn.execute(select(ratings).where(ratings.c.id == rating_id)).first()
    if row is None:
        return None
    record = check_record(key, row._mapping)
    after = None
    if record.signature == "unsigned":
        first = first_signed_seq(db) if first_signed == "ask" else first_signed
        after = first if first is not None and row.seq > first else None
    outcome = Verification(
        rating_id, row.tenant, row_versions(row), False,
        signature=record.signature, signed_with=record.signed_with, tampered=record.tampered,
        current_release=issued_by_this_release(
            row.engine_version, row.schema_version, row.factor_set_version
        ),
        first_signed=after, code_revision=row.code_revision, unsigned=key.unsigned,
    )
    try:
        text = _re_derived(Raters(db) if raters is None else raters, row)
    except CannotVerify as exc:
        return replace(outcome, cannot_verify=str(exc))
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
    if text == row.result_json:
        return replace(outcome, identical=True, notes=notes)
    try:
        stored = json.loads(row.result_json)
    except ValueError:
        stored = None  # not JSON: the record check says so
    differences = _differences(stored, json.loads(text)) or ["(the encoding: same values, other bytes)"]
    if len(differences) > MAX_DIFFERENCES:
        left = len(differences) - MAX_DIFFERENCES
        differences = [*differences[:MAX_DIFFERENCES], f"(and {left} more)"]
    return replace(outcome, differences=differences, notes=notes)
