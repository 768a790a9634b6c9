"""Changing the active model, governed: promotion and rollback, each audited with who and why.

Registering a model (:mod:`service.records.registry`) makes nothing active; here a version is made active
only after the checks a model-risk review asks for: a reason that says something, the artifact verified
again and able to rate under the running standard, four eyes (its maker may not promote it), and the
recorded comparisons against the champion it replaces (:mod:`service.records.comparisons`), every one of
them made while that champion is active and within ``GREENRATE_MODEL_COMPARISON_VALID_DAYS``, none showing
it worse or moving the score scale or the grades beyond what a retraining does, unless the promotion says
why to accept that. Promotion and rollback change the single ``active_model`` row with
a conditional write and add a ``model_events`` row under that write's lock, in one transaction: the audit
trail can never disagree with what is active, on SQLite as on PostgreSQL. Rollbacks undo promotions as a
stack replayed from that trail.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, true, update
from sqlalchemy.exc import IntegrityError

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from rating_model.intervals import wilson_interval
from rating_model.standard import load_standard
from schemas.models import ActivateRequestSchema
from service.config.settings import DEFAULT_COMPARISON_VALID_DAYS
from service.records import comparisons, registry
from service.records.clock import database_now
from service.records.database import as_utc
from service.records.model_tables import active_model, model_events, models
from service.records.registry import (
    FitCheck,
    ModelEvent,
    NotRegistered,
    Refused,
    RegistryError,
    RequestKey,
    add_event,
    get_model,
    keyed_event,
    load_artifact,
)


class AlreadyActive(RegistryError):
    """The version to promote is the active one already."""


class ModelDoesNotFit(Refused):
    """The version's artifact cannot rate under the running standard (or no longer verifies)."""


class ReasonRefused(Refused):
    """The audit reason says nothing (the rule of the API's ``ActivateRequestSchema``)."""


class ActiveChanged(RegistryError):
    """The active version is not the one the caller said it replaces (``replacing``): nothing was changed."""


class SameActor(RegistryError):
    """Four eyes: whoever registered, uploaded or trained a version may not also promote it (403)."""

    code = 403


class NoComparison(RegistryError):
    """No recorded comparison of the challenger against the champion it would replace (the promotion
    needs one under ``GREENRATE_MODEL_REQUIRE_COMPARISON``)."""


class ComparisonFailed(RegistryError):
    """A recorded comparison shows the challenger worse than the champion beyond its bootstrap interval, or
    moving the score scale or the grades (:data:`SCORE_SHIFT_PSI`, :data:`GRADE_MIGRATION_SHARE`), and the
    promotion gave no justification for accepting that (``accept_worse``)."""


class NothingToRollBack(RegistryError):
    """Every activation in the audit trail has been undone already."""


#: Metrics of a recorded comparison where higher is better; Brier is better lower.
_HIGHER_BETTER = ("auc", "gini", "ks")


def worse_on(summary: Mapping[str, Any]) -> list[str]:
    """The metrics on which a recorded comparison shows the challenger worse, the whole 95 % interval of
    the paired difference on the wrong side of 0 (a noisy delta is not a loss)."""
    out = []
    for name, metric in dict(summary.get("metrics") or {}).items():
        higher = name in _HIGHER_BETTER
        if name not in (*_HIGHER_BETTER, "brier"):
            continue
        if (metric["ci_high"] < 0) if higher else (metric["ci_low"] > 0):
            out.append(
                f"{name} {metric['champion']:.4f} -> {metric['challenger']:.4f} "
                f"(delta {metric['delta']:+.4f}, "
                f"95 % interval [{metric['ci_low']:+.4f}, {metric['ci_high']:+.4f}])"
            )
    return out


#: A score PSI (champion's scores against the challenger's on the compared rows, in 10-point bands) above
#: which a promotion needs a justification: the usual reading of a real shift (above 0.25,
#: :func:`rating_model.monitoring.psi_label`'s "shift"). A hand-made artifact with base points +30 and its
#: probability intercept moved to match kept AUC, Gini, KS and Brier (delta 0) at a score PSI of 6.86, and
#: was promoted. Retrainings on the same population read about 0.01 to 0.06.
SCORE_SHIFT_PSI = 0.25
#: The share of the compared businesses whose grade may change without a justification: the same artifact
#: moved 47.7 % of them up a grade (627 not green to green, none down); retrainings moved about 6 %.
GRADE_MIGRATION_SHARE = 0.20


