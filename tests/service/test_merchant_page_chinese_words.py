"""The Chinese pages as a Hangzhou restaurant owner and a bank officer read them: full-width punctuation
without an English space after "。", one bracket level where a label already carries one, subjects that do
the verbs, and the units an owner types."""

from __future__ import annotations

import re

from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post


def _data_quality(page: str) -> str:
    """The disclosure's data-quality paragraph (the one after its last "数据质量"/"Data quality" heading)."""
    return page.rsplit("</h2>", 1)[1].split("<p>", 1)[1].split("</p>", 1)[0]


def test_the_disclosures_data_quality_reads_as_one_chinese_paragraph(make_app: AppFactory) -> None:
    """A bill converted at the standard's tariff, then the sector defaults: "……并非行业默认值。 1 项输入数据按
    标准的行业默认值估算（经营场所燃料（天然气））" had an English space after "。" and a bracket in a
    bracket around the field's own; English keeps its space between the sentences."""
    client = _app(make_app).test_client()
    location = _post(client, "zh", electricity="12345", electricity_unit="bill", fuel="").headers["Location"]
    disclosure = location.split("?")[0] + "/disclosure"
    zh = _data_quality(client.get(disclosure + "?lang=zh").get_data(as_text=True))
    assert "并非行业默认值。1 项输入数据按标准的行业默认值估算：经营场所燃料（天然气）；PCAF" in zh, zh
    assert "。 " not in zh and "））" not in zh
    en = _data_quality(client.get(disclosure + "?lang=en").get_data(as_text=True))
    assert re.search(r"estimation rules\), not taken from a sector default\. Input figures estimated", en), en


def test_a_refused_fields_label_says_what_it_takes_in_its_bracket_not_after_a_colon(
    make_app: AppFactory,
) -> None:
    """The error summary writes "label：message": the vehicles' amount, labelled "上一年全部车辆用量：燃油车填
    加油升数，纯电动车填行驶公里数", read as three colons in one line. Its explanation is in its bracket now,
    with "选填" inside it, and no field's label has a colon of its own."""
    from service.web.i18n import texts

    client = _app(make_app).test_client()
    for lang, label in (("zh", "上一年第1组车辆用量（加油升数或行驶公里数，选填）"),
                        ("en", "Last year, vehicle group 1 together (litres of fuel bought, or km driven, "
                               "optional)")):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<label for="previous_vehicle_amount">{label}</label>' in page, lang
        fields = re.findall(r'<label for="([a-z_]+)">', page)
        t = texts(lang)
        assert fields and not [f for f in fields if f in t and t["colon"].strip() in t[f]], lang
    refused = _post(client, "zh", previous_vehicle_amount="100").get_data(as_text=True)
    summary = refused.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "上一年第1组车辆用量（加油升数或行驶公里数）：请先在上面选择" in summary


def test_the_chinese_refusals_write_yuan_after_an_amount_as_the_page_does_everywhere(
    make_app: AppFactory,
) -> None:
    """The revenue per employee was "每年 5,000 元" beside the bill's "全年电费 1.2亿元" and the disclosure's
    "320万元": the yuan follows the figure without a space in every amount of money on the page."""
    client = _app(make_app).test_client()
    revenue = _post(client, "zh", revenue="40000").get_data(as_text=True)
    assert "折合每名员工每年 5,000元。" in revenue, revenue
    bill = _post(client, "zh", revenue="150万", electricity="1.2亿", electricity_unit="bill")
    refused = bill.get_data(as_text=True)
    assert "全年电费 1.2亿元 超过了全年营业收入（150万元）" in refused
    assert not re.search(r"[0-9万亿] 元", revenue + refused)
