"""The merchant page: ``GET /`` (the form), ``POST /`` (rate), ``GET /result/<id>`` and its disclosure.

Decision (documented in the README, "For merchants"): the page rates without an API key and records every
rating under the reserved tenant ``_public``, through the same issuing function as ``POST /v1/ratings``.
``_public`` cannot be a key's tenant (tenant names start with a letter or digit), so no bank can list
these ratings; a result is reachable only through its unguessable 128-bit id, which is what makes the
disclosure link on the page work for the owner and any bank the owner sends it to. POST answers with a
redirect to the result (post/redirect/get), so reloading never re-submits and the language switch keeps
the result. CSRF: :mod:`service.web.csrf`. Rate limit: ``GREENRATE_PAGE_RATE_LIMIT`` per client address.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from rating_model.disclosure import build_disclosure
from rating_model.estimation import bill_tariff
from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
from rating_model.vsme import vsme_export
from service.auth import Principal
from service.disclosure.render import render_html, render_pdf
from service.errors import PAGE_ERRORS, UNAVAILABLE_RATING_ERRORS, dependency_unavailable
from service.extensions import services
from service.hardening import request_id
from service.limits import address_tag, budget_wait, hit_budget
from service.logging import PAGE_BLUEPRINT, PAGE_TENANT
from service.lost_answers import commit_sent
from service.ratings.issuing import issue_rating
from service.ratings.routes import _context as issuing_context
from service.ratings.routes import signing_key
from service.records.rating_inputs import get_rating_with_input
from service.web import csrf
from service.web.amounts import FieldError
from service.web.form import errors_at, parse_form
from service.web.form.choices import (
    INDUSTRIES,
    PRACTICES,
    REGIONS,
    VEHICLE_AMOUNTS,
    VEHICLE_CHOICES,
    VEHICLE_KINDS,
)
from service.web.form.fields import DETAIL_CHOICES, DETAIL_FIELDS, GENERAL, NAME_MAX_LENGTH, reporting_year
from service.web.form.vehicles import MAX_VEHICLE_ROWS, ROWS_FIELD, field_of_row, row_field, rows_shown
from service.web.fuels import BOTTLE_SIZES_KG, FUEL_CHOICES, PREVIOUS_FUEL_CHOICES
from service.web.heat import HEAT_CHOICES
from service.web.i18n import chinese_marked, choose_language, disclosure_time, local_time, money, texts
from service.web.i18n import message as error_message
from service.web.labels import in_language, industry_words, item_label, place_words
from service.web.refrigerants import REFRIGERANT_CHOICES, ROW_CHOICES
from service.web.view import business_word, grouped
from service.web.view.bars import chart_rows, emission_bars, pillar_bars
from service.web.view.disclosure import disclosure_value
from service.web.view.loan import green_loan_line, knock_out_names, lasting_knock_outs
from service.web.view.notes import data_notes, estimated_fields, scopes_note, unanswered_note
from service.web.view.plan import (
    grade_caps,
    grade_ladder,
    held_back,
    held_back_heading,
    next_grade,
    plan,
    plan_overlaps,
)
from service.web.view.reasons import reasons

PUBLIC_TENANT = PAGE_TENANT
_PUBLIC = Principal(key_id=None, prefix=None, tenant=PUBLIC_TENANT, role="page")
_RATING_ID = "string(maxlength=40):rating_id"
#: the form's language switch: a post that only asks for the form again in the other language
SWITCH_FIELD = "switch_language"
#: the form's "add another vehicle group": a post that only asks for the form again with one group more (a
#: button of the form, so it works without JavaScript, as the language switch does)
ADD_ROW_FIELD = "add_vehicle_group"
#: sent with a form that came back refused: its language switch checks the answers again, so the form in the
#: other language says what is still wrong (a form not yet submitted is switched without a word of error)
REFUSED_FIELD = "answers_refused"
#: sent with a form whose request was refused as a whole, naming why (the key of its words): the switch says
#: it again in the other language, the wait of a spent budget read again (:func:`_refusal_again`)
REQUEST_REFUSED_FIELD = "request_refused"
#: the request-level refusals: the form expired, too many ratings from the address, the records down (before
#: the rating was committed, or after its COMMIT was sent, when it may have been recorded)
REQUEST_REFUSALS = ("csrf", "too_many", "form_unavailable", "form_unavailable_recorded")

#: the key of the pages' budget of ratings and PDFs per client address (:func:`_over_page_limit`)
_PAGE_BUDGET = "merchant-page"
#: The largest form body read (413 beyond): every answer at its longest, the name in Chinese, is about 2 KB.
#: The service's 2 MB limit is the API's; a form filled to it with numbers like "1万1万…" took ~0.8 s of a
#: worker to read and send back refused, before the token or the address's budget is looked at: about
#: 100 refused forms' work for one request from anyone (security review).
FORM_MAX_BYTES = 64 * 1024

bp = Blueprint(PAGE_BLUEPRINT, __name__)  # named in the access log, which keeps its rating ids out
# for the disclosure page too (rendered by service.disclosure.render, for the API as well as this page)
bp.add_app_template_global(item_label, "item_label")
bp.add_app_template_global(place_words, "place_words")
bp.add_app_template_global(industry_words, "industry_words")
bp.add_app_template_global(disclosure_value, "disclosure_value")
bp.add_app_template_global(in_language, "in_language")
bp.add_app_template_global(estimated_fields, "estimated_fields")
bp.add_app_template_global(money, "money")
bp.add_app_template_global(local_time, "local_time")
bp.add_app_template_filter(grouped, "grouped")  # the result page's figures (the disclosure's are ``num``)
bp.add_app_template_global(disclosure_time, "disclosure_time")
bp.add_app_template_global(chart_rows, "chart_rows")  # the result page's bars, each row where it goes
bp.add_app_template_filter(chinese_marked, "chinese_marked")  # Chinese in English text, tagged as Chinese


def _form_page(
    lang: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, FieldError] | None = None,
    status: int = 200,
    refusal: str | None = None,
    retry_after: int | None = None,
    add_row: bool = False,
) -> Response:
    """The form with ``values``, ``errors`` at their fields, and ``refusal``'s words (one of
    :data:`REQUEST_REFUSALS`; ``too_many`` with the ``retry_after`` seconds to wait) above them;
    ``add_row``: with one vehicle group more than it showed, which takes the focus."""
    t = texts(lang)
    errors = dict(errors or {})
    refused = bool(errors)
    message = None
    if refusal == "too_many":
        message = _too_many(lang, retry_after or 1)
    elif refusal is not None:
        message = t[refusal]
    general = errors.pop(GENERAL, None)
    if general is not None and message is None:
        message = error_message(lang, general.key, general.params)
    raw, signed = csrf.issue()
    given = values or {}
    # the "more details" part opens when it holds an answer or an error: neither is hidden from the owner
    rows = rows_shown(given, add_row)
    details = (*DETAIL_FIELDS, *DETAIL_CHOICES,
               *(row_field("previous_vehicle_amount", row) for row in range(2, rows + 1)))
    details_open = any(str(given.get(f) or "").strip() for f in details) or bool(errors.keys() & set(details))
    html = render_template(
        "merchant.html",
        t=t,
        lang=lang,
        industries=INDUSTRIES,
        regions=REGIONS,
        practices=PRACTICES,
        values=values or {"practices": set()},
        errors={f: chinese_marked(error_message(lang, e.key, e.params), lang) for f, e in errors.items()},
        field_labels={f: _field_label(f, t, rows) for f in errors},
        unlikely_revenue=errors.get("revenue") is not None and errors["revenue"].key == "revenue_unlikely",
        unlikely_bill=errors.get("electricity") is not None and errors["electricity"].key == "bill_unlikely",
        fuel_choices=_options(FUEL_CHOICES, "fuel_"),
        previous_fuel_choices=tuple(PREVIOUS_FUEL_CHOICES.items()),
        bottle_sizes=BOTTLE_SIZES_KG,
        heat_choices=_options(HEAT_CHOICES, "heat_"),
        refrigerant_choices=_options(REFRIGERANT_CHOICES, "refrigerant_"),
        # a second gas, or left empty: "not sure" and "none" are the first row's answers
        refrigerant_row_choices=(("", "refrigerant_row_empty"), *_options(ROW_CHOICES[1:], "refrigerant_")),
        details_open=details_open,
        vehicle_choices=_options(VEHICLE_CHOICES, "vehicle_fuel_"),
        vehicle_kinds=_options(VEHICLE_KINDS, "vehicle_kind_"),
        # a later group is a fuel or left empty: "none" and "not answered" are the first group's answers
        vehicle_row_choices=(("", "vehicle_fuel_row_empty"),
                             *((fuel, "vehicle_fuel_" + fuel) for fuel in VEHICLE_AMOUNTS)),
        vehicle_rows=rows,
        max_vehicle_rows=MAX_VEHICLE_ROWS,
        rows_field=ROWS_FIELD,
        add_row_field=ADD_ROW_FIELD,
        new_row=rows if add_row and rows > 1 else None,
        name_max_length=NAME_MAX_LENGTH,
        reporting_year=reporting_year(),
        privacy_contact=services().settings.privacy_contact,
        csrf_field=csrf.FIELD,
        switch_field=SWITCH_FIELD,
        refused_field=REFUSED_FIELD if refused else None,
        request_refused_field=REQUEST_REFUSED_FIELD,
        refusal=refusal,
        csrf_token=signed,
        message=None if message is None else chinese_marked(message, lang),
    )
    response = make_response(html, status)
    csrf.set_cookie(response, raw)
    return response


def _field_label(form_field: str, t: Mapping[str, str], rows: int) -> str:
    """How the error summary names a field: its label; a vehicle group's, with the group's name where the
    page shows more than one (``rows``): each group's fields are labelled alike, under the group's legend.
    Last year's amounts name their group in their own labels."""
    group = field_of_row(form_field)
    if group is None or (group[1] == 1 and (rows == 1 or group[0] == "previous_vehicle_amount")):
        return t[form_field]
    name, row = group
    if name == "previous_vehicle_amount":
        return t["previous_vehicle_amount_row"].format(n=row)
    label = t["vehicle_fuel_row"] if name == "vehicle_fuel" and row > 1 else t[name]
    return t["vehicle_group"].format(n=row) + t["comma"] + label


