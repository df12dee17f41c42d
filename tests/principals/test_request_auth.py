"""Every request carries a JWT signed by the caller's own key; each flaw has its own 401."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest

from gateway.principals.keys import generate_private_key, key_id
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role
from tests.support.actors import Actor

PROTECTED = "/v1/datasets"


@pytest.fixture
def bank(make_actor: Callable[..., Actor]) -> Actor:
    return make_actor(Role.institution, "bank-001", kind=InstitutionKind.bank)


def _claims(actor: Actor, **changes: object) -> dict[str, object]:
    now = int(actor.clock.now().timestamp())
    claims: dict[str, object] = {
        "iss": actor.id,
        "aud": "credgate",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _call(actor: Actor, token: str) -> tuple[int, str]:
    response = actor.http.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    return response.status_code, body.get("detail", "") if isinstance(body, dict) else ""


def _signed(actor: Actor, **changes: object) -> str:
    return jwt.encode(_claims(actor, **changes), actor.key, algorithm=actor.algorithm.value)


def test_a_valid_token_is_accepted(bank: Actor) -> None:
    assert _call(bank, _signed(bank))[0] == 200


def test_p256_keys_are_accepted(make_actor: Callable[..., Actor]) -> None:
    insurer = make_actor(
        Role.institution, kind=InstitutionKind.insurer, algorithm=KeyAlgorithm.ES256
    )
    assert _call(insurer, _signed(insurer))[0] == 200


def test_missing_token_is_401(bank: Actor) -> None:
    response = bank.http.get(PROTECTED)
    assert response.status_code == 401
    assert "missing bearer token" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_issuer(bank: Actor) -> None:
    assert _call(bank, _signed(bank, iss="nobody")) == (401, "unknown issuer 'nobody'")


def test_bad_signature(bank: Actor) -> None:
    stranger = generate_private_key()
    token = jwt.encode(_claims(bank), stranger, algorithm="EdDSA")
    assert _call(bank, token) == (401, "bad signature")


def test_token_naming_an_unregistered_key_id(bank: Actor) -> None:
    stranger = generate_private_key()
    token = jwt.encode(
        _claims(bank), stranger, algorithm="EdDSA", headers={"kid": key_id(stranger.public_key())}
    )
    status, message = _call(bank, token)
    assert status == 401 and "no active EdDSA key" in message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_alg_none_is_refused(bank: Actor) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims(bank)).encode())
    status, message = _call(bank, f"{header}.{payload}.")
    assert status == 401 and "algorithm 'none' not accepted" in message


def test_hmac_is_refused_even_with_the_public_key_as_secret(bank: Actor) -> None:
    token = jwt.encode(_claims(bank), "a-shared-secret-of-enough-length-32b", algorithm="HS256")
    status, message = _call(bank, token)
    assert status == 401 and "algorithm 'HS256' not accepted" in message


def test_expired(bank: Actor) -> None:
    now = int(bank.clock.now().timestamp())
    status, message = _call(bank, _signed(bank, iat=now - 200, exp=now - 100))
    assert (status, message) == (401, "token expired")


def test_expiry_follows_the_gateways_clock(bank: Actor) -> None:
    token = _signed(bank)
    bank.clock.advance(timedelta(minutes=5))
    assert _call(bank, token) == (401, "token expired")


def test_not_yet_valid(bank: Actor) -> None:
    now = int(bank.clock.now().timestamp())
    status, message = _call(bank, _signed(bank, iat=now + 120, exp=now + 180))
    assert status == 401 and "not yet valid" in message
    status, message = _call(bank, _signed(bank, nbf=now + 120))
    assert status == 401 and "not yet valid (nbf)" in message


def test_wrong_audience(bank: Actor) -> None:
    status, message = _call(bank, _signed(bank, aud="another-gateway"))
    assert status == 401 and "wrong audience" in message


def test_lifetime_over_five_minutes(bank: Actor) -> None:
    now = int(bank.clock.now().timestamp())
    status, message = _call(bank, _signed(bank, exp=now + 301))
    assert (status, message) == (401, "token lifetime exceeds 300 s (exp - iat)")
    assert _call(bank, _signed(bank, exp=now + 300))[0] == 200


@pytest.mark.parametrize("claim", ["jti", "exp", "iat", "aud"])
def test_missing_claims(bank: Actor, claim: str) -> None:
    token = _signed(bank, **{claim: None})
    status, message = _call(bank, token)
    assert status == 401
    assert claim in message


def test_replayed_jti(bank: Actor) -> None:
    token = _signed(bank)
    assert _call(bank, token)[0] == 200
    assert _call(bank, token) == (401, "token replayed: this jti was already used")


def test_same_jti_from_two_issuers_is_not_a_replay(
    bank: Actor, make_actor: Callable[..., Actor]
) -> None:
    other = make_actor(Role.institution, kind=InstitutionKind.guarantor)
    jti = uuid.uuid4().hex
    assert _call(bank, _signed(bank, jti=jti))[0] == 200
    assert _call(other, _signed(other, jti=jti))[0] == 200


def test_valid_caller_asking_beyond_its_role_is_403(bank: Actor) -> None:
    response = bank.get("/v1/principals")
    assert response.status_code == 403
    assert "operator" in response.json()["detail"]


def test_real_time_tokens_from_the_client_work(bank: Actor) -> None:
    """sign_token without a fixed 'now' uses the wall clock, as a bank's script would."""
    from gateway.client import sign_token

    bank.clock.set(bank.clock.now().fromtimestamp(time.time(), bank.clock.now().tzinfo))
    token = sign_token(bank.id, bank.key, bank.algorithm)
    assert _call(bank, token)[0] == 200
