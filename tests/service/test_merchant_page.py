"""The merchant page at /: form, CSRF, rate limit, the result, both languages and the disclosure links."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import create_engine

from rating_model.operating_data import PRACTICE_FLAGS
from service.web import csrf
from service.web.i18n import texts
from service.web.labels import joined
from service.web.view.loan import green_loan_line
from service.web.view.plan import plan
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.live_services import free_port
from tests.service.tampering import app_key

SECRET = "test-secret-key-of-at-least-32-characters"
FORM = {
    "company_name": "Lotus <Tea> House",
    "industry": "5610",
    "region": "CN-ZJ",
    "employees": "8",
    "revenue": "1500000",
    "electricity": "30000",
    "electricity_unit": "kwh",
    "heat": "none",  # asked in Zhejiang since standard 1.9.0
    "led_lighting": "yes",
    "e_invoicing": "yes",
}


def _token(client: FlaskClient, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="form_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def _app(make_app: AppFactory, **extra: object) -> Flask:
    return make_app(SECRET_KEY=SECRET, **extra)


def test_form_is_accessible_and_has_no_external_resources(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    page = client.get("/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    for field in ("industry", "region", "employees", "revenue", "electricity", "electricity_unit"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert 'lang="en"' in html
    assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Strict" in page.headers["Set-Cookie"]
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and "一键评级" in zh
    assert "Rate my business" in client.get("/?lang=en", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )


def test_one_click_rating_shows_grade_plan_and_working_disclosure(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    posted = client.post("/?lang=en", data={**FORM, "form_token": _token(client)})
    assert posted.status_code == 303
    result = client.get(posted.headers["Location"])
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    assert 'id="grade"' in html and "<svg" in html and 'id="plan"' in html and "points" in html
    assert "Lotus &lt;Tea&gt; House" in html and "<Tea>" not in html
    rating_id = re.search(r"(rt_[0-9a-f]{32})", html).group(1)  # type: ignore[union-attr]
    as_json = client.get(f"/result/{rating_id}/disclosure?as=json").get_json()
    assert f"{as_json['rating']['score']:.1f}" in html
    assert "energy.fuels" in as_json["data_quality"]["estimated_fields"]  # cooking gas estimated, flagged
    assert client.get(f"/result/{rating_id}/disclosure?as=vsme").get_json()["datapoints"]["B3"]
    pdf = client.get(f"/result/{rating_id}/disclosure?as=pdf&lang=zh")
    assert pdf.mimetype == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    assert "气候相关信息披露" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    zh = client.get(f"/result/{rating_id}?lang=zh").get_data(as_text=True)
    assert "改进计划" in zh and "评级理由" in zh
    assert client.get("/result/rt_" + "0" * 32).status_code == 404


def test_page_ratings_live_in_a_tenant_no_key_can_reach(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    location = client.post("/", data={**FORM, "form_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    bank = create_key(app, "bank-a", "bank")
    assert client.get(f"/v1/ratings/{rating_id}", headers=bearer(bank)).status_code == 404
    assert client.get("/v1/ratings", headers=bearer(bank)).get_json()["items"] == []


def test_post_without_a_valid_csrf_token_is_refused(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    token = _token(client)
    assert client.post("/", data=FORM).status_code == 400
    assert client.post("/", data={**FORM, "form_token": token + "x"}).status_code == 400
    app = _app(make_app)
    other, mine = app.test_client(), app.test_client()
    _token(other)  # the other browser has its own cookie: a token from another browser does not match it
    assert other.post("/", data={**FORM, "form_token": _token(mine)}).status_code == 400
    assert client.post("/", data={**FORM, "form_token": token}).status_code == 303


def test_a_page_opened_before_a_rotation_is_accepted_while_its_secret_is_listed(
    make_app: AppFactory,
) -> None:
    """Rotation (docs/operations.md): a form served under the old secret is still accepted once the secret
    is rotated and the old one is listed in GREENRATE_PREVIOUS_SECRET_KEYS, and refused once it is not."""
    new_secret = "rotated-secret-key-of-at-least-32-characters"
    browser = make_app(SECRET_KEY=SECRET).test_client()
    token = _token(browser)  # the page opened before the rotation
    cookie = browser.get_cookie(csrf.COOKIE)
    assert cookie is not None

    def post(app: Flask, signed: str) -> int:
        client = app.test_client()
        client.set_cookie(csrf.COOKIE, cookie.value)
        return client.post("/", data={**FORM, "form_token": signed}).status_code

    rotated = make_app(SECRET_KEY=new_secret, PREVIOUS_SECRET_KEYS=SECRET)
    assert post(rotated, token) == 303
    retired = make_app(SECRET_KEY=new_secret)
    assert post(retired, token) == 400
    # Nothing new is signed with the previous secret: a page the rotated app serves needs the new one.
    fresh = rotated.test_client()
    fresh.set_cookie(csrf.COOKIE, cookie.value)
    new_token = _token(fresh)
    assert post(retired, new_token) == 303
    assert post(make_app(SECRET_KEY=SECRET), new_token) == 400


def test_invalid_fields_are_shown_next_to_their_labels(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    bad = client.post(
        "/?lang=en", data={**FORM, "employees": "-3", "industry": "x<y", "form_token": _token(client)}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="employees-error"' in html and 'aria-invalid="true"' in html and 'id="industry-error"' in html
    assert "x<y" not in html


def test_page_is_rate_limited_per_address(make_app: AppFactory) -> None:
    client = _app(make_app, PAGE_RATE_LIMIT="2 per minute").test_client()
    codes = [
        client.post("/", data={**FORM, "employees": str(n), "form_token": _token(client)}).status_code
        for n in (3, 4, 5)
    ]
    assert codes == [303, 303, 429]


def test_page_retry_after_is_the_time_left_in_the_budgets_window(make_app: AppFactory) -> None:
    """A budget of one per hour says to come back in up to an hour, not in a minute."""
    client = _app(make_app, PAGE_RATE_LIMIT="1 per hour").test_client()
    assert client.post("/", data={**FORM, "form_token": _token(client)}).status_code == 303
    limited = client.post("/", data={**FORM, "employees": "9", "form_token": _token(client)})
    assert limited.status_code == 429 and 60 < int(limited.headers["Retry-After"]) <= 3600


def test_secret_key_setting_is_checked() -> None:
    import pytest

    from service.config import load_settings
    from service.config.values import ConfigError

    with pytest.raises(ConfigError, match="GREENRATE_SECRET_KEY"):
        load_settings(environ={"GREENRATE_SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="too repetitive"):  # 32 of one letter had passed (ops review)
        load_settings(environ={"GREENRATE_SECRET_KEY": "a" * 40})
    assert load_settings(environ={"GREENRATE_SECRET_KEY": SECRET}).secret_key == SECRET


def test_next_grade_lists_the_checked_actions_in_the_owners_language() -> None:
    from service.web.i18n import texts
    from service.web.view.plan import next_grade

    rating = {
        "path_to_next_grade": {
            "reachable": True,
            "target_grade": "light_green",
            "actions": ["a1", "a2"],
            "score_after": 48.0,
        },
        "improvements": [{"action": "a1", "description": "Do one", "description_zh": "做一"}],
    }
    zh = next_grade(rating, "zh", texts("zh"))
    assert zh == {"grade": "浅绿", "actions": ["做一", "a2"], "gains": None, "differs": False,
                  "score_after": 48.0, "alone": None}
    assert next_grade({"path_to_next_grade": {"reachable": False}}, "en", texts("en")) is None


def test_pdf_downloads_share_the_page_budget(make_app: AppFactory) -> None:
    """One budget for ratings and PDFs: with 2 a minute, a rating and a PDF spend it (they had counted
    apart, and an address got two ratings and two PDFs)."""
    client = _app(make_app, PAGE_RATE_LIMIT="2 per minute").test_client()
    location = client.post("/", data={**FORM, "form_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    assert client.get(f"/result/{rating_id}").status_code == 200
    assert client.get(f"/result/{rating_id}/disclosure?as=pdf").status_code == 200
    limited = client.get(f"/result/{rating_id}/disclosure?as=pdf")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    refused = client.post("/", data={**FORM, "employees": "9", "form_token": _token(client)})
    assert refused.status_code == 429


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pdf_over_the_budget_is_the_error_page_in_the_pages_language(
    make_app: AppFactory, lang: str
) -> None:
    """It had answered plain text behind a ``download`` link, which a browser takes for a failed download
    and never shows: the owner was not told to wait, nor for how long. The link is a plain one (the PDF is
    a download by its Content-Disposition), and the 429 is the site's error page, with the wait and a way
    back to the rating."""
    client = _app(make_app, PAGE_RATE_LIMIT="1 per hour").test_client()
    location = _post(client, lang).headers["Location"]
    result = client.get(location).get_data(as_text=True)
    link = re.search(r'<a id="disclosure-pdf" href="([^"]+)"([^>]*)>', result)
    assert link is not None and "download" not in link[2]
    limited = client.get(html.unescape(link[1]))
    page = limited.get_data(as_text=True)
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    minutes = -(-int(limited.headers["Retry-After"]) // 60)
    t = texts(lang)
    wait = t["too_many_pdf"].format(wait=t["wait_minutes"].format(n=minutes))
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    assert f"<h1>{t['error_title']}</h1>" in page
    assert f'<p role="alert">{wait}</p>' in page
    assert f'<a href="{html.escape(location)}">{t["error_back_result"]}</a>' in page
    assert "Content-Security-Policy" in limited.headers


def test_without_a_configured_secret_the_machine_key_is_made_once_and_shared(tmp_path: Path) -> None:
    from service.secret import instance_secret as _instance_secret

    path = tmp_path / "instance" / "secret_key"
    first = _instance_secret(path)
    assert len(first) >= 32 and _instance_secret(path) == first  # every worker reads the same key
    assert path.stat().st_mode & 0o777 == 0o600


def _luminance(hex_color: str) -> float:
    """WCAG 2.1 relative luminance of #rrggbb."""
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_colours_meet_wcag_aa_contrast() -> None:
    """Every rule of the page styles that sets a text colour reaches 4.5:1 on its background (WCAG 2.1 AA).

    A rule without its own background sits on the white page.
    """
    templates = Path(__file__).parents[2] / "service" / "templates"
    css = "".join((templates / name).read_text() for name in ("_style.html", "merchant.html", "result.html"))
    checked = 0
    for body in re.findall(r"\{([^{}]*)\}", css):
        text = re.search(r"(?<![-\w])color: (#[0-9a-f]{6})", body)
        if text is None:
            continue
        background = re.search(r"background: (#[0-9a-f]{6})", body)
        light, dark = sorted(
            (_luminance(background.group(1) if background else "#ffffff"), _luminance(text.group(1))),
            reverse=True,
        )
        assert (light + 0.05) / (dark + 0.05) >= 4.5, body
        checked += 1
    assert checked >= 8


def _post(client: FlaskClient, lang: str = "en", **overrides: str) -> Any:
    return client.post(f"/?lang={lang}", data={**FORM, **overrides, "form_token": _token(client)})


