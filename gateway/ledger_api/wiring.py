"""Open the process's ledger from settings: signing key(s), SQL store, sequencer thread."""

from __future__ import annotations

from sqlalchemy import Engine

from gateway.clock import Clock, SystemClock
from gateway.settings import Settings
from ledger import Ledger
from ledger.keys import ensure_signing_key, signing_keys
from ledger.note import NoteSigner
from ledger.sequencer import BatchObserver
from ledger.sql_store import SqlStore


def open_ledger(
    settings: Settings,
    engine: Engine,
    clock: Clock | None = None,
    observer: BatchObserver | None = None,
) -> Ledger:
    """The ledger in ``engine``'s database (tables must exist), signing checkpoints with the
    key at ``settings.effective_ledger_key_path`` (created if missing) and, during a key
    rotation, the previous key too; ``observer`` is told of each committed batch (metrics).
    Stop it with ``ledger.close()``."""
    path = settings.effective_ledger_key_path
    ensure_signing_key(path)
    signers = [NoteSigner(settings.ledger_origin, key) for key in signing_keys(path)]
    return Ledger(
        SqlStore(engine),
        signers,
        origin=settings.ledger_origin,
        checkpoint_interval=settings.ledger_checkpoint_interval_seconds,
        clock=(clock or SystemClock()).now,
        observer=observer,
    )
