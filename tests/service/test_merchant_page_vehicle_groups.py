"""Several groups of vehicles on the merchant page: a small delivery business's two diesel vans and its
electric car. The page took one fleet item (one fuel, one class) where the API takes a list, so a mixed
fleet could only be rated as one of its kinds. Each group is a fleet item now, added with a button of the
form (no script), refused at its own fields in both languages, and one group is sent as before.
"""

from __future__ import annotations

import html
import re
from typing import Any

from service.web.form import errors_at, parse_form
from service.web.form.vehicles import LATER_ROW_FIELDS, MAX_VEHICLE_ROWS
from service.web.i18n import texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import FORM, _app, _post, _stored_input, _stored_rating
from tests.service.test_merchant_page_answers import _errors

#: a courier's fleet: two diesel vans by their litres and an electric car by its km
COURIER = {
    **FORM, "industry": "5320",
    "vehicle_fuel": "diesel", "vehicle_kind": "van", "vehicles": "2", "vehicle_amount": "3,000升",
    "vehicle_fuel_2": "electric", "vehicle_kind_2": "car", "vehicles_2": "1", "vehicle_amount_2": "12000 km",
    "vehicle_rows": "2",
}


def test_one_group_is_sent_to_the_engine_as_the_page_sent_it() -> None:
    """A one-group form sends the operating data it sent before the groups: the later groups' empty fields
    and the count of groups shown change nothing, and a form without them (a page served before) reads the
    same."""
    for one in (
        {"vehicle_fuel": "diesel", "vehicles": "2"},
        {"vehicle_fuel": "diesel", "vehicles": "2", "vehicle_amount": "1,500升", "vehicle_kind": "van"},
        {"vehicle_fuel": "electric", "vehicles": "1", "vehicle_amount": "8000 km", "vehicle_kind": "car"},
        {"vehicle_fuel": "none"}, {"vehicle_fuel": ""},
    ):
        before = parse_form({**FORM, **one})
        assert before.payload is not None, before.errors
        # as a browser posts the groups shown but left empty: each kind select sends its first answer
        empty = {f: "car" if f.startswith("vehicle_kind_") else "" for f in LATER_ROW_FIELDS}
        padded = parse_form({**FORM, **one, **empty, "vehicle_rows": "4"})
        assert padded.payload == before.payload, one
    assert parse_form({**FORM, "vehicle_fuel": "diesel", "vehicles": "2", "vehicle_kind": "van"}).payload[
        "transport"] == {"fleet": [{"fuel": "diesel", "vehicles": 2, "vehicle_type": "van"}]}
    assert "transport" not in parse_form({**FORM, "vehicle_fuel": ""}).payload  # type: ignore[operator]


def test_two_diesel_vans_and_an_electric_car_are_two_fleet_items(make_app: AppFactory) -> None:
    app = _app(make_app)
    client = app.test_client()
    response = _post(client, **COURIER)
    assert response.status_code == 303, _errors(response.get_data(as_text=True))
    assert _stored_input(app, response.headers["Location"])["transport"]["fleet"] == [
        {"fuel": "diesel", "vehicles": 2, "vehicle_type": "van", "fuel_quantity": 3000, "unit": "L"},
        {"fuel": "electric", "vehicles": 1, "km": 12000},
    ]
    lines = _stored_rating(app, response.headers["Location"])["emissions"]["line_items"]
    priced = {line["path"] for line in lines if ".fleet." in line["path"]}
    assert priced == {"transport.fleet.0", "transport.fleet.1"}
    # an empty group between two is skipped: its items are the groups given a fuel, in order
    gap = {**COURIER, "vehicle_rows": "3", "vehicle_fuel_3": "gasoline", "vehicles_3": "1",
           **{k: "" for k in ("vehicle_fuel_2", "vehicle_kind_2", "vehicles_2", "vehicle_amount_2")}}
    fleet = parse_form(gap).payload["transport"]["fleet"]  # type: ignore[index]
    assert [item["fuel"] for item in fleet] == ["diesel", "gasoline"]
    # not answered in the first group, a fuel in the second: the second is the fleet
    later = parse_form({**FORM, "vehicle_fuel_2": "diesel", "vehicles_2": "1"}).payload
    assert later is not None and later["transport"] == {"fleet": [{"fuel": "diesel", "vehicles": 1}]}


