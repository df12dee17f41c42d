"""Retention thins the ledger's old checkpoints too (as the settings say), and afterwards the
enterprise's access log, the storage check and every proof still verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from gateway.bootstrap import Services
from gateway.clock import SettableClock
from gateway.policy.data import load_policy_data
from gateway.retention import runner
from gateway.retention.service import apply
from gateway.settings import Settings
from ledger import Ledger, SignedCheckpoint
from ledger.note import NoteVerifier, verify_checkpoint
from ledger.thinning import ThinningPolicy
from ledger.verify import verify_checkpoint_consistency
from tests.retention.test_retention import verified_page
from tests.support.world import World

RULES = load_policy_data().retention
LATER = timedelta(days=40)  # every checkpoint of the test is then in the one-per-day tier


def some_checkpoints(world: World, ledger: Ledger) -> list[SignedCheckpoint]:
    """A few reports, each in a checkpoint of its own; every checkpoint issued so far."""
    for _ in range(3):
        world.report()
        ledger.wait_for_checkpoint(ledger.size(), 5)
    issued = ledger.checkpoints(limit=1000)
    assert len(issued) >= 4
    return issued


def first_of_each_day_and_latest(issued: list[SignedCheckpoint]) -> list[int]:
    firsts: dict[object, int] = {}
    for checkpoint in issued:
        firsts.setdefault(checkpoint.issued_at.astimezone(UTC).date(), checkpoint.size)
    return sorted({*firsts.values(), issued[-1].size})


def test_retention_thins_old_checkpoints_and_everything_still_verifies(
    world: World, services: Services
) -> None:
    ledger = services.ledger
    issued = some_checkpoints(world, ledger)
    expected = first_of_each_day_and_latest(issued)
    before = verified_page(world)
    now = datetime.now(UTC) + LATER

    report = apply(services.engine, ledger, RULES, now, checkpoints=ThinningPolicy())

    assert report.checkpoints is not None
    assert (report.checkpoints.examined, report.checkpoints.deleted) == (
        len(issued) - 1,
        len(issued) - len(expected),
    )
    assert [c.size for c in ledger.checkpoints(limit=1000)] == expected
    assert not report.changed and report.ledger_index is None  # thinning is no ledger entry
    line = f"deleted {len(issued) - len(expected)} of {len(issued) - 1}"
    assert any(line in text and "first of each UTC day" in text for text in report.lines())
    after = verified_page(world)  # against the latest checkpoint, which stays
    assert [e.index for e in after.entries] == [e.index for e in before.entries]
    assert ledger.check_storage().checkpoints == len(expected)
    verifiers = [NoteVerifier.parse(key) for key in ledger.verifier_keys()]
    latest = verify_checkpoint(issued[-1].note_text, verifiers)
    for gone in [c for c in issued if c.size not in expected and c.size > 0]:
        held = verify_checkpoint(gone.note_text, verifiers)  # a copy a client kept
        proof = ledger.consistency_proof(held.size, latest.size)
        verify_checkpoint_consistency(held, latest, proof)

    again = apply(services.engine, ledger, RULES, now, checkpoints=ThinningPolicy())
    assert again.checkpoints is not None and again.checkpoints.deleted == 0


def test_the_retention_command_thins_as_the_settings_say(
    world: World, services: Services, settings: Settings
) -> None:
    issued = some_checkpoints(world, services.ledger)
    later = SettableClock(datetime.now(UTC) + LATER)

    dry = runner.run(settings, dry_run=True, clock=later)
    assert dry.checkpoints is None
    assert "  ledger checkpoints: none thinned (dry run)" in dry.lines()
    off = settings.model_copy(update={"ledger_checkpoint_thinning": False})
    assert runner.run(off, dry_run=False, clock=later).checkpoints is None
    assert len(services.ledger.checkpoints(limit=1000)) == len(issued)

    report = runner.run(settings, dry_run=False, clock=later)

    assert report.checkpoints is not None and report.checkpoints.policy == ThinningPolicy()
    expected = first_of_each_day_and_latest(issued)
    assert [c.size for c in services.ledger.checkpoints(limit=1000)] == expected


def test_checkpoint_retention_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    keep_all, keep_hourly = (
        "CREDGATE_LEDGER_CHECKPOINT_KEEP_ALL_HOURS",
        "CREDGATE_LEDGER_CHECKPOINT_KEEP_HOURLY_DAYS",
    )
    monkeypatch.delenv(keep_all, raising=False)
    monkeypatch.delenv(keep_hourly, raising=False)
    assert runner.thinning_policy(Settings()) == ThinningPolicy(
        keep_all=timedelta(hours=24), keep_hourly=timedelta(days=30)
    )
    monkeypatch.setenv(keep_all, "6")
    monkeypatch.setenv(keep_hourly, "7")
    assert runner.thinning_policy(Settings()) == ThinningPolicy(
        keep_all=timedelta(hours=6), keep_hourly=timedelta(days=7)
    )
    assert runner.thinning_policy(Settings(ledger_checkpoint_thinning=False)) is None
    monkeypatch.setenv(keep_all, "0")  # "keep nothing" is not a retention period
    with pytest.raises(ValidationError):
        Settings()
