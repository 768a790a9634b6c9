"""A PCAF auditor's review of the batch results and the portfolio summary, finding by finding.

Each test failed on the code before the fix: a refused row's exposure lost for a bad balance sheet (the
coverage ratio read 1.0), a row given twice counted twice without a flag, a borrower's two balance sheets
unflagged, the loan amount standing in for a missing outstanding without a word, a factor the results
could not reproduce (no denominator, no rate; 0.000000 for a tiny factor), and Scope 3 reported as 0 where
it was not measured.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from marshmallow import ValidationError

from rating_model.batch import rate_frame
from rating_model.book_checks import scan_book
from rating_model.currencies import currency_problem
from rating_model.exceptions import InvalidInputError
from rating_model.flat import checked, payloads_from_frame
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from schemas.operating_data import OperatingDataSchema
from tests.conftest import session_engine

L = "loan__"


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return next(iter_loan_book(60, seed=7, chunk_rows=10_000))


def _with_sheet(book: pd.DataFrame) -> pd.Index:
    return book.index[book[L + "borrower_equity_plus_debt"].notna()]


def test_a_refused_rows_exposure_needs_its_outstanding_and_rate_only(book: pd.DataFrame) -> None:
    """H1: equity + debt of 0 (or negative) refused the row and lost its exposure with it: the coverage
    read 1.0 with a third of the book refused. So did a missing amount beside an outstanding, and a
    contradicting rate beside a CNY loan."""
    frame = book.head(10).copy()
    sheet = _with_sheet(frame)
    frame.loc[sheet[0], L + "borrower_equity_plus_debt"] = 0.0
    frame.loc[sheet[1], L + "borrower_equity_plus_debt"] = -500_000.0
    frame.loc[sheet[2], [L + "amount", L + "outstanding"]] = [np.nan, 100_000.0]
    frame.loc[sheet[3], L + "fx_to_cny"] = 7.0  # beside a CNY loan: the row's error, its CNY figure stands
    frame.loc[sheet[4], L + "outstanding"] = np.inf  # given but unreadable: unknown, not the amount
    frame.loc[sheet[5], [L + "outstanding", "company__employees"]] = [np.nan, -5]  # the amount stands in
    out = rate_frame(frame, session_engine())
    refused = out["error"].notna()
    assert refused.sum() == 6 and out.loc[list(sheet[:6]), "error"].notna().all()
    exposure = out["refused_outstanding_cny"]
    for row in sheet[:2]:
        assert exposure[row] == frame.loc[row, L + "outstanding"]
    assert exposure[sheet[2]] == 100_000.0 and pd.isna(out.loc[sheet[2], "outstanding_above_amount"])
    assert exposure[sheet[3]] == frame.loc[sheet[3], L + "outstanding"]
    assert math.isnan(exposure[sheet[4]]) and pd.isna(out.loc[sheet[4], "outstanding_basis"])
    assert exposure[sheet[5]] == frame.loc[sheet[5], L + "amount"]
    assert out.loc[sheet[5], "outstanding_basis"] == "amount"
    assert (out.loc[refused & exposure.notna(), "loan_fx_to_cny"] == 1.0).all()
    coverage = summarize([out])["coverage"]
    assert coverage["refused_loans"]["value"] == 5 and coverage["refused_without_loan_data"]["value"] == 1
    covered = out["outstanding_cny"].sum()
    assert coverage["ratio"]["value"] == round(covered / (covered + exposure.sum()), 6) < 1


def test_a_third_of_the_book_with_a_zero_balance_sheet_is_not_full_coverage() -> None:
    """H1's repro: equity + debt 0 on 30% of the rows that disclose it."""
    frame = next(iter_loan_book(200, seed=3, chunk_rows=10_000))
    sheet = _with_sheet(frame)
    zero = sheet[: int(len(sheet) * 0.3)]
    frame.loc[zero, L + "borrower_equity_plus_debt"] = 0.0
    coverage = summarize([rate_frame(frame, session_engine())])["coverage"]
    assert coverage["refused_loans"]["value"] == len(zero)
    assert coverage["refused_without_loan_data"]["value"] == 0
    outstanding = frame[L + "outstanding"].fillna(frame[L + "amount"])
    expected = 1 - outstanding[zero].sum() / outstanding.sum()
    assert coverage["ratio"]["value"] == pytest.approx(expected, abs=1e-6)


