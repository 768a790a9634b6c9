"""The ``greenrate`` command: API keys and database migrations (more groups join it later).

It talks to the database named by ``GREENRATE_DATABASE_URL`` (SQLite in ``./instance`` by default), the same
one the service uses, without building the web app.
"""

from __future__ import annotations

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from service import batch_cli, model_cli
from service.auth import MERCHANT_ID_PATTERN, ROLES, TENANT_PATTERN, generate_key
from service.config import ConfigError, load_settings
from service.models import register_packaged_default
from service.portfolios import worker_cli
from service.records import api_keys, migrate
from service.records.database import create_db_engine


def _db() -> Engine:
    try:
        return create_db_engine(load_settings())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _database_error(exc: SQLAlchemyError) -> click.ClickException:
    hint = (
        " (has `greenrate db upgrade` been run?)"
        if "no such table" in str(exc) or "does not exist" in str(exc)
        else ""
    )
    return click.ClickException(f"database error: {type(exc).__name__}{hint}")


@click.group()
def main() -> None:
    """greenrate: open green ratings for small businesses."""


@main.group()
def keys() -> None:
    """Manage API keys (stored hashed; a key is shown once, when created)."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant the key belongs to (lowercase letters, digits, . _ -).")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the key may do.")
@click.option(
    "--merchant-id",
    default=None,
    help="The merchant a merchant key acts for (merchant role only): letters, digits and . _ : -",
)
@click.option("--label", default=None, help="A note for listings, e.g. who holds the key.")
def create_key(tenant: str, role: str, merchant_id: str | None, label: str | None) -> None:
    """Create a key and print it alone on the last line (capture it with `| tail -n 1`)."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise click.BadParameter("use 1-64 lowercase letters, digits, '.', '_' or '-'", param_hint="--tenant")
    if role == "merchant" and not merchant_id:
        raise click.BadParameter("a merchant key needs --merchant-id", param_hint="--merchant-id")
    if role != "merchant" and merchant_id:
        raise click.BadParameter("only merchant keys take --merchant-id", param_hint="--merchant-id")
    if merchant_id is not None and not MERCHANT_ID_PATTERN.fullmatch(merchant_id):
        message = "1 to 64 letters, digits and . _ : - (starting with a letter or digit)"
        raise click.BadParameter(message, param_hint="--merchant-id")
    new = generate_key()
    try:
        key_id = api_keys.insert_key(
            _db(),
            prefix=new.prefix,
            key_hash=new.key_hash,
            tenant=tenant,
            role=role,
            merchant_id=merchant_id,
            label=label,
        )
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    click.echo(
        f"created key {key_id} ({new.prefix}…) for tenant {tenant!r}, role {role}; it is shown only once:"
    )
    click.echo(new.key)


@keys.command("list")
@click.option("--tenant", default=None, help="Only this tenant's keys.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked keys.")
def list_keys(tenant: str | None, include_revoked: bool) -> None:
    """List keys by prefix (the secret part is never stored, so it cannot be shown)."""
    try:
        records = api_keys.list_keys(_db(), tenant=tenant, include_revoked=include_revoked)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    click.echo(
        f"{'id':>5}  {'prefix':<12} {'tenant':<20} {'role':<9} {'merchant':<16} {'created':<20} revoked"
    )
    for r in records:
        revoked = "-" if r.revoked_at is None else f"{r.revoked_at:%Y-%m-%d %H:%M:%S}"
        click.echo(
            f"{r.id:>5}  {r.prefix:<12} {r.tenant:<20} {r.role:<9} {r.merchant_id or '-':<16} "
            f"{r.created_at:%Y-%m-%d %H:%M:%S}  {revoked}"
        )


@keys.command("revoke")
@click.argument("key")
def revoke_key(key: str) -> None:
    """Revoke a key by its prefix or id (running workers stop accepting it within the key-cache time)."""
    try:
        count = api_keys.revoke_key(_db(), key)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    if count == 0:
        raise click.ClickException(f"no active key with prefix or id {key!r}")
    click.echo(f"revoked {count} key(s)")


main.add_command(model_cli.model)
main.add_command(batch_cli.batch)
main.add_command(worker_cli.worker)
main.add_command(worker_cli.portfolios)


@main.group()
def db() -> None:
    """Database migrations (Alembic, packaged with the service)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema."""
    engine = _db()
    try:
        migrate.upgrade(engine, revision)
        current = migrate.current_revision(engine)
        registered = current == migrate.head_revision() and register_packaged_default(engine, "greenrate db")
    except SQLAlchemyError as exc:
        raise click.ClickException(f"migration failed: {type(exc).__name__}: {exc}") from None
    click.echo(f"database at revision {current} ({engine.url.render_as_string(hide_password=True)})")
    if registered:
        click.echo("registered the packaged default model")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate down to REVISION (`base` drops everything)."""
    engine = _db()
    migrate.downgrade(engine, revision)
    click.echo(f"database at revision {migrate.current_revision(engine)}")


@db.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    engine = _db()
    click.echo(f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision()}")
