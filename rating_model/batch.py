"""Rating a loan book: the API's rating of every row of a flat table, as columns.

A bank re-rates its whole small-business book every year; the answer for each borrower must be the one
``POST /v1/ratings`` gives for the same data, or the book and the origination file disagree. So a batch
runs the engine's own pipeline row by row up to the indicator values (parse, estimate, inventory,
benchmark, data quality, indicators: the steps that branch on each business's data), and then does the
arithmetic the API does one row at a time as array operations over the whole chunk: points from the
artifact's vectorised scorer (bit-identical to ``score_row``), pillar sums, grades, green-loan eligibility
and PCAF attribution. Explanations (reason codes, improvements, the IFRS S2 narrative) are per-borrower
documents and stay with the API; the batch carries the figures a bank aggregates.

A row the engine refuses does not stop the batch: its ``error`` column names the field and the reason,
exactly as the API's 422 would, and its result columns are empty. Columns that are not part of the flat
operating-data format and have no ``__`` in their name (``borrower_id``, ``loan_id``...) are carried
through unchanged, so results join back to the bank's own records; a column with ``__`` that the format
does not know is a typo that would silently drop data, and is refused for the whole file.

Pure computation (pandas and NumPy, no I/O): :mod:`rating_model.batch_files` streams files through it, the
portfolio jobs and the Spark path call it on their own chunks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rating_model.engine import Engine
from rating_model.estimation import fill_missing
from rating_model.exceptions import InvalidInputError, RatingModelError
from rating_model.flat import EXTRA_COLUMNS, FLAT_COLUMNS, payloads_from_frame
from rating_model.grading import applicable_knock_outs, grade
from rating_model.green_loan import assess_green_loan, financed_emissions
from rating_model.pipeline import measure

if TYPE_CHECKING:
    from rating_model.pipeline import Measured

__all__ = [
    "RESULT_COLUMNS",
    "ResultColumn",
    "passthrough_columns",
    "rate_frame",
    "result_schema",
]

_FLAT_NAMES = frozenset(c.name for c in FLAT_COLUMNS)


@dataclass(frozen=True, slots=True)
class ResultColumn:
    """One output column: its pandas dtype, where the same figure sits in the API's rating, and meaning.

    ``api_path`` is the key path in the body of ``POST /v1/ratings`` (``("emissions", "scope1")``); the
    tests compare the two on a sample, so the batch and the API cannot drift apart. ``None`` for columns
    the API does not have (the row number, the error).
    """

    name: str
    dtype: str
    api_path: tuple[str, ...] | None
    meaning: str


def _pillar_columns(engine: Engine) -> tuple[ResultColumn, ...]:
    return tuple(
        ResultColumn(f"pillar_{p.id}", "float64", None, f"Points of pillar {p.id} ({p.name})")
        for p in engine.standard.pillars
    )


#: the result columns every batch writes, in order (pillar columns follow ``probability_green``)
RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("row", "int64", None, "0-based position of the row in the input file"),
    ResultColumn("error", "string", None, "Why the row could not be rated (field: reason); empty when rated"),
    ResultColumn("score", "float64", ("score",), "Score 0-100"),
    ResultColumn("grade", "string", ("grade",), "Grade after knock-outs"),
    ResultColumn("score_grade", "string", ("score_grade",), "Grade the score alone reaches"),
    ResultColumn("probability_green", "float64", ("probability_green",), "Model probability of a green outcome"),
    ResultColumn("knock_outs", "string", None, "Ids of the knock-out rules applied, comma-separated"),
    ResultColumn("scope1_tco2e", "float64", ("emissions", "scope1"), "Scope 1, tCO2e"),
    ResultColumn("scope2_location_tco2e", "float64", ("emissions", "scope2_location"), "Scope 2 location-based"),
    ResultColumn("scope2_market_tco2e", "float64", ("emissions", "scope2_market"), "Scope 2 market-based"),
    ResultColumn("scope3_tco2e", "float64", ("emissions", "scope3", "total"), "Scope 3 (categories with data)"),
    ResultColumn("total_tco2e", "float64", ("emissions", "total"), "Scopes 1 + 2 (location) + 3, tCO2e"),
    ResultColumn("energy_mwh", "float64", ("emissions", "energy_mwh"), "Energy consumed, MWh"),
    ResultColumn("renewable_share", "float64", ("emissions", "renewable_share"), "Renewable share of energy"),
    ResultColumn("intensity_per_cny_million", "float64",
                 ("emissions", "intensities", "per_cny_million_revenue"), "tCO2e per CNY million revenue"),
    ResultColumn("sector_percentile", "Int64", ("emissions", "sector_percentile"), "Efficiency percentile 1-100"),
    ResultColumn("pcaf_score", "Int64", ("data_quality", "pcaf_score"), "PCAF data-quality score 1-5"),
    ResultColumn("completeness", "float64", ("data_quality", "completeness"), "Share of indicators reported"),
    ResultColumn("estimated_fields", "Int64", None, "How many inputs were estimated from sector defaults"),
    ResultColumn("green_loan_eligible", "boolean", ("green_loan", "eligible"), "Eligible as a green loan"),
    ResultColumn("green_loan_basis", "string", ("green_loan", "basis"), "Why eligible (use of proceeds, borrower)"),
    ResultColumn("green_loan_category", "string", ("green_loan", "category"), "Use-of-proceeds category"),
    ResultColumn("pricing_tier", "string", ("green_loan", "pricing_tier"), "Pricing tier of the standard"),
    ResultColumn("attribution_factor", "float64", ("financed_emissions", "attribution_factor"),
                 "PCAF attribution factor (empty without loan data)"),
    ResultColumn("financed_scope12_tco2e", "float64", ("financed_emissions", "scope12_tco2e"),
                 "Financed Scopes 1+2, tCO2e"),
    ResultColumn("financed_scope3_tco2e", "float64", ("financed_emissions", "scope3_tco2e"), "Financed Scope 3"),
    ResultColumn("outstanding_cny", "float64", ("financed_emissions", "outstanding_cny"), "Outstanding, CNY"),
    ResultColumn("tco2e_per_cny_million_lent", "float64",
                 ("financed_emissions", "tco2e_per_cny_million_lent"), "Financed Scopes 1+2 per CNY million lent"),
    ResultColumn("model_version", "string", ("versions", "model"), "Scorecard version"),
    ResultColumn("standard_version", "string", ("versions", "standard"), "Standard version"),
    ResultColumn("factor_set", "string", ("versions", "factor_set"), "Emission-factor set"),
)
_PILLARS_AFTER = "probability_green"


def result_schema(engine: Engine) -> tuple[ResultColumn, ...]:
    """The result columns of ``engine`` in order: the fixed ones with one column per pillar inserted."""
    at = next(i for i, c in enumerate(RESULT_COLUMNS) if c.name == _PILLARS_AFTER) + 1
    return (*RESULT_COLUMNS[:at], *_pillar_columns(engine), *RESULT_COLUMNS[at:])


def passthrough_columns(columns: Sequence[str]) -> list[str]:
    """The input columns carried through to the output; raises on a ``__`` column the format lacks.

    A column named like a flat field but unknown (``energy__electricty_kwh``) would otherwise be dropped
    without a word and the business rated as if it had not reported it.
    """
    keep: list[str] = []
    for name in columns:
        if name in _FLAT_NAMES or name in EXTRA_COLUMNS:
            continue
        if "__" in str(name):
            raise InvalidInputError(str(name), "unknown column: not part of the flat operating-data format")
        if name in {c.name for c in RESULT_COLUMNS}:
            raise InvalidInputError(str(name), "clashes with a result column of the same name; rename it")
        keep.append(str(name))
    return keep


def _t(value: float) -> float:
    """The API's tCO2e rounding (:func:`rating_model.engine.inventory_section`)."""
    return round(value, 4)


