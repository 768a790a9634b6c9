"""The wheel the Dockerfile installs: it holds every data file and migration, and rates on its own.

The image copies the packages' sources, runs ``pip wheel .`` and installs only that wheel, so a data file or
migration that package-data misses would pass every other test (they run from the checkout) and fail only in
production. The wheel is built here as the image builds it: from a copy of the tracked files the Dockerfile
copies, never in the checkout (a stale ``build/`` there would lend the wheel files package-data misses, and
the pure build below removes the checkout's compiled modules). It is pure Python
(``RATING_MODEL_NO_EXTENSIONS=1``, a few seconds; the compiled modules are the same sources), then used from
an unpacked copy with neither the checkout nor its editable install on the path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("service", "rating_model", "schemas")
#: what the Dockerfile's builder stage copies
COPIED = ("pyproject.toml", "setup.py", "README.md", *PACKAGES)


def _tracked(*paths: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to list the tracked files")
    source = tmp_path_factory.mktemp("source")
    for name in _tracked(*COPIED):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "RATING_MODEL_NO_EXTENSIONS": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
        cwd=source,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = out.glob("greenrate-*.whl")
    return found


def test_the_wheel_holds_every_tracked_file_of_the_packages(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {name for name in _tracked(*PACKAGES) if not name.endswith((".md", ".pyi"))}
    missing = sorted(wanted - names)
    assert not missing, f"package-data (pyproject.toml) misses: {missing}"


def test_the_unpacked_wheel_migrates_and_rates_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = """
import json, sys
import rating_model, schemas, service
for module in (rating_model, schemas, service):
    assert module.__file__.startswith(sys.argv[1]), module.__file__
from service import create_app
from service.auth import generate_key
from service.extensions import EXTENSION_NAME
from service.records import api_keys, migrate
app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///" + sys.argv[2], "ACCESS_LOG": False})
db = app.extensions[EXTENSION_NAME].db
migrate.upgrade(db)
key = generate_key()
api_keys.insert_key(db, prefix=key.prefix, key_hash=key.key_hash, tenant="t", role="bank")
answer = app.test_client().post(
    "/v1/ratings", json=json.loads(sys.argv[3]), headers={"Authorization": "Bearer " + key.key}
)
print(answer.status_code, answer.get_json().get("grade"), migrate.current_revision(db))
"""
    from tests.conftest import payload

    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRATE_")}
    # -S: no site module, so no .pth file, so not the editable install's finder that maps greenrate's
    # modules to the checkout; the dependencies come from the environment's site-packages, put on the path.
    env["PYTHONPATH"] = os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])
    done = subprocess.run(
        [sys.executable, "-S", "-c", script, str(site), str(tmp_path / "w.sqlite3"), json.dumps(payload())],
        cwd=tmp_path,  # not the checkout: nothing may be read from it
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, grade, revision = done.stdout.split()
    from service.records import migrate

    assert status == "201" and grade in ("dark_green", "green", "light_green", "not_green")
    assert revision == migrate.head_revision()


def _instructions(dockerfile: str) -> list[str]:
    """The Dockerfile's instructions, each on one line: continuations joined, comments dropped."""
    steps: list[str] = []
    current = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        steps.append(current + line)
        current = ""
    return steps


def test_no_layer_of_the_image_holds_files_a_later_layer_deletes() -> None:
    """Each instruction is a layer, and a file a later layer deletes is still shipped in the layer that
    added it: the runtime stage had copied the builder's wheels in (``COPY --from=builder /wheels``) and
    removed them after the install, and the image carried them beside the installed packages all the same,
    117 MB (operations review). They are mounted for the install alone instead."""
    steps = _instructions((ROOT / "Dockerfile").read_text())
    runtime = steps[max(i for i, step in enumerate(steps) if step.upper().startswith("FROM ")) + 1 :]
    for i, step in enumerate(runtime):
        if not step.upper().startswith(("COPY ", "ADD ")):
            continue
        target = step.split()[-1].rstrip("/")
        for later in runtime[i + 1 :]:
            removes = re.search(rf"\brm\s+(?:-\w+\s+)*{re.escape(target)}(?![\w./-])", later)
            assert not (later.upper().startswith("RUN ") and removes), (step, later)
