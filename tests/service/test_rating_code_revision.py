"""Every issued rating records the build that issued it (a reproducibility audit: "ratings record no code
revision"), signed, and never as part of what makes two requests identical.

The build is named once per process (:mod:`service.revision`): ``GREENRATE_REVISION``, else the package
version and commit of a git checkout, else ``unknown``. A redeploy (another build on the same records and
cache) hands out the ratings issued before it, as a hit, and the engine's answer does not carry it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import Connection, func, select, update

from service.cache import MemoryCache
from service.cli import main
from service.config import load_settings
from service.config.values import ConfigError
from service.ratings.record_checks import UNSIGNED_REVISION, V1_MISMATCH
from service.records.rating_signatures import FORMAT, REFUSED_MESSAGE, body_sha256, check_layout
from service.records.tables import ratings
from service.revision import UNKNOWN, code_revision, has_uncommitted_changes, head_commit
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.tampering import app_key, guard_lifted

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER_COMMIT = "fedcba9876543210fedcba9876543210fedcba98"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


# -- naming the build ------------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def _checkout(root: Path, version: str = "3.2.1") -> str:
    """A git checkout holding a pyproject.toml of ``version`` in one commit; its commit."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "greenrate"\nversion = "{version}"\n')
    _git(root, "init", "-q")
    _git(root, "add", "pyproject.toml")
    _git(root, "commit", "-q", "-m", "first")
    return _git(root, "rev-parse", "HEAD")


@needs_git
def test_a_checkout_is_named_by_its_version_and_commit_once_per_process(tmp_path: Path) -> None:
    commit = _checkout(tmp_path)
    assert code_revision(None, tmp_path) == f"3.2.1+g{commit}"
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "3.2.2"\n')  # uncommitted
    assert has_uncommitted_changes(tmp_path)
    # named when the process first asked: a change since does not rename the build that is running
    assert code_revision(None, tmp_path) == f"3.2.1+g{commit}"
    assert code_revision.__wrapped__(None, tmp_path) == f"3.2.2+g{commit}-dirty"  # a new process's name
    (tmp_path / "untracked.txt").write_text("no part of the build")
    _git(tmp_path, "checkout", "-q", "--", "pyproject.toml")
    assert not has_uncommitted_changes(tmp_path)


@needs_git
def test_the_configured_revision_wins_over_the_checkout(tmp_path: Path) -> None:
    _checkout(tmp_path)
    assert code_revision("deploy-42", tmp_path) == "deploy-42"


def test_outside_a_checkout_the_build_is_unknown(tmp_path: Path) -> None:
    assert code_revision(None, tmp_path) == UNKNOWN
    (tmp_path / ".git").mkdir()  # a repository whose HEAD cannot be read
    assert code_revision.__wrapped__(None, tmp_path) == UNKNOWN


def _dot_git(root: Path, head: str, refs: dict[str, str] | None = None, packed: str | None = None) -> Path:
    git_dir = root / ".git"
    git_dir.mkdir(parents=True)
    (git_dir / "HEAD").write_text(head + "\n")
    for ref, value in (refs or {}).items():
        (git_dir / ref).parent.mkdir(parents=True, exist_ok=True)
        (git_dir / ref).write_text(value + "\n")
    if packed is not None:
        (git_dir / "packed-refs").write_text(packed)
    return git_dir


def test_the_commit_is_read_from_git_s_files(tmp_path: Path) -> None:
    """HEAD on a branch (a loose ref, or one only in packed-refs after ``git gc``), a detached HEAD, a
    worktree's ``.git`` file and ``commondir``; an unborn branch or a HEAD that is no commit is none."""
    loose = _dot_git(tmp_path / "loose", "ref: refs/heads/main", {"refs/heads/main": COMMIT})
    assert head_commit(loose) == COMMIT
    packed = _dot_git(
        tmp_path / "packed", "ref: refs/heads/main",
        packed=f"# pack-refs with: peeled fully-peeled sorted\n{OTHER_COMMIT} refs/heads/other\n"
        f"{COMMIT} refs/heads/main\n",
    )
    assert head_commit(packed) == COMMIT
    assert head_commit(_dot_git(tmp_path / "detached", COMMIT)) == COMMIT
    # `git worktree add ../wt feature`: the main repository keeps the refs, the worktree its own HEAD
    common = _dot_git(tmp_path / "main", "ref: refs/heads/main", {"refs/heads/feature": OTHER_COMMIT})
    own = common / "worktrees" / "wt"
    own.mkdir(parents=True)
    (own / "HEAD").write_text("ref: refs/heads/feature\n")
    (own / "commondir").write_text("../..\n")
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: ../main/.git/worktrees/wt\n")
    assert head_commit(tmp_path / "wt" / ".git") == OTHER_COMMIT
    assert head_commit(_dot_git(tmp_path / "unborn", "ref: refs/heads/main")) is None
    assert head_commit(_dot_git(tmp_path / "garbage", "not a commit")) is None
    assert head_commit(_dot_git(tmp_path / "escape", "ref: ../../etc/passwd")) is None
    assert head_commit(tmp_path / "nothing" / ".git") is None


