"""Wire the real implementations together once per process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from gateway.access.live_sources import HttpLiveSources
from gateway.catalog import load_catalog
from gateway.clock import Clock, SystemClock
from gateway.db import make_engine
from gateway.policy.data import load_policy_data
from gateway.policy.engine import PolicyEngine
from gateway.policy.factory import build_engine
from gateway.principals.auth import TokenRules
from gateway.services import Services
from gateway.settings import Settings
from gateway.verification.hashing import load_or_create_key


def build_services(
    settings: Settings, clock: Clock | None = None, policy_engine: PolicyEngine | None = None
) -> Services:
    from datetime import timedelta

    return Services(
        settings=settings,
        engine=make_engine(settings.effective_database_url, group_sync=True),
        catalog=load_catalog(),
        policy_data=load_policy_data(),
        policy_engine=policy_engine or build_engine(settings),
        argument_hash_key=load_or_create_key(settings.effective_argument_hash_key_path),
        live_sources=HttpLiveSources(
            settings.live_source_urls, settings.live_source_url, settings.source_timeout_seconds
        ),
        clock=clock or SystemClock(),
        token_rules=TokenRules(
            audience=settings.audience,
            max_lifetime=timedelta(seconds=settings.max_token_lifetime_seconds),
            leeway=timedelta(seconds=settings.clock_skew_seconds),
        ),
    )


def ledger_engine(settings: Settings, main_engine: Engine) -> Engine:
    """The engine of the ledger's database: the main one, or (embedded) a file of its own
    whose tables are created here. Dispose of it if it is not ``main_engine``."""
    from ledger.sql_store import create_tables

    url = settings.effective_ledger_database_url
    if url == settings.effective_database_url:
        return main_engine
    engine = make_engine(url)
    create_tables(engine)
    return engine


def open_service_ledger(services: Services) -> Any:
    """Open the ledger in its database and start its sequencer."""
    from gateway.ledger_api.wiring import open_ledger

    engine = ledger_engine(services.settings, services.engine)
    services.extras["ledger_engine"] = engine
    return open_ledger(services.settings, engine, observer=services.extras.get("ledger_observer"))


def close_service_ledger(services: Services) -> None:
    if services.ledger is not None:
        services.ledger.close()
        services.ledger = None
    engine = services.extras.pop("ledger_engine", None)
    if engine is not None and engine is not services.engine:
        engine.dispose()
