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


def test_the_employees_field_asks_for_people_not_an_amount(make_app: AppFactory) -> None:
    """The employees field shared the amounts' refusal, "such as 12000 or 1.2万", an example of money."""
    from service.web.form import parse_form
    from tests.service.test_merchant_page import FORM

    for typed in ("x", "six", "6 staff", "1万2"):
        assert parse_form({**FORM, "employees": typed}).errors["employees"].key == "employees_not_a_number"
    assert parse_form({**FORM, "revenue": "x"}).errors["revenue"].key == "not_a_number"  # amounts keep theirs
    assert parse_form({**FORM, "employees": "6人"}).payload is not None
    client = _app(make_app).test_client()
    for lang, said in (("en", "Enter the number of people, such as 6."), ("zh", "请输入人数，例如 6。")):
        page = _post(client, lang, employees="x").get_data(as_text=True)
        assert f'<p class="error" id="employees-error">{said}</p>' in page and "12000" not in page


def test_the_english_result_page_says_when_it_was_issued_in_beijing_time(make_app: AppFactory) -> None:
    """The English result page showed the stored "2026-12-06T22:09:55Z" where the Chinese one showed
    "2026-12-07 06:09（北京时间）": another date, and a stamp an owner does not read."""
    from datetime import datetime, timedelta

    from tests.service.test_merchant_page import _stored_rating

    app = _app(make_app)
    client = app.test_client()
    location = _post(client, "en").headers["Location"]
    issued = _stored_rating(app, location)["issued_at"]
    beijing = datetime.fromisoformat(issued.replace("Z", "+00:00")) + timedelta(hours=8)
    said = beijing.strftime("%Y-%m-%d %H:%M")
    english = client.get(location).get_data(as_text=True)
    assert f"Issued {said} (Beijing time)</p>" in english and issued not in english
    chinese = client.get(location.replace("lang=en", "lang=zh")).get_data(as_text=True)
    assert f"出具日期 {said}（北京时间）</p>" in chinese


def test_the_result_page_separates_thousands_and_the_disclosure_keeps_plain_figures(
    make_app: AppFactory,
) -> None:
    """"8461538461.54" t CO2e could not be read on the result page: its figures are grouped ("16,500.00"),
    in both languages; the disclosure and its PDF keep the plain figures a bank reads back from the JSON."""
    from rating_model.disclosure import inventory
    from service.web.view import grouped
    from tests.service.test_merchant_page import _stored_rating

    assert grouped(8461538461.544) == "8,461,538,461.54" and grouped(1500000.0, 0) == "1,500,000"
    assert grouped(12.5, 1) == "12.5" and grouped(None) == "n/a"
    app = _app(make_app)
    client = app.test_client()
    big = {"revenue": "2亿", "employees": "400", "electricity": "3000万", "heat": "bought",
           "heat_amount": "12000"}
    for lang in ("en", "zh"):
        location = _post(client, lang, **big).headers["Location"]
        rating = _stored_rating(app, location)
        inv = inventory(rating)
        scope2, total = inv["scope2_location"], rating["emissions"]["total"]
        assert scope2 > 10_000 and total > 10_000
        page = client.get(location).get_data(as_text=True)
        figures = page.split('id="emission-figures"', 1)[1].split("</table>", 1)[0]
        assert f"<td>{grouped(scope2)}</td>" in figures and "," in grouped(scope2)
        assert f"{scope2:.2f}" not in page and f"{total:.2f}" not in page
        notes = page.split('id="scopes-note">', 1)[1].split("</p>", 1)[0]
        # the heat bought, written as the page's other quantities (service.web.i18n.amount)
        assert grouped(total) in notes and ("1.2万 吉焦" if lang == "zh" else "12,000 GJ") in notes
        disclosure = client.get(location.split("?")[0] + f"/disclosure?lang={lang}").get_data(as_text=True)
        assert f"{scope2:.2f}" in disclosure and grouped(scope2) not in disclosure


def test_the_form_says_which_year_its_figures_are_of(make_app: AppFactory) -> None:
    """"Electricity use per year" and "Last year's electricity use" named no year: the page rates the last
    full calendar year (``company.reporting_year``), and an owner answering in December read "last year" as
    that year, giving the year before's bills where the year rated's were asked."""
    from service.web.form import parse_form
    from service.web.form.fields import reporting_year
    from tests.service.test_merchant_page import FORM
    from tests.service.test_merchant_page_answers import _text

    year = reporting_year()
    parsed = parse_form(FORM)
    assert parsed.payload is not None and parsed.payload["company"]["reporting_year"] == year
    client = _app(make_app).test_client()
    for lang, said in (
        ("en", f"Give your figures for {year}, the last full calendar year, from that year's bills. On this "
               f"form, “this year” means {year} and “last year” means {year - 1}."),
        ("zh", f"请按 {year} 年（上一个完整自然年度）的账单填写数据。表中所说的本年为 {year} 年，"
               f"上一年为 {year - 1} 年。"),
    ):
        form = client.get(f"/?lang={lang}").get_data(as_text=True)
        found = re.search(r'<p id="figures-year">(.*?)</p>', form)
        assert found is not None and _text(found.group(1)) == said
        assert form.index("<h1>") < found.start() < form.index('id="rating-form"')  # before any question
        refused = _post(client, lang, employees="x").get_data(as_text=True)  # said on a refused form too
        assert 'id="figures-year"' in refused
