"""A credit committee's check of a portfolio job: every figure of the summary recomputed from the results CSV
the same job serves, on a small mixed book with bad rows (a bank's loan officer fixes and resends those).

The summary is accumulated chunk by chunk over the results (rating_model.portfolio); the CSV is what the
officer opens. Here the two are read as the officer reads them, over HTTP, and must agree: totals,
outstanding-weighted PCAF scores (PCAF Box 8), breakdowns, green loans, coverage and the refused rows'
reasons, field by field.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from tests.conftest import bearer, create_key
from tests.service.test_portfolios import as_file, book, portfolio_app, upload, work  # noqa: F401 - a fixture

pytestmark = pytest.mark.integration

#: the bad rows of the book: row -> (column, value, the field its error names)
BAD = {
    3: ("company__employees", -3, "company.employees"),
    5: ("loan__currency", "XYZ", "loan.currency"),
    8: ("loan__outstanding", "1,2OO,000", "loan.outstanding"),
    12: ("energy__electricity_kwh", "lots", "energy.electricity_kwh"),
    15: ("company__industry_code", "999", "company.industry_code"),
    18: ("loan__use_of_proceeds", "solar_panels", "loan.use_of_proceeds"),
    21: ("company__reporting_year", 2031, "company.reporting_year"),
}


def _weighted(rows: pd.DataFrame, score: str) -> float | None:
    rows = rows[(rows["outstanding_cny"] > 0) & rows[score].notna()]
    if rows.empty:
        return None
    return round(float((rows["outstanding_cny"] * rows[score]).sum() / rows["outstanding_cny"].sum()), 2)


def test_every_figure_of_the_summary_is_recomputed_from_the_results_csv(
    portfolio_app: Flask, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    loans = book(40, seed=11).astype(object)
    for row, (column, value, _) in BAD.items():
        loans.loc[row, column] = value
    loans = pd.concat([loans, loans.iloc[[10]]], ignore_index=True)  # the same loan sent twice
    accepted = upload(client, key, as_file(loans, "book.csv", tmp_path))
    assert accepted.status_code == 202, accepted.json
    assert work(portfolio_app)
    job = client.get(f"/v1/portfolios/{accepted.json['id']}", headers=bearer(key)).json
    s = job["summary"]
    csv = client.get(job["results"]["csv"], headers=bearer(key))
    out = pd.read_csv(io.BytesIO(csv.data), dtype={"borrower_id": str, "industry_code": str})

    # refused rows: each with the field to fix, and only those
    refused = out[out["error"].notna()]
    assert refused["row"].tolist() == sorted(BAD)
    for row, (_, _, field) in BAD.items():
        assert out.at[row, "error"].startswith(f"{field}: "), out.at[row, "error"]
    assert out.at[40, "duplicate_of_row"] == 10

    counted = out[out["duplicate_of_row"].isna()]
    rated = counted[counted["error"].isna()]
    with_loan = rated[rated["outstanding_cny"].notna()]
    outstanding = with_loan["outstanding_cny"].sum()
    financed12 = with_loan["financed_scope12_tco2e"].sum()
    assert s["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 0  # one loan per borrower
    assert s["rows"] | {"basis": None} == {"unit": "rows", "basis": None, "total": 41, "rated": 34,
                                           "errors": len(BAD), "duplicates": 1}
    assert s["loans"]["value"] == len(with_loan)
    assert s["outstanding"]["value"] == pytest.approx(outstanding, abs=0.01)
    assert s["financed_emissions"]["scope12"]["value"] == pytest.approx(financed12, abs=1e-3)
    for key_, column in (("scope3", "financed_scope3_tco2e"), ("scope1", "financed_scope1_tco2e"),
                         ("scope2_location", "financed_scope2_location_tco2e"),
                         ("scope2_market", "financed_scope2_market_tco2e")):
        assert s["financed_emissions"][key_]["value"] == pytest.approx(with_loan[column].sum(), abs=1e-3)
    assert s["intensity"]["value"] == pytest.approx(round(financed12 / (outstanding / 1e6), 4), abs=1e-4)
    assert s["pcaf_data_quality"]["value"] == _weighted(with_loan, "financed_pcaf_score")
    assert s["pcaf_data_quality_scope3"]["value"] == _weighted(with_loan, "financed_scope3_pcaf_score")

    # breakdowns: each group from its rows, and the groups add up to the book
    for table, keys in ((s["by_industry"], with_loan["industry_code"].str[:2]),
                        (s["financed_emissions"]["by_attribution_basis"], with_loan["attribution_basis"]),
                        (s["by_reporting_year"], with_loan["reporting_year"].astype(int).astype(str))):
        groups = {k: v for k, v in table["values"].items() if v["loans"]}
        assert set(groups) == set(keys.unique())
        for group, rows in with_loan.groupby(keys.to_numpy()):
            figures = groups[str(group)]
            assert figures["loans"] == len(rows)
            assert figures["outstanding"] == pytest.approx(rows["outstanding_cny"].sum(), abs=0.01)
            financed = rows["financed_scope12_tco2e"].sum()
            assert figures["financed_scope12"] == pytest.approx(financed, abs=1e-3)
            assert figures["pcaf_data_quality"] == _weighted(rows, "financed_pcaf_score")
        assert sum(g["outstanding"] for g in groups.values()) == pytest.approx(outstanding, abs=0.01)

    # grades and green loans
    assert s["grade_distribution"]["by_count"]["values"] == {
        g: int((rated["grade"] == g).sum()) for g in s["grade_distribution"]["by_count"]["values"]}
    by_outstanding = s["grade_distribution"]["by_outstanding"]["values"]
    for grade, amount in by_outstanding.items():
        assert amount == pytest.approx(with_loan.loc[with_loan["grade"] == grade, "outstanding_cny"].sum())
    green = with_loan[with_loan["green_loan_eligible"] == True]  # noqa: E712 - a boolean column with NaN
    assert s["green_loans"]["eligible"]["value"] == len(green) > 0
    assert s["green_loans"]["eligible_outstanding"]["value"] == pytest.approx(green["outstanding_cny"].sum())
    assert s["green_loans"]["by_category"]["values"] == {
        category: {"loans": len(rows), "outstanding": pytest.approx(rows["outstanding_cny"].sum())}
        for category, rows in green.groupby("green_loan_category")}

    # coverage: the refused rows' exposure beside the covered one
    exposure = counted.loc[counted["error"].notna(), "refused_outstanding_cny"]
    coverage = {name: figure["value"] for name, figure in s["coverage"].items()}
    assert coverage["refused_loans"] == int(exposure.notna().sum())
    assert coverage["refused_outstanding"] == pytest.approx(exposure.sum())
    assert coverage["ratio"] == round(outstanding / (outstanding + exposure.sum()), 6)
    assert coverage["duplicate_outstanding"] == pytest.approx(out.at[40, "outstanding_cny"])
