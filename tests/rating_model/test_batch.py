"""The batch rater: every row rated like the engine rates it alone, bad rows kept with their reason.

Loan-book files through it (read, rated on every core, written): tests/service/test_batch_files.py.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rating_model.batch import RESULT_COLUMNS, passthrough_columns, rate_frame, result_schema
from rating_model.exceptions import InvalidInputError
from rating_model.flat import flat_refusal, flatten, payloads_from_frame, with_flat_dtypes
from rating_model.issue_year import check_not_after_issue
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from tests.conftest import batch_agrees_with_api, session_engine


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return next(iter_loan_book(400, seed=11, chunk_rows=10_000))


def api_value(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for key in path:
        value = None if value is None else value[key]
    return value


def cell(frame: pd.DataFrame, row: int, column: str) -> Any:
    value = frame.at[row, column]
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def test_every_result_column_equals_the_engines_own_rating(book: pd.DataFrame) -> None:
    engine = session_engine()
    out = rate_frame(book, engine)
    payloads = list(payloads_from_frame(book.drop(columns=["borrower_id"])))
    assert out["borrower_id"].tolist() == book["borrower_id"].tolist()
    assert out["row"].tolist() == list(range(len(book)))
    for i in range(0, len(book), 7):
        data = engine.parse(payloads[i])
        # the service adds the id the company gives to the engine's rating (service/ratings/issuing.py)
        rating = {**engine.rate(data).to_dict(), "external_id": data.company.external_id}
        for column in result_schema(engine):
            if column.api_path is not None:
                value = cell(out, i, column.name)
                assert batch_agrees_with_api(value, rating, column.name, column.api_path), (
                    i, column.name, value, api_value(rating, column.api_path))
        for pillar in rating["pillars"]:
            assert cell(out, i, f"pillar_{pillar['pillar']}") == pillar["score"]
        knock_outs = cell(out, i, "knock_outs")
        # every rule applied: those that deny the loan, and those the rationale names as caps only
        loan = rating["green_loan"]
        applied = [k.split(":")[0] for k in loan["knock_outs"]]
        caps = r"Knock-out (\w+) \([^)]*\) applies[^:]*: it caps the grade"
        applied += re.findall(caps, " ".join(loan["rationale"]))
        assert sorted(applied) == sorted(knock_outs.split(",") if knock_outs else [])
        # and the rating's own list (schema 1.4), in the standard's order
        assert [k["id"] for k in rating["knock_outs"]] == (knock_outs.split(",") if knock_outs else [])


def test_every_book_row_has_a_loan_and_pcaf_figures(book: pd.DataFrame) -> None:
    out = rate_frame(book, session_engine())
    assert out["error"].isna().all()
    assert out["outstanding_cny"].notna().all() and (out["attribution_factor"] <= 1).all()
    assert set(out["grade"]) <= {"dark_green", "green", "light_green", "not_green"}
    assert list(out.columns[:2]) == ["borrower_id", "row"]
    assert str(out["pcaf_score"].dtype) == "Int64" and str(out["green_loan_eligible"].dtype) == "boolean"


def test_bad_rows_are_kept_with_the_field_and_reason_and_others_rated(book: pd.DataFrame) -> None:
    frame = book.head(6).copy()
    frame.loc[1, "energy__electricity_kwh"] = -5.0
    frame.loc[3, ["energy__electricity_kwh", "energy__green_electricity_kwh"]] = [1000.0, 5000.0]
    frame.loc[4, "company__industry_code"] = "zz"
    out = rate_frame(frame, session_engine())
    errors = out["error"].tolist()
    assert errors[0] is pd.NA and errors[2] is pd.NA and errors[5] is pd.NA
    assert errors[1].startswith("energy.electricity_kwh:")
    assert errors[3].startswith("energy.green_electricity_kwh:")
    assert errors[4].startswith("company.industry_code")
    assert out.loc[[1, 3, 4], "score"].isna().all() and out.loc[[0, 2, 5], "score"].notna().all()
    assert out["borrower_id"].tolist() == frame["borrower_id"].tolist()


def test_a_refused_vehicle_names_the_flat_columns_of_its_fuel() -> None:
    """A haulier's book row with diesel lorries counted without km and electric vans beside them was refused
    with "transport.fleet.0.km": the row's items follow the column groups given, so the index named no
    column, and the error had to be matched to a fuel by hand. The field keeps the API's path, first."""
    company = {"country": "CN", "region": "CN-ZJ", "industry_code": "4923", "employees": 12,
               "annual_revenue": 5e6, "currency": "CNY", "reporting_year": 2025}
    rows = [
        {"fleet": [{"fuel": "diesel", "vehicles": 3, "vehicle_type": "hgv"}]},
        {"fleet": [{"fuel": "diesel", "vehicles": 2, "km": 40000, "vehicle_type": "van"},
                   {"fuel": "electric", "km": 50000, "vehicle_type": "hgv"}]},
        {"fleet": [{"fuel": "diesel", "km": 80000, "vehicle_type": "hgv"}]},
    ]
    energy = {"electricity_kwh": 20000.0}
    frame = with_flat_dtypes(pd.DataFrame(
        [flatten({"company": company, "energy": energy, "transport": r}) for r in rows]))
    errors = rate_frame(frame, session_engine())["error"].tolist()
    assert errors[0].startswith("transport.fleet.0.km (column transport__fleet__diesel__km): required for")
    assert errors[1].startswith("transport.fleet.1.fuel (column transport__fleet__electric__*): DESNZ 2025")
    assert errors[2] is pd.NA
    assert flat_refusal(InvalidInputError("energy.electricity_kwh", "must be >= 0"), {}) == (
        "energy.electricity_kwh: must be >= 0")  # a plain field's path is its column's


