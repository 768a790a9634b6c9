"""The merchant page as owners with their paper bills in hand used it: a hair salon in a mall whose
electricity is in the rent, a printing shop with its van's fuel receipts, a noodle restaurant's water bill
in tonnes, read in Chinese first and in English."""

from __future__ import annotations

import re

from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app


def _hint(page: str, field: str) -> str:
    found = re.search(rf'<p class="hint" id="{field}-hint">([^<]*)</p>', page)
    assert found, field
    return found.group(1)


def test_the_electricity_question_says_that_electricity_in_the_rent_counts(make_app: AppFactory) -> None:
    """A salon in a mall pays its electricity in the rent and has no bill: the hint said only "见电费单", so
    the owner typed 0, which standard 1.11.0 caps at light green with the remedy "the landlord can give the
    share". The question says so where the figure is asked."""
    client = _app(make_app).test_client()
    zh = _hint(client.get("/?lang=zh").get_data(as_text=True), "electricity")
    assert "房租" in zh and "房东" in zh and "分摊" in zh, zh
    en = _hint(client.get("/?lang=en").get_data(as_text=True), "electricity")
    assert "included in the rent" in en and "landlord" in en and "your share" in en, en
