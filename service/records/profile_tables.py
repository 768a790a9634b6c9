"""The merchant profiles table (migration 0003): one stored operating-data document per tenant and merchant.

Declared on the shared :data:`service.records.tables.metadata` so Alembic's schema comparison covers it.
The key is (tenant, merchant_id): a bank's merchant "m-1" and another bank's "m-1" are different merchants.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, PrimaryKeyConstraint, String, Table, Text

from service.records.tables import metadata

merchant_profiles = Table(
    "merchant_profiles",
    metadata,
    Column("tenant", String(64), nullable=False),
    Column("merchant_id", String(64), nullable=False),
    Column("profile_json", Text, nullable=False, comment="The operating data, validated, as JSON"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by_prefix", String(16), nullable=True, comment="Prefix of the key that stored it"),
    PrimaryKeyConstraint("tenant", "merchant_id", name="pk_merchant_profiles"),
)
