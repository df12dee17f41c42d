"""Queries over principals, keys and seen token ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from gateway.pagination import Window, keyset
from gateway.prepared import Prepared
from gateway.principals.models import Principal, PrincipalKey, Role, SeenToken


def get(session: Session, principal_id: str) -> Principal | None:
    return session.get(Principal, principal_id)


def get_for_change(session: Session, principal_id: str) -> Principal | None:
    """The principal, its row locked (PostgreSQL) until the transaction ends: what changes its
    standing takes this, so that a request's write section, which holds the row FOR SHARE
    (``gateway.writer``), is ordered wholly before or after the change."""
    return session.get(Principal, principal_id, with_for_update=True)


_principal = Principal.__table__  # type: ignore[attr-defined]
_key = PrincipalKey.__table__  # type: ignore[attr-defined]
# Authentication runs on every request: one prepared statement, no ORM identity map.
_WITH_ACTIVE_KEYS = Prepared(
    sa_select(_principal, _key.c.kid, _key.c.algorithm, _key.c.public_key_pem)
    .outerjoin(_key, and_(_key.c.principal_id == _principal.c.id, _key.c.revoked_at.is_(None)))
    .where(_principal.c.id == bindparam("principal_id"))
)


class ActiveKey(NamedTuple):
    kid: str
    algorithm: str
    public_key_pem: str


def with_active_keys(
    session: Session, principal_id: str
) -> tuple[Principal, list[ActiveKey]] | None:
    """The principal (not attached to ``session``) and its unrevoked keys, in one query."""
    rows = _WITH_ACTIVE_KEYS.rows(session, {"principal_id": principal_id})
    if not rows:
        return None
    first = rows[0]
    principal = Principal(
        id=first.id,
        role=first.role,
        kind=first.kind,
        name=first.name,
        status=first.status,
        created_at=first.created_at,
    )
    keys = [ActiveKey(r.kid, r.algorithm, r.public_key_pem) for r in rows if r.kid is not None]
    return principal, keys


def list_all(
    session: Session, role: Role | None = None, window: Window | None = None
) -> Sequence[Principal]:
    """By id; with ``window``, one page of them (``window.fetch`` at most)."""
    query = select(Principal)
    if role is not None:
        query = query.where(Principal.role == role)
    if window is None:
        return session.exec(query.order_by(col(Principal.id))).all()
    return session.exec(keyset(query, [(col(Principal.id), False)], window)).all()


def active_keys(session: Session, principal_id: str) -> Sequence[PrincipalKey]:
    return session.exec(
        select(PrincipalKey).where(
            PrincipalKey.principal_id == principal_id, col(PrincipalKey.revoked_at).is_(None)
        )
    ).all()


def get_key(session: Session, kid: str) -> PrincipalKey | None:
    return session.get(PrincipalKey, kid)


_REMEMBER_TOKEN = Prepared(insert(SeenToken.__table__))  # type: ignore[attr-defined]


def remember_token(session: Session, issuer: str, jti: str, expires_at: datetime) -> None:
    _REMEMBER_TOKEN.run(session, {"issuer": issuer, "jti": jti, "expires_at": expires_at})


def forget_expired_tokens(session: Session, now: datetime) -> None:
    session.exec(delete(SeenToken).where(col(SeenToken.expires_at) < now))
