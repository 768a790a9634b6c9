"""``greenrate keys``: the operator's API keys, created, listed and revoked in the database.

The operator's side of key management, for every tenant and role (an admin key manages its own tenant's
keys over ``/v1/keys``, :mod:`service.keys`): a key is stored hashed and shown once, when created; a
listing shows prefixes and labels, escaped so that a stored label cannot pass for a row of its own; a
revocation names a key by prefix, id or whole key, never echoes a secret, and says how long running
services may still accept it. ``keys demo`` prints ``make run``'s demo key, the one key whose secret may be
kept, beside the embedded database only (:mod:`service.demo_key`).
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from schemas.keys import MAX_KEY_LIFETIME
from service.auth import (
    KEY_TAG,
    MERCHANT_ID_PATTERN,
    PREFIX_LENGTH,
    ROLES,
    TENANT_PATTERN,
    generate_key,
    hash_key,
)
from service.commands import command_settings, database, database_error
from service.config import load_server_settings
from service.config.values import ConfigError
from service.demo_key import DemoKey, demo_key
from service.records import api_keys


def _check_label(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # Checked here so both backends refuse it alike (PostgreSQL would fail the insert, SQLite store it).
    if value is not None and len(value) > api_keys.LABEL_MAX_LENGTH:
        raise click.BadParameter(f"at most {api_keys.LABEL_MAX_LENGTH} characters, got {len(value)}")
    return value


def _is_whole_key(argument: str) -> bool:
    """Whether ``argument`` is (or could be) a key's secret rather than its listing prefix or id."""
    return argument.startswith(KEY_TAG) and len(argument) > PREFIX_LENGTH


@click.group()
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
@click.option(
    "--label",
    default=None,
    callback=_check_label,
    help=f"A note for listings, e.g. who holds the key (at most {api_keys.LABEL_MAX_LENGTH} characters).",
)
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, MAX_KEY_LIFETIME.days),
    default=None,
    help="The key stops working this many days from now (default: never).",
)
def create_key(
    tenant: str, role: str, merchant_id: str | None, label: str | None, expires_in_days: int | None
) -> None:
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
    expires_at = None if expires_in_days is None else datetime.now(UTC) + timedelta(days=expires_in_days)
    try:
        with database() as engine:
            key_id = api_keys.insert_key(
                engine,
                prefix=new.prefix,
                key_hash=new.key_hash,
                tenant=tenant,
                role=role,
                merchant_id=merchant_id,
                label=label,
                expires_at=expires_at,
            )
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    expiry = "" if expires_at is None else f", expires {expires_at:%Y-%m-%d %H:%M:%S} UTC"
    click.echo(
        f"created key {key_id} ({new.prefix}…) for tenant {tenant!r}, role {role}{expiry}; "
        "it is shown only once:"
    )
    click.echo(new.key)


@keys.command("demo")
@click.option("--tenant", default="demo-bank", show_default=True, help="Tenant of the demo bank key.")
@click.option("--example", default=None, metavar="JSON",
              help="A request body to write to the instance directory (example-rating.json) for the curl "
                   "command printed with the key.")
def demo(tenant: str, example: str | None) -> None:
    """Print make run's demo bank key: the same one again while it works, on the embedded database.

    Beside the embedded default database its plain text is kept in the instance directory (demo-key,
    owner-only); on a configured database none is kept, and each run creates a key shown once. A new demo
    key revokes the tenant's earlier ones.
    """
    if not TENANT_PATTERN.fullmatch(tenant):
        raise click.BadParameter("use 1-64 lowercase letters, digits, '.', '_' or '-'", param_hint="--tenant")
    settings = command_settings()
    try:
        address = load_server_settings().bind  # where make run serves: gunicorn reads the same variable
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with database(settings) as engine:
            made = demo_key(engine, settings, tenant)
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    click.echo(f"\n  {_demo_key_said(made, tenant)}\n\n    {made.key}\n")
    if example is not None:
        written = Path(settings.instance_dir) / "example-rating.json"
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(example + "\n", encoding="utf-8")
        click.echo(f"  Try:  curl -s -X POST http://{address}/v1/ratings "
                   f"-H \"Authorization: Bearer {made.key}\" \\")
        click.echo(f"          -H 'Content-Type: application/json' -d {shlex.quote(f'@{written}')}")
    click.echo(f"  Docs: http://{address}/docs\n")