def test_a_row_given_twice_is_flagged_and_counted_once(book: pd.DataFrame) -> None:
    """M1: the generator writes no loan_id, and a row repeated cell for cell was counted twice without a
    flag; with a loan_id the repeat was flagged but still counted. Each is now counted at its first row,
    across chunks, and the summary says what it left out."""
    part1, part2 = book.head(30), pd.concat([book.iloc[30:40], book.iloc[[2, 5]]], ignore_index=True)
    whole = pd.concat([part1, part2], ignore_index=True)
    checks = scan_book(lambda: (part1, part2))
    out = pd.concat([rate_frame(part1, session_engine(), checks=checks),
                     rate_frame(part2, session_engine(), first_row=30, checks=checks)], ignore_index=True)
    assert out["duplicate_row"].tolist() == [i in (2, 5, 40, 41) for i in range(42)]
    assert out["duplicate_of_row"].tolist() == [{40: 2, 41: 5}.get(i, pd.NA) for i in range(42)]
    once = summarize([rate_frame(whole.head(40), session_engine())])
    s = summarize([out.iloc[:35], out.iloc[35:]])
    assert s["outstanding"] == once["outstanding"] and s["loans"] == once["loans"]
    assert s["financed_emissions"]["scope12"] == once["financed_emissions"]["scope12"]
    assert s["rows"]["total"] == 42 and s["rows"]["duplicates"] == 2
    assert s["coverage"]["duplicate_rows"]["value"] == 2
    assert s["coverage"]["duplicate_outstanding"]["value"] == out.loc[[40, 41], "outstanding_cny"].sum()
    assert s["flags"]["duplicate_row"]["value"] == 4
    # the same loan id on two rows that differ: the loan once, at its first row
    ids = whole.head(40).assign(loan_id=[f"L{i}" for i in range(39)] + ["L7"])
    ids.loc[39, L + "outstanding"] = 1.0
    rated = rate_frame(ids, session_engine())
    assert rated["duplicate_of_row"].tolist() == [7 if i == 39 else pd.NA for i in range(40)]
    assert not rated["duplicate_row"].any()
    assert summarize([rated])["outstanding"]["value"] == round(rated.loc[:38, "outstanding_cny"].sum(), 2)


def test_one_borrower_with_two_balance_sheets_is_a_conflict(book: pd.DataFrame) -> None:
    """M2: the conflict digest left out every loan__ column, the borrower's balance sheet with them."""
    row = _with_sheet(book)[0]
    for column in (L + "borrower_equity_plus_debt", L + "borrower_total_assets"):
        second = book.loc[[row]].assign(**{column: 400_000.0, "loan__outstanding": 1_000.0})
        assert second[column].iloc[0] != book.loc[row, column]
        out = rate_frame(pd.concat([book.head(20), second], ignore_index=True), session_engine())
        assert out["borrower_data_conflict"].tolist() == [i in (row, 20) for i in range(21)], column
    # the loan's own terms are not the borrower's: another loan to it is no conflict
    other = book.loc[[row]].assign(loan__outstanding=1_000.0, loan__use_of_proceeds="renewable_energy")
    out = rate_frame(pd.concat([book.head(20), other], ignore_index=True), session_engine())
    assert not out["borrower_data_conflict"].any()


def test_outstanding_basis_says_when_the_amount_stood_in(book: pd.DataFrame) -> None:
    """M3: a missing outstanding was replaced by the loan amount with no column saying so."""
    frame = book.head(6).copy()
    frame.loc[1, L + "outstanding"] = np.nan
    out = rate_frame(frame, session_engine())
    assert out.loc[1, "outstanding_basis"] == "amount"
    assert out.loc[1, "outstanding_cny"] == frame.loc[1, L + "amount"]
    assert (out.drop(index=1)["outstanding_basis"] == "outstanding").all()
    assert pd.isna(rate_frame(frame.assign(**{L + "amount": np.nan, L + "outstanding": np.nan,
                                              L + "currency": None, L + "use_of_proceeds": None,
                                              L + "borrower_equity_plus_debt": np.nan,
                                              L + "borrower_total_assets": np.nan}).head(1),
                              session_engine()).loc[0, "outstanding_basis"])


