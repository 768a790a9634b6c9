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
from rating_model.values import fast_init


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

    The plan re-rates each action alone, then meets the same figures again: the action at the head of its
    path, the steps of its gains, the figures its answers are tried against. It applies each action to
    each data once (:class:`~rating_model.improvements.Applying`), so those figures are the same energy,
    transport and resources objects; their inventory had been computed again each time (170 of the 528
    inventories of 100 synthetic businesses, about 214K instructions each, and the benchmark). The
    inventory reads those sections, the company, offsets and previous year (which no action changes) and
    the estimated paths (which every action keeps): the same objects, the same inventory.

    Made for one rating (``Engine.rate``) and dropped with it: the engine stays immutable and shared by
    threads, and an entry keeps the objects whose ids its key holds alive, so no other object takes an id.
    """

    def __init__(self) -> None:
        self._measured: dict[tuple[int, ...], MeasuredFigures] = {}

    def measured(self, filled: Filled, indicators: IndicatorSet) -> MeasuredFigures:
        """The inventory of ``filled``'s figures: the one already computed for these objects, or a new one."""
        data = filled.data
        key = (id(data.company), id(data.offsets), id(data.previous_year), id(filled.estimates),
               id(data.energy), id(data.transport), id(data.resources))
        found = self._measured.get(key)
        if found is None:
            inventory = compute_inventory(data, estimated=filled.paths, asked=indicators.asked(data.company))
            found = self._measured[key] = MeasuredFigures(filled, inventory)
        return found


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
