"""Loan-book files through the batch rater: checked, read in chunks, rated on every core, written as named.

The rating of each row itself (equal to the engine's own, bad rows kept with their reason):
tests/rating_model/test_batch.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from rating_model.batch import rate_frame
from rating_model.exceptions import InvalidInputError
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from service.batch import files as batch_files
from service.batch.files import BookTooWide, BookUnreadable, check_book, read_chunks, scan_file
from service.batch.flat_files import write_frame
from service.batch.pool import rate_chunks, rate_file
from service.batch.results import read_results
from service.batch.writer import ResultWriter, csv_safe, write_loan_book
from service.portfolios.storage import UploadRefused, inspect_upload
from tests.conftest import session_engine
from tests.service.hostile_books import UNREADABLE_COMPRESSED


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return next(iter_loan_book(400, seed=11, chunk_rows=10_000))


def test_chunking_and_workers_do_not_change_the_result(tmp_path: Path) -> None:
    source = tmp_path / "book.parquet"
    write_loan_book(source, 300, seed=5)
    whole = rate_frame(pd.read_parquet(source), session_engine())
    one = pd.concat(rate_chunks(read_chunks(source, 70), workers=1), ignore_index=True)
    two = pd.concat(rate_chunks(read_chunks(source, 70), workers=2), ignore_index=True)
    pd.testing.assert_frame_equal(one, whole.astype(one.dtypes.to_dict()))
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.parametrize(("source_name", "target_name"), [("b.csv", "r.parquet"), ("b.parquet", "r.csv")])
def test_rate_file_between_csv_and_parquet(tmp_path: Path, source_name: str, target_name: str) -> None:
    source, target = tmp_path / source_name, tmp_path / target_name
    write_loan_book(source, 120, seed=3)
    report = rate_file(source, target, workers=1, chunk_rows=50)
    assert (report.rows, report.errors) == (120, 0)
    result = pd.read_parquet(target) if target.suffix == ".parquet" else pd.read_csv(target)
    assert len(result) == 120 and result["row"].tolist() == list(range(120))
    assert not list(tmp_path.glob(".*partial"))


def test_a_refused_header_writes_nothing(tmp_path: Path) -> None:
    source, target = tmp_path / "b.csv", tmp_path / "r.csv"
    frame = next(iter_loan_book(5, seed=1, chunk_rows=10_000))
    frame = frame.rename(columns={"energy__electricity_kwh": "energy__kwh"})
    frame.to_csv(source, index=False)
    with pytest.raises(InvalidInputError):
        rate_file(source, target, workers=1)
    assert not target.exists()


def test_result_writer_leaves_no_file_when_the_batch_fails(tmp_path: Path, book: pd.DataFrame) -> None:
    target = tmp_path / "r.parquet"
    with pytest.raises(RuntimeError), ResultWriter(target) as writer:
        writer.write(book.head(3))
        raise RuntimeError("disk gone")
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    write_loan_book(plain, 40, seed=4)
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    rate_file(plain, tmp_path / "a.parquet", workers=1)
    rate_file(marked, tmp_path / "b.parquet", workers=1)
    plain_result = pd.read_parquet(tmp_path / "a.parquet")
    pd.testing.assert_frame_equal(plain_result, pd.read_parquet(tmp_path / "b.parquet"))
    assert pd.read_parquet(tmp_path / "b.parquet").columns[0] == "borrower_id"


def _csv_with_cells(frame: pd.DataFrame, path: Path, cells: dict[tuple[int, str], str]) -> None:
    """Write ``frame`` as CSV with some cells replaced by raw text (what a bank's export may hold)."""
    text = frame.astype(object).astype("string").fillna("")
    for (row, column), value in cells.items():
        text.loc[row, column] = value
    text.to_csv(path, index=False)


def test_a_badly_typed_cell_is_that_rows_error_and_the_others_are_rated(tmp_path: Path) -> None:
    frame = next(iter_loan_book(8, seed=6, chunk_rows=10_000))
    clean, bad = tmp_path / "clean.csv", tmp_path / "bad.csv"
    frame.to_csv(clean, index=False)
    _csv_with_cells(frame, bad, {(1, "company__employees"): "many", (4, "company__annual_revenue"): "1,000",
                                 (6, "practices__led_lighting"): "maybe"})
    rate_file(clean, tmp_path / "clean.parquet", workers=1, chunk_rows=100)
    report = rate_file(bad, tmp_path / "bad.parquet", workers=1, chunk_rows=100)
    assert (report.rows, report.errors) == (8, 3)
    good, out = pd.read_parquet(tmp_path / "clean.parquet"), pd.read_parquet(tmp_path / "bad.parquet")
    assert out.loc[1, "error"] == "company.employees: must be a number"
    assert out.loc[4, "error"] == "company.annual_revenue: must be a number"
    assert out.loc[6, "error"].startswith("practices.led_lighting:")
    others = [0, 2, 3, 5, 7]
    # the other rows are rated as if the bad cells were not there
    pd.testing.assert_frame_equal(out.loc[others], good.loc[others])


def test_a_parquet_text_column_holding_a_word_where_a_number_belongs(tmp_path: Path) -> None:
    frame = next(iter_loan_book(5, seed=6, chunk_rows=10_000))
    frame["company__employees"] = pd.array(["5", "x", "3", "7", "12"], dtype="string")
    frame["company__annual_revenue"] = frame["company__annual_revenue"].astype("string")
    source = tmp_path / "book.parquet"
    frame.to_parquet(source, index=False)
    rate_file(source, tmp_path / "r.parquet", workers=1)
    out = pd.read_parquet(tmp_path / "r.parquet")
    assert out["error"].isna().tolist() == [True, False, True, True, True]
    assert out.loc[1, "error"] == "company.employees: must be a number"
    typed = {"company__employees": "Int64", "company__annual_revenue": "float64"}
    whole = rate_frame(frame.drop(index=1).reset_index(drop=True).astype(typed), session_engine())
    assert out.drop(index=1)["score"].tolist() == whole["score"].tolist()


@pytest.mark.parametrize("target_name", ["r.csv", "r.parquet"])
def test_a_passthrough_column_empty_in_the_first_chunk_is_still_written(tmp_path: Path,
                                                                        target_name: str) -> None:
    frame = next(iter_loan_book(30, seed=8, chunk_rows=10_000))
    frame["branch"] = [None] * 20 + [f"BR{i}" for i in range(10)]
    source = tmp_path / "book.csv"
    frame.to_csv(source, index=False)
    rate_file(source, tmp_path / target_name, workers=1, chunk_rows=10)
    out = (pd.read_parquet(tmp_path / target_name) if target_name.endswith("parquet")
           else pd.read_csv(tmp_path / target_name, dtype={"branch": "string"}))
    assert out["branch"].tolist()[20:] == [f"BR{i}" for i in range(10)] and out["branch"].isna().sum() == 20


def test_csv_output_quotes_formulas_in_text_and_leaves_numbers_and_parquet_alone(tmp_path: Path) -> None:
    frame = next(iter_loan_book(6, seed=9, chunk_rows=10_000))
    formulas = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "-12.5"]
    frame["note"] = formulas
    frame.loc[0, "energy__electricity_kwh"] = -5.0  # refused: the error text is left as it is
    source = tmp_path / "book.parquet"
    frame.to_parquet(source, index=False)
    rate_file(source, tmp_path / "r.csv", workers=1)
    rate_file(source, tmp_path / "r.parquet", workers=1)
    as_csv = pd.read_csv(tmp_path / "r.csv", dtype={"note": str}, keep_default_na=False, na_values=[""])
    assert as_csv["note"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tx",
                                       "-12.5"]
    assert pd.read_parquet(tmp_path / "r.parquet")["note"].tolist() == formulas
    parquet = pd.read_parquet(tmp_path / "r.parquet")
    assert as_csv["score"].tolist()[1:] == pytest.approx(parquet["score"].tolist()[1:])
    assert as_csv.loc[0, "error"] == parquet.loc[0, "error"]


