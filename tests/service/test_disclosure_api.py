"""GET /v1/ratings/{id}/disclosure: JSON, HTML and PDF carry the same figures as the rating; VSME export."""

from __future__ import annotations

import html
import io
import json
import logging
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.conftest import bearer, create_key, payload


def _rate(client: FlaskClient, key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/v1/ratings", json=body or payload(), headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _figures(rating: dict[str, Any], lang: str = "en") -> list[str]:
    """The figures a reader checks, formatted as the page in ``lang`` prints them ("5.9%" in both).

    Scope 3 is a figure only where the rating discloses it; otherwise the page states its status instead.
    """
    em = rating["emissions"]
    scope3_disclosed = rating["issb_summary"]["metrics_and_targets"]["scope3_tco2e"]["status"] == "disclosed"
    return [
        f"{rating['score']:.1f}",
        f"{em['scope1']:.2f}",
        f"{em['scope2_location']:.2f}",
        f"{em['scope2_market']:.2f}",
        *([f"{em['scope3']['total']:.2f}"] if scope3_disclosed else []),
        f"{em['total']:.2f}",
        f"{em['energy_mwh']:.2f}",
        f"{em['renewable_share'] * 100:.1f}%",
    ]


def test_json_disclosure_has_the_ifrs_s2_shape_and_the_rating_figures(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key)
    response = client.get(f"/v1/ratings/{rating['id']}/disclosure", headers=bearer(bank_key))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    for section in (
        "governance",
        "strategy",
        "risk_management",
        "metrics_and_targets",
        "basis_of_preparation",
    ):
        assert doc[section] == rating["issb_summary"][section]
    inv = doc["inventory"]
    em = rating["emissions"]
    assert (inv["scope1"], inv["scope2_location"], inv["total"]) == (
        em["scope1"],
        em["scope2_location"],
        em["total"],
    )
    assert doc["rating"]["id"] == rating["id"] and doc["rating"]["score"] == rating["score"]
    assert {f["id"] for f in doc["factor_sources"]} == {f["id"] for f in em["factors"]}
    assert all(f["source"] for f in doc["factor_sources"])
    assert doc["data_quality"]["pcaf_score"] == rating["data_quality"]["pcaf_score"]
    assert doc["company"]["name"] == "Hangzhou Green Noodle House"


def test_html_and_pdf_carry_the_same_figures_as_the_json_rating(client: FlaskClient, bank_key: str) -> None:
    body = payload(name="杭州绿色面馆 <b>&</b>")
    rating = _rate(client, bank_key, body)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    html = client.get(url, headers={**bearer(bank_key), "Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = html.get_data(as_text=True)
    assert "<b>&</b>" not in page and "杭州绿色面馆 &lt;b&gt;&amp;&lt;/b&gt;" in page  # autoescaped
    pdf = client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for figure in _figures(rating):
        assert figure in page, figure
    for figure in _figures(rating, "zh"):
        assert figure in text, figure
    assert "杭州绿色面馆" in text and "气候相关信息披露" in text  # Chinese renders (embedded CJK font)
    assert rating["id"] in text


def _structure(node: Any) -> list[str]:
    """The structure types of a PDF structure tree below ``node``, in document order."""
    node = node.get_object()
    if not isinstance(node, dict):
        return []
    kids = node.get("/K")
    kids = [] if kids is None else kids.get_object()
    own = [str(node["/S"])] if "/S" in node else []
    return own + [s for kid in (kids if isinstance(kids, list) else [kids]) for s in _structure(kid)]


@pytest.mark.parametrize(("lang", "language"), [("en", "en"), ("zh", "zh-CN")])
def test_the_pdf_is_tagged_in_the_pages_language(
    client: FlaskClient, bank_key: str, lang: str, language: str
) -> None:
    """The PDF was untagged: a screen reader read it as one run of text, a table's figures without the
    labels of their rows and columns. It is tagged (PDF/UA's structure: headings, tables with header cells,
    paragraphs), says its language and shows its title."""
    rating = _rate(client, bank_key)
    url = f"/v1/ratings/{rating['id']}/disclosure?lang={lang}"
    pdf = client.get(url, headers={**bearer(bank_key), "Accept": "application/pdf"})
    root = PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]
    assert root["/Lang"] == language
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    kinds = _structure(root["/StructTreeRoot"])
    assert kinds.count("/H1") == 1 and "/H2" in kinds
    assert kinds.count("/Table") >= 5 and kinds.count("/TH") >= 20 and "/TD" in kinds


def test_printing_a_pdf_logs_no_warning_about_the_service_s_own_stylesheet(
    client: FlaskClient, bank_key: str, caplog: Any
) -> None:
    """WeasyPrint warns of every CSS declaration it cannot use, and the page's stylesheet is the PDF's: two
    warnings (``overflow-x``, ``clip: rect(0 0 0 0)``) on stderr for every PDF, at up to 60 PDFs a minute per
    tenant, taught whoever alerts on the service's warnings to ignore them (operations review). A
    declaration meant for the screen alone sits under ``@media screen``, which the printer never reads."""
    rating = _rate(client, bank_key)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        for lang in ("en", "zh"):
            pdf = client.get(f"{url}?lang={lang}", headers={**bearer(bank_key), "Accept": "application/pdf"})
            assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_the_chinese_page_and_pdf_give_the_notes_and_values_in_chinese(
    client: FlaskClient, bank_key: str
) -> None:
    """The engine's notes and values in words are shown in its Chinese (``note_zh``, ``value_zh``) on the
    Chinese page and in its PDF: a Chinese bank's printed disclosure carried English sentences. The English
    page is unchanged."""
    from rating_model.disclosure import IFRS_S2_SECTIONS

    body = payload()
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    body["transport"] = {"fleet": []}
    body["offsets"] = [{"standard": "CCER", "tco2e": 2.5, "type": "avoidance", "vintage": 2023}]
    body["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
    rating = _rate(client, bank_key, body)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    page = html.unescape(client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "text/html"})
                         .get_data(as_text=True))
    pdf = client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "application/pdf"})
    printed = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    english = html.unescape(client.get(url + "?lang=en", headers={**bearer(bank_key), "Accept": "text/html"})
                            .get_data(as_text=True))
    items = [item for section in IFRS_S2_SECTIONS for item in rating["issb_summary"][section].values()]
    notes = [item for item in items if "note" in item]
    assert len(notes) > 15
    for item in notes:
        assert item["note_zh"] in page and item["note"] not in page, item["note"]
        assert re.sub(r"\s+", "", item["note_zh"])[:12] in printed, item["note_zh"]
        assert item["note"] in english and item["note_zh"] not in english
    for item in items:
        if isinstance(item.get("value_zh"), str):
            assert item["value_zh"] in page and item["value"] not in page, item["value"]
    assert "（英文原文）" not in english and "未报告" not in english


