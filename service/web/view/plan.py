"""The way to a better grade: the improvement plan, where its steps' gains overlap, the actions that reach
the next grade (each with what it adds after the ones before it), what holds it back, and the grade ladder
with the points to the next grade or the caps that hold the grade.

Everything is read from the rating's ``improvements``, ``path_to_next_grade`` and points table, as the
engine re-rated them: the page works out no gain of its own, only how to say it. The grades run worst
first in :data:`GRADE_ORDER`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from itertools import pairwise
from typing import Any

from rating_model.disclosure import grade_caps as disclosure_caps
from rating_model.improvements import missing_data_messages
from rating_model.standard import Standard
from service.web.i18n import texts
from service.web.labels import joined
from service.web.view import FLEET, grouped, indicator_name, no_vehicles, standard_label

PLAN_STEPS = 4
GRADE_ORDER = ("not_green", "light_green", "green", "dark_green")


def _better(grade: Any, than: int) -> bool:
    """Whether ``grade`` is a grade above the one at index ``than`` of :data:`GRADE_ORDER`."""
    return grade in GRADE_ORDER and GRADE_ORDER.index(grade) > than


def _saving(saved: float | None, t: Mapping[str, str]) -> str | None:
    """What an action does to the yearly emissions, as the plan says it; nothing when it rounds to 0.0.

    An action can add emissions (an EV charged on a coal-heavy grid): said as such, never hidden.
    """
    if saved is None or abs(saved) < 0.05:
        return None
    return t["saves" if saved > 0 else "adds"].format(t=grouped(abs(saved), 1))


#: the action whose instruments count only for the electricity of their own year (schema 1.13's vintage)
GREEN_POWER = "buy_green_power"


def _described(action: str, text: Any, t: Mapping[str, str], year: int | None) -> str:
    """An action as the plan says it: the standard's text, and for green power the year it must be of.

    "Buy certified green electricity ... for part of your use" named no year, where certificates count only
    for the electricity of the year rated (:func:`rating_model.operating_data.vintage_counts`)."""
    said = str(text or action.replace("_", " "))
    if action == GREEN_POWER and year is not None:
        said += t["green_power_year"].format(year=year)
    return said


def plan(
    rating: Mapping[str, Any], lang: str, t: Mapping[str, str], year: int | None = None
) -> list[dict[str, Any]]:
    """The best improvements: what to do, the points it earns, the grade it reaches, the CO2e it saves.

    ``year`` is the year rated (the stored ``company.reporting_year``), said after the green-power step."""
    steps = []
    current = GRADE_ORDER.index(rating["grade"]) if rating["grade"] in GRADE_ORDER else 0
    for imp in rating.get("improvements", [])[:PLAN_STEPS]:
        if not imp.get("score_gain"):
            continue
        after = imp.get("grade_after")
        reaches = after if _better(after, current) else None
        saved = imp.get("tco2e_saved")
        described = imp.get("description_zh" if lang == "zh" else "description")
        steps.append(
            {
                "text": _described(imp["action"], described, t, year),
                "gain": imp["score_gain"],
                "reaches": t["grade_" + reaches] if reaches else None,
                "saves": _saving(saved, t),
            }
        )
    return steps


def plan_overlaps(
    rating: Mapping[str, Any], standard: Standard, lang: str, t: Mapping[str, str]
) -> list[str]:
    """Where the plan's steps raise the same indicator and their gains do not add up, how much they earn
    together at most (the points that indicator still lacks).

    Each step's gain is measured alone: three policies at "+7.7" each read as +23.1 where together they
    earn 15.5, the indicator counting two (a small-business adviser's review).
    """
    gaps = {c["indicator"]: c["max_points"] - c["points"] for c in rating.get("contributions", [])}
    shown: dict[str, list[Mapping[str, Any]]] = {}
    for imp in rating.get("improvements", [])[:PLAN_STEPS]:
        if imp.get("score_gain"):
            shown.setdefault(imp["indicator"], []).append(imp)
    notes = []
    for indicator, steps in shown.items():
        total = sum(float(s["score_gain"]) for s in steps)
        gap = gaps.get(indicator)
        if len(steps) < 2 or gap is None or total <= gap + 0.05:
            continue
        texts = [str(s.get("description_zh") if lang == "zh" else s.get("description", s["action"]))
                 for s in steps]
        quoted = [f"“{x}”" for x in texts]
        notes.append(t["overlap"].format(
            # quoted items stand side by side without a 顿号 between them (GB/T 15834-2011, 4.5.3.5):
            # "“制定并公开环境政策”、“采购……”" had one after each closing quote
            actions="".join(quoted) if lang == "zh" else joined(quoted, lang),
            indicator=indicator_name(standard, indicator, lang),
            most=f"{gap:.1f}",
            total=f"{total:.1f}",
        ))
    return notes


def _tenths(score: Any) -> int:
    """A score in tenths of a point, rounded as the page prints it (``num(1)``)."""
    return round(float(f"{float(score):.1f}") * 10)


def _step_gains(path: Mapping[str, Any], score: Any) -> list[int] | None:
    """What each action of the path adds after the ones before it, in tenths of a point as the page says
    them; ``None`` for a rating stored before schema 1.10 (no ``score_gains``, or not one per action).

    Each step is the difference of the printed scores before and after it (the rating's score, plus the
    gains so far, the last one the path's ``score_after``), so the steps the owner reads add up to the score
    the path reaches as printed: gains of 2.14 and 1.83 from 41.33, each printed on its own, would read
    "+2.1, +1.8" (3.9) from 41.3 to 45.3; as printed here they read "+2.2, +1.8".
    """
    gains = path.get("score_gains")
    actions = path.get("actions") or []
    if not isinstance(gains, list) or not actions or len(gains) != len(actions) or score is None:
        return None
    reached = [float(score)]
    for gain in gains[:-1]:
        reached.append(reached[-1] + float(gain))
    reached.append(float(path["score_after"]))
    printed = [_tenths(s) for s in reached]
    return [after - before for before, after in pairwise(printed)]


def _signed(tenths: int) -> str:
    return f"{tenths / 10:+.1f}"


def next_grade(
    rating: Mapping[str, Any], lang: str, t: Mapping[str, str], year: int | None = None
) -> dict[str, Any] | None:
    """The actions the engine re-rated together, cheapest first, and the grade they reach; if reachable.

    The grade is the path's ``grade_after`` (what those actions were checked to reach, which can be above
    the next grade), never its ``target_grade``. The engine takes actions cheapest first, so the list is
    not the only way up: when one action of the plan alone already lifts the grade, ``alone`` says so.

    ``gains`` are the points each action adds after the ones before it (the path's ``score_gains``, schema
    1.10), signed and with one decimal, so the list adds up to ``score_after``: the plan's own gains are
    each measured alone, and where two actions raise one indicator (green packaging and LED lighting, 3.7
    points each alone, 8.6 together) they did not. A rating stored before has none (``gains`` is ``None``):
    the actions are listed as they were. ``differs`` says whether a step's gain is not the one the plan
    above shows for that action alone (its first :data:`PLAN_STEPS`), which the page then explains.
    ``year`` is the year rated, said after the green-power step as :func:`plan` says it.
    """
    path = rating.get("path_to_next_grade") or {}
    if not path.get("reachable") or not path.get("target_grade"):
        return None
    grade = str(path.get("grade_after") or path["target_grade"])
    improvements = rating.get("improvements", [])
    described = {
        i["action"]: (i.get("description_zh") if lang == "zh" else i.get("description")) for i in improvements
    }
    actions = list(path.get("actions", []))
    current = GRADE_ORDER.index(rating["grade"]) if rating.get("grade") in GRADE_ORDER else 0
    alone = next(
        (i for i in improvements if i.get("score_gain") and _better(i.get("grade_after"), current)), None
    )
    if alone is not None and actions == [alone["action"]]:
        alone = None  # the path is that very action: nothing more to say
    steps = _step_gains(path, rating.get("score"))
    # the gains the plan above shows, each measured alone (:func:`plan`)
    by_itself = {i["action"]: i["score_gain"] for i in improvements[:PLAN_STEPS] if i.get("score_gain")}
    return {
        "grade": t.get("grade_" + grade, grade),
        "actions": [_described(a, described.get(a), t, year) for a in actions],
        "gains": None if steps is None else [_signed(g) for g in steps],
        "differs": steps is not None and any(
            a in by_itself and _tenths(by_itself[a]) != g for a, g in zip(actions, steps, strict=True)
        ),
        "score_after": path.get("score_after"),
        "alone": None
        if alone is None
        else {
            "action": _described(alone["action"], described.get(alone["action"]), t, year),
            "grade": t.get("grade_" + str(alone["grade_after"]), alone["grade_after"]),
        },
    }


def held_back(
    rating: Mapping[str, Any],
    lang: str,
    operating: Mapping[str, Any] | None = None,
    standard: Standard | None = None,
) -> list[str]:
    """Why the next grade is out of reach, in the page's language (engine 1.7 on; earlier ratings: none).

    Without it a plan that could not reach the next grade showed an empty list under its heading. The
    engine lists the fleet of a business that answered "no vehicles" among the figures "not reported"
    under a standard that does not score that answer: the page names the answer instead, and counts the
    other figures' points without it (:func:`_missing_data`). The completeness cap's remedy names figures
    the form asks in its "more details" part (floor area, water, waste, last year's electricity): the page
    says where they are, as the short form alone had no field for them.
    """
    path = rating.get("path_to_next_grade") or {}
    if path.get("reachable") or not path.get("target_grade"):
        return []
    t = texts(lang)
    key = "message_zh" if lang == "zh" else "message"
    out = []
    for h in path.get("held_back_by", []):
        message = str(h.get(key) or h["message"])
        if h.get("reason") == "missing_data" and standard is not None:
            out.extend(_missing_data(h, message, rating, operating, standard, lang))
            continue
        if h.get("reason") == "knock_out" and h.get("knock_out") == "insufficient_data":
            message = f"{message}{'' if lang == 'zh' else ' '}{t['completeness_on_form']}"
        out.append(message)
    return out


def held_back_heading(rating: Mapping[str, Any], t: Mapping[str, str], lasting: Collection[str] = ()) -> str:
    """The heading of :func:`held_back`'s list: "out of reach for now", unless a knock-out in ``lasting``
    (the activity itself, which no change lifts) holds the next grade back, when "for now" would promise
    what its remedy denies (a petrol station under standard 1.12.0, as a coal mine before it)."""
    path = rating.get("path_to_next_grade") or {}
    held = path.get("held_back_by") or []
    for h in held:
        if h.get("reason") == "knock_out" and h.get("knock_out") in lasting:
            return t["held_back_lasting"]
    return t["held_back"]


def _missing_data(
    held: Mapping[str, Any],
    message: str,
    rating: Mapping[str, Any],
    operating: Mapping[str, Any] | None,
    standard: Standard,
    lang: str,
) -> list[str]:
    """The engine's "points wait in figures not reported", without the fleet when the owner answered "no
    vehicles" (said on its own line, with the points no answer on the form can earn under this standard).
    The other indicators are said as the engine says them (:func:`missing_data_messages`: figures to
    report apart from practices to answer)."""
    indicators = [str(i) for i in held.get("indicators", [])]
    if FLEET not in indicators or not no_vehicles(operating):
        return [message]
    t = texts(lang)
    points = {c["indicator"]: c for c in rating.get("contributions", [])}
    fleet = points.get(FLEET)
    if fleet is None or any(i not in points or i not in standard.indicators for i in indicators):
        return [message]  # a points table the page cannot read: the engine's sentence as it is
    out = []
    others = [i for i in indicators if i != FLEET]
    if others:
        gaps = [(i, float(points[i]["max_points"]) - float(points[i]["points"])) for i in others]
        english, chinese = missing_data_messages(gaps, standard)
        out.append(chinese if lang == "zh" else english)
    lacking = float(fleet["max_points"]) - float(fleet["points"])
    out.append(t["held_no_vehicles"].format(
        name=indicator_name(standard, FLEET, lang), points=f"{lacking:g}",
        standard=standard_label(rating) or "-",
    ))
    return out


def grade_ladder(rating: Mapping[str, Any], standard: Standard, t: Mapping[str, str]) -> dict[str, Any]:
    """The four grades with the score each starts at, worst first, the rating's own marked, and the points
    to the next one: "Not green 22.8 / 100" alone said nothing about how far the next grade is.

    The distance is only given when the grade is the score's own: a grade capped by a knock-out (a penalty,
    an excluded activity) does not rise with points, and the reasons above say why.
    """
    floors = {c.grade: c.min_score for c in standard.cutoffs}
    steps = [
        {"grade": g, "label": t["grade_" + g], "from": floors[g], "current": g == rating.get("grade")}
        for g in GRADE_ORDER
        if g in floors
    ]
    score = float(rating.get("score", 0.0))
    uncapped = standard.grade_for(score) == rating.get("grade")
    above = sorted((floor, g) for g, floor in floors.items() if floor > score)
    gap = None
    if uncapped and above:
        floor, grade = above[0]
        # rounded up: 59.96 against 60 is "0.1 more points", never "0.0" beside a score shown as 60.0
        gap = {"points": math.ceil((floor - score) * 10 - 1e-9) / 10, "label": t["grade_" + grade]}
    return {"steps": steps, "gap": gap}


def grade_caps(
    rating: Mapping[str, Any], standard: Standard, lang: str, lasting: Collection[str] = ()
) -> dict[str, Any] | None:
    """The knock-outs that apply to the rating (``knock_outs``, schema 1.4 on), said under the grades: each
    with the grade it caps at and what lifts it; ``None`` when none applies.

    The ladder gives no distance to the next grade when the grade is capped, and the cap was said only at
    the foot of the plan, when it held the next grade back: a salon whose electricity is in the rent,
    answering 0 kWh (standard 1.11.0's ``energy_implausibly_low``), read "Light green" beside a score of
    63.3 and "Green: from 60" with nothing near them saying why, and the same salon at 29.6 points, not
    yet held back by it, was never told that its 0 kWh was doubted. ``binding`` is the grade the score
    alone earns (the rating's ``score_grade``) when a cap holds the grade below it. A cap already explained
    under "why the next grade is out of reach" points there (``below``, the words that do) rather than saying
    its remedy twice; a cap in ``lasting`` (:func:`service.web.view.loan.lasting_knock_outs`: the activity
    itself) is not said to be lifted there, and the heading pointed to is the one :func:`held_back_heading`
    gives: a petrol station (standard 1.12.0) had read "What lifts it is said below, under “Why the next
    grade is out of reach for now”" above "no change of operations lifts this cap".

    What each cap is (name, grade, remedy) is read as the disclosure reads it
    (:func:`rating_model.disclosure.grade_caps`): from the rating and the standard it names, so a rating
    issued under an earlier standard shows that standard's remedy, not the current one's. ``standard`` (the
    current one) only names a knock-out a rating before schema 1.7 stored no Chinese name for.
    """
    applied = disclosure_caps(rating)
    if not applied:
        return None
    t = texts(lang)
    current = {k.id: k for k in standard.knock_outs}
    path = rating.get("path_to_next_grade") or {}
    said_below = set()
    if path.get("target_grade") and not path.get("reachable"):  # the held-back list (:func:`held_back`)
        held = path.get("held_back_by", [])
        said_below = {h.get("knock_out") for h in held if h.get("reason") == "knock_out"}
    caps = []
    for k in applied:
        ko_id = k["id"]
        if lang == "zh":
            known = current.get(ko_id)
            name = k["name_zh"] or (known.name_zh if known else "") or t.get("knock_out_" + ko_id, ko_id)
            remedy = k["remedy_zh"] or ""
        else:
            name, remedy = k["name"], k["remedy"] or ""
        cap = str(k["cap_grade"] or "")
        line = t["cap_line"].format(name=name, grade=t.get("grade_" + cap, cap))
        below = None
        if ko_id in said_below:
            heading = held_back_heading(rating, t, lasting).rstrip(":：")
            below = t["cap_below_lasting" if ko_id in lasting else "cap_below"].format(heading=heading)
        elif remedy:
            line = f"{line}{'' if lang == 'zh' else ' '}{remedy}"
        caps.append({"text": line, "below": below})
    grade = rating.get("grade")
    # the rating's own score grade (schema 1.4 on, with knock_outs), not the cut-offs read again
    own = str(rating.get("score_grade") or standard.grade_for(float(rating.get("score", 0.0))))
    binding = (
        own in GRADE_ORDER and grade in GRADE_ORDER and GRADE_ORDER.index(own) > GRADE_ORDER.index(str(grade))
    )
    intro = (
        t["caps_binding"].format(score=f"{float(rating['score']):.1f}", grade=t["grade_" + own])
        if binding
        else t["caps_apply"]
    )
    return {"intro": intro, "caps": caps}
