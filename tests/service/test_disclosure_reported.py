"""Disclosure 1.2: the business's own reported inventory beside greenrate's, in the JSON, both pages and
the PDF.

Since engine 2.8 a rating request may carry the borrower's own inventory (``reported_emissions``), which a
loan's financed emissions attribute instead of greenrate's; the disclosure showed only greenrate's figures,
so a bank or an auditor reading it could not see the figures the loan rests on, whether they were verified
and by whom, or how far they are from greenrate's computation.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from rating_model.disclosure import DISCLOSURE_VERSION
from schemas.disclosure import DisclosureSchema
from service.web.i18n import texts
from tests.conftest import AppFactory, bearer, create_key, payload
from tests.service.contract import contract_errors

VERIFIER = "China Quality Certification Centre"
VERIFIED = {"scope1_tco2e": 18.0, "scope2_location_tco2e": 30.0, "scope2_market_tco2e": 29.0,
            "verified": True, "verifier": VERIFIER}
UNVERIFIED = {"scope1_tco2e": 2.5, "scope2_location_tco2e": 4.0, "scope3_tco2e": 7.25, "verified": False}
LOAN = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
        "borrower_equity_plus_debt": 2_000_000}
_PATH = "/v1/ratings/{rating_id}/disclosure"


def _rate(client: FlaskClient, key: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/v1/ratings", json={**payload(), **extra}, headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _disclosed(client: FlaskClient, key: str, rating: dict[str, Any]) -> dict[str, Any]:
    answer = client.get(f"/v1/ratings/{rating['id']}/disclosure", headers=bearer(key))
    spec = client.get("/openapi.json").get_json()
    assert contract_errors(spec, _PATH, "get", answer) == []
    doc: dict[str, Any] = answer.get_json()
    assert DisclosureSchema().validate(doc) == {}
    assert doc["disclosure_version"] == DISCLOSURE_VERSION == "1.3"
    return doc  # type: ignore[no-any-return]


def _section(client: FlaskClient, key: str, rating: dict[str, Any], lang: str) -> str:
    """The text of the page's reported-inventory section in ``lang``, tags taken out."""
    page = client.get(f"/v1/ratings/{rating['id']}/disclosure?lang={lang}",
                      headers={**bearer(key), "Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    found = re.search(r'<section id="reported-emissions">(.*?)</section>', page.get_data(as_text=True), re.S)
    assert found is not None, lang
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_a_verified_inventory_is_disclosed_with_its_verifier_the_difference_and_the_loan_on_it(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key, loan=LOAN, reported_emissions=VERIFIED)
    own = _disclosed(client, bank_key, rating)["reported_emissions"]
    compared = rating["reported_emissions"]
    assert own == {
        "status": "reported",
        "unit": "tCO2e",
        "scope1_tco2e": 18.0,
        "scope2_location_tco2e": 30.0,
        "scope2_market_tco2e": 29.0,
        "scope3_tco2e": None,
        "scope12_location_tco2e": 48.0,
        "verified": True,
        "verifier": VERIFIER,
        "pcaf_option": "1a",
        "computed_scope12_tco2e": compared["computed_scope12_tco2e"],
        "difference_scope12_pct": compared["difference_scope12_pct"],
        "financed_emissions_source": "reported_verified",
        "financed_pcaf_score": 1,
        "statement": own["statement"],
    }
    difference = compared["difference_scope12_pct"]
    assert difference is not None and difference != 0
    side = "above" if difference > 0 else "below"
    assert own["statement"] == (
        f"The business reported its own inventory (verified by {VERIFIER}, PCAF option 1a): Scope 1 + "
        f"Scope 2 location-based 48.0 tCO2e, {abs(difference):.1f}% {side} greenrate's computation from "
        f"the activity data ({compared['computed_scope12_tco2e']!r} tCO2e). The loan's financed emissions "
        "attribute the business's reported figures (PCAF data-quality score 1 of 5, on the business's "
        "verified figures: PCAF option 1a). The score and the grade are computed from the activity data, "
        "never from the reported figures."
    )

    inventory = rating["emissions"]
    signed = f"{difference:+.1f}"
    en = _section(client, bank_key, rating, "en")
    assert en == (
        "The business's own reported inventory Reported by the business Computed by greenrate "
        f"Scope 1 18.00 {inventory['scope1']:.2f} "
        f"Scope 2 (location) 30.00 {inventory['scope2_location']:.2f} "
        f"Scope 2 (market) 29.00 {inventory['scope2_market']:.2f} Scope 3 not reported not available "
        f"Scopes 1 and 2 (location) 48.00 {compared['computed_scope12_tco2e']:.2f} "
        f"Difference, Scopes 1 and 2 (location): (reported − computed) / computed {signed}% "
        f"Verification Verified by {VERIFIER} (PCAF option 1a) "
        "Financed emissions attribute The business's reported figures; the loan's PCAF data-quality score "
        "is 1 of 5 (1 is best) "
        "The score and the grade are computed from the activity data, never from the reported figures."
    )
    zh = _section(client, bank_key, rating, "zh")
    assert zh.startswith("企业自报的温室气体排放清单 企业自报 greenrate 计算 范围一 18.00")
    for said in (f"差异，范围一+范围二（基于位置）：（自报 − 计算）/ 计算 {signed}%",
                 f"核查 经{VERIFIER}核查（PCAF 选项 1a）", "范围三 未报告 暂无数据",
                 "融资排放的归因依据 企业自报的数据；该笔贷款的 PCAF 数据质量评分为 1（共 5 级，1 最好）",
                 texts("zh")["reported_never_scored"]):
        assert said in zh, said


def test_an_unverified_inventory_without_a_loan_says_so_and_that_nothing_is_attributed(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key, reported_emissions=UNVERIFIED)
    assert rating["financed_emissions"] is None
    own = _disclosed(client, bank_key, rating)["reported_emissions"]
    assert (own["status"], own["verified"], own["verifier"], own["pcaf_option"]) == (
        "reported", False, None, "1b")
    assert (own["scope2_market_tco2e"], own["scope3_tco2e"]) == (None, 7.25)
    assert own["scope12_location_tco2e"] == 6.5
    assert own["difference_scope12_pct"] == rating["reported_emissions"]["difference_scope12_pct"]
    assert (own["financed_emissions_source"], own["financed_pcaf_score"]) == (None, None)
    assert own["statement"].startswith(
        "The business reported its own inventory (unverified, PCAF option 1b): Scope 1 + Scope 2 "
        "location-based 6.5 tCO2e, ")
    assert "No loan was rated with this request: no financed emissions are attributed." in own["statement"]

    en = _section(client, bank_key, rating, "en")
    assert "Verification Not verified (PCAF option 1b)" in en and "Verified by" not in en
    assert "Scope 2 (market) not reported" in en and "Scope 3 7.25" in en
    assert "Financed emissions attribute No loan was rated with this request" in en
    zh = _section(client, bank_key, rating, "zh")
    assert "核查 未经核查（PCAF 选项 1b）" in zh
    assert "融资排放的归因依据 本次评级未包含贷款，未归因融资排放" in zh


def test_a_rating_without_a_reported_inventory_says_not_reported_and_that_the_loan_is_on_greenrate_s(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key, loan=LOAN)
    assert rating["reported_emissions"] is None
    own = _disclosed(client, bank_key, rating)["reported_emissions"]
    figures = ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "scope3_tco2e",
               "scope12_location_tco2e", "verified", "verifier", "pcaf_option", "computed_scope12_tco2e",
               "difference_scope12_pct")
    assert own["status"] == "not_reported" and all(own[k] is None for k in figures)  # never 0
    pcaf = rating["financed_emissions"]["pcaf_score"]
    assert (own["financed_emissions_source"], own["financed_pcaf_score"]) == ("computed", pcaf)
    assert own["statement"].startswith("The business reported no inventory of its own with this rating")
    assert (f"greenrate's computed inventory (PCAF data-quality score {pcaf} of 5, on emissions greenrate "
            "computed from the activity data: PCAF option 2a, 2 at best).") in own["statement"]
    for lang in ("en", "zh"):
        t = texts(lang)
        said = _section(client, bank_key, rating, lang)
        computed = t["reported_attributes_computed"].format(pcaf=pcaf)
        assert said == f"{t['reported_title']} {t['reported_none']} {t['reported_attributed']}" + (
            f"{t['colon'].strip()} {computed}" if lang == "en" else f"{t['colon']}{computed}"), lang


def test_the_pdf_prints_the_reported_inventory(client: FlaskClient, bank_key: str) -> None:
    rating = _rate(client, bank_key, loan=LOAN, reported_emissions=VERIFIED)
    pdf = client.get(f"/v1/ratings/{rating['id']}/disclosure?lang=zh",
                     headers={**bearer(bank_key), "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    difference = rating["reported_emissions"]["difference_scope12_pct"]
    for said in ("企业自报的温室气体排放清单", f"经{VERIFIER}核查（PCAF 选项 1a）", f"{difference:+.1f}%",
                 "48.00"):
        assert said.replace(" ", "") in text, said


def test_the_verifier_is_printed_as_given_never_as_markup_or_a_format(
    client: FlaskClient, bank_key: str
) -> None:
    hostile = "<script>alert(1)</script>{0}{verifier}"
    rating = _rate(client, bank_key, reported_emissions={**VERIFIED, "verifier": hostile})
    for lang in ("en", "zh"):
        page = client.get(f"/v1/ratings/{rating['id']}/disclosure?lang={lang}",
                          headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
        section = page.split('<section id="reported-emissions">', 1)[1].split("</section>", 1)[0]
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{0}{verifier}" in section, lang


def test_a_disclosure_of_version_1_1_still_renders_without_the_section(
    app: Flask, client: FlaskClient, bank_key: str
) -> None:
    """Disclosures are rebuilt from the stored rating whenever served, never stored; a 1.1 document handed
    to the renderer (it has no ``reported_emissions``) still prints, without the section."""
    from service.disclosure.render import render_html

    rating = _rate(client, bank_key, reported_emissions=VERIFIED)
    doc = client.get(f"/v1/ratings/{rating['id']}/disclosure", headers=bearer(bank_key)).get_json()
    del doc["reported_emissions"]
    doc["disclosure_version"] = "1.1"
    with app.test_request_context():
        for lang in ("en", "zh"):
            page = render_html(doc, lang)
            assert 'id="reported-emissions"' not in page and texts(lang)["inventory"] in page


def test_a_rating_stored_before_schema_1_11_is_disclosed_as_not_reported_within_the_contract(
    make_app: AppFactory,
) -> None:
    """A rating stored before engine 2.8 has no ``reported_emissions`` and its financed emissions no
    ``emissions_source``; its disclosure, rebuilt from it when served, says not reported and the loan on
    greenrate's inventory, in the JSON and both pages."""
    from tests.service.test_previous_release_ratings import (
        PREVIOUS_VERSIONS,
        _as_stored_by_the_previous_release,
    )

    def before_schema_1_11(stored: dict[str, Any]) -> None:
        del stored["reported_emissions"], stored["financed_emissions"]["emissions_source"]

    app = make_app(UNSIGNED_RATINGS="serve")  # the previous release did not sign
    key = create_key(app)
    client = app.test_client()
    rating = _rate(client, key, loan=LOAN)
    _as_stored_by_the_previous_release(app, rating["id"], PREVIOUS_VERSIONS, before_schema_1_11)
    own = _disclosed(client, key, rating)["reported_emissions"]
    assert (own["status"], own["financed_emissions_source"]) == ("not_reported", "computed")
    for lang in ("en", "zh"):
        assert _section(client, key, rating, lang).startswith(
            f"{texts(lang)['reported_title']} {texts(lang)['reported_none']}"), lang
