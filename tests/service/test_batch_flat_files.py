"""Flat files read and written whole (service.batch.flat_files): dtypes kept, long rows refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from rating_model.flat import payload_from_row, payloads_from_frame
from rating_model.operating_data_reader import parse_operating_data
from rating_model.synthetic import generate_frame
from service.batch.flat_files import read_as_text, read_frame, write_frame


@pytest.mark.parametrize("name", ["flat.csv", "flat.csv.gz", "flat.parquet"])
def test_files_round_trip_with_documented_dtypes(tmp_path: Path, name: str) -> None:
    frame = generate_frame(400, 3)
    write_frame(frame, tmp_path / name)
    back = read_frame(tmp_path / name)
    pd.testing.assert_frame_equal(back, frame, check_index_type=False)


def test_plain_csv_rows_give_the_same_payloads(tmp_path: Path) -> None:
    frame = generate_frame(300, 4).drop(columns=["latent_greenness"])
    write_frame(frame, tmp_path / "flat.csv")
    with (tmp_path / "flat.csv").open(newline="", encoding="utf-8") as handle:
        text_rows = list(csv.DictReader(handle))
    for text_row, payload in zip(text_rows, payloads_from_frame(frame), strict=True):
        assert parse_operating_data(payload_from_row(text_row)) == parse_operating_data(payload)


@pytest.mark.parametrize("line", [1, 3])
def test_a_csv_row_with_more_cells_than_the_header_is_refused_anywhere(tmp_path: Path, line: int) -> None:
    """On the first data row pandas took the extra cell for an index and read every row one column off
    (a label file read for training or validate-data was silently shifted); any later row was refused."""
    write_frame(generate_frame(5, 1), tmp_path / "flat.csv")
    lines = (tmp_path / "flat.csv").read_text(encoding="utf-8").split("\n")
    columns = lines[0].count(",") + 1
    lines[line] += ",x"
    (tmp_path / "flat.csv").write_text("\n".join(lines), encoding="utf-8")
    expected = f"Expected {columns} fields in line {line + 1}, saw {columns + 1}"
    for read in (read_frame, read_as_text):
        with pytest.raises(pd.errors.ParserError, match=expected):
            read(tmp_path / "flat.csv")


def test_unknown_file_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown flat-file type"):
        write_frame(generate_frame(5, 1), tmp_path / "flat.xlsx")
