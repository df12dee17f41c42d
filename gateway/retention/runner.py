"""``credgate retention``: open the database and the ledger from settings, apply, close."""

from __future__ import annotations

from gateway.clock import Clock, SystemClock
from gateway.db import make_engine
from gateway.policy.data import load_policy_data
from gateway.retention.service import RetentionReport, apply
from gateway.settings import Settings


def run(settings: Settings, *, dry_run: bool, clock: Clock | None = None) -> RetentionReport:
    """Apply the policy data's retention periods now. A dry run opens no ledger."""
    from gateway.bootstrap import ledger_engine as open_ledger_engine
    from gateway.ledger_api.wiring import open_ledger

    clock = clock or SystemClock()
    rules = load_policy_data().retention
    engine = make_engine(settings.effective_database_url)
    ledger_engine = engine
    ledger = None
    try:
        if not dry_run:
            ledger_engine = open_ledger_engine(settings, engine)
            ledger = open_ledger(settings, ledger_engine, clock)
        return apply(engine, ledger, rules, clock.now(), dry_run=dry_run)
    finally:
        if ledger is not None:
            ledger.close()
        if ledger_engine is not engine:
            ledger_engine.dispose()
        engine.dispose()
