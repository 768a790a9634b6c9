"""The Spark path (rating_model.spark) in local mode gives the single-machine batch's results, row by row.

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
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rating_model.batch import rate_frame, result_schema
from rating_model.engine import Engine
from rating_model.exceptions import InvalidInputError
from rating_model.loan_book import iter_loan_book
from rating_model.spark import _worker_engine, main, rate_dataframe, spark_schema, with_file_positions

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
                                             tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert main([str(parquet_book), str(out)]) == 0
    assert not spark.sparkContext._jsc.sc().isStopped()  # the CLI leaves a session it did not start
    actual = pd.read_parquet(out).sort_values("row").reset_index(drop=True)
    assert actual["row"].tolist() == list(range(ROWS))
    _assert_same(actual, expected, list(expected.columns))
    with pytest.raises(Exception, match="already exists"):
        main([str(parquet_book), str(out)])


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


def test_a_worker_refuses_an_engine_other_than_the_drivers() -> None:
    engine = Engine.load()
    with pytest.raises(RuntimeError, match="install the same greenrate"):
        _worker_engine(None, "0" * 64, engine.versions)
    with pytest.raises(RuntimeError, match="install the same greenrate"):
        _worker_engine(None, engine.artifact.sha256, {**engine.versions, "standard": "other"})


def test_rating_model_imports_without_pyspark() -> None:
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "import rating_model.spark, rating_model.batch\n"
            "print(rating_model.spark.rate_dataframe.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rate_dataframe"
