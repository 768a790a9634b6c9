"""OpenAPI helpers shared by the blueprints: the bearer scheme, documented error responses, the request id."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from apispec import APISpec, BasePlugin
from flask_smorest import Blueprint
from limits import parse_many
from marshmallow import validate
from marshmallow.fields import Field

from schemas.rating import EXTENSIBLE_ENUM
from service.config.settings import Settings
from service.hardening import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key from `greenrate keys create` or `POST /v1/keys`, sent as "
    "`Authorization: Bearer <key>`.",
}


def documented(
    blp: Blueprint, *error_codes: int, operation: str, secured: bool = True,
    responses: dict[str, Any] | None = None, parameters: list[dict[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Document the operation's id, the bearer key and the error statuses a view can answer (each with the
    one error body), and any other ``responses`` (a 304, say) and header ``parameters`` it has.

    ``operation`` is the ``operationId`` a generated client names its function by (``create_rating``):
    without one, generators derived names from the paths (``post_v1_ratings_batch``), which any change of
    a path would rename (client review). One ``blp.doc`` instead of one ``alt_response`` per status: each
    smorest decorator adds a wrapper that runs on every request, and documentation should cost nothing
    at run time.
    """
    # every /v1 operation refuses a query argument it does not declare (service.hardening), so each can
    # answer 422 whether or not its own arguments can be invalid
    codes = sorted({*error_codes, 422}) if secured else error_codes
    doc: dict[str, Any] = {
        "operationId": operation,
        "responses": {**{str(code): HTTPStatus(code).name for code in codes}, **(responses or {})},
    }
    if parameters:
        doc.update(added_parameters(*parameters))  # beside any the view's arguments make, not over them
    if secured:
        doc["security"] = [{"bearerAuth": []}]
    return blp.doc(**doc)  # type: ignore[no-any-return]


#: Component name of the request-id header (``components/headers``) and parameter (``components/parameters``).
REQUEST_ID = "X_REQUEST_ID"

REQUEST_ID_RESPONSE_HEADER = {
    "description": "This request's id: the caller's own `X-Request-ID` when it was sane, else one the "
    "service generated. Every answer carries it, errors also as `request_id`, and the service's log line "
    "for the request names it: quote it when reporting a problem.",
    "required": True,
    "schema": {"type": "string", "pattern": f"^{REQUEST_ID_PATTERN}$"},
}

REQUEST_ID_PARAMETER = {
    "name": REQUEST_ID_HEADER,
    "required": False,
    "description": "Your own id for this request, to trace it through your systems: kept, echoed in the "
    f"`X-Request-ID` answer header and logged when it matches `{REQUEST_ID_PATTERN}` in full; any other "
    "value (or none) is replaced by an id the service generates, never refused.",
    "schema": {"type": "string"},
}


class RequestIdPlugin(BasePlugin):
    """Declare ``X-Request-ID`` on every operation: an optional header parameter, and a header of each of
    its own (not shared) responses. The service sent and accepted it everywhere, but the document never
    said so (contract review). Shared responses get it from :func:`document_request_id_in_shared_responses`.
    """

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        spec.components.header(REQUEST_ID, REQUEST_ID_RESPONSE_HEADER)
        spec.components.parameter(REQUEST_ID, "header", REQUEST_ID_PARAMETER)

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            operation.setdefault("parameters", []).append(REQUEST_ID)
            for response in operation.get("responses", {}).values():
                if isinstance(response, dict) and "$ref" not in response:  # a name: a shared response
                    response.setdefault("headers", {})[REQUEST_ID_HEADER] = REQUEST_ID


#: Where :func:`added_parameters` keeps an operation's own parameters until :class:`AddedParametersPlugin`
#: appends them: flask-smorest merges ``blp.doc(parameters=[...])`` over the parameters its
#: ``@blp.arguments(..., location="query")`` made by replacing the list, so a documented header took the
#: query parameters' place (``POST /v1/models`` lost ``trained_by`` to ``Idempotency-Key``).
_ADDED_PARAMETERS = "x-greenrate-added-parameters"


