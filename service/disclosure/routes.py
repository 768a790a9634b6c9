"""``GET /v1/ratings/{id}/disclosure``: the IFRS S2-shaped disclosure, negotiated on ``Accept``.

``application/json`` (the default), ``text/html`` (printable page) or ``application/pdf``; ``?format=vsme``
gives the VSME Basic Module export (JSON only; any other ``Accept`` answers 406). Tenant-scoped like reading
the rating: a foreign or missing id, or another merchant's rating for a merchant key, answers 404.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from rating_model.disclosure import build_disclosure
from rating_model.vsme import vsme_export
from schemas.disclosure import DisclosureSchema, VsmeExportSchema
from schemas.merchant import DisclosureQuerySchema
from service.auth import current_principal, readable_ratings_merchant, requires
from service.disclosure.render import num, pct, render_html, render_pdf, show, signed_pct
from service.extensions import services
from service.limits import spend_tenant_budget
from service.openapi import documented
from service.ratings.routes import rating_not_found, signing_key
from service.records.rating_inputs import get_rating_with_input
from service.web.i18n import choose_language

blp = Blueprint(
    "disclosure",
    __name__,
    url_prefix="/v1/ratings",
    description="The disclosure of an issued rating: IFRS S2-shaped JSON, HTML or PDF; VSME-keyed export.",
)
blp.add_app_template_filter(num, "num")
blp.add_app_template_filter(pct, "pct")
blp.add_app_template_filter(show, "show")
blp.add_app_template_filter(signed_pct, "signed_pct")

_OFFERED = ("application/json", "text/html", "application/pdf")
_PDF_NAME = {
    "description": "On a PDF: `inline`, with the file name `greenrate-disclosure-{rating_id}.pdf`.",
    "schema": {"type": "string"},
}
#: Each representation with its own schema, so a generated client reads JSON as the typed document (the
#: IFRS S2 one, or the VSME export with `?format=vsme`), HTML as text and the PDF as bytes; the JSON was
#: a free-form object before (client review).
_CONTENT = {
    "description": "The disclosure, in the representation asked for with `Accept`.",
    "headers": {"Content-Disposition": _PDF_NAME},
    "content": {
        "application/json": {"schema": {"oneOf": [DisclosureSchema, VsmeExportSchema]}},
        "text/html": {"schema": {"type": "string", "description": "Printable page."}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}


def _json(document: dict[str, Any]) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, allow_nan=False), mimetype="application/json")


@blp.route("/<rating_id:rating_id>/disclosure")
class Disclosure(MethodView):
    @documented(blp, 401, 403, 404, 406, 410, 429, 500, 503, operation="get_disclosure")
    @requires("bank", "merchant")
    @blp.arguments(DisclosureQuerySchema, location="query", unknown=None)
    @blp.doc(responses={"200": _CONTENT})
    def get(self, query: dict[str, Any], rating_id: str) -> Response:
        """The disclosure of one rating, built from the rating and input exactly as recorded.

        `Accept: application/json` (default), `text/html` or `application/pdf`. `?format=vsme` answers the
        VSME-keyed export (JSON only, 406 for any other `Accept`; each datapoint disclosed, not applicable or
        not available). A rating erased from the records answers 410 to the bank's keys, as the rating does.
        """
        principal = current_principal()
        merchant = readable_ratings_merchant(principal)
        stored = get_rating_with_input(
            services().db, principal.tenant, rating_id, merchant, key=signing_key()
        )
        if stored is None:
            rating_not_found(rating_id, merchant)
        rating, operating = json.loads(stored.result_json), json.loads(stored.input_json)
        if query["format"] == "vsme":
            return respond_vsme(vsme_export(rating, operating))
        return respond(build_disclosure(rating, operating), query.get("lang"))


def respond_vsme(export: dict[str, Any]) -> Response:
    """Answer the VSME export as JSON, or 406 when the caller does not accept JSON.

    The export exists only as JSON; a caller asking for a PDF or an image must get the same 406 the IFRS
    path gives, not a JSON body it said it cannot take.
    """
    accept = request.accept_mimetypes
    if accept and accept.best_match(("application/json",)) is None:
        abort(406, message="Acceptable for format=vsme: application/json.")
    return _json(export)


def respond(doc: dict[str, Any], lang: str | None) -> Response:
    """Answer a disclosure in the representation the caller accepts (406 when it accepts none)."""
    accept = request.accept_mimetypes
    chosen = accept.best_match(_OFFERED) if accept else "application/json"
    if chosen is None:
        abort(406, message="Acceptable: application/json, text/html, application/pdf.")
    if chosen == "application/json":
        return _json(doc)
    html = render_html(doc, lang or choose_language())
    if chosen == "text/html":
        return Response(html, mimetype="text/html")
    spend_tenant_budget(services().settings.pdf_rate_limit, "pdf", current_principal().scope, 1, "PDFs")
    name = f"greenrate-disclosure-{doc['rating']['id']}.pdf"
    return Response(
        render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
