"""The result page's bars: each pillar's score out of its maximum, and each scope's emissions against the
largest scope's.

Bar lengths, and where each row and its label's lines go (:func:`chart_rows`), are computed here, so the
template only draws rectangles and text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rating_model.disclosure import inventory
from service.web.view import grouped

BAR_WIDTH = 320
#: the charts' geometry in their viewBox's units (result.html): labels from x = 0, bars from x = 200, a
#: row 34 high with its bar 24 high, the text 13 high (``svg text`` in the page's style)
LABEL_WIDTH = 190
ROW_HEIGHT = 34
LINE_HEIGHT = 16
FONT_SIZE = 13
#: a label's words: a run of other characters than spaces (with the spaces after it), or one CJK
#: character, which Chinese breaks between
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+\s*|\s+")
_NARROW = frozenset(" ijlft.,:;'!|()[]")


@dataclass(frozen=True)
class ChartRow:
    """One bar's row in a chart: its bar (a dict of :func:`pillar_bars` or :func:`emission_bars`), the
    top of the bar, and its label's lines with the baseline of each."""

    bar: Mapping[str, Any]
    y: int
    lines: tuple[tuple[str, int], ...]


def label_em(text: str) -> float:
    """A generous estimate of ``text``'s width in em: wide (CJK) characters 1, narrow Latin ones .35,
    capitals, m and w .8, others .6. The fonts the page names set lowercase Latin at about .52 em, so a
    label this estimates to fit does fit in any of them."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 1.0
        elif ch in _NARROW:
            width += 0.35
        elif ch.isupper() or ch in "mw":
            width += 0.8
        else:
            width += 0.6
    return width


def label_lines(label: str, width: float = LABEL_WIDTH) -> list[str]:
    """``label`` broken into the lines that fit ``width`` units beside the bars, between words (or between
    CJK characters); a word wider than the line is left whole on a line of its own.

    The label column is fixed: "Green practices and governance" ran under its bar, which hid "e" at its
    end (the README's own screenshot shows "governanc").
    """
    lines: list[str] = []
    current = ""
    for word in _WORD.findall(label.strip()):
        if current and label_em((current + word).rstrip()) * FONT_SIZE > width:
            lines.append(current.rstrip())
            current = word.lstrip()
        else:
            current += word
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def chart_rows(bars: Sequence[Mapping[str, Any]]) -> tuple[list[ChartRow], int]:
    """The rows of a chart of ``bars`` and the chart's height. A row whose label takes two lines is a line
    taller, its bar centred on them; a row of one line is where it always was (its bar 4 below the row's
    top, the label's baseline 17 below the bar's top)."""
    rows: list[ChartRow] = []
    top = 0
    for bar in bars:
        lines = label_lines(str(bar["label"]))
        extra = LINE_HEIGHT * (len(lines) - 1)
        y = top + 4 + extra // 2
        first = y + 17 - extra // 2
        rows.append(ChartRow(bar, y, tuple((line, first + LINE_HEIGHT * i) for i, line in enumerate(lines))))
        top += ROW_HEIGHT + extra
    return rows, top + 6


def pillar_bars(rating: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    bars = []
    for p in rating.get("pillars", []):
        top = float(p["max"]) or 1.0
        bars.append(
            {
                "label": p.get("name_zh") if lang == "zh" else p.get("name", p["pillar"]),
                "score": p["score"],
                "max": p["max"],
                "width": round(BAR_WIDTH * max(0.0, min(1.0, float(p["score"]) / top)), 1),
            }
        )
    return bars


def emission_bars(rating: Mapping[str, Any], t: Mapping[str, str]) -> list[dict[str, Any]]:
    """One bar per scope; a scope the rating does not disclose has no bar and says so instead of 0.00.

    Values and statuses are the disclosure's inventory (:func:`rating_model.disclosure.inventory`), so the
    page and the disclosure it links to never disagree on a scope.
    """
    inv = inventory(rating)
    rows = [
        (t["scope1"], "scope1"),
        (t["scope2"], "scope2_location"),
        (t["scope2m"], "scope2_market"),
        (t["scope3"], "scope3"),
    ]
    top = max((float(inv[k]) for _, k in rows if inv[k] is not None), default=0.0) or 1.0
    return [
        {
            "label": label,
            "value": inv[key],
            "width": 0.0 if inv[key] is None else round(BAR_WIDTH * float(inv[key]) / top, 1),
            "text": t["status_" + inv["status"][key]] if inv[key] is None else grouped(inv[key]),
        }
        for label, key in rows
    ]
