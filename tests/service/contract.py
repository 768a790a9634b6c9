"""Check a real answer against the schema ``/openapi.json`` serves for it, as a strict OpenAPI 3.0 validator.

openapi-schema-validator's read validator applies OpenAPI 3.0.3's own rules (``nullable`` only beside a
``type``, ``readOnly``/``writeOnly``), which JSON Schema tools and marshmallow's own ``validate`` do not: a
document that said ``financed_emissions`` could be null in a form only lenient readers accept passed every
other test while a strict client refused every rating without a loan (contract review).
"""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from werkzeug.test import TestResponse


def contract_errors(spec: dict[str, Any], path: str, method: str, response: TestResponse) -> list[str]:
    """What in ``response`` breaks the schema ``spec`` documents for its path, method and status."""
    answers = spec["paths"][path][method.lower()]["responses"]
    documented = answers[str(response.status_code)]
    if "$ref" in documented:  # a shared response (components/responses)
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    schema = documented["content"][response.mimetype]["schema"]
    validator = OAS30ReadValidator(
        {"allOf": [schema], "components": spec["components"]}, format_checker=oas30_format_checker
    )
    errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
