"""The reasons for the score in an owner's words, rebuilt from the rating's reason codes and points table.

The engine's messages speak to an analyst. Here a figure the form did not ask says so plainly, a
comparison with the sector says how much more or less than similar businesses, an indicator left
unassessed says which input it waits on, and a change on last year left unscored says the change all the
same. Kept apart from the plan (:mod:`service.web.view.plan`): the reasons say why the score is what it is,
the plan what would raise it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from rating_model.indicators import YEAR_ON_YEAR
from rating_model.standard import Standard
from service.disclosure.render import percent_sign
from service.web.i18n import texts
from service.web.view import FLEET, business_word, grouped, indicator_name, no_vehicles, standard_label

#: how an indicator comparing the business with its sector's expectation is measured
_PEER_RATIO = "ratio (actual / expected)"


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
        name = indicator_name(standard, r["indicator"], lang)
        if c is not None and r["indicator"] == FLEET and no_vehicles(operating):
            text: str | None = _no_vehicles_text(c, name, standard_label(rating), lang)
        elif c is not None and c.get("value") is None and _waits_on_an_input(r, standard):
            own = r.get("message_zh") if lang == "zh" else r["message"]
            text = _until_reported(str(own), c, lang) if own else _english(str(r["message"]), lang)
            if r["indicator"] in YEAR_ON_YEAR:  # the change computed all the same, and where last year goes
                said = [x for x in (text, change_unscored(rating, lang), t["previous_on_form"]) if x]
                text = _sentences(t["sentence_sep"], said)
        else:
            text = None if c is None else _reason_text(c, name, lang, r.get("message_zh"), business)
            if c is not None and c.get("value") is None and _left_out(r["indicator"], operating):
                on_form = t[_ON_FORM[r["indicator"]][1]]
                text = _sentences(t["sentence_sep"], (text or _engine_words(r, lang), on_form))
        text = _with_basis(r["indicator"], name, text or _engine_words(r, lang), lang)
        out.append({"effect": r["effect"], "text": text})
    return out


def _engine_words(reason: Mapping[str, Any], lang: str) -> str:
    """The engine's own sentence for a reason the page has no words for (no points row for its indicator):
    its ``message_zh`` on a Chinese page when the rating has one (engine 1.7 on), else its English
    :func:`_english`."""
    own = reason.get("message_zh") if lang == "zh" else None
    return str(own) if own else _english(str(reason["message"]), lang)


def _sentences(separator: str, said: Sequence[str]) -> str:
    """``said`` joined by ``separator``; as :class:`~markupsafe.Markup` (the others escaped) when one is
    (:func:`_english`), which a plain ``join`` would leave to be escaped whole, its marking shown as text."""
    if any(isinstance(x, Markup) for x in said):
        return Markup(separator).join(said)
    return separator.join(said)


def _english(message: str, lang: str) -> str:
    """The engine's English ``message``, where the page has no words of its own for a reason: marked
    ``lang="en"`` (as :class:`~markupsafe.Markup`, the message escaped) on a page in another language.

    A rating of an engine before 1.7 has no ``message_zh``, so its Chinese page shows the English sentence
    of an indicator it has no points row for, or of one waiting on an input; unmarked, a screen reader
    read it in the page's Chinese voice (WCAG 3.1.2, language of parts).
    """
    return message if lang == "en" else Markup('<span lang="en">{}</span>').format(message)


#: indicators that wait on a figure of the form's "more details" part: the figure (its place in the
#: operating data) and the words that say where it is given. The recycling rate's 18.8 points were "nothing to
#: score it on" with no word of the waste figures the form takes (a noodle restaurant's review).
_ON_FORM: Mapping[str, tuple[tuple[str, str], str]] = {
    "waste_recycling_rate": (("resources", "waste_t"), "waste_on_form"),
}


def _left_out(indicator: str, operating: Mapping[str, Any] | None) -> bool:
    """Whether ``indicator`` waits on a "more details" figure the owner left out (:data:`_ON_FORM`)."""
    if indicator not in _ON_FORM:
        return False
    (part, figure), _words = _ON_FORM[indicator]
    given = ((operating or {}).get(part) or {}).get(figure)
    return given is None


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
        moved = t["change_rose" if diff > 0 else "change_fell"].format(t=grouped(abs(diff)))
    if pct is not None:
        moved += f"{t['paren_open']}{float(pct):+.1f}{percent_sign(lang)}{t['paren_close']}"
    return t["change_unscored"].format(moved=moved)


def _until_reported(text: str, c: Mapping[str, Any], lang: str) -> str:
    """The engine's reason for an indicator waiting on an input, its close said as the page says a figure
    it has nothing on: "... or that you burn none (scored in the missing-data bin) earns 0 of 9 points."
    read as analyst's words run into the remedy; it ends "... or that you burn none. Until then it is
    scored as unknown: 0 of 9 points." A sentence closing otherwise is kept as the engine said it."""
    earned = _earned(c, lang)
    if lang == "zh":
        close = f"（按缺失数据计分），{earned}。"
        said = f"。填报之前按未知计，{earned}。"
    else:
        close = f" (scored in the missing-data bin) earns {c['points']:g} of {c['max_points']:g} points."
        said = f". Until then it is scored as unknown: {earned}."
    return text.removesuffix(close) + said if text.endswith(close) else text


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