def added_parameters(*parameters: dict[str, Any]) -> dict[str, Any]:
    """``blp.doc`` keywords adding ``parameters`` to an operation's others instead of replacing them."""
    return {_ADDED_PARAMETERS: list(parameters)}


class AddedParametersPlugin(BasePlugin):
    """Append the parameters :func:`added_parameters` set aside to the operation's own list."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            added = operation.pop(_ADDED_PARAMETERS, None)
            if added:
                operation.setdefault("parameters", []).extend(added)


def document_request_id_in_shared_responses(spec: APISpec) -> None:
    """Add the ``X-Request-ID`` header to every shared response (``components/responses``, registered or
    lazy): the operations' error statuses name those, and a header beside a ``$ref`` would be ignored.

    Run after the Api registered its responses (``GreenrateApi._register_responses`` replaces the headers
    of 429 and 503 with ``Retry-After``); each gets a new headers mapping, so one shared by several
    responses is not changed under them.
    """
    reference = spec.components.get_ref("header", REQUEST_ID)
    for responses in (spec.components.responses, spec.components.responses_lazy):
        for response in responses.values():
            response["headers"] = {**response.get("headers", {}), REQUEST_ID_HEADER: reference}


def exclusive_bounds(
    converter: Any, field: Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """Publish a ``Range`` bound that excludes its end (``min_inclusive=False``) as exclusive.

    apispec writes only ``minimum: 0`` for it, so the document said 0 was a valid ``loan.amount`` (and
    ``borrower_equity_plus_debt``, ``borrower_total_assets``, ``grid_factor.kgco2e_per_kwh``) while the
    service answered 422 (a bank integrator's review). OpenAPI 3.0 marks the bound with
    ``exclusiveMinimum: true`` beside ``minimum``; 3.1 (JSON Schema 2020-12) gives the bound itself as
    ``exclusiveMinimum`` and no ``minimum``. Either way, according to the version the document declares.
    """
    legacy = converter.openapi_version.major < 3 or converter.openapi_version.minor < 1
    out: dict[str, Any] = {}
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        for end, bound, inclusive in (("minimum", validator.min, validator.min_inclusive),
                                      ("maximum", validator.max, validator.max_inclusive)):
            if inclusive or bound is None or ret.get(end) != field._serialize(bound, None, None):
                continue
            exclusive = "exclusive" + end[0].upper() + end[1:]
            if legacy:
                out[exclusive] = True
            else:
                out[exclusive] = ret.pop(end)
    return out


def extensible_enums(
    _converter: Any, field: Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """Publish a set the standard may extend (:data:`schemas.rating.EXTENSIBLE_ENUM` in the field's
    metadata, which apispec copies) without the ``enum`` its ``OneOf`` validator would add: a generated
    client refuses a value outside an ``enum``, and such a set gains values within ``/v1``."""
    if EXTENSIBLE_ENUM in field.metadata:
        ret.pop("enum", None)
    return {}


#: The versioning and deprecation policy, in ``info.description`` and, word for word, in README.md's
#: contract section (a test holds them together). Published after a bank integrator's review found none,
#: with every answer's schema closed while ratings gained fields within /v1.
VERSIONING_POLICY = """\
`/v1` is the major version of this contract. Within `/v1` changes are additive only: new operations, new
optional request fields and query parameters, new fields in answers, and new values of the enumerations
the standard decides (knock-out ids, use-of-proceeds categories, pricing tiers) when a new standard
version is published, and new codes of a batch item's warnings. A rating's own fields come with a new
`versions.schema`; a rating is served exactly as issued, so one issued before a field was added does not
have it. Clients must ignore fields they do not know, and should take an enumeration value they do not
know as such rather than as an error: the schemas of answers in the OpenAPI document are open (no
`additionalProperties: false`) and give those enumerations as strings, today's values under
`x-extensible-enum` (an `enum` would make a generated client refuse the next one), while a request with an
unknown field is still refused (422).

Nothing is removed, renamed, retyped or given another meaning within `/v1`. Such a change comes only with a
new major path version (`/v2`), served beside `/v1` for a deprecation period of at least twelve months,
announced in CHANGES.md and on every answer of what is deprecated with the `Deprecation` header (RFC 9745:
since when) and the `Sunset` header (RFC 8594: the date after which it may stop answering). No answer
carries them today: nothing is deprecated.

The OpenAPI document's `info.version` is `<release>+schema.<documents' version>`: the greenrate release
serving it (its package version) and the version of the operating-data and rating documents that new
ratings carry in `versions.schema` (`SCHEMA_VERSION`, whose changes CHANGES.md lists)."""

_SCHEMAS = "#/components/schemas/"
_OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
#: Name of the open copy of a schema that both requests and answers use (a merchant's stored profile is the
#: operating data of a rating request): ``OperatingData`` -> ``OperatingDataResponse``.
RESPONSE_COPY = "{}Response"


def _referenced(node: Any) -> set[str]:
    """Names of the schemas ``node`` refers to (``$ref`` anywhere in it)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        own = {ref.removeprefix(_SCHEMAS)} if isinstance(ref, str) and ref.startswith(_SCHEMAS) else set()
        return own.union(*(_referenced(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_referenced(value) for value in node))
    return set()


def _closure(schemas: dict[str, Any], names: set[str]) -> set[str]:
    """``names`` and every schema they refer to, however deep."""
    found: set[str] = set()
    todo = [name for name in names if name in schemas]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += [n for n in _referenced(schemas[name]) if n in schemas]
    return found


def _opened(node: Any, copies: dict[str, str]) -> Any:
    """``node`` without ``additionalProperties: false``, its references to ``copies`` renamed (a new
    object: the one registered may be shared, a module's constant among them)."""
    if isinstance(node, dict):
        out = {key: _opened(value, copies) for key, value in node.items()
               if not (key == "additionalProperties" and value is False)}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.removeprefix(_SCHEMAS) in copies:
            out["$ref"] = _SCHEMAS + copies[ref.removeprefix(_SCHEMAS)]
        return out
    if isinstance(node, list):
        return [_opened(value, copies) for value in node]
    return node


#: What a request schema refuses by value, left out of its open copy (:func:`_as_stored`).
_REFUSALS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
    "minItems", "maxItems",
})


def _as_stored(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` (an open copy of a request schema) as a stored document may hold it: the types and the fields,
    each set of values as :data:`~schemas.rating.EXTENSIBLE_ENUM` (today's values, null left out), and no
    bound or pattern. Only typed nodes: the null branch of a nullable reference is ``enum: [null]``."""
    typed = "type" in node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if typed and key in _REFUSALS:
            continue
        if key == "properties":
            out[key] = {name: _as_stored(field) for name, field in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _as_stored(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [_as_stored(branch) for branch in value]
        else:
            out[key] = value
    if typed and "enum" in out:
        out[EXTENSIBLE_ENUM] = [value for value in out.pop("enum") if value is not None]
    return out


def open_response_schemas(spec: APISpec) -> None:
    """Open every schema an answer uses (no ``additionalProperties: false``), in the published document only.

    The contract schemas refuse unknown fields (marshmallow ``unknown=RAISE``, which apispec publishes as
    ``additionalProperties: false``), so 99 of the document's 103 schemas were closed, answers included,
    while the rating gains fields within ``/v1`` ("from schema 1.x"): a client generated with strict
    validation broke on the next additive release (a bank integrator's review). The versioning policy
    (``info.description``) tells clients to ignore unknown fields; the answers' schemas now allow them.

    Requests stay closed: an unknown request field is still a 422, and the schemas the service validates
    with (and the tests that load every rating through :class:`~schemas.rating.RatingSchema`) are
    unchanged. A schema used by both (the operating data, which a merchant's profile answers with) keeps
    its name and strictness for requests, and answers refer to an open copy (:data:`RESPONSE_COPY`).
    The copy is of a stored document, served as stored, which rules made stricter since may refuse (an
    industry code that only had its division checked before engine 2.5): it keeps the types, the fields
    and what is required, and gives each set of values as ``x-extensible-enum``, without the request's
    bounds and patterns (:func:`_as_stored`). With them, a profile stored earlier broke a generated
    client's parse of its own answer, where a one-click rating of it answers the 422 that says what to
    change. Run once every operation is registered.
    """
    schemas = spec.components.schemas
    operations = [op for item in spec._paths.values() for key, op in item.items() if key in _OPERATIONS]
    asked = _referenced([[op.get("requestBody"), op.get("parameters")] for op in operations])
    asked = _closure(schemas, asked | _referenced(list(spec.components.parameters.values())))
    answers = [*(op.get("responses") for op in operations), *spec.components.responses.values(),
               *spec.components.responses_lazy.values()]
    shared = asked & _closure(schemas, _referenced(answers))
    copies = {name: RESPONSE_COPY.format(name) for name in shared}
    if clash := set(copies.values()) & set(schemas):
        raise ValueError(f"open copies would replace schemas of the same name: {sorted(clash)}")
    # in sorted order: a set's order follows the process's hash seed, so two gunicorn workers had listed the
    # copies (and so the document's bytes, its ETag-able content) differently (a test-time review)
    for name in sorted(shared):
        copy = _as_stored(_opened(schemas[name], copies))
        copy["description"] = (
            f"`{name}` as answers carry it: the same fields, open to fields added within /v1 (ignore those "
            f"you do not know), where a request's `{name}` refuses unknown fields. It is served as it was "
            f"stored, which may be under earlier rules: each set of values is given as `x-extensible-enum` "
            f"(today's) and the bounds are the request's, which a rating of it is held to."
        )
        schemas[copies[name]] = copy
    for name in sorted(set(schemas) - asked - set(copies.values())):
        schemas[name] = _opened(schemas[name], copies)
    for op in operations:
        if "responses" in op:
            op["responses"] = _opened(op["responses"], copies)
    for responses in (spec.components.responses, spec.components.responses_lazy):
        for name, response in responses.items():
            responses[name] = _opened(response, copies)



def drop_unused_schemas(spec: APISpec) -> None:
    """Leave out of the document every schema that no operation, shared response, parameter or header
    reaches, however deep. flask-smorest registers ``PaginationMetadata`` (page numbers and ``total``, for
    the ``X-Pagination`` header of its own paging) whatever an API pages with; this one pages with cursors,
    and generated clients built a model of page numbers no answer has. Lazy components nothing asked for
    are not published, so what only they name is not reached. Run after :func:`open_response_schemas`."""
    schemas = spec.components.schemas
    operations = [op for item in spec._paths.values() for key, op in item.items() if key in _OPERATIONS]
    roots = [operations, *(dict(section) for section in (
        spec.components.responses, spec.components.parameters, spec.components.headers))]
    used = _closure(schemas, _referenced(roots))
    for name in sorted(set(schemas) - used):
        del schemas[name]


def _budget(limit: str, what: str) -> str:
    """A ``limits`` budget in words: ``1200/minute;50/second`` -> ``1200 requests per minute and 50
    requests per second``."""
    return " and ".join(
        f"{item.amount} {what} per {'' if item.multiples == 1 else f'{item.multiples} '}"
        f"{item.GRANULARITY.name}{'' if item.multiples == 1 else 's'}"
        for item in parse_many(limit)
    )


def rate_limits(settings: Settings, key_creation_budget: str) -> str:
    """The budgets a client can meet as a 429, from this deployment's settings, for ``info.description``.

    They were only in README's operator table, so a client learned them at its first 429 (a bank
    integrator's review). Read from the settings the service counts with (``key_creation_budget``: the
    keys API's own constant), so the document says what this deployment does, not the defaults.
    """
    if settings.redis_url:
        counted = (
            "The budgets are counted in Redis, shared by every process of the service; while Redis is down, "
            "each worker process counts alone and grants its share of each budget (divided by its host's "
            "worker processes, rounded up)."
        )
    else:
        counted = (
            "This deployment has no Redis: each of its worker processes counts alone, so each budget can "
            "be granted once in every worker process."
        )
    return f"""A request beyond one of these budgets is answered 429 with `Retry-After` (the seconds until the
budget's window resets; for portfolio jobs, {settings.retry_after_seconds}), with the one error body and a
`message` naming the budget. The 429 of a budget also carries the IETF draft's fields for it:
`RateLimit-Limit` (the budget's amount in its window, as counted), `RateLimit-Remaining` (0) and
`RateLimit-Reset` (seconds, the same as `Retry-After`); the 429 of the portfolio jobs (a number at once,
not a rate) carries none. Other answers carry no `RateLimit-*` (nor `X-RateLimit-*`) headers: on every
answer they would cost a cached rating more than 2% of its work. A client learns the budgets here (this
deployment's settings), and a 429 tells which one it met.

- Every `/v1` request: {_budget(settings.rate_limit, "requests")} per API key presented, across all paths
  (`GREENRATE_RATE_LIMIT`).
- `/v1` requests answered 401 (a missing, unknown, revoked or expired key):
  {_budget(settings.failed_auth_rate_limit, "requests")} per client address, across all paths; once it is
  spent, that address's requests without a valid key are answered 429 until the window resets. A valid key
  neither spends nor meets it (`GREENRATE_FAILED_AUTH_RATE_LIMIT`).
- `POST /v1/ratings/batch`: {_budget(settings.batch_item_rate_limit, "items")} per tenant, whichever of its
  keys asks; a batch that would go beyond is refused whole, and its items are counted all the same
  (`GREENRATE_BATCH_ITEM_RATE_LIMIT`).
- PDF disclosures (`Accept: application/pdf`): {_budget(settings.pdf_rate_limit, "PDFs")} per tenant, and
  as many for each merchant key apart (`GREENRATE_PDF_RATE_LIMIT`).
- `POST /v1/keys`: {_budget(key_creation_budget, "new keys")} per tenant.
- `POST /v1/portfolios`: at most {settings.portfolio_jobs_per_tenant} jobs of a tenant queued or running at
  once (`GREENRATE_PORTFOLIO_JOBS_PER_TENANT`).

{counted}"""


TOO_MANY_REQUESTS = (
    "Too Many Requests: a budget is spent (the budgets are listed in the API's description, under Rate "
    "limits). Retry after `Retry-After` seconds. The 429 of a budget (per key, or per tenant) names it in "
    "`RateLimit-Limit`, `RateLimit-Remaining` (0) and `RateLimit-Reset`; the 429 of the portfolio jobs, "
    "a number at once rather than a rate, does not. Only 429s carry `RateLimit-*` headers."
)

#: The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers) on a 429 of a budget
#: (:func:`service.limits.budget_headers`).
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "The budget that refused this request: its amount per window, as counted (per API "
        "key, or per tenant; while the service's Redis is down, the share of it that the answering worker "
        "process grants). Not on the 429 of the portfolio jobs.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "What is left of that budget in its window: 0 on a 429.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until that budget's window resets (the same as `Retry-After`).",
        "schema": {"type": "integer", "minimum": 1},
    },
}


def document_too_many_requests(spec: APISpec) -> None:
    """Say in the shared 429 answer what it means and where the budgets are (it said "Too Many Requests"),
    and declare the ``RateLimit-*`` headers a budget's 429 sends (a new headers mapping: the one registered
    is shared with the 503)."""
    for responses in (spec.components.responses, spec.components.responses_lazy):
        if "TOO_MANY_REQUESTS" in responses:
            response = responses["TOO_MANY_REQUESTS"]
            headers = {**response.get("headers", {}), **RATE_LIMIT_HEADERS}
            responses["TOO_MANY_REQUESTS"] = {
                **response, "description": TOO_MANY_REQUESTS, "headers": headers
            }