def test_every_result_row_names_its_borrower_rated_or_refused(book: pd.DataFrame) -> None:
    """A bank joins the results to its records by company__external_id (shared by a borrower's loans), not
    by position: it was consumed as operating data and came out on no row, rated or refused."""
    frame = book.head(7).copy()
    ids = frame["company__external_id"].tolist()
    frame.loc[1, "company__external_id"] = ids[0]  # a second loan of the same borrower
    frame.loc[2, ["company__employees", "company__external_id"]] = [-3, "  B-77 "]  # refused; trimmed
    # cells that contradict each other: refused before any payload is built, the id read from its cell
    frame.loc[3, ["energy__fuels_none", "energy__fuel__natural_gas__quantity"]] = [True, 50.0]
    frame.loc[4, ["company__employees", "company__external_id"]] = [-3, "x" * 121]  # unreadable: too long
    frame.loc[5, "company__external_id"] = pd.NA
    out = rate_frame(frame, session_engine())
    assert out["error"].notna().tolist() == [False, False, True, True, True, False, False]
    assert out["company__external_id"].tolist() == [ids[0], ids[0], "B-77", ids[3], pd.NA, pd.NA, ids[6]]
    assert str(out["company__external_id"].dtype) == "string"
    assert list(out.columns).count("company__external_id") == 1


def test_unknown_double_underscore_column_is_refused_and_plain_ids_pass_through() -> None:
    assert passthrough_columns(["loan_ref", "energy__electricity_kwh", "branch"]) == ["loan_ref", "branch"]
    with pytest.raises(InvalidInputError, match="energy__electricty_kwh"):
        passthrough_columns(["energy__electricty_kwh"])
    with pytest.raises(InvalidInputError, match="grade"):
        passthrough_columns(["grade"])


def test_an_empty_frame_gives_an_empty_result_with_every_column(book: pd.DataFrame) -> None:
    out = rate_frame(book.head(0), session_engine())
    assert len(out) == 0
    assert [c.name for c in RESULT_COLUMNS if c.name in out.columns] == [c.name for c in RESULT_COLUMNS]


def test_loan_book_is_the_same_however_it_is_chunked() -> None:
    whole = next(iter_loan_book(25_000, seed=2, chunk_rows=30_000))
    parts = pd.concat(list(iter_loan_book(25_000, seed=2, chunk_rows=10_000)), ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)
    assert whole["loan__amount"].notna().all() and whole["borrower_id"].is_unique


def test_the_docs_list_every_result_column_in_the_order_written() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "batch-and-spark.md").read_text(encoding="utf-8")
    missing = [c.name for c in RESULT_COLUMNS if f"| `{c.name}` |" not in doc]
    assert not missing, f"docs/batch-and-spark.md lacks result columns {missing}"
    # the table said green_rated_borrower before green_loan_category and pricing_tier (contract review)
    listed = sorted(RESULT_COLUMNS, key=lambda c: doc.index(f"| `{c.name}` |"))
    assert [c.name for c in listed] == [c.name for c in RESULT_COLUMNS]


