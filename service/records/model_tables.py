"""The model registry tables (migrations 0002, 0010, 0028 to 0031): artifacts, the one active version, the
audit trail and the recorded comparisons a promotion rests on.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers them.
A single-row ``active_model`` table (primary key fixed to 1 by a CHECK constraint, version a foreign key
into ``models``) makes "exactly one active version" a property of the schema on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from service.records.tables import metadata

models = Table(
    "models",
    metadata,
    Column("version", String(80), primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True, comment="The artifact's own content hash"),
    Column("artifact_json", Text, nullable=False, comment="Canonical artifact JSON, verified"),
    Column("metrics_json", Text, nullable=False, comment="Holdout metrics (JSON object)"),
    Column("card_json", Text, nullable=False, comment="Model card (JSON object)"),
    Column("standard", String(80), nullable=False, comment="Standard label it was trained for"),
    Column("source", String(16), nullable=False, comment="packaged | cli | upload"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("trained_by", String(120), nullable=True,
           comment="Who trained it, as its registrant declared (0028); null: registered before trainers were "
           "recorded"),
)

active_model = Table(
    "active_model",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", String(80), ForeignKey("models.version"), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="ck_active_model_single_row"),
)

model_events = Table(
    "model_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(80), ForeignKey("models.version"), nullable=False),
    Column("action", String(16), nullable=False, comment="register | upload | promote | rollback"),
    Column("previous_version", String(80), nullable=True),
    Column("reason", Text, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", String(255), nullable=True,
           comment="The Idempotency-Key of the /v1/models request that wrote the event, if any (0029)"),
    Column("request_sha256", String(64), nullable=True,
           comment="sha256 hex of that request (path and body), to refuse the key with another (0029)"),
    CheckConstraint("action IN ('register', 'upload', 'promote', 'rollback')", name="ck_model_events_action"),
)

Index("ix_model_events_at", model_events.c.at)
# A page of one version's events without reading the whole trail (migration 0024).
Index("ix_model_events_version_id", model_events.c.version, model_events.c.id)
# ... and of the events that took a version out of service (a rollback of it, the promotion replacing it;
# migration 0031).
Index("ix_model_events_previous_version_id", model_events.c.previous_version, model_events.c.id)
# One event per actor and Idempotency-Key: a retry sent at the same moment is answered the first's (0030).
_KEYED = model_events.c.idempotency_key.is_not(None)
Index("ix_model_events_actor_idempotency_key", model_events.c.actor, model_events.c.idempotency_key,
      unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED)

model_comparisons = Table(
    "model_comparisons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("challenger", String(80), ForeignKey("models.version"), nullable=False),
    Column("champion", String(80), ForeignKey("models.version"), nullable=False),
    Column("data_json", Text, nullable=False, comment="The labelled file: name, sha256, rows read, left out"),
    Column("summary_json", Text, nullable=False, comment="Metric deltas with CIs, PSI, grade migration"),
    Column("recorded_by", String(120), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

Index("ix_model_comparisons_challenger_champion", model_comparisons.c.challenger,
      model_comparisons.c.champion)
# A page of a version's comparisons in either role, its newest in each, and the comparisons against the
# active model still within the validity period, without reading every comparison recorded (migration 0024).
Index("ix_model_comparisons_challenger_id", model_comparisons.c.challenger, model_comparisons.c.id)
Index("ix_model_comparisons_champion_id", model_comparisons.c.champion, model_comparisons.c.id)
Index("ix_model_comparisons_champion_at", model_comparisons.c.champion, model_comparisons.c.at)
