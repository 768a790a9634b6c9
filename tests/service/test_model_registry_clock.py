"""The model governance records are dated by the database's clock, not by the clock of the writing host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rating_model.artifact import ScorecardArtifact
from service.models import register_packaged_default
from service.records import activation, migrate, registry
from service.records.clock import database_time
from service.records.database import as_utc
from service.records.model_tables import active_model, model_comparisons, model_events, models
from tests.conftest import AppFactory, services_of
from tests.service.model_fixtures import record_comparison, variant_document
from tests.service.test_model_registry import DEFAULT_VERSION, FITS

#: The modules that write the registry's rows: each had dated them with its own ``datetime.now``.
WRITERS = ("service.records.registry", "service.records.activation", "service.records.comparisons")


class _DayFast(datetime):
    """The clock of an app host that runs a day ahead of the others."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + timedelta(days=1)


def _now(db: Engine) -> datetime:
    with db.connect() as conn:
        return database_time(conn)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_host_with_a_fast_clock_cannot_date_the_governance_records(
    request: pytest.FixtureRequest, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """A validator's review: the registry's timestamps were the writer's clock, so two app hosts whose
    clocks drift apart could date a promotion before the comparison it rested on, and a comparison's age
    (which the promotion gate reads) was whatever its writer's clock said."""
    overrides = {} if backend == "sqlite" else {"DATABASE_URL": request.getfixturevalue("postgres_url")}
    db = services_of(make_app(**overrides)).db
    migrate.upgrade(db)
    register_packaged_default(db)
    before = _now(db)
    for module in WRITERS:
        monkeypatch.setattr(f"{module}.datetime", _DayFast, raising=False)
    artifact = ScorecardArtifact.from_dict(variant_document("fast-host"))
    registry.register(db, artifact, source="cli", actor="ann", reason="from the fast host")
    record_comparison(db, artifact.version, DEFAULT_VERSION)
    activation.activate(db, artifact.version, actor="bob", reason="CR-40 approved", fits=FITS,
                        replacing=DEFAULT_VERSION, require_comparison=True)
    activation.rollback(db, actor="bob", reason="CR-41 undone", fits=FITS, undoing=artifact.version)
    after = _now(db)
    assert after - before < timedelta(minutes=5)  # the database's clock: nowhere near a day on
    with db.connect() as conn:
        created = conn.execute(
            select(models.c.created_at).where(models.c.version == artifact.version)
        ).scalar_one()
        compared = conn.execute(select(model_comparisons.c.at)).scalar_one()
        activated = conn.execute(select(active_model.c.activated_at)).scalar_one()
        trail = conn.execute(select(model_events.c.action, model_events.c.at)
                             .where(model_events.c.version == artifact.version)
                             .order_by(model_events.c.id)).all()
    trail_at = [as_utc(at) for _, at in trail]
    moments = [as_utc(m) for m in (created, compared, activated)] + trail_at
    assert all(before <= m <= after for m in moments), (before, moments, after)
    # in the order they happened: registered, compared, promoted; the rollback's moment is the active row's
    assert [action for action, _ in trail] == ["register", "promote"]
    assert trail_at[0] <= moments[1] <= trail_at[1] <= moments[2]
    rolled_back = [e for e in registry.events(db) if e.action == "rollback"][-1]
    assert rolled_back.at == moments[2] and rolled_back.at.tzinfo == UTC
