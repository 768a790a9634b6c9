"""A rating stored by the previous release (schema 1.6, engine 1.7) is still served within the contract.

Ratings are served byte for byte as stored, and the disclosure of one is built from its stored body, so a
key a later release adds to the rating must be optional in the contract: engine 1.8 added
``emissions.intensities.scope12_location_per_cny_million_revenue`` as a required key, and every rating
issued before it stopped validating against ``/openapi.json`` (``GET /v1/ratings/{id}`` and the disclosure,
which copies the intensities into ``inventory.intensities``; review of this session's service changes).
Schema 1.8 said each IFRS S2 note and value in words in Chinese too: a rating stored before has none, and its
Chinese disclosure shows the English, marked as the original.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors
from tests.service.tampering import guard_lifted

#: The versions the previous release (commit 92559ed) recorded on every rating it issued.
PREVIOUS_VERSIONS = {
    "model": "sc-c54ae4370a24",
    "standard": "greenrate-sme@1.4.0",
    "factor_set": "cn-2024.2",
    "schema": "1.6",
    "engine": "1.7",
}

#: Every key of a stored rating body that a release after the previous one added, with the release that
#: added it. A rating stored before then lacks it, so the contract must not require it. The list was
#: taken by rating the same inputs with the code of 92559ed and of this release and comparing the keys.
ADDED_SINCE_PREVIOUS_RELEASE = [
    # engine 1.8, schema 1.7 (commit f13f388): VSME B3's intensity, Scope 1 + location-based Scope 2
    ("emissions", "intensities", "scope12_location_per_cny_million_revenue"),
    # engine 1.8, schema 1.7: the green-loan rationale in Chinese
    ("green_loan", "rationale_zh"),
    # engine 2.4, schema 1.10: each action's gain after the ones before it on the path to the next grade
    ("path_to_next_grade", "score_gains"),
]
#: The keys a release after the previous one added to the items of the IFRS S2 summary (every item that
#: has a note or a value in words), which the disclosure's five sections copy.
ADDED_TO_IFRS_S2_ITEMS_SINCE_PREVIOUS_RELEASE = [
    # engine 1.9, schema 1.8: each note, and each value in words, in Chinese
    "note_zh",
    "value_zh",
]


def _body() -> dict[str, Any]:
    """A business with a loan, last year's data, targets, credits and vehicles, so most optional parts of
    a rating (green loan, financed emissions, the comparative, neutrality) are filled."""
    body = payload()
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    body["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                    "borrower_equity_plus_debt": 2_000_000}
    body["transport"] = {"fleet": [{"fuel": "diesel", "vehicles": 2}]}
    body["targets"] = [{"scopes": [1, 2], "base_year": 2024, "target_year": 2030, "reduction_pct": 30}]
    body["offsets"] = [{"standard": "CCER", "tco2e": 2.5, "type": "avoidance", "vintage": 2023}]
    return body


#: The release before (engine 1.6, schema 1.5, standard 1.3.0; session of 2026-12-05): schema 1.6 added each
#: reason code's ``message_zh`` and ``path_to_next_grade.held_back_by``.
EARLIER_VERSIONS = {**PREVIOUS_VERSIONS, "standard": "greenrate-sme@1.3.0", "schema": "1.5", "engine": "1.6"}


def _strip_schema_1_6(stored: dict[str, Any]) -> None:
    for reason in stored["reason_codes"]:
        del reason["message_zh"]
    del stored["path_to_next_grade"]["held_back_by"]


def _as_stored_by_the_previous_release(
    app: Flask, rating_id: str, versions: dict[str, str] = PREVIOUS_VERSIONS, also: Any = None
) -> str:
    """Rewrite the stored rating as the previous release would have stored it: the keys added since taken
    out of its body, its versions those of that release (in the body and in the row). ``also`` takes out
    what an earlier release lacked too."""
    db = services_of(app).db
    with db.connect() as conn:
        stored = json.loads(conn.execute(
            ratings.select().where(ratings.c.id == rating_id)).one().result_json)
    for *parents, key in ADDED_SINCE_PREVIOUS_RELEASE:
        holder = stored
        for parent in parents:
            holder = holder[parent]
        del holder[key]  # a KeyError says the list names a key this body does not have
    for key in ADDED_TO_IFRS_S2_ITEMS_SINCE_PREVIOUS_RELEASE:
        items = [item for section in stored["issb_summary"].values() for item in section.values()]
        assert any(key in item for item in items), key  # the list names a key this body has
        for item in items:
            item.pop(key, None)
    if also is not None:
        also(stored)
    stored["versions"] = dict(versions)
    text = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
    with db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).where(ratings.c.id == rating_id).values(
            result_json=text,
            model_version=versions["model"],
            standard_version=versions["standard"],
            schema_version=versions["schema"],
            engine_version=versions["engine"],
            result_sha256=None,  # that release did not sign
            signature=None,
            signature_v2=None,
            code_revision=None,  # nor record its build
        ))
    return text


def _served_as_stored_within_the_contract(
    client: Any, key: str, spec: dict[str, Any], rating_id: str, stored: str
) -> Any:
    """The stored rating is served byte for byte, listed, and disclosed as JSON, VSME and the Chinese page,
    every answer within the contract; the rating's answer is returned."""
    read = client.get(f"/v1/ratings/{rating_id}", headers=bearer(key))
    assert read.status_code == 200 and read.get_data(as_text=True) == stored  # served as stored
    assert contract_errors(spec, "/v1/ratings/{rating_id}", "get", read) == []
    assert contract_errors(spec, "/v1/ratings", "get", client.get("/v1/ratings", headers=bearer(key))) == []
    path = "/v1/ratings/{rating_id}/disclosure"
    for query, accept in (("", "application/json"), ("?format=vsme", "application/json"),
                          ("?lang=zh", "text/html")):
        answer = client.get(f"/v1/ratings/{rating_id}/disclosure{query}",
                            headers={**bearer(key), "Accept": accept})
        assert answer.status_code == 200 and answer.mimetype == accept, query
        assert contract_errors(spec, path, "get", answer) == [], query
    return read