def _options(choices: tuple[str, ...], prefix: str) -> tuple[tuple[str, str], ...]:
    """A question's answers with the key of each one's label: ``prefix`` and the answer, "unsure" for the
    one left empty ("not sure", "not answered")."""
    return tuple((choice, prefix + (choice or "unsure")) for choice in choices)


def _over_page_limit() -> int | None:
    """One hit against this client's page budget; once spent, the seconds to wait.

    Only the expensive actions count, and from one budget (as docs/operations.md says): a rating, and a
    PDF, which takes WeasyPrint about a second of a worker. They had counted apart, so an address got
    twice the documented work, most of it keyless PDF rendering (security review). Pages themselves are
    cheap reads of a stored rating.
    """
    return hit_budget(services().settings.page_rate_limit, _PAGE_BUDGET, _client_network())


def _client_network() -> str:
    """The client's address, or its /64 for IPv6 (one subscriber usually holds a whole /64, and counting
    each of its addresses apart would hand it billions of budgets), as its budget is named in Redis: its
    :func:`~service.limits.address_tag`, never the address."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address_tag(address)
    return address_tag(str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip))


def _too_many(lang: str, retry_after: int, what: str = "too_many") -> str:
    """The 429 sentence with the real wait (a budget of a few per hour is not "a minute")."""
    t = texts(lang)
    if retry_after < 120:
        wait = t["wait_seconds"].format(n=retry_after)
    else:
        wait = t["wait_minutes"].format(n=-(-retry_after // 60))
    return t[what].format(wait=wait)


@bp.get("/")
def form() -> Response:
    return _form_page(choose_language())


@bp.post("/")
def rate() -> BaseResponse:  # a page, or the redirect to the rating (Werkzeug's response class)
    lang = choose_language()
    limit = request.max_content_length  # GREENRATE_MAX_BODY_BYTES: a lower one still holds
    request.max_content_length = FORM_MAX_BYTES if limit is None else min(limit, FORM_MAX_BYTES)
    parsed = parse_form(request.form, _bill_tariff())
    add_row = bool(request.form.get(ADD_ROW_FIELD))
    if request.form.get(SWITCH_FIELD) or add_row:  # the language switch, or one vehicle group more
        # A refused form's errors are said again in that language, of the answers as they are now: checked
        # again, not carried, so one corrected before the switch is not still called wrong. The engine's
        # own refusals (reached only past these checks) are not: finding them means rating, and the switch
        # spends no budget and needs no token. A refused request's words are said again too, as they
        # stand now (:func:`_refusal_again`): they had been dropped, and an owner who switched to read why
        # nothing was rated read nothing. A vehicle group added is the same: the answers as they are, with
        # a group more, rating nothing (an owner adding a group has not finished answering).
        errors = parsed.errors if request.form.get(REFUSED_FIELD) else None
        refusal, retry_after = _refusal_again(request.form.get(REQUEST_REFUSED_FIELD))
        return _form_page(lang, parsed.values, errors, refusal=refusal, retry_after=retry_after,
                          add_row=add_row)
    # Whatever is refused, the answers come back in the form: nothing the merchant typed is lost.
    if not csrf.valid():
        return _form_page(lang, parsed.values, status=400, refusal="csrf")
    if parsed.payload is None:  # refused before any work: does not spend the address's budget
        return _form_page(lang, parsed.values, parsed.errors, status=422)
    retry_after = _over_page_limit()
    if retry_after is not None:
        response = _form_page(lang, parsed.values, status=429, refusal="too_many", retry_after=retry_after)
        response.headers["Retry-After"] = str(retry_after)
        return response
    try:
        issued = issue_rating(issuing_context(), _PUBLIC, parsed.payload)
    except (InvalidInputError, InvalidInputErrors) as exc:  # the engine's cross-field rules
        return _form_page(lang, parsed.values, errors_at(exc.errors, parsed.values), status=422)
    except FactorNotFoundError as exc:
        errors = errors_at([exc.field or GENERAL], parsed.values)
        return _form_page(lang, parsed.values, errors, status=422)
    except UNAVAILABLE_RATING_ERRORS as exc:  # the records or the model are down: keep what was typed
        dependency_unavailable(exc)
        # "nothing was saved" is known only while no COMMIT was sent: one whose answer was lost may have
        # recorded the rating (service.lost_answers), which the same answers sent again are shown with
        refusal = "form_unavailable_recorded" if commit_sent() else "form_unavailable"
        response = _form_page(lang, parsed.values, status=503, refusal=refusal)
        response.headers["Retry-After"] = str(services().settings.retry_after_seconds)
        return response
    return redirect(url_for("merchant_page.result", rating_id=issued.id, lang=lang), code=303)


def _refusal_again(sent: str | None) -> tuple[str | None, int | None]:
    """What the form switched to the other language says of the refusal the form was sent back with
    (``sent``, the key its page carried; anything else is ignored): the same words, but the wait of a
    spent budget is read again without spending it, and a budget that has come back since is not a
    refusal any more (as a corrected answer is no longer called wrong). An expired form and records that
    were down are said as they were: the switch sends no token and rates nothing that could test them."""
    if sent not in REQUEST_REFUSALS:
        return None, None
    if sent == "too_many":
        wait = budget_wait(services().settings.page_rate_limit, _PAGE_BUDGET, _client_network())
        return (None, None) if wait is None else (sent, wait)
    return sent, None


def _bill_tariff() -> float | None:
    """The tariff (CNY per kWh) a bill will be converted at: the standard of this request's engine, the
    one that rates it; ``None`` when no engine can be had now (the rating then answers 503, keeping the
    answers)."""
    try:
        return bill_tariff(issuing_context().loaded.engine.standard)
    except UNAVAILABLE_RATING_ERRORS:
        return None


def init_app(app: Flask) -> None:
    """Serve the page at ``/``, and answer a browser's errors outside the API as pages (see
    :func:`service.errors.respond`): a 405 from routing or a database down reaches the app-wide handlers,
    which would otherwise show a shop owner the API's JSON."""
    app.register_blueprint(bp)
    app.extensions[PAGE_ERRORS] = page_error