def test_csv_safe_touches_only_text_that_starts_like_a_formula() -> None:
    table = pa.table({"t": pa.array(["=1", "-1", "-1e-3", "a-b", None, "\r"], pa.large_string()),
                      "n": pa.array([-1.0, -2.0, 0.0, 1.0, None, 2.0])})
    safe = csv_safe(table)
    assert safe.column("t").to_pylist() == ["'=1", "-1", "-1e-3", "a-b", None, "'\r"]
    assert safe.column("n").equals(table.column("n"))
    named = csv_safe(pa.table({"@SUM(1+1)*cmd|' /C calc'!A0": ["x"], "-1": ["y"], "branch": ["z"]}))
    assert named.column_names == ["'@SUM(1+1)*cmd|' /C calc'!A0", "-1", "branch"]  # the header too


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("tags", pa.array([["a"], [], None, ["b", "c"]]), "list<"),
        ("meta", pa.array([{"a": 1}, {"a": 2}, None, {"a": 3}]), "struct<"),
        ("blob", pa.array([b"\xff\x00", b"a", None, b"b"], pa.binary()), "binary"),
    ],
)
def test_nested_or_binary_parquet_columns_are_refused_naming_the_column(
    tmp_path: Path, column: str, values: pa.Array, expected: str
) -> None:
    frame = next(iter_loan_book(4, seed=1, chunk_rows=10_000))
    table = pa.Table.from_pandas(frame, preserve_index=False).append_column(column, values)
    source = tmp_path / "book.parquet"
    pq.write_table(table, source)
    with pytest.raises(InvalidInputError, match=expected) as refused:
        rate_file(source, tmp_path / "r.csv", workers=1)
    assert refused.value.field == column and not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("name", ["borrower_id", "company__employees"])
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_column_name_given_twice_is_refused(tmp_path: Path, name: str, kind: str) -> None:
    frame = next(iter_loan_book(4, seed=1, chunk_rows=10_000))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = pa.Table.from_arrays([*table.columns, table.column(name)], names=[*table.column_names, name])
    source = tmp_path / f"book.{kind}"
    if kind == "csv":
        pa_csv.write_csv(table, source)
    else:
        pq.write_table(table, source)
    with pytest.raises(InvalidInputError, match="more than once") as refused:
        check_book(source)
    assert refused.value.field == name
    with pytest.raises(InvalidInputError, match="more than once"):
        rate_file(source, tmp_path / "r.parquet", workers=1)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("blanks", [[""], ["", ""], ["  "]])