def test_a_group_is_added_with_a_button_of_the_form_without_script(make_app: AppFactory) -> None:
    """The page has no script: another group is asked for with a submit button, which posts the answers
    and gets them back with one group more, rating nothing and spending no budget, up to the last group."""
    app = _app(make_app)
    client = app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "<script" not in page
    assert page.count('<fieldset class="group"') == 1 and "<legend>Vehicle group 1</legend>" in page
    button = re.search(r'<button type="submit" class="link" id="add-vehicle-group"[^>]*>([^<]*)</button>',
                       page)
    assert button and button.group(1) == "Add another vehicle group"
    assert 'name="add_vehicle_group"' in button.group(0) and "formnovalidate" in button.group(0)
    assert 'formaction="/?lang=en"' in button.group(0)
    assert 'aria-describedby="vehicle-groups-hint"' in button.group(0)
    # the rating's own button comes before it, so Enter in a field still rates
    assert page.index(">Rate my business</button>") < page.index('id="add-vehicle-group"')
    answers = {**FORM, "vehicle_fuel": "diesel", "vehicle_kind": "van", "vehicles": "2", "vehicle_rows": "1"}
    added = client.post("/?lang=zh", data={**answers, "add_vehicle_group": "1"})  # no token: nothing rated
    text = added.get_data(as_text=True)
    assert added.status_code == 200 and text.count('<fieldset class="group"') == 2
    assert "<legend>第2组车辆</legend>" in text and 'name="vehicle_rows" value="2"' in text
    assert re.search(r'<select id="vehicle_fuel_2" name="vehicle_fuel_2"[^>]* autofocus>', text)
    assert '<option value="van" selected>' in text and 'id="vehicles" name="vehicles"' in text
    assert 'value="2"' in text and 'id="error-summary"' not in text  # answers kept, nothing called wrong
    assert '<option value="" selected>不填（此组留空）</option>' in text
    assert 'formaction="/?lang=zh"' in text
    # last year's amount is asked of each group shown, under "more details"
    label = "上一年第2组车辆用量（加油升数或行驶公里数，选填）"
    assert f'<label for="previous_vehicle_amount_2">{label}</label>' in text
    most = {**answers, "vehicle_rows": str(MAX_VEHICLE_ROWS), "add_vehicle_group": "1"}
    shown = client.post("/", data=most).get_data(as_text=True)
    assert shown.count('<fieldset class="group"') == MAX_VEHICLE_ROWS
    assert 'id="add-vehicle-group"' not in shown
    # a count of groups that is not one is read as one, never as a page of thousands of groups
    for sent in ("abc", "999999", "-3"):
        odd = client.post("/", data={**answers, "vehicle_rows": sent, "add_vehicle_group": "1"})
        assert odd.get_data(as_text=True).count('<fieldset class="group"') == 2, sent