def _demo_key_said(made: DemoKey, tenant: str) -> str:
    """What the demo key is, and whether it will be printed again."""
    revoked = f"; revoked the {made.revoked} demo key(s) made before it" if made.revoked else ""
    if made.kept_in is None:
        return (f"Demo bank key (tenant {tenant}), new{revoked}; shown once (none is kept for a configured "
                "GREENRATE_DATABASE_URL), keep it for your first request:")
    if made.reused:
        return f"Demo bank key (tenant {tenant}), the one an earlier run kept in {made.kept_in} (owner-only):"
    return (f"Demo bank key (tenant {tenant}), new{revoked}; kept in {made.kept_in} (owner-only) and printed "
            "again by every make run while it works:")


@keys.command("list")
@click.option("--tenant", default=None, help="Only this tenant's keys.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked and expired keys.")
def list_keys(tenant: str | None, include_revoked: bool) -> None:
    """List keys by prefix, with their labels (the secret part is never stored, so it cannot be shown)."""
    try:
        with database() as engine:
            records = api_keys.list_keys(engine, tenant=tenant, include_revoked=include_revoked)
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    click.echo(
        f"{'id':>5}  {'prefix':<12} {'tenant':<20} {'role':<9} {'merchant':<16} {'created':<20} "
        f"{'expires':<20} {'status':<8} {'revoked':<20} label"
    )
    for r in records:
        # The label goes last: it is free text and may hold spaces, so it would break any column after it.
        label = "-" if not r.label else _printable(r.label)
        click.echo(
            f"{r.id:>5}  {r.prefix:<12} {r.tenant:<20} {r.role:<9} {r.merchant_id or '-':<16} "
            f"{_moment(r.created_at):<20} {_moment(r.expires_at):<20} {r.status:<8} "
            f"{_moment(r.revoked_at):<20} {label}"
        )


def _moment(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def _printable(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n``, ``\\x1b``, ``\\u202e``) and ``\\``
    doubled: a stored label (from the CLI, or from before the API refused them) can neither move the
    cursor, reorder the line, nor pass for a row of its own."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


@keys.command("revoke")
@click.argument("key")
def revoke_key(key: str) -> None:
    """Revoke a key by its prefix, its id or the whole key.

    Running services keep accepting it until their key cache expires (GREENRATE_KEY_CACHE_SECONDS, 30 s by
    default); the command says how long that is.
    """
    settings = command_settings()
    try:
        with database(settings) as engine:
            if _is_whole_key(key):
                count = api_keys.revoke_key_by_hash(engine, hash_key(key))
            else:
                count = api_keys.revoke_key(engine, key)
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    if count == 0:
        raise click.ClickException(f"no active key with that prefix or id: {_shown(key)}")
    click.echo(f"revoked {count} key(s); {_revocation_delay(settings.key_cache_seconds)}")


def _shown(argument: str) -> str:
    """``argument`` as safe to print: never more of a possible secret than a listing shows."""
    if len(argument) <= PREFIX_LENGTH:
        return repr(argument)
    if argument.startswith(KEY_TAG):
        return f"{argument[:PREFIX_LENGTH]!r}… (the rest not shown)"
    return "(the argument is not shown: it may be a secret)"


def _revocation_delay(cache_seconds: float) -> str:
    """When running services stop accepting a revoked key: each worker trusts a lookup this long."""
    if cache_seconds <= 0:
        return "running services stop accepting it at once (GREENRATE_KEY_CACHE_SECONDS=0)"
    return f"running services stop accepting it within {cache_seconds:g} s (GREENRATE_KEY_CACHE_SECONDS)"

