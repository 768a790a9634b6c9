"""What the result page shows, computed from the stored rating: badge, bars, reasons and the plan.

Indicator and action names come from the standard (``name_zh``, ``description_zh``) so the Chinese page
says what the English page says. Bar lengths are computed here, so the template only draws rectangles. The
disclosure page's item values are shown through :func:`disclosure_value`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rating_model import estimation
from rating_model.disclosure import assumed_figures, inventory
from rating_model.exceptions import InvalidInputError
from rating_model.indicators import YEAR_ON_YEAR
from rating_model.sector_benchmarks import sector_of
from rating_model.standard import Standard, load_standard, published_standard_path
from service.disclosure.render import num, percent_sign, show
from service.web.i18n import amount, texts
from service.web.labels import data_source_label, field_labels, joined, unreported_labels

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
            "text": t["status_" + inv["status"][key]] if inv[key] is None else num(inv[key]),
        }
        for label, key in rows
    ]


#: how an indicator comparing the business with its sector's expectation is measured
_PEER_RATIO = "ratio (actual / expected)"


#: the fleet indicator, and the input that answers it with "no vehicles" (``transport.fleet: []``)
_FLEET = "low_carbon_fleet_share"


def no_vehicles(operating: Mapping[str, Any] | None) -> bool:
    """Whether the owner answered "no vehicles": the stored input's fleet is ``[]`` (an answer), not left
    out (not answered)."""
    return ((operating or {}).get("transport") or {}).get("fleet") == []


#: the benchmark sector whose businesses the Chinese page calls 企业, not 店铺
_MANUFACTURING = "manufacturing"


def business_word(operating: Mapping[str, Any] | None, lang: str) -> str:
    """What the page calls the business beside its peers and in its green-loan line: a shop (店铺), or a
    business (企业) for a manufacturer (the form's garment, printing, furniture and metal workshops, food
    processing and a bakery making its own bread: ISIC section C). "用能比同类店铺少 20%" read oddly to a
    garment factory (a review in Chinese); the English page says "business" either way."""
    code = str(((operating or {}).get("company") or {}).get("industry_code") or "")
    try:
        manufacturer = bool(code) and sector_of(code) == _MANUFACTURING
    except InvalidInputError:  # a code the benchmarks do not know: the page's usual word
        manufacturer = False
    return texts(lang)["business_manufacturer" if manufacturer else "business_shop"]


def _standard_label(rating: Mapping[str, Any]) -> str:
    return str((rating.get("versions") or {}).get("standard") or "")


def reasons(
    rating: Mapping[str, Any], standard: Standard, lang: str, operating: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The top reason codes in an owner's words, rebuilt from the points table (the Chinese is never
    machine-translated). The engine's own message speaks to an analyst ("not reported (scored in the
    missing-data bin)", "0.851 ratio (actual / expected)"): a figure the form did not ask says so plainly,
    and a comparison with the sector says how much more or less than similar businesses.

    ``operating`` is the rating's stored input: an owner who answered "no vehicles" was told the fleet was
    "not reported" (a review in Chengdu). What the page says follows the input and the points the
    indicator got, never a standard's version: scored (a fleet with no combustion vehicle) or left in the
    missing bin by the standard the rating used, the answer "no vehicles" is shown either way.

    Every reason the engine gives is shown: from engine 2.2 they are the three largest losses and every
    indicator left unassessed for an input not reported, with the standard's remedy and its points (the
    Harbin noodle shop's energy ratio, lost to its heat left out, had never been explained). The change on
    last year left unassessed says the change the comparison still computed, when it did
    (:func:`change_unscored`): a workshop that halved its emissions saw nothing of it."""
    points = {c["indicator"]: c for c in rating.get("contributions", [])}
    t = texts(lang)
    business = business_word(operating, lang)
    out = []
    for r in rating.get("reason_codes", []):
        c = points.get(r["indicator"])
        name = _indicator_name(standard, r["indicator"], lang)
        if c is not None and r["indicator"] == _FLEET and no_vehicles(operating):
            text: str | None = _no_vehicles_text(c, name, _standard_label(rating), lang)
        elif c is not None and c.get("value") is None and _waits_on_an_input(r, standard):
            text = str(r.get("message_zh") or r["message"]) if lang == "zh" else str(r["message"])
            if r["indicator"] in YEAR_ON_YEAR:  # the change computed all the same, and where last year goes
                said = (text, change_unscored(rating, lang), t["previous_on_form"])
                text = t["sentence_sep"].join(x for x in said if x)
        else:
            text = None if c is None else _reason_text(c, name, lang, r.get("message_zh"), business)
        text = _with_basis(r["indicator"], name, text or r["message"], lang)
        out.append({"effect": r["effect"], "text": text})
    return out


