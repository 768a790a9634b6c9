"""Result files: pass-through columns keep the book's Arrow types; a compressed name gets a compressed CSV."""

from __future__ import annotations

import bz2
import datetime
import decimal
import gzip
import lzma
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rating_model.loan_book import iter_loan_book
from service.batch.pool import rate_file
from service.batch.writer import ResultWriter

ROWS = 250


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Parquet book with pass-through columns whose cells alone would be typed differently per chunk."""
    frame = next(iter_loan_book(ROWS, seed=7, chunk_rows=10_000))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    extra = {
        # 1.50 fits decimal128(3, 2); 123456.75 does not
        "fee": pa.array([decimal.Decimal("1.50") if i < 150 else decimal.Decimal("123456.75")
                         for i in range(ROWS)], pa.decimal128(12, 2)),
        # empty in the whole first chunk: typed null there, if typed by its cells
        "signed": pa.array([None if i < 120 else datetime.date(2024, 1, 1 + i % 28) for i in range(ROWS)],
                           pa.date32()),
        "branch": pa.array([None if i < 120 else i % 7 for i in range(ROWS)], pa.int16()),
        "opened": pa.array([None if i < 120 else datetime.datetime(2024, 5, 1, 8) for i in range(ROWS)],
                           pa.timestamp("us", tz="Asia/Shanghai")),
        "note": pa.array(["a"] * ROWS, pa.string_view()),
    }
    for name, column in extra.items():
        table = table.append_column(name, column)
    path = tmp_path_factory.mktemp("book") / "book.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_pass_through_columns_keep_the_books_types(book: Path, tmp_path: Path, workers: int) -> None:
    report = rate_file(book, tmp_path / "rated.parquet", chunk_rows=100, workers=workers)
    assert report.rows == ROWS and report.errors == 0
    source, rated = pq.read_table(book), pq.read_table(tmp_path / "rated.parquet")
    for name in ("borrower_id", "fee", "signed", "branch", "opened", "note"):
        assert rated.schema.field(name).type == source.schema.field(name).type, name
        assert rated.column(name).equals(source.column(name)), name


def test_pass_through_columns_of_every_type_reach_a_csv(book: Path, tmp_path: Path) -> None:
    rate_file(book, tmp_path / "rated.csv", chunk_rows=100, workers=1)
    out = pd.read_csv(tmp_path / "rated.csv", dtype=str, keep_default_na=False)
    assert out.loc[[0, 149, 150, 249], "fee"].tolist() == ["1.50", "1.50", "123456.75", "123456.75"]
    assert out.loc[0, "signed"] == "" and out.loc[249, "signed"] == "2024-01-26"
    assert out["note"].eq("a").all()


@pytest.mark.parametrize(("suffix", "opener"), [
    (".csv.gz", gzip.open), (".csv.bz2", bz2.open), (".csv.xz", lzma.open), (".CSV.GZ", gzip.open),
])
def test_a_compressed_name_gets_a_compressed_csv(tmp_path: Path, suffix: str, opener: object) -> None:
    frame = pd.DataFrame({"borrower_id": ["a", "=b"], "score": [1.5, None]})
    path = tmp_path / f"out{suffix}"
    with ResultWriter(path) as writer:
        writer.write(frame)
        assert not path.exists()  # the file appears only when complete
    with opener(path, "rt", encoding="utf-8") as text:  # type: ignore[operator]
        assert text.read() == "\"borrower_id\",\"score\"\n\"a\",1.5\n\"'=b\",\n"
    assert pd.read_csv(path)["borrower_id"].tolist() == ["a", "'=b"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_zip_name_gets_one_member_named_like_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rated.csv.zip"
    with ResultWriter(path) as writer:
        writer.write(pd.DataFrame({"row": [0, 1]}))
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["rated.csv"]
        assert archive.read("rated.csv") == b"\"row\"\n0\n1\n"
    assert pd.read_csv(path)["row"].tolist() == [0, 1]


def test_compressed_output_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    written = []
    for name in ("a", "b"):
        path = tmp_path / name / "rated.csv.gz"
        with ResultWriter(path) as writer:
            writer.write(pd.DataFrame({"row": [0, 1]}))
        written.append(path.read_bytes())
    assert written[0] == written[1]


def test_no_chunk_and_a_failed_write_in_a_compressed_name(tmp_path: Path) -> None:
    with ResultWriter(tmp_path / "empty.csv.gz"):
        pass
    empty = (tmp_path / "empty.csv.gz").read_bytes()
    assert empty.startswith(b"\x1f\x8b") and gzip.decompress(empty) == b""
    with pytest.raises(RuntimeError, match="stopped"), ResultWriter(tmp_path / "broken.csv.xz") as writer:
        writer.write(pd.DataFrame({"row": [0]}))
        raise RuntimeError("stopped")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv.gz"]
