"""The improvement plan of a rating: actions ranked by real score gain, the cheapest path to the next grade.

Improvements are counterfactuals: each applicable action of the standard is applied to the business's data
and the business is re-rated, so a suggested gain is exactly what the engine would give, and the cheapest
path to the next grade is checked by rating the combined actions once more. The reason codes beside them
read the points table alone (:mod:`rating_model.reasons`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rating_model.actions import CAP_LIFTING_OPERATIONS, apply_change
from rating_model.estimation import Filled
from rating_model.grading import lowered_by_completeness
from rating_model.operating_data import OperatingData, adopt_practices
from rating_model.reasons import NOT_ASSESSED, Contribution
from rating_model.rounding import round_float
from rating_model.standard import COSTS, Action, KnockOut, MaterialInput, Standard
from rating_model.values import fast_init


@dataclass(frozen=True, slots=True, init=False)
class Outcome:
    """What re-rating a changed business gives: enough to rank an action.

    ``emissions_tco2e`` is the inventory's total (location-based Scope 2), the basis of every saving.
    """

    score: float
    grade: str
    values: dict[str, float | None]
    emissions_tco2e: float

    def __init__(
        self, score: float, grade: str, values: dict[str, float | None], emissions_tco2e: float,
    ) -> None:
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "grade", grade)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "emissions_tco2e", emissions_tco2e)


@dataclass(frozen=True, slots=True, init=False)
class Improvement:
    action: str
    indicator: str
    from_value: float | None
    to_value: float | None
    score_gain: float
    grade_after: str
    tco2e_saved: float | None
    cost: str
    description: str
    description_zh: str

    def __init__(
        self, action: str, indicator: str, from_value: float | None, to_value: float | None,
        score_gain: float, grade_after: str, tco2e_saved: float | None, cost: str, description: str,
        description_zh: str,
    ) -> None:
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "indicator", indicator)
        object.__setattr__(self, "from_value", from_value)
        object.__setattr__(self, "to_value", to_value)
        object.__setattr__(self, "score_gain", score_gain)
        object.__setattr__(self, "grade_after", grade_after)
        object.__setattr__(self, "tco2e_saved", tco2e_saved)
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "description_zh", description_zh)

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "indicator": self.indicator,
            # the values binned, as the contributions publish them (engine 1.6): six decimals had put
            # 1 of 7 practices (0.142857) below the edge of the bin it scored in
            "from": self.from_value,
            "to": self.to_value,
            "score_gain": self.score_gain,
            "grade_after": self.grade_after,
            "tco2e_saved": self.tco2e_saved,
            "cost": self.cost,
            "description": self.description,
            "description_zh": self.description_zh,
        }


Rerate = Callable[[Filled], Outcome]
#: A :data:`Rerate` against a given business's own evaluation (``Engine.rerate_from``): re-ratings of
#: businesses that share its energy, transport and resources then reuse its inventory.
Rebase = Callable[[Filled], Rerate]
#: The input an operation changes that the business must have reported itself: green power is bought for
#: kWh the business states (the schema refuses ``green_electricity_kwh`` without ``electricity_kwh``), so
#: a plan built on kWh the engine estimated from a bill's amount named a step the owner could not report
#: (a review of engine 2.2: 7% of reachable paths)
NEEDS_REPORTED: Mapping[str, str] = {"raise_renewable_electricity_share_by": "energy.electricity_kwh"}
#: Operations that change answers only (practices, targets), never a figure the inventory reads
ANSWER_OPERATIONS = frozenset({"set_practice", "set_target_pct_per_year"})
#: Finds the first of ``n`` prefixes that reaches the grade (:func:`first_reaching`'s signature). A parameter,
#: not a module global to patch: compiled, this module's calls to its own functions are bound at build time.
Search = Callable[[int, Callable[[int], bool], Callable[[int | None], int | None] | None], int | None]


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """What the explanations need to know about one action of the standard, worked out once."""

    action: Action
    moves: tuple[str, ...]  # the indicators listing the action
    primary: str  # the indicator it is mainly about: the most specific one (fewest actions) listing it
    practice: str | None  # the practice it adopts, when adopting one practice is all it does
    practice_owner: str | None  # the practice-share indicator counting that practice
    cost_rank: int  # position of its cost in COSTS, cheapest first
    #: inputs the business must have reported itself for the action to be one it can report having taken
    #: (:data:`NEEDS_REPORTED`): not offered where the engine estimated them
    needs_reported: frozenset[str]
    #: it changes answers only (practices, targets), never the figures the inventory is computed from
    answers_only: bool
    #: it cuts the energy to lift a knock-out on the energy ratio (:data:`CAP_LIFTING_OPERATIONS`): tried
    #: only under such a knock-out, and kept when it lifts the grade without a point
    lifts_cap: bool = False

    def headroom(self, gaps: Mapping[str, float]) -> float:
        """Points the action could win at most: the gap to the maximum of every indicator it moves."""
        moves = self.moves
        if len(moves) == 1:
            return gaps[moves[0]]
        return math.fsum([gaps[i] for i in moves])

    def sibling_key(self, data: OperatingData) -> tuple[str, bool] | None:
        """Adopting one more practice of the same practice-share indicator scores the same, whichever.

        The same score, values and emissions; the same grade only from the same answer: data completeness
        counts every practice answered, so turning a blank into yes makes the data more complete (and can
        lift a completeness knock-out) where turning a no into yes does not. The key is therefore the
        indicator and whether the practice was answered before. ``None`` when the action is not such an
        action, or when the practice is already adopted (then ``apply_change`` finds nothing to change and
        the action is skipped).
        """
        practice, owner = self.practice, self.practice_owner
        if practice is None or owner is None:
            return None
        answer = getattr(data.practices, practice)
        if answer is True:
            return None
        return owner, answer is not None


@dataclass(frozen=True, slots=True)
class ActionIndex:
    """The standard's actions, each with what the explanations need, in the standard's order."""

    actions: tuple[PlannedAction, ...]
    lowered_by_completeness: frozenset[str]  # grades a completeness knock-out can lower

    @classmethod
    def of(cls, standard: Standard) -> ActionIndex:
        indicators = tuple(standard.indicators.values())
        # A practice shares results with its siblings only when one indicator alone counts it.
        counted: dict[str, list[str]] = {}
        for i in indicators:
            for name in i.practices:
                counted.setdefault(name, []).append(i.id)
        owner = {name: ids[0] for name, ids in counted.items() if len(ids) == 1}
        planned = []
        for action in standard.actions.values():
            moves = tuple(i.id for i in indicators if action.id in i.actions)
            primary = min((standard.indicators[i] for i in moves), key=lambda i: len(i.actions))
            practice = action.change.get("set_practice") if len(action.change) == 1 else None
            needs = frozenset(NEEDS_REPORTED[op] for op in action.change if op in NEEDS_REPORTED)
            planned.append(PlannedAction(
                action, moves, primary.id, practice, None if practice is None else owner.get(practice),
                COSTS.index(action.cost), needs,
                set(action.change) <= ANSWER_OPERATIONS,
                not CAP_LIFTING_OPERATIONS.isdisjoint(action.change),
            ))
        return cls(tuple(planned), lowered_by_completeness(standard))


def improvements(
    filled: Filled,
    base: Outcome,
    contributions: Sequence[Contribution],
    standard: Standard,
    index: ActionIndex,
    rerate: Rerate,
    search: Search | None = None,
    knock_outs: Sequence[KnockOut] = (),
    unassessed: Mapping[str, tuple[MaterialInput, ...]] | None = None,
    rebase: Rebase | None = None,
) -> tuple[list[Improvement], dict[str, object]]:
    """Every applicable action with a positive score gain (or lifting a cap on the energy ratio to a better
    grade), best first; the cheapest path to the next grade.

    ``search`` finds the path's first prefix that reaches the next grade (default :func:`first_reaching`);
    a test passes a linear scan to check the guided search against trying every prefix. ``knock_outs``
    (the business's) say, with ``contributions`` and ``unassessed`` (indicators missing for an input the
    sector must report), what holds the path back when it cannot reach the grade. ``rebase`` re-rates
    against another business than ``base``'s: with it, a path that changes the business's figures is
    still rid of the answers it does not need (:func:`_answers_irreducible`).
    """
    gaps = {c.indicator: c.max_points - c.points for c in contributions}
    found: list[tuple[Improvement, PlannedAction, Outcome | None]] = []
    shared: dict[tuple[str, bool], Outcome] = {}
    data, estimates, base_score, base_values = filled.data, filled.estimates, base.score, base.values
    estimated = filled.paths
    # an action cutting the energy to lift a cap on the energy ratio is for a business under that cap
    ratio_capped = any(rule.min_energy_ratio is not None for rule in knock_outs)
    applying = Applying()
    for planned in index.actions:
        if planned.headroom(gaps) <= 0 or not planned.needs_reported.isdisjoint(estimated):
            continue
        if planned.lifts_cap and not ratio_capped:
            continue
        action = planned.action
        key = planned.sibling_key(data)
        outcome = None
        if key is not None:
            outcome = shared.get(key)
            if outcome is None:
                # A sibling answered the other way (blank, or no) scores the same; its grade is the same
                # too unless a completeness knock-out could lower the grade that score earns.
                other = shared.get((key[0], not key[1]))
                if other is not None and standard.grade_for(other.score) not in index.lowered_by_completeness:
                    outcome = other
        own = outcome is None  # re-rated for this very action, not borrowed from a sibling practice
        if outcome is None:
            changed = applying.apply(data, planned)
            if changed is None:
                continue
            # Every action keeps the estimates flagged, reporting the bills too (:meth:`Applying.take`).
            outcome = rerate(Filled(changed, estimates))
            if key is not None:
                shared[key] = outcome
        gain = round_float(outcome.score - base_score, 2)
        # the energy cut that lifts a cap may move no bin (the ratio's worst bin starts below the cap's
        # threshold), yet the grade it lifts is what the plan is for (standard 1.10.0)
        if gain <= 0 and not (planned.lifts_cap and standard.rank(outcome.grade) < standard.rank(base.grade)):
            continue
        primary = planned.primary
        saved = round_float(base.emissions_tco2e - outcome.emissions_tco2e, 3)
        found.append((
            Improvement(action.id, primary, base_values.get(primary), outcome.values.get(primary), gain,
                        outcome.grade, saved or None, action.cost, action.text,
                        action.text_zh),
            planned,
            outcome if own else None,
        ))
    found.sort(key=lambda item: (-item[0].score_gain, item[1].cost_rank, item[0].action))
    path, best = _path_to_next_grade(filled, base, found, standard, rerate, search or first_reaching, rebase,
                                     applying)
    target = path["target_grade"]
    path["held_back_by"] = (
        held_back_by(str(target), best, knock_outs, contributions, standard, unassessed)
        if target is not None and not path["reachable"]
        else []
    )
    return [imp for imp, _, _ in found], path


def held_back_by(
    target: str,
    best_score: float,
    knock_outs: Sequence[KnockOut],
    contributions: Sequence[Contribution],
    standard: Standard,
    unassessed: Mapping[str, tuple[MaterialInput, ...]] | None = None,
) -> list[dict[str, object]]:
    """Why no path of the standard's actions reaches ``target``, each reason with what can be done about it.

    An unreachable plan had said only "not reachable": a workshop burning coal was offered one action and
    never told that the coal caps its grade, nor a shop without its bills that its blank answers were worth
    more than every action together (a small-business adviser's review). Three reasons, in this order: a
    knock-out capping the grade below the target (its remedy, from the standard), points that figures not
    reported or practices not answered could earn (an indicator in its missing bin, capped at the worst
    reported bin's points), and a score the modelled actions together fall short with (``best_score``:
    every action of the path taken).

    The points not given, and the score the actions fall short with, are said only where they could
    change the outcome: the score every action reaches is short of the target's floor, and no knock-out
    that no data lifts (a penalty, an excluded activity, coal burned) caps the grade below the target. An
    energy-efficiency advisor's review found a dye house at 80.2 points, capped at light green by a
    penalty, told that "up to 10.8 more points wait", and a coal-mine services firm told so right after "no
    change of operations lifts this cap". Under such a cap no action of the plan lifts the grade, so
    "the actions reach 33.6 points together; Light green starts at 45" promised what the cap rules out
    (a noodle bar with three penalties, engine 2.3): the cap and its remedy are all that is said.
    """
    labels = {c.grade: c for c in standard.cutoffs}
    out: list[dict[str, object]] = []
    capping = [rule for rule in knock_outs if standard.rank(rule.cap_grade) > standard.rank(target)]
    for rule in capping:
        cap = labels[rule.cap_grade]
        out.append(_held_back(
            "knock_out", rule.id, [], None,
            f"{rule.name}: the grade is capped at {cap.label}. {rule.remedy}".strip(),
            f"{rule.name_zh}：评级上限为{cap.label_zh}。{rule.remedy_zh}".strip("。 ") + "。",
        ))
    floor = standard.grade_floor(target)
    # a cap that no figure lifts leaves the score nothing to decide; the plan's actions lift a cap on the
    # energy ratio, and ``best_score`` is with them taken
    short = best_score < floor and all(
        lifted_by_reporting(rule) or rule.min_energy_ratio is not None for rule in capping)
    unreported = [c for c in contributions if c.value is None and c.max_points > c.points]
    if unreported and short:
        points = round_float(math.fsum([c.max_points - c.points for c in unreported]), 1)
        message, zh = missing_data_messages([(c.indicator, c.max_points - c.points) for c in unreported],
                                            standard)
        # an input the sector must report, named as the owner can act on it (the fleet, not the indicators)
        rules: list[MaterialInput] = []
        for c in unreported:
            for material in unassessed.get(c.indicator, ()) if unassessed else ():
                if material not in rules:
                    rules.append(material)
        to_assess, to_assess_zh = _to_assess(rules)
        out.append(_held_back(
            "missing_data", None, [c.indicator for c in unreported], points,
            message + to_assess, zh + to_assess_zh,
        ))
    if short:
        grade = labels[target]
        out.append(_held_back(
            "beyond_actions", None, [], None,
            f"The improvement actions this standard models reach {best_score:g} points together; "
            f"{grade.label} starts at {floor:g}.",
            f"即使全部完成本标准列出的改进措施，得分也只有 {best_score:g} 分；"
            f"{grade.label_zh}需要 {floor:g} 分。",
        ))
    return out


def _to_assess(rules: Sequence[MaterialInput]) -> tuple[str, str]:
    """The inputs the unassessed indicators wait on, after the points waiting there, in English and
    Chinese: " To be assessed, report the heat bought ...; also report the fuels burned ...", "如需评估这些
    指标，请按热费账单填报……；另外，请填报……".

    Each rule's reason had been appended as it opens in a reason code ("Not assessed: report the heat
    bought ... Not assessed: report the fuels burned ..."), a log line's prefix said again for every input
    (an editor's reading, engine 2.13); the Chinese kept "无法评估：" before each input (a credit officer's
    reading, engine 2.13). A reason that does not ask to report an input (the year-on-year rule's "the
    change compares only what was reported for both years; give ...") is a sentence of its own.
    """
    said = [r.reason.removeprefix(NOT_ASSESSED[0]) for r in rules]
    asks = [r for r in said if r.startswith("report ")]
    own = "".join(f" {r[0].upper()}{r[1:]}." for r in said if not r.startswith("report "))
    said_zh = [r.reason_zh.removeprefix(NOT_ASSESSED[1]) for r in rules]
    asks_zh = [r for r in said_zh if r.startswith("请")]
    own_zh = "".join(f"{r}。" for r in said_zh if not r.startswith("请"))
    return ((f" To be assessed, {'; also '.join(asks)}." if asks else "") + own,
            (f"如需评估这些指标，{'；另外，'.join(asks_zh)}。" if asks_zh else "") + own_zh)


def lifted_by_reporting(rule: KnockOut) -> bool:
    """Whether reporting data can lift the knock-out: too little data given (completeness), or an input
    left out (the site fuels). A penalty, an excluded activity or coal burned is lifted by no figure."""
    return rule.max_completeness is not None or bool(rule.unreported)


def missing_data_messages(gaps: Sequence[tuple[str, float]], standard: Standard) -> tuple[str, str]:
    """What the points of indicators in their missing bins wait on, in English and Chinese: figures to
    report (from the bills, where there are any) and practices and policies to answer, said apart.

    ``gaps`` are the indicators, each with the points it could earn at most. An indicator scoring answers
    to practices (``Indicator.practices``: green operations, environmental management) waits on answers;
    every other on figures. The sentence had called both "figures not reported ... from the bills", and
    told a noodle bar that gave nothing but its company that "up to 100 more points" waited there, a
    third of them in practices (an energy-efficiency advisor's review).
    """
    figures = [(standard.indicators[i], p) for i, p in gaps if not standard.indicators[i].practices]
    answers = [(standard.indicators[i], p) for i, p in gaps if standard.indicators[i].practices]
    total = round_float(math.fsum([p for _, p in gaps]), 1)
    f_en, f_zh = "; ".join(i.name for i, _ in figures), "、".join(i.name_zh for i, _ in figures)
    a_en, a_zh = "; ".join(i.name for i, _ in answers), "、".join(i.name_zh for i, _ in answers)
    report = "Report them, from the bills where there are any, to be scored on them"
    report_zh = "请按账单等实际数据填报，按实际情况计分"
    say = "Say which are in place; only those in place earn points"
    say_zh = "请逐项说明是否已经做到；只有已做到的才能得分"
    if not answers:
        return (
            f"Figures not reported (or only estimated from the sector) could earn up to {total:g} more "
            f"points: {f_en}. {report}; a blank never scores better than the worst figure.",
            f"未填报（或仅按行业默认值估算）的数据最多还能带来 {total:g} 分：{f_zh}。"
            f"{report_zh}；空白的得分不会高于最差的填报值。",
        )
    if not figures:
        return (
            f"Practices and policies not answered could earn up to {total:g} more points: {a_en}. {say}; a "
            "blank never scores better than answering no.",
            f"未作答的绿色经营做法和管理制度最多还能带来 {total:g} 分：{a_zh}。"
            f"{say_zh}；空白的得分不会高于回答“没有”。",
        )
    in_figures = round_float(math.fsum([p for _, p in figures]), 1)
    in_answers = round_float(math.fsum([p for _, p in answers]), 1)
    return (
        f"Figures and answers not given could earn up to {total:g} more points. Figures not reported (or "
        f"only estimated from the sector), up to {in_figures:g} points: {f_en}. {report}. Practices and "
        f"policies not answered, up to {in_answers:g} points: {a_en}. {say}. A blank never scores better "
        "than the worst figure, or than answering no.",
        f"未填报的数据和未作答的问题最多还能带来 {total:g} 分。"
        f"未填报（或仅按行业默认值估算）的数据最多 {in_figures:g} 分：{f_zh}。{report_zh}。"
        f"未作答的绿色经营做法和管理制度最多 {in_answers:g} 分：{a_zh}。{say_zh}。"
        "空白的得分不会高于最差的填报值，也不会高于回答“没有”。",
    )


def _held_back(
    reason: str, knock_out: str | None, indicators: list[str], points: float | None, message: str, zh: str
) -> dict[str, object]:
    return {"reason": reason, "knock_out": knock_out, "indicators": indicators, "points": points,
            "message": message, "message_zh": zh}


def _path_to_next_grade(
    filled: Filled,
    base: Outcome,
    found: list[tuple[Improvement, PlannedAction, Outcome | None]],
    standard: Standard,
    rerate: Rerate,
    search: Search,
    rebase: Rebase | None,
    applying: Applying,
) -> tuple[dict[str, object], float]:
    """Take actions cheapest first (then by gain) until the next grade is reached; verify by re-rating.

    Also the score every action of the list reaches together (the path's own when it reaches the grade).
    """
    target = standard.better_grade(base.grade)
    if target is None:
        return {"target_grade": None, "reachable": False, "actions": [], "score_gains": [],
                "score_after": base.score, "grade_after": base.grade, "tco2e_saved": None}, base.score
    ordered = sorted(found, key=lambda item: (item[1].cost_rank, -item[0].score_gain, item[0].action))
    # The business after each prefix of the cheapest-first list. Every action moves indicators only in
    # their declared green direction, so the score never falls along the list: the first prefix that
    # reaches the grade is found by a guess checked with two re-ratings, or else by bisection. Prefixes
    # are built only as far as a re-rating asks: the grade is usually reached well before the list ends.
    # An action that changes nothing after the ones before it leaves its prefix equal to the one before.
    # A prefix is built as a business only when it is re-rated (:meth:`Applying.take`).
    prefixes: list[Taken] = []
    applied: list[bool] = []
    rated: dict[int, Outcome] = {}
    if ordered and ordered[0][2] is not None:
        rated[0] = ordered[0][2]  # the first prefix is the first action alone, already re-rated

    def prefix(k: int) -> Taken:
        while len(prefixes) <= k:
            last = prefixes[-1] if prefixes else (filled.data, ())
            taken = applying.take(last, ordered[len(prefixes)][1])
            applied.append(taken is not None)
            prefixes.append(last if taken is None else taken)
        return prefixes[k]

    def outcome_at(k: int) -> Outcome:
        if k not in rated:
            taken = prefix(k)
            rated[k] = outcome_at(k - 1) if k > 0 and not applied[k] else rerate(_business(taken, filled))
        return rated[k]

    def reaches(k: int) -> bool:
        return standard.rank(outcome_at(k).grade) <= standard.rank(target)

    gains = [improvement.score_gain for improvement, _, _ in ordered]
    floor = standard.grade_floor(target)

    def next_guess(failed: int | None) -> int | None:
        """The first prefix whose estimated score reaches the grade's floor, after ``failed``."""
        start = 0 if failed is None else failed + 1
        estimate = base.score if failed is None else outcome_at(failed).score
        for k in range(start, len(gains)):
            estimate += gains[k]
            if estimate >= floor:
                return k
        return None

    first = search(len(ordered), reaches, next_guess)
    taken: list[str] = []
    kept: list[int] = []
    outcome = base
    if first is not None:
        after, _ = prefix(first)  # its figures (a first prefix re-rated alone was never taken)
        kept = [k for k in range(first + 1) if applied[k]]
        outcome = outcome_at(first)
        if (
            after.energy is filled.data.energy
            and after.transport is filled.data.transport
            and after.resources is filled.data.resources
        ):
            # Only answers changed (practices, targets, the data source): re-ratings without one action
            # reuse the inventory, so trying each costs little.
            kept, outcome = _irreducible(filled, ordered, kept, outcome, rerate, standard, target, applying)
        elif rebase is not None:
            # A path that changes energy, vehicles or resources would recompute the inventory for every try
            # of its figures (it had cost 80 % more instructions a rating): those are kept as found, and
            # only its answers are tried without, against the business with the figures changed.
            kept, outcome = _answers_irreducible(filled, ordered, kept, outcome, rebase, standard, target,
                                                 applying)
        taken = [ordered[k][0].action for k in kept]
    reached = standard.rank(outcome.grade) <= standard.rank(target)
    saved = round_float(base.emissions_tco2e - outcome.emissions_tco2e, 3)
    # every action taken: the score the modelled actions reach together, said when they fall short
    best = outcome.score if reached or not ordered else outcome_at(len(ordered) - 1).score
    return {
        "target_grade": target,
        "reachable": reached,
        "actions": taken if reached else [],
        "score_gains": _step_gains(filled, base, ordered, kept, outcome, rerate, applying) if reached else [],
        "score_after": outcome.score if reached else base.score,
        "grade_after": outcome.grade if reached else base.grade,
        "tco2e_saved": (saved or None) if reached else None,
    }, best


def _step_gains(
    filled: Filled,
    base: Outcome,
    ordered: list[tuple[Improvement, PlannedAction, Outcome | None]],
    kept: list[int],
    outcome: Outcome,
    rerate: Rerate,
    applying: Applying,
) -> list[float]:
    """The points each action of the path adds after the ones before it, in the path's order: they add up
    to the path's gain (``outcome``, the path re-rated, against ``base``).

    An improvement's ``score_gain`` is measured alone, from the business as it is: two practices of one
    indicator each list the first bin's points (3.0 for one green operation in seven) where together they
    earn the second bin's (3.9), and a path of the two had listed 6.0 for 3.9 (903 of the 1,671 paths of
    two actions or more, on 2,000 synthetic businesses and the fingerprint corpus, listed gains that did
    not add up to the path's). Each prefix of the path is re-rated, but for a practice or a target no
    action before it moves the indicators of: those move only the indicators listing them, so it adds
    exactly what it adds alone (the points add up per indicator). The last prefix is the path itself.
    """
    scores = [base.score]
    taken: Taken = (filled.data, ())
    moved: set[str] = set()
    for position, k in enumerate(kept):
        improvement, planned, _ = ordered[k]
        taken = applying.take(taken, planned) or taken
        if position == len(kept) - 1:
            score = outcome.score
        elif planned.answers_only and moved.isdisjoint(planned.moves):
            score = scores[-1] + improvement.score_gain
        else:
            score = rerate(_business(taken, filled)).score
        moved.update(planned.moves)
        scores.append(score)
    return [round_float(scores[i + 1] - scores[i], 2) for i in range(len(kept))]


def _irreducible(
    filled: Filled,
    ordered: list[tuple[Improvement, PlannedAction, Outcome | None]],
    kept: list[int],
    outcome: Outcome,
    rerate: Rerate,
    standard: Standard,
    target: str,
    applying: Applying,
) -> tuple[list[int], Outcome]:
    """Leave out of a path that reaches ``target`` every action it reaches it without, costliest first.

    The cheapest-first prefix can carry actions the grade does not need (a practice answered that moves no
    bin, a cheap step made redundant by a later one): a fuzz review found six low-cost actions offered where
    three of them reached the grade. Each action but the last (the prefix without it fell short) is tried
    once, from the end of the list, against the actions still kept; the result is a path none of whose
    actions can be left out.
    """
    def without(trial: list[int]) -> Outcome:
        taken: Taken = (filled.data, ())
        for k in trial:
            taken = applying.take(taken, ordered[k][1]) or taken
        return rerate(_business(taken, filled))

    return _left_out(ordered, kept, kept[:-1], outcome, without, standard, target, filled.data)


def _answers_irreducible(
    filled: Filled,
    ordered: list[tuple[Improvement, PlannedAction, Outcome | None]],
    kept: list[int],
    outcome: Outcome,
    rebase: Rebase,
    standard: Standard,
    target: str,
    applying: Applying,
) -> tuple[list[int], Outcome]:
    """:func:`_irreducible` over the answers of a path that also changes figures, the figures kept.

    A review of engine 2.2 found most reachable paths of this kind carrying answers the grade did not need
    (590 of 956 in 1,000 synthetic businesses: a tea shop told to name a climate person and commission an
    energy audit, neither worth a point, beside the green procurement and the electric car that reached
    dark green). The actions that change figures are applied once; that business is evaluated once, and
    each answer is tried without against it, reusing its inventory as :func:`_irreducible` reuses the
    business's own. An answer the grade needs stays; the last action of the path (the one that reached
    the grade) is never tried.
    """
    answers = [k for k in kept[:-1] if ordered[k][1].answers_only]
    if not answers:
        return kept, outcome
    taken: Taken = (filled.data, ())
    for k in kept:
        planned = ordered[k][1]
        if not planned.answers_only:
            taken = applying.take(taken, planned) or taken
    figures = _business(taken, filled)
    rerate = rebase(figures)

    def without(trial: list[int]) -> Outcome:
        answered: Taken = (figures.data, ())
        for k in trial:
            planned = ordered[k][1]
            if planned.answers_only:
                answered = applying.take(answered, planned) or answered
        return rerate(_business(answered, figures))

    return _left_out(ordered, kept, answers, outcome, without, standard, target, filled.data)


def _left_out(
    ordered: list[tuple[Improvement, PlannedAction, Outcome | None]],
    kept: list[int],
    candidates: list[int],
    outcome: Outcome,
    without: Callable[[list[int]], Outcome],
    standard: Standard,
    target: str,
    business: OperatingData,
) -> tuple[list[int], Outcome]:
    """Try each of ``candidates`` (positions among ``kept``), from the last (costliest, as the path was
    taken cheapest first), left out of the actions still kept; leave it out where ``without`` (the outcome
    of the remaining actions) still reaches ``target``.

    Two practices of one practice-share indicator, answered alike in ``business`` (the business before the
    plan), are interchangeable (:meth:`PlannedAction.sibling_key`): the actions kept without the one or
    without the other reach the same score, values, emissions and grade, so a practice whose sibling was
    needed (left out, the rest fell short) against the same actions kept is needed too, and is not tried.
    Paths hold several practices of green operations or of environmental management: about a quarter of
    the trials of 100 synthetic businesses' paths were such repeats. Not where another kept action adopts
    the same practice too (``save_water``): leaving that one out changes nothing.
    """
    floor = standard.grade_floor(target) - 0.05  # scores have one decimal: half a unit of slack
    needed: set[tuple[str, bool]] = set()  # the sibling keys found needed against the actions kept now
    for candidate in reversed(candidates):
        trial = [k for k in kept if k != candidate]
        improvement, planned, _ = ordered[candidate]
        others = {name for k in trial for name in ordered[k][1].moves}
        if (
            others.isdisjoint(planned.moves)
            and outcome.score - improvement.score_gain < floor
        ):
            # No other action moves its indicators, so it adds exactly its own gain (the points add up per
            # indicator): without it the score is below the grade's floor, and caps only lower a grade.
            continue
        key = planned.sibling_key(business)
        if key is not None and any(ordered[k][1].action.change.get("set_practice") == planned.practice
                                   for k in trial):
            key = None  # adopted by another action kept too
        if key is not None and key in needed:
            continue
        tried = without(trial)
        if standard.rank(tried.grade) <= standard.rank(target):
            kept, outcome = trial, tried
            needed.clear()  # other actions kept: a sibling may be left out now
        elif key is not None:
            needed.add(key)
    return kept, outcome


#: A business part-way through a list of actions (:meth:`Applying.take`): its data with every action taken
#: but the adoptions of single practices, and the practices those adopt, to be set in one copy
#: (:func:`_business`).
Taken = tuple[OperatingData, tuple[str, ...]]


class Applying:
    """The actions of one improvement plan applied to its businesses, each action once to each data.

    The plan applies the same action to the same data again and again: alone, then at the head of its
    path, in the steps of its gains, among the figures its answers are tried against. Each application
    built new sections of the same values, and an inventory for them again. Applied once, they are the
    same objects wherever they recur, so a counterfactual's figures are known by identity
    (:class:`~rating_model.pipeline.Figures`), and the action is not applied again. Made per plan: an
    entry keeps the data its key's id names alive.
    """

    def __init__(self) -> None:
        self._applied: dict[tuple[int, str], tuple[OperatingData, OperatingData | None]] = {}

    def apply(self, data: OperatingData, planned: PlannedAction) -> OperatingData | None:
        """:func:`~rating_model.actions.apply_change` of ``planned``'s action to ``data``, made once."""
        key = (id(data), planned.action.id)
        found = self._applied.get(key)
        if found is None:
            found = self._applied[key] = (data, apply_change(data, planned.action.change))
        return found[1]

    def take(self, taken: Taken, planned: PlannedAction) -> Taken | None:
        """``taken`` after one more action; ``None`` when the action changes nothing after the ones before.

        The same business as applying each action to the data in turn, built more cheaply: an action that
        adopts one practice is only noted, and :func:`_business` sets all the noted practices in one copy
        of the practices and of the data. Applying them one by one made two copies per action, and a
        path's prefixes, its steps and its trials without an action are mostly such actions (a copy of the
        data per practice was most of the cost of trying a path's answers without). An action whose
        operations read the practices (``save_water`` adopts water-saving fixtures) sees the noted ones
        set first, as it would in turn.

        The estimates stay flagged whatever the action, ``provide_energy_bills`` too: the engine does not
        know what the bills say. Taking its estimates for the bills' figures (engine 2.0 to 2.3) would
        have credited the owner with the sector's figures: under a model that scores the data quality
        (the test's ``_scoring_targets_and_data_quality``), the action was offered to 526 of 2,000
        synthetic businesses whose figures were estimated, 125 of them with more points than the data
        quality earns (indicators waiting in their missing bins scored on the sector's figures, the fuels
        cap lifted). Kept, reporting the bills earns what the data source alone earns (the PCAF score,
        where nothing the bills hold was estimated); what the figures would earn is said by
        ``held_back_by`` (``missing_data``, and the remedy of a cap on fuels left out).
        """
        data, adopted = taken
        practice = planned.practice
        if practice is not None:
            if practice in adopted or getattr(data.practices, practice) is True:
                return None
            return data, (*adopted, practice)
        if adopted and "set_practice" in planned.action.change:
            data, adopted = adopt_practices(data, adopted), ()
        changed = self.apply(data, planned)
        return None if changed is None else (changed, adopted)


def _business(taken: Taken, like: Filled) -> Filled:
    """The business ``taken`` stands for, with ``like``'s estimates (every action keeps them)."""
    data, adopted = taken
    if adopted:
        data = adopt_practices(data, adopted)
    elif data is like.data:
        return like
    return Filled(data, like.estimates)


def first_reaching(
    n: int, reaches: Callable[[int], bool], next_guess: Callable[[int | None], int | None] | None = None
) -> int | None:
    """The first of ``n`` prefixes for which ``reaches`` holds, given that it holds for every later one.

    ``next_guess(k)`` says where the grade should be reached, knowing that prefix ``k`` (``None``: no
    prefix yet) does not reach it: the points of a scorecard add up, so adding the single actions' gains
    to the score of the last prefix re-rated is usually right or close. A right guess is proved by two
    re-ratings (it and the prefix before it); a guess too low is followed by a better-informed one; a
    guess too high, or none, leaves a bisection of what remains.
    """
    low, high = 0, n - 1  # the answer is in [low, high] or there is none; prefixes before low fail
    high_reaches = False
    failed: int | None = None
    while next_guess is not None:
        guess = next_guess(failed)
        if guess is None or not low <= guess <= high:
            break
        if not reaches(guess):
            low, failed = guess + 1, guess
            continue
        if guess == low or not reaches(guess - 1):
            return guess
        high, high_reaches = guess - 1, True
        break
    if low > high or not (high_reaches or reaches(high)):
        return None
    while low < high:  # invariant: prefix `high` reaches the grade, no prefix before `low` does
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    return high


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Outcome, Improvement):
    fast_init(_value_class)
