from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.principals.models import Role


def assert_refused(response: Any, *names: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    for name in names:
        assert name in body["detail"]
    assert [d["field"] for d in body["errors"]] == [f"query.{n}" for n in sorted(names)]


@pytest.mark.parametrize(
    "url",
    [
        "/healthz?verbose=1",
        "/v1/catalog?lang=zh",
        "/v1/ledger/checkpoints?limt=5",
        "/v1/ledger/checkpoint?sise=3",
        "/v1/verifiers?x=",
    ],
)
def test_unknown_parameters_are_refused_without_authentication(http: TestClient, url: str) -> None:
    name = url.split("?")[1].split("=")[0]
    assert_refused(http.get(url), name)


def test_every_unknown_parameter_is_named_and_known_ones_pass(
    http: TestClient, make_actor: Any
) -> None:
    enterprise = make_actor(Role.enterprise)
    assert enterprise.get("/v1/me/access-log?limit=5").status_code == 200
    assert_refused(enterprise.get("/v1/me/access-log?limit=5&befor=3&zz=1"), "befor", "zz")
    assert_refused(enterprise.get("/v1/me/objections?stat=open"), "stat")
    assert enterprise.get("/v1/me/objections?state=open&state=rejected").status_code == 200


def test_a_route_with_path_parameters_takes_them_only_in_the_path(
    http: TestClient, make_actor: Any
) -> None:
    operator = make_actor(Role.operator)
    assert_refused(operator.get(f"/v1/principals/{operator.id}?principal_id=x"), "principal_id")
    assert operator.get(f"/v1/principals/{operator.id}").status_code == 200


def test_posts_refuse_unknown_parameters_too(http: TestClient, make_actor: Any) -> None:
    enterprise = make_actor(Role.enterprise)
    assert_refused(enterprise.post("/v1/me/objections?dry_run=1", json={}), "dry_run")
