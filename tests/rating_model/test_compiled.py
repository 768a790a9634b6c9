"""The engine's modules compiled by mypyc (setup.py) rate exactly like their Python source.

A bank must get the same rating whichever build served it, so the compiled build is checked against the
plain source it was compiled from: the source tree is copied without its extension modules and a child
interpreter rates the same businesses with it. Ratings (the whole API document), refusals (the field and
the message) and a loan book's batch columns must be identical, to the last digit.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rating_model import reader
from rating_model.engine import Engine
from rating_model.flat import payloads_from_frame
from rating_model.loan_book import iter_loan_book
from tests.conftest import session_engine
from tests.rating_model.strategies import payloads

ROOT = Path(__file__).resolve().parents[2]
COMPILED = os.environ.get("RATING_MODEL_NO_EXTENSIONS", "0") != "1"
_PLAIN = not reader.__file__ or reader.__file__.endswith(".py")

#: run by the child interpreter on the plain source: every payload's rating document or refusal,
#: then the batch columns of the loan book
_CHILD = """
import json, sys
import pandas as pd
import rating_model.reader, rating_model.batch
assert rating_model.reader.__file__.endswith(".py"), rating_model.reader.__file__
assert rating_model.batch.__file__.endswith(".py"), rating_model.batch.__file__
from rating_model.engine import Engine
sys.path.insert(0, sys.argv[3])
from compiled_case import rate_all
engine = Engine.load()
payloads = json.loads(open(sys.argv[1], encoding="utf-8").read())
book = pd.read_parquet(sys.argv[2])
print(json.dumps(rate_all(engine, payloads, book)))
"""

_CASE = '''
import json
from rating_model.batch import rate_frame
from rating_model.exceptions import RatingModelError


def rate_all(engine, payloads, book):
    """Each payload's rating (JSON text) or refusal, and the batch result of the book as JSON text."""
    out = []
    for payload in payloads:
        try:
            out.append(json.dumps(engine.rate(engine.parse(payload)).to_dict(), sort_keys=True))
        except RatingModelError as exc:
            out.append("refused: " + type(exc).__name__ + ": " + str(exc))
    batch = rate_frame(book, engine).to_json(orient="split", double_precision=15)
    return {"ratings": out, "batch": batch}
