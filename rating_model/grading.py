"""From score to grade: the published cut-offs, then the standard's knock-out rules as caps.

Knock-outs only ever lower a grade (an environmental penalty caps it, an excluded activity is never green),
so a business cannot score its way around them; the rating names every knock-out that applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from rating_model.estimation import Filled, fuels_left_out
from rating_model.operating_data import OperatingData
from rating_model.standard import KnockOut, Standard
from rating_model.values import fast_init


@dataclass(frozen=True, slots=True, init=False)
class Grading:
    grade: str
    score_grade: str
    knock_outs: tuple[KnockOut, ...]

    def __init__(self, grade: str, score_grade: str, knock_outs: tuple[KnockOut, ...]) -> None:
        object.__setattr__(self, "grade", grade)
        object.__setattr__(self, "score_grade", score_grade)
        object.__setattr__(self, "knock_outs", knock_outs)


def applicable_knock_outs(
    filled: Filled, completeness: float, standard: Standard, *, energy_ratio: float | None,
    energy_use_ratio: float | None,
) -> tuple[KnockOut, ...]:
    """The knock-out rules this business triggers, in the standard's order.

    It takes the filled data with its estimates, not the data alone: a rule on an input left out
    (``unreported``) must tell a figure the business gave from the standard's estimate in its place.
    ``energy_ratio`` is the business's :data:`~rating_model.standard.ENERGY_RATIO_INDICATOR` value as
    measured (``None``: not assessed), which a ``min_energy_ratio`` rule reads; ``energy_use_ratio`` the
    same with on-site renewable generation added back (:attr:`Benchmark.use_ratio
    <rating_model.sector_benchmarks.Benchmark.use_ratio>`), which a ``max_energy_ratio`` rule reads: solar
    covering most of a shop's use is not use left out.
    """
    data = filled.data
    penalties = data.compliance.environmental_penalties_3y or 0
    hits = []
    for rule in standard.knock_outs:
        if rule.isic_codes and data.company.industry_code in rule.isic_codes:
            hits.append(rule)
        elif rule.min_penalties is not None and penalties >= rule.min_penalties:
            hits.append(rule)
        elif rule.max_completeness is not None and completeness < rule.max_completeness:
            hits.append(rule)
        elif rule.fuels and _burns(data, rule.fuels):
            hits.append(rule)
        elif rule.unreported and any(unreported(filled, field) for field in rule.unreported):
            hits.append(rule)
        elif (energy_ratio is not None and energy_use_ratio is not None
              and (rule.min_energy_ratio is not None and energy_ratio >= rule.min_energy_ratio
                   or rule.max_energy_ratio is not None and energy_use_ratio < rule.max_energy_ratio)
              and data.company.isic_division not in rule.exempt_isic_divisions
              and not energy_from_sector(filled)):
            hits.append(rule)
    return tuple(hits)


def energy_from_sector(filled: Filled) -> bool:
    """Whether any energy input was filled from the sector's defaults: the energy ratio then compares the
    sector with itself, and a cap on it would judge the standard's estimate, not the business (standard
    1.10.0's ``energy_far_above_sector``). The standard leaves the ratio missing then anyway
    (``missing_when_sector_default``, ``missing_when_not_reported``); this says so for the knock-out itself.
    Electricity estimated from the bill's amount is the business's own figure, scored as reported."""
    return any(field.startswith("energy.") for field in filled.sector_default_fields)


def unreported(filled: Filled, field: str) -> bool:
    """Whether the business left ``field`` out: not given, or given only as the standard's estimate.

    Only the fields of :data:`~rating_model.standard.UNREPORTED_KNOCK_OUT_FIELDS` (checked when the
    standard is read). Fuels left out are filled with the sector's default gas, which would hide a coal
    boiler from the coal knock-out (:func:`~rating_model.estimation.fuels_left_out` says what counts).
    """
    if field == "energy.fuels":
        return fuels_left_out(filled.data.energy.fuels, field in filled.paths)
    raise ValueError(f"no rule for an unreported {field}")


def _burns(data: OperatingData, fuels: tuple[str, ...]) -> bool:
    """Whether the business burns one of ``fuels`` on its premises; a fuel listed with a quantity of 0 is
    not burned (wide exports fill every fuel column, zeros too)."""
    return any(use.fuel in fuels and use.quantity > 0 for use in data.energy.fuels or ())


def lowered_by_completeness(standard: Standard) -> frozenset[str]:
    """The grades that a completeness knock-out can lower: those better than a completeness rule's cap.

    A knock-out caps a grade at its ``cap_grade``, so a score that earns the cap or a worse grade gets the
    same grade whether its data is complete enough or not. The improvement plan relies on this to leave
    completeness alone, and to share one counterfactual among sibling practices answered differently
    (blank or "no": only the first makes the data more complete), when the score's grade is not in here.
    """
    worst_cap = max(
        (standard.rank(rule.cap_grade) for rule in standard.knock_outs if rule.max_completeness is not None),
        default=0,
    )
    return frozenset(c.grade for c in standard.cutoffs if standard.rank(c.grade) < worst_cap)


def cap(grade: str, knock_outs: tuple[KnockOut, ...], standard: Standard) -> str:
    """The worse of the score's grade and every knock-out's cap."""
    worst = standard.rank(grade)
    for rule in knock_outs:
        worst = max(worst, standard.rank(rule.cap_grade))
    return standard.cutoffs[worst].grade


def grade(score: float, knock_outs: tuple[KnockOut, ...], standard: Standard) -> Grading:
    by_score = standard.grade_for(score)
    return Grading(cap(by_score, knock_outs, standard), by_score, knock_outs)


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Grading,):
    fast_init(_value_class)
