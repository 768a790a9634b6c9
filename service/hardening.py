"""Per-request hardening: request ids, security headers, JSON-only bodies, declared query arguments only.

The request id is accepted from the caller when it is sane (so a bank can trace a call through its own
systems) and generated otherwise; it is echoed on every response, every error body and every log line.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

from flask import Flask, Request, Response, current_app, g, request
from webargs.flaskparser import abort

from schemas.fields import UNSTORABLE, UNSTORABLE_MESSAGE
from service.config.settings import Settings
from service.exceptions import INVALID_FIELDS

REQUEST_ID_HEADER = "X-Request-ID"
#: A caller's own request id is kept when it matches this whole (/openapi.json publishes it too).
REQUEST_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
_SANE_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Only the docs page runs Swagger UI's inline bootstrap script and styles, all served from this origin.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
_DOCS_BLUEPRINT = "api-docs."
_DOCS_ENDPOINT = _DOCS_BLUEPRINT + "openapi_swagger_ui"
# The service's own pages (merchant page, disclosure) run no script and load nothing: their only need is
# the <style> blocks of the templates, allowed one by one by hash (no style="" attribute, no other CSS).
_PAGE_CSP = (
    "default-src 'none'; script-src 'none'; style-src {styles}; img-src 'none'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_CSP_EXTENSION = "greenrate.page_csp"
_STATIC_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    # No other site may load an answer as a resource (an <img> or <script> of another origin, which reads
    # it into that origin's process: Spectre's way in). CORS requests are not "no-cors" loads and are
    # unaffected; a bank's servers send no Sec-Fetch headers and are unaffected too.
    ("Cross-Origin-Resource-Policy", "same-origin"),
    # A page of another origin that opens ours (or that ours opens) gets no window handle on it: the merchant
    # form's CSRF token and a rated business's figures stay out of its reach. /docs opens no pop-up (keys
    # are typed in, no OAuth2 redirect), so nothing of Swagger UI needs one.
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS_HEADER = "Strict-Transport-Security"
_HSTS_EXTENSION = "greenrate.hsts"

F = TypeVar("F", bound=Callable[..., Any])


def request_id() -> str:
    """This request's id (also valid while handling an error raised before any hook ran)."""
    rid = g.get("request_id")
    if rid is None:
        rid = g.request_id = uuid.uuid4().hex
    return cast(str, rid)


def _assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def page_csp(template_folder: Path) -> str:
    """The pages' policy: each ``<style>`` block of the templates by its SHA-256, nothing else.

    The hash covers the block's text as written, so a block must be static: one with Jinja in it would
    hash differently once rendered, and is refused here rather than silently unstyled in the browser.
    """
    blocks = {
        block
        for template in sorted(template_folder.glob("*.html"))
        for block in _STYLE_BLOCK.findall(template.read_text(encoding="utf-8"))
    }
    dynamic = [b for b in blocks if "{{" in b or "{%" in b]
    if dynamic:
        raise RuntimeError(f"a <style> block in {template_folder} uses Jinja; a CSP hash cannot cover it")
    hashes = sorted(
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'" for b in blocks
    )
    return _PAGE_CSP.format(styles=" ".join(hashes) or "'none'")


def _content_security_policy(response: Response) -> str:
    if response.mimetype != "text/html":
        return _API_CSP
    if request.endpoint == _DOCS_ENDPOINT:
        return _DOCS_CSP
    return cast(str, current_app.extensions[_CSP_EXTENSION])


def _secure_headers(response: Response) -> Response:
    # ``add`` appends without scanning: none of these headers is set anywhere else in the service.
    add = response.headers.add
    add(REQUEST_ID_HEADER, request_id())
    for name, value in _STATIC_HEADERS:
        add(name, value)
    add("Content-Security-Policy", _content_security_policy(response))
    # Only over HTTPS, as the request arrived or as the trusted proxies say (ProxyFix, GREENRATE_PROXY_HOPS):
    # a browser ignores it over plain HTTP (RFC 6797, 8.1), and a forged X-Forwarded-Proto is not believed.
    hsts = current_app.extensions[_HSTS_EXTENSION]
    if hsts and request.is_secure:
        add(HSTS_HEADER, hsts)
    # Every answer but the API's own documentation holds a tenant's or a business's data, a CSRF token, or
    # an error: none is for a shared cache (a result page at /result/rt_... had no Cache-Control at all).
    if response.status_code >= 400 or not (request.endpoint or "").startswith(_DOCS_BLUEPRINT):
        response.headers["Cache-Control"] = "no-store"
    return response


