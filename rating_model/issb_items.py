"""The items of the IFRS S2-shaped summary (:mod:`rating_model.issb`), and the sentences they are said in.

Each item is disclosed (with its value), not applicable or not available, with a note saying why, and
every sentence is given in English and in Simplified Chinese side by side (:data:`Said`): ``note`` beside
``note_zh``, a value in words beside its ``value_zh``. Every section of the summary (governance, strategy
and risk management in :mod:`rating_model.issb`, :mod:`rating_model.issb_metrics`,
:mod:`rating_model.issb_basis`) builds its items with these functions only, so that the statuses and the
two languages are shaped alike in all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: One item of the summary: its ``status``, and its ``value`` and ``note`` (each with its Chinese) if any.
Item = dict[str, Any]
#: A sentence (or the words of one) in English and in Simplified Chinese, in that order.
Said = tuple[str, str]


def _noted(item: Item, note: Said | None) -> Item:
    if note is not None:
        item["note"], item["note_zh"] = note
    return item


def disclosed(value: Any, note: Said | None = None) -> Item:
    """A figure or record disclosed (numbers and keys need no translation)."""
    return _noted({"status": "disclosed", "value": value}, note)


def stated(value: Said, note: Said | None = None) -> Item:
    """A sentence disclosed as the item's value: ``value`` in English, ``value_zh`` in Chinese."""
    return _noted({"status": "disclosed", "value": value[0], "value_zh": value[1]}, note)


def listed(values: Sequence[Said], note: Said | None = None) -> Item:
    """Sentences disclosed as the item's value, ``value_zh`` saying each one in Chinese in the same order."""
    return _noted(
        {"status": "disclosed", "value": [en for en, _ in values], "value_zh": [zh for _, zh in values]}, note
    )


def not_available(note: Said) -> Item:
    """An item the data does not give (not reported, or not asked for); the note says which."""
    return _noted({"status": "not_available"}, note)


def not_applicable(note: Said) -> Item:
    """An item with nothing to disclose (no estimate, assumption or fallback was needed); the note says so."""
    return _noted({"status": "not_applicable"}, note)


def sentences(*parts: Said) -> Said:
    """Sentences one after another: spaced in English, run on in Chinese (each ends in its own full stop);
    an empty part is left out."""
    return " ".join(en for en, _ in parts if en), "".join(zh for _, zh in parts if zh)


def flag(value: bool | None, yes: Said, no: Said, missing: Said) -> Item:
    """A yes/no practice as an item: a "no" the business gave is disclosed as no; only a question it left
    unanswered is ``not_available`` (an explicit no had read "No ... was reported", as if never asked)."""
    if value is None:
        return not_available(missing)
    return stated(yes if value else no)
