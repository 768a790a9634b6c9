"""The merchant page as a small restaurant's owner fills it in Chinese on a phone: a gas stove in 方, a
delivery van, the waste in 吨 or 公斤, the floor area in 平方: each refusal says what the field takes, in
the field's own units and magnitudes, and the disclosure names a term one way."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post

#: a small restaurant's answers, as its owner types them
RESTAURANT = {
    "company_name": "老王家常菜",
    "revenue": "85万",
    "electricity": "2.4万",
    "electricity_unit": "bill",
    "fuel": "natural_gas",
    "fuel_amount": "3600方",
    "vehicle_fuel": "gasoline",
    "vehicle_kind": "van",
    "vehicles": "1",
    "waste": "6吨",
    "waste_recycled": "1吨",
    "floor_area": "120平米",
    "waste_sorting": "yes",
}


def _refusal(client: FlaskClient, lang: str, field: str, **answers: str) -> str:
    """The error shown at ``field`` when the restaurant's answers, with ``answers``, are posted."""
    page = _post(client, lang, **{**RESTAURANT, **answers}).get_data(as_text=True)
    assert f'id="{field}-error"' in page, page
    return page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


def test_more_waste_recycled_than_thrown_away_is_said_so_not_just_invalid(make_app: AppFactory) -> None:
    """10 t recycled of 6 t thrown away was refused by the engine, and the page said "请输入有效的数值",
    beside a figure that is a valid number: it says now that the recycled part is more than the waste."""
    client = _app(make_app).test_client()
    assert _refusal(client, "zh", "waste_recycled", waste_recycled="10") == (
        "多于全年产生的废弃物（6吨）：回收利用的部分包含在全年废弃物之中，请核对这两个数值。")
    assert _refusal(client, "en", "waste_recycled", waste="800 kg", waste_recycled="1") == (
        "That is more than the year&#39;s waste (0.8 t): the waste recycled is part of it. Please check both "
        "figures.")
    all_recycled = {**RESTAURANT, "waste": "0.8", "waste_recycled": "800公斤"}
    assert _post(client, "zh", **all_recycled).status_code == 303