class _DuplicateKey(ValueError):
    pass


class _TooManyMembers(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _counted_objects(max_members: int) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """:func:`_unique_keys`, raising :class:`_TooManyMembers` once the body's objects hold more than
    ``max_members`` members together."""
    members = 0

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal members
        members += len(pairs)
        if members > max_members:
            raise _TooManyMembers
        return _unique_keys(pairs)

    return hook


#: UTF-8's name in a ``charset`` parameter, and its common misspelling.
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
NOT_UTF8 = (
    "JSON must be UTF-8 (RFC 8259): send the body encoded as UTF-8, with Content-Type: application/json "
    "and no charset, or charset=utf-8."
)
_NOT_UTF8_BYTES = "The request body is not valid JSON: it is not UTF-8, which JSON must be (RFC 8259)."
_BOM = b"\xef\xbb\xbf"
_BOM_REFUSED = (
    "The request body starts with a byte order mark (U+FEFF), which JSON sent over a network must not "
    "(RFC 8259): send it without one."
)


def _not_utf8(raw: bytes) -> NoReturn:
    """Refuse a body that is not UTF-8: 415 when it was declared in another charset, else 400.

    RFC 8259 makes UTF-8 the only encoding of JSON between systems and defines no ``charset`` parameter
    ("no effect on compliant recipients"), so a charset is ignored while the bytes are UTF-8 (an ASCII
    body declared ``charset=iso-8859-1`` is read as it always was). Bytes that are not UTF-8 under
    another declared charset are an encoding no body in it can fix, said as such: they were a 400 "not
    valid JSON", as if the syntax were wrong (a bank integrator's review). A UTF-8 byte order mark is
    refused by name: RFC 8259 forbids sending one and only allows a parser to ignore it, and a bank keeps
    the request's bytes for audit, which should be the JSON text the rating was read from.
    """
    if raw.startswith(_BOM):
        abort(400, message=_BOM_REFUSED)
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in _UTF8_NAMES:
        abort(415, message=NOT_UTF8)
    abort(400, message=_NOT_UTF8_BYTES)


#: The most members (``"key": value`` pairs) all objects of one document may hold together, for the
#: operations that take one (a rating's operating data, a profile, a key, a model, a promotion). The largest
#: operating data the schema accepts, every list full and the previous year's too, holds about 2,000. The
#: bound exists because a body filled to the 2 MB limit with unknown fields (150,000 of them) took ~8 s of
#: a worker to refuse, field by field, as a 4.5 MB answer, against 30 ms for a rating: any key's, a
#: borrower's merchant key's included (``PUT /v1/merchants/{id}/profile``), 1,200 times a minute (security
#: review). A batch holds up to 100 documents and is budgeted by its items instead.
MAX_JSON_MEMBERS = 10_000
_TOO_MANY_MEMBERS = (
    f"The request body is too large: its objects hold more than {MAX_JSON_MEMBERS} fields together, "
    "more than any document this operation takes."
)

#: Deepest nesting of arrays and objects a body may have. Operating data nests five levels at most; the
#: bound exists because a body nested ~1,000 levels deep passed this module's parse and then overflowed
#: the stack in webargs' own parse, deeper in the call stack (a 500).
MAX_JSON_DEPTH = 32
_TOO_DEEP = "The request body is nested too deeply."


def _refuse_unparseable(raw: bytes, max_members: int | None) -> None:
    """400 for JSON that is well-formed but ambiguous or unreadable, before webargs parses it.

    webargs turns only ``JSONDecodeError`` into a 400: a body nested 10,000 levels deep raised
    ``RecursionError`` and an integer of 5,000 digits a plain ``ValueError``, both 500s. A key given twice
    in one object is refused (as I-JSON, RFC 7493, requires) because parsers disagree on which value
    wins, and a bank's systems and ours must read the same numbers. One extra parse of a body of a few
    hundred bytes costs microseconds.
    """
    try:
        # decoded as UTF-8 here, as webargs decodes it: json.loads(bytes) would also take UTF-16 and UTF-32,
        # and a UTF-8 byte order mark, which webargs then refused as plain "not valid JSON"
        hook = _unique_keys if max_members is None else _counted_objects(max_members)
        document = json.loads(raw.decode(), object_pairs_hook=hook)
    except RecursionError:
        abort(400, message=_TOO_DEEP)
    except _TooManyMembers:
        abort(413, message=_TOO_MANY_MEMBERS)
    except _DuplicateKey as exc:
        abort(
            400,
            message=f"The request body is not valid JSON: the key {str(exc)!r} appears twice in an object.",
        )
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
        if not isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
            abort(400, message="The request body holds a number too long to read.")
        if isinstance(exc, UnicodeDecodeError) or raw.startswith(_BOM):
            _not_utf8(raw)
        # An empty body too: webargs would read it as "no body" and answer 422 for the missing fields.
        abort(400, message="The request body is not valid JSON.")
    # Fewer brackets than the limit cannot nest deeper than it: the walk runs only for large bodies.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _deeper_than(document, MAX_JSON_DEPTH):
        abort(400, message=_TOO_DEEP)


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iteratively: the point is not to recurse)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def request_body() -> bytes:
    """The request body, or 413 if it is longer than the limit even when it came without a length.

    A chunked body has no ``Content-Length`` to refuse up front; Werkzeug then reads it up to the limit
    and stops there silently, so a body too large arrived cut short and was answered "not valid JSON".
    A body that fills the limit exactly is taken as one that went past it.
    """
    data = request.get_data(cache=True)
    environ = request.environ
    # with a length (and no chunking, which overrides it), Werkzeug refused a body too long up front
    if "CONTENT_LENGTH" not in environ or "HTTP_TRANSFER_ENCODING" in environ:
        limit = request.max_content_length
        if limit is not None and len(data) >= limit:
            abort(413)
    return data