def shifted(summary: Mapping[str, Any]) -> list[str]:
    """How a recorded comparison shows the challenger moving the score scale or the grades: a score PSI
    above :data:`SCORE_SHIFT_PSI`, or more than :data:`GRADE_MIGRATION_SHARE` of the businesses changing
    grade. Ratings are read on an absolute scale (the standard's cut-offs), so a model that rescores
    everyone is a change to customers' grades even where the metrics, which only rank, are equal."""
    out = []
    psi = dict(summary.get("score_psi") or {}).get("psi")
    if isinstance(psi, int | float) and psi > SCORE_SHIFT_PSI:
        out.append(f"score PSI {psi:.4f} (above {SCORE_SHIFT_PSI}: a shift of the score scale)")
    migration = dict(summary.get("migration") or {})
    moved = migration.get("moved_share")
    if isinstance(moved, int | float) and moved > GRADE_MIGRATION_SHARE:
        out.append(f"grade migration {moved:.1%} of the businesses changed grade "
                   f"({migration.get('upgrades')} up, {migration.get('downgrades')} down; "
                   f"above {GRADE_MIGRATION_SHARE:.0%})")
    return out


#: How far (either way) a challenger's mean predicted probability may lie from the observed green rate of
#: the compared rows without a justification: the limit past which ``train`` names a segment's gap among
#: the model card's limitations (:data:`rating_model.evaluation.SEGMENT_GAP_LIMIT`).
CALIBRATION_GAP = 0.05


def miscalibrated(summary: Mapping[str, Any]) -> list[str]:
    """How a recorded comparison shows the challenger's probabilities off the compared population: its mean
    predicted probability more than :data:`CALIBRATION_GAP` from the observed green rate and outside that
    rate's 95 % Wilson interval (a gap a small holdout's noise could make is not a finding).

    The other findings rank (the metrics) or compare with the champion (Brier, the scale): a challenger as
    far off a population whose green rate moved as the champion had the same Brier and passed. A record
    made before ``compare`` gave ``calibration`` shows nothing here.
    """
    found = dict(dict(summary.get("calibration") or {}).get("challenger") or {})
    rows, predicted, observed = found.get("rows"), found.get("predicted"), found.get("observed")
    if not (isinstance(rows, int) and rows > 0 and isinstance(predicted, int | float)
            and isinstance(observed, int | float)):
        return []
    low, high = wilson_interval(round(observed * rows), rows)
    if abs(predicted - observed) <= CALIBRATION_GAP or low <= predicted <= high:
        return []
    return [f"mean predicted {predicted:.3f} against {observed:.3f} observed on {rows} rows (95 % interval "
            f"[{low:.3f}, {high:.3f}]; more than {CALIBRATION_GAP:.0%} off)"]


#: How many more of the compared businesses (a share of them) may have the challenger's score grade
#: overridden by the standard's knock-outs than the champion's, without a justification. Knock-outs depend on
#: the data, not on the model: what differs is which capped businesses a model scores above their cap. A
#: challenger that lifts them is judged on grades no business receives (its migration, its green rate by
#: grade and its metrics are the score's), so a validator reads the override rate beside them (SR 11-7:
#: overrides are a measure of a model's performance). Retrainings on one population move it by about a
#: point.
OVERRIDE_RISE = 0.05


def overridden_more(summary: Mapping[str, Any]) -> list[str]:
    """How a recorded comparison shows the standard's knock-outs overriding the challenger's score grade on
    more than :data:`OVERRIDE_RISE` more of the compared businesses than the champion's (``overrides``, which
    ``greenrate model compare`` records and prints; a record made before it counted them shows nothing)."""
    found = dict(summary.get("overrides") or {})
    champion, challenger = dict(found.get("champion") or {}), dict(found.get("challenger") or {})
    before, after = champion.get("share"), challenger.get("share")
    if not (isinstance(before, int | float) and isinstance(after, int | float)):
        return []
    if after - before <= OVERRIDE_RISE:
        return []
    return [f"knock-outs override its score grade on {after:.1%} of the businesses "
            f"({challenger.get('overridden')} of {challenger.get('rows')}) against {before:.1%} for the "
            f"champion (more than {OVERRIDE_RISE:.0%} more: its scores earn grades the standard's knock-outs "
            "take back)"]


#: Tries of a promotion or rollback that loses the race to another one (each loss means another won).
_ATTEMPTS = 50


def check_reason(reason: str, *, doing: str) -> None:
    """Refuse a reason the API refuses: one rule (:class:`ActivateRequestSchema`) for every entry point.

    A promotion or rollback is audited so that someone can later tell why it happened; ``"."`` or the
    CLI's old default ``"rollback"`` tell them nothing.

    :param doing: what the reason is for, as a client reads the refusal ("activation", "rollback").
    """
    problems = ActivateRequestSchema().validate({"reason": reason}).get("reason")
    if problems:
        raise ReasonRefused(f"reason refused: {' '.join(str(p) for p in problems)}", what=doing)


