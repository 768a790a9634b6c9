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


def measure(filled: Filled, standard: Standard, indicators: IndicatorSet) -> Measured:
    """Derive everything the scorecard reads from already-filled data."""
    data = filled.data
    inventory = compute_inventory(data, estimated=filled.paths, asked=indicators.asked(data.company))
    bench = benchmark(data, inventory)
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
