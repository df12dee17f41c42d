"""The rules of reading notifications and managing webhooks: every principal sees and manages
only its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.notifications import repository
from gateway.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    WebhookSubscription,
)
from gateway.notifications.schemas import WebhookIn
from gateway.notifications.targets import TargetRefused, TargetRules, check_url
from gateway.settings import Environment, Settings

if TYPE_CHECKING:  # the request context imports the features that notify: no cycle
    from gateway.context import RequestContext

MAX_WEBHOOKS = 10


def target_rules(settings: Settings) -> TargetRules:
    return TargetRules(
        allowed=tuple(settings.webhook_allowed_targets),
        allow_private=settings.effective_webhook_allow_private_targets,
        require_https=settings.environment is Environment.production,
    )


def poll(ctx: RequestContext, after: int, limit: int) -> Sequence[Notification]:
    """The caller's notifications with an id above ``after``, oldest first."""
    return repository.notifications_after(ctx.session, ctx.caller.id, after, limit)


def register_webhook(
    ctx: RequestContext, body: WebhookIn, rules: TargetRules
) -> WebhookSubscription:
    """Subscribe ``body.url`` to the caller's notifications from now on."""
    try:
        check_url(body.url, rules)
    except TargetRefused as exc:
        raise InvalidInput(f"url: {exc}", detail=[{"field": "url", "problem": str(exc)}]) from exc
    ctx.write()
    if repository.subscription(ctx.session, ctx.caller.id, body.receiver_id) is not None:
        raise Conflict(
            f"receiver_id {body.receiver_id!r} is registered already; delete it first",
            detail={"receiver_id": body.receiver_id},
        )
    if len(repository.subscriptions_of(ctx.session, ctx.caller.id)) >= MAX_WEBHOOKS:
        raise Conflict(f"at most {MAX_WEBHOOKS} webhooks per principal")
    subscription = WebhookSubscription(
        owner=ctx.caller.id,
        receiver_id=body.receiver_id,
        url=body.url,
        kinds=body.kinds,
        created_at=ctx.now,
    )
    ctx.session.add(subscription)
    try:
        ctx.session.flush()
    except IntegrityError as exc:  # a concurrent twin (PostgreSQL locks no table here)
        raise Conflict(f"receiver_id {body.receiver_id!r} is registered already") from exc
    return subscription


def webhooks(ctx: RequestContext) -> Sequence[WebhookSubscription]:
    return repository.subscriptions_of(ctx.session, ctx.caller.id)


def delete_webhook(ctx: RequestContext, receiver_id: str) -> None:
    """Unsubscribe; deliveries still pending to it are cancelled (never sent)."""
    ctx.write()
    subscription = repository.subscription(ctx.session, ctx.caller.id, receiver_id)
    if subscription is None:
        raise NotFound(f"no webhook {receiver_id!r} of {ctx.caller.id}")
    repository.cancel_pending(ctx.session, ctx.caller.id, receiver_id, ctx.now)
    ctx.session.delete(subscription)


def deliveries(
    ctx: RequestContext, state: DeliveryState | None, after: int, limit: int
) -> Sequence[NotificationDelivery]:
    """The caller's webhook deliveries (dead ones included: what it must fetch by polling)."""
    return repository.deliveries_of(ctx.session, ctx.caller.id, state, after, limit)
