"""Notifications: polling the outbox, webhook subscriptions, their deliveries, and the public
key that signs deliveries. Any authenticated principal sees and manages only its own."""

from __future__ import annotations

from typing import Annotated

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import APIRouter, Query, Response

from gateway.deps import Ctx, ServicesDep
from gateway.http.params import BoundedInt
from gateway.notifications import service
from gateway.notifications.keys import signing_key
from gateway.notifications.models import DeliveryState
from gateway.notifications.schemas import (
    DeliveryOut,
    NotificationOut,
    NotificationPage,
    SigningKeyOut,
    WebhookIn,
    WebhookOut,
)
from gateway.notifications.signature import public_key_text
from gateway.notifications.worker import delivering_webhooks

router = APIRouter(tags=["notifications"], lifespan=delivering_webhooks)
Limit = Annotated[int, Query(ge=1, le=500)]
After = Annotated[BoundedInt, Query(ge=0, description="the last id you have; 0 for the oldest")]


@router.get("/v1/me/notifications", response_model=NotificationPage)
def poll_notifications(ctx: Ctx, after: After = 0, limit: Limit = 100) -> NotificationPage:
    """The caller's notifications with an id above ``after``, oldest first."""
    found = [NotificationOut.of(n) for n in service.poll(ctx, after, limit)]
    return NotificationPage(notifications=found, next_after=found[-1].id if found else after)


@router.post("/v1/me/webhooks", response_model=WebhookOut, status_code=201)
def register_webhook(body: WebhookIn, ctx: Ctx, services: ServicesDep) -> WebhookOut:
    """Have the caller's notifications from now on POSTed, signed, to ``url``."""
    rules = service.target_rules(services.settings)
    return WebhookOut.of(service.register_webhook(ctx, body, rules))


@router.get("/v1/me/webhooks", response_model=list[WebhookOut])
def list_webhooks(ctx: Ctx) -> list[WebhookOut]:
    return [WebhookOut.of(s) for s in service.webhooks(ctx)]


@router.delete("/v1/me/webhooks/{receiver_id}", status_code=204)
def delete_webhook(receiver_id: str, ctx: Ctx) -> Response:
    """Unsubscribe the receiver; its pending deliveries are cancelled."""
    service.delete_webhook(ctx, receiver_id)
    return Response(status_code=204)


@router.get("/v1/me/webhook-deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    ctx: Ctx,
    state: DeliveryState | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> list[DeliveryOut]:
    """The caller's deliveries by notification id; ``state=dead`` lists those given up on."""
    return [DeliveryOut.of(d) for d in service.deliveries(ctx, state, after, limit)]


@router.get("/v1/notifications/key", response_model=SigningKeyOut)
def notification_key(services: ServicesDep) -> SigningKeyOut:
    """The public key that signs every webhook delivery (Standard Webhooks ``v1a``)."""
    public = signing_key(services.settings.effective_notification_key_path).public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return SigningKeyOut(public_key=public_key_text(public), public_key_pem=pem)
