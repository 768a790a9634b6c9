"""The engine: one standard, one scorecard artifact and the factor sets, loaded once; ``rate`` rates.

Data moves one way (architecture.md): estimation → inventory → benchmark → indicators → points → grade →
explanations → summaries. Every step reads what the step before it decided and never recomputes it. The
engine is immutable after loading, so a service can swap a whole engine atomically when a model is promoted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from rating_model.artifact import ScorecardArtifact
from rating_model.data_quality import Completeness, DataQuality, assess
from rating_model.estimation import Filled, fill_missing
from rating_model.exceptions import ArtifactError
from rating_model.factors import FactorRef, factor_sets_document
from rating_model.grading import Grading, applicable_knock_outs, cap, grade, lowered_by_completeness
from rating_model.green_loan import assess_green_loan, financed_emissions
from rating_model.improvements import ActionIndex, Outcome, improvements
from rating_model.indicators import IndicatorContext, IndicatorSet, answered_none
from rating_model.inventory import Inventory, compute_inventory
from rating_model.issb import issb_summary
from rating_model.line_items import LineItem
from rating_model.operating_data import SCHEMA_VERSION, OperatingData
from rating_model.operating_data_reader import parse_operating_data
from rating_model.pipeline import Figures, MeasuredFigures, measure
from rating_model.rating import Rating
from rating_model.reasons import Contribution, reason_codes
from rating_model.reported import reported_section
from rating_model.rounding import round_float, round_tco2e
from rating_model.sector_benchmarks import Benchmark, SectorDefaults, benchmark, sector_defaults, sector_of
from rating_model.standard import (
    DEFAULT_STANDARD,
    ENERGY_RATIO_INDICATOR,
    MaterialInput,
    Standard,
    load_standard,
    standard_for_model,
)
from rating_model.values import fast_init

#: The version of the computation itself: the code that turns operating data into a rating under a given
#: model, standard and factor set. A fix that changes any rating for the same input must bump it, or a
#: rating issued by the old code would still be reused for that input, within validity, after the fix is
#: deployed (the model, standard, factor-set and schema versions would not have changed). A recorded
#: fingerprint of the default engine's ratings (tests/rating_model/test_engine_fingerprint.py) fails the
#: tests when ratings change under an unchanged version. What each version changed is in CHANGES.md.
ENGINE_VERSION = "2.13"

MODELS_DIR = Path(__file__).parent / "data" / "models"
DEFAULT_MODEL = MODELS_DIR / "default.json"
# Indicators computed from energy data: flagged as estimated when any energy input was estimated and they
# have a value (a missing one, such as the change on a previous year not given, estimated nothing).
_ENERGY_INDICATORS = frozenset({"carbon_intensity", "energy_efficiency_ratio", "renewable_electricity_share",
                                "emissions_change"})


@dataclass(frozen=True, slots=True, init=False)
class Evaluation:
    """One pass of the scoring pipeline over (filled) operating data."""

    filled: Filled
    inventory: Inventory
    benchmark: Benchmark
    quality: DataQuality
    values: dict[str, float | None]
    contributions: tuple[Contribution, ...]
    score: float
    probability: float
    grading: Grading
    #: the indicators missing only for an input left out (:meth:`Engine.unassessed`)
    unassessed: dict[str, tuple[MaterialInput, ...]]
    #: what the indicators were derived from (:meth:`Engine.outcome` derives again only what a change moves)
    context: IndicatorContext

    def __init__(
        self, filled: Filled, inventory: Inventory, benchmark: Benchmark, quality: DataQuality,
        values: dict[str, float | None], contributions: tuple[Contribution, ...], score: float,
        probability: float, grading: Grading, unassessed: dict[str, tuple[MaterialInput, ...]],
        context: IndicatorContext,
    ) -> None:
        object.__setattr__(self, "filled", filled)
        object.__setattr__(self, "inventory", inventory)
        object.__setattr__(self, "benchmark", benchmark)
        object.__setattr__(self, "quality", quality)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "contributions", contributions)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "probability", probability)
        object.__setattr__(self, "grading", grading)
        object.__setattr__(self, "unassessed", unassessed)
        object.__setattr__(self, "context", context)

    @property
    def outcome(self) -> Outcome:
        return Outcome(self.score, self.grading.grade, self.values, self.inventory.total_tco2e)


class Engine:
    """A loaded standard + scorecard artifact; thread-safe: nothing in it changes after ``__init__`` but the
    indicator set's memo of which rules apply to a company (:meth:`IndicatorSet.asked`), whose entries are
    set whole and never change."""

    def __init__(self, standard: Standard, artifact: ScorecardArtifact) -> None:
        self.standard = standard
        self.artifact = artifact
        self.indicators = IndicatorSet(standard)
        self.actions = ActionIndex.of(standard)
        self._completeness = Completeness(standard)
        self._lowered_by_completeness = lowered_by_completeness(standard)
        self._check_model_fits_standard()
        features = self.artifact.features
        indicators = standard.indicators
        # per feature, in scoring order: what its line in the points table takes from the standard
        self._lines = tuple(
            (indicators[f.name].pillar, indicators[f.name].unit, f.name in _ENERGY_INDICATORS)
            for f in features
        )
        # per pillar: the positions of its indicators' lines, and its maximum (fixed by the artifact)
        pillar_lines = []
        for p in standard.pillars:
            positions = tuple(i for i, (pillar, _, _) in enumerate(self._lines) if pillar == p.id)
            maximum = round(math.fsum([features[i].max_points for i in positions]), 2)
            pillar_lines.append((p, positions, maximum))
        self._pillar_lines = tuple(pillar_lines)

    @classmethod
    def load(
        cls,
        model_document: Mapping[str, Any] | None = None,
        *,
        model_path: str | Path = DEFAULT_MODEL,
        standard_path: str | Path = DEFAULT_STANDARD,
    ) -> Engine:
        """Load the standard and a verified scorecard artifact (the packaged default unless one is given).

        Under the packaged standard, a model trained for an earlier version it no longer accepts rates under
        the newest published version that does (:func:`~rating_model.standard.standard_for_model`), as the
        service rates with it, so the batch, Spark and the API agree.
        """
        if model_document is None:
            try:
                model_document = json.loads(Path(model_path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ArtifactError(f"cannot read model artifact {model_path}: {exc}") from exc
        standard = load_standard(standard_path)
        artifact = ScorecardArtifact.from_dict(model_document)
        if Path(standard_path) == DEFAULT_STANDARD:
            trained_for = artifact.metadata.get("standard")
            fitting = standard_for_model(trained_for, standard)
            if fitting is None:  # as the service refuses it (service.model_watch.engine_for)
                raise ArtifactError(
                    f"model was trained for standard {trained_for!r}, which no published standard here rates"
                )
            standard = fitting
        return cls(standard, artifact)

    def _check_model_fits_standard(self) -> None:
        """A model must score exactly the standard's indicators, each in its declared direction."""
        features = {f.name: f.direction for f in self.artifact.features}
        declared = {i.id: i.direction for i in self.standard.indicators.values()}
        if set(features) != set(declared):
            raise ArtifactError(
                f"model features {sorted(features)} do not match the standard's indicators {sorted(declared)}"
            )
        wrong = sorted(name for name, direction in declared.items() if features[name] != direction)
        if wrong:
            raise ArtifactError(f"model directions contradict the standard for: {', '.join(wrong)}")
        # the standard's missing-data rule: a blank earns at most the worst reported bin's points (checked
        # here too, for an artifact that does not name its standard and so skipped the format's own check)
        richer = sorted(f.name for f in self.artifact.features if f.missing_points > min(f.points))
        if richer:
            raise ArtifactError(
                f"missing data earns more than the worst reported value for: {', '.join(richer)} (the "
                "standard caps a blank at the worst reported bin, so that withholding data never pays)"
            )

    @cached_property
    def versions(self) -> dict[str, str]:
        return {
            "model": self.artifact.version,
            "standard": self.standard.label,
            "factor_set": factor_sets_document()["default"],
            "schema": SCHEMA_VERSION,
            "engine": ENGINE_VERSION,
        }

    def parse(self, payload: Mapping[str, Any]) -> OperatingData:
        """Strictly read a payload; unknown loan categories are refused against this standard."""
        return parse_operating_data(payload, use_of_proceeds=self.standard.use_of_proceeds)

    # -- the pipeline -------------------------------------------------------------------------------

    def evaluate(self, filled: Filled, figures: Figures | None = None) -> Evaluation:
        """Measure already-filled data, then score and grade it (``figures``: the rating's counterfactual
        inventories, when it is one of them)."""
        m = measure(filled, self.standard, self.indicators, figures)
        standard = self.standard
        values = m.values
        scored = self.artifact.score_row(values)
        energy_estimated = any(p.startswith("energy.") for p in filled.paths)
        new = tuple.__new__  # a NamedTuple's generated __new__ costs more than building the line
        contributions = tuple(
            new(Contribution, (f.name, pillar, values[f.name], unit, f.bin_label, f.points,
                               f.max_points, energy_estimated and energy and values[f.name] is not None))
            for f, (pillar, unit, energy) in zip(scored.features, self._lines, strict=True)
        )
        knock_outs = applicable_knock_outs(filled, m.quality.completeness, standard,
                                           energy_ratio=values.get(ENERGY_RATIO_INDICATOR),
                                           energy_use_ratio=m.benchmark.use_ratio)
        return Evaluation(filled, m.inventory, m.benchmark, m.quality, values, contributions, scored.score,
                          scored.probability, grade(scored.score, knock_outs, standard), m.unassessed,
                          m.context)

    def outcome(self, filled: Filled, base: Evaluation, figures: Figures | None = None) -> Outcome:
        """Score and grade of a changed business, recomputing only what the change touched.

        Actions replace only the sections they change (``evolve``), so identity tells what is unchanged:
        practice and target actions need no new inventory, resource actions no new benchmark, and only a
        change of data source or estimates needs a new data-quality assessment for the PCAF score.
        Completeness counts the practices answered, so adopting a blank one can lift a completeness
        knock-out: it is read again (:class:`~rating_model.data_quality.Completeness`) whenever such a
        knock-out could lower the grade the score earns
        (:func:`~rating_model.grading.lowered_by_completeness`). A change of answers alone derives again only
        the indicators that read them (:meth:`IndicatorSet.derive_changed`), and only the indicators whose
        value changed are re-binned (:meth:`ScorecardArtifact.score_after`, exact). Changed figures take their
        inventory and benchmark from ``figures`` when given (the rating's: computed once for the same
        sections).
        """
        data, before = filled.data, base.filled.data
        same_energy = data.energy is before.energy
        # the inventory reads the estimated paths too (the comparison leaves estimated fields out): reporting
        # the bills turns estimates into the business's figures (a review: the plan had kept the old
        # inventory and lost the year-on-year change that a full re-rating gained)
        # every action keeps the business's own estimates (improvements.Applying.take): the same tuple, then
        kept_estimates = filled.estimates is base.filled.estimates
        same_estimates = kept_estimates or filled.paths == base.filled.paths
        measured: MeasuredFigures | None = None
        if (same_energy and same_estimates and data.transport is before.transport
                and data.resources is before.resources):
            inventory = base.inventory
        elif figures is not None:
            measured = figures.measured(filled, self.indicators)
            inventory = measured.inventory
        else:
            asked = self.indicators.asked(data.company)
            inventory = compute_inventory(data, estimated=filled.paths, asked=asked)
        if same_energy:
            bench = base.benchmark
        elif measured is not None:
            bench = measured.benchmark()
        else:
            bench = benchmark(data, inventory)
        quality = base.quality
        compared = inventory.neutrality.change_pct is not None
        if data.data_source != before.data_source or not (
                kept_estimates or filled.estimates == base.filled.estimates):
            quality = assess(data, filled, self.standard, compared)
        known = base.context
        defaults = known.defaults if data.company is before.company else self._defaults(data)
        filled_by_default = known.sector_default_fields if kept_estimates else filled.sector_default_fields
        ctx = IndicatorContext(data, inventory, bench, defaults, quality.pcaf_score, filled_by_default)
        values, rederived = self.indicators.derive_changed(ctx, base.context, base.values)
        score = self.artifact.score_after(values, base.values, base.score, rederived)
        by_score = self.standard.grade_for(score)
        if quality is base.quality and by_score in self._lowered_by_completeness:
            quality = self._completeness.after(filled, base.filled, quality, compared)
        # Knock-outs read the company, its compliance record, the fuels it burns, whether they were estimated
        # (reporting the bills turns the estimate into the business's figure), the energy ratio (standard
        # 1.10.0) and the completeness of its data alone. Where completeness was not read again, no
        # completeness knock-out can lower ``by_score``, so whether the list holds one makes no difference.
        ratio = values.get(ENERGY_RATIO_INDICATOR)
        unchanged = (data.company is before.company and data.compliance is before.compliance and same_energy
                     and same_estimates and ratio == base.values.get(ENERGY_RATIO_INDICATOR))
        if unchanged and quality is base.quality:
            knock_outs = base.grading.knock_outs
        else:
            knock_outs = applicable_knock_outs(filled, quality.completeness, self.standard,
                                               energy_ratio=ratio, energy_use_ratio=bench.use_ratio)
        # Savings are physical: the headline total's basis (location-based Scope 2), so green power bought
        # under a certificate, which lowers only market-based Scope 2, saves nothing here (its score gain
        # stands), and an EV charged on a coal-heavy grid may emit more than the car it replaces.
        return Outcome(score, cap(by_score, knock_outs, self.standard), values, inventory.total_tco2e)

    def rerate_from(self, filled: Filled, figures: Figures | None = None) -> Callable[[Filled], Outcome]:
        """Re-rating against ``filled``'s own evaluation (:meth:`outcome`): a changed business that shares
        its energy, transport and resources reuses its inventory. The improvement plan tries a path's
        answers without against the business with the path's figures changed (whose inventory ``figures``,
        the rating's, usually holds already)."""
        ev = self.evaluate(filled, figures)
        return lambda changed: self.outcome(changed, ev, figures)

    @staticmethod
    def _defaults(data: OperatingData) -> SectorDefaults:
        return sector_defaults(sector_of(data.company.isic_division))

    def rate(self, data: OperatingData) -> Rating:
        """Rate one business: the full rating with explanations and summaries."""
        standard = self.standard
        filled = fill_missing(data, standard)
        ev = self.evaluate(filled)
        unassessed = self.unassessed(ev)
        figures = Figures()  # the plan's counterfactual inventories, each computed once
        imps, path = improvements(filled, ev.outcome, ev.contributions, standard, self.actions,
                                  lambda f: self.outcome(f, ev, figures), knock_outs=ev.grading.knock_outs,
                                  unassessed=unassessed, rebase=lambda f: self.rerate_from(f, figures))
        inv = ev.inventory
        loan = assess_green_loan(data, ev.grading.grade, ev.grading.knock_outs, standard,
                                 ev.values.get(ENERGY_RATIO_INDICATOR), ev.benchmark.use_ratio)
        financed = financed_emissions(
            data,
            inv.scope12_location_tco2e,
            inv.scope3_tco2e if inv.scope3_categories_included else None,
            ev.quality.pcaf_score,
        )
        return Rating(
            score=ev.score,
            grade=ev.grading.grade,
            score_grade=ev.grading.score_grade,
            knock_outs=tuple(
                {"id": k.id, "name": k.name, "name_zh": k.name_zh, "cap_grade": k.cap_grade,
                 "blocks_green_loan": k.blocks_green_loan}
                for k in ev.grading.knock_outs
            ),
            probability_green=ev.probability,
            base_points=self.artifact.base_points,
            pillars=self._pillars(ev.contributions),
            contributions=ev.contributions,
            reason_codes=tuple(
                reason_codes(ev.contributions, standard, answered_none(filled.data), unassessed)
            ),
            improvements=tuple(imps),
            path_to_next_grade=path,
            emissions=inventory_section(inv, ev.benchmark),
            neutrality=inv.neutrality.to_dict(),
            equivalents=inv.equivalents.to_dict(),
            data_quality=ev.quality,
            green_loan=loan,
            financed_emissions=financed,
            reported_emissions=reported_section(data.reported_emissions, inv),
            issb_summary=issb_summary(
                filled.data, inv, ev.quality, self.standard.green_uses, filled.estimates
            ),
            versions=self.versions,
        )

    def unassessed(self, ev: Evaluation) -> dict[str, tuple[MaterialInput, ...]]:
        """The indicators missing only for an input the business left out (their reasons say which), as
        the evaluation found them; empty under a standard without such rules."""
        return ev.unassessed

    def _pillars(self, contributions: tuple[Contribution, ...]) -> tuple[dict[str, Any], ...]:
        return tuple(
            {
                "pillar": p.id,
                "name": p.name,
                "name_zh": p.name_zh,
                "score": round_float(math.fsum([contributions[i].points for i in positions]), 2),
                "max": maximum,
            }
            for p, positions, maximum in self._pillar_lines
        )

    # -- published documents ------------------------------------------------------------------------

    def standard_document(self) -> dict[str, Any]:
        return self.standard.publication()

    def model_document(self) -> dict[str, Any]:
        return {"version": self.artifact.version, "artifact": self.artifact.to_dict(),
                "points_table": self.artifact.points_table(), "card": self.artifact.card}

    def factor_sets_document(self) -> dict[str, Any]:
        return factor_sets_document()


