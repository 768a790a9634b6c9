"""What a browser review of the merchant pages found hard to read: the form titled as a result before
anything was rated, the employees field refused with an example of money, a time in UTC on the English
page, and big figures without thousands separators."""

from __future__ import annotations

import re

from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post


def test_the_form_asks_for_a_rating_and_the_result_page_keeps_its_title(make_app: AppFactory) -> None:
    """The form said "Your green rating" in its title and heading before anything was rated."""
    client = _app(make_app).test_client()
    for lang, asked, given in (("en", "Get your green rating", "Your green rating"),
                               ("zh", "获取您的绿色评级", "您的绿色评级")):
        form = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f"<title>greenrate · {asked}</title>" in form and f"<h1>{asked}</h1>" in form
        refused = _post(client, lang, employees="x").get_data(as_text=True)
        assert re.search(rf"<title>[^<]*greenrate · {asked}</title>", refused)
        result = client.get(_post(client, lang).headers["Location"]).get_data(as_text=True)
        assert f"greenrate · {given} · " in result and f"<h1>{given}" in result and asked not in result