def test_vsme_export_keys_b1_to_b11_with_a_status_for_every_item(client: FlaskClient, bank_key: str) -> None:
    rating = _rate(client, bank_key)
    response = client.get(f"/v1/ratings/{rating['id']}/disclosure?format=vsme", headers=bearer(bank_key))
    assert response.status_code == 200
    doc = response.get_json()
    assert list(doc["datapoints"]) == [f"B{i}" for i in range(1, 12)]
    for items in doc["datapoints"].values():
        assert items
        for item in items.values():
            assert item["status"] in ("disclosed", "not_applicable", "not_available")
            assert ("value" in item) == (item["status"] == "disclosed")
    b3 = doc["datapoints"]["B3"]
    assert b3["scope1_tco2e"]["value"] == rating["emissions"]["scope1"]
    assert b3["scope2_location_tco2e"]["value"] == rating["emissions"]["scope2_location"]
    assert doc["datapoints"]["B1"]["turnover"]["value"] == 3_200_000


def test_disclosure_is_tenant_and_merchant_scoped(app, client: FlaskClient, bank_key: str) -> None:
    rating = _rate(client, bank_key)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    other_bank = create_key(app, "bank-b", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    analyst = create_key(app, "bank-a", "analyst")
    assert client.get(url, headers=bearer(other_bank)).status_code == 404
    assert client.get(url, headers=bearer(merchant)).status_code == 404  # not this merchant's rating
    assert client.get(url, headers=bearer(analyst)).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(url + "?format=nope", headers=bearer(bank_key)).status_code == 422
    refused = client.get(url, headers={**bearer(bank_key), "Accept": "image/png"})
    assert refused.status_code == 406
    assert json.loads(refused.data)["status"]


def test_unknown_query_parameters_are_refused(client: FlaskClient, bank_key: str) -> None:
    rating = _rate(client, bank_key)
    url = f"/v1/ratings/{rating['id']}/disclosure?formt=vsme"
    assert client.get(url, headers=bearer(bank_key)).status_code == 422


def test_vsme_export_negotiates_accept_like_the_ifrs_disclosure(client: FlaskClient, bank_key: str) -> None:
    """The export exists only as JSON: other types answer 406 in the one JSON error shape."""
    rating = _rate(client, bank_key)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    ifrs_refused = client.get(url, headers={**bearer(bank_key), "Accept": "image/png"})
    for accept in ("image/png", "application/pdf", "text/html"):
        refused = client.get(url + "?format=vsme", headers={**bearer(bank_key), "Accept": accept})
        assert refused.status_code == 406, accept
        assert refused.mimetype == "application/json"
        body = json.loads(refused.data)
        assert set(body) == set(json.loads(ifrs_refused.data)) and body["code"] == 406
    acceptable: tuple[str | None, ...] = (
        "application/json",
        "*/*",
        "application/*",
        "text/html, application/json;q=0.5",
        None,
    )
    for asked in acceptable:
        headers = bearer(bank_key) if asked is None else {**bearer(bank_key), "Accept": asked}
        answered = client.get(url + "?format=vsme", headers=headers)
        assert answered.status_code == 200, asked
        assert answered.mimetype == "application/json" and answered.get_json()["datapoints"]


def test_inventory_of_a_disclosure_without_scope3_data_says_not_available(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key)  # no transport or resources: no Scope 3 category
    assert rating["issb_summary"]["metrics_and_targets"]["scope3_tco2e"]["status"] == "not_available"
    doc = client.get(f"/v1/ratings/{rating['id']}/disclosure", headers=bearer(bank_key)).get_json()
    assert doc["inventory"]["scope3"] is None
    assert doc["inventory"]["status"]["scope3"] == "not_available"


def _with_scope3() -> dict[str, Any]:
    """The base request with a trip, water and landfilled waste: three Scope 3 categories."""
    body = payload()
    body["transport"] = {"business_travel": [{"mode": "rail", "passenger_km": 4_000}]}
    body["resources"] = {"water_m3": 900, "waste_t": 3.5}
    return body


def test_printed_disclosure_shows_scope3_by_category_the_intensities_and_the_size_behind_them(
    client: FlaskClient, bank_key: str
) -> None:
    """What a bank's credit file needs from the page: the JSON's categories, intensities and company size.

    The PDF is printed from the same HTML, so it is read back too: a figure only in the JSON would be a
    disclosure the borrower never saw.
    """
    rating = _rate(client, bank_key, _with_scope3())
    em = rating["emissions"]
    categories = em["scope3"]["categories"]
    assert set(categories) == {"cat1_water_supply", "cat5_waste", "cat6_business_travel"}
    url = f"/v1/ratings/{rating['id']}/disclosure"
    page = client.get(url, headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
    pdf = client.get(url, headers={**bearer(bank_key), "Accept": "application/pdf"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    intensities = em["intensities"]
    expected = {
        "of which category 1, purchased goods (water supply)": f"{categories['cat1_water_supply']:.2f}",
        "of which category 5, waste and wastewater": f"{categories['cat5_waste']:.2f}",
        "of which category 6, business travel": f"{categories['cat6_business_travel']:.2f}",
        "Scopes 1, 2 (location) and 3 per CNY million of revenue": (
            f"{intensities['per_cny_million_revenue']:.4f}"
        ),
        "Scopes 1 and 2 (market) per CNY million of revenue": (
            f"{intensities['scope12_market_per_cny_million_revenue']:.4f}"
        ),
        "Scopes 1, 2 (location) and 3 per employee": f"{intensities['per_employee']:.4f}",
        "Scopes 1, 2 (location) and 3 per m² of floor area": f"{intensities['per_m2']:.4f}",
        "Annual revenue": "3200000 CNY",
        "Floor area (m²)": "180",
        "Valid until": rating["valid_until"],
        "Electricity consumed (MWh)": f"{em['electricity_mwh']:.2f}",
    }
    for label, figure in expected.items():
        row = page.split(label, 1)[1].split("</tr>", 1)[0]  # the figure is in the labelled row
        assert figure in row, (label, figure)
        assert figure in text, (label, figure)
    zh = client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "text/html"})
    zh_page = zh.get_data(as_text=True)
    assert "其中类别 6：商务差旅" in zh_page and "<h3>碳强度</h3>" in zh_page


def test_printed_disclosure_leaves_out_what_the_business_did_not_report(
    client: FlaskClient, bank_key: str
) -> None:
    """No floor area: no per-m² intensity and no floor-area row (never a 0 or 'n/a' posing as a figure)."""
    body = payload()
    del body["company"]["floor_area_m2"]
    rating = _rate(client, bank_key, body)
    assert rating["emissions"]["intensities"]["per_m2"] is None
    url = f"/v1/ratings/{rating['id']}/disclosure"
    page = client.get(url, headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
    assert "per m² of floor area" not in page and "Floor area" not in page
    assert "of which category" not in page  # no Scope 3 category, so no breakdown under 'not available'


def test_printed_intensities_without_scope3_do_not_say_they_include_it(
    client: FlaskClient, bank_key: str
) -> None:
    """"Scopes 1, 2 (location) and 3 per CNY million of revenue" stood under an inventory whose Scope 3 is
    "not available": the figure has no Scope 3 in it, so its label names none."""
    rating = _rate(client, bank_key)  # no transport or resources: no Scope 3 category
    assert rating["emissions"]["scope3"]["categories_included"] == []
    intensities = rating["emissions"]["intensities"]
    url = f"/v1/ratings/{rating['id']}/disclosure"
    expected = {
        "en": ("Carbon intensities", "Scopes 1 and 2 (location) per CNY million of revenue; no Scope 3",
               "and 3 per"),
        "zh": ("碳强度", "营收碳强度：范围一+范围二（基于位置），每百万元营业收入；不含范围三",
               "+范围三，每"),
    }
    for lang, (heading, label, promised) in expected.items():
        page = client.get(f"{url}?lang={lang}", headers={**bearer(bank_key), "Accept": "text/html"})
        text = page.get_data(as_text=True)
        row = text.split(label, 1)[1].split("</tr>", 1)[0]
        assert f"{intensities['per_cny_million_revenue']:.4f}" in row, lang
        table = text.split(f"<h3>{heading}</h3>", 1)[1].split("</table>", 1)[0]
        assert promised not in table, lang


def test_both_languages_of_the_pages_have_the_same_words() -> None:
    """A key only in English would print the key itself on the Chinese page; a key in two areas of the
    catalogue would silently take the later area's text."""
    from service.web.catalogue import AREAS, TEXTS

    assert set(TEXTS["en"]) == set(TEXTS["zh"])
    for area, words in AREAS.items():
        assert set(words["en"]) == set(words["zh"]), area
    assert sum(len(words["en"]) for words in AREAS.values()) == len(TEXTS["en"])


def test_printed_disclosure_shows_the_comparison_with_the_previous_year(
    client: FlaskClient, bank_key: str
) -> None:
    body = payload()
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    rating = _rate(client, bank_key, body)
    value = rating["issb_summary"]["metrics_and_targets"]["scope12_comparative"]["value"]
    url = f"/v1/ratings/{rating['id']}/disclosure"
    expected = {
        "en": f"previous year {value['previous_year_tco2e']:.2f} t CO2e, reporting year "
        f"{value['reporting_year_tco2e']:.2f} t CO2e, change {value['change_pct']:+.1f}%",
        "zh": f"上一年 {value['previous_year_tco2e']:.2f} 吨二氧化碳当量，报告年 "
        f"{value['reporting_year_tco2e']:.2f} 吨二氧化碳当量，变化 {value['change_pct']:+.1f}%",
    }
    for lang, text in expected.items():
        page = client.get(f"{url}?lang={lang}", headers={**bearer(bank_key), "Accept": "text/html"})
        assert text in page.get_data(as_text=True), lang


def test_printed_disclosure_says_targets_credits_loan_and_share_in_words_with_their_units(
    client: FlaskClient, bank_key: str
) -> None:
    """The records among the IFRS S2 items had been printed as the JSON's keys, in English on the Chinese
    page too ("scopes 1; 2, base year 2023, target year 2030, reduction pct 40.0000", "amount 800000.0000,
    currency CNY, ..."), and the 29(d) share as "0.1500" beside "Share of sales" (read as 0.15 %)."""
    body = payload()
    body["targets"] = [{"scopes": [1, 2], "base_year": 2023, "target_year": 2030, "reduction_pct": 40}]
    body["offsets"] = [{"standard": "CCER", "tco2e": 2.5, "type": "avoidance", "vintage": 2024}]
    body["loan"] = {"amount": 800_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
    body["practices"] = {"green_products_share": 0.15}
    rating = _rate(client, bank_key, body)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    expected = {
        "en": ("Scope 1 and Scope 2: 40% reduction from base year 2023 by 2030", "15.0%",
               "CCER, 2.5 t CO2e, avoidance, vintage 2024",
               "800000 CNY, use of proceeds: Energy efficiency (energy_efficiency)"),
        "zh": ("范围一和范围二：到 2030 年较基准年 2023 年减排 40%", "15.0%",
               "CCER，2.5 吨二氧化碳当量，避免排放类，产生年份 2024",
               "80万元，资金用途：能效提升（energy_efficiency）"),
    }
    for lang, said in expected.items():
        page = html.unescape(
            client.get(f"{url}?lang={lang}", headers={**bearer(bank_key), "Accept": "text/html"})
            .get_data(as_text=True)
        )
        for text in said:
            assert text in page, (lang, text)
        assert "reduction pct" not in page and "tco2e 2.5" not in page and "0.1500" not in page, lang
        assert "英文原文" not in page, lang


def test_the_page_and_the_pdf_are_the_text_and_bytes_the_contract_declares(
    client: FlaskClient, bank_key: str
) -> None:
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    url = f"/v1/ratings/{_rate(client, bank_key)['id']}/disclosure"
    for accept in ("text/html", "application/pdf"):
        answer = client.get(url, headers={**bearer(bank_key), "Accept": accept})
        assert answer.status_code == 200 and answer.mimetype == accept
        assert contract_errors(spec, "/v1/ratings/{rating_id}/disclosure", "get", answer) == [], accept
    assert answer.data.startswith(b"%PDF-") and answer.headers["Content-Disposition"].startswith("inline")


def _sparse() -> dict[str, Any]:
    """Only what a rating needs: no region, floor area, practices, fuels or data source (sector defaults
    fill the gaps, and the disclosure says what is not available)."""
    body = payload()
    for field in ("region", "floor_area_m2"):
        del body["company"][field]
    del body["practices"], body["data_source"]
    body["energy"] = {"electricity_kwh": 42_000}
    return body


def _everything() -> dict[str, Any]:
    """Scope 3, a loan in another currency, the previous year, targets and carbon credits, 160 employees
    (so VSME B8 and B10 items change status)."""
    body = _with_scope3()
    body["company"].update(currency="USD", fx_to_cny=7.1, employees=160)
    body["loan"] = {"amount": 70_000, "outstanding": 56_000, "currency": "USD",
                    "use_of_proceeds": "energy_efficiency", "borrower_total_assets": 900_000}
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    body["targets"] = [{"scopes": [1, 2], "base_year": 2024, "target_year": 2030, "reduction_pct": 30}]
    body["offsets"] = [{"standard": "CCER", "tco2e": 2.5, "type": "avoidance", "vintage": 2023}]
    return body


def test_the_disclosure_json_is_typed_in_the_contract(client: FlaskClient) -> None:
    """It was a free-form object, so a generated client saw an untyped dict (client review). Now the IFRS S2
    document or the VSME export; the five sections are the rating's own `issb_summary` typing, reused."""
    from rating_model.disclosure import IFRS_S2_SECTIONS
    from schemas.rating import DISCLOSURE_STATUSES

    spec = client.get("/openapi.json").get_json()
    content = spec["paths"]["/v1/ratings/{rating_id}/disclosure"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {
        "oneOf": [{"$ref": "#/components/schemas/Disclosure"}, {"$ref": "#/components/schemas/VsmeExport"}]
    }
    schemas = spec["components"]["schemas"]
    disclosure = schemas["Disclosure"]
    assert "additionalProperties" not in disclosure  # an answer: open to fields added within /v1
    assert set(disclosure["required"]) == set(disclosure["properties"]) >= {
        *IFRS_S2_SECTIONS, "rating", "company", "inventory", "factor_sources", "data_quality"}
    for section in IFRS_S2_SECTIONS:
        assert disclosure["properties"][section] == schemas["IssbSummary"]["properties"][section]
        assert disclosure["properties"][section]["additionalProperties"] == {
            "$ref": "#/components/schemas/IssbItem"}
    assert schemas["IssbItem"]["properties"]["status"]["enum"] == list(DISCLOSURE_STATUSES)
    assert schemas["DisclosureInventory"]["properties"]["status"] == {
        "$ref": "#/components/schemas/ScopeStatuses"}
    datapoints = schemas["VsmeDatapoints"]
    assert list(datapoints["properties"]) == [f"B{i}" for i in range(1, 12)] == sorted(
        datapoints["required"], key=lambda b: int(b[1:]))
    for items in datapoints["properties"].values():
        assert items["additionalProperties"] == {"$ref": "#/components/schemas/VsmeDatapoint"}
    assert schemas["VsmeDatapoint"]["properties"]["status"]["enum"] == list(DISCLOSURE_STATUSES)


def test_real_disclosures_conform_to_the_served_contract_in_every_representation(
    client: FlaskClient, bank_key: str
) -> None:
    """Businesses with the base data, with little data and with everything: the IFRS S2 JSON and the VSME
    export under the strict OpenAPI 3.0.3 validator, and the page as the text declared."""
    from schemas.disclosure import DisclosureSchema, VsmeExportSchema
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    path = "/v1/ratings/{rating_id}/disclosure"
    asked = (("", "application/json"), ("?format=vsme", "application/json"), ("?lang=zh", "text/html"))
    served: dict[str, Any] = {}
    spend = payload()
    spend["energy"] = {"electricity_spend": 30_000}  # bill_conversions, typed too
    unnamed = payload()
    del unnamed["company"]["name"]  # a bank may leave the name out: null in the disclosure
    for name, body in (("base", payload()), ("sparse", _sparse()), ("everything", _everything()),
                       ("spend", spend), ("unnamed", unnamed)):
        url = f"/v1/ratings/{_rate(client, bank_key, body)['id']}/disclosure"
        for query, accept in asked:
            answer = client.get(url + query, headers={**bearer(bank_key), "Accept": accept})
            assert answer.status_code == 200 and answer.mimetype == accept, (name, query, accept)
            assert contract_errors(spec, path, "get", answer) == [], (name, query, accept)
        served[name] = client.get(url, headers=bearer(bank_key)).get_json()
        vsme = client.get(url + "?format=vsme", headers=bearer(bank_key)).get_json()
        assert DisclosureSchema().validate(served[name]) == {} == VsmeExportSchema().validate(vsme), name
    assert served["sparse"]["company"]["floor_area_m2"] is None  # the nulls the contract declares occur
    assert served["unnamed"]["company"]["name"] is None
    assert served["sparse"]["inventory"]["scope3"] is None
    assert served["everything"]["inventory"]["scope3"] is not None


def test_the_page_says_a_bill_was_converted_at_the_standards_tariff_not_a_sector_default(
    client: FlaskClient, bank_key: str
) -> None:
    """The Chinese page had said electricity from the bill's amount was 按标准的行业默认值估算."""
    body = payload()
    body["energy"] = {"electricity_spend": 30_000, "fuels": []}
    rating = _rate(client, bank_key, body)
    assert rating["data_quality"]["estimated_fields"] == ["energy.electricity_kwh"]
    url = f"/v1/ratings/{rating['id']}/disclosure"
    html = {**bearer(bank_key), "Accept": "text/html"}
    pages = {lang: client.get(f"{url}?lang={lang}", headers=html).get_data(as_text=True)
             for lang in ("en", "zh")}
    assert "由电费金额按标准假定的电价 0.65 元/千瓦时换算（greenrate-sme@" in pages["zh"]
    assert "行业默认值估算" not in pages["zh"]
    assert "assumed tariff of 0.65 CNY/kWh (greenrate-sme@" in pages["en"]  # the apostrophe is escaped
    assert "sector defaults (" not in pages["en"]


def test_the_page_prints_an_intensity_with_one_rounding_wherever_it_appears(
    client: FlaskClient, bank_key: str
) -> None:
    """11.600 in the intensities table and 11.5999 in the metrics had been one figure."""
    rating = _rate(client, bank_key, _with_scope3())
    figure = f"{rating['emissions']['intensities']['per_cny_million_revenue']:.4f}"
    page = client.get(f"/v1/ratings/{rating['id']}/disclosure",
                      headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
    table = page.split("Scopes 1, 2 (location) and 3 per CNY million of revenue", 1)[1].split("</tr>", 1)[0]
    assert figure in table
    label = "Carbon intensity of revenue, Scope 1 + Scope 2 location-based + Scope 3 (t CO2e per CNY million)"
    metrics = page.split(label, 1)[1].split("</tr>", 1)[0]
    assert figure in metrics


def test_a_rating_without_a_name_has_every_disclosure_saying_it_was_not_given(
    client: FlaskClient, bank_key: str
) -> None:
    """The name is optional (nothing is computed from it): the page and the PDF print a placeholder that no
    one could take for a name, and the JSON a null; what was rated stays without one."""
    named, body = _rate(client, bank_key), payload()
    del body["company"]["name"]
    rating = _rate(client, bank_key, body)
    assert rating["score"] == named["score"] and rating["id"] != named["id"]  # another input, same figures
    url = f"/v1/ratings/{rating['id']}/disclosure"
    page = client.get(url, headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
    assert "<td>Name not given</td>" in page and "<title>Climate-related disclosure</title>" in page
    pdf = client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "application/pdf"})
    printed = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert pdf.status_code == 200 and "企业未提供名称所在地区" in printed


def test_the_disclosure_names_the_place_and_the_industry_in_words_and_labels_the_reporting_year(
    client: FlaskClient, bank_key: str
) -> None:
    """A bank officer read "杭州绿叶面馆（CN，CN-ZJ；ISIC 5610；2024）": codes where the province and the
    trade are words, and a bare year. Each is its own labelled row now, in the page's language, the codes
    kept in brackets for the bank's systems; a class the form does not offer has ISIC's English title,
    marked as English on the Chinese page."""
    rating = _rate(client, bank_key, payload(name="杭州绿叶面馆"))
    url = f"/v1/ratings/{rating['id']}/disclosure"
    rows = {
        # a Chinese name on an English page is marked as Chinese
        "en": ('<td><span lang="zh-CN">杭州绿叶面馆</span></td>',
               "<th scope=\"row\">Location</th><td>China, Zhejiang (CN-ZJ)</td>",
               "<th scope=\"row\">Industry</th><td>Restaurants and mobile food service activities "
               "(ISIC 5610)</td>",
               "<th scope=\"row\">Reporting year</th><td>2024</td>"),
        "zh": ("<td>杭州绿叶面馆</td>", "<th scope=\"row\">所在地区</th><td>中国浙江（CN-ZJ）</td>",
               "<th scope=\"row\">行业</th><td>餐馆、咖啡店（ISIC 5610）</td>",
               "<th scope=\"row\">报告年度</th><td>2024</td>"),
    }
    for lang, expected in rows.items():
        page = client.get(f"{url}?lang={lang}", headers={**bearer(bank_key), "Accept": "text/html"})
        text = page.get_data(as_text=True)
        for row in expected:
            assert row in text, (lang, row)
        assert "CN，CN-ZJ" not in text and "CN, CN-ZJ" not in text
    pdf = client.get(url + "?lang=zh", headers={**bearer(bank_key), "Accept": "application/pdf"})
    printed = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "所在地区中国浙江（CN-ZJ）行业餐馆、咖啡店（ISIC5610）报告年度2024" in printed, printed[:300]
    body = payload(industry_code="4719")
    del body["company"]["region"]
    other = _rate(client, bank_key, body)
    zh = client.get(f"/v1/ratings/{other['id']}/disclosure?lang=zh",
                    headers={**bearer(bank_key), "Accept": "text/html"}).get_data(as_text=True)
    assert "<td>中国（CN）</td>" in zh
    assert '<td><span lang="en">Other retail sale in non-specialized stores</span>（ISIC 4719）</td>' in zh


def test_place_words_keep_a_code_they_have_no_name_for() -> None:
    """A province or country with no name here is shown by its code, once; every province the engine
    names in Chinese has its English name too."""
    from rating_model.factors.factor_set import REGION_NAMES_ZH
    from service.web.labels import REGION_NAMES_EN, place_words

    assert set(REGION_NAMES_EN) == set(REGION_NAMES_ZH)
    assert place_words("US", "US-CA", "en") == "US-CA" and place_words("US", None, "zh") == "US"
    assert place_words("CN", "CN-99", "zh") == "中国（CN-99）"
    assert place_words("CN", "US-CA", "en") == "China (CN, US-CA)"


def test_a_verified_reports_score_1_is_said_to_be_the_data_sources_not_pcafs_for_computed_emissions(
    client: FlaskClient, bank_key: str
) -> None:
    """PCAF scores 1 only a business's own verified reported emissions (option 1a, engine 2.8); the
    disclosure shows greenrate's computed inventory, which PCAF scores 2 at best (2a), yet it printed
    "PCAF data-quality score 1 of 5" for a `verified_report` beside it (a PCAF analyst's review), in the
    JSON, the VSME export and both pages, where the loan's own score said 2."""
    from rating_model.disclosure import SOURCE_SCORE_NOTE
    from service.web.i18n import texts

    verified = _rate(client, bank_key, {**payload(), "data_source": "verified_report"})
    assert verified["data_quality"]["pcaf_score"] == 1
    bills = _rate(client, bank_key)  # energy_bills: 2, nothing to qualify
    for rating, said in ((verified, True), (bills, False)):
        url = f"/v1/ratings/{rating['id']}/disclosure"
        statement = client.get(url, headers=bearer(bank_key)).get_json()["data_quality"]["statement"]
        assert statement.endswith(SOURCE_SCORE_NOTE) is said
        vsme = client.get(f"{url}?format=vsme", headers=bearer(bank_key)).get_json()
        assert vsme["data_quality"]["statement"] == statement
        for lang in ("en", "zh"):
            t = texts(lang)
            accept = {**bearer(bank_key), "Accept": "text/html"}
            page = html.unescape(client.get(f"{url}?lang={lang}", headers=accept).get_data(as_text=True))
            assert (t["dq_source_score"] in page) is said
            assert (t["dq_item_source"] in page) is said  # the IFRS S2 data-quality item
    assert texts("en")["dq_source_score"] == SOURCE_SCORE_NOTE
