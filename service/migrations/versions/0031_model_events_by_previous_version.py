"""An index of the audit trail by the version an event replaced: ``ix_model_events_previous_version_id``.

A model-risk review: one version's audit trail (``GET /v1/model-events?version=``, ``greenrate model
history --version``) listed the events naming it as the version registered, promoted or rolled back to,
but not those that took it out of service: a rollback of it, or the promotion that replaced it, is
recorded under the version made active, with it as ``previous_version``. An auditor reading a version's
history saw it promoted and never withdrawn. The listing now reads both, each through its own index, as
a version's comparisons are read in either role (migration 0024).

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: every worker
polls the registry meanwhile. Downgrading drops the index and loses nothing.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from service.records import online_index

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An index only.
compatible_with_previous_code: bool = True


def upgrade() -> None:
    online_index.create_index("ix_model_events_previous_version_id", "model_events",
                              ("previous_version", "id"))


def downgrade() -> None:
    online_index.drop_index("ix_model_events_previous_version_id", "model_events")
