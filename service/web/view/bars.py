"""The result page's bars: each pillar's score out of its maximum, and each scope's emissions against the
largest scope's.

Bar lengths are computed here, so the template only draws rectangles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.disclosure import inventory
from service.web.view import grouped

BAR_WIDTH = 320


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