def test_a_column_without_a_name_is_refused_as_an_unknown_column_is(tmp_path: Path, kind: str,
                                                                      blanks: list[str]) -> None:
    """A blank header cell (a stray comma after the last name, a header cell deleted) had its column carried
    through under a name the bank never wrote: pandas' ``Unnamed: 170`` in a CSV's results, ``""`` from
    Parquet; two of them were refused as one name given twice. It is refused before anything is written,
    naming the cell, in the batch command's and the portfolio upload's words alike."""
    frame = next(iter_loan_book(4, seed=1, chunk_rows=10_000))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for blank in blanks:
        table = table.append_column(pa.field(blank, pa.string()), pa.array(["x"] * len(frame)))
    source = tmp_path / f"book.{kind}"
    if kind == "csv":
        pa_csv.write_csv(table, source)
    else:
        pq.write_table(table, source)
    cell = len(frame.columns) + 1
    said = re.escape(f"{blanks[0]}: has no name (cell {cell} of the header is blank)")
    with pytest.raises(InvalidInputError, match=f"^{said}") as refused:
        check_book(source)
    assert refused.value.field == blanks[0]
    with pytest.raises(InvalidInputError, match="has no name"):
        rate_file(source, tmp_path / "r.csv", workers=1)
    assert not (tmp_path / "r.csv").exists()
    with pytest.raises(UploadRefused) as upload:
        inspect_upload(source, 1_000)
    assert upload.value.errors == {"file": [f"column {blanks[0]!r}: {refused.value.message}"]}


def _write_compressed(path: Path, data: bytes) -> None:
    import gzip
    import zipfile

    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("book.csv", data)
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".csv.zip"])
def test_a_header_too_wide_to_read_is_refused_before_it_is_parsed(tmp_path: Path, suffix: str) -> None:
    """A 6.5 MB gzip whose header held 3 million columns took a web worker to 900 MB (security review):
    the header is measured on at most 256 KiB of decompressed bytes, and its columns counted."""
    endless = tmp_path / f"endless{suffix}"
    _write_compressed(endless, b"c" * 300_000 + b"\n1\n")
    with pytest.raises(BookTooWide, match="header line is longer than 262,144 bytes"):
        check_book(endless)
    many = tmp_path / f"many{suffix}"
    _write_compressed(many, ",".join(f"c{i}" for i in range(2_001)).encode() + b"\n" + b"1," * 2_000 + b"1\n")
    with pytest.raises(BookTooWide, match="2,001 columns; a loan book has at most 2,000"):
        check_book(many)
    with pytest.raises(BookTooWide):
        rate_file(many, tmp_path / "r.parquet", workers=1)
    # a quoted line break does not end the header (pandas reads on to the real end: 108 s, 2.3 GB)
    quoted = tmp_path / f"quoted{suffix}"
    _write_compressed(quoted, b'"x\ny",' + b"c," * 1_000_000 + b"c\n1\n")
    with pytest.raises(BookTooWide, match="header line has 2,001 columns"):
        check_book(quoted)
    _write_compressed(quoted, b'"' + b"x\n" * 200_000 + b'"\n1\n')
    with pytest.raises(BookTooWide, match="header line is longer than 262,144 bytes"):
        check_book(quoted)
    # nor is the first row, which the upload reads too, left unbounded
    wide_row = tmp_path / f"row{suffix}"
    _write_compressed(wide_row, b"company__name,company__country\n" + b"1," * 3_000 + b"1\n")
    with pytest.raises(BookTooWide, match="first row has 2,001 columns"):
        check_book(wide_row)


