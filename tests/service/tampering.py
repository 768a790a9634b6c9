"""Changing rows the database keeps append-only (migration 0009), as a test that simulates tampering or the
passing of time must: by lifting the guard for one statement, the way the database's owner would
(:func:`service.records.append_only.guard_lifted`, which ``greenrate ratings erase`` uses too)."""

from __future__ import annotations

from service.records.append_only import guard_lifted

__all__ = ["guard_lifted"]
