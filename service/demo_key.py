"""``make run``'s demo key: one bank key per database, printed again by every ``make run`` that can.

``make run`` created a new key every time it ran (newcomer review): a restart printed a new key while the
one in the shell's history still worked, and each run left one more live key behind. Keys are stored only
as hashes, so the database cannot give a key back; what a restart may print again must be kept elsewhere.

- On the embedded default database (SQLite in the instance directory), the demo key's plain text is kept
  beside it in ``demo-key``, readable by its owner alone (0600), like ``secret_key`` there, which signs
  every rating and so grants more than a demo key; whoever can read the directory can read the database
  too. ``make run`` prints that key again while it works (not revoked, not expired, in this database).
- On any other database (``GREENRATE_DATABASE_URL``: a server others may share), no key's plain text is
  written to disk: each run creates a key shown once, as ``greenrate keys create`` does.

Either way a new demo key revokes the demo keys of the tenant made before it (the keys labelled
:data:`DEMO_LABEL`), so that there is one live demo key per tenant, and the one a newcomer last saw printed.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from service.auth import generate_key, hash_key
from service.config.settings import Settings, default_database_url
from service.records import api_keys
from service.secret import write_owner_only

#: the label of every demo key (the one ``make run`` gave them before keys were kept)
DEMO_LABEL = "make run demo"
#: the demo key's plain text, in the instance directory (the embedded default database only)
KEY_FILE = "demo-key"
#: the role of the demo key: the bank's, which the README's first requests need
DEMO_ROLE = "bank"


@dataclass(frozen=True, slots=True)
class DemoKey:
    """The demo key to print, and what was done to have it."""

    key: str
    reused: bool  # kept from an earlier run, not created now
    kept_in: Path | None  # the file holding its plain text; None: kept nowhere (a configured database)
    revoked: int  # earlier demo keys this run revoked


def keeps_demo_key(settings: Settings) -> bool:
    """Whether the demo key is kept on disk: only beside the embedded default database, never for a
    database that was configured (which may be a server that outlives this directory)."""
    return settings.database_url == default_database_url(settings.instance_dir)


def demo_key(db: Engine, settings: Settings, tenant: str) -> DemoKey:
    """The tenant's demo key in ``db``: the kept one while it works, else a new one (kept when
    :func:`keeps_demo_key`), the earlier demo keys revoked."""
    if not keeps_demo_key(settings):
        key, revoked = _create(db, tenant)
        return DemoKey(key, reused=False, kept_in=None, revoked=revoked)
    path = Path(settings.instance_dir) / KEY_FILE
    kept = _kept(db, path, tenant)
    if kept is not None:
        return DemoKey(kept, reused=True, kept_in=path, revoked=0)
    key, revoked = _create(db, tenant)
    _keep(path, key)
    return DemoKey(key, reused=False, kept_in=path, revoked=revoked)


def _kept(db: Engine, path: Path, tenant: str) -> str | None:
    """The key ``path`` holds, if it is still this tenant's working demo key in ``db`` and no one but its
    owner could have read it (a file others may read is a key that may have been copied: not reused)."""
    try:
        if path.stat().st_mode & 0o077:
            return None
        key = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    record = api_keys.find_active_key(db, hash_key(key)) if key else None
    if record is None or (record.tenant, record.role, record.label) != (tenant, DEMO_ROLE, DEMO_LABEL):
        return None  # revoked, expired, another database's, or another tenant's
    return key


def _create(db: Engine, tenant: str) -> tuple[str, int]:
    """A new demo key for ``tenant``, and how many earlier demo keys of the tenant it revoked."""
    new = generate_key()
    key_id = api_keys.insert_key(
        db, prefix=new.prefix, key_hash=new.key_hash, tenant=tenant, role=DEMO_ROLE, label=DEMO_LABEL
    )
    return new.key, api_keys.revoke_labelled(db, tenant, DEMO_LABEL, keep=key_id)


def _keep(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` owner-only, whole: written under a name of its own, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        write_owner_only(temporary, key)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
