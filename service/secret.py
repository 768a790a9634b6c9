"""The service's secret: ``GREENRATE_SECRET_KEY``, else one key per machine kept in the instance directory.

It signs what the service hands to someone else to keep and later takes back: the merchant page's CSRF
tokens (a browser keeps them), the ratings it caches (Redis keeps them) and the ratings it records (the
database keeps them, and its owner can change a row: :mod:`service.records.rating_signatures`). Each use
derives its own key (:func:`derived_key`), so a value signed for one can never pass for another, and signs
with :func:`mac`. Several machines behind one address, sharing one Redis or one database, need the same
``GREENRATE_SECRET_KEY``: with a key per machine each would refuse the others' tokens and cache entries (a
cache entry refused is a miss, never an error) and the ratings the others recorded (refused, never served).

The secret can be rotated: ``GREENRATE_PREVIOUS_SECRET_KEYS`` lists the secrets it replaced. New signatures
are always made with the current one (:attr:`SigningKeys.current`); a signature made with a listed previous
one is still accepted (:meth:`SigningKeys.signer`, :meth:`SigningKeys.named`), and one made with a secret no
longer listed is not. Every use checks signatures through :class:`SigningKeys`, so the key ids and the
matching are computed one way.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

#: the machine's secret, in the instance directory (``GREENRATE_INSTANCE_DIR``, :mod:`service.config`)
INSTANCE_SECRET = "secret_key"


#: how often a reader looks again at a key file another worker is still writing (without hard links), and
#: how long it waits between looks: about two seconds in all, where writing 65 bytes takes microseconds
_READ_ATTEMPTS = 200
_READ_PAUSE_SECONDS = 0.01
#: what ``os.link`` answers on a filesystem without hard links (vfat, some FUSE and SMB mounts, Azure Files)
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS})
#: what opening or fsyncing a directory answers where the filesystem cannot (some FUSE and SMB mounts)
_NO_DIRECTORY_SYNC = frozenset({errno.EINVAL, errno.EBADF, errno.EACCES, errno.EOPNOTSUPP, errno.ENOTSUP,
                                errno.ENOSYS, errno.EPERM})


def instance_secret(path: Path) -> str:
    """The machine's secret: created once (first writer wins), then read by every worker.

    The key is written whole under a name of this process's own, flushed to disk, then linked to ``path``
    (``os.link`` fails if the name exists, so the first writer wins). The file had been created empty and
    then written: on a full disk the write failed after the name existed, and the empty file made every
    later start fail until an operator deleted it (fault-injection review); a worker reading it while the
    first was writing found it empty too. Now ``path`` exists only with the whole key in it.

    On a filesystem without hard links (``os.link`` refused) the key is written in place, created
    exclusively, and the file is removed if the write fails; a worker that reads it empty meanwhile looks
    again for a moment. Without that fallback no worker could start there at all.

    The file's contents are fsynced before its name lands, and the directory after (:func:`_sync_directory`):
    a name is an entry in its directory, so without that a power failure right after the first start could
    lose the name the key was handed out under, and the next start would make another key, refusing every
    token, cache entry and recorded rating signed with the first.
    """
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        _sync_directory(path.parent.parent)  # the new directory's own name
    for _ in range(_READ_ATTEMPTS):
        if not path.exists():
            made = _make(path)
            if made is not None:
                return made
        try:
            value = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            continue  # a writer without hard links removed the file its write failed in: make it again
        if value:
            return value
        time.sleep(_READ_PAUSE_SECONDS)  # a writer without hard links is between creating and writing
    # left by a release that created the file before writing it, or a writer that died between the two
    raise RuntimeError(f"{path} is empty: delete it or set GREENRATE_SECRET_KEY")


def _make(path: Path) -> str | None:
    """A new key linked to ``path`` whole (:func:`instance_secret`); ``None`` if another worker made it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    value = secrets.token_urlsafe(48)
    linked = False
    try:
        write_owner_only(temporary, value)
        os.link(temporary, path)
        linked = True
    except FileExistsError:
        return None  # another worker linked its key first: read it
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
    finally:
        temporary.unlink(missing_ok=True)
    if linked:
        _sync_directory(path.parent)  # the new name, and the temporary's removal with it
        return value
    try:
        write_owner_only(path, value)
    except FileExistsError:
        return None
    _sync_directory(path.parent)
    return value


def _sync_directory(directory: Path) -> None:
    """fsync ``directory``, so that a name just made in it survives a power failure, where the platform
    allows it: Windows cannot open a directory (no ``O_DIRECTORY``) and some FUSE and SMB mounts refuse to
    fsync one, and there the key is used all the same, as it was before this sync was added."""
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flag)
    except OSError as exc:
        if exc.errno in _NO_DIRECTORY_SYNC:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIRECTORY_SYNC:
            raise
    finally:
        os.close(fd)


