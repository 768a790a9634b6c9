"""What a cheap request may cost a worker: no key, however low its role, and no visitor of the merchant
page buys work far beyond a rating's.

``GET /v1/standard?version=`` is open to every role, a borrower's merchant key included. Naming a version
never published verified and parsed every packaged standard again (some 150 ms, over 20 ratings' worth),
and cycling through the published ones outran the cache of eight, so every answer loaded and checked a
standard again. Each file is now read once per process, whatever is asked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from flask import Flask

from rating_model.standard import STANDARD_DIR
from service.hardening import MAX_JSON_MEMBERS
from service.web.form.fields import NAME_MAX_LENGTH
from service.web.routes import FORM_MAX_BYTES
from tests.conftest import AppFactory, bearer, create_key, payload


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


def test_the_merchant_form_is_read_only_up_to_what_a_form_can_hold(make_app: AppFactory) -> None:
    """Anyone may post the form, without a token; a body filled with numbers to the API's 2 MB limit took
    some 100 refused forms' work to read and send back. Past what any form holds, it is not read (413)."""
    from tests.service.test_merchant_page import FORM

    client = make_app().test_client()
    figures = ("revenue", "electricity", "water", "waste", "floor_area")
    longest = {**FORM, "company_name": "绿" * NAME_MAX_LENGTH, **dict.fromkeys(figures, "1,234,567.89万")}
    assert len(urlencode(longest).encode()) < FORM_MAX_BYTES / 4  # the limit is far above any real form
    assert client.post("/", data=longest).status_code == 400  # read and answered: no token
    stuffed = {**FORM, "revenue": "1万" * (FORM_MAX_BYTES // 8)}
    refused = client.post("/", data=stuffed, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 413 and "提交的表单过大" in refused.get_data(as_text=True)
    assert "1万1万" not in refused.get_data(as_text=True)  # nothing of it read, nor sent back


def _largest_document() -> dict[str, Any]:
    """Operating data with every list at the most the schema takes, this year's and the previous year's."""
    body = payload()
    energy = {"electricity_kwh": 42_000,
              "fuels": [{"fuel": "natural_gas", "quantity": 10 + k, "unit": "m3"} for k in range(50)]}
    transport = {
        "fleet": [{"fuel": "gasoline", "vehicles": 1, "km": 1000 + k, "vehicle_type": "car"}
                  for k in range(100)],
        "business_travel": [{"mode": "bus", "passenger_km": 100 + k} for k in range(50)],
    }
    body.update(energy=energy, transport=transport, previous_year={"energy": energy, "transport": transport})
    body["offsets"] = [{"standard": "CCER", "tco2e": 1, "type": "avoidance", "vintage": 2023}] * 50
    body["targets"] = [{"scopes": [1, 2], "base_year": 2020, "target_year": 2030, "reduction_pct": 10}] * 20
    return body


def _members(node: Any) -> int:
    if isinstance(node, dict):
        return len(node) + sum(_members(v) for v in node.values())
    return sum(_members(v) for v in node) if isinstance(node, list) else 0


@pytest.mark.parametrize(("method", "path", "role"), [
    ("POST", "/v1/ratings", "bank"),
    ("PUT", "/v1/merchants/m-1/profile", "merchant"),  # a borrower's key
])
def test_a_document_stuffed_with_fields_is_refused_before_they_are_read(
    make_app: AppFactory, method: str, path: str, role: str
) -> None:
    """A body of unknown fields to the 2 MB limit took ~8 s to refuse field by field, in a 4.5 MB answer."""
    app = make_app()
    client = app.test_client()
    key = create_key(app, "bank-a", role, merchant_id="m-1" if role == "merchant" else None)
    stuffed = {**payload(), **{f"x{i}": 0 for i in range(MAX_JSON_MEMBERS)}}
    refused = client.open(path, method=method, json=stuffed, headers=bearer(key))
    assert refused.status_code == 413, refused.status_code
    assert refused.json["code"] == 413 and "errors" not in refused.json and len(refused.data) < 500
    largest = _largest_document()
    assert _members(largest) * 4 < MAX_JSON_MEMBERS  # far above anything the schema takes
    assert client.open(path, method=method, json=largest, headers=bearer(key)).status_code in (200, 201)


def test_a_batch_is_counted_by_its_items_not_its_fields(app: Flask) -> None:
    client, key = app.test_client(), create_key(app, "bank-a", "bank")
    items = [{**payload(employees=10 + i), **{f"x{k}": 0 for k in range(MAX_JSON_MEMBERS // 100)}}
             for i in range(100)]
    answer = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(key))
    assert answer.status_code == 200  # each item refused alone, as its own request would be
    assert answer.json["failed"] == 100 and {item["status"] for item in answer.json["results"]} == {422}


def test_the_contract_is_rendered_once_not_for_every_reader(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/openapi.json`` needs no key and counts against no budget; it rendered its 350 KB every time."""
    client = app.test_client()
    first = client.get("/openapi.json")
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    rendered: list[int] = []
    to_dict = api.spec.to_dict
    monkeypatch.setattr(api.spec, "to_dict", lambda: rendered.append(1) or to_dict())
    again = [client.get("/openapi.json") for _ in range(3)]
    assert rendered == []
    assert all(a.status_code == 200 and a.data == first.data for a in again)
    assert {a.mimetype for a in again} == {"application/json"}
    assert first.json["paths"]["/v1/ratings"]
