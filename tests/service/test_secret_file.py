"""The machine's secret key file (``instance/secret_key``) on a filesystem without hard links.

The key is linked into place whole (``os.link``, first writer wins); a filesystem that refuses hard links
(vfat, some FUSE and SMB mounts) answers the link with EPERM or EOPNOTSUPP, and no worker could start.
"""

from __future__ import annotations

import errno
import os
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

    def full(fd: int) -> None:
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
