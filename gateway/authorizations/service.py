"""Grant, revoke, list and apply enterprise authorizations.

An authorization is a compact JWS the enterprise signs with its own registered key
(``typ: credgate-authorization+jwt``). Its claims::

    iss          the enterprise's USCC (must be the caller)
    aud          the gateway's audience
    jti          the authorization id, chosen by the enterprise (8-64 of [A-Za-z0-9._-])
    iat, nbf, exp
    institution  the institution's principal id
    purpose      one of the policy's purposes
    datasets     catalog dataset ids covered (may be empty if classes are given)
    classes      disclosure classes covered (institution, authorized, verify_only)
    modes        subset of ["report", "verify"]
    use_limit    optional integer, 1 to MAX_USE_LIMIT
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from gateway.authorizations.models import Authorization, AuthorizationState
from gateway.catalog.model import Catalog
from gateway.context import RequestContext
from gateway.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from gateway.notifications import emit
from gateway.pagination import Window, keyset
from gateway.prepared import Prepared
from gateway.principals import repository as principals
from gateway.principals.auth import (
    ACCEPTED_ALGORITHMS,
    unverified_parts,
    verify_principal_signature,
)
from gateway.principals.models import Principal, Role

AUTHORIZATION_TYP = "credgate-authorization+jwt"
MODES = ("report", "verify")
GRANTABLE_CLASSES = ("institution", "authorized", "verify_only")
MAX_USE_LIMIT = 1_000_000  # a grant's use_limit (the column is a 32-bit integer on PostgreSQL)
_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_CLAIMS = ("iss", "aud", "iat", "nbf", "exp", "jti", "institution", "purpose", "modes")


@dataclass(frozen=True, slots=True)
class GrantRules:
    audience: str
    purposes: frozenset[str]
    max_lifetime: timedelta


def _invalid(field: str, problem: str) -> InvalidInput:
    return InvalidInput(
        f"authorization {field}: {problem}", detail=[{"field": field, "problem": problem}]
    )


def _moment(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, "must be an integer NumericDate")
    return datetime.fromtimestamp(value, UTC)


def _string_list(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(name, "must be a list of strings")
    return sorted(set(value))


def _verified_claims(
    session: Session, token: str, enterprise: Principal, audience: str
) -> dict[str, Any]:
    try:
        header, issuer = unverified_parts(token)
    except Unauthenticated as exc:
        raise _invalid("token", exc.message) from None
    if header.get("typ") != AUTHORIZATION_TYP:
        raise _invalid("typ", f"the JWS header must say typ {AUTHORIZATION_TYP!r}")
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise _invalid("alg", f"{algorithm!r} not accepted; use EdDSA or ES256")
    if issuer != enterprise.id:
        raise Forbidden(f"an enterprise grants only its own authorizations (iss is {issuer!r})")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    try:
        return verify_principal_signature(
            token,
            principals.active_keys(session, issuer),
            issuer,
            str(algorithm),
            kid,
            audience,
            required=_CLAIMS,
        )
    except Unauthenticated as exc:
        raise _invalid("signature", exc.message) from None


def parse_grant(
    session: Session,
    catalog: Catalog,
    rules: GrantRules,
    enterprise: Principal,
    token: str,
    now: datetime,
) -> Authorization:
    """Check the JWS and its content; return the (unsaved) authorization it grants."""
    claims = _verified_claims(session, token, enterprise, rules.audience)
    authorization_id = claims["jti"]
    if not isinstance(authorization_id, str) or not _ID.match(authorization_id):
        raise _invalid("jti", "must be 8-64 characters of A-Z a-z 0-9 . _ -")
    institution_id = claims["institution"]
    institution = (
        principals.get(session, institution_id) if isinstance(institution_id, str) else None
    )
    if institution is None or institution.role is not Role.institution:
        raise _invalid("institution", f"{institution_id!r} is not a registered institution")
    purpose = claims["purpose"]
    if purpose not in rules.purposes:
        raise _invalid("purpose", f"{purpose!r} is not one of {sorted(rules.purposes)}")
    modes = _string_list(claims, "modes")
    if not modes or not set(modes) <= set(MODES):
        raise _invalid("modes", f"must be a non-empty subset of {list(MODES)}")
    datasets = _string_list(claims, "datasets")
    unknown = [d for d in datasets if catalog.dataset(d) is None]
    if unknown:
        raise _invalid("datasets", f"not in the catalog: {unknown}")
    classes = _string_list(claims, "classes")
    if not set(classes) <= set(GRANTABLE_CLASSES):
        raise _invalid("classes", f"must be a subset of {list(GRANTABLE_CLASSES)}")
    if not datasets and not classes:
        raise _invalid("scope", "name at least one dataset or class")
    not_before, expires_at = _moment(claims, "nbf"), _moment(claims, "exp")
    if expires_at <= not_before:
        raise _invalid("exp", "must be after nbf")
    if expires_at - not_before > rules.max_lifetime:
        raise _invalid("exp", f"an authorization may last at most {rules.max_lifetime.days} days")
    if expires_at <= now:
        raise _invalid("exp", "the authorization has already expired")
    use_limit = claims.get("use_limit")
    if use_limit is not None and (
        isinstance(use_limit, bool)
        or not isinstance(use_limit, int)
        or not 1 <= use_limit <= MAX_USE_LIMIT
    ):
        raise _invalid("use_limit", f"must be an integer from 1 to {MAX_USE_LIMIT} when given")
    return Authorization(
        id=authorization_id,
        enterprise=enterprise.id,
        institution=institution.id,
        purpose=purpose,
        datasets=datasets,
        classes=classes,
        modes=modes,
        not_before=not_before,
        expires_at=expires_at,
        use_limit=use_limit,
        token=token,
        created_at=now,
    )


def _ledger_view(authorization: Authorization) -> dict[str, Any]:
    return {
        "authorization_id": authorization.id,
        "enterprise": authorization.enterprise,
        "institution": authorization.institution,
        "purpose": authorization.purpose,
        "datasets": authorization.datasets,
        "classes": authorization.classes,
        "modes": authorization.modes,
        "not_before": authorization.not_before.isoformat(),
        "expires_at": authorization.expires_at.isoformat(),
        "use_limit": authorization.use_limit,
        "token_sha256": hashlib.sha256(authorization.token.encode("ascii")).hexdigest(),
    }


def rules_of(ctx: RequestContext) -> GrantRules:
    """The rules a grant is checked against: the gateway's audience and the policy data."""
    return GrantRules(
        audience=ctx.audience,
        purposes=frozenset(ctx.policy_data.purposes),
        max_lifetime=ctx.policy_data.max_authorization_lifetime,
    )


