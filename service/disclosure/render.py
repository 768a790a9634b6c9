"""Rendering a disclosure as HTML (Jinja, autoescaped) and as PDF (WeasyPrint, from that same HTML).

The PDF is printed from the very HTML the page shows, so the two carry the same figures by construction;
numbers are formatted by the filters below in both, and the tests compare them with the JSON rating.
Chinese renders because the page asks for Noto Sans CJK (Debian's ``fonts-noto-cjk``, installed by the
Makefile's test setup and the Docker image).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template

from rating_model.disclosure import IFRS_S2_SECTIONS
from rating_model.green_loan import COMPUTED_BEST_PCAF_SCORE
from service.web.i18n import texts


def num(value: Any, digits: int = 2) -> str:
    """A figure with fixed decimals (no thousands separator, so it reads back the same from a PDF)."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.{digits}f}"


def pct(value: Any, lang: str = "en") -> str:
    """A 0-1 share as a percentage with one decimal, its sign unspaced in both languages: "5.9%", as the
    rating's own notes write it beside the figure ("Renewable share 5.9%", "可再生能源占比 5.9%")."""
    if value is None:
        return texts(lang)["not_computed"] if lang == "zh" else "n/a"
    return f"{float(value) * 100:.1f}{percent_sign(lang)}"


def signed_pct(value: Any, lang: str = "en") -> str:
    """A difference already in percent, signed and to one decimal ("+12.3%", "-4.0%"): the reported
    inventory against the computed one, where the sign says which is larger."""
    if value is None:
        return texts(lang)["not_computed"] if lang == "zh" else "n/a"
    figure = float(value)
    return f"{figure:+.1f}{percent_sign(lang)}" if figure else f"0.0{percent_sign(lang)}"


def percent_sign(lang: str) -> str:
    """The percent sign after a figure in ``lang``: unspaced, in English ("5.3%") as in Chinese.

    English had been spaced ("5.3 %") while the rating's English reasons and notes write "5.3%" (engine
    2.13), so one English page wrote a percentage both ways. ``lang`` is kept so callers need not know."""
    return "%"


def show(value: Any) -> str:
    """A disclosure item's value as plain text (lists and mappings flattened; Jinja escapes the result)."""
    if isinstance(value, list | tuple):
        return "; ".join(show(v) for v in value) or "-"
    if isinstance(value, Mapping):
        return ", ".join(f"{k.replace('_', ' ')} {show(v)}" for k, v in value.items())
    if isinstance(value, float):
        return num(value, 4)
    return str(value)


def render_html(doc: Mapping[str, Any], lang: str) -> str:
    return render_template("disclosure.html", d=doc, t=texts(lang), lang=lang, sections=IFRS_S2_SECTIONS,
                           computed_best_pcaf=COMPUTED_BEST_PCAF_SCORE)


def render_pdf(html: str) -> bytes:
    """Print the HTML to PDF; imported lazily because WeasyPrint (and Pango) load slowly.

    WeasyPrint fetches what a document names (``file:``, ``http:``, ``data:``) by default, and embeds a
    ``<link rel="attachment">`` in the PDF: one company name printed unescaped would have handed the server's
    files, or its network, to whoever rates a business. The pages name no resource (their only styles are
    inline, their fonts come from fontconfig), so the printer is given none to fetch (security review).

    The PDF is tagged: its headings, tables (header cells apart from data cells) and paragraphs are in a
    structure tree, with the page's language and its title shown as the window's. Untagged, a screen reader
    read a bank's credit officer the PDF as one run of text, its tables' figures without their rows'
    labels (accessibility review).
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return bytes(HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf(pdf_tags=True))