def change_unscored(rating: Mapping[str, Any], lang: str) -> str | None:
    """The change on last year the rating's comparison computed (``neutrality``: Scope 1+2 of the inputs
    given for both years), in words, for a change the standard left unscored: "与上一年相比减少 98.18 吨
    二氧化碳当量（-50.0%）". Its figures are those the disclosure's comparative item prints; ``None`` when
    nothing was compared."""
    n = rating.get("neutrality") or {}
    before, now, pct = n.get("compared_previous_tco2e"), n.get("compared_current_tco2e"), n.get("change_pct")
    if before is None or now is None:
        return None
    t = texts(lang)
    diff = round(float(now) - float(before), 2)
    if diff == 0:
        moved = t["change_same"]
    else:
        moved = t["change_rose" if diff > 0 else "change_fell"].format(t=num(abs(diff)))
    if pct is not None:
        moved += f"{t['paren_open']}{float(pct):+.1f}{percent_sign(lang)}{t['paren_close']}"
    return t["change_unscored"].format(moved=moved)


def _waits_on_an_input(reason: Mapping[str, Any], standard: Standard) -> bool:
    """Whether the engine's reason says which input left the indicator unassessed (the site fuels, a
    freight firm's fleet: ``missing_when_not_reported``; an input given for this year only:
    ``year_on_year``): the owner is told what to report, where "nothing to score it on" had left a
    restaurant without its gas bill guessing (standard 1.8.0), and one that gave last year's gas without
    last year's electricity."""
    message = str(reason.get("message", ""))
    rules = (*standard.missing_when_not_reported, *([standard.year_on_year] if standard.year_on_year else []))
    return any(rule.reason in message for rule in rules)


#: the emissions an intensity indicator divides, as the page names them: the disclosure's intensity per
#: revenue has another basis (Scope 1 + 2 location-based + 3), and a bank reading both saw two figures
#: under one name (a relationship manager's review)
_BASIS = {"carbon_intensity": "basis_scope12_market"}


def _with_basis(indicator: str, name: str, text: str, lang: str) -> str:
    """The reason's text with the indicator's basis after its name, where it has one."""
    basis = _BASIS.get(indicator)
    if basis is None:
        return text
    said = texts(lang)[basis]
    if lang == "zh":
        return text.replace(f"{name}：", f"{name}（{said}）：", 1)
    return text.replace(f"{name}:", f"{name} ({said}):", 1)


def _earned(c: Mapping[str, Any], lang: str) -> str:
    if lang == "zh":
        return f"得 {c['points']:g} / {c['max_points']:g} 分"
    return f"{c['points']:g} of {c['max_points']:g} points"


def _no_vehicles_text(c: Mapping[str, Any], name: str, label: str, lang: str) -> str:
    """The fleet indicator of a business that answered "no vehicles": scored as a fleet without a
    combustion vehicle, or left unscored by the standard the rating used (which is named)."""
    t = texts(lang)
    key = "no_vehicles_scored" if c.get("value") is not None else "no_vehicles_unscored"
    return t[key].format(name=name, earned=_earned(c, lang), standard=label or "-")