def test_a_verified_report_without_its_emissions_is_said_why_it_scores_1_and_its_loan_2(
    book: pd.DataFrame,
) -> None:
    """A credit committee's review: a row with ``data_source`` verified_report and no ``reported_emissions``
    showed ``pcaf_score`` 1 beside ``financed_pcaf_score`` 2, and no column said why. Both are right:
    ``pcaf_score`` is the standard's score of the data the borrower sent (``pcaf_by_data_source``), while
    the loan attributes greenrate's emissions computed from those data, PCAF option 2a, score 2 (PCAF keeps 1,
    option 1a, for the borrower's own verified emissions). The columns, their docs and the summary's data
    quality now say so."""
    frame = book.head(40).copy()
    frame["data_source"] = "verified_report"
    frame[[c for c in frame.columns if c.startswith("reported_emissions__")]] = None
    out = rate_frame(frame, session_engine())
    clean = out[out["error"].isna() & (out["estimated_fields"] == 0) & (out["attribution_basis"] != "none")]
    assert len(clean) > 0
    assert (clean["pcaf_score"] == 1).all() and (clean["financed_pcaf_score"] == 2).all()
    assert (clean["financed_emissions_source"] == "computed").all()
    said = {c.name: c.meaning for c in RESULT_COLUMNS}
    doc = " ".join((Path(__file__).parents[2] / "docs" / "batch-and-spark.md").read_text(encoding="utf-8")
                   .split())
    for name in ("pcaf_score", "financed_pcaf_score"):
        row = re.search(rf"\| `{name}` \| ([^|]*) \|", doc)
        assert row is not None
        for text in (said[name], row.group(1)):
            assert "verified_report" in text and "option 2a" in text and "option 1a" in text, name
    assert "financed_pcaf_score" in said["pcaf_score"] and "`financed_pcaf_score`" in doc
    quality = summarize([out])["pcaf_data_quality"]["basis"]
    assert "not the borrower's pcaf_score" in quality and "option 2a" in quality


def test_a_row_of_a_year_after_the_year_of_issue_is_that_rows_error_in_the_apis_words(
    book: pd.DataFrame,
) -> None:
    """A loan book's row of 2099 was rated into the results and the portfolio's figures, where
    ``POST /v1/ratings`` answers 422 on ``company.reporting_year`` (adversarial review). Given the year of
    issue, such a row is refused alone, ``field: reason`` in the very words of the API's refusal, its
    exposure kept; the year of issue itself is rated. The engine reads no clock: without a year, none is
    checked."""
    frame = book.head(4).copy()
    frame.loc[1, "company__reporting_year"] = 2099
    frame.loc[2, "company__reporting_year"] = 2030
    out = rate_frame(frame, session_engine(), issue_year=2030)
    data = session_engine().parse(next(payloads_from_frame(frame.iloc[[1]].drop(columns=["borrower_id"]))))
    with pytest.raises(InvalidInputError) as refusal:
        check_not_after_issue(data, 2030)
    assert refusal.value.field == "company.reporting_year"
    assert out["error"].notna().tolist() == [False, True, False, False]
    assert out.loc[1, "error"] == str(refusal.value)
    assert out.loc[1, "error"].startswith("company.reporting_year: must not be after 2030, the year of issue")
    assert pd.isna(out.loc[1, "score"]) and out.loc[[0, 2, 3], "score"].notna().all()
    assert out.loc[1, "refused_outstanding_cny"] > 0  # still on the ledger: counted in the coverage
    assert rate_frame(frame, session_engine())["error"].isna().all()


def test_a_credit_vintage_after_the_year_of_issue_is_refused_naming_the_credit(book: pd.DataFrame) -> None:
    """One check for every way in (the API, a profile, a book's rows): the year passed in, no clock read."""
    payload = next(payloads_from_frame(book.head(1).drop(columns=["borrower_id"])))
    payload["company"]["reporting_year"] = 2024
    payload["offsets"] = [{"standard": "CCER", "tco2e": 1.0, "type": "avoidance", "vintage": 2025},
                          {"standard": "VCS", "tco2e": 1.0, "type": "removal", "vintage": 2026}]
    data = session_engine().parse(payload)
    check_not_after_issue(data, 2026)  # after the reporting year, not after the year of issue: taken
    with pytest.raises(InvalidInputError) as refusal:
        check_not_after_issue(data, 2025)
    assert refusal.value.errors == {"offsets.1.vintage": [
        "must not be after 2025, the year of issue: no credit has been issued for a year not yet begun"]}


