"""Access events and authorizations built by hand, for detector tests and direct inserts."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from typing import Any

from gateway import uscc
from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization

_indexes = itertools.count(1000)
BANK = "bank-bx-001"
ENTERPRISES = [uscc.generate(random.Random(9000 + n)) for n in range(100)]


def event(at: datetime, **overrides: Any) -> AccessEvent:
    fields: dict[str, Any] = {
        "ledger_index": next(_indexes),
        "at": at,
        "caller": BANK,
        "caller_role": "institution",
        "subject": ENTERPRISES[0],
        "action": "report",
        "purpose": "loan_underwriting",
        "allowed": True,
        "reason": "ok",
        "authorizations": [],
        "detail": {},
    }
    fields.update(overrides)
    return AccessEvent(**fields)


def verify_event(
    at: datetime,
    predicate: str,
    threshold: str | None,
    *,
    permitted: bool = True,
    budget_exceeded: bool = False,
    **overrides: Any,
) -> AccessEvent:
    check = {
        "predicate": predicate,
        "threshold": threshold,
        "permitted": permitted and not budget_exceeded,
        "holds": None if budget_exceeded or not permitted else True,
        "reason": "not_evaluated"
        if budget_exceeded
        else ("ok" if permitted else "no_authorization"),
    }
    if budget_exceeded:
        overrides.setdefault("allowed", False)
        overrides.setdefault("reason", "bisection_budget_exceeded")
    return event(
        at,
        action="verify",
        detail={"checks": [check], "budget_exceeded": budget_exceeded},
        **overrides,
    )


def authorization(granted_at: datetime, **overrides: Any) -> Authorization:
    fields: dict[str, Any] = {
        "id": "grant-0001",
        "enterprise": ENTERPRISES[0],
        "institution": BANK,
        "purpose": "loan_underwriting",
        "datasets": ["housing_fund"],
        "classes": [],
        "modes": ["report"],
        "not_before": granted_at,
        "expires_at": granted_at + timedelta(days=30),
        "token": "x",
        "created_at": granted_at,
        "grant_ledger_index": 1,
    }
    fields.update(overrides)
    return Authorization(**fields)
