"""The measuring half of the pipeline, shared by rating and training: data → indicator values.

Training must see indicators exactly as the service derives them, or the model learns one thing and is
served another; so both call :func:`measure` and nothing else derives indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rating_model.data_quality import DataQuality, assess
from rating_model.estimation import Filled, fill_missing
from rating_model.indicators import IndicatorContext, IndicatorSet
from rating_model.inventory import Inventory, compute_inventory
from rating_model.operating_data import OperatingData
from rating_model.sector_benchmarks import Benchmark, benchmark, sector_defaults, sector_of
from rating_model.standard import Standard


@dataclass(frozen=True, slots=True)
class Measured:
    """Inventory, benchmark, data quality and indicator values of one business."""

    filled: Filled
    inventory: Inventory
    benchmark: Benchmark
    quality: DataQuality
    values: dict[str, float | None]


def previous_scope12(data: OperatingData) -> float | None:
    """Last year's Scope 1+2 (location) at this year's factors, so grid changes are not the firm's merit."""
    previous = data.previous_year
    if previous is None:
        return None
    last_year = replace(data, energy=previous.energy, transport=previous.transport, previous_year=None, offsets=())
    return compute_inventory(last_year).scope12_location_tco2e


def measure(filled: Filled, previous: float | None, standard: Standard, indicators: IndicatorSet) -> Measured:
    """Derive everything the scorecard reads from already-filled data."""
    data = filled.data
    inventory = compute_inventory(data, estimated=filled.paths)
    bench = benchmark(data, inventory)
    quality = assess(data, filled, standard)
    ctx = IndicatorContext(data, inventory, bench, sector_defaults(sector_of(data.company.isic_division)),
                           quality.pcaf_score, previous)
    return Measured(filled, inventory, bench, quality, indicators.derive(ctx))


def measure_data(data: OperatingData, standard: Standard, indicators: IndicatorSet) -> Measured:
    """Estimate the gaps, then measure: the whole measuring pipeline for raw operating data."""
    filled = fill_missing(data, standard)
    return measure(filled, previous_scope12(filled.data), standard, indicators)
