"""The printed disclosure's labels say what its figures are: an IFRS S2 assurance reviewer's reading.

Each label had claimed more than the figure beside it holds, in both languages: a "Total" beside a
location-based and a market-based Scope 2 that named neither, an intensity "+ Scope 3" where no Scope 3 was
disclosed, "Reliefs applied" over reliefs stated only with their condition, and a loan's use of proceeds
printed as its API key ("clean_transportation") in the Chinese page as in the English.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import bearer, payload


def _page(client: FlaskClient, key: str, body: dict[str, Any], lang: str) -> str:
    response = client.post("/v1/ratings", json=body, headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    url = f"/v1/ratings/{response.get_json()['id']}/disclosure?lang={lang}"
    page = client.get(url, headers={**bearer(key), "Accept": "text/html"}).get_data(as_text=True)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _with_scope3() -> dict[str, Any]:
    body = payload()
    body["transport"] = {"business_travel": [{"mode": "rail", "passenger_km": 4_000}]}
    return body


_TOTAL_EN, _TOTAL_ZH = "Total: Scopes 1, 2 (location) and 3", "合计：范围一+范围二（基于位置）+范围三"


@pytest.mark.parametrize(
    ("body", "lang", "label", "wrong"),
    [
        (payload(), "en", "Total: Scopes 1 and 2 (location); no Scope 3", _TOTAL_EN),
        (payload(), "zh", "合计：范围一+范围二（基于位置）；不含范围三", _TOTAL_ZH),
        (_with_scope3(), "en", _TOTAL_EN, "no Scope 3"),
        (_with_scope3(), "zh", _TOTAL_ZH, "不含范围三"),
    ],
    ids=["no-scope3-en", "no-scope3-zh", "scope3-en", "scope3-zh"],
)
def test_the_inventory_total_names_the_scopes_it_adds(
    client: FlaskClient, bank_key: str, body: dict[str, Any], lang: str, label: str, wrong: str
) -> None:
    """The total is Scope 1 + location-based Scope 2 + Scope 3 (rating_model.inventory): printed under a
    market-based row as a bare "Total", it read as either sum, and as one with a Scope 3 it may not have."""
    text = _page(client, bank_key, body, lang)
    assert label in text and wrong not in text


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Carbon intensity of revenue, Scope 1 + Scope 2 location-based; no Scope 3 (t CO2e per CNY "
               "million)"),
        ("zh", "营收碳强度：范围一+范围二（基于位置），不含范围三（吨二氧化碳当量/百万元营业收入）"),
    ],
    ids=["en", "zh"],
)
def test_the_intensity_metric_without_scope3_is_not_labelled_with_it(
    client: FlaskClient, bank_key: str, lang: str, label: str
) -> None:
    """The metrics' row had said "+ Scope 3" above a note saying no category had data, though the inventory's
    own intensity table above it already said "no Scope 3"."""
    text = _page(client, bank_key, payload(), lang)
    assert label in text
    assert "+ Scope 3 (t CO2e" not in text and "+范围三（吨二氧化碳当量" not in text


@pytest.mark.parametrize(
    ("lang", "label", "claimed"),
    [("en", "Reliefs and their conditions", "Reliefs applied"), ("zh", "豁免及其适用条件", "适用的豁免")],
    ids=["en", "zh"],
)
def test_the_reliefs_are_labelled_as_conditions_not_as_applied(
    client: FlaskClient, bank_key: str, lang: str, label: str, claimed: str
) -> None:
    """The item states each transition relief with its condition and never claims one applies (greenrate
    cannot tell a first reporting period): its heading had said they were applied."""
    text = _page(client, bank_key, payload(), lang)
    assert label in text and claimed not in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "use of proceeds: Clean transportation (clean_transportation)"),
     ("zh", "资金用途：清洁交通（clean_transportation）")],
    ids=["en", "zh"],
)
def test_capital_deployed_names_the_use_of_proceeds_in_words(
    client: FlaskClient, bank_key: str, lang: str, words: str
) -> None:
    """In the rating standard's Green Loan Principles words, the key kept in brackets for the bank's systems;
    the Chinese page had printed the English key alone, unmarked."""
    body = payload()
    body["loan"] = {"amount": 200_000, "currency": "CNY", "use_of_proceeds": "clean_transportation"}
    text = _page(client, bank_key, body, lang)
    assert words in text


def test_the_english_page_writes_every_percent_sign_unspaced_as_the_rating_does(
    client: FlaskClient, bank_key: str
) -> None:
    """The rating's English writes "5.3%" and "completeness 27%" (engine 2.13), the page's own figures had
    kept a spaced "0.0 %" (renewable shares, a target's cut, the change on last year, the reported inventory
    against greenrate's): one English page wrote a percentage both ways. Chinese was unspaced already."""
    body = payload()
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    body["targets"] = [{"scopes": [1, 2], "base_year": 2023, "target_year": 2030, "reduction_pct": 40}]
    body["practices"] = {**body.get("practices", {}), "green_products_share": 0.15}
    body["reported_emissions"] = {"scope1_tco2e": 18.0, "scope2_location_tco2e": 30.0,
                                  "scope2_market_tco2e": 29.0, "verified": False}
    for lang in ("en", "zh"):
        text = _page(client, bank_key, body, lang)
        assert not re.findall(r"\d %", text), (lang, re.findall(r".{40}\d %.{20}", text)[:5])
        # renewable shares, the target's cut, the 29(d) share, the change and the reported difference
        assert len(re.findall(r"\d%", text)) >= 6, lang
