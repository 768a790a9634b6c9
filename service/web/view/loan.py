"""The green-loan line: what the rating, as issued, means for a green loan, in the owner's words.

Read from the rating's ``green_loan`` only, so an old rating says what it said when it was issued; a
knock-out that blocks the loan is named as the standard names it (:func:`knock_out_names`). Kept apart
from the plan (:mod:`service.web.view.plan`): it says what a bank may do with the grade, not how to raise
it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rating_model.standard import Standard

#: the grade green loans needed under the standards that had one (1.0.0 to 1.2.0), for ratings they issued
_EARLIER_MIN_GRADE = "light_green"


def knock_out_names(standard: Standard, lang: str) -> dict[str, str]:
    """Each knock-out's name in the standard (``name_zh`` in Chinese), as running text after a colon."""
    if lang == "zh":
        return {k.id: k.name_zh for k in standard.knock_outs if k.name_zh}
    return {k.id: k.name[:1].lower() + k.name[1:] for k in standard.knock_outs}


def lasting_knock_outs(standard: Standard) -> frozenset[str]:
    """The knock-outs of the business's activity itself (those of ISIC codes: the standard's remedy says
    no change of how it operates lifts them), whose cap, or denial of a green loan, is not "for now" as a
    penalty's, which lapses after three years: a coal mine had been told 暂不能申请绿色贷款. Standard
    1.12.0's fossil-fuel distribution is one, though it only caps the grade."""
    return frozenset(k.id for k in standard.knock_outs if k.isic_codes)


def green_loan_line(
    rating: Mapping[str, Any],
    min_grade: str | None,
    t: Mapping[str, str],
    knock_out_names: Mapping[str, str] | None = None,
    business: str | None = None,
    lasting: Collection[str] = (),
) -> dict[str, Any]:
    """What the rating, as issued, means for a green loan, in the owner's words: eligible (and, when rated
    green, preferential terms on an ordinary loan too), blocked by a knock-out (named), or not yet at the
    grade green loans needed under an earlier standard.

    Read from the rating's ``green_loan`` only, so an old rating says what it said when it was issued. A
    knock-out is named as the standard names it (``knock_out_names``, :func:`knock_out_names`), as the
    held-back list does: the completeness knock-out had two Chinese names on one page. A business rated not
    green is told that a green project's loan is open to it all the same, as a concession: "本店铺评级为非
    绿。…可以申请绿色贷款" read as a contradiction (a review in Chinese). ``business`` is what the page
    calls it (:func:`service.web.view.business_word`). A denial by a knock-out in ``lasting``
    (:func:`lasting_knock_outs`) is not said to be "for now".
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
        key = "loan_excluded" if any(k in lasting for k in blocked) else "loan_blocked"
        return {"eligible": False, "text": t[key].format(reasons=t["list_sep"].join(reasons))}
    gate = min_grade or _EARLIER_MIN_GRADE
    lowest = t.get("grade_" + gate, gate)
    return {"eligible": False, "text": t["loan_below"].format(grade=grade, min=lowest, business=business)}
