"""The enterprise's grants with their last use, for the consent inbox.

A grant's last use is read from the access index (every report or verification that relied on
a grant names it there, in the same transaction as its ledger entry), so the hot path writes
nothing more for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from gateway.access_index import AccessEvent
from gateway.authorizations import service as authorizations
from gateway.context import RequestContext
from gateway.financing import repository
from gateway.financing.schemas import GrantOut


def last_uses(ctx: RequestContext, enterprise: str) -> dict[str, datetime]:
    rows = ctx.session.exec(
        select(AccessEvent.at, AccessEvent.authorizations).where(
            AccessEvent.subject == enterprise, col(AccessEvent.allowed).is_(True)
        )
    ).all()
    last: dict[str, datetime] = {}
    for at, used in rows:
        for grant_id in used:
            if grant_id not in last or at > last[grant_id]:
                last[grant_id] = at
    return last


def listed(ctx: RequestContext) -> list[GrantOut]:
    grants = authorizations.visible_to(ctx.session, ctx.caller)
    used = last_uses(ctx, ctx.caller.id)
    requested = repository.requests_for_grants(ctx.session, [g.id for g in grants])
    return [
        GrantOut(
            id=g.id,
            institution=g.institution,
            purpose=g.purpose,
            datasets=g.datasets,
            classes=g.classes,
            modes=g.modes,
            state=g.state(ctx.now).value,
            not_before=g.not_before,
            expires_at=g.expires_at,
            uses=g.uses,
            last_used_at=used.get(g.id),
            request_id=requested.get(g.id),
        )
        for g in grants
    ]
