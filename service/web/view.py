"""What the result page shows, computed from the stored rating: badge, bars, reasons and the plan.

Indicator and action names come from the standard (``name_zh``, ``description_zh``) so the Chinese page
says what the English page says. Bar lengths are computed here, so the template only draws rectangles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.standard import Standard

BAR_WIDTH = 320
PLAN_STEPS = 4
GRADE_ORDER = ("not_green", "light_green", "green", "dark_green")


def _indicator_name(standard: Standard, indicator: str, lang: str) -> str:
    found = standard.indicators.get(indicator)
    if found is None:
        return indicator.replace("_", " ")
    return found.name_zh if lang == "zh" else found.name


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
    em = rating["emissions"]
    rows = [
        (t["scope1"], em["scope1"]),
        (t["scope2"], em["scope2_location"]),
        (t["scope2m"], em["scope2_market"]),
        (t["scope3"], (em.get("scope3") or {}).get("total", 0)),
    ]
    top = max((float(v) for _, v in rows), default=0.0) or 1.0
    return [
        {"label": label, "value": value, "width": round(BAR_WIDTH * float(value) / top, 1)}
        for label, value in rows
    ]


def reasons(rating: Mapping[str, Any], standard: Standard, lang: str) -> list[dict[str, Any]]:
    """The top reason codes; the Chinese text is rebuilt from the points table, not machine-translated."""
    points = {c["indicator"]: c for c in rating.get("contributions", [])}
    out = []
    for r in rating.get("reason_codes", []):
        c = points.get(r["indicator"])
        if lang == "zh" and c is not None:
            name = _indicator_name(standard, r["indicator"], lang)
            text = f"{name}：得 {c['points']:g} / {c['max_points']:g} 分"
        else:
            text = r["message"]
        out.append({"effect": r["effect"], "text": text})
    return out


def plan(rating: Mapping[str, Any], lang: str, t: Mapping[str, str]) -> list[dict[str, Any]]:
    """The best improvements: what to do, the points it earns, the grade it reaches, the CO2e it saves."""
    steps = []
    current = GRADE_ORDER.index(rating["grade"]) if rating["grade"] in GRADE_ORDER else 0
    for imp in rating.get("improvements", [])[:PLAN_STEPS]:
        if not imp.get("score_gain"):
            continue
        after = imp.get("grade_after")
        reaches = after if after in GRADE_ORDER and GRADE_ORDER.index(after) > current else None
        saved = imp.get("tco2e_saved")
        steps.append(
            {
                "text": imp.get("description_zh") if lang == "zh" else imp.get("description", imp["action"]),
                "gain": imp["score_gain"],
                "reaches": t["grade_" + reaches] if reaches else None,
                "saves": t["saves"].format(t=f"{saved:.1f}") if saved else None,
            }
        )
    return steps


def next_grade(rating: Mapping[str, Any], lang: str, t: Mapping[str, str]) -> dict[str, Any] | None:
    """The cheapest set of actions the engine checked together to reach the next grade, if it is reachable."""
    path = rating.get("path_to_next_grade") or {}
    if not path.get("reachable") or not path.get("target_grade"):
        return None
    described = {
        i["action"]: (i.get("description_zh") if lang == "zh" else i.get("description"))
        for i in rating.get("improvements", [])
    }
    return {
        "grade": t.get("grade_" + str(path["target_grade"]), path["target_grade"]),
        "actions": [described.get(a) or a.replace("_", " ") for a in path.get("actions", [])],
        "score_after": path.get("score_after"),
    }
