"""Give each operation schemathesis parametrizes a test id of its own.

Under pytest 9.2 schemathesis' items (``test_every_operation_keeps_its_contract[POST /v1/ratings]`` by name)
all carry the bare function's node id, since pytest now builds the id from the name and a callspec that
schemathesis does not give. Running in one process hid it; ``make test``'s workers (pytest-xdist) schedule
by node id, so the 29 operations collapsed into one test and 28 were never fuzzed. The id is rebuilt from
the item's name, as pytest writes a parametrized test's.
"""

from __future__ import annotations

import pytest
from _pytest.nodeid import coerce_node_id


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "[" in item.name and not item.nodeid.endswith("]") and item.parent is not None:
            item._id = coerce_node_id(f"{item.parent.nodeid}::{item.name}")
