"""``company.industry_code`` is a division, group or class of ISIC Rev. 4, the UN's list, in every layer.

The issue that specifies the engine asks an unknown sector to be a typed error naming the field. Only the
division (the first two digits) had been checked: ``9999`` (division 99 has the one class 9900) was rated
as an extraterritorial body, ``4735`` (group 473 has the one class 4730) as a retailer, and ``111``
(``0111`` with its leading zero lost to a spreadsheet) as a beverage maker. The engine (which a loan
book's rows go through) and the API's schema now refuse them with one function's words
(tests/schemas/test_limits_agree.py holds the two layers together); the API's answer is in
tests/service/test_ratings_api.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rating_model import published
from rating_model.batch import rate_frame
from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.isic import DATA_FILE, INDUSTRY_CODES, industry_code_problem, industry_title
from rating_model.loan_book import iter_loan_book
from rating_model.operating_data import INDUSTRY_FORMAT
from rating_model.sector_benchmarks import DATA_FILE as SECTOR_TABLE
from rating_model.synthetic_params import SECTORS
from schemas.operating_data import OperatingDataSchema
from service.web.form.choices import INDUSTRIES
from tests.conftest import payload, session_engine

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _refusal(code: str) -> dict[str, list[str]]:
    """The engine's errors for a valid request with ``code`` as its industry (``{}``: it parses)."""
    try:
        session_engine().parse(payload(industry_code=code))
    except (InvalidInputError, InvalidInputErrors) as exc:
        return exc.errors
    return {}


def test_the_list_is_the_uns_structure_and_says_where_it_comes_from() -> None:
    """ISIC Rev. 4 has 21 sections, 88 divisions, 238 groups and 419 classes; the file names the UN's
    page and the repository, path and commit it was taken from, and is a published file."""
    levels = Counter(len(entry["code"]) for entry in DOCUMENT["codes"])
    assert levels == {1: 21, 2: 88, 3: 238, 4: 419}
    assert len(INDUSTRY_CODES) == 88 + 238 + 419 and list(INDUSTRY_CODES) == sorted(INDUSTRY_CODES)
    assert "https://unstats.un.org/unsd/classifications/Econ/isic" in DOCUMENT["publisher"]
    source = DOCUMENT["source"]
    assert "insongkim/concordance" in source and "data-raw/ISIC_Rev_4_english_structure.txt" in source
    assert "ed8885811b9733c9f440315e23dd43d8e04107cc" in source
    assert "isic_rev4.json" in published.recorded()
    assert industry_title("5610") == "Restaurants and mobile food service activities"
    assert industry_title("I") is None and industry_title("9999") is None  # a section is not a code


def test_the_sector_table_maps_exactly_the_divisions_of_the_list() -> None:
    divisions = {code for code in INDUSTRY_CODES if len(code) == 2}
    assert set(json.loads(SECTOR_TABLE.read_text(encoding="utf-8"))["divisions"]) == divisions


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("9999", "9999 is not one; division 99 has no group 999, its groups: 990"),
        ("999", "999 is not one; the groups of division 99: 990"),
        ("4735", "4735 is not one; the classes of group 473: 4730"),
        ("00", "00 is not one; there is no division 00"),
        ("4800", "4800 is not one; there is no division 48"),
        ("111", "111 is not one; the groups of division 11: 110 (if a leading zero was lost: 0111 is "
                "growing of cereals (except rice), leguminous crops and oil seeds)"),
    ],
)
def test_a_code_not_in_isic_rev_4_is_the_engines_typed_error_naming_the_field(code: str, words: str) -> None:
    expected = f"must be a division (2 digits), group (3) or class (4) of ISIC Rev. 4: {words}"
    assert industry_code_problem(code) == expected
    assert _refusal(code) == {"company.industry_code": [expected]}


@pytest.mark.parametrize("code", ["4799", "9900", "990", "99", "0111", "01", "56", "561", "5610", "4923"])
def test_a_division_group_or_class_of_the_list_is_taken(code: str) -> None:
    """4799 (other retail sale not in stores, stalls or markets) is a class of the list."""
    assert industry_code_problem(code) is None and _refusal(code) == {}


@pytest.mark.parametrize("text", ["G", "5", "56101", "56A", ""])
def test_text_of_another_shape_is_left_to_the_pattern(text: str) -> None:
    """One refusal per code: the pattern's, not a second one from the list; both layers say the code it must
    be and an example (the engine, which reads batch rows, had said "has an invalid format")."""
    assert industry_code_problem(text) is None
    expected = "must not be empty" if text == "" else INDUSTRY_FORMAT
    assert _refusal(text) == {"company.industry_code": [expected]}
    if text:
        errors = OperatingDataSchema().validate({"company": {"industry_code": text}})
        assert errors["company"]["industry_code"] == [INDUSTRY_FORMAT]


def test_a_loan_book_row_with_a_code_not_in_isic_rev_4_is_refused_in_the_same_words() -> None:
    frame = next(iter_loan_book(6, seed=7, chunk_rows=10_000)).copy()
    frame.loc[0, "company__industry_code"] = "9999"
    frame.loc[1, "company__industry_code"] = "4735"
    frame.loc[2, "company__industry_code"] = "4799"
    out = rate_frame(frame, session_engine())
    assert out.loc[0, "error"] == "company.industry_code: " + str(industry_code_problem("9999"))
    assert out.loc[1, "error"] == "company.industry_code: " + str(industry_code_problem("4735"))
    assert pd.isna(out.loc[2, "error"]) and out.loc[2, "industry_code"] == "4799"


def _documented_codes() -> set[str]:
    """The industry codes of the README's and the docs' examples (JSON bodies)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {code for page in pages
            for code in re.findall(r'"industry_code":\s*"([^"]*)"', page.read_text(encoding="utf-8"))}


def test_every_industry_code_the_project_ships_is_on_the_list() -> None:
    """The synthetic population's divisions, the merchant form's choices, the engine's fingerprint corpus,
    the golden inventories and the examples of the README and the docs: the list refuses none of them."""
    corpus = ROOT / "tests" / "data" / "engine_corpus.jsonl"
    golden: Any = json.loads((ROOT / "tests" / "data" / "golden_inventories.json").read_text("utf-8"))

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["industry_code"]] if isinstance(node.get("industry_code"), str) else []
            return own + [c for value in node.values() for c in walk(value)]
        return [c for value in node for c in walk(value)] if isinstance(node, list) else []

    used = {
        "synthetic": {sector.division for sector in SECTORS},
        "form": {code for code, *_ in INDUSTRIES},
        "corpus": {json.loads(line)["company"]["industry_code"]
                   for line in corpus.read_text("utf-8").splitlines() if line},
        "golden": set(walk(golden)),
        "docs": _documented_codes(),
    }
    assert all(used.values()), used
    assert {name: sorted(codes - set(INDUSTRY_CODES)) for name, codes in used.items()} == {
        name: [] for name in used}
