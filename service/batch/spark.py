"""Rating a loan book on Apache Spark: the single-machine batch function in every executor.

A book too large for one machine is rated by :func:`rating_model.batch.rate_frame` itself, called by
``mapInPandas`` on each Arrow batch of a Spark DataFrame, so a cluster's results are the same figures the
single-machine batch and ``POST /v1/ratings`` give (a test compares them row by row in Spark local mode).

What crosses the wire is data only. The driver loads the engine once to learn the result columns and the
artifact's ``sha256``; the tasks carry the model document as JSON text (or nothing, for the packaged
default) to :func:`rating_model.spark_tasks.rate_batches`, what each Python worker runs: it builds its
engine once, caches it by ``sha256`` and checks that its versions are the driver's.

The ``row`` column. Spark has no file order: partitions are scheduled in any order and file splits are
packed by size. So ``row`` is defined as follows, never by the order results happen to arrive in:

- ``row_column="..."``: the values of that integer column of the caller (an id it already has);
- :func:`with_file_positions` gives a DataFrame read from Parquet its position in the input (files in path
  order, rows in file order), which is the single-machine batch's ``row``; the command line does this;
- otherwise ``monotonically_increasing_id()``: unique and increasing within a partition, but not
  consecutive and not a file position.

pyspark is imported inside the functions, so ``service`` imports without the ``spark`` extra. This module is
the driver's (the command line, the session, reading and writing); the executors import only
:mod:`rating_model.spark_tasks` and the engine's modules, never Flask or the app factory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rating_model.batch import passthrough_columns, result_schema, unnamed_column
from rating_model.book_checks import BORROWER_ID, BORROWER_LOAN_COLUMNS, LOAN_ID
from rating_model.engine import Engine
from rating_model.exceptions import RatingModelError
from rating_model.flat import FLAT_DTYPES, csv_compression, file_kind
from rating_model.spark_tasks import rate_batches
from service.issue_year import year_of_issue

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

__all__ = ["main", "rate_dataframe", "spark_schema", "spark_types", "with_file_positions"]

# the column that carries monotonically_increasing_id() to the workers when the caller names none
_ROW_ID = "_greenrate_row_id"
# the columns that carry each row's digests through the rating to the cross-row checks: of what it says of
# its borrower (operating data and balance sheet), and of every cell
_DIGEST = "_greenrate_data_digest"
_ROW_DIGEST = "_greenrate_row_digest"

# -- on the driver ----------------------------------------------------------------------------------------

def spark_types() -> dict[str, DataType]:
    """The Spark type of each pandas dtype that :func:`rating_model.batch.result_schema` uses."""
    from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType

    return {"string": StringType(), "float64": DoubleType(), "Int64": LongType(), "int64": LongType(),
            "boolean": BooleanType()}


def spark_schema(engine: Engine, passthrough: Sequence[tuple[str, DataType]] = ()) -> StructType:
    """The Spark schema of the results: pass-through columns in their input types, then the result columns."""
    from pyspark.sql.types import StructField, StructType

    types = spark_types()
    fields = [StructField(name, kind, True) for name, kind in passthrough]
    fields += [StructField(c.name, types[c.dtype], c.name != "row") for c in result_schema(engine)]
    return StructType(fields)


def rate_dataframe(df: DataFrame, *, model_document: Mapping[str, Any] | None = None,
                   row_column: str | None = None, issue_year: int | None = None) -> DataFrame:
    """Rate every row of a Spark DataFrame of the flat loan-book format; lazy, like any transformation.

    Parameters
    ----------
    df:
        Columns of the flat format (``docs/synthetic-population.md``) plus pass-through columns without
        ``__`` in their name (``borrower_id``...), which come out first, in their Spark types.
    model_document:
        The scorecard artifact to rate with (the service's active model, for the API's results); the
        packaged default when ``None``.
    row_column:
        An integer column without empty values whose values become ``row`` (it is not passed through
        again). Without one, ``row`` is ``monotonically_increasing_id()``: unique, not a file position.
    issue_year:
        A row whose reporting year is after it is refused in its ``error``, as ``POST /v1/ratings``
        refuses it; ``None``: the year of issue now (:func:`service.issue_year.year_of_issue`), read here
        on the driver, so that no executor judges by its own clock.

    Returns
    -------
    DataFrame
        Pass-through columns, then :func:`rating_model.batch.result_schema`'s columns (see
        :func:`spark_schema`): one row per input row, in no particular order.

    Raises
    ------
    InvalidInputError
        On an unknown ``__`` column or a pass-through column named like a result column (before any job).
    ValueError
        When ``row_column`` is missing or not an integer column.
    """
    from pyspark.sql import functions as F  # Spark's own convention
    from pyspark.sql.types import IntegralType

    engine = Engine.load(model_document)
    if row_column is None:
        if _ROW_ID in df.columns:
            raise ValueError(f"{_ROW_ID}: reserved column name; pass row_column= to use it")
        df, row_column = df.withColumn(_ROW_ID, F.monotonically_increasing_id()), _ROW_ID
    elif row_column not in df.columns or not isinstance(df.schema[row_column].dataType, IntegralType):
        raise ValueError(f"{row_column}: row_column must name an integer column of the DataFrame")
    keep = passthrough_columns([c for c in df.columns if c != row_column])
    # the cross-row checks over the whole DataFrame (rating_model.book_checks): each row's operating data
    # and balance sheet, and all its cells, digested here (as JSON, so that a null in one column and a
    # value in another never digest alike), compared per borrower_id and across rows after rating; a
    # batch alone would see only part of a borrower's rows
    data = sorted(c for c in df.columns
                  if c in FLAT_DTYPES and (not c.startswith("loan__") or c in BORROWER_LOAN_COLUMNS))
    cells = sorted(c for c in df.columns if c != row_column)
    df = df.withColumn(_DIGEST, F.xxhash64(F.to_json(F.struct(*[F.col(c) for c in data]))))
    df = df.withColumn(_ROW_DIGEST, F.xxhash64(F.to_json(F.struct(*[F.col(c) for c in cells]))))
    carried = [*keep, _DIGEST, _ROW_DIGEST]
    schema = spark_schema(engine, [(name, df.schema[name].dataType) for name in carried])
    body = partial(rate_batches, model_json=None if model_document is None else json.dumps(model_document),
                   sha256=engine.artifact.sha256, versions=engine.versions, row_column=row_column,
                   issue_year=year_of_issue() if issue_year is None else issue_year)
    return _cross_row_flags(df.mapInPandas(body, schema), keep)


def _cross_row_flags(results: DataFrame, columns: Sequence[str]) -> DataFrame:
    """``borrower_data_conflict``, ``duplicate_loan_id`` (empty without an id), ``duplicate_row`` and
    ``duplicate_of_row`` over the whole book, as :class:`rating_model.book_checks.BookChecks` sets them,
    and the digests dropped."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def present(name: str) -> Column:
        return F.trim(F.col(name).cast("string"))

    if BORROWER_ID in columns:
        borrower = present(BORROWER_ID)
        digests = F.size(F.collect_set(_DIGEST).over(Window.partitionBy(borrower))) > 1
        results = results.withColumn(
            "borrower_data_conflict", F.when(borrower.isNull() | (borrower == ""), None).otherwise(digests))
    row, copies = F.col("row"), Window.partitionBy(_ROW_DIGEST)
    first_copy = F.min(row).over(copies)
    # nullable, as the result schema declares it (a comparison of a count alone is never null)
    results = results.withColumn("duplicate_row", F.when(row.isNotNull(), F.count(F.lit(1)).over(copies) > 1))
    of_row = F.when(row != first_copy, first_copy)
    if LOAN_ID in columns:
        loan = present(LOAN_ID)
        same_loan = Window.partitionBy(loan)
        no_loan = loan.isNull() | (loan == "")
        twice = F.count(F.lit(1)).over(same_loan) > 1
        results = results.withColumn("duplicate_loan_id", F.when(no_loan, None).otherwise(twice))
        first_loan = F.min(row).over(same_loan)
        # the same loan on a later row: its first row, whatever the rest of the row says
        of_row = F.when(~no_loan & (row != first_loan), first_loan).otherwise(of_row)
    return results.withColumn("duplicate_of_row", of_row).drop(_DIGEST, _ROW_DIGEST)


