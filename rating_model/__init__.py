"""greenrate's rating engine: GHG inventory, green evaluation standard and transparent scorecard.

Pure computation over packaged data files: no Flask, Redis or database. The serving path imports numpy
and the standard library only; scikit-learn is needed for training (:mod:`rating_model.scorecard`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

#: the sources the compiled modules were built from (setup.py writes it when it compiles them)
COMPILED_RECORD = Path(__file__).parent / "data" / "compiled_sources.json"


def stale_compiled_modules(
    package: Path = Path(__file__).parent, record: Path = COMPILED_RECORD
) -> list[str]:
    """The modules whose compiled extension was built from another source than the ``.py`` beside it.

    Python imports ``inventory.cpython-311-*.so`` before ``inventory.py``, so after an edit without a rebuild
    gunicorn, the CLI and the batch workers would silently run the old code (pytest and the Makefile caught
    it; nothing else did). Compared by content, not by modification time, which copies and caches reset.
    """
    if not record.exists():
        return []  # a plain-Python install (RATING_MODEL_NO_EXTENSIONS=1), or a checkout never built
    built = json.loads(record.read_text(encoding="utf-8"))
    stale = []
    for name, digest in sorted(built.items()):
        source = package / f"{name}.py"
        if source.exists() and any(package.glob(f"{name}.cpython-*")):
            if hashlib.sha256(source.read_bytes()).hexdigest() != digest:
                stale.append(name)
    return stale


_stale = stale_compiled_modules()
if _stale:
    raise ImportError(
        f"rating_model/{', '.join(n + '.py' for n in _stale)} changed after it was compiled: rebuild with "
        "`make install` (or `python setup.py build_ext --inplace`), or install with "
        "RATING_MODEL_NO_EXTENSIONS=1 for plain Python"
    )
