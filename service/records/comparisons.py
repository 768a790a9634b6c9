"""Recorded comparisons (migration 0010): what ``greenrate model compare --record`` measured, as evidence.

A promotion under ``GREENRATE_MODEL_REQUIRE_COMPARISON`` needs one of these for the challenger against the
champion it replaces, and its audit event names it, so a validator can go from "who promoted what and why"
to the numbers it rested on: which labelled file (by sha256), how many rows, and the metric deltas with
their confidence intervals. A record is made only for models as registered (same version, same sha256):
evidence about a file that differs from what would be promoted is no evidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from rating_model.artifact import ScorecardArtifact
from service.records.database import as_utc
from service.records.model_tables import model_comparisons, models
from service.records.registry import NotRegistered, RegistryError


class NotAsRegistered(RegistryError):
    """A compared artifact is not the one registered under its version (other content, same name)."""


#: The fewest rows a comparison a promotion rests on may be made on: on fewer, the bootstrap intervals of
#: AUC or KS deltas of a few hundredths are noise (a 40-row file had been recorded, and as the newest record
#: it was the one the promotion rested on).
MIN_ROWS = 1000


class TooFewRows(RegistryError):
    """A comparison on fewer rows than :data:`MIN_ROWS`."""


class InSample(RegistryError):
    """A compared model was trained on the very file it was compared on: its metrics there flatter it."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One recorded comparison: ``data`` names the file (``file``, ``file_sha256`` of its bytes,
    ``rows_sha256`` of its rows as read, ``rows_read``, ``rows_left_out``, ``trained_on_it``, ``standard``,
    ``samples``), ``summary`` is what ``greenrate model compare`` printed."""

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


def record(
    db: Engine,
    challenger: ScorecardArtifact,
    champion: ScorecardArtifact,
    *,
    data: Mapping[str, Any],
    summary: Mapping[str, Any],
    actor: str,
) -> Comparison:
    """Keep a comparison of two registered models; refuses one of a model not (or not so) registered, and
    one on a file either model was trained on (``data["trained_on_it"]``): no promotion rests on that."""
    rows = int(summary.get("rows", 0))
    if rows < MIN_ROWS:
        raise TooFewRows(f"the comparison was made on {rows} rows; a promotion rests only on one of at least "
                         f"{MIN_ROWS} rated rows")
    if data.get("trained_on_it"):
        raise InSample(f"{', '.join(data['trained_on_it'])} was trained on {data.get('file')}: its metrics "
                       "there are optimistic, so they are no evidence for a promotion; compare on data it "
                       "has not seen")
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
    now = datetime.now(UTC)
    row = {"challenger": challenger.version, "champion": champion.version,
           "data_json": json.dumps(dict(data), sort_keys=True, allow_nan=False),
           "summary_json": json.dumps(dict(summary), sort_keys=True, allow_nan=False),
           "recorded_by": actor, "at": now}
    with db.begin() as conn:
        inserted = conn.execute(insert(model_comparisons).values(**row)).inserted_primary_key
    assert inserted is not None
    return Comparison(int(inserted[0]), challenger.version, champion.version, dict(data), dict(summary),
                      actor, now)


def latest(db: Engine, challenger: str, champion: str) -> Comparison | None:
    """The newest recorded comparison of ``challenger`` against ``champion``, if any."""
    t = model_comparisons
    with db.connect() as conn:
        row = conn.execute(
            select(t).where(t.c.challenger == challenger, t.c.champion == champion).order_by(t.c.id.desc())
        ).first()
    if row is None:
        return None
    return Comparison(row.id, row.challenger, row.champion, json.loads(row.data_json),
                      json.loads(row.summary_json), row.recorded_by, as_utc(row.at))
