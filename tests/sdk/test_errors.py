"""Error bodies of both shapes become the same exceptions."""

from __future__ import annotations

import httpx
import pytest

from gateway.sdk.errors import (
    ApiError,
    ClientError,
    InvalidRequest,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    error_from_response,
)


def test_the_gateway_error_shape() -> None:
    response = httpx.Response(
        422,
        json={
            "error": "invalid_input",
            "message": "invalid request: query.purpose",
            "detail": [{"location": "query.purpose", "problem": "bad"}],
        },
    )
    error = error_from_response(response)
    assert isinstance(error, InvalidRequest)
    assert (error.status, error.code) == (422, "invalid_input")
    assert error.message == "invalid request: query.purpose"
    assert error.detail == [{"location": "query.purpose", "problem": "bad"}]


def test_problem_json_with_the_error_code() -> None:
    response = httpx.Response(
        429,
        headers={"Content-Type": "application/problem+json"},
        json={
            "type": "https://credgate.example/problems/rate_limited",
            "title": "Too Many Requests",
            "status": 429,
            "detail": "three thresholds a day per predicate",
            "error": "rate_limited",
        },
    )
    error = error_from_response(response)
    assert isinstance(error, RateLimited) and isinstance(error, ClientError)
    assert (error.code, error.message) == ("rate_limited", "three thresholds a day per predicate")


def test_problem_json_without_the_code_names_it_from_the_type() -> None:
    response = httpx.Response(
        503, json={"type": "https://x/problems/unavailable", "title": "Unavailable", "status": 503}
    )
    error = error_from_response(response)
    assert isinstance(error, ServiceUnavailable) and isinstance(error, ServerError)
    assert (error.code, error.message) == ("unavailable", "Unavailable")


@pytest.mark.parametrize("status,family", [(418, ClientError), (502, ServerError)])
def test_unmapped_statuses_fall_into_their_family(status: int, family: type[ApiError]) -> None:
    error = error_from_response(httpx.Response(status, text="<html>proxy</html>"))
    assert type(error) is family
    assert error.code == f"http_{status}" and "proxy" in error.message
