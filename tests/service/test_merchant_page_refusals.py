"""The server checks every answer of the merchant form, so the browser need not: each required field left
empty and each number outside its range is refused with the page's error summary, a link from it to the
field, and the message at the field, in both languages, and every answer comes back as it was typed.

These pin that down before the form is marked ``novalidate`` (the GOV.UK Design System's advice): the
browser's own ``required`` check had stopped an empty field with its pop-up, in the browser's language and
one field at a time, and the server's summary was never reached.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import create_engine

from service.web.amounts import Bounds
from service.web.form.fields import LIMITS, reporting_year
from service.web.i18n import message, texts
from tests.conftest import AppFactory, services_of
from tests.live_services import free_port
from tests.service.test_merchant_page import _app, _token

#: Every question answered, each figure in a unit word an owner writes: accepted as it stands (checked
#: below), so a refusal of it with one answer changed is that answer's.
EVERY_ANSWER: dict[str, str] = {
    "company_name": "Lotus <Tea> House",
    "industry": "5610",
    "region": "CN-HL",
    "employees": "8人",
    "revenue": "150万",
    "electricity": "3万度",
    "electricity_unit": "kwh",
    "green_share": "20%",
    "green_vintage": f"{reporting_year()}年",
    "fuel": "natural_gas",
    "fuel_amount": "3000方",
    "lpg_bottle_kg": "",
    "heat": "bought",
    "heat_amount": "120 GJ",
    "refrigerant": "R-410A",
    "refrigerant_kg": "3公斤",
    "refrigerant_2": "R-404A",
    "refrigerant_kg_2": "12 kg",
    "vehicle_fuel": "diesel",
    "vehicle_kind": "van",
    "vehicles": "2辆",
    "vehicle_amount": "3000升",
    "floor_area": "120平米",
    "water": "300吨",
    "waste": "2",
    "waste_recycled": "1",
    "previous_electricity": "3.1万",
    "previous_fuel_type": "",
    "previous_fuel": "2800",
    "previous_heat": "110",
    "previous_vehicle_amount": "2900",
    "led_lighting": "yes",
    "waste_sorting": "yes",
}
REQUIRED = ("industry", "region", "employees", "revenue", "electricity")


class _Form(HTMLParser):
    """The rating form as a browser holds it: what it would send now (each text field's value, each
    select's chosen option or else its first, each ticked box) and each field's attributes."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str | None]] = {}
        self._select: str | None = None
        self._first: str | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag in ("input", "select") and name:
            self.attrs[name] = found
        if tag == "input" and name and found.get("type") in ("text", "hidden"):
            self.values[name] = found.get("value") or ""
        elif tag == "input" and name and found.get("type") == "checkbox" and "checked" in found:
            self.values[name] = found.get("value") or "on"
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select is not None:
            value = found.get("value") or ""
            self._first = value if self._first is None else self._first
            if "selected" in found:
                self.values[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.values.setdefault(self._select, self._first or "")
            self._select = None


def _post(client: Any, lang: str, answers: dict[str, str]) -> Any:
    return client.post(f"/?lang={lang}", data={**answers, "form_token": _token(client)})


def assert_kept(answers: dict[str, str], page: str) -> None:
    """Every answer is back in the form as it was sent, and no box is ticked that was not."""
    form = _Form(page)
    kept = {name: value for name, value in form.values.items() if form.attrs[name].get("type") != "hidden"}
    sent = {name: value for name, value in answers.items() if value or name in kept}
    assert kept == sent


def summary_links(page: str) -> dict[str, str]:
    """The error summary's links, by the field each goes to, with their text as read out."""
    summary = r'<div class="alert" role="alert" id="error-summary" tabindex="-1" autofocus>(.*?)</div>'
    found = re.search(summary, page, re.S)
    assert found is not None, "no error summary taking the focus"
    links = re.findall(r'<li><a href="#(\w+)">(.*?)</a></li>', found[1])
    return {field: html.unescape(text) for field, text in links}


def assert_refused_at(page: str, lang: str, field: str, said: str) -> None:
    """``field`` refused with ``said``: in the summary after the field's label, linked to the field, and
    at the field, which is invalid and described by it."""
    t = texts(lang)
    assert summary_links(page)[field] == f"{t[field]}{t['colon']}{said}"
    at = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page)
    assert at is not None and html.unescape(at[1]) == said
    attrs = _Form(page).attrs[field]
    assert attrs.get("id") == field and attrs.get("aria-invalid") == "true"
    assert f"{field}-error" in str(attrs.get("aria-describedby")).split()
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    assert page.count("<title>") == 1 and f"<title>{html.escape(t['error_prefix'])}greenrate" in page


def test_every_answer_given_is_rated(make_app: AppFactory) -> None:
    """The answers the refusals below change one at a time are accepted as they are."""
    assert _post(_app(make_app).test_client(), "en", EVERY_ANSWER).status_code == 303


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_required_field_left_empty_is_refused_at_the_field(make_app: AppFactory, lang: str) -> None:
    client = _app(make_app).test_client()
    form = _Form(client.get(f"/?lang={lang}").get_data(as_text=True))
    assert tuple(name for name, attrs in form.attrs.items() if "required" in attrs) == REQUIRED
    t = texts(lang)
    for field in REQUIRED:
        answers = {**EVERY_ANSWER, field: ""}
        refused = _post(client, lang, answers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, field
        # a choice left empty asks for one; a figure says what it asks (not "please fill this in")
        said = t["invalid_choice"] if form.attrs[field].get("type") is None else t[f"{field}_required"]
        assert_refused_at(page, lang, field, said)
        assert_kept(answers, page)
    # all of them at once: each in the summary, in the form's order
    answers = {**EVERY_ANSWER, **dict.fromkeys(REQUIRED, "")}
    page = _post(client, lang, answers).get_data(as_text=True)
    assert tuple(summary_links(page)) == REQUIRED
    for field in REQUIRED:
        assert_refused_at(page, lang, field, summary_links(page)[field].split(t["colon"], 1)[1])
    assert_kept(answers, page)


#: Each number field, the answers that make it asked and its range (:data:`LIMITS`): the vehicles' amount
#: and the electricity have one range by the fuel or the unit chosen, last year's amounts this year's.
NUMBERS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("employees", {}, "employees"),
    ("revenue", {"revenue_confirmed": "yes"}, "revenue"),
    ("electricity", {}, "electricity_kwh"),
    ("electricity", {"electricity_unit": "bill", "green_share": "", "green_vintage": ""},
     "electricity_spend"),
    ("green_share", {}, "green_share"),
    ("fuel_amount", {}, "fuel_amount"),
    ("heat_amount", {}, "heat_amount"),
    ("refrigerant_kg", {}, "refrigerant_kg"),
    ("refrigerant_kg_2", {}, "refrigerant_kg_2"),
    ("vehicles", {}, "vehicles"),
    ("vehicle_amount", {}, "vehicle_fuel_quantity"),
    ("vehicle_amount", {"vehicle_fuel": "electric"}, "vehicle_km"),
    ("floor_area", {}, "floor_area"),
    ("water", {}, "water"),
    ("waste", {}, "waste"),
    ("waste_recycled", {}, "waste_recycled"),
    ("previous_electricity", {}, "previous_electricity"),
    ("previous_fuel", {}, "fuel_amount"),
    ("previous_heat", {}, "heat_amount"),
    ("previous_vehicle_amount", {}, "vehicle_fuel_quantity"),
)


def _outside(bounds: Bounds) -> tuple[float, float]:
    """A figure below the range and one above it."""
    return bounds.minimum - 1, bounds.maximum * 10


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("field", "context", "limit"), NUMBERS, ids=[f"{f}-{k}" for f, _, k in NUMBERS])
def test_every_number_out_of_range_is_refused_at_the_field(
    make_app: AppFactory, lang: str, field: str, context: dict[str, str], limit: str
) -> None:
    client = _app(make_app).test_client()
    for figure in _outside(LIMITS[limit]):
        error = LIMITS[limit].error_for(figure)
        assert error is not None and error.key in ("too_small", "too_large")
        answers = {**EVERY_ANSWER, **context, field: f"{figure:.0f}"}
        refused = _post(client, lang, answers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, answers[field]
        assert summary_links(page).keys() == {field}, answers[field]  # this figure alone is refused
        assert_refused_at(page, lang, field, message(lang, error.key, error.params))
        assert_kept(answers, page)


def test_the_form_leaves_its_checks_to_the_server_and_still_says_what_is_required(
    make_app: AppFactory,
) -> None:
    """``novalidate`` on the form: the browser submits whatever is typed, and the server's refusals above
    answer it; the required fields keep ``required``, which screen readers announce."""
    page = _app(make_app).test_client().get("/?lang=zh").get_data(as_text=True)
    assert '<form method="post" action="/?lang=zh" id="rating-form" novalidate>' in page
    required = [name for name, attrs in _Form(page).attrs.items() if "required" in attrs]
    assert tuple(required) == REQUIRED


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("field", "box", "answers"),
    [
        ("revenue", "revenue_confirmed", {"revenue": "90"}),  # 11 yuan a year per employee
        ("electricity", "bill_confirmed", {"electricity_unit": "bill", "electricity": "200万",
                                           "green_share": "", "green_vintage": ""}),
    ],
)
def test_a_figure_to_confirm_names_the_box_to_tick_by_its_label(
    make_app: AppFactory, lang: str, field: str, box: str, answers: dict[str, str]
) -> None:
    """"Tick the box below" (“勾选下方的确认框”) named the box by where it sits, which the summary above the
    form, and a screen reader reading the field's description, have no "below" for."""
    page = _post(_app(make_app).test_client(), lang, {**EVERY_ANSWER, **answers}).get_data(as_text=True)
    label = re.search(rf'<input type="checkbox" id="{box}"[^>]*> <label for="{box}">(.*?)</label>', page)
    assert label is not None, "the box to confirm with is offered"
    said = summary_links(page)[field]
    assert f"“{html.unescape(label[1])}”" in said and "below" not in said and "下方" not in said
    assert_refused_at(page, lang, field, said.split(texts(lang)["colon"], 1)[1])


