"""What a cheap request may cost a worker: no key, however low its role, buys work far beyond a rating's.

``GET /v1/standard?version=`` is open to every role, a borrower's merchant key included. Naming a version
never published verified and parsed every packaged standard again (some 150 ms, over 20 ratings' worth),
and cycling through the published ones outran the cache of eight, so every answer loaded and checked a
standard again. Each file is now read once per process, whatever is asked.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from flask import Flask

from rating_model.standard import STANDARD_DIR
from tests.conftest import bearer, create_key


def _published_versions() -> list[str]:
    return sorted(str(yaml.safe_load(p.read_text(encoding="utf-8"))["version"])
                  for p in STANDARD_DIR.glob("*.yaml"))


def test_asking_for_standards_by_version_reads_no_file_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, key = app.test_client(), create_key(app, "bank-a", "merchant", merchant_id="m-1")
    published = _published_versions()
    assert len(published) > 8  # more than the cache had held
    never = ["9.9.9", "0.0.1", "greenrate-sme@7.0.0"]

    def ask() -> list[int]:
        return [client.get(f"/v1/standard?version={v}", headers=bearer(key)).status_code
                for v in [*published, *never]]

    first = ask()  # whatever a process reads once, it reads here
    parsed: list[Any] = []
    original = yaml.load

    def counting(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args[0][:40])
        return original(*args, **kwargs)

    monkeypatch.setattr(yaml, "load", counting)
    again = ask()
    assert again == first == [200] * len(published) + [404] * len(never)
    assert parsed == [], f"{len(parsed)} standard files parsed again"
