"""Queries over principals, keys and seen token ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from gateway.principals.models import Principal, PrincipalKey, Role, SeenToken


def get(session: Session, principal_id: str) -> Principal | None:
    return session.get(Principal, principal_id)


def list_all(session: Session, role: Role | None = None) -> Sequence[Principal]:
    query = select(Principal).order_by(col(Principal.id))
    if role is not None:
        query = query.where(Principal.role == role)
    return session.exec(query).all()


def active_keys(session: Session, principal_id: str) -> Sequence[PrincipalKey]:
    return session.exec(
        select(PrincipalKey).where(
            PrincipalKey.principal_id == principal_id, col(PrincipalKey.revoked_at).is_(None)
        )
    ).all()


def get_key(session: Session, kid: str) -> PrincipalKey | None:
    return session.get(PrincipalKey, kid)


def remember_token(session: Session, issuer: str, jti: str, expires_at: datetime) -> None:
    session.add(SeenToken(issuer=issuer, jti=jti, expires_at=expires_at))
    session.flush()


def forget_expired_tokens(session: Session, now: datetime) -> None:
    session.exec(delete(SeenToken).where(col(SeenToken.expires_at) < now))
