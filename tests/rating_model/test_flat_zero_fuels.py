"""A wide export's 0 of a fuel the factor set has no factor for (``fuel_oil``) is rated, not refused.

Wide exports (flat CSV, Parquet) fill every fuel column, zeros too. A quantity of 0 emits nothing and needs
no factor, so ``energy__fuel__fuel_oil__quantity`` = 0 must not refuse the business, while a positive
quantity still is, with the factor set's reason. The row stays as given: under standard 1.7.0 a fuel list
whose every quantity is 0 still answers nothing (``fuels_not_reported``), fuel oil's zero included. The
flat path (:func:`rating_model.batch.rate_frame`, what ``greenrate batch`` runs) and the JSON path
(:meth:`Engine.rate`, what ``POST /v1/ratings`` runs) give the same answer.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from rating_model.batch import rate_frame
from rating_model.engine import Engine
from rating_model.exceptions import FactorNotFoundError
from rating_model.flat import flatten
from rating_model.standard import DEFAULT_STANDARD, load_standard
from rating_model.validation import validate_frame

ENGINE = Engine.load()
COMPANY = {"name": "Wide Export Ltd", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
           "employees": 12, "annual_revenue": 3_200_000, "currency": "CNY", "reporting_year": 2024,
           "floor_area_m2": 180}
GAS = {"fuel": "natural_gas", "quantity": 5200, "unit": "m3"}


def _payload(*fuels: dict[str, Any]) -> dict[str, Any]:
    energy = {"electricity_kwh": 42_000, "fuels": [dict(f) for f in fuels]}
    return {"company": dict(COMPANY), "energy": energy, "practices": {"led_lighting": True},
            "data_source": "energy_bills"}


def _oil(quantity: float) -> dict[str, Any]:
    return {"fuel": "fuel_oil", "quantity": quantity, "unit": "t"}


def _flat(payload: dict[str, Any]) -> pd.Series:
    return rate_frame(pd.DataFrame([flatten(payload)]), ENGINE).iloc[0]


def _json(payload: dict[str, Any]) -> Any:
    return ENGINE.rate(ENGINE.parse(copy.deepcopy(payload)))


@pytest.mark.parametrize("others", [(), ({"fuel": "natural_gas", "quantity": 0, "unit": "m3"},)])
def test_a_list_of_zeros_with_fuel_oil_is_rated_and_still_answers_nothing(
    others: tuple[dict[str, Any], ...]
) -> None:
    """Every quantity 0, fuel oil's too: rated on both paths, and capped as fuels not reported (1.7.0)."""
    body = _payload(*others, _oil(0))
    row, rating = _flat(body), _json(body)
    assert pd.isna(row["error"]), row["error"]
    knock_outs = [k["id"] for k in rating.knock_outs]
    assert knock_outs == row["knock_outs"].split(",") and "fuels_not_reported" in knock_outs
    assert (row["score"], row["grade"]) == (rating.score, rating.grade)


def test_a_zero_of_fuel_oil_beside_a_burnt_fuel_changes_nothing() -> None:
    """Gas burnt and fuel oil at 0 is rated exactly as the gas alone: fuels reported, the same figures."""
    with_zero, gas_only = _payload(GAS, _oil(0)), _payload(GAS)
    row, alone = _flat(with_zero), _flat(gas_only)
    assert pd.isna(row["error"]), row["error"]
    columns = ["score", "grade", "knock_outs", "scope1_tco2e", "total_tco2e"]
    assert row[columns].fillna("").tolist() == alone[columns].fillna("").tolist()
    assert "fuels_not_reported" not in str(row["knock_outs"])
    rating = _json(with_zero)
    assert (rating.score, rating.grade) == (row["score"], row["grade"])
    assert rating.emissions == _json(gas_only).emissions


def test_a_positive_quantity_of_fuel_oil_is_still_refused_with_the_reason() -> None:
    body = _payload(GAS, _oil(2))
    row = _flat(body)
    assert "no emission factor for 'fuel_oil'" in row["error"] and "not shipped" in row["error"]
    with pytest.raises(FactorNotFoundError) as refused:
        _json(body)
    assert refused.value.field == "energy.fuels.1.fuel" and "no emission factor" in refused.value.message


def test_validate_data_accepts_the_zero_and_names_the_positive_quantity_by_its_column() -> None:
    """``greenrate model validate-data`` measures rows with the same pipeline: it agrees."""
    frame = pd.DataFrame([flatten(_payload(GAS, _oil(0))), flatten(_payload(GAS, _oil(2)))])
    problems = validate_frame(frame, load_standard(DEFAULT_STANDARD), require_label=False)
    assert [p.row for p in problems] == [2] and "no emission factor for 'fuel_oil'" in problems[0].message
