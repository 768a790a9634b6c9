"""The contract is documented when first read, not by every ``create_app`` (service.errors.GreenrateApi).

Building the operations' documentation was 97 % of an app's creation; most apps (a worker until its first
``/openapi.json``, nearly every test app) never render it. These tests hold the two halves of that promise:
nothing is documented before a reader asks, and every reader gets the whole document, once built.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Blueprint, Flask

from service.errors import GreenrateApi


def _api(app: Flask) -> GreenrateApi:
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    assert isinstance(api, GreenrateApi)
    return api


def test_no_operation_is_documented_before_the_document_is_read(app: Flask) -> None:
    api = _api(app)
    assert api.spec._paths == {}  # routed, not documented
    assert app.url_map.bind("localhost").test("/v1/ratings", method="POST")  # the routes exist at once
    assert "/v1/ratings" in api.spec.to_dict()["paths"]


def test_every_reader_gets_the_whole_document(app: Flask) -> None:
    """``/openapi.json`` and a direct ``spec.to_dict()`` (flask-smorest's ``openapi`` command) agree."""
    direct = _api(app).spec.to_dict()
    served = app.test_client().get("/openapi.json").json
    assert served == direct
    assert served["tags"] and all(op.get("operationId") for item in served["paths"].values()
                                  for key, op in item.items() if key in {"get", "post", "put", "delete"})
    # the finishing step ran (open_response_schemas): an answer's copy of a request schema is open
    schemas: dict[str, Any] = served["components"]["schemas"]
    assert schemas["Company"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["CompanyResponse"]


def test_two_first_readers_at_once_build_one_document(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads of a worker serving their first ``/openapi.json`` together: one documents, the other
    waits, and both answer the same bytes (documenting twice would add every operation's parameters twice).

    The first blueprint's documenting waits (up to a second) for another thread to document it too, so the
    two readers really are inside :meth:`GreenrateApi.complete_document` at once unless its lock keeps the
    second out: without that wait, the first reader was done before the second started, lock or none."""
    app = make_app()
    api = _api(app)
    first, name, _ = api._undocumented[0]
    documented = first.register_views_in_doc
    calls: list[str] = []
    second_reader = threading.Event()

    def slow_documenting(*args: Any, **kwargs: Any) -> None:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            second_reader.wait(timeout=1.0)  # with the lock, the other reader never comes: go on alone
        else:
            second_reader.set()
        documented(*args, **kwargs)

    monkeypatch.setattr(first, "register_views_in_doc", slow_documenting)
    start = threading.Barrier(2)
    bodies: list[bytes] = []

    def read() -> None:
        start.wait()
        bodies.append(app.test_client().get("/openapi.json").data)

    threads = [threading.Thread(target=read, name=f"reader-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1, f"blueprint {name!r} documented by {calls}"
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    ratings = api.spec.to_dict()["paths"]["/v1/ratings"]["post"]
    names = [p if isinstance(p, str) else p.get("name") for p in ratings.get("parameters", [])]
    assert len(names) == len(set(names)), names


def test_a_blueprint_after_the_document_is_complete_is_refused(app: Flask) -> None:
    """Its operations could no longer reach the document: a late blueprint fails loudly, not silently."""
    api = _api(app)
    api.spec.to_dict()
    with pytest.raises(RuntimeError, match="after the document was completed"):
        api.register_blueprint(Blueprint("late", __name__))
