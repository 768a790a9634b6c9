"""``greenrate ratings export``: one tenant's records of one borrower or merchant, for a subject-access
request: each rating with its input and body as recorded, the merchant's profile and keys, erasures asked
for by id; never another tenant's, and the log says only that an export was made."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result
from flask import Flask

from service.cli import main
from service.ratings import erasure
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

NAME = "Zhang San Noodles"


def export(app: Flask, *args: str) -> Result:
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    return CliRunner().invoke(main, ["ratings", "export", *args], env=env, catch_exceptions=False)


def _document(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_an_export_holds_the_subjects_records_of_its_tenant_only(make_app: AppFactory) -> None:
    app = make_app()
    client = app.test_client()
    bank, other_bank = create_key(app, "bank-a"), create_key(app, "bank-b")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-7")
    mine = client.post("/v1/ratings", json=payload(external_id="loan-7", name=NAME), headers=bearer(bank))
    client.post("/v1/ratings", json=payload(external_id="loan-8", name="Someone Else"), headers=bearer(bank))
    theirs = payload(external_id="loan-7", name="Bank B's")
    client.post("/v1/ratings", json=theirs, headers=bearer(other_bank))
    profile = payload(external_id="shop-ref", name=NAME)
    stored = client.put("/v1/merchants/shop-7/profile", json=profile, headers=bearer(merchant))
    assert stored.status_code == 200
    one_click = client.post("/v1/merchants/shop-7/rating", headers=bearer(merchant))
    assert one_click.status_code == 201
    later = client.post("/v1/ratings", json=payload(external_id="loan-9"), headers=bearer(bank))
    erased = later.get_json()["id"]
    done = erasure.erase_rating(services_of(app).db, erased, reason="Court order 2026-117", actor="cli/dpo")
    assert isinstance(done, erasure.ErasedRating)
    never = "rt_" + "0" * 32

    result = export(app, "--tenant", "bank-a", "--external-id", "loan-7", "--merchant-id", "shop-7",
                    erased, never)
    document = _document(result)
    assert document["tenant"] == "bank-a"
    by_id = {rating["id"]: rating for rating in document["ratings"]}
    assert set(by_id) == {mine.get_json()["id"], one_click.get_json()["id"]}  # not bank-b's loan-7
    bank_rating = by_id[mine.get_json()["id"]]
    assert bank_rating["rating"] == mine.get_json()  # the body as issued
    assert bank_rating["input"]["company"]["name"] == NAME and bank_rating["issued_by"] == "bank"
    assert bank_rating["input_sha256"] == mine.headers["X-Input-SHA256"]
    merchant_rating = by_id[one_click.get_json()["id"]]
    assert merchant_rating["issued_by"] == "merchant" and merchant_rating["merchant_id"] == "shop-7"
    (kept,) = document["merchant_profiles"]
    assert kept["merchant_id"] == "shop-7" and kept["profile"]["company"]["name"] == NAME
    (key,) = document["api_keys"]
    assert key["role"] == "merchant" and key["merchant_id"] == "shop-7" and "key_hash" not in key
    (gone,) = document["erased_ratings"]
    assert gone["id"] == erased and gone["result_sha256"] == done.recorded.result_sha256
    assert document["not_found"] == [never]
    assert any("GREENRATE_PORTFOLIO_DIR" in note for note in document["not_searched"])
    # the trace of the export names the tenant and counts, never the ids asked for nor the name
    (line,) = [json.loads(x) for x in result.stderr.splitlines() if "subject_data_exported" in x]
    assert line["tenant"] == "bank-a" and line["ratings"] == 2 and line["actor"].startswith("cli/")
    assert not any(word in json.dumps(line) for word in ("loan-7", "shop-7", NAME, erased))

    other = _document(export(app, "--tenant", "bank-b", "--merchant-id", "shop-7", "--external-id", "loan-7"))
    assert [r["input"]["company"]["name"] for r in other["ratings"]] == ["Bank B's"]
    assert other["merchant_profiles"] == [] and other["api_keys"] == []


def test_an_export_that_finds_nothing_exits_1_and_one_naming_nothing_is_refused(make_app: AppFactory) -> None:
    app = make_app()
    nothing = export(app, "--tenant", "bank-a", "--external-id", "loan-7")
    assert nothing.exit_code == 1 and "nothing of tenant bank-a names the ids given" in nothing.output
    unnamed = export(app, "--tenant", "bank-a")
    assert unnamed.exit_code == 2 and "name at least one RATING_ID" in unnamed.output


def test_a_merchant_page_owner_without_the_link_is_found_by_the_business_name(make_app: AppFactory) -> None:
    """The page's ratings carry no reference but their id and the name the owner typed: the name finds
    them, exactly (not a name it is the start of, nor one with LIKE's wildcards read as such)."""
    from tests.service.test_merchant_page import FORM, SECRET, _token

    app = make_app(SECRET_KEY=SECRET)
    client = app.test_client()
    name, others = "王记面馆 50%_x", ("王记面馆 50%_x2", "王记面馆 50a_x", "")
    ids = {}
    for company in (name, *others):
        posted = client.post("/", data={**FORM, "company_name": company, "csrf_token": _token(client)})
        assert posted.status_code == 303, posted.status_code
        ids[company] = posted.headers["Location"].split("/")[2].split("?")[0]
    result = export(app, "--tenant", "_public", "--company-name", f"  {name} ")
    document = _document(result)
    assert [rating["id"] for rating in document["ratings"]] == [ids[name]]
    assert document["ratings"][0]["input"]["company"]["name"] == name
    assert document["asked_for"]["company_names"] == [name]
    (line,) = [x for x in result.stderr.splitlines() if "subject_data_exported" in x]
    assert "王记" not in line and ids[name] not in line
    assert export(app, "--tenant", "bank-a", "--company-name", name).exit_code == 1  # another tenant's: none