def _error_text(exc: RatingModelError) -> str:
    return str(exc)


@dataclass(slots=True)
class _Rated:
    """What the row-by-row half found for one business, before the vectorised half scores it."""

    data: Any
    measured: Measured
    knock_outs: tuple[Any, ...]


def rate_frame(frame: pd.DataFrame, engine: Engine, *, first_row: int = 0,
               progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Rate every row of a flat frame; one output row per input row, in order.

    Parameters
    ----------
    frame:
        Columns of the flat format (``docs/synthetic-population.md``) plus any pass-through columns.
    engine:
        The engine to rate with (the service's active model, for results equal to the API's).
    first_row:
        Position of the frame's first row in the whole file, for the ``row`` column of streamed chunks.
    progress:
        Called with the number of rows done, every few thousand rows.

    Returns
    -------
    DataFrame
        Pass-through columns, then :func:`result_schema`'s columns with their dtypes.
    """
    keep = passthrough_columns(list(frame.columns))
    n = len(frame)
    rated: list[_Rated | None] = [None] * n
    errors: list[str | None] = [None] * n
    standard = engine.standard
    flat = frame[[c for c in frame.columns if c in _FLAT_NAMES]]
    for i, payload in enumerate(payloads_from_frame(flat)):
        try:
            data = engine.parse(payload)
            filled = fill_missing(data, standard)
            m = measure(filled, standard, engine.indicators)
            rated[i] = _Rated(data, m, applicable_knock_outs(data, m.quality.completeness, standard))
        except RatingModelError as exc:
            errors[i] = _error_text(exc)
        if progress is not None and (i + 1) % 5000 == 0:
            progress(5000)
    if progress is not None and n % 5000:
        progress(n % 5000)
    columns = _result_columns(rated, errors, engine)
    columns["row"] = np.arange(first_row, first_row + n, dtype=np.int64)
    out = pd.DataFrame({name: frame[name].to_numpy() for name in keep}, index=pd.RangeIndex(n))
    for col in result_schema(engine):
        out[col.name] = pd.array(columns[col.name], dtype=col.dtype)
    return out


def _result_columns(rated: list[_Rated | None], errors: list[str | None], engine: Engine) -> dict[str, Any]:
    """Score the rated rows in one vectorised pass, then the per-row decisions that read the grade."""
    n = len(rated)
    ok = [i for i, r in enumerate(rated) if r is not None]
    artifact = engine.artifact
    standard = engine.standard
    names = artifact.feature_names
    matrix = {
        name: np.array([_num(rated[i].measured.values[name]) for i in ok], dtype=np.float64)  # type: ignore[union-attr]
        for name in names
    }
    scores, points = artifact.score_columns(matrix, n_rows=len(ok))
    probabilities = artifact.probabilities(scores)
    cols: dict[str, list[Any]] = {c.name: [None] * n for c in result_schema(engine) if c.name != "row"}
    cols["error"] = list(errors)
    pillar_of = [standard.indicators[name].pillar for name in names]
    pillar_ids = [p.id for p in standard.pillars]
    versions = engine.versions
    for k, i in enumerate(ok):
        r = rated[i]
        assert r is not None
        score = float(scores[k])
        grading = grade(score, r.knock_outs, standard)
        inv = r.measured.inventory
        quality = r.measured.quality
        row_points = points[k].tolist()
        for pid in pillar_ids:
            cols[f"pillar_{pid}"][i] = round(sum(p for p, owner in zip(row_points, pillar_of, strict=True)
                                                 if owner == pid), 2)
        loan = assess_green_loan(r.data, grading.grade, grading.knock_outs, standard)
        financed = financed_emissions(r.data, inv.scope12_location_tco2e, inv.scope3_tco2e, quality.pcaf_score)
        bench = r.measured.benchmark
        values = {
            "score": score,
            "grade": grading.grade,
            "score_grade": grading.score_grade,
            "probability_green": float(probabilities[k]),
            "knock_outs": ",".join(rule.id for rule in grading.knock_outs) or None,
            "scope1_tco2e": _t(inv.scope1_tco2e),
            "scope2_location_tco2e": _t(inv.scope2_location_tco2e),
            "scope2_market_tco2e": _t(inv.scope2_market_tco2e),
            "scope3_tco2e": _t(inv.scope3_tco2e),
            "total_tco2e": _t(inv.total_tco2e),
            "energy_mwh": round(inv.energy_mwh, 4),
            "renewable_share": None if inv.renewable_share is None else round(inv.renewable_share, 6),
            "intensity_per_cny_million": round(inv.intensities.per_cny_million_revenue, 6),
            "sector_percentile": bench.percentile,
            "pcaf_score": quality.pcaf_score,
            "completeness": quality.completeness,
            "estimated_fields": len(quality.estimated_fields),
            "green_loan_eligible": loan.eligible,
            "green_loan_basis": loan.basis,
            "green_loan_category": loan.category,
            "pricing_tier": loan.pricing_tier,
            "model_version": versions["model"],
            "standard_version": versions["standard"],
            "factor_set": versions["factor_set"],
        }
        if financed is not None:
            values |= {
                "attribution_factor": financed.attribution_factor,
                "financed_scope12_tco2e": financed.scope12_tco2e,
                "financed_scope3_tco2e": financed.scope3_tco2e,
                "outstanding_cny": financed.outstanding_cny,
                "tco2e_per_cny_million_lent": financed.tco2e_per_cny_million_lent,
            }
        for name, value in values.items():
            cols[name][i] = value
    return cols


def _num(value: float | None) -> float:
    return math.nan if value is None else value