def _check_fits(db: Engine, version: str, fits: FitCheck, *, doing: str) -> ScorecardArtifact:
    """Load ``version`` (verified again) and run ``fits`` on it, so nothing unservable is ever made active.

    Workers that cannot build an engine for the active version keep the old one and only log, so a
    promotion that does not fit would leave the registry claiming a model that nobody rates with.
    """
    try:
        artifact = load_artifact(db, version)
    except ArtifactError as exc:
        raise ModelDoesNotFit(f"model version {version!r} cannot be activated: its stored artifact "
                              f"does not verify: {exc}", what=doing) from None
    if artifact is None:
        raise NotRegistered(version)
    try:
        fits(artifact)
    except ArtifactError as exc:
        raise ModelDoesNotFit(f"model version {version!r} cannot be activated: {exc}", what=doing) from None
    return artifact


def _switch(
    db: Engine, version: str, previous: str | None, *, action: str, reason: str, actor: str,
    since: datetime | None = None, key: RequestKey | None = None,
) -> bool:
    """Replace ``previous`` by ``version`` as the active model and record it; False when ``previous`` is gone
    (or, with ``since``, became active again after that moment).

    The change is a conditional write (``UPDATE ... WHERE version = :previous``, or the first INSERT),
    so the event's ``previous_version`` is exactly what was replaced. A ``SELECT ... FOR UPDATE`` would not
    do: SQLite ignores it, and pysqlite only begins the transaction at the first write, so a read before
    it may already be stale. The write itself takes the lock (SQLite's database lock, PostgreSQL's row
    lock, which re-checks the condition on the newest row), and the event is inserted under that lock.
    Both carry the moment the write took from the database's clock (:mod:`service.records.clock`), not
    this host's. ``key`` is recorded with the event: a retry with it sent at the same moment that came
    first makes the event's INSERT fail (migration 0030), and this one writes nothing.
    """
    try:
        with db.begin() as conn:
            if previous is None:
                at = conn.execute(
                    insert(active_model).values(id=1, version=version, activated_at=database_now())
                    .returning(active_model.c.activated_at)
                ).scalar_one()
            else:
                at = conn.execute(
                    update(active_model)
                    .where(active_model.c.id == 1, active_model.c.version == previous,
                           true() if since is None else active_model.c.activated_at <= since)
                    .values(version=version, activated_at=database_now())
                    .returning(active_model.c.activated_at)
                ).scalar_one_or_none()
                if at is None:
                    return False  # another activation came first; nothing was written
            add_event(conn, version, action, previous, reason, actor, at, key)
    except IntegrityError:
        return False  # another process inserted the first active row first, or recorded ``key`` first
    return True


def _keyed(db: Engine, actor: str, key: RequestKey | None, action: str) -> Switched | None:
    """What ``actor``'s request with ``key`` did, if it was this ``action`` (a promotion or a rollback),
    as its retry is answered: whatever was promoted or rolled back since, nothing is done again.

    :raises IdempotencyKeyRefused: the key was recorded with another request.
    """
    found = None if key is None else keyed_event(db, actor, key)
    if found is None or found.action != action:
        return None
    return Switched(found.version, found.previous_version, replayed=True)


def _expect(active: str | None, replacing: str | None, doing: str, *, next_step: str) -> None:
    if replacing is not None and active != replacing:
        raise ActiveChanged(
            f"{doing} refused: the active model is {active!r}, not {replacing!r} as expected (it changed "
            f"meanwhile, or {replacing!r} was never active); nothing was changed. {next_step}"
        )


@dataclass(frozen=True, slots=True)
class Switched:
    """What :func:`promote` or :func:`roll_back` answers: ``version`` is active now in place of
    ``previous``, and ``replayed`` says this call repeated the promotion or rollback recorded before (its
    answer lost, say), so nothing was written or audited again: the API says so with
    ``Idempotent-Replayed``, as a replayed registration does."""

    version: str
    previous: str | None
    replayed: bool


def activate(
    db: Engine,
    version: str,
    *,
    actor: str,
    reason: str,
    fits: FitCheck,
    replacing: str | None = None,
    four_eyes: bool = False,
    require_comparison: bool = False,
    accept_worse: str | None = None,
    comparison_valid_days: int = DEFAULT_COMPARISON_VALID_DAYS,
) -> str | None:
    """:func:`promote`, answering only the version it replaced, as promotions always answered (for the
    callers that need not know whether it was a retry)."""
    return promote(db, version, actor=actor, reason=reason, fits=fits, replacing=replacing,
                   four_eyes=four_eyes, require_comparison=require_comparison, accept_worse=accept_worse,
                   comparison_valid_days=comparison_valid_days).previous