@needs_git
def test_what_git_describe_names_a_build_is_a_greenrate_revision(tmp_path: Path) -> None:
    """The docs build the image with `GREENRATE_REVISION=$(git describe --always --dirty)`: the image
    copies the working tree, uncommitted changes included, which `git rev-parse HEAD` does not say."""
    commit = _checkout(tmp_path)
    untagged = _git(tmp_path, "describe", "--always", "--dirty")
    assert commit.startswith(untagged)
    _git(tmp_path, "tag", "-a", "v3.2.1", "-m", "release")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "second")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = \"greenrate\"\nversion = \"3.2.2\"\n")
    dirty = _git(tmp_path, "describe", "--always", "--dirty")
    assert re.fullmatch(r"v3\.2\.1-1-g[0-9a-f]{7,}-dirty", dirty), dirty
    for named in (untagged, dirty):
        assert load_settings(environ={"GREENRATE_REVISION": named}).revision == named


def test_greenrate_revision_is_parsed_strictly() -> None:
    assert load_settings(environ={"GREENRATE_REVISION": " 0.1.0+gabc "}).revision == "0.1.0+gabc"
    assert load_settings(environ={"GREENRATE_REVISION": ""}).revision is None  # an ARG passed through empty
    assert load_settings(environ={}).revision is None
    for bad in ("two words", "x" * 101, "tab\tinside", "é"):
        with pytest.raises(ConfigError, match="GREENRATE_REVISION"):
            load_settings(environ={"GREENRATE_REVISION": bad})


# -- recording it ----------------------------------------------------------------------------------------


def _issue(app: Flask, key: str, name: str = "Cafe 1") -> Any:
    response = app.test_client().post("/v1/ratings", json=payload(name=name), headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response


def _row(conn: Connection, rating_id: str) -> Any:
    return conn.execute(select(ratings).where(ratings.c.id == rating_id)).one()._mapping


def _set(app: Flask, rating_id: str, **values: Any) -> None:
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).where(ratings.c.id == rating_id).values(**values))


def _verify(app: Flask, *args: str, revision: str = "auditor-build") -> Result:
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    env["GREENRATE_REVISION"] = revision
    return CliRunner().invoke(main, ["ratings", "verify", *args], env=env)


def _without_issue(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("id", "issued_at", "valid_until")}


def test_a_new_rating_records_and_signs_the_build_that_issued_it(make_app: AppFactory) -> None:
    app = make_app(REVISION="build-a")
    key = create_key(app)
    issued = _issue(app, key)
    rating = issued.get_json()
    assert issued.headers["X-Cache"] == "miss" and "build-a" not in issued.get_data(as_text=True)
    with services_of(app).db.connect() as conn:
        row = _row(conn, rating["id"])
    assert row["code_revision"] == "build-a"
    assert row["signature_v2"].startswith("v2:") and row["signature"].startswith("v1:")
    # the v1 signature is what the release before checks: it still serves this rating (rolling deploy)
    assert check_layout(app_key(app), row, body_sha256(row["result_json"]), FORMAT).status == "valid"
    client = app.test_client()
    assert client.get("/readyz").get_json()["code_revision"] == "build-a"
    item = client.get("/v1/ratings", headers=bearer(key)).get_json()["items"][0]
    assert (item["id"], item["code_revision"]) == (rating["id"], "build-a")
    fetched = client.get(f"/v1/ratings/{rating['id']}", headers=bearer(key))
    assert fetched.status_code == 200 and fetched.get_data() == issued.get_data()
    checked = _verify(app, rating["id"])
    assert checked.exit_code == 0, checked.output
    assert "issued by build build-a; this command runs build auditor-build" in checked.output
    assert "signature valid" in checked.output
    # the body is the engine's answer alone: another build rates the same input to the same body
    other = make_app(REVISION="build-b")
    assert _without_issue(_issue(other, create_key(other)).get_json()) == _without_issue(rating)