def with_file_positions(df: DataFrame, column: str = "position") -> DataFrame:
    """``df`` with ``column``: each row's 0-based position in its Parquet input, files taken in path order.

    That is the position the single-machine batch numbers ``row`` by (for one file, simply the row's
    index in it). ``df`` must be read straight from Parquet files (``spark.read.parquet``), whose hidden
    ``_metadata`` column gives each row's file and index in it; for several files, one small job counts
    the rows of each.
    """
    from pyspark.sql import functions as F

    if len(df.inputFiles()) <= 1:  # one file: its row index is the position, no job needed
        return df.withColumn(column, F.col("_metadata.row_index"))
    located = df.select("*", F.col("_metadata.file_path").alias("_greenrate_file"),
                        F.col("_metadata.row_index").alias("_greenrate_index"))
    counts = sorted((r["_greenrate_file"], r["count"])
                    for r in located.groupBy("_greenrate_file").count().collect())
    offsets, total = [], 0
    for path, n in counts:
        offsets.append((path, total))
        total += n
    table = df.sparkSession.createDataFrame(offsets, "_greenrate_file string, _greenrate_offset bigint")
    return (located.join(F.broadcast(table), "_greenrate_file")
            .withColumn(column, F.col("_greenrate_offset") + F.col("_greenrate_index"))
            .drop("_greenrate_file", "_greenrate_index", "_greenrate_offset"))


