"""The merchant page's English, from a plain-language review (GOV.UK style): no PCAF on the owner's page,
Scope 2's two figures explained in short sentences, one word for the green electricity an owner buys, and
refusals that say how to put the answer right."""

from __future__ import annotations

import re

from service.web.catalogue import form_errors, questions, result
from service.web.i18n import texts
from tests.conftest import AppFactory
from tests.service.test_merchant_page import _app, _post
from tests.service.test_merchant_page_answers import _text

#: the longest sentence the owner's page may say, in words: the scopes note had one of 80
LONGEST_SENTENCE = 45


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def test_the_result_page_explains_its_figures_without_the_banks_jargon(make_app: AppFactory) -> None:
    """"Data quality (PCAF score, 1 measured to 5 mostly estimated)" named a carbon-accounting body an owner
    has never heard of, and Scope 2 was "location-based at your grid's average factor ..., market-based ...
    at the national residual factor" in one sentence of 80 words. The disclosure a bank reads keeps PCAF."""
    client = _app(make_app).test_client()
    location = _post(client, "en", green_share="20").headers["Location"]
    page = _text(client.get(location).get_data(as_text=True))
    owner = page.split("Your green rating:", 1)[1]  # the words under the heading, not the page's style sheet
    assert "PCAF" not in owner and "residual" not in owner and "-based" not in owner
    scale = r"Data quality: [1-5] on a scale from 1 \(all measured\) to 5 \(mostly estimated\)\."
    assert re.search(scale, owner)
    note = owner.split("Scope 1 is the fuel", 1)[1].split("Scope 3 is your water", 1)[0]
    assert "Location: all of it at your grid's average" in note and "Market: the green electricity" in note
    for key in ("scopes_explained", "scopes_explained_factors", "unanswered", "from_bill", "estimated"):
        for sentence in _sentences(result.EN[key]):
            assert len(sentence.split()) <= LONGEST_SENTENCE, (key, sentence)
    disclosure = client.get(location.split("?")[0] + "/disclosure?lang=en").get_data(as_text=True)
    assert "PCAF data-quality score" in disclosure


def test_the_owners_words_call_it_green_electricity() -> None:
    """The form asked for "Green power bought", the plan said "Buy certified green electricity" and the
    scopes note "the green power you bought": one thing, two names. The scheme keeps its own name, green
    power trading (绿电交易), as the plan's action names it."""
    for words in (questions.EN, form_errors.EN, result.EN):
        for key, text in words.items():
            assert "green power" not in text.lower().replace("green power trading", ""), key
    assert questions.EN["green_share"].endswith("(%)")  # the optional label's bracket: "(%, optional)"


def test_what_goes_unscored_is_the_energy_use() -> None:
    """"your energy is then not scored" beside the result's "Energy use against sector peers": what is not
    scored is the energy use, as the heat's "Not sure" says."""
    for words in (questions.EN, form_errors.EN):
        for key, text in words.items():
            assert "your energy is" not in text, key
    assert "your energy use is then not scored" in questions.EN["fuel_unsure"]
    assert "your energy use is then not scored" in questions.EN["heat_unsure"]


def test_the_green_share_beside_a_bill_says_how_to_put_it_right(make_app: AppFactory) -> None:
    """"Give the electricity in kWh to report the green power bought" did not say where the kWh are chosen,
    nor that the share may be left out."""
    client = _app(make_app).test_client()
    for lang, said in (
        ("en", "To give the green electricity you bought, give your electricity use in kWh (choose “kWh” "
               "under “Unit”), or leave this empty."),
        ("zh", "要填写购买的绿色电力，请以千瓦时填写用电量（把“单位”改为“千瓦时（度）”），或将此项留空。"),
    ):
        page = _post(client, lang, electricity="6000", electricity_unit="bill", green_share="50")
        assert page.status_code == 422
        assert said in _text(page.get_data(as_text=True))
        t = texts(lang)
        assert t["unit_kwh"] in said and t["electricity_unit"] in said  # the words the form shows


def test_the_disclosure_lists_estimated_figures_without_a_plural_in_brackets(make_app: AppFactory) -> None:
    """"1 input figure(s) were estimated" and "1 inventory figure(s) rest on" read as a form letter: the
    figures are listed, not counted (the Chinese keeps its count, which needs no plural)."""
    client = _app(make_app).test_client()
    vans = {"vehicle_fuel": "diesel", "vehicle_kind": "van", "vehicles": "2"}
    location = _post(client, "en", **vans).headers["Location"]
    base = location.split("?")[0]
    english = _text(client.get(f"{base}/disclosure?lang=en").get_data(as_text=True))
    assert "(s)" not in english
    assert "Input figures estimated from the standard's sector defaults: Fuel burned on site" in english
    assumed = "Inventory figures that rest on greenrate's assumptions rather than reported data: Vehicles'"
    assert assumed in english
    chinese = _text(client.get(f"{base}/disclosure?lang=zh").get_data(as_text=True))
    assert "1 项输入数据按标准的行业默认值估算" in chinese and "1 项排放数据基于 greenrate 的假设" in chinese


def test_the_error_pages_say_what_to_do(make_app: AppFactory) -> None:
    """"The form sent was too large." said nothing of what to do, and "could not be served (405)" was the
    server's word for it."""
    from tests.service.test_merchant_page import FORM, _token

    client = _app(make_app, MAX_BODY_BYTES=4096).test_client()
    for lang, said in (
        ("en", "The form sent was too large: shorten the longest answer, such as the business name, and send "
               "it again."),
        ("zh", "提交的表单过大：请缩短过长的内容（例如店铺名称）后重新提交。"),
    ):
        page = client.post(f"/?lang={lang}", data={**FORM, "company_name": "店" * 5000,
                                                    "form_token": _token(client)})
        assert page.status_code == 413 and said in _text(page.get_data(as_text=True))
    wrong = client.put("/?lang=en", headers={"Accept": "text/html"})
    assert wrong.status_code == 405
    assert "The request could not be completed (error 405)." in _text(wrong.get_data(as_text=True))
