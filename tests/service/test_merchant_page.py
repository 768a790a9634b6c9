"""The merchant page at /: form, CSRF, rate limit, the result, both languages and the disclosure links."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.conftest import AppFactory, bearer, create_key

SECRET = "test-secret-key-of-at-least-32-characters"
FORM = {
    "company_name": "Lotus <Tea> House",
    "industry": "5610",
    "region": "CN-ZJ",
    "employees": "8",
    "revenue": "1500000",
    "electricity": "30000",
    "electricity_unit": "kwh",
    "led_lighting": "yes",
    "e_invoicing": "yes",
}


def _token(client: FlaskClient, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
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
    posted = client.post("/?lang=en", data={**FORM, "csrf_token": _token(client)})
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
    location = client.post("/", data={**FORM, "csrf_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    bank = create_key(app, "bank-a", "bank")
    assert client.get(f"/v1/ratings/{rating_id}", headers=bearer(bank)).status_code == 404
    assert client.get("/v1/ratings", headers=bearer(bank)).get_json()["items"] == []


def test_post_without_a_valid_csrf_token_is_refused(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    token = _token(client)
    assert client.post("/", data=FORM).status_code == 400
    assert client.post("/", data={**FORM, "csrf_token": token + "x"}).status_code == 400
    app = _app(make_app)
    other, mine = app.test_client(), app.test_client()
    _token(other)  # the other browser has its own cookie: a token from another browser does not match it
    assert other.post("/", data={**FORM, "csrf_token": _token(mine)}).status_code == 400
    assert client.post("/", data={**FORM, "csrf_token": token}).status_code == 303


def test_invalid_fields_are_shown_next_to_their_labels(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    bad = client.post(
        "/?lang=en", data={**FORM, "employees": "-3", "industry": "x<y", "csrf_token": _token(client)}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="employees-error"' in html and 'aria-invalid="true"' in html and 'id="industry-error"' in html
    assert "x<y" not in html


def test_page_is_rate_limited_per_address(make_app: AppFactory) -> None:
    client = _app(make_app, PAGE_RATE_LIMIT="2 per minute").test_client()
    codes = [
        client.post("/", data={**FORM, "employees": str(n), "csrf_token": _token(client)}).status_code
        for n in (3, 4, 5)
    ]
    assert codes == [303, 303, 429]


def test_secret_key_setting_is_checked() -> None:
    import pytest

    from service.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="GREENRATE_SECRET_KEY"):
        load_settings(environ={"GREENRATE_SECRET_KEY": "short"})
    assert load_settings(environ={"GREENRATE_SECRET_KEY": SECRET}).secret_key == SECRET


def test_next_grade_lists_the_checked_actions_in_the_owners_language() -> None:
    from service.web.i18n import texts
    from service.web.view import next_grade

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
    assert zh == {"grade": "浅绿", "actions": ["做一", "a2"], "score_after": 48.0}
    assert next_grade({"path_to_next_grade": {"reachable": False}}, "en", texts("en")) is None


def test_pdf_downloads_share_the_page_budget(make_app: AppFactory) -> None:
    client = _app(make_app, PAGE_RATE_LIMIT="1 per minute").test_client()
    location = client.post("/", data={**FORM, "csrf_token": _token(client)}).headers["Location"]
    rating_id = location.split("/")[2].split("?")[0]
    assert client.get(f"/result/{rating_id}").status_code == 200
    assert client.get(f"/result/{rating_id}/disclosure?as=pdf").status_code == 200
    limited = client.get(f"/result/{rating_id}/disclosure?as=pdf")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"


def test_without_a_configured_secret_the_machine_key_is_made_once_and_shared(tmp_path: Path) -> None:
    from service.web.csrf import _instance_secret

    path = tmp_path / "instance" / "secret_key"
    first = _instance_secret(path)
    assert len(first) >= 32 and _instance_secret(path) == first  # every worker reads the same key
    assert path.stat().st_mode & 0o777 == 0o600


def _luminance(hex_color: str) -> float:
    """WCAG 2.1 relative luminance of #rrggbb."""
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


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
