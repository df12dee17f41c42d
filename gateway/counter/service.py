"""Counter queries (线下查询): an operator asks on behalf of a walk-in party.

The policy decides as if the represented party had asked itself (``ctx.as_caller``), through
the access service's own report functions; a second entry in the enterprise's chain names the
operator, the represented party and the paper authorization's hash, so the enterprise sees in
its access log who stood at the counter for whom.
"""

from __future__ import annotations

from typing import Any

from gateway.access import service as access
from gateway.context import RequestContext
from gateway.counter.schemas import CounterReportIn, CounterReportOut
from gateway.errors import CredgateError, InvalidInput, NotFound
from gateway.hot_path import decide_and_write
from gateway.principals import repository as principals
from gateway.principals.models import Role

COUNTER_ENTRY = "counter.query"


def counter_report(ctx: RequestContext, body: CounterReportIn) -> CounterReportOut:
    ctx.write()
    represented = principals.get(ctx.session, body.represented)
    if represented is None:
        raise NotFound(f"no principal {body.represented!r} to represent")
    if represented.role not in (Role.institution, Role.enterprise):
        raise InvalidInput(
            "a counter query represents an institution or an enterprise",
            detail=[{"field": "represented", "problem": f"role {represented.role.value}"}],
        )
    subject = body.enterprise or represented.id
    if represented.role is Role.enterprise and subject != represented.id:
        raise InvalidInput(
            "an enterprise at the counter asks about itself only",
            detail=[{"field": "enterprise", "problem": "not the represented enterprise"}],
        )
    subject = access.parse_subject(subject)
    as_party = ctx.as_caller(represented)
    entry: dict[str, Any] = {
        "type": COUNTER_ENTRY,
        "operator": ctx.caller.id,
        "represented": represented.id,
        "represented_role": represented.role.value,
        "enterprise": subject,
        "purpose": body.purpose,
        "paper_authorization": {
            "sha256": body.paper_authorization.sha256,
            "presented_by": body.paper_authorization.presented_by,
            "signed_on": (
                body.paper_authorization.signed_on.isoformat()
                if body.paper_authorization.signed_on
                else None
            ),
            "recorded_at": ctx.now.isoformat(),
        },
    }
    try:
        if represented.role is Role.enterprise:
            report = decide_and_write(as_party, access.self_report)
        else:
            report = decide_and_write(
                as_party, lambda c: access.institution_report(c, subject, body.purpose)
            )
    except CredgateError as exc:
        logged = isinstance(exc.detail, dict) and "ledger_index" in exc.detail
        if logged:  # a denial is logged: say who asked for it at the counter
            ctx.record({**entry, "allowed": False, "reason": exc.message}, subject)
        raise
    index = ctx.record(
        {**entry, "allowed": True, "access_ledger_index": report.ledger_index}, subject
    )
    return CounterReportOut(
        operator=ctx.caller.id,
        represented=represented.id,
        report=report,
        counter_ledger_index=index,
    )
