"""A small (or full, or read-only) filesystem for one command: a tmpfs in a private mount namespace.

The tmpfs exists only for the command (``unshare --mount``): nothing is mounted on the machine, and it is
gone when the command exits. Without the right to make a mount namespace (not root, and no user
namespaces) the tests that need one are skipped.
"""

from __future__ import annotations

import functools
import os
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest


@functools.cache
def _unshare() -> tuple[str, ...] | None:
    for command in (("unshare", "--mount", "--propagation", "private"),
                    ("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private")):
        try:
            if subprocess.run([*command, "true"], capture_output=True, timeout=10).returncode == 0:
                return command
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def on_small_filesystem(
    directory: Path,
    size_kib: int,
    command: Sequence[str],
    *,
    full: bool = False,
    stale_file: str | None = None,
    read_only: bool = False,
) -> list[str]:
    """``command`` run with a ``size_kib`` tmpfs mounted on ``directory``.

    ``full`` fills it before the command starts; ``stale_file`` is written into it first and
    ``read_only`` then remounts it read-only.
    """
    unshare = _unshare()
    if unshare is None:
        pytest.skip("cannot make a mount namespace here (needs root or user namespaces)")
    target = shlex.quote(str(directory))
    steps = [f"mount -t tmpfs -o size={size_kib}k greenrate-test {target}"]
    if stale_file:
        steps.append(f"echo stale > {target}/{shlex.quote(stale_file)}")
    if full:  # dd stops at "No space left on device"; the filesystem is then full
        steps.append(f"{{ dd if=/dev/zero of={target}/filler bs=4k 2>/dev/null || true; }}")
    if read_only:
        steps.append(f"mount -o remount,ro {target}")
    script = " && ".join([*steps, 'exec "$@"'])
    return [*unshare, "--", "sh", "-c", script, "sh", *command]


def fill(directory: str | os.PathLike[str], name: str = "filler") -> Path:
    """Write zeros into ``directory/name`` until its filesystem refuses more, and return the file.

    Called inside the scripts the fault tests run on a small tmpfs (a subprocess, gunicorn's ``post_fork``):
    the disk fills up at the moment the test wants, after whatever was allocated before.
    """
    path = Path(directory) / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, bytes(1 << 16)):
            pass
    except OSError:  # ENOSPC: full
        pass
    finally:
        os.close(fd)
    return path
