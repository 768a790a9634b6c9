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