def _rated_page(make_app: AppFactory) -> tuple[dict[str, Any], str]:
    """One rating made on the page with the standard answers: the stored rating and its result page."""
    app = _app(make_app)
    client = app.test_client()
    location = _post(client).headers["Location"]
    return _stored_rating(app, location), client.get(location).get_data(as_text=True)


def _stored(app: Flask, location: str) -> Any:
    """The page's rating record of a result's location ("/result/<id>?lang=en") or of a rating id."""
    from service.records.rating_inputs import get_rating_with_input

    rating_id = location.split("/")[2].split("?")[0] if location.startswith("/") else location
    found = get_rating_with_input(services_of(app).db, "_public", rating_id, key=app_key(app))
    assert found is not None
    return found


def _stored_rating(app: Flask, location: str) -> dict[str, Any]:
    """The rating the page made, as recorded (of a result's location or a rating id)."""
    return json.loads(_stored(app, location).result_json)  # type: ignore[no-any-return]


def _stored_input(app: Flask, location: str) -> dict[str, Any]:
    """The operating data the page sent, as the rating recorded it (of a result's location or a rating id)."""
    return json.loads(_stored(app, location).input_json)  # type: ignore[no-any-return]


def _range(schema_field: Any) -> tuple[float, float]:
    from marshmallow import validate

    (found,) = [v for v in schema_field.validators if isinstance(v, validate.Range)]
    return float(found.min), float(found.max)


def test_form_limits_are_the_schemas_and_out_of_range_input_re_renders_the_form(make_app: AppFactory) -> None:
    """Revenue in (0, 1) and kWh above the schema's maximum were sent on, and came back as the API's JSON."""
    from schemas.operating_data import CompanySchema, EnergySchema

    revenue = _range(CompanySchema().fields["annual_revenue"])
    kwh = _range(EnergySchema().fields["electricity_kwh"])
    bill = _range(EnergySchema().fields["electricity_spend"])
    employees = _range(CompanySchema().fields["employees"])
    client = _app(make_app).test_client()
    for field, overrides in [
        ("revenue", {"revenue": "0.5"}),
        ("revenue", {"revenue": repr(revenue[1] * 10)}),
        ("electricity", {"electricity": repr(kwh[1] * 5)}),
        ("electricity", {"electricity": repr(bill[1] * 2), "electricity_unit": "bill"}),
        ("employees", {"employees": str(int(employees[1]) + 1)}),
    ]:
        page = _post(client, **overrides)
        html = page.get_data(as_text=True)
        assert page.status_code == 422 and page.mimetype == "text/html", overrides
        assert f'id="{field}-error"' in html and f'href="#{field}"' in html, overrides
        assert 'name="form_token"' in html  # the form is back, with the owner's answers
    out_of_range = _post(client, electricity=repr(kwh[1] * 5)).get_data(as_text=True)
    assert kwh[1] == 1e12 and "That is more than 1 trillion; please check the figure." in out_of_range
    too_small = _post(client, "zh", revenue="0.5").get_data(as_text=True)
    assert revenue[0] == 1 and "请输入不小于 1 的数值。" in too_small
    assert "超过了 1000万亿" in _post(client, "zh", revenue="2e15").get_data(as_text=True)
    # the schema's own ends are accepted
    assert _post(client, revenue=f"{revenue[0]:.0f}", electricity=f"{kwh[1]:.0f}",
                 revenue_confirmed="yes").status_code == 303


@pytest.mark.parametrize(
    ("raised", "field"),
    [
        ("annual_revenue", "revenue"),
        ("several", "electricity"),
        ("reporting_year", None),
        ("factor", "region"),
    ],
)
def test_engine_refusals_re_render_the_form_never_json(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, raised: str, field: str | None
) -> None:
    from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
    from service.web import routes

    errors: dict[str, Exception] = {
        "annual_revenue": InvalidInputError("company.annual_revenue", "must be at least 1"),
        "several": InvalidInputErrors(
            [InvalidInputError("energy.electricity_kwh", "too high"), InvalidInputError("energy.x", "bad")]
        ),
        "reporting_year": InvalidInputError("company.reporting_year", "too early"),
        "factor": FactorNotFoundError("No grid factor.", field="company.region"),
    }

    def refuse(*args: object, **kwargs: object) -> None:
        raise errors[raised]

    monkeypatch.setattr(routes, "issue_rating", refuse)
    client = _app(make_app).test_client()
    page = _post(client)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert 'name="form_token"' in html and "must be at least" not in html
    if field is None:
        assert 'id="form-message" tabindex="-1" autofocus>These answers cannot be rated as given' in html
    else:
        assert f'id="{field}-error"' in html


@pytest.mark.parametrize(
    ("name", "field_error"),
    [("a\x00b\x01", True), ("x" * 201, True), ("x" * 200, False), ("  Lotus\tTea  ", False)],
)
def test_names_follow_the_apis_rules(make_app: AppFactory, name: str, field_error: bool) -> None:
    """The page stored names the API refuses (NUL); it now checks them with the API's own schema."""
    app = _app(make_app)
    client = app.test_client()
    api = client.post("/v1/ratings", json=payload(name=name.strip()), headers=bearer(create_key(app)))
    assert (api.status_code == 422) is field_error
    page = _post(client, company_name=name)
    html = page.get_data(as_text=True)
    if field_error:
        assert page.status_code == 422 and page.mimetype == "text/html"
        assert 'id="company_name-error"' in html and 'aria-describedby="company_name-error"' in html
        assert "\x00" not in html
    else:
        assert page.status_code == 303


