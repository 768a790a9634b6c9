"""A web worker does not load the batch stack: pandas and pyarrow cost each worker about 80 MB.

Loan books are read and written only by portfolio uploads, downloads and the ``greenrate worker``/``batch``
processes, which import them when they need them. A module-level import anywhere on the serving path
would put them in every gunicorn worker (the 200 MB-per-worker target of benchmarks/results.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_the_wsgi_app_loads_without_pandas_or_pyarrow(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "import service.wsgi\n"
        "print(json.dumps(sorted(m for m in ('pandas', 'pyarrow', 'pyspark') if m in sys.modules)))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite3"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                         cwd=Path(__file__).parents[2], timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
