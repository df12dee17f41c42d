"""Authenticate a request: a JWT signed by the caller's own registered key.

Checks, each failing with its own reason: algorithm (EdDSA or ES256 only), known issuer, key,
signature, audience, issued-at / not-before / expiry against the gateway's clock, lifetime at
most the configured maximum, and a token id never seen before (shared through the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from gateway.db import unit_of_work
from gateway.errors import Unauthenticated
from gateway.principals import repository
from gateway.principals.keys import load_public_key
from gateway.principals.models import Principal

ACCEPTED_ALGORITHMS = ("EdDSA", "ES256")
REQUIRED_CLAIMS = ("iss", "aud", "iat", "exp", "jti")


@dataclass(frozen=True, slots=True)
class TokenRules:
    audience: str
    max_lifetime: timedelta
    leeway: timedelta


def token_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("malformed bearer token") from None


def unverified_issuer(token: str) -> str:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("malformed bearer token") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise Unauthenticated("token has no issuer (iss)")
    return issuer


def _moment(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthenticated(f"claim {name} must be a NumericDate")
    return datetime.fromtimestamp(value, UTC)


def verify_principal_signature(
    token: str,
    session: Session,
    issuer: str,
    algorithm: str,
    kid: str | None,
    audience: str,
    required: tuple[str, ...] = REQUIRED_CLAIMS,
) -> dict[str, Any]:
    """Verify ``token`` against ``issuer``'s active keys; times are left to the caller."""
    keys = [k for k in repository.active_keys(session, issuer) if k.algorithm == algorithm]
    if kid is not None:
        keys = [k for k in keys if k.kid == kid]
    if not keys:
        raise Unauthenticated(f"issuer {issuer!r} has no active {algorithm} key matching the token")
    for key in keys:
        public_key, _ = load_public_key(key.public_key_pem)
        try:
            return jwt.decode(
                token,
                key=public_key,
                algorithms=[algorithm],
                audience=audience,
                options={
                    "require": list(required),
                    "verify_exp": False,  # time is checked below against the gateway's clock
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"wrong audience: this gateway is {audience!r}") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"token lacks the {exc.claim} claim") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
    raise Unauthenticated("bad signature")


def _check_times(claims: dict[str, Any], rules: TokenRules, now: datetime) -> datetime:
    issued = _moment(claims, "iat")
    expires = _moment(claims, "exp")
    if expires - issued > rules.max_lifetime:
        seconds = int(rules.max_lifetime.total_seconds())
        raise Unauthenticated(f"token lifetime exceeds {seconds} s (exp - iat)")
    if issued - rules.leeway > now:
        raise Unauthenticated("token not yet valid (iat is in the future)")
    if "nbf" in claims and _moment(claims, "nbf") - rules.leeway > now:
        raise Unauthenticated("token not yet valid (nbf)")
    if expires + rules.leeway <= now:
        raise Unauthenticated("token expired")
    return expires


def authenticate(token: str, engine: Engine, rules: TokenRules, now: datetime) -> Principal:
    """Return the calling principal, or raise :class:`Unauthenticated` with the reason."""
    header = token_header(token)
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise Unauthenticated(f"algorithm {algorithm!r} not accepted; use EdDSA or ES256")
    issuer = unverified_issuer(token)
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    with unit_of_work(engine) as session:
        principal = repository.get(session, issuer)
        if principal is None:
            raise Unauthenticated(f"unknown issuer {issuer!r}")
        if header.get("typ") not in (None, "JWT", "jwt"):
            raise Unauthenticated(f"a {header.get('typ')!r} token is not a request token")
        claims = verify_principal_signature(
            token, session, issuer, str(algorithm), kid, rules.audience
        )
        expires = _check_times(claims, rules, now)
        jti = claims["jti"]
        if not isinstance(jti, str) or not 8 <= len(jti) <= 128:
            raise Unauthenticated("jti must be a string of 8 to 128 characters")
        session.expunge(principal)
    _remember_once(engine, issuer, jti, expires + rules.leeway, now)
    return principal


def _remember_once(
    engine: Engine, issuer: str, jti: str, keep_until: datetime, now: datetime
) -> None:
    try:
        with unit_of_work(engine, write=True) as session:
            repository.remember_token(session, issuer, jti, keep_until)
    except IntegrityError:
        raise Unauthenticated("token replayed: this jti was already used") from None
    if hash(jti) % 64 == 0:  # now and then, forget ids whose tokens have expired anyway
        with unit_of_work(engine, write=True) as session:
            repository.forget_expired_tokens(session, now)