def _large_book(tmp_path: Path, name: str = "large.csv.gz") -> tuple[Path, list[bytes]]:
    """A book of about 1.7 MB of CSV (past the checked opening megabyte), and its lines."""
    plain = tmp_path / "large.csv"
    write_frame(next(iter_loan_book(4_500, seed=5, chunk_rows=10_000)), plain)
    lines = plain.read_bytes().split(b"\n")
    assert sum(map(len, lines)) > 1.5 * batch_files.SAMPLE_BYTES
    return tmp_path / name, lines


def test_the_opening_megabyte_of_a_csv_is_read_as_the_batch_reads_it(tmp_path: Path) -> None:
    """PCAF audit L8: only the header and first row were checked before a book was accepted; a bad line
    further on failed the job in the worker. The opening megabyte (decompressed) is parsed as the batch
    parses it: a bad line in it refuses the file, named as the worker names one; memory stays bounded."""
    path, lines = _large_book(tmp_path)
    early = list(lines)
    early[100] += b",x"
    _write_compressed(path, b"\n".join(early))
    with pytest.raises(pd.errors.ParserError, match=r"^line 101 \(row 99 of the results.* cells where the"):
        check_book(path)
    # the same line past the sample: accepted here, refused as it is read (the job fails naming it)
    late = list(lines)
    late[4_300] += b",x"
    _write_compressed(path, b"\n".join(late))
    assert check_book(path)[0] == "borrower_id"
    with pytest.raises(pd.errors.ParserError, match=r"^line 4301 \(row 4299 of the results"):
        for _ in read_chunks(path):
            pass


def test_a_quoted_cell_across_the_end_of_the_sample_is_no_unclosed_quote(tmp_path: Path) -> None:
    """The sample ends at a line break, which may fall inside a quoted cell of several lines: that quote
    closes further on, so only a quote still open at the end of the file refuses it."""
    path, lines = _large_book(tmp_path, "notes.csv")
    size, at = 0, 0
    while size < batch_files.SAMPLE_BYTES - 50_000:
        size, at = size + len(lines[at]) + 1, at + 1
    rows = [line + b"," for line in lines[1:] if line]
    rows[at] += b'"' + b"a note\n" * 20_000 + b'"'  # 140 KB of lines across the 1 MiB mark
    path.write_bytes(b"\n".join([lines[0] + b",note", *rows]) + b"\n")
    sample = batch_files._complete_lines(batch_files._csv_head(path))  # the premise: it ends in the note
    assert sample.count(b'"') % 2 == 1 and len(sample) < batch_files.SAMPLE_BYTES
    assert check_book(path)[-1] == "note"
    assert sum(len(chunk) for chunk in read_chunks(path)) == len(rows)
    path.write_bytes(b"\n".join([lines[0] + b",note", *rows]) + b'\nb,"never closed\n')
    with pytest.raises(pd.errors.ParserError, match="opens a quoted cell that is never closed"):
        for _ in read_chunks(path):
            pass


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf\n\n", "the file is empty"),
    (b"borrower_id;company__name\nb;x\n", "separated by semicolons"),
    # a decimal comma in a row had made that line "too long" for the one-column header: refused as the line
    (b"borrower_id;energy__electricity_kwh\nb;1,5\n", "separated by semicolons"),
    (b"borrower_id\tcompany__name\nb\tx\n", "separated by tabs"),
    (b"borrower_id|company__name\nb|x\n", "separated by vertical bars"),
    (b"borrower_id,company__name\nb,\x00x\n", "binary data, not CSV text (a NUL byte at byte 28"),
    ("borrower_id,company__name\nb,杭州\n".encode("gbk"), "not UTF-8 text (byte 28 is 0xba"),
])
def test_a_file_that_is_not_comma_separated_utf8_text_says_so(tmp_path: Path, content: bytes,
                                                               expected: str) -> None:
    """An empty file was refused as "EmptyDataError", a semicolon-separated one with its whole header
    quoted back as one unknown column, GBK text as "UnicodeDecodeError"."""
    source = tmp_path / "book.csv"
    source.write_bytes(content)
    with pytest.raises(BookUnreadable) as refused:
        check_book(source)
    assert str(refused.value).startswith(expected) or expected in str(refused.value), str(refused.value)


