"""Check a real answer against the schema ``/openapi.json`` serves for it, as a strict OpenAPI 3.0 validator.

openapi-schema-validator's read validator applies OpenAPI 3.0.3's own rules (``nullable`` only beside a
``type``, ``readOnly``/``writeOnly``), which JSON Schema tools and marshmallow's own ``validate`` do not: a
document that said ``financed_emissions`` could be null in a form only lenient readers accept passed every
other test while a strict client refused every rating without a loan (contract review).

A body that is not JSON (a PDF, a Parquet or CSV file, a page, the metrics text) is checked as a generated
client reads it: its media type must be one the operation declares for that status, as a string, and as
``format: binary`` unless it is ``text/*``, since openapi-python-client and its peers decode a body by the
declared media type alone (client review: "generated clients mishandle PDF/Parquet").

Every header of the answer must be declared for its status too, but for those of every answer that say
nothing of the operation (the body's framing, the security headers, ``Cache-Control: no-store``): a 401's
challenge, a 409's ``Location`` and the ETag, Last-Modified and Expires of a Parquet download went
undeclared, while schemathesis checks only the headers that are declared (a bank integrator's review).
A declared header's value must also be what its schema says (an integer ``Retry-After``, an ``X-Cache``
of its enum, an ``ETag`` of its pattern): generators type a response header by its schema and parse it
so, and neither the checks above nor schemathesis read a header's value.

An answer without a body (a 204, a 304) must be one its status declares without content.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from werkzeug.test import TestResponse


def documented_response(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The response ``spec`` documents for ``status`` of an operation, a shared one resolved."""
    documented: dict[str, Any] = spec["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in documented:  # a shared response (components/responses)
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    return documented


def body_schema_errors(media_type: str, schema: dict[str, Any]) -> list[str]:
    """What in the declared ``schema`` of a non-JSON ``media_type`` misleads a generated client."""
    errors = []
    if schema.get("type") != "string" or {"$ref", "properties", "oneOf", "allOf", "anyOf"} & set(schema):
        errors.append(f"{media_type}: declared as {schema}, not as a string body")
    if not media_type.startswith("text/") and schema.get("format") != "binary":
        errors.append(f"{media_type}: bytes declared without format: binary")
    return errors


def _closest(error: ValidationError) -> list[ValidationError]:
    """A ``oneOf`` miss as the errors of the branch it came closest to (fewest errors): "valid under none
    of the given schemas" at the root says nothing of where the disclosure left its schema."""
    if not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for inner in error.context:
        branches.setdefault(int(inner.relative_schema_path[0]), []).append(inner)
    return [e for inner in min(branches.values(), key=len) for e in _closest(inner)]


#: Headers every answer may carry whatever the operation, left out of each response's own declaration:
#: HTTP's framing, and the security headers of service/hardening.py (README: "Every response carries
#: X-Request-ID and security headers"; X-Request-ID itself is declared on every response).
EVERY_ANSWERS = frozenset({
    "content-type", "content-length", "cache-control", "x-content-type-options", "x-frame-options",
    "referrer-policy", "content-security-policy", "cross-origin-resource-policy",
    "cross-origin-opener-policy", "strict-transport-security",
})


def _header_value_errors(spec: dict[str, Any], name: str, header: dict[str, Any], value: str) -> list[str]:
    """What in the sent ``value`` of the declared ``header`` its schema refuses, read as a generated client
    reads a header of that type (``type: integer``: the text as a decimal integer)."""
    schema = header.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    read: Any = value
    if schema.get("type") == "integer":
        if not value.strip().isdigit():
            return [f"header {name}: {value!r} is not the integer declared"]
        read = int(value)
    validator = OAS30ReadValidator(schema, format_checker=oas30_format_checker)
    return [f"header {name}: {value!r}: {e.message}" for e in validator.iter_errors(read)]


def undeclared_headers(spec: dict[str, Any], path: str, method: str, response: TestResponse) -> list[str]:
    """The headers of ``response`` that ``spec`` does not declare for its status (nor every answer's own),
    those it declares required that the answer lacks, and those whose value their schema refuses."""
    declared = documented_response(spec, path, method, response.status_code).get("headers", {})
    named = spec["components"].get("headers", {})
    resolved = {name: named[header["$ref"].rsplit("/", 1)[-1]] if "$ref" in header else header
                for name, header in declared.items()}
    known = EVERY_ANSWERS | {name.lower() for name in declared}
    sent = {name.lower() for name in response.headers.keys()}
    missing = [name for name, header in sorted(resolved.items())
               if header.get("required") and name.lower() not in sent]
    values = [problem for name, header in sorted(resolved.items()) if name in response.headers
              for problem in _header_value_errors(spec, name, header, response.headers[name])]
    return [f"header {name}: not declared for {response.status_code}" for name in sorted(sent - known)] + [
        f"header {name}: declared required, not sent" for name in missing] + values


def contract_errors(spec: dict[str, Any], path: str, method: str, response: TestResponse) -> list[str]:
    """What in ``response`` breaks what ``spec`` documents for its path, method and status: its headers,
    and its body against the schema."""
    status, media_type = response.status_code, response.mimetype
    content = documented_response(spec, path, method, status).get("content", {})
    headers = undeclared_headers(spec, path, method, response)
    if not response.data and "Content-Type" not in response.headers:  # a 204, a 304: no body at all
        return [*headers, *([f"(root): no body, where {', '.join(content)} is declared for {status}"]
                            if content else [])]
    if media_type not in content:
        return [*headers, f"(root): {media_type} is not declared for {status} ({', '.join(content)})"]
    schema = content[media_type]["schema"]
    if not response.is_json:
        empty = [] if response.data else ["(root): empty body"]
        return [*headers, *body_schema_errors(media_type, schema), *empty]
    validator = OAS30ReadValidator(
        {"allOf": [schema], "components": spec["components"]}, format_checker=oas30_format_checker
    )
    errors = sorted(
        (e for found in validator.iter_errors(response.get_json()) for e in _closest(found)),
        key=lambda e: list(e.absolute_path),
    )
    return headers + [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
