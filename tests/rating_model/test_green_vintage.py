"""The vintage of green electricity instruments (``energy.green_electricity_vintage``, schema 1.13).

Market-based Scope 2 prices green-contracted electricity at zero, and the renewable share and the
substitution count it. The GHG Protocol's Scope 2 Quality Criteria count an instrument for the period of
the consumption it covers (``../shared/docs/domain.md``: "same market boundary and vintage"), but the input
had no year for the instruments: certificates of 2019 zeroed 2022's electricity with nothing said. The
vintage is now asked: the reporting year's instruments count and are said to be of it; another year's are
kept in the input, not counted (that electricity at the residual factor, out of the renewable share), and
said; a vintage not stated is counted as before and said as not stated. Nothing is refused for its year,
so stating it truthfully is never worse for a caller than leaving it out of the request.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rating_model.flat_columns import FLAT_COLUMNS
from rating_model.operating_data_reader import parse_operating_data
from schemas.operating_data import OperatingDataSchema
from tests.rating_model.test_engine import FULL, rate

YEAR = FULL["company"]["reporting_year"]


def _green(vintage: int | None = None, **energy: Any) -> dict[str, Any]:
    payload = copy.deepcopy(FULL)
    payload["energy"].update(green_electricity_kwh=20_000, green_electricity_instrument="green_certificate",
                             **energy)
    if vintage is not None:
        payload["energy"]["green_electricity_vintage"] = vintage
    return payload


def _notes(rated: dict[str, Any]) -> tuple[str, str]:
    """The market-based Scope 2 note of the IFRS S2 summary, in English and Chinese."""
    item = rated["issb_summary"]["metrics_and_targets"]["scope2_market_tco2e"]
    return str(item["note"]), str(item["note_zh"])


def _without_green() -> dict[str, Any]:
    return rate(copy.deepcopy(FULL))


def test_the_reporting_years_instruments_count_and_are_said_to() -> None:
    rated = rate(_green(YEAR))
    assert rated["emissions"]["scope2_market"] < rated["emissions"]["scope2_location"]
    en, zh = _notes(rated)
    assert f"20 MWh covered by green certificates of {YEAR}, the reporting year, at zero" in en
    assert f"20 兆瓦时由绿色电力证书覆盖（{YEAR}年电量，与报告年度一致）、按零排放计算" in zh
    assert parse_operating_data(_green(YEAR)).to_dict()["energy"]["green_electricity_vintage"] == YEAR


def test_a_vintage_not_stated_counts_as_before_and_is_said_so() -> None:
    stated, unstated = rate(_green(YEAR)), rate(_green())
    for key in ("score", "grade", "emissions"):
        assert stated[key] == unstated[key], key
    en, zh = _notes(unstated)
    assert "covered by green certificates (their vintage not stated) at zero" in en
    assert "由绿色电力证书覆盖（未说明电量所属年份）、按零排放计算" in zh


@pytest.mark.parametrize("vintage", [YEAR - 3, YEAR + 1])
def test_another_years_instruments_are_kept_said_and_not_counted(vintage: int) -> None:
    """Priced as if no instrument were held: market-based Scope 2, the renewable share and the
    substitution are those of the same business without green electricity."""
    rated, plain = rate(_green(vintage)), _without_green()
    for figure in ("scope2_market", "scope2_location", "scope1", "renewable_electricity_share"):
        assert rated["emissions"][figure] == plain["emissions"][figure], figure
    assert rated["neutrality"]["substitution"] == plain["neutrality"]["substitution"]
    en, zh = _notes(rated)
    assert f"20 MWh of green certificates of {vintage} not counted" in en
    assert "Scope 2 Quality Criteria" in en and f"not for {YEAR}'s" in en
    assert f"为 {vintage} 年电量，不计入 {YEAR} 年" in zh
    kept = parse_operating_data(_green(vintage)).to_dict()["energy"]
    assert (kept["green_electricity_kwh"], kept["green_electricity_vintage"]) == (20_000, vintage)


def test_last_years_instruments_count_for_last_year() -> None:
    """``previous_year``'s market-based lines (recomputed beside the reduction) count its instruments of the
    year before the reporting year, and not the reporting year's."""
    from rating_model.factors import load_factor_set
    from rating_model.inventory import _context
    from rating_model.scope12 import scope12_lines

    def market_kwh(vintage: int) -> float:
        payload = _green(YEAR)
        payload["previous_year"] = {"energy": {"electricity_kwh": 50_000, "green_electricity_kwh": 10_000,
                                               "green_electricity_vintage": vintage}}
        data = parse_operating_data(payload)
        assert data.previous_year is not None
        ctx = _context(data, load_factor_set(), frozenset())
        lines, _, _, _ = scope12_lines(data.previous_year.energy, (), ctx, prefix="previous_year.")
        return sum(line.quantity for line in lines if line.scope2_basis == "market" and line.tco2e > 0)

    assert market_kwh(YEAR - 1) == 40_000  # 10,000 kWh of last year's instruments at zero
    assert market_kwh(YEAR) == 50_000  # this year's instruments do not cover last year's electricity


@pytest.mark.parametrize("energy", [{}, {"green_electricity_kwh": 0}])
def test_a_vintage_without_green_electricity_changes_nothing(energy: dict[str, Any]) -> None:
    """Taken, as a wide export fills every column, and kept in the input; nothing is priced by it."""
    payload = copy.deepcopy(FULL)
    payload["energy"].update(green_electricity_vintage=YEAR - 5, **energy)
    rated, plain = rate(payload), _without_green()
    for key in ("score", "grade", "emissions", "neutrality"):
        assert rated[key] == plain[key], key
    assert _notes(rated) == _notes(plain)


def test_the_improvement_plan_buys_the_reporting_years_instruments() -> None:
    """A business whose certificates are of another year is advised as one without: the action's
    counterfactual holds instruments of the year rated, so it lowers market-based Scope 2."""
    data = parse_operating_data(_green(YEAR - 3))
    from rating_model.actions import _raise_renewable

    raised = _raise_renewable(data, 0.5)
    assert raised is not None
    assert raised.energy.green_electricity_vintage == YEAR
    assert raised.energy.green_electricity_kwh == pytest.approx(0.5 * 60_000)


def test_the_schema_takes_the_field_with_the_engines_bounds() -> None:
    assert OperatingDataSchema().validate(_green(YEAR)) == {}
    assert "green_electricity_vintage" in OperatingDataSchema().validate(_green(1800))["energy"]


def test_the_flat_layout_has_the_column() -> None:
    listed = {column.name: column for column in FLAT_COLUMNS}
    assert listed["energy__green_electricity_vintage"].dtype == "Int64"