def test_a_book_with_old_mac_line_ends_is_read(tmp_path: Path) -> None:
    """Bare CR line ends (Excel's "CSV (Macintosh)") end records for the width check as for pandas."""
    source = tmp_path / "mac.csv"
    source.write_bytes(b"borrower_id,company__country\r" + b"b,CN\r" * 70_000)  # > 256 KiB
    assert check_book(source) == ["borrower_id", "company__country"]


def test_a_parquet_footer_too_large_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "book.parquet"
    next(iter_loan_book(4, seed=1, chunk_rows=10_000)).to_parquet(source, index=False)
    assert check_book(source)
    monkeypatch.setattr(batch_files, "MAX_PARQUET_FOOTER_BYTES", 100)
    with pytest.raises(BookTooWide, match="Parquet footer"):
        check_book(source)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_book_without_rows_gives_a_valid_result_file_with_every_column(tmp_path: Path, kind: str) -> None:
    frame = next(iter_loan_book(4, seed=1, chunk_rows=10_000)).head(0)
    source = tmp_path / f"book.{kind}"
    frame.to_csv(source, index=False) if kind == "csv" else frame.to_parquet(source, index=False)
    report = rate_file(source, tmp_path / "r.parquet", workers=1)
    assert report.rows == 0
    out = pq.read_table(tmp_path / "r.parquet")
    assert out.num_rows == 0
    assert out.column_names[:2] == ["borrower_id", "row"] and "score" in out.column_names


def test_csv_numbers_are_read_as_the_api_reads_them(tmp_path: Path) -> None:
    """Fuzz review: float() read "nan" (then a figure not given, and estimated), "42_000", Arabic-Indic and
    full-width digits, all of which the API refuses; they are the row's typed error now."""
    frame = next(iter_loan_book(6, seed=7, chunk_rows=10_000))
    source = tmp_path / "odd.csv"
    _csv_with_cells(frame, source, {
        (0, "energy__electricity_kwh"): "nan", (1, "company__employees"): "4_2",
        (2, "company__annual_revenue"): "٤٢٠٠٠٠٠", (3, "company__employees"): "３",
        (4, "company__annual_revenue"): "inf", (5, "company__employees"): " 7 ",
    })
    report = rate_file(source, tmp_path / "odd.parquet", workers=1, chunk_rows=100)
    out = pd.read_parquet(tmp_path / "odd.parquet")
    assert (report.rows, report.errors) == (6, 5)
    assert [str(e).split(":")[0] for e in out["error"][:5]] == [
        "energy.electricity_kwh", "company.employees", "company.annual_revenue", "company.employees",
        "company.annual_revenue",
    ]
    assert pd.isna(out.loc[5, "error"])  # padding around ASCII digits is still a number


def test_cross_row_flags_are_the_same_in_worker_processes(tmp_path: Path) -> None:
    """Each chunk rated in a worker is sent only its own rows' checks (security review H12): the flags
    are those of one process."""
    book = next(iter_loan_book(120, seed=5, chunk_rows=10_000))
    book = pd.concat([book, book.iloc[[3, 3, 110]]], ignore_index=True)  # rows 120, 121 and 122 repeat
    book.to_parquet(tmp_path / "book.parquet", index=False)
    rated = {}
    for workers in (1, 2):
        rate_file(tmp_path / "book.parquet", tmp_path / f"rated{workers}.csv", workers=workers, chunk_rows=50)
        rated[workers] = pd.concat(read_results(tmp_path / f"rated{workers}.csv"), ignore_index=True)
    assert rated[2]["duplicate_row"].tolist() == [i in (3, 110, 120, 121, 122) for i in range(123)]
    assert rated[2]["duplicate_of_row"].tolist() == [{120: 3, 121: 3, 122: 110}.get(i, pd.NA)
                                                     for i in range(123)]
    pd.testing.assert_frame_equal(rated[1], rated[2])


