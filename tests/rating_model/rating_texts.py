"""The strings of a rating, each with the key it stands under: what the wording tests read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def keyed_strings(rating: Any, keep: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Every string of ``rating`` whose key ``keep`` accepts, with that key (a list's items under its own)."""
    out: list[tuple[str, str]] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and keep(key):
            out.append((key, node))

    walk(rating)
    return out
