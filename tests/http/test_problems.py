"""Every error is an RFC 9457 problem (application/problem+json), in one shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.principals.models import Role
from tests.support.actors import Actor

STANDARD = {"type", "title", "status", "detail", "instance", "error"}


def assert_problem(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= STANDARD
    assert body["status"] == status and body["error"] == error
    assert body["type"] == f"urn:credgate:problem:{error}"
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    return body


def test_an_unknown_route_is_a_problem(http: TestClient) -> None:
    body = assert_problem(http.get("/v1/no-such-thing"), 404, "no_such_route")
    assert body["instance"] == "/v1/no-such-thing"


def test_a_wrong_method_is_a_problem_with_allow(http: TestClient) -> None:
    response = http.delete("/v1/catalog")
    body = assert_problem(response, 405, "method_not_allowed")
    assert "DELETE" in body["detail"] and response.headers["allow"] == "GET"


def test_a_missing_token_is_a_problem_with_www_authenticate(http: TestClient) -> None:
    response = http.get("/v1/me/report")
    body = assert_problem(response, 401, "unauthenticated")
    assert "missing bearer token" in body["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_validation_error_lists_the_offending_fields(
    http: TestClient, make_actor: Callable[..., Actor]
) -> None:
    enterprise = make_actor(Role.enterprise)
    response = enterprise.get("/v1/me/access-log?limit=0&before=-1")
    body = assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["query.limit", "query.before"]
    assert all(e["problem"] for e in body["errors"])
    assert body["detail"] == "invalid request: query.limit, query.before"


def test_a_service_error_carries_its_context_as_members(
    http: TestClient, make_actor: Callable[..., Actor]
) -> None:
    bank = make_actor(Role.institution)
    response = bank.get("/v1/enterprises/not-a-uscc/report?purpose=loan_underwriting")
    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"][0]["field"] == "uscc"


def test_a_ledger_error_is_a_problem(http: TestClient) -> None:
    response = http.get("/v1/ledger/checkpoint?size=1000000")
    body = assert_problem(response, 404, "checkpoint_not_found")
    assert body["instance"] == "/v1/ledger/checkpoint"


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        pytest.param(b'{"id": "\xff\xfe"}', 400, "malformed_request", id="not-utf-8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, 400, "malformed_request", id="too-deep"),
        pytest.param(b'{"id": ', 422, "invalid_input", id="truncated"),
    ],
)
def test_an_unparseable_body_is_a_problem(
    http: TestClient, make_actor: Callable[..., Actor], content: bytes, status: int, error: str
) -> None:
    operator = make_actor(Role.operator)
    response = http.post(
        "/v1/principals",
        content=content,
        headers=operator.headers({"Content-Type": "application/json"}),
    )
    body = assert_problem(response, status, error)
    assert "body" in body["detail"]


def test_an_unexpected_error_is_a_problem(services: Any) -> None:
    from gateway.app import create_app

    app = create_app(services)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = assert_problem(client.get("/boom"), 500, "internal_error")
    assert "a bug" not in body["detail"]
