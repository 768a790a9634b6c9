"""Recorded comparisons (migration 0010): what ``greenrate model compare --record`` measured, as evidence.

A promotion under ``GREENRATE_MODEL_REQUIRE_COMPARISON`` needs one of these for the challenger against the
champion it replaces, and its audit event names every one recorded for the pair, so a validator can go
from "who promoted what and why" to the numbers it rested on: which labelled file (by sha256), how many
rows, and the metric deltas with their confidence intervals. A record is made only for models as
registered (same version, same sha256): evidence about a file that differs from what would be promoted is
no evidence. Nor is a comparison that could flatter the challenger unseen (:func:`not_evidence`): on too
few rows, on a file a model was trained on, of a challenger that carries no fingerprint of its training
rows (so that could not be told), under another standard than each model rates under in this release, or
without the score PSI and grade migration the promotion gate reads. Such a comparison is refused when
recorded, and one recorded by an earlier release is not counted by the gate. Nor does the gate count one
that is out of date (:func:`out_of_date`): against another champion than the active one, recorded before
that champion last became active, or older than ``GREENRATE_MODEL_COMPARISON_VALID_DAYS`` on the
database's clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, insert, select, union

from rating_model.artifact import ScorecardArtifact
from rating_model.evidence import HOLDOUT_MIN_ROWS
from rating_model.standard import Standard, load_standard, standard_for_model
from service.config.settings import DEFAULT_COMPARISON_VALID_DAYS
from service.records.clock import database_now, database_time
from service.records.database import as_utc, largest_id
from service.records.model_tables import active_model, model_comparisons, models
from service.records.registry import NotRegistered, RegistryError

_HEX64 = re.compile(r"[0-9a-f]{64}")  # a sha256, as hexdigest writes it
_HEX16 = re.compile(r"[0-9a-f]{16}")  # a 64-bit row hash, as row_sketch writes it


class NotAsRegistered(RegistryError):
    """A compared artifact is not the one registered under its version (other content, same name)."""


class NotEvidence(RegistryError):
    """A comparison no promotion may rest on (the subclasses say why); refused when recorded."""


#: The fewest rows a comparison a promotion rests on may be made on: on fewer, the bootstrap intervals of
#: AUC or KS deltas of a few hundredths are noise (a 40-row file had been recorded, and as the newest record
#: it was the one the promotion rested on). Distinct rows: a row repeated in every cell (``rows_repeated``)
#: counts once, or a 400-row holdout written three times passes as 1,200 rows. The model card's floor for
#: readable holdout metrics (:data:`rating_model.evidence.HOLDOUT_MIN_ROWS`) is this one: a card must not
#: call metrics readable on fewer rows than a promotion may rest on.
MIN_ROWS = HOLDOUT_MIN_ROWS


class TooFewRows(NotEvidence):
    """A comparison on fewer rows than :data:`MIN_ROWS`."""


class InSample(NotEvidence):
    """A compared model was trained on the very file it was compared on: its metrics there flatter it."""


class Unverifiable(NotEvidence):
    """The challenger carries no fingerprint of its training rows (``metadata.data_sha256`` and
    ``metadata.row_sketch``), so whether it was compared on them cannot be told: a review deleted both from
    an artifact, re-hashed it and compared it on its own training file unwarned."""


class OtherStandard(NotEvidence):
    """The comparison was not made under the standard each model rates under in this release (by label
    and by the published document's sha256): one made with ``--standard greenrate-sme-1.8.yaml`` had been
    accepted for a promotion under 1.9.0."""


class Incomplete(NotEvidence):
    """The comparison records no score PSI or grade migration, which the promotion gate reads."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One recorded comparison: ``data`` names the file (``file``, ``file_sha256`` of its bytes,
    ``rows_sha256`` of its rows as read, ``rows_read``, ``rows_left_out``, ``rows_repeated``,
    ``trained_on_it``, ``standard``, ``samples``), ``summary`` is what ``greenrate model compare`` printed."""

    id: int
    challenger: str
    champion: str
    data: Mapping[str, Any]
    summary: Mapping[str, Any]
    recorded_by: str
    at: datetime

    def evidence(self) -> str:
        """How the promotion's audit event names this record (the file's sha256, as sha256sum prints it)."""
        sha = str(self.data.get("file_sha256", ""))[:12]
        return (f"comparison #{self.id}: {self.summary.get('rows')} rows of {self.data.get('file')} "
                f"(sha256 {sha}…), recorded by {self.recorded_by}")


def fingerprint_missing(artifact: ScorecardArtifact) -> list[str]:
    """The parts of a training fingerprint ``artifact`` lacks (``metadata.data_sha256``, the whole file's;
    ``metadata.row_sketch``, its rows'): without both, a copy of its training file with a row dropped or
    reordered passes as data it has not seen."""
    metadata = artifact.metadata
    digest, sketch, rows = metadata.get("data_sha256"), metadata.get("row_sketch"), metadata.get("rows")
    trained = rows if isinstance(rows, int) and not isinstance(rows, bool) else 0
    missing = []
    if not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
        missing.append("metadata.data_sha256")
    # a sketch as train.row_sketch writes it: distinct hashes of training rows, at most one a row, 16 hex
    # digits each (a security review: an empty sketch, or 0 rows, made trained_share 0 on the model's own
    # training file, and such a model passed as fingerprinted)
    if not (isinstance(sketch, list) and 0 < len(sketch) <= trained and len(set(sketch)) == len(sketch)
            and all(isinstance(h, str) and _HEX16.fullmatch(h) for h in sketch)):
        missing.append("metadata.row_sketch")
    if trained <= 0:
        missing.append("metadata.rows")
    return missing


def standards_of_pair(champion_trained_for: object, release: Standard) -> tuple[Standard, Standard]:
    """The standards a comparison must be made under in this release: the champion's is the one it rates
    under in the service (the newest published that accepts it, so a bank's model approved under an earlier
    standard is judged as it rates), the challenger's is the release's own (a promotion must fit it)."""
    return standard_for_model(champion_trained_for, release) or release, release


def _standard_problem(data: Mapping[str, Any], expected: tuple[Standard, Standard]) -> str | None:
    for role, standard, key in zip(("champion", "challenger"), expected, ("standard", "challenger_standard"),
                                   strict=True):
        label, sha = data.get(key), data.get(f"{key}_sha256")
        if label != standard.label or sha != standard.sha256:
            shown = f"sha256 {sha[:12]}…" if isinstance(sha, str) else "no sha256 recorded"
            return (f"the {role} was judged under {label!r} ({shown}), not under {standard.label} as "
                    f"published (sha256 {standard.sha256[:12]}…), the standard it rates under here")
    return None


def _has_scale(summary: Mapping[str, Any]) -> bool:
    psi, migration = summary.get("score_psi"), summary.get("migration")
    return (isinstance(psi, Mapping) and isinstance(psi.get("psi"), int | float)
            and isinstance(migration, Mapping) and isinstance(migration.get("moved_share"), int | float))


def not_evidence(
    challenger: ScorecardArtifact,
    champion_trained_for: object,
    data: Mapping[str, Any],
    summary: Mapping[str, Any],
    release: Standard,
) -> NotEvidence | None:
    """Why a comparison of ``challenger`` is no evidence for its promotion in this release (``None``: it
    is): one rule for recording it and for the promotion gate, which also meets records an earlier release
    kept. ``champion_trained_for`` is the champion's ``metadata.standard``."""
    rows = int(summary.get("rows", 0))
    # a record made before rows_repeated was kept cannot tell its repeats: its rows count as distinct
    kept = data.get("rows_repeated", 0)
    repeated = kept if isinstance(kept, int) and not isinstance(kept, bool) and kept > 0 else 0
    if rows - repeated < MIN_ROWS:
        made_on = f"{rows} rows" + (f", {repeated} of them repeating another row" if repeated else "")
        return TooFewRows(f"the comparison was made on {made_on}; a promotion rests only on one of at "
                          f"least {MIN_ROWS} distinct rated rows")
    if data.get("trained_on_it"):
        return InSample(f"{', '.join(data['trained_on_it'])} was trained on {data.get('file')}: its metrics "
                        "there are optimistic, so they are no evidence for a promotion; compare on data it "
                        "has not seen")
    missing = fingerprint_missing(challenger)
    if missing:
        return Unverifiable(
            f"the challenger {challenger.version!r} carries no fingerprint of its training rows "
            f"({' and '.join(missing)} missing), so whether it was compared on them cannot be told: no "
            "promotion rests on such a comparison; retrain it with `greenrate model train`, which records "
            "both"
        )
    problem = _standard_problem(data, standards_of_pair(champion_trained_for, release))
    if problem:
        return OtherStandard(f"{problem}: compare them without --standard (or with this release's file)")
    if not _has_scale(summary):
        return Incomplete("the comparison records no score PSI or grade migration, which the promotion "
                          "gate reads: record it again with `greenrate model compare --record`")
    return None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the registry stands when the promotion gate judges a recorded comparison, beside its content:
    the active model (``None``: none), the moment it last became active (``active_model.activated_at``,
    by a promotion or a rollback), the database's clock now, and how many days a comparison counts
    (``GREENRATE_MODEL_COMPARISON_VALID_DAYS``)."""

    active: str | None
    active_since: datetime | None
    now: datetime
    valid_days: int

    def valid_until(self, found: Comparison) -> datetime:
        """When ``found`` stops counting by age."""
        return found.at + timedelta(days=self.valid_days)


def standing(db: Engine, valid_days: int) -> Standing:
    """The registry's :class:`Standing` now: one read of the active row and of the database's clock (the
    clock that dated every comparison this release recorded, :mod:`service.records.clock`)."""
    with db.connect() as conn:
        row = conn.execute(
            select(active_model.c.version, active_model.c.activated_at).where(active_model.c.id == 1)
        ).first()
        now = database_time(conn)
    if row is None:
        return Standing(None, None, now, valid_days)
    return Standing(row.version, as_utc(row.activated_at), now, valid_days)


def out_of_date(found: Comparison, state: Standing) -> str | None:
    """Why ``found`` no longer counts for a promotion whatever it measured (``None``: it still may).

    A comparison counts only against the champion a promotion replaces, as that champion stands: made
    against the active model, since it last became active, and within the validity period. A model-risk
    validator's review: a comparison recorded months before, against a champion replaced (and rolled back
    to) since, or on a population that has drifted since, still let a challenger through; the gate had read
    only which two versions it named, never when.
    """
    if found.champion != state.active:
        return (f"its champion {found.champion!r} is not the active model ({state.active!r} is): a "
                "comparison counts only against the champion a promotion replaces")
    since = state.active_since
    if since is not None and found.at < since:
        return (f"it was recorded on {found.at:%Y-%m-%d %H:%M:%S} UTC, before {found.champion!r} last became "
                f"the active model, on {since:%Y-%m-%d %H:%M:%S} UTC: a comparison counts only if made "
                "against the champion while it is the active model; record it again")
    if state.now > state.valid_until(found):
        age = (state.now - found.at).days
        return (f"it was recorded {age} days ago, on {found.at:%Y-%m-%d}, and a comparison counts for "
                f"{state.valid_days} days (GREENRATE_MODEL_COMPARISON_VALID_DAYS): the population it was "
                "made on may have drifted since; compare again on current labelled data and record it")
    return None


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :func:`record` answers: the comparison as recorded, and whether this call repeated one recorded
    before (``replayed``: nothing was written again)."""

    comparison: Comparison
    replayed: bool