def _read(spark: SparkSession, path: str) -> tuple[DataFrame, bool]:
    """The input and whether it is Parquet: a ``.csv`` file (all text, as written; ``.csv.gz`` and
    ``.csv.bz2`` too) or a Parquet file or folder.

    CSV columns are read as text, never inferred: an id like ``00123`` keeps its zeros and each flat cell
    is converted by its documented type; a malformed line stops the job (``FAILFAST``) rather than
    becoming a row of empty cells. A blank header cell, which Spark names ``_c`` and its index, is refused
    (:func:`rating_model.batch.unnamed_column`), as the single-machine batch refuses it.
    """
    try:
        kind = file_kind(Path(path))
    except ValueError:  # no known extension: a folder of Parquet files, as Spark writes them
        kind = "parquet"
    if kind == "csv":
        compression = csv_compression(Path(path))
        if compression in ("zip", "xz"):  # Hadoop's codecs read .gz and .bz2, not these
            raise ValueError(f"{path}: Spark cannot read {compression}-compressed CSV; use .csv, .csv.gz, "
                             ".csv.bz2 or Parquet")
        # RFC 4180 as pandas and Excel write it, as the other paths read it: quotes doubled inside quoted
        # fields, line breaks inside them (Spark's default escape is a backslash, and it split records at
        # every newline: such a file stopped here as malformed). A multi-line CSV is not split across tasks.
        reader = spark.read.options(header=True, inferSchema=False, mode="FAILFAST", escape='"',
                                    multiLine=True)
        df = reader.csv(path)
        for index, name in enumerate(df.columns):
            if name == f"_c{index}":  # Spark's name for a blank header cell: refused as the other paths do
                raise unnamed_column(index + 1)
        return df, False
    return spark.read.parquet(path), True