def _json_body(max_members: int | None) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not request.is_json:
                abort(415, message="Send the body as JSON with Content-Type: application/json.")
            _refuse_unparseable(request_body(), max_members)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


#: Refuse a body that is not JSON with 415, JSON nobody can read with 400 (415 for bytes in a declared
#: charset other than UTF-8: :func:`_not_utf8`), and one document holding more than
#: :data:`MAX_JSON_MEMBERS` members with 413, before parsing it.
json_body = _json_body(MAX_JSON_MEMBERS)
#: :data:`json_body` for a batch of documents (``POST /v1/ratings/batch``): its members are not counted, its
#: items are (the tenant's budget of batch items).
json_batch_body = _json_body(None)


#: The paths whose operations take only the query arguments they declare: the API. The merchant page, its
#: result pages, the docs and the ops endpoints keep reading what they read (``?lang=``, ``?as=``).
API_PREFIX = "/v1/"
_QUERY_ARGS_EXTENSION = "greenrate.query_args"
_QUERY_LOCATIONS = frozenset({"query", "querystring"})
UNKNOWN_QUERY_ARGUMENT = "Unknown field."  # marshmallow's words, as a body's unknown field is answered
REPEATED_QUERY_ARGUMENT = "Given more than once; give it once."


def declared_query_args(view: Callable[..., Any], method: str) -> frozenset[str] | None:
    """The names of the query arguments a view declares for ``method`` (``@blp.arguments(..., location=
    "query")``, read from the documentation flask-smorest keeps on the view, so what is accepted is what
    /openapi.json publishes); ``None`` for a method the view does not implement (``OPTIONS``: answered by
    Flask itself)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, "get" if method == "HEAD" else method.lower(), None)
        if handler is None:
            return None
    else:
        handler = view
    parameters = getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    names: set[str] = set()
    for parameter in parameters:
        if parameter.get("in") in _QUERY_LOCATIONS:
            schema = parameter["schema"]
            fields = (schema() if isinstance(schema, type) else schema).fields
            names.update(f.data_key or name for name, f in fields.items() if not f.dump_only)
    return frozenset(names)


def _refuse_undeclared_query(req: Request) -> None:
    """422 for a query argument the API operation does not declare, as for an unknown field of a body, and
    for a declared one given more than once.

    Most operations declare none, and webargs ignores the query string of an operation that reads none, so
    ``POST /v1/ratings?dry_run=true`` issued and recorded a rating (a bank integrator's review): the
    contract says unknown fields are refused, never silently dropped. Called by :func:`_check_url` only
    for a request with a query string, so a request without one (every ``POST /v1/ratings`` of a bank's
    client) pays nothing for it; the declared names are read once per endpoint and method.
    """
    rule = req.url_rule
    if rule is None or not rule.rule.startswith(API_PREFIX):  # no route (404, 405): nothing declared
        return
    app: Flask = cast(Any, current_app)._get_current_object()
    known: dict[tuple[str, str], frozenset[str] | None] = app.extensions[_QUERY_ARGS_EXTENSION]
    key = (rule.endpoint, req.method)
    if key not in known:
        known[key] = declared_query_args(app.view_functions[rule.endpoint], req.method)
    declared = known[key]
    if declared is None:
        return
    errors = {name: [UNKNOWN_QUERY_ARGUMENT] for name in req.args if name not in declared}
    # webargs reads the first of a repeated argument that is not a list (none of the API's is: a test
    # checks), so `?limit=10&limit=20` answered a page of 10 (a bank integrator's review): which one the
    # caller meant is not known, and a proxy or a framework reading the last would see another request
    errors.update({name: [REPEATED_QUERY_ARGUMENT] for name, values in req.args.lists()
                   if len(values) > 1 and name in declared})
    if errors:
        abort(422, message=INVALID_FIELDS, errors=dict(sorted(errors.items())))


def _check_url() -> None:
    """A NUL or lone surrogate in a path segment names nothing (404); in a query value, it is a 422; so is
    a query argument the API operation does not declare (:func:`_refuse_undeclared_query`).

    PostgreSQL cannot hold NUL in text, so such a value reaching a query raised a 500 there (SQLite just
    found no row). Bodies are covered field by field by the schemas (:func:`schemas.fields.text`). One
    hook for both: each hook costs a call per request, with or without a query string.
    """
    # The request itself, looked up once: each attribute read through the ``request`` proxy costs a
    # context lookup (about 1 µs on a 2-core host), this hook's main cost before.
    req: Request = cast(Any, request)._get_current_object()
    if any(isinstance(v, str) and UNSTORABLE.search(v) for v in (req.view_args or {}).values()):
        abort(404)
    if not req.query_string:  # most requests have none: no MultiDict is built for them
        return
    bad = sorted({name for name, value in req.args.items(multi=True) if UNSTORABLE.search(value)})
    if bad:
        abort(
            422,
            message="Some query parameters are invalid.",
            errors={name: [UNSTORABLE_MESSAGE] for name in bad},
        )
    _refuse_undeclared_query(req)


def hsts_value(max_age_seconds: int) -> str | None:
    """``Strict-Transport-Security`` for ``max_age_seconds`` (``GREENRATE_HSTS_MAX_AGE_SECONDS``); ``None``
    for 0, which sends none.

    No ``includeSubDomains``: it binds every host under this one's name, which the domain's owner decides
    (at the proxy, with this set to 0), not this service.
    """
    return f"max-age={max_age_seconds}" if max_age_seconds > 0 else None


def init_app(app: Flask, settings: Settings) -> None:
    """Register first: the id must exist before any other hook logs or fails."""
    app.extensions[_CSP_EXTENSION] = page_csp(Path(app.root_path) / (app.template_folder or "templates"))
    app.extensions[_HSTS_EXTENSION] = hsts_value(settings.hsts_max_age_seconds)
    app.extensions[_QUERY_ARGS_EXTENSION] = {}
    app.before_request(_assign_request_id)
    app.before_request(_check_url)
    app.after_request(_secure_headers)
