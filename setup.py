"""Build hook: the rating engine's per-business hot path compiled to C with mypyc.

Everything else about the package is declared in ``pyproject.toml``. The modules below run once or more
per rating and per loan-book row (reading the input, the inventory, estimation, data quality, indicators,
the flat format and the batch columns; the scorecard's row scoring, grading, the explanations and their
counterfactual actions, the summaries and the engine that drives them); mypyc compiles them from the
same fully typed source that ``mypy --strict`` checks, so there is no second implementation to keep in
step. Compiled, a loan-book row is rated in about a fifth less CPU (``python -m benchmarks.batch``);
compiling the explanations, the scoring and the summaries too took a further 9% off the instructions of
``Engine.rate`` (2.80M to 2.55M per business, callgrind) with byte-identical ratings.

The standard (``standard.py``) stays Python: its frozen dataclasses are pickled to the batch workers, and
mypyc's native dataclasses cannot be unpickled through a frozen ``__setattr__``.

``RATING_MODEL_NO_EXTENSIONS=1`` installs the same modules as plain Python (no C compiler needed; the
name follows aio-libs' ``*_NO_EXTENSIONS``, and is not a ``GREENRATE_`` setting, which the service would
refuse as unknown). The results are the same: ``tests/rating_model/test_compiled.py`` checks that on a
sample of businesses, refusals and a loan book.
Compiling needs a C compiler and the Python headers (``gcc`` and ``python3-dev`` on Debian).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

#: the sha256 of each compiled module's source at build time (read by rating_model/__init__.py)
COMPILED_RECORD = "rating_model/data/compiled_sources.json"
#: modules of ``rating_model`` compiled by mypyc (the rest stays Python: I/O, training, the scorecard)
COMPILED = (
    "reader",
    "operating_data",
    "operating_data_reader",
    "flat",
    "estimation",
    "line_items",
    "scope12",
    "fleet",
    "scope3",
    "neutrality",
    "inventory",
    "sector_benchmarks",
    "data_quality",
    "indicators",
    "pipeline",
    "batch",
    "json_values",
    "reasons",
    "improvements",
    "engine",
    "actions",
    "scoring_table",
    "issb",
    "issb_items",
    "issb_metrics",
    "issb_basis",
    "grading",
    "green_loan",
    "reported",
    "units",
    "artifact",
    "rounding",
)


def _extensions() -> list[object]:
    if os.environ.get("RATING_MODEL_NO_EXTENSIONS", "0") == "1":
        # an in-place build (pip install -e) left extension modules next to the sources: Python imports
        # those before the .py files, so they go, or the plain install would run the old compiled code
        for stale in (*Path("rating_model").glob("*.so"), *Path(".").glob("greenrate_engine__mypyc*.so")):
            stale.unlink()
        return []
    from mypyc.build import mypycify

    # What the compiled modules were built from: rating_model checks it on import, so that a source edited
    # after the build is never run as its stale compiled module (Python imports the .so before the .py).
    record = {
        name: hashlib.sha256(Path(f"rating_model/{name}.py").read_bytes()).hexdigest() for name in COMPILED
    }
    Path(COMPILED_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    return mypycify([f"rating_model/{name}.py" for name in COMPILED], opt_level="3", debug_level="1",
                    group_name="greenrate_engine")


setup(ext_modules=_extensions())