def test_switching_language_on_a_refused_form_says_what_is_still_wrong_in_that_language(
    make_app: AppFactory,
) -> None:
    """The switch kept the answers of a refused form but dropped its errors: an owner who switched to read
    them in Chinese read none. They are checked again on the switch, so one corrected before it is gone."""
    client = _app(make_app).test_client()
    answers = {**EVERY_ANSWER, "employees": "", "water": "-1"}
    page = _post(client, "en", answers).get_data(as_text=True)
    for lang in ("zh", "en"):  # to Chinese, and back
        # what the browser sends with the switch: the form as it stands
        switched = client.post(f"/?lang={lang}", data={**_Form(page).values, "switch_language": "1"})
        page = switched.get_data(as_text=True)
        assert switched.status_code == 200 and "Location" not in switched.headers  # not rated
        assert tuple(summary_links(page)) == ("employees", "water")
        assert_refused_at(page, lang, "employees", texts(lang)["employees_required"])
        assert_refused_at(page, lang, "water", message(lang, "too_small", {"min": "0"}))
        assert_kept(answers, page)
    corrected = {**_Form(page).values, "employees": "8", "switch_language": "1"}
    page = client.post("/?lang=zh", data=corrected).get_data(as_text=True)
    assert tuple(summary_links(page)) == ("water",) and 'id="employees-error"' not in page
    corrected = {**_Form(page).values, "water": "300", "switch_language": "1"}
    page = client.post("/?lang=en", data=corrected).get_data(as_text=True)
    assert 'class="error"' not in page and "<title>greenrate" in page and "answers_refused" not in page


