"""The contract says how it changes, and its answers' schemas let a generated client survive those changes.

A bank integrator's review: there was no versioning or deprecation policy; 99 of the document's 103 schemas
were closed (``additionalProperties: false``, from the contract schemas' ``unknown=RAISE``), answers
included, while the rating gains fields within ``/v1`` ("from schema 1.x"); and ``info.version`` was the
package's ``0.1.0``, which nothing bumps. A client generated with strict validation broke on the next
additive release. Now the policy is in ``info.description`` and README's contract section, the answers'
schemas are open in the published document, requests stay closed (an unknown request field is a 422),
and ``info.version`` names the release and the documents' ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import copy
import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import ValidationError
from openapi_schema_validator import OAS30ReadValidator

from rating_model.operating_data import SCHEMA_VERSION
from schemas.rating import RatingSchema
from service.openapi import VERSIONING_POLICY
from tests.conftest import bearer, create_key, payload

README = Path(__file__).resolve().parents[2] / "README.md"
SCHEMAS = "#/components/schemas/"
OPERATIONS = {"get", "put", "post", "delete", "patch"}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].removeprefix(SCHEMAS)} if str(node.get("$ref", "")).startswith(SCHEMAS) else set()
        return own.union(*(_refs(value) for value in node.values()))
    return set().union(*(_refs(value) for value in node)) if isinstance(node, list) else set()


def _closure(spec: dict[str, Any], roots: Any) -> set[str]:
    found: set[str] = set()
    todo = list(_refs(roots))
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += _refs(spec["components"]["schemas"][name])
    return found


def _closed(node: Any) -> bool:
    """Whether ``additionalProperties: false`` is anywhere in ``node`` (references not followed)."""
    if isinstance(node, dict):
        return node.get("additionalProperties") is False or any(_closed(v) for v in node.values())
    return any(_closed(v) for v in node) if isinstance(node, list) else False


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in spec["paths"].values() for method, op in item.items() if method in OPERATIONS]


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    return client.get("/openapi.json").get_json()  # type: ignore[no-any-return]


def test_no_schema_an_answer_uses_is_closed(spec: dict[str, Any]) -> None:
    answers = [op["responses"] for op in _operations(spec)] + [spec["components"]["responses"]]
    answered = _closure(spec, answers)
    assert len(answered) > 90
    assert sorted(name for name in answered if _closed(spec["components"]["schemas"][name])) == []
    assert not _closed(answers)  # nor an answer's own inline schema


def test_requests_stay_closed_and_an_unknown_request_field_is_still_a_422(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    schemas = spec["components"]["schemas"]
    asked = _closure(spec, [[op.get("requestBody"), op.get("parameters")] for op in _operations(spec)])
    assert {"OperatingData", "Company", "Loan", "GridFactor", "BatchRequest", "KeyCreate"} <= asked
    assert [name for name in asked if name != "ArtifactUpload" and schemas[name]["additionalProperties"]
            is not False] == []  # ArtifactUpload takes a whole model document: open by design, as before
    for where in ((), ("company",), ("loan",)):
        body = payload()
        body["loan"] = {"amount": 1000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
        node = body
        for part in where:
            node = node[part]
        node["colour"] = "green"
        answer = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
        assert answer.status_code == 422
        assert list(answer.get_json()["errors"]) == [".".join((*where, "colour"))]


def _future(rating: dict[str, Any]) -> dict[str, Any]:
    """``rating`` as a later release within /v1 may answer it: fields added at every level."""
    later = copy.deepcopy(rating)
    later["transition_plan"] = {"status": "draft"}
    for section in ("green_loan", "data_quality", "versions", "emissions", "financed_emissions"):
        if later[section] is not None:
            later[section]["added_in_a_later_schema"] = 1
    later["emissions"]["scope3"]["added_in_a_later_schema"] = True
    later["pillars"][0]["added_in_a_later_schema"] = "x"
    return later


def test_a_rating_with_fields_added_later_conforms_to_the_published_answer(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    """What a client generated and validating against the document reads on the next additive release;
    the service's own schema still refuses unknown fields (it is how the tests notice the engine and the
    contract drifting apart)."""
    body = payload()
    body["loan"] = {"amount": 1000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
    rating = client.post("/v1/ratings", json=body, headers=bearer(bank_key)).get_json()
    answer = spec["paths"]["/v1/ratings/{rating_id}"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    validator = OAS30ReadValidator({"allOf": [schema], "components": spec["components"]})
    assert list(validator.iter_errors(rating)) == []
    assert [e.message for e in validator.iter_errors(_future(rating))] == []
    RatingSchema().load(rating)
    with pytest.raises(ValidationError):
        RatingSchema().load(_future(rating))


def test_a_rating_with_values_a_later_standard_adds_conforms_to_the_published_answer(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    """The policy lets a new standard add knock-out ids, use-of-proceeds categories and pricing tiers
    within /v1 (1.7, 1.10 and 1.11 each added a knock-out). Published as ``enum``, they made the clients
    generated from the document refuse such a rating: openapi-python-client 0.29.1's ``KnockOutId`` raised
    ValueError, datamodel-code-generator 0.97's pydantic ``Rating`` a ValidationError (a bank integrator's
    generated client). Now they are strings with today's values under ``x-extensible-enum``; a request's
    ``loan.use_of_proceeds`` keeps its ``enum`` (the service refuses a category it does not know), and so
    does the service's own schema of a rating."""
    body = payload()
    body["loan"] = {"amount": 1000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
    rating = client.post("/v1/ratings", json=body, headers=bearer(bank_key)).get_json()
    later = copy.deepcopy(rating)
    later["knock_outs"].append({"id": "added_by_a_later_standard", "name": "A later rule",
                                "name_zh": "later", "cap_grade": "green", "blocks_green_loan": False})
    later["green_loan"].update(category="added_category", pricing_tier="green_tier_9")
    answer = spec["paths"]["/v1/ratings/{rating_id}"]["get"]["responses"]["200"]
    validator = OAS30ReadValidator({"allOf": [answer["content"]["application/json"]["schema"]],
                                    "components": spec["components"]})
    assert [e.message for e in validator.iter_errors(later)] == []
    schemas = spec["components"]["schemas"]
    published = [schemas["KnockOut"]["properties"]["id"], schemas["GreenLoan"]["properties"]["category"],
                 schemas["GreenLoan"]["properties"]["pricing_tier"]]
    assert all("enum" not in field and field["x-extensible-enum"] for field in published)
    assert "energy_efficiency" in schemas["Loan"]["properties"]["use_of_proceeds"]["enum"]
    with pytest.raises(ValidationError):
        RatingSchema().load(later)


def test_a_batch_warning_code_added_later_conforms_to_the_published_answer(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    """A batch item's warnings are there to gain codes, but ``BatchWarning.code`` was published as an
    ``enum``: a client generated today (openapi-python-client turns it into a Python Enum) refused the
    whole batch's answer the day a second code came (a bank integrator's generated client). Today's codes
    are listed under ``x-extensible-enum``; the policy names warning codes among what may be added."""
    twin = payload(external_id="loan-7")
    answer = client.post("/v1/ratings/batch", json={"items": [twin, payload(external_id="loan-7", name="B")]},
                         headers=bearer(bank_key))
    batch = answer.get_json()
    assert [w["code"] for w in batch["results"][0]["warnings"]] == ["duplicate_external_id"]
    later = copy.deepcopy(batch)
    later["results"][1]["warnings"].append(
        {"code": "added_by_a_later_release", "message": "A later warning.", "indices": [0]})
    documented = spec["paths"]["/v1/ratings/batch"]["post"]["responses"]["200"]
    validator = OAS30ReadValidator({"allOf": [documented["content"]["application/json"]["schema"]],
                                    "components": spec["components"]})
    assert [e.message for e in validator.iter_errors(batch)] == []
    assert [e.message for e in validator.iter_errors(later)] == []
    code = spec["components"]["schemas"]["BatchWarning"]["properties"]["code"]
    assert "enum" not in code and code["x-extensible-enum"] == ["duplicate_external_id"]
    assert "new codes of a batch item's warnings" in _words(VERSIONING_POLICY)


def test_a_merchant_profile_answers_with_open_copies_of_the_request_schemas(
    spec: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    """The operating data is a request body (closed) and part of a profile answer (open): the answer refers
    to copies of the same fields, and a profile holding a field added later conforms."""
    schemas = spec["components"]["schemas"]
    profile = schemas["MerchantProfile"]["properties"]["profile"]
    assert profile["allOf"] == [{"$ref": SCHEMAS + "OperatingDataResponse"}]
    for name in ("OperatingData", "Company", "Energy", "Loan", "Target"):
        request, answer = schemas[name], schemas[f"{name}Response"]
        assert request["additionalProperties"] is False and "additionalProperties" not in answer
        assert set(answer["properties"]) == set(request["properties"])
        assert answer.get("required") == request.get("required")
    key = create_key(app, "bank-a", "merchant", merchant_id="M1")
    stored = client.put("/v1/merchants/M1/profile", json=payload(), headers=bearer(key))
    assert stored.status_code == 200
    later = stored.get_json()
    later["profile"]["company"]["added_in_a_later_schema"] = 1
    later["profile"]["added_in_a_later_schema"] = 1
    answer = spec["paths"]["/v1/merchants/{merchant_id}/profile"]["get"]["responses"]["200"]
    validator = OAS30ReadValidator({"allOf": [answer["content"]["application/json"]["schema"]],
                                    "components": spec["components"]})
    assert [e.message for e in validator.iter_errors(later)] == []


def test_info_version_names_the_release_and_the_documents_schema(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    published = spec["info"]["version"]
    assert published == f"{version('greenrate')}+schema.{SCHEMA_VERSION}"
    # semver with build metadata, and a PEP 440 local version (a generator may copy it into a package)
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+\+schema\.[0-9]+(\.[0-9]+)*", published)
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key)).get_json()
    assert published.endswith(f"+schema.{rating['versions']['schema']}")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_versioning_policy_is_published_alike_in_the_document_and_the_readme(
    spec: dict[str, Any], client: FlaskClient, bank_key: str
) -> None:
    readme = README.read_text(encoding="utf-8")
    contract = readme[readme.index("## The contract and the docs page"):readme.index("## Configuration")]
    assert _words(VERSIONING_POLICY) in _words(contract)
    assert _words(VERSIONING_POLICY) in _words(spec["info"]["description"])
    for commitment in ("additive only", "must ignore fields they do not know", "`Deprecation` header",
                       "`Sunset` header", "new major path version"):
        assert commitment in _words(VERSIONING_POLICY)
    # "No answer carries them today": true of the answers a client meets most
    answer = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    assert not {"Deprecation", "Sunset"} & set(answer.headers.keys())


def test_a_profile_stored_under_earlier_rules_is_served_within_the_contract(
    spec: dict[str, Any], client: FlaskClient, app: Any
) -> None:
    """A profile is served as stored, and rules tighten within /v1: before release 2.5 only an industry
    code's ISIC division was checked, so ``4735`` was stored and rated (CHANGES.md), and today's request
    enum refuses it. The answer's copy of the operating data published that enum (and every bound of the
    request), so the merchant's own profile broke a generated client's parse (an unknown enum value)
    while ``POST /v1/merchants/{id}/rating`` answered the 422 that says what to change. The answer's copies
    publish the types, the fields and today's values of each set (``x-extensible-enum``), not today's
    refusals: those are the request's."""
    from service.records.profiles import put_profile
    from tests.conftest import services_of
    from tests.service.contract import contract_errors

    stored = payload()
    stored["company"]["industry_code"] = "4735"  # a division (47) that holds no class 4735
    key = create_key(app, "bank-a", "merchant", merchant_id="M1")
    put_profile(services_of(app).db, "bank-a", "M1", json.dumps(stored, sort_keys=True), None)
    answer = client.get("/v1/merchants/M1/profile", headers=bearer(key))
    assert answer.status_code == 200 and answer.get_json()["profile"] == stored
    assert contract_errors(spec, "/v1/merchants/{merchant_id}/profile", "get", answer) == []
    refused = client.post("/v1/merchants/M1/rating", headers=bearer(key))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["company.industry_code"]
    company = spec["components"]["schemas"]["CompanyResponse"]["properties"]["industry_code"]
    assert "enum" not in company and "4711" in company["x-extensible-enum"]
    assert "4735" not in spec["components"]["schemas"]["Company"]["properties"]["industry_code"]["enum"]
