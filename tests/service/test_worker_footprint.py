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


def test_batch_workers_and_spark_tasks_load_the_engine_without_the_service() -> None:
    """The other way round: what a batch worker process and a Spark task import is the engine alone.

    The batch pool's fork server preloads rating_model.book_chunks (with rating_model.worker_exit), and Spark
    pickles rating_model.spark_tasks.rate_batches by name; the service package would add Flask and
    SQLAlchemy (about a second and 45 MB) to every worker.
    """
    script = (
        "import json, sys\n"
        "import rating_model.book_chunks, rating_model.spark_tasks, rating_model.worker_exit\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}\n"
        "                        & {'service', 'flask', 'sqlalchemy', 'werkzeug', 'pyspark'})))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True, cwd=Path(__file__).parents[2],
                         timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