def _reason_text(
    c: Mapping[str, Any], name: str, lang: str, engine_zh: str | None = None, business: str | None = None
) -> str | None:
    earned = _earned(c, lang)
    t = texts(lang)
    business = business or t["business_shop"]
    value = c.get("value")
    if value is None:  # not asked by the form, not answered, or an answer the indicator cannot measure
        if lang == "zh":
            return f"{name}：没有可计分的信息，按未知计，{earned}。"
        return f"{name}: nothing to score it on, so scored as unknown: {earned}."
    if c.get("unit") == _PEER_RATIO:
        off = abs(1.0 - float(value))
        if off < 0.005:
            same = t["same_as_peers"].format(business=business)
            return f"{name}：{same}，{earned}。" if lang == "zh" else f"{name}: {same}, {earned}."
        # what is compared: "比同类店铺少 21%" alone did not say of what (a review in Chinese)
        what = "water" if c.get("indicator") == "water_efficiency_ratio" else "energy"
        said = t[f"{'less' if value < 1 else 'more'}_{what}"].format(off=f"{off:.0%}", business=business)
        return f"{name}：{said}，{earned}。" if lang == "zh" else f"{name}: {said}, {earned}."
    if lang == "zh":  # the engine's sentence, with its figure (engine 1.7 on; before: the points alone)
        return engine_zh or f"{name}：{earned}。"
    return None  # the engine's sentence, with its figure


def _better(grade: Any, than: int) -> bool:
    """Whether ``grade`` is a grade above the one at index ``than`` of :data:`GRADE_ORDER`."""
    return grade in GRADE_ORDER and GRADE_ORDER.index(grade) > than


def _saving(saved: float | None, t: Mapping[str, str]) -> str | None:
    """What an action does to the yearly emissions, as the plan says it; nothing when it rounds to 0.0.

    An action can add emissions (an EV charged on a coal-heavy grid): said as such, never hidden.
    """
    if saved is None or abs(saved) < 0.05:
        return None
    return t["saves" if saved > 0 else "adds"].format(t=f"{abs(saved):.1f}")