def record(
    db: Engine,
    challenger: ScorecardArtifact,
    champion: ScorecardArtifact,
    *,
    data: Mapping[str, Any],
    summary: Mapping[str, Any],
    actor: str,
    release: Standard | None = None,
    valid_days: int = DEFAULT_COMPARISON_VALID_DAYS,
) -> Recorded:
    """Keep a comparison of two registered models; refuses one of a model not (or not so) registered, and
    one that is no evidence (:func:`not_evidence`): no promotion rests on that.

    A comparison whose answer was lost (the connection gone as its COMMIT was acknowledged) is run again by
    its analyst, and was recorded twice: the trail then showed two comparisons where one was made, and the
    promotion resting on them named both (concurrency review). ``greenrate model compare`` measures the
    same file alike every time (its bootstrap has a fixed seed), so the same ``actor``'s record of the same
    pair, data and summary is answered with the one recorded (``replayed``) while it is the newest of the
    pair and still as fresh as a new one would be (nothing promoted or rolled back since it was recorded,
    within ``valid_days``); once it is not, the same comparison is recorded anew, as evidence of today.

    :param release: the standard this release rates under (the packaged one by default).
    :param valid_days: how many days a comparison counts (``GREENRATE_MODEL_COMPARISON_VALID_DAYS``).
    """
    refused = not_evidence(challenger, champion.metadata.get("standard"), data, summary,
                           release or load_standard())
    if refused is not None:
        raise refused
    with db.connect() as conn:
        registered = dict(conn.execute(
            select(models.c.version, models.c.sha256)
            .where(models.c.version.in_((challenger.version, champion.version)))
        ).all())
    for artifact, role in ((challenger, "challenger"), (champion, "champion")):
        if artifact.version not in registered:
            raise NotRegistered(artifact.version, f"the {role} {artifact.version!r} is not registered: "
                                "register it before recording a comparison that a promotion can rest on")
        if registered[artifact.version] != artifact.sha256:
            raise NotAsRegistered(
                f"the {role} compared is not the {artifact.version!r} registered (sha256 "
                f"{artifact.sha256[:12]}…, registered {registered[artifact.version][:12]}…)"
            )
    row = {"challenger": challenger.version, "champion": champion.version,
           "data_json": json.dumps(dict(data), sort_keys=True, allow_nan=False),
           "summary_json": json.dumps(dict(summary), sort_keys=True, allow_nan=False),
           "recorded_by": actor, "at": database_now()}  # the database's clock: the gate reads its age
    earlier = _recorded_as(db, row, valid_days)
    if earlier is not None:
        return Recorded(earlier, replayed=True)
    t = model_comparisons
    with db.begin() as conn:
        inserted = conn.execute(insert(t).values(**row).returning(t.c.id, t.c.at)).one()
    return Recorded(Comparison(int(inserted.id), challenger.version, champion.version, dict(data),
                               dict(summary), actor, as_utc(inserted.at)), replayed=False)