#: paths programs read (the API, its docs, the probes): their errors stay JSON whatever ``Accept`` says
_MACHINE_PREFIXES = ("/v1/", "/docs")
_MACHINE_PATHS = frozenset({"/openapi.json", "/healthz", "/readyz", "/metrics"})


def page_error(code: int, headers: Mapping[str, str]) -> Response | None:
    """The error as a page when a visitor's browser made the request; ``None`` (the JSON body) otherwise.

    A request is a visitor's when it was routed to this page, or when it is outside the API's paths and
    its ``Accept`` prefers HTML to JSON (a browser's does; curl's ``*/*`` and no header at all do not).
    """
    path = request.path
    if request.blueprint != bp.name:
        if path.startswith(_MACHINE_PREFIXES) or path in _MACHINE_PATHS:
            return None
        accept = request.accept_mimetypes
        if accept.quality("text/html") <= accept.quality("application/json"):
            return None
    return error_page(code, headers)


def error_page(
    code: int, headers: Mapping[str, str], message: str | None = None, result_url: str | None = None
) -> Response:
    """The page of an error, in the visitor's language, with the request id to quote when asking for help:
    ``message`` says what happened where the code alone cannot (how long to wait), and ``result_url``
    leads back to the rating the request came from (the form's link alone would leave its result behind).
    """
    lang = choose_language()
    t = texts(lang)
    if message is None:
        messages = {404: t["error_not_found"], 413: t["error_too_large"], 503: t["error_unavailable"]}
        message = messages.get(code, t["error_generic"]).format(code=code)
    html = render_template(
        "error.html", t=t, lang=lang, message=message, request_id=request_id(), result_url=result_url
    )
    response = make_response(html, code)
    for name, value in headers.items():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value  # Allow, Retry-After
    return response