def promote(
    db: Engine,
    version: str,
    *,
    actor: str,
    reason: str,
    fits: FitCheck,
    replacing: str | None = None,
    four_eyes: bool = False,
    require_comparison: bool = False,
    accept_worse: str | None = None,
    comparison_valid_days: int = DEFAULT_COMPARISON_VALID_DAYS,
    key: RequestKey | None = None,
) -> Switched:
    """Promote ``version`` to the active model, audited with who and why; answers the version it replaced,
    and whether this call repeated the promotion recorded before (``replayed``).

    :param replacing: the version the caller expects to replace (the champion its comparison was made
        against). When given, the promotion happens only while that version is active, as one conditional
        write: a promotion or rollback that came first makes this one fail with :class:`ActiveChanged`
        instead of silently replacing a model nobody compared the challenger with.
    :param fits: the check the workers apply before they rate with a model (for the service,
        ``functools.partial(service.model_watch.engine_for, standard)``); its ArtifactError refuses the
        promotion with :class:`ModelDoesNotFit`.
    :raises ReasonRefused: the reason says nothing (the API's rule).
    :raises NotRegistered: no such version.
    :raises ModelDoesNotFit: its artifact does not verify or does not fit the running standard.
    :raises AlreadyActive: it is the active version already (a no-op promotion would only make the next
        rollback undo nothing), unless this call repeats the promotion that made it active
        (:func:`_repeated`: the same actor, reason and ``replacing``, nothing promoted or rolled back
        since): that answers what it replaced, as it did, ``replayed``, and records nothing. Its client
        retries a promotion whose answer was lost after the commit, and got this refusal for its own
        promotion (concurrency review).
    :raises ActiveChanged: ``replacing`` is given and is not the active version.
    :raises SameActor: ``four_eyes`` is on and ``actor`` registered, uploaded or trained ``version`` (its
        trainer as its registrant declared it, migration 0028; the service and the CLI pass
        ``GREENRATE_MODEL_FOUR_EYES``, on by default: a model's maker does not approve it). A version
        registered before trainers were recorded is checked against its registrant only, and the
        promotion's audit event says so.
        Actors are compared as the trail names them: an API key's tenant/prefix (also the CLI's, with
        ``GREENRATE_ANALYST_KEY``) or ``cli/<account>``. Where the maker is an account and the promoter a
        key, or the other way round, nothing ties them: the promotion goes ahead and its audit event says
        four eyes could not be verified.
    :raises NoComparison: ``require_comparison`` is on (``GREENRATE_MODEL_REQUIRE_COMPARISON``) and no
        comparison of ``version`` against the active model that counts was recorded
        (:func:`service.records.comparisons.not_evidence`), or every one is out of date
        (:func:`service.records.comparisons.out_of_date`: recorded before the champion last became active,
        or more than ``comparison_valid_days`` ago, ``GREENRATE_MODEL_COMPARISON_VALID_DAYS``); the refusal
        says why each does not count, and the promotion's audit event names every recorded one, counted
        or not.
    :raises ComparisonFailed: any counted comparison shows ``version`` worse than the active model (AUC,
        Gini or KS lower, or Brier higher, beyond the bootstrap interval), moving the score scale or the
        grades (:func:`shifted`), off the observed rate (:func:`miscalibrated`) or overridden by the
        standard's knock-outs more often than the champion (:func:`overridden_more`), and ``accept_worse``
        gives no justification: a model trained on random labels (AUC 0.50 against 0.70) had been promoted
        with the reason "CR-2 ok", and a worse model on the strength of a second comparison on a slice of
        the holdout (model-risk reviews). The justification, checked like a reason, goes into the audit
        event with what it overrides.
    :param key: the request's ``Idempotency-Key`` (the API's), recorded with the promotion's audit event:
        a promotion ``actor`` made with it is answered as it was, ``replayed``, whatever was promoted or
        rolled back since (a rollback by a colleague, and the retry had promoted it a second time); the key
        with another request is refused (:class:`~service.idempotency.IdempotencyKeyRefused`).
    """
    if (done := _keyed(db, actor, key, "promote")) is not None:
        return done
    check_reason(reason, doing="activation")
    challenger = _check_fits(db, version, fits, doing="activation")
    makers, trainer_recorded = _makers(db, version)
    if four_eyes and not trainer_recorded:
        # registered before the registry recorded trainers (migration 0028): its trainer is unknown
        reason = (f"{reason} [trainer not recorded (registered before migration 0028): four eyes checked "
                  "against its registrant only]")
    promoter = _kind(actor)
    untied = sorted(m for m in makers if promoter is not None and _kind(m) not in (None, promoter))
    if four_eyes and untied:
        # four eyes compares names: an operating-system account and an API key may be one person
        reason = (f"{reason} [four eyes not verifiable: made by {', '.join(untied)}, promoted by {actor}: an "
                  "operating-system account and an API key are not tied to one person]")
    if actor in makers:
        if four_eyes:
            raise SameActor(
                f"promoting {version!r} refused: {actor} {makers[actor]} it, and a model's maker may not "
                "also promote it (whoever trained or registered it; four eyes, GREENRATE_MODEL_FOUR_EYES); "
                "another analyst must promote it. Nothing was changed."
            )
        # allowed where four eyes is off, but never silently: the trail says who approved their own model
        reason = f"{reason} [promoted by its own maker: four eyes off]"
    for _ in range(_ATTEMPTS):
        if (done := _keyed(db, actor, key, "promote")) is not None:
            return done  # the same request, retried at the same moment, came first
        state = comparisons.standing(db, comparison_valid_days)
        previous = state.active
        if previous == version:
            repeated = _repeated(db, version, actor=actor, reason=reason, replacing=replacing)
            if repeated is not None:
                return Switched(version, repeated.previous_version, replayed=True)  # audited once
            raise AlreadyActive(f"model version {version!r} is already the active one")
        _expect(previous, replacing, f"promoting {version!r}",
                next_step="Compare with the active model again before promoting.")
        evidence = _evidence(db, challenger, state, required=require_comparison, accept_worse=accept_worse)
        audited = f"{reason} [{evidence}]"
        # conditional on the champion's tenure the evidence was judged in, not only on its name: a
        # promotion and a rollback to it meanwhile would have made comparisons recorded before them stale
        if _switch(db, version, previous, action="promote", reason=audited, actor=actor,
                   since=state.active_since, key=key):
            return Switched(version, previous, replayed=False)
    raise RegistryError(f"the active model changed {_ATTEMPTS} times while promoting {version!r}; try again")