def _recorded_as(db: Engine, row: Mapping[str, Any], valid_days: int) -> Comparison | None:
    """The newest recorded comparison of ``row``'s pair when it is ``row`` again (the same recorder, data
    and summary) and a record made now would be no fresher for the promotion gate (:func:`out_of_date`'s
    tenure and age: nothing promoted or rolled back since it was recorded, within ``valid_days``)."""
    t = model_comparisons
    with db.connect() as conn:
        found = conn.execute(
            select(t).where(t.c.challenger == row["challenger"], t.c.champion == row["champion"])
            .order_by(t.c.id.desc()).limit(1)
        ).first()
    if found is None or any(getattr(found, name) != row[name]
                            for name in ("recorded_by", "data_json", "summary_json")):
        return None
    earlier = _comparison(found)
    state = standing(db, valid_days)
    since = state.active_since
    if (since is not None and earlier.at < since) or state.now > state.valid_until(earlier):
        return None
    return earlier


def _comparison(row: Any) -> Comparison:
    return Comparison(row.id, row.challenger, row.champion, json.loads(row.data_json),
                      json.loads(row.summary_json), row.recorded_by, as_utc(row.at))


def of_pair(db: Engine, challenger: str, champion: str) -> list[Comparison]:
    """Every recorded comparison of ``challenger`` against ``champion``, oldest first: the promotion gate
    reads them all, so that recording a kinder one on a slice of the same data does not hide the first."""
    t = model_comparisons
    with db.connect() as conn:
        rows = conn.execute(
            select(t).where(t.c.challenger == challenger, t.c.champion == champion).order_by(t.c.id)
        ).all()
    return [_comparison(row) for row in rows]


