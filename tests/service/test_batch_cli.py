"""``greenrate batch``: a loan book rated from a file gives, row for row, what ``POST /v1/ratings`` gives."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from flask import Flask

from rating_model.batch import result_schema
from rating_model.engine import DEFAULT_MODEL
from rating_model.flat import payloads_from_frame
from rating_model.portfolio import summarize
from service.batch.flat_files import read_frame
from service.cli import main
from tests.conftest import AppFactory, batch_agrees_with_api, bearer, create_key, services_of, session_engine
from tests.service.hostile_books import UNREADABLE_COMPRESSED


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/batch.sqlite3"}


def _cell(value: Any) -> Any:
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def test_batch_rows_equal_the_api_for_the_same_data(tmp_path: Path, make_app: AppFactory) -> None:
    app: Flask = make_app()
    url = str(services_of(app).db.url)
    env = {"GREENRATE_DATABASE_URL": url}
    book, result = tmp_path / "book.csv", tmp_path / "rated.parquet"
    assert run(env, "batch", "generate-book", str(book), "--rows", "60", "--seed", "9").exit_code == 0
    rated = run(env, "batch", "rate", str(book), str(result), "--workers", "1")
    assert rated.exit_code == 0, rated.output
    assert "rated 60 of 60 rows" in rated.output
    out = pd.read_parquet(result)
    frame = read_frame(book)
    payloads = list(payloads_from_frame(frame.drop(columns=["borrower_id"]), ignore_unknown=True))
    client, key = app.test_client(), create_key(app)
    columns = [c for c in result_schema(session_engine()) if c.api_path is not None]
    for i in range(0, 60, 6):
        response = client.post("/v1/ratings", json=payloads[i], headers=bearer(key))
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert out.at[i, "borrower_id"] == frame.at[i, "borrower_id"]
        for column in columns:
            assert batch_agrees_with_api(_cell(out.at[i, column.name]), body, column.name, column.api_path), (
                i, column.name)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_rows_with_reported_inventories_equal_the_api(
    tmp_path: Path, make_app: AppFactory, suffix: str
) -> None:
    """Engine 2.8's reported_emissions__* columns (PCAF 1a and 1b): the generated books carry none, so the
    test above never compared financed_emissions_source or reported_difference_scope12_pct with the API."""
    from rating_model.flat import flatten
    from tests.conftest import payload

    loan = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
            "outstanding": 400_000, "borrower_equity_plus_debt": 2_000_000}
    verified = {"scope1_tco2e": 12.0, "scope2_location_tco2e": 20.0, "verified": True, "verifier": "CQC"}
    unverified = {"scope1_tco2e": 9.5, "scope2_location_tco2e": 30.0, "scope2_market_tco2e": 25.0,
                  "scope3_tco2e": 4.0, "verified": False}
    bodies = [
        {**payload(), "loan": loan, "reported_emissions": verified},
        {**payload(), "loan": loan, "reported_emissions": unverified},
        {**payload(), "loan": {**loan, "borrower_equity_plus_debt": None}, "reported_emissions": verified},
        {**payload(), "reported_emissions": unverified},  # no loan: the comparison alone
        {**payload(), "loan": loan, "data_source": "verified_report"},  # computed: 2 at best
        # engine 2.12: greenrate's computed Scope 3 (water) beside a verified inventory without one: 3
        {**payload(), "loan": loan, "reported_emissions": verified, "resources": {"water_m3": 900}},
    ]
    app: Flask = make_app()
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    book, result = tmp_path / f"book{suffix}", tmp_path / "rated.parquet"
    frame = pd.DataFrame([flatten(body) for body in bodies])
    if suffix == ".csv":
        frame.to_csv(book, index=False)
    else:
        frame.to_parquet(book, index=False)
    rated = run(env, "batch", "rate", str(book), str(result), "--workers", "1")
    assert rated.exit_code == 0, rated.output
    out = pd.read_parquet(result)
    assert out["financed_emissions_source"].tolist()[:3] == ["reported_verified", "reported_unverified",
                                                             "reported_verified"]
    assert out["financed_pcaf_score"].tolist() == [1, 2, 5, pd.NA, 2, 1]
    # Scope 3's own score (PCAF reports it apart): the reported Scope 3 as its inventory, the computed one
    # 3 at best, none where no Scope 3 is attributed
    assert out["financed_scope3_pcaf_score"].tolist() == [pd.NA, 2, pd.NA, pd.NA, pd.NA, 3]
    client, key = app.test_client(), create_key(app)
    columns = [c for c in result_schema(session_engine()) if c.api_path is not None]
    for i, body in enumerate(bodies):
        response = client.post("/v1/ratings", json=body, headers=bearer(key))
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        for column in columns:
            cell = _cell(out.at[i, column.name])
            assert batch_agrees_with_api(cell, answer, column.name, column.api_path), (i, column.name)


def test_batch_uses_the_active_model_and_reports_refused_rows(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade").exit_code == 0
    book, result = tmp_path / "book.parquet", tmp_path / "rated.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "30")
    frame = pd.read_parquet(book)
    frame.loc[2, "energy__electricity_kwh"] = -1.0
    frame.to_parquet(book, index=False)
    rated = run(env, "batch", "rate", str(book), str(result), "--workers", "1", "--chunk-rows", "100")
    # a refused row is a distinct exit status (3), so a script cannot take the book for rated whole
    assert rated.exit_code == 3, rated.output
    assert "rating with active model sc-" in rated.output and "1 row(s) refused" in rated.output
    assert "1 of 30 row(s) were refused: exit status 3" in rated.output
    out = pd.read_csv(result)
    assert out.loc[2, "error"].startswith("energy.electricity_kwh:") and out["error"].notna().sum() == 1
    allowed = run(env, "batch", "rate", str(book), str(result), "--workers", "1", "--allow-refused")
    assert allowed.exit_code == 0 and "1 row(s) refused" in allowed.output, allowed.output


def test_batch_with_a_model_file_and_clear_errors(env: dict[str, str], tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "5")
    no_db = run(env, "batch", "rate", str(book), str(tmp_path / "r.csv"))
    assert no_db.exit_code != 0 and "greenrate db upgrade" in no_db.output and "Traceback" not in no_db.output
    with_file = run(env, "batch", "rate", str(book), str(tmp_path / "r.csv"), "--model", str(DEFAULT_MODEL),
                    "--workers", "1")
    assert with_file.exit_code == 0, with_file.output
    wrong_type = run(env, "batch", "rate", str(book), str(tmp_path / "r.xlsx"), "--model", str(DEFAULT_MODEL))
    assert wrong_type.exit_code == 2 and ".parquet" in wrong_type.output
    typo = tmp_path / "typo.csv"
    pd.read_csv(book).rename(columns={"company__employees": "company__staff"}).to_csv(typo, index=False)
    refused = run(env, "batch", "rate", str(typo), str(tmp_path / "t.csv"), "--model", str(DEFAULT_MODEL))
    assert refused.exit_code == 1 and "company__staff" in refused.output
    assert not (tmp_path / "t.csv").exists()


def test_files_that_cannot_be_rated_get_a_clear_message_not_a_traceback(env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "5")
    text = book.read_text(encoding="utf-8")
    header = text.split("\n", 1)[0]
    cases = {
        "empty.csv": (b"", "the file is empty"),
        "latin.csv": (text.replace("Synthetic", "Synth\u00e9tic", 1).encode("latin-1"), "not UTF-8"),
        "twice.csv": ((header + ",borrower_id\n").encode(), "'borrower_id': appears more than once"),
    }
    nested = pa.Table.from_pandas(pd.read_csv(book), preserve_index=False)
    nested = nested.append_column("tags", pa.array([["a"], [], None, ["b"], ["c"]]))
    pq.write_table(nested, tmp_path / "nested.parquet")
    for name, (content, _) in cases.items():
        (tmp_path / name).write_bytes(content)
    for name, expected in [*((n, e) for n, (_, e) in cases.items()), ("nested.parquet", "'tags'")]:
        result = CliRunner().invoke(main, ["batch", "rate", str(tmp_path / name), str(tmp_path / "r.csv"),
                                           "--model", str(DEFAULT_MODEL), "--workers", "1"], env=env)
        assert result.exit_code == 1, (name, result.output, result.exception)
        assert expected in result.output and "Traceback" not in result.output, name
        assert not (tmp_path / "r.csv").exists()


def test_summarize_gives_the_portfolio_summary_of_a_results_file(env: dict[str, str], tmp_path: Path) -> None:
    """A bank portfolio review: the summary needed the book uploaded to the service; now from the results."""
    book = tmp_path / "book.parquet"
    run(env, "batch", "generate-book", str(book), "--rows", "40")
    frame = pd.read_parquet(book)
    frame.loc[3, "company__annual_revenue"] = 0.0  # refused: its exposure stays in the summary
    frame.to_parquet(book, index=False)
    for name in ("r.csv", "r.parquet"):
        rated = run(env, "batch", "rate", str(book), str(tmp_path / name), "--model", str(DEFAULT_MODEL),
                    "--workers", "1", "--allow-refused")
        assert rated.exit_code == 0, rated.output
    results = pd.read_parquet(tmp_path / "r.parquet")
    expected = summarize([results])
    out = run(env, "batch", "summarize", str(tmp_path / "r.csv"), "--previous", str(tmp_path / "r.parquet"))
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["coverage"] == expected["coverage"] and summary["coverage"]["refused_loans"]["value"] == 1
    assert summary["financed_emissions"] == expected["financed_emissions"]
    assert summary["movers"]["matched"]["value"] == 39 and summary["movers"]["rises"] == []
    # borrowers beside loan rows, the same from the CSV as from the Parquet (a climate-risk analyst's review)
    assert summary["borrowers"] == expected["borrowers"] and summary["borrowers"]["value"] == 39
    assert summary["grade_distribution"] == expected["grade_distribution"]
    assert summary["movers"]["new_borrowers"]["value"] == 0
    written = run(env, "batch", "summarize", str(tmp_path / "r.parquet"), "--out", str(tmp_path / "s.json"))
    assert written.exit_code == 0 and json.loads((tmp_path / "s.json").read_text())["rows"]["errors"] == 1
    stale = tmp_path / "old.parquet"
    results.drop(columns=["attribution_basis"]).to_parquet(stale)
    refused = run(env, "batch", "summarize", str(stale))
    assert refused.exit_code == 1 and "attribution_basis" in refused.output


def test_bad_cells_become_row_errors_and_a_book_without_rows_a_valid_parquet(env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "5")
    frame = pd.read_csv(book, dtype=str, keep_default_na=False)
    frame.loc[2, "company__employees"] = "many"
    frame.to_csv(book, index=False)
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.parquet"), "--model", str(DEFAULT_MODEL),
                "--workers", "1")
    assert rated.exit_code == 3 and "1 row(s) refused" in rated.output
    out = pd.read_parquet(tmp_path / "r.parquet")
    assert out.loc[2, "error"] == "company.employees: must be a number" and out["error"].notna().sum() == 1
    header_only = tmp_path / "header.csv"
    header_only.write_text(book.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    empty = run(env, "batch", "rate", str(header_only), str(tmp_path / "e.parquet"), "--model",
                str(DEFAULT_MODEL), "--workers", "1")
    assert empty.exit_code == 0, empty.output
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == 0 and table.column_names[:2] == ["borrower_id", "row"]


def test_parquet_cells_of_another_type_are_refused_as_the_api_refuses_them(tmp_path: Path,
                                                                          make_app: AppFactory) -> None:
    """A flag stored as int64 with a 2 in it: the batch refuses that row, as POST /v1/ratings refuses 2.

    0 and 1 are a flag's "no" and "yes" in the flat format (as in a CSV), whose cells Spark reads alike.
    """
    app: Flask = make_app()
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    book, result = tmp_path / "book.parquet", tmp_path / "rated.parquet"
    run(env, "batch", "generate-book", str(book), "--rows", "3", "--seed", "4")
    table = pq.read_table(book)
    at = table.schema.get_field_index("practices__e_invoicing")
    table = table.set_column(at, "practices__e_invoicing", pa.array([1, 0, 2], pa.int64()))
    pq.write_table(table.replace_schema_metadata(None), book)  # as a bank's own tool writes it
    rated = run(env, "batch", "rate", str(book), str(result), "--workers", "1")
    assert rated.exit_code == 3 and "1 row(s) refused" in rated.output, rated.output
    out = pd.read_parquet(result)
    payloads = list(payloads_from_frame(pd.read_parquet(book).drop(columns=["borrower_id"])))
    assert [p["practices"]["e_invoicing"] for p in payloads] == [True, False, 2]
    response = app.test_client().post("/v1/ratings", json=payloads[2], headers=bearer(create_key(app)))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["practices.e_invoicing"]
    assert out.loc[2, "error"] == "practices.e_invoicing: must be true or false"
    assert out["error"].notna().tolist() == [False, False, True]


def test_pass_through_decimals_and_dates_are_written_in_the_books_types(env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    book = tmp_path / "book.parquet"
    run(env, "batch", "generate-book", str(book), "--rows", "250")
    table = pq.read_table(book)
    fee = [Decimal("1.50") if i < 150 else Decimal("123456.75") for i in range(250)]
    table = table.append_column("fee", pa.array(fee, pa.decimal128(12, 2)))
    signed = [None if i < 100 else date(2024, 3, 1) for i in range(250)]
    pq.write_table(table.append_column("signed", pa.array(signed, pa.date32())), book)
    for target in ("rated.parquet", "rated.csv"):
        rated = run(env, "batch", "rate", str(book), str(tmp_path / target), "--model", str(DEFAULT_MODEL),
                    "--workers", "1", "--chunk-rows", "100")
        assert rated.exit_code == 0, rated.output
        assert "rated 250 of 250 rows" in rated.output
    out = pq.read_table(tmp_path / "rated.parquet")
    assert out.schema.field("fee").type == pa.decimal128(12, 2) and out.column("fee").to_pylist() == fee
    assert out.schema.field("signed").type == pa.date32() and out.column("signed").to_pylist() == signed
    text = pd.read_csv(tmp_path / "rated.csv", dtype=str, keep_default_na=False)
    assert text.loc[[149, 150], "fee"].tolist() == ["1.50", "123456.75"]
    assert text.loc[[99, 100], "signed"].tolist() == ["", "2024-03-01"]


def test_any_arrow_error_is_one_line_not_a_traceback(env: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow raises more than ArrowInvalid (ArrowNotImplementedError, ArrowTypeError...)."""
    import service.batch.files as batch_files

    def unsupported(chunk: Any) -> pd.DataFrame:
        raise pa.ArrowNotImplementedError("Unsupported cast from date32[day] to null")

    book = tmp_path / "book.parquet"
    run(env, "batch", "generate-book", str(book), "--rows", "5")
    monkeypatch.setattr(batch_files, "as_frame", unsupported)
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.parquet"), "--model", str(DEFAULT_MODEL),
                "--workers", "1")
    assert rated.exit_code == 1 and "Traceback" not in rated.output
    assert "ArrowNotImplementedError: Unsupported cast from date32[day] to null" in rated.output
    assert not (tmp_path / "r.parquet").exists()


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip"])
def test_compressed_names_are_written_compressed_and_read_back(env: dict[str, str], tmp_path: Path,
                                                               suffix: str) -> None:
    book, result = tmp_path / f"gen{suffix}", tmp_path / f"rated{suffix}"
    assert run(env, "batch", "generate-book", str(book), "--rows", "100").exit_code == 0
    magic = {".csv.gz": b"\x1f\x8b", ".csv.bz2": b"BZh", ".csv.xz": b"\xfd7zXZ", ".csv.zip": b"PK"}[suffix]
    assert book.read_bytes().startswith(magic)
    rated = run(env, "batch", "rate", str(book), str(result), "--model", str(DEFAULT_MODEL), "--workers", "1")
    assert rated.exit_code == 0, rated.output
    assert result.read_bytes().startswith(magic)
    out = pd.read_csv(result)
    assert len(out) == 100 and out["error"].isna().all()
    assert out["borrower_id"].tolist() == pd.read_csv(book)["borrower_id"].tolist()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_row_whose_cells_contradict_each_other_is_its_own_error_on_every_worker_count(
    env: dict[str, str], tmp_path: Path, workers: str
) -> None:
    """"No fuel burned on site" with a diesel quantity ended the whole book: with one process as a
    one-line error and no output, with two as a broken process pool (the refusal did not unpickle)."""
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "250")
    frame = pd.read_csv(book, dtype=str, keep_default_na=False)
    for column in ("energy__fuels_none", "energy__fuel__diesel__quantity", "energy__fuel__diesel__unit"):
        assert column in frame.columns or column == "energy__fuels_none", column
    frame["energy__fuels_none"] = ""
    frame.loc[200, ["energy__fuels_none", "energy__fuel__diesel__quantity", "energy__fuel__diesel__unit"]] = [
        "true", "10", "L"]
    frame.to_csv(book, index=False)
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.parquet"), "--model", str(DEFAULT_MODEL),
                "--workers", workers, "--chunk-rows", "100")
    assert rated.exit_code == 3 and "1 row(s) refused" in rated.output, rated.output
    out = pd.read_parquet(tmp_path / "r.parquet")
    assert len(out) == 250 and out["error"].notna().sum() == 1
    said = "energy__fuels_none: says no fuel is burned on site, but fuel quantities are given"
    assert out.loc[200, "error"] == said
    assert out["score"].notna().sum() == 249