def test_the_factor_and_the_financed_figures_are_reproduced_from_the_row(book: pd.DataFrame) -> None:
    """M5 and L3: the results carried no denominator and no rate, and a factor below 5e-7 read 0.000000;
    now factor = min(1, outstanding_cny / attribution_denominator_cny), outstanding_cny = outstanding x
    loan_fx_to_cny, and factor x gross emissions gives the financed figures within their rounding."""
    frame = book.copy()
    sheet = _with_sheet(frame)
    gross = rate_frame(frame, session_engine())[["scope1_tco2e", "scope2_location_tco2e"]].sum(axis=1)
    big = gross[sheet[1:]].idxmax()  # hundreds of tCO2e
    frame.loc[sheet[0], [L + "currency", L + "fx_to_cny", L + "outstanding"]] = ["USD", 7.1, 50_000.0]
    # a factor of 4e-7: the API's 6 decimals say 0, which times the gross emissions says nothing
    frame.loc[big, L + "outstanding"] = 4e-7 * frame.loc[big, L + "borrower_equity_plus_debt"]
    out = rate_frame(frame, session_engine())
    loans = out["outstanding_cny"].notna()
    assert loans.all()
    given = frame[L + "outstanding"].fillna(frame[L + "amount"])
    assert np.allclose(out["outstanding_cny"], (given * out["loan_fx_to_cny"]).round(2), rtol=1e-12)
    assert out.loc[sheet[0], "loan_fx_to_cny"] == 7.1
    with_sheet = out["attribution_basis"] != "none"
    assert out.loc[with_sheet, "attribution_denominator_cny"].notna().all()
    assert out.loc[~with_sheet, "attribution_denominator_cny"].isna().all()
    denominator = out["attribution_denominator_cny"]
    ratio = (out["outstanding_cny"] / denominator).clip(upper=1.0)
    # within the rounding of the two CNY figures to the fen
    slack = 1e-9 * ratio + 0.01 / denominator
    assert ((out["attribution_factor"] - ratio).abs() <= slack)[with_sheet].all()
    assert out.loc[big, "attribution_factor"] == pytest.approx(4e-7, rel=1e-9)
    gross12 = out["scope1_tco2e"] + out["scope2_location_tco2e"]
    assert (out["financed_scope12_tco2e"] - out["attribution_factor"] * gross12).abs().max() < 2e-4
    assert out.loc[big, "financed_scope12_tco2e"] == round(4e-7 * gross12[big], 4) > 0


def test_scope3_is_empty_where_it_was_not_measured(book: pd.DataFrame) -> None:
    """L1: scope3_tco2e read 0.0 for borrowers with no Scope 3 data, beside an empty financed_scope3 and a
    summary saying "not measured, not zero"."""
    out = rate_frame(book, session_engine())
    unmeasured = out["financed_scope3_tco2e"].isna()
    assert unmeasured.any() and (~unmeasured).any()
    assert out.loc[unmeasured, "scope3_tco2e"].isna().all()
    assert out.loc[~unmeasured, "scope3_tco2e"].notna().all()
    gross12 = out["scope1_tco2e"] + out["scope2_location_tco2e"]
    assert (out.loc[unmeasured, "total_tco2e"] - gross12[unmeasured]).abs().max() < 2e-4
    s = summarize([out])
    assert str(int((~unmeasured).sum())) in s["financed_emissions"]["scope3"]["basis"]


