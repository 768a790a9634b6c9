"""The measuring half of the pipeline, shared by rating and training: data → indicator values.

Training must see indicators exactly as the service derives them, or the model learns one thing and is
served another; so both call :func:`measure` and nothing else derives indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

from rating_model.data_quality import DataQuality, assess
from rating_model.estimation import Filled, fill_missing
from rating_model.indicators import IndicatorContext, IndicatorSet
from rating_model.inventory import Inventory, compute_inventory
from rating_model.operating_data import OperatingData
from rating_model.sector_benchmarks import Benchmark, benchmark, sector_defaults, sector_of
from rating_model.standard import MaterialInput, Standard
from rating_model.values import fast_init, identical


@dataclass(frozen=True, slots=True, init=False)
class Measured:
    """Inventory, benchmark, data quality and indicator values of one business."""

    filled: Filled
    inventory: Inventory
    benchmark: Benchmark
    quality: DataQuality
    values: dict[str, float | None]
    #: the indicators missing only for an input left out, with the standard's rules saying which
    #: (:meth:`~rating_model.indicators.IndicatorSet.unassessed`)
    unassessed: dict[str, tuple[MaterialInput, ...]]
    #: what the indicators were derived from: a re-rating derives again only what its change moves
    #: (:meth:`~rating_model.indicators.IndicatorSet.derive_after`)
    context: IndicatorContext

    def __init__(
        self, filled: Filled, inventory: Inventory, benchmark: Benchmark, quality: DataQuality,
        values: dict[str, float | None], unassessed: dict[str, tuple[MaterialInput, ...]],
        context: IndicatorContext,
    ) -> None:
        object.__setattr__(self, "filled", filled)
        object.__setattr__(self, "inventory", inventory)
        object.__setattr__(self, "benchmark", benchmark)
        object.__setattr__(self, "quality", quality)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "unassessed", unassessed)
        object.__setattr__(self, "context", context)


class MeasuredFigures:
    """The inventory of one business's figures, and their benchmark once one is asked for."""

    def __init__(self, filled: Filled, inventory: Inventory) -> None:
        self.filled = filled
        self.inventory = inventory
        self._benchmark: Benchmark | None = None

    def benchmark(self) -> Benchmark:
        """:func:`~rating_model.sector_benchmarks.benchmark` of these figures and their inventory."""
        found = self._benchmark
        if found is None:
            found = self._benchmark = benchmark(self.filled.data, self.inventory)
        return found


class Figures:
    """The inventories (and benchmarks) of the figures a rating's improvement plan re-rated, each made once.

    The plan re-rates each action alone, then builds the same figures again from the business: the action
    at the head of its path, the steps of its gains, the figures its answers are tried against. Each build
    is a new energy, transport and resources of identical values, and each had its inventory computed again
    (170 of the 528 inventories of 100 synthetic businesses, about 214K instructions each, plus the
    benchmark). The inventory is a pure function of those sections' values, of the company, offsets and
    previous year (which no action changes) and of the estimated paths (which every action keeps), so the
    first inventory is reused for figures :func:`~rating_model.values.identical` to its own under the same
    company, offsets, previous year and estimates (the same objects).

    Made for one rating (``Engine.rate``) and dropped with it: the engine stays immutable and shared by
    threads, and an entry keeps the objects whose ids its key holds alive, so no other object takes an id.
    """

    def __init__(self) -> None:
        self._measured: dict[tuple[object, ...], MeasuredFigures] = {}

    def measured(self, filled: Filled, indicators: IndicatorSet) -> MeasuredFigures:
        """The inventory of ``filled``'s figures: one already computed for identical figures, or a new one."""
        data = filled.data
        energy, transport, resources = data.energy, data.transport, data.resources
        key = (id(data.company), id(data.offsets), id(data.previous_year), id(filled.estimates),
               energy, transport, resources)  # the sections hash by value; identical() then decides
        found = self._measured.get(key)
        if found is not None:
            old = found.filled.data
            if identical(energy, old.energy) and identical(transport, old.transport) and identical(
                    resources, old.resources):
                return found
        inventory = compute_inventory(data, estimated=filled.paths, asked=indicators.asked(data.company))
        made = self._measured[key] = MeasuredFigures(filled, inventory)
        return made


def measure(
    filled: Filled, standard: Standard, indicators: IndicatorSet, figures: Figures | None = None
) -> Measured:
    """Derive everything the scorecard reads from already-filled data (its inventory and benchmark from
    ``figures`` when given: a counterfactual of the improvement plan)."""
    data = filled.data
    if figures is None:
        inventory = compute_inventory(data, estimated=filled.paths, asked=indicators.asked(data.company))
        bench = benchmark(data, inventory)
    else:
        measured = figures.measured(filled, indicators)
        inventory, bench = measured.inventory, measured.benchmark()
    quality = assess(data, filled, standard, inventory.neutrality.change_pct is not None)
    ctx = IndicatorContext(data, inventory, bench, sector_defaults(sector_of(data.company.isic_division)),
                           quality.pcaf_score, filled.sector_default_fields)
    values, unassessed = indicators.derive_with_unassessed(ctx)
    return Measured(filled, inventory, bench, quality, values, unassessed, ctx)


def measure_data(data: OperatingData, standard: Standard, indicators: IndicatorSet) -> Measured:
    """Estimate the gaps, then measure: the whole measuring pipeline for raw operating data."""
    return measure(fill_missing(data, standard), standard, indicators)


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (Measured,):
    fast_init(_value_class)