'''


def _rate_all(engine: Engine, items: list[dict[str, Any]], book: pd.DataFrame,
              case_dir: Path) -> dict[str, Any]:
    sys.path.insert(0, str(case_dir))
    try:
        module = importlib.import_module("compiled_case")
        return module.rate_all(engine, items, book)  # type: ignore[no-any-return]
    finally:
        sys.path.remove(str(case_dir))
        sys.modules.pop("compiled_case", None)


def _source_copy(tmp_path: Path) -> Path:
    """The package as plain Python: the same sources and data, no extension modules."""
    target = tmp_path / "source"
    shutil.copytree(ROOT / "rating_model", target / "rating_model",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    return target


def _edge_payloads() -> list[dict[str, Any]]:
    """Businesses at the edges: the minimal one, nothing in Scope 3, refusals of several kinds."""
    company = {"name": "Edge", "country": "CN", "region": "CN-ZJ", "industry_code": "5610", "employees": 3,
               "annual_revenue": 900000, "currency": "CNY", "reporting_year": 2024}
    return [
        {"company": company, "energy": {"electricity_kwh": 42000}, "data_source": "energy_bills"},
        {"company": company, "energy": {"electricity_kwh": 0}, "data_source": "energy_bills"},
        {"company": {**company, "region": None}, "energy": {"electricity_kwh": 1e-300},
         "previous_year": {"energy": {"electricity_kwh": 1e-311}}, "data_source": "estimate"},
        {"company": {**company, "employees": 0}, "energy": {"electricity_kwh": 1}},
        {"company": company, "energy": {"electricity_kwh": float("nan")}},
        {"company": company, "energy": {"electricity_kwh": 10, "green_electricity_kwh": 20}},
        {"company": {**company, "country": "XX"}, "energy": {"electricity_kwh": 10}},
        {"company": company, "energy": {"fuels": [{"fuel": "fuel_oil", "quantity": 3, "unit": "t"}]}},
        {"company": company, "energy": {"fuels": [{"fuel": "diesel", "quantity": 3, "unit": "parsec"}]}},
        {"company": company, "unknown": True},
    ]


@pytest.mark.skipif(_PLAIN, reason="the engine modules are not compiled in this install")
# one example of 120 payloads: on a failure its repr is large, and the assertion names the payload anyway
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=1, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(drawn=st.lists(payloads(), min_size=120, max_size=120))
def test_compiled_modules_rate_like_their_python_source(drawn: list[dict[str, Any]], tmp_path_factory:
                                                         pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("compiled")
    book = next(iter_loan_book(400, seed=17, chunk_rows=10_000))
    book.loc[3, "energy__electricity_kwh"] = -1.0  # a refused row in the batch too
    from_book = list(payloads_from_frame(book.head(80).drop(columns=["borrower_id"], errors="ignore"),
                                         ignore_unknown=True))
    items = [*drawn, *from_book, *_edge_payloads()]
    (tmp_path / "payloads.json").write_text(json.dumps(items), encoding="utf-8")
    book.to_parquet(tmp_path / "book.parquet")
    (tmp_path / "compiled_case.py").write_text(_CASE, encoding="utf-8")
    source = _source_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(source)}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "payloads.json"), str(tmp_path / "book.parquet"),
         str(tmp_path)],
        cwd=source, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    plain = json.loads(child.stdout)
    compiled = _rate_all(session_engine(), items, book, tmp_path)
    assert sum(not r.startswith("refused") for r in compiled["ratings"]) > 150
    assert sum(r.startswith("refused") for r in compiled["ratings"]) >= 6
    for index, (mine, theirs) in enumerate(zip(compiled["ratings"], plain["ratings"], strict=True)):
        assert mine == theirs, f"payload {index} rates differently: {items[index]}"
    assert compiled["batch"] == plain["batch"]


@pytest.mark.skipif(not COMPILED, reason="RATING_MODEL_NO_EXTENSIONS=1: plain Python by choice")
def test_an_install_compiles_the_hot_modules_unless_told_not_to() -> None:
    """``make install`` builds what ships, so tests and benchmarks measure the compiled engine."""
    from rating_model import batch, inventory, operating_data

    for module in (reader, operating_data, inventory, batch):
        assert module.__file__ is not None and not module.__file__.endswith(".py"), module.__file__


def test_patching_a_compiled_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compiled module never calls a patched global of its own: tests/conftest.py refuses the patch."""
    from rating_model import improvements, standard

    def linear(n: int, *_: object) -> int | None:
        return None

    for patch in (lambda: monkeypatch.setattr(improvements, "first_reaching", linear),
                  lambda: monkeypatch.setattr("rating_model.improvements.first_reaching", linear),
                  lambda: monkeypatch.setattr(Engine, "rate", linear)):
        with pytest.raises(pytest.fail.Exception, match="compiles with mypyc"):
            patch()
    assert improvements.first_reaching is not linear
    monkeypatch.setattr(standard, "DEFAULT_STANDARD", standard.DEFAULT_STANDARD)  # plain Python: allowed


def test_a_source_edited_after_the_build_is_refused_at_import(tmp_path: Path) -> None:
    """Maintainer review: only pytest and the Makefile noticed a stale compiled module; gunicorn, the CLI and
    the batch workers silently ran the old code. rating_model compares each source with what it was built
    from, by content."""
    import hashlib
    import json

    from rating_model import stale_compiled_modules

    (tmp_path / "units.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "units.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    (tmp_path / "rounding.py").write_text("Y = 2\n", encoding="utf-8")  # no compiled module: not checked
    record = tmp_path / "compiled_sources.json"
    built = hashlib.sha256(b"X = 1\n").hexdigest()
    record.write_text(json.dumps({"units": built, "rounding": "0" * 64}), encoding="utf-8")
    assert stale_compiled_modules(tmp_path, record) == []
    (tmp_path / "units.py").write_text("X = 2\n", encoding="utf-8")
    assert stale_compiled_modules(tmp_path, record) == ["units"]
    assert stale_compiled_modules(tmp_path, tmp_path / "none.json") == []  # a plain-Python install
    assert stale_compiled_modules() == []  # this checkout, as built
