"""The refrigerant recharged, on the merchant page: a restaurant's air conditioning and cold room.

Schema 1.13 takes ``refrigerants`` (Scope 1 fugitive emissions, kg x GWP100), but the page never asked it, so
every owner's disclosure said Scope 1 leaves refrigerant leaks out, and a restaurant owner with a cold room
had no way to give the R-404A the engineer topped up. The page asks it as it asks the heat: "not sure"
leaves ``refrigerants`` out, "none recharged" sends ``[]``, and a gas its kg from the service invoice; a
second row takes a second gas. The kg are held to the API's own range, and a gas the API refuses (no
GWP100 in the factor set: R-290, R-600a) is refused on its field before anything is rated.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from rating_model.operating_data import REFRIGERANT_GASES
from service.web.form import errors_at, parse_form
from service.web.form.fields import LIMITS
from service.web.i18n import chinese_marked, message, texts
from service.web.refrigerants import REFRIGERANT_CHOICES, priced
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post, _stored_input, _stored_rating
from tests.service.test_merchant_page_answers import _errors, _text

#: a hotpot restaurant in Guangdong with its electricity and gas from the bills, and no vehicles
RESTAURANT = {"industry": "5610", "region": "CN-GD", "employees": "20", "revenue": "600万",
              "electricity": "120000", "electricity_unit": "kwh", "fuel": "natural_gas",
              "fuel_amount": "9000", "vehicle_fuel": "none"}
_ABSENT = object()
_NOT_A_NUMBER = "refrigerant_kg_not_a_number"


def _refrigerants(**answers: str) -> Any:
    """The ``refrigerants`` the form makes of ``answers`` (``_ABSENT`` where it sends none)."""
    parsed = parse_form({**RESTAURANT, **answers})
    assert parsed.payload is not None, parsed.errors
    return parsed.payload.get("refrigerants", _ABSENT)


@pytest.mark.parametrize(
    ("answers", "sent"),
    [
        ({}, _ABSENT),  # the question not answered: left out, as before
        ({"refrigerant": ""}, _ABSENT),  # not sure: left out (None), never []
        ({"refrigerant": "none"}, []),  # none recharged is an answer
        ({"refrigerant": "none", "refrigerant_kg": "0"}, []),
        ({"refrigerant": "none", "refrigerant_kg": "0 kg"}, []),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3"}, [{"gas": "R-410A", "recharged_kg": 3}]),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3.5公斤"}, [{"gas": "R-410A", "recharged_kg": 3.5}]),
        ({"refrigerant": "R-404A", "refrigerant_kg": "１２千克"}, [{"gas": "R-404A", "recharged_kg": 12}]),
        # the air conditioning's and the cold room's, in the order given
        ({"refrigerant": "R-410A", "refrigerant_kg": "3 kg", "refrigerant_2": "R-404A",
          "refrigerant_kg_2": "12"},
         [{"gas": "R-410A", "recharged_kg": 3}, {"gas": "R-404A", "recharged_kg": 12}]),
        ({"refrigerant": "R-22", "refrigerant_kg": "2"}, [{"gas": "R-22", "recharged_kg": 2}]),
        # a gas the factor set cannot price, at 0: rated, and nothing emitted (as the API takes it)
        ({"refrigerant": "R-290", "refrigerant_kg": "0"}, [{"gas": "R-290", "recharged_kg": 0}]),
    ],
)
def test_each_refrigerant_answer_becomes_the_operating_data(answers: dict[str, str], sent: Any) -> None:
    assert _refrigerants(**answers) == sent


@pytest.mark.parametrize(
    ("answers", "field", "key"),
    [
        ({"refrigerant": "R-410A"}, "refrigerant_kg", "refrigerant_kg_needed"),  # the API requires the kg
        ({"refrigerant": "R-410A", "refrigerant_kg": "三公斤"}, "refrigerant_kg", _NOT_A_NUMBER),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3斤"}, "refrigerant_kg", _NOT_A_NUMBER),
        ({"refrigerant": "R-410A", "refrigerant_kg": "1,5"}, "refrigerant_kg", "decimal_comma"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "-1"}, "refrigerant_kg", "too_small"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "2000000"}, "refrigerant_kg", "too_large"),
        ({"refrigerant": "", "refrigerant_kg": "3"}, "refrigerant_kg", "refrigerant_needs_gas"),
        ({"refrigerant": "none", "refrigerant_kg": "3"}, "refrigerant_kg", "refrigerant_kg_beside_none"),
        ({"refrigerant": "R-12", "refrigerant_kg": "3"}, "refrigerant", "invalid_choice"),  # not the API's
        ({"refrigerant": "R-290", "refrigerant_kg": "1"}, "refrigerant", "refrigerant_no_gwp"),
        ({"refrigerant": "R-600a", "refrigerant_kg": "0.2"}, "refrigerant", "refrigerant_no_gwp"),
        ({"refrigerant": "none", "refrigerant_2": "R-404A", "refrigerant_kg_2": "12"}, "refrigerant_2",
         "refrigerant_row_beside_none"),
        ({"refrigerant_2": "R-404A", "refrigerant_kg_2": "12"}, "refrigerant_2",
         "refrigerant_row_beside_unsure"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_kg_2": "12"}, "refrigerant_2",
         "refrigerant_needs_gas_row"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_2": "R-404A"}, "refrigerant_kg_2",
         "refrigerant_kg_needed"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_2": "R-290", "refrigerant_kg_2": "1"},
         "refrigerant_2", "refrigerant_no_gwp"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_2": "none", "refrigerant_kg_2": "1"},
         "refrigerant_2", "invalid_choice"),  # "none" is the first row's answer
    ],
)
def test_a_refrigerant_answer_that_cannot_be_taken_is_refused_on_its_field(answers: dict[str, str],
                                                                           field: str, key: str) -> None:
    parsed = parse_form({**RESTAURANT, **answers})
    assert parsed.payload is None
    assert {f: e.key for f, e in parsed.errors.items()} == {field: key}


def test_the_refusals_are_the_apis_own() -> None:
    """The range is the schema's ``recharged_kg`` range, and the gases refused are exactly those the
    engine refuses (none of the factor set's GWP100): the page refuses where ``POST /v1/ratings`` does."""
    bounds = LIMITS["refrigerant_kg"]
    assert LIMITS["refrigerant_kg_2"] == bounds and bounds.minimum == 0
    top = parse_form({**RESTAURANT, "refrigerant": "R-32", "refrigerant_kg": f"{bounds.maximum:.0f}"})
    assert top.payload is not None
    over = parse_form({**RESTAURANT, "refrigerant": "R-32", "refrigerant_kg": f"{bounds.maximum * 2:.0f}"})
    assert over.errors["refrigerant_kg"].params == {"max": f"{bounds.maximum:.0f}"}
    assert {gas for gas in REFRIGERANT_GASES if not priced(gas)} == {"R-290", "R-600a"}
    refused = parse_form({**RESTAURANT, "refrigerant": "R-290", "refrigerant_kg": "1"}).errors["refrigerant"]
    assert refused.key == "refrigerant_no_gwp"
    for lang in ("en", "zh"):
        assert "GWP100" in texts(lang)["refrigerant_no_gwp"]


def test_an_error_on_a_refrigerant_path_is_shown_on_its_field() -> None:
    """The schema's or the engine's error on a refrigerant path lands beside the field that sent it; the
    engine's refusal of a gas is said as the page says it (no GWP100), never a bare "not valid"."""
    values = {**RESTAURANT, "refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_2": "R-290",
              "refrigerant_kg_2": "1"}
    found = errors_at(["refrigerants.0.recharged_kg", "refrigerants.1.gas"], values)
    assert set(found) == {"refrigerant_kg", "refrigerant_2"}
    assert found["refrigerant_2"].key == "refrigerant_no_gwp"


def test_the_page_asks_the_refrigerant_in_both_languages(make_app: AppFactory) -> None:
    client = _app(make_app).test_client()
    for lang in ("en", "zh"):
        t = texts(lang)
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<label for="refrigerant">{escape(t["refrigerant"])}</label>' in page
        assert f'<p class="hint" id="refrigerant-hint">{escape(t["refrigerant_hint"])}</p>' in page
        assert '<select id="refrigerant" name="refrigerant" aria-describedby="refrigerant-hint">' in page
        options = re.findall(r'<option value="([^"]*)" (?:selected)?>([^<]*)</option>',
                             page.split('id="refrigerant"', 1)[1].split("</select>", 1)[0])
        assert options == [(c, str(escape(t["refrigerant_" + (c or "unsure")]))) for c in REFRIGERANT_CHOICES]
        assert f'<label for="refrigerant_kg">{escape(t["refrigerant_kg"])}</label>' in page
        assert re.search(r'id="refrigerant_kg" name="refrigerant_kg"[^>]* '
                         r'aria-describedby="refrigerant_kg-hint">', page)
        # the second row: its own labels, the first kg's hint, and no "not sure" or "none" of its own
        assert f'<label for="refrigerant_2">{escape(t["refrigerant_2"])}</label>' in page
        second = page.split('id="refrigerant_2"', 1)[1].split("</select>", 1)[0]
        assert re.findall(r'<option value="([^"]*)"', second) == ["", *REFRIGERANT_GASES]
        # optional, said inside the label's own closing bracket: "(kg, optional)"
        label = t["refrigerant_kg_2"]
        assert label.endswith(t["paren_close"])
        shown = label[: -len(t["paren_close"])] + t["optional_inside"] + t["paren_close"]
        assert f'<label for="refrigerant_kg_2">{escape(shown)}</label>' in page
        assert re.search(r'id="refrigerant_kg_2" name="refrigerant_kg_2"[^>]* '
                         r'aria-describedby="refrigerant_kg-hint">', page)
        # asked after the heat bought, before the vehicles
        where = page.index('id="refrigerant"')
        assert page.index('id="heat_amount"') < where < page.index('id="vehicle_fuel"')
    zh = texts("zh")
    keys = [k for k in zh if k.startswith("refrigerant")]
    assert len(keys) >= 25 and set(keys) <= set(texts("en"))
    for key in keys:  # the Chinese page's own punctuation: full-width, none of the English page's
        assert not re.search(r'[,;:()"]', zh[key]), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_refrigerant_answers_are_said_beside_the_field_and_kept(make_app: AppFactory,
                                                                       lang: str) -> None:
    client = _app(make_app).test_client()
    t = texts(lang)
    for answers, field in (
        ({"refrigerant": "R-410A", "refrigerant_kg": ""}, "refrigerant_kg"),
        ({"refrigerant": "none", "refrigerant_kg": "3"}, "refrigerant_kg"),
        ({"refrigerant": "R-404A", "refrigerant_kg": "三公斤"}, "refrigerant_kg"),
        ({"refrigerant": "R-410A", "refrigerant_kg": "3", "refrigerant_2": "R-404A",
          "refrigerant_kg_2": "-2"}, "refrigerant_kg_2"),
    ):
        error = parse_form({**RESTAURANT, **answers}).errors[field]
        said = chinese_marked(message(lang, error.key, error.params), lang)
        refused = _post(client, lang, **{**RESTAURANT, **answers})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, answers
        assert f'{t[field]}{t["colon"]}' in _errors(page), answers
        assert f'<p class="error" id="{field}-error">{said}</p>' in page, answers
        described = f'aria-describedby="refrigerant_kg-hint {field}-error" aria-invalid="true"'
        assert re.search(rf'id="{field}" name="{field}"[^>]* {described}', page), answers
        typed = answers[field]
        if typed:
            assert f'value="{escape(typed)}"' in page  # what was typed stays
        assert f'<option value="{answers["refrigerant"]}" selected>' in page  # and the answer chosen
    # a gas the factor set cannot price: refused on the gas, naming it
    refused = _post(client, lang, **{**RESTAURANT, "refrigerant": "R-290", "refrigerant_kg": "1"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    said = chinese_marked(t["refrigerant_no_gwp"], lang)
    assert f'<p class="error" id="refrigerant-error">{said}</p>' in page
    assert '<option value="R-290" selected>' in page and 'value="1"' in page
    assert re.search(r'<select id="refrigerant" name="refrigerant" aria-describedby="refrigerant-hint '
                     r'refrigerant-error" aria-invalid="true">', page)


def test_a_page_post_with_refrigerants_is_rated_with_them_and_not_sure_leaves_them_out(
    make_app: AppFactory,
) -> None:
    app = _app(make_app)
    client = app.test_client()
    answers = {**RESTAURANT, "refrigerant": "R-410A", "refrigerant_kg": "3公斤", "refrigerant_2": "R-404A",
               "refrigerant_kg_2": "10"}
    posted = _post(client, "zh", **answers)
    assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
    sent = _stored_input(app, posted.headers["Location"])
    assert sent["refrigerants"] == [{"gas": "R-410A", "recharged_kg": 3},
                                    {"gas": "R-404A", "recharged_kg": 10}]
    rating = _stored_rating(app, posted.headers["Location"])
    leaks = [line for line in rating["emissions"]["line_items"] if line["category"] == "fugitive_refrigerant"]
    assert [(line["path"], line["scope"], line["quantity"]) for line in leaks] == [
        ("refrigerants.0", 1, 3), ("refrigerants.1", 1, 10)]
    assert sum(line["tco2e"] for line in leaks) == pytest.approx(3 * 1.9235 + 10 * 3.9428, abs=1e-3)
    exclusions = rating["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
    assert not any("refrigerant leaks" in text for text in exclusions)
    result = client.get(posted.headers["Location"])
    assert result.status_code == 200
    # the result says where the top-ups went: 13 kg in all, in Scope 1
    tco2e = f"{sum(line['tco2e'] for line in leaks):,.2f}"
    zh = _text(result.get_data(as_text=True))
    assert f"补充的制冷剂（13 千克）即泄漏的量，计入范围一：{tco2e} 吨二氧化碳当量。" in zh
    en = _text(client.get(posted.headers["Location"].replace("lang=zh", "lang=en")).get_data(as_text=True))
    said = f"The refrigerant recharged (13 kg), which replaced what leaked, is in Scope 1: {tco2e} t CO2e."
    assert said in en
    # not sure is sent as nothing (the disclosure says the leaks are left out), none as []
    for choice, stored in (("", _ABSENT), ("none", [])):
        posted = _post(client, "en", **{**RESTAURANT, "refrigerant": choice})
        assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
        assert _stored_input(app, posted.headers["Location"]).get("refrigerants", _ABSENT) == stored
        rating = _stored_rating(app, posted.headers["Location"])
        exclusions = rating["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
        assert any("refrigerant leaks" in text for text in exclusions) == (choice == "")
        page = _text(client.get(posted.headers["Location"]).get_data(as_text=True))
        assert "The refrigerant recharged" not in page


def test_not_sure_is_named_among_what_was_left_out_in_the_data_notes(make_app: AppFactory) -> None:
    """"Not sure" left the leaks out of Scope 1, which the disclosure said; the page's notes on what was
    assumed or left out did not, and an owner read an inventory without them as complete. "None recharged"
    and a gas with its kg are answers: nothing is said of them."""
    from tests.service.test_merchant_page_unreported import _notes

    app = _app(make_app)
    client = app.test_client()
    said = {"en": "refrigerant leaks from air conditioning, fridges and cold rooms (Scope 1)",
            "zh": "空调、冰箱和冷库的制冷剂泄漏（范围一）"}
    for answers, left_out in (({"refrigerant": ""}, True), ({"refrigerant": "none"}, False),
                              ({"refrigerant": "R-410A", "refrigerant_kg": "3"}, False)):
        posted = _post(client, "en", **{**RESTAURANT, **answers})
        assert posted.status_code == 303, _errors(posted.get_data(as_text=True))
        for lang in ("en", "zh"):
            location = posted.headers["Location"].replace("lang=en", f"lang={lang}")
            notes = _notes(client.get(location).get_data(as_text=True))
            assert (said[lang] in notes) == left_out, (answers, notes)
            if left_out:  # in the sentence of what was left out, after Scopes 1 and 2, before Scope 3
                t = texts(lang)
                start = t["not_reported"].split("{fields}")[0]
                assert notes.startswith(start), notes
                assert notes.index(said[lang]) < notes.index("(Scope 3)" if lang == "en" else "（范围三）")


def test_a_rating_under_a_schema_that_never_asked_the_refrigerant_says_nothing_of_it() -> None:
    """Before schema 1.13 nothing asked the refrigerant recharged (the disclosure says such leaks were not
    collected): its rating is not told it left out an answer it was never asked for."""
    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.web.view.notes import data_notes

    standard = load_standard(DEFAULT_STANDARD)
    operating = {"energy": {"electricity_kwh": 100.0}}
    for schema, left_out in (("1.12", False), ("1.13", True), ("1.14", True), ("2.0", True), ("", False)):
        rating = {"data_quality": {"pcaf_score": 2, "estimated_fields": []}, "emissions": {"missing": []},
                  "versions": {"schema": schema}}
        notes = " ".join(data_notes(rating, operating, standard, "en"))
        assert ("refrigerant leaks" in notes) == left_out, schema
        answered = " ".join(data_notes(rating, {**operating, "refrigerants": []}, standard, "en"))
        assert "refrigerant leaks" not in answered, schema


def test_the_english_refusal_of_a_refrigerant_in_jin_says_how_to_convert_it() -> None:
    """"3斤" is refused on the kg (the page converts no 斤): the Chinese message says a 斤 is half a kg, the
    English said only "Enter the kg", as the waste's had until this session (a merchant-result review)."""
    parsed = parse_form({**RESTAURANT, "refrigerant": "R-410A", "refrigerant_kg": "3斤"})
    error = parsed.errors["refrigerant_kg"]
    said = str(chinese_marked(message("en", error.key, error.params), "en"))
    assert said == ('Enter the kg, such as 3 or 3 kg. If it is in <span lang="zh-CN">斤</span> (jin), halve '
                    'the figure for kg: <span lang="zh-CN">6斤</span> is 3 kg.')
    assert "1斤 = 0.5公斤" in message("zh", error.key, error.params)


def test_not_sure_is_named_before_business_travel_left_out_as_before_the_resources() -> None:
    """The refrigerants go after the Scope 1 and 2 inputs left out, before the Scope 3 ones; it found the
    Scope 3 ones by their ``resources.`` prefix, and since engine 2.13 lists business travel left out (after
    the resources) an owner who gave water and waste read the Scope 1 leaks after business travel."""
    from rating_model.standard import DEFAULT_STANDARD, load_standard
    from service.web.view.notes import data_notes

    rating = {"data_quality": {"pcaf_score": 2, "estimated_fields": []}, "versions": {"schema": "1.14"},
              "emissions": {"missing": ["energy.purchased_heat_gj", "transport.business_travel"]}}
    notes = " ".join(data_notes(rating, {"energy": {"electricity_kwh": 100.0}},
                                load_standard(DEFAULT_STANDARD), "en"))
    assert notes.index("heat bought") < notes.index("refrigerant leaks") < notes.index("business travel")
