"""Build the policy input of a request from the caller, the catalog and the authorizations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from gateway.authorizations.models import Authorization
from gateway.catalog.model import Catalog
from gateway.policy.inputs import (
    AuthorizationGrant,
    Caller,
    PolicyInput,
    Predicate,
    build_policy_input,
)
from gateway.principals.models import Principal, PrincipalStatus


def caller_of(principal: Principal, status: PrincipalStatus) -> Caller:
    return Caller(
        id=principal.id,
        role=principal.role.value,
        kind=(principal.kind or principal.role).value,
        status=status.value,
    )


def grant_of(authorization: Authorization, now: datetime) -> AuthorizationGrant:
    uses_left = (
        None if authorization.use_limit is None else authorization.use_limit - authorization.uses
    )
    return AuthorizationGrant(
        id=authorization.id,
        institution=authorization.institution,
        enterprise=authorization.enterprise,
        purpose=authorization.purpose,
        datasets=tuple(authorization.datasets),
        classes=tuple(authorization.classes),
        modes=tuple(authorization.modes),
        not_before_ns=authorization.not_before,
        expires_at_ns=authorization.expires_at,
        state=authorization.state(now).value,
        uses_left=max(uses_left, 0) if uses_left is not None else None,
    )


def resource_groups(
    catalog: Catalog, datasets: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """The distinct (dataset, disclosure class) groups of the fields in play."""
    wanted = set(datasets) if datasets is not None else None
    return sorted(
        {
            (dataset.id, field.disclosure.value)
            for dataset in catalog.datasets
            if wanted is None or dataset.id in wanted
            for field in dataset.fields
        }
    )


def build(
    *,
    principal: Principal,
    status: PrincipalStatus,
    action: str,
    purpose: str,
    subject: str,
    now: datetime,
    resources: Sequence[tuple[str, str]] = (),
    predicates: Sequence[Predicate] = (),
    authorizations: Sequence[Authorization] = (),
) -> PolicyInput:
    return build_policy_input(
        now=now,
        caller=caller_of(principal, status),
        action=action,
        purpose=purpose,
        subject=subject,
        resources=resources,
        predicates=predicates,
        authorizations=[grant_of(a, now) for a in authorizations],
    )
