"""Enterprises grant signed, scoped, expiring authorizations and revoke them; all idempotent."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from gateway.client import sign_authorization
from gateway.principals.keys import generate_private_key
from tests.support.world import World


def _token(world: World, **overrides: Any) -> str:
    now = int(world.bank.clock.now().timestamp())
    claims: dict[str, Any] = {
        "institution": world.bank.id,
        "purpose": "loan_underwriting",
        "datasets": ["housing_fund"],
        "modes": ["report"],
        "not_before": now,
        "expires_at": now + 86400,
    }
    claims.update(overrides)
    key = claims.pop("key", world.enterprise.key)
    return sign_authorization(world.enterprise.id, key, **claims)


def _grant(world: World, token: str, **headers: str) -> Any:
    return world.enterprise.post("/v1/authorizations", json={"token": token}, headers=headers)


def test_grant_is_stored_listed_for_both_parties_and_logged(world: World) -> None:
    response = _grant(world, _token(world, authorization_id="authz-0001"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "active" and body["id"] == "authz-0001"
    assert isinstance(body["grant_ledger_index"], int)
    assert [a["id"] for a in world.enterprise.get("/v1/authorizations").json()] == ["authz-0001"]
    assert [a["id"] for a in world.bank.get("/v1/authorizations").json()] == ["authz-0001"]


def test_the_same_jws_twice_changes_nothing(world: World) -> None:
    token = _token(world)
    first = _grant(world, token)
    second = _grant(world, token)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["grant_ledger_index"] == second.json()["grant_ledger_index"]


def test_a_change_is_a_new_authorization_never_an_edit(world: World) -> None:
    _grant(world, _token(world, authorization_id="authz-0002"))
    response = _grant(
        world, _token(world, authorization_id="authz-0002", datasets=["tax_payments"])
    )
    assert response.status_code == 409


def test_idempotency_key_replays_the_first_reply(world: World) -> None:
    token = _token(world)
    first = _grant(world, token, **{"Idempotency-Key": "k-1"})
    again = _grant(world, token, **{"Idempotency-Key": "k-1"})
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    other = _grant(world, _token(world), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409


def test_revoke_is_idempotent_and_logged_once(world: World) -> None:
    grant = _grant(world, _token(world)).json()
    url = f"/v1/authorizations/{grant['id']}/revoke"
    first = world.enterprise.post(url, headers={"Idempotency-Key": "r-1"})
    second = world.enterprise.post(url)
    assert first.json()["state"] == second.json()["state"] == "revoked"
    assert first.json()["revoke_ledger_index"] == second.json()["revoke_ledger_index"]


def test_only_the_granting_enterprise_revokes(world: World, make_actor: Any) -> None:
    from gateway.principals.models import Role

    grant = _grant(world, _token(world)).json()
    stranger = make_actor(Role.enterprise)
    assert stranger.post(f"/v1/authorizations/{grant['id']}/revoke").status_code == 404
    assert world.bank.post(f"/v1/authorizations/{grant['id']}/revoke").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purpose": "marketing"}, "purpose"),
        ({"institution": "bank-nobody"}, "institution"),
        ({"datasets": ["horoscopes"]}, "datasets"),
        ({"modes": ["sell"]}, "modes"),
        ({"datasets": [], "classes": []}, "scope"),
        ({"classes": ["public"]}, "classes"),
        ({"expires_at": 0}, "exp"),
        ({"use_limit": 0}, "use_limit"),
        ({"use_limit": 2**31}, "use_limit"),  # beyond PostgreSQL's integer column
        ({"authorization_id": "short"}, "jti"),
    ],
)
def test_bad_content_is_422_naming_the_field(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    response = _grant(world, _token(world, **overrides))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_lifetime_is_bounded_by_policy(world: World) -> None:
    now = int(world.bank.clock.now().timestamp())
    response = _grant(world, _token(world, not_before=now, expires_at=now + 400 * 86400))
    assert response.status_code == 422 and "at most 365 days" in response.json()["detail"]


def test_a_jws_signed_by_another_key_is_refused(world: World) -> None:
    response = _grant(world, _token(world, key=generate_private_key()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "signature"


def test_an_enterprise_grants_only_for_itself(world: World, make_actor: Any) -> None:
    from gateway.principals.models import Role

    other = make_actor(Role.enterprise)
    response = other.post("/v1/authorizations", json={"token": _token(world)})
    assert response.status_code == 403


def test_a_request_token_is_not_an_authorization(world: World) -> None:
    response = _grant(world, world.enterprise.token())
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "typ"


def test_an_authorization_is_not_a_request_token(world: World) -> None:
    token = _token(world, expires_at=int(world.bank.clock.now().timestamp()) + 120)
    response = world.enterprise.http.get(
        "/v1/datasets", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_pending_grant_applies_from_not_before(world: World) -> None:
    now = int(world.bank.clock.now().timestamp())
    grant = _grant(world, _token(world, not_before=now + 3600, expires_at=now + 7200)).json()
    assert grant["state"] == "pending"
    assert "housing_fund" not in {
        d["dataset"] for d in world.report().json()["datasets"] if d["records"]
    }
    world.bank.clock.advance(__import__("datetime").timedelta(hours=1, seconds=1))
    assert "housing_fund" in {
        d["dataset"] for d in world.report().json()["datasets"] if d["records"]
    }


def test_header_must_declare_the_authorization_type(world: World) -> None:
    claims = jwt.decode(_token(world), options={"verify_signature": False})
    untyped = jwt.encode(claims, world.enterprise.key, algorithm="EdDSA")
    assert _grant(world, untyped).json()["errors"][0]["field"] == "typ"