def test_a_book_rates_refrigerants_as_the_api_does_and_names_a_refused_gas_by_its_columns() -> None:
    """A restaurant chain's book with its cold rooms' refrigerant top-ups (schema 1.13): each row's Scope 1
    is the API's own rating's, none recharged is an answer, and R-290 (no GWP100 in the factor set) is its
    row's error naming its columns."""
    company = {"country": "CN", "region": "CN-GD", "industry_code": "5610", "employees": 20,
               "annual_revenue": 6e6, "currency": "CNY", "reporting_year": 2024}
    base = {"company": company, "energy": {"electricity_kwh": 120_000.0, "fuels": []},
            "transport": {"fleet": []}}
    payloads = [
        {**base, "refrigerants": [{"gas": "R-410A", "recharged_kg": 3.0},
                                  {"gas": "R-404A", "recharged_kg": 10.0}]},
        {**base, "refrigerants": []},
        base,
        {**base, "refrigerants": [{"gas": "R-290", "recharged_kg": 1.0}]},
    ]
    frame = with_flat_dtypes(pd.DataFrame([flatten(p) for p in payloads]))
    engine = session_engine()
    out = rate_frame(frame, engine)
    for i in range(3):
        rating = engine.rate(engine.parse(payloads[i])).to_dict()
        assert cell(out, i, "scope1_tco2e") == rating["emissions"]["scope1"], i
        assert cell(out, i, "total_tco2e") == rating["emissions"]["total"], i
    assert cell(out, 0, "scope1_tco2e") == pytest.approx(3 * 1923.5 / 1000 + 10 * 3942.8 / 1000, abs=1e-4)
    assert out["error"].tolist()[:3] == [pd.NA] * 3
    assert out["error"].tolist()[3].startswith(
        "refrigerants.0.gas (column refrigerants__R-290__*): no GWP100 for refrigerant 'R-290'")


@pytest.mark.parametrize(("dtype", "values"), [
    ("string", [None, "a", "ü", ""]), ("string", [None, None]), ("string", []), ("string", [1, "a", None]),
    ("string", [math.nan, "a"]), ("string", ["a", pd.NA]),
    ("boolean", [True, None, False]), ("boolean", [None, None]), ("boolean", []), ("boolean", [1, 0, None]),
])
def test_result_text_and_flag_columns_are_the_arrays_pandas_makes(dtype: str, values: list[Any]) -> None:
    """The batch builds its text columns from Arrow and its flag columns from NumPy (fewer instructions a
    row); each is the array, dtype and Arrow column ``pd.array`` makes of the same cells."""
    import pyarrow as pa

    from rating_model.batch import _array

    made, expected = _array(values, dtype), pd.array(values, dtype=dtype)
    assert type(made) is type(expected) and repr(made.dtype) == repr(expected.dtype)
    assert made.equals(expected)
    tables = [pa.Table.from_pandas(pd.DataFrame({"c": a}), preserve_index=False) for a in (made, expected)]
    assert tables[0].equals(tables[1]) and tables[0].schema.equals(tables[1].schema, check_metadata=True)


def test_the_inputs_left_out_have_a_column() -> None:
    """An accountant's review: the results had no column for the rating's ``emissions.missing``, so a
    Scope 1 without the fleet (not answered) read as complete in a spreadsheet. ``missing`` lists them,
    comma-separated, just before ``company__external_id``, which stays last."""
    company = {"country": "CN", "region": "CN-ZJ", "industry_code": "4711", "employees": 8,
               "annual_revenue": 4e6, "currency": "CNY", "reporting_year": 2024, "external_id": "B-1"}
    answered = {"company": company, "data_source": "energy_bills",
                "energy": {"electricity_kwh": 30_000.0, "fuels": [], "purchased_heat_gj": 0.0},
                "resources": {"water_m3": 120.0, "waste_t": 1.0},
                "transport": {"fleet": [], "business_travel": [{"mode": "rail", "passenger_km": 900.0}]}}
    no_fleet = {**answered, "transport": {"business_travel": [{"mode": "rail", "passenger_km": 900.0}]}}
    refused = {**answered, "company": {**company, "employees": -1}}
    payloads = [answered, no_fleet, refused]
    engine = session_engine()
    out = rate_frame(with_flat_dtypes(pd.DataFrame([flatten(p) for p in payloads])), engine)
    assert out["missing"].tolist() == [pd.NA, "transport.fleet", pd.NA]
    assert str(out["missing"].dtype) == "string"
    rating = engine.rate(engine.parse(no_fleet)).to_dict()
    assert rating["emissions"]["missing"] == ["transport.fleet"]
    assert batch_agrees_with_api(cell(out, 1, "missing"), rating, "missing", ("emissions", "missing"))
    names = [c.name for c in RESULT_COLUMNS]
    assert names[-2:] == ["missing", "company__external_id"]
