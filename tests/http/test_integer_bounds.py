"""Every integer parameter is bounded: 2**63 and beyond is a 422 naming it, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from gateway.principals.models import Role
from tests.support.actors import Actor

HUGE = [2**63, 2**64, 10**30]

# (path, parameter, role of the caller or None for public endpoints)
PARAMETERS = [
    ("/v1/ledger/checkpoint", "size", None),
    ("/v1/ledger/checkpoints", "after", None),
    ("/v1/ledger/checkpoints", "limit", None),
    ("/v1/ledger/proof/inclusion?index=0", "size", None),
    ("/v1/ledger/proof/inclusion", "index", None),
    ("/v1/ledger/proof/consistency", "first", None),
    ("/v1/ledger/proof/consistency?first=1", "second", None),
    ("/v1/me/access-log", "size", Role.enterprise),
    ("/v1/me/access-log", "before", Role.enterprise),
    ("/v1/me/access-log", "limit", Role.enterprise),
    ("/v1/audit/institutions/bank-1/ledger", "size", Role.assessor),
    ("/v1/audit/institutions/bank-1/ledger", "before", Role.assessor),
    ("/v1/audit/institutions/bank-1/ledger", "limit", Role.assessor),
    ("/v1/me/objections", "limit", Role.enterprise),
]


@pytest.mark.parametrize(("path", "parameter", "role"), PARAMETERS)
def test_an_integer_beyond_64_bits_is_422_naming_the_parameter(
    http: TestClient,
    make_actor: Callable[..., Actor],
    path: str,
    parameter: str,
    role: Role | None,
) -> None:
    caller = make_actor(role) if role is not None else None
    separator = "&" if "?" in path else "?"
    for value in HUGE:
        for sign in ("", "-"):
            url = f"{path}{separator}{parameter}={sign}{value}"
            headers = caller.headers() if caller is not None else {}
            response = http.get(url, headers=headers)
            assert response.status_code == 422, (url, response.text)
            body = response.json()
            assert body["error"] == "invalid_input"
            assert [e["field"] for e in body["errors"]] == [f"query.{parameter}"]
            assert f"query.{parameter}" in body["detail"]