def _rounded(value: float | None) -> float | None:
    return None if value is None else round_float(value, 6)


def inventory_section(inv: Inventory, bench: Benchmark) -> dict[str, Any]:
    """The ``emissions`` section in the contract's names: the inventory as computed, plus the benchmark."""
    intensities = inv.intensities
    return {
        "scope1": round_tco2e(inv.scope1_tco2e),
        "scope2_location": round_tco2e(inv.scope2_location_tco2e),
        "scope2_market": round_tco2e(inv.scope2_market_tco2e),
        "scope3": {
            "total": round_tco2e(inv.scope3_tco2e),
            "categories": {k: round_tco2e(v) for k, v in inv.scope3_by_category.items()},
            "categories_included": list(inv.scope3_categories_included),
        },
        "total": round_tco2e(inv.total_tco2e),
        "unit": "tCO2e",
        "intensities": {
            "per_cny_million_revenue": round_float(intensities.per_cny_million_revenue, 6),
            "scope12_market_per_cny_million_revenue": round_float(
                intensities.scope12_market_per_cny_million_revenue, 6
            ),
            "per_employee": round_float(intensities.per_employee, 6),
            "per_m2": None if intensities.per_m2 is None else round_float(intensities.per_m2, 6),
            "scope12_location_per_cny_million_revenue": round_float(
                intensities.scope12_location_per_cny_million_revenue, 6
            ),
        },
        "energy_mwh": round_float(inv.energy_mwh, 4),
        "electricity_mwh": round_float(inv.electricity_mwh, 4),
        "renewable_share": None if inv.renewable_share is None else round_float(inv.renewable_share, 6),
        "renewable_electricity_share": _rounded(inv.renewable_electricity_share),
        "sector_percentile": bench.percentile,
        "efficiency_ratio": _rounded(bench.efficiency_ratio),
        "benchmark": {
            "sector": bench.sector,
            "sector_name": bench.sector_name,
            "basis": bench.basis,
            "expected": _rounded(bench.expected_intensity),
            "actual": _rounded(bench.actual_intensity),
            "unit": bench.intensity_unit,
            "source": bench.source,
            "estimated": bench.estimated,
        },
        "grid_factor": _ref(inv.grid_factor),
        "residual_factor": _ref(inv.residual_factor),
        "factors": [_ref(ref) for ref in inv.factors],
        "line_items": [_line_item(line) for line in inv.line_items],
        "estimated": list(inv.estimated),
        "fallbacks": list(inv.fallbacks),
        "assumptions": list(inv.assumptions),
        "missing": list(inv.missing),
        "not_available": list(inv.not_available),
    }


def _line_item(line: LineItem) -> dict[str, Any]:
    """A line of the inventory as JSON, its amounts to six decimals (a gram of CO2e): ``23.100000000000005``
    t and ``0.09999999999999998`` t of waste were float noise that a bank's DECIMAL columns and printed
    credit memos showed (client review). The totals are summed from the unrounded lines, as before."""
    out = line._asdict()
    out["quantity"] = round_float(line.quantity, 6)
    out["tco2e"] = round_float(line.tco2e, 6)
    return out


def _ref(ref: FactorRef | None) -> dict[str, Any] | None:
    """A factor reference as JSON (by hand: ``dataclasses.asdict`` costs more than the whole inventory)."""
    if ref is None:
        return None
    return {"id": ref.id, "value": ref.value, "unit": ref.unit, "source": ref.source,
            "source_url": ref.source_url, "year": ref.year, "region": ref.region, "gwp_basis": ref.gwp_basis}


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Evaluation,):
    fast_init(_value_class)
