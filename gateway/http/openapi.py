"""The OpenAPI document as the app really behaves: problem+json errors, examples, CSV.

FastAPI documents a 422 in its own validation-error shape and no other error. Here every
operation lists the errors it can answer, each an RFC 9457 problem (``Problem``); the main
request bodies carry examples; the audit export is declared as the JSON or CSV it sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from gateway.error_handlers import PROBLEM_MEDIA_TYPE, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying, when known",
        "schema": {"type": "integer"},
    }
}

ERRORS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "400": ("the body could not be parsed (not UTF-8 JSON, or nested too deeply)", None),
    "401": (
        "no valid bearer token",
        {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    ),
    "403": ("the caller's role, state or authorization does not allow this", None),
    "404": ("no such resource", _RETRY_AFTER),
    "409": ("conflicts with the current state, or the Idempotency-Key was used before", None),
    "413": ("the body is larger than the limit", None),
    "422": ("invalid input; the offending fields in `errors`", None),
    "429": ("a rate limit or budget is used up", _RETRY_AFTER),
    "503": (
        "a dependency (database, ledger, policy engine) failed; nothing was done or disclosed",
        _RETRY_AFTER,
    ),
}

# Statuses that only some operations answer, by operation id.
EXTRA_ERRORS: dict[str, tuple[str, ...]] = {
    "verify": ("429",),
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "verify": {
        "purpose": "loan_underwriting",
        "checks": [
            {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1000000"}},
            {"predicate": "no_social_insurance_arrears", "args": {}},
        ],
    },
    "grant_authorization": {"token": "eyJhbGciOiJFZERTQSIsInR5cCI6ImNyZWRnYXRlLWdyYW50K2p3dCJ9..."},
    "push_batch": {
        "batch_id": "housing-fund-2026-11-27",
        "mode": "partial",
        "records": [
            {
                "record_id": "r-0001",
                "fields": {
                    "enterprise_name": "本溪市示范药业有限公司",
                    "uscc": "91210504260181BJXE",
                    "avg_monthly_contributors_12m": 36,
                },
            }
        ],
    },
    "register_principal": {
        "id": "bank-benxi-001",
        "role": "institution",
        "name": "本溪示范银行",
        "kind": "bank",
        "public_key_pem": "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n",
    },
    "file_objection": {
        "dataset": "administrative_penalties",
        "record_id": "r-0042",
        "field": "penalty_content",
        "reason": "the penalty was annulled on appeal",
        "evidence": [],
    },
    "record_assessment": {"outcome": "passed", "findings": [], "next_due": "2027-05-27"},
}


def operation_id(route: APIRoute) -> str:
    """The handler's name: stable, and what a generated client calls the method."""
    return route.name


def _error_response(status: str) -> dict[str, Any]:
    description, headers = ERRORS[status]
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if headers:
        response["headers"] = headers
    return response


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["503"]
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append("422")
    if "requestBody" in operation:
        statuses += ["400", "413"]
    if operation.get("security"):
        statuses += ["401", "403"]
    if operation.get("parameters") or "requestBody" in operation or path.startswith("/v1/ledger/"):
        statuses.append("404")  # whatever a request names may not exist
    if method == "post":
        statuses.append("409")
    statuses += EXTRA_ERRORS.get(operation["operationId"], ())
    return sorted(statuses)


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's document in place to what the app sends; returns it."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, operations in openapi["paths"].items():
        if path == "/livez":
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in _statuses(path, method, operation):
                if status not in responses or status == "422":
                    responses[status] = _error_response(status)
            example = EXAMPLES.get(operation["operationId"])
            if example is not None:
                operation["requestBody"]["content"]["application/json"]["example"] = example
    export = openapi["paths"]["/v1/audit/institutions/{institution_id}/export"]["get"]
    export["responses"]["200"]["content"] = {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
    }
    return openapi


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
