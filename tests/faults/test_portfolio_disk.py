"""A portfolio's files on a filesystem that fills up: a failed write leaves nothing behind, an upload is 503.

A part or the joined results refused mid-write (ENOSPC) had left their temporary file, as large as what was
written before the disk filled: the space the next job needed stayed taken until the retention deleted the
job's directory, days later (fault-injection review). Each test runs its process on a tmpfs of its own
(:mod:`tests.faults.filesystems`).
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.test import TestResponse

from service.portfolios import storage
from service.records import migrate
from service.records.portfolio_tables import portfolio_jobs
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.faults.filesystems import on_small_filesystem

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

# Two parts written, then the disk filled but for a little: a third part, then the join of the first two,
# are refused; the script says what each raised and which files are left.
WRITES = """
import json, os, sys
from pathlib import Path
import numpy as np
import pandas as pd
from service.portfolios import storage
from tests.faults.filesystems import fill
root = Path(sys.argv[1])
files = storage.JobFiles(root / "pf_job")
rng = np.random.default_rng(0)
frame = pd.DataFrame({"row": np.arange(20_000), "score": rng.random(20_000),
                      "note": [f"n{i:08d}{rng.integers(1 << 60)}" for i in range(20_000)]})
storage.write_part(files, 0, frame, "1-1", {"engine": "x"})
storage.write_part(files, 1, frame, "1-1", {"engine": "x"})
filler = fill(root)
os.truncate(filler, os.path.getsize(filler) - 64 * 1024)  # room for a little, not for a part
seen = {}
for name, write in (("part", lambda: storage.write_part(files, 2, frame, "1-1", {"engine": "x"})),
                    ("merge", lambda: storage.merge_parts(files, 2, "1-1"))):
    try:
        write()
        seen[name] = "written"
    except OSError as exc:
        seen[name] = exc.strerror or str(exc)
seen["left"] = sorted(str(p.relative_to(files.root)) for p in files.root.rglob("*"))
print(json.dumps(seen))
"""


def test_results_refused_by_a_full_disk_leave_no_temporary_file(tmp_path: Path) -> None:
    directory = tmp_path / "portfolios"
    directory.mkdir()
    command = on_small_filesystem(directory, 4096, [sys.executable, "-c", WRITES, str(directory)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    run = subprocess.run(command, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert "No space left on device" in seen["part"] and "No space left on device" in seen["merge"], seen
    assert seen["left"] == ["parts", "parts/part-000000.parquet", "parts/part-000001.parquet"]


@pytest.mark.integration
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_an_upload_the_disk_cannot_take_is_a_503_and_nothing_is_kept(
    make_app: AppFactory, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int
) -> None:
    """The upload is refused as its storage's failure, retryable (it had been a 500, "internal error")."""
    directory = tmp_path / "portfolios"
    app = make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(directory), RETRY_AFTER_SECONDS=7)
    migrate.upgrade(services_of(app).db)
    client = app.test_client()
    key = create_key(app)
    body = b"company__name,company__employees\nA,3\n"

    def send() -> TestResponse:
        return client.post("/v1/portfolios", data={"file": (io.BytesIO(body), "book.csv")},
                           headers=bearer(key), content_type="multipart/form-data")

    def refused(temporary: Path, target: Path) -> None:  # the flush to disk is where a full disk says so
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(storage, "_replace_durably", refused)
    response = send()
    assert response.status_code == 503, response.data
    assert response.headers["Retry-After"] == "7"
    assert response.json == {
        "code": 503, "status": "Service Unavailable",
        "message": "The loan book cannot be stored now; it was not accepted.",
        "request_id": response.headers["X-Request-ID"],
    }
    with services_of(app).db.connect() as conn:
        assert conn.execute(portfolio_jobs.select()).first() is None
    assert not directory.exists() or list(directory.iterdir()) == []  # no job directory, no partial file
    monkeypatch.undo()
    assert send().status_code == 202  # room again: accepted, no restart
