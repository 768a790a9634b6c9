"""Reason codes of a rating: the indicators furthest from their maximum and those that earned most, in words.

They read the points table alone (each indicator's points against its maximum), so every reason is one line
of the scorecard a bank can check; the improvement plan (:mod:`rating_model.improvements`) is the
counterfactual side of the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from rating_model.rounding import round_float
from rating_model.standard import MaterialInput, Standard

REASONS_PER_SIDE = 3
_SHARE_UNITS = ("share 0-1",)

class Contribution(NamedTuple):
    """One indicator's line in the points table of a rating (a NamedTuple: built 13 times per rating)."""

    indicator: str
    pillar: str
    value: float | None
    unit: str
    bin: str
    points: float
    max_points: float
    estimated: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "pillar": self.pillar,
            "value": self.value,
            "unit": self.unit,
            "bin": self.bin,
            "points": self.points,
            "max_points": self.max_points,
            "estimated": self.estimated,
        }


#: The standard's indicator units in Chinese (a unit not listed is shown as the standard writes it).
_UNITS_ZH = {
    "tCO2e per CNY million": "吨二氧化碳当量/百万元营收",
    "ratio (actual / expected)": "倍（实际值与同业预期值之比）",  # the energy ratio and the water ratio
    "PCAF score 1-5 (1 best)": "（PCAF 数据质量评分，1 为最好）",
}
#: The standard's indicator units in English words after a figure, where the unit's own name reads as a
#: column heading ("0.851 ratio (actual / expected)", "2 PCAF score 1-5 (1 best)"; an editor's reading,
#: engine 2.13); a unit not listed is shown as the standard writes it.
_UNITS_EN = {
    "ratio (actual / expected)": "times the sector's expected use",  # the energy ratio and the water ratio
    "PCAF score 1-5 (1 best)": "on the PCAF data-quality scale of 1-5 (1 best)",
}
#: per language: a value not reported, a change in percent, a rate in percent a year. The percent sign
#: follows the figure unspaced in English too ("-4.8%"), as every share the rating writes ("43%", "5.3%");
#: the change had read "-4.8 %" beside them (an editor's reading, engine 2.13)
_VALUE_WORDS = {
    "en": ("not reported", "{:+.1f}%", "{:.1f}% a year"),
    "zh": ("未填报", "{:+.1f}%", "每年 {:.1f}%"),
}


def format_value(value: float | None, unit: str, lang: str = "en") -> str:
    """A value the way a shop owner reads it: shares as percentages, others with sensible precision; in
    English or Chinese (``lang`` ``"zh"``: the unit in words a Chinese reader uses)."""
    missing, change, per_year = _VALUE_WORDS[lang]
    if value is None:
        return missing
    if unit in _SHARE_UNITS:
        return f"{value:.0%}"
    if unit.startswith("percent"):
        # to the 0.1 shown, + 0.0: a cut of 0.00001 % (or none) reads "+0.0%", never "-0.0%"
        return (change if unit == "percent" else per_year).format(round_float(value, 1) + 0.0)
    return f"{value:.3g} {(_UNITS_ZH if lang == 'zh' else _UNITS_EN).get(unit, unit)}"


#: how a reason names the answer "no vehicles" (the only indicator with a ``when_none`` so far)
_NONE_EN = "no vehicles (scored as a fleet with no combustion vehicle)"
_NONE_ZH = "无经营车辆（按无燃油车辆计分）"
_NONE_UNSCORED_EN = "no vehicles (this standard scores that answer in the missing-data bin)"
_NONE_UNSCORED_ZH = "无经营车辆（本标准将这一回答按缺失数据计分）"