def of_model(
    db: Engine, version: str, *, limit: int, after: int | None = None
) -> tuple[list[Comparison], bool]:
    """A page of the recorded comparisons ``version`` took part in, as challenger or champion, oldest
    first: up to ``limit`` after the comparison ``after`` (its id), and whether more follow. What an
    approver reads before a promotion (``GET /v1/models/{version}/comparisons``).

    The table only grows (``greenrate model compare`` records by default) and the listing returned every
    comparison of the version (a DBA's scale review). Each role is read through its own index (migration
    0024: ``ix_model_comparisons_challenger_id``, ``ix_model_comparisons_champion_id``), ``limit + 1`` ids at
    most, and the two merged: one query with ``challenger = v OR champion = v`` read every comparison of the
    version to sort them.
    """
    if after is not None and after >= largest_id(db):
        return [], False  # no id can follow it (and binding it would fail on PostgreSQL)
    t = model_comparisons

    def first_ids(role: ColumnElement[str]) -> Any:
        query = select(t.c.id).where(role == version).order_by(t.c.id).limit(limit + 1)
        if after is not None:
            query = query.where(t.c.id > after)
        return select(query.subquery().c.id)  # a subquery: SQLite takes no LIMIT in a UNION's member

    ids = union(first_ids(t.c.challenger), first_ids(t.c.champion))  # a version compared with itself: once
    with db.connect() as conn:
        rows = conn.execute(select(t).where(t.c.id.in_(ids)).order_by(t.c.id).limit(limit + 1)).all()
    return [_comparison(row) for row in rows[:limit]], len(rows) > limit