def _repeated(
    db: Engine, version: str, *, actor: str, reason: str, replacing: str | None
) -> ModelEvent | None:
    """The promotion of ``version`` a promotion by ``actor`` with ``reason`` and ``replacing`` repeats, if the
    last activation is that one (so nothing was promoted or rolled back since); ``None`` otherwise.

    Its audited reason is ``reason`` followed by the evidence :func:`_evidence` names, in brackets, and
    ``replacing`` (when given) must be the version it replaced: a promotion with another reason or champion
    is another request, refused as a no-op, not a retry. The evidence must follow ``reason`` at once: a
    reason that only begins the audited one ("CR-7" of "CR-7 [board] [comparison #3 ...]") is another.
    """
    found = _last_activation(db)
    if (
        found is None or found.action != "promote" or found.version != version or found.actor != actor
        or not found.reason.startswith(f"{reason} [")
        or not found.reason[len(reason) + 2:].startswith(_EVIDENCE_STARTS)
        or (replacing is not None and found.previous_version != replacing)
    ):
        return None
    return found


def _repeated_rollback(db: Engine, undoing: str, *, actor: str, reason: str) -> ModelEvent | None:
    """The rollback of ``undoing`` a rollback by ``actor`` with ``reason`` repeats, if the last activation
    is that one (so nothing was promoted or rolled back since); ``None`` otherwise. A rollback's reason is
    audited as given, so it must be the same; another actor or reason is another request (its 409 stands:
    ``undoing`` is not active)."""
    found = _last_activation(db)
    if (
        found is None or found.action != "rollback" or found.previous_version != undoing
        or found.actor != actor or found.reason != reason
    ):
        return None
    return found


def _last_activation(db: Engine) -> ModelEvent | None:
    """The newest promotion or rollback in the audit trail: the one that made the active model active."""
    last = (
        select(model_events)
        .where(model_events.c.action.in_(("promote", "rollback")))
        .order_by(model_events.c.id.desc())
        .limit(1)
    )
    with db.connect() as conn:
        found = conn.execute(last).first()
    if found is None:
        return None
    return ModelEvent(found.id, found.version, found.action, found.previous_version, found.reason,
                      found.actor, as_utc(found.at))


#: How every evidence :func:`_evidence` names begins: what follows a promotion's reason in its audit event.
_EVIDENCE_STARTS = ("comparison #", "no recorded comparison")