def reason_codes(
    contributions: Sequence[Contribution],
    standard: Standard,
    answered_none: frozenset[str] = frozenset(),
    unassessed: Mapping[str, tuple[MaterialInput, ...]] | None = None,
) -> list[dict[str, object]]:
    """The strongest negative drivers (points left on the table) and positive drivers (points earned).

    An indicator in ``answered_none`` (the business runs no vehicles) says so: scored, its value is the
    standard's ``when_none``, and "100 %" would read as a fleet the business does not have; left in the
    missing bin by a standard without ``when_none`` (1.4.0), "not reported" would say the owner did not
    answer. An indicator in ``unassessed`` was left missing because an input its sector must report was
    not (a freight firm's fleet, the site fuels): its reason names that input, since the figure itself was
    computed. Every such indicator costing points is among the negative drivers, beyond the strongest
    ones: its reason is the only place that says which input to report (a merchant-page review: a Harbin
    noodle shop lost the energy ratio to its heat left out, and the three larger losses listed never said
    so).
    """
    out: list[dict[str, object]] = []
    negatives = sorted((c for c in contributions if c.max_points - c.points > 0),
                       key=lambda c: (c.points - c.max_points, c.indicator))
    positives = sorted((c for c in contributions if c.points > 0), key=lambda c: (-c.points, c.indicator))
    strongest = negatives[:REASONS_PER_SIDE]
    if unassessed:
        strongest += [c for c in negatives[REASONS_PER_SIDE:]
                      if c.indicator in unassessed and c.value is None]
    for effect, drivers in (("negative", strongest), ("positive", positives[:REASONS_PER_SIDE])):
        for c in drivers:
            ind = standard.indicators[c.indicator]
            value, value_zh = _value_said(c, ind.unit, c.indicator in answered_none, effect == "negative",
                                          unassessed.get(c.indicator) if unassessed else None,
                                          len(ind.practices))
            out.append({
                "code": f"{effect[:3].upper()}_{c.indicator.upper()}",
                "indicator": c.indicator,
                "effect": effect,
                "points": round_float(c.points - c.max_points, 2) if effect == "negative" else c.points,
                "message": f"{ind.name}: {value} earns {c.points:g} of {c.max_points:g} points.",
                "message_zh": f"{ind.name_zh}：{value_zh}，得 {c.points:g} / {c.max_points:g} 分。",
            })
    return out


def _practices_said(share: float, listed: int) -> tuple[str, str]:
    """A share of practices as the practices it counts: "3 of the 7 listed (43%)", in Chinese
    "所列 7 项中已做到 3 项（43%）".

    A bare "43%" did not say of what (a Chinese owner's reading of the reasons, engine 2.12): the share is of
    the indicator's practices answered yes, an unanswered one counting as not adopted.
    """
    adopted = round(share * listed)
    return (f"{adopted} of the {listed} listed ({share:.0%})",
            f"所列 {listed} 项中已做到 {adopted} 项（{share:.0%}）")


def _value_said(
    c: Contribution, unit: str, answered_none: bool, negative: bool,
    unassessed: tuple[MaterialInput, ...] | None, practices: int = 0,
) -> tuple[str, str]:
    """A reason's value in English and Chinese: the answer "none" as answered (scored or not), a figure in
    its missing bin said so where it costs points (with the input that put it there, if any), a share of
    the indicator's ``practices`` (how many it lists) as the count adopted, else the value in its unit."""
    if answered_none:
        return (_NONE_EN, _NONE_ZH) if c.value is not None else (_NONE_UNSCORED_EN, _NONE_UNSCORED_ZH)
    if practices and c.value is not None and unit in _SHARE_UNITS:
        return _practices_said(c.value, practices)
    if unassessed and c.value is None:
        value, value_zh = _joined([r.reason for r in unassessed], "; also "), _joined(
            [r.reason_zh for r in unassessed], "；另外，")
    else:
        value, value_zh = format_value(c.value, unit), format_value(c.value, unit, "zh")
    if negative and c.value is None:
        return value + " (scored in the missing-data bin)", value_zh + "（按缺失数据计分）"
    return value, value_zh


#: how the standard's reasons for an unassessed indicator open, in English and Chinese
NOT_ASSESSED = ("not assessed: ", "无法评估：")


def _joined(reasons: list[str], glue: str) -> str:
    """Several rules' reasons for one indicator as one sentence: their shared opening ("not assessed: ")
    said once (a review read "无法评估：" twice, joined by the "；" each reason also uses inside)."""
    first, *rest = reasons
    en, zh = NOT_ASSESSED
    return glue.join([first, *(r.removeprefix(en).removeprefix(zh) for r in rest)])