def test_every_group_is_a_fieldset_with_a_legend_and_every_field_has_its_label(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    data = {**FORM, "vehicle_rows": "3"}
    page = client.post("/?lang=en", data={**data, "add_vehicle_group": "1"}).get_data(as_text=True)
    groups = re.findall(r'<fieldset class="group" id="vehicle-group-(\d)">\s*<legend>([^<]*)</legend>', page)
    assert groups == [(str(n), f"Vehicle group {n}") for n in range(1, 5)]
    fields = re.findall(r'<(?:input type="text"|select) id="([a-z_0-9]+)" name="\1"', page)
    labelled = set(re.findall(r'<label for="([a-z_0-9]+)">', page))
    assert fields and set(fields) <= labelled
    assert {"vehicle_fuel_4", "vehicle_kind_4", "vehicles_4", "vehicle_amount_4"} <= set(fields)
    # a later group repeats no hint: its fields are described by the first group's
    assert 'id="vehicle_amount_4" name="vehicle_amount_4" inputmode="decimal" autocomplete="off" value="" ' \
        'aria-describedby="vehicle_amount-hint"' in page
    assert len(set(re.findall(r' id="([^"]+)"', page))) == len(re.findall(r' id="([^"]+)"', page))


def test_a_groups_errors_are_said_at_its_own_fields_in_both_languages(make_app: AppFactory) -> None:
    """A lorry counted alone in the second group is refused at the second group's amount, named in the
    summary with its group, in English and Chinese; every group's answers come back, the groups answered
    shown even where the page's count of groups was not sent."""
    client = _app(make_app).test_client()
    answers = {**COURIER, "vehicle_fuel_3": "diesel", "vehicle_kind_3": "hgv", "vehicles_3": "1"}
    del answers["vehicle_rows"]
    for lang, label, said in (
        ("en", "Vehicle group 3, Per year, these vehicles together (litres of fuel bought, or km driven)",
         "For lorries, give the litres of fuel bought in the year"),
        ("zh", "第3组车辆，这组车辆全年用量（加油升数或行驶公里数）", "货车请填写全年加油升数"),
    ):
        refused = _post(client, lang, **answers)
        text = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 422 and text.count('<fieldset class="group"') == 3
        error = re.search(r'<p class="error" id="vehicle_amount_3-error">([^<]*)</p>', text)
        assert error and said in error.group(1), lang
        assert 'aria-describedby="vehicle_amount-hint vehicle_amount_3-error" aria-invalid="true"' in text
        assert f'<a href="#vehicle_amount_3">{label}{texts(lang)["colon"]}{error.group(1)}</a>' in text, lang
        assert 'id="vehicle_amount-error"' not in text and 'id="vehicle_amount_2-error"' not in text
        for field in ("vehicle_amount", "vehicle_amount_2", "vehicles_3"):
            assert re.search(f'id="{field}" name="{field}"[^>]* value="{re.escape(answers[field])}"', text)
        assert '<select id="vehicle_kind_3" name="vehicle_kind_3"' in text
        assert re.search(r'<option value="hgv" selected>', text)
    # with several groups shown, the first group's fields are named by their group too
    first = _post(client, "en", **{**answers, "vehicles": ""}).get_data(as_text=True)
    assert '<a href="#vehicles">Vehicle group 1, Number of vehicles: ' in first
    # the language switch of a refused form says it again in the other language, the groups kept
    switched = client.post("/?lang=zh", data={**answers, "switch_language": "1", "answers_refused": "1"})
    assert 'id="vehicle_amount_3-error"' in switched.get_data(as_text=True)


def test_what_a_group_may_not_be_is_refused_at_its_fuel() -> None:
    """"None" is the first group's answer: beside another group it is asked which is true, and a later
    group offers no "none" to choose."""
    beside_none = parse_form({**FORM, "vehicle_fuel": "none", "vehicle_fuel_2": "diesel", "vehicles_2": "1"})
    assert beside_none.errors["vehicle_fuel_2"].key == "vehicle_groups_beside_none"
    assert set(beside_none.errors) == {"vehicle_fuel_2"}
    assert parse_form({**FORM, "vehicle_fuel_2": "none"}).errors["vehicle_fuel_2"].key == "invalid_choice"
    counted = parse_form({**FORM, "vehicles_2": "3"})
    assert counted.errors["vehicles_2"].key == "vehicle_needs_fuel"
    for key in ("vehicle_groups_beside_none", "previous_vehicles_every_group", "lorry_km_needs_diesel"):
        assert texts("en")[key] != texts("zh")[key], key


def test_the_engines_refusal_of_an_item_is_shown_at_its_group() -> None:
    """Errors of the API's schema or the engine name a fleet item by its index; the page shows each at the
    group it came from (an empty group between two is no item), read by that group's own fuel and units."""
    values = parse_form({**COURIER, "vehicle_fuel_2": "", "vehicle_kind_2": "", "vehicles_2": "",
                         "vehicle_amount_2": "", "vehicle_fuel_3": "electric", "vehicles_3": "1",
                         "vehicle_amount_3": "5000 km", "previous_vehicle_amount_3": "1"}).values
    found = errors_at(["transport.fleet.1.fuel", "transport.fleet.1.km", "transport.fleet.0.vehicle_type",
                       "previous_year.transport.fleet.1.km", "transport.fleet"], values)
    assert {f: e.key for f, e in found.items()} == {
        "vehicle_fuel_3": "invalid", "vehicle_amount_3": "invalid", "vehicle_kind": "invalid",
        "previous_vehicle_amount_3": "invalid", "vehicle_fuel": "invalid"}


def test_last_years_amounts_are_of_every_group_or_of_none(make_app: AppFactory) -> None:
    """The engine compares the fleet as a whole: last year's figure of one group alone would have read as
    the other group bought this year. Every group's, or none; 0 for a group not run last year."""
    app = _app(make_app)
    client = app.test_client()
    both = {**COURIER, "previous_electricity": "29000", "fuel": "none",
            "previous_vehicle_amount": "2800", "previous_vehicle_amount_2": "0"}
    response = _post(client, **both)
    assert response.status_code == 303, _errors(response.get_data(as_text=True))
    assert _stored_input(app, response.headers["Location"])["previous_year"]["transport"] == {"fleet": [
        {"fuel": "diesel", "fuel_quantity": 2800, "unit": "L", "vehicle_type": "van"},
        {"fuel": "electric", "km": 0}]}
    rating: dict[str, Any] = _stored_rating(app, response.headers["Location"])
    change = {c["indicator"]: c for c in rating["contributions"]}["emissions_change"]["value"]
    assert change is not None
    for lang in ("en", "zh"):
        refused = _post(client, lang, **{**both, "previous_vehicle_amount_2": ""})
        text = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 422
        said = re.search(r'<p class="error" id="previous_vehicle_amount_2-error">([^<]*)</p>', text)
        assert said and said.group(1) == texts(lang)["previous_vehicles_every_group"], lang
        assert '<details id="more-details" open>' in text  # the field in error is not hidden


def test_a_worker_of_the_release_before_the_groups_cannot_rate_this_pages_form(make_app: AppFactory) -> None:
    """During the deploy that brings the groups, a page served by this release may be posted to a web worker
    of the release before, which reads the first group only (and no "add another group"): it rated the form
    on that group, the others dropped without a word. The page's token is under a name that release does not
    read, so it refuses the form as expired, 400 with the answers shown again; this release takes the token
    under either name (a page of the release before holds one group) (an SRE's review, H3)."""
    app = _app(make_app)
    client = app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "csrf_token" not in set(re.findall(r'name="([^"]+)"', page))  # what the release before checks
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found
    rated = client.post("/?lang=en", data={**COURIER, "form_token": found.group(1)})
    assert rated.status_code == 303, _errors(rated.get_data(as_text=True))
    before = client.post("/?lang=en", data={**FORM, "employees": "9", "csrf_token": found.group(1)})
    assert before.status_code == 303  # a form of the release before's page, its token under the old name