def _evidence(
    db: Engine, challenger: ScorecardArtifact, state: comparisons.Standing, *, required: bool,
    accept_worse: str | None = None,
) -> str:
    """How the promotion's audit event names the recorded comparisons it rests on: every one of the pair,
    those that do not count with why. Without one that counts, refused when ``required``, else said (the
    CLI reads the setting from whoever runs it: never silently off).

    Every counted comparison is read, not the newest: a maker whose comparison on the full holdout showed
    the challenger worse had recorded a second one on a slice of it, and the promotion rested on that.
    """
    version, champion = challenger.version, state.active
    recorded = [] if champion is None else comparisons.of_pair(db, version, champion)
    trained_for = _trained_for(db, champion) if recorded else None  # every one is against ``champion``
    counted, set_aside = [], []
    for found in recorded:
        why = _not_counted(found, challenger, trained_for, state)
        if why is None:
            counted.append(found)
        else:
            set_aside.append(f"comparison #{found.id} not counted: {why}")
    if not counted:
        uncounted = f" that counts ({'; '.join(set_aside)})" if set_aside else ""
        if not required:
            return _unneeded(f"no recorded comparison{uncounted}: GREENRATE_MODEL_REQUIRE_COMPARISON off",
                             accept_worse)
        raise NoComparison(
            f"promoting {version!r} refused: no comparison of it against the active model {champion!r} was "
            f"recorded{uncounted}; run `greenrate model compare {champion} {version} --data LABELLED_FILE "
            "--record` and read it first (GREENRATE_MODEL_REQUIRE_COMPARISON). Nothing was changed."
        )
    findings = [f"comparison #{found.id} {finding}" for found in counted
                for finding in needs_justification(found)]
    named = "; ".join([c.evidence() for c in counted] + set_aside)
    if not findings:
        return _unneeded(named, accept_worse)
    if accept_worse is None:
        raise ComparisonFailed(
            f"promoting {version!r} refused: its recorded comparisons against {champion!r} need a "
            f"justification: {'; '.join(findings)} ({named}). Promote it only with a justification for "
            "accepting that (the API's accept_worse, the CLI's --accept-worse), which the audit trail keeps. "
            "Nothing was changed."
        )
    check_reason(accept_worse, doing="activation")
    return f"{named}; {'; '.join(findings)}; accepted because: {accept_worse}"


def _unneeded(evidence: str, accept_worse: str | None) -> str:
    """``evidence``, followed by an ``accept_worse`` sent when nothing needed justifying.

    It was dropped unsaid (bank integration review): the promoter justified accepting a loss the
    comparisons did not show, which an auditor reading the trail should see (a promotion resting on other
    numbers than its maker believed), so it is kept, said to have been unneeded, and checked as a reason.
    """
    if accept_worse is None:
        return evidence
    check_reason(accept_worse, doing="activation")
    return f"{evidence}; nothing needed justifying, accept_worse given anyway: {accept_worse}"


def needs_justification(found: comparisons.Comparison) -> list[str]:
    """What in a recorded comparison a promotion resting on it must justify (``accept_worse``)."""
    out = []
    if losses := worse_on(found.summary):
        out.append(f"shows it worse on {'; '.join(losses)}")
    if moves := shifted(found.summary):
        out.append(f"shows it moving {'; '.join(moves)}")
    if off := miscalibrated(found.summary):
        out.append(f"shows its probabilities off the observed rate: {'; '.join(off)}")
    if overridden := overridden_more(found.summary):
        out.append(f"shows {'; '.join(overridden)}")
    return out


def _trained_for(db: Engine, champion: str | None) -> str | None:
    """The standard ``champion`` was trained for (its registry row's; ``None`` when not registered)."""
    record = None if champion is None else get_model(db, champion)
    return record.standard if record is not None else None


def _not_counted(
    found: comparisons.Comparison, challenger: ScorecardArtifact, trained_for: str | None,
    state: comparisons.Standing,
) -> str | None:
    """Why the promotion gate does not count ``found`` now (``None``: it counts): no evidence in this
    release (:func:`~service.records.comparisons.not_evidence`), or out of date
    (:func:`~service.records.comparisons.out_of_date`). ``trained_for`` is the standard of ``found``'s
    champion (:func:`_trained_for`), read by the caller once per champion, not once per comparison."""
    why = comparisons.not_evidence(challenger, trained_for, found.data, found.summary, load_standard())
    return str(why) if why is not None else comparisons.out_of_date(found, state)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A recorded comparison as an approver reads it: whether a promotion of its challenger replacing the
    active model counts it now (its champion must be that model), until when at the latest, and what in it
    that promotion would have to justify."""

    comparison: comparisons.Comparison
    not_counted: str | None
    needs_justification: list[str]
    valid_until: datetime


class _Gate:
    """The promotion gate's judgement of recorded comparisons as the registry stands now (one read of the
    active model and the database's clock), each challenger's artifact loaded and verified once and each
    champion's standard read once: the comparisons table is append-only and ``greenrate model compare``
    records by default, so reads per comparison made ``GET /v1/models`` cost 2,012 queries (0.8 s) at
    1,000 of them; the reads now grow with the models compared, not with the comparisons."""

    def __init__(self, db: Engine, valid_days: int) -> None:
        self.db = db
        self.state = comparisons.standing(db, valid_days)
        self._challengers: dict[str, ScorecardArtifact | str] = {}
        self._trained_for: dict[str, str | None] = {}

    def not_counted(self, found: comparisons.Comparison) -> str | None:
        """Why a promotion of ``found``'s challenger would not count it now (``None``: it would)."""
        challenger = self._challengers.get(found.challenger)
        if challenger is None:
            try:
                artifact = load_artifact(self.db, found.challenger)
                challenger = artifact if artifact is not None else "it is not registered"
            except ArtifactError as exc:
                challenger = f"the challenger's stored artifact does not verify: {exc}"
            self._challengers[found.challenger] = challenger
        if isinstance(challenger, str):
            return challenger
        if found.champion not in self._trained_for:
            self._trained_for[found.champion] = _trained_for(self.db, found.champion)
        return _not_counted(found, challenger, self._trained_for[found.champion], self.state)


