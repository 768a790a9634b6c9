"""The disclosure names the knock-outs that cap the grade, beside it: JSON, page (both languages) and PDF.

A loan officer reading the disclosure of a hair salon whose electricity is in the rent (answered 0 kWh) saw
"light green 63.3" and could not tell that standard 1.11.0's ``energy_implausibly_low`` had capped a green
score, that its figures were doubted, or that the bank can review the bills with the rating.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.conftest import AppFactory, bearer, create_key
from tests.service.contract import contract_errors
from tests.service.test_previous_release_ratings import _as_stored_by_the_previous_release

_PRACTICES = (
    "led_lighting", "e_invoicing", "digital_ordering", "environmental_policy", "climate_responsible_person",
    "green_procurement_policy", "water_saving_equipment", "waste_sorting", "green_packaging",
    "energy_efficient_equipment",
)


def _salon(practices: bool = True) -> dict[str, Any]:
    """A Guangzhou hair salon in a mall, its electricity in the rent, answered as 0 kWh: with every practice
    its score (63.3) earns green, which 1.11.0's energy_implausibly_low caps at light green; without them
    (29.6) the cap applies but does not lower the grade."""
    return {
        "company": {"name": "丝域美发", "country": "CN", "region": "CN-GD", "industry_code": "9602",
                    "employees": 5, "annual_revenue": 600_000, "currency": "CNY", "reporting_year": 2024,
                    "floor_area_m2": 60},
        "energy": {"electricity_kwh": 0, "fuels": []},
        "practices": dict.fromkeys(_PRACTICES, True) if practices else {},
        "data_source": "energy_bills",
        "resources": {"water_m3": 300, "waste_t": 1, "waste_recycled_t": 0.5},
        "previous_year": {"energy": {"electricity_kwh": 0}},
        "transport": {"fleet": []},
    }


def _rate(client: FlaskClient, key: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/ratings", json=body, headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _caps(page: str) -> str | None:
    """The text of the page's knock-out section, tags taken out; ``None`` when it has none."""
    found = re.search(r'<section id="grade-caps">(.*?)</section>', page, re.S)
    return None if found is None else " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _score_grade_row(page: str) -> str | None:
    found = re.search(r'<tr id="score-grade">(.*?)</tr>', page, re.S)
    return None if found is None else " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _page(client: FlaskClient, key: str, url: str, lang: str) -> str:
    page = client.get(f"{url}?lang={lang}", headers={**bearer(key), "Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    return page.get_data(as_text=True)


def _printed(client: FlaskClient, key: str, url: str, lang: str) -> str:
    pdf = client.get(f"{url}?lang={lang}", headers={**bearer(key), "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))


_REVIEW = "If the figures are right, the bank can review the bills with the rating."
_REVIEW_ZH = "如果数据无误，银行可以结合账单复核本评级。"
_TRIGGER = ("the premises use 0.00 times the energy their sector is expected to use for their size, on-site "
            "generation included; it applies below 0.1 times")


def test_the_json_names_each_cap_with_its_trigger_and_remedy_and_the_score_s_own_grade(
    client: FlaskClient, bank_key: str
) -> None:
    rating = _rate(client, bank_key, _salon())
    assert (rating["score"], rating["grade"], rating["score_grade"]) == (63.3, "light_green", "green")
    answer = client.get(f"/v1/ratings/{rating['id']}/disclosure", headers=bearer(bank_key))
    spec = client.get("/openapi.json").get_json()
    assert contract_errors(spec, "/v1/ratings/{rating_id}/disclosure", "get", answer) == []
    doc = answer.get_json()
    assert doc["disclosure_version"] == "1.3"
    assert doc["rating"]["score_grade"] == "green" and doc["rating"]["grade"] == "light_green"
    [cap] = doc["rating"]["knock_outs"]
    assert {k: cap[k] for k in ("id", "name", "name_zh", "cap_grade", "blocks_green_loan")} == {
        **rating["knock_outs"][0]}
    assert cap["trigger"] == _TRIGGER
    assert cap["trigger_zh"] == "经营场所用能（含自发电）为同业同等规模预期用能的 0.00 倍；低于 0.1 倍时适用"
    # the remedy as the rating's path says it, without its first sentence (the name and the cap, said apart)
    held = rating["path_to_next_grade"]["held_back_by"][0]
    assert cap["remedy"].endswith(_REVIEW) and held["message"].endswith(" " + cap["remedy"])
    assert cap["remedy"].startswith("Lifted when the figures show at least a tenth")
    assert cap["remedy_zh"].endswith(_REVIEW_ZH) and held["message_zh"].endswith("。" + cap["remedy_zh"])


def test_the_page_says_the_cap_beside_the_grade_in_both_languages_and_the_pdf_prints_it(
    client: FlaskClient, bank_key: str
) -> None:
    url = f"/v1/ratings/{_rate(client, bank_key, _salon())['id']}/disclosure"
    en = _page(client, bank_key, url, "en")
    assert _score_grade_row(en) == "Grade the score alone earns Green: capped by the knock-out rules below"
    assert en.index('id="score-grade"') < en.index('id="grade-caps"') < en.index("Greenhouse-gas inventory")
    assert _caps(en) == (
        "Knock-out rules that cap the grade The score of 63.3 alone earns Green; the grade is Light "
        "green because of the rules below. Energy use implausibly far below the sector's "
        "Best grade allowed Light green Green-loan treatment "
        "Not denied by this rule (it caps the grade only) "
        f"What set it off {_TRIGGER} What lifts it Lifted when the figures show at least a tenth of the "
        "energy the sector is expected to use for the premises' size, on-site generation included. Check "
        "them against a year of bills: "
        "electricity included in the rent or paid through the landlord's meter is the business's own use and "
        "counts (the landlord can give the share); fuels and heat bought for the premises count too. "
        f"{_REVIEW}"
    ), _caps(en)
    zh = _page(client, bank_key, url, "zh")
    assert _score_grade_row(zh) == "按得分本身的评级 中绿（受下列条款限制）"
    caps = _caps(zh)
    assert caps is not None and caps.startswith(
        "限制评级的条款 按得分 63.3 本可评为中绿；因下列条款，评级为浅绿。 用能远低于同业，数据存疑 "
        "评级上限 浅绿 绿色贷款待遇 不受本条款影响（仅限制评级） "
        "适用原因 经营场所用能（含自发电）为同业同等规模预期用能的 0.00 倍；低于 0.1 倍时适用 "
        "解除办法 用能数据（含自发电）达到"), caps
    assert caps.endswith(_REVIEW_ZH) and "英文原文" not in caps
    printed = _printed(client, bank_key, url, "zh")
    for words in ("按得分本身的评级中绿（受下列条款限制）", "限制评级的条款", "用能远低于同业，数据存疑",
                  "不受本条款影响（仅限制评级）", "低于0.1倍时适用", "银行可以结合账单复核本评级"):
        assert words in printed, words
    printed = _printed(client, bank_key, url, "en")
    for words in ("Gradethescorealoneearns", "Knock-outrulesthatcapthegrade", "Notdeniedbythisrule",
                  "itappliesbelow0.1times", "thebankcanreviewthebillswiththerating"):
        assert words in printed, words


def test_a_cap_that_does_not_lower_the_grade_is_named_with_the_standard_s_remedy(
    client: FlaskClient, bank_key: str
) -> None:
    """Without the practices (29.6 points) the cap applies but lowers nothing, so the path does not hold it
    back and the rating has no message on it: its remedy is the one of the standard the rating names."""
    rating = _rate(client, bank_key, _salon(practices=False))
    assert rating["grade"] == rating["score_grade"] == "not_green" and rating["knock_outs"]
    url = f"/v1/ratings/{rating['id']}/disclosure"
    [cap] = client.get(url, headers=bearer(bank_key)).get_json()["rating"]["knock_outs"]
    assert cap["remedy"].endswith(_REVIEW) and cap["remedy_zh"].endswith(_REVIEW_ZH)
    assert cap["trigger"] == _TRIGGER
    en = _page(client, bank_key, url, "en")
    assert _score_grade_row(en) is None
    caps = _caps(en)
    assert caps is not None and "so they do not lower this grade" in caps and _REVIEW in caps


def test_a_rating_without_knock_outs_looks_as_before(make_app: AppFactory) -> None:
    """A rating of an earlier standard with no knock-out, and one stored before schema 1.4 recorded them,
    show no cap and no second grade: the page is as it was."""
    app = make_app(UNSIGNED_RATINGS="serve")
    key = create_key(app)
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()

    def before_schema_1_4(stored: dict[str, Any]) -> None:
        del stored["knock_outs"]

    ordinary = _salon()  # a meter of its own: no knock-out
    ordinary["energy"]["electricity_kwh"] = ordinary["previous_year"]["energy"]["electricity_kwh"] = 9000
    for also, listed in ((None, []), (before_schema_1_4, None)):
        ordinary["company"]["name"] = f"丝域美发 {listed}"  # another input: not the rating already rewritten
        rating = _rate(client, key, ordinary)
        assert rating["knock_outs"] == [] and rating["grade"] == rating["score_grade"]
        _as_stored_by_the_previous_release(app, rating["id"], also=also)  # standard 1.4.0, engine 1.7
        url = f"/v1/ratings/{rating['id']}/disclosure"
        answer = client.get(url, headers=bearer(key))
        assert contract_errors(spec, "/v1/ratings/{rating_id}/disclosure", "get", answer) == []
        assert answer.get_json()["rating"]["knock_outs"] == listed
        for lang in ("en", "zh"):
            page = client.get(f"{url}?lang={lang}", headers={**bearer(key), "Accept": "text/html"})
            text = page.get_data(as_text=True)
            assert page.status_code == 200 and "grade-caps" not in text and "score-grade" not in text
            assert "Knock-out" not in text and "限制评级的条款" not in text


def _penalised() -> dict[str, Any]:
    """The salon with a meter of its own (no energy cap) and one environmental penalty: its score (63.3)
    earns green, which environmental_penalty caps at light green under every published standard."""
    body = _salon()
    body["energy"]["electricity_kwh"] = body["previous_year"]["energy"]["electricity_kwh"] = 9000
    body["compliance"] = {"environmental_penalties_3y": 1}
    return body


def test_a_capped_rating_from_before_schema_1_4_points_to_no_list_it_does_not_have(
    make_app: AppFactory,
) -> None:
    """A rating stored before schema 1.4 recorded no knock-outs, so the page lists none; where a cap lowered
    its grade the row beside the grade had said "capped by the knock-out rules below" above nothing."""
    app = make_app(UNSIGNED_RATINGS="serve")
    key = create_key(app)
    client = app.test_client()

    def before_schema_1_4(stored: dict[str, Any]) -> None:
        del stored["knock_outs"]

    rating = _rate(client, key, _penalised())
    assert (rating["grade"], rating["score_grade"]) == ("light_green", "green")
    _as_stored_by_the_previous_release(app, rating["id"], also=before_schema_1_4)
    url = f"/v1/ratings/{rating['id']}/disclosure"
    assert client.get(url, headers=bearer(key)).get_json()["rating"]["knock_outs"] is None
    for lang, below in (("en", "below"), ("zh", "下列")):
        page = _page(client, key, url, lang)
        row = _score_grade_row(page)
        assert _caps(page) is None and row is not None and below not in row, (lang, row)
        assert ("Green" if lang == "en" else "中绿") in row



def test_the_chinese_remedy_of_a_rating_from_before_schema_1_7_leaves_out_the_cap_it_repeats(
    make_app: AppFactory,
) -> None:
    """Ratings before schema 1.7 give no knock-out's ``name_zh``, but their held-back ``message_zh`` (schema
    1.6 on) opens with it: "<name_zh>：评级上限为浅绿。<remedy>". The Chinese remedy had kept that first
    sentence, which the English one leaves out and the disclosure says in its own rows."""
    app = make_app(UNSIGNED_RATINGS="serve")
    key = create_key(app)
    client = app.test_client()

    def before_schema_1_7(stored: dict[str, Any]) -> None:
        for knock_out in stored["knock_outs"]:
            del knock_out["name_zh"]

    rating = _rate(client, key, _penalised())
    _as_stored_by_the_previous_release(app, rating["id"], also=before_schema_1_7)
    [cap] = client.get(f"/v1/ratings/{rating['id']}/disclosure",
                       headers=bearer(key)).get_json()["rating"]["knock_outs"]
    [held] = rating["path_to_next_grade"]["held_back_by"]
    assert cap["id"] == "environmental_penalty" and cap["name_zh"] is None
    assert held["message"].endswith(" " + cap["remedy"]) and "capped" not in cap["remedy"]
    assert held["message_zh"].endswith("。" + cap["remedy_zh"]) and "评级上限" not in cap["remedy_zh"], cap
