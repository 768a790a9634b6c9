"""A Parquet cell of another type than its column's is read as it is, then checked as the API checks it.

``rating_model.book_chunks`` converts whole columns to the flat dtypes for speed; the conversion may never
change what a cell means. The reference is :func:`rating_model.flat.payload_from_row` on the same row as
plain Python values, cell by cell, which is what Spark's batches and the API's JSON go through.
"""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rating_model.book_chunks import as_frame
from rating_model.engine import Engine
from rating_model.exceptions import RatingModelError
from rating_model.flat import payload_from_row, payloads_from_frame
from rating_model.loan_book import iter_loan_book
from service.batch.pool import rate_file

FLAG, COUNT, FIGURE, TEXT = ("practices__e_invoicing", "company__employees", "energy__electricity_kwh",
                             "company__industry_code")
OPTIONAL_TEXT = "company__external_id"
#: Arrow columns whose cells are not all of their flat column's type
ODD_COLUMNS = {
    "ints": pa.array([1, 0, 2, None], pa.int64()),
    "flags": pa.array([True, False, None, True]),
    "zero-one floats": pa.array([1.0, 0.0, None, float("nan")]),
    "floats": pa.array([1.5, 2.0, None, 3.0]),
    "small ints": pa.array([1, 0, 1, None], pa.int8()),
    "huge uints": pa.array([2**63 + 5, 1, None, 0], pa.uint64()),
    "decimals": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("2"), decimal.Decimal("0")],
                         pa.decimal128(12, 2)),
    "dates": pa.array([datetime.date(2024, 1, 1), None, None, datetime.date(2024, 1, 2)], pa.date32()),
    "texts": pa.array(["1", "0047", None, "yes"]),
    "dictionary": pa.array(["a", None, "b", "a"]).dictionary_encode(),
}


def _repr_payloads(payloads: list[dict[str, object]]) -> list[str]:
    return [repr(p) for p in payloads]  # repr: True and 1, 47 and "47", 2 and 2.0 differ


@pytest.mark.parametrize("kind", sorted(ODD_COLUMNS))
@pytest.mark.parametrize("name", [FLAG, COUNT, FIGURE, TEXT])
def test_column_conversion_never_changes_a_cell(name: str, kind: str) -> None:
    batch = pa.RecordBatch.from_pydict({name: ODD_COLUMNS[kind]})
    cell_by_cell = [payload_from_row(row) for row in batch.to_pylist()]
    assert _repr_payloads(list(payloads_from_frame(as_frame(batch)))) == _repr_payloads(cell_by_cell)


def test_a_parquet_book_gets_the_apis_errors_for_cells_of_another_type(tmp_path: Path) -> None:
    frame = next(iter_loan_book(4, seed=5, chunk_rows=10_000))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name, column in ((FLAG, pa.array([1, 0, 2, None], pa.int64())),
                         (OPTIONAL_TEXT, pa.array([47, None, None, None], pa.int64()))):
        table = table.set_column(table.schema.get_field_index(name), name, column)
    pq.write_table(table, tmp_path / "book.parquet")
    rate_file(tmp_path / "book.parquet", tmp_path / "rated.parquet", workers=1)
    out = pd.read_parquet(tmp_path / "rated.parquet")

    engine = Engine.load()
    payloads = [payload_from_row({k: v for k, v in row.items() if k != "borrower_id"})
                for row in table.to_pylist()]
    # the cells reach the parser as read, as a JSON body carries them: {"external_id": 47}
    assert payloads[0]["company"]["external_id"] == 47 and payloads[2]["practices"]["e_invoicing"] == 2
    expected: list[str | None] = []
    for payload in payloads:
        try:
            engine.parse(payload)
        except RatingModelError as exc:
            expected.append(str(exc))
        else:
            expected.append(None)
    assert expected[0] == "company.external_id: must be a string"
    assert expected[2] == "practices.e_invoicing: must be true or false"
    assert [None if pd.isna(e) else e for e in out["error"]] == expected
    assert out.loc[[1, 3], "score"].notna().all()  # 0 is a flag's "no", as in a CSV; empty is "not answered"