def reviewed(
    db: Engine, version: str, *, valid_days: int = DEFAULT_COMPARISON_VALID_DAYS, limit: int,
    after: int | None = None,
) -> tuple[list[Reviewed], bool]:
    """A page of the recorded comparisons ``version`` took part in (challenger or champion), oldest first,
    up to ``limit`` after the comparison ``after`` (:func:`service.records.comparisons.of_model`), each
    judged by the promotion gate's own rules as the registry stands now, and whether more follow:
    ``GET /v1/models/{version}/comparisons``. Nothing listed them, so an approver saw only the one the audit
    trail named.

    :param valid_days: how many days a comparison counts (``GREENRATE_MODEL_COMPARISON_VALID_DAYS``).
    :raises NotRegistered: no such version.
    """
    if get_model(db, version) is None:
        raise NotRegistered(version)
    return _reviewed(db, _Gate(db, valid_days), version, limit, after)


def iter_reviewed(
    db: Engine, version: str, *, valid_days: int = DEFAULT_COMPARISON_VALID_DAYS, page: int | None = None
) -> Iterator[Reviewed]:
    """Every recorded comparison ``version`` took part in, oldest first, judged as :func:`reviewed` judges,
    read ``page`` at a time (:data:`~service.records.registry.PAGE` by default) under one judgement of the
    registry: ``greenrate model comparisons`` prints each page as it comes.

    :raises NotRegistered: no such version.
    """
    if get_model(db, version) is None:
        raise NotRegistered(version)
    gate, after = _Gate(db, valid_days), None
    while True:
        found, more = _reviewed(db, gate, version, page or registry.PAGE, after)
        yield from found
        if not more or not found:
            return
        after = found[-1].comparison.id


def _reviewed(
    db: Engine, gate: _Gate, version: str, limit: int, after: int | None
) -> tuple[list[Reviewed], bool]:
    found, more = comparisons.of_model(db, version, limit=limit, after=after)
    return [Reviewed(c, gate.not_counted(c), needs_justification(c), gate.state.valid_until(c))
            for c in found], more


def measured(db: Engine, *, valid_days: int = DEFAULT_COMPARISON_VALID_DAYS) -> dict[str, dict[str, Any]]:
    """Per registered version, its metrics in the newest recorded comparison the gate counts now, else in
    its newest, marked not counted with why (:func:`service.records.comparisons.newest_measured`), judged
    as :func:`reviewed` judges: ``measured`` in ``GET /v1/models`` and ``greenrate model list``."""
    gate = _Gate(db, valid_days)
    return comparisons.newest_measured(db, gate.not_counted, gate.state)


def _kind(actor: str) -> str | None:
    """What the audit trail's ``actor`` names: ``account``, an operating-system account (the CLI without
    ``GREENRATE_ANALYST_KEY``); ``key``, an API key's tenant/prefix; ``None``, the service itself
    (``greenrate`` registers the packaged default)."""
    if actor.startswith("cli/"):
        return "account"
    return "key" if "/" in actor else None


def _makers(db: Engine, version: str) -> tuple[dict[str, str], bool]:
    """Who registered, uploaded or trained ``version`` (its audit events, its row's ``created_by`` and
    ``trained_by``), each with what they did: under four eyes, not who may promote it (independent
    validation, SR 11-7: a model's developer does not approve it); and whether its trainer was recorded
    (``False`` for a version registered before migration 0028)."""
    with db.connect() as conn:
        registrants = conn.execute(
            select(model_events.c.actor).where(
                model_events.c.version == version, model_events.c.action.in_(("register", "upload"))
            )
        ).scalars().all()
        row = conn.execute(select(models.c.created_by, models.c.trained_by).where(models.c.version == version)
                           ).first()
    makers = dict.fromkeys(registrants, "registered")
    trained_by = None if row is None else row.trained_by
    if row is not None:
        makers.setdefault(row.created_by, "registered")
    if trained_by is not None:
        makers[trained_by] = "trained" if trained_by not in makers else "trained and registered"
    return makers, trained_by is not None


