"""The machine's secret key file (``instance/secret_key``): on a filesystem without hard links, and synced.

The key is linked into place whole (``os.link``, first writer wins); a filesystem that refuses hard links
(vfat, some FUSE and SMB mounts) answers the link with EPERM or EOPNOTSUPP, and no worker could start.
Once the name is made, its directory is fsynced, so that a power failure right after the first start does not
lose the name and have the next start make another key.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from service import secret
from service.secret import instance_secret


def _no_hard_links(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")


@pytest.mark.parametrize("code", [errno.EPERM, errno.EOPNOTSUPP])
def test_without_hard_links_the_key_is_written_in_place_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def refused(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(secret.os, "link", refused)
    path = tmp_path / "instance" / "secret_key"
    first = instance_secret(path)
    assert len(first) >= 32 and path.read_text(encoding="ascii") == first + "\n"
    assert instance_secret(path) == first  # the next worker reads it
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no temporary left


def test_without_hard_links_a_write_refused_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with links: a full disk must not leave an empty key file that stops every later start."""

    real_fsync = os.fsync

    def full(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            real_fsync(fd)  # the instance directory's own name, synced before the key is written
            return
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(secret.os, "link", _no_hard_links)
    monkeypatch.setattr(secret.os, "fsync", full)
    path = tmp_path / "instance" / "secret_key"
    with pytest.raises(OSError, match="No space left"):
        instance_secret(path)
    assert list(path.parent.iterdir()) == []
    monkeypatch.undo()
    assert len(instance_secret(path)) >= 32  # once there is room


def test_another_link_error_is_not_taken_for_a_missing_feature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(secret.os, "link", full)
    path = tmp_path / "instance" / "secret_key"
    with pytest.raises(OSError, match="No space left"):
        instance_secret(path)
    assert list(path.parent.iterdir()) == []


def test_a_key_file_left_empty_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret, "_READ_ATTEMPTS", 3)
    monkeypatch.setattr(secret, "_READ_PAUSE_SECONDS", 0.0)
    path = tmp_path / "instance" / "secret_key"
    path.parent.mkdir()
    path.write_text("")
    with pytest.raises(RuntimeError, match="is empty: delete it"):
        instance_secret(path)


def _record_syncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths ``service.secret`` fsyncs, in order (a file's temporary name, or a directory's)."""
    opened: dict[int, str] = {}
    synced: list[str] = []
    real_open: Callable[..., int] = os.open
    real_fsync = os.fsync

    def recording_open(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        fd = real_open(path, flags, *args, **kwargs)
        opened[fd] = os.fspath(path)
        return fd

    def recording_fsync(fd: int) -> None:
        synced.append(opened.get(fd, "?"))
        real_fsync(fd)

    monkeypatch.setattr(secret.os, "open", recording_open)
    monkeypatch.setattr(secret.os, "fsync", recording_fsync)
    return synced


@pytest.mark.skipif(not hasattr(os, "O_DIRECTORY"), reason="a directory cannot be opened to fsync it here")
@pytest.mark.parametrize("hard_links", [True, False], ids=["linked", "written-in-place"])
def test_the_directory_is_synced_once_the_key_has_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    """Without the directory's fsync a power failure right after the first start could lose the name
    ``secret_key`` (the file's contents were synced, its directory entry was not)."""
    if not hard_links:
        monkeypatch.setattr(secret.os, "link", _no_hard_links)
    synced = _record_syncs(monkeypatch)
    path = tmp_path / "instance" / "secret_key"
    instance_secret(path)
    directory = str(path.parent)
    assert directory in synced
    # after the key's own contents: the name is synced once the file it names is whole on disk
    contents = max(i for i, p in enumerate(synced) if p.startswith(directory + os.sep))
    assert synced.index(directory) > contents
    assert str(tmp_path) in synced  # the instance directory was made: its name in the working directory
    synced.clear()
    instance_secret(path)  # a later start reads the key: nothing to sync
    assert synced == []


def test_a_directory_that_cannot_be_synced_does_not_stop_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some FUSE and SMB mounts answer a directory's fsync with EINVAL: the key is used all the same."""
    real_fsync = os.fsync

    def files_only(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(secret.os, "fsync", files_only)
    path = tmp_path / "instance" / "secret_key"
    value = instance_secret(path)
    assert path.read_text(encoding="ascii") == value + "\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]