def test_unstorable_name_says_why(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    zh = _post(client, "zh", company_name="a\x00b").get_data(as_text=True)
    assert "含有无法保存的字符" in zh
    assert "Use at most 200 characters." in _post(client, company_name="x" * 201).get_data(as_text=True)


def test_scope3_without_data_is_not_available_not_zero(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    location = _post(client).headers["Location"]
    rating = _stored_rating(app, location)
    assert rating["issb_summary"]["metrics_and_targets"]["scope3_tco2e"]["status"] == "not_available"
    for lang, label, status in (("en", "Scope 3", "not available"), ("zh", "范围三", "暂无数据")):
        html = client.get(location.split("?")[0] + f"?lang={lang}").get_data(as_text=True)
        chart = re.search(r'<svg id="emission-chart".*?</svg>', html, re.S).group(0)  # type: ignore[union-attr]
        texts_ = re.findall(r"<text [^>]*>([^<]*)</text>", chart)
        assert texts_[texts_.index(label) + 1] == status, texts_
        table = re.search(r'<table id="emission-figures".*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
        assert f'<th scope="row">{label}</th><td>{status}</td>' in table
        page = client.get(location.split("?")[0] + f"/disclosure?lang={lang}").get_data(as_text=True)
        row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", page).group(1)  # type: ignore[union-attr]
        assert status in row and "0.00" not in row


def test_scope3_bar_shows_a_disclosed_figure() -> None:
    from service.web.i18n import texts
    from service.web.view.bars import emission_bars

    rating: dict[str, Any] = {
        "emissions": {
            "scope1": 2.0, "scope2_location": 4.0, "scope2_market": 4.0,
            "scope3": {"total": 0.0}, "total": 6.0,
        },
        "issb_summary": {"metrics_and_targets": {"scope3_tco2e": {"status": "disclosed", "value": 0.0}}},
    }
    bars = emission_bars(rating, texts("en"))
    assert [b["text"] for b in bars] == ["2.00", "4.00", "4.00", "0.00"]
    rating["issb_summary"]["metrics_and_targets"]["scope3_tco2e"] = {"status": "not_available"}
    assert emission_bars(rating, texts("zh"))[3] == {
        "label": "范围三",
        "value": None,
        "width": 0.0,
        "text": "暂无数据",
    }
    del rating["issb_summary"]  # without the summary, the inventory's categories decide
    assert emission_bars(rating, texts("en"))[3]["text"] == "not available"
    rating["emissions"]["scope3"] = {"total": 1.5, "categories_included": ["6"]}
    assert emission_bars(rating, texts("en"))[3]["text"] == "1.50"


def test_a_chart_label_too_wide_for_its_column_takes_more_lines() -> None:
    """The result page's charts have 190 units for a label left of the bars (13-unit text): a wider label
    breaks between words, or between CJK characters; a row of one line stays where it always was."""
    from service.web.view.bars import chart_rows, label_lines

    assert label_lines("Energy and climate") == ["Energy and climate"]
    assert label_lines("Green practices and governance") == ["Green practices and", "governance"]
    assert label_lines("绿" * 20) == ["绿" * 14, "绿" * 6]
    assert label_lines("x" * 40) == ["x" * 40]  # a word wider than the column is not cut
    rows, height = chart_rows(
        [{"label": "Energy and climate"}, {"label": "Green practices and governance"}, {"label": "Scope 1"}]
    )
    assert [(row.y, row.lines) for row in rows] == [
        (4, (("Energy and climate", 21),)),
        (46, (("Green practices and", 55), ("governance", 71))),
        (88, (("Scope 1", 105),)),
    ]
    assert height == 124 and chart_rows([{"label": "Scope 1"}] * 4)[1] == 34 * 4 + 6


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-US,zh;q=0.9", "en"),
        ("en-GB,zh-CN;q=0.8", "en"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("fr-FR,zh;q=0.5,en;q=0.4", "zh-CN"),
        ("fr, en-AU;q=0.3, zh;q=0.2", "en"),
        ("zh-CN;q=0.1, en;q=0.2", "en"),
        ("en;q=0, zh", "zh-CN"),
        ("en;q=0, *", "zh-CN"),
        ("de, *;q=0.5, zh;q=0.4", "en"),
        ("*", "en"),
        ("fr", "en"),
        ("", "en"),
    ],
)
def test_language_follows_accept_language_by_quality(make_app: AppFactory, header: str, lang: str) -> None:
    """The first acceptable language by q wins, each tag counting for its primary language."""
    client = _app(make_app).test_client()
    html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert re.search(r'<html lang="([^"]+)"', html).group(1) == lang  # type: ignore[union-attr]


def test_every_disclosure_key_and_estimated_field_has_both_labels(make_app: AppFactory) -> None:
    from rating_model.disclosure import IFRS_S2_SECTIONS
    from rating_model.standard import load_standard
    from service.web.labels import FIELD_LABELS, ITEM_LABELS

    app = _app(make_app)
    client = app.test_client()
    rated = client.post("/v1/ratings", json=payload(), headers=bearer(create_key(app))).get_json()
    keys = {key for section in IFRS_S2_SECTIONS for key in rated["issb_summary"][section]}
    assert keys and keys <= set(ITEM_LABELS), keys - set(ITEM_LABELS)
    fields = {rule.field for rule in load_standard().estimation}
    assert fields and fields <= set(FIELD_LABELS), fields - set(FIELD_LABELS)
    for en, zh in (*ITEM_LABELS.values(), *FIELD_LABELS.values()):
        assert en.isascii() and en.strip() and not zh.isascii()


def test_chinese_disclosure_and_result_are_in_chinese(make_app: AppFactory) -> None:
    """Fixed text and labels are translated, and the engine's notes and values are shown in its Chinese
    (``note_zh``, ``value_zh``); what it says only in English (the factor fallbacks) is marked lang="en"
    and as the English original."""
    from rating_model.disclosure import IFRS_S2_SECTIONS

    client = _app(make_app).test_client()
    location = _post(client).headers["Location"].split("?")[0]
    doc = client.get(location + "/disclosure?as=json").get_json()
    zh = client.get(location + "/disclosure?lang=zh").get_data(as_text=True)
    for fixed in (
        "国际财务报告可持续披露准则",
        "范围一（吨二氧化碳当量）",
        "因子</th>",
        "来源</th>",
        "PCAF 数据质量评分",
        "碳信用单独列报",
        "经营场所燃料（天然气）",
        "吨二氧化碳当量</th>",
    ):
        assert fixed in zh, fixed
    for english in (
        doc["framework"],
        doc["data_quality"]["statement"],
        doc["carbon_credits_note"],
        "scope1 tco2e",
        ">id<",
        ">source<",
        "energy.fuels",
        "t CO2e",
    ):
        assert english not in zh, english
    keys = [key for section in IFRS_S2_SECTIONS for key in doc[section]]
    assert not [key for key in keys if f">{key.replace('_', ' ')}<" in zh]
    assert "每个排放因子覆盖其发布方所述的温室气体" in zh  # the GWP note, translated
    text = html.unescape(zh)
    items = [item for section in IFRS_S2_SECTIONS for item in doc[section].values()]
    for item in items:
        if "note" in item:  # every note in the engine's Chinese, none in English
            assert item["note_zh"] in text and item["note"] not in text, item["note"]
    transition = doc["strategy"]["transition_risks"]
    assert transition["value_zh"] in text and transition["value"] not in text
    # no English left on the Chinese page: the factor fallbacks are said in Chinese too (engine 2.2)
    assert not re.findall(r'<span lang="en">(.*?)</span><span class="original">（英文原文）</span>', text)
    fallbacks = doc["basis_of_preparation"]["fallbacks"]
    assert fallbacks["value_zh"] and all(said in text for said in fallbacks["value_zh"])
    assert not [said for said in fallbacks["value"] if said in text]
    en = client.get(location + "/disclosure?lang=en").get_data(as_text=True)
    assert 'lang="en"' not in en.split("<body>")[1] and "Scope 1 (t CO2e)" in en
    result = client.get(location + "?lang=zh").get_data(as_text=True)
    assert "energy.fuels" not in result and "t CO2e" not in result
    assert "经营场所燃料（天然气）" in result and "吨二氧化碳当量。" in result
    assert "吨二氧化碳当量。范围一是" in result and "。 " not in result  # no space after "。"



def test_an_empty_list_reads_as_none_in_chinese() -> None:
    """"估算数据：-" read as a figure left blank on the printed disclosure; Chinese says 无."""
    assert joined([], "zh") == "无" and joined([], "en") == "-"
    assert joined(["用电量", "经营场所燃料"], "zh") == "用电量、经营场所燃料"

_PATH_CASE: dict[str, Any] = {
    "grade": "not_green",
    "path_to_next_grade": {
        "target_grade": "light_green",
        "reachable": True,
        "actions": ["policy", "person", "green_power"],
        "score_after": 62.9,
        "grade_after": "green",
    },
    "improvements": [
        {
            "action": "green_power",
            "score_gain": 20.7,
            "grade_after": "light_green",
            "description": "Buy green power",
            "description_zh": "购买绿电",
        },
        {
            "action": "policy",
            "score_gain": 7.7,
            "grade_after": "not_green",
            "description": "Adopt a policy",
            "description_zh": "制定政策",
        },
        {
            "action": "person",
            "score_gain": 7.7,
            "grade_after": "not_green",
            "description": "Name a person",
            "description_zh": "指定负责人",
        },
    ],
}


def test_next_grade_names_the_grade_the_path_reaches_and_does_not_overstate() -> None:
    """The text said "To reach Light green (score 62.9), do all of these" for a path reaching green."""
    from service.web.i18n import texts
    from service.web.view.plan import next_grade

    en = next_grade(_PATH_CASE, "en", texts("en"))
    assert en == {
        "grade": "Green",
        "actions": ["Adopt a policy", "Name a person", "Buy green power"],
        "gains": None,  # a rating stored before schema 1.10: the actions alone, as before
        "differs": False,
        "score_after": 62.9,
        "alone": {"action": "Buy green power", "grade": "Light green"},
    }
    only = {**_PATH_CASE["path_to_next_grade"], "actions": ["green_power"]}
    just_it = {**_PATH_CASE, "path_to_next_grade": only}
    assert next_grade(just_it, "en", texts("en"))["alone"] is None  # type: ignore[index]
    for lang in ("en", "zh"):
        t = texts(lang)
        assert "all" not in t["next_together"] and "全部" not in t["next_together"]
        assert "{grade}" in t["next_together"] and "{score}" in t["next_together"]


def _tenths(shown: str) -> int:
    return round(float(shown) * 10)


def test_each_step_of_the_path_gains_after_the_ones_before_it_and_the_steps_add_up() -> None:
    """The plan's gains are each measured alone: two policies raising one indicator earn 7.7 each alone and
    15.5 together, so the path's actions at their own gains (7.7, 7.7, 20.7: 36.1) did not add up to the
    36.2 points the path gains. ``score_gains`` (schema 1.10) gives each step after the ones before it;
    the page prints them so that they add up to the score as printed, not each rounded on its own."""
    from service.web.view.plan import next_grade

    path = {**_PATH_CASE["path_to_next_grade"], "score_gains": [7.7, 7.8, 20.7]}
    rating = {**_PATH_CASE, "score": 26.7, "path_to_next_grade": path}
    en = next_grade(rating, "en", texts("en"))
    assert en is not None and en["gains"] == ["+7.7", "+7.8", "+20.7"] and en["differs"]
    assert sum(_tenths(g) for g in en["gains"]) == 629 - 267
    assert next_grade(rating, "zh", texts("zh"))["gains"] == en["gains"]  # type: ignore[index]
    # gains that each round down: 41.33 + 2.14 + 1.83 = 45.3, printed 41.3, +2.2, +1.8 (not +2.1, +1.8)
    rounded = {"grade": "not_green", "score": 41.33, "improvements": [], "path_to_next_grade": {
        "target_grade": "light_green", "reachable": True, "actions": ["a", "b"], "score_gains": [2.14, 1.83],
        "score_after": 45.3, "grade_after": "light_green"}}
    steps = next_grade(rounded, "en", texts("en"))
    assert steps is not None and steps["gains"] == ["+2.2", "+1.8"] and not steps["differs"]
    # steps that are the plan's own gains say nothing more
    same = {**rating, "path_to_next_grade": {**path, "score_gains": [7.7, 7.7, 20.7], "score_after": 62.8}}
    assert next_grade(same, "en", texts("en"))["differs"] is False  # type: ignore[index]
    # a rating stored before schema 1.10, or gains not one per action: the actions as they were listed
    for gains in (None, [], [7.7, 30.2]):
        old = {**rating, "path_to_next_grade": {**path, "score_gains": gains}}
        assert next_grade(old, "en", texts("en"))["gains"] is None  # type: ignore[index]


def test_the_page_lists_each_steps_gain_so_the_path_adds_up_and_an_older_rating_as_before(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tea house with every management practice takes green packaging after digital ordering: each
    earns 3.7 alone (a green operation more), as the plan says, and the second 4.9 after the first, so the
    actions' own gains fall short of the path's. The page gives each step's gain after the ones before it,
    in both languages, adding up to the score the path reaches, and says why packaging reads 4.9 there; a
    rating stored before schema 1.10 lists the actions as the page always did."""
    from service.web import routes

    app = _app(make_app)
    client = app.test_client()
    managed = ("environmental_policy", "climate_responsible_person", "green_procurement_policy",
               "energy_audit", "iso14001")
    location = _post(client, **{key: "yes" for key in managed}).headers["Location"]
    rating = _stored_rating(app, location)
    path = rating["path_to_next_grade"]
    alone = {i["action"]: i["score_gain"] for i in rating["improvements"]}
    assert path["reachable"] and len(path["actions"]) > 1
    assert round(sum(alone[a] for a in path["actions"]), 2) != round(path["score_after"] - rating["score"], 2)
    year = _stored_input(app, location)["company"]["reporting_year"]

    def of_year(action: str, lang: str) -> str:  # green power is said with the year it must be of
        return texts(lang)["green_power_year"].format(year=year) if action == "buy_green_power" else ""

    for lang, points, then in (("en", " points", "then "), ("zh", " 分", "再 ")):
        t = texts(lang)
        page = client.get(location.replace("lang=en", f"lang={lang}")).get_data(as_text=True)
        steps = re.search(r'<ol class="plan" id="next-grade-steps">(.*?)</ol>', page, re.S)
        assert steps is not None, lang
        items = re.findall(r'<li>([^<]*)<span class="gain">([^<]*)</span></li>', steps.group(1))
        names = {i["action"]: html.unescape(i["description_zh" if lang == "zh" else "description"])
                 for i in rating["improvements"]}
        assert [html.unescape(a) for a, _ in items] == [names[a] + of_year(a, lang) + t["colon"]
                                                        for a in path["actions"]]
        shown = [g.removeprefix(then).removesuffix(points) for _, g in items]
        assert [g.startswith(then) for _, g in items] == [k > 0 for k in range(len(items))]
        assert shown == [f"{g:+.1f}" for g in path["score_gains"]], lang
        assert sum(_tenths(g) for g in shown) == _tenths(f"{path['score_after']:.1f}") - _tenths(
            f"{rating['score']:.1f}")
        note = re.search(r'<p class="note" id="steps-add-up">([^<]*)</p>', page)
        said = t["steps_add_up"].format(score=f"{rating['score']:.1f}", after=f"{path['score_after']:.1f}")
        assert note is not None
        assert html.unescape(note.group(1)) == said + t["sentence_sep"] + t["steps_alone"]

    original = routes._stored  # as stored before schema 1.10: no score_gains
    monkeypatch.setattr(routes, "_stored", lambda rid: (
        {**original(rid)[0], "path_to_next_grade": {k: v for k, v in path.items() if k != "score_gains"}},
        original(rid)[1]))
    page = client.get(location).get_data(as_text=True)
    assert 'id="next-grade-steps"' not in page and 'id="steps-add-up"' not in page
    listed = re.search(r'<p id="next-grade">[^<]*</p>\n<ul>(.*?)</ul>', page, re.S)
    assert listed is not None
    described = {i["action"]: i["description"] for i in rating["improvements"]}
    assert [html.unescape(x) for x in re.findall(r"<li>([^<]*)</li>", listed.group(1))] == [
        described[a] + of_year(a, "en") for a in path["actions"]]


def test_next_grade_on_the_page_follows_the_ratings_path(make_app: AppFactory) -> None:
    from service.web.i18n import texts

    app = _app(make_app)
    client = app.test_client()
    everything = {
        key: "yes"
        for key in (
            "energy_efficient_equipment",
            "digital_ordering",
            "waste_sorting",
            "green_packaging",
            "environmental_policy",
        )
    }
    location = _post(client, **everything).headers["Location"]
    rating = _stored_rating(app, location)
    path = rating["path_to_next_grade"]
    assert path["reachable"]
    html = client.get(location).get_data(as_text=True)
    text = re.search(r'<p id="next-grade">([^<]*)</p>', html).group(1)  # type: ignore[union-attr]
    assert f"({texts('en')['grade_' + path['grade_after']]})" in text and f"{path['score_after']:.1f}" in text
    assert "do all of these" not in html
    alone = next(
        (i for i in rating["improvements"] if i["grade_after"] != rating["grade"] and i["score_gain"]), None
    )
    assert ('id="one-step"' in html) is (alone is not None and path["actions"] != [alone["action"]])


def _style_hashes(html: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in re.findall(r"<style>(.*?)</style>", html, re.S)
    }


def test_pages_get_a_strict_csp_and_only_the_docs_run_scripts(make_app: AppFactory) -> None:
    """The merchant pages had Swagger's policy, with script-src 'unsafe-inline', though they run no script."""
    client = _app(make_app).test_client()
    location = _post(client).headers["Location"].split("?")[0]
    for path in ("/", location, location + "/disclosure", location + "/disclosure?lang=zh"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        html = response.get_data(as_text=True)
        assert "unsafe-inline" not in policy and "script-src 'none'" in policy, path
        assert "default-src 'none'" in policy and "form-action 'self'" in policy, path
        hashes = _style_hashes(html)
        assert hashes and all(h in policy for h in hashes), path  # every <style> block the page has
        assert not re.search(r"<[^>]+\sstyle=", html) and "<script" not in html, path
    refused = _post(client, revenue="0.5")
    assert "unsafe-inline" not in refused.headers["Content-Security-Policy"]
    docs = client.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs


def test_refused_submissions_keep_the_answers_and_invalid_ones_spend_no_budget(make_app: AppFactory) -> None:
    client = _app(make_app, PAGE_RATE_LIMIT="1 per hour").test_client()
    for _ in range(3):  # invalid: refused before any work, so the hourly budget of one is still there
        invalid = {**FORM, "employees": "abc", "form_token": _token(client)}
        assert client.post("/", data=invalid).status_code == 422
    expired = client.post("/?lang=en", data={**FORM, "employees": "7", "form_token": "stale"})
    assert expired.status_code == 400 and 'value="7"' in expired.get_data(as_text=True)
    assert client.post("/", data={**FORM, "form_token": _token(client)}).status_code == 303
    limited = client.post("/?lang=en", data={**FORM, "employees": "9", "form_token": _token(client)})
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429 and 'value="9"' in html and "Lotus &lt;Tea&gt; House" in html
    minutes = -(-int(limited.headers["Retry-After"]) // 60)
    assert f"try again in {minutes} minutes" in html and "a minute" not in html
    zh = client.post("/?lang=zh", data={**FORM, "form_token": _token(client)}).get_data(as_text=True)
    # a space each side of the figure, as the page's other figures among Chinese words ("请40 分钟" had one)
    assert f"请 {minutes} 分钟后再试" in zh or f"请 {minutes - 1} 分钟后再试" in zh


def test_the_page_works_with_redis_down(make_app: AppFactory) -> None:
    """The page's budgets count in the worker when Redis cannot be reached, as the /v1 limit does: no 500."""
    client = _app(make_app, REDIS_URL="redis://127.0.0.1:9/0", PAGE_RATE_LIMIT="2 per minute").test_client()
    codes = [
        client.post("/", data={**FORM, "employees": str(n), "form_token": _token(client)}).status_code
        for n in (3, 4, 5)
    ]
    assert codes == [303, 303, 429]


def test_behind_a_proxy_each_visitor_has_a_budget_and_the_header_cannot_be_forged(
    make_app: AppFactory,
) -> None:
    def codes(client: Any, forwarded: list[str]) -> list[int]:
        return [
            client.post(
                "/",
                data={**FORM, "employees": str(n), "form_token": _token(client)},
                headers={"X-Forwarded-For": address},
                environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
            ).status_code
            for n, address in enumerate(forwarded, start=3)
        ]

    direct = _app(make_app, PAGE_RATE_LIMIT="1 per minute").test_client()
    # no proxy configured: the header is ignored (a client could write anything in it)
    assert codes(direct, ["198.51.100.1", "198.51.100.2"]) == [303, 429]
    proxied = _app(make_app, PAGE_RATE_LIMIT="1 per minute", PROXY_HOPS=1).test_client()
    assert codes(proxied, ["198.51.100.1", "198.51.100.2", "198.51.100.1"]) == [303, 303, 429]
    # a forged first hop is not believed: only the address the trusted proxy appended counts
    assert codes(proxied, ["203.0.113.9, 198.51.100.3", "203.0.113.10, 198.51.100.3"]) == [303, 429]


def test_an_ipv6_client_counts_by_its_64(make_app: AppFactory) -> None:
    client = _app(make_app, PAGE_RATE_LIMIT="1 per minute").test_client()
    statuses = [
        client.post(
            "/",
            data={**FORM, "employees": str(n), "form_token": _token(client)},
            environ_base={"REMOTE_ADDR": f"2001:db8::{n}"},
        ).status_code
        for n in (3, 4)
    ]
    assert statuses == [303, 429]


def test_page_errors_are_pages_in_the_visitors_language(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    missing = client.get("/result/rt_0123456789abcdef0123456789abcdef?lang=zh")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert 'lang="zh-CN"' in html and "此页面不存在" in html and 'href="/?lang=zh"' in html
    location = client.post("/", data={**FORM, "form_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    unknown = client.get(f"/result/{rating_id}/disclosure?as=docx&lang=en")
    assert unknown.status_code == 404 and "This page does not exist" in unknown.get_data(as_text=True)
    assert "Content-Security-Policy" in unknown.headers
    api = client.get("/v1/ratings/nope")  # the API keeps its JSON error body
    assert api.mimetype == "application/json"


def test_whole_numbers_as_the_browser_sends_them_and_choices_said_as_choices(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    assert _post(client, employees="8.0").status_code == 303  # a number input with step=1 sends this
    assert _post(client, employees="1e1").status_code == 303
    for odd in ("8.5", "1_0", "١٢"):  # not whole, or not as a browser writes numbers
        assert _post(client, employees=odd).status_code == 422, odd
    zh = _post(client, "zh", industry="nonsense").get_data(as_text=True)
    assert "请从选项中选择" in zh and "请输入有效的数值" not in zh


def test_the_form_says_what_is_recorded_and_who_can_see_it_in_both_languages(make_app: AppFactory) -> None:
    """A privacy notice beside the button (data-protection review): what is recorded, that the link shows the
    result to whoever holds it, that the name is optional, and whom to ask when the bank has said."""
    plain = _app(make_app).test_client()
    # the answers are kept with the results (a rating's record holds its input), and erased with them
    said = {"en": ("records your answers and the business name", "the name is optional",
                   "Anyone with the link to your result",
                   "Your answers and the results are kept until the bank that runs this service erases "
                   "them"),  # no retention setting
            "zh": ("记录您填写的答案", "名称可以不填", "任何持有评级结果链接的人",
                   "您的答案和评级结果会一直保存，直到运营本服务的银行将其删除")}
    for lang, words in said.items():
        html = plain.get(f"/?lang={lang}").get_data(as_text=True)
        notice = html[html.index('id="privacy-notice"'):html.index('<button type="submit" aria')]
        assert all(w in notice for w in words), (lang, notice)
        assert "Questions about your data" not in html and "有关您数据的问题" not in html
    contact = _app(make_app, PRIVACY_CONTACT="Data desk <dpo@bank.example>").test_client()
    html = contact.get("/?lang=zh").get_data(as_text=True)
    assert "有关您数据的问题：Data desk &lt;dpo@bank.example&gt;" in html
    assert 'aria-describedby="privacy-notice">一键评级</button>' in html
    refused = contact.post("/?lang=en", data={**FORM, "employees": "x", "form_token": _token(contact)})
    assert refused.status_code == 422
    assert "Questions about your data: Data desk" in refused.get_data(as_text=True)


def test_a_business_left_unnamed_is_stored_without_a_name_and_shown_as_such(make_app: AppFactory) -> None:
    """The page stored "我的店铺" (My business) for a name left empty, which read as a name the owner gave;
    now the input has none and the pages say it was not given (data-protection review)."""
    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "zh", company_name="  ").headers["Location"]
    assert "name" not in _stored_input(app, location)["company"]
    page = client.get(location).get_data(as_text=True)
    assert "我的店铺" not in page and "<h1>您的绿色评级</h1>" in page
    disclosure = client.get(f"{location.split('?')[0]}/disclosure?lang=zh").get_data(as_text=True)
    assert "<td>未提供名称</td>" in disclosure
    as_json = client.get(f"{location.split('?')[0]}/disclosure?as=json").get_json()
    assert as_json["company"]["name"] is None
    english = client.get(f"{location.split('?')[0]}/disclosure?lang=en").get_data(as_text=True)
    assert "<td>Name not given</td>" in english


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_errors_before_any_page_view_are_pages_for_a_browser_and_json_for_programs(
    make_app: AppFactory,
) -> None:
    """A 405 from routing and a 404 for an unknown path never reach the page's own handler."""
    client = _app(make_app).test_client()
    wrong_method = client.put("/?lang=zh", headers=BROWSER)
    html = wrong_method.get_data(as_text=True)
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "text/html"
    assert "请求无法完成（405）" in html and set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert wrong_method.headers["X-Request-Id"] in html  # the reference to quote when asking for help
    unknown = client.get("/no-such-page", headers={**BROWSER, "Accept-Language": "en"})
    assert unknown.status_code == 404 and "This page does not exist" in unknown.get_data(as_text=True)
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):  # curl, scripts: JSON
        assert client.put("/", headers=headers).mimetype == "application/json", headers
    for path in ("/v1/ratings/nope", "/v1/nothing", "/openapi.json", "/healthz"):  # the API's: always JSON
        answered = client.put(path, headers=BROWSER)
        assert answered.mimetype == "application/json" and answered.status_code in (404, 405), path


def test_database_down_keeps_the_typed_answers_and_pages_say_so_in_the_visitors_language(
    make_app: AppFactory,
) -> None:
    """Nothing is issued, nothing typed is lost, and no JSON or stack trace reaches the owner's browser."""
    app = _app(make_app)
    client = app.test_client()
    location = client.post("/", data={**FORM, "form_token": _token(client)}).headers["Location"]
    token = _token(client)
    services = services_of(app)
    real_db = services.db
    services.db = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    try:
        refused = client.post("/?lang=en", data={**FORM, "employees": "9", "form_token": token})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 503 and refused.mimetype == "text/html"
        assert refused.headers["Retry-After"] == "5"
        assert "nothing was saved" in html and 'value="9"' in html and "Lotus &lt;Tea&gt; House" in html
        result = client.get(location.replace("lang=en", "lang=zh"), headers=BROWSER)
        page = result.get_data(as_text=True)
        assert result.status_code == 503 and result.mimetype == "text/html" and "服务暂时无法读取记录" in page
        assert "Traceback" not in page and "OperationalError" not in page
    finally:
        services.db = real_db
    assert client.get(location).status_code == 200


def test_an_error_page_that_cannot_render_falls_back_to_the_json_body(make_app: AppFactory) -> None:
    from service.errors import PAGE_ERRORS

    app = _app(make_app)

    def broken(code: int, headers: object) -> None:
        raise RuntimeError("template missing")

    app.extensions[PAGE_ERRORS] = broken
    answered = app.test_client().put("/", headers=BROWSER)
    assert answered.status_code == 405 and answered.get_json()["code"] == 405


def test_chart_figures_reach_screen_readers_as_tables(make_app: AppFactory) -> None:
    """The bars are hidden from assistive technology; every figure drawn is in a captioned table instead."""
    rating, html = _rated_page(make_app)
    for chart, table in (("pillar-chart", "pillar-figures"), ("emission-chart", "emission-figures")):
        svg = re.search(rf'<svg id="{chart}"[^>]*>.*?</svg>', html, re.S).group(0)  # type: ignore[union-attr]
        assert 'aria-hidden="true"' in svg.split(">", 1)[0]
        drawn = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
        found = re.search(rf'<table id="{table}" class="visually-hidden figures">(.*?)</table>', html, re.S)
        cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", found.group(1))  # type: ignore[union-attr]
        assert "<caption>" in found.group(1) and set(drawn) <= set(cells), (drawn, cells)  # type: ignore[union-attr]
    pillars = re.search(r'<table id="pillar-figures".*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    for pillar in rating["pillars"]:
        assert f"{pillar['score']:.1f} / {pillar['max']:.1f}" in pillars


def test_every_page_has_one_layout_a_main_landmark_and_the_language_switch(make_app: AppFactory) -> None:
    """Form, result, disclosure and error pages share ``_page.html``: one ``<main>``, the document
    language, and (but on an error page, whose address may not bear a reload) a labelled switch to the
    other language."""
    client = _app(make_app).test_client()
    location = client.post("/?lang=zh", data={**FORM, "form_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    pages = {
        "form": client.get("/?lang=zh"),
        "result": client.get(f"/result/{rating_id}?lang=zh"),
        "disclosure": client.get(f"/result/{rating_id}/disclosure?lang=zh"),
        "error": client.get("/result/rt_0123456789abcdef0123456789abcdef?lang=zh"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert html.startswith("<!doctype html>") and '<html lang="zh-CN">' in html, name
        assert html.count("<main>") == html.count("</main>") == 1, name
        switch = (
            '<nav class="lang noprint" aria-label="语言">'
            '<a id="lang-switch" href="?lang=en" hreflang="en" lang="en">'
        )
        if name == "form":  # the form's switch carries the answers given so far
            switch = ('<nav class="lang noprint" aria-label="语言"><button type="submit" class="link" '
                      'id="lang-switch" form="rating-form" formaction="/?lang=en" formnovalidate')
        assert (switch in html) == (name != "error"), name


def test_the_result_says_what_the_rating_means_for_a_green_loan() -> None:
    """From the rating's green_loan as issued: eligible, blocked by a named knock-out, or below the grade."""
    en, zh = texts("en"), texts("zh")
    eligible = {"grade": "green", "green_loan": {"eligible": True, "basis": "borrower", "knock_outs": []}}
    assert green_loan_line(eligible, "light_green", en) == {
        "eligible": True, "text": en["loan_eligible"].format(grade="Green")}
    said = green_loan_line(eligible, "light_green", zh)["text"]
    assert said.startswith("本店铺评级为中绿，可以为节能、可再生能源等绿色项目申请绿色贷款")
    rated = {"grade": "green", "green_loan": {**eligible["green_loan"], "green_rated_borrower": True}}
    # the second sentence follows the first as Chinese writes it, with no space after "。"
    assert "报告）。您的评级已达到绿色评级借款人的要求" in green_loan_line(rated, "light_green", zh)["text"]
    assert "bank. As a green-rated business" in green_loan_line(rated, "light_green", en)["text"]
    penalty = {"grade": "light_green", "green_loan": {
        "eligible": False,
        "rationale": ["A knock-out rule applies, so no green-loan treatment is available."],
        "knock_outs": ["environmental_penalty: One environmental administrative penalty ..."]}}
    assert green_loan_line(penalty, "light_green", en)["text"] == (
        "Green loans are not available for now: an environmental penalty in the last three years.")
    assert "近三年受到过环境行政处罚" in green_loan_line(penalty, "light_green", zh)["text"]
    below = {"grade": "not_green", "green_loan": {"eligible": False, "rationale": ["..."], "knock_outs": []}}
    line = green_loan_line(below, "light_green", en)
    assert not line["eligible"] and "need grade Light green or better" in line["text"]


def test_the_result_page_shows_the_green_loan_line_of_the_stored_rating(make_app: AppFactory) -> None:
    rating, page = _rated_page(make_app)
    found = re.search(r'<p id="green-loan" data-eligible="(yes|no)">([^<]*)</p>', page)
    assert found is not None and found.group(1) == ("yes" if rating["green_loan"]["eligible"] else "no")
    expected = green_loan_line(rating, None, texts("en"))["text"]
    assert found.group(2) == html.escape(expected, quote=True)
    # standard 1.3.0: a loan for a green project is open to a business not yet rated green, said as the
    # concession it is ("rated Not green. ... you can apply" read as a contradiction)
    assert rating["grade"] == "not_green" and "you can still apply for green loans" in expected
    assert expected.startswith("Although this business is rated Not green, ")
    assert "preferential terms" not in expected  # those need grade green


def test_a_rating_issued_under_an_earlier_standard_keeps_its_green_loan_line() -> None:
    """A stored rating says what it said when issued: under 1.0.0 to 1.2.0 green loans needed light green, and
    a green-rated borrower's line adds the preferential terms of schema 1.5."""
    earlier = {"grade": "not_green", "green_loan": {"eligible": False, "knock_outs": []}}
    assert "Green loans need grade Light green" in green_loan_line(earlier, None, texts("en"))["text"]
    loan = {"eligible": True, "green_rated_borrower": True, "knock_outs": []}
    rated = {"grade": "green", "green_loan": loan}
    line = green_loan_line(rated, None, texts("en"))
    assert line["eligible"] and "preferential terms on an ordinary business loan" in line["text"]


def test_an_owner_with_every_practice_can_reach_a_green_loan_from_the_page(make_app: AppFactory) -> None:
    """Every practice of the standard is on the form: a well-run small shop reaches light green (standard
    1.1.0 lets its sparse data cap the grade without denying the loan) and is told to show it to the bank.
    It says what it burns on site (none: an all-electric kitchen), which standard 1.7.0 asks of a grade
    above light green, and that it runs no vehicles (scored since standard 1.5.0)."""
    from service.web.form.choices import PRACTICES

    assert {key for key, _, _ in PRACTICES} == set(PRACTICE_FLAGS)  # nothing the standard scores is missing
    app = _app(make_app)
    client = app.test_client()
    every = {key: "yes" for key, _, _ in PRACTICES}
    answered = _post(client, electricity="20000", fuel="none", vehicle_fuel="none", **every)
    location = answered.headers["Location"]
    rating = _stored_rating(app, location)
    assert rating["data_quality"]["completeness"] < 0.5 and rating["grade"] == "light_green"
    assert rating["green_loan"]["eligible"] and rating["green_loan"]["basis"] == "borrower"
    page = client.get(location).get_data(as_text=True)
    assert '<p id="green-loan" data-eligible="yes">' in page and "show this rating" in page


def test_green_power_bought_can_be_given_on_the_page_as_a_share_of_the_kwh(make_app: AppFactory) -> None:
    """The plan's top action (buy green power) can be answered on the form itself, and re-rated."""
    app = _app(make_app)
    client = app.test_client()
    without = _stored_rating(app, _post(client, electricity="20000").headers["Location"])
    half = _stored_rating(app, _post(client, electricity="20000", green_share="50").headers["Location"])
    assert "green_electricity_kwh" not in json.dumps(without)  # left empty: not answered
    share = {c["indicator"]: c["value"] for c in half["contributions"]}["renewable_electricity_share"]
    assert share == 0.5 and half["score"] > without["score"]
    assert half["emissions"]["scope2_market"] < without["emissions"]["scope2_market"]
    on_bill = _post(client, electricity="6000", electricity_unit="bill", green_share="50")
    page = on_bill.get_data(as_text=True)
    assert on_bill.status_code == 422 and "give your electricity use in kWh" in page and 'value="50"' in page
    too_much = _post(client, "zh", electricity="20000", green_share="150")
    assert too_much.status_code == 422 and "超过了 100，请核对数值" in too_much.get_data(as_text=True)
    assert _post(client, electricity="6000", electricity_unit="bill", green_share="0").status_code == 303
    # all of it green, whatever the kWh (89797.624 x 100 / 100 had come out above the kWh: a 422)
    assert 89797.624 * 100 / 100.0 > 89797.624
    posted = _post(client, electricity="89797.624", green_share="100")
    all_green = _stored_rating(app, posted.headers["Location"])
    share = {c["indicator"]: c["value"] for c in all_green["contributions"]}["renewable_electricity_share"]
    assert share == 1.0


def test_the_plan_says_when_an_action_adds_emissions_and_stays_silent_below_a_tenth() -> None:
    """Savings are physical (location-based): an EV on a coal-heavy grid can add emissions; said so."""
    def step(saved: float | None) -> dict[str, Any]:
        return {"action": "electrify_fleet", "score_gain": 9.9, "grade_after": "not_green",
                "tco2e_saved": saved, "description": "Go electric", "description_zh": "电动化"}

    rating = {"grade": "not_green", "improvements": [step(-0.84), step(0.04), step(2.0), step(None)]}
    assert [s["saves"] for s in plan(rating, "en", texts("en"))] == [
        "adds 0.8 t CO2e a year (at your grid's average)", None, "saves 2.0 t CO2e a year", None
    ]
    zh = plan(rating, "zh", texts("zh"))[0]["saves"]
    assert zh == "每年增加 0.8 吨二氧化碳当量排放（按所在电网平均排放因子计）"


@pytest.mark.parametrize(
    ("typed", "revenue"),
    [
        ("90万", 900_000.0),
        ("１２，０００", 12_000.0),
        ("1.1万元", 11_000.0),
        ("2亿", 2e8),
        ("850k", 850_000.0),
        ("1,500,000", 1_500_000.0),
        (" 90 万 ", 900_000.0),
    ],
)
def test_revenue_is_read_as_the_owner_wrote_it(make_app: AppFactory, typed: str, revenue: float) -> None:
    """A number input dropped "万" in the browser, and a cafe was rated (and disclosed) on 90 yuan."""
    app = _app(make_app)
    client = app.test_client()
    posted = _post(client, "zh", revenue=typed, employees="1")  # 1.1万 for 8 people would ask to confirm
    assert posted.status_code == 303, posted.get_data(as_text=True)
    intensity = _stored_rating(app, posted.headers["Location"])["emissions"]["intensities"]
    total = _stored_rating(app, posted.headers["Location"])["emissions"]["total"]
    assert intensity["per_cny_million_revenue"] == pytest.approx(total / (revenue / 1e6), rel=1e-3)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("revenue", "", "revenue in yuan, such as 900000."),  # what is asked, not "Please fill this in."
        ("revenue", "ninety", 'Enter a number, such as 12000 or <span lang="zh-CN">1.2万</span>.'),
        ("revenue", "90万万", "Enter a number"),
        ("employees", "6.5", "Enter a whole number, such as 6."),
        ("employees", "0", "Enter at least 1."),
        ("electricity", "-50", "Enter at least 0."),
        ("revenue", "1e1000000", "That is more than 1,000 trillion"),  # decimal.Overflow had been a 500
        ("employees", "1e1000000万", "Enter the number of people, such as 6."),
        ("green_share", "1,5", "Use a point for decimals"),  # had been read as 15 %
        ("electricity", "30.000,5", "Use a point for decimals"),  # had been read as 30.0005
        ("revenue", "10²", "Enter a number"),  # NFKC had made it 102
        ("revenue", "1e3k", "Enter a number"),
        ("employees", "100%", "Enter the number of people"),  # units are the field's own
        ("electricity", "500元", "choose “CNY (yearly bill)” under “Unit”"),  # money, with kWh chosen
    ],
)
def test_a_refused_number_says_how_to_fix_it_and_keeps_what_was_typed(
    make_app: AppFactory, field: str, typed: str, message: str
) -> None:
    page = _post(_app(make_app).test_client(), **{field: typed})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and message in html
    assert f'id="{field}" name="{field}"' in html and f'value="{typed}"' in html  # text inputs keep it all
    assert "<title>Error: greenrate" in html
    # the summary takes the focus and says what is wrong, not only where
    summary = re.search(r'id="error-summary" tabindex="-1" autofocus>(.*?)</div>', html, re.S)
    assert summary is not None and message in summary.group(1)
    assert re.search(rf'aria-describedby="[^"]*{field}-error"[^>]* aria-invalid="true"', html)


def test_gas_on_site_none_is_an_answer_and_an_amount_is_priced(make_app: AppFactory) -> None:
    """An all-electric cafe could not say so, and was given a sector-default gas estimate (8 t of Scope 1
    in the reviewer's run)."""
    app = _app(make_app)
    client = app.test_client()
    unsure = _stored_rating(app, _post(client).headers["Location"])
    none = _stored_rating(app, _post(client, fuel="none").headers["Location"])
    piped = _stored_rating(app, _post(client, fuel="natural_gas", fuel_amount="1,000").headers["Location"])
    bottled = _stored_rating(app, _post(client, fuel="lpg", fuel_amount="300").headers["Location"])
    assert unsure["emissions"]["scope1"] > 0 and "energy.fuels" in unsure["data_quality"]["estimated_fields"]
    assert none["emissions"]["scope1"] == 0 and "energy.fuels" not in none["data_quality"]["estimated_fields"]
    for rated, fuel, unit in ((piped, "natural_gas", "m3"), (bottled, "lpg", "kg")):
        lines = [f for f in rated["emissions"]["factors"] if f["id"].startswith(f"cn.fuel.{fuel}")]
        assert rated["emissions"]["scope1"] > 0 and lines, rated["emissions"]["factors"]
        assert "energy.fuels" not in rated["data_quality"]["estimated_fields"], unit
    zero = _stored_rating(app, _post(client, fuel="none", fuel_amount="0").headers["Location"])
    assert zero["emissions"]["scope1"] == 0 and "energy.fuels" not in zero["data_quality"]["estimated_fields"]
    # the other gas's unit is not this one's (300 kg of LPG had been recorded as 300 m³ of natural gas)
    for fuel, typed in (("natural_gas", "300kg"), ("lpg", "300立方米"), ("lpg", "300m3")):
        assert _post(client, fuel=fuel, fuel_amount=typed).status_code == 422, typed
    for fuel, typed in (("natural_gas", "1,000 m³"), ("lpg", "300公斤")):
        assert _post(client, fuel=fuel, fuel_amount=typed).status_code == 303, typed
    refused = _post(client, fuel="none", fuel_amount="300")
    assert refused.status_code == 422 and "Choose which fuel this is above" in refused.get_data(as_text=True)
    assert _post(client, fuel="coal").status_code == 422  # offered, but never without its amount


def test_a_form_over_the_size_limit_gets_the_translated_413_page(make_app: AppFactory) -> None:
    """The 413 page read the form again to find the language, raised 413 inside its own handler, and the
    visitor got a bare 500."""
    client = _app(make_app, MAX_BODY_BYTES=4096).test_client()
    page = client.post("/?lang=zh", data={**FORM, "company_name": "店" * 5000, "form_token": _token(client)})
    html = page.get_data(as_text=True)
    assert page.status_code == 413 and '<html lang="zh-CN">' in html and "提交的表单过大" in html


def test_the_result_shows_where_the_grade_sits_and_the_points_to_the_next(make_app: AppFactory) -> None:
    from rating_model.standard import load_standard

    rating, html = _rated_page(make_app)
    standard = load_standard()
    ladder = re.search(r'<ol class="ladder" id="grade-ladder"[^>]*>(.*?)</ol>', html, re.S)
    assert ladder is not None
    steps = re.findall(r"<li([^>]*)>([^<]*)</li>", ladder.group(1))
    assert [text.split(":")[0] for _, text in steps] == ["Not green", "Light green", "Green", "Dark green"]
    current = [text for attrs, text in steps if 'aria-current="true"' in attrs]
    grades = ("not_green", "light_green", "green", "dark_green")
    names = dict(zip(grades, [t.split(":")[0] for _, t in steps], strict=True))
    assert len(current) == 1 and current[0].startswith(names[rating["grade"]])
    floors = {c.grade: c.min_score for c in standard.cutoffs}
    above = sorted(f for f in floors.values() if f > rating["score"])
    if above and standard.grade_for(rating["score"]) == rating["grade"]:
        assert f"{above[0] - rating['score']:.1f} more points reach" in html
    # the charts' tables are shown on a phone instead of the unreadably small chart text
    assert "svg.chart { display: none; }" in html
    assert "▼" not in re.sub(r'<span aria-hidden="true">.</span>', "", html)  # glyphs are not read out


def test_switching_language_on_the_form_keeps_the_answers(make_app: AppFactory) -> None:
    """The switch was a link: after a refused answer, going to 中文 reloaded an empty form."""
    app = _app(make_app)
    client = app.test_client()
    answers = {**FORM, "electricity": "-1", "fuel": "lpg", "fuel_amount": "300"}
    switched = client.post("/?lang=zh", data={**answers, "switch_language": "1"})
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200 and '<html lang="zh-CN">' in html
    assert 'value="Lotus &lt;Tea&gt; House"' in html and 'value="-1"' in html and 'value="300"' in html
    assert 'value="lpg" selected' in html
    assert 'id="p_led_lighting" name="led_lighting" value="yes" checked' in html
    assert 'class="error"' not in html and "Error" not in html.split("</title>")[0]  # nothing was checked
    assert "Location" not in switched.headers  # not rated: a rating answers 303 to its result


def test_the_points_to_the_next_grade_are_rounded_up() -> None:
    """59.96 against a cut-off of 60 had read "0.0 more points reach Green" beside a score shown as 60.0."""
    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.web.view.plan import grade_ladder

    standard = load_standard(DEFAULT_STANDARD)
    floor = {c.grade: c.min_score for c in standard.cutoffs}["green"]
    gap = grade_ladder({"score": floor - 0.04, "grade": "light_green"}, standard, texts("en"))["gap"]
    assert gap == {"points": 0.1, "label": "Green"}
    exact = grade_ladder({"score": floor - 2.5, "grade": "light_green"}, standard, texts("en"))["gap"]
    assert exact is not None and exact["points"] == 2.5


def test_reasons_on_the_page_are_in_an_owners_words() -> None:
    """The engine's sentences speak to an analyst ("not reported (scored in the missing-data bin)", "0.851
    ratio (actual / expected)"); the page says "nothing to score it on" and "15% less than similar
    businesses"."""
    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.web.view.reasons import reasons

    standard = load_standard(DEFAULT_STANDARD)
    rating = {
        "reason_codes": [
            {"indicator": "green_operations", "effect": "negative", "message": "engine sentence 1"},
            {"indicator": "energy_efficiency_ratio", "effect": "positive", "message": "engine sentence 2"},
            {"indicator": "renewable_electricity_share", "effect": "negative",
             "message": "Renewable electricity share: 0% earns 0 of 19.4 points."},
        ],
        "contributions": [
            {"indicator": "green_operations", "value": None, "unit": "share 0-1", "points": 0.0,
             "max_points": 15.7},
            {"indicator": "energy_efficiency_ratio", "value": 0.851203, "unit": "ratio (actual / expected)",
             "points": 10.6, "max_points": 15.4},
            {"indicator": "renewable_electricity_share", "value": 0.0, "unit": "share 0-1", "points": 0.0,
             "max_points": 19.4},
        ],
    }
    en = [r["text"] for r in reasons(rating, standard, "en")]
    assert en[0] == ("Green operating practices adopted: nothing to score it on, so scored as unknown: 0 of "
                     "15.7 points.")
    assert en[1] == ("Energy use against sector peers: 15% less energy than similar businesses, 10.6 of 15.4 "
                     "points.")
    assert en[2] == "Renewable electricity share: 0% earns 0 of 19.4 points."  # the engine's, with its figure
    zh = [r["text"] for r in reasons(rating, standard, "zh")]
    assert zh[0].endswith("：没有可计分的信息，按未知计，得 0 / 15.7 分。")
    assert zh[1].endswith("：用能比同类店铺少 15%，得 10.6 / 15.4 分。")  # of what: energy
    assert zh[2] == "可再生电力占比：得 0 / 19.4 分。"  # a rating before engine 1.7: the points alone
    assert not any("missing-data bin" in t or "actual / expected" in t for t in en + zh)
    rating["reason_codes"][2]["message_zh"] = "可再生电力占比：0%，得 0 / 19.4 分。"  # engine 1.7 on
    assert [r["text"] for r in reasons(rating, standard, "zh")][2] == "可再生电力占比：0%，得 0 / 19.4 分。"


def test_an_unlikely_revenue_is_confirmed_before_it_is_rated_and_disclosed(make_app: AppFactory) -> None:
    """"90" meant as 90万 rated a cafe of 8 on 90 yuan of revenue, and the disclosure went to its bank."""
    app = _app(make_app)
    client = app.test_client()
    asked = _post(client, revenue="90")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 422 and "That is 11 yuan a year per employee" in html
    assert 'id="revenue_confirmed" name="revenue_confirmed" value="yes" >' in html  # offered, not ticked
    zh = _post(client, "zh", revenue="90").get_data(as_text=True)
    assert "折合每名员工每年 11元。" in zh
    confirmed = _post(client, revenue="90", revenue_confirmed="yes")
    assert confirmed.status_code == 303
    assert _stored_rating(app, confirmed.headers["Location"])["emissions"]["intensities"][
        "per_cny_million_revenue"] > 100_000
    assert _post(client, revenue="90万").status_code == 303  # the figure meant: nothing to confirm


def test_vehicles_are_asked_counted_and_priced_by_their_fuel(make_app: AppFactory) -> None:
    """A caterer's two diesel vans were not on the page: its rating counted no vehicle at all, and the plan
    could never suggest an electric van. Now the fuel and count are asked, the year's amount optionally."""
    app = _app(make_app)
    client = app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    for field in ("vehicle_fuel", "vehicles", "vehicle_amount"):
        assert f'id="{field}"' in page and f'<label for="{field}">' in page, field
    def rated(**answers: str) -> dict[str, Any]:
        return _stored_rating(app, _post(client, industry="5621", **answers).headers["Location"])

    unanswered, none = rated(), rated(vehicle_fuel="none")
    vans = rated(vehicle_fuel="diesel", vehicles="2辆")
    fuelled = rated(vehicle_fuel="diesel", vehicles="2", vehicle_amount="1,500升")
    electric = rated(vehicle_fuel="electric", vehicles="2")
    driven = rated(vehicle_fuel="electric", vehicles="2", vehicle_amount="8000 km")

    def fleet_t(rated: dict[str, Any]) -> float:
        return sum(item["tco2e"] for item in rated["emissions"]["line_items"] if ".fleet." in item["path"])

    assert fleet_t(unanswered) == fleet_t(none) == 0
    assert none["emissions"]["scope1"] == unanswered["emissions"]["scope1"]
    # two vans at the seed distance, flagged as an estimate; the litres bought replace the seed and are
    # priced at diesel's own factor (whatever the vehicle), as an electric fleet's km replace its seed
    assert fleet_t(vans) > 0 and "transport.fleet.0.km" in vans["emissions"]["estimated"]
    diesel = [i for i in fuelled["emissions"]["line_items"] if ".fleet." in i["path"]]
    assert [i["factor_id"] for i in diesel] == ["cn.fuel.diesel"] and diesel[0]["quality"] != "estimated"
    assert "transport.fleet.0.km" not in fuelled["emissions"]["estimated"]
    assert "transport.fleet.0.km" not in driven["emissions"]["estimated"]
    assert 0 < fleet_t(driven) < fleet_t(electric)
    assert vans["emissions"]["scope1"] - none["emissions"]["scope1"] == pytest.approx(fleet_t(vans), abs=1e-3)
    # electric vans are Scope 2 (priced at the grid) and score on the low-carbon fleet indicator
    assert electric["emissions"]["scope1"] == none["emissions"]["scope1"] and fleet_t(electric) > 0
    assert "electrify_fleet" in {a["action"] for a in vans["improvements"]}
    assert "electrify_fleet" not in {a["action"] for a in electric["improvements"]}
    # the disclosure names the estimated distance in words, in both languages
    location = _post(client, industry="5621", vehicle_fuel="diesel", vehicles="2").headers["Location"]
    en = client.get(location.split("?")[0] + "/disclosure?lang=en").get_data(as_text=True)
    zh = client.get(location.split("?")[0] + "/disclosure?lang=zh").get_data(as_text=True)
    assert "yearly distance" in en and "transport.fleet" not in en
    assert "行驶里程" in zh and "transport.fleet" not in zh
    result = client.get(location).get_data(as_text=True)
    # engine 1.6 lists the seed distance among the estimated fields; the page says it apart from the sector's
    # estimates, as the disclosure does (it had been "estimated from businesses like yours")
    assert ("Taken at a typical value, because you did not give it on the form: Vehicles&#39; yearly distance"
            in result)
    assert "Nothing was estimated" not in result
    # a count or a distance without a fuel is asked about, never guessed; a fuel needs a count of 1 or more
    for fuel, typed in (
        ("", {"vehicles": "2"}), ("none", {"vehicle_amount": "5000"}), ("diesel", {}),
        ("diesel", {"vehicles": "0"}), ("diesel", {"vehicles": "1.5"}), ("bus", {"vehicles": "1"}),
    ):
        refused = _post(client, vehicle_fuel=fuel, **typed)
        assert refused.status_code == 422, (fuel, typed)
        assert 'aria-invalid="true"' in refused.get_data(as_text=True), (fuel, typed)
    said = _post(client, vehicle_fuel="", vehicles="2").get_data(as_text=True)
    assert "Choose what the vehicles run on above" in said and 'value="2"' in said
    assert _post(client, vehicle_fuel="none", vehicles="0").status_code == 303


def test_vehicles_are_asked_what_they_are_and_priced_by_their_class(make_app: AppFactory) -> None:
    """A GHG auditor's review: the page asked for "cars, vans, lorries" and priced each as a car. The kind is
    asked (car, van, lorry, in both languages); counted vans take a van's factor, an electric van's km a
    van's electricity, a lorry needs its litres and cannot be electric (no factor)."""
    app = _app(make_app)
    client = app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'id="vehicle_kind"' in page and "Lorries (over 3.5 tonnes)" in page
    assert "Vans (up to 3.5 tonnes)" in page
    assert "货车（3.5吨以上）" in client.get("/?lang=zh").get_data(as_text=True)

    def rated_at(**answers: str) -> str:
        return str(_post(client, industry="5621", **answers).headers["Location"])

    def rated(**answers: str) -> dict[str, Any]:
        return _stored_rating(app, rated_at(**answers))

    def fleet(rated: dict[str, Any]) -> list[tuple[str, float]]:
        lines = rated["emissions"]["line_items"]
        return [(i["factor_id"], i["tco2e"]) for i in lines if ".fleet." in i["path"]]

    assert fleet(rated(vehicle_fuel="diesel", vehicles="2")) == [
        ("defra2025.car.diesel", pytest.approx(2 * 12_000 * 0.17304 / 1000))]
    assert fleet(rated(vehicle_fuel="diesel", vehicles="2", vehicle_kind="car")) == [
        ("defra2025.car.diesel", pytest.approx(2 * 12_000 * 0.17304 / 1000))]
    assert fleet(rated(vehicle_fuel="diesel", vehicles="2", vehicle_kind="van")) == [
        ("defra2025.van.diesel", pytest.approx(2 * 12_000 * 0.25561 / 1000))]
    ev_vans = rated(vehicle_fuel="electric", vehicles="1", vehicle_amount="10000 km", vehicle_kind="van")
    assert "defra2025.ev.van.kwh_per_km" in {f["id"] for f in ev_vans["emissions"]["factors"]}
    lorry = rated_at(vehicle_fuel="diesel", vehicles="1", vehicle_amount="30000", vehicle_kind="hgv")
    assert [f for f, _ in fleet(_stored_rating(app, lorry))] == ["cn.fuel.diesel"]  # litres: by the fuel
    assert _stored_input(app, lorry)["transport"]["fleet"][0]["vehicle_type"] == "hgv"
    for typed, field, words in (
        ({"vehicle_fuel": "diesel", "vehicles": "1", "vehicle_kind": "hgv"}, "vehicle_amount",
         "no typical yearly distance of a lorry"),
        ({"vehicle_fuel": "electric", "vehicles": "1", "vehicle_amount": "9000", "vehicle_kind": "hgv"},
         "vehicle_kind", "No emission factor is published for electric lorries"),
        ({"vehicle_fuel": "hybrid", "vehicles": "1", "vehicle_kind": "van"}, "vehicle_amount",
         "For hybrid vans, give the litres"),
        ({"vehicle_fuel": "diesel", "vehicles": "1", "vehicle_kind": "bus"}, "vehicle_kind", "choose one"),
    ):
        refused = _post(client, industry="5621", **typed)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and words in text, typed
        assert f'id="{field}-error"' in text, typed
    # an electric lorry left out here has its charging counted in the electricity, public chargers' too:
    # "leave them out" alone, said of the premises' chargers only, lost the rest from Scope 2
    electric_lorry = {"vehicle_fuel": "electric", "vehicles": "1", "vehicle_amount": "9000",
                      "vehicle_kind": "hgv"}
    for lang, words in (("en", "at public chargers, add the kWh charged"),
                        ("zh", "在公共充电桩充电的，请把充电度数加到上面的用电量中")):
        text = html.unescape(_post(client, lang, industry="5621", **electric_lorry).get_data(as_text=True))
        said = re.search('<p class="error" id="vehicle_kind-error">([^<]*)</p>', text)
        assert said and words in said.group(1) and 'value="9000"' in text, lang
        # never "choose None": the disclosure would tell the bank that the haulier runs no vehicles
        assert "None" not in said.group(1) and "没有”" not in said.group(1), lang


def test_a_haulier_and_a_courier_choose_their_own_trade(make_app: AppFactory) -> None:
    """The page asks for vans and lorries (engine 2.9) but offered a road-freight firm or a courier no trade
    of its own: rated as a shop or an office, with a disclosure naming that class and the Chinese page
    calling a haulier 店铺. ISIC 4923 and 5320 are offered in both languages and rated as transport."""
    from rating_model.sector_benchmarks import sector_of

    app = _app(make_app)
    client = app.test_client()
    en = client.get("/?lang=en").get_data(as_text=True)
    zh = client.get("/?lang=zh").get_data(as_text=True)
    for code, english, chinese in (("4923", "Road freight (lorries, vans)", "道路货运"),
                                   ("5320", "Courier or delivery", "快递、同城配送")):
        assert f'<option value="{code}" >{english}</option>' in en, code
        assert f">{chinese}</option>" in zh, code
        assert sector_of(code) == "transport_logistics"
    location = _post(client, "zh", industry="4923", vehicle_fuel="diesel", vehicles="3",
                     vehicle_amount="45000升", vehicle_kind="hgv").headers["Location"]
    assert _stored_input(app, location)["company"]["industry_code"] == "4923"
    result = client.get(location).get_data(as_text=True)
    assert "按同类企业估算" in result and "同类店铺" not in result  # the fuels estimated from its peers
    disclosure = client.get(location.split("?")[0] + "/disclosure?lang=en").get_data(as_text=True)
    assert "Freight transport by road (ISIC 4923)" in disclosure
    courier = _post(client, industry="5320", vehicle_fuel="electric", vehicles="4", vehicle_kind="van",
                    vehicle_amount="60000 km")
    assert _stored_input(app, courier.headers["Location"])["company"]["industry_code"] == "5320"
    # "None: everything runs on electricity" was untrue of its lorries' diesel: the site's fuel is asked
    for lang, none in (("en", "None: nothing is burned on the premises (vehicles are asked below)"),
                       ("zh", "不使用：店内全部用电（车辆在下面填写）")):
        assert f'<option value="none" >{none}</option>' in client.get(f"/?lang={lang}").get_data(as_text=True)


def test_km_of_a_combustion_van_or_lorry_are_taken_where_a_per_km_factor_prices_them(
    make_app: AppFactory,
) -> None:
    """A haulier typed its lorries' 80000 km from the GPS where litres were asked, and was refused: "km are
    taken only for electric vehicles", though the API prices a diesel lorry's or a van's km at its class's
    per-km factor. A distance is taken as the API takes it (a bare number is still litres, as before); where
    no per-km factor prices it (a petrol lorry, a hybrid van) the field says to give the litres instead;
    and the fuel receipts' yuan are told to give litres or km, a lorry never to leave it for an estimate."""
    app = _app(make_app)
    client = app.test_client()

    def said(lang: str, **typed: str) -> str:
        """The error beside the last amount typed, which keeps what was typed."""
        answers = {"vehicle_fuel": "diesel", "vehicles": "2", **typed}
        refused = _post(client, lang, industry="4923", **answers)
        assert refused.status_code == 422, typed
        text = html.unescape(refused.get_data(as_text=True))
        field, value = list(typed.items())[-1]
        assert f'id="{field}" name="{field}" inputmode="decimal" autocomplete="off" value="{value}"' in text
        found = re.search(f'<p class="error" id="{field}-error">([^<]*)</p>', text)
        assert found, typed
        return found.group(1)

    def fleet(**typed: str) -> list[dict[str, Any]]:
        location = _post(client, industry="4923", vehicles="2", **typed).headers["Location"]
        return list(_stored_input(app, location)["transport"]["fleet"])

    assert fleet(vehicle_fuel="diesel", vehicle_kind="hgv", vehicle_amount="8万公里") == [
        {"fuel": "diesel", "vehicles": 2, "vehicle_type": "hgv", "km": 80000}]
    assert fleet(vehicle_fuel="diesel", vehicle_kind="van", vehicle_amount="30000 km") == [
        {"fuel": "diesel", "vehicles": 2, "vehicle_type": "van", "km": 30000}]
    assert fleet(vehicle_fuel="gasoline", vehicle_amount="15000KM") == [
        {"fuel": "gasoline", "vehicles": 2, "km": 15000}]
    assert fleet(vehicle_fuel="diesel", vehicle_kind="van", vehicle_amount="3000") == [
        {"fuel": "diesel", "vehicles": 2, "vehicle_type": "van", "fuel_quantity": 3000, "unit": "L"}]
    # an electric van's km are its amount, in any of the ways km are written
    assert fleet(vehicle_fuel="electric", vehicle_kind="van", vehicle_amount="30000 KM")[0]["km"] == 30000
    petrol_lorry = said("en", vehicle_fuel="gasoline", vehicle_kind="hgv", vehicle_amount="80000 km")
    assert "Km are taken of diesel lorries only" in petrol_lorry
    assert "只有柴油货车可填行驶公里数" in said("zh", vehicle_fuel="hybrid", vehicle_kind="hgv",
                                                vehicle_amount="8万公里")
    assert "no factor per vehicle or per km" in said("en", vehicle_fuel="hybrid", vehicle_kind="van",
                                                     vehicle_amount="9000 km")
    lorry_yuan = said("en", vehicle_kind="hgv", vehicle_amount="30000元")
    assert "Lorries need their litres or km" in lorry_yuan
    assert "counted at a typical yearly distance" not in lorry_yuan
    last_year = said("en", vehicle_fuel="gasoline", vehicle_kind="hgv", vehicle_amount="45000",
                     previous_vehicle_amount="90000 km")
    assert "Km are taken of diesel lorries only" in last_year


def test_the_pages_grade_names_are_the_standards() -> None:
    """The page had called grade ``green`` 绿色, an unqualified "green business" claim, where the standard
    names it 中绿 (the middle of three green grades)."""
    from rating_model.standard import load_standard

    for cutoff in load_standard().cutoffs:
        assert texts("en")["grade_" + cutoff.grade] == cutoff.label
        assert texts("zh")["grade_" + cutoff.grade] == cutoff.label_zh


def test_an_owners_bills_are_energy_bills_and_an_unreachable_grade_says_why(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small-business adviser's review: the form said ``estimated`` (PCAF 4, a revenue-based estimate)
    beside "nothing estimated" on ratings made from the owner's own kWh; and a plan that could not reach
    the next grade showed an empty list under its heading, never why."""
    from service.web.view.plan import held_back

    client = _app(make_app).test_client()
    posted = client.post("/?lang=en", data={**FORM, "form_token": _token(client)})
    rating_id = posted.headers["Location"].split("/")[2].split("?")[0]
    as_json = client.get(f"/result/{rating_id}/disclosure?as=json").get_json()
    assert as_json["data_quality"]["data_source"] == "energy_bills"
    # the cooking gas left blank is still estimated from the sector, and caps the PCAF score at 4
    assert as_json["data_quality"]["pcaf_score"] == 4

    path = {"target_grade": "green", "reachable": False, "actions": [], "held_back_by": [
        {"reason": "knock_out", "knock_out": "coal_burned_on_site", "indicators": [], "points": None,
         "message": "Coal caps it.", "message_zh": "燃煤限制了评级。"}]}
    assert held_back({"path_to_next_grade": path}, "en") == ["Coal caps it."]
    assert held_back({"path_to_next_grade": path}, "zh") == ["燃煤限制了评级。"]
    assert held_back({"path_to_next_grade": {**path, "reachable": True}}, "en") == []
    assert held_back({"path_to_next_grade": {"target_grade": "green", "reachable": False}}, "en") == []  # 1.6
    from service.web import routes

    original = routes._stored  # the form cannot report coal: the stored rating's path is replaced
    monkeypatch.setattr(routes, "_stored", lambda rid: ({**original(rid)[0], "path_to_next_grade": path},
                                                        original(rid)[1]))
    page = client.get(f"/result/{rating_id}?lang=en").get_data(as_text=True)
    assert 'id="held-back"' in page and "Coal caps it." in page



def test_steps_that_raise_one_indicator_say_their_gains_do_not_add_up() -> None:
    """Three policies at "+7.7" each read as +23.1 where together they earn 15.5 (the indicator counts two):
    a small-business adviser's review."""
    from rating_model.standard import load_standard
    from service.web.view.plan import plan_overlaps

    def step(action: str, gain: float, indicator: str = "environmental_management") -> dict[str, Any]:
        return {"action": action, "indicator": indicator, "score_gain": gain, "description": action,
                "description_zh": action + "（中）"}

    rating = {
        "contributions": [{"indicator": "environmental_management", "points": 0.0, "max_points": 15.5},
                          {"indicator": "green_operations", "points": 10.0, "max_points": 15.7}],
        "improvements": [step("policy", 7.7), step("procurement", 7.7), step("officer", 7.7),
                         step("led", 2.0, "green_operations")],
    }
    standard = load_standard()
    (note,) = plan_overlaps(rating, standard, "en", texts("en"))
    assert note == ("“policy”, “procurement”, “officer” all raise “Environmental management in place”: "
                    "together they earn at most 15.5 points, not 23.1.")
    (zh,) = plan_overlaps(rating, standard, "zh", texts("zh"))
    # no 顿号 between quoted items (GB/T 15834-2011, 4.5.3.5): "”、“" had one after each closing quote
    assert zh.startswith("“policy（中）”“procurement（中）”“officer（中）”都提高“环境管理措施”")
    rating["contributions"][0]["max_points"] = 23.1  # gains that do add up say nothing
    assert plan_overlaps(rating, standard, "en", texts("en")) == []


def test_a_page_rating_says_it_rests_on_the_business_s_own_unchecked_answers(make_app: AppFactory) -> None:
    """The link the owner hands a bank showed a grade, a PCAF score of 2 ("No input figure was estimated")
    and nothing of where it came from: anyone can rate any answers on the page, as often as they like,
    under a tenant no bank can list, and hand over the best one (an adversarial review: an owner tried
    variants of its answers and sent the dark-green one). The result page, the printed disclosure in both
    languages and its JSON now say that the answers are the business's own, checked by no bank, and that
    other ratings made on the page are not visible to a bank; a bank's own disclosure does not."""
    app = _app(make_app)
    client = app.test_client()
    location = _post(client).headers["Location"]
    base = location.split("?")[0]
    for lang in ("en", "zh"):
        words = str(escape(texts(lang)["provenance_public_page"]))  # as the page writes it (&#39;)
        assert words in client.get(f"{base}?lang={lang}").get_data(as_text=True)
        assert words in client.get(f"{base}/disclosure?lang={lang}").get_data(as_text=True)
    pdf = PdfReader(io.BytesIO(client.get(f"{base}/disclosure?as=pdf&lang=en").data))
    printed = " ".join(page.extract_text() for page in pdf.pages).replace("\n", " ")
    assert "which no bank has checked" in printed
    as_json = client.get(f"{base}/disclosure?as=json").get_json()
    assert as_json["provenance"] == {
        "issued_through": "public_page",
        "note": texts("en")["provenance_public_page"],
        "note_zh": texts("zh")["provenance_public_page"],
    }
    bank = create_key(app, "bank-a", "bank")
    rating_id = client.post("/v1/ratings", json=payload(), headers=bearer(bank)).get_json()["id"]
    own = client.get(f"/v1/ratings/{rating_id}/disclosure", headers={**bearer(bank), "Accept": "text/html"})
    assert own.status_code == 200 and str(escape(texts("en")["provenance_public_page"])) not in own.get_data(
        as_text=True
    )
    as_bank_json = client.get(f"/v1/ratings/{rating_id}/disclosure", headers=bearer(bank)).get_json()
    assert "provenance" not in as_bank_json


def test_a_green_loan_denied_for_the_activity_itself_is_not_said_to_be_denied_for_now() -> None:
    """A green-loan officer's review: a coal mine (ISIC 05, excluded activity) was told "Green loans are not
    available for now" (暂不能申请), as if the denial would lapse like a penalty's three years, where the
    standard's remedy says no change of operations lifts it. A penalty's denial is still "for now"."""
    from rating_model.standard import load_standard
    from service.web.view.loan import knock_out_names, lasting_knock_outs

    standard = load_standard()
    # standard 1.12.0's fossil-fuel distribution is of the activity too, but caps only (no loan denied)
    assert lasting_knock_outs(standard) == frozenset({"excluded_activity", "fossil_fuel_distribution"})
    mine = {"grade": "not_green", "green_loan": {
        "eligible": False, "knock_outs": ["excluded_activity: ...", "environmental_penalty: ..."]}}
    for lang, said in (("en", "Green loans are not available to this business: excluded activity; "),
                       ("zh", "不能申请绿色贷款：排除类经营活动；")):
        line = green_loan_line(mine, None, texts(lang), knock_out_names(standard, lang),
                               lasting=lasting_knock_outs(standard))
        assert not line["eligible"] and line["text"].startswith(said), line
        assert "for now" not in line["text"] and "暂" not in line["text"]
    penalty = {"grade": "light_green", "green_loan": {"eligible": False,
                                                      "knock_outs": ["environmental_penalty: ..."]}}
    line = green_loan_line(penalty, None, texts("en"), knock_out_names(standard, "en"),
                           lasting=lasting_knock_outs(standard))
    assert line["text"] == (
        "Green loans are not available for now: environmental penalty in the last three years.")
