"""The green evaluation standard: a versioned YAML document, loaded once and checked for consistency.

The standard is data, not code, so that a bank, an auditor or a merchant can read how a grade is reached,
and so that a change of rules is a new document version rather than a silent code change. This module
turns the document into typed, immutable values and refuses a document that contradicts itself.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rating_model.actions import known_operations
from rating_model.artifact_format import STANDARD_SCORE_RANGE
from rating_model.exceptions import StandardError
from rating_model.isic import INDUSTRY_CODES, codes_wholly_within
from rating_model.operating_data import DATA_SOURCES, PRACTICE_FLAGS, STATIONARY_FUELS
from rating_model.published import verified_bytes

STANDARD_DIR = Path(__file__).parent / "data" / "standard"
DEFAULT_STANDARD = STANDARD_DIR / "greenrate-sme-1.12.yaml"
#: The sections a scorecard depends on: how indicators are derived and scored, the grade cut-offs, the
#: estimation that fills their inputs and the data-quality rules (the measurement_quality indicator is the
#: PCAF score they set). A later version may accept models trained for an earlier one
#: (``models_trained_for``) only when these are identical in both documents.
SCORING_SECTIONS = ("score", "grades", "pillars", "estimation", "data_quality")
GRADES = ("dark_green", "green", "light_green", "not_green")
DIRECTIONS = ("increasing", "decreasing")
COSTS = ("low", "medium", "high")
#: The inputs a knock-out may be triggered by leaving out (``knock_outs[].unreported``, 1.7.0 on). An
#: estimated figure is not reported: fuels left out are filled with a sector-default gas estimate, which
#: would otherwise hide a coal boiler from the coal knock-out (:func:`rating_model.grading.unreported`).
UNREPORTED_KNOCK_OUT_FIELDS = ("energy.fuels",)
#: The indicator a knock-out's ``min_energy_ratio`` reads (1.10.0 on): the premises' purchased energy over the
#: sector's expected energy for the business's size (:func:`rating_model.sector_benchmarks.benchmark`).
ENERGY_RATIO_INDICATOR = "energy_efficiency_ratio"


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    pillar: str
    name: str
    name_zh: str
    unit: str
    direction: str
    derivation: str
    actions: tuple[str, ...]
    practices: tuple[str, ...]
    #: the value an indicator over a list the business can answer empty takes when it did (``"fleet": []``:
    #: it runs no vehicles; standard 1.5.0 on); ``None`` leaves that answer in the missing bin, as standards
    #: before 1.5.0 did. Training fits the bins without these answers (:mod:`rating_model.train`).
    when_none: float | None = None


#: Indicators read from a list the business may answer empty (``"fleet": []``), the only ones that may
#: declare ``when_none``.
NONE_ANSWERABLE = frozenset({"low_carbon_fleet_share"})


@dataclass(frozen=True, slots=True)
class Pillar:
    id: str
    name: str
    name_zh: str
    indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GradeCutoff:
    grade: str
    min_score: float
    label: str
    label_zh: str


@dataclass(frozen=True, slots=True)
class KnockOut:
    id: str
    name: str
    description: str
    cap_grade: str
    isic_divisions: tuple[str, ...] = ()
    #: ISIC Rev.4 classes excluded beside the divisions (1.12.0: fuel distribution and oilfield services)
    isic_classes: tuple[str, ...] = ()
    #: every code, at any of ISIC's three levels, that the divisions and classes cover whole: what a
    #: business's ``industry_code`` is matched against (:func:`rating_model.isic.codes_wholly_within`)
    isic_codes: frozenset[str] = frozenset()
    min_penalties: int | None = None
    max_completeness: float | None = None
    #: fuels whose burning on the premises (``energy.fuels``) triggers it (1.2.0: coal)
    fuels: tuple[str, ...] = ()
    #: inputs whose absence triggers it, among :data:`UNREPORTED_KNOCK_OUT_FIELDS` (1.7.0: the fuels)
    unreported: tuple[str, ...] = ()
    #: the :data:`ENERGY_RATIO_INDICATOR` value (actual / the sector's expected energy for the business's
    #: size) from which it applies, when the energy is the business's own, never the sector's (1.10.0)
    min_energy_ratio: float | None = None
    #: the :data:`ENERGY_RATIO_INDICATOR` value below which it applies, on the business's own figures: use
    #: so far below the sector's that the figures, not the premises, are the likelier explanation (1.11.0)
    max_energy_ratio: float | None = None
    #: the ISIC divisions a ``min_energy_ratio`` rule does not apply to: those whose energy is mostly burnt
    #: away from the premises the sector's expectation is of (construction's site machinery, 1.10.0)
    exempt_isic_divisions: tuple[str, ...] = ()
    #: whether it denies green-loan treatment, beyond capping the grade (1.0.0: every knock-out did)
    blocks_green_loan: bool = True
    #: what lifts it, in plain words (1.4.0 on; empty in earlier standards, which did not say)
    remedy: str = ""
    remedy_zh: str = ""
    name_zh: str = ""


@dataclass(frozen=True, slots=True)
class MaterialInput:
    """An input without which a sector's Scope 1 + 2 leaves out its main source (standard 1.6.0 on).

    A freight firm that did not report its fleet had its carbon intensity computed from its depot's
    electricity alone and scored in the best bin, above the same firm reporting its trucks: the indicators
    named here fall in their missing bin instead, where a blank never scores better than the worst figure.
    """

    field: str
    #: the sectors it applies to; empty for every sector (the site fuels, standard 1.8.0)
    sectors: tuple[str, ...]
    indicators: tuple[str, ...]
    #: how a reason names the indicator's value then, in English and Chinese
    reason: str
    reason_zh: str
    #: the ISO 3166-2 subdivisions it applies to; empty for everywhere. A business that names no
    #: subdivision is held to it in the countries of those listed, since nothing shows it is outside them
    #: (purchased heat, standard 1.9.0: sold where district heating or industrial steam is)
    regions: tuple[str, ...] = ()
    #: where the list of regions comes from (a rule naming regions must say)
    source: str = ""
    source_url: str = ""

    def applies_to(self, country: str, region: str | None, sector: str) -> bool:
        """Whether a business of ``sector`` in ``country`` and ``region`` (as the factor set names it:
        ``CN-BJ``, never GB/T 2260's ``CN-11``) is held to the rule: the one test the indicators and the
        inventory share, so the two never disagree on who is asked."""
        if self.sectors and sector not in self.sectors:
            return False
        if not self.regions:
            return True
        if region is None:
            return any(r.partition("-")[0] == country for r in self.regions)
        return region in self.regions


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    cost: str
    text: str
    text_zh: str
    change: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EstimationRule:
    field: str
    method: str
    pcaf_floor: int
    tariff_cny_per_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class Standard:
    """The parsed standard; ``document`` keeps the original mapping for publication."""

    id: str
    version: str
    sha256: str
    pillars: tuple[Pillar, ...]
    indicators: Mapping[str, Indicator]
    cutoffs: tuple[GradeCutoff, ...]
    knock_outs: tuple[KnockOut, ...]
    actions: Mapping[str, Action]
    pcaf_by_data_source: Mapping[str, int]
    estimation: tuple[EstimationRule, ...]
    completeness_fields: tuple[str, ...]
    green_uses: Mapping[str, Mapping[str, str]]
    non_green_uses: tuple[str, ...]
    #: the grade a green loan needs (1.0.0 to 1.2.0: light green); ``None`` from 1.3.0, which judges a green
    #: loan by its use of proceeds alone and lets the grade set only the pricing tier
    min_loan_grade: str | None
    pricing_tiers: Mapping[str, str]
    document: Mapping[str, Any]
    #: labels of earlier versions whose models rate under this one (their scoring sections are identical)
    models_trained_for: tuple[str, ...] = ()
    #: the grade a borrower needs for green-rated-borrower terms on a general-purpose loan
    green_rated_borrower_grade: str = "green"
    #: per input field, the indicators that fall in their missing bin when it was filled from sector
    #: defaults (1.3.0 on: electricity)
    missing_when_sector_default: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: inputs a sector must report for the indicators that sum its Scope 1 + 2 to be scored (1.6.0 on)
    missing_when_not_reported: tuple[MaterialInput, ...] = ()
    #: the indicators comparing two years that fall in their missing bin when the comparison left out an
    #: input with emissions (given in one year only, or estimated), with the reason they say
    #: (``score.year_on_year``, 1.8.0 on; its ``field`` is ``previous_year``); ``None`` before
    year_on_year: MaterialInput | None = None
    #: completeness items whose 0 counts as not given, and whether previous_year counts only with an input
    #: in common with this year (``data_quality.completeness_given``, 1.6.0 on)
    completeness_zero_is_blank: tuple[str, ...] = ()
    previous_year_in_common: bool = False

    @property
    def label(self) -> str:
        """``id@version``: how ratings name the standard they were made under."""
        return f"{self.id}@{self.version}"

    def publication(self) -> dict[str, Any]:
        """What ``GET /v1/standard`` publishes: the document verbatim, with its id, version and sha256."""
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "document": self.document}

    def rates_models_for(self, label: object) -> bool:
        """Whether a model trained for the standard ``label`` may rate under this one."""
        return label == self.label or label in self.models_trained_for

    def grade_for(self, score: float) -> str:
        """The grade of a score by the published absolute cut-offs."""
        for cutoff in self.cutoffs:
            if score >= cutoff.min_score:
                return cutoff.grade
        return self.cutoffs[-1].grade

    def grade_floor(self, grade: str) -> float:
        """The lowest score that earns ``grade``."""
        return next(c.min_score for c in self.cutoffs if c.grade == grade)

    @staticmethod
    def rank(grade: str) -> int:
        """0 for the best grade; larger is worse."""
        return GRADES.index(grade)

    def better_grade(self, grade: str) -> str | None:
        index = GRADES.index(grade)
        return GRADES[index - 1] if index > 0 else None

    @property
    def use_of_proceeds(self) -> tuple[str, ...]:
        return tuple(self.green_uses) + self.non_green_uses


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise StandardError(f"{where}: missing '{key}'")
    return mapping[key]


def _parse_indicators(doc: Mapping[str, Any]) -> tuple[tuple[Pillar, ...], dict[str, Indicator]]:
    pillars: list[Pillar] = []
    indicators: dict[str, Indicator] = {}
    for p in _require(doc, "pillars", "standard"):
        ids: list[str] = []
        for i in _require(p, "indicators", f"pillar {p.get('id')}"):
            where = f"indicator {i.get('id')}"
            if i["id"] in indicators:
                raise StandardError(f"{where}: defined twice")
            if i.get("direction") not in DIRECTIONS:
                raise StandardError(f"{where}: direction must be one of {DIRECTIONS}")
            practices = tuple(i.get("practices", ()))
            unknown = set(practices) - set(PRACTICE_FLAGS)
            if unknown:
                raise StandardError(f"{where}: unknown practices {sorted(unknown)}")
            when_none = i.get("when_none")
            if when_none is not None and (
                i["id"] not in NONE_ANSWERABLE
                or isinstance(when_none, bool)
                or not isinstance(when_none, int | float)
                or not math.isfinite(when_none)
            ):
                raise StandardError(
                    f"{where}: when_none must be a number, and only {sorted(NONE_ANSWERABLE)} may declare it"
                )
            indicators[i["id"]] = Indicator(
                id=i["id"],
                pillar=p["id"],
                name=_require(i, "name", where),
                name_zh=i.get("name_zh", i["name"]),
                unit=_require(i, "unit", where),
                direction=i["direction"],
                derivation=_require(i, "derivation", where),
                actions=tuple(i.get("actions", ())),
                practices=practices,
                when_none=None if when_none is None else float(when_none),
            )
            ids.append(i["id"])
        pillars.append(Pillar(p["id"], p["name"], p.get("name_zh", p["name"]), tuple(ids)))
    return tuple(pillars), indicators


def _parse_cutoffs(doc: Mapping[str, Any]) -> tuple[GradeCutoff, ...]:
    grades = _require(doc, "grades", "standard")
    cutoffs = tuple(
        GradeCutoff(c["grade"], float(c["min_score"]), c["label"], c.get("label_zh", c["label"]))
        for c in _require(grades, "cutoffs", "grades")
    )
    if tuple(c.grade for c in cutoffs) != GRADES:
        raise StandardError(f"grades.cutoffs must list {GRADES} best first")
    scores = [c.min_score for c in cutoffs]
    if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores) or scores[-1] != 0:
        raise StandardError("grades.cutoffs must strictly decrease and end at 0")
    return cutoffs


def _check_score_range(doc: Mapping[str, Any]) -> None:
    """The score scale is the contract's (:data:`~rating_model.artifact_format.STANDARD_SCORE_RANGE`):
    artifacts are held to that constant at load, where no standard is at hand, so a standard may not name
    another one."""
    found = _require(_require(doc, "score", "standard"), "range", "score")
    if not isinstance(found, list) or [float(v) for v in found] != list(STANDARD_SCORE_RANGE):
        raise StandardError(f"score.range must be {list(STANDARD_SCORE_RANGE)} (the rating contract's "
                            f"0-100), got {found!r}")


def _parse_knock_outs(doc: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> tuple[KnockOut, ...]:
    out = []
    for k in doc.get("knock_outs", ()):
        if k.get("cap_grade") not in GRADES:
            raise StandardError(f"knock-out {k.get('id')}: unknown cap_grade")
        blocks = k.get("blocks_green_loan", True)
        if not isinstance(blocks, bool):
            raise StandardError(f"knock-out {k.get('id')}: blocks_green_loan must be true or false")
        fuels = tuple(k.get("fuels", ()))
        if not set(fuels) <= set(STATIONARY_FUELS):
            raise StandardError(f"knock-out {k.get('id')}: fuels must be among {STATIONARY_FUELS}")
        divisions, classes = _isic_level(k, "isic_divisions", 2), _isic_level(k, "isic_classes", 4)
        unreported = k.get("unreported", [])
        if not isinstance(unreported, list) or not set(unreported) <= set(UNREPORTED_KNOCK_OUT_FIELDS):
            raise StandardError(
                f"knock-out {k.get('id')}: unreported must be a list among {UNREPORTED_KNOCK_OUT_FIELDS}"
            )
        out.append(
            KnockOut(
                id=k["id"],
                name=k["name"],
                description=k["description"],
                cap_grade=k["cap_grade"],
                isic_divisions=divisions,
                isic_classes=classes,
                isic_codes=codes_wholly_within(divisions, classes) if divisions or classes else frozenset(),
                min_penalties=k.get("min_penalties"),
                max_completeness=k.get("max_completeness"),
                fuels=fuels,
                unreported=tuple(unreported),
                min_energy_ratio=_min_energy_ratio(k, indicators),
                max_energy_ratio=_max_energy_ratio(k, indicators),
                exempt_isic_divisions=_exempt_divisions(k),
                blocks_green_loan=blocks,
                remedy=str(k.get("remedy", "")).strip(),
                remedy_zh=str(k.get("remedy_zh", k.get("remedy", ""))).strip(),
                name_zh=str(k.get("name_zh", k["name"])),
            )
        )
    return tuple(out)


def _min_energy_ratio(rule: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> float | None:
    """A knock-out's ``min_energy_ratio`` (1.10.0 on): a number above 1, since a ratio of 1 is the sector's
    expected use and a cap on it would cap half the sector, read from the standard's energy ratio."""
    if "min_energy_ratio" not in rule:
        return None
    value = rule["min_energy_ratio"]
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or value <= 1 or ENERGY_RATIO_INDICATOR not in indicators):
        raise StandardError(
            f"knock-out {rule.get('id')}: min_energy_ratio must be a number above 1, in a standard with "
            f"the {ENERGY_RATIO_INDICATOR} indicator"
        )
    return float(value)