def _integer_column(df: DataFrame, column: str) -> DataFrame:
    """``df`` with the text column ``column`` (of a CSV) as ``bigint``, for ``--row-column``.

    A CSV is read as text, so the column is converted here; a value that is not a whole number (or an
    empty cell) stops the command before any rating, naming the first such value (one scan of the file).
    """
    from pyspark.sql import functions as F

    if column not in df.columns:
        raise ValueError(f"{column}: --row-column names no column of the input")
    text = F.trim(F.col(column))
    number = text.try_cast("long")
    bad = df.filter(number.isNull() | ~text.rlike(r"^[+-]?[0-9]+$")).select(column).limit(1).collect()
    if bad:
        value = bad[0][0]
        found = "an empty cell" if value is None or not value.strip() else repr(value)
        raise ValueError(f"{column}: --row-column needs a whole number in every row; found {found}")
    return df.withColumn(column, number)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m service.batch.spark INPUT OUTPUT``: rate a loan book with Spark into a Parquet folder.

    A mistake in what the command was given (an OUTPUT that exists, a missing input or model file, a
    refused model or column, a row column that is not an integer, a malformed CSV line) is reported in
    one line on stderr with exit status 1, not as a traceback; Spark's own log lines are Spark's.
    """
    parser = argparse.ArgumentParser(
        prog="python -m service.batch.spark",
        description="Rate a loan book (flat format, CSV or Parquet) on Spark; results as Parquet.",
        epilog="Run it with spark-submit for a cluster (docs/batch-and-spark.md); plain python runs Spark "
               "in local mode on this machine's cores.",
    )
    parser.add_argument("input", help="a .csv or .parquet file, or a folder of Parquet files")
    parser.add_argument("output", help="the Parquet folder to write (Spark writes one part file per task)")
    parser.add_argument("--model", type=Path, help="a scorecard artifact (JSON); default: the packaged one")
    parser.add_argument("--row-column", help="an integer column to use as `row` (default: the row's "
                        "position for Parquet input, a unique id for CSV)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    args = parser.parse_args(argv)
    try:
        _run(args)
    except _Refused as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    return 0


class _Refused(Exception):
    """What :func:`main` reports in one line: the command cannot do what it was asked."""


def _run(args: argparse.Namespace) -> None:
    """Rate ``args.input`` into ``args.output``; raises :class:`_Refused` for a mistake in the arguments."""
    try:
        model = None if args.model is None else json.loads(args.model.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _Refused(f"--model {args.model}: {exc}") from None

    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Not under spark-submit: pyspark starts a local JVM whose Python workers must be this interpreter
        # (its virtualenv has greenrate), not whatever `python3` is first on PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    owned = SparkSession.getActiveSession() is None  # a session someone else started is theirs to stop
    spark = SparkSession.builder.appName("greenrate batch").getOrCreate()
    try:
        df, is_parquet = _read(spark, args.input)
        row_column = args.row_column
        if row_column is None and is_parquet:
            df, row_column = with_file_positions(df, _ROW_ID), _ROW_ID
        elif row_column is not None and not is_parquet:
            df = _integer_column(df, row_column)
        result = rate_dataframe(df, model_document=model, row_column=row_column)
        result.write.mode("overwrite" if args.overwrite else "errorifexists").parquet(args.output)
    except (RatingModelError, ValueError, PySparkException, Py4JJavaError) as exc:
        # said while the session still runs: a Java error's causes are read from the JVM
        raise _Refused(_one_line(exc)) from None
    finally:
        if owned:
            spark.stop()


#: the last line of a Python traceback: the error and its message (``ValueError: row: ...``)
_PYTHON_ERROR = re.compile(r"^(\w+\.)*\w*(Error|Exception): ")


def _one_line(exc: Exception) -> str:
    """The line that says what went wrong, without Spark's stack traces.

    A Java error (an aborted job) is told by its root cause, such as ``[MALFORMED_CSV_RECORD] ...``; a
    Python error in an executor comes back with the executor's traceback, whose last line is the error
    (``ValueError: loan_no: the row column has empty values``); Spark's own errors lead with their
    condition (``[PATH_ALREADY_EXISTS] Path ... already exists``).
    """
    from py4j.protocol import Py4JJavaError

    text = str(exc)
    if isinstance(exc, Py4JJavaError):
        cause = exc.java_exception
        while cause.getCause() is not None:
            cause = cause.getCause()
        text = str(cause.getMessage() or cause.toString())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "Traceback (most recent call last)" in text:
        errors = [line for line in lines if _PYTHON_ERROR.match(line)]
        if errors:
            return errors[-1]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    raise SystemExit(main())