def _activation_stack(conn: Connection) -> list[str]:
    """The activations not undone yet, oldest first, replayed from the audit trail (the last is active).

    A promotion pushes its version; a rollback pops the activation it undid, so a second rollback goes
    further back instead of re-activating what the first one undid. Two shapes an older release could
    record are absorbed: a promotion of the version already active (a no-op, skipped) and a rollback that
    re-activated a version that was not beneath the top (treated as a promotion of it).
    """
    rows = conn.execute(
        select(model_events.c.version, model_events.c.action)
        .where(model_events.c.action.in_(("promote", "rollback")))
        .order_by(model_events.c.id)
    )
    stack: list[str] = []
    for version, action in rows:
        if action == "rollback" and stack:
            stack.pop()
        if not stack or stack[-1] != version:
            stack.append(version)
    return stack


def _undo_target(stack: list[str]) -> str:
    if not stack:
        raise NothingToRollBack("nothing to roll back to: no model has been activated")
    if len(stack) < 2:
        raise NothingToRollBack(f"nothing to roll back to: every promotion before {stack[-1]!r} "
                                "has been rolled back already (or it was the first active model)")
    return stack[-2]


def rollback(
    db: Engine, *, actor: str, reason: str, fits: FitCheck, undoing: str | None = None
) -> tuple[str, str]:
    """:func:`roll_back`, answering (version re-activated, version undone), as rollbacks always answered
    (for the callers that need not know whether it was a retry)."""
    done = roll_back(db, actor=actor, reason=reason, fits=fits, undoing=undoing)
    assert done.previous is not None  # a rollback always undoes an activation
    return done.version, done.previous


def roll_back(
    db: Engine, *, actor: str, reason: str, fits: FitCheck, undoing: str | None = None,
    key: RequestKey | None = None,
) -> Switched:
    """Undo the latest activation not yet undone; answers the version re-activated, the version undone
    (``previous``), and whether this call repeated the rollback recorded before (``replayed``).

    Rollbacks walk back through the promotions (C → B → A) and are events of their own: the trail stays
    append-only. The target is checked like a promotion (``fits``), in case the running standard has
    moved on since it was active.

    :param undoing: the version the caller means to take out. When given and another version is active
        (two people rolling back the same incident at once), nothing changes (:class:`ActiveChanged`),
        rather than the second rollback walking back one promotion further than anyone intended. But when
        this call repeats the rollback that took ``undoing`` out (:func:`_repeated_rollback`: the same
        actor and reason, nothing promoted or rolled back since), it answers what that one did, as it did,
        ``replayed``, and records nothing: its client retries a rollback whose answer was lost after the
        commit, and got :class:`ActiveChanged` for its own rollback (concurrency review). Without
        ``undoing`` a rollback run again walks back further, as asked: a retry cannot be told from a second
        rollback.
    :param key: the request's ``Idempotency-Key`` (the API's), recorded with the rollback's audit event: a
        rollback ``actor`` made with it is answered as it was, ``replayed``, whatever happened since (the
        same version promoted again meanwhile, and the retry had rolled it back a second time); the key
        with another request is refused (:class:`~service.idempotency.IdempotencyKeyRefused`).
    """
    check_reason(reason, doing="rollback")
    for _ in range(_ATTEMPTS):
        if (done := _keyed(db, actor, key, "rollback")) is not None:
            return done
        with db.connect() as conn:
            stack = _activation_stack(conn)
        if undoing is not None and (stack[-1] if stack else None) != undoing:
            repeated = _repeated_rollback(db, undoing, actor=actor, reason=reason)
            if repeated is not None:
                return Switched(repeated.version, undoing, replayed=True)  # audited once
        _expect(stack[-1] if stack else None, undoing, "rolling back",
                next_step="Read `greenrate model history` before rolling back.")
        target = _undo_target(stack)
        _check_fits(db, target, fits, doing="rollback")
        # conditional on the trail's last version: a concurrent change (or a trail that disagrees with
        # the active row) writes nothing, and the stack is read again
        if _switch(db, target, stack[-1], action="rollback", reason=reason, actor=actor, key=key):
            return Switched(target, stack[-1], replayed=False)
    raise RegistryError(f"could not roll back: the active model is not {stack[-1]!r}, the last version "
                        "the audit trail activated (it changed meanwhile, or was set outside the registry)")