def _message(page: str) -> str | None:
    """The words of a refused request, above the form (none: ``None``)."""
    found = re.search(r'<p class="alert" role="alert" id="form-message"[^>]*>(.*?)</p>', page)
    return None if found is None else html.unescape(found[1])


def test_switching_language_says_why_a_refused_request_was_not_rated_in_that_language(
    make_app: AppFactory,
) -> None:
    """The switch kept a refused request's answers but dropped why nothing was rated (the form expired,
    the records down, too many ratings from the address): an owner who switched to read it read nothing.
    The page carries which refusal it was; the switch says it in the other language, the wait read again
    without spending the budget, and says none once the budget is there."""
    app = _app(make_app, PAGE_RATE_LIMIT="1 per hour")
    client = app.test_client()

    def switched(page: str, lang: str, **extra: Any) -> str:
        answer = client.post(f"/?lang={lang}", data={**_Form(page).values, "switch_language": "1"}, **extra)
        assert answer.status_code == 200 and "Location" not in answer.headers  # nothing rated or spent
        return str(answer.get_data(as_text=True))

    expired = client.post("/?lang=en", data={**EVERY_ANSWER, "form_token": "stale"})
    assert expired.status_code == 400
    page = expired.get_data(as_text=True)
    for lang in ("zh", "en"):  # to Chinese, and back
        page = switched(page, lang)
        assert _message(page) == texts(lang)["csrf"]
        assert_kept(EVERY_ANSWER, page)
    services = services_of(app)
    real_db = services.db
    services.db = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    try:
        down = _post(client, "en", EVERY_ANSWER)  # spends the hour's one rating, then finds no records
        assert down.status_code == 503
        page = switched(down.get_data(as_text=True), "zh")
    finally:
        services.db = real_db
    assert _message(page) == texts("zh")["form_unavailable"]
    limited = _post(client, "zh", EVERY_ANSWER)
    assert limited.status_code == 429
    page = switched(limited.get_data(as_text=True), "en")
    minutes = -(-int(limited.headers["Retry-After"]) // 60)
    t = texts("en")
    assert _message(page) in {t["too_many"].format(wait=t["wait_minutes"].format(n=n))
                              for n in (minutes, minutes - 1)}
    assert_kept(EVERY_ANSWER, page)
    # an address whose budget is there has nothing to wait for, whatever the page it switches says
    elsewhere = switched(page, "zh", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert _message(elsewhere) is None and "request_refused" not in elsewhere
