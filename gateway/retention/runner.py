"""``credgate retention``: open the database and the ledger from settings, apply, close."""

from __future__ import annotations

from datetime import timedelta

from gateway.clock import Clock, SystemClock
from gateway.db import make_engine
from gateway.policy.data import load_policy_data
from gateway.retention.service import RetentionReport, apply
from gateway.settings import Settings
from ledger.thinning import ThinningPolicy


def thinning_policy(settings: Settings) -> ThinningPolicy | None:
    """The checkpoint retention the settings ask for; ``None`` when it is switched off."""
    if not settings.ledger_checkpoint_thinning:
        return None
    return ThinningPolicy(
        keep_all=timedelta(hours=settings.ledger_checkpoint_keep_all_hours),
        keep_hourly=timedelta(days=settings.ledger_checkpoint_keep_hourly_days),
    )


def run(settings: Settings, *, dry_run: bool, clock: Clock | None = None) -> RetentionReport:
    """Apply the policy data's retention periods now, and thin the ledger's checkpoints as
    the settings say. A dry run opens no ledger (and so leaves checkpoints alone)."""
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
        return apply(
            engine,
            ledger,
            rules,
            clock.now(),
            dry_run=dry_run,
            checkpoints=thinning_policy(settings),
        )
    finally:
        if ledger is not None:
            ledger.close()
        if ledger_engine is not engine:
            ledger_engine.dispose()
        engine.dispose()
