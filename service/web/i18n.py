"""The two languages of the merchant page and the printable disclosure: English and Simplified Chinese.

The owner's language is taken from ``?lang=`` (the switch on the page) and otherwise from
``Accept-Language``; everything else falls back to English. This module is the machinery: it picks the
language, hands a page its words and writes numbers, money and times as a reader of that language does. The
page's own words are in :mod:`service.web.catalogue`, by the page or area that says them. Indicator, pillar
and action names come from the standard itself (``name_zh``, ``description_zh``); the labels of what the
engine names by key are in :mod:`service.web.labels`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request
from markupsafe import Markup, escape

from rating_model.amounts import amount
from schemas.merchant import DISCLOSURE_LANGUAGES
from service.web.catalogue import TEXTS

LANGUAGES = DISCLOSURE_LANGUAGES

_SUBTAG = re.compile(r"[-_]")


def negotiate(accepted: Iterable[tuple[str, float]]) -> str:
    """The first of our languages the browser accepts, in its order of preference; else English.

    Each tag counts for its primary language (``en-US`` is English, ``zh-TW`` Chinese), and tags are taken
    by quality, so ``en-US,zh;q=0.9`` is English. ``q=0`` means "not this one"; ``*`` means any language,
    which is English unless English was refused.
    """
    ranked = [(_primary(tag), quality) for tag, quality in accepted]
    refused = {primary for primary, quality in ranked if quality <= 0}
    for primary, quality in sorted(ranked, key=lambda item: -item[1]):  # stable: equal q keep their order
        if quality <= 0:
            break
        if primary in LANGUAGES:
            return primary
        if primary == "*":
            return next((lang for lang in LANGUAGES if lang not in refused), LANGUAGES[0])
    return LANGUAGES[0]


def _primary(tag: str) -> str:
    return _SUBTAG.split(tag.strip(), maxsplit=1)[0].lower()


def choose_language() -> str:
    """``?lang=`` wins (the page's switch), then the browser's ``Accept-Language``, then English."""
    # the query string only: reading the form (request.values) of a body over the size limit raised 413
    # again inside the 413 page's own handler, and the visitor got a bare 500
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return negotiate(request.accept_languages)


def money(value: object, currency: object, lang: str) -> str:
    """An amount of money as a reader of ``lang`` writes it: "60万元" in Chinese for yuan (not "600000
    CNY", a Chengdu reviewer's note on the disclosure), the figure and its ISO code otherwise."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "n/a"
    if lang == "zh" and currency == "CNY":
        return f"{amount(float(value), lang)}元"
    return f"{float(value):.0f} {currency}"


def _beijing() -> tzinfo:
    """Asia/Shanghai from the time-zone database; without one, its fixed offset (China has kept UTC+8
    without daylight saving since 1991, before any rating)."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=8), "Asia/Shanghai")


def local_time(stamp: object, lang: str) -> str:
    """A rating's UTC time (ISO 8601, "Z") as the owner reads it: Beijing time, named, in either language
    ("2026-12-06 12:00（北京时间）", "2026-12-06 12:00 (Beijing time)"). The English pages had shown the
    stored stamp ("2026-12-06T04:00:00Z") beside the Chinese pages' Beijing time, a date that could differ
    from theirs (a browser review); the stamp itself stays in the JSON. A value that is not a time is
    shown as it is."""
    text = str(stamp or "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    named = "（北京时间）" if lang == "zh" else " (Beijing time)"
    return moment.astimezone(_beijing()).strftime("%Y-%m-%d %H:%M") + named


def disclosure_time(stamp: object, lang: str) -> str:
    """A rating's time as the printable disclosure shows it: the stored UTC stamp in English, which a
    bank's credit file reads back exactly as the JSON has it (as it reads the figures, unseparated), and
    Beijing time in Chinese (:func:`local_time`), as a Chengdu reviewer asked of the Chinese disclosure."""
    return local_time(stamp, lang) if lang == "zh" else str(stamp or "")


#: The parameters of an error that are years, written as they are: "2025", where a figure is "2,025".
YEAR_PARAMS = frozenset({"year", "first_year", "last_year"})


def message(lang: str, key: str, params: Mapping[str, str]) -> str:
    """The text of an error ``key``, its numbers written for ``lang`` (:func:`amount`), its years
    (:data:`YEAR_PARAMS`) as they are."""
    written = {
        name: value if name in YEAR_PARAMS else amount(float(value), lang) for name, value in params.items()
    }
    return texts(lang)[key].format(**written)


#: Chinese characters, the CJK punctuation and full-width forms written with them
_HAN = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
#: a run of Chinese in other text: a figure written onto it ("90万", "3000方") and figures inside it
#: ("关于发布2023年电力…的公告") are read as part of it
_CHINESE_RUN = re.compile(rf"(?:\d+(?:\.\d+)?)?[{_HAN}](?:[{_HAN}\d.]*[{_HAN}])?")


def chinese_marked(text: object, lang: str | None) -> Markup:
    """``text`` escaped for HTML, its Chinese runs marked ``lang="zh-CN"`` where the text around them is in
    another language (``lang`` not "zh"): "90万" in an English hint, "华东" and a Chinese publication's title
    in an English factor note or source. A screen reader reads an unmarked run in the page's English voice,
    which spells or skips the characters (WCAG 3.1.2), and the CJK font is taken for it (the pages' style
    gives ``[lang|="zh"]`` that font first)."""
    escaped = str(escape(text))
    if lang == "zh":
        return Markup(escaped)
    return Markup(_CHINESE_RUN.sub(lambda run: f'<span lang="zh-CN">{run.group(0)}</span>', escaped))


def texts(lang: str) -> Mapping[str, str]:
    """The page's words in ``lang`` (English for anything unknown)."""
    return TEXTS.get(lang, TEXTS["en"])