def test_refusals_cross_process_boundaries() -> None:
    import pickle

    from rating_model.exceptions import InvalidInputError, InvalidInputErrors

    one = InvalidInputError("energy.fuels", "not a list")
    again = pickle.loads(pickle.dumps(one))
    assert type(again) is InvalidInputError and (again.field, again.message) == (one.field, one.message)
    assert str(again) == str(one)
    both = pickle.loads(pickle.dumps(InvalidInputErrors([one, InvalidInputError("x", "y")])))
    assert both.errors == {"energy.fuels": ["not a list"], "x": ["y"]}


def test_a_line_with_more_cells_than_the_header_is_refused_naming_its_row(env: dict[str, str],
                                                                           tmp_path: Path) -> None:
    """pandas named the physical line (30002) where the results number rows from 0 (30000); the message
    now gives both and why the file is refused rather than the row."""
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "250")
    lines = book.read_text(encoding="utf-8").split("\n")
    columns = lines[0].count(",") + 1
    lines[121] += ",x,y"  # data row 120
    book.write_text("\n".join(lines), encoding="utf-8")
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.csv"), "--model", str(DEFAULT_MODEL),
                "--workers", "1", "--chunk-rows", "100")
    assert rated.exit_code == 1 and not (tmp_path / "r.csv").exists()
    assert "line 122 (row 120 of the results" in rated.output
    assert f"has {columns + 2} cells where the header has {columns}" in rated.output