@bp.errorhandler(HTTPException)
def _page_error(error: HTTPException) -> Response:
    """A page's own error (a mistyped result link, an unknown ``?as=``, a form too large)."""
    return error_page(error.code or 500, dict(error.get_headers()))


def page_provenance() -> dict[str, str]:
    """Where a page rating's figures came from, for the bank its link or PDF is handed to.

    Anyone can rate any answers on the page, as often as they like, under a tenant no bank can list, and
    hand over the best result: the disclosure had shown the grade and "No input figure was estimated" with
    nothing saying the answers were the business's own and checked by no bank (adversarial review). A
    bank's own ratings do not carry it: the bank lists every rating of its tenant.
    """
    return {
        "issued_through": "public_page",
        "note": texts("en")["provenance_public_page"],
        "note_zh": texts("zh")["provenance_public_page"],
    }


def _stored(rating_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = get_rating_with_input(services().db, PUBLIC_TENANT, rating_id, key=signing_key())
    if found is None:
        abort(404)
    return json.loads(found.result_json), json.loads(found.input_json)


@bp.get(f"/result/<{_RATING_ID}>")
def result(rating_id: str) -> str:
    lang = choose_language()
    rating, operating = _stored(rating_id)
    t = texts(lang)
    standard = services().engines.held().engine.standard
    lasting = lasting_knock_outs(standard)
    # the year rated, as the rating recorded it (a rating viewed a year on is still of its own year)
    year = operating.get("company", {}).get("reporting_year")
    return render_template(
        "result.html",
        t=t,
        lang=lang,
        rating=rating,
        company=operating.get("company", {}),
        rated_year=year,
        pillars=pillar_bars(rating, lang),
        emissions=emission_bars(rating, t),
        scopes_note=scopes_note(rating, lang, operating),
        data_notes=data_notes(rating, operating, standard, lang),
        unanswered=unanswered_note(operating, lang),
        reasons=reasons(rating, standard, lang, operating),
        plan=plan(rating, lang, t, year),
        overlaps=plan_overlaps(rating, standard, lang, t),
        next_grade=next_grade(rating, lang, t, year),
        held_back=held_back(rating, lang, operating, standard),
        held_back_heading=held_back_heading(rating, t, lasting),
        green_loan=green_loan_line(rating, standard.min_loan_grade, t, knock_out_names(standard, lang),
                                   business_word(operating, lang), lasting),
        ladder=grade_ladder(rating, standard, t),
        caps=grade_caps(rating, standard, lang, lasting),
    )


@bp.get(f"/result/<{_RATING_ID}>/disclosure")
def disclosure(rating_id: str) -> Response:
    """The disclosure of a page rating: ``?as=html`` (default), ``pdf`` (a download), ``json`` or ``vsme``."""
    lang = choose_language()
    rating, operating = _stored(rating_id)
    kind = request.args.get("as", "html")
    if kind == "vsme":
        return Response(
            json.dumps(vsme_export(rating, operating), ensure_ascii=False), mimetype="application/json"
        )
    doc = {**build_disclosure(rating, operating), "provenance": page_provenance()}
    if kind == "json":
        return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")
    html = render_html(doc, lang)
    if kind == "pdf":
        retry_after = _over_page_limit()
        if retry_after is not None:
            # the site's error page in the page's language, which the browser shows: the link is no
            # ``download`` link (result.html), and the plain text it had answered was never seen
            return error_page(
                429,
                {"Retry-After": str(retry_after)},
                _too_many(lang, retry_after, "too_many_pdf"),
                url_for("merchant_page.result", rating_id=rating_id, lang=lang),
            )
        name = f"greenrate-disclosure-{rating_id}.pdf"
        return Response(
            render_pdf(html),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if kind != "html":
        abort(404)
    return Response(html, mimetype="text/html")
