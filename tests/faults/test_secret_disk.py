"""The machine's secret key file (``instance/secret_key``) created on a full filesystem.

The file had been created empty and then written: on a full disk the write failed after the name existed,
so the empty file stayed, and every later start (the disk freed again) refused to run with "is empty:
delete it" until someone did (fault-injection review). Each test runs its process on a tmpfs of its own
(:mod:`tests.faults.filesystems`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.filesystems import on_small_filesystem

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

# The secret asked for on the full disk (refused), then again once the filler is gone: a fresh process
# each time in production, a fresh call here (instance_secret itself is not cached).
TWICE = """
import json, os, sys
from pathlib import Path
from service.secret import instance_secret
directory = Path(sys.argv[1])
path = directory / "instance" / "secret_key"
seen = {}
try:
    instance_secret(path)
    seen["full"] = "made"
except OSError as exc:
    seen["full"] = exc.strerror
seen["left"] = sorted(p.name for p in (directory / "instance").iterdir())
os.unlink(directory / "filler")
value = instance_secret(path)
seen["again"] = value == path.read_text().strip() == instance_secret(path) and len(value) >= 32
seen["mode"] = oct(path.stat().st_mode & 0o777)
print(json.dumps(seen))
"""


def test_a_secret_not_written_on_a_full_disk_leaves_no_file_and_is_made_once_there_is_room(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "service"
    directory.mkdir()
    # the instance directory exists before the disk fills (a directory needs a block of its own on tmpfs)
    script = f"mkdir -p {directory}/instance && exec {sys.executable} -c '{TWICE}' {directory}"
    command = on_small_filesystem(directory, 256, ["sh", "-c", script], full=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    run = subprocess.run(command, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "full": "No space left on device", "left": [], "again": True, "mode": "0o600"
    }