def newest_measured(
    db: Engine, not_counted: Callable[[Comparison], str | None], state: Standing
) -> dict[str, dict[str, Any]]:
    """Per registered version, its metrics in the newest recorded comparison it took part in (as challenger
    or champion) that the promotion gate counts now, else in its newest one, marked as not counted with
    why: what ``GET /v1/models`` (``measured``) and ``greenrate model list`` show beside the metrics an
    artifact declares about itself, which nobody measured (an upload declaring AUC 0.99 had been listed so).

    ``not_counted`` is the gate's own judgement (:func:`service.records.activation.measured` passes it, and
    ``state``, the registry as it judges it), so what is shown as counted is what a promotion would count: a
    validator's review found the newest record shown, one on the challenger's own training file among them,
    while the gate had set it aside.

    Only the comparisons that can be shown are read (a DBA's scale review: every comparison ever recorded
    was read, for every listing, and the table only grows): each version's newest in either role (one query
    of an index probe per version and role, migration 0024, then those rows by id), and, for a version whose
    newest the gate does not count, the comparisons it may count: those against the active model recorded
    since it last became active and within the validity period (:func:`out_of_date`), through
    ``(champion, at)``.
    """
    t = model_comparisons
    newest_ids = union(*(
        select(select(func.max(t.c.id)).where(role == models.c.version).correlate(models).scalar_subquery())
        .select_from(models)
        for role in (t.c.challenger, t.c.champion)
    ))
    with db.connect() as conn:
        # the ids first, then their rows by primary key: one statement joining the two let PostgreSQL read
        # the whole table to match a hundred ids
        ids = sorted({found for found in conn.execute(newest_ids).scalars() if found is not None})
        read = {row.id: _comparison(row) for row in conn.execute(select(t).where(t.c.id.in_(ids)))}
    why = {found.id: not_counted(found) for found in read.values()}
    newest = {version: found for found in sorted(read.values(), key=lambda c: c.id)
              for version in (found.challenger, found.champion)}
    unresolved = {version for version, found in newest.items() if why[found.id] is not None}
    if unresolved and state.active is not None:
        start = state.now - timedelta(days=state.valid_days)
        if state.active_since is not None:
            start = max(start, state.active_since)
        # a second's margin: the gate decides (below), this only must not leave out one it would count
        query = select(t).where(t.c.champion == state.active, t.c.at >= start - timedelta(seconds=1))
        if state.active not in unresolved:  # then only the other versions' comparisons can change anything
            query = query.where(t.c.challenger.in_(sorted(unresolved)))
        with db.connect() as conn:
            for row in conn.execute(query):
                if row.id not in read:
                    read[row.id] = found = _comparison(row)
                    why[found.id] = not_counted(found)
    out: dict[str, dict[str, Any]] = {}
    # oldest first: a newer one replaces one as counted as itself. What was read holds every version's newest
    # and its newest the gate counts, so each version ends on what reading them all would have shown.
    for found in sorted(read.values(), key=lambda c: c.id):
        metrics = dict(found.summary.get("metrics") or {})
        for role, version, against in (("challenger", found.challenger, found.champion),
                                       ("champion", found.champion, found.challenger)):
            if why[found.id] is not None and version in out and out[version]["counted"]:
                continue
            out[version] = {
                "comparison": found.id, "role": role, "against": against,
                "rows": int(found.summary.get("rows", 0)), "file": found.data.get("file"),
                "file_sha256": found.data.get("file_sha256"),
                "metrics": {name: m.get(role) for name, m in metrics.items() if isinstance(m, Mapping)},
                "at": found.at, "counted": why[found.id] is None, "not_counted": why[found.id],
            }
    return out
