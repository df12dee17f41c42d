"""The auditor: a log that only grows passes; a split view or a rewrite, even signed with the
log's own key, is reported with both notes as evidence."""

from __future__ import annotations

import pytest

from ledger.audit import Auditor, Inconsistent, Verdict
from ledger.errors import LedgerError, VerificationError
from tests.ledger.logs import MemoryLog


class Source:
    """A CheckpointSource serving one MemoryLog, optionally lying about the latest note."""

    def __init__(self, log: MemoryLog) -> None:
        self.log = log
        self.latest: str | None = None
        self.refuse = False
        self.issued: list[int] = []

    def latest_checkpoint(self) -> str:
        return self.latest or self.log.note()

    def checkpoints_after(self, size: int, limit: int) -> list[str]:
        return [self.log.note(s) for s in self.issued if s > size][:limit]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        if self.refuse:
            raise LedgerError("not today")
        return self.log.consistency(first, second)


def _grow(log: MemoryLog, count: int) -> None:
    for n in range(count):
        log.append({"n": n})


def test_a_growing_log_passes() -> None:
    log = MemoryLog()
    _grow(log, 5)
    source = Source(log)
    auditor = Auditor([log.signer.verifier])
    assert auditor.poll(source).verdict is Verdict.FIRST
    assert auditor.poll(source).verdict is Verdict.UNCHANGED
    _grow(log, 4)
    assert auditor.poll(source).verdict is Verdict.EXTENDED
    assert auditor.checkpoint is not None and auditor.checkpoint.size == 9


def test_an_older_consistent_checkpoint_is_stale_and_not_adopted() -> None:
    log = MemoryLog()
    _grow(log, 9)
    source = Source(log)
    auditor = Auditor([log.signer.verifier])
    auditor.poll(source)
    source.latest = log.note(4)
    assert auditor.poll(source).verdict is Verdict.STALE
    assert auditor.checkpoint is not None and auditor.checkpoint.size == 9


def test_two_roots_for_one_size_are_a_split_view() -> None:
    honest = MemoryLog()
    _grow(honest, 6)
    fork = MemoryLog(signer=honest.signer)
    _grow(fork, 6)
    auditor = Auditor([honest.signer.verifier])
    auditor.poll(Source(honest))
    with pytest.raises(Inconsistent, match="different roots") as caught:
        auditor.poll(Source(fork))
    assert caught.value.older_note == honest.note()
    assert caught.value.newer_note == fork.note()


def test_a_rewritten_history_fails_the_consistency_proof() -> None:
    honest = MemoryLog()
    _grow(honest, 5)
    rewritten = MemoryLog(signer=honest.signer)
    _grow(rewritten, 8)
    auditor = Auditor([honest.signer.verifier])
    auditor.poll(Source(honest))
    with pytest.raises(Inconsistent, match="does not extend"):
        auditor.poll(Source(rewritten))


def test_a_log_that_will_not_prove_consistency_is_reported() -> None:
    log = MemoryLog()
    _grow(log, 3)
    source = Source(log)
    auditor = Auditor([log.signer.verifier])
    auditor.poll(source)
    _grow(log, 3)
    source.refuse = True
    with pytest.raises(Inconsistent, match="no consistency proof"):
        auditor.poll(source)


def test_catching_up_checks_every_issued_checkpoint_and_resumes_from_state() -> None:
    log = MemoryLog()
    _grow(log, 20)
    source = Source(log)
    source.issued = [0, 3, 7, 8, 15, 20]
    auditor = Auditor([log.signer.verifier])
    seen = auditor.catch_up(source, page=2)
    assert [o.checkpoint.size for o in seen] == [0, 3, 7, 8, 15, 20]
    assert [o.verdict for o in seen][1:] == [Verdict.EXTENDED] * 5
    resumed = Auditor([log.signer.verifier], trusted_note=auditor.note)
    _grow(log, 2)
    assert resumed.poll(source).verdict is Verdict.EXTENDED


def test_a_note_from_an_untrusted_key_is_not_an_observation() -> None:
    log = MemoryLog()
    _grow(log, 2)
    auditor = Auditor([MemoryLog().signer.verifier])
    with pytest.raises(VerificationError, match="trusted"):
        auditor.poll(Source(log))
