"""The provincial exchange: the outbound feed, backflow provenance and reconciliation."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.exchange.provenance import following_provenance

router = APIRouter(tags=["exchange"], lifespan=following_provenance)
