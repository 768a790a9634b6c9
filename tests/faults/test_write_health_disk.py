"""The shared write-failure state on a full or read-only filesystem: the very incident it reports.

Each test runs its process on a tmpfs of its own (:mod:`tests.faults.filesystems`). Where the page cannot
be had, the worker keeps its own state, as before, and says so in one log line; on a disk that fills up
after the page was allocated, failures are still shared (no SIGBUS: the page is allocated, not sparse).
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

# Two WriteHealth on the directory (two workers); one records a failure, each says what it sees. With
# "fill", the first allocates its page before the rest of the disk fills up.
TWO_WORKERS = """
import json, sys
from structlog.testing import capture_logs
from service.write_health import WriteHealth
from tests.faults.filesystems import fill
directory = sys.argv[1]
with capture_logs() as logged:
    first = WriteHealth(shared_dir=directory)
    if sys.argv[2] == "fill":
        fill(directory)
    second = WriteHealth(shared_dir=directory)
first.failed("SQLITE_FULL")
print(json.dumps({"shared": [first.shared, second.shared], "problems": [bool(first.problem()),
                  bool(second.problem())], "logged": [(e["event"], e["error"]) for e in logged]}))
"""


def _run(directory: Path, mode: str, **filesystem: bool) -> dict[str, list[object]]:
    command = on_small_filesystem(directory, 256, [sys.executable, "-c", TWO_WORKERS, str(directory), mode],
                                  **filesystem)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    run = subprocess.run(command, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("filesystem", "error"),
    [({"full": True}, "No space left on device"), ({"read_only": True}, "Read-only file system")],
)
def test_a_directory_without_room_leaves_each_worker_its_own_state_and_says_so(
    tmp_path: Path, filesystem: dict[str, bool], error: str
) -> None:
    directory = tmp_path / "multiproc"
    directory.mkdir()
    seen = _run(directory, "as-is", **filesystem)
    assert seen["shared"] == [False, False] and seen["problems"] == [True, False]
    assert seen["logged"] == [["write_health_not_shared", error]] * 2  # one line each


def test_a_disk_that_fills_up_after_the_page_is_allocated_still_shares_failures(tmp_path: Path) -> None:
    directory = tmp_path / "multiproc"
    directory.mkdir()
    seen = _run(directory, "fill")
    assert seen == {"shared": [True, True], "problems": [True, True], "logged": []}