def test_a_chunk_is_given_the_checks_of_its_own_rows_only(book: pd.DataFrame) -> None:
    """Security review H12: the repeated rows and their first rows were Python sets and dicts (885 MB for
    2,000,000 identical rows) pickled whole with every chunk. They are sorted arrays now, and a chunk
    rated in another process is sent the slice of them for its rows, which flags those rows alike."""
    same = pd.concat([book.iloc[[4]]] * 50, ignore_index=True)
    frame = pd.concat([book.head(10), same], ignore_index=True).assign(
        loan_id=[f"L{i}" for i in range(10)] + ["S"] * 50)
    frame.loc[1, "loan_id"] = "L0"  # a later row of loan L0, repeated cell for cell at row 2
    frame.loc[2] = frame.loc[1]
    parts = [frame.iloc[i:i + 7].reset_index(drop=True) for i in range(0, len(frame), 7)]
    checks = scan_book(lambda: iter(parts))
    assert checks.repeated_rows.dtype == np.int64 and not checks.repeated_rows.flags.writeable
    assert checks.repeated_rows.tolist() == [1, 2, *range(10, 60)]
    # row 2 repeats row 1 cell for cell, but its loan was first given at row 0: that is the row it names
    assert dict(zip(checks.later_rows.tolist(), checks.first_rows.tolist(), strict=True)) == {
        1: 0, 2: 0, **{i: 10 for i in range(11, 60)}}
    for i, part in enumerate(parts):
        own = pickle.loads(pickle.dumps(checks.for_rows(7 * i, len(part))))
        assert own.repeated_rows.size <= len(part) and own.later_rows.size <= len(part)
        assert not own.later_rows.flags.writeable
        whole, alone = checks.flags(part, 7 * i), own.flags(part, 7 * i)
        assert alone["duplicate_of_row"] == whole["duplicate_of_row"], i
        for name in ("borrower_data_conflict", "duplicate_loan_id", "duplicate_row"):
            assert alone[name].equals(whole[name]), (i, name)
    flags = checks.flags(parts[1], 7)
    assert flags["duplicate_row"].tolist() == [False, False, False, True, True, True, True]
    assert flags["duplicate_of_row"] == [None, None, None, None, 10, 10, 10]


