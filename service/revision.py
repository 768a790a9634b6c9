"""The build a process runs, named once per process: every rating it issues records it (``code_revision``).

A rating records the model, standard, factor set, schema and engine versions it was computed under, which
say what it was computed with but not which build of the service computed it: two builds with the same
engine version can differ (a reproducibility audit: "ratings record no code revision"). The name is, in
order:

1. ``GREENRATE_REVISION`` when set (:attr:`service.config.settings.Settings.revision`): the image sets it
   from its build argument (``docker build --build-arg GREENRATE_REVISION=$(git describe --always
   --dirty)``: the image copies the working tree, and ``-dirty`` says it held uncommitted changes), since an
   image holds no ``.git``;
2. when the code runs from a git checkout (``make run``, an editable install), the package version and the
   checked-out commit, ``0.1.0+g<commit>``, with ``-dirty`` when ``git status`` reports uncommitted
   changes to tracked files (without a ``git`` command that cannot be told, and nothing is added). The
   commit is read from ``.git`` itself, no command needed;
3. else ``unknown``.

It is resolved once per process (:func:`code_revision` is cached by its arguments), when the app is
created: never per request.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

#: What a rating records when the build cannot be named.
UNKNOWN = "unknown"

#: The directory this code runs from: a checkout's root when it is one (it then holds ``.git``).
CHECKOUT = Path(__file__).resolve().parent.parent

#: A commit's object name: SHA-1, or SHA-256 in a repository that uses it.
_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
#: How deep a chain of symbolic refs is followed (HEAD -> refs/heads/main is one).
_MAX_SYMREFS = 5
#: ``git status`` in a large or slow checkout: past this, the checkout is not called dirty.
_STATUS_TIMEOUT_SECONDS = 5.0


@functools.cache
def code_revision(configured: str | None, checkout: Path = CHECKOUT) -> str:
    """The name of the build running ``checkout``'s code: ``configured`` (``GREENRATE_REVISION``) if set,
    else the package version and commit of a git checkout (``-dirty`` with uncommitted changes), else
    :data:`UNKNOWN`."""
    if configured:
        return configured
    commit = head_commit(checkout / ".git")
    if commit is None:
        return UNKNOWN
    version = package_version(checkout)
    name = f"{version}+g{commit}" if version else f"g{commit}"
    return f"{name}-dirty" if has_uncommitted_changes(checkout) else name


def head_commit(dot_git: Path) -> str | None:
    """The commit ``HEAD`` names in the repository at ``dot_git`` (a ``.git`` directory, or the ``.git``
    file of a worktree or submodule pointing at one); ``None`` when it is none or cannot be read."""
    try:
        git_dir = _git_dir(dot_git)
        if git_dir is None:
            return None
        common = _common_dir(git_dir)
        value = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        for _ in range(_MAX_SYMREFS):
            if not value.startswith("ref:"):
                return value if _COMMIT.fullmatch(value) else None
            ref = value.removeprefix("ref:").strip()
            found = _ref(git_dir, common, ref)
            if found is None:
                return None  # a branch with no commit yet
            value = found
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _git_dir(dot_git: Path) -> Path | None:
    """The repository directory: ``.git`` itself, or the one its ``gitdir:`` line names."""
    if dot_git.is_dir():
        return dot_git
    if not dot_git.is_file():
        return None
    line = dot_git.read_text(encoding="utf-8").strip()
    if not line.startswith("gitdir:"):
        return None
    return (dot_git.parent / line.removeprefix("gitdir:").strip()).resolve()


def _common_dir(git_dir: Path) -> Path:
    """Where the refs live: a worktree's ``commondir`` names the main repository's directory."""
    pointer = git_dir / "commondir"
    if pointer.is_file():
        return (git_dir / pointer.read_text(encoding="utf-8").strip()).resolve()
    return git_dir


def _ref(git_dir: Path, common: Path, ref: str) -> str | None:
    """The content of ``ref``: a loose ref file (the worktree's own, then the shared one), else its line in
    ``packed-refs``."""
    if ".." in Path(ref).parts:
        return None
    for directory in (git_dir, common):
        loose = directory / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            commit, _, name = line.partition(" ")
            if name.strip() == ref:
                return commit.strip()
    return None


def package_version(checkout: Path) -> str | None:
    """The version of the code in ``checkout`` (its ``pyproject.toml``), else of the installed package."""
    try:
        with (checkout / "pyproject.toml").open("rb") as file:
            version = tomllib.load(file)["project"]["version"]
        if isinstance(version, str) and version:
            return version
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version("greenrate")
    except metadata.PackageNotFoundError:
        return None


def has_uncommitted_changes(checkout: Path) -> bool:
    """Whether ``git status`` reports changes to tracked files in ``checkout``; ``False`` when it cannot
    answer (no ``git`` command, a repository it refuses, a timeout).

    ``--no-optional-locks``: a status refreshes the index file otherwise, a write into the checkout (and a
    lock another git command could trip on). Untracked files are left out: a checkout holds many
    (``instance/``, a virtualenv) that are no part of the build.
    """
    try:
        status = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=checkout, capture_output=True, timeout=_STATUS_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return status.returncode == 0 and bool(status.stdout.strip())
