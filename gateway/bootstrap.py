"""Wire the real implementations together once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from gateway.catalog import Catalog, load_catalog
from gateway.clock import Clock, SystemClock
from gateway.db import make_engine
from gateway.principals.auth import TokenRules
from gateway.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalog: Catalog
    clock: Clock
    token_rules: TokenRules
    # Filled in by features that own them (ledger, policy engine, live sources).
    extras: dict[str, Any] = field(default_factory=dict)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    from datetime import timedelta

    return Services(
        settings=settings,
        engine=make_engine(settings.effective_database_url),
        catalog=load_catalog(),
        clock=clock or SystemClock(),
        token_rules=TokenRules(
            audience=settings.audience,
            max_lifetime=timedelta(seconds=settings.max_token_lifetime_seconds),
            leeway=timedelta(seconds=settings.clock_skew_seconds),
        ),
    )
