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
