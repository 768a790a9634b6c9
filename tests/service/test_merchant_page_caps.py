"""The merchant result page's caps under the grades (``service.web.view.plan.grade_caps``), read from the
rating and the standard it names, as the disclosure reads them (``rating_model.disclosure.grade_caps``)."""

from __future__ import annotations

from typing import Any

from rating_model.standard import load_standard, published_standard_path
from service.web.view.plan import grade_caps

CURRENT = load_standard(published_standard_path("greenrate-sme@1.11.0"))


def _coal_capped(standard_label: str) -> dict[str, Any]:
    """A rating capped by coal whose score alone earns green: the cap is not held back in the plan (no
    next grade out of reach), so its remedy comes from the standard the rating names."""
    return {
        "score": 63.3, "grade": "light_green", "score_grade": "green",
        "knock_outs": [{"id": "coal_burned_on_site", "name": "Coal burned on the premises",
                        "name_zh": "经营场所燃烧煤炭", "cap_grade": "light_green",
                        "blocks_green_loan": False}],
        "path_to_next_grade": {"target_grade": None, "reachable": False},
        "green_loan": {"rationale": [], "rationale_zh": []},
        "versions": {"standard": standard_label},
    }


def test_a_rating_issued_under_an_earlier_standard_shows_that_standard_s_remedy() -> None:
    """1.11.0 reworded the coal remedy (a gas boiler is not financed under every green-loan framework): a
    rating issued under 1.10.0 had shown 1.11.0's words on the merchant page, and 1.10.0's in its
    disclosure, for the same cap."""
    earlier = grade_caps(_coal_capped("greenrate-sme@1.10.0"), CURRENT, "en")
    assert earlier is not None
    assert "a green loan can finance it." in earlier["caps"][0]["text"]
    assert "not financed under every green-loan framework" not in earlier["caps"][0]["text"]
    now = grade_caps(_coal_capped("greenrate-sme@1.11.0"), CURRENT, "en")
    assert now is not None and "not financed under every green-loan framework" in now["caps"][0]["text"]
    assert "63.3" in now["intro"]


def test_a_rating_before_schema_1_7_is_named_in_chinese_by_the_current_standard() -> None:
    old = _coal_capped("greenrate-sme@1.10.0")
    del old["knock_outs"][0]["name_zh"]
    caps = grade_caps(old, CURRENT, "zh")
    assert caps is not None
    known = {k.id: k for k in CURRENT.knock_outs}["coal_burned_on_site"]
    assert caps["caps"][0]["text"].startswith(known.name_zh) or known.name_zh in caps["caps"][0]["text"]


def _petrol_station(knock_out: str = "excluded_activity") -> dict[str, Any]:
    """A petrol station (ISIC 4730, standard 1.12.0's excluded activity) whose score alone earns green, the
    cap held back in the plan as the engine says it; or the same rating held back by a penalty instead."""
    standard = load_standard(published_standard_path("greenrate-sme@1.12.0"))
    rule = {k.id: k for k in standard.knock_outs}[knock_out]
    return {
        "score": 71.8, "grade": rule.cap_grade, "score_grade": "green",
        "knock_outs": [{"id": rule.id, "name": rule.name, "name_zh": rule.name_zh,
                        "cap_grade": rule.cap_grade, "blocks_green_loan": True}],
        "path_to_next_grade": {"target_grade": "light_green", "reachable": False, "held_back_by": [
            {"reason": "knock_out", "knock_out": rule.id, "message": f"{rule.name}: {rule.remedy}",
             "message_zh": f"{rule.name_zh}：{rule.remedy_zh}"}]},
        "green_loan": {"rationale": [], "rationale_zh": []},
        "versions": {"standard": "greenrate-sme@1.12.0"},
    }


def test_a_cap_no_change_lifts_is_never_said_to_be_lifted_below_or_out_of_reach_for_now() -> None:
    """A sustainable-finance review of standard 1.12.0: a petrol station read "What lifts it is said below,
    under “Why the next grade is out of reach for now”" (解除办法见下文“暂时达不到下一等级的原因”) and,
    there, "no change of operations lifts this cap". A penalty's cap, which lapses, still reads "for now"."""
    from service.web.i18n import texts
    from service.web.view.loan import lasting_knock_outs
    from service.web.view.plan import held_back_heading

    standard = load_standard(published_standard_path("greenrate-sme@1.12.0"))
    lasting = lasting_knock_outs(standard)
    station = _petrol_station()
    for lang, heading, below in (
        ("en", "Why the next grade is out of reach:",
         "Why nothing lifts it is said below, under “Why the next grade is out of reach”."),
        ("zh", "达不到下一等级的原因：", "无法解除的原因见下文“达不到下一等级的原因”。"),
    ):
        assert held_back_heading(station, texts(lang), lasting) == heading
        caps = grade_caps(station, standard, lang, lasting)
        assert caps is not None and caps["caps"][0]["below"] == below
        assert "for now" not in below and "暂" not in below and "解除办法" not in below
    penalised = _petrol_station("repeated_environmental_penalties")
    assert held_back_heading(penalised, texts("en"), lasting) == "Why the next grade is out of reach for now:"
    caps = grade_caps(penalised, standard, "zh", lasting)
    assert caps is not None and caps["caps"][0]["below"] == "解除办法见下文“暂时达不到下一等级的原因”。"