def test_an_extra_cell_on_the_first_data_row_is_refused_too(env: dict[str, str], tmp_path: Path) -> None:
    """pandas refuses a long line anywhere but on the first data row, where it took the extra cell to mean
    the first column is an index and read every row one column off: the book was rated, all wrong."""
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "20")
    lines = book.read_text(encoding="utf-8").split("\n")
    columns = lines[0].count(",") + 1
    lines[1] += ",x"  # data row 0
    book.write_text("\n".join(lines), encoding="utf-8")
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.csv"), "--model", str(DEFAULT_MODEL),
                "--workers", "1")
    assert rated.exit_code == 1 and not (tmp_path / "r.csv").exists()
    assert "line 2 (row 0 of the results" in rated.output
    assert f"has {columns + 1} cells where the header has {columns}" in rated.output


@pytest.mark.parametrize("name", list(UNREADABLE_COMPRESSED))
def test_a_compressed_book_that_cannot_be_read_exits_1_in_the_uploads_words(
    env: dict[str, str], tmp_path: Path, name: str
) -> None:
    """An encrypted or Deflate64 zip ended the command with zipfile's traceback (RuntimeError,
    NotImplementedError; diff review M1): refused in the words POST /v1/portfolios answers 422 with."""
    content, expected = UNREADABLE_COMPRESSED[name]
    (tmp_path / name).write_bytes(content)
    result = CliRunner().invoke(main, ["batch", "rate", str(tmp_path / name), str(tmp_path / "r.csv"),
                                       "--model", str(DEFAULT_MODEL), "--workers", "1"], env=env)
    assert result.exit_code == 1, (result.output, result.exception)
    assert f"{name}: " in result.output and expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.csv").exists()