def test_a_balance_sheet_of_0_is_refused_saying_how_to_use_the_fallback(book: pd.DataFrame) -> None:
    """M4: PCAF divides by equity + debt, and falls back to total assets only when equity and debt cannot
    be obtained (Part A 5.2, footnote 92); a negative equity counts as 0 (footnote 90). A 0 is not "not
    obtained": the row is refused (its exposure kept), saying to leave the cell empty, never attributed on
    total assets unsaid; left empty, total assets are divided by and the row says so."""
    frame = book.head(8).copy()
    sheet = _with_sheet(frame)
    frame.loc[sheet[0], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [0.0, 2e6]
    frame.loc[sheet[1], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [np.nan, 2e6]
    frame.loc[sheet[2], L + "borrower_equity_plus_debt"] = -300_000.0
    frame.loc[sheet[3], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [np.nan, 0.0]
    out = rate_frame(frame, session_engine())
    zero = out.loc[sheet[0]]
    assert zero["error"].startswith("loan.borrower_equity_plus_debt: must be greater than 0: PCAF divides")
    assert "leave it out" in zero["error"] and pd.isna(zero["attribution_basis"])
    assert zero["refused_outstanding_cny"] == frame.loc[sheet[0], L + "outstanding"]
    assert "a negative book equity counts as 0" in out.loc[sheet[2], "error"]
    assert out.loc[sheet[3], "error"].startswith("loan.borrower_total_assets: must be greater than 0: PCAF's")
    fallback = out.loc[sheet[1]]
    assert pd.isna(fallback["error"]) and fallback["attribution_basis"] == "total_assets"
    assert fallback["attribution_denominator_cny"] == 2e6
    assert fallback["attribution_factor"] == pytest.approx(fallback["outstanding_cny"] / 2e6, rel=1e-11)
    assert out["error"].notna().sum() == 3


def test_a_balance_sheet_that_is_0_in_cny_is_refused_never_divided_by(book: pd.DataFrame) -> None:
    """M4: a balance sheet above 0 that is 0.0 once converted (5e-324 at a rate of 1e-6) was divided by:
    a loan in the company's currency was attributed nothing under basis equity_plus_debt, and one in
    another currency raised ZeroDivisionError, which stopped the whole chunk. It is the row's error now."""
    frame = book.head(6).copy()
    sheet = _with_sheet(frame)
    foreign = {"company__currency": "USD", "company__fx_to_cny": 1e-6,
               L + "borrower_equity_plus_debt": 5e-324}
    for row, loan_currency in ((sheet[0], "USD"), (sheet[1], "CNY")):
        for column, value in foreign.items():
            frame.loc[row, column] = value
        frame.loc[row, L + "currency"] = loan_currency
    out = rate_frame(frame, session_engine())
    for row in sheet[:2]:
        assert out.loc[row, "error"].startswith(
            "loan.borrower_equity_plus_debt: is 0 once converted to CNY at company.fx_to_cny"), row
    assert out["error"].notna().sum() == 2 and (out.loc[out["error"].isna(), "attribution_factor"] > 0).all()


def test_the_attribution_never_divides_by_a_balance_sheet_of_0_built_in_python() -> None:
    """M4: data built in Python skips the parser; a 0 balance sheet raised ZeroDivisionError."""
    from rating_model.green_loan import financed_emissions
    from rating_model.operating_data_reader import parse_operating_data
    from rating_model.values import evolve

    company = {"name": "x", "country": "CN", "industry_code": "5610", "employees": 5,
               "annual_revenue": 3e6, "currency": "CNY", "reporting_year": 2022}
    loan = {"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
            "borrower_total_assets": 1e6}
    data = parse_operating_data({"company": company, "loan": loan},
                                use_of_proceeds=session_engine().standard.use_of_proceeds)
    assert data.loan is not None
    for sheet in ({"borrower_total_assets": 0.0}, {"borrower_equity_plus_debt": 0.0}):
        zero = evolve(data, loan=evolve(data.loan, **{"borrower_total_assets": None, **sheet}))
        with pytest.raises(InvalidInputError) as refused:
            financed_emissions(zero, 40.0, None, 2)
        assert refused.value.field == f"loan.{next(iter(sheet))}"


def test_a_currency_not_in_iso_4217_refuses_the_row_naming_the_field(book: pd.DataFrame) -> None:
    """L6: the currencies were checked for three capital letters only: RMB (not a code; the renminbi's is
    CNY) was rated as a currency of its own. Each of these is that row's error, keyed by its field, with
    the API's words; a loan whose currency is not a code has no CNY figure, so no exposure either."""
    frame = book.head(8).copy()
    frame.loc[0, ["company__currency", "company__fx_to_cny"]] = ["RMB", 1.0]
    frame.loc[1, L + "currency"] = "usd"
    frame.loc[2, [L + "currency", L + "fx_to_cny"]] = ["RMBX", 1.0]
    frame.loc[3, ["company__currency", "company__fx_to_cny"]] = ["HRK", 0.95]  # withdrawn in 2023: a code
    out = rate_frame(frame, session_engine())
    assert out.loc[0, "error"] == (
        "company.currency: must be an ISO 4217 currency code: RMB is not one, send CNY")
    assert out.loc[1, "error"] == "loan.currency: must be an ISO 4217 currency code in capital letters: USD"
    assert out.loc[2, "error"].startswith("loan.currency: must be an ISO 4217 currency code (List One")
    assert out["error"].notna().sum() == 3 and pd.isna(out.loc[3, "error"])
    assert out.loc[0, "refused_outstanding_cny"] == frame.loc[0, L + "outstanding"]  # a CNY loan
    assert out.loc[[1, 2], "refused_outstanding_cny"].isna().all()


def test_the_offshore_renminbi_is_refused_saying_to_send_cny(book: pd.DataFrame) -> None:
    """CNH, which a bank's offshore (Hong Kong) book sends, is not in ISO 4217's list (the renminbi's code is
    CNY wherever it is held): it had the generic refusal, which did not say what to send. The batch's row
    and the API's 422 now say the same, naming CNY."""
    frame = book.head(3).copy()
    frame.loc[0, ["company__currency", "company__fx_to_cny"]] = ["CNH", 1.0]
    frame.loc[1, [L + "currency", L + "fx_to_cny"]] = [" cnh ", 0.99]
    out = rate_frame(frame, session_engine())
    words = currency_problem("CNH")
    assert words is not None and "send CNY" in words and "offshore" in words
    assert out.loc[0, "error"] == f"company.currency: {words}"
    assert out.loc[1, "error"] == f"loan.currency: {words}"
    assert pd.isna(out.loc[2, "error"])
    with pytest.raises(ValidationError) as refused:
        OperatingDataSchema().load({"company": {"currency": "CNH"}})
    assert refused.value.messages["company"]["currency"] == [words]  # type: ignore[index]


def test_equity_plus_debt_above_total_assets_is_flagged_as_the_api_flags_it(book: pd.DataFrame) -> None:
    """The batch's column flags the rows whose basis the API's financed emissions flag (one rule,
    rating_model.green_loan.equity_debt_above_assets): rated, divided by equity + debt; empty unless both
    figures are given, and for a refused row."""
    frame = book.head(6).copy()
    sheet = frame.index[:5]
    frame.loc[sheet, L + "borrower_equity_plus_debt"] = 2_000_000.0
    frame.loc[sheet, L + "borrower_total_assets"] = [1.5e6, 2e6, 2.5e6, np.nan, 1e6]
    frame.loc[sheet[4], "company__employees"] = -5  # refused
    frame.loc[frame.index[5], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [np.nan, 9e5]
    out = rate_frame(frame, session_engine())
    flag = out["equity_debt_above_assets"]
    assert str(flag.dtype) == "boolean"
    assert flag.tolist()[:3] == [True, False, False] and flag[3:].isna().all()
    assert out.loc[0, "attribution_basis"] == "equity_plus_debt" and pd.isna(out.loc[0, "error"])
    assert out.loc[0, "attribution_denominator_cny"] == 2_000_000.0
    engine = session_engine()
    for row in range(3):
        payload = checked(next(payloads_from_frame(frame.iloc[[row]], ignore_unknown=True)))
        rating = engine.rate(engine.parse(payload)).to_dict()
        assert ("is above total assets" in rating["financed_emissions"]["basis"]) == bool(flag[row]), row


#: the batch's columns that reproduce the factor, which a single rating's ``financed_emissions`` carries
#: under the same names from schema 1.14
_AUDIT_COLUMNS = ("attribution_basis", "attribution_denominator_cny", "loan_fx_to_cny", "outstanding_basis")


def test_a_single_rating_carries_what_reproduces_its_factor_as_the_batch_does(book: pd.DataFrame) -> None:
    """A PCAF analyst checking one loan: the batch's results carried the attribution basis, the balance
    sheet divided by, the loan's rate to CNY and what the outstanding was read from, but the single rating's
    ``financed_emissions`` had none of them, so a bank could not recompute or audit the factor from the
    rating it stored. Each rating now carries them, equal to the batch's columns for the same row, and
    min(1, outstanding_cny / attribution_denominator_cny) gives its attribution_factor."""
    frame = book.head(30).copy()
    sheet = _with_sheet(frame)
    frame.loc[sheet[0], [L + "currency", L + "fx_to_cny", L + "outstanding"]] = ["USD", 7.1, 50_000.0]
    frame.loc[sheet[1], L + "outstanding"] = np.nan  # the amount stands in
    frame.loc[sheet[2], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [np.nan, 3e6]
    frame.loc[sheet[3], [L + "borrower_equity_plus_debt", L + "borrower_total_assets"]] = [np.nan, np.nan]
    engine = session_engine()
    out = rate_frame(frame, engine)
    assert out["error"].isna().all()
    seen = set()
    for row, payload in zip(frame.index, payloads_from_frame(frame, ignore_unknown=True), strict=True):
        financed = engine.rate(engine.parse(checked(payload))).to_dict()["financed_emissions"]
        assert financed is not None
        for column in _AUDIT_COLUMNS:
            cell = out.loc[row, column]
            assert financed[column] == (None if pd.isna(cell) else cell), (row, column)
        seen.add((financed["attribution_basis"], financed["outstanding_basis"]))
        denominator = financed["attribution_denominator_cny"]
        if denominator is None:
            assert financed["attribution_basis"] == "none" and financed["attribution_factor"] == 1.0
            continue
        factor = min(1.0, financed["outstanding_cny"] / denominator)
        assert financed["attribution_factor"] == pytest.approx(factor, abs=5e-7 + 0.01 / denominator)
    assert {basis for basis, _ in seen} == {"equity_plus_debt", "total_assets", "none"}
    assert {read for _, read in seen} == {"outstanding", "amount"}
    assert out.loc[sheet[0], "loan_fx_to_cny"] == 7.1
