"""Declared dependencies: pyproject.toml names every distribution the code imports, ``.[test]`` installs the
tests' ones, and `make system-test-deps` the Debian packages the tests run.

A distribution that arrives only as another's dependency (``limits`` under Flask-Limiter, ``itsdangerous``
under Flask) can be dropped or moved a major version by that one's next release without pip noticing; and
``pip install -e .[test]`` then pytest must not fail on an import of an extra the test extra forgot.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Collection
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
_PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
_OURS = {"service", "rating_model", "schemas", "tests", "benchmarks", "__future__"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def _extra(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """An extra's distributions, following ``greenrate[...]`` references to other extras."""
    out: set[str] = set()
    for requirement in _PROJECT["optional-dependencies"][name]:
        if _name(requirement) == "greenrate":
            for other in re.findall(r"\[(.*)\]", requirement)[0].split(","):
                if other.strip() not in seen:
                    out |= _extra(other.strip(), seen | {name})
        else:
            out.add(_name(requirement))
    return out


def _imported(*packages: str, skip: Collection[str] = ()) -> dict[str, str]:
    """Installed third-party distributions imported under ``packages`` (directories or ``.py`` files),
    but in the files ``skip`` names -> one file importing each."""
    by_module = packages_distributions()
    found: dict[str, str] = {}
    for package in packages:
        paths = [ROOT / package] if package.endswith(".py") else sorted((ROOT / package).rglob("*.py"))
        for path in (p for p in paths if str(p.relative_to(ROOT)) not in skip):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".", 1)[0]
                    if top in sys.stdlib_module_names or top in _OURS:
                        continue
                    for distribution in by_module.get(top, ()):  # not installed: an optional tool
                        found.setdefault(_name(distribution), str(path.relative_to(ROOT)))
    return found


#: the service's modules that run only with an extra installed (they import it inside their functions)
_EXTRA_MODULES = {"service/batch/spark.py": "spark"}


def test_the_serving_packages_import_only_declared_dependencies() -> None:
    declared = {_name(r) for r in _PROJECT["dependencies"]}
    imported = _imported("service", "schemas", skip=_EXTRA_MODULES)
    missing = {d: f for d, f in imported.items() if d not in declared}
    assert not missing, f"imported but not in [project] dependencies: {missing}"
    for module, extra in _EXTRA_MODULES.items():
        missing = {d: f for d, f in _imported(module).items() if d not in declared | _extra(extra)}
        assert not missing, f"imported but in neither [project] dependencies nor the {extra} extra: {missing}"


def test_the_engine_imports_only_declared_dependencies_or_extras() -> None:
    declared = {_name(r) for r in _PROJECT["dependencies"]}
    for extra in _PROJECT["optional-dependencies"]:
        declared |= _extra(extra)
    missing = {d: f for d, f in _imported("rating_model").items() if d not in declared}
    assert not missing, f"imported but declared nowhere: {missing}"


def test_the_test_extra_installs_every_extra_the_tests_import() -> None:
    optional = set().union(*(_extra(extra) for extra in _PROJECT["optional-dependencies"]))
    installed = {_name(r) for r in _PROJECT["dependencies"]} | _extra("test")
    wanted = {d: f for d, f in _imported("tests").items() if d in optional and d not in installed}
    assert not wanted, f"the tests import these, which `pip install .[test]` does not install: {wanted}"


def test_make_test_installs_the_server_binaries_the_live_tests_start() -> None:
    """With no Redis or PostgreSQL running, tests/live_services.py starts throwaway ones from the installed
    binaries: `make system-test-deps` (run by `make test`) must install their Debian packages."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    recipe = subprocess.run(["make", "-n", "system-test-deps"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    packages = recipe.split("for p in ", 1)[1].split(";", 1)[0].split()
    assert {"redis-server", "postgresql", "nginx"} <= set(packages), packages
