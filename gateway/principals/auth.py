"""Authenticate a request: a JWT signed by the caller's own registered key.

Checks, each failing with its own reason: algorithm (EdDSA or ES256 only), known issuer, key,
signature, audience, issued-at / not-before / expiry against the gateway's clock, lifetime at
most the configured maximum, and a token id never seen before (shared through the database).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

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


def unverified_parts(token: str) -> tuple[dict[str, Any], str]:
    """The header and the issuer of ``token``, read (once) before its signature is checked:
    they say whose key to check it with."""
    try:
        unverified = jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("malformed bearer token") from None
    issuer = unverified["payload"].get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise Unauthenticated("token has no issuer (iss)")
    return unverified["header"], issuer


class KeyOnRecord(Protocol):
    @property
    def kid(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def public_key_pem(self) -> str: ...


def _moment(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthenticated(f"claim {name} must be a NumericDate")
    return datetime.fromtimestamp(value, UTC)


def verify_principal_signature(
    token: str,
    active_keys: Sequence[KeyOnRecord],
    issuer: str,
    algorithm: str,
    kid: str | None,
    audience: str,
    required: tuple[str, ...] = REQUIRED_CLAIMS,
) -> dict[str, Any]:
    """Verify ``token`` against ``issuer``'s active keys; times are left to the caller."""
    keys = [k for k in active_keys if k.algorithm == algorithm]
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
    """Return the calling principal, or raise :class:`Unauthenticated` with the reason.

    One write transaction: the caller's keys are read and the token id recorded together."""
    with unit_of_work(engine, write=True) as session:
        principal, _ = authenticate_in(session, token, rules, now)
    return principal


@dataclass(frozen=True, slots=True)
class TokenId:
    """What makes a request token single-use: its issuer and id, kept until it expires."""

    issuer: str
    jti: str
    keep_until: datetime


def authenticate_in(
    session: Session, token: str, rules: TokenRules, now: datetime
) -> tuple[Principal, TokenId]:
    """:func:`authenticate` inside ``session``'s transaction (which must be able to write:
    the token id is inserted there). The principal returned is not attached to it."""
    principal, token_id = verify_token(session, token, rules, now)
    remember_once(session, token_id, now)
    return principal, token_id


def verify_token(
    session: Session, token: str, rules: TokenRules, now: datetime
) -> tuple[Principal, TokenId]:
    """Everything :func:`authenticate_in` checks but the token id's single use, reading only:
    the caller of a request that writes later (``gateway.writer``) records the id there."""
    header, issuer = unverified_parts(token)
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise Unauthenticated(f"algorithm {algorithm!r} not accepted; use EdDSA or ES256")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    found = repository.with_active_keys(session, issuer)
    if found is None:
        raise Unauthenticated(f"unknown issuer {issuer!r}")
    principal, keys = found
    if header.get("typ") not in (None, "JWT", "jwt"):
        raise Unauthenticated(f"a {header.get('typ')!r} token is not a request token")
    claims = verify_principal_signature(token, keys, issuer, str(algorithm), kid, rules.audience)
    expires = _check_times(claims, rules, now)
    jti = claims["jti"]
    if not isinstance(jti, str) or not 8 <= len(jti) <= 128:
        raise Unauthenticated("jti must be a string of 8 to 128 characters")
    return principal, TokenId(issuer, jti, expires + rules.leeway)


def remember_once(session: Session, token_id: TokenId, now: datetime) -> None:
    """Record a token id in ``session``'s transaction; a second use is :class:`Unauthenticated`
    (and the transaction must then be rolled back)."""
    try:
        repository.remember_token(session, token_id.issuer, token_id.jti, token_id.keep_until)
    except IntegrityError:
        raise Unauthenticated("token replayed: this jti was already used") from None
    if hash(token_id.jti) % 64 == 0:  # now and then, forget ids of tokens expired anyway
        repository.forget_expired_tokens(session, now)
