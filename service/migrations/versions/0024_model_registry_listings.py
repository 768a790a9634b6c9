"""Indexes of the model registry's listings: ``ix_model_events_version_id`` (``version``, ``id``),
``ix_model_comparisons_challenger_id`` (``challenger``, ``id``), ``ix_model_comparisons_champion_id``
(``champion``, ``id``) and ``ix_model_comparisons_champion_at`` (``champion``, ``at``).

A DBA's scale review: ``GET /v1/model-events`` and ``GET /v1/models/{version}/comparisons`` returned every
row ever recorded, and ``GET /v1/models`` read every recorded comparison to build its list; both tables only
grow (append-only, migration 0009; ``greenrate model compare`` records by default). The listings are paged
now, oldest first by id: a version's events and its comparisons in either role are read a page at a time
through the first three, and ``GET /v1/models`` reads each version's newest comparison through the
challenger's and champion's, and the comparisons against the active model that the promotion gate may still
count (recorded within the validity period) through ``(champion, at)``. The table had ``(challenger,
champion)`` and ``model_events`` ``at`` only: a page of one version read all its rows to sort them.

Built ``CONCURRENTLY`` on PostgreSQL (service.records.online_index), in a migration of its own: every
worker polls the registry meanwhile. Downgrading drops the indexes and loses nothing.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from service.records import online_index

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Indexes only.
compatible_with_previous_code: bool = True

_INDEXES = (
    ("ix_model_events_version_id", "model_events", ("version", "id")),
    ("ix_model_comparisons_challenger_id", "model_comparisons", ("challenger", "id")),
    ("ix_model_comparisons_champion_id", "model_comparisons", ("champion", "id")),
    ("ix_model_comparisons_champion_at", "model_comparisons", ("champion", "at")),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        online_index.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        online_index.drop_index(name, table)