def grant(ctx: RequestContext, token: str) -> tuple[Authorization, bool]:
    """Store the calling enterprise's new authorization and its ledger entry; the same JWS
    again changes nothing."""
    ctx.write()
    session = ctx.session
    authorization = parse_grant(session, ctx.catalog, rules_of(ctx), ctx.caller, token, ctx.now)
    existing = session.get(Authorization, authorization.id)
    if existing is not None:
        if existing.token != token:
            raise Conflict(
                f"authorization id {authorization.id!r} is taken; a change is a new authorization"
            )
        return existing, False
    session.add(authorization)
    session.flush()
    entry = {"type": "authorization.granted", **_ledger_view(authorization)}
    authorization.grant_ledger_index = ctx.record(entry, ctx.caller.id)
    session.add(authorization)
    return authorization, True


def revoke(ctx: RequestContext, authorization_id: str) -> Authorization:
    """End the calling enterprise's authorization at once. A request whose write section
    holds it is ordered before this; one that decided under it and writes later decides
    again (``gateway.hot_path``)."""
    ctx.write()
    session, enterprise, now = ctx.session, ctx.caller, ctx.now
    result = session.execute(
        update(Authorization)
        .where(
            col(Authorization.id) == authorization_id,
            col(Authorization.enterprise) == enterprise.id,
            col(Authorization.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    authorization = session.get(Authorization, authorization_id, populate_existing=True)
    if authorization is None or authorization.enterprise != enterprise.id:
        raise NotFound(f"no authorization {authorization_id!r} granted by {enterprise.id}")
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return authorization  # already revoked: idempotent
    entry = {
        "type": "authorization.revoked",
        "authorization_id": authorization.id,
        "enterprise": authorization.enterprise,
        "institution": authorization.institution,
        "purpose": authorization.purpose,
        "revoked_at": now.isoformat(),
    }
    authorization.revoke_ledger_index = ctx.record(entry, enterprise.id)
    session.add(authorization)
    emit.grant_revoked(session, authorization, now)
    return authorization


def visible_to(
    session: Session, principal: Principal, window: Window | None = None
) -> Sequence[Authorization]:
    """Newest first; with ``window``, one page of them."""
    query = select(Authorization)
    if principal.role is Role.enterprise:
        query = query.where(Authorization.enterprise == principal.id)
    elif principal.role is Role.institution:
        query = query.where(Authorization.institution == principal.id)
    elif principal.role not in (Role.operator, Role.assessor):
        raise Forbidden(f"a {principal.role.value} has no authorizations")
    if window is not None:
        order = [(col(Authorization.created_at), True), (col(Authorization.id), False)]
        return session.exec(keyset(query, order, window)).all()
    return session.exec(
        query.order_by(col(Authorization.created_at).desc(), col(Authorization.id))
    ).all()


def get_visible(session: Session, principal: Principal, authorization_id: str) -> Authorization:
    authorization = session.get(Authorization, authorization_id)
    if authorization is None or (
        principal.role not in (Role.operator, Role.assessor)
        and principal.id not in (authorization.enterprise, authorization.institution)
    ):
        raise NotFound(f"no authorization {authorization_id!r}")
    return authorization


def in_force(
    session: Session, enterprise: str, institution: str, purpose: str, now: datetime
) -> list[Authorization]:
    """Authorizations that may apply to this request at ``now``.

    Read without locks: the request's write section counts a use of those it relied on only
    if they are still in force then (:func:`count_use`), so a revoke acknowledged in between
    makes it decide again.
    """
    rows = _IN_FORCE.rows(
        session,
        {"enterprise": enterprise, "institution": institution, "purpose": purpose, "now": now},
    )
    grants = [Authorization(**row._asdict()) for row in rows]
    return [a for a in grants if a.state(now) is AuthorizationState.active]


_authorization = Authorization.__table__  # type: ignore[attr-defined]


def _still_in_force(now: Any) -> list[Any]:
    return [
        _authorization.c.revoked_at.is_(None),
        _authorization.c.not_before <= now,
        _authorization.c.expires_at > now,
        or_(
            _authorization.c.use_limit.is_(None),
            _authorization.c.uses < _authorization.c.use_limit,
        ),
    ]


# Every report and verification runs it: prepared once, rows without the ORM identity map
# (the authorizations returned are not attached to the session).
_IN_FORCE = Prepared(
    sa_select(_authorization)
    .where(
        _authorization.c.enterprise == bindparam("enterprise"),
        _authorization.c.institution == bindparam("institution"),
        _authorization.c.purpose == bindparam("purpose"),
        *_still_in_force(bindparam("now")),
    )
    .order_by(_authorization.c.id)
)


def count_use(session: Session, authorizations: Sequence[Authorization], now: datetime) -> bool:
    """One more use of each of ``authorizations``, if every one is still in force at ``now``;
    False if one is not (revoked, used up): the caller must then roll back what was counted."""
    if not authorizations:
        return True
    counted = _COUNT_USE.run(session, {"ids": [a.id for a in authorizations], "now": now})
    if counted != len(authorizations):
        return False
    for authorization in authorizations:
        set_committed_value(authorization, "uses", authorization.uses + 1)
    return True


_COUNT_USE = Prepared(
    update(_authorization)
    .where(
        _authorization.c.id.in_(bindparam("ids", expanding=True)),
        *_still_in_force(bindparam("now")),
    )
    .values(uses=_authorization.c.uses + 1)
)