def _max_energy_ratio(rule: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> float | None:
    """A knock-out's ``max_energy_ratio`` (1.11.0 on): a number between 0 and 1, since a ratio of 1 is the
    sector's expected use (a bound above it would cap half the sector) and none is below 0; not beside a
    ``min_energy_ratio``, as one rule caps one side."""
    if "max_energy_ratio" not in rule:
        return None
    value = rule["max_energy_ratio"]
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or not 0 < value < 1 or ENERGY_RATIO_INDICATOR not in indicators or "min_energy_ratio" in rule):
        raise StandardError(
            f"knock-out {rule.get('id')}: max_energy_ratio must be a number between 0 and 1, in a standard "
            f"with the {ENERGY_RATIO_INDICATOR} indicator, and not beside min_energy_ratio"
        )
    return float(value)


def _isic_level(rule: Mapping[str, Any], key: str, digits: int) -> tuple[str, ...]:
    """A knock-out's ``isic_divisions`` (two digits) or ``isic_classes`` (four, 1.12.0 on): codes of the
    ISIC Rev.4 list at that level, so that a mistyped code cannot leave an activity silently unexcluded."""
    codes = rule.get(key, [])
    if not isinstance(codes, list) or not all(
        isinstance(c, str) and len(c) == digits and c in INDUSTRY_CODES for c in codes
    ):
        raise StandardError(f"knock-out {rule.get('id')}: {key} must be a list of {digits}-digit codes of "
                            "ISIC Rev.4")
    return tuple(codes)


