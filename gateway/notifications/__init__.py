"""Notifications: what an interested party should hear about, kept in an outbox in the database.

Features call :func:`notify` inside the request's transaction, so a notification exists exactly
when the change it announces was committed. Delivery (polling, signed webhooks with retries)
reads the outbox and never blocks the request that wrote it.
"""

from __future__ import annotations

from gateway.notifications.outbox import notify

__all__ = ["notify"]
