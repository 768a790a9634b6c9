"""The model registry's repository: register artifacts and read them back, with their audit trail.

Every artifact stored here has been verified (:class:`~rating_model.artifact.ScorecardArtifact` checks its
structure and sha256) before it is written, and is stored as its canonical JSON, so reading it back gives
the same bytes and the same version; reading it back verifies it again, and checks it is the artifact
registered under its name. Each registration adds a ``model_events`` row in the same transaction. Which
version is active is read here; changing it (promotion and rollback, with their four-eyes, comparison and
fit checks) is the governed workflow of :mod:`service.records.activation`, which builds on this module's
errors, records and audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, union
from sqlalchemy.exc import IntegrityError

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from schemas.models import MAX_REGISTRY_PAGE, MODEL_EVENT_ACTIONS
from service.exceptions import ServiceError
from service.idempotency import IdempotencyKeyRefused
from service.records.clock import database_now
from service.records.database import as_utc, largest_id
from service.records.model_tables import active_model, model_events, models

#: What an event of the audit trail records, as the answers publish it (and the table's check constraint).
ACTIONS = MODEL_EVENT_ACTIONS


class RegistryError(ServiceError):
    """A registry operation that cannot be done as asked (unknown version, nothing to roll back to).

    Answered 409 with its own text (the state of the registry is in the way) unless a subclass says
    otherwise; the CLI prints the same text.
    """

    code = 409


class VersionExists(RegistryError):
    """The version is already registered (artifacts are immutable: a version is never overwritten)."""


class NotRegistered(RegistryError):
    """No model of that version is registered (404)."""

    code = 404

    def __init__(self, version: str, detail: str | None = None) -> None:
        super().__init__(detail or f"model version {version!r} is not registered",
                         message=f"Model version {version!r} is not registered.")


class Refused(RegistryError):
    """What was sent cannot be used as asked (422): "The {what} was refused: {why}", keyed ``_schema``.

    :param what: the operation or thing refused as the client reads it ("activation", "rollback",
        "artifact").
    """

    code = 422

    def __init__(self, why: str, *, what: str) -> None:
        super().__init__(why, message=f"The {what} was refused: {why}", errors={"_schema": [why]})


class ArtifactRefused(Refused):
    """An uploaded artifact that does not verify or does not fit the running standard."""

    def __init__(self, why: str) -> None:
        super().__init__(why, what="artifact")


class TrainerRefused(Refused):
    """A declared trainer that names nobody four eyes can compare: neither ``cli/<account>`` nor an
    analyst key of this database (its tenant/prefix, revoked or not)."""

    def __init__(self, why: str) -> None:
        super().__init__(why, what="registration")


#: The longest actor name the trail keeps (``models.created_by``, ``model_events.actor``).
_ACTOR_LENGTH = 120


def check_trainer(db: Engine, trained_by: str) -> str:
    """``trained_by`` as the registry records it, when it names an actor four eyes can compare with a
    promoter: ``cli/<account>`` (the CLI without ``GREENRATE_ANALYST_KEY``), or the tenant/prefix of an
    analyst key of this database, as the trail names keys (revoked or expired keys included: a trainer may
    have left since). A misspelt name would compare with nobody and let the trainer approve.

    :raises TrainerRefused: anything else.
    """
    from service.records.tables import api_keys

    name = trained_by.strip()
    if 0 < len(name) <= _ACTOR_LENGTH and name.isprintable():
        if name.startswith("cli/") and len(name) > len("cli/"):
            return name
        tenant, slash, prefix = name.partition("/")
        if slash:
            query = select(api_keys.c.id).where(api_keys.c.tenant == tenant, api_keys.c.prefix == prefix,
                                                api_keys.c.role == "analyst").limit(1)
            with db.connect() as conn:
                if conn.execute(query).first() is not None:
                    return name
    raise TrainerRefused(
        f"trained_by {trained_by!r} names no analyst key of this registry (its tenant/prefix, as "
        "GET /v1/model-events names actors) nor an account (cli/<account>): name who trained the model, so "
        "that four eyes keeps them from promoting it"
    )


#: The check run on an artifact before it is made active; it raises ArtifactError when it does not fit.
FitCheck = Callable[[ScorecardArtifact], object]


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
    #: who trained it, as its registrant declared (the registrant unless they named another); ``None``: it
    #: was registered before the registry recorded trainers (migration 0028)
    trained_by: str | None = None


@dataclass(frozen=True, slots=True)
class RequestKey:
    """The ``Idempotency-Key`` a registry write was sent with and the sha256 of that request
    (:func:`service.idempotency.request_sha256`): recorded with the audit event the write adds (migration
    0029), one per actor (0030), so that a retry with the key is answered with that event whenever it
    comes, and the key with another request is refused."""

    key: str
    request_sha256: str


#: Why a key already used is refused with another request (``errors["Idempotency-Key"]``).
OTHER_REQUEST = (
    "already used by this API key for another model registry request (another path or body): a retry must "
    "send the same request; send a new key with a new one"
)


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


def verified_upload(document: Mapping[str, Any], fits: FitCheck) -> ScorecardArtifact:
    """An artifact sent as a document, verified (structure, sha256) and checked with ``fits`` (the running
    standard's check) before anything is stored; :class:`ArtifactRefused` says why not."""
    try:
        artifact = ScorecardArtifact.from_dict(document)
        fits(artifact)
    except ArtifactError as exc:
        raise ArtifactRefused(str(exc)) from None
    return artifact


@dataclass(frozen=True, slots=True)
class Registration:
    """What :func:`register` answers: the version as registered, and whether this call is a retry of a
    registration recorded before (``replayed``: nothing was written or audited again)."""

    record: ModelRecord
    replayed: bool


def register(
    db: Engine,
    artifact: ScorecardArtifact,
    *,
    source: str,
    actor: str,
    reason: str,
    metrics: Mapping[str, Any] | None = None,
    action: str = "register",
    trained_by: str | None = None,
    key: RequestKey | None = None,
) -> Registration:
    """Store a verified artifact; raises :class:`VersionExists` when the version (or its hash) is known,
    unless it is this very registration again.

    A registration whose answer was lost (the connection gone as the COMMIT was acknowledged) is retried
    by its client, and that retry found its own version and answered 409 "already registered" for an
    upload that had succeeded (concurrency review). So the same ``actor`` registering the same artifact (its
    version and sha256, which covers its metadata and card) from the same ``source`` with the same metrics is
    answered with the record, ``replayed``, and nothing is written or audited twice; another artifact under
    the version, or anyone else, still conflicts. The record is made of what the INSERT returned: nothing is
    read once the registration is committed, so no read-back can fail after it.

    Its ``created_at`` and its event's ``at`` are the database's clock (:mod:`service.records.clock`).

    :param trained_by: who trained the artifact, as the registrant declares it (an API key's tenant/prefix
        or ``cli/<account>``, :func:`check_trainer`); ``None``: the registrant (``actor``) trained it. An
        artifact names no trainer, so the registry records the declaration: four eyes keeps both the
        registrant and the trainer from promoting the version (:func:`service.records.activation.promote`),
        and the registration's audit event names the trainer.
    :param key: the request's ``Idempotency-Key`` (the API's): a registration ``actor`` made with it is
        answered, ``replayed``, whatever was registered since; the key with another request is refused
        (:class:`~service.idempotency.IdempotencyKeyRefused`).
    """
    if key is not None and (replay := _replay(db, actor, key)) is not None:
        return replay
    trainer = actor if trained_by is None else trained_by
    row = {
        "version": artifact.version,
        "sha256": artifact.sha256,
        "artifact_json": artifact.to_json(),
        "metrics_json": json.dumps(dict(metrics) if metrics is not None else artifact_metrics(artifact),
                                   sort_keys=True, allow_nan=False),
        "card_json": json.dumps(artifact.card, sort_keys=True, allow_nan=False),
        "standard": str(artifact.metadata.get("standard", "")),
        "source": source,
        "created_at": database_now(),
        "created_by": actor,
        "trained_by": trainer,
    }
    try:
        with db.begin() as conn:
            inserted = conn.execute(insert(models).values(**row).returning(*_SUMMARY)).one()
            add_event(conn, artifact.version, action, None, f"{reason} [trained by {trainer}]", actor,
                      inserted.created_at, key)
    except IntegrityError:
        if key is not None and (replay := _replay(db, actor, key)) is not None:
            return replay  # the same request, retried at the same moment, came first
        earlier = _registered_as(db, row)
        if earlier is None:
            raise VersionExists(
                f"model version {artifact.version!r} (or its sha256) is already registered"
            ) from None
        return Registration(earlier, replayed=True)
    # not active: nothing could name the version before this transaction committed it
    return Registration(_record(inserted, None), replayed=False)


def _replay(db: Engine, actor: str, key: RequestKey) -> Registration | None:
    """The registration ``actor``'s request with ``key`` made, as it stands now, if it made one."""
    event = keyed_event(db, actor, key)
    record = None if event is None else get_model(db, event.version)
    return None if record is None else Registration(record, replayed=True)


def _registered_as(db: Engine, row: Mapping[str, Any]) -> ModelRecord | None:
    """The registered version of ``row`` when it is that very registration (the same sha256, source,
    registering actor, metrics and declared trainer), as it stands now; ``None`` when the version is
    someone else's or another
    artifact's, or only the sha256 is taken (by another version)."""
    with db.connect() as conn:
        found = conn.execute(select(*_SUMMARY).where(models.c.version == row["version"])).first()
    same = ("sha256", "source", "created_by", "metrics_json", "trained_by")
    if found is None or any(getattr(found, name) != row[name] for name in same):
        return None
    return _record(found, active_version(db))


def ensure_registered(db: Engine, artifact: ScorecardArtifact, *, source: str, actor: str) -> bool:
    """Register ``artifact`` unless its version is already there, and make it active when none is.

    Idempotent (``greenrate db upgrade`` and every worker start may call it, even at the same moment):
    returns True when this call registered it. Only a registry that never had an active model gets one
    here: one whose ``active_model`` row is gone after a promotion (deleted by hand, a partial restore) is
    left without, and the service refuses to rate until a model is promoted again, rather than making the
    packaged default active with nobody's approval (a model-risk review).
    """
    created = False
    if get_model(db, artifact.version) is None:
        try:
            registered = register(db, artifact, source=source, actor=actor, reason="packaged default model")
            created = not registered.replayed  # replayed: another process of this actor registered it
        except VersionExists:
            pass  # another process registered it first
    if active_version(db) is None and not ever_activated(db):
        try:
            with db.begin() as conn:
                activated = conn.execute(
                    insert(active_model).values(id=1, version=artifact.version, activated_at=database_now())
                    .returning(active_model.c.activated_at)
                ).scalar_one()
                add_event(conn, artifact.version, "promote", None, "first active model", actor, activated)
        except IntegrityError:
            pass  # another process activated a model first; theirs stands
    return created


def keyed_event(db: Engine, actor: str, key: RequestKey) -> ModelEvent | None:
    """The audit event ``actor``'s request with ``key`` wrote, if one did: what its retry is answered.

    :raises IdempotencyKeyRefused: the key was recorded with another request (422; nothing is done).
    """
    query = select(model_events).where(model_events.c.actor == actor,
                                       model_events.c.idempotency_key == key.key)
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.request_sha256 != key.request_sha256:
        raise IdempotencyKeyRefused(OTHER_REQUEST)
    return ModelEvent(row.id, row.version, row.action, row.previous_version, row.reason, row.actor,
                      as_utc(row.at))


def add_event(conn: Connection, version: str, action: str, previous: str | None, reason: str, actor: str,
              at: datetime, key: RequestKey | None = None) -> None:
    """Add one row to the audit trail, in the caller's transaction: under the lock of the write it
    records, so that the trail never disagrees with the registry (registering, and changing the active
    model in :mod:`service.records.activation`). ``at`` is the moment that write took from the database's
    clock (read back with RETURNING), so the event and the row it records name one moment. ``key``: the
    request's ``Idempotency-Key``, recorded with the event (:func:`keyed_event` finds it)."""
    conn.execute(insert(model_events).values(
        version=version, action=action, previous_version=previous, reason=reason, actor=actor, at=at,
        idempotency_key=None if key is None else key.key,
        request_sha256=None if key is None else key.request_sha256,
    ))


def active_version(db: Engine) -> str | None:
    """The active version (one indexed single-row read: cheap enough to poll)."""
    with db.connect() as conn:
        return conn.execute(select(active_model.c.version).where(active_model.c.id == 1)).scalar_one_or_none()


def ever_activated(db: Engine) -> bool:
    """Whether any model was ever promoted or rolled back to (so an empty ``active_model`` is a loss)."""
    query = select(model_events.c.id).where(model_events.c.action.in_(("promote", "rollback"))).limit(1)
    with db.connect() as conn:
        return conn.execute(query).first() is not None


def has_been_active(db: Engine, version: str) -> bool:
    """Whether ``version`` was ever made active (promoted or rolled back to): it may have issued ratings."""
    query = (
        select(model_events.c.id)
        .where(model_events.c.version == version, model_events.c.action.in_(("promote", "rollback")))
        .limit(1)
    )
    with db.connect() as conn:
        return conn.execute(query).first() is not None


def _record(row: Any, active: str | None) -> ModelRecord:
    return ModelRecord(row.version, row.sha256, row.standard, row.source, as_utc(row.created_at),
                       row.created_by, json.loads(row.metrics_json), json.loads(row.card_json),
                       row.version == active, row.trained_by)


_SUMMARY = (models.c.version, models.c.sha256, models.c.standard, models.c.source, models.c.created_at,
            models.c.created_by, models.c.metrics_json, models.c.card_json, models.c.trained_by)


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
    """The stored artifact, verified again on the way out (a row edited by hand is refused, not served).

    It must also be the artifact that was registered: the same version and the sha256 the row recorded.
    A model named freely (``bank-2026q3``) does not carry its hash in its name, so a consistent document
    swapped into its row would otherwise verify and rate under the old name (migration 0009 refuses such
    an UPDATE; this check also covers a database restored or copied from elsewhere).
    """
    with db.connect() as conn:
        row = conn.execute(
            select(models.c.artifact_json, models.c.sha256).where(models.c.version == version)
        ).first()
    if row is None:
        return None
    artifact = ScorecardArtifact.from_json(row.artifact_json)
    if artifact.version != version or artifact.sha256 != row.sha256:
        raise ArtifactError(
            f"the stored artifact is not the one registered as {version!r} (it is {artifact.version!r} with "
            f"sha256 {artifact.sha256[:12]}…, registered with {row.sha256[:12]}…)"
        )
    return artifact


#: Events a whole-trail read takes at a time (:func:`iter_events`): the API's largest page, the same number.
PAGE = MAX_REGISTRY_PAGE


def events_page(
    db: Engine, version: str | None = None, *, limit: int, after: int | None = None
) -> tuple[list[ModelEvent], bool]:
    """A page of the audit trail, oldest first (optionally of one version): up to ``limit`` events after
    the event ``after`` (its id), and whether more follow.

    A version's events are those naming it as the version registered, promoted or rolled back to, and
    those that took it out of service, naming it as ``previous_version`` (a rollback of it, the promotion
    that replaced it): its trail had shown it promoted and never withdrawn (a model-risk review).

    ``GET /v1/model-events`` returned every event ever recorded, and the trail only grows (a DBA's scale
    review): a page reads ``limit + 1`` rows, through the primary key or, for one version, ``limit + 1``
    ids at most through each of ``ix_model_events_version_id`` (migration 0024) and
    ``ix_model_events_previous_version_id`` (0031), merged, as a version's comparisons are read.
    """
    if after is not None and after >= largest_id(db):
        return [], False  # no id can follow it (and binding it would fail on PostgreSQL)
    t = model_events
    query = select(t).order_by(t.c.id).limit(limit + 1)
    if version is not None:

        def first_ids(column: Any) -> Any:
            ids = select(t.c.id).where(column == version).order_by(t.c.id).limit(limit + 1)
            if after is not None:
                ids = ids.where(t.c.id > after)
            return select(ids.subquery().c.id)  # a subquery: SQLite takes no LIMIT in a UNION's member

        query = query.where(t.c.id.in_(union(first_ids(t.c.version), first_ids(t.c.previous_version))))
    elif after is not None:
        query = query.where(t.c.id > after)
    with db.connect() as conn:
        rows = conn.execute(query).all()
    found = [ModelEvent(r.id, r.version, r.action, r.previous_version, r.reason, r.actor, as_utc(r.at))
             for r in rows[:limit]]
    return found, len(rows) > limit


def iter_events(db: Engine, version: str | None = None, *, page: int | None = None) -> Iterator[ModelEvent]:
    """The whole audit trail, oldest first (optionally of one version), read ``page`` events at a time
    (:data:`PAGE` by default; :func:`events_page`): ``greenrate model history`` prints each page as it
    comes."""
    after: int | None = None
    while True:
        found, more = events_page(db, version, limit=page or PAGE, after=after)
        yield from found
        if not more or not found:
            return
        after = found[-1].id


def events(db: Engine, version: str | None = None) -> list[ModelEvent]:
    """The whole audit trail, oldest first (optionally of one version)."""
    return list(iter_events(db, version))