def test_a_system_error_is_not_called_an_unreadable_book(env: dict[str, str], tmp_path: Path) -> None:
    """The upload's list of unreadable errors holds OSError (a bz2 stream that does not decompress is one):
    a target under a file (not a directory) is said as such, not as the book's fault."""
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "5")
    result = CliRunner().invoke(main, ["batch", "rate", str(book), str(book / "r.csv"),
                                       "--model", str(DEFAULT_MODEL), "--workers", "1"], env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "not a readable" not in result.output and "[Errno 17] File exists" in result.output, result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_row_of_a_year_not_yet_begun_is_its_own_error_in_the_apis_words(
    env: dict[str, str], tmp_path: Path, make_app: AppFactory, workers: str
) -> None:
    """``POST /v1/ratings`` answers 422 on a reporting year after the year of issue (UTC), but the batch
    rated a row dated 2099 (adversarial review). That row alone is refused now, its error the API's field
    and words, the rest of the book rated; exit status 3 like any refused row, in one process or two."""
    later = datetime.now(UTC).year + 2  # after the year of issue even across a New Year
    book = tmp_path / "book.csv"
    run(env, "batch", "generate-book", str(book), "--rows", "250")
    frame = pd.read_csv(book, dtype=str, keep_default_na=False)
    frame.loc[150, "company__reporting_year"] = str(later)
    frame.to_csv(book, index=False)
    rated = run(env, "batch", "rate", str(book), str(tmp_path / "r.parquet"), "--model", str(DEFAULT_MODEL),
                "--workers", workers, "--chunk-rows", "100")
    assert rated.exit_code == 3 and "1 row(s) refused" in rated.output, rated.output
    out = pd.read_parquet(tmp_path / "r.parquet")
    assert len(out) == 250 and out["error"].notna().tolist() == [i == 150 for i in range(250)]
    assert out["score"].notna().sum() == 249
    app = make_app()
    payload = next(payloads_from_frame(read_frame(book).drop(columns=["borrower_id"]).iloc[[150]]))
    refused = app.test_client().post("/v1/ratings", json=payload, headers=bearer(create_key(app)))
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["company.reporting_year"]
    [said] = refused.json["errors"]["company.reporting_year"]
    assert out.loc[150, "error"] == f"company.reporting_year: {said}"