def plan(rating: Mapping[str, Any], lang: str, t: Mapping[str, str]) -> list[dict[str, Any]]:
    """The best improvements: what to do, the points it earns, the grade it reaches, the CO2e it saves."""
    steps = []
    current = GRADE_ORDER.index(rating["grade"]) if rating["grade"] in GRADE_ORDER else 0
    for imp in rating.get("improvements", [])[:PLAN_STEPS]:
        if not imp.get("score_gain"):
            continue
        after = imp.get("grade_after")
        reaches = after if _better(after, current) else None
        saved = imp.get("tco2e_saved")
        steps.append(
            {
                "text": imp.get("description_zh") if lang == "zh" else imp.get("description", imp["action"]),
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
        notes.append(t["overlap"].format(
            actions=joined([f"“{x}”" for x in texts], lang),
            indicator=_indicator_name(standard, indicator, lang),
            most=f"{gap:.1f}",
            total=f"{total:.1f}",
        ))
    return notes


def next_grade(rating: Mapping[str, Any], lang: str, t: Mapping[str, str]) -> dict[str, Any] | None:
    """The actions the engine re-rated together, cheapest first, and the grade they reach; if reachable.

    The grade is the path's ``grade_after`` (what those actions were checked to reach, which can be above
    the next grade), never its ``target_grade``. The engine takes actions cheapest first, so the list is
    not the only way up: when one action of the plan alone already lifts the grade, ``alone`` says so.
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
    return {
        "grade": t.get("grade_" + grade, grade),
        "actions": [described.get(a) or a.replace("_", " ") for a in actions],
        "score_after": path.get("score_after"),
        "alone": None
        if alone is None
        else {
            "action": described.get(alone["action"]) or alone["action"].replace("_", " "),
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


def _missing_data(
    held: Mapping[str, Any],
    message: str,
    rating: Mapping[str, Any],
    operating: Mapping[str, Any] | None,
    standard: Standard,
    lang: str,
) -> list[str]:
    """The engine's "points wait in figures not reported", without the fleet when the owner answered "no
    vehicles" (said on its own line, with the points no answer on the form can earn under this standard)."""
    indicators = [str(i) for i in held.get("indicators", [])]
    if _FLEET not in indicators or not no_vehicles(operating):
        return [message]
    t = texts(lang)
    points = {c["indicator"]: c for c in rating.get("contributions", [])}
    fleet = points.get(_FLEET)
    if fleet is None or any(i not in points for i in indicators):
        return [message]  # a points table the page cannot read: the engine's sentence as it is
    out = []
    others = [i for i in indicators if i != _FLEET]
    if others:
        gap = round(sum(float(points[i]["max_points"]) - float(points[i]["points"]) for i in others), 1)
        out.append(t["held_missing"].format(
            points=f"{gap:g}", names=joined([_indicator_name(standard, i, lang) for i in others], lang),
        ))
    lacking = float(fleet["max_points"]) - float(fleet["points"])
    out.append(t["held_no_vehicles"].format(
        name=_indicator_name(standard, _FLEET, lang), points=f"{lacking:g}",
        standard=_standard_label(rating) or "-",
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


def scopes_note(rating: Mapping[str, Any], t: Mapping[str, str]) -> str:
    """What each scope counts, with the two electricity factors of the rating: market-based Scope 2 prices
    the power not covered by green certificates at the national residual factor, which can be well above
    the province's grid average (a Chengdu noodle shop: 7.03 t market-based against 1.68 t location-based at
    Sichuan's hydro-heavy grid), while the note had read as if market-based could only be lower.

    Heat bought (district heating, a park's steam) is Scope 2 too, one factor on both bases: said after the
    electricity's, with its amount and emissions, where the rating counted any."""
    emissions = rating.get("emissions") or {}
    grid = (emissions.get("grid_factor") or {}).get("value")
    residual = (emissions.get("residual_factor") or {}).get("value")
    if grid is None or residual is None:
        note = t["scopes_explained"]
    else:
        note = t["scopes_explained_factors"].format(grid=f"{float(grid):g}", residual=f"{float(residual):g}")
    heat = next((line for line in emissions.get("line_items") or () if line.get("path") == _HEAT), None)
    if heat is None or not heat.get("quantity"):
        return note
    return note + t["heat_in_scope2"].format(gj=num(heat["quantity"], 1), t=num(heat.get("tco2e")))


_HEAT = "energy.purchased_heat_gj"


_ELECTRICITY = "energy.electricity_kwh"


def _standard_of(rating: Mapping[str, Any], held: Standard) -> Standard | None:
    """The standard the rating was made under: the one in use when it is the same, else its published
    file (every released version stays in the package); ``None`` if it is not here."""
    label = _standard_label(rating)
    if not label or label == held.label:
        return held
    path = published_standard_path(label)
    return None if path is None else load_standard(path)


def bill_tariff(rating: Mapping[str, Any], standard: Standard) -> float | None:
    """The tariff (CNY per kWh) the rating's standard converts an electricity bill's amount at
    (:func:`rating_model.estimation.bill_tariff`, the engine's own); ``None`` when it has no such rule or is
    not here."""
    used = _standard_of(rating, standard)
    return None if used is None else estimation.bill_tariff(used)


def electricity_counted(rating: Mapping[str, Any]) -> float | None:
    """The purchased electricity (kWh) the rating's inventory counted: its location-based line, which
    prices all of it. For electricity converted from a bill this is the engine's own figure, the amount in
    CNY (converted at the company's rate) at the standard's tariff; ``None`` without such a line."""
    for line in (rating.get("emissions") or {}).get("line_items") or ():
        if line.get("path") == _ELECTRICITY and line.get("scope2_basis") == "location":
            return float(line["quantity"])
    return None


def data_notes(
    rating: Mapping[str, Any], operating: Mapping[str, Any], standard: Standard, lang: str
) -> list[str]:
    """The notes on how the figures were obtained: electricity converted from the bill's amount (its own
    line, with the standard's tariff: it had been listed among figures "not given, estimated from similar
    shops"), the figures estimated from the sector, those taken at a typical value, and the PCAF score.

    The kWh the bill came to is the rating's (:func:`electricity_counted`), not the amount divided here
    again: that skipped the engine's conversion to CNY (a code review).

    The inputs left out and not estimated (the inventory's ``missing``: heat "not sure", vehicles not
    answered) are named first, with the scope they are missing from: "nothing was estimated" alone read
    as complete data beside a Scope 2 without the heat bought (a review in Harbin)."""
    t = texts(lang)
    dq = rating.get("data_quality") or {}
    pcaf = dq.get("pcaf_score")
    estimated = [str(p) for p in dq.get("estimated_fields") or []]
    energy = operating.get("energy") or {}
    spend = energy.get("electricity_spend")
    tariff = bill_tariff(rating, standard)
    counted = electricity_counted(rating)
    notes = []
    billed = _ELECTRICITY in estimated and energy.get("electricity_kwh") is None
    if billed and spend is not None and tariff and counted is not None:
        estimated.remove(_ELECTRICITY)
        kwh = round(counted)
        notes.append(t["from_bill"].format(
            spend=amount(float(spend), lang), tariff=f"{tariff:g}", kwh=amount(kwh, lang),
            standard=_standard_label(rating) or "-",
        ))
    assumed = assumed_figures(rating)
    if estimated:  # with the PCAF score
        notes.append(t["estimated"].format(fields=estimated_fields(estimated, lang), pcaf=pcaf,
                                           business=business_word(operating, lang)))
    elif not assumed and not notes:  # with the PCAF score
        notes.append(t["nothing_estimated"].format(pcaf=pcaf))
    if assumed:
        notes.append(t["assumed"].format(fields=estimated_fields(assumed, lang)))
    if not estimated and (assumed or billed):  # the bill's line says no PCAF score
        notes.append(t["pcaf_only"].format(pcaf=pcaf))
    missing = [str(p) for p in (rating.get("emissions") or {}).get("missing") or []]
    if missing:
        notes.insert(0, t["not_reported"].format(fields=joined(unreported_labels(missing, lang), lang)))
    return notes


def estimated_fields(paths: list[str], lang: str) -> str:
    """The rating's estimated fields as the owner reads them (``energy.fuels`` is not a word)."""
    return joined(field_labels(paths, lang), lang)


def _sentences_zh(value_zh: Any) -> str:
    """An item's ``value_zh`` as running Chinese text: a list's sentences one after another, those without a
    full stop of their own ended by "；" (the English page joins them with "; ")."""
    if not isinstance(value_zh, list | tuple):
        return str(value_zh)
    said = [str(v) for v in value_zh]
    return "".join(s if s.endswith("。") else s + "；" for s in said).removesuffix("；") or "-"


def disclosure_value(key: str, value: Any, lang: str, value_zh: Any = None) -> dict[str, str | None]:
    """A disclosure item's value as text, and its language when that is not the page's (engine prose).

    Numbers and names (the factor set's version) need no language; the estimated fields and the data-quality
    figures are labelled here; a value the engine says in Chinese too (``value_zh``, engine 1.9) is shown so
    on the Chinese page; any other value is the engine's English (sentences, lists, records) and is marked
    ``lang="en"``.
    """
    t = texts(lang)
    if lang == "zh" and value_zh is not None:
        return {"text": _sentences_zh(value_zh), "lang": None}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": show(value), "lang": None}
    if isinstance(value, str) and value and not any(c.isspace() for c in value):
        return {"text": value, "lang": None}
    if key == "estimates" and isinstance(value, list):
        return {"text": estimated_fields([str(v) for v in value], lang), "lang": None}
    if key == "data_quality" and isinstance(value, Mapping):
        text = t["dq_item"].format(
            pcaf=value.get("pcaf_score"),
            completeness=f"{float(value.get('completeness') or 0):.0%}",
            fields=estimated_fields(list(value.get("estimated_fields") or []), lang),
            source=data_source_label(str(value.get("data_source")), lang),
        )
        return {"text": text, "lang": None}
    if key == "scope12_comparative" and isinstance(value, Mapping):
        change = value.get("change_pct")
        text = t["comparative_item"].format(
            previous=num(value.get("previous_year_tco2e")),
            current=num(value.get("reporting_year_tco2e")),
            change=t["not_computed"] if change is None else f"{float(change):+.1f}{percent_sign(lang)}",
        )
        return {"text": text, "lang": None}
    return {"text": show(value), "lang": None if lang == "en" else "en"}


#: the grade green loans needed under the standards that had one (1.0.0 to 1.2.0), for ratings they issued
_EARLIER_MIN_GRADE = "light_green"


def knock_out_names(standard: Standard, lang: str) -> dict[str, str]:
    """Each knock-out's name in the standard (``name_zh`` in Chinese), as running text after a colon."""
    if lang == "zh":
        return {k.id: k.name_zh for k in standard.knock_outs if k.name_zh}
    return {k.id: k.name[:1].lower() + k.name[1:] for k in standard.knock_outs}


def green_loan_line(
    rating: Mapping[str, Any],
    min_grade: str | None,
    t: Mapping[str, str],
    knock_out_names: Mapping[str, str] | None = None,
    business: str | None = None,
) -> dict[str, Any]:
    """What the rating, as issued, means for a green loan, in the owner's words: eligible (and, when rated
    green, preferential terms on an ordinary loan too), blocked by a knock-out (named), or not yet at the
    grade green loans needed under an earlier standard.

    Read from the rating's ``green_loan`` only, so an old rating says what it said when it was issued. A
    knock-out is named as the standard names it (``knock_out_names``, :func:`knock_out_names`), as the
    held-back list does: the completeness knock-out had two Chinese names on one page. A business rated not
    green is told that a green project's loan is open to it all the same, as a concession: "本店铺评级为非
    绿。…可以申请绿色贷款" read as a contradiction (a review in Chinese). ``business`` is what the page
    calls it (:func:`business_word`).
    """
    loan = rating.get("green_loan") or {}
    grade = t.get("grade_" + str(rating.get("grade")), str(rating.get("grade")))
    business = business or t["business_shop"]
    if loan.get("eligible"):
        key = "loan_eligible_not_green" if rating.get("grade") == "not_green" else "loan_eligible"
        text = t[key].format(grade=grade, business=business)
        if loan.get("green_rated_borrower"):
            text += t["sentence_sep"] + t["loan_preferential"]
        return {"eligible": True, "text": text}
    # knock_outs lists only the rules that deny green-loan treatment (engine 1.3; before, every knock-out did)
    blocked = [str(k).split(":", 1)[0] for k in loan.get("knock_outs", [])]
    if blocked:
        names = knock_out_names or {}
        reasons = [names.get(k) or t.get("knock_out_" + k, k.replace("_", " ")) for k in blocked]
        return {"eligible": False, "text": t["loan_blocked"].format(reasons=t["list_sep"].join(reasons))}
    gate = min_grade or _EARLIER_MIN_GRADE
    lowest = t.get("grade_" + gate, gate)
    return {"eligible": False, "text": t["loan_below"].format(grade=grade, min=lowest, business=business)}