def test_cross_row_flags_span_the_chunks_of_a_file(tmp_path: Path) -> None:
    """The checks are made over the whole book, not the chunk a row is rated in (a portfolio review)."""
    book = next(iter_loan_book(240, seed=5, chunk_rows=10_000))
    two = pd.concat([book.iloc[:150], book.iloc[[0]].assign(company__employees=7)], ignore_index=True)
    two.to_parquet(tmp_path / "book.parquet", index=False)
    checks = scan_file(tmp_path / "book.parquet", chunk_rows=100)
    assert len(checks.conflicting_borrowers) == 1 and not checks.has_loan_id
    report = rate_file(tmp_path / "book.parquet", tmp_path / "rated.csv", workers=1, chunk_rows=100)
    assert report.rows == 151
    rated = pd.concat(read_results(tmp_path / "rated.csv"), ignore_index=True)
    assert rated["borrower_data_conflict"].tolist() == [i in (0, 150) for i in range(151)]
    assert rated["duplicate_loan_id"].isna().all()
    assert summarize(read_results(tmp_path / "rated.csv"))["flags"]["borrower_data_conflict"]["value"] == 2


def _zip_of(path: Path, files: int, comment: bytes = b"") -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(files):
            archive.writestr(zipfile.ZipInfo(f"{index:x}"), b"company__country\nCN\n" if files == 1 else b"")
        archive.comment = comment
    return path


def test_a_zip_of_many_files_is_refused_before_zipfile_reads_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipfile.ZipFile parses the whole central directory before its files can be counted: 34 MB of
    400,000 empty files took 208 MB and 2.5 s of a web worker to be refused (diff review M2). The count is
    read from the end record (zip64's past 65,535 files), and a directory larger than one file's is refused
    whatever the count claims."""
    import struct
    import zipfile

    many = _zip_of(tmp_path / "many.csv.zip", 70_000)  # a zip64 end record: the 16-bit count says 65,535
    few = _zip_of(tmp_path / "few.csv.zip", 3)
    lying = bytearray(_zip_of(tmp_path / "lying.csv.zip", 5_000).read_bytes())
    struct.pack_into("<HH", lying, len(lying) - 22 + 8, 1, 1)  # the end record claims one file
    (tmp_path / "lying.csv.zip").write_bytes(lying)
    commented = _zip_of(tmp_path / "commented.csv.zip", 1, comment=b"a comment " * 1_000)
    assert check_book(commented) == ["company__country"]  # the record found behind a comment, as zipfile does

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("zipfile.ZipFile was constructed")

    monkeypatch.setattr(zipfile, "ZipFile", never)
    for path, expected in [(many, "this zip holds 70,000"), (few, "this zip holds 3"),
                           (tmp_path / "lying.csv.zip", "the zip's directory is 2")]:
        with pytest.raises(BookUnreadable, match=expected):
            check_book(path)


def test_a_zip_whose_directory_holds_more_files_than_its_end_record_says_is_refused(tmp_path: Path) -> None:
    import struct

    two = bytearray(_zip_of(tmp_path / "two.csv.zip", 2).read_bytes())
    struct.pack_into("<HH", two, len(two) - 22 + 8, 1, 1)
    (tmp_path / "two.csv.zip").write_bytes(two)
    with pytest.raises(BookUnreadable, match="this zip holds 2"):
        check_book(tmp_path / "two.csv.zip")


@pytest.mark.parametrize("name", list(UNREADABLE_COMPRESSED))
def test_a_compressed_book_zipfile_or_lzma_cannot_read_is_refused_in_words(tmp_path: Path, name: str) -> None:
    """zipfile raises RuntimeError for a password and NotImplementedError for Deflate64 and AES, which no
    caller took for an unreadable book: the upload answered 500 (diff review M1)."""
    from service.portfolios.storage import unreadable_errors

    content, expected = UNREADABLE_COMPRESSED[name]
    (tmp_path / name).write_bytes(content)
    with pytest.raises(unreadable_errors()) as refused:
        check_book(tmp_path / name)
    assert expected.split(": ")[-1] in str(refused.value), str(refused.value)
