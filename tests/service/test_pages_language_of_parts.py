"""Chinese inside English text is marked as Chinese (WCAG 3.1.2, language of parts).

A screen reader speaks a page in the voice of its ``lang``; Chinese left unmarked in English text ("90万"
in the revenue hint, "2.4万" in an error, "华东" and a publication's Chinese title in the disclosure's
factor notes and sources) was read in the English voice, which spells the characters out or skips them.
Each run of Chinese in English text is now in a ``lang="zh-CN"`` span, on English pages and in the parts of
a Chinese page that are English (a factor source).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from service.web.i18n import chinese_marked
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _token

_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class _Parts(HTMLParser):
    """Each text of a page with Chinese in it whose nearest ``lang`` is not Chinese."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.unmarked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if tag_of(self.open) in ("style", "title"):  # the title is one string, in the page's language
            return
        nearest = next((lang for _, lang in reversed(self.open) if lang), "")
        if _CHINESE.search(data) and not nearest.startswith("zh"):
            self.unmarked.append(data.strip())


def tag_of(open_tags: list[tuple[str, str | None]]) -> str:
    return open_tags[-1][0] if open_tags else ""


def unmarked_chinese(page: str) -> list[str]:
    parts = _Parts()
    parts.feed(page)
    return parts.unmarked


def test_runs_of_chinese_are_marked_with_the_figures_written_onto_them() -> None:
    assert chinese_marked("Enter 90万 or 2.4万.", "en") == (
        'Enter <span lang="zh-CN">90万</span> or <span lang="zh-CN">2.4万</span>.'
    )
    assert chinese_marked("factors (关于发布2023年电力的公告; 2025)", "en") == (
        'factors (<span lang="zh-CN">关于发布2023年电力的公告</span>; 2025)'
    )
    assert chinese_marked("a <b> & 华东", "en") == 'a &lt;b&gt; &amp; <span lang="zh-CN">华东</span>'
    assert chinese_marked("写 90万", "zh") == "写 90万"  # Chinese in Chinese text is the page's own
    assert chinese_marked("2023 kWh", "en") == "2023 kWh"


def test_the_english_form_marks_the_chinese_in_its_hints_and_errors(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    form = client.get("/?lang=en").get_data(as_text=True)
    assert 'and <span lang="zh-CN">90万</span> both work' in form
    assert unmarked_chinese(form) == []
    refused = client.post(
        "/?lang=en", data={"revenue": "2.4w", "csrf_token": _token(client), "industry": "5610"}
    ).get_data(as_text=True)
    assert '<span lang="zh-CN">2.4万</span>' in refused  # "Write 万 for “w”…: 2.4w as 2.4万 or 24000."
    assert unmarked_chinese(refused) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_disclosure_marks_chinese_in_its_english_parts(make_app: AppFactory, lang: str) -> None:
    client = _app(make_app).test_client()
    location = _post(client, lang, company_name="莲花茶馆").headers["Location"]
    result = client.get(location).get_data(as_text=True)
    disclosure = client.get(location.split("?")[0] + f"/disclosure?lang={lang}").get_data(as_text=True)
    # a factor source names a Chinese publication, in an English cell of either page
    assert '(<span lang="zh-CN">关于发布2023年电力二氧化碳排放因子的公告</span>;' in disclosure
    assert unmarked_chinese(result) == []
    assert unmarked_chinese(disclosure) == []


def test_an_old_ratings_english_reasons_are_marked_english_on_the_chinese_page() -> None:
    """A rating of an engine before 1.7 has no ``message_zh``: the Chinese page shows the engine's English
    sentence for an indicator it has no points row for, or one waiting on an input, and that sentence was
    not marked, so a screen reader read it in the page's Chinese voice (WCAG 3.1.2). It is in a
    ``lang="en"`` span there, escaped like any text; the English page shows it as before."""
    from markupsafe import Markup, escape

    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.web.view.reasons import reasons

    standard = load_standard(DEFAULT_STANDARD)
    heat = next(r for r in standard.missing_when_not_reported if r.field == "energy.purchased_heat_gj")
    waiting = (f"Energy use against sector peers: {heat.reason} (scored in the missing-data bin) earns 0 "
               "of 9 points.")
    rating = {
        "reason_codes": [
            {"indicator": "carbon_intensity", "effect": "negative", "message": "Scope 1 < Scope 2: 0 of 9."},
            {"indicator": "energy_efficiency_ratio", "effect": "negative", "message": waiting},
        ],
        "contributions": [  # none for carbon_intensity: the page has only the engine's sentence for it
            {"indicator": "energy_efficiency_ratio", "value": None, "unit": "ratio (actual / expected)",
             "points": 0.0, "max_points": 9.0},
        ],
    }
    zh = [r["text"] for r in reasons(rating, standard, "zh")]
    assert zh[0] == '<span lang="en">Scope 1 &lt; Scope 2: 0 of 9.</span>' and isinstance(zh[0], Markup)
    assert zh[1] == f'<span lang="en">{escape(waiting)}</span>'  # "the park's steam"
    en = [r["text"] for r in reasons(rating, standard, "en")]
    assert en[0] == "Scope 1 < Scope 2: 0 of 9." and not isinstance(en[0], Markup)  # escaped by the page
    assert en[1].startswith("Energy use against sector peers") and "lang=" not in en[1]
    # with message_zh (engine 1.7 on), the Chinese page says it in Chinese, unmarked
    rating["reason_codes"][0]["message_zh"] = "碳强度：得 0 / 9 分。"
    assert reasons(rating, standard, "zh")[0]["text"] == "碳强度：得 0 / 9 分。"

