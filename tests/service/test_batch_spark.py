"""The Spark path (service.batch.spark) in local mode gives the single-machine batch's results, row by row.

One local session serves the module (a JVM start costs seconds). The book is a generated loan book with a
few bad rows and pass-through columns; the reference is :func:`rating_model.batch.rate_frame` on the same
frame in this process. Needs Java (``make test`` installs a headless JRE with apt-get).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rating_model.batch import rate_frame, result_schema
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.loan_book import iter_loan_book
from rating_model.spark_tasks import worker_engine
from service.batch.files import check_book
from service.batch.pool import rate_file
from service.batch.spark import main, rate_dataframe, spark_schema, with_file_positions

pytestmark = [
    pytest.mark.slow,
    # pyspark warns that it "does not yet fully support pandas >= 3.0.0": the row-by-row equality below is
    # the check that warning asks for, so it is not an error here.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

ROWS = 3_000
# (row, column, value): refused rows whose error must travel through Spark unchanged
BAD_CELLS = (
    (7, "energy__electricity_kwh", -120.0),
    (11, "energy__fuels_none", None),  # a business answering "none" to fuels, so that the unit is the error
    (11, "energy__fuel__natural_gas__quantity", 50.0),
    (11, "energy__fuel__natural_gas__unit", "barrel"),
    (29, "company__employees", -3),
    (2_999, "resources__water_m3", -1.0),
)


def _java_missing() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is None and not (home and Path(home, "bin", "java").exists())


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A small local Spark session (2 cores, no UI, few shuffle partitions) whose workers run this Python."""
    if _java_missing():
        pytest.skip("Java is not installed (no `java` on PATH, no JAVA_HOME): Spark needs a JRE; "
                    "`make test` installs one (default-jre-headless)")
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYSPARK_PYTHON", sys.executable)  # read once, when the context starts
        session = (
            SparkSession.builder.master("local[2]")
            .appName("greenrate-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            # a JVM that lives a minute: the quick JIT only, and one GC thread; the optimising JIT's and the
            # parallel collector's threads had cost about 30 s of CPU (a third of the file's) that the other
            # test worker on `make test`'s 2 cores waits for
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            # small Arrow batches: several per partition, so each worker reuses its cached engine
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "400")
            .config("spark.sql.files.maxPartitionBytes", "256k")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # py4j logs "Closing down clientserver connection" at interpreter exit, after pytest has closed the
    # streams its handlers write to ("--- Logging error ---" on stderr); it has nothing more to say.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    """A generated loan book with bad rows and pass-through columns (text id, nullable integer)."""
    frame = next(iter_loan_book(ROWS, seed=31, chunk_rows=10_000))
    for row, column, value in BAD_CELLS:
        frame.loc[row, column] = value
    frame.insert(1, "branch", pd.array([None if i % 7 == 0 else i % 13 for i in range(ROWS)], dtype="Int64"))
    return frame


@pytest.fixture(scope="module")
def expected(book: pd.DataFrame) -> pd.DataFrame:
    """The single-machine batch's results for the book."""
    return rate_frame(book, Engine.load())


@pytest.fixture(scope="module")
def parquet_book(book: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spark") / "book.parquet"
    book.to_parquet(path, index=False, engine="pyarrow", row_group_size=500)
    return path


def _cells(series: pd.Series) -> list[Any]:
    """Python values with every kind of missing (NA, NaN, None) as ``None``, for exact comparison."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v
            for v in series.astype(object).tolist()]


def _assert_same(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    for name in columns:
        assert _cells(actual[name]) == _cells(expected[name]), name


def test_expected_has_the_bad_rows(expected: pd.DataFrame) -> None:
    errors = expected["error"]
    assert sorted(errors[errors.notna()].index) == sorted({row for row, _, _ in BAD_CELLS})
    assert expected.loc[11, "error"].startswith("energy.fuels")
    assert expected["score"].notna().sum() == ROWS - 4


def test_file_positions_give_the_single_machine_rows(spark: Any, parquet_book: Path,
                                                     expected: pd.DataFrame) -> None:
    df = with_file_positions(spark.read.parquet(str(parquet_book)), "position")
    assert df.rdd.getNumPartitions() > 1  # several tasks, several Arrow batches each
    result = rate_dataframe(df, row_column="position")
    assert result.schema == spark_schema(Engine.load(), [("borrower_id", df.schema["borrower_id"].dataType),
                                                         ("branch", df.schema["branch"].dataType)])
    actual = result.toArrow().to_pandas().sort_values("row").reset_index(drop=True)
    assert list(actual.columns) == list(expected.columns)
    assert actual["row"].tolist() == list(range(ROWS))
    _assert_same(actual, expected, list(expected.columns))


def test_command_line_parquet_in_parquet_out(spark: Any, parquet_book: Path, expected: pd.DataFrame,
                                             tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    assert main([str(parquet_book), str(out)]) == 0
    assert not spark.sparkContext._jsc.sc().isStopped()  # the CLI leaves a session it did not start
    actual = pd.read_parquet(out).sort_values("row").reset_index(drop=True)
    assert actual["row"].tolist() == list(range(ROWS))
    _assert_same(actual, expected, list(expected.columns))
    capsys.readouterr()
    assert main([str(parquet_book), str(out)]) == 1  # OUTPUT exists: one line, no traceback
    said = capsys.readouterr().err
    assert said.startswith("python -m service.batch.spark: error: [PATH_ALREADY_EXISTS]")
    assert "already exists" in said and len(said.splitlines()) == 1


def test_command_line_csv_with_a_row_column(spark: Any, book: pd.DataFrame, expected: pd.DataFrame,
                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV is read as text, so --row-column converts the column and refuses a value that is no integer."""
    path, out = tmp_path / "book.csv", tmp_path / "results"
    numbered = book.copy()
    numbered.insert(0, "loan_no", [f" {70_000 + i}" if i % 9 == 0 else str(70_000 + i) for i in range(ROWS)])
    numbered.to_csv(path, index=False, lineterminator="\n")
    assert main([str(path), str(out), "--row-column", "loan_no"]) == 0
    actual = pd.read_parquet(out).sort_values("row").reset_index(drop=True)
    assert actual["row"].tolist() == list(range(70_000, 70_000 + ROWS)) and "loan_no" not in actual
    _assert_same(actual, expected, [c for c in expected.columns if c not in ("row", "branch")])  # text
    capsys.readouterr()
    for bad, found in (("12.5", "'12.5'"), ("", "an empty cell"), ("L-7", "'L-7'")):
        numbered.loc[5, "loan_no"] = bad
        numbered.to_csv(path, index=False, lineterminator="\n")
        assert main([str(path), str(tmp_path / "refused"), "--row-column", "loan_no"]) == 1
        said = capsys.readouterr().err
        assert said == ("python -m service.batch.spark: error: loan_no: --row-column needs a whole number in "
                        f"every row; found {found}\n")
    assert not (tmp_path / "refused").exists()
    assert main([str(path), str(tmp_path / "refused"), "--row-column", "loan"]) == 1
    assert "loan: --row-column names no column of the input" in capsys.readouterr().err


def test_command_line_mistakes_are_one_line(spark: Any, parquet_book: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    malformed = tmp_path / "malformed.csv"
    malformed.write_text("borrower_id,company__name\n\"unterminated,x\n", encoding="utf-8")
    bad_model = tmp_path / "model.json"
    bad_model.write_text("{}", encoding="utf-8")
    cases = [
        ([str(tmp_path / "missing.parquet"), str(tmp_path / "o1")], "[PATH_NOT_FOUND]"),
        ([str(malformed), str(tmp_path / "o2")], "[MALFORMED_CSV_RECORD]"),
        ([str(parquet_book), str(tmp_path / "o3"), "--model", str(tmp_path / "none.json")], "none.json"),
        ([str(parquet_book), str(tmp_path / "o4"), "--model", str(bad_model)], "not a scorecard artifact"),
        ([str(parquet_book), str(tmp_path / "o5"), "--row-column", "borrower_id"], "integer column"),
        ([str(tmp_path / "book.csv.zip"), str(tmp_path / "o6")], "Spark cannot read zip-compressed CSV"),
    ]
    for argv, expected_text in cases:
        capsys.readouterr()
        assert main(argv) == 1, argv
        said = capsys.readouterr().err
        assert said.startswith("python -m service.batch.spark: error: ") and len(said.splitlines()) == 1, said
        assert expected_text in said and "Traceback" not in said, said


def test_parquet_cells_of_other_types_get_the_batchs_errors(spark: Any, book: pd.DataFrame,
                                                           tmp_path: Path) -> None:
    """Cells that are not of their column's type: Spark and the single-machine batch refuse the same rows
    with the same errors (an int64 flag with a 2, an int64 industry code, booleans for a number...)."""
    n = 600
    table = pa.Table.from_pandas(book.iloc[:n], preserve_index=False).replace_schema_metadata(None)
    odd = {
        "practices__e_invoicing": pa.array([[0, 1, 2, None][i % 4] for i in range(n)], pa.int64()),
        "company__external_id": pa.array([47 if i % 5 == 0 else None for i in range(n)], pa.int64()),
        "company__employees": pa.array([3.5 if i % 7 == 0 else 4.0 for i in range(n)]),
        "practices__green_products_share": pa.array([True if i % 11 == 0 else None for i in range(n)]),
    }
    for name, column in odd.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    codes = pa.array([int(c) for c in book["company__industry_code"].iloc[:n]], pa.int64())
    whole_column = table.set_column(table.schema.get_field_index("company__industry_code"),
                                    "company__industry_code", codes)
    for name, variant in (("mixed", table), ("industry", whole_column)):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(variant, path, row_group_size=150)
        rate_file(path, tmp_path / f"{name}-batch.parquet", workers=1, chunk_rows=200)
        batch = pd.read_parquet(tmp_path / f"{name}-batch.parquet")
        df = with_file_positions(spark.read.parquet(str(path)), "position")
        actual = rate_dataframe(df, row_column="position").toArrow().to_pandas()
        actual = actual.sort_values("row").reset_index(drop=True)
        _assert_same(actual, batch, list(batch.columns))
        errors = batch["error"]
        if name == "mixed":
            assert errors.loc[2] == "practices.e_invoicing: must be true or false"
            assert errors.loc[0].startswith("company.employees: must be a whole number; company.external_id")
            assert errors.loc[33] == "practices.green_products_share: must be a number"
            assert errors.loc[1] is None or pd.isna(errors.loc[1])  # 1: a flag's yes, as in a CSV
        else:
            assert errors.str.startswith("company.industry_code: must be a string").all()


def test_file_positions_span_a_folder_of_files_in_path_order(spark: Any, book: pd.DataFrame,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    for k, start in enumerate((0, 1_000, 1_700)):  # files of unequal size: Spark packs splits by size
        stop = {0: 1_000, 1_000: 1_700, 1_700: ROWS}[start]
        book.iloc[start:stop][["borrower_id"]].to_parquet(folder / f"part-{k}.parquet", index=False)
    positions = with_file_positions(spark.read.parquet(str(folder)), "position").toArrow().to_pandas()
    assert positions.sort_values("position")["borrower_id"].tolist() == book["borrower_id"].tolist()


def test_csv_text_without_row_column(spark: Any, book: pd.DataFrame, expected: pd.DataFrame,
                                     tmp_path: Path) -> None:
    """CSV read as text (no schema inference): cells are converted by the flat format, as in one machine."""
    path = tmp_path / "book.csv"
    book.to_csv(path, index=False, lineterminator="\n")
    df = spark.read.options(header=True, inferSchema=False).csv(str(path))
    actual = rate_dataframe(df).toArrow().to_pandas()
    assert actual["row"].is_unique and actual["row"].notna().all()  # monotonically_increasing_id
    actual = actual.set_index("borrower_id").loc[expected["borrower_id"].tolist()].reset_index()
    assert _cells(actual["branch"]) == [None if pd.isna(v) else str(v) for v in book["branch"]]
    _assert_same(actual, expected, [c.name for c in result_schema(Engine.load()) if c.name != "row"])


def test_bad_columns_are_refused_before_any_job(spark: Any) -> None:
    df = spark.createDataFrame(pd.DataFrame({"borrower_id": ["a"], "energy__electricty_kwh": [1.0]}))
    with pytest.raises(InvalidInputError, match="energy__electricty_kwh"):
        rate_dataframe(df)
    with pytest.raises(ValueError, match="integer column"):
        rate_dataframe(df, row_column="borrower_id")


def test_a_csv_column_without_a_name_is_refused_as_on_one_machine(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spark names a blank header cell ``_c`` and its index, and carried the column through under that
    name; the single-machine batch refuses it (rating_model.batch.unnamed_column), and so does Spark now,
    in the same words."""
    frame = next(iter_loan_book(3, seed=2, chunk_rows=10_000))
    source = tmp_path / "book.csv"
    frame.assign(**{"": "x"}).to_csv(source, index=False, lineterminator="\n")
    with pytest.raises(InvalidInputError) as single:
        check_book(source)
    capsys.readouterr()
    assert main([str(source), str(tmp_path / "out")]) == 1
    said = capsys.readouterr().err
    assert said.strip() == f"python -m service.batch.spark: error: {single.value}"
    assert f"cell {len(frame.columns) + 1} of the header" in said and not (tmp_path / "out").exists()


def test_a_worker_refuses_an_engine_other_than_the_drivers() -> None:
    engine = Engine.load()
    with pytest.raises(RuntimeError, match="install the same greenrate"):
        worker_engine(None, "0" * 64, engine.versions)
    with pytest.raises(RuntimeError, match="install the same greenrate"):
        worker_engine(None, engine.artifact.sha256, {**engine.versions, "standard": "other"})


def test_the_spark_module_imports_without_pyspark() -> None:
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "import service.batch.spark, rating_model.spark_tasks\n"
            "print(service.batch.spark.rate_dataframe.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rate_dataframe"


def test_command_line_csv_with_quotes_and_line_breaks_in_cells(
    spark: Any, book: pd.DataFrame, expected: pd.DataFrame, tmp_path: Path
) -> None:
    """RFC 4180 as pandas and Excel write it: Spark stopped such a file as malformed (its default escape is a
    backslash and it split records at every line break), where the CLI and the portfolio upload rate it."""
    path, out = tmp_path / "quoted.csv", tmp_path / "results"
    quoted = book.copy()
    quoted.loc[3, "company__name"] = 'The "Lotus" Tea House'
    quoted.loc[4, "company__name"] = "Line one\nline two"
    quoted.loc[5, "company__name"] = '=HYPERLINK("http://x/?a=""b""","click")'
    quoted.to_csv(path, index=False, lineterminator="\n")
    assert '""Lotus""' in path.read_text(encoding="utf-8")
    assert main([str(path), str(out)]) == 0
    actual = pd.read_parquet(out)
    actual = actual.set_index("borrower_id").loc[expected["borrower_id"].tolist()].reset_index()
    assert len(actual) == len(expected)
    _assert_same(actual, expected, [c for c in expected.columns if c not in ("row", "branch")])


def test_cross_row_flags_are_set_over_the_whole_dataframe(spark: Any, book: pd.DataFrame,
                                                          tmp_path: Path) -> None:
    """A borrower listed twice with different data, and a loan id given twice, in different Arrow batches
    and tasks: flagged as the single-machine batch flags them over the whole book (a portfolio review)."""
    small = book.iloc[:40].reset_index(drop=True)
    twin = small.iloc[[0]].assign(company__employees=small.loc[0, "company__employees"] + 1)
    both = pd.concat([small, twin], ignore_index=True)
    both.insert(1, "loan_id", pd.array([f"L{i}" for i in range(40)] + ["L7"], dtype="string"))
    both.to_parquet(tmp_path / "twice.parquet", index=False, engine="pyarrow", row_group_size=10)
    expected = rate_frame(both, Engine.load())
    assert expected["borrower_data_conflict"].tolist() == [i in (0, 40) for i in range(41)]
    df = with_file_positions(spark.read.parquet(str(tmp_path / "twice.parquet")), "position")
    actual = rate_dataframe(df, row_column="position").toArrow().to_pandas()
    actual = actual.sort_values("row").reset_index(drop=True)
    _assert_same(actual, expected, ["borrower_data_conflict", "duplicate_loan_id", "duplicate_of_row"])
    assert actual["duplicate_loan_id"].tolist() == [i in (7, 40) for i in range(41)]
    assert _cells(actual["duplicate_of_row"]) == [7 if i == 40 else None for i in range(41)]
    assert "_greenrate_data_digest" not in actual.columns


def test_repeated_rows_and_balance_sheets_are_found_over_the_whole_dataframe(
        spark: Any, book: pd.DataFrame, tmp_path: Path) -> None:
    """A PCAF audit: a row given twice without a loan_id, and one borrower with two balance sheets, in
    different batches and tasks, flagged as the single-machine batch flags them."""
    small = book.iloc[:40].reset_index(drop=True)
    sheet = small.index[small["loan__borrower_equity_plus_debt"].notna()][0]
    other = small.iloc[[sheet]].assign(
        loan__borrower_equity_plus_debt=small.loc[sheet, "loan__borrower_equity_plus_debt"] * 2)
    both = pd.concat([small, small.iloc[[3]], other], ignore_index=True)
    both.to_parquet(tmp_path / "again.parquet", index=False, engine="pyarrow", row_group_size=10)
    expected = rate_frame(both, Engine.load())
    assert expected["duplicate_row"].tolist() == [i in (3, 40) for i in range(42)]
    assert _cells(expected["duplicate_of_row"]) == [3 if i == 40 else None for i in range(42)]
    assert expected["borrower_data_conflict"].tolist() == [i in (sheet, 41) for i in range(42)]
    df = with_file_positions(spark.read.parquet(str(tmp_path / "again.parquet")), "position")
    actual = rate_dataframe(df, row_column="position").toArrow().to_pandas()
    actual = actual.sort_values("row").reset_index(drop=True)
    _assert_same(actual, expected, ["borrower_data_conflict", "duplicate_row", "duplicate_of_row"])
    assert "_greenrate_row_digest" not in actual.columns


def test_a_row_of_a_year_not_yet_begun_is_refused_as_on_one_machine(spark: Any, book: pd.DataFrame,
                                                                    tmp_path: Path) -> None:
    """A row dated 2099 was rated on Spark too, where ``POST /v1/ratings`` answers 422 (adversarial review):
    refused in its ``error`` as the single-machine batch refuses it, by the driver's year of issue, the
    other rows rated."""
    year = datetime.now(UTC).year
    path = tmp_path / "later.parquet"
    later = book.iloc[:300].copy()
    later.loc[40, "company__reporting_year"] = year + 2
    later.to_parquet(path, index=False, engine="pyarrow", row_group_size=100)
    rate_file(path, tmp_path / "later-batch.parquet", workers=1, chunk_rows=200, issue_year=year)
    batch = pd.read_parquet(tmp_path / "later-batch.parquet")
    df = with_file_positions(spark.read.parquet(str(path)), "position")
    actual = rate_dataframe(df, row_column="position", issue_year=year).toArrow().to_pandas()
    actual = actual.sort_values("row").reset_index(drop=True)
    _assert_same(actual, batch, list(batch.columns))
    assert actual.loc[40, "error"].startswith(f"company.reporting_year: must not be after {year}, the year")
    assert actual["error"].notna().sum() == 1 + sum(row < 300 for row in {r for r, _, _ in BAD_CELLS})
    by_clock = rate_dataframe(df, row_column="position").toArrow().to_pandas()  # the year of issue now
    assert by_clock.set_index("row").loc[40, "error"] == actual.loc[40, "error"]


def test_refrigerant_columns_travel_through_spark_as_the_single_machine_reads_them(spark: Any,
                                                                                    tmp_path: Path) -> None:
    """The refrigerant columns (schema 1.13) are named after the gas as the API spells it, with its hyphen
    (``refrigerants__R-404A__recharged_kg``): Spark reads, digests and hands them to the engine as pandas
    does, a recharge in Scope 1 and none recharged an answer."""
    frame = next(iter_loan_book(6, seed=5, chunk_rows=10_000))
    frame["refrigerants__R-404A__recharged_kg"] = [10.0, None, 2.5, None, None, 0.0]
    frame["refrigerants__R-410A__recharged_kg"] = [3.0, None, None, None, 1.0, None]
    frame["refrigerants_none"] = pd.array([None, True, None, None, None, None], dtype="boolean")
    path = tmp_path / "cold-rooms.parquet"
    frame.to_parquet(path, index=False, engine="pyarrow")
    expected = rate_frame(frame, Engine.load())
    assert expected["error"].isna().all()
    df = with_file_positions(spark.read.parquet(str(path)), "position")
    actual = rate_dataframe(df, row_column="position").toArrow().to_pandas()
    actual = actual.sort_values("row").reset_index(drop=True)
    _assert_same(actual, expected, list(expected.columns))
    plain = rate_frame(frame.drop(columns=[c for c in frame.columns if c.startswith("refrigerants")]),
                       Engine.load())
    assert actual.loc[0, "scope1_tco2e"] == pytest.approx(plain.loc[0, "scope1_tco2e"] + 45.1985, abs=1e-3)
