"""The sha256 of every data file the engine publishes, checked each time one is read.

A version label names a rulebook: ``greenrate-sme@1.3.0``, factor set ``cn-2024.2``. Nothing had tied the
label to the bytes: a reproducibility review edited one grid factor of ``cn-2024.2`` in place, and then
every sector benchmark, and the service started and rated with the edited numbers under the unchanged
labels, while cache hits and reused ratings kept serving the old ones (``greenrate ratings verify``: 300
of 300 differ). A published file may never change; a change is a new version beside it. So the package
records each file's digest in ``data/published.json``, and the loaders of the standards, the factor sets,
the sector benchmarks and the ISIC Rev. 4 list read every packaged file through :func:`verified_bytes`: a
file whose bytes no longer match, or a packaged file never recorded, is refused, and the engine does not
load.

Recording is a deliberate act: ``python -m rating_model.published`` adds the files not yet recorded and
refuses to change a recorded digest, unless the file is named with ``--unreleased PATH`` (a file of the
change at hand, never on main). Files outside the package's data directory (a caller's own standard
document, a test's) are not the package's publications and are read unchecked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from rating_model.exceptions import RatingModelError

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = DATA_DIR / "published.json"
#: the published data files, relative to :data:`DATA_DIR` (models verify themselves by their own sha256)
PATTERNS = ("standard/*.yaml", "factors/*/*.json", "sector_benchmarks.json", "isic_rev*.json")


def published_files(data_dir: Path = DATA_DIR) -> list[str]:
    """Every published data file in ``data_dir``, as the manifest names it (POSIX path, sorted)."""
    return sorted(p.relative_to(data_dir).as_posix() for pattern in PATTERNS for p in data_dir.glob(pattern))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def recorded() -> dict[str, str]:
    """The manifest's digests by file (read once per process)."""
    try:
        return dict(json.loads(MANIFEST.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RatingModelError(f"{MANIFEST.name} cannot be read ({exc})") from exc


def verified_bytes(path: Path, error: Callable[[str], RatingModelError]) -> bytes:
    """The bytes of ``path``; refused with ``error(message)`` if it is a packaged file whose bytes are not
    the ones published.

    :raises OSError: the file cannot be read (the caller says so in its own words).
    """
    data = path.read_bytes()
    try:
        name = path.resolve().relative_to(DATA_DIR.resolve()).as_posix()
    except ValueError:
        return data  # not one of the package's files
    expected = recorded().get(name)
    if expected is None:
        raise error(f"{name} is not among the published data files ({MANIFEST.name}): it cannot be used")
    if digest(data) != expected:
        raise error(
            f"{name} is not the file published under its version (sha256 {digest(data)[:12]}…, published "
            f"{expected[:12]}…): a published file never changes; restore it, or publish a new version"
        )
    return data


def record(files: Iterable[str], before: dict[str, str], unreleased: Iterable[str] = (),
           data_dir: Path = DATA_DIR) -> tuple[dict[str, str], list[str]]:
    """The manifest with every file in ``files`` recorded, and the recorded files whose bytes changed
    (refused unless named in ``unreleased``)."""
    allowed = set(unreleased)
    out: dict[str, str] = {}
    refused: list[str] = []
    for name in files:
        now = digest((data_dir / name).read_bytes())
        if name in before and before[name] != now and name not in allowed:
            refused.append(name)
            now = before[name]
        out[name] = now
    return out, refused


def main(argv: list[str]) -> int:
    """Record the published files. Its arguments had been scanned for ``--unreleased`` alone, so
    ``--help`` (or a misspelt option) recorded the manifest instead of saying what the command does
    (a newcomer's review)."""
    parser = argparse.ArgumentParser(
        prog="python -m rating_model.published",
        description=f"Record the sha256 of every published data file not yet in {MANIFEST.name}; a "
        "recorded digest is never changed.",
    )
    parser.add_argument("--unreleased", action="append", default=[], metavar="PATH",
                        help="a file of the change at hand, never on main, whose recorded digest may change "
                        "(as the manifest names it, e.g. standard/greenrate-sme-1.12.yaml)")
    unreleased = parser.parse_args(argv).unreleased
    before = json.loads(MANIFEST.read_text(encoding="utf-8"))["files"] if MANIFEST.exists() else {}
    files, refused = record(published_files(), before, unreleased)
    if refused:
        print(
            "not recorded: published files changed: " + ", ".join(refused) + ". A published file never "
            "changes: restore it and publish a new version beside it (--unreleased PATH only for a file "
            "of the change at hand, never on main)",
            file=sys.stderr,
        )
        return 1
    MANIFEST.write_text(json.dumps({"files": files}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(files)} published data files in {MANIFEST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