@pytest.mark.parametrize(("versions", "also"),
                         [(PREVIOUS_VERSIONS, None), (EARLIER_VERSIONS, _strip_schema_1_6)],
                         ids=["schema 1.6", "schema 1.5"])
def test_a_rating_and_its_disclosures_stored_by_the_previous_release_validate_against_the_contract(
    make_app: AppFactory, versions: dict[str, str], also: Any
) -> None:
    app = make_app(UNSIGNED_RATINGS="serve")  # the previous release did not sign
    key = create_key(app)
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    for body in (payload(), _body()):
        issued = client.post("/v1/ratings", json=body, headers=bearer(key))
        assert issued.status_code == 201, issued.get_json()
        rating_id = issued.get_json()["id"]
        stored = _as_stored_by_the_previous_release(app, rating_id, versions, also)

        _served_as_stored_within_the_contract(client, key, spec, rating_id, stored)
        doc = client.get(f"/v1/ratings/{rating_id}/disclosure", headers=bearer(key)).get_json()
        assert "scope12_location_per_cny_million_revenue" not in doc["inventory"]["intensities"]
        assert "note_zh" not in json.dumps(doc) and "value_zh" not in json.dumps(doc)
        vsme = client.get(f"/v1/ratings/{rating_id}/disclosure?format=vsme", headers=bearer(key)).get_json()
        assert vsme["datapoints"]["B3"]["ghg_intensity"]["status"] == "disclosed"  # derived from the figures


def test_the_chinese_disclosure_of_a_rating_stored_before_the_chinese_notes_shows_their_english_marked(
    make_app: AppFactory,
) -> None:
    """A rating stored before schema 1.8 has no ``note_zh``: its Chinese page shows each note in English,
    marked as the original, rather than mixing the languages silently (or dropping the note); a fixed
    sentence the page knows the Chinese of (the GWP note) is still shown in Chinese."""
    app = make_app(UNSIGNED_RATINGS="serve")
    key = create_key(app)
    client = app.test_client()
    rating_id = client.post("/v1/ratings", json=_body(), headers=bearer(key)).get_json()["id"]
    stored = json.loads(_as_stored_by_the_previous_release(app, rating_id))
    page = client.get(f"/v1/ratings/{rating_id}/disclosure?lang=zh",
                      headers={**bearer(key), "Accept": "text/html"})
    text = html.unescape(page.get_data(as_text=True))
    notes = [item["note"] for section in stored["issb_summary"].values() for item in section.values()
             if "note" in item]
    gwp = stored["issb_summary"]["basis_of_preparation"]["greenhouse_gases"]["note"]
    assert len(notes) > 10
    for note in notes:
        if note == gwp:
            assert note not in text and "每个排放因子覆盖其发布方所述的温室气体" in text
        else:
            assert f'<span lang="en">{note}</span><span class="original">（英文原文）</span>' in text, note
    risks = stored["issb_summary"]["strategy"]["transition_risks"]["value"]  # a value in words
    assert f'<span lang="en">{risks}</span><span class="original">（英文原文）</span>' in text
    english = client.get(f"/v1/ratings/{rating_id}/disclosure?lang=en",
                         headers={**bearer(key), "Accept": "text/html"}).get_data(as_text=True)
    assert "（英文原文）" not in english and 'lang="en"' not in english.split("<body>")[1]


#: The versions of the release before schema 1.13 (engine 2.11), whose financed emissions carry no
#: ``scope3_pcaf_score``.
SCHEMA_1_12_VERSIONS = {**PREVIOUS_VERSIONS, "schema": "1.12", "engine": "2.11", "factor_set": "cn-2024.5"}


def test_a_loan_rating_stored_before_schema_1_13_without_a_scope3_pcaf_score_is_served_in_the_contract(
    make_app: AppFactory,
) -> None:
    """Schema 1.13 added ``financed_emissions.scope3_pcaf_score``: a rating stored before has a loan's
    financed Scope 3 without it, and is still served, listed and disclosed within the contract (the key is
    optional), its disclosure saying the loan's one score as before."""
    app = make_app(UNSIGNED_RATINGS="serve")
    key = create_key(app)
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    body = {**_body(), "resources": {"water_m3": 900}}  # a Scope 3 for the loan to attribute
    issued = client.post("/v1/ratings", json=body, headers=bearer(key))
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["financed_emissions"]["scope3_pcaf_score"] == 3
    rating_id = issued.get_json()["id"]

    def strip(stored: dict[str, Any]) -> None:
        del stored["financed_emissions"]["scope3_pcaf_score"]

    stored = _as_stored_by_the_previous_release(app, rating_id, SCHEMA_1_12_VERSIONS, strip)
    read = _served_as_stored_within_the_contract(client, key, spec, rating_id, stored)
    assert "scope3_pcaf_score" not in read.get_json()["financed_emissions"]
    doc = client.get(f"/v1/ratings/{rating_id}/disclosure", headers=bearer(key)).get_json()
    assert "on its own" not in doc["reported_emissions"]["statement"]
