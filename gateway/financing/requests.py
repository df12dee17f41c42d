"""Bank-initiated authorization requests (the consent inbox).

An institution asks; the claims of the grant are fixed then (scope, purpose, modes, validity,
the grant's id), so the enterprise signs exactly what was asked: the server hands it the claim
set, and an approval whose token differs in any claim is refused naming that claim. The token
is then granted by :func:`gateway.authorizations.service.grant`, as a grant sent directly is.
A request not answered by ``respond_by`` has expired. Every state is in the enterprise's chain.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import jwt

from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.context import RequestContext
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.financing import demands, repository
from gateway.financing.models import AuthorizationRequest, PushState, RequestState
from gateway.financing.products import invalid
from gateway.financing.schemas import AuthorizationRequestIn
from gateway.notifications import notify
from gateway.principals import repository as principals
from gateway.principals.models import Role


def _check_scope(ctx: RequestContext, body: AuthorizationRequestIn) -> None:
    """The rules a grant is held to (``authorizations.parse_grant``), checked before asking."""
    if not ctx.policy_data.is_purpose(body.purpose):
        raise invalid("purpose", f"not one of {sorted(ctx.policy_data.purposes)}")
    if not set(body.modes) <= set(authorizations.MODES):
        raise invalid("modes", f"must be a subset of {list(authorizations.MODES)}")
    for i, dataset in enumerate(body.datasets):
        if ctx.catalog.dataset(dataset) is None:
            raise invalid(f"datasets[{i}]", "not in the catalog")
    if not set(body.classes) <= set(authorizations.GRANTABLE_CLASSES):
        raise invalid("classes", f"must be a subset of {list(authorizations.GRANTABLE_CLASSES)}")
    if not body.datasets and not body.classes:
        raise invalid("datasets", "name at least one dataset or class")
    if timedelta(days=body.valid_days) > ctx.policy_data.max_authorization_lifetime:
        limit = ctx.policy_data.authorization.max_lifetime_days
        raise invalid("valid_days", f"an authorization may last at most {limit} days")


def create(ctx: RequestContext, body: AuthorizationRequestIn) -> AuthorizationRequest:
    ctx.write()
    _check_scope(ctx, body)
    enterprise = principals.get(ctx.session, body.enterprise)
    if enterprise is None or enterprise.role is not Role.enterprise:
        raise invalid("enterprise", "not a registered enterprise")
    demand = None
    if body.demand_id is not None:
        demand, push = demands.pushed_to_me(ctx, body.demand_id)
        if demand.enterprise != body.enterprise:
            raise invalid("demand_id", "a demand of another enterprise")
        if push.state is PushState.pushed:
            raise Conflict(
                f"pick demand {demand.id} up before asking for an authorization",
                detail=[{"field": "demand_id", "problem": "not picked up"}],
            )
    request_id = f"ar-{secrets.token_hex(8)}"
    # Whole seconds: the claims carry NumericDates.
    not_before = ctx.now.replace(microsecond=0)
    request = AuthorizationRequest(
        id=request_id,
        institution=ctx.caller.id,
        enterprise=body.enterprise,
        demand_id=body.demand_id,
        purpose=body.purpose,
        datasets=sorted(set(body.datasets)),
        classes=sorted(set(body.classes)),
        modes=sorted(set(body.modes)),
        use_limit=body.use_limit,
        grant_id=request_id,
        not_before=not_before,
        expires_at=not_before + timedelta(days=body.valid_days),
        note_zh=body.note_zh,
        respond_by=ctx.now + timedelta(days=body.respond_within_days),
        state=RequestState.pending,
        created_at=ctx.now,
        ledger_index=-1,
    )
    request.ledger_index = _record(ctx, request, "created", {"claims": claims(ctx, request)})
    ctx.session.add(request)
    notify(
        ctx.session,
        recipient=request.enterprise,
        kind="authorization_request.received",
        payload={"request_id": request.id, "institution": request.institution},
        at=ctx.now,
        subject=request.enterprise,
    )
    if demand is not None:
        demands.authorization_step(
            ctx, demand, ctx.caller.id, PushState.authorization_requested, request.id
        )
    return request


def _record(
    ctx: RequestContext, request: AuthorizationRequest, state: str, extra: dict[str, Any]
) -> int:
    entry = {
        "type": f"authorization_request.{state}",
        "request_id": request.id,
        "enterprise": request.enterprise,
        "institution": request.institution,
        "demand_id": request.demand_id,
        "respond_by": request.respond_by.isoformat(),
        **extra,
    }
    return ctx.record(entry, subject=request.enterprise)


def claims(ctx: RequestContext, request: AuthorizationRequest) -> dict[str, Any]:
    """The exact claim set the enterprise signs to approve ``request``."""
    moment = int(request.not_before.timestamp())
    claim_set: dict[str, Any] = {
        "iss": request.enterprise,
        "aud": ctx.audience,
        "jti": request.grant_id,
        "iat": moment,
        "nbf": moment,
        "exp": int(request.expires_at.timestamp()),
        "institution": request.institution,
        "purpose": request.purpose,
        "datasets": request.datasets,
        "classes": request.classes,
        "modes": request.modes,
    }
    if request.use_limit is not None:
        claim_set["use_limit"] = request.use_limit
    return claim_set


def own(ctx: RequestContext, request_id: str) -> AuthorizationRequest:
    request = repository.authorization_request(ctx.session, request_id)
    if request is None or request.enterprise != ctx.caller.id:
        raise NotFound(f"no authorization request {request_id!r} to {ctx.caller.id}")
    return request


def _pending(ctx: RequestContext, request: AuthorizationRequest) -> None:
    state = request.state_at(ctx.now)
    if state is RequestState.expired and request.answer_ledger_index is None:
        # The first attempt to answer after the date records the expiry, refusal included.
        request.answer_ledger_index = _record(ctx, request, "expired", {})
        ctx.session.add(request)
        raise Conflict(
            f"authorization request {request.id} expired at {request.respond_by.isoformat()}",
            keep_records=True,
        )
    if state is not RequestState.pending:
        raise Conflict(f"authorization request {request.id} is {state.value}")


def _differences(asked: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    names = sorted(set(asked) | set(signed))
    return [n for n in names if _normal(asked.get(n)) != _normal(signed.get(n))]


def _normal(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def approve(
    ctx: RequestContext, request_id: str, token: str
) -> tuple[AuthorizationRequest, Authorization]:
    ctx.write()
    request = own(ctx, request_id)
    _pending(ctx, request)
    # Verified first (signature, issuer, audience, content): only then are its claims read.
    authorizations.parse_grant(
        ctx.session, ctx.catalog, authorizations.rules_of(ctx), ctx.caller, token, ctx.now
    )
    signed = jwt.decode(token, options={"verify_signature": False})
    differing = _differences(claims(ctx, request), signed)
    if differing:
        raise InvalidInput(
            f"the token does not carry the request's claims: {differing}",
            detail=[
                {"field": f"claims.{n}", "problem": "differs from the request"} for n in differing
            ],
        )
    grant, _ = authorizations.grant(ctx, token)
    request.state = RequestState.approved
    request.answered_at = ctx.now
    request.answer_ledger_index = _record(ctx, request, "approved", {"authorization_id": grant.id})
    ctx.session.add(request)
    _answered(ctx, request, PushState.authorization_approved)
    return request, grant


def reject(ctx: RequestContext, request_id: str, reason: str) -> AuthorizationRequest:
    ctx.write()
    request = own(ctx, request_id)
    _pending(ctx, request)
    request.state = RequestState.rejected
    request.answered_at = ctx.now
    request.reason = reason
    request.answer_ledger_index = _record(ctx, request, "rejected", {"reason": reason})
    ctx.session.add(request)
    _answered(ctx, request, PushState.authorization_rejected)
    return request


def _answered(ctx: RequestContext, request: AuthorizationRequest, to: PushState) -> None:
    notify(
        ctx.session,
        recipient=request.institution,
        kind=f"authorization_request.{request.state.value}",
        payload={"request_id": request.id, "authorization_id": request.grant_id}
        if request.state is RequestState.approved
        else {"request_id": request.id, "reason": request.reason},
        at=ctx.now,
        subject=request.enterprise,
    )
    if request.demand_id is not None:
        demand = repository.demand(ctx.session, request.demand_id)
        if demand is not None:
            demands.authorization_step(ctx, demand, request.institution, to, request.id)


def inbox(ctx: RequestContext) -> list[AuthorizationRequest]:
    if ctx.caller.role is Role.enterprise:
        return list(repository.requests_to(ctx.session, ctx.caller.id))
    return list(repository.requests_from(ctx.session, ctx.caller.id))
