"""The durable records: API keys and issued ratings (SQLAlchemy Core tables; Alembic migrates them).

Core tables rather than ORM classes because the hot path is one INSERT per issued rating and one indexed
SELECT per read: no identity map, no unit of work, nothing to flush.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# Named constraints, so migrations are reproducible on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "prefix", String(16), nullable=False, index=True, comment="Non-secret start of the key, for listing"
    ),
    Column("key_hash", String(64), nullable=False, unique=True, comment="sha256 hex of the whole key"),
    Column("tenant", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("merchant_id", String(64), nullable=True),
    Column("label", String(120), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column(
        "expires_at",
        DateTime(timezone=True),
        nullable=True,
        comment="The key stops working at this moment; null: never",
    ),
    Column(
        "created_by",
        Integer,
        nullable=True,
        comment="Id of the admin key that created it through /v1/keys; null: the operator's CLI",
    ),
    Column(
        "revoked_by",
        Integer,
        nullable=True,
        comment="Id of the admin key that revoked it through /v1/keys; null: the CLI, or active",
    ),
    Column(
        "idempotency_key",
        String(255),
        nullable=True,
        comment="The Idempotency-Key of the /v1/keys request that created it, if any (0016)",
    ),
)
# One key per admin key and Idempotency-Key: a retry of a creation never makes a second key (0017).
_KEYED = api_keys.c.idempotency_key.is_not(None)
Index(
    "ix_api_keys_created_by_idempotency_key", api_keys.c.created_by, api_keys.c.idempotency_key,
    unique=True, postgresql_where=_KEYED, sqlite_where=_KEYED,
)
# A tenant's keys, newest first (GET /v1/keys), and the admin keys and active keys a creation locks and counts
# (migration 0022): without it every key-management request read every tenant's keys.
Index("ix_api_keys_tenant_id", api_keys.c.tenant, api_keys.c.id)

#: The Alembic revision of these tables: what the code needs the database to be at (readiness compares the
#: two). Kept here, not asked of Alembic, so that web workers never import it (about 10 MB each);
#: tests/service/test_migrations_sqlite.py holds it equal to the migrations' head.
SCHEMA_REVISION = "0032"

#: Which releases' code can serve the database's schema, written by the migration runner in the same
#: transaction as each migration (migration 0012, :func:`service.records.migrate.record_compatibility`).
#: Code of an older release cannot read the newer release's migration files, so what it needs to decide
#: whether it may serve a schema it does not know has to be in the database: this single row. Its columns
#: are a contract with every older release from 0012 on (:func:`service.records.database.schema_status`
#: reads them): add to it, never rename, retype or drop.
schema_compatibility = Table(
    "schema_compatibility",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False, comment="Always 1: a single row"),
    Column("revision", String(32), nullable=False, comment="The Alembic revision this row describes"),
    Column(
        "oldest_compatible",
        String(32),
        nullable=False,
        comment="The oldest revision whose code can serve this schema (expand/contract)",
    ),
    Column(
        "history",
        Text,
        nullable=False,
        comment="Every revision from the first to this one, oldest first, space-separated",
    ),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="ck_schema_compatibility_single_row"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("seq", _SEQ, primary_key=True, autoincrement=True, comment="Insertion order; page cursors"),
    Column("id", String(40), nullable=False, unique=True),
    Column("tenant", String(64), nullable=False),
    Column("merchant_id", String(64), nullable=True),
    Column("external_id", String(120), nullable=True),
    Column("input_hash", String(64), nullable=False, comment="sha256 of input_json"),
    Column("input_json", Text, nullable=False, comment="OperatingData.canonical_json()"),
    Column("result_json", Text, nullable=False, comment="The exact response body, served back as is"),
    Column("model_version", String(80), nullable=False),
    Column("standard_version", String(80), nullable=False),
    Column("factor_set_version", String(80), nullable=False),
    Column("schema_version", String(16), nullable=False),
    Column(
        "engine_version",
        String(16),
        nullable=False,
        comment="rating_model.engine.ENGINE_VERSION; 'unrecorded' for ratings issued before migration 0006",
    ),
    Column("score", Float, nullable=False),
    Column("grade", String(16), nullable=False),
    Column("requester_key_id", Integer, ForeignKey("api_keys.id"), nullable=True),
    Column("requester_prefix", String(16), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("valid_until", DateTime(timezone=True), nullable=False),
    # migration 0018: every rating issued since is signed (service.records.rating_signatures)
    Column(
        "result_sha256",
        String(64),
        nullable=True,
        comment="sha256 hex of result_json, covered by signature; null: issued before signing (0018)",
    ),
    Column(
        "signature",
        String(96),
        nullable=True,
        comment="v1:<key id>:<HMAC-SHA256 of the signed columns and result_sha256>, under the service's "
        "secret; null: issued before signing (0018)",
    ),
    # migration 0019: the build that issued it (service.revision), covered by signature_v2
    Column(
        "code_revision",
        String(100),
        nullable=True,
        comment="The build of the service that issued it (GREENRATE_REVISION, else version+git commit, "
        "else 'unknown'); null: issued before 0019",
    ),
    Column(
        "signature_v2",
        String(96),
        nullable=True,
        comment="v2:<key id>:<HMAC-SHA256 of signature's columns, code_revision and result_sha256>; "
        "signature keeps v1 for the releases before 0019; null: issued before 0019",
    ),
)

Index("ix_ratings_tenant_seq", ratings.c.tenant, ratings.c.seq)
Index("ix_ratings_tenant_external_id_seq", ratings.c.tenant, ratings.c.external_id, ratings.c.seq)
Index("ix_ratings_tenant_input_hash", ratings.c.tenant, ratings.c.input_hash)
Index("ix_ratings_tenant_merchant_id_seq", ratings.c.tenant, ratings.c.merchant_id, ratings.c.seq)
# A page of a tenant's ratings by issuer (``issued_by``) reads only that side's rows (migration 0011).
Index(
    "ix_ratings_tenant_seq_by_merchant", ratings.c.tenant, ratings.c.seq,
    postgresql_where=ratings.c.merchant_id.is_not(None), sqlite_where=ratings.c.merchant_id.is_not(None),
)
Index(
    "ix_ratings_tenant_seq_by_bank", ratings.c.tenant, ratings.c.seq,
    postgresql_where=ratings.c.merchant_id.is_(None), sqlite_where=ratings.c.merchant_id.is_(None),
)
# `greenrate model drift`: one model version's ratings since a date (migration 0011).
Index("ix_ratings_model_version_issued_at", ratings.c.model_version, ratings.c.issued_at)
# The ratings without a signature, counted by every `greenrate db upgrade`: empty once none is left
# (migration 0021).
Index(
    "ix_ratings_unsigned", ratings.c.seq,
    postgresql_where=ratings.c.signature.is_(None), sqlite_where=ratings.c.signature.is_(None),
)

# Tables of later migrations live in their own modules but share this metadata (Alembic compares it all):
# the model registry (0002), merchant profiles (0003), portfolio jobs (0004), erasures (0020) and the
# ratings an Idempotency-Key names (0025). Imported for the side effect of registering.
from service.records import (  # noqa: E402
    erasure_tables,  # noqa: F401
    model_tables,  # noqa: F401
    portfolio_tables,  # noqa: F401
    profile_tables,  # noqa: F401
    rating_request_tables,  # noqa: F401
)