CACHES = ["shared cache", "records", pytest.param("redis", marks=pytest.mark.integration)]


@pytest.mark.parametrize("found_in", CACHES)
def test_a_redeploy_hands_out_the_ratings_issued_before_it(
    make_app: AppFactory, request: pytest.FixtureRequest, found_in: str
) -> None:
    """The next build on the same records and cache: a hit, same id and bytes, the record unchanged."""
    redis = {"REDIS_URL": request.getfixturevalue("redis_url")} if found_in == "redis" else {}
    before = make_app(REVISION="build-a", **redis)
    key = create_key(before)
    first = _issue(before, key)
    url = str(services_of(before).settings.database_url)
    after = make_app(REVISION="build-b", DATABASE_URL=url, **redis)
    if found_in == "shared cache":
        services_of(after).cache = services_of(before).cache
    elif found_in == "records":
        services_of(after).cache = MemoryCache(100, erased=services_of(after).erased)
    again = _issue(after, key)
    assert again.headers["X-Cache"] == "hit" and again.get_data() == first.get_data()
    assert again.headers["X-Input-SHA256"] == first.headers["X-Input-SHA256"]
    with services_of(after).db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ratings)).scalar_one() == 1
        assert _row(conn, first.get_json()["id"])["code_revision"] == "build-a"
    assert after.test_client().get("/readyz").get_json()["code_revision"] == "build-b"
    batch = after.test_client().post(
        "/v1/ratings/batch", json={"items": [payload(name="Cafe 1")]}, headers=bearer(key)
    )
    assert batch.get_json()["results"][0]["rating"]["id"] == first.get_json()["id"]


def test_a_build_changed_in_the_records_is_refused(make_app: AppFactory) -> None:
    app = make_app(REVISION="build-a")
    key = create_key(app)
    rating_id = _issue(app, key).get_json()["id"]
    _set(app, rating_id, code_revision="build-audited")
    client = app.test_client()
    for path in (f"/v1/ratings/{rating_id}", "/v1/ratings"):
        refused = client.get(path, headers=bearer(key))
        assert refused.status_code == 500 and refused.get_json()["message"] == REFUSED_MESSAGE
    checked = _verify(app, rating_id)
    assert checked.exit_code == 1 and "tampered: signature (the record does not match it" in checked.output


def test_a_build_recorded_without_its_signature_is_refused(make_app: AppFactory) -> None:
    """Only v2 covers the build; a row with a build and no v2 had one of them changed after it was issued
    (the code before 0019 records no build)."""
    app = make_app(REVISION="build-a")
    key = create_key(app)
    rating_id = _issue(app, key).get_json()["id"]
    _set(app, rating_id, signature_v2=None)
    assert app.test_client().get(f"/v1/ratings/{rating_id}", headers=bearer(key)).status_code == 500
    checked = _verify(app, rating_id)
    assert checked.exit_code == 1 and f"tampered: {UNSIGNED_REVISION}" in checked.output


def test_verify_checks_the_v1_signature_the_release_before_relies_on(make_app: AppFactory) -> None:
    """A read checks v2 only (one HMAC, as before); verify checks v1 too, which the release before checks."""
    app = make_app(REVISION="build-a")
    key = create_key(app)
    first, second = (_issue(app, key, name).get_json()["id"] for name in ("Cafe 1", "Cafe 2"))
    with services_of(app).db.connect() as conn:
        foreign = _row(conn, second)["signature"]
    _set(app, first, signature=foreign)
    assert app.test_client().get(f"/v1/ratings/{first}", headers=bearer(key)).status_code == 200
    checked = _verify(app, first)
    assert checked.exit_code == 1 and f"tampered: {V1_MISMATCH}" in checked.output
    assert _verify(app, second).exit_code == 0
