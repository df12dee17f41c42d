"""Registering principals and their keys (operators do this) and changing their status."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from gateway import uscc
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.principals import repository
from gateway.principals.keys import UnsupportedKey, key_id, load_public_key, public_pem
from gateway.principals.models import (
    InstitutionKind,
    Principal,
    PrincipalKey,
    PrincipalStatus,
    Role,
)


def register(
    session: Session,
    principal_id: str,
    role: Role,
    name: str,
    now: datetime,
    kind: InstitutionKind | None = None,
) -> Principal:
    if role is Role.enterprise:
        problem = uscc.problem(principal_id)
        if problem is not None:
            raise InvalidInput(
                f"an enterprise's principal id is its USCC: {problem}",
                detail=[{"field": "id", "problem": problem}],
            )
    if (role is Role.institution) != (kind is not None):
        raise InvalidInput(
            "kind is required for institutions and only for them",
            detail=[{"field": "kind", "problem": "required exactly for role institution"}],
        )
    if repository.get(session, principal_id) is not None:
        raise Conflict(f"principal {principal_id!r} already exists")
    principal = Principal(id=principal_id, role=role, kind=kind, name=name, created_at=now)
    session.add(principal)
    session.flush()
    return principal


def add_key(session: Session, principal_id: str, pem: str, now: datetime) -> PrincipalKey:
    if repository.get(session, principal_id) is None:
        raise NotFound(f"no principal {principal_id!r}")
    try:
        public_key, algorithm = load_public_key(pem)
    except UnsupportedKey as exc:
        raise InvalidInput(
            str(exc), detail=[{"field": "public_key_pem", "problem": str(exc)}]
        ) from None
    kid = key_id(public_key)
    existing = repository.get_key(session, kid)
    if existing is not None:
        if existing.principal_id != principal_id:
            raise Conflict("this public key is already registered to another principal")
        return existing
    key = PrincipalKey(
        kid=kid,
        principal_id=principal_id,
        algorithm=algorithm,
        public_key_pem=public_pem(public_key),
        created_at=now,
    )
    session.add(key)
    session.flush()
    return key


def set_status(session: Session, principal_id: str, status: PrincipalStatus) -> Principal:
    principal = repository.get_for_change(session, principal_id)
    if principal is None:
        raise NotFound(f"no principal {principal_id!r}")
    principal.status = status
    session.add(principal)
    return principal