def _exempt_divisions(rule: Mapping[str, Any]) -> tuple[str, ...]:
    """An energy-ratio rule's ``exempt_isic_divisions``: two-digit ISIC Rev.4 divisions."""
    divisions = rule.get("exempt_isic_divisions", [])
    if (not isinstance(divisions, list)
            or not all(isinstance(d, str) and len(d) == 2 and d.isdigit() for d in divisions)
            or (divisions and "min_energy_ratio" not in rule and "max_energy_ratio" not in rule)):
        raise StandardError(f"knock-out {rule.get('id')}: exempt_isic_divisions must be a list of two-digit "
                            "ISIC divisions, beside min_energy_ratio or max_energy_ratio")
    return tuple(divisions)


def _parse_actions(doc: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> dict[str, Action]:
    actions = {
        a["id"]: Action(a["id"], a["cost"], a["text"], a.get("text_zh", a["text"]), dict(a["change"]))
        for a in doc.get("improvement_actions", ())
    }
    for action in actions.values():
        if action.cost not in COSTS:
            raise StandardError(f"action {action.id}: cost must be one of {COSTS}")
        unknown_ops = set(action.change) - known_operations()
        if unknown_ops:
            raise StandardError(f"action {action.id}: unknown change operations {sorted(unknown_ops)}")
        practice = action.change.get("set_practice")
        if practice is not None and practice not in PRACTICE_FLAGS:
            raise StandardError(f"action {action.id}: unknown practice {practice}")
    for indicator in indicators.values():
        missing = set(indicator.actions) - set(actions)
        if missing:
            raise StandardError(f"indicator {indicator.id}: unknown actions {sorted(missing)}")
    return actions


def _parse_data_quality(
    doc: Mapping[str, Any],
) -> tuple[dict[str, int], tuple[EstimationRule, ...], tuple[str, ...]]:
    dq = _require(doc, "data_quality", "standard")
    pcaf = {k: int(v) for k, v in dq["pcaf_by_data_source"].items()}
    if set(pcaf) != set(DATA_SOURCES) or not all(1 <= v <= 5 for v in pcaf.values()):
        raise StandardError(f"data_quality.pcaf_by_data_source must map {DATA_SOURCES} to 1-5")
    floors = {k: int(v) for k, v in dq["estimation_floor"].items()}
    rules = []
    for r in _require(doc, "estimation", "standard")["rules"]:
        if r["pcaf_floor"] not in floors:
            raise StandardError(f"estimation rule {r['field']}: unknown pcaf_floor {r['pcaf_floor']}")
        rules.append(
            EstimationRule(r["field"], r["method"], floors[r["pcaf_floor"]], r.get("tariff_cny_per_kwh"))
        )
    return pcaf, tuple(rules), tuple(dq["completeness_fields"])


def _parse_green_loan(
    doc: Mapping[str, Any],
) -> tuple[dict[str, dict[str, str]], tuple[str, ...], str | None, str, dict[str, str]]:
    gl = _require(doc, "green_loan", "standard")
    # glp_zh (1.9.0 on): the category's Chinese name; before, the Chinese rationale named it in English
    uses = {
        u["id"]: {"glp": u["glp"], "glp_zh": u.get("glp_zh", u["glp"]), "cn_catalogue": u["cn_catalogue"]}
        for u in gl["use_of_proceeds"]
    }
    non_green = tuple(u["id"] for u in gl.get("non_green_uses", ()))
    tiers = {grade: t["tier"] for t in gl["pricing_tiers"] for grade in t["grades"]}
    min_grade = gl.get("min_grade")
    rated_green = gl.get("green_rated_borrower_min_grade", "green")
    known = min_grade is None or min_grade in GRADES
    if not known or rated_green not in GRADES or set(tiers) - set(GRADES):
        raise StandardError("green_loan: unknown grade")
    return uses, non_green, min_grade, rated_green, tiers


def parse_standard(doc: Mapping[str, Any]) -> Standard:
    """Check a standard document for internal consistency and return its typed form."""
    _check_score_range(doc)
    pillars, indicators = _parse_indicators(doc)
    pcaf, estimation, completeness = _parse_data_quality(doc)
    uses, non_green, min_grade, rated_green, tiers = _parse_green_loan(doc)
    zero_is_blank, in_common = _completeness_given(doc, completeness)
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return Standard(
        id=str(_require(doc, "id", "standard")),
        version=str(_require(doc, "version", "standard")),
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        pillars=pillars,
        indicators=indicators,
        cutoffs=_parse_cutoffs(doc),
        knock_outs=_parse_knock_outs(doc, indicators),
        actions=_parse_actions(doc, indicators),
        pcaf_by_data_source=pcaf,
        estimation=estimation,
        completeness_fields=completeness,
        green_uses=uses,
        non_green_uses=non_green,
        min_loan_grade=min_grade,
        pricing_tiers=tiers,
        document=doc,
        models_trained_for=_models_trained_for(doc),
        green_rated_borrower_grade=rated_green,
        missing_when_sector_default=_echoes(doc, indicators),
        missing_when_not_reported=_material_inputs(doc, indicators),
        year_on_year=_year_on_year(doc, indicators),
        completeness_zero_is_blank=zero_is_blank,
        previous_year_in_common=in_common,
    )


def _echoes(doc: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> dict[str, tuple[str, ...]]:
    echoes = doc["estimation"].get("missing_when_sector_default", {})
    estimated = {rule["field"] for rule in doc["estimation"]["rules"]}
    for path, names in echoes.items():
        unknown = sorted(set(names) - set(indicators))
        if path not in estimated or unknown:
            raise StandardError(
                f"estimation.missing_when_sector_default.{path}: not an estimated field, or unknown "
                f"indicators {unknown}"
            )
    return {path: tuple(names) for path, names in echoes.items()}


def _year_on_year(doc: Mapping[str, Any], indicators: Mapping[str, Indicator]) -> MaterialInput | None:
    """``score.year_on_year`` (1.8.0 on); which indicators compare two years is checked where they are
    derived (:class:`rating_model.indicators.IndicatorSet`)."""
    rule = doc["score"].get("year_on_year")
    if rule is None:
        return None
    where = "score.year_on_year"
    names = tuple(_require(rule, "indicators", where))
    unknown = sorted(set(names) - set(indicators))
    if unknown or not names:
        raise StandardError(f"{where}: needs known indicators (unknown: {unknown})")
    reason = str(_require(rule, "reason", where)).strip()
    return MaterialInput("previous_year", (), names, reason, str(rule.get("reason_zh", reason)).strip())


def _material_inputs(
    doc: Mapping[str, Any], indicators: Mapping[str, Indicator]
) -> tuple[MaterialInput, ...]:
    """``score.missing_when_not_reported``; which fields and sectors exist is checked where they are read
    (:class:`rating_model.indicators.IndicatorSet`), since the sectors are data of their own."""
    out = []
    for i, rule in enumerate(doc["score"].get("missing_when_not_reported", ())):
        where = f"score.missing_when_not_reported.{i}"
        names = tuple(_require(rule, "indicators", where))
        sectors = tuple(rule.get("sectors", ()))  # none named: every sector (1.8.0's fuels)
        unknown = sorted(set(names) - set(indicators))
        if unknown or not names or ("sectors" in rule and not sectors):
            raise StandardError(f"{where}: needs known indicators, and sectors if any are named "
                                f"(unknown: {unknown})")
        reason = str(_require(rule, "reason", where)).strip()
        regions, source, source_url = _rule_regions(rule, where)
        out.append(MaterialInput(str(_require(rule, "field", where)), sectors, names, reason,
                                 str(rule.get("reason_zh", reason)).strip(), regions, source, source_url))
    return tuple(out)


_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")


def _rule_regions(rule: Mapping[str, Any], where: str) -> tuple[tuple[str, ...], str, str]:
    """A rule's ``regions`` (1.9.0 on), ISO 3166-2 codes, with the source that lists them: a list of where
    something is sold is a domain fact, and the standard cites it as the factor files cite theirs."""
    if "regions" not in rule:
        return (), "", ""
    regions, source, source_url = rule["regions"], rule.get("source"), rule.get("source_url")
    if (not isinstance(regions, list) or not regions
            or not all(isinstance(r, str) and _SUBDIVISION.fullmatch(r) for r in regions)
            or len(set(regions)) != len(regions)
            or not isinstance(source, str) or not isinstance(source_url, str)
            or not source.strip() or not source_url.strip()):
        raise StandardError(f"{where}.regions: a list of distinct ISO 3166-2 codes (such as CN-BJ), with "
                            "the source and source_url that list them")
    return tuple(regions), source.strip(), source_url.strip()


def _completeness_given(doc: Mapping[str, Any], items: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    given = doc["data_quality"].get("completeness_given", {})
    zero_is_blank = tuple(given.get("zero_is_blank", ()))
    in_common = given.get("previous_year_in_common", False)
    if not set(zero_is_blank) <= set(items) or not isinstance(in_common, bool):
        raise StandardError(
            "data_quality.completeness_given: zero_is_blank must name completeness_fields, "
            "previous_year_in_common must be true or false"
        )
    return zero_is_blank, in_common


def _models_trained_for(doc: Mapping[str, Any]) -> tuple[str, ...]:
    labels = doc.get("models_trained_for", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise StandardError("models_trained_for must be a list of standard labels (id@version)")
    return tuple(labels)


def published_standard_path(label: str) -> Path | None:
    """The package's file of the standard ``label`` (``id@version``); ``None`` when none is published.

    Every released version stays in the package, so a rating can always be read against the rulebook it
    names in ``versions.standard``.
    """
    path = _published_paths().get(label)
    if path is not None:
        verified_bytes(path, StandardError)  # one edited in place since is refused, as each lookup refused it
    return path


@lru_cache(maxsize=1)
def _published_paths() -> dict[str, Path]:
    """Each published standard's file by its label, read once per process: the package's files never
    change while it runs (:mod:`rating_model.published` refuses a changed one).

    Each lookup had verified and parsed every file again, so ``GET /v1/standard?version=`` naming a version
    never published cost any key's request some 150 ms of a worker, over 20 ratings' worth (security
    review). A lookup that finds its file still checks that file's bytes (a hash, no parse).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    paths: dict[str, Path] = {}
    for path in sorted(STANDARD_DIR.glob("*.yaml")):
        doc = yaml.load(verified_bytes(path, StandardError), Loader=loader)  # a safe loader
        if isinstance(doc, dict):
            paths.setdefault(f"{doc.get('id')}@{doc.get('version')}", path)  # the first, as the scan had
    return paths


def _published(label: str) -> Mapping[str, Any]:
    """The earlier version's document as published, read without checking its own claims (two versions
    naming each other would otherwise check each other without end)."""
    path = published_standard_path(label)
    if path is None:
        raise StandardError(f"models_trained_for names {label!r}, which is not a published standard here")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(verified_bytes(path, StandardError), Loader=loader)  # a safe loader
    return doc if isinstance(doc, dict) else {}


def check_model_compatibility(standard: Standard) -> None:
    """Refuse a ``models_trained_for`` claim the documents do not bear out.

    A model trained for an earlier version rates under this one only if everything it learned from is
    unchanged: the :data:`SCORING_SECTIONS` of the two documents must be equal, section by section.
    """
    for label in standard.models_trained_for:
        earlier = _published(label)
        changed = [k for k in SCORING_SECTIONS if earlier.get(k) != standard.document.get(k)]
        if changed:
            raise StandardError(
                f"{standard.label} says models trained for {label} rate under it, but its "
                f"{', '.join(changed)} differ from that version's: a changed scoring needs a retrained model"
            )


@lru_cache(maxsize=8)
def load_standard(path: str | Path = DEFAULT_STANDARD) -> Standard:
    """Load and check a standard document (cached: the standard is read once per process)."""
    try:
        text = verified_bytes(Path(path), StandardError).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardError(f"cannot read standard {path}: {exc}") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(text, Loader=loader)  # a safe loader, chosen for speed
    if not isinstance(doc, dict):
        raise StandardError(f"{path}: not a mapping")
    try:
        standard = parse_standard(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise StandardError(f"{path}: malformed standard ({exc!r})") from exc
    check_model_compatibility(standard)
    return standard


def _version_key(path: Path) -> tuple[int, ...]:
    stem = path.stem.rsplit("-", 1)[-1]
    return tuple(int(part) for part in stem.split(".") if part.isdigit())


def standard_for_model(trained_for: object, preferred: Standard) -> Standard | None:
    """The standard a model trained for ``trained_for`` rates under: ``preferred`` when it accepts the
    model, else the newest published version that does (``None``: none does).

    A release with a new standard ships a model trained for it, but a bank's registry still has its own
    approved model active until its analysts promote the new one: that model keeps rating under the newest
    rulebook it was trained for, instead of the service running an unpromoted model or refusing to rate.
    """
    if preferred.rates_models_for(trained_for):
        return preferred
    for path in sorted(STANDARD_DIR.glob("*.yaml"), key=_version_key, reverse=True):
        candidate = load_standard(path)
        if candidate.id == preferred.id and candidate.rates_models_for(trained_for):
            return candidate
    return None