def write_owner_only(path: Path, value: str) -> None:
    """Create ``path`` (it must not exist), owner-only, holding ``value`` on disk; removed if that fails."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


#: what must hold before a machine's secret is made in an instance directory (:func:`before_making`)
_MAKING_CHECKS: dict[Path, Callable[[], None]] = {}


def before_making(instance_dir: str, check: Callable[[], None]) -> None:
    """Have ``check`` run (and raise to refuse) before this process makes a new secret in ``instance_dir``;
    it is not run when the secret is there to read. The app registers
    :func:`service.secret_guard.refuse_new_secret` (one app per process: a later registration for the same
    directory replaces the earlier one)."""
    _MAKING_CHECKS[Path(instance_dir)] = check


@cache
def _machine_secret(directory: Path) -> str:
    path = directory / INSTANCE_SECRET
    check = _MAKING_CHECKS.get(directory)
    if check is not None and not path.exists():
        check()  # an exception is not cached: the next use checks again
    return instance_secret(path)


def service_secret(configured: str | None, instance_dir: str) -> str:
    """``configured`` (GREENRATE_SECRET_KEY), else this machine's key in ``instance_dir``.

    The instance directory, not the working directory: a ``greenrate ratings verify`` run from elsewhere
    made a new key under its own ``./instance`` and reported every signed rating as signed by another key.
    """
    return configured or _machine_secret(Path(instance_dir))


def derived_key(secret: str, purpose: str) -> bytes:
    """A key for one purpose (``"cache"``, say), derived from the service's secret."""
    return hashlib.sha256(f"greenrate:{purpose}:".encode() + secret.encode()).digest()


def mac(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 of ``message`` under ``key``: the one signature the service makes, whatever it signs."""
    return hmac.new(key, message, hashlib.sha256).digest()


def mac_matches(key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is :func:`mac` of ``message`` under ``key`` (compared in constant time)."""
    return hmac.compare_digest(signature, mac(key, message))


def key_id(key: bytes) -> str:
    """A public name of a derived key (16 hex digits of a hash of it), stored beside what it signed.

    It says which key a signature was made with, so that a signature made with another key (the secret
    changed, or another machine's ``instance/secret_key``) is told apart from a value changed after it was
    signed. It reveals nothing a signature does not: both are one-way functions of the key.
    """
    return hashlib.sha256(b"greenrate:key-id:" + key).hexdigest()[:16]


#: The purpose of the key recorded ratings are signed with (:mod:`service.records.rating_signatures`).
RATING_RECORD = "rating-record"


def secret_id(secret: str) -> str:
    """A secret's public name: the key id of the ratings' key derived from it (what a recorded rating's
    signature names), so that a log line, a metric, ``greenrate ratings verify`` and ``/readyz`` name a
    secret one way, whatever the use whose key they speak of."""
    return key_id(derived_key(secret, RATING_RECORD))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One derived key: ``id``, its :func:`key_id` (what a signature names), and ``secret_id``, the
    :func:`secret_id` of the secret it was derived from (what logs and metrics name)."""

    id: str
    secret_id: str
    secret: bytes = field(repr=False)  # never the key itself in a log line or a test's failure message


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """One use's keys: the current one, which every new signature is made with, and the previous ones
    (``GREENRATE_PREVIOUS_SECRET_KEYS``, in the order listed), whose signatures are still accepted."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    @property
    def id(self) -> str:
        """The current key's id: the one new signatures name."""
        return self.current.id

    def sign(self, message: bytes) -> bytes:
        """:func:`mac` of ``message`` under the current key."""
        return mac(self.current.secret, message)

    def named(self, kid: str) -> SigningKey | None:
        """The held key whose id is ``kid`` (the current one or a previous one), else ``None``."""
        return next((k for k in (self.current, *self.previous) if k.id == kid), None)

    def signer(self, message: bytes, signature: bytes) -> SigningKey | None:
        """The held key ``signature`` is the :func:`mac` of ``message`` under, the current one tried first;
        ``None`` when none is (for a value that does not name its key, such as a cache entry)."""
        return next((k for k in (self.current, *self.previous) if mac_matches(k.secret, message, signature)),
                    None)


def signing_keys(purpose: str, secret: str, previous: tuple[str, ...] = ()) -> SigningKeys:
    """The keys of ``purpose`` derived from the current ``secret`` and the ``previous`` ones; a previous
    secret equal to the current one, or listed twice, is held once (the current one first)."""

    def derive(value: str) -> SigningKey:
        key = derived_key(value, purpose)
        return SigningKey(key_id(key), secret_id(value), key)

    held = list(dict.fromkeys(p for p in previous if p != secret))
    return SigningKeys(derive(secret), tuple(derive(p) for p in held))
