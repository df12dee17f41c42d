"""The OpenAPI document says what the app does (schemathesis checks it in tests/contract)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.http.openapi import EXAMPLES

PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}


@pytest.fixture
def document(http: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = http.get("/openapi.json").json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_error_is_documented_as_a_problem(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "Problem" in document["components"]["schemas"]
    for path, _, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) and path not in ("/readyz", "/healthz"):
                assert response["content"] == {"application/problem+json": PROBLEM}, (path, status)


def test_secured_operations_use_the_bearer_scheme_and_document_401_and_403(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["HTTPBearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    secured = [op for _, _, op in _operations(document) if op.get("security")]
    assert len(secured) > 30
    for operation in secured:
        assert operation["security"] == [{"HTTPBearer": []}]
        assert {"401", "403", "503"} <= operation["responses"].keys()
    report = document["paths"]["/v1/enterprises/{uscc}/report"]["get"]
    assert report.get("security") == [{"HTTPBearer": []}]
    assert "security" not in document["paths"]["/v1/ledger/checkpoint"]["get"]


def test_operation_ids_are_the_handlers_names(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/v1/me/access-log"]["get"]["operationId"] == "my_access_log"
    assert document["paths"]["/v1/enterprises/{uscc}/verifications"]["post"]["operationId"] == (
        "verify"
    )


def test_the_main_request_bodies_carry_examples(document: dict[str, Any]) -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in _operations(document)}
    for operation_id, example in EXAMPLES.items():
        content = by_id[operation_id]["requestBody"]["content"]["application/json"]
        assert content["example"] == example


def test_the_export_is_declared_as_json_or_csv(document: dict[str, Any]) -> None:
    export = document["paths"]["/v1/audit/institutions/{institution_id}/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"application/json", "text/csv"}


def test_every_integer_parameter_has_a_maximum(document: dict[str, Any]) -> None:
    for path, _, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            options = schema.get("anyOf", [schema])
            for option in options:
                if option.get("type") == "integer":
                    assert option.get("maximum") is not None, (path, parameter["name"])
