"""The factory, request ids, security headers, the OpenAPI document and the offline docs page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AppFactory, bearer, create_key


def test_each_app_is_independent(make_app: AppFactory) -> None:
    first, second = make_app(), make_app(RATE_LIMIT="1 per minute")
    assert first.extensions["greenrate"] is not second.extensions["greenrate"]
    assert first.extensions["greenrate"].db.url != second.extensions["greenrate"].db.url


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("bank-trace-42", True), ("a" * 128, True), ("a" * 129, False), ("bad id!", False), ("", False)],
)
def test_request_id_is_accepted_when_sane(client: FlaskClient, incoming: str, kept: bool) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    rid = response.headers["X-Request-ID"]
    assert (rid == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", rid)


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/healthz", "/openapi.json", "/docs", "/v1/standard", "/nowhere"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["Referrer-Policy"] == "no-referrer", path
    assert client.get("/v1/standard").headers["Cache-Control"] == "no-store"


def test_openapi_document_is_the_contract(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [
        ("/v1/ratings", "post"),
        ("/v1/ratings", "get"),
        ("/v1/ratings/{rating_id}", "get"),
        ("/v1/ratings/batch", "post"),
        ("/v1/standard", "get"),
        ("/v1/models/{version}", "get"),
        ("/v1/emission-factors", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ]:
        assert method in paths[path], (path, method)
    post = paths["/v1/ratings"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert set(post["responses"]) >= {"201", "400", "401", "403", "413", "415", "422", "429", "503"}
    assert {"Location", "X-Cache"} <= set(post["responses"]["201"]["headers"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    schemas = spec["components"]["schemas"]
    rating = schemas["Rating"]
    assert {"score", "grade", "emissions", "issb_summary", "versions", "id"} <= set(rating["required"])
    assert schemas["Company"]["additionalProperties"] is False
    assert schemas["Error"]["required"] == ["code", "message", "request_id", "status"]
    assert "/healthz" not in [p for p in paths if paths[p].get("get", {}).get("security")]


def test_every_keyed_operation_documents_the_answers_any_key_check_can_give(client: FlaskClient) -> None:
    """A key is looked up in the database: any keyed operation can answer 401, 429 and, database down, 503."""
    paths = client.get("/openapi.json").json["paths"]
    keyed = [(path, method, op) for path, item in paths.items() if path.startswith("/v1/")
             for method, op in item.items() if method in {"get", "post", "put", "delete"}]
    assert len(keyed) > 15
    for path, method, op in keyed:
        assert op["security"] == [{"bearerAuth": []}], (path, method)
        assert {"401", "429", "503"} <= set(op["responses"]), (path, method)


def _operations(spec: dict[str, Any], prefix: str = "/") -> list[tuple[str, str]]:
    return [(path, method) for path, item in spec["paths"].items() if path.startswith(prefix)
            for method in item if method in ("get", "post", "put", "delete", "patch")]


def _url(path: str, value: str = "1") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_401_declares_the_challenge_it_sends(client: FlaskClient) -> None:
    """Every 401 carries ``WWW-Authenticate`` (RFC 6750), which the document did not declare (a bank
    integrator's review): each keyed operation's 401, without a key or with an unknown one, is what the
    document says, headers included."""
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    keyed = _operations(spec, "/v1/")
    assert len(keyed) > 25
    for path, method in keyed:
        for headers in ({}, bearer("gr_no-such-key")):
            answer = client.open(_url(path), method=method.upper(), headers=headers)
            assert answer.status_code == 401, (path, method)
            assert answer.headers["WWW-Authenticate"] == 'Bearer realm="greenrate"'
            assert contract_errors(spec, path, method, answer) == [], (path, method)


def test_every_operation_that_reads_json_documents_the_413_of_a_body_too_large(make_app: AppFactory) -> None:
    """A JSON body above ``GREENRATE_MAX_BODY_BYTES`` is refused with 413 by every operation that reads one;
    the promotion and the rollback did not document it (a bank integrator's review)."""
    from tests.service.contract import contract_errors

    app = make_app(MAX_BODY_BYTES=1024)
    keys = [create_key(app, "big", role) for role in ("bank", "analyst", "admin")]
    keys.append(create_key(app, "big", "merchant", merchant_id="M"))
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    reading = [(path, method) for path, method in _operations(spec)
               if "application/json" in spec["paths"][path][method].get("requestBody", {}).get("content", {})]
    assert len(reading) >= 7
    for path, method in reading:
        statuses = set()
        for key in keys:  # the key whose role may call it meets the limit; the others, their 403
            answer = client.open(_url(path, "M"), method=method.upper(), data=b"[" + b" " * 2048 + b"]",
                                 content_type="application/json", headers=bearer(key))
            documented = spec["paths"][path][method]["responses"]
            assert str(answer.status_code) in documented, (path, method, answer.json)
            assert contract_errors(spec, path, method, answer) == [], (path, method)
            statuses.add(answer.status_code)
        assert 413 in statuses, (path, method, statuses)


def test_every_operation_answers_each_role_an_unknown_argument_and_an_unknown_id_as_documented(
    make_app: AppFactory,
) -> None:
    """What a generated client meets first, for every ``/v1`` operation and a key of each role: the answer to
    its key (a 403 for a role that may not call it, else what the operation answers an empty body or none),
    to a query argument it does not declare (422) and to ids that name nothing (404), each a status the
    operation documents, with the body and headers the document gives it (a bank integrator's sweep; the
    401s and 413s have their own tests above)."""
    from tests.service.contract import contract_errors

    app = make_app(RATE_LIMIT="100000 per minute")
    keys = {role: create_key(app, "sweep", role) for role in ("bank", "analyst", "admin")}
    keys["merchant"] = create_key(app, "sweep", "merchant", merchant_id="M")
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    own = {"merchant_id": "M", "key_id": "1"}  # the merchant key's own id; the first key's
    nothing = {"merchant_id": "nobody", "key_id": "404404"}  # any other parameter: nothing has the id "none"

    def fill(path: str, ids: dict[str, str]) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: ids.get(m.group(1), "none"), path)

    seen: dict[tuple[str, str], set[int]] = {}
    for path, method in _operations(spec, "/v1/"):
        documented = spec["paths"][path][method]["responses"]
        body = spec["paths"][path][method].get("requestBody", {}).get("content", {})
        sent = {"json": {}} if "application/json" in body else {}
        for role, key in keys.items():
            for label, url, query in (("key", fill(path, own), {}),
                                      ("unknown argument", fill(path, own), {"no_such_argument": "1"}),
                                      ("unknown id", fill(path, nothing), {})):
                answer = client.open(url, method=method.upper(), query_string=query, headers=bearer(key),
                                     **sent)
                problems = [f"{answer.status_code} is not documented"]
                if str(answer.status_code) in documented:
                    problems = contract_errors(spec, path, method, answer)
                assert problems == [], (path, method, role, label, answer.status_code, problems)
                seen.setdefault((path, method), set()).add(answer.status_code)
                if label == "unknown argument" and answer.status_code != 403:
                    assert answer.status_code == 422, (path, method, role, answer.json)
                    assert "no_such_argument" in answer.json["errors"], (path, method, role, answer.json)
    assert len(seen) > 25
    for_any_role = ("/v1/standard", "/v1/emission-factors", "/v1/models/{version}")
    assert all(403 in statuses for (path, _), statuses in seen.items() if not path.startswith(for_any_role))
    assert 404 in seen[("/v1/ratings/{rating_id}", "get")] and 404 in seen[("/v1/keys/{key_id}", "get")]


def test_429_and_503_document_their_retry_after_header(client: FlaskClient) -> None:
    responses = client.get("/openapi.json").json["components"]["responses"]
    for name in ("TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"):
        assert responses[name]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_every_documented_pattern_is_one_a_javascript_client_reads_alike(client: FlaskClient) -> None:
    """JSON Schema patterns are ECMA-262: Python-only anchors (backslash A or Z) would mean letters there."""

    def patterns(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
            return own + [p for value in node.values() for p in patterns(value)]
        return [p for value in node for p in patterns(value)] if isinstance(node, list) else []

    found = patterns(client.get("/openapi.json").json)
    assert len(found) >= 5
    assert [p for p in found if "\\A" in p or "\\Z" in p] == []


def test_every_operation_documents_the_request_id_it_accepts_and_answers_with(client: FlaskClient) -> None:
    """Every answer carries X-Request-ID and a caller's own is kept, but the document never said so
    (contract review): each operation takes it as an optional header, each of its responses declares it."""
    spec = client.get("/openapi.json").get_json()
    header = spec["components"]["headers"]["X_REQUEST_ID"]
    assert header["required"] is True and header["schema"]["type"] == "string"
    parameter = spec["components"]["parameters"]["X_REQUEST_ID"]
    assert parameter["in"] == "header" and parameter["name"] == "X-Request-ID" and not parameter["required"]
    operations = [(path, op) for path, ops in spec["paths"].items() for method, op in ops.items()
                  if method in ("get", "post", "put", "delete", "patch")]
    assert len(operations) >= 26
    for path, op in operations:
        assert {"$ref": "#/components/parameters/X_REQUEST_ID"} in op["parameters"], path
        for status, response in op["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            assert response["headers"]["X-Request-ID"] == {"$ref": "#/components/headers/X_REQUEST_ID"}, (
                path, status)
    assert "Retry-After" in spec["components"]["responses"]["TOO_MANY_REQUESTS"]["headers"]
    pattern = re.compile(header["schema"]["pattern"])
    for sent in ("bank-trace-42", "bad id!"):
        answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
        assert pattern.search(answered) and (answered == sent) is bool(pattern.search(sent)), sent


def test_descriptions_are_markdown_without_rst_literals(client: FlaskClient) -> None:
    """Swagger UI and generated clients read descriptions as Markdown (CommonMark): reST's double backticks
    showed literally in the rollback, model-events, activation and standard descriptions (newcomer review).
    A summary is one short line; the rest of a docstring is its description."""
    spec = client.get("/openapi.json").get_json()
    found: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        elif isinstance(node, str) and "``" in node:
            found.append(path)

    walk(spec, "")
    assert found == []
    long = [(path, method) for path, ops in spec["paths"].items() for method, op in ops.items()
            if isinstance(op, dict) and len(op.get("summary", "")) > 120]
    assert long == []


def test_docs_page_works_offline(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 1000, asset
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404
    assert client.get("/docs/assets/index.html").status_code == 404


def test_docs_page_names_its_language_and_its_colours_reach_aa_contrast(client: FlaskClient) -> None:
    """flask-smorest's Swagger UI shell had no ``lang`` (a screen reader guessed the page's language), no
    viewport (a phone drew it 980 px wide, shrunk) and no main landmark; Swagger UI's method badges were
    white on #61affe (2.3:1) and #49cc90 (2.0:1), its version badges 3.8:1 and 2.2:1 and its link 3.3:1
    (WCAG 3.1.1, 1.4.3). The shell's own style sets each such colour, on the selector Swagger UI's
    stylesheet uses, to one that reaches 4.5:1 on its background (white where the rule names none)."""
    import swagger_ui_bundle

    from tests.service.test_merchant_page import contrast_ratio

    html = client.get("/docs").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r'<main>\s*<h1 [^>]*>[^<]+</h1>\s*<div id="swagger-ui-container"></div>\s*</main>', html)
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style is not None
    swagger_css = (Path(swagger_ui_bundle.swagger_ui_path) / "swagger-ui.css").read_text()
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", style.group(1)):
        text = re.search(r"(?<![-\w])(?:color|fill): (#[0-9a-f]{6})", body)
        if text is None:
            continue
        assert selector.strip() + "{" in swagger_css, selector  # overrides a rule Swagger UI has
        background = re.search(r"background: (#[0-9a-f]{6})", body)
        assert contrast_ratio(text.group(1), background.group(1) if background else "#ffffff") >= 4.5, body
        checked += 1
    assert checked >= 9


def test_docs_page_has_a_title_and_a_first_level_heading(client: FlaskClient) -> None:
    """The page's title was the bare API name, and it had no ``h1``: Swagger UI's own title is an ``h2``, so
    a screen reader's list of headings started a level down and its first-level jump found nothing
    (accessibility review; WCAG 2.4.2, 1.3.1). The shell names the page and adds an ``h1`` above what
    Swagger UI draws, hidden from view but not from assistive technology (Swagger UI's ``h2`` shows it)."""
    html = client.get("/docs").get_data(as_text=True)
    assert re.search(r"<title>greenrate API reference</title>", html)
    headings = re.findall(r'<h1 class="visually-hidden">([^<]+)</h1>', html)
    assert headings == ["greenrate API reference"]
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style is not None
    hidden = re.search(r"\.visually-hidden \{([^}]*)\}", style.group(1))
    assert hidden is not None
    # clipped to nothing, yet rendered: display:none or visibility:hidden would hide it from screen readers
    assert "clip: rect(0, 0, 0, 0)" in hidden.group(1) and "position: absolute" in hidden.group(1)
    assert "display" not in hidden.group(1) and "visibility" not in hidden.group(1)


def test_app_config_for_tests(app: Flask) -> None:
    assert app.testing and app.config["GREENRATE_SETTINGS"].key_cache_seconds == 0


def test_nullable_nested_objects_are_their_type_or_null(client: FlaskClient) -> None:
    """apispec wrote ``anyOf: [{type: object, nullable: true}, {$ref}]``; generated clients took the first
    branch (any object) and lost the type, or refused null (client review). ``allOf: [{$ref}]`` with
    ``nullable`` beside it had no ``type``, which OpenAPI 3.0.3 needs for ``nullable`` to apply, so a strict
    validator refused null (contract review). Each is now ``oneOf`` the type or a null-only branch, with
    ``nullable`` beside it.

    The null branch has no ``type``: datamodel-code-generator 0.97 read ``{type: object, nullable: true,
    enum: [null]}`` as any object (``FinancedEmissions | dict[str, Any]``), so its pydantic ``Rating`` took
    ``{}`` and refused every rating without a loan; and it makes a field ``| None`` only from a ``nullable``
    beside the ``oneOf`` (a bank integrator's generated client)."""
    from service.api import NULL_BRANCH

    spec = client.get("/openapi.json").get_json()
    found: list[dict[str, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for combined in ("anyOf", "oneOf"):
                for branch in node.get(combined, []):
                    # a branch any object matches: generators type the field as a plain dict
                    assert not (branch.get("type") == "object" and branch.get("nullable")
                                and "properties" not in branch), node
            assert not (node.get("nullable") and "type" not in node and "allOf" in node), node
            if NULL_BRANCH in node.get("oneOf", []):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert len(found) >= 16
    for node in found:
        reference, null = node["oneOf"]  # type: ignore[misc]
        assert set(reference) == {"$ref"} and null == NULL_BRANCH and node.get("nullable") is True, node
    assert "type" not in NULL_BRANCH
    rating = spec["components"]["schemas"]["Rating"]["properties"]
    assert rating["financed_emissions"] == {
        "oneOf": [{"$ref": "#/components/schemas/FinancedEmissions"}, {"nullable": True, "enum": [None]}],
        "nullable": True,
    }


def test_real_ratings_conform_to_the_served_contract_under_a_strict_validator(client: FlaskClient) -> None:
    """A rating without a loan (financed_emissions null), one with a loan, the rating read back and the
    list, each checked against /openapi.json by openapi-schema-validator (OpenAPI 3.0.3's rules)."""
    from tests.conftest import bearer, create_key, payload
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    auth = bearer(create_key(client.application))
    without_loan = client.post("/v1/ratings", json=payload(), headers=auth)
    assert without_loan.status_code == 201 and without_loan.get_json()["financed_emissions"] is None
    assert contract_errors(spec, "/v1/ratings", "post", without_loan) == []

    body = payload(external_id="loan-0002")
    body["loan"] = {"amount": 500_000, "outstanding": 400_000, "currency": "CNY",
                    "use_of_proceeds": "energy_efficiency"}
    with_loan = client.post("/v1/ratings", json=body, headers=auth)
    assert with_loan.status_code == 201 and with_loan.get_json()["financed_emissions"] is not None
    assert contract_errors(spec, "/v1/ratings", "post", with_loan) == []

    read = client.get(f"/v1/ratings/{without_loan.get_json()['id']}", headers=auth)
    assert read.status_code == 200 and contract_errors(spec, "/v1/ratings/{rating_id}", "get", read) == []
    listed = client.get("/v1/ratings", headers=auth)
    assert listed.status_code == 200 and contract_errors(spec, "/v1/ratings", "get", listed) == []


def test_closed_sets_are_enums_in_the_contract(client: FlaskClient) -> None:
    """A loan system branches on these; they were plain strings, the sets only in prose, an error message
    or the standard's document (client review). The sets of an answer that a new standard may extend are
    listed as ``x-extensible-enum`` (tests/service/test_versioning_contract.py)."""
    from rating_model.standard import load_standard

    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    standard = load_standard()

    def enum(schema: str, field: str) -> set[object]:
        return set(schemas[schema]["properties"][field]["enum"])

    def extensible(schema: str, field: str) -> set[object]:
        return set(schemas[schema]["properties"][field]["x-extensible-enum"])

    assert enum("Loan", "use_of_proceeds") == set(standard.use_of_proceeds)
    assert enum("GreenLoan", "basis") == {"use_of_proceeds", "green_rated_borrower", "borrower", None}
    assert extensible("GreenLoan", "pricing_tier") == set(standard.pricing_tiers.values())
    assert extensible("GreenLoan", "category") == set(standard.use_of_proceeds)
    assert extensible("KnockOut", "id") == {k.id for k in standard.knock_outs}
    assert enum("DataQuality", "data_source") == set(standard.pcaf_by_data_source)
    assert enum("LineItem", "quality") == {"measured", "calculated", "estimated"}
    assert enum("LineItem", "scope2_basis") == {"location", "market", "both", None}


def test_every_operation_has_a_stable_unique_operation_id(client: FlaskClient) -> None:
    """Generated clients named their functions after the paths (``post_v1_ratings_batch``), so a path's
    change renamed them (client review): each operation names itself."""
    paths = client.get("/openapi.json").get_json()["paths"]
    ids = [op.get("operationId") for ops in paths.values() for method, op in ops.items()
           if method in ("get", "post", "put", "delete", "patch")]
    assert len(ids) >= 26 and None not in ids and len(set(ids)) == len(ids), ids
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", i) for i in ids), ids
    assert paths["/v1/ratings"]["post"]["operationId"] == "create_rating"
    assert paths["/v1/ratings/{rating_id}"]["get"]["operationId"] == "get_rating"


def test_a_loan_with_nothing_outstanding_conforms_to_the_contract(client: FlaskClient) -> None:
    """Its tCO2e per CNY million lent is null; the contract said a number, unnoticed while apispec's
    any-object branch let every financed_emissions object pass (the schemathesis run found it once the
    branch was gone)."""
    from tests.conftest import bearer, create_key, payload

    spec = client.get("/openapi.json").get_json()
    body = payload()
    body["loan"] = {"amount": 500_000, "outstanding": 0, "currency": "CNY",
                    "use_of_proceeds": "energy_efficiency"}
    rating = client.post("/v1/ratings", json=body, headers=bearer(create_key(client.application))).get_json()
    assert rating["financed_emissions"]["tco2e_per_cny_million_lent"] is None
    schema = spec["components"]["schemas"]["FinancedEmissions"]["properties"]["tco2e_per_cny_million_lent"]
    assert schema["nullable"] is True


def test_the_standard_and_the_factor_sets_are_typed_in_the_contract(client: FlaskClient) -> None:
    """A newcomer review: the contract documented only `version` of the standard and of a factor set (a
    generated client saw the rest as untyped extra properties); the answers conform to the typed schemas."""
    from tests.conftest import bearer, create_key
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert {"id", "version", "sha256", "document"} <= set(schemas["StandardDocument"]["required"])
    assert {"source", "source_url", "value", "unit", "quality"} <= set(schemas["FactorRecord"]["required"])
    auth = bearer(create_key(client.application))
    for path, answer in (("/v1/standard", client.get("/v1/standard", headers=auth)),
                         ("/v1/emission-factors", client.get("/v1/emission-factors", headers=auth))):
        assert answer.status_code == 200 and contract_errors(spec, path, "get", answer) == [], path
    one = client.get("/v1/emission-factors?version=cn-2024.1", headers=auth)
    assert contract_errors(spec, "/v1/emission-factors", "get", one) == []


#: The operations whose 200 is not (only) JSON, with every media type each serves: a generated client
#: decodes a body by the media type declared for its status, so each must be there, as text or bytes.
NON_JSON_ANSWERS = {
    ("/v1/ratings/{rating_id}/disclosure", "get"): {"application/json", "text/html", "application/pdf"},
    ("/v1/portfolios/{portfolio_id}/results", "get"): {"text/csv", "application/vnd.apache.parquet"},
    ("/metrics", "get"): {"text/plain"},
}


def test_answers_that_are_not_json_are_declared_as_text_or_bytes(client: FlaskClient) -> None:
    """Client review: "generated clients mishandle PDF/Parquet". Every success answer declares its body,
    JSON with a schema and anything else as a string (`format: binary` unless text); the metrics text was
    declared with no content at all, which openapi-python-client turns into a function answering None."""
    from tests.service.contract import body_schema_errors

    spec = client.get("/openapi.json").get_json()
    for (path, method), media_types in NON_JSON_ANSWERS.items():
        content = spec["paths"][path][method]["responses"]["200"]["content"]
        assert set(content) == media_types, path
        for media_type, declared in content.items():
            if media_type != "application/json":
                assert body_schema_errors(media_type, declared["schema"]) == [], (path, media_type)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, answer in op.get("responses", {}).items() if isinstance(op, dict) else ():
                if not status.startswith("2"):
                    continue
                content = answer.get("content", {})
                assert bool(content) is (status != "204"), (path, method, status)
                if (path, method) not in NON_JSON_ANSWERS:
                    assert set(content) <= {"application/json"}, (path, method, status)
                    assert all("schema" in media for media in content.values()), (path, method, status)


def test_the_metrics_answer_is_the_text_the_contract_declares(client: FlaskClient) -> None:
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and contract_errors(spec, "/metrics", "get", metrics) == []


def test_the_ifrs_s2_sections_say_the_units_and_shapes_of_their_values(client: FlaskClient) -> None:
    """An item's `value` is free-form (`Raw`): a client read `reduction_pct` 40.0 beside
    `climate_opportunities` 0.15 with nothing saying one is a percent and the other a 0-1 share, nor what the
    records among the values hold."""
    summary = client.get("/openapi.json").get_json()["components"]["schemas"]["IssbSummary"]["properties"]
    metrics = summary["metrics_and_targets"]["description"]
    for said in ("tCO2e, gross", "0-1 share of sales", "`reduction_pct` in percent (0-100)",
                 "`{standard, tco2e, type: avoidance or removal, vintage}`", "tCO2e per CNY million"):
        assert said in metrics, said
    assert "not the business's own assessment" in summary["strategy"]["description"]
    assert all(summary[section].get("description") for section in summary)


def test_the_closed_sets_of_the_portfolio_and_the_model_registry_are_enums(client: FlaskClient) -> None:
    """A generated client typed these as free strings, the sets only in prose ("register | upload |
    promote | rollback") or not at all: a portfolio mover's grades are the rating's four grades, which a
    loan system maps to its own codes, and a registry client branches on an event's action, a version's
    source and a measurement's role. Each set is closed where it is recorded (a check constraint, the only
    values the service writes), so each is an ``enum``; a change of the registry's is caught here."""
    from rating_model.standard import GRADES
    from service.records import registry
    from service.records.model_tables import model_events

    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]

    def enum(schema: str, field: str) -> list[object]:
        return schemas[schema]["properties"][field].get("enum", [])

    assert enum("Mover", "grade") == enum("Mover", "previous_grade") == list(GRADES)
    assert enum("Mover", "grade") == enum("Rating", "grade")
    assert enum("ModelEvent", "action") == list(registry.ACTIONS)
    [constraint] = [c for c in model_events.constraints if getattr(c, "name", "") == "ck_model_events_action"]
    assert str(constraint.sqltext) == f"action IN ({', '.join(repr(a) for a in registry.ACTIONS)})"
    assert enum("ModelSummary", "source") == ["packaged", "cli", "upload"]
    assert enum("ModelSummary", "metrics_declared_by") == ["artifact"]
    assert enum("Measured", "role") == ["challenger", "champion"]


def test_every_schema_of_the_document_is_one_an_operation_uses(client: FlaskClient) -> None:
    """flask-smorest registers ``PaginationMetadata`` (page numbers, ``total``, for its ``X-Pagination``
    header) whatever the API pages with, and this one pages with cursors: generated clients built a model
    of page numbers that no answer has, which reads as a way of paging the API offers. Every schema the
    document lists is now reached from an operation, a shared response, parameter or header."""
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    prefix = "#/components/schemas/"

    def referenced(node: object) -> set[str]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            own = {ref.removeprefix(prefix)} if isinstance(ref, str) and ref.startswith(prefix) else set()
            return own.union(*(referenced(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(referenced(value) for value in node))
        return set()

    shared = [spec["components"].get(kind, {}) for kind in ("responses", "parameters", "headers")]
    used: set[str] = set()
    todo = list(referenced([spec["paths"], *shared]))
    while todo:
        name = todo.pop()
        if name not in used:
            used.add(name)
            todo += referenced(schemas[name])
    assert sorted(set(schemas) - used) == []
    assert "PaginationMetadata" not in schemas and len(schemas) > 100
